"""Chapter 3 specifics: the README examples, the shape of a reason, the CLI's output.

Full marks, zero and each mistake's exact loss are in tests/test_chapters.py."""

from __future__ import annotations

import json

from .conftest import MASTER, MISTAKES_DIR, RELEASED, ROOT, run_cli


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
