"""`d2l-grade autograde`: sandboxed verdicts in nbgrader's gradebook, resumable by content."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from .conftest import CH03, COURSE_ID, ROOT, run_cli
from .hidden import hidden_values

STUDENTS = {  # student: (notebook, expected score)
    "alice": (ROOT / "examples" / CH03 / "correct.ipynb", 18.0),
    "bob": (ROOT / "examples" / CH03 / "partly_wrong.ipynb", 14.0),
    "carol": (ROOT / "examples" / CH03 / "blank.ipynb", 0.0),
    "mallory": (ROOT / "tests" / "adversarial" / "01_monkeypatch_blank.ipynb", 0.0),
}


def _submit(course: Path, student: str, notebook: Path) -> None:
    folder = course / "submitted" / student / CH03
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, folder / "linear_softmax.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-27 10:00:00.000000 UTC\n")


def _export(course: Path) -> dict[str, float]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "export", "--to",
                    str(course / "grades.csv")], cwd=course, env=env, check=True,
                   capture_output=True)
    with open(course / "grades.csv") as fh:
        # One row per student and assignment: the course holds every chapter.
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)
                if row["assignment"] == CH03}


def test_autograde_fills_the_gradebook_and_resumes(tmp_path, new_course):
    course = new_course(tmp_path / "course")
    for student, (notebook, _) in STUDENTS.items():
        _submit(course, student, notebook)
    proc = run_cli("autograde", CH03, "--course-dir", str(course), "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    assert "4 to grade" in proc.stdout
    assert _export(course) == {s: score for s, (_, score) in STUDENTS.items()}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        bob = {g.name: g.auto_score for g in gb.find_submission_notebook(
            "linear_softmax", CH03, "bob").grades}
    assert bob["softmax"] == 0 and bob["sgd"] == 0 and bob["train_ch3"] == 3

    # Run again: nothing is graded twice.
    again = run_cli("autograde", CH03, "--course-dir", str(course))
    assert again.returncode == 0 and "4 already graded, 0 to grade" in again.stdout
    # Bob resubmits a corrected notebook: only he is graded again.
    _submit(course, "bob", STUDENTS["alice"][0])
    third = run_cli("autograde", CH03, "--course-dir", str(course))
    assert "3 already graded, 1 to grade" in third.stdout
    assert _export(course)["bob"] == 18.0

    # The class report.
    rep = run_cli("report", CH03, "--course-dir", str(course))
    assert rep.returncode == 0, rep.stderr
    folder = course / "reports" / CH03
    rows = list(csv.DictReader(open(folder / "report.csv")))
    assert {r["student"]: float(r["score"]) for r in rows} == {
        "alice": 18.0, "bob": 18.0, "carol": 0.0, "mallory": 0.0}
    page = (folder / "report.html").read_text()
    assert "softmax</td><td>50% (2/4)" in page and "not implemented" in page
    assert (folder / "scores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_feedback_pages_show_errors_but_no_hidden_expected_value(tmp_path, course, new_course):
    path = new_course(tmp_path / "course")
    wrong = {
        "dave": ROOT / "tests" / "notebooks" / CH03 / "mistake_cross_entropy_wrong_axis.ipynb",
        "erin": ROOT / "tests" / "adversarial" / "03_bad_values.ipynb",
        "bob": STUDENTS["bob"][0],
    }
    for student, notebook in wrong.items():
        _submit(path, student, notebook)
    # frank's accuracy is off by 0.01: a hidden case says it is far off, and no number.
    master = (ROOT / "solutions" / CH03 / "linear_softmax.ipynb").read_text()
    off = tmp_path / "frank.ipynb"
    off.write_text(master.replace("return hits / len(y)", "return hits / len(y) + 0.01"))
    assert off.read_text() != master
    _submit(path, "frank", off)
    wrong["frank"] = off
    assert run_cli("autograde", CH03, "--course-dir", str(path)).returncode == 0
    pages = {s: (path / "feedback" / s / CH03 / "linear_softmax.html").read_text()
             for s in wrong}
    assert "greatest absolute difference" in pages["bob"] and "最大绝对误差" in pages["bob"]
    assert "总分 / Total: 14 / 18" in pages["bob"]
    # (the public case p1 keeps its full detail: got 0.51, expected 0.5, the difference)
    assert "case h1: value outside rtol=1e-05, atol=1e-06, far off<" in pages["frank"]
    assert "case h1: 数值超出容差 rtol=1e-05, atol=1e-06，差得很远<" in pages["frank"]
    hidden, _ = hidden_values(course, CH03, "linear_softmax")
    assert len(hidden) > 100
    for student, page in pages.items():
        leaked = [n for n in hidden if n in page]
        assert not leaked, (student, leaked[:5])


def test_autograde_needs_a_course(tmp_path):
    proc = run_cli("autograde", CH03, "--course-dir", str(tmp_path))
    assert proc.returncode == 2 and "not an nbgrader course" in proc.stderr
    proc = run_cli("report", CH03, "--course-dir", str(tmp_path))
    assert proc.returncode == 2 and "run `d2l-grade autograde` first" in proc.stderr
