"""The French–English pairs of §10.12 without a download: a writer and a reader.

The book trains its translation model on ``fr-en-small.txt``: 20 lines of UTF-8 text,
each a French sentence, a tab, and its English translation; tokens are separated by
single spaces and the full stop is a token of its own (``elle est vieille .``).  The
file is derived from Tatoeba, so the course writes its own pairs in the same format:
:func:`write_standin` writes them, :func:`read_pairs` reads any file of that format.

Two of our pairs are longer than the book's ``max_seq_len = 7`` allows (more than six
tokens on one side), so a reader that forgets to drop long pairs is caught.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["FILE_NAME", "PAIRS", "write_standin", "read_pairs"]

FILE_NAME = "fr-en-small.txt"

#: Our own sentence pairs (simple statements, a few words each).
PAIRS: tuple[tuple[str, str], ...] = (
    ("elle est grande .", "she is tall ."),
    ("il est petit .", "he is small ."),
    ("nous sommes prêts .", "we are ready ."),
    ("ils sont fatigués .", "they are tired ."),
    ("je suis content .", "i am happy ."),
    ("tu es en retard .", "you are late ."),
    ("elle est dans le jardin .", "she is in the garden ."),
    ("il est à la maison .", "he is at home ."),
    ("nous sommes amis .", "we are friends ."),
    ("je suis étudiant .", "i am a student ."),
    ("elle est toujours à l' heure .", "she is always on time ."),
    ("elles sont ici .", "they are here ."),
    ("il est très calme .", "he is very calm ."),
    ("tu es gentil .", "you are kind ."),
    ("je suis chez moi .", "i am at home ."),
    ("elle est médecin .", "she is a doctor ."),
    ("nous sommes très heureux de vous voir .", "we are very happy to see you ."),
    ("nous sommes en vacances .", "we are on holiday ."),
    ("ils sont dans le train .", "they are on the train ."),
    ("je suis un peu perdu .", "i am a little lost ."),
    ("il est plus âgé que moi .", "he is older than me ."),
    ("tu es fort .", "you are strong ."),
    ("ils sont en colère .", "they are angry ."),
    ("elle est occupée .", "she is busy ."),
    ("il est malade .", "he is ill ."),
)


def write_standin(folder: str | os.PathLike[str]) -> Path:
    """Write ``folder/fr-en-small.txt`` (one ``fr<TAB>en`` pair a line); returns its path.

    The bytes depend on nothing but :data:`PAIRS`, so every writer gets the same file.
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(f"{fr}\t{en}\n" for fr, en in PAIRS), encoding="utf-8")
    tmp.replace(path)
    return path


def read_pairs(path: str | os.PathLike[str]) -> list[tuple[list[str], list[str]]]:
    """The token lists of every pair in the file, in file order (a folder means its
    ``fr-en-small.txt``).  Blank lines are skipped; a line without a tab is an error."""
    path = Path(path).expanduser()
    if path.is_dir():
        path = path / FILE_NAME
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise ValueError(f"{path}:{number}: no tab between the two sentences")
        fr, en = line.split("\t", 1)
        pairs.append((fr.split(" "), en.split(" ")))
    return pairs
