"""Shared verdicts: each distinct notebook is graded at most once per test run.

Several test files need the verdicts of the same notebooks (every chapter's solution,
blank and mistakes are checked by ``test_chapters.py`` and compared with ``otter run`` by
``test_otter.py``; chapter 3's mistakes feed the class tests).  Grading is the expensive
part of the suite, so the verdicts live in one store for the whole run, keyed by what
decides them: the notebook's bytes (sha256), the limits, and warm or cold.  A test asks
for a list of paths; whatever is not in the store yet is graded in one batch (both cores,
warm workers), and every result comes back with the path that was asked for.

The store is a folder shared by every pytest-xdist worker (tests/conftest.py hands its
path to each), so the tests that read it can run on either worker: each result is one
JSON file, written when its notebook is done, and a worker that is about to grade a
notebook holds a lock on its key, so the other worker waits for that file instead of
grading the same notebook again.  JSON, not pickle: these are results of students'
notebooks.

A test whose point is to grade again (the same notebook twenty times, say) passes
``fresh=True``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from autograder.course import Course
from autograder.grade import NotebookResult, QuestionResult, grade_batch
from autograder.judge import CaseVerdict
from autograder.runner import Limits


def to_json(result: NotebookResult) -> dict[str, Any]:
    """A result as plain JSON data (every field; floats round-trip exactly)."""
    data = dataclasses.asdict(result)
    data["path"] = str(result.path)
    return data


def from_json(data: dict[str, Any]) -> NotebookResult:
    """The result :func:`to_json` wrote, field for field."""
    questions = [QuestionResult(q["name"], q["score"], q["max_score"],
                                [CaseVerdict(**c) for c in q["cases"]])
                 for q in data["questions"]]
    return NotebookResult(**dict(data, path=Path(data["path"]), questions=questions,
                                 pending=[tuple(p) for p in data["pending"]]))


class Verdicts:
    """The run's store of graded notebooks (see the module docstring)."""

    def __init__(self, course: Course, folder: Path) -> None:
        self.course = course
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.graded = 0  # how many gradings this process actually ran

    @staticmethod
    def _key(path: Path, limits: Limits, warm: bool) -> str:
        notebook = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        return hashlib.sha256(f"{notebook} {limits!r} {warm}".encode()).hexdigest()[:32]

    def _file(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def _load(self, key: str) -> NotebookResult | None:
        file = self._file(key)
        return from_json(json.loads(file.read_text(encoding="utf-8"))) if file.exists() else None

    def _save(self, key: str, result: NotebookResult) -> None:
        partial = self.folder / f"{key}.{os.getpid()}.part"
        partial.write_text(json.dumps(to_json(result)), encoding="utf-8")
        partial.replace(self._file(key))  # atomic: a reader sees all of it or nothing

    def grade(self, paths: list[Path], limits: Limits | None = None, warm: bool = True,
              workers: int = 2, fresh: bool = False) -> list[NotebookResult]:
        """Results for ``paths``, in order; only notebooks not graded yet are graded."""
        limits = limits or Limits()
        paths = [Path(p) for p in paths]
        if fresh:
            self.graded += len(paths)
            return grade_batch(self.course, paths, limits, workers=workers, warm=warm)
        keys = [self._key(p, limits, warm) for p in paths]
        found: dict[str, NotebookResult] = {}
        with contextlib.ExitStack() as held:
            todo: dict[str, Path] = {}  # keys this process claimed, to grade now
            elsewhere: list[str] = []  # keys the other worker is grading
            for key, path in zip(keys, paths, strict=True):
                if key in found or key in todo or key in elsewhere:
                    continue
                if (result := self._load(key)) is not None:
                    found[key] = result
                    continue
                lock = held.enter_context(open(self.folder / f"{key}.lock", "w"))  # noqa: SIM115
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    elsewhere.append(key)
                    continue
                if (result := self._load(key)) is not None:  # finished while we looked
                    found[key] = result
                else:
                    todo[key] = path
            if todo:
                key_of = {str(path): key for key, path in todo.items()}

                def keep(result: NotebookResult) -> None:
                    self._save(key_of[str(result.path)], result)

                results = grade_batch(self.course, list(todo.values()), limits,
                                      workers=workers, warm=warm, on_result=keep)
                self.graded += len(results)
                found.update(zip(todo, results, strict=True))
        for key in elsewhere:  # wait for the other worker's lock, then read its file
            with open(self.folder / f"{key}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                result = self._load(key)
            if result is None:  # the other worker stopped before it got there
                [result] = self.grade([paths[keys.index(key)]], limits, warm, workers)
            found[key] = result
        return [dataclasses.replace(found[key], path=path)
                for key, path in zip(keys, paths, strict=True)]
