"""Where fixtures were built, and how far a rebuild on another machine drifts from them.

Rebuilding fixtures on the machine that built them gives identical bytes, so ``verify``
compares bitwise there.  On another CPU the same code takes other kernels: torch's own
(AVX-512 vs AVX2, see ``torch.backends.cpu.get_cpu_capability()``), MKL's and oneDNN's
GEMM and convolution kernels, numpy's OpenBLAS.  They sum in another order and the last
bits of float results change.  That is not a fault of the fixtures, and a bitwise check
would cry wolf on every machine but one.  So a manifest records the machine
(:func:`machine_identity`), and on any other machine two builds are compared the way
grading compares a student's value: everything exact stays exact, and each float is judged
against its question's own tolerance.  The drift is the largest
``|rebuilt − committed| ÷ (atol + rtol·|committed|)`` (``autograder.compare``'s margin):
a rebuild must stay inside the tolerance (:data:`MAX_DRIFT`), or a correct student on a
machine like this one could be marked wrong, and questions whose drift takes more than
:data:`FINDING_DRIFT` of it are reported as findings.
"""

from __future__ import annotations

import ctypes
import glob
import math
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .compare import DEFAULT_TOLERANCES, PYTHON_FLOAT_TOLERANCE, Mismatch, Tolerance, compare
from .wire import Recipe

#: A rebuild on another machine fails when a float drifts by more than this fraction of its
#: question's tolerance: the reference may then use up to a quarter of the room a student
#: is given, never more.  Measured between an AVX-512 and an AVX2 build (issue 21): one
#: float32 ULP is already 0.6–1.2 % of rtol = 1e-5, so the "1 %" the issue suggested would
#: fail on kernel noise alone; the largest drift left after the findings were fixed
#: (ch09 detection's conv stacks moved to wider tolerances) is about 6 %.
MAX_DRIFT = 0.25
#: Above this fraction of its tolerance a question is reported as a finding (printed, not
#: failing): machine differences eat that much of the room a student's own rounding has.
FINDING_DRIFT = 0.10
#: Threads while building (``fixtures.deterministic_cpu``): one, so no reduction is split.
BUILD_THREADS = 1

#: CPU flags that select different float kernels in torch, MKL, oneDNN or OpenBLAS.
ISA_FLAGS = ("avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl",
             "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16",
             "amx_int8")
#: Environment variables that restrict those kernels (and so change results) when set.
KERNEL_ENV = ("ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "MKL_CBWR",
              "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "OPENBLAS_CORETYPE")


def _cpuinfo() -> tuple[str, set[str]]:
    """The CPU's model name and flags (Linux); elsewhere ``platform``'s name, no flags."""
    model, flags = "", set()
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and not model:
            model = value.strip()
        elif key == "flags" and not flags:
            flags = set(value.split())
    return model or platform.processor() or platform.machine(), flags


def _numpy_blas() -> str | None:
    """numpy's BLAS, e.g. ``scipy-openblas 0.3.31 (Haswell)``: OpenBLAS picks its kernels
    by the CPU at run time, so the core name matters as much as the version."""
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # numpy < 1.25 has no dicts mode; this is information, not a check
        return None
    name = f"{deps.get('name', '?')} {deps.get('version', '?')}"
    core = _openblas_core()
    return f"{name} ({core})" if core else name


def _openblas_core() -> str | None:
    """The kernel family numpy's bundled OpenBLAS chose for this CPU, if it can be asked."""
    libs = sorted(glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs",
                                         "lib*openblas*.so*")))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)  # already loaded by numpy: this only finds its handle
        except OSError:
            continue
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                       "openblas_get_corename64_", "openblas_get_corename"):
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                core = fn()
                return core.decode() if core else None
    return None


