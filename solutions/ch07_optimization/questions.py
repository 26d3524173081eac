"""Chapter 7 (优化算法), one notebook ``optimizers``: §7.1–7.8.

Everything in this chapter is deterministic once its inputs are fixed, so every question
is compared with the reference value by value:

* §7.1–7.2: small float64 computations (a Hessian's eigenvalues, gradient-descent
  trajectories, one 2-D step), compared within rtol 1e-9.  The noisy step of SGD gets its
  noise as an argument.
* §7.3: the airfoil preprocessing is graded on arrays the case passes (grading never
  reads the data file: otter runs have no ``$D2L_DATA_DIR``); ``train_ch7`` gets its
  minibatches as index tensors and the initial weights as leaves, so k optimiser steps
  compare within rtol 1e-4 (curriculum §1).  Its optimiser is the student's ``sgd``
  (``ref("sgd")``): the engine's ``isolate`` can only put ``torch`` callables in its place
  and no ``torch`` function has the book's ``(params, states, hyperparams)`` shape, so a
  wrong ``sgd`` also loses ``train_ch7``.  ``sgd`` is a one-line question just before it.
* §7.4–7.8: each optimiser's step is called once on parameters whose ``.grad`` the case
  sets and on states the case draws (non-zero, so every term of the update counts; one
  public case starts from zero states, the book's first step); the parameters and the
  states after the call are harvested (``arg:0``, ``arg:1``; for Adam also the
  hyperparameters, whose ``t`` must go up by one).  Longer runs against ``torch.optim``
  are in ``tests/test_ch07_optimization.py``.
"""

from __future__ import annotations

from typing import Any

import torch

from autograder.compare import Tolerance
from autograder.kinds import Call, leaf, ref
from autograder.spec import Args, AssignmentSpec, NotebookSpec, Question, args, hidden, public
from reference_impl import ch07_optimization as ref_impl
from reference_impl.airfoil import standin_array, write_airfoil_standin

FLOAT64 = Tolerance(1e-9, 1e-12)
#: k optimiser steps with identical inputs (curriculum §1).
K_STEPS = Tolerance(1e-4, 1e-5)
STEP = ("arg:0", "arg:1")


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0,
           dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=g, dtype=dtype) * scale


def _num(g: torch.Generator, lo: float, hi: float) -> float:
    """A Python float drawn uniformly from [lo, hi), rounded to 4 decimals."""
    return round(lo + (hi - lo) * float(torch.rand(1, generator=g, dtype=torch.float64)), 4)


# ---- §7.1 ---------------------------------------------------------------------------

def _hessian_case(eigs: tuple[float, ...]):
    """A symmetric matrix with the given eigenvalues in a random orthonormal basis."""
    def make(g: torch.Generator) -> Args:
        q, _ = torch.linalg.qr(_randn(g, len(eigs), len(eigs), dtype=torch.float64))
        h = q @ torch.diag(torch.tensor(eigs, dtype=torch.float64)) @ q.T
        return args((h + h.T) / 2)
    return make


# ---- §7.2 ---------------------------------------------------------------------------

def _gd_case(lo: float, hi: float, steps: int):
    def make(g: torch.Generator) -> Args:
        return args(_num(g, lo, hi), _num(g, -8.0, 8.0), steps)
    return make


def _point(g: torch.Generator) -> list[float]:
    return [_num(g, -6.0, 6.0), _num(g, -3.0, 3.0)]


def _gd_2d_case(g: torch.Generator) -> Args:
    return args(*_point(g), 0.0, 0.0, _num(g, 0.01, 0.5))


def _sgd_2d_case(g: torch.Generator) -> Args:
    return args(*_point(g), 0.0, 0.0, _num(g, 0.01, 0.3), [_num(g, -2, 2), _num(g, -2, 2)])


def _momentum_2d_case(g: torch.Generator) -> Args:
    return args(*_point(g), _num(g, -1, 1), _num(g, -1, 1), _num(g, 0.05, 0.6),
                _num(g, 0.1, 0.9))


# ---- §7.3 ---------------------------------------------------------------------------

#: Column scales like the real file's: frequency, angle, chord, velocity, thickness, dB.
_SCALES = torch.tensor([3000.0, 6.0, 0.09, 15.0, 0.013, 7.0], dtype=torch.float64)
_CENTRES = torch.tensor([2900.0, 6.8, 0.14, 50.0, 0.011, 125.0], dtype=torch.float64)


def _raw_case(rows: int, n: int, dtype: torch.dtype = torch.float64):
    def make(g: torch.Generator) -> Args:
        data = _randn(g, rows, 6, dtype=torch.float64).abs() * _SCALES + _CENTRES / 2
        return args(data.to(dtype), n)
    return make


