"""End-to-end verdicts on chapter 3's notebook: full marks, zero, and exact losses."""

from __future__ import annotations

import json

import pytest

from .conftest import MASTER, MISTAKES, MISTAKES_DIR, RELEASED, ROOT, run_cli


def test_master_solution_scores_full_marks(graded):
    result = graded(MASTER)
    assert result.phase1 == "completed"
    assert result.max_score == 18
    assert result.score == result.max_score, [
        (q.name, q.summary("en")) for q in result.questions if q.status != "passed"]


def test_released_blank_notebook_scores_zero_with_not_implemented(graded):
    result = graded(RELEASED)
    assert result.score == 0
    assert len(result.questions) == 13
    for q in result.questions:
        assert q.status == "not_implemented", (q.name, q.status)
        assert all(c.reasons[0]["en"].startswith("not implemented") for c in q.cases)


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m["file"] for m in MISTAKES])
def test_each_mistake_loses_exactly_its_question(graded, mistake):
    result = graded(MISTAKES_DIR / mistake["file"])
    for q in result.questions:
        if q.name in mistake["breaks"]:
            assert q.score == 0, (q.name, q.score)
            assert q.status in ("failed", "raised"), q.status
        else:
            assert q.score == q.max_score, (mistake["file"], q.name, q.summary("en"))
    lost = sum(q.max_score for q in result.questions if q.name in mistake["breaks"])
    assert result.score == result.max_score - lost


def test_partly_wrong_example_loses_softmax_and_sgd(graded):
    result = graded(ROOT / "examples" / "ch03_basics" / "partly_wrong.ipynb")
    lost = {q.name for q in result.questions if q.score < q.max_score}
    assert lost == {"softmax", "sgd"}
    assert result.score == 14


def test_failure_reason_is_structured_and_bilingual(graded):
    result = graded(MISTAKES_DIR / "mistake_softmax_no_row_norm.ipynb")
    softmax = next(q for q in result.questions if q.name == "softmax")
    reason = softmax.cases[0].reasons[0]
    assert reason["en"].startswith("softmax › case p1:")
    assert "greatest absolute difference" in reason["en"]
    assert "最大绝对误差" in reason["zh"]


def test_cli_grades_several_notebooks_and_writes_gradescope_json(tmp_path):
    out = tmp_path / "results.json"
    proc = run_cli("grade", str(MASTER), str(RELEASED), "--json", str(out), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "total" in proc.stdout and "18" in proc.stdout
    data = json.loads(out.read_text())
    assert isinstance(data, list) and len(data) == 2
    assert data[0]["score"] == 18 and data[1]["score"] == 0
    for entry in data:
        assert {"name", "score", "max_score", "output"} <= set(entry["tests"][0])
        assert len(entry["tests"]) == 13


def test_cli_single_notebook_json_is_one_object_in_chinese(tmp_path):
    out = tmp_path / "results.json"
    proc = run_cli("grade", str(RELEASED), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert isinstance(data, dict) and data["score"] == 0
    assert "尚未实现" in data["tests"][0]["output"]
    assert "题目" in proc.stdout  # the table's header in zh, the default language
