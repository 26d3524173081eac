"""Chapter 6, §6.1–6.5 (``language_models``): the book's numbers and what grading relies on.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``.  Here: the sampling examples on ``range(30)``, perplexity, the
scratch RNN against ``nn.RNN`` with copied weights, ``RNNModel`` against the scratch RNN,
clipping, the loader against the shared lyrics loader, and the TorchScript stand-in model
the grader passes to ``predict_rnn`` and ``train_rnn``.
"""

from __future__ import annotations

import math
import random
import sys

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from autograder.kinds import Builder
from autograder.spec import args, load_assignment
from reference_impl import ch06_language_models as ref
from reference_impl.jay_lyrics import load_data_jay_lyrics, standin_text, write_lyrics_standin

from .conftest import ROOT


@pytest.fixture(scope="module")
def spec_module():
    """The notebook's question module (loaded the way the grader loads it)."""
    load_assignment(ROOT / "solutions" / "ch06_rnn")
    return sys.modules["_d2l_questions_ch06_rnn.language_models"]


# ---- §6.1 ------------------------------------------------------------------------------

WORDS = "the cat sat on the mat the cat ate the rat on the mat".split()


def test_ngram_probabilities_on_the_toy_corpus():
    assert ref.ngram_counts(WORDS, 2)["the cat"] == 2
    assert ref.ngram_counts(list("ab c"), 2) == {"a b": 1, "b  ": 1, "  c": 1}
    assert ref.cond_prob(WORDS, ["the"], "cat") == 2 / 5
    assert ref.cond_prob(WORDS, [], "the") == 5 / 14
    # P(on) P(the | on) P(mat | the) = 2/14 · 2/2 · 2/5
    assert ref.seq_prob(WORDS, "on the mat".split()) == pytest.approx(2 / 14 * 1 * 2 / 5,
                                                                     rel=1e-12)
    assert ref.seq_prob(WORDS, "the rat ate".split()) == 0.0


def test_perplexity_is_exp_of_the_mean_nll():
    assert ref.perplexity([math.log(4.0)] * 5) == pytest.approx(4.0, rel=1e-12)
    assert ref.perplexity([0.0, 0.0]) == 1.0
    V = 51  # a uniform guess over V tokens has perplexity V
    assert ref.perplexity([math.log(V)] * 7) == pytest.approx(V, rel=1e-12)


# ---- §6.2 ------------------------------------------------------------------------------

def test_stacked_weights_equal_two_products():
    X, H = torch.randn(3, 2), torch.randn(3, 4)
    W_xh, W_hh, b = torch.randn(2, 4), torch.randn(4, 4), torch.randn(4)
    apart = torch.tanh(X @ W_xh + H @ W_hh + b)
    torch.testing.assert_close(ref.rnn_step(X, H, torch.cat((W_xh, W_hh)), b), apart,
                               rtol=1e-6, atol=1e-6)


# ---- §6.3 ------------------------------------------------------------------------------

def test_consecutive_sampling_book_example():
    batches = list(ref.data_iter_consecutive(list(range(30)), 2, 6))
    assert [[X.tolist(), Y.tolist()] for X, Y in batches] == [
        [[[0, 1, 2, 3, 4, 5], [15, 16, 17, 18, 19, 20]],
         [[1, 2, 3, 4, 5, 6], [16, 17, 18, 19, 20, 21]]],
        [[[6, 7, 8, 9, 10, 11], [21, 22, 23, 24, 25, 26]],
         [[7, 8, 9, 10, 11, 12], [22, 23, 24, 25, 26, 27]]],
    ]
    assert all(X.dtype == Y.dtype == torch.int64 for X, Y in batches)


def test_random_sampling_book_example_satisfies_its_invariant(spec_module):
    random.seed(3)
    batches = list(ref.data_iter_random(list(range(30)), 2, 6))
    assert len(batches) == 2 and all(X.dtype == torch.int64 for X, _ in batches)
    assert spec_module._random_iter_invariant(batches, args(list(range(30)), 2, 6)) == []


def test_random_sampling_invariant_catches_overlaps_and_order(spec_module):
    corpus = list(range(100, 160))
    a = args(corpus, 2, 5)
    c = torch.tensor(corpus)
    in_order = [(torch.stack([c[s:s + 5] for s in (10 * i, 10 * i + 5)]),
                 torch.stack([c[s + 1:s + 6] for s in (10 * i, 10 * i + 5)])) for i in range(5)]
    assert spec_module._random_iter_invariant(in_order, a)  # not shuffled
    overlapping = [(c[1:6].reshape(1, 5).repeat(2, 1), c[2:7].reshape(1, 5).repeat(2, 1))] * 5
    assert spec_module._random_iter_invariant(overlapping, a)