def _standin_case(rows: int, n: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.from_numpy(standin_array(rows, seed=int(torch.randint(
            0, 1000, (1,), generator=g)))), n)
    return make


def _train_case(m: int, batch_size: int, steps: int, lr: float, log_every: int):
    """Standardised-looking features, a linear label, small initial weights."""
    def make(g: torch.Generator) -> Args:
        X = _randn(g, m, 5)
        y = X @ _randn(g, 5) + 0.3 + _randn(g, m, scale=0.1)
        w, b = leaf(_randn(g, 5, 1, scale=0.01)), leaf(torch.zeros(1))
        batches, order = [], torch.randperm(m, generator=g)
        for i in range(steps):
            start = (i * batch_size) % m
            if start + batch_size > m:
                order = torch.randperm(m, generator=g)
                start = 0
            batches.append(order[start:start + batch_size].clone())
        return args(ref("sgd"), None, {"lr": lr}, X, y, w, b, batches, log_every)
    return make


# ---- §7.4–7.8 -----------------------------------------------------------------------

def _init_case(d: int):
    return lambda g: args(d)


def _states(g: torch.Generator, d: int, kind: str, zero: bool, scale: float) -> Any:
    def draw(shape: tuple[int, ...], positive: bool) -> torch.Tensor:
        if zero:
            return torch.zeros(*shape)
        return torch.rand(*shape, generator=g) * 0.5 * scale if positive else _randn(
            g, *shape, scale=0.3 * scale)
    shapes = [(d, 1), (1,)]
    if kind == "sgd":
        return None
    if kind == "momentum":
        return tuple(draw(s, False) for s in shapes)
    if kind in ("adagrad", "rmsprop"):
        return tuple(draw(s, True) for s in shapes)
    if kind == "adadelta":
        return tuple((draw(s, True), draw(s, True)) for s in shapes)
    return tuple((draw(s, False), draw(s, True) * 0.1) for s in shapes)  # adam: (v, s)


def _step_case(kind: str, d: int, hyper: dict[str, Any], zero: bool = False,
               grad_scale: float = 1.0, state_scale: float = 1.0):
    def make(g: torch.Generator) -> Args:
        w, b = _randn(g, d, 1), _randn(g, 1)
        params_ = [leaf(w, _randn(g, d, 1, scale=grad_scale)),
                   leaf(b, _randn(g, 1, scale=grad_scale))]
        return args(params_, _states(g, d, kind, zero, state_scale), dict(hyper))
    return make


def _init_question(name: str, fn: Any) -> Question:
    return Question(name, 1, fn, cases=[public(_init_case(5)), hidden(_init_case(3)),
                                        hidden(_init_case(8))])


