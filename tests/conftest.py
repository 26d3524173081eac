"""Shared fixtures: the course in this checkout, and notebooks graded once per session."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from autograder.course import Course, find_course
from autograder.grade import NotebookResult, grade_notebook
from autograder.runner import Limits

from .verdicts import Verdicts

ROOT = Path(__file__).resolve().parent.parent
CH03 = "ch03_basics"
MASTER = ROOT / "solutions" / CH03 / "linear_softmax.ipynb"
RELEASED = ROOT / "assignments" / CH03 / "linear_softmax.ipynb"
MISTAKES_DIR = ROOT / "tests" / "notebooks" / CH03
#: The mistakes of chapter 3's first notebook (the README's examples come from them).
MISTAKES = [m for m in json.loads((MISTAKES_DIR / "mistakes.json").read_text())
            if m.get("notebook", "linear_softmax") == "linear_softmax"]


#: Assertions that passed, per test file, counted as they run (``enable_assertion_pass_hook``
#: in pyproject.toml): issue 23 asks that making CI faster never lowers their number.
PASSED_ASSERTIONS: Counter[str] = Counter()


def pytest_assertion_pass(item, lineno, orig, expl) -> None:
    PASSED_ASSERTIONS[item.nodeid.split("::", 1)[0]] += 1


def pytest_sessionfinish(session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: hand the counts to the controller
        workeroutput["passed_assertions"] = dict(PASSED_ASSERTIONS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # pytest-xdist's controller
    PASSED_ASSERTIONS.update(getattr(node, "workeroutput", {}).get("passed_assertions", {}))


def pytest_terminal_summary(terminalreporter) -> None:
    if PASSED_ASSERTIONS:
        terminalreporter.write_line(
            f"assertions passed: {sum(PASSED_ASSERTIONS.values())} in "
            f"{len(PASSED_ASSERTIONS)} test files")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): run on one pytest-xdist worker")


def pytest_collection_modifyitems(config, items) -> None:
    """Under pytest-xdist (``--dist loadgroup``): one worker per test file, and every file
    that reads the shared verdicts on the same worker, so that each notebook is still
    graded once per run and no module fixture (a hub, a graded class) is built twice.

    Known, not fixed yet (issue 23): xdist's own hook reads the marks before this one adds
    them (CI's node ids carry no ``@group``), so today tests are spread one by one and each
    worker keeps its own verdict store.  ``tryfirst`` would fix that and put every verdict
    file on one worker: to be measured before it changes."""
    shared = {item.module.__name__ for item in items
              if "verdicts" in getattr(item, "fixturenames", ())}
    for item in items:
        name = item.module.__name__
        item.add_marker(pytest.mark.xdist_group("verdicts" if name in shared else name))


@pytest.fixture(scope="session")
def course() -> Course:
    return find_course(ROOT)


@pytest.fixture(scope="session")
def verdicts(course) -> Verdicts:
    """The session's shared verdicts: each distinct notebook graded once (tests/verdicts.py)."""
    return Verdicts(course)


@pytest.fixture(scope="session")
def graded(course):
    """grade(path) -> NotebookResult, each notebook graded at most once per session."""
    cache: dict[Path, NotebookResult] = {}

    def grade(path: Path, **limits) -> NotebookResult:
        key = Path(path).resolve()
        if limits:
            return grade_notebook(course, key, Limits(**limits))
        if key not in cache:
            cache[key] = grade_notebook(course, key)
        return cache[key]

    return grade


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``d2l-grade ARGS`` as a user would run it."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def notebook_with(cells: list[str], assignment: str = CH03, name: str = "linear_softmax",
                  ) -> nbformat.NotebookNode:
    """A minimal notebook of the given code cells, tagged as ``assignment/name``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["d2l"] = {"assignment": assignment, "notebook": name}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    return nb