def machine_identity() -> dict[str, Any]:
    """Everything that decides which float kernels a build runs, as JSON data.

    Two builds with equal identities give identical bytes; any difference (another CPU
    generation, torch or numpy version, a kernel-restricting environment variable) may
    change the last bits, so ``verify`` then compares by tolerance.
    """
    model, flags = _cpuinfo()
    return {
        "cpu": model,
        "isa": [f for f in ISA_FLAGS if f in flags],
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "torch_mkl": torch.backends.mkl.is_available(),
        "torch_mkldnn": torch.backends.mkldnn.is_available(),
        "numpy_blas": _numpy_blas(),
        "threads": BUILD_THREADS,
        "kernel_env": {k: os.environ[k] for k in KERNEL_ENV if k in os.environ},
    }


def describe_machine(identity: dict[str, Any] | None) -> str:
    """One line naming a machine, for the verify report."""
    if identity is None:
        return "an unrecorded machine"
    isa = " ".join(identity.get("isa") or []) or "no flags known"
    text = (f"{identity.get('cpu') or '?'} (torch {identity.get('torch_cpu_capability')}; "
            f"{isa}; numpy BLAS {identity.get('numpy_blas')})")
    env = identity.get("kernel_env") or {}
    if env:
        text += " with " + " ".join(f"{k}={v}" for k, v in sorted(env.items()))
    return text


def percent(fraction: float) -> str:
    """A drift fraction as a short percentage: ``0.003`` → ``0.3 %``, ``0.10487`` → ``10.5 %``
    (three digits, so a value just above a threshold does not print as the threshold)."""
    value = 100 * fraction
    if math.isinf(value) or value >= 1000:
        return f"{value:.0f} %"
    return f"{value:.3g} %"


@dataclass(frozen=True)
class Drift:
    """The largest drift of one question's floats in one part of its fixtures."""

    question: str  # assignment/notebook/question
    part: str  # "expected" (reference outputs) or "plan" (case inputs)
    fraction: float  # largest |rebuilt − committed| ÷ (atol + rtol·|committed|)
    rtol: float
    atol: float
    where: str  # the case and path of that largest drift

    def line(self) -> str:
        """``ch03_basics/linear_softmax/net  expected  drift 0.3 % of tolerance (…)``."""
        part = "expected" if self.part == "expected" else "plan (input)"
        return (f"{self.question}  {part}  drift {percent(self.fraction)} of tolerance "
                f"(rtol {self.rtol:g}, atol {self.atol:g}) at {self.where}")


class _Walk:
    """Two decoded values walked together: exact things must be equal, floats may drift."""

    def __init__(self, tolerance: Tolerance | None, exact: bool = False) -> None:
        self.tolerance = tolerance
        self.exact = exact
        self.problems: list[str] = []
        self.worst: tuple[float, Tolerance, str] | None = None

    def go(self, old: Any, new: Any, path: str) -> None:
        t = type(old)
        if t is not type(new):
            self.problems.append(f"{path}: {_kind(old)} committed, {_kind(new)} rebuilt")
        elif t in (list, tuple):
            if len(old) != len(new):
                self.problems.append(f"{path}: {len(old)} items committed, {len(new)} rebuilt")
                return
            for i, (a, b) in enumerate(zip(old, new, strict=True)):
                self.go(a, b, f"{path}[{i}]")
        elif t is dict:
            if list(old) != list(new):
                self.problems.append(f"{path}: keys {list(old)[:6]} committed, "
                                     f"{list(new)[:6]} rebuilt")
                return
            for k in old:
                self.go(old[k], new[k], f"{path}[{k!r}]")
        elif t is Recipe:
            if old.op != new.op:
                self.problems.append(f"{path}: recipe {old.op!r} committed, {new.op!r} rebuilt")
            else:
                self.go(old.params, new.params, f"{path}.{old.op}")
        elif t in (torch.Tensor, np.ndarray) or isinstance(old, np.generic):
            self._array(old, new, path)
        elif t is float:
            self._leaf(old, new, path, PYTHON_FLOAT_TOLERANCE)
        elif old != new:  # int, bool, str, None: exact
            self.problems.append(f"{path}: {old!r} committed, {new!r} rebuilt")

    def _array(self, old: Any, new: Any, path: str) -> None:
        if (_dtype(old), tuple(old.shape)) != (_dtype(new), tuple(new.shape)):
            self.problems.append(f"{path}: {_kind(old)} committed, {_kind(new)} rebuilt")
        elif not _floating(old):
            self._leaf(old, new, path, None)
        elif isinstance(old, np.generic):  # graded as a Python float
            self._leaf(old, new, path, PYTHON_FLOAT_TOLERANCE)
        else:
            self._leaf(old, new, path,
                       DEFAULT_TOLERANCES.get(_dtype(old), PYTHON_FLOAT_TOLERANCE))

    def _leaf(self, old: Any, new: Any, path: str, default: Tolerance | None) -> None:
        """Judge ``new`` as grading judges a student's value against ``old``; ``default``
        is the tolerance that applies to floats when the question sets none (None: an
        exact value)."""
        if self.exact:
            if not _same_bits(old, new):
                self.problems.append(f"{path}: {_short(old)} committed, {_short(new)} rebuilt")
            return
        margin: list[float] = []
        for m in compare(new, old, self.tolerance, margin=margin):
            if m.kind not in ("values_close", "scalar_close"):  # those are the drift
                self.problems.append(f"{path}: {_mismatch(m)}")
        if margin and default is not None:
            tol = self.tolerance or default
            if self.worst is None or margin[0] > self.worst[0]:
                self.worst = (margin[0], tol, path)


