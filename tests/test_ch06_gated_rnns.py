"""Chapter 6, §6.6–6.10: the reference against autograd and against torch's own layers.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``.  Here are the facts the notebook's questions rest on: the hand BPTT
equals autograd in float64; the book's GRU formula is *not* ``nn.GRU``'s while the other
formula is; the scratch LSTM, the stacked and the bidirectional RNNs equal ``nn.LSTM`` and
``nn.RNN`` with copied weights; and the training setting of ``train_gru`` learns.
"""

from __future__ import annotations

import torch
from torch import nn

from reference_impl import ch06_gated_rnns as ref

from .conftest import ROOT

B, V, H, T = 3, 5, 4, 6


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _params(g: torch.Generator, gates: int, scale: float = 0.6) -> list[torch.Tensor]:
    out = []
    for _ in range(gates):
        out += [torch.randn(V, H, generator=g) * scale, torch.randn(H, H, generator=g) * scale,
                torch.randn(H, generator=g) * scale]
    return out + [torch.randn(H, V, generator=g) * scale, torch.randn(V, generator=g) * scale]


def _steps(g: torch.Generator) -> list[torch.Tensor]:
    return [torch.randn(B, V, generator=g) for _ in range(T)]


def _hidden_states(cell, inputs, state, params) -> torch.Tensor:
    """The hidden states a scratch cell computes, without its output layer (T, B, H)."""
    hs = []
    for X in inputs:
        _, state = cell([X], state, params)
        hs.append(state[0])
    return torch.stack(hs)


# ---- §6.6 ------------------------------------------------------------------------------

def _bptt_args(seed: int, T_: int = 8, d: int = 3, h: int = 4, q: int = 2):
    g = _gen(seed)
    def r(*s):
        return torch.randn(*s, generator=g, dtype=torch.float64)
    return r(T_, d), r(T_, q), r(h, d) * 0.6, r(h, h) * 0.6, r(q, h) * 0.6


def test_hand_bptt_equals_autograd_in_float64():
    for seed in range(3):
        X, Y, *W = _bptt_args(seed)
        leaves = [w.clone().requires_grad_(True) for w in W]
        grads = torch.autograd.grad(ref.bptt_forward(X, Y, *leaves), leaves)
        mine = ref.bptt_grads(X, Y, *W)
        for name, want in zip(("W_hx", "W_hh", "W_qh"), grads, strict=True):
            torch.testing.assert_close(mine[name], want, rtol=1e-8, atol=1e-12)


def test_truncated_bptt_keeps_the_loss_cuts_the_gradient_and_k_ge_T_is_full():
    X, Y, *W = _bptt_args(1)
    full = ref.bptt_grads(X, Y, *W)
    same = ref.truncated_bptt_grads(X, Y, *W, k=len(X))
    for name in full:
        torch.testing.assert_close(same[name], full[name], rtol=1e-8, atol=1e-12)
    cut = ref.truncated_bptt_grads(X, Y, *W, k=3)
    assert not torch.allclose(cut["W_hh"], full["W_hh"])
    # W_qh only sees h_t directly, so truncation leaves its gradient alone.
    torch.testing.assert_close(cut["W_qh"], full["W_qh"], rtol=1e-8, atol=1e-12)
    assert ref.bptt_forward(X, Y, *W, detach_every=3) == ref.bptt_forward(X, Y, *W)


def test_truncated_bptt_is_the_sum_of_independent_windows():
    """Detaching every k steps = each window's gradient with its start state held fixed."""
    X, Y, *W = _bptt_args(2, T_=7)
    k = 3
    got = ref.truncated_bptt_grads(X, Y, *W, k=k)
    leaves = [w.clone().requires_grad_(True) for w in W]
    W_hx, W_hh, W_qh = leaves
    h = torch.zeros(W_hh.shape[0], dtype=torch.float64)
    total = 0.0
    for start in range(0, len(X), k):
        h = h.detach()
        for t in range(start, min(start + k, len(X))):
            h = W_hx @ X[t] + W_hh @ h
            total = total + 0.5 * ((W_qh @ h - Y[t]) ** 2).sum()
    want = torch.autograd.grad(total / len(X), leaves)
    for name, w in zip(("W_hx", "W_hh", "W_qh"), want, strict=True):
        torch.testing.assert_close(got[name], w, rtol=1e-8, atol=1e-12)


