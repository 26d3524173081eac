"""Phase 1 reports precise outcomes, and a broken submission still gets a recorded result."""

from __future__ import annotations

import nbformat

from .conftest import notebook_with

SOFTMAX = "def softmax(X):\n    e = X.exp()\n    return e / e.sum(dim=1, keepdim=True)"


def _grade(graded, tmp_path, cells, **limits):
    path = tmp_path / "sub.ipynb"
    nbformat.write(notebook_with(cells), path)
    return graded(path, **limits)


def _q(result, name):
    return next(q for q in result.questions if q.name == name)


def test_endless_cell_is_interrupted_and_later_cells_still_count(graded, tmp_path):
    result = _grade(graded, tmp_path, ["import torch", "while True:\n    pass", SOFTMAX],
                    cell_timeout=2)
    assert result.phase1 == "completed"
    assert _q(result, "softmax").status == "passed"
    assert _q(result, "linreg").status == "missing"
    assert any("code cell 2 ran longer than 2 s" in n["en"] for n in result.notes)
    assert result.score == 2


def test_a_student_who_catches_the_interruption_is_stopped_by_the_notebook_limit(graded,
                                                                                tmp_path):
    stubborn = "while True:\n    try:\n        while True:\n            pass\n" \
               "    except BaseException:\n        pass"
    result = _grade(graded, tmp_path, [SOFTMAX, stubborn], cell_timeout=1, notebook_timeout=6)
    assert result.phase1 == "timeout"
    assert result.score == 0
    reason = _q(result, "softmax").cases[0].reasons[0]["en"]
    assert reason == "the notebook exceeded its 6 s time limit and was stopped"


def test_process_that_exits_midway_is_recorded_with_its_cell(graded, tmp_path):
    result = _grade(graded, tmp_path, ["import torch", SOFTMAX, "import os\nos._exit(3)"])
    assert result.phase1 == "died"
    assert result.score == 0 and result.max_score == 18
    reason = _q(result, "softmax").cases[0].reasons[0]["en"]
    assert reason == "the process running the notebook died at code cell 3 (exit code 3)"


def test_slow_case_times_out_alone(graded, tmp_path):
    slow = "def linreg(X, w, b):\n    while True:\n        pass"
    result = _grade(graded, tmp_path, ["import torch", SOFTMAX, slow], case_timeout=1)
    assert _q(result, "linreg").status == "timeout"
    assert _q(result, "softmax").status == "passed"


def test_unstorable_or_cheating_return_values_score_zero(graded, tmp_path):
    cheat = ("class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n"
             "def softmax(X):\n    return AlwaysEqual()\n"
             "class Sneaky(__import__('torch').Tensor):\n    pass\n"
             "def linreg(X, w, b):\n    return (X @ w + b).as_subclass(Sneaky)\n"
             "def squared_loss(y_hat, y):\n    raise SystemExit(0)")
    result = _grade(graded, tmp_path, ["import torch", cheat])
    assert result.phase1 == "completed"
    assert result.score == 1  # linreg only, below
    assert _q(result, "softmax").status == "bad_output"
    assert "cannot be stored" in _q(result, "softmax").cases[0].reasons[0]["en"]
    assert _q(result, "squared_loss").status == "raised"
    # A tensor subclass is stored as a plain tensor: it is compared as data, and is right.
    assert _q(result, "linreg").status == "passed"


def test_files_written_by_the_notebook_are_never_read(graded, tmp_path):
    forge = ("import json, os, numpy as np\n"
             "for name in ('harvest.json', 'results.json', '/tmp/harvest.json'):\n"
             "    open(name, 'w').write(json.dumps({'score': 18, 'cells': [], 'results': {}}))\n"
             "np.savez('harvest.npz')\n"
             "os._exit(0)")
    result = _grade(graded, tmp_path, [SOFTMAX, forge])
    assert result.phase1 == "died"
    assert result.score == 0


FRAME = (
    "import json, os, sys, io, numpy as np\n"
    "fd = int(sys.argv[-1])\n"
    "def send(tree, npz=b''):\n"
    "    if not npz:\n"
    "        buf = io.BytesIO(); np.savez(buf); npz = buf.getvalue()\n"
    "    data = json.dumps(tree).encode()\n"
    "    os.write(fd, f'result {len(data)} {len(npz)}\\n'.encode() + data + npz)\n"
)


def test_forged_result_frame_is_read_as_data_only(graded, tmp_path):
    forge = FRAME + (
        "send({'$dict': [['cells', []], ['results', {'$dict': [['softmax/h1', {'$dict': [\n"
        "    ['status', 'ok'],\n"
        "    ['value', {'$recipe': 'ref', 'params': {'$dict': [['name', 'x']]}}]]}]]}]]})\n"
        "os._exit(0)")
    result = _grade(graded, tmp_path, [forge])
    assert result.phase1 == "completed"
    softmax = _q(result, "softmax")
    assert softmax.cases[1].status == "failed"
    assert "unsupported type" in softmax.cases[1].reasons[0]["en"]
    assert _q(result, "linreg").cases[0].status == "no_result"
    assert result.score == 0


def test_garbage_result_frame_makes_the_run_invalid_not_a_crash(graded, tmp_path):
    forge = FRAME + "send('{not json')\nos._exit(0)"
    forge = forge.replace("data = json.dumps(tree).encode()", "data = tree.encode()")
    result = _grade(graded, tmp_path, [forge])
    assert result.phase1 == "invalid"
    assert result.score == 0
    assert "not valid JSON" in _q(result, "softmax").cases[0].reasons[0]["en"]


def test_omp_num_threads_of_the_grader_reaches_the_notebook(monkeypatch, course):
    """The sandbox passes no environment on: OMP_NUM_THREADS becomes the notebook's torch
    thread count unless the limits name one; unset or nonsense leaves torch's default."""
    from autograder.grade import Grader
    from autograder.runner import Limits

    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert Grader(course).limits.threads == 3
    assert Grader(course, Limits(threads=2)).limits.threads == 2
    monkeypatch.setenv("OMP_NUM_THREADS", "many")
    assert Grader(course).limits.threads == 0
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert Grader(course).limits.threads == 0
