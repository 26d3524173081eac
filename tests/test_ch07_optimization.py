"""Chapter 7 (``optimizers``): the book's numbers and how our optimisers relate to torch's.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``.  Here: the gradient-descent numbers of §7.2, the second-order test
of §7.1, ``train_ch7`` against the least-squares optimum, and each scratch optimiser over
30 fixed gradients against ``torch.optim`` — equal where the book's ε placement allows,
and by how much they differ where it does not.
"""

from __future__ import annotations

import math
from functools import partial

import pytest
import torch

from autograder.spec import load_assignment
from reference_impl import ch07_optimization as ref
from reference_impl.airfoil import load_airfoil, write_airfoil_standin

from .conftest import ROOT

# ---- §7.1 / §7.2 ----------------------------------------------------------------------


def test_second_order_test():
    h = partial(torch.tensor, dtype=torch.float64)
    assert ref.classify_critical_point(h([[2.0, 0.0], [0.0, -2.0]])) == "saddle"  # x² − y²
    assert ref.classify_critical_point(h([[2.0, 0.0], [0.0, 4.0]])) == "minimum"
    assert ref.classify_critical_point(h([[0.0]])) == "degenerate"  # x³ at 0
    assert ref.classify_critical_point(h([[-1.0, 0.5], [0.5, -1.0]])) == "maximum"
    # f(x) = x·cos(πx): the book's local minimum near x = -0.3 is higher than the one near 1.1
    assert ref.f_xcos(-0.274) > ref.f_xcos(1.090)


@pytest.mark.parametrize(("eta", "final"), [(0.2, 10 * 0.6 ** 10), (0.05, 10 * 0.9 ** 10),
                                            (1.1, 10 * 1.2 ** 10)])
def test_gd_book_numbers(eta, final):
    path = ref.gd(eta)
    assert len(path) == 11 and path[0] == 10.0
    assert path[-1] == pytest.approx(final, rel=1e-9)
    assert [round(x, 4) for x in (ref.gd(0.2)[-1], ref.gd(0.05)[-1], ref.gd(1.1)[-1])] == \
        [0.0605, 3.4868, 61.9174]


def test_gd_2d_book_trajectory():
    path = ref.train_2d(partial(ref.gd_2d, eta=0.1))
    assert len(path) == 21
    assert path[-1][0] == pytest.approx(-0.057646, rel=1e-5)
    assert path[-1][1] == pytest.approx(-7.31e-5, rel=1e-3)


def test_sgd_2d_with_zero_noise_is_gd_2d():
    assert ref.sgd_2d(-5.0, -2.0, 0.0, 0.0, 0.1, [0.0, 0.0]) == ref.gd_2d(-5.0, -2.0, 0.0, 0.0)


def test_momentum_2d_damps_the_steep_direction():
    """η = 0.6 diverges without momentum on 0.1x1² + 2x2² (|1 − 2.4| > 1); γ = 0.5 converges."""
    plain = ref.train_2d(partial(ref.momentum_2d, eta=0.6, gamma=0.0))
    heavy = ref.train_2d(partial(ref.momentum_2d, eta=0.6, gamma=0.5))
    assert abs(plain[-1][1]) > 100
    assert abs(heavy[-1][1]) < 0.1 and abs(heavy[-1][0]) < 0.5


# ---- §7.3 -------------------------------------------------------------------------------

