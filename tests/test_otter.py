"""``otter run`` (the real otter-grader 7.0.0) with our zips agrees with ``d2l-grade``.

For every chapter: the full zip gives the solution, the blank and a sample of the mistake
notebooks (see ``OTTER_MISTAKES``) the same per-question scores as the sandboxed grader;
the public zip passes every public case of the solution and carries no hidden expected
value.
"""

from __future__ import annotations

import io
import json
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder import wire
from autograder.course import find_course
from autograder.notebook import read_submission
from autograder.otter_zip import REQUIREMENTS, build_zip, public_zip_path

from .conftest import ROOT
from .hidden import arrays_in, hidden_values, numbers_in
from .otter_pool import run_all

COURSE = find_course(ROOT)
NOTEBOOKS = [(a, nb.name) for a in COURSE.assignment_ids() for nb in COURSE.spec(a).notebooks]


#: Mistake notebooks run through ``otter run`` per notebook.  Each run costs a kernel, a
#: torch import and the whole notebook (5–15 s on CI, for 26 notebooks), and every
#: mistake's verdict is already checked by ``test_chapters.py`` through the same
#: ``harvest_case`` and ``judge_case`` that the otter tests call.  What this test adds is
#: the zip: its tests, points and environment.  The solution (full marks), the blank
#: (zero) and the mistake that breaks the most questions (a partial score, question by
#: question) show that.
OTTER_MISTAKES = 1


def _mistakes_of(assignment: str, notebook: str) -> dict[str, set[str]]:
    """Each mistake notebook of this notebook, by file stem, with the questions it breaks."""
    out = {}
    for listing in sorted((ROOT / "tests" / "notebooks" / assignment).glob("mistakes*.json")):
        for m in json.loads(listing.read_text()):
            path = ROOT / "tests" / "notebooks" / assignment / m["file"]
            if read_submission(path).notebook == notebook:  # an assignment may have several
                out[path.stem] = set(m["breaks"])
    return out


def _subjects(assignment: str, notebook: str) -> dict[str, Path]:
    """The solution, the released blank, and a sample of the mistake notebooks.

    The sample is greedy: each pick breaks the most questions no earlier pick breaks
    (ties by name), so the runs cover as many questions as ``OTTER_MISTAKES`` allows.
    """
    subjects = {"solution": COURSE.master_notebook(assignment, notebook),
                "blank": COURSE.assignments / assignment / f"{notebook}.ipynb"}
    left, covered = _mistakes_of(assignment, notebook), set()
    for _ in range(min(OTTER_MISTAKES, len(left))):
        stem = max(sorted(left), key=lambda s: len(left[s] - covered))
        covered |= left.pop(stem)
        subjects[stem] = ROOT / "tests" / "notebooks" / assignment / f"{stem}.ipynb"
    return subjects


@pytest.fixture(scope="module")
def otter_runs(tmp_path_factory, request):
    """Every ``otter run`` of this file, in one pool as wide as the machine.

    Per notebook: the full zip on the solution, the blank and the sampled mistakes, and
    the public zip on the solution.  Each run is one kernel on one core; pooling all of
    them keeps both cores busy, and a fork server pays otter's start-up once
    (tests/otter_pool.py).  Returns (notebook, label) → scores (or the exception the run
    raised, re-raised by the test that reads it) and its folder.
    """
    root = tmp_path_factory.mktemp("otter")
    # Only the notebooks whose tests were selected (``-k``, a single test id).
    wanted = {(item.callspec.params["assignment"], item.callspec.params["notebook"])
              for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec")}
    jobs = []
    for assignment, notebook in [n for n in NOTEBOOKS if n in wanted]:
        folder = root / assignment / notebook
        full = build_zip(COURSE, assignment, notebook, True, folder / "full.zip")
        for label, path in _subjects(assignment, notebook).items():
            jobs.append(((assignment, notebook, label), full, path, folder / label))
        public = public_zip_path(COURSE, assignment, notebook)
        if public.exists():
            jobs.append(((assignment, notebook, "public"), public,
                         COURSE.master_notebook(assignment, notebook), folder / "public"))

    return run_all(jobs)


def _scores(otter_runs, key) -> dict[str, float]:
    value = otter_runs[key][0]
    if isinstance(value, BaseException):
        raise value
    return value


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS)
def test_full_zip_scores_equal_d2l_grade(otter_runs, verdicts, assignment, notebook):
    subjects = _subjects(assignment, notebook)
    assert len(subjects) >= 3
    otter = {label: _scores(otter_runs, (assignment, notebook, label)) for label in subjects}
    ours = verdicts.grade(list(subjects.values()))  # graded once, shared with test_chapters
    for (label, _), result in zip(subjects.items(), ours, strict=True):
        expected = {q.name: q.score for q in result.questions}
        got = {name: round(score, 4) for name, score in otter[label].items()}
        assert got == expected, label
    # The verdicts are real: full marks, zero, and each mistake loses points.
    scores = {label: sum(otter[label].values()) for label in subjects}
    total = sum(q.max_score for q in ours[0].questions)
    assert round(scores["solution"], 4) == total and scores["blank"] == 0
    assert all(0 < s < total for label, s in scores.items() if label.startswith("mistake_"))


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS)
def test_public_zip_passes_the_solution_and_holds_no_hidden_value(tmp_path, otter_runs,
                                                                 assignment, notebook):
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

    scores = _scores(otter_runs, (assignment, notebook, "public"))
    assert scores == checked
    results = json.loads((otter_runs[assignment, notebook, "public"][1] / "results.json")
                         .read_text())
    assert "❌" not in json.dumps(results, ensure_ascii=False)