QUESTIONS = [
    # §7.1
    Question("classify_critical_point", 1, ref_impl.classify_critical_point, cases=[
        public(lambda g: args(torch.tensor([[2.0, 0.0], [0.0, -2.0]], dtype=torch.float64))),
        public(lambda g: args(torch.tensor([[2.0, 0.0], [0.0, 4.0]], dtype=torch.float64))),
        hidden(_hessian_case((3.0, 0.5, 1.2))),
        hidden(_hessian_case((-1.0, -0.2, -4.0, -2.5))),
        hidden(_hessian_case((2.0, -0.1, 1.0))),
        hidden(_hessian_case((1.5, 0.0, 2.0))),
        hidden(lambda g: args(torch.tensor([[-6.5]], dtype=torch.float64))),
    ]),
    # §7.2
    Question("gd", 1, ref_impl.gd, tolerance=FLOAT64, cases=[
        public(lambda g: args(0.2)),
        hidden(_gd_case(0.01, 0.2, 15)),
        hidden(_gd_case(0.3, 0.49, 7)),
        hidden(_gd_case(1.0, 1.2, 12)),
    ]),
    Question("gd_2d", 1, ref_impl.gd_2d, tolerance=FLOAT64, cases=[
        public(lambda g: args(-5.0, -2.0, 0.0, 0.0, 0.1)),
        hidden(_gd_2d_case), hidden(_gd_2d_case),
    ]),
    Question("sgd_2d", 1, ref_impl.sgd_2d, tolerance=FLOAT64, cases=[
        public(lambda g: args(-5.0, -2.0, 0.0, 0.0, 0.1, [0.3, -1.2])),
        hidden(_sgd_2d_case), hidden(_sgd_2d_case),
    ]),
    # §7.3
    Question("standardize_airfoil", 2, ref_impl.standardize_airfoil, cases=[
        public(_standin_case(30, 25)),
        hidden(_raw_case(1503, 1500)),
        hidden(_raw_case(40, 30)),
        hidden(_raw_case(60, 17, dtype=torch.float32)),
    ]),
    Question("sgd", 1, ref_impl.sgd, kind=Call(harvest=("arg:0",)), cases=[
        public(_step_case("sgd", 5, {"lr": 0.05})),
        hidden(_step_case("sgd", 3, {"lr": 0.3}, grad_scale=2.0)),
        hidden(_step_case("sgd", 8, {"lr": 0.01})),
    ]),
    Question("train_ch7", 2, ref_impl.train_ch7, kind=Call(harvest=("return", "arg:5", "arg:6")),
             tolerance=K_STEPS, cases=[
        public(_train_case(100, 10, 20, 0.05, 5)),
        hidden(_train_case(60, 7, 30, 0.1, 10)),
        hidden(_train_case(200, 32, 12, 0.2, 3)),
    ]),
    # §7.4
    Question("momentum_2d", 1, ref_impl.momentum_2d, tolerance=FLOAT64, cases=[
        public(lambda g: args(-5.0, -2.0, 0.0, 0.0, 0.4, 0.5)),
        hidden(_momentum_2d_case), hidden(_momentum_2d_case),
    ]),
    _init_question("init_momentum_states", ref_impl.init_momentum_states),
    Question("sgd_momentum", 2, ref_impl.sgd_momentum, kind=Call(harvest=STEP), cases=[
        public(_step_case("momentum", 5, {"lr": 0.02, "momentum": 0.5}, zero=True)),
        hidden(_step_case("momentum", 5, {"lr": 0.004, "momentum": 0.9})),
        hidden(_step_case("momentum", 3, {"lr": 0.1, "momentum": 0.3}, grad_scale=3.0)),
    ]),
    # §7.5
    _init_question("init_adagrad_states", ref_impl.init_adagrad_states),
    Question("adagrad", 2, ref_impl.adagrad, kind=Call(harvest=STEP), cases=[
        # Gradients of size 1e-3 and states of size 1e-6 make s ≈ ε, so every case also
        # decides where ε sits (inside the root, as the book; torch puts it outside).
        public(_step_case("adagrad", 5, {"lr": 0.1}, zero=True, grad_scale=1e-3)),
        hidden(_step_case("adagrad", 5, {"lr": 0.1}, grad_scale=1e-3, state_scale=2e-6)),
        hidden(_step_case("adagrad", 7, {"lr": 0.5}, grad_scale=2e-3, state_scale=1e-6)),
        hidden(_step_case("adagrad", 4, {"lr": 0.1}, zero=True, grad_scale=1e-3)),
    ]),
    # §7.6
    _init_question("init_rmsprop_states", ref_impl.init_rmsprop_states),
    Question("rmsprop", 2, ref_impl.rmsprop, kind=Call(harvest=STEP), cases=[
        public(_step_case("rmsprop", 5, {"lr": 0.01, "gamma": 0.9}, zero=True)),
        hidden(_step_case("rmsprop", 5, {"lr": 0.01, "gamma": 0.9})),
        hidden(_step_case("rmsprop", 4, {"lr": 0.05, "gamma": 0.6}, grad_scale=0.01)),
        hidden(_step_case("rmsprop", 5, {"lr": 0.01, "gamma": 0.9}, zero=True, grad_scale=1e-3)),
    ]),
    # §7.7
    _init_question("init_adadelta_states", ref_impl.init_adadelta_states),
    Question("adadelta", 2, ref_impl.adadelta, kind=Call(harvest=STEP), cases=[
        public(_step_case("adadelta", 5, {"rho": 0.9}, zero=True)),
        hidden(_step_case("adadelta", 5, {"rho": 0.9})),
        hidden(_step_case("adadelta", 6, {"rho": 0.7}, grad_scale=2.0)),
    ]),
    # §7.8
    _init_question("init_adam_states", ref_impl.init_adam_states),
    Question("adam", 2, ref_impl.adam, kind=Call(harvest=("arg:0", "arg:1", "arg:2")), cases=[
        public(_step_case("adam", 5, {"lr": 0.01, "t": 1}, zero=True)),
        hidden(_step_case("adam", 5, {"lr": 0.01, "t": 4})),
        hidden(_step_case("adam", 3, {"lr": 0.1, "t": 2}, grad_scale=0.05)),
        hidden(_step_case("adam", 4, {"lr": 0.01, "t": 1}, zero=True, grad_scale=1e-3)),
    ]),
]

ASSIGNMENT = AssignmentSpec(
    id="ch07_optimization",
    title="第 7 章 优化算法 / Chapter 7 Optimization Algorithms",
    notebooks=[NotebookSpec("optimizers", QUESTIONS, prepare_data=write_airfoil_standin)],
)
