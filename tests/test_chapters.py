"""Every chapter's verdicts: the solution scores full marks, the released blank scores
zero, and each mistake notebook (``tests/notebooks/<assignment>/mistakes*.json``) loses
exactly the questions it breaks.  New chapters are covered by adding their content.

While working on one chapter, ``D2L_ONLY=ch05_convnets`` (or ``ch05_convnets/lenet``,
comma-separated) grades only those notebooks; CI leaves it unset and grades them all."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from autograder.course import find_course
from autograder.notebook import read_submission

from .conftest import ROOT

COURSE = find_course(ROOT)
ONLY = [s for s in os.environ.get("D2L_ONLY", "").split(",") if s]


def _selected(assignment: str, notebook: str | None) -> bool:
    return not ONLY or any(s in (assignment, f"{assignment}/{notebook}") for s in ONLY)


NOTEBOOKS = [(a, nb.name) for a in COURSE.assignment_ids() for nb in COURSE.spec(a).notebooks
             if _selected(a, nb.name)]


def _listed(pattern: str) -> list[tuple[str, dict]]:
    """(assignment, entry) of every ``tests/notebooks/*/<pattern>`` listing (selected)."""
    out = []
    for listing in sorted((ROOT / "tests" / "notebooks").glob(f"*/{pattern}")):
        out += [(listing.parent.name, m) for m in json.loads(listing.read_text())
                if _selected(listing.parent.name, m.get("notebook"))]
    return out


MISTAKES = _listed("mistakes*.json")
#: Answers in the first edition's own idioms (scripts/make_examples.py: book_notebooks).
BOOK_STYLE = _listed("book_style.json")


def chapter_paths() -> list[Path]:
    """Every master, blank, mistake and book-style notebook of every (selected) chapter."""
    paths = [COURSE.master_notebook(a, nb) for a, nb in NOTEBOOKS]
    paths += [COURSE.assignments / a / f"{nb}.ipynb" for a, nb in NOTEBOOKS]
    paths += [ROOT / "tests" / "notebooks" / a / m["file"] for a, m in MISTAKES]
    paths += [ROOT / "tests" / "notebooks" / a / v["file"] for a, v in BOOK_STYLE]
    return paths


@pytest.fixture(scope="module")
def chapter_verdicts(verdicts):
    """All of them, graded in one batch into the session's shared verdicts."""
    results = verdicts.grade(chapter_paths())
    return {Path(r.path).resolve(): r for r in results}


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS)
def test_solution_scores_full_marks(chapter_verdicts, assignment, notebook):
    result = chapter_verdicts[COURSE.master_notebook(assignment, notebook).resolve()]
    assert result.phase1 == "completed", result.notes
    spec = COURSE.spec(assignment).notebook(notebook)
    assert result.max_score == sum(q.points for q in spec.questions)
    assert result.score == result.max_score, [
        (q.name, q.summary("en")) for q in result.questions if q.status != "passed"]


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS)
def test_released_blank_scores_zero(chapter_verdicts, assignment, notebook):
    result = chapter_verdicts[(COURSE.assignments / assignment / f"{notebook}.ipynb").resolve()]
    assert result.score == 0
    for q in result.questions:
        assert q.status == "not_implemented", (q.name, q.status, q.summary("en"))


@pytest.mark.parametrize(("assignment", "mistake"), MISTAKES,
                         ids=[f"{a}/{m['file']}" for a, m in MISTAKES])
def test_each_mistake_loses_exactly_its_questions(chapter_verdicts, assignment, mistake):
    path = (ROOT / "tests" / "notebooks" / assignment / mistake["file"]).resolve()
    result = chapter_verdicts[path]
    assert read_submission(path).assignment == assignment
    # ``keeps``: the points a broken question keeps when only some of its hidden cases see
    # the mistake (a model without dropout is the same in both modes); otherwise none.
    keeps = mistake.get("keeps", {})
    assert set(keeps) <= set(mistake["breaks"])
    for q in result.questions:
        if q.name in mistake["breaks"]:
            assert q.score == keeps.get(q.name, 0), (q.name, q.score)
            # "missing": a given helper the question is graded with was deleted.
            assert q.status in ("failed", "raised", "partial", "missing"), q.status
        else:
            assert q.score == q.max_score, (mistake["file"], q.name, q.summary("en"))
    lost = sum(q.max_score - keeps.get(q.name, 0) for q in result.questions
               if q.name in mistake["breaks"])
    assert lost > 0 and round(result.score, 4) == round(result.max_score - lost, 4)


@pytest.mark.parametrize(("assignment", "variant"), BOOK_STYLE,
                         ids=[f"{a}/{v['file']}" for a, v in BOOK_STYLE])
def test_book_style_answers_get_full_marks_except_where_the_notebook_departs(
        chapter_verdicts, assignment, variant):
    """Fair to the book (issue 30): its idioms score full marks; a question where the
    notebook explicitly asks for something else keeps exactly the points listed, and the
    listing says which sentence of the notebook asks for it."""
    path = (ROOT / "tests" / "notebooks" / assignment / variant["file"]).resolve()
    result = chapter_verdicts[path]
    assert result.phase1 == "completed", result.notes
    departs = variant["departs"]
    assert all(d["why"] for d in departs.values())
    questions = {q.name: q for q in result.questions}
    assert set(departs) <= set(questions)
    for name, q in questions.items():
        if name in departs:
            assert q.score == departs[name]["keeps"] < q.max_score, (name, q.score)
        else:
            assert q.score == q.max_score, (variant["file"], name, q.summary("en"))
