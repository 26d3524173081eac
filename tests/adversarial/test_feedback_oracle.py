"""Second review, findings 2 and 3: feedback on hidden cases is not an oracle.

"got 0.0 … absolute difference X" told a student |expected| to three digits, so a lookup
table scored in full on a second submission; the greatest difference and its index gave
away one array element per submission; a hidden case's exception message printed the
hidden inputs.  Hidden-case feedback now says what kind of mismatch it is and how many
elements, one coarse word for how far, the exception's type (Python's own names only)
and where in the student's cells — never a number from which the expected value follows.
"""

from __future__ import annotations

import re

import nbformat
import pytest
import torch

from autograder.course import find_course
from autograder.fixtures import load_fixtures

from ..conftest import CH03, MASTER, ROOT

#: accuracy answers 0.0, softmax a wrong array of the right shape, sgd raises with the
#: hidden inputs in its message, squared_loss raises a class named after a value.
PROBE = '''
def accuracy(y_hat, y):
    return 0.0

def softmax(X):
    return X * 0 + 0.5

def sgd(params, lr, batch_size):
    raise ValueError("inputs: " + repr(params) + repr(lr) + repr(batch_size))

def squared_loss(y_hat, y):
    raise type("Leak_" + str(float(y.reshape(-1)[0])).replace(".", "_"), (Exception,), {})()
'''

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.fixture(scope="module")
def probed(verdicts, tmp_path_factory):
    nb = nbformat.read(MASTER, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    path = tmp_path_factory.mktemp("oracle") / "probe.ipynb"
    nbformat.write(nb, path)
    [result] = verdicts.grade([path])
    return {q.name: q for q in result.questions}


def _hidden(question):
    return [c for c in question.cases if not c.public]


def _expected_numbers(question: str) -> set[str]:
    """Every way the hidden expected values of ``question`` could be printed."""
    _, expected = load_fixtures(find_course(ROOT), CH03, "linear_softmax")
    out = set()
    for key, value in expected.items():
        if not key.startswith(question + "/h"):
            continue
        flat = torch.as_tensor(value, dtype=torch.float64).reshape(-1).tolist() \
            if not isinstance(value, float) else [value]
        for x in flat[:50]:
            for fmt in ("{:.3g}", "{:.4g}", "{:g}", "{}"):
                out.add(fmt.format(abs(x)))
    return {n for n in out if n not in ("0", "1", "0.0", "1.0")}


def test_a_hidden_scalar_says_how_far_in_one_word_and_nothing_to_recover(probed):
    cases = _hidden(probed["accuracy"])
    assert cases and not any(c.passed for c in cases)
    expected = _expected_numbers("accuracy")
    for case in cases:
        for lang in ("en", "zh"):
            reason = case.reasons[0][lang]
            numbers = set(NUMBER.findall(reason))
            assert not numbers & expected, reason
            assert "0.0" not in reason  # the student's own answer is not echoed either
        assert case.reasons[0]["en"].endswith(("far off", "near the tolerance (within 10×)"))
    print("\nhidden scalar feedback:", cases[0].reasons[0]["en"], "|", cases[0].reasons[0]["zh"])


def test_a_hidden_array_gives_counts_not_differences_or_indices(probed):
    cases = _hidden(probed["softmax"])
    assert cases and not any(c.passed for c in cases)
    expected = _expected_numbers("softmax")
    for case in cases:
        en = case.reasons[0]["en"]
        assert "elements" in en and "outside" in en
        assert "index" not in en and "difference" not in en
        assert not set(NUMBER.findall(en)) & expected, en


def test_a_hidden_exception_shows_its_type_and_line_not_its_message(probed):
    for case in _hidden(probed["sgd"]):
        en, zh = case.reasons[0]["en"], case.reasons[0]["zh"]
        assert case.status == "raised"
        assert en.startswith("raised ValueError on a hidden case at code cell ")
        assert "inputs" not in en and "tensor" not in en and "inputs" not in zh
    for case in _hidden(probed["squared_loss"]):
        en = case.reasons[0]["en"]
        assert "Leak" not in en and "an exception of its own class" in en


def test_public_cases_keep_their_full_detail(probed):
    [public] = [c for c in probed["softmax"].cases if c.public]
    assert "index" in public.reasons[0]["en"]
    [public] = [c for c in probed["sgd"].cases if c.public]
    assert "inputs: " in public.reasons[0]["en"]
