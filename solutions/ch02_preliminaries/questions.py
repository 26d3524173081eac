"""Chapter 2 (预备知识): one notebook, §2.2 tensors, §2.3 autograd, §2.4 documentation.

Every unit is deterministic, so every question compares with the reference: exactly for
integers, booleans, shapes and names; within float32 rounding (the default tolerance)
where floats are computed.  Units that change their inputs in place (``index_and_assign``,
``inplace_ops``) are harvested twice: the return value and the first argument after the
call, so that "did it really write into the caller's tensor" is graded too.

``control_flow_grad`` calls the student's own ``f`` (the engine can only stand in torch
functions for a name), so a wrong ``f`` may cost both questions; the mistakes in
``tests/notebooks/ch02_preliminaries`` avoid ``f`` for that reason.
"""

from __future__ import annotations

import torch

from autograder.kinds import Call, new
from autograder.spec import Args, AssignmentSpec, NotebookSpec, Question, args, hidden, public
from reference_impl import ch02_preliminaries as ref

# Hidden cases of the arange-based units are *larger* than the public ones: a smaller
# arange would be a byte prefix of the public expected value, which the otter test
# (rightly) reports as a hidden value leaking into the public zip.

#: The book's running example: X = arange(12) as 3×4, and its Y.
BOOK_X = torch.arange(12, dtype=torch.float32).reshape(3, 4)
BOOK_Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])

WITH_ARG = Call(harvest=("return", "arg:0"))


def _ints(g: torch.Generator, rows: int, cols: int, low: int = -5, high: int = 6) -> torch.Tensor:
    """Small whole numbers as float32: equal entries happen often, so ``==`` has Trues."""
    return torch.randint(low, high, (rows, cols), generator=g).to(torch.float32)


def _away_from_zero(g: torch.Generator, *shape: int) -> torch.Tensor:
    """Values in ±[0.5, 2.5): safe divisors and moderate ``exp``."""
    magnitude = torch.rand(*shape, generator=g) * 2 + 0.5
    sign = torch.where(torch.rand(*shape, generator=g) < 0.5, -1.0, 1.0)
    return magnitude * sign


# ---- §2.2 case makers ---------------------------------------------------------------

def _book_pair(g: torch.Generator) -> Args:
    return args(BOOK_X.clone(), BOOK_Y.clone())


def _make_case(rows: int, cols: int, data_rows: int, data_cols: int):
    def make(g: torch.Generator) -> Args:
        data = torch.randint(-9, 10, (data_rows, data_cols), generator=g).tolist()
        return args(rows, cols, data)
    return make


def _elementwise_case(rows: int, cols: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.randn(rows, cols, generator=g) * 3, _away_from_zero(g, rows, cols))
    return make


def _matrix_case(rows: int, cols: int):
    def make(g: torch.Generator) -> Args:
        return args(_ints(g, rows, cols, -2, 3), _ints(g, rows, cols, -2, 3))
    return make


def _index_case(rows: int, cols: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.randn(rows, cols, generator=g))
    return make


def _inplace_case(rows: int, cols: int):
    def make(g: torch.Generator) -> Args:
        return args(_ints(g, rows, cols), _ints(g, rows, cols))
    return make


# ---- §2.3 case makers ---------------------------------------------------------------

def _vector(n: int, scale: float = 1.0):
    def make(g: torch.Generator) -> Args:
        return args(torch.randn(n, generator=g) * scale)
    return make


def _control_case(n: int, negative: bool = False):
    """A vector whose sum has a known sign, so both branches of ``f`` are graded."""
    def make(g: torch.Generator) -> Args:
        a = _away_from_zero(g, n)
        a = -a.abs() if negative else a.abs()
        return args(a)
    return make


def _nonscalar_case(n: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.randn(n, generator=g), _away_from_zero(g, n))
    return make