def _dtype(x: Any) -> str:
    return str(x.dtype).removeprefix("torch.")


def _floating(x: Any) -> bool:
    if isinstance(x, torch.Tensor):
        return x.dtype.is_floating_point or x.dtype.is_complex
    return x.dtype.kind in "fc"


def _same_bits(old: Any, new: Any) -> bool:
    a, b = np.asarray(_plain(old)), np.asarray(_plain(new))
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def _plain(x: Any) -> Any:
    if isinstance(x, torch.Tensor):
        return x.float().numpy() if x.dtype == torch.bfloat16 else x.numpy()
    return x


def _kind(x: Any) -> str:
    if isinstance(x, torch.Tensor | np.ndarray):
        return f"{type(x).__name__} {str(x.dtype).removeprefix('torch.')}{list(x.shape)}"
    return type(x).__name__


def _short(x: Any) -> str:
    text = " ".join(repr(x).split())  # tensors print on several lines
    return text if len(text) <= 60 else text[:59] + "…"


def _mismatch(m: Mismatch) -> str:
    d = m.details
    if m.kind == "values_exact":
        return f"{d['count']} of {d['total']} exact values differ (first at {d['index']})"
    if m.kind == "nonfinite":
        return f"non-finite values differ in {d['count']} of {d['total']} places"
    if "actual" in d and "expected" in d:
        return f"{m.kind}: {d['expected']} committed, {d['actual']} rebuilt"
    return f"{m.kind}: {d}"


@dataclass
class Comparison:
    """What :func:`compare_plans` and :func:`compare_expected` found in one notebook."""

    problems: list[str]
    drifts: list[Drift]


def _record(out: Comparison, walk: _Walk, question: str, part: str, worst: dict) -> None:
    out.problems += walk.problems
    if walk.worst is not None and walk.worst[0] > worst.get((question, part), (-1.0,))[0]:
        worst[(question, part)] = walk.worst


def _finish(out: Comparison, worst: dict, max_drift: float) -> Comparison:
    for (question, part), (fraction, tol, where) in worst.items():
        if fraction == 0:
            continue
        drift = Drift(question, part, fraction, tol.rtol, tol.atol, where)
        out.drifts.append(drift)
        if not fraction <= max_drift:
            label = "expected output" if part == "expected" else "input (plan)"
            out.problems.append(
                f"{question}: {label} drifts {percent(fraction)} of its tolerance "
                f"(rtol {tol.rtol:g}, atol {tol.atol:g}) at {where}; at most "
                f"{percent(max_drift)} is allowed")
    return out


def _question_tolerance(q: dict[str, Any]) -> Tolerance | None:
    tol = q.get("tolerance")
    return Tolerance(*tol) if tol else None


