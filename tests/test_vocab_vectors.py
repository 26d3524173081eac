"""The shared text pieces: the vocabulary's stated order and the GloVe text format.

Chapters 10's three notebooks compare token indices, so the order rule of
``reference_impl/vocab.py`` is part of every answer: reserved tokens first, then by
descending count, ties broken by first occurrence, rare tokens dropped.
"""

from __future__ import annotations

import pytest
import torch

from reference_impl.vocab import Vocab, count_tokens
from reference_impl.word_vectors import read_vectors, write_vectors


def test_order_is_reserved_then_count_then_first_occurrence():
    sentences = [["b", "a", "c"], ["a", "d", "b"], ["e", "e", "a"]]
    vocab = Vocab(sentences, min_freq=2, reserved=("<unk>", "<pad>"))
    # a: 3; b and e: 2 each, b seen first; c and d: 1, dropped.
    assert vocab.idx_to_token == ["<unk>", "<pad>", "a", "b", "e"]
    assert vocab.to_indices(["e", "zzz", "a"]) == [4, 0, 2]
    assert vocab.to_tokens([3, 1]) == ["b", "<pad>"]
    assert len(vocab) == 5


def test_flat_token_lists_and_no_unknown():
    vocab = Vocab("abracadabra", reserved=(), unk=None)
    assert vocab.idx_to_token == ["a", "b", "r", "c", "d"]
    with pytest.raises(KeyError):
        vocab["z"]


def test_reserved_tokens_are_not_counted_twice_and_must_name_unk():
    vocab = Vocab([["<pad>", "x", "x"]], reserved=("<unk>", "<pad>"))
    assert vocab.idx_to_token == ["<unk>", "<pad>", "x"]
    with pytest.raises(ValueError, match="unk"):
        Vocab(["x"], reserved=("<pad>",))
    with pytest.raises(ValueError, match="repeat"):
        Vocab(["x"], reserved=("<unk>", "<unk>"))
    assert count_tokens([["a", "b"], "a"]) == {"a": 2, "b": 1}


def test_vectors_round_trip_in_file_order(tmp_path):
    path = write_vectors(tmp_path / "v.txt", {"king": [0.5, -1.0], "queen": [0.25, 2.0]})
    assert path.read_text() == "king 0.50000 -1.00000\nqueen 0.25000 2.00000\n"
    tokens, vectors = read_vectors(path)
    assert tokens == ["king", "queen"]
    assert torch.equal(vectors, torch.tensor([[0.5, -1.0], [0.25, 2.0]]))


def test_malformed_vector_files_are_refused(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("a 1 2\nb 3\n")
    with pytest.raises(ValueError, match="bad.txt:2"):
        read_vectors(bad)
    twice = tmp_path / "twice.txt"
    twice.write_text("a 1\na 2\n")
    with pytest.raises(ValueError, match="twice"):
        read_vectors(twice)
    with pytest.raises(ValueError, match="cannot be written"):
        write_vectors(tmp_path / "x.txt", {"two words": [1.0]})
