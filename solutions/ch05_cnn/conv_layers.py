"""Notebook ``conv_layers`` of chapter 5: §5.1–5.4, the pieces of a convolutional network.

Scratch units (``corr2d``, ``corr2d_multi_in``, ``pool2d`` …) are loops over output
positions and are compared with the reference elementwise; inputs stay at most 12×12 so
a student's Python loops finish in milliseconds.  PyTorch layers reach the student as
recipes (``new("torch.nn.Conv2d", ..., state=...)``) with weights drawn per case.

Questions that call another question's function are graded in isolation, so one mistake
costs one question.  No public torch function has ``corr2d``'s signature (2-D ``X``, 2-D
``K``), so the notebook *gives* two locked helpers built on ``F.conv2d`` —
``corr2d_torch`` and ``corr2d_multi_in_torch``, which the student also uses to check the
loops against PyTorch — and the grader swaps ``corr2d`` / ``corr2d_multi_in`` for them
(``isolate={"corr2d": ref("corr2d_torch")}``) in ``Conv2D``, ``edge_detect``,
``corr2d_multi_in`` and ``corr2d_multi_in_out``.  ``corr2d_multi_in_out`` equals
``F.conv2d`` on unbatched input, but its helper is swapped, not itself.

``learn_kernel`` starts from PyTorch's random initialisation, so it is judged by an
invariant: the returned kernel is within 0.15 of the least-squares kernel for the data,
the loss of each iteration never rises, and the loss of the returned kernel is no more
than the last recorded one (the losses are the *sum* of squared errors).  Each hidden
case's learning rate is 1/λ_max of the loss's Hessian, which converges from any start.
"""

from __future__ import annotations

from typing import Any

import torch

from autograder.kinds import Construct, new, ref
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from reference_impl import ch05_conv_layers as cl

#: How far the learned 1×2 kernel may be from the least-squares kernel (max |difference|).
#: The book's setting (lr 0.03, 10 steps) ends at most 0.087 away from any start that
#: PyTorch's default initialisation can draw (U(−0.71, 0.71) per weight), found by the
#: worst corner of that box; the hidden cases converge much further.
KERNEL_TOL = 0.15

CORR2D = {"corr2d": ref("corr2d_torch")}
CORR2D_MULTI_IN = {"corr2d": ref("corr2d_torch"), "corr2d_multi_in": ref("corr2d_multi_in_torch")}


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


# ---- the book's small examples ------------------------------------------------------------

def _book_X() -> torch.Tensor:
    return torch.arange(9.0).reshape(3, 3)


def _book_multi() -> tuple[torch.Tensor, torch.Tensor]:
    X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
    K = torch.stack([torch.arange(4.0).reshape(2, 2), torch.arange(1.0, 5.0).reshape(2, 2)])
    return X, K


# ---- §5.1 -----------------------------------------------------------------------------------

def _corr_case(x_shape: tuple[int, int], k_shape: tuple[int, int]):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *x_shape), _randn(g, *k_shape))
    return make


def _conv2d_case(kernel: tuple[int, int], x_shape: tuple[int, int]):
    def make(g: torch.Generator) -> Args:
        state = {"weight": _randn(g, *kernel), "bias": _randn(g, 1)}
        return args(_randn(g, *x_shape), init=[kernel], state=state)
    return make


def _binary_image(g: torch.Generator, h: int, w: int) -> torch.Tensor:
    """A random 0/1 image whose two kernel columns are far from collinear."""
    while True:
        X = (torch.rand(h, w, generator=g) > 0.5).float()
        eig = torch.linalg.eigvalsh(_hessian(X))
        if eig[0] > 0.25 * eig[1]:
            return X


def _hessian(X: torch.Tensor) -> torch.Tensor:
    """The Hessian of Σ(corr2d(X, [[a, b]]) − Y)² with respect to (a, b), in float64."""
    A = torch.stack([X[:, :-1].flatten(), X[:, 1:].flatten()], 1).double()
    return 2 * A.T @ A


def _learn_case(h: int, w: int, kernel: tuple[float, float], num_iters: int):
    """Random 0/1 image, ``Y`` from ``kernel``, learning rate 1/λ_max (converges from anywhere)."""
    def make(g: torch.Generator) -> Args:
        X = _binary_image(g, h, w)
        Y = cl.corr2d(X, torch.tensor([kernel]))
        lr = round(1.0 / float(torch.linalg.eigvalsh(_hessian(X))[1]), 4)
        return args(X, Y, lr, num_iters)
    return make


def _edge_learn_case(h: int, w: int, start: int, stop: int, lr: float, num_iters: int):
    def make(g: torch.Generator) -> Args:
        e = cl.edge_detect(h, w, start, stop)
        return args(e["X"], e["Y"], lr, num_iters)
    return make


