"""Compare a student's value with the expected one, and say precisely how they differ.

Modelled on ``torch.testing``'s comparison code: one walk turns nested lists, tuples and
dicts into pairs, each pair carries its path, and failures are data
(:class:`Mismatch`) rendered into zh or en text in one place
(:mod:`autograder.messages`).

Rules, in the order they are applied:

* Only plain values are compared: ``torch.Tensor``, ``numpy.ndarray``, numpy scalars,
  ``int``, ``float``, ``bool``, ``str``, ``None`` and ``list``/``tuple``/``dict`` of them.
  The type test is exact (``type(x) is ...``), so a subclass or an object with its own
  ``__eq__`` is refused, never trusted.
* Containers: same type, same length, same keys, then element by element.
* Arrays and tensors: container type, then shape, then dtype, before any value is looked
  at; shapes must be equal (broadcasting never hides a wrong shape).
* Floating values: non-finite values must sit where the expected ones do, then
  ``|actual - expected| <= atol + rtol * |expected|`` element-wise.
  Integers, booleans and strings are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

Path = tuple[str, ...]


@dataclass(frozen=True)
class Tolerance:
    """Relative and absolute tolerance for floating values."""

    rtol: float
    atol: float

    def __post_init__(self) -> None:
        if self.rtol < 0 or self.atol < 0:
            raise ValueError("tolerances must be non-negative")


#: Defaults by dtype; a question may override them with its own :class:`Tolerance`.
DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    "float16": Tolerance(1e-3, 1e-5),
    "bfloat16": Tolerance(1.6e-2, 1e-5),
    "float32": Tolerance(1e-5, 1e-6),
    "float64": Tolerance(1e-7, 1e-7),
    "complex64": Tolerance(1e-5, 1e-6),
    "complex128": Tolerance(1e-7, 1e-7),
}
#: Python floats usually come from float32 work (``.item()``), so they get its defaults.
PYTHON_FLOAT_TOLERANCE = DEFAULT_TOLERANCES["float32"]
#: On a GPU, float32 results differ from the CPU's by summation order (1e-6 relative of
#: the values' scale, more in deep networks), so a case run there is judged with at least
#: these tolerances; float64 keeps its own (research/security-scale.md §3).
GPU_FLOORS: dict[str, Tolerance] = {
    "float16": Tolerance(1e-2, 1e-4),
    "bfloat16": Tolerance(3e-2, 1e-4),
    "float32": Tolerance(1e-4, 1e-5),
    "complex64": Tolerance(1e-4, 1e-5),
}


def _effective(tol: Tolerance | None, dtype: str, gpu: bool) -> Tolerance:
    """The question's tolerance (or the dtype's default), raised to the GPU floor."""
    base = tol or DEFAULT_TOLERANCES.get(dtype, PYTHON_FLOAT_TOLERANCE)
    floor = GPU_FLOORS.get(dtype) if gpu else None
    if floor is None:
        return base
    return Tolerance(max(base.rtol, floor.rtol), max(base.atol, floor.atol))


@dataclass(frozen=True)
class Mismatch:
    """One difference between actual and expected, as data.

    ``kind`` selects the message template; ``details`` fills it.  Details whose key
    starts with ``expected`` may reveal the answer and are shown only when allowed.
    """

    kind: str
    path: Path
    details: dict[str, Any] = field(default_factory=dict)


def _dtype_name(x: torch.Tensor | np.ndarray) -> str:
    if isinstance(x, torch.Tensor):
        return str(x.dtype).removeprefix("torch.")
    return str(x.dtype)


_SCALARS = (int, float, bool, str, type(None))


def plain_type_name(x: Any) -> str | None:
    """The name of ``x``'s type if it is one we compare, else None (exact type test)."""
    t = type(x)
    if t in _SCALARS or t in (list, tuple, dict):
        return t.__name__
    if t is torch.Tensor:
        return "torch.Tensor"
    if t is np.ndarray:
        return "numpy.ndarray"
    if isinstance(x, np.generic) and t.__module__ == "numpy" and t in np.sctypeDict.values():
        return "numpy scalar"
    return None


