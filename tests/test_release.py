"""The released notebook has no solutions; the released fixtures have no hidden cases."""

from __future__ import annotations

import json
import re
import shutil

import nbformat

from autograder import wire
from autograder.course import find_course
from autograder.release import release, student_notebook

from .conftest import CH03, MASTER, RELEASED, ROOT

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def test_committed_student_notebook_is_what_release_writes():
    fresh = student_notebook(MASTER)
    committed = nbformat.read(RELEASED, as_version=4)
    assert json.loads(nbformat.writes(fresh)) == json.loads(nbformat.writes(committed))


def test_student_notebook_has_no_solution_code_and_keeps_the_checks():
    master = nbformat.read(MASTER, as_version=4)
    student = nbformat.read(RELEASED, as_version=4)
    student_code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    assert "BEGIN SOLUTION" not in student_code
    solution_lines = {
        line.strip() for c in master.cells for block in SOLUTION.findall(c.source)
        for line in block.splitlines() if line.strip()
    }
    assert solution_lines
    for cell in student.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            assert "raise NotImplementedError()" in cell.source
            leaked = [s for s in solution_lines if s in cell.source.splitlines()
                      or f"    {s}" in cell.source.splitlines()]
            assert not leaked, (cell.id, leaked)
    checks = [c.source for c in student.cells if c.source.startswith("check(")]
    assert len(checks) == 13
    assert all(not c.outputs for c in student.cells if c.cell_type == "code")


def test_public_fixtures_hold_only_public_cases(course):
    folder = course.public_dir(CH03, "linear_softmax")
    plan = wire.read(folder / "plan")
    expected = wire.read(folder / "expected")
    cases = [c for q in plan["questions"] for c in q["cases"]]
    assert cases and all(c["public"] for c in cases)
    assert all(key.split("/")[1].startswith("p") for key in expected)
    assert len(expected) == len(cases) == 13
    hidden_expected = wire.read(course.fixtures_dir(CH03, "linear_softmax") / "expected")
    assert {k for k in hidden_expected if "/h" in k}.isdisjoint(expected)


def test_release_is_reproducible(tmp_path):
    shutil.copytree(ROOT / "solutions" / CH03, tmp_path / "solutions" / CH03)
    release(find_course(tmp_path), CH03)
    for rel in ("public/linear_softmax/plan.json", "public/linear_softmax/plan.npz",
                "public/linear_softmax/expected.json", "public/linear_softmax/expected.npz",
                "linear_softmax.ipynb", "linear_softmax-otter.zip"):
        fresh = (tmp_path / "assignments" / CH03 / rel).read_bytes()
        assert fresh == (ROOT / "assignments" / CH03 / rel).read_bytes(), rel