def _learn_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    X, Y = a.args[0], a.args[1]
    num_iters = a.args[3] if len(a.args) > 3 else 10
    if type(actual) is not dict or sorted(actual) != ["K", "losses"]:
        return _problem('应返回字典 {"K": 核, "losses": 每次迭代的损失}',
                        'should return a dict {"K": kernel, "losses": the loss of each iteration}')
    K, losses = actual["K"], actual["losses"]
    if type(K) is not torch.Tensor or tuple(K.shape) != (1, 2) or not K.is_floating_point():
        return _problem("K 应是形状为 (1, 2) 的浮点张量",
                        "K should be a float tensor of shape (1, 2)")
    if type(losses) is not list or len(losses) != num_iters \
            or not all(type(v) is float for v in losses):
        return _problem(f"losses 应是 {num_iters} 个 Python float 组成的列表（每次迭代一个）",
                        f"losses should be a list of {num_iters} Python floats (one per iteration)")
    if not (torch.isfinite(K).all() and all(abs(v) < float("inf") for v in losses)):
        return _problem("训练发散了：K 或损失含 NaN 或 Inf",
                        "training diverged: K or the losses contain NaN or Inf")
    A = torch.stack([X[:, :-1].flatten(), X[:, 1:].flatten()], 1).double()
    y = Y.flatten().double()
    best = torch.linalg.lstsq(A, y.reshape(-1, 1)).solution.flatten()
    k = K.double().flatten()
    loss_K = float(((A @ k - y) ** 2).sum())
    problems: list[tuple[str, str]] = []
    rises = [i for i in range(1, len(losses)) if losses[i] > losses[i - 1] * (1 + 1e-4) + 1e-6]
    if rises:
        i = rises[0]
        problems += _problem(
            f"损失在第 {i + 1} 次迭代时上升了（{losses[i - 1]:.4g} → {losses[i]:.4g}）："
            "梯度下降在这里应该一直下降（每次迭代前清零梯度了吗？）",
            f"the loss rose at iteration {i + 1} ({losses[i - 1]:.4g} → {losses[i]:.4g}); gradient "
            "descent should keep it falling here (is the gradient cleared every iteration?)")
    if loss_K > losses[-1] * (1 + 1e-3) + 1e-5:
        problems += _problem(
            f"返回的核在这份数据上的平方误差之和是 {loss_K:.4g}，"
            f"比最后记录的损失 {losses[-1]:.4g} 还大（损失应是平方误差之和，在更新之前记录）",
            f"the returned kernel's sum of squared errors on this data is {loss_K:.4g}, more than "
            f"the last recorded loss {losses[-1]:.4g} (the loss is the sum of squared errors, "
            "recorded before the step)")
    gap = float((k - best).abs().max())
    if gap > KERNEL_TOL:
        shown = [round(v, 3) for v in best.tolist()]
        problems += _problem(
            f"没有学到：K 离最优的核 {shown} 差了 {gap:.3f}（应不超过 {KERNEL_TOL}）",
            f"did not learn: K is {gap:.3f} away from the best kernel {shown} "
            f"(should be at most {KERNEL_TOL})")
    return problems


# ---- §5.2 -----------------------------------------------------------------------------------

def _comp_case(x_shape: tuple[int, int], **conv: Any):
    def make(g: torch.Generator) -> Args:
        k = conv["kernel_size"]
        kh, kw = (k, k) if isinstance(k, int) else k
        state = {"weight": _randn(g, 1, 1, kh, kw, scale=0.5), "bias": _randn(g, 1, scale=0.5)}
        return args(new("torch.nn.Conv2d", 1, 1, state=state, **conv), _randn(g, *x_shape))
    return make


# ---- §5.3 -----------------------------------------------------------------------------------

def _multi_in_case(c: int, x_hw: tuple[int, int], k_hw: tuple[int, int]):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, c, *x_hw), _randn(g, c, *k_hw))
    return make


def _multi_out_case(c_o: int, c_i: int, x_hw: tuple[int, int], k_hw: tuple[int, int]):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, c_i, *x_hw), _randn(g, c_o, c_i, *k_hw))
    return make


def _book_multi_out(g: torch.Generator) -> Args:
    X, K = _book_multi()
    return args(X, torch.stack([K, K + 1, K + 2]))


def _one_by_one_case(c_o: int, c_i: int, h: int, w: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.rand(c_i, h, w, generator=g), torch.rand(c_o, c_i, 1, 1, generator=g))
    return make


# ---- §5.4 -----------------------------------------------------------------------------------

def _pool_case(x_shape: tuple[int, int], pool_size: tuple[int, int], mode: str):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *x_shape), pool_size, mode)
    return make


def _maxpool_case(*shape: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *shape))
    return make


