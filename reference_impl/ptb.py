"""The Penn Tree Bank corpus of §10.3 without a download: a reader and a stand-in writer.

The book trains word2vec on PTB as shipped in ``ptb.zip``: three text files,
``ptb.train.txt``, ``ptb.valid.txt`` and ``ptb.test.txt``, one sentence per line, tokens
separated by single spaces (each line starts with a space and ends with one), numbers
replaced by ``N`` and rare words by ``<unk>``, no punctuation.  The real training file has
42068 sentences.  :func:`read_ptb` reads that layout.

The corpus is not ours to ship, so :func:`write_ptb_standin` writes the same three files,
under ``<folder>/ptb/``, filled with sentences from a small grammar of our own about
markets and companies: about 170 word types, Zipf-like word frequencies (so that
subsampling and the ``count ** 0.75`` noise distribution have something to do), ``N`` and
``<unk>`` tokens, and a handful of names rare enough to fall under ``min_count = 5``.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

__all__ = ["SPLITS", "read_ptb", "standin_sentences", "write_ptb_standin"]

SPLITS = ("train", "valid", "test")
#: Sentences per split of the stand-in (the real training file has 42068).
STANDIN_SIZES = {"train": 2000, "valid": 200, "test": 200}

_DET = ["the", "a", "its", "this", "their"]
_NOUN = ("company market shares stock price bank investors year trading sales firm group "
         "board quarter analysts rates bonds profit revenue unit plan deal index government "
         "officials oil industry business offer debt president chairman week month "
         "contract issue fund securities dollar yield loss").split()
_ADJ = ("new big major federal strong weak higher lower early foreign recent net "
        "annual total big small public current").split()
_ADJ = list(dict.fromkeys(_ADJ))
_VERB = ("said rose fell reported added expects declined gained sold bought agreed "
         "announced increased dropped climbed raised cut posted estimated noted "
         "closed opened traded jumped slipped").split()
_PREP = "in of for on at to from by with about".split()
_ADV = "also still only about recently sharply slightly".split()
_UNIT = "million billion cents percent shares points".split()
#: Frequent names (kept) and rare names (fewer than five occurrences each, so they fall
#: under the book's ``min_count = 5``).
_NAMES = ("acme borden hanover ridgeway calloway northfield westbrook lindqvist "
          "osgood pemberton").split()
_RARE = ("quillfeather zandervoort brightwater ellsworthy maplecrest thistledown "
         "ravenholt winterbourne").split()


def _zipf_choice(rng: random.Random, words: list[str]) -> str:
    """A word drawn with probability ∝ 1/(rank + 1): a few words dominate, as in text."""
    weights = [1.0 / (r + 1) for r in range(len(words))]
    return rng.choices(words, weights)[0]


def _noun_phrase(rng: random.Random) -> list[str]:
    words = [_zipf_choice(rng, _DET)]
    if rng.random() < 0.4:
        words.append(_zipf_choice(rng, _ADJ))
    words.append(_zipf_choice(rng, _NOUN))
    if rng.random() < 0.08:
        words.append("<unk>")
    return words


def _subject(rng: random.Random) -> list[str]:
    if rng.random() < 0.25:
        return [_zipf_choice(rng, _NAMES)]
    return _noun_phrase(rng)


def _sentence(rng: random.Random) -> list[str]:
    form = rng.randrange(4)
    words = _subject(rng)
    if form == 0:      # the company said its profit rose N percent
        words += ["said", _zipf_choice(rng, _DET[2:]), _zipf_choice(rng, _NOUN),
                  _zipf_choice(rng, _VERB), "N", _zipf_choice(rng, _UNIT)]
    elif form == 1:    # shares fell N cents to $ N in trading
        words += [_zipf_choice(rng, _VERB), "N", _zipf_choice(rng, _UNIT), "to", "$", "N"]
        if rng.random() < 0.5:
            words += [_zipf_choice(rng, _PREP)] + _noun_phrase(rng)
    elif form == 2:    # the bank also agreed to buy the unit for $ N million
        if rng.random() < 0.5:
            words.append(_zipf_choice(rng, _ADV))
        words += [_zipf_choice(rng, _VERB)] + _noun_phrase(rng)
        words += [_zipf_choice(rng, _PREP), "$", "N", _zipf_choice(rng, _UNIT)]
    else:              # the index of <unk> closed at N points
        words += [_zipf_choice(rng, _PREP)] + _noun_phrase(rng)
        words += [_zipf_choice(rng, _VERB), _zipf_choice(rng, _PREP), "N",
                  _zipf_choice(rng, _UNIT)]
    return words


def standin_sentences(split: str = "train", seed: int = 0) -> list[list[str]]:
    """The stand-in's sentences of one split (a seeded draw from the grammar)."""
    rng = random.Random(f"ptb-{split}-{seed}")
    sentences = [_sentence(rng) for _ in range(STANDIN_SIZES[split])]
    if split == "train":  # each rare name occurs 1–4 times: present, but under min_count
        for k, name in enumerate(_RARE):
            for j in range(1 + k % 4):
                sentences[(97 * k + 31 * j) % len(sentences)].insert(0, name)
    return sentences


def write_ptb_standin(folder: str | os.PathLike[str], seed: int = 0) -> Path:
    """Write ``folder/ptb/ptb.{train,valid,test}.txt`` in PTB's layout; returns the folder.

    Each line is ``" " + " ".join(tokens) + " "``, as in the real files.
    """
    root = Path(folder).expanduser() / "ptb"
    root.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        lines = [" " + " ".join(s) + " \n" for s in standin_sentences(split, seed)]
        (root / f"ptb.{split}.txt").write_text("".join(lines), encoding="utf-8")
    return root


def read_ptb(folder: str | os.PathLike[str], split: str = "train") -> list[list[str]]:
    """The sentences of ``ptb.<split>.txt`` as lists of tokens (§10.3 ``read_ptb``).

    ``folder`` is the data folder holding ``ptb/`` (or the ``ptb`` folder itself).
    """
    folder = Path(folder).expanduser()
    if not (folder / f"ptb.{split}.txt").exists():
        folder = folder / "ptb"
    with open(folder / f"ptb.{split}.txt", encoding="utf-8") as f:
        return [line.split() for line in f]