def _describe(x: Any) -> str:
    t = type(x)
    return f"{t.__module__}.{t.__qualname__}" if t.__module__ != "builtins" else t.__qualname__


def _short(x: Any, limit: int = 80) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Walk:
    """What one comparison needs along the way, and the closest call it saw."""

    tol: Tolerance | None
    gpu: bool
    out: list[Mismatch]
    #: The largest |actual − expected| ÷ allowed difference over every floating value
    #: compared (1.0 is exactly at the tolerance); None while none was compared.
    margin: float | None = None


def compare(
    actual: Any, expected: Any, tolerance: Tolerance | None = None, path: Path = (),
    gpu: bool = False, margin: list[float] | None = None,
) -> list[Mismatch]:
    """All mismatches between ``actual`` and ``expected`` (empty when they agree).

    ``gpu`` says ``actual`` was computed on a GPU: floating values are then judged with
    at least :data:`GPU_FLOORS` for their dtype.  ``margin``, if given, receives how
    close the floating values came to their tolerance (see :class:`_Walk`).
    """
    walk = _Walk(tolerance, gpu, [])
    _walk(actual, expected, walk, path)
    if margin is not None and walk.margin is not None:
        margin.append(walk.margin)
    return walk.out


def _walk(actual: Any, expected: Any, w: _Walk, path: Path) -> None:
    out = w.out
    a_name, e_name = plain_type_name(actual), plain_type_name(expected)
    if e_name is None:
        raise TypeError(f"expected value of unsupported type {_describe(expected)} at {path}")
    if a_name is None:
        out.append(Mismatch("unsupported", path, {"actual_type": _describe(actual)}))
        return
    if e_name in ("list", "tuple", "dict"):
        # A list where the reference returns a tuple (or the other way) holds the same
        # values: which sequence type a function returns is form, not behaviour, unless a
        # question compares it itself (an invariant, or a check of its own).
        sequences = a_name in ("list", "tuple") and e_name in ("list", "tuple")
        if a_name != e_name and not sequences:
            out.append(Mismatch("type", path, {"actual": a_name, "expected": e_name}))
        elif e_name == "dict":
            missing = [k for k in expected if k not in actual]
            extra = [k for k in actual if k not in expected]
            if missing or extra:
                out.append(Mismatch("keys", path, {"missing": missing, "extra": extra}))
            for key in expected:
                if key in actual:
                    _walk(actual[key], expected[key], w, path + (f"[{key!r}]",))
        elif len(actual) != len(expected):
            out.append(
                Mismatch("length", path, {"actual": len(actual), "expected": len(expected)})
            )
        else:
            for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
                _walk(a, e, w, path + (f"[{i}]",))
        return
    if e_name in ("torch.Tensor", "numpy.ndarray"):
        _compare_arrays(actual, expected, a_name, e_name, w, path)
        return
    _compare_scalars(actual, expected, a_name, e_name, w, path)


def _compare_scalars(actual, expected, a_name, e_name, w: _Walk, path) -> None:
    out = w.out
    if e_name == "numpy scalar":
        expected = expected.item()
        e_name = type(expected).__name__
    if a_name == "numpy scalar":
        actual = actual.item()
        a_name = type(actual).__name__
    numeric = ("int", "float")
    if e_name == "float" and a_name in numeric:
        _close_values(
            np.asarray([float(actual)]), np.asarray([float(expected)]),
            _effective(w.tol, "float32", w.gpu), path, w, scalar=True,
        )
        return
    if a_name != e_name:
        out.append(Mismatch("type", path, {"actual": a_name, "expected": e_name}))
        return
    if actual != expected:
        out.append(
            Mismatch("not_equal", path, {"actual": _short(actual), "expected": _short(expected)})
        )


