"""``check("name")`` in the student's own notebook: the public cases, as advice.

It runs in the student's kernel, on the public fixtures shipped beside the released
notebook (``public/<notebook>/``), and prints a verdict in 简体中文 and English.  It can
be fooled by the student's own code, which is fine: it is not the grade.  The grade comes
from ``d2l-grade``, which runs hidden cases in a separate process.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import sys
from pathlib import Path
from typing import Any

from . import wire
from .answers import judge_answer, normalize
from .compare import Tolerance, compare
from .kinds import MissingObject, isolated, run_case
from .messages import render_mismatch, text

#: Invariant questions (random units) are graded by statistics the notebook does not
#: have; here only their structure (types, shapes, dtypes) is compared.
STRUCTURE_ONLY = Tolerance(math.inf, math.inf)


class Checker:
    """Callable as ``check("softmax")``; one per notebook."""

    def __init__(self, assignment: str, notebook: str, lang: str | None = None,
                 folder: Path | None = None) -> None:
        self.assignment = assignment
        self.notebook = notebook
        self.lang = lang or os.environ.get("D2L_LANG")  # None: both languages
        self._folder = folder
        self._loaded: tuple[Any, Any] | None = None
        self._warned = False

    def _find(self) -> Path | None:
        candidates = []
        if self._folder:
            candidates.append(Path(self._folder))
        if os.environ.get("D2L_PUBLIC_DIR"):
            candidates.append(Path(os.environ["D2L_PUBLIC_DIR"]) / self.notebook)
        candidates += [Path.cwd() / "public" / self.notebook,
                       Path.cwd() / "fixtures" / self.notebook]
        for cand in candidates:
            if (cand / "plan.json").is_file() and (cand / "expected.json").is_file():
                return cand
        return None

    def _load(self) -> tuple[Any, Any] | None:
        if self._loaded is None:
            folder = self._find()
            if folder is None:
                return None
            plan, expected = wire.read(folder / "plan"), wire.read(folder / "expected")
            self._loaded = (plan, expected)
        return self._loaded

    def _say(self, zh: str, en: str) -> None:
        if self.lang in (None, "zh"):
            print(zh)
        if self.lang in (None, "en"):
            print(("    " if self.lang is None else "") + en)

    def results(self, name: str, namespace: dict[str, Any]) -> list[tuple[str, bool, list]]:
        """Per public case: (case id, passed, reasons as (zh, en) pairs)."""
        loaded = self._load()
        if loaded is None:
            return []
        plan, expected = loaded
        qplan = next((q for q in plan["questions"] if q["name"] == name), None)
        if qplan is None:
            raise KeyError(name)
        out = []
        obj = namespace.get(qplan["object"])
        try:
            with isolated(namespace, qplan["isolate"]):
                for case in qplan["cases"]:
                    if case["public"]:
                        out.append(self._one(qplan, case, obj, namespace,
                                             expected[f"{name}/{case['id']}"]))
        except MissingObject as exc:  # a stand-in's name is gone (as the grader says)
            missing = [(text("missing", "zh", name=str(exc)),
                        text("missing", "en", name=str(exc)))]
            out = [(case["id"], False, missing) for case in qplan["cases"] if case["public"]]
        return out

    def _one(self, qplan, case, obj, namespace, expected) -> tuple[str, bool, list]:
        def both(key: str, **kw: Any) -> list:
            return [(text(key, "zh", **kw), text(key, "en", **kw))]

        if obj is None:
            return case["id"], False, both("missing", name=qplan["object"])
        try:
            # The student's own prints (epoch logs) would bury the verdict; keep them out.
            with contextlib.redirect_stdout(io.StringIO()):
                actual = run_case(obj, case, qplan["kind"], namespace)
            actual = wire.decode(*wire.encode(actual))
        except NotImplementedError:
            return case["id"], False, both("not_implemented")
        except MissingObject as exc:
            return case["id"], False, both("missing", name=str(exc))
        except wire.WireError as exc:
            return case["id"], False, both("bad_output", reason=str(exc))
        except Exception as exc:
            return case["id"], False, both("raised", error=type(exc).__name__, message=str(exc))
        if qplan["judge"] == "invariant":
            tol = STRUCTURE_ONLY
        else:
            tol = Tolerance(*qplan["tolerance"]) if qplan["tolerance"] else None
        mismatches = compare(actual, expected, tol, path=(qplan["name"], f"case {case['id']}"))
        reasons = [(render_mismatch(m, "zh", reveal=True), render_mismatch(m, "en", reveal=True))
                   for m in mismatches[:3]]
        return case["id"], not mismatches, reasons

    def answer(self, name: str, namespace: dict[str, Any]) -> tuple[str, str] | None:
        """For a choice or short-answer question: what was recorded, as (zh, en).

        The key is hidden, so this only says how the answer will be read (after
        normalisation) or why it cannot be read; None for any other kind of question.
        """
        loaded = self._load()
        qplan = next((q for q in loaded[0]["questions"] if q["name"] == name), None) \
            if loaded else None
        if qplan is None or qplan["judge"] != "answer":
            return None
        value = namespace.get(qplan["object"])
        if value is None:
            return ("✗ 还没有作答", "✗ not answered yet")
        got = normalize(value, qplan["options"] or None)
        if got is None:
            zh, en = judge_answer(value, [], qplan["options"] or None)[0]
            return (f"✗ {zh}", f"✗ {en}")
        return (f"已记录答案 {got!r}（评分时核对）", f"answer recorded as {got!r} (checked when "
                "graded)")

    def __call__(self, name: str) -> None:
        namespace = sys._getframe(1).f_globals
        recorded = self.answer(name, namespace)
        if recorded is not None:
            self._say(*recorded)
            return
        try:
            results = self.results(name, namespace)
        except KeyError:
            self._say(f"没有名为 {name!r} 的题目", f"there is no question called {name!r}")
            return
        if not results:
            if not self._warned:
                self._say("（这里没有公开测试用例，跳过自检）",
                          "(no public cases here; self-check skipped)")
                self._warned = True
            return
        passed = sum(ok for _, ok, _ in results)
        mark = "✓" if passed == len(results) else "✗"
        self._say(f"{mark} {name}：{passed}/{len(results)} 个公开用例通过"
                  "（最终成绩还包括隐藏用例）",
                  f"{mark} {name}: {passed} of {len(results)} public cases passed "
                  "(the grade also uses hidden cases)")
        for _case_id, ok, reasons in results:
            for zh, en in ([] if ok else reasons):
                self._say(f"  · {zh}", f"  · {en}")
