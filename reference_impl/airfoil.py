"""The airfoil self-noise data of chapter 7 (§7.3–7.8) without a download.

The book trains its optimisers on NASA's ``airfoil_self_noise.dat``: plain text, one
example per line, six numbers separated by tabs (frequency in Hz, angle of attack in
degrees, chord length in m, free-stream velocity in m/s, suction-side displacement
thickness in m, scaled sound pressure level in dB); 1503 lines.  :func:`load_airfoil`
reads that format.  The file is not ours to ship, so :func:`write_airfoil_standin` writes
one in the same format whose label is a known linear function of the standardised
features plus noise: a linear model fits it well, as it roughly fits the real data.

Two conventions are pinned here because the book leaves them implicit (it uses NumPy):

* the standard deviation is the **population** one (divide by N, NumPy's default), not
  the sample one that ``torch.std`` computes by default;
* every column is standardised over **all** rows of the file first, and only then the
  first ``n`` rows are kept (the book's order).  For the stand-in nothing changes as long
  as the file has ``n`` rows; the real file has 1503.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

__all__ = ["FILE_NAME", "NUM_ROWS", "load_airfoil", "standardize_airfoil",
           "standin_array", "write_airfoil_standin"]

FILE_NAME = "airfoil_self_noise.dat"
#: Rows in the real file; the book keeps the first 1500.
NUM_ROWS = 1503

#: Ranges of the real file's five feature columns (low, high), used by the stand-in.
_RANGES = ((200.0, 20000.0), (0.0, 22.2), (0.0254, 0.3048), (31.7, 71.3), (0.0004, 0.058))
#: The stand-in's label: 125 dB + weights · standardised features + noise (std 2 dB).
_WEIGHTS = (-4.0, -2.5, -3.0, 1.5, -2.0)


def standardize_airfoil(data: torch.Tensor, n: int = 1500) -> tuple[torch.Tensor, torch.Tensor]:
    """Standardise every column of ``data`` (rows × 6), keep the first ``n`` rows.

    Returns ``(features, labels)``: float32 tensors of shapes ``(n, 5)`` and ``(n,)``.
    The arithmetic runs in float64 (as NumPy's would) and is cast at the end.
    """
    data = data.to(torch.float64)
    mean = data.mean(dim=0)
    std = data.std(dim=0, unbiased=False)  # population std, as np.std
    data = (data - mean) / std
    return data[:n, :-1].to(torch.float32), data[:n, -1].to(torch.float32)


def load_airfoil(path: str | os.PathLike[str], n: int = 1500) -> tuple[torch.Tensor, torch.Tensor]:
    """Read ``airfoil_self_noise.dat`` (whitespace-separated, 6 columns) and standardise it."""
    raw = np.loadtxt(Path(path).expanduser(), dtype=np.float64)
    if raw.ndim != 2 or raw.shape[1] != 6:
        raise ValueError(f"{path}: expected rows of 6 numbers, got shape {raw.shape}")
    return standardize_airfoil(torch.from_numpy(raw), n)


def standin_array(rows: int = NUM_ROWS, seed: int = 0) -> np.ndarray:
    """The stand-in's numbers (rows × 6, float64), rounded as the file stores them."""
    rng = np.random.default_rng(seed)
    cols = [rng.uniform(lo, hi, rows) for lo, hi in _RANGES]
    feats = np.stack(cols, axis=1)
    z = (feats - feats.mean(axis=0)) / feats.std(axis=0)
    label = 125.0 + z @ np.asarray(_WEIGHTS) + rng.normal(0.0, 2.0, rows)
    data = np.concatenate([feats, label[:, None]], axis=1)
    # The file stores six significant digits; round now so the array equals what is read.
    return np.array([[float(f"{v:.6g}") for v in row] for row in data])


def write_airfoil_standin(folder: str | os.PathLike[str], rows: int = NUM_ROWS,
                          seed: int = 0) -> Path:
    """Write ``folder/airfoil_self_noise.dat`` in the real file's format; returns its path.

    Tab-separated, one example per line, ``rows`` lines (1503, as the real file), so the
    book's "first 1500 rows" step has something to drop.  The bytes depend only on the
    arguments.
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    lines = ["\t".join(f"{v:.6g}" for v in row) for row in standin_array(rows, seed)]
    path.write_text("\n".join(lines) + "\n")
    return path
