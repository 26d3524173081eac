"""Grading skips the demonstration cells, and no verdict depends on them (issue 25).

Demo cells (nbgrader-locked, ungraded) print and train for the student's benefit.  By
default ``d2l-grade`` does not run them (``--run-demos`` runs everything); that is only
fair if every verdict is the same both ways.  Here, for every notebook of the course, the
solution, the released blank and one mistake are graded both ways and compared case by
case, reasons and margins included.  The adversarial corpus and chapter 3's mistakes are
compared both ways by ``test_adversarial.py`` (its cold run runs the demos).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nbformat
import pytest

from autograder.course import find_course
from autograder.harvest import code_cells
from autograder.runner import Limits

from .conftest import ROOT, mistakes_of, notebook_with, selected_params

COURSE = find_course(ROOT)
NOTEBOOKS = [(a, nb.name) for a in COURSE.assignment_ids() for nb in COURSE.spec(a).notebooks]


def _subjects(assignment: str, notebook: str) -> list[Path]:
    paths = [COURSE.master_notebook(assignment, notebook),
             COURSE.assignments / assignment / f"{notebook}.ipynb"]
    return paths + list(mistakes_of(assignment, notebook))[:1]


def verdicts_of(result) -> tuple:
    """Everything a student is told about their grade, case by case."""
    return (result.phase1, result.score, result.error, result.notes, [
        (q.name, q.score, q.status,
         [(c.id, c.status, c.passed, c.reasons, c.margin) for c in q.cases])
        for q in result.questions])


@pytest.fixture(scope="module")
def both_ways(verdicts, request):
    wanted = selected_params(request, "assignment", "notebook")
    paths = [p for a, nb in NOTEBOOKS if (a, nb) in wanted for p in _subjects(a, nb)]
    skipped = verdicts.grade(paths)  # the default: shared with test_chapters.py
    ran = verdicts.grade(paths, dataclasses.replace(Limits(), run_demos=True))
    return {Path(s.path): (s, r) for s, r in zip(skipped, ran, strict=True)}


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS)
def test_every_verdict_is_the_same_with_and_without_demo_cells(both_ways, assignment,
                                                               notebook):
    for path in _subjects(assignment, notebook):
        skipped, ran = both_ways[Path(path)]
        assert verdicts_of(skipped) == verdicts_of(ran), path.name
    # The comparison means something: the solution scores full marks either way.
    solution, _ = both_ways[COURSE.master_notebook(assignment, notebook)]
    assert solution.score == solution.max_score > 0


def test_demo_cells_are_skipped_by_default_and_run_on_request(verdicts, tmp_path):
    """A notebook whose only softmax is defined in a demo cell (a notebook bug, made on
    purpose): graded by default, softmax is missing; with ``run_demos`` it passes."""
    softmax = "def softmax(X):\n    E = torch.exp(X)\n    return E / E.sum(1, keepdim=True)"
    nb = notebook_with(["import torch", softmax])
    nb.cells[1].metadata["nbgrader"] = {"grade_id": "demo_softmax", "locked": True,
                                        "grade": False, "solution": False}
    path = tmp_path / "demo_defines_softmax.ipynb"
    nbformat.write(nb, path)
    assert [demo for _, demo in code_cells(path.read_bytes())] == [False, True]
    [skipped] = verdicts.grade([path])
    [ran] = verdicts.grade([path], dataclasses.replace(Limits(), run_demos=True))
    by_name = {q.name: q for q in skipped.questions}
    assert by_name["softmax"].status == "missing" and by_name["softmax"].score == 0
    by_name = {q.name: q for q in ran.questions}
    assert by_name["softmax"].status == "passed"
    assert by_name["softmax"].score == by_name["softmax"].max_score > 0
