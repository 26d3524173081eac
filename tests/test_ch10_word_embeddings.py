"""Chapter 10, §10.1–10.6 (``word_embeddings``): the book's numbers and what grading relies on.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``.  Here: the formulas against brute force and autograd (float64), the
book's masked-loss example, the PTB stand-in and its reader, the vocabulary order, the
statistics the random units are judged by (and that they reject the usual mistakes), the
engineered vector file's known answers, and the TorchScript stand-ins the grader swaps in.
"""

from __future__ import annotations

import itertools
import math
import random
import sys

import pytest
import torch

from autograder.kinds import Builder
from autograder.spec import load_assignment
from reference_impl import ch10_word_embeddings as ref
from reference_impl.analogy_vectors import ANALOGIES, NEIGHBOURS, VECTOR_FILE, write_analogy_vectors
from reference_impl.ptb import read_ptb, standin_sentences, write_ptb_standin
from reference_impl.word_vectors import read_vectors

from .conftest import ROOT


@pytest.fixture(scope="module")
def spec_module():
    """The notebook's question module (loaded the way the grader loads it)."""
    load_assignment(ROOT / "solutions" / "ch10_nlp")
    return sys.modules["_d2l_questions_ch10_nlp.word_embeddings"]


def _g(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ---- §10.1 / §10.2 ----------------------------------------------------------------------------

def test_skipgram_log_prob_and_its_hand_gradient_match_autograd():
    g = _g(1)
    U = torch.randn(9, 4, generator=g, dtype=torch.float64)
    v = torch.randn(4, generator=g, dtype=torch.float64, requires_grad=True)
    lp = ref.skipgram_log_prob(v, U, 3)
    vd = v.detach()
    brute = math.log(math.exp(float(U[3] @ vd)) / sum(math.exp(float(u @ vd)) for u in U))
    assert float(lp) == pytest.approx(brute, rel=1e-12)
    lp.backward()
    torch.testing.assert_close(ref.skipgram_grad(v.detach(), U, 3), v.grad, rtol=1e-12,
                               atol=1e-12)


def test_cbow_and_negative_sampling_by_brute_force():
    g = _g(2)
    V_ctx, U = torch.randn(3, 5, generator=g, dtype=torch.float64), torch.randn(
        7, 5, generator=g, dtype=torch.float64)
    v_bar = (V_ctx[0] + V_ctx[1] + V_ctx[2]) / 3
    scores = [float(u @ v_bar) for u in U]
    expected = scores[2] - math.log(sum(math.exp(s) for s in scores))
    assert float(ref.cbow_log_prob(V_ctx, U, 2)) == pytest.approx(expected, rel=1e-12)

    def sig(x: float) -> float:
        return 1 / (1 + math.exp(-x))

    v_c, u_o, U_neg = U[0], U[1], U[2:6]
    expected = -math.log(sig(float(u_o @ v_c))) - sum(math.log(sig(-float(u @ v_c)))
                                                      for u in U_neg)
    assert float(ref.neg_sampling_loss(v_c, u_o, U_neg)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("V", [2, 5, 8, 11])
def test_hierarchical_softmax_leaves_sum_to_one_and_follow_the_path(V):
    g = _g(V)
    v_c = torch.randn(3, generator=g, dtype=torch.float64)
    nodes = torch.randn(V - 1, 3, generator=g, dtype=torch.float64)
    probs = [float(ref.hier_softmax_prob(v_c, nodes, w)) for w in range(V)]
    assert sum(probs) == pytest.approx(1.0, abs=1e-12)

    # independent: walk down from the root, recording each leaf's probability
    found: dict[int, float] = {}

    def walk(node: int, p: float) -> None:
        if node >= V - 1:
            found[node - (V - 1)] = p
            return
        s = float(torch.sigmoid(nodes[node] @ v_c))
        walk(2 * node + 1, p * s)
        walk(2 * node + 2, p * (1 - s))

    walk(0, 1.0)
    assert [found[w] for w in range(V)] == pytest.approx(probs, rel=1e-10)


# ---- §10.3 -----------------------------------------------------------------------------------

def test_ptb_standin_layout_and_reader(tmp_path):
    folder = write_ptb_standin(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [
        "ptb.test.txt", "ptb.train.txt", "ptb.valid.txt"]
    first = (folder / "ptb.train.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(" ") and first.endswith(" ") and "  " not in first
    train = read_ptb(tmp_path)
    assert train == standin_sentences("train")
    assert [len(read_ptb(folder, s)) for s in ("train", "valid", "test")] == [2000, 200, 200]
    tokens = [t for st in train for t in st]
    assert "<unk>" in tokens and "N" in tokens
    assert 100 <= len(set(tokens)) <= 250


def test_vocabulary_order_and_rare_words_dropped():
    raw = standin_sentences("train")
    idx_to_token, dataset = ref.ptb_to_indices(raw)
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for pos, t in enumerate(t for st in raw for t in st):
        counts[t] = counts.get(t, 0) + 1
        first.setdefault(t, pos)
    expected = sorted((t for t in counts if counts[t] >= 5), key=lambda t: (-counts[t], first[t]))
    assert idx_to_token == expected
    assert any(0 < counts[t] < 5 for t in counts)  # the stand-in has words to drop
    kept = set(idx_to_token)
    assert dataset == [[idx_to_token.index(t) for t in st if t in kept] for st in raw]


def test_subsampling_never_drops_rare_words():
    dataset = [[0, 1, 2, 0, 0, 3, 0, 0] for _ in range(200)]
    counter = {0: 1000, 1: 200, 2: 200, 3: 200}
    random.seed(0)
    out = ref.subsample(dataset, counter, 1600, t=0.125)   # f(1..3) = 0.125 = t
    assert all(st.count(1) == st.count(2) == st.count(3) == 1 for st in out)
    kept = sum(st.count(0) for st in out)
    assert abs(kept / 1000 - math.sqrt(0.125 / (1000 / 1600))) < 0.06


def test_contexts_with_window_one_are_exact():
    centers, contexts = ref.get_centers_and_contexts([[5, 6, 7], [8], [], [9, 10]], 1)
    assert centers == [5, 6, 7, 9, 10]
    assert contexts == [[6], [5, 7], [6], [10], [9]]


def test_batchify_on_three_examples():
    centers, ctx_neg, masks, labels = ref.batchify([(1, [2, 2], [3, 3, 3, 3]),
                                                    (1, [2, 2, 2], [3, 3]), (4, [5], [6])])
    assert torch.equal(centers, torch.tensor([[1], [1], [4]]))
    assert torch.equal(ctx_neg, torch.tensor([[2, 2, 3, 3, 3, 3], [2, 2, 2, 3, 3, 0],
                                              [5, 6, 0, 0, 0, 0]]))
    assert torch.equal(masks, torch.tensor([[1.0] * 6, [1.0] * 5 + [0.0], [1.0] * 2 + [0.0] * 4]))
    assert torch.equal(labels, torch.tensor([[1.0, 1, 0, 0, 0, 0], [1.0, 1, 1, 0, 0, 0],
                                             [1.0, 0, 0, 0, 0, 0]]))
    assert masks.dtype == labels.dtype == torch.float32


def test_skip_gram_is_the_batched_inner_product():
    g = _g(3)
    ev, eu = torch.nn.Embedding(10, 4), torch.nn.Embedding(10, 4)
    center = torch.randint(0, 10, (3, 1), generator=g)
    ctx = torch.randint(0, 10, (3, 5), generator=g)
    out = ref.skip_gram(center, ctx, ev, eu)
    assert out.shape == (3, 1, 5)
    torch.testing.assert_close(out[:, 0], torch.einsum("bd,bld->bl", ev(center[:, 0]), eu(ctx)))


def test_book_masked_loss_example():
    pred = torch.tensor([[1.5, 0.3, -1, 2], [1.1, -0.6, 2.2, 0.4]])
    label = torch.tensor([[1.0, 0, 0, 0], [1, 1, 0, 0]])
    mask = torch.tensor([[1.0, 1, 1, 1], [1, 1, 1, 0]])
    out = ref.loss(pred, label, mask) * mask.shape[1] / mask.sum(dim=1)
    torch.testing.assert_close(out, torch.tensor([0.8740, 1.2100]), rtol=1e-4, atol=1e-4)


def test_random_units_pass_their_invariants_and_mistakes_fail(spec_module):
    m = spec_module
    a = m._contexts_case(120, 30, 14, 3)(_g(4))
    random.seed(4)
    assert m._contexts_invariant(ref.get_centers_and_contexts(*a.args), a) == []
    dataset, w = a.args
    always_max = [[st[j] for j in range(max(0, i - w), min(len(st), i + 1 + w)) if j != i]
                  for st in dataset if len(st) >= 2 for i in range(len(st))]
    assert m._contexts_invariant((ref.get_centers_and_contexts(dataset, 1)[0], always_max), a)

    a = m._negatives_case(1000, 15, 5)(_g(5))
    random.seed(5)
    assert m._negatives_invariant(ref.get_negatives(*a.args), a) == []
    contexts, counts, K = a.args
    plain = []
    for ctx in contexts:  # counts instead of counts ** 0.75
        negs: list[int] = []
        while len(negs) < K * len(ctx):
            n = random.choices(range(len(counts)), counts)[0]
            if n not in ctx:
                negs.append(n)
        plain.append(negs)
    assert m._negatives_invariant(plain, a)

    a = m._subsample_case(300, 40, 0.01)(_g(6))
    random.seed(6)
    assert m._subsample_invariant(ref.subsample(*a.args), a) == []
    assert m._subsample_invariant([list(st) for st in a.args[0]], a)  # nothing dropped


def test_training_on_the_standin_lowers_the_loss(spec_module):
    m = spec_module
    a = m._train_case(1, 300, 32, 5)(_g(7))
    builder = Builder({})
    net, batches, lr, epochs = builder.build(list(a.args))
    before = m._measured_loss(dict(net.state_dict()), batches)
    torch.manual_seed(0)
    history = ref.train_word2vec(net, batches, lr, epochs)
    after = m._measured_loss(dict(net.state_dict()), batches)
    assert before > 0.65 and after < m.TRAIN_LIMIT and history[-1] < history[0]


def test_similar_tokens_by_brute_force():
    g = _g(8)
    W = torch.randn(12, 5, generator=g)
    words = [f"w{i}" for i in range(12)]
    cos = [float(W[i] @ W[3] / (W[i].norm() * W[3].norm())) for i in range(12)]
    order = sorted((i for i in range(12) if i != 3), key=lambda i: -cos[i])
    assert ref.get_similar_tokens("w3", 4, W, words) == [words[i] for i in order[:4]]


# ---- §10.4 / §10.5 ---------------------------------------------------------------------------

def test_subwords_of_where():
    assert set(ref.get_subwords("where", 3, 3)) == {"<wh", "whe", "her", "ere", "re>", "<where>"}
    assert len(ref.get_subwords("where", 3, 6)) == 5 + 4 + 3 + 2 + 1


def test_fasttext_vector_is_a_sum_and_oov_words_get_one():
    table = {s: torch.full((2,), float(i)) for i, s in enumerate(ref.get_subwords("where"))}
    expected = sum(table.values(), torch.zeros(2))
    torch.testing.assert_close(ref.fasttext_vector("where", table), expected)
    oov = ref.fasttext_vector("here", table)  # shares 'her', 'ere', 're>', 'here>', …
    assert oov.abs().sum() > 0
    assert torch.equal(ref.fasttext_vector("xyz", table), torch.zeros(2))


def test_bpe_on_the_second_editions_example():
    merges, freqs = ref.bpe_merges({"f a s t _": 4, "f a s t e r _": 3, "t a l l _": 5,
                                    "t a l l e r _": 4}, 10)
    assert list(freqs) == ["fast_", "fast er_", "tall_", "tall er_"]
    assert merges[:3] == ["ta", "tal", "tall"]
    assert ref.bpe_merges({"a a a": 1}, 1) == (["aa"], {"aa a": 1})
    assert ref.bpe_merges({"x y": 1, "z": 4}, 5) == (["xy"], {"xy": 1, "z": 4})


def test_cooccurrence_by_brute_force():
    corpus = [[0, 1, 2, 1], [2, 3], [3]]
    X = ref.cooccurrence(corpus, 4, 2)
    expected = torch.zeros(4, 4)
    for st in corpus:
        for i, j in itertools.permutations(range(len(st)), 2):
            if abs(i - j) <= 2:
                expected[st[i], st[j]] += 1
    assert torch.equal(X, expected) and torch.equal(X, X.T)


def test_glove_weight_and_loss_gradient():
    x = torch.tensor([0.0, 1.0, 100.0, 250.0], dtype=torch.float64)
    assert ref.glove_weight(x).tolist() == pytest.approx([0.0, 0.01 ** 0.75, 1.0, 1.0])
    g = _g(9)
    n, d = 5, 3
    X = torch.randint(0, 30, (n, n), generator=g).double() * (torch.rand(n, n, generator=g) < 0.6)
    V, U = (torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
            for _ in range(2))
    b, c = (torch.randn(n, generator=g, dtype=torch.float64, requires_grad=True)
            for _ in range(2))
    loss = ref.glove_loss(V, U, b, c, X, 20.0)
    loss.backward()
    seen = X > 0
    h = torch.clamp((X / 20.0) ** 0.75, max=1.0) * seen
    diff = V.detach() @ U.detach().T + b.detach()[:, None] + c.detach()[None, :] - torch.log(
        torch.where(seen, X, torch.ones_like(X)))
    assert float(loss) == pytest.approx(float((h * diff ** 2).sum()), rel=1e-12)
    torch.testing.assert_close(V.grad, 2 * (h * diff) @ U.detach())   # Σ_j 2 h diff u_j
    torch.testing.assert_close(c.grad, 2 * (h * diff).sum(dim=0))
    assert torch.isfinite(U.grad).all() and torch.isfinite(b.grad).all()


# ---- §10.6 -----------------------------------------------------------------------------------

def test_engineered_vectors_answer_the_books_queries(tmp_path):
    tokens, vectors = read_vectors(write_analogy_vectors(tmp_path))
    assert (tmp_path / VECTOR_FILE).is_file() and vectors.shape[1] == 50
    assert 55 <= len(tokens) <= 70
    idx_to_token, token_to_idx, W = ref.token_embedding(tokens, vectors)
    assert idx_to_token[0] == "<unk>" and token_to_idx["<unk>"] == 0
    assert torch.equal(W[0], torch.zeros(50))
    for (a, b, c), answer in ANALOGIES.items():
        assert ref.get_analogy(a, b, c, W, idx_to_token) == answer
    for head, near in NEIGHBOURS.items():
        assert ref.get_similar_tokens(head, 3, W, idx_to_token) == near


def test_knn_gives_zero_not_nan_for_the_unk_row():
    W = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    idx, cos = ref.knn(W, torch.tensor([1.0, 0.1]), 4)
    assert idx.tolist() == [1, 3, 2, 0]
    assert cos[-1] == 0.0


def test_torchscript_stand_ins_match_the_reference(spec_module):
    m = spec_module
    b = Builder({})
    get_subwords, glove_weight, knn, bce = (b.build(m._stand_in(n)) for n in (
        "get_subwords", "glove_weight", "knn", "sigmoid_bce"))
    for word, lo, hi in [("where", 3, 3), ("go", 3, 6), ("banana", 2, 4)]:
        assert get_subwords(word, lo, hi) == ref.get_subwords(word, lo, hi)
    x = torch.tensor([0.0, 5.0, 50.0, 500.0])
    torch.testing.assert_close(glove_weight(x, 10.0, 0.5), ref.glove_weight(x, 10.0, 0.5))
    a = m._knn_case(20, 4, 3)(_g(10))
    for got, want in zip(knn(*a.args), ref.knn(*a.args), strict=True):
        torch.testing.assert_close(got, want)
    a = m._loss_case(4, 6)(_g(11))
    torch.testing.assert_close(bce(*a.args), ref.loss(*a.args))
    torch.testing.assert_close(bce(*a.args[:2]), ref.loss(*a.args[:2]))
