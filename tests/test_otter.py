"""``otter run`` (the real otter-grader 7.0.0) with our zips agrees with ``d2l-grade``.

For every notebook, three runs (each one a kernel, otter's imports and the whole
notebook): the full zip on the solution (every case, hidden ones too, passes: full
marks) and on the released blank (zero), and the public zip, the one students get, on
the mistake notebook that breaks the fewest questions (each question's share of passing
public cases equals d2l-grade's, so the public zip is seen both passing real code and
failing a real mistake).  The public zip also carries no hidden expected value.
"""

from __future__ import annotations

import io
import json
import os
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from autograder import wire
from autograder.course import find_course
from autograder.harvest import code_cells
from autograder.otter_zip import REQUIREMENTS, build_zip, public_zip_path

from .conftest import ROOT, mistakes_of, selected_params
from .hidden import arrays_in, hidden_values, numbers_in
from .otter_pool import run_all

COURSE = find_course(ROOT)
NOTEBOOKS = [(a, nb.name) for a in COURSE.assignment_ids() for nb in COURSE.spec(a).notebooks]


def _subjects(assignment: str, notebook: str) -> dict[str, tuple[Path, bool]]:
    """label → (notebook, public zip?): the runs of this notebook (module docstring).

    Every mistake's verdicts are checked by ``test_chapters.py`` through the same
    ``harvest_case`` and ``judge_case`` that otter's tests call; what a run adds is the zip
    (its tests, points, files and environment), so one mistake per notebook suffices: the
    one that leaves the most questions passing (ties by name).
    """
    subjects = {"solution": (COURSE.master_notebook(assignment, notebook), False),
                "blank": (COURSE.assignments / assignment / f"{notebook}.ipynb", False)}
    mistakes = {path.stem: (path, breaks)
                for path, breaks in mistakes_of(assignment, notebook).items()}
    if mistakes and public_zip_path(COURSE, assignment, notebook).exists():
        stem = min(sorted(mistakes), key=lambda s: len(mistakes[s][1]))
        subjects["public"] = (mistakes[stem][0], True)
    return subjects


@pytest.fixture(scope="module")
def otter_runs(tmp_path_factory, request):
    """Every ``otter run`` of this file, in one pool as wide as the machine.

    Each run is one kernel on one core; pooling all of them keeps both cores busy.  A
    fork server pays otter's start-up once and a kernel server the kernel's imports
    (tests/otter_pool.py).  The runs that execute a whole solution go first, so that no
    long one is left alone at the end.  Returns
    (assignment, notebook, label) → scores (or the exception the run raised, re-raised by
    the test that reads it) and its folder.
    """
    root = tmp_path_factory.mktemp("otter")
    # Only the notebooks whose tests were selected (``-k``, a single test id).
    wanted = selected_params(request, "assignment", "notebook")
    selected = [n for n in NOTEBOOKS if n in wanted]
    # Each full zip is one ``otter generate`` (a process, mostly otter's start-up): as
    # many at once as there are cores.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        fulls = list(pool.map(lambda n: build_zip(COURSE, *n, True, root / n[0] / n[1] /
                                                  "full.zip"), selected))
    jobs = []
    for (assignment, notebook), full in zip(selected, fulls, strict=True):
        folder = root / assignment / notebook
        public = public_zip_path(COURSE, assignment, notebook)
        for label, (path, is_public) in _subjects(assignment, notebook).items():
            jobs.append(((assignment, notebook, label), public if is_public else full, path,
                         folder / label))
    jobs.sort(key=lambda job: job[0][2] == "blank")  # stable: blanks (quick) last
    return run_all(jobs, fork_kernels=root / "kernels")


