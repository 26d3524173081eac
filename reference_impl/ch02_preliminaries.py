"""Chapter 2 preliminaries (§2.2–§2.4): the answer key for ``ch02_preliminaries``.

The first edition of 《动手学深度学习》 teaches MXNet's NDArray and ``autograd``; these
functions are the same lessons in PyTorch.  Every unit returns plain data (tensors,
numpy arrays, Python numbers, booleans, lists and dicts of them) so the autograder can
compare a student's result with this one exactly, or within float32 rounding.

Conventions the notebook states as well:

* Tensors the functions create themselves are float32 (``dtype=torch.float32``), as
  the book's ``nd.arange``/``nd.array`` are; ``torch.arange`` alone would give int64.
* Where a lesson is about *memory* (views, in-place updates, shared numpy buffers), the
  function answers with booleans computed inside it (``data_ptr`` before and after) and
  with the values that only come out right when the memory really is shared or kept.
* Snapshots taken before a later in-place change are ``.clone()``\\ d, because a slice
  or ``.grad`` is the same storage and would show the later values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = [
    "make_tensors",
    "elementwise_ops",
    "matrix_ops",
    "broadcast_add",
    "index_and_assign",
    "inplace_ops",
    "numpy_roundtrip",
    "grad_of_2xTx",
    "f",
    "control_flow_grad",
    "grad_accumulation",
    "nonscalar_backward",
    "mode_flags",
    "find_members",
]


# ---------------------------------------------------------------------------
# §2.2 Data operations
# ---------------------------------------------------------------------------


def make_tensors(rows: int, cols: int, data: list[list[float]]) -> dict[str, Any]:
    """The book's ways of creating tensors, with their shapes and sizes (§2.2).

    ``X`` holds ``0 .. rows*cols-1`` row by row, ``zeros`` has an extra leading axis of
    2 (the book's ``(2, 3, 4)``), ``ones`` has ``X``'s shape and ``Y`` is built from a
    nested Python list.  The shape is returned as a list because ``torch.Size`` is not
    plain data; ``numel`` is a Python int.
    """
    X = torch.arange(rows * cols, dtype=torch.float32).reshape(rows, cols)
    return {
        "X": X,
        "shape": list(X.shape),
        "numel": X.numel(),
        "zeros": torch.zeros((2, rows, cols), dtype=torch.float32),
        "ones": torch.ones((rows, cols), dtype=torch.float32),
        "Y": torch.tensor(data, dtype=torch.float32),
    }


def elementwise_ops(X: torch.Tensor, Y: torch.Tensor) -> dict[str, torch.Tensor]:
    """Element-wise arithmetic of two same-shaped tensors, plus ``exp`` of ``Y`` (§2.2).

    Each operator works entry by entry, so every result has the inputs' shape.
    """
    return {"add": X + Y, "sub": X - Y, "mul": X * Y, "div": X / Y, "exp": Y.exp()}


def matrix_ops(X: torch.Tensor, Y: torch.Tensor) -> dict[str, Any]:
    """Whole-tensor operations on two ``(m, n)`` tensors (§2.2).

    ``X @ Y.T`` is a matrix product ``(m, m)``; concatenation along dim 0 stacks rows
    (``(2m, n)``) and along dim 1 puts the columns side by side (``(m, 2n)``);
    ``X == Y`` is a boolean tensor; the sum and the Frobenius (L2) norm are turned into
    Python floats with ``.item()``, the counterpart of MXNet's ``asscalar()``.
    """
    return {
        "XYt": torch.matmul(X, Y.T),
        "cat_rows": torch.cat((X, Y), dim=0),
        "cat_cols": torch.cat((X, Y), dim=1),
        "equal": X == Y,
        "sum": X.sum().item(),
        "norm": X.norm().item(),
    }


def broadcast_add(m: int, n: int) -> torch.Tensor:
    """``A + B`` for a column ``A = [0..m-1]ᵀ`` (m, 1) and a row ``B = [0..n-1]`` (1, n).

    Broadcasting copies ``A``'s single column across ``n`` columns and ``B``'s single
    row down ``m`` rows, so entry ``(i, j)`` is ``i + j`` and the shape is ``(m, n)``
    (§2.2).
    """
    A = torch.arange(m, dtype=torch.float32).reshape(m, 1)
    B = torch.arange(n, dtype=torch.float32).reshape(1, n)
    return A + B


def index_and_assign(X: torch.Tensor) -> dict[str, Any]:
    """Read by index and slice, then write into ``X`` in place (§2.2).

    Reads (taken first, as copies): the last row ``X[-1]``, rows 1 and 2 ``X[1:3]``
    and the element ``X[1, 2]`` as a float.  Writes, in this order: ``X[1, 2] = 9``,
    then the whole first row ``X[0:1, :] = 12``.  A slice is a view of ``X``, so the
    reads must be ``.clone()``\\ d or they would show the later writes; the writes change
    the caller's tensor, which the grader checks as well.
    """
    last_row = X[-1].clone()
    rows_1_2 = X[1:3].clone()
    element = X[1, 2].item()
    X[1, 2] = 9
    X[0:1, :] = 12
    return {"last_row": last_row, "rows_1_2": rows_1_2, "element": element}


def inplace_ops(X: torch.Tensor, Y: torch.Tensor) -> dict[str, Any]:
    """Which operations allocate new memory and which write into existing memory (§2.2).

    ``Y = Y + X`` builds a new tensor and only rebinds the local name; ``Z[:] = ...``,
    ``torch.add(..., out=Z)`` and ``X += Y`` write into the memory that is already
    there.  Each is answered by comparing ``data_ptr()`` before and after.  ``X += Y``
    therefore also changes the caller's ``X``, which the grader checks.
    """
    before = Y.data_ptr()
    Y = Y + X
    y_new_memory = Y.data_ptr() != before

    Z = torch.zeros_like(Y)
    before = Z.data_ptr()
    Z[:] = X + Y
    z_slice_kept = Z.data_ptr() == before
    z_after_slice = Z.clone()

    torch.add(X, Y, out=Z)
    z_out_kept = Z.data_ptr() == before

    before = X.data_ptr()
    X += Y
    x_iadd_kept = X.data_ptr() == before
    return {
        "y_new_memory": y_new_memory,
        "z_slice_kept": z_slice_kept,
        "z_out_kept": z_out_kept,
        "x_iadd_kept": x_iadd_kept,
        "Z": z_after_slice,
    }


def numpy_roundtrip(rows: int, cols: int) -> dict[str, Any]:
    """Tensors from numpy and back, and which conversions share memory (§2.2).

    ``P`` is a float64 numpy array ``0 .. rows*cols-1``.  ``torch.from_numpy(P)`` keeps
    float64 and *shares* ``P``'s memory; ``torch.tensor(P)`` copies it.  After
    ``P *= 2`` only the shared tensor ``D`` shows the doubling.  ``E.numpy()`` again
    shares memory, so ``E += 1`` shows up in ``back``.  Nothing the grader passes is
    modified: all arrays are made here.
    """
    P = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols)
    D = torch.from_numpy(P)
    E = torch.tensor(P)
    P *= 2
    back = E.numpy()
    E += 1
    return {"D": D, "E": E, "back": back, "P": P}


# ---------------------------------------------------------------------------
# §2.3 Automatic differentiation
# ---------------------------------------------------------------------------


def grad_of_2xTx(x: torch.Tensor) -> torch.Tensor:
    """The gradient of ``y = 2 xᵀx`` with respect to ``x``, by autograd (§2.3).

    Analytically it is ``4x``; the point is that ``backward`` finds it.  ``x`` is
    cloned before ``requires_grad_`` so the caller's tensor gains no autograd state.
    """
    x = x.clone().requires_grad_(True)
    y = 2 * torch.dot(x, x)
    y.backward()
    assert x.grad is not None
    return x.grad


def f(a: torch.Tensor) -> torch.Tensor:
    """The book's function with Python control flow (§2.3).

    Doubles ``b = 2a`` until its norm reaches 1000, then keeps it if its sum is
    positive and multiplies it by 100 otherwise.  Whatever path is taken, the result
    is ``k * a`` for a constant ``k`` that depends on ``a``, which is why its gradient
    is ``c / a``.
    """
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def control_flow_grad(a: torch.Tensor) -> torch.Tensor:
    """``∂(sum f(a)) / ∂a``: autograd follows whichever branches ``f`` took (§2.3).

    Summing first makes the output a scalar, so ``backward()`` needs no ``gradient``
    argument even when ``a`` is a vector.  The result equals ``f(a) / a``.
    """
    a = a.clone().requires_grad_(True)
    c = f(a)
    c.sum().backward()
    assert a.grad is not None
    return a.grad


def grad_accumulation(x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Gradients add up across ``backward`` calls until they are zeroed (§2.3).

    ``first``: ``.grad`` after one backward of ``2 xᵀx`` (``4x``).  ``second``: after a
    second, fresh forward and backward without zeroing (``8x``).  ``after_zero``: after
    ``x.grad.zero_()`` and a backward of ``x.sum()`` (all ones).  Each snapshot is a
    clone, because ``.grad`` is one tensor updated in place.
    """
    x = x.clone().requires_grad_(True)
    (2 * torch.dot(x, x)).backward()
    assert x.grad is not None
    first = x.grad.clone()
    (2 * torch.dot(x, x)).backward()
    second = x.grad.clone()
    x.grad.zero_()
    x.sum().backward()
    after_zero = x.grad.clone()
    return {"first": first, "second": second, "after_zero": after_zero}


def nonscalar_backward(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Backward from a non-scalar ``y = x * x`` with ``gradient=v`` (§2.3).

    PyTorch needs the weights ``v`` of a vector–Jacobian product when the output is
    not a scalar; the result is ``∂(v·y)/∂x = 2 x v``.  MXNet's ``y.backward()`` on a
    vector used all-ones weights, i.e. the gradient of ``y.sum()``.
    """
    x = x.clone().requires_grad_(True)
    y = x * x
    y.backward(gradient=v)
    assert x.grad is not None
    return x.grad


def mode_flags(net: nn.Module, X: torch.Tensor) -> dict[str, Any]:
    """Recording and training switches: ``torch.no_grad`` and ``train``/``eval`` (§2.3).

    MXNet has one ``autograd.record()`` scope that also sets training mode; PyTorch
    splits it in two: ``torch.is_grad_enabled()`` (turned off by ``no_grad``) decides
    whether operations are recorded, ``module.training`` (set by ``train()``/``eval()``)
    decides how layers such as dropout behave.  The module is returned to training
    mode at the end, as it was given.
    """
    out: dict[str, Any] = {"grad_enabled": torch.is_grad_enabled(),
                           "records": net(X).requires_grad}
    with torch.no_grad():
        out["grad_enabled_in_no_grad"] = torch.is_grad_enabled()
        out["records_in_no_grad"] = net(X).requires_grad
    out["training_at_start"] = net.training
    net.eval()
    out["training_after_eval"] = net.training
    with torch.no_grad():
        out["eval_output"] = net(X)
    net.train()
    out["training_after_train"] = net.training
    return out


# ---------------------------------------------------------------------------
# §2.4 Looking things up
# ---------------------------------------------------------------------------


def find_members(obj: Any, substr: str) -> list[str]:
    """Public names of ``obj`` (``dir(obj)``) that contain ``substr`` (§2.4).

    Names starting with ``_`` are Python's special methods or internals, which the book
    says to skip when browsing an API.  ``dir`` already sorts the names.
    """
    return [name for name in dir(obj) if substr in name and not name.startswith("_")]