def test_text_to_corpus_agrees_with_the_lyrics_loader(tmp_path):
    path = write_lyrics_standin(tmp_path)
    assert ref.text_to_corpus(standin_text()) == load_data_jay_lyrics(path)
    corpus, char_to_idx, idx_to_char, vocab_size = ref.text_to_corpus("ba\r\nab\n", 10)
    assert idx_to_char == [" ", "a", "b"] and vocab_size == 3
    assert corpus == [2, 1, 0, 1, 2, 0]


# ---- §6.4 ------------------------------------------------------------------------------

def _scratch_params_from(layer: nn.RNN, dense: nn.Linear) -> list[torch.Tensor]:
    return [layer.weight_ih_l0.detach().T, layer.weight_hh_l0.detach().T,
            (layer.bias_ih_l0 + layer.bias_hh_l0).detach(), dense.weight.detach().T,
            dense.bias.detach()]


def test_scratch_rnn_equals_nn_rnn_with_copied_weights():
    V, H, B, T = 7, 5, 3, 4
    layer, dense = nn.RNN(V, H), nn.Linear(H, V)
    X = torch.randint(0, V, (B, T))
    H0 = torch.randn(B, H)
    outputs, (H_T,) = ref.rnn(ref.to_onehot(X, V), (H0,), _scratch_params_from(layer, dense))
    with torch.no_grad():
        Y, state = layer(F.one_hot(X.T, V).float(), H0.unsqueeze(0))
        expected = dense(Y)
    assert len(outputs) == T
    torch.testing.assert_close(torch.stack(outputs), expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(H_T, state[0], rtol=1e-5, atol=1e-6)


def test_to_onehot_is_time_major_float32():
    X = torch.arange(10).reshape(2, 5)
    out = ref.to_onehot(X, 10)
    assert type(out) is list and len(out) == 5
    assert all(t.dtype == torch.float32 and t.shape == (2, 10) for t in out)
    assert torch.equal(torch.stack(out), F.one_hot(X.T, 10).float())


def test_clipping_keeps_directions_and_caps_the_norm():
    grads = [torch.randn(4, 3), torch.randn(3)]
    before = [g.clone() for g in grads]
    norm = ref.clip_gradients(grads, 0.5)
    assert norm == pytest.approx(math.sqrt(sum(float((g ** 2).sum()) for g in before)))
    after = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
    assert after == pytest.approx(min(norm, 0.5), rel=1e-6)
    for g, b in zip(grads, before, strict=True):
        torch.testing.assert_close(g, b * (0.5 / norm))
    small = [torch.full((2,), 0.01)]
    ref.clip_gradients(small, 1.0)
    assert torch.equal(small[0], torch.full((2,), 0.01))  # under θ: untouched
    # torch's clip_grad_norm_ divides by norm + 1e-6: the same within the tolerance
    params = [torch.zeros(4, 3, requires_grad=True), torch.zeros(3, requires_grad=True)]
    for p, b in zip(params, before, strict=True):
        p.grad = b.clone()
    nn.utils.clip_grad_norm_(params, 0.5)
    for p, g in zip(params, grads, strict=True):
        torch.testing.assert_close(p.grad, g, rtol=1e-5, atol=1e-6)


def test_greedy_prediction_has_the_prefix_and_the_right_length():
    V, H = 6, 4
    chars = list("abcdef")
    c2i = {c: i for i, c in enumerate(chars)}
    torch.manual_seed(0)
    params = [torch.randn(V, H), torch.randn(H, H), torch.randn(H), torch.randn(H, V),
              torch.randn(V)]
    out = ref.predict_rnn("cab", 7, ref.rnn, params, ref.init_rnn_state, H, V, chars, c2i)
    assert out.startswith("cab") and len(out) == 10 and set(out) <= set(chars)


def test_training_without_detach_fails_on_consecutive_batches():
    V, H = 5, 4
    torch.manual_seed(0)
    params = ref.get_params(V, H)
    batches = list(ref.data_iter_consecutive([i % V for i in range(60)], 2, 5))
    state = ref.init_rnn_state(2, H)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        for X, Y in batches:  # the state is carried over without detach()
            outputs, state = ref.rnn(ref.to_onehot(X, V), state, params)
            F.cross_entropy(torch.cat(outputs), Y.T.reshape(-1)).backward()
    # the reference detaches: the same batches train without error
    ppl = ref.train_rnn(ref.rnn, params, ref.init_rnn_state, H, V, batches, False, 2, 100, 0.01)
    assert len(ppl) == 2 and all(math.isfinite(p) for p in ppl)


# ---- the stand-in model of predict_rnn / train_rnn ----------------------------------------

def test_torchscript_stand_in_equals_a_gru_and_reads_both_input_forms(spec_module):
    V, H, B, T = 6, 5, 3, 4
    g = torch.Generator().manual_seed(0)
    params = spec_module._gru_params(g, V, H, 0.5)
    builder = Builder({})
    model = builder.build(spec_module._script("gru_lm"))
    init = builder.build(spec_module._script("init_gru_lm_state"))
    X = torch.randint(0, V, (B, T), generator=g)
    H0 = torch.randn(B, H, generator=g)
    as_list, (h1,) = model(ref.to_onehot(X, V), (H0,), params)
    as_tensor, (h2,) = model(F.one_hot(X, V), (H0,), params)  # what the grader's to_onehot gives
    assert type(as_list) is list and len(as_list) == T
    for a, b in zip(as_list, as_tensor, strict=True):
        torch.testing.assert_close(a, b)
    layer = nn.GRU(V, H)
    with torch.no_grad():
        for name, value in zip(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"],
                               params[:4], strict=True):
            getattr(layer, name).copy_(value)
        Y, h_n = layer(F.one_hot(X.T, V).float(), H0.unsqueeze(0))
    torch.testing.assert_close(torch.stack(as_list), Y @ params[4] + params[5],
                               rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(h1, h_n[0], rtol=1e-5, atol=1e-6)
    out, h3 = spec_module.gru_lm_eager(X, H0, params)  # the grader's own measurement
    torch.testing.assert_close(out, torch.cat(as_list), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(h3, h1, rtol=1e-5, atol=1e-6)
    assert torch.equal(init(2, H)[0], torch.zeros(2, H))


def test_train_invariant_rejects_untrained_parameters(spec_module):
    make = spec_module._train_case(0, 2000, 32, 10, 48, False, 10)
    a = make(torch.Generator().manual_seed(1))
    given = [r.params["data"].clone() for r in a.args[1]]
    nudged = [w + 1e-3 for w in given]  # "updated", but not trained
    problems = spec_module._train_rnn_invariant({"return": [50.0] * 10, "arg:1": nudged}, a)
    assert problems and "perplexity" in problems[0][1]
    problems = spec_module._train_rnn_invariant({"return": [50.0] * 10, "arg:1": given}, a)
    assert problems and "not updated" in problems[0][1]


# ---- §6.5 ------------------------------------------------------------------------------

def test_rnn_model_equals_the_scratch_rnn_with_copied_weights():
    V, H, B, T = 8, 6, 2, 5
    model = ref.RNNModel(nn.RNN(V, H), V)
    X = torch.randint(0, V, (B, T))
    H0 = torch.randn(1, B, H)
    with torch.no_grad():
        Y, state = model(X, H0)
    outputs, (H_T,) = ref.rnn(ref.to_onehot(X, V), (H0[0],),
                              _scratch_params_from(model.rnn, model.dense))
    assert Y.shape == (T * B, V) and state.shape == (1, B, H)
    torch.testing.assert_close(Y, torch.cat(outputs), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(state[0], H_T, rtol=1e-5, atol=1e-6)


def test_rnn_model_widths_for_bidirectional_and_lstm_layers():
    V, H = 5, 3
    bi = ref.RNNModel(nn.RNN(V, H, bidirectional=True), V)
    assert bi.dense.in_features == 2 * H
    lstm = ref.RNNModel(nn.LSTM(V, H), V)
    with torch.no_grad():
        Y, (h, c) = lstm(torch.randint(0, V, (2, 4)), None)
    assert Y.shape == (8, V) and h.shape == c.shape == (1, 2, H)


def test_the_grader_gru_returns_fresh_tensors_the_book_can_detach(spec_module):
    """The book's training loop detaches the state in place between minibatches
    (``for s in state: s.detach_()``); the grader's stand-in GRU must allow it, as the
    book's own rnn does (an outside check lost 1.5 points to a view here)."""
    unit = torch.jit.CompilationUnit(spec_module.GRU_LM_SOURCE)
    gru_lm, init = unit.find_function("gru_lm"), unit.find_function("init_gru_lm_state")
    g = torch.Generator().manual_seed(0)
    V, H, B = 7, 5, 3
    params = [torch.randn(*shape, generator=g).requires_grad_()
              for shape in ((3 * H, V), (3 * H, H), (3 * H,), (3 * H,), (H, V), (V,))]
    inputs = [F.one_hot(torch.tensor([1, 2, 3]), V).float() for _ in range(4)]
    outputs, state = gru_lm(inputs, init(B, H), params)
    for s in state:
        s.detach_()  # the book's idiom: raised "Can't detach views in-place" before
    assert not state[0].requires_grad and state[0].shape == (B, H)
    outputs[0].add_(0)  # each output a tensor of its own too
    assert len(outputs) == 4 and outputs[0].shape == (B, V)
