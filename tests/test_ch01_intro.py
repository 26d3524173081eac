"""Chapter 1's reading quiz: answers read generously, the free response graded by hand.

The generic verdicts (solution full, blank zero, each mistake loses its question) are in
``test_chapters.py``.  Here: a student who writes every answer differently from the key
(full width, traditional characters, lower case, commas, another accepted spelling)
still gets full marks; and the free-response question, which the autograder leaves alone,
gets its grade from a person through nbgrader's gradebook API and appears in
``nbgrader export`` beside the autograded scores.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from autograder.grade import grade_batch

from .conftest import ROOT, run_cli

CH01, NOTEBOOK = "ch01_intro", "reading_quiz"
MASTER = ROOT / "solutions" / CH01 / f"{NOTEBOOK}.ipynb"
RELEASED = ROOT / "assignments" / CH01 / f"{NOTEBOOK}.ipynb"
#: The same answers as the key, spelled as students do.
RESPELLED = {
    "origins_principles": "ｃ，ａ", "origins_hebb": " b. ", "development_winter": "Ｄ",
    "development_decade": "2010年代", "development_progress": "d, b, a",
    "successes_game": "圍棋", "successes_imagenet": "2.25%", "traits_end_to_end": "c",
    "traits_representation": "A。",
}


def _answered(answers: dict[str, str], path: Path) -> Path:
    """The released blank with each answer cell set the way a student would."""
    nb = nbformat.read(RELEASED, as_version=4)
    for cell in nb.cells:
        name = cell.get("id", "").removesuffix("-answer")
        if cell.get("id", "").endswith("-answer") and name in answers:
            cell.source = f"{name} = {json.dumps(answers[name], ensure_ascii=False)}"
    nbformat.write(nb, path)
    return path


def test_answers_spelled_differently_from_the_key_get_full_marks(course, tmp_path):
    [result] = grade_batch(course, [_answered(RESPELLED, tmp_path / "respelled.ipynb")],
                           workers=1, warm=False)
    assert result.score == result.max_score == 11, [
        (q.name, q.summary("en")) for q in result.questions if q.status != "passed"]
    assert result.pending == [("reflection_scaling", 3.0)]
    # One letter too many in a multiple choice is wrong, however it is spelled.
    wrong = dict(RESPELLED, development_progress="a, b, c, d")
    [result] = grade_batch(course, [_answered(wrong, tmp_path / "wrong.ipynb")],
                           workers=1, warm=False)
    assert {q.name: q.score for q in result.questions if q.score == 0} == {
        "development_progress": 0}


def test_the_released_quiz_holds_no_key():
    nb = nbformat.read(RELEASED, as_version=4)
    answers = {c.id: c.source for c in nb.cells if c.get("id", "").endswith("-answer")}
    assert answers["reflection_scaling-answer"] == "YOUR ANSWER HERE"
    for cell_id, source in answers.items():
        name = cell_id.removesuffix("-answer")
        assert f"{name} = '" not in source and "BEGIN SOLUTION" not in source, cell_id


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=course,
                          env=env, capture_output=True, text=True, timeout=300)


def test_a_hand_graded_free_response_reaches_nbgrader_export(tmp_path):
    course = tmp_path / "course"
    assert run_cli("course", "init", str(course), "--course", "t1", "--assignment",
                   CH01).returncode == 0
    for student, notebook in (("alice", MASTER), ("bob", RELEASED)):
        folder = course / "submitted" / student / CH01
        folder.mkdir(parents=True)
        shutil.copyfile(notebook, folder / f"{NOTEBOOK}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-27 10:00:00.000000 UTC\n")
    proc = run_cli("autograde", CH01, "--course-dir", str(course), "--workers", "2")
    assert proc.returncode == 0, proc.stderr

    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db, "t1") as gb:
        alice = gb.find_submission_notebook(NOTEBOOK, CH01, "alice")
        grades = {g.name: g for g in alice.grades}
        essay = grades["reflection_scaling"]
        # The autograder left the free response alone: it waits for a person.
        assert essay.auto_score is None and essay.needs_manual_grade
        assert grades["origins_principles"].auto_score == 2
        assert alice.needs_manual_grade and alice.score == 11
        # A TA grades it, as the formgrader does: a manual score on the grade.
        essay.manual_score = 2.5
        gb.db.commit()

    out = _nbgrader(course, "export", "--to", str(course / "grades.csv"))
    assert out.returncode == 0, out.stderr
    with open(course / "grades.csv") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == CH01}
    assert float(rows["alice"]["score"]) == 11 + 2.5
    assert float(rows["alice"]["max_score"]) == 11 + 3
    assert float(rows["bob"]["score"]) == 0
