"""One case's verdict: a harvested result (plain data) against its expected value.

Shared by the sandboxed grader (:mod:`autograder.grade`, phase 2) and the otter tests
(:mod:`autograder.otter_case`), so both judge every case with the same tolerance, the same
invariant and the same words.  Depends on nothing heavier than the comparison code.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .answers import judge_answer
from .compare import Tolerance, compare
from .messages import LANGS, render_mismatch, text

Bilingual = dict[str, str]  # {"zh": ..., "en": ...}
#: An invariant check: (student value, case arguments) -> problems as (zh, en) pairs.
Invariant = Callable[[Any, Any], list[tuple[str, str]]]


def both(key: str, **values: Any) -> Bilingual:
    """A message in every language."""
    return {lang: text(key, lang, **values) for lang in LANGS}


@dataclass
class CaseVerdict:
    id: str
    public: bool
    passed: bool
    status: str  # passed, failed, not_implemented, missing, raised, timeout, bad_output, no_result
    reasons: list[Bilingual] = field(default_factory=list)
    #: How close the floating values came to the tolerance: the largest difference ÷
    #: allowed difference (≤ 1 passes); None when nothing floating was compared.
    margin: float | None = None


def judge_case(qplan: dict[str, Any], case: dict[str, Any], result: dict[str, Any] | None,
               expected: Any, invariant: Invariant | None, case_timeout: float,
               gpu: bool = False) -> CaseVerdict:
    """One case's verdict; hidden expected values never enter its reasons.

    ``result`` is what the harvest recorded (``status`` and, when ``ok``, ``value``);
    ``invariant`` is the question's check when its plan says ``judge: invariant``.
    ``gpu`` says the grader asked for a GPU run: a case the harvest reports as run on
    ``cuda`` is then judged with the question's GPU tolerance (its ``gpu_tolerance``, or
    its CPU tolerance raised to :data:`autograder.compare.GPU_FLOORS`).  The report is
    believed only when a GPU was asked for, so a forged one changes nothing.
    """
    cid, public = case["id"], bool(case["public"])
    if result is None:
        return CaseVerdict(cid, public, False, "no_result",
                           [both("no_result", reason="the harvest has no entry for it")])
    status = result["status"]
    if status == "missing":
        # The name that was not found: the question's object, or a name a case or a
        # stand-in is made from (a given helper the student deleted).
        name = result.get("message")
        if not (isinstance(name, str) and name.isidentifier()):
            name = qplan["object"]
        return CaseVerdict(cid, public, False, status, [both("missing", name=name)])
    if status == "not_implemented":
        return CaseVerdict(cid, public, False, status, [both("not_implemented")])
    if status == "timeout":
        return CaseVerdict(cid, public, False, status,
                           [both("case_timeout", seconds=case_timeout)])
    if status == "raised":
        if public:
            return CaseVerdict(cid, public, False, status, [both(
                "raised", error=result.get("error", "?"), message=result.get("message", ""))])
        return CaseVerdict(cid, public, False, status, [_raised_hidden(result)])
    if status == "bad_output":
        return CaseVerdict(cid, public, False, status,
                           [both("bad_output", reason=result.get("message", ""))])
    actual = result.get("value")
    path = (qplan["name"], f"case {cid}")
    if qplan["judge"] == "answer":
        problems = judge_answer(actual, expected, qplan["options"] or None)
        return CaseVerdict(cid, public, not problems, "failed" if problems else "passed",
                           [{"zh": zh, "en": en} for zh, en in problems])
    if qplan["judge"] == "invariant":
        if invariant is None:
            raise ValueError(f"{qplan['name']}: judged by an invariant, but none was given")
        from .spec import Args

        try:
            problems = invariant(actual, Args(tuple(case["args"]), dict(case["kwargs"])))
        except Exception as exc:  # hostile or malformed data must not crash the batch
            problems = [("结果的结构无法检查（" + type(exc).__name__ + "）",
                         f"the result's structure cannot be checked ({type(exc).__name__})")]
        reasons = [{"zh": zh, "en": en} for zh, en in problems]
        return CaseVerdict(cid, public, not reasons, "passed" if not reasons else "failed",
                           reasons)
    on_gpu = gpu and result.get("device") == "cuda" and not qplan.get("cpu_only")
    margin: list[float] = []
    if on_gpu and qplan.get("gpu_tolerance"):  # the question's own GPU tolerance, as stated
        mismatches = compare(actual, expected, Tolerance(*qplan["gpu_tolerance"]), path=path,
                             margin=margin)
    else:
        tol = Tolerance(*qplan["tolerance"]) if qplan["tolerance"] else None
        mismatches = compare(actual, expected, tol, path=path, gpu=on_gpu, margin=margin)
    closest = margin[0] if margin else None
    if not mismatches:
        return CaseVerdict(cid, public, True, "passed", margin=closest)
    reasons = [{lang: render_mismatch(m, lang, reveal=public) for lang in LANGS}
               for m in mismatches[:3]]
    return CaseVerdict(cid, public, False, "failed", reasons, margin=closest)


#: Exception names a hidden case's feedback may show: Python's own.  Any other name is
#: text the student chose (a class named after a hidden value), so it is not shown.
_BUILTIN_ERRORS = frozenset(n for n, v in vars(builtins).items()
                            if isinstance(v, type) and issubclass(v, BaseException))


def _raised_hidden(result: dict[str, Any]) -> Bilingual:
    """A hidden case's exception: its type and where in the student's own cells, never its
    message (``raise ValueError(repr(X))`` would print the hidden inputs)."""
    error = result.get("error", "?")
    out = {}
    for lang in LANGS:
        name = error if error in _BUILTIN_ERRORS else text("own_exception", lang)
        where = result.get("where")
        at = ""
        if type(where) is list and len(where) == 2 and all(type(x) is int for x in where):
            at = text("raised_where", lang, cell=where[0], line=where[1])
        out[lang] = text("raised_hidden", lang, error=name, where=at)
    return out
