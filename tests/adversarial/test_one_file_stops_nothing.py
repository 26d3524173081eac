"""Second review, finding 1: no single file, however made, stops a batch.

A notebook whose metadata nests lists 100,000 deep made ``json.loads`` raise
``RecursionError``, which escaped ``grade_or_record`` and ended ``grade_batch``: the honest
notebooks after it were never graded.  Now every file gets its own recorded result.
"""

from __future__ import annotations

import json

from autograder.grade import INTERNAL_ERROR, Grader, grade_batch
from autograder.notebook import MAX_CELLS, MAX_DEPTH, NotebookError, read_submission

from ..conftest import MASTER, run_cli
from .corpus import FULL


def _deep(path, depth=100_000):
    nb = json.loads(MASTER.read_text())
    text = json.dumps(nb)
    # Nest a list `depth` deep inside the notebook's metadata, as the attack did.
    text = text.replace('"metadata": {', '"metadata": {"deep": ' + "[" * depth + "]" * depth
                        + ", ", 1)
    path.write_text(text)
    return path


def test_a_deeply_nested_notebook_is_refused_in_one_line(tmp_path):
    for depth in (100_000, MAX_DEPTH + 5):
        path = _deep(tmp_path / f"deep{depth}.ipynb", depth)
        try:
            read_submission(path)
        except NotebookError as exc:
            assert "nested" in str(exc) and "\n" not in str(exc)
        else:
            raise AssertionError(f"a notebook nested {depth} deep was accepted")


def test_too_many_cells_are_refused(tmp_path):
    nb = json.loads(MASTER.read_text())
    nb["cells"] = [{"cell_type": "raw", "metadata": {}, "source": ""}] * (MAX_CELLS + 1)
    path = tmp_path / "cells.ipynb"
    path.write_text(json.dumps(nb))
    try:
        read_submission(path)
    except NotebookError as exc:
        assert "cells" in str(exc)
    else:
        raise AssertionError("accepted")


def test_the_deep_notebook_does_not_stop_the_honest_one_after_it(tmp_path, course):
    deep = _deep(tmp_path / "deep.ipynb")
    results = grade_batch(course, [deep, MASTER], workers=1, warm=True)
    assert results[0].phase1 == "unreadable" and results[0].score == 0
    assert results[1].score == FULL == results[1].max_score


def test_any_exception_of_the_grader_becomes_that_notebooks_result(tmp_path, course,
                                                                  monkeypatch):
    """A bug the next attacker finds must cost one notebook, not the class."""
    broken = tmp_path / "broken.ipynb"
    broken.write_bytes(MASTER.read_bytes())
    real = Grader.grade

    def grade(self, path, expect=None):
        if path.name == "broken.ipynb":
            raise RecursionError("made to fail")
        return real(self, path, expect)

    monkeypatch.setattr(Grader, "grade", grade)
    results = grade_batch(course, [broken, MASTER], workers=1, warm=True)
    assert results[0].phase1 == INTERNAL_ERROR and results[0].score == 0
    assert "internal error" in results[0].error
    assert results[1].score == FULL


def test_grade_cli_with_the_deep_notebook_first_grades_the_honest_one(tmp_path):
    deep = _deep(tmp_path / "deep.ipynb")
    proc = run_cli("grade", str(deep), str(MASTER), "--lang", "en", "--workers", "1")
    assert proc.returncode == 2, proc.stderr  # bad input, said in one line
    assert [line for line in proc.stderr.splitlines() if "deep.ipynb" in line] == [
        f"error: {deep}: not a valid notebook (nested deeper than JSON can be read)"]
    assert "Traceback" not in proc.stderr
    assert "18" in proc.stdout and "linear_softmax" in proc.stdout
