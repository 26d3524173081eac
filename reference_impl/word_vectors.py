"""The GloVe text format for pretrained word vectors (§10.6–§10.8), read and written.

A GloVe file (``glove.6B.50d.txt`` and its siblings) holds one word per line: the token,
then its ``d`` components, separated by single spaces, no header.  The real files are a
download, so each text notebook ships a small engineered file in this format (written by
its own stand-in generator) and reads it with :func:`read_vectors`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import torch

__all__ = ["read_vectors", "write_vectors"]


def read_vectors(path: str | os.PathLike[str]) -> tuple[list[str], torch.Tensor]:
    """Tokens in file order and a float32 ``(n, d)`` tensor of their vectors.

    Raises ``ValueError`` naming the line when a line has the wrong number of
    components or a token repeats: a silently truncated file would shift every index.
    """
    tokens: list[str] = []
    rows: list[list[float]] = []
    dim = None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            parts = line.rstrip("\n").split(" ")
            if not parts or parts == [""]:
                continue
            token, values = parts[0], parts[1:]
            if dim is None:
                dim = len(values)
            if len(values) != dim or dim == 0:
                raise ValueError(f"{path}:{lineno}: {len(values)} components, expected {dim}")
            tokens.append(token)
            rows.append([float(v) for v in values])
    if len(set(tokens)) != len(tokens):
        raise ValueError(f"{path}: a token appears twice")
    return tokens, torch.tensor(rows, dtype=torch.float32).reshape(len(tokens), dim or 0)


def write_vectors(path: str | os.PathLike[str],
                  vectors: Mapping[str, Sequence[float]] | Sequence[tuple[str, Sequence[float]]],
                  decimals: int = 5) -> Path:
    """Write ``token v1 … vd`` lines (order kept) with a fixed number of decimals."""
    items = list(vectors.items()) if isinstance(vectors, Mapping) else list(vectors)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for token, values in items:
            if " " in token or not token:
                raise ValueError(f"token {token!r} cannot be written in the GloVe format")
            f.write(token + " " + " ".join(f"{float(v):.{decimals}f}" for v in values) + "\n")
    return path
