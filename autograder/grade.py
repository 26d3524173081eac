"""Phase 2, trusted: compare what the sandbox harvested with the expected outputs, score.

This process never imports or runs the student's code.  It reads the harvest as plain
data (:mod:`autograder.wire`), compares it with the hidden fixtures
(:mod:`autograder.compare`) or checks a question's invariant, and turns every case into
a verdict with a reason in zh and en.  Hidden expected values never enter a message.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .course import Course, CourseError
from .fixtures import load_fixtures
from .judge import Bilingual, CaseVerdict, judge_case
from .judge import both as _both
from .messages import text
from .notebook import NotebookError, read_submission
from .runner import Limits, Phase1Result, execute_and_harvest, threads_from_env
from .sandbox import SandboxUnavailable
from .spec import NotebookSpec
from .warm import WarmWorker, WorkerFailed, plan_bytes


@dataclass
class QuestionResult:
    name: str
    score: float
    max_score: float
    cases: list[CaseVerdict]

    @property
    def status(self) -> str:
        """passed, partial, or the shared failure status of all failing cases."""
        if all(c.passed for c in self.cases):
            return "passed"
        if any(c.passed for c in self.cases):
            return "partial"
        kinds = {c.status for c in self.cases}
        return kinds.pop() if len(kinds) == 1 else "failed"

    def summary(self, lang: str) -> str:
        """The first reason a case failed, for a one-line table cell."""
        if self.status == "passed":
            return text("passed", lang)
        for case in self.cases:
            if not case.passed and case.reasons:
                return case.reasons[0][lang]
        return ""


@dataclass
class NotebookResult:
    path: Path
    assignment: str
    notebook: str
    questions: list[QuestionResult]
    phase1: str  # completed, timeout, died, invalid; "unreadable" for a bad file
    notes: list[Bilingual] = field(default_factory=list)
    seconds: float = 0.0
    sandbox: str = "bwrap"
    error: str = ""  # for an unreadable notebook: the one-line reason
    enforced: list[str] = field(default_factory=list)  # which limits held
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    #: Free-response questions (name, points) left to a human grader: never scored here.
    pending: list[tuple[str, float]] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(q.score for q in self.questions), 4)

    @property
    def max_score(self) -> float:
        return round(sum(q.max_score for q in self.questions), 4)


#: The phase-1 status of a notebook whose grading failed inside the grader.
INTERNAL_ERROR = "internal_error"


class GradingError(Exception):
    """Grading could not start for a reason outside the submission (one-line message)."""


def _phase1_reason(p1: Phase1Result, limits: Limits) -> Bilingual:
    if p1.status == "timeout":
        return _both("nb_timeout", seconds=limits.notebook_timeout)
    if p1.status == "died":
        return _both("nb_died", cell=p1.detail.get("cell", "?"), how=p1.detail.get("how", "?"))
    return _both("nb_invalid", reason=p1.detail.get("reason", "?"))


def score_notebook(plan: dict[str, Any], expected: dict[str, Any], p1: Phase1Result,
                   nb_spec: NotebookSpec, limits: Limits) -> list[QuestionResult]:
    """Turn a phase-1 result into scored questions."""
    questions = []
    for qplan in plan["questions"]:
        verdicts = []
        for case in qplan["cases"]:
            key = f"{qplan['name']}/{case['id']}"
            if p1.status != "completed":
                verdicts.append(CaseVerdict(case["id"], bool(case["public"]), False,
                                            "no_result", [_phase1_reason(p1, limits)]))
                continue
            invariant = nb_spec.question(qplan["name"]).invariant
            verdicts.append(judge_case(qplan, case, p1.results.get(key), expected[key],
                                       invariant, limits.case_timeout, limits.sandbox.gpu))
        # Points come from the hidden cases: public ones are shown to students with their
        # expected values, so passing them proves nothing (they could be hard-coded).
        scored = [v for v in verdicts if not v.public] or verdicts
        passed = sum(v.passed for v in scored)
        points = float(qplan["points"])
        score = round(points * passed / len(scored), 4) if scored else 0.0
        questions.append(QuestionResult(qplan["name"], score, points, verdicts))
    return questions


class Grader:
    """Grades the notebooks of one course under one set of limits.

    Fixtures are loaded once per notebook kind, and with ``warm=True`` (the bubblewrap
    sandbox only) every grading thread keeps a warm worker that has imported torch once
    and forks a fresh sandboxed child per submission.  Safe to share between threads.
    """

    def __init__(self, course: Course, limits: Limits | None = None,
                 assignment: str | None = None, warm: bool = False) -> None:
        self.course = course
        self.limits = limits or Limits()
        if not self.limits.threads and (threads := threads_from_env()):
            self.limits = dataclasses.replace(self.limits, threads=threads)
        self.assignment = assignment
        self.warm = warm and self.limits.sandbox.kind == "bwrap"
        self.hidden = [course.solutions, course.root / "reference_impl"]
        self._fixtures: dict[tuple[str, str], tuple[Any, Any, tuple[bytes, bytes],
                                                    Path | None]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._workers: list[Any] = []

    def _identify(self, path: Path) -> tuple[Any, NotebookSpec]:
        sub = read_submission(path)
        if self.assignment is not None and sub.assignment != self.assignment:
            raise NotebookError(f"{path}: this notebook belongs to assignment "
                                f"{sub.assignment!r}, not {self.assignment!r}")
        try:
            spec = self.course.spec(sub.assignment)
        except CourseError:
            raise NotebookError(f"{path}: this notebook belongs to assignment "
                                f"{sub.assignment!r}, which this course does not have") from None
        try:
            return sub, spec.notebook(sub.notebook)
        except KeyError:
            raise NotebookError(f"{path}: assignment {sub.assignment!r} has no notebook "
                                f"{sub.notebook!r}") from None

    def _load(self, assignment: str, nb_spec: NotebookSpec):
        key = (assignment, nb_spec.name)
        with self._lock:
            if key not in self._fixtures:
                try:
                    plan, expected = load_fixtures(self.course, assignment, nb_spec.name)
                except FileNotFoundError as exc:
                    raise GradingError(str(exc)) from None
                data_dir = prepare_data(self.course, assignment, nb_spec)
                self._fixtures[key] = (plan, expected, plan_bytes(plan), data_dir)
            return self._fixtures[key]

    def _worker(self):
        worker = getattr(self._local, "worker", None)
        if worker is None:
            data_root = self.course.data_dir()
            data_root.mkdir(parents=True, exist_ok=True)
            worker = WarmWorker(self.limits, data_root, self.hidden)
            self._local.worker = worker
            with self._lock:
                self._workers.append(worker)
        return worker

    def grade(self, path: Path, expect: tuple[str, str] | None = None) -> NotebookResult:
        """Grade one notebook end to end.

        ``expect`` is the (assignment, notebook) the submission must be, known from where
        it was handed in: a notebook whose metadata names another scores 0 for every
        question of the expected one, with the reason, and is not run.

        Raises :class:`NotebookError` for a file that is not a gradable notebook and
        :class:`GradingError` when the course or the machine lacks what grading needs.
        """
        path = Path(path)
        limits = self.limits
        if expect is not None:
            claimed = read_submission(path)
            if (claimed.assignment, claimed.notebook) != tuple(expect):
                return self._wrong_notebook(path, expect, claimed)
        sub, nb_spec = self._identify(path)
        # Fixtures and stand-in data: loaded and written once per batch, under a lock.
        plan, expected, plan_data, data_dir = self._load(sub.assignment, nb_spec)
        try:
            if self.warm:
                sandbox_data = f"/data/{sub.assignment}" if data_dir else None
                p1 = self._worker().run(path.read_bytes(), plan_data, limits, sandbox_data)
            else:
                p1 = execute_and_harvest(path, plan, limits, data_dir, hidden=self.hidden)
        except (SandboxUnavailable, WorkerFailed) as exc:
            raise GradingError(str(exc)) from None
        scoring_started = time.monotonic()
        questions = score_notebook(plan, expected, p1, nb_spec, limits)
        timings = dict(p1.phases, compare=round(time.monotonic() - scoring_started, 4),
                       student_cells=round(sum(c.get("seconds", 0) for c in p1.cells), 4))
        notes = [_phase1_reason(p1, limits)] if p1.status != "completed" else []
        for cell in p1.cells:
            if cell.get("status") == "timeout":
                notes.append(_both("cell_timeout", cell=cell["cell"],
                                   seconds=limits.cell_timeout))
        if p1.sandbox == "none":
            notes.append(_both("no_sandbox"))
        if limits.sandbox.gpu and p1.status == "completed" and not any(
                r.get("device") == "cuda" for r in p1.results.values()):
            notes.append(_both("gpu_not_used"))
        return NotebookResult(path, sub.assignment, sub.notebook, questions, p1.status, notes,
                              round(p1.seconds + timings["compare"], 4), p1.sandbox,
                              enforced=p1.enforced, timings=timings,
                              pending=[(m.name, float(m.points)) for m in nb_spec.manual])

    def _wrong_notebook(self, path: Path, expect: tuple[str, str], claimed: Any
                        ) -> NotebookResult:
        """Zero for every question of the notebook that was expected, and why."""
        assignment, notebook = expect
        try:
            nb_spec = self.course.spec(assignment).notebook(notebook)
        except (CourseError, KeyError):
            raise NotebookError(f"{path}: handed in as {assignment}/{notebook}, which this "
                                "course does not have") from None
        reason = _both("wrong_notebook", claimed=f"{claimed.assignment}/{claimed.notebook}",
                       expected=f"{assignment}/{notebook}")
        questions = [QuestionResult(q.name, 0.0, float(q.points), [
            CaseVerdict("-", False, False, "no_result", [reason])]) for q in nb_spec.questions]
        return NotebookResult(path, assignment, notebook, questions, "wrong_notebook",
                              [reason], sandbox="")

    def grade_or_record(self, path: Path,
                        expect: tuple[str, str] | None = None) -> NotebookResult:
        """Like :meth:`grade`, but every notebook gets a result: an unreadable one a zero
        with its reason, and one that makes the grader itself fail (a bug, or a file made
        to find one) a zero marked ``internal_error``, so that no single file stops the
        batch.  Only :class:`GradingError` (the course or the machine cannot grade at all)
        still stops it."""
        try:
            return self.grade(path, expect)
        except NotebookError as exc:
            return NotebookResult(Path(path), "", "", [], "unreadable",
                                  [{"zh": str(exc), "en": str(exc)}], sandbox="",
                                  error=str(exc))
        except GradingError:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded, never lost
            reason = f"{path}: internal error grading this notebook ({type(exc).__name__})"
            logging.getLogger(__name__).exception("internal error grading %s", path)
            return NotebookResult(Path(path), "", "", [], INTERNAL_ERROR,
                                  [{"zh": f"{path}: 评分程序内部出错（{type(exc).__name__}）",
                                    "en": reason}], sandbox="", error=reason)

    def close(self) -> None:
        with self._lock:
            for worker in self._workers:
                worker.close()
            self._workers.clear()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def grade_notebook(course: Course, path: Path, limits: Limits | None = None,
                   assignment: str | None = None) -> NotebookResult:
    """Grade one notebook end to end in a cold sandbox (see :class:`Grader`)."""
    with Grader(course, limits, assignment) as grader:
        return grader.grade(path)


def grade_batch(course: Course, paths: list[Path], limits: Limits | None = None,
                assignment: str | None = None, workers: int = 1, warm: bool = False,
                progress: Callable[[int, int, Path], None] | None = None,
                on_result: Callable[[NotebookResult], None] | None = None,
                expect: list[tuple[str, str] | None] | None = None,
                ) -> list[NotebookResult]:
    """Grade every notebook, ``workers`` at a time; results come back in input order.

    Each notebook gets a result, an unreadable one a zero with its reason.  Only a problem
    of the grader itself (:class:`GradingError`) stops the batch.  ``progress(done, total,
    path)`` is called as each notebook finishes, after ``on_result(result)``.  ``expect``
    gives, per path, the (assignment, notebook) it was handed in as (see :meth:`Grader.grade`).
    """
    paths = [Path(p) for p in paths]
    limits = limits or Limits()
    if workers > 1 and not limits.threads and not threads_from_env():
        # Share the cores: two notebooks with two torch threads each on two cores thrash.
        limits = dataclasses.replace(limits, threads=max(1, (os.cpu_count() or 1) // workers))
    results: list[NotebookResult | None] = [None] * len(paths)
    done = 0
    with Grader(course, limits, assignment, warm=warm) as grader, \
            ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        expect = expect or [None] * len(paths)
        futures = {pool.submit(grader.grade_or_record, p, e): i
                   for i, (p, e) in enumerate(zip(paths, expect, strict=True))}
        try:
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if on_result:
                    on_result(results[i])  # e.g. store it now: a crash later loses nothing
                done += 1
                if progress:
                    progress(done, len(paths), paths[i])
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return [r for r in results if r is not None]


def prepare_data(course: Course, assignment: str, nb_spec: NotebookSpec) -> Path | None:
    """Write the notebook's offline stand-in data once; returns the folder for the child."""
    if nb_spec.prepare_data is None:
        return None
    folder = course.data_dir() / assignment
    marker = folder / f".ready-{nb_spec.name}"
    if not marker.exists():
        folder.mkdir(parents=True, exist_ok=True)
        nb_spec.prepare_data(folder)
        marker.write_text("ok\n")
    return folder
