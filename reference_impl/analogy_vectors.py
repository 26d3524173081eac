"""An engineered GloVe-format vector file whose similarities and analogies are known (§10.6).

The book queries the pretrained 50-dimensional GloVe vectors (``glove.6B.50d.txt``, a
download) for the neighbours of *chip*, *baby* and *beautiful*, and for the analogies
man : woman :: son : ?, beijing : china :: tokyo : ?, bad : worst :: big : ? and
do : did :: go : ?.  :func:`write_analogy_vectors` writes a small file in the same text
format (via :func:`reference_impl.word_vectors.write_vectors`) where those queries have
answers by construction:

* every word is a sum of orthonormal directions: a *base* (what the word is about) plus an
  *attribute* (male/female, country/capital, positive/superlative, present/past), so
  ``vec(b) − vec(a) + vec(c)`` equals ``base(c) + attribute(b)``, which is exactly the
  answer's vector before noise; the cosine with ``c`` itself is about 0.5, so the answer
  wins even though the book does not exclude ``a``, ``b`` and ``c`` from the candidates;
* a neighbourhood is a centre direction plus a private direction of growing length per
  word, so cosine similarity to the head word falls in the order listed;
* a little seeded noise (0.02 per component) keeps vectors from being exactly equal.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from .word_vectors import write_vectors

__all__ = ["ANALOGIES", "NEIGHBOURS", "VECTOR_FILE", "analogy_vectors",
           "write_analogy_vectors"]

#: Where the file goes, relative to the data folder.
VECTOR_FILE = "analogy/glove.analogy.50d.txt"
DIM = 50

#: (attribute a, attribute b, pairs): each pair is (word with a, word with b).
_FAMILIES = [
    ("male", "female", [("man", "woman"), ("son", "daughter"), ("king", "queen"),
                        ("boy", "girl"), ("father", "mother"), ("brother", "sister"),
                        ("he", "she")]),
    ("capital", "country", [("beijing", "china"), ("tokyo", "japan"), ("paris", "france"),
                            ("london", "britain"), ("rome", "italy"), ("berlin", "germany"),
                            ("moscow", "russia")]),
    ("positive", "superlative", [("bad", "worst"), ("big", "biggest"), ("good", "best"),
                                 ("small", "smallest"), ("tall", "tallest"),
                                 ("fast", "fastest")]),
    ("present", "past", [("do", "did"), ("go", "went"), ("see", "saw"), ("take", "took"),
                         ("make", "made"), ("come", "came")]),
]
#: Head word, then its neighbours from nearest to farthest.
NEIGHBOURS = {
    "chip": ["chips", "intel", "processor"],
    "baby": ["babies", "infant", "toddler"],
    "beautiful": ["lovely", "gorgeous", "wonderful"],
}
#: The book's four analogy queries and their answers here.
ANALOGIES = {("man", "woman", "son"): "daughter", ("beijing", "china", "tokyo"): "japan",
             ("bad", "worst", "big"): "biggest", ("do", "did", "go"): "went"}


def analogy_vectors(seed: int = 0, noise: float = 0.02) -> list[tuple[str, list[float]]]:
    """The (token, vector) pairs of the engineered file, in file order."""
    g = torch.Generator().manual_seed(seed)
    basis = torch.linalg.qr(torch.randn(DIM, DIM, generator=g, dtype=torch.float64))[0].T
    directions = iter(basis)  # orthonormal rows, handed out one at a time
    items: list[tuple[str, torch.Tensor]] = []
    for _, _, pairs in _FAMILIES:
        attr_a, attr_b = next(directions), next(directions)
        for word_a, word_b in pairs:
            base = next(directions)
            items.append((word_a, base + attr_a))
            items.append((word_b, base + attr_b))
    # The families use 8 attribute and 26 base directions; neighbourhoods reuse the
    # remaining 16: a centre and four private directions each (15 in all).
    for head, near in NEIGHBOURS.items():
        centre = next(directions)
        for rank, word in enumerate([head, *near]):
            items.append((word, centre + (0.25 + 0.15 * rank) * next(directions)))
    noisy = [(w, v + noise * torch.randn(DIM, generator=g, dtype=torch.float64))
             for w, v in items]
    return [(w, [round(float(x), 5) for x in v]) for w, v in noisy]


def write_analogy_vectors(folder: str | os.PathLike[str], seed: int = 0) -> Path:
    """Write ``folder/analogy/glove.analogy.50d.txt``; returns its path."""
    return write_vectors(Path(folder).expanduser() / VECTOR_FILE, analogy_vectors(seed))
