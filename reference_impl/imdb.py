"""The IMDb review corpus of §10.7–10.8 without a download: a reader, a stand-in and vectors.

The real corpus (``aclImdb_v1.tar.gz``) unpacks to ``aclImdb/{train,test}/{pos,neg}/``,
one review per file named ``{id}_{rating}.txt`` (ratings 7–10 in ``pos``, 1–4 in
``neg``), 12 500 files per folder.  :func:`read_text_tree` reads such a tree (or any
folder) into a ``{relative path: text}`` dict; the notebook's graded ``read_imdb`` turns
that dict into ``[review, label]`` pairs, so the grader can hand it small trees as data.

:func:`write_imdb_standin` writes a tree of the same layout whose reviews are our own
template sentences: neutral filler words about a film plus a few cue words of the
review's polarity (and now and then one of the other polarity, so a model must weigh
them).  It is small (100 files per folder by default) and deterministic, so a
bidirectional LSTM learns it in seconds.

:func:`write_standin_vectors` writes a GloVe-format file (§10.6's text format, via
:mod:`reference_impl.word_vectors`) holding vectors for most of the stand-in's words: the
positive cue words lie near one direction, the negative ones near its opposite, the
filler words are small noise.  A few frequent filler words are left out on purpose, so
loading the vectors meets out-of-vocabulary words as it does with the real GloVe files.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import torch

from .word_vectors import write_vectors

__all__ = ["IMDB_DIR", "VECTOR_FILE", "POSITIVE", "NEGATIVE", "FILLER", "MISSING_FROM_VECTORS",
           "standin_reviews", "standin_tree", "write_imdb_standin", "standin_vectors",
           "write_standin_vectors", "read_text_tree", "write_standin"]

IMDB_DIR = "aclImdb"
#: Where the stand-in's vectors go, relative to the data folder (the book: glove.6B.100d.txt).
VECTOR_FILE = "glove_sentiment/glove.sentiment.20d.txt"
VECTOR_DIM = 20

POSITIVE = ("great", "wonderful", "excellent", "moving", "brilliant", "loved", "beautiful",
            "superb", "funny", "charming")
NEGATIVE = ("awful", "boring", "terrible", "dull", "waste", "hated", "poor", "worst",
            "silly", "messy")
FILLER = ("the", "film", "movie", "story", "plot", "actor", "actress", "scene", "music",
          "ending", "director", "characters", "was", "is", "and", "a", "with", "of", "it",
          "this", "i", "watched", "cast", "script", "camera", "night", "friends", "then",
          "again", "very", "really", "some", "parts", "felt", "quite", "so", "at", "times")
#: Filler words the vector file does not hold (out-of-vocabulary when loading vectors).
MISSING_FROM_VECTORS = ("watched", "camera", "friends", "times")


def standin_reviews(n: int, positive: bool, seed: int) -> list[str]:
    """``n`` template reviews of one polarity: 20–60 words, a capitalised first word,
    about one cue word in six, now and then a cue of the other polarity."""
    rng = random.Random(seed * 2 + int(positive))
    cues, others = (POSITIVE, NEGATIVE) if positive else (NEGATIVE, POSITIVE)
    reviews = []
    for _ in range(n):
        length = rng.randint(20, 60)
        words = []
        for _ in range(length):
            r = rng.random()
            if r < 0.16:
                words.append(rng.choice(cues))
            elif r < 0.19:
                words.append(rng.choice(others))
            else:
                words.append(rng.choice(FILLER))
        words[0] = words[0].capitalize()
        reviews.append(" ".join(words) + " .")
    return reviews


def standin_tree(per_folder: int = 100, seed: int = 0) -> dict[str, str]:
    """The stand-in's files as ``{"train/pos/0_9.txt": text, ...}`` (paths under ``aclImdb``).

    Each file holds one review and a final newline; ids run from 0 within a folder and
    the rating is drawn from the polarity's range.  The result depends only on the arguments.
    """
    tree = {}
    for split_no, split in enumerate(("train", "test")):
        for label in ("pos", "neg"):
            positive = label == "pos"
            reviews = standin_reviews(per_folder, positive, seed * 10 + split_no)
            rng = random.Random(f"{seed}-{split}-{label}")
            for i, review in enumerate(reviews):
                rating = rng.randint(7, 10) if positive else rng.randint(1, 4)
                tree[f"{split}/{label}/{i}_{rating}.txt"] = review + "\n"
    return tree


def write_imdb_standin(folder: str | os.PathLike[str], per_folder: int = 100,
                       seed: int = 0) -> Path:
    """Write :func:`standin_tree` as ``folder/aclImdb/{train,test}/{pos,neg}/{id}_{rating}.txt``;
    returns the ``aclImdb`` folder."""
    root = Path(folder).expanduser() / IMDB_DIR
    for rel, text in standin_tree(per_folder, seed).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return root


def standin_vectors(dim: int = VECTOR_DIM, seed: int = 0) -> list[tuple[str, list[float]]]:
    """Vectors for the stand-in's words (cue words along ± one direction), in a fixed order."""
    g = torch.Generator().manual_seed(seed)
    direction = torch.zeros(dim)
    direction[0] = 1.0
    rows = []
    for word in POSITIVE + NEGATIVE + tuple(w for w in FILLER if w not in MISSING_FROM_VECTORS):
        noise = torch.randn(dim, generator=g) * 0.3
        sign = 1.0 if word in POSITIVE else -1.0 if word in NEGATIVE else 0.0
        rows.append((word, (sign * direction + noise).tolist()))
    return rows


def write_standin_vectors(folder: str | os.PathLike[str], dim: int = VECTOR_DIM,
                          seed: int = 0) -> Path:
    """Write ``folder/glove_sentiment/glove.sentiment.20d.txt`` in the GloVe text format."""
    return write_vectors(Path(folder).expanduser() / VECTOR_FILE, standin_vectors(dim, seed))


def write_standin(folder: str | os.PathLike[str]) -> None:
    """The notebook's data (its spec's ``prepare_data``): the review tree and the vectors."""
    write_imdb_standin(folder)
    write_standin_vectors(folder)


def read_text_tree(root: str | os.PathLike[str]) -> dict[str, str]:
    """Every ``.txt`` file under ``root`` as ``{relative path with '/': text}``, sorted by path."""
    root = Path(root).expanduser()
    out = {}
    for path in sorted(root.rglob("*.txt")):
        out[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return out