#: The parts of a plan that are inputs computed on the CPU (judged by tolerance); every
#: other field (names, kinds, points, tolerances, ids, seeds) must be equal.
QUESTION_INPUTS = ("isolate",)
CASE_INPUTS = ("args", "kwargs")


def _without(entry: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in fields}


def compare_plans(old: dict[str, Any], new: dict[str, Any], where: str,
                  max_drift: float = MAX_DRIFT) -> Comparison:
    """Two decoded plans of notebook ``where`` (``assignment/notebook``).

    Everything but the inputs must be equal (names, kinds, tolerances, ids, seeds).  The
    inputs (:data:`QUESTION_INPUTS`, :data:`CASE_INPUTS`) are computed on the CPU too:
    ``torch.randn`` of 16 or more values, ``torch.softmax``, ``arange``, matrix products
    take vectorised or BLAS kernels that differ between CPUs, so their floats are judged
    against their question's tolerance and reported as input drift.
    """
    out, worst = Comparison([], []), {}
    head = _Walk(None, exact=True)
    head.go(_without(old, ("questions",)), _without(new, ("questions",)), f"{where}/plan")
    out.problems += head.problems
    oq, nq = old.get("questions", []), new.get("questions", [])
    if [q["name"] for q in oq] != [q["name"] for q in nq]:
        out.problems.append(f"{where}/plan: the questions differ")
        return out
    for a, b in zip(oq, nq, strict=True):
        question = f"{where}/{a['name']}"
        meta = _Walk(None, exact=True)
        fixed = (*QUESTION_INPUTS, "cases")
        meta.go(_without(a, fixed), _without(b, fixed), f"{question} (plan)")
        if not meta.problems:
            meta.go([_without(c, CASE_INPUTS) for c in a["cases"]],
                    [_without(c, CASE_INPUTS) for c in b["cases"]], f"{question} (plan) cases")
        out.problems += meta.problems
        if meta.problems:
            continue
        tol = _question_tolerance(a)
        inputs = [("", a, b, QUESTION_INPUTS)] + [
            (f"{ca['id']} ", ca, cb, CASE_INPUTS) for ca, cb in zip(a["cases"], b["cases"],
                                                                    strict=True)]
        for prefix, old_part, new_part, fields in inputs:
            walk = _Walk(tol)
            for name in fields:
                walk.go(old_part.get(name), new_part.get(name), f"{prefix}{name}")
            walk.problems = [f"{question} (plan): {p}" for p in walk.problems]
            _record(out, walk, question, "plan", worst)
    return _finish(out, worst, max_drift)


def compare_expected(old: dict[str, Any], new: dict[str, Any], plan: dict[str, Any],
                     where: str, skeleton: Any, max_drift: float = MAX_DRIFT) -> Comparison:
    """Two decoded expected outputs of notebook ``where``, judged by ``plan``'s tolerances.

    Cases judged by an invariant are compared through ``skeleton`` (types, dtypes and
    shapes only): no verdict reads their values, which are often the end of a training run.
    """
    out, worst = Comparison([], []), {}
    if list(old) != list(new):
        out.problems.append(f"{where}/expected: the cases differ "
                            f"({len(old)} committed, {len(new)} rebuilt)")
        return out
    questions = {f"{q['name']}/{c['id']}": q for q in plan["questions"] for c in q["cases"]}
    for key in old:
        q = questions.get(key)
        if q is None:
            out.problems.append(f"{where}/expected: {key} is not a case of the plan")
            continue
        question = f"{where}/{q['name']}"
        if q["judge"] == "invariant":
            walk, label = _Walk(None, exact=True), "expected, structure only"
            walk.go(skeleton(old[key]), skeleton(new[key]), key.split("/", 1)[1])
        else:
            walk, label = _Walk(_question_tolerance(q)), "expected"
            walk.go(old[key], new[key], key.split("/", 1)[1])
        walk.problems = [f"{question} ({label}): {p}" for p in walk.problems]
        _record(out, walk, question, "expected", worst)
    return _finish(out, worst, max_drift)
