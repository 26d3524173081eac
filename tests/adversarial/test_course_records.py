"""Second review, findings 4 and 5: the course pipeline knows what it expects, and every
record (gradebook, stored verdicts, feedback page) says the same thing.

4. The chapter-7 solution handed in as ``ch03_basics/linear_softmax`` was graded by its own
   metadata: 25/25 on the feedback page while the gradebook had 0/18.
5. A student nbgrader could not record still got a feedback page with d2l's score, and a
   student id with glob characters (``s[1]`` beside ``s1``) was never recorded while the
   CLI counted it as recorded.
"""

from __future__ import annotations

import json
import shutil

from ..conftest import CH03, ROOT, run_cli
from ..test_nbgrader_autograde import _export, _submit

CH07 = ROOT / "solutions" / "ch07_optimization" / "optimizers.ipynb"
CORRECT = ROOT / "examples" / CH03 / "correct.ipynb"




def _stored(course, student):
    return json.loads((course / "d2l_results" / CH03 / student / "linear_softmax.json")
                      .read_text())


def test_a_notebook_claiming_another_assignment_scores_zero_everywhere(tmp_path, new_course):
    course = new_course(tmp_path / "course")
    _submit(course, "eve", CH07)  # the ch07 solution, handed in as ch03's linear_softmax
    _submit(course, "alice", CORRECT)
    proc = run_cli("autograde", CH03, "--course-dir", str(course), "--workers", "2")
    # nbgrader cannot record a notebook that is not this assignment's: the run says who
    # and why, and exits non-zero.
    assert proc.returncode == 1
    [line] = [x for x in proc.stderr.splitlines() if "eve" in x]
    assert "handed in as ch03_basics/linear_softmax" in line and "ch07_optimization" in line
    eve = _stored(course, "eve")
    assert eve["score"] == 0 and eve["max_score"] == 18 and eve["phase1"] == "wrong_notebook"
    assert _export(course).get("eve", 0.0) == 0.0 and _export(course)["alice"] == 18.0
    assert not (course / "feedback" / "eve").exists()  # no page with a score it lacks
    rep = run_cli("report", CH03, "--course-dir", str(course))
    assert rep.returncode == 0, rep.stderr
    rows = (course / "reports" / CH03 / "report.csv").read_text()
    assert "25" not in rows and "eve" in rows


def test_a_glob_student_id_is_refused_and_said(tmp_path, new_course):
    course = new_course(tmp_path / "course")
    _submit(course, "s1", CORRECT)
    _submit(course, "s[1]", CORRECT)
    proc = run_cli("autograde", CH03, "--course-dir", str(course), "--workers", "2")
    assert proc.returncode == 1
    assert "s[1]: not a valid student id" in proc.stderr
    assert f"{CH03}: 1 students recorded in the gradebook" in proc.stdout
    assert not (course / "feedback" / "s[1]").exists()
    assert _export(course) == {"s1": 18.0}


def test_a_student_nbgrader_cannot_record_gets_no_feedback_page(tmp_path, new_course):
    course = new_course(tmp_path / "course")
    _submit(course, "alice", CORRECT)
    broken = json.loads(CORRECT.read_text())
    graded = [c for c in broken["cells"] if c.get("metadata", {}).get("nbgrader", {})
              .get("grade")]
    graded[1]["metadata"]["nbgrader"]["grade_id"] = graded[0]["metadata"]["nbgrader"][
        "grade_id"]  # two grade cells with one id: nbgrader's autograde refuses it
    path = tmp_path / "dup.ipynb"
    path.write_text(json.dumps(broken))
    _submit(course, "bob", path)
    proc = run_cli("autograde", CH03, "--course-dir", str(course), "--workers", "2")
    assert proc.returncode == 1, proc.stdout
    assert "bob: " in proc.stderr
    assert f"{CH03}: 1 students recorded in the gradebook" in proc.stdout
    assert (course / "feedback" / "alice" / CH03 / "linear_softmax.html").exists()
    assert not (course / "feedback" / "bob").exists()
    shutil.rmtree(course / "submitted" / "bob")