def _run(step, states, hp, features, labels, batch_size, epochs, seed=0):
    gen = torch.Generator().manual_seed(seed)
    w = (torch.randn(5, 1, generator=gen) * 0.01).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    batches = [i for _ in range(epochs)
               for i in torch.randperm(len(features), generator=gen).split(batch_size)]
    return ref.train_ch7(step, states, hp, features, labels, w, b, batches,
                         log_every=max(1, 100 // batch_size)), w, b


@pytest.fixture(scope="module")
def airfoil(tmp_path_factory):
    return load_airfoil(write_airfoil_standin(tmp_path_factory.mktemp("airfoil")))


def _least_squares(features, labels):
    X = torch.cat([features, torch.ones(len(features), 1)], 1).double()
    coef = torch.linalg.lstsq(X, labels.double().unsqueeze(1)).solution
    return float(((X @ coef).squeeze(1) - labels.double()).pow(2).mean() / 2)


def test_train_ch7_reaches_the_least_squares_loss(airfoil):
    features, labels = airfoil
    best = _least_squares(features, labels)
    losses, _, _ = _run(ref.sgd, None, {"lr": 0.05}, features, labels, 10, 2)
    assert len(losses) == 1 + 2 * 1500 // 100
    assert losses[-1] <= 1.05 * best
    # Full-batch GD with lr 1: on the real data the book shows it far from the optimum after
    # 2 epochs; the stand-in's features are independent (Hessian ≈ I), so one step nearly
    # solves it.  Only the direction of the comparison with batch size 1 is asserted.
    full, _, _ = _run(ref.sgd, None, {"lr": 1.0}, features, labels, 1500, 2)
    assert full[-1] < full[0] and len(full) == 3


@pytest.mark.parametrize(("step", "init", "hp"), [
    (ref.sgd_momentum, ref.init_momentum_states, {"lr": 0.02, "momentum": 0.5}),
    (ref.adagrad, ref.init_adagrad_states, {"lr": 0.1}),
    (ref.rmsprop, ref.init_rmsprop_states, {"lr": 0.01, "gamma": 0.9}),
    (ref.adadelta, ref.init_adadelta_states, {"rho": 0.9}),
    (ref.adam, ref.init_adam_states, {"lr": 0.01, "t": 1}),
])
def test_every_optimiser_trains_the_airfoil_model(airfoil, step, init, hp):
    features, labels = airfoil
    losses, _, _ = _run(step, init(5), dict(hp), features, labels, 10, 2)
    assert losses[-1] <= 1.1 * _least_squares(features, labels) < losses[0]


def test_train_ch7_with_sgd_equals_torch_optim_sgd(airfoil):
    features, labels = airfoil
    losses, w, b = _run(ref.sgd, None, {"lr": 0.05}, features[:200], labels[:200], 10, 2)
    gen = torch.Generator().manual_seed(0)
    w2 = (torch.randn(5, 1, generator=gen) * 0.01).requires_grad_()
    b2 = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w2, b2], lr=0.05)
    for _ in range(2):
        for idx in torch.randperm(200, generator=gen).split(10):
            opt.zero_grad()
            ref.squared_loss(ref.linreg(features[idx], w2, b2), labels[idx]).mean().backward()
            opt.step()
    torch.testing.assert_close(w, w2, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(b, b2, rtol=1e-5, atol=1e-6)


# ---- §7.4–7.8 against torch.optim ------------------------------------------------------

def _against_torch(step, states, hp, make_opt, scale=1.0, steps=30):
    """Largest |difference| of the parameters after ``steps`` identical gradients."""
    gen = torch.Generator().manual_seed(7)
    grads = [(torch.randn(5, 1, generator=gen) * scale, torch.randn(1, generator=gen) * scale)
             for _ in range(steps)]
    w0 = torch.randn(5, 1, generator=gen)
    w, b = w0.clone().requires_grad_(), torch.zeros(1, requires_grad=True)
    w2, b2 = w0.clone().requires_grad_(), torch.zeros(1, requires_grad=True)
    opt = make_opt([w2, b2])
    for gw, gb in grads:
        w.grad, b.grad = gw.clone(), gb.clone()
        step([w, b], states, hp)
        w2.grad, b2.grad = gw.clone(), gb.clone()
        opt.step()
    return max(float((w - w2).detach().abs().max()), float((b - b2).detach().abs().max()))


def test_momentum_equals_torch_sgd_momentum():
    """v ← γv + ηg, x ← x − v is torch's b ← μb + g, x ← x − ηb scaled by η."""
    diff = _against_torch(ref.sgd_momentum, ref.init_momentum_states(5),
                          {"lr": 0.02, "momentum": 0.5},
                          lambda p: torch.optim.SGD(p, lr=0.02, momentum=0.5))
    assert diff < 1e-6


def test_adagrad_vs_torch_depends_on_where_eps_sits():
    hp = {"lr": 0.1}
    # ordinary gradients: ε inside (1e-6) or outside (1e-10) hardly matters
    diff = _against_torch(ref.adagrad, ref.init_adagrad_states(5), dict(hp),
                          lambda p: torch.optim.Adagrad(p, lr=0.1))
    assert diff < 1e-5
    # gradients of size 1e-3: s ≈ ε, and the book's sqrt(s + ε) takes visibly shorter steps
    diff = _against_torch(ref.adagrad, ref.init_adagrad_states(5), dict(hp),
                          lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-6), scale=1e-3)
    assert diff > 1e-2


def test_rmsprop_vs_torch_needs_alpha_and_eps_differs_for_tiny_gradients():
    hp = {"lr": 0.01, "gamma": 0.9}
    diff = _against_torch(ref.rmsprop, ref.init_rmsprop_states(5), dict(hp),
                          lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9))
    assert diff < 1e-5
    # torch's default alpha is 0.99, not the book's 0.9
    diff = _against_torch(ref.rmsprop, ref.init_rmsprop_states(5), dict(hp),
                          lambda p: torch.optim.RMSprop(p, lr=0.01))
    assert diff > 1e-2
    diff = _against_torch(ref.rmsprop, ref.init_rmsprop_states(5), dict(hp),
                          lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6),
                          scale=1e-3)
    assert diff > 1e-3


def test_adadelta_equals_torch_adadelta():
    diff = _against_torch(ref.adadelta, ref.init_adadelta_states(5), {"rho": 0.9},
                          lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-5))
    assert diff < 1e-6


def test_adam_equals_torch_adam_and_counts_steps():
    hp = {"lr": 0.01, "t": 1}
    diff = _against_torch(ref.adam, ref.init_adam_states(5), hp,
                          lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-6))
    assert diff < 1e-6
    assert hp["t"] == 31
    # with gradients of size 1e-3 even ε = 1e-6 vs torch's default 1e-8 shows
    diff = _against_torch(ref.adam, ref.init_adam_states(5), {"lr": 0.01, "t": 1},
                          lambda p: torch.optim.Adam(p, lr=0.01), scale=1e-3)
    assert 1e-6 < diff < 1e-2


def test_first_adam_step_has_length_lr():
    """Bias correction makes the first step ±lr per element (for |g| ≫ ε)."""
    w = torch.zeros(3, 1, requires_grad=True)
    w.grad = torch.tensor([[2.0], [-0.5], [10.0]])
    (v, s), = (ref.init_adam_states(3)[0],)
    hp = {"lr": 0.1, "t": 1}
    ref.adam([w], [(v, s)], hp)
    torch.testing.assert_close(w.detach(), torch.tensor([[-0.1], [0.1], [-0.1]]),
                               rtol=1e-5, atol=1e-6)
    assert hp["t"] == 2 and not math.isnan(float(s.sum()))


# ---- the spec ------------------------------------------------------------------------------

def test_every_question_has_public_and_hidden_cases():
    nb = load_assignment(ROOT / "solutions" / "ch07_optimization").notebook("optimizers")
    for q in nb.questions:
        kinds = {c.public for c in q.cases}
        assert kinds == {True, False}, q.name
