"""Shared fixtures: the course in this checkout, and notebooks graded once per session."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from autograder.course import Course, find_course
from autograder.grade import NotebookResult, grade_notebook
from autograder.notebook import read_submission
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


#: The test files that take longest, first: pytest-xdist hands whole files to its workers
#: in collection order (``--dist loadfile --no-loadscope-reorder`` in scripts/test.sh), and
#: a long file started last would leave one worker alone at the end.  From CI's
#: ``--durations`` table, grouped by file (issue 23); every other file keeps its order.
LONGEST_FIRST = ["tests/test_chapters.py", "tests/test_otter.py", "tests/test_class_batch.py",
                 "tests/test_demo_cells.py",
                 "tests/test_adversarial.py", "tests/test_hub.py",
                 "tests/test_nbgrader_autograde.py", "tests/test_warm_isolation.py",
                 "tests/adversarial/test_course_records.py", "tests/test_cli_errors.py"]


def pytest_collection_modifyitems(config, items) -> None:
    """The longest test files first (:data:`LONGEST_FIRST`), each file's tests in order."""
    def rank(item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep pytest's order


def pytest_configure(config) -> None:
    """The run's shared verdict store (tests/verdicts.py): a fresh folder, made once by the
    process that starts the run and handed to every pytest-xdist worker."""
    if not hasattr(config, "workerinput"):
        config.d2l_verdict_store = tempfile.mkdtemp(prefix="d2l-verdicts-")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # pytest-xdist's controller, per worker
    node.workerinput["d2l_verdict_store"] = node.config.d2l_verdict_store


def pytest_unconfigure(config) -> None:
    if not hasattr(config, "workerinput"):
        shutil.rmtree(config.d2l_verdict_store, ignore_errors=True)


@pytest.fixture(scope="session")
def course() -> Course:
    return find_course(ROOT)


@pytest.fixture(scope="session")
def verdicts(course, pytestconfig) -> Verdicts:
    """The run's shared verdicts: each distinct notebook graded once (tests/verdicts.py),
    whichever worker asks first."""
    workerinput = getattr(pytestconfig, "workerinput", None)
    folder = (workerinput["d2l_verdict_store"] if workerinput is not None
              else pytestconfig.d2l_verdict_store)
    return Verdicts(course, Path(folder))


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


#: The course id of every course :func:`new_course` hands out (each in its own folder,
#: with its own gradebook and exchange, so they never meet).
COURSE_ID = "d2l-tests"


@pytest.fixture(scope="session")
def _course_templates(tmp_path_factory):
    """assignment → an nbgrader course ``d2l-grade course init`` made, once per worker.

    Making one costs 11 s of CPU (nbgrader's generate_assignment runs nbconvert on every
    notebook); the tests that only need a course to grade into copy it instead.  The
    command itself is tested by ``test_nbgrader_course.py`` and the class tests.
    """
    made: dict[str, Path] = {}

    def template(assignment: str) -> Path:
        if assignment not in made:
            path = tmp_path_factory.mktemp(f"template-{assignment}") / "course"
            proc = run_cli("course", "init", str(path), "--course", COURSE_ID, "--assignment",
                           assignment, "--exchange", str(path / "exchange"))
            assert proc.returncode == 0, proc.stderr
            made[assignment] = path
        return made[assignment]

    return template


@pytest.fixture
def new_course(_course_templates):
    """new_course(path, assignment) → ``path``: the course ``d2l-grade course init PATH
    --course d2l-tests --assignment ASSIGNMENT`` would make there, copied from a template
    with every path in its configuration (root, gradebook, exchange) moved to ``path``."""
    def make(path: Path, assignment: str = CH03) -> Path:
        template = _course_templates(assignment)
        shutil.copytree(template, path)
        config = path / "nbgrader_config.py"
        config.write_text(config.read_text().replace(str(template), str(path)))
        assert str(template) not in config.read_text()
        return path

    return make


def selected_params(request, *names: str) -> set[tuple]:
    """The parameter values of this module's selected tests (``-k``, a test id): a module
    fixture that prepares work for every test prepares only what will be read."""
    return {tuple(item.callspec.params[n] for n in names) for item in request.session.items
            if item.module is request.module and hasattr(item, "callspec")}


def mistakes_of(assignment: str, notebook: str) -> dict[Path, set[str]]:
    """The mistake notebooks of one notebook (``mistakes*.json``), with the questions each
    breaks, in listing order."""
    out = {}
    for listing in sorted((ROOT / "tests" / "notebooks" / assignment).glob("mistakes*.json")):
        for m in json.loads(listing.read_text()):
            path = ROOT / "tests" / "notebooks" / assignment / m["file"]
            if read_submission(path).notebook == notebook:  # an assignment may have several
                out[path] = set(m["breaks"])
    return out


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
