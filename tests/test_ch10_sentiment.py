"""Chapter 10, notebook ``sentiment`` (§10.7–10.8): the book's numbers, the reference
against independent computations, and the IMDb stand-in read back through its loader."""

from __future__ import annotations

import re
from collections import Counter

import torch
import torch.nn.functional as F
from torch import nn

from reference_impl import ch10_sentiment as ref
from reference_impl import imdb
from reference_impl.word_vectors import read_vectors


def test_corr1d_book_examples_and_conv1d():
    X = torch.tensor([0.0, 1, 2, 3, 4, 5, 6])
    assert ref.corr1d(X, torch.tensor([1.0, 2])).tolist() == [2, 5, 8, 11, 14, 17]
    Xm = torch.stack([X, X + 1, X + 2])
    Km = torch.tensor([[1.0, 2], [3, 4], [-1, -3]])
    assert ref.corr1d_multi_in(Xm, Km).tolist() == [2, 8, 14, 20, 26, 32]
    g = torch.Generator().manual_seed(0)
    Xr, Kr = torch.randn(4, 11, generator=g), torch.randn(4, 3, generator=g)
    torch.testing.assert_close(ref.corr1d_multi_in(Xr, Kr),
                               F.conv1d(Xr[None], Kr[None]).flatten())


def test_global_max_pool_is_max_over_time():
    x = torch.randn(3, 4, 7)
    assert torch.equal(ref.GlobalMaxPool1d()(x), x.amax(dim=2, keepdim=True))


def test_birnn_encoding_is_first_and_last_step_of_a_batch_first_lstm():
    """The same weights in a batch-first LSTM (another code path): the forward half of the
    last step is the forward final state, the backward half of the first step the backward
    final state."""
    torch.manual_seed(0)
    net = ref.BiRNN(10, 4, 3, 2).eval()
    X = torch.randint(0, 10, (5, 6))
    lstm = nn.LSTM(4, 3, num_layers=2, bidirectional=True, batch_first=True)
    lstm.load_state_dict(net.encoder.state_dict())
    out, (h_n, _) = lstm(net.embedding(X))
    assert torch.allclose(out[:, -1, :3], h_n[-2], atol=1e-6)
    assert torch.allclose(out[:, 0, 3:], h_n[-1], atol=1e-6)
    want = net.decoder(torch.cat((out[:, 0], out[:, -1]), dim=1))
    with torch.no_grad():
        torch.testing.assert_close(net(X), want, rtol=1e-5, atol=1e-6)


def test_textcnn_against_explicit_windows():
    torch.manual_seed(1)
    net = ref.TextCNN(12, 3, [2, 4], [5, 2]).eval()
    X = torch.randint(0, 12, (2, 7))
    emb = torch.cat((net.embedding.weight[X], net.constant_embedding.weight[X]), dim=2)
    feats = []
    for conv in net.convs:
        k = conv.kernel_size[0]
        windows = emb.unfold(1, k, 1)  # (batch, positions, 2E, k)
        scores = torch.einsum("bpck,ock->bpo", windows, conv.weight) + conv.bias
        feats.append(scores.relu().amax(dim=1))
    want = net.decoder(torch.cat(feats, dim=1))
    with torch.no_grad():
        torch.testing.assert_close(net(X), want, rtol=1e-5, atol=1e-6)


def test_standin_tree_layout_and_determinism(tmp_path):
    imdb.write_standin(tmp_path / "a")
    imdb.write_standin(tmp_path / "b")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.txt"))
    assert files_a == sorted(p.relative_to(tmp_path / "b")
                             for p in (tmp_path / "b").rglob("*.txt"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
               for f in files_a)
    tree = imdb.read_text_tree(tmp_path / "a" / "aclImdb")
    assert len(tree) == 400
    for path in tree:
        m = re.fullmatch(r"(train|test)/(pos|neg)/(\d+)_(\d+)\.txt", path)
        assert m, path
        rating = int(m.group(4))
        assert (7 <= rating <= 10) if m.group(2) == "pos" else (1 <= rating <= 4)


def test_read_imdb_order_labels_and_vocab(tmp_path):
    imdb.write_standin(tmp_path)
    tree = imdb.read_text_tree(tmp_path / "aclImdb")
    train = ref.read_imdb(tree, "train")
    assert [label for _, label in train] == [1] * 100 + [0] * 100
    pos_names = sorted(p.name for p in (tmp_path / "aclImdb" / "train" / "pos").iterdir())
    first = (tmp_path / "aclImdb" / "train" / "pos" / pos_names[0]).read_text()
    assert train[0][0] == first.strip("\n").lower()
    assert all("\n" not in r and r == r.lower() for r, _ in train)
    vocab = ref.get_vocab_imdb(train)
    counts = Counter(w for r, _ in train for w in r.split(" "))
    assert vocab.idx_to_token[:2] == ["<unk>", "<pad>"]
    assert set(vocab.idx_to_token[2:]) == {w for w, n in counts.items() if n >= 5}
    features, labels = ref.preprocess_imdb(train, vocab, 30)
    assert features.shape == (200, 30) and features.dtype == torch.int64
    for row, (review, _) in zip(features.tolist(), train, strict=True):
        words = review.split(" ")[:30]
        assert row[:len(words)] == [vocab[w] for w in words]
        assert row[len(words):] == [1] * (30 - len(words))


def test_vectors_and_oov_count(tmp_path):
    imdb.write_standin(tmp_path)
    tokens, vectors = read_vectors(tmp_path / imdb.VECTOR_FILE)
    assert vectors.shape == (len(tokens), 20)
    assert not set(imdb.MISSING_FROM_VECTORS) & set(tokens)
    words = ["<unk>", "<pad>", "great", "watched", "awful"]
    embed, oov = ref.load_pretrained_embedding(words, tokens, vectors)
    assert oov == 3
    assert torch.equal(embed[2], vectors[tokens.index("great")])
    assert embed[[0, 1, 3]].abs().sum() == 0
    # Cue words point along ± the first axis, so a linear reader can tell them apart.
    assert vectors[tokens.index("great"), 0] > 0 > vectors[tokens.index("awful"), 0]
