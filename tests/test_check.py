"""``check("name")`` in the student's notebook: passes for the solution, explains a mistake."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.check import Checker
from autograder.grade import prepare_data
from reference_impl import ch03_basics as ref

from .conftest import CH03, MASTER, MISTAKES_DIR, RELEASED, ROOT

PUBLIC = ROOT / "assignments" / CH03 / "public" / "linear_softmax"


def _check_outputs(notebook_path, tmp_path, course, monkeypatch) -> dict[str, str]:
    """Execute the notebook as a student would (Jupyter kernel, beside its public folder)
    and return each check cell's printed text by question name."""
    shutil.copytree(PUBLIC, tmp_path / "public" / "linear_softmax")
    nb = nbformat.read(notebook_path, as_version=4)
    data = prepare_data(course, CH03, course.spec(CH03).notebook("linear_softmax"))
    monkeypatch.setenv("D2L_DATA_DIR", str(data))
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith('check("'):
            name = cell.source.split('"')[1]
            out[name] = "".join(o.get("text", "") for o in cell.outputs)
    return out


@pytest.mark.parametrize("notebook", [MASTER, MISTAKES_DIR / "mistake_softmax_no_row_norm.ipynb"],
                         ids=["solution", "softmax-mistake"])
def test_check_cells_in_a_real_kernel(notebook, tmp_path, course, monkeypatch):
    outputs = _check_outputs(notebook, tmp_path, course, monkeypatch)
    assert len(outputs) == 13
    for name, text in outputs.items():
        if notebook != MASTER and name == "softmax":
            assert text.startswith("✗ softmax：0/1 个公开用例通过"), text
            assert "0 of 1 public cases passed" in text
            assert "softmax › case p1: 10/10 elements (100.0%) are outside rtol" in text
            assert "最大绝对误差" in text
        else:
            assert text.startswith(f"✓ {name}："), (name, text)
            assert "1 of 1 public cases passed" in text


def test_check_on_the_blank_notebook_says_not_implemented(tmp_path, course, monkeypatch):
    outputs = _check_outputs(RELEASED, tmp_path, course, monkeypatch)
    assert all("尚未实现" in t and "not implemented" in t for t in outputs.values())


def _namespace(**overrides):
    names = ["synthetic_data", "data_iter", "linreg", "squared_loss", "sgd",
             "get_fashion_mnist_labels", "softmax", "net", "cross_entropy", "accuracy",
             "evaluate_accuracy", "train_ch3", "softmax_regression_concise"]
    ns = {n: getattr(ref, n) for n in names}
    ns.update(overrides)
    return ns


def test_checker_api_reports_pass_and_fail_per_case():
    check = Checker(CH03, "linear_softmax", folder=PUBLIC)
    [(case_id, ok, reasons)] = check.results("accuracy", _namespace())
    assert (case_id, ok, reasons) == ("p1", True, [])
    wrong = _namespace(accuracy=lambda y_hat, y: float((y_hat.argmax(0)[:len(y)] == y).sum()))
    [(case_id, ok, reasons)] = check.results("accuracy", wrong)
    assert not ok
    zh, en = reasons[0]
    assert en.startswith("accuracy › case p1: value outside rtol=1e-05")
    assert "got 0.0, expected 0.5" in en  # public cases may show the expected value


def test_checker_prints_in_one_language(capsys):
    check = Checker(CH03, "linear_softmax", lang="en", folder=PUBLIC)
    softmax = lambda X: X  # noqa: E731 - a wrong answer defined in the "notebook"
    globals()["softmax"] = softmax
    try:
        check("softmax")
    finally:
        del globals()["softmax"]
    text = capsys.readouterr().out
    assert text.startswith("✗ softmax: 0 of 1 public cases passed")
    assert "个" not in text


def test_checker_without_public_fixtures_is_quiet_advice(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    check = Checker(CH03, "linear_softmax", lang="en")
    check("softmax")
    check("softmax")
    assert capsys.readouterr().out.count("self-check skipped") == 1
