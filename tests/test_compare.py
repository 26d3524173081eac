"""autograder.compare: shape and dtype before values, exact types, explicit reports."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from autograder.compare import Tolerance, compare, plain_type_name
from autograder.messages import render_mismatch


def kinds(actual, expected, tol=None):
    return [m.kind for m in compare(actual, expected, tol)]


def test_equal_values_pass():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert compare(x.clone(), x) == []
    assert compare({"a": [1, (2.5, "s")]}, {"a": [1, (2.5, "s")]}) == []


def test_broadcastable_shape_is_still_wrong():
    expected = torch.zeros(3, 1)
    [m] = compare(torch.zeros(3), expected)
    assert m.kind == "shape" and m.details == {"actual": [3], "expected": [3, 1]}
    assert kinds(torch.zeros(1, 3), torch.zeros(3, 3)) == ["shape"]
    assert kinds(torch.tensor(0.0), torch.zeros(3)) == ["shape"]


def test_dtype_is_checked_before_values():
    assert kinds(torch.zeros(2, dtype=torch.float64), torch.ones(2)) == ["dtype"]
    assert kinds(torch.zeros(2, dtype=torch.int64), torch.zeros(2, dtype=torch.int32)) == ["dtype"]


def test_tensor_is_not_an_array_and_not_a_number():
    assert kinds(np.zeros(2, dtype=np.float32), torch.zeros(2)) == ["type"]
    assert kinds(torch.tensor(0.5), 0.5) == ["type"]
    assert kinds(0.5, torch.tensor(0.5)) == ["type"]


def test_python_numbers():
    assert compare(1, 1.0) == []  # an int where a float is expected is compared as a number
    assert kinds(1.0, 1) == ["type"]  # but integers are exact, and typed
    assert kinds(True, 1) == ["type"]
    assert compare(0.1 + 0.2, 0.3) == []
    assert kinds(0.31, 0.3) == ["scalar_close"]


def test_float_tolerance_rule_and_report():
    expected = torch.tensor([[1.0, 100.0], [0.0, -2.0]])
    actual = expected.clone()
    actual[0, 1] += 0.5
    actual[1, 0] += 1e-3
    [m] = compare(actual, expected)
    assert m.kind == "values_close"
    d = m.details
    assert d["count"] == 2 and d["total"] == 4
    assert d["max_abs"] == pytest.approx(0.5) and d["max_abs_index"] == [0, 1]
    assert d["max_rel"] == math.inf and d["max_rel_index"] == [1, 0]
    assert d["first_index"] == [0, 1]
    assert compare(actual, expected, Tolerance(rtol=1e-2, atol=1e-2)) == []


def test_nan_and_inf():
    expected = torch.tensor([1.0, float("nan"), float("inf")])
    assert compare(expected.clone(), expected) == []
    [m] = compare(torch.tensor([float("nan"), float("nan"), float("inf")]), expected)
    assert m.kind == "nonfinite" and m.details["count"] == 1 and m.details["index"] == [0]
    assert kinds(torch.tensor([1.0, float("nan"), -float("inf")]), expected) == ["nonfinite"]
    # Even an infinite tolerance cannot hide a NaN.
    assert kinds(torch.tensor([1.0, 0.0, float("inf")]), expected,
                 Tolerance(math.inf, math.inf)) == ["nonfinite"]


def test_integers_are_exact():
    [m] = compare(torch.tensor([1, 2, 4]), torch.tensor([1, 2, 3]))
    assert m.kind == "values_exact" and m.details["index"] == [2]
    assert kinds("a", "b") == ["not_equal"]
    assert kinds(["t-shirt"], ["trouser"]) == ["not_equal"]


def test_containers_length_keys_and_paths():
    [m] = compare([1, 2], [1, 2, 3])
    assert m.kind == "length"
    [m] = compare({"a": 1, "c": 2}, {"a": 1, "b": 2})
    assert m.kind == "keys" and m.details == {"missing": ["b"], "extra": ["c"]}
    # A list for a tuple holds the same values (form, not behaviour: issue 30); a
    # sequence for a mapping does not.
    assert kinds((1, 2), [1, 2]) == kinds([1, 2], (1, 2)) == []
    assert kinds((1, 5), [1, 2]) != []  # the values inside are still compared
    assert kinds([1, 2], {"a": 1, "b": 2}) == ["type"]
    [m] = compare([torch.zeros(2), torch.ones(2)], [torch.zeros(2), torch.zeros(2)],
                  path=("sgd", "case p1"))
    assert m.path == ("sgd", "case p1", "[1]")


class Sneaky(torch.Tensor):
    pass


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __abs__(self):
        return 0


def test_subclasses_and_custom_objects_are_refused():
    expected = torch.zeros(2)
    assert kinds(torch.zeros(2).as_subclass(Sneaky), expected) == ["unsupported"]
    assert kinds(torch.nn.Parameter(torch.zeros(2)), expected) == ["unsupported"]
    assert kinds(AlwaysEqual(), 1.0) == ["unsupported"]
    assert kinds([AlwaysEqual()], [1]) == ["unsupported"]

    class MyFloat(float):
        pass

    assert kinds(MyFloat(1.0), 1.0) == ["unsupported"]
    assert plain_type_name(np.float32(1)) == "numpy scalar"
    assert plain_type_name(AlwaysEqual()) is None


def test_unsupported_expected_is_a_spec_bug():
    with pytest.raises(TypeError):
        compare(1, AlwaysEqual())


def test_messages_in_both_languages_and_hidden_values_withheld():
    [m] = compare("bag", "coat", path=("labels", "case h1", "[2]"))
    hidden_en = render_mismatch(m, "en")
    assert hidden_en == "labels › case h1[2]: wrong value: got 'bag', expected (hidden)"
    assert "coat" not in render_mismatch(m, "zh")
    assert "'coat'" in render_mismatch(m, "en", reveal=True)
    [m] = compare(0.75, 0.5, path=("accuracy", "case h2"))
    assert render_mismatch(m, "en") == \
        "accuracy › case h2: value outside rtol=1e-05, atol=1e-06, far off"
    assert "0.5" in render_mismatch(m, "en", reveal=True)
    [m] = compare(torch.ones(2, 3), torch.zeros(2, 3), path=("softmax", "case h1"))
    zh = render_mismatch(m, "zh")
    assert zh.startswith("softmax › case h1: 6/6 个元素（100.0%）超出容差")
    with pytest.raises(ValueError):
        render_mismatch(m, "fr")


def test_an_infinite_tolerance_passes_quietly_even_at_zero():
    """check() compares random answers by structure only (infinite tolerances): no
    RuntimeWarning may reach the student's notebook, where nbgrader validate flags it."""
    import math
    import warnings

    import torch

    from autograder.compare import Tolerance, compare

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compare(torch.tensor([0.0, 1.0, -3.0]), torch.zeros(3),
                       Tolerance(math.inf, math.inf)) == []
        assert compare(torch.tensor([0.5, 2.0]), torch.tensor([0.0, 2.0]),
                       Tolerance(rtol=math.inf, atol=0.1))  # at zero only atol applies
