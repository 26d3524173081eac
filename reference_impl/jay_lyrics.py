"""The lyrics corpus of chapter 6 (§6.3) without a download: a loader and a stand-in.

The book trains its character-level language models on ``jaychou_lyrics.txt.zip``: a zip
holding one UTF-8 text file, ``jaychou_lyrics.txt``, of Chinese song lyrics, one line per
line.  :func:`load_data_jay_lyrics` reads that file format.  The lyrics themselves are
not ours to ship, so :func:`write_lyrics_standin` writes a zip of the same name and
layout whose text is our own: short lines of everyday Chinese, repeated in a seeded order,
with a small vocabulary so that a character-level RNN's perplexity falls within seconds.

One convention is pinned down here because the book leaves it to chance: the vocabulary
is **sorted** (by code point).  The book builds it with ``list(set(chars))``, whose order
depends on Python's string hash randomisation and so changes between runs — indices
could never be compared with a reference.
"""

from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path

__all__ = ["ZIP_NAME", "TEXT_NAME", "load_data_jay_lyrics", "write_lyrics_standin",
           "standin_text"]

ZIP_NAME = "jaychou_lyrics.txt.zip"
TEXT_NAME = "jaychou_lyrics.txt"
#: The book keeps the first 10 000 characters of the corpus.
NUM_CHARS = 10_000

#: Our own lines (not song lyrics): a morning walk, tea, rain, a letter home.
_LINES = (
    "清晨的风吹过小河边",
    "我在窗前慢慢喝着茶",
    "雨落在安静的街道上",
    "你说明天还要去远方",
    "小河边的花开了又落",
    "我写一封信寄回家乡",
    "街道上的灯一盏一盏亮",
    "明天的风会吹向远方",
)
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def standin_text(num_lines: int = 1200, seed: int = 0) -> str:
    """The stand-in's text: ``num_lines`` of our lines in a seeded order, one per line."""
    rng = random.Random(seed)
    return "\n".join(rng.choice(_LINES) for _ in range(num_lines)) + "\n"


def write_lyrics_standin(folder: str | os.PathLike[str], num_lines: int = 1200,
                         seed: int = 0) -> Path:
    """Write ``folder/jaychou_lyrics.txt.zip`` in the real file's layout; returns its path.

    The bytes depend only on the arguments (fixed timestamp, one member), so a grader and
    a student who write the stand-in get the same file.
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ZIP_NAME
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(TEXT_NAME, _FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o100644 << 16
        zf.writestr(info, standin_text(num_lines, seed).encode("utf-8"))
    tmp.replace(path)
    return path


def load_data_jay_lyrics(path: str | os.PathLike[str], num_chars: int = NUM_CHARS
                         ) -> tuple[list[int], dict[str, int], list[str], int]:
    """Read the lyrics zip: ``(corpus_indices, char_to_idx, idx_to_char, vocab_size)``.

    Line breaks become spaces (the book treats the corpus as one stream of characters),
    then the first ``num_chars`` characters are kept.  The vocabulary is the sorted set of
    characters, so every run numbers them the same way.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        path = path / ZIP_NAME
    with zipfile.ZipFile(path) as zf:
        if TEXT_NAME not in zf.namelist():
            raise FileNotFoundError(f"{path} holds no {TEXT_NAME}")
        text = zf.read(TEXT_NAME).decode("utf-8")
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")[:num_chars]
    idx_to_char = sorted(set(text))
    char_to_idx = {c: i for i, c in enumerate(idx_to_char)}
    corpus_indices = [char_to_idx[c] for c in text]
    return corpus_indices, char_to_idx, idx_to_char, len(idx_to_char)
