"""`d2l-grade course init`: an nbgrader course whose gradebook nbgrader itself filled."""

from __future__ import annotations

import json

import nbformat
from nbgrader.api import Gradebook

from autograder.course import find_course

from .conftest import CH03, ROOT, run_cli


def test_course_init_registers_the_chapter_through_nbgrader(tmp_path):
    path = tmp_path / "course"
    proc = run_cli("course", "init", str(path), "--course", "d2l-test",
                   "--exchange", str(tmp_path / "exchange"))
    assert proc.returncode == 0, proc.stderr
    config = (path / "nbgrader_config.py").read_text()
    assert "c.CourseDirectory.course_id = 'd2l-test'" in config
    with Gradebook(f"sqlite:///{path / 'gradebook.db'}", "d2l-test") as gb:
        assignment = gb.find_assignment(CH03)
        spec = find_course(ROOT).spec(CH03)
        points = {nb.name: sum(q.points for q in nb.questions) for nb in spec.notebooks}
        assert assignment.max_score == sum(points.values())
        notebooks = {nb.name: nb for nb in assignment.notebooks}
        assert sorted(notebooks) == sorted(points) == ["kaggle_house", "linear_softmax",
                                                        "mlp_regularization"]
        assert sorted(c.name for c in notebooks["linear_softmax"].grade_cells) == sorted([
            "synthetic_data", "data_iter", "linreg", "squared_loss", "sgd",
            "get_fashion_mnist_labels", "softmax", "net", "cross_entropy", "accuracy",
            "evaluate_accuracy", "train_ch3", "softmax_regression_concise"])
        for name, nb in notebooks.items():
            assert nb.max_score == points[name]
            assert len(nb.grade_cells) == len(spec.notebook(name).questions)
    released = nbformat.read(path / "release" / CH03 / "linear_softmax.ipynb", as_version=4)
    code = "\n".join(c.source for c in released.cells if c.cell_type == "code")
    assert "BEGIN SOLUTION" not in code and code.count("raise NotImplementedError()") >= 13
    public = path / "release" / CH03 / "public" / "linear_softmax"
    plan = json.loads((public / "plan.json").read_text())
    assert "expected" not in json.dumps(plan)
    assert not (path / "source" / CH03 / "fixtures").exists()  # hidden cases stay home


def test_course_init_refuses_to_overwrite_without_force(tmp_path):
    # One small chapter: the refusal does not depend on what is registered, and every
    # chapter's ``generate_assignment`` (the test above) costs half a minute of CPU.
    path, one = tmp_path / "course", ("--assignment", "ch01_intro")
    assert run_cli("course", "init", str(path), "--course", "c1", *one).returncode == 0
    proc = run_cli("course", "init", str(path), "--course", "c1", *one)
    assert proc.returncode == 1 and "already holds an nbgrader course" in proc.stderr
    assert run_cli("course", "init", str(path), "--course", "c1", "--force", *one
                   ).returncode == 0
    bad = run_cli("course", "init", str(tmp_path / "x"), "--course", "bad id!")
    assert bad.returncode == 1 and "may hold only" in bad.stderr