def _module_case(kind: str, n_in: int, n_out: int, batch: int):
    def make(g: torch.Generator) -> Args:
        w = torch.randn(n_out, n_in, generator=g) * 0.5
        b = torch.randn(n_out, generator=g) * 0.5
        if kind == "linear":
            net = new("torch.nn.Linear", n_in, n_out, state={"weight": w, "bias": b})
        else:
            net = new("torch.nn.Sequential", new("torch.nn.Linear", n_in, n_out),
                      new("torch.nn.Dropout", 0.5) if kind == "dropout" else new("torch.nn.ReLU"),
                      state={"0.weight": w, "0.bias": b})
        return args(net, torch.randn(batch, n_in, generator=g))
    return make


QUESTIONS = [
    # §2.2 数据操作 / data operations
    Question("make_tensors", 1, ref.make_tensors, cases=[
        public(lambda g: args(3, 4, BOOK_Y.to(torch.int64).tolist())),
        hidden(_make_case(4, 5, 2, 3)),
        hidden(_make_case(3, 7, 3, 2)),
    ]),
    Question("elementwise_ops", 1, ref.elementwise_ops, cases=[
        public(_book_pair), hidden(_elementwise_case(2, 5)), hidden(_elementwise_case(4, 3)),
    ]),
    Question("matrix_ops", 2, ref.matrix_ops, cases=[
        public(_book_pair), hidden(_matrix_case(2, 3)), hidden(_matrix_case(4, 5)),
    ]),
    Question("broadcast_add", 1, ref.broadcast_add, cases=[
        public(lambda g: args(3, 2)), hidden(lambda g: args(2, 5)), hidden(lambda g: args(4, 3)),
    ]),
    Question("index_and_assign", 1, ref.index_and_assign, kind=WITH_ARG, cases=[
        public(lambda g: args(BOOK_X.clone())), hidden(_index_case(4, 5)),
        hidden(_index_case(3, 3)),
    ]),
    Question("inplace_ops", 2, ref.inplace_ops, kind=WITH_ARG, cases=[
        public(_book_pair), hidden(_inplace_case(2, 3)), hidden(_inplace_case(4, 2)),
    ]),
    Question("numpy_roundtrip", 1, ref.numpy_roundtrip, cases=[
        public(lambda g: args(2, 3)), hidden(lambda g: args(3, 4)), hidden(lambda g: args(2, 5)),
    ]),
    # §2.3 自动求梯度 / automatic differentiation
    Question("grad_of_2xTx", 1, ref.grad_of_2xTx, cases=[
        public(lambda g: args(torch.arange(4, dtype=torch.float32))),
        hidden(_vector(5)), hidden(_vector(7, scale=3.0)),
    ]),
    Question("f", 1, ref.f, cases=[
        public(_control_case(1)), hidden(_control_case(3)), hidden(_control_case(4, negative=True)),
    ]),
    Question("control_flow_grad", 1, ref.control_flow_grad, cases=[
        public(_control_case(1)), hidden(_control_case(5)),
        hidden(_control_case(2, negative=True)),
    ]),
    Question("grad_accumulation", 2, ref.grad_accumulation, cases=[
        public(lambda g: args(torch.arange(4, dtype=torch.float32))),
        hidden(_vector(3)), hidden(_vector(6, scale=2.0)),
    ]),
    Question("nonscalar_backward", 1, ref.nonscalar_backward, cases=[
        public(lambda g: args(torch.arange(4, dtype=torch.float32), torch.ones(4))),
        hidden(_nonscalar_case(3)), hidden(_nonscalar_case(6)),
    ]),
    Question("mode_flags", 1, ref.mode_flags, cases=[
        public(_module_case("linear", 4, 2, 3)), hidden(_module_case("dropout", 3, 5, 4)),
        hidden(_module_case("relu", 5, 3, 2)),
    ]),
    # §2.4 查阅文档 / looking things up
    Question("find_members", 1, ref.find_members, cases=[
        public(lambda g: args(new("torch.distributions.Normal", 0.0, 1.0), "prob")),
        hidden(lambda g: args(new("torch.nn.Linear", 3, 2), "param")),
        hidden(lambda g: args(new("torch.nn.ReLU"), "forward")),
    ]),
]

ASSIGNMENT = AssignmentSpec(
    id="ch02_preliminaries",
    title="第 2 章 预备知识 / Chapter 2: Preliminaries",
    notebooks=[NotebookSpec("tensors_autograd", QUESTIONS)],
)