# ---- §6.7 GRU: the book's formula vs nn.GRU ------------------------------------------------

def _nn_gru(params: list[torch.Tensor]) -> nn.GRU:
    """``nn.GRU`` holding the scratch parameters: gate rows r, z, n; bias_hh zero."""
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, _, _ = params
    layer = nn.GRU(V, H)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.cat([W_xr.T, W_xz.T, W_xh.T]))
        layer.weight_hh_l0.copy_(torch.cat([W_hr.T, W_hz.T, W_hh.T]))
        layer.bias_ih_l0.copy_(torch.cat([b_r, b_z, b_h]))
        layer.bias_hh_l0.zero_()
    return layer


def test_book_gru_formula_differs_from_nn_gru_and_torch_formula_matches():
    g = _gen(3)
    params, inputs = _params(g, 3), _steps(g)
    H0 = torch.randn(B, H, generator=g) * 0.5
    with torch.no_grad():
        torch_out, torch_h = _nn_gru(params)(torch.stack(inputs), H0[None])
    book = _hidden_states(ref.gru, inputs, (H0,), params)
    other = _hidden_states(ref.gru_torch_formula, inputs, (H0,), params)
    torch.testing.assert_close(other, torch_out, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(other[-1], torch_h[0], rtol=1e-5, atol=1e-6)
    gap = (book - torch_out).abs().max().item()
    assert gap > 0.05, gap  # the curriculum measured up to 0.17 at this scale


def test_gru_returns_the_books_structure_and_outputs():
    g = _gen(4)
    params, inputs = _params(g, 3), _steps(g)
    outputs, state = ref.gru(inputs, (torch.zeros(B, H),), params)
    assert type(outputs) is list and len(outputs) == T and type(state) is tuple
    assert outputs[0].shape == (B, V) and state[0].shape == (B, H)
    torch.testing.assert_close(outputs[-1], state[0] @ params[-2] + params[-1])


def test_gru_params_and_state_follow_the_book():
    params = ref.get_gru_params(V, H, V)
    assert [tuple(p.shape) for p in params] == [(V, H), (H, H), (H,)] * 3 + [(H, V), (V,)]
    assert all(p.requires_grad for p in params)
    assert all(torch.all(p == 0) for p in params[2::3])
    (state,) = ref.init_gru_state(2, H)
    assert torch.equal(state, torch.zeros(2, H))


def test_train_gru_setting_gets_the_perplexity_clearly_down():
    from solutions.ch06_rnn.gated_rnns import PPL_LIMIT, TRAIN_CHARS, TRAIN_EPOCHS, _corpus

    corpus, vocab_size = _corpus(1200, 0)
    torch.manual_seed(0)
    _, ppl = ref.train_gru(corpus[:TRAIN_CHARS], vocab_size, TRAIN_EPOCHS)
    assert len(ppl) == TRAIN_EPOCHS and ppl[0] > 30
    assert ppl[-1] < 0.6 * PPL_LIMIT, ppl  # the threshold keeps a wide margin


# ---- §6.8 LSTM ------------------------------------------------------------------------------

def test_scratch_lstm_equals_nn_lstm_with_copied_weights():
    g = _gen(5)
    params, inputs = _params(g, 4), _steps(g)
    H0, C0 = torch.randn(B, H, generator=g) * 0.5, torch.randn(B, H, generator=g) * 0.5
    layer = ref.to_nn_lstm(params)
    assert list(layer.state_dict()) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                                        "bias_hh_l0"]
    with torch.no_grad():
        out, (h, c) = layer(torch.stack(inputs), (H0[None], C0[None]))
    mine = _hidden_states(ref.lstm, inputs, (H0, C0), params)
    torch.testing.assert_close(mine, out, rtol=1e-5, atol=1e-6)
    outputs, (h_s, c_s) = ref.lstm(inputs, (H0, C0), params)
    torch.testing.assert_close(h_s, h[0], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(c_s, c[0], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(outputs[-1], h_s @ params[-2] + params[-1])


def test_lstm_model_equals_scratch_lstm_with_the_same_weights():
    g = _gen(6)
    params = _params(g, 4)
    model = ref.LSTMModel(V, H)
    model.rnn.load_state_dict(ref.to_nn_lstm(params).state_dict())
    with torch.no_grad():
        model.dense.weight.copy_(params[-2].T)
        model.dense.bias.copy_(params[-1])
    idx = torch.randint(0, V, (B, T), generator=g)
    with torch.no_grad():
        Y, (h, c) = model(idx)
    outputs, (h_s, c_s) = ref.lstm(ref.to_onehot(idx, V), ref.init_lstm_state(B, H), params)
    assert Y.shape == (T * B, V)
    torch.testing.assert_close(Y, torch.cat(outputs), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(h[0], h_s, rtol=1e-5, atol=1e-6)


# ---- §6.9 / §6.10 --------------------------------------------------------------------------

def _copy_rnn(layer: nn.RNN, suffix: str, params: list[torch.Tensor]) -> None:
    W_xh, W_hh, b_h = params
    with torch.no_grad():
        getattr(layer, f"weight_ih_{suffix}").copy_(W_xh.T)
        getattr(layer, f"weight_hh_{suffix}").copy_(W_hh.T)
        getattr(layer, f"bias_ih_{suffix}").copy_(b_h)
        getattr(layer, f"bias_hh_{suffix}").zero_()


def test_deep_rnn_equals_nn_rnn_with_two_and_three_layers():
    for layers in (2, 3):
        g = _gen(7 + layers)
        inputs = _steps(g)
        layer_params = [[torch.randn(V if i == 0 else H, H, generator=g) * 0.6,
                         torch.randn(H, H, generator=g) * 0.6, torch.randn(H, generator=g)]
                        for i in range(layers)]
        state = torch.randn(layers, B, H, generator=g) * 0.5
        net = nn.RNN(V, H, num_layers=layers)
        for i, p in enumerate(layer_params):
            _copy_rnn(net, f"l{i}", p)
        with torch.no_grad():
            out, h = net(torch.stack(inputs), state)
        outputs, mine = ref.deep_rnn(inputs, state, layer_params)
        assert mine.shape == (layers, B, H) and len(outputs) == T
        torch.testing.assert_close(torch.stack(outputs), out, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(mine, h, rtol=1e-5, atol=1e-6)


def test_birnn_equals_bidirectional_nn_rnn():
    g = _gen(11)
    inputs = _steps(g)
    params_f = [torch.randn(V, H, generator=g), torch.randn(H, H, generator=g) * 0.5,
                torch.randn(H, generator=g)]
    params_b = [torch.randn(V, H, generator=g), torch.randn(H, H, generator=g) * 0.5,
                torch.randn(H, generator=g)]
    net = nn.RNN(V, H, bidirectional=True)
    _copy_rnn(net, "l0", params_f)
    _copy_rnn(net, "l0_reverse", params_b)
    with torch.no_grad():
        out, h = net(torch.stack(inputs))
    outputs, state = ref.birnn(inputs, params_f, params_b)
    assert outputs[0].shape == (B, 2 * H) and state.shape == (2, B, H)
    torch.testing.assert_close(torch.stack(outputs), out, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(state, h, rtol=1e-5, atol=1e-6)


# ---- the spec: every listed mistake fails every case of its question ----------------------

def test_the_nn_gru_formula_fails_every_gru_case():
    """A student who copies nn.GRU's formula must lose the whole question, not part."""
    from autograder.compare import compare
    from autograder.spec import load_assignment

    q = load_assignment(ROOT / "solutions" / "ch06_rnn").notebook("gated_rnns").question("gru")
    for i, case in enumerate(q.cases):
        a = case.make(_gen(i))
        want = ref.gru(*a.args)
        got = ref.gru_torch_formula(*a.args)
        assert compare(got, want, None), i