def _compare_arrays(actual, expected, a_name, e_name, w: _Walk, path) -> None:
    out = w.out
    if a_name != e_name:
        out.append(Mismatch("type", path, {"actual": a_name, "expected": e_name}))
        return
    a_shape, e_shape = tuple(actual.shape), tuple(expected.shape)
    if a_shape != e_shape:
        out.append(Mismatch("shape", path, {"actual": list(a_shape), "expected": list(e_shape)}))
        return
    a_dtype, e_dtype = _dtype_name(actual), _dtype_name(expected)
    if a_dtype != e_dtype:
        out.append(Mismatch("dtype", path, {"actual": a_dtype, "expected": e_dtype}))
        return
    a = _to_numpy(actual)
    e = _to_numpy(expected)
    if e.dtype.kind in "fc":
        _close_values(a, e, _effective(w.tol, e_dtype, w.gpu), path, w, scalar=False)
        return
    bad = a != e
    if bad.any():
        idx = np.argwhere(bad)[0]
        out.append(Mismatch("values_exact", path, {
            "count": int(bad.sum()), "total": int(bad.size), "index": [int(i) for i in idx],
        }))


def _to_numpy(x: torch.Tensor | np.ndarray) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.resolve_conj().numpy()
    return x


def _close_values(a: np.ndarray, e: np.ndarray, tol: Tolerance, path, w: _Walk,
                  scalar: bool) -> None:
    out = w.out
    total = int(e.size)
    if total == 0:
        return
    a64 = a.astype(np.complex128 if e.dtype.kind == "c" else np.float64)
    e64 = e.astype(a64.dtype)
    a_fin, e_fin = np.isfinite(a64), np.isfinite(e64)
    # Non-finite values must match exactly in place and kind (nan with nan, +inf with +inf).
    nonfinite_bad = (a_fin != e_fin) | (
        ~a_fin & ~e_fin & ~((np.isnan(a64) & np.isnan(e64)) | (a64 == e64))
    )
    if nonfinite_bad.any():
        idx = np.argwhere(nonfinite_bad.reshape(e.shape) if not scalar else nonfinite_bad)[0]
        out.append(Mismatch("nonfinite", path, {
            "count": int(nonfinite_bad.sum()), "total": total,
            "index": [] if scalar else [int(i) for i in idx],
            "actual_nan": int(np.isnan(a64).sum()), "actual_inf": int(np.isinf(a64).sum()),
        }))
        return
    both = a_fin & e_fin
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(both, np.abs(a64 - e64), 0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = tol.rtol * np.abs(e64)
    # An infinite rtol (structure-only checks) times an expected 0 is 0, not NaN: a NaN
    # here would print a RuntimeWarning into the student's notebook.
    allowed = tol.atol + np.where(e64 == 0, 0.0, scaled)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(diff == 0, 0.0, diff / allowed)
    closest = float(np.nan_to_num(ratio, nan=0.0).max())
    w.margin = closest if w.margin is None else max(w.margin, closest)
    bad = diff > allowed
    if not bad.any():
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(both, diff / np.abs(e64), 0.0)
    rel = np.nan_to_num(rel, nan=0.0, posinf=math.inf)
    i_abs = np.unravel_index(int(np.argmax(diff)), e.shape) if not scalar else ()
    i_rel = np.unravel_index(int(np.argmax(rel)), e.shape) if not scalar else ()
    first = np.argwhere(bad.reshape(e.shape))[0] if not scalar else []
    details: dict[str, Any] = {
        "count": int(bad.sum()), "total": total,
        "max_abs": float(diff.max()), "max_abs_index": [int(i) for i in i_abs],
        "max_rel": float(rel.max()), "max_rel_index": [int(i) for i in i_rel],
        "first_index": [int(i) for i in first],
        "rtol": tol.rtol, "atol": tol.atol,
        "worst": closest,  # the largest difference ÷ allowed difference (> 1 here)
    }
    if scalar:
        details.update(actual=_short(a.item()), expected=_short(e.item()))
    out.append(Mismatch("scalar_close" if scalar else "values_close", path, details))
