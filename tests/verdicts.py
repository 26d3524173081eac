"""Shared verdicts: each distinct notebook is graded at most once per test run.

Several test files need the verdicts of the same notebooks (every chapter's solution,
blank and mistakes are checked by ``test_chapters.py`` and compared with ``otter run`` by
``test_otter.py``; chapter 3's mistakes feed the class tests).  Grading is the expensive
part of the suite, so the verdicts live in one session-wide store, keyed by what decides
them: the notebook's bytes (sha256), the limits, and warm or cold.  A test asks for a list
of paths; whatever is not in the store yet is graded in one batch (both cores, warm
workers), and every result comes back with the path that was asked for.

A test whose point is to grade again (the same notebook twenty times, say) passes
``fresh=True``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from autograder.course import Course
from autograder.grade import NotebookResult, grade_batch
from autograder.runner import Limits

Key = tuple[str, Limits, bool]


class Verdicts:
    """The session's store of graded notebooks (see the module docstring)."""

    def __init__(self, course: Course) -> None:
        self.course = course
        self._store: dict[Key, NotebookResult] = {}
        self.graded = 0  # how many gradings the store actually ran

    @staticmethod
    def _key(path: Path, limits: Limits, warm: bool) -> Key:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest(), limits, warm

    def grade(self, paths: list[Path], limits: Limits | None = None, warm: bool = True,
              workers: int = 2, fresh: bool = False) -> list[NotebookResult]:
        """Results for ``paths``, in order; only notebooks not graded yet are graded."""
        limits = limits or Limits()
        paths = [Path(p) for p in paths]
        keys = [self._key(p, limits, warm) for p in paths]
        if fresh:
            results = grade_batch(self.course, paths, limits, workers=workers, warm=warm)
            self.graded += len(paths)
            return results
        todo: dict[Key, Path] = {}
        for key, path in zip(keys, paths, strict=True):
            if key not in self._store and key not in todo:
                todo[key] = path
        if todo:
            results = grade_batch(self.course, list(todo.values()), limits, workers=workers,
                                  warm=warm)
            self.graded += len(results)
            self._store.update(zip(todo, results, strict=True))
        return [dataclasses.replace(self._store[key], path=path)
                for key, path in zip(keys, paths, strict=True)]
