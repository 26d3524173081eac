"""What an otter test calls: one d2l-grade case, judged in the student's kernel.

The otter autograder zips that ``d2l-grade release`` writes hold one test file per
question and one ``@test_case`` per case; each calls :func:`check_case`, which runs the
case exactly as the sandbox's harvest does (:func:`autograder.harvest.harvest_case`) and
judges it exactly as the grader does (:func:`autograder.judge.judge_case`), with the same
tolerance and invariant.  A failed case raises ``AssertionError`` with the reasons in
English and 简体中文, which otter shows.

This runs inside the student's own kernel, so the student's code can tamper with it:
``otter run`` is a convenience, never the grade of record (see the README).
"""

from __future__ import annotations

import math
import signal
from pathlib import Path
from typing import Any

from . import wire
from .harvest import Alarm, harvest_case
from .judge import judge_case
from .kinds import MissingObject, isolated

#: In the zip, the fixtures sit in this folder beside the ``autograder`` package.
FOLDER = "d2l_otter"
_cache: dict[tuple[str, str], tuple[Any, Any]] = {}
_invariants: dict[str, Any] = {}


def _root() -> Path:
    return Path(__file__).resolve().parent.parent / FOLDER


def _fixtures(assignment: str, notebook: str) -> tuple[Any, Any]:
    key = (assignment, notebook)
    if key not in _cache:
        folder = _root() / assignment / notebook
        _cache[key] = (wire.read(folder / "plan"), wire.read(folder / "expected"))
    return _cache[key]


def _invariant(assignment: str, notebook: str, question: str) -> Any:
    """The question's invariant from the chapter's spec (only the full zip carries it)."""
    folder = _root() / assignment
    if not (folder / "questions.py").is_file():
        return None
    if assignment not in _invariants:
        from .spec import load_assignment

        _invariants[assignment] = load_assignment(folder)
    return _invariants[assignment].notebook(notebook).question(question).invariant


def check_case(env: dict[str, Any], assignment: str, notebook: str, question: str,
               case_id: str, case_timeout: float) -> None:
    """Run and judge one case against the notebook's globals; raise if it fails."""
    plan, expected = _fixtures(assignment, notebook)
    qplan = next(q for q in plan["questions"] if q["name"] == question)
    case = next(c for c in qplan["cases"] if c["id"] == case_id)
    invariant = None
    if qplan["judge"] == "invariant":
        invariant = _invariant(assignment, notebook, question)
        if invariant is None:  # the public zip: structure only, as check() does
            qplan = dict(qplan, judge="close", tolerance=[math.inf, math.inf])
    previous = signal.getsignal(signal.SIGALRM)
    try:
        with isolated(env, qplan["isolate"]):
            result = harvest_case(qplan, case, env, {"case_timeout": case_timeout}, Alarm())
    except MissingObject as exc:  # a stand-in's name is gone: as the grader judges it
        result = {"status": "missing", "message": str(exc)}
    finally:
        signal.signal(signal.SIGALRM, previous)
    verdict = judge_case(qplan, case, result, expected.get(f"{question}/{case_id}"),
                         invariant, case_timeout)
    if not verdict.passed:
        lines = [f"{r['en']}\n{r['zh']}" for r in verdict.reasons] or [verdict.status]
        raise AssertionError("\n".join(lines))