def _scores(otter_runs, key) -> dict[str, float]:
    value = otter_runs[key][0]
    if isinstance(value, BaseException):
        raise value
    return value


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS)
def test_full_zip_scores_equal_d2l_grade(otter_runs, verdicts, assignment, notebook):
    subjects = {label: path for label, (path, public) in _subjects(assignment, notebook).items()
                if not public}
    otter = {label: _scores(otter_runs, (assignment, notebook, label)) for label in subjects}
    ours = verdicts.grade(list(subjects.values()))  # graded once, shared with test_chapters
    for (label, _), result in zip(subjects.items(), ours, strict=True):
        expected = {q.name: q.score for q in result.questions}
        got = {name: round(score, 4) for name, score in otter[label].items()}
        assert got == expected, label
    # The verdicts are real: full marks and zero.
    total = sum(q.max_score for q in ours[0].questions)
    assert round(sum(otter["solution"].values()), 4) == total
    assert sum(otter["blank"].values()) == 0
    solution_run = otter_runs[assignment, notebook, "solution"][1] / "results.json"
    assert "❌" not in solution_run.read_text(encoding="utf-8")


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS)
def test_public_zip_agrees_with_d2l_grade_and_holds_no_hidden_value(tmp_path, otter_runs,
                                                                    verdicts, assignment,
                                                                    notebook):
    public = public_zip_path(COURSE, assignment, notebook)
    spec = COURSE.spec(assignment).notebook(notebook)
    # A quiz answer has no public case (its key is hidden), so it has no test here; a
    # notebook with nothing public gets no public zip at all.
    checked = {q.name: float(q.points) for q in spec.questions
               if any(c.public for c in q.cases)}
    if not checked:
        assert not public.exists()
        return
    fresh = build_zip(COURSE, assignment, notebook, False, tmp_path / "public.zip")
    assert fresh.read_bytes() == public.read_bytes(), \
        f"{public} is stale: run `d2l-grade release {assignment}`"

    with zipfile.ZipFile(public) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    assert not [n for n in members if "reference_impl" in n or n.endswith("questions.py")]
    folder = f"files/d2l_otter/{assignment}/{notebook}/"
    expected = wire.loads(members[folder + "expected.json"], members[folder + "expected.npz"])
    assert expected and all("/p" in key for key in expected)
    numbers, arrays = hidden_values(COURSE, assignment, notebook)
    assert numbers or arrays
    for name, data in members.items():
        if name.endswith(".npz"):
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                blobs = [npz[k].tobytes() for k in npz.files]
        else:
            blobs = [data]
        for blob in blobs:
            assert not arrays_in(blob, arrays), name
        if not name.endswith(".npz"):
            text = data.decode("utf-8", errors="replace")
            assert not numbers_in(text, numbers), name
    # The zip's environment names exactly the runtime dependencies pyproject.toml declares.
    env = members["environment.yml"].decode()
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert all(req in env and req in declared for req in REQUIREMENTS)

    path, _ = _subjects(assignment, notebook)["public"]  # every such notebook has mistakes
    scores = {name: round(score, 4) for name, score in
              _scores(otter_runs, (assignment, notebook, "public")).items()}
    [ours] = verdicts.grade([path])  # graded once, shared with test_chapters
    want = {}
    for q in ours.questions:
        public_cases = [c for c in q.cases if c.public]
        if public_cases:
            passed = sum(c.passed for c in public_cases)
            want[q.name] = round(q.max_score * passed / len(public_cases), 4)
    assert scores == want and set(scores) == set(checked)
    assert sum(scores.values()) > 0  # real code passes through the public zip


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS)
def test_otter_skips_exactly_the_demonstration_cells(assignment, notebook):
    """``otter run`` grades without the demos, as d2l-grade does by default: the cells
    that carry otter's ``otter_ignore`` tag are the demonstration cells, in the master
    and in the released notebook."""
    for path in (COURSE.master_notebook(assignment, notebook),
                 COURSE.assignments / assignment / f"{notebook}.ipynb"):
        raw = path.read_bytes()
        cells = [c for c in json.loads(raw)["cells"] if c["cell_type"] == "code"]
        tagged = ["otter_ignore" in c.get("metadata", {}).get("tags", []) for c in cells]
        demos = [demo for _, demo in code_cells(raw)]
        assert tagged == demos, path