QUESTIONS = [
    # §5.1
    Question("corr2d", 2, cl.corr2d, cases=[
        public(lambda g: args(_book_X(), torch.arange(4.0).reshape(2, 2))),
        hidden(_corr_case((6, 7), (3, 2))),
        hidden(_corr_case((12, 12), (3, 3))),
        hidden(_corr_case((4, 5), (1, 1))),
        hidden(_corr_case((5, 4), (5, 4))),
    ]),
    Question("Conv2D", 2, cl.Conv2D, isolate=CORR2D,
             kind=Construct(init=((1, 2),), harvest=("output", "num_params")), cases=[
        public(_conv2d_case((1, 2), (4, 5))),
        hidden(_conv2d_case((3, 3), (8, 9))),
        hidden(_conv2d_case((2, 4), (6, 6))),
    ]),
    Question("edge_detect", 1, cl.edge_detect, isolate=CORR2D, cases=[
        public(lambda g: args(6, 8, 2, 6)),
        hidden(lambda g: args(5, 9, 3, 7)),
        hidden(lambda g: args(7, 6, 1, 4)),
        hidden(lambda g: args(4, 10, 6, 10)),
    ]),
    Question("learn_kernel", 2, cl.learn_kernel, invariant=_learn_invariant, cases=[
        public(_edge_learn_case(6, 8, 2, 6, 3e-2, 10)),
        hidden(_learn_case(5, 7, (0.5, -1.5), 12)),
        hidden(_learn_case(4, 6, (2.0, 1.0), 15)),
        hidden(_edge_learn_case(5, 10, 3, 7, 2e-2, 15)),
    ]),
    # §5.2
    Question("comp_conv2d", 1, cl.comp_conv2d, cases=[
        public(_comp_case((8, 8), kernel_size=3, padding=1)),
        public(_comp_case((8, 8), kernel_size=(5, 3), padding=(2, 1))),
        hidden(_comp_case((8, 8), kernel_size=3, padding=1, stride=2)),
        hidden(_comp_case((8, 8), kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))),
        hidden(_comp_case((7, 11), kernel_size=(2, 4), padding=(1, 0), stride=(2, 1))),
    ]),
    Question("conv_out_shape", 2, cl.conv_out_shape, cases=[
        # The book's four settings are public; every hidden case pads, and pads enough
        # that counting PyTorch's per-side padding once (the book's p is the total) is off.
        public(lambda g: args(8, 3, 1, 1)),
        public(lambda g: args((8, 8), (5, 3), (2, 1), 1)),
        public(lambda g: args(8, 3, 1, 2)),
        public(lambda g: args((8, 8), (3, 5), (0, 1), (3, 4))),
        hidden(lambda g: args(224, 11, 2, 4)),
        hidden(lambda g: args(224, 7, 3, 2)),
        hidden(lambda g: args((28, 30), 5, (2, 0))),
        hidden(lambda g: args((9, 10), (3, 2), (1, 1), (1, 2))),
        hidden(lambda g: args((7, 11), (4, 2), (1, 1), (2, 1))),
    ]),
    # §5.3
    Question("corr2d_multi_in", 1, cl.corr2d_multi_in, isolate=CORR2D, cases=[
        public(lambda g: args(*_book_multi())),
        hidden(_multi_in_case(3, (6, 7), (2, 3))),
        hidden(_multi_in_case(1, (5, 5), (3, 3))),
        hidden(_multi_in_case(4, (10, 12), (3, 3))),
    ]),
    Question("corr2d_multi_in_out", 1, cl.corr2d_multi_in_out, isolate=CORR2D_MULTI_IN, cases=[
        public(_book_multi_out),
        hidden(_multi_out_case(4, 2, (7, 6), (3, 2))),
        hidden(_multi_out_case(1, 3, (5, 5), (5, 5))),
        hidden(_multi_out_case(2, 1, (4, 6), (2, 2))),
    ]),
    Question("corr2d_multi_in_out_1x1", 2, cl.corr2d_multi_in_out_1x1, cases=[
        public(_one_by_one_case(2, 3, 3, 3)),
        hidden(_one_by_one_case(3, 4, 5, 6)),
        hidden(_one_by_one_case(5, 1, 7, 7)),
        hidden(_one_by_one_case(1, 6, 2, 9)),
    ]),
    # §5.4
    Question("pool2d", 2, cl.pool2d, cases=[
        public(lambda g: args(_book_X(), (2, 2))),
        public(lambda g: args(_book_X(), (2, 2), "avg")),
        hidden(_pool_case((6, 7), (3, 2), "max")),
        hidden(_pool_case((5, 8), (2, 3), "avg")),
        hidden(_pool_case((12, 12), (2, 2), "avg")),
        hidden(_pool_case((4, 5), (3, 3), "max")),
    ]),
    Question("maxpool_settings", 2, cl.maxpool_settings, cases=[
        public(lambda g: args(torch.arange(16.0).reshape(1, 1, 4, 4))),
        hidden(_maxpool_case(1, 1, 7, 9)),
        hidden(_maxpool_case(2, 1, 6, 6)),
        hidden(_maxpool_case(1, 1, 12, 11)),
    ]),
]

NOTEBOOK = NotebookSpec("conv_layers", QUESTIONS)
