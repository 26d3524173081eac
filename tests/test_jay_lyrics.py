"""The §6.3 lyrics loader reads the real file layout; the stand-in is written in it."""

from __future__ import annotations

import zipfile

import pytest

from reference_impl.jay_lyrics import (
    TEXT_NAME,
    ZIP_NAME,
    load_data_jay_lyrics,
    standin_text,
    write_lyrics_standin,
)


def test_standin_is_a_zip_with_the_real_member_name_and_reproducible_bytes(tmp_path):
    path = write_lyrics_standin(tmp_path / "a")
    again = write_lyrics_standin(tmp_path / "b")
    assert path.name == ZIP_NAME and path.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == [TEXT_NAME]
        assert zf.read(TEXT_NAME).decode("utf-8") == standin_text()


def test_loader_round_trips_the_text_with_a_sorted_vocabulary(tmp_path):
    corpus, char_to_idx, idx_to_char, vocab_size = load_data_jay_lyrics(
        write_lyrics_standin(tmp_path))
    text = standin_text().replace("\n", " ")[:10_000]
    assert len(corpus) == 10_000 and "".join(idx_to_char[i] for i in corpus) == text
    assert idx_to_char == sorted(set(text)) and vocab_size == len(idx_to_char)
    assert all(idx_to_char[char_to_idx[c]] == c for c in idx_to_char)
    assert " " in char_to_idx and "\n" not in char_to_idx


def test_loader_reads_a_real_format_file_with_crlf_and_a_shorter_limit(tmp_path):
    path = tmp_path / ZIP_NAME
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(TEXT_NAME, "今天天气很好啊\r\n我们去公园散步\n".encode())
    corpus, _, idx_to_char, vocab_size = load_data_jay_lyrics(tmp_path, num_chars=8)
    assert "".join(idx_to_char[i] for i in corpus) == "今天天气很好啊 "
    assert vocab_size == 7


def test_a_zip_without_the_lyrics_file_is_refused(tmp_path):
    path = tmp_path / ZIP_NAME
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("other.txt", "x")
    with pytest.raises(FileNotFoundError, match=TEXT_NAME):
        load_data_jay_lyrics(path)
