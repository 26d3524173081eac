"""Chapter 2 (``ch02_preliminaries``): the reference against values known from the book,
one property per tricky unit, and the questions/notebook staying in step.

The generic verdicts (solution full, blank zero, mistakes lose exactly their questions)
live in ``tests/test_chapters.py``; these tests catch a wrong answer key, which the
generic ones cannot, since they grade against it.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys

import nbformat
import numpy as np
import pytest
import torch
from torch import nn

from autograder.fixtures import make_plan
from autograder.spec import load_assignment
from reference_impl import ch02_preliminaries as ref

from .conftest import ROOT

ASSIGNMENT, NOTEBOOK = "ch02_preliminaries", "tensors_autograd"
BOOK_X = torch.arange(12, dtype=torch.float32).reshape(3, 4)
BOOK_Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])


# ---- §2.2 against the book's printed values ----------------------------------------

def test_make_tensors_book_shapes_and_dtypes():
    out = ref.make_tensors(3, 4, [[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    assert out["shape"] == [3, 4] and type(out["shape"]) is list
    assert out["numel"] == 12 and type(out["numel"]) is int
    assert out["zeros"].shape == (2, 3, 4) and out["ones"].shape == (3, 4)
    assert torch.equal(out["Y"], BOOK_Y)
    assert all(out[k].dtype == torch.float32 for k in ("X", "zeros", "ones", "Y"))
    assert out["X"][2, 3].item() == 11


def test_matrix_ops_book_values():
    out = ref.matrix_ops(BOOK_X, BOOK_Y)
    assert out["sum"] == 66.0
    assert out["norm"] == pytest.approx(math.sqrt(506), rel=1e-6)
    assert out["cat_rows"].shape == (6, 4) and out["cat_cols"].shape == (3, 8)
    assert torch.equal(out["cat_rows"][3:], BOOK_Y) and torch.equal(out["cat_cols"][:, :4], BOOK_X)
    assert out["equal"].dtype == torch.bool
    assert out["equal"].nonzero().tolist() == [[0, 1], [0, 3]]  # 1 == 1 and 3 == 3 in row 0
    assert torch.equal(out["XYt"], torch.tensor([[18.0, 20, 10], [58, 60, 50], [98, 100, 90]]))


def test_broadcast_add_book_example_and_rule():
    assert torch.equal(ref.broadcast_add(3, 2), torch.tensor([[0.0, 1], [1, 2], [2, 3]]))
    out = ref.broadcast_add(4, 6)
    i, j = torch.meshgrid(torch.arange(4), torch.arange(6), indexing="ij")
    assert out.shape == (4, 6) and torch.equal(out, (i + j).float())


def test_index_and_assign_returns_copies_and_writes_into_the_caller():
    X = BOOK_X.clone()
    out = ref.index_and_assign(X)
    assert torch.equal(out["rows_1_2"], BOOK_X[1:3])  # not changed by the later writes
    assert torch.equal(out["last_row"], BOOK_X[-1]) and out["element"] == 6.0
    assert X[1, 2].item() == 9 and torch.all(X[0] == 12)
    assert torch.equal(X[2], BOOK_X[2])


def test_inplace_ops_memory_answers_and_caller_tensor():
    X, Y = BOOK_X.clone(), BOOK_Y.clone()
    out = ref.inplace_ops(X, Y)
    assert [out[k] for k in ("y_new_memory", "z_slice_kept", "z_out_kept", "x_iadd_kept")] \
        == [True, True, True, True]
    assert all(type(out[k]) is bool for k in out if k != "Z")
    assert torch.equal(out["Z"], 2 * BOOK_X + BOOK_Y)  # Z = X + (Y + X)
    assert torch.equal(X, 2 * BOOK_X + BOOK_Y)  # X += (Y + X), seen by the caller
    assert torch.equal(Y, BOOK_Y)  # Y = Y + X only rebinds the local name


def test_numpy_roundtrip_sharing_and_dtype():
    out = ref.numpy_roundtrip(2, 3)
    base = np.arange(6, dtype=np.float64).reshape(2, 3)
    assert out["D"].dtype == torch.float64 and out["back"].dtype == np.float64
    assert np.array_equal(out["D"].numpy(), 2 * base)  # shared with P
    assert np.array_equal(out["E"].numpy(), base + 1)  # copied before P *= 2
    assert np.array_equal(out["back"], base + 1) and np.array_equal(out["P"], 2 * base)
    assert np.shares_memory(out["D"].numpy(), out["P"])


# ---- §2.3 against hand-derived gradients --------------------------------------------

def test_grad_of_2xTx_is_4x():
    assert torch.equal(ref.grad_of_2xTx(torch.arange(4, dtype=torch.float32)),
                       torch.tensor([0.0, 4, 8, 12]))
    x = torch.randn(9, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(ref.grad_of_2xTx(x), 4 * x, rtol=1e-12, atol=0)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_control_flow_grad_equals_c_over_a(sign):
    g = torch.Generator().manual_seed(3)
    for n in (1, 4):
        a = sign * (torch.rand(n, generator=g, dtype=torch.float64) + 0.1)
        c = ref.f(a)
        k = c / a
        assert torch.allclose(k, k[0].expand_as(k), rtol=1e-12)  # c = k·a
        assert c.norm() >= 1000 if sign > 0 else c.norm() >= 100_000
        assert torch.allclose(ref.control_flow_grad(a), k, rtol=1e-12)


def test_grad_accumulation_adds_then_resets():
    x = torch.tensor([1.0, -2.0, 0.5])
    out = ref.grad_accumulation(x)
    assert torch.equal(out["first"], 4 * x) and torch.equal(out["second"], 8 * x)
    assert torch.equal(out["after_zero"], torch.ones(3))
    assert x.grad is None and not x.requires_grad  # the caller's tensor is untouched


def test_nonscalar_backward_is_a_vector_jacobian_product():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(5, generator=g, dtype=torch.float64)
    v = torch.randn(5, generator=g, dtype=torch.float64)
    assert torch.allclose(ref.nonscalar_backward(x, v), 2 * x * v, rtol=1e-12)
    leaf = x.clone().requires_grad_(True)
    (leaf * leaf).sum().backward()  # all-ones weights: the gradient of y.sum(), MXNet's way
    assert torch.equal(ref.nonscalar_backward(x, torch.ones(5, dtype=torch.float64)), leaf.grad)


def test_mode_flags_split_recording_from_training():
    torch.manual_seed(0)
    linear = nn.Linear(3, 2)
    net = nn.Sequential(linear, nn.Dropout(0.9))
    X = torch.randn(4, 3)
    out = ref.mode_flags(net, X)
    assert (out["grad_enabled"], out["records"]) == (True, True)
    assert (out["grad_enabled_in_no_grad"], out["records_in_no_grad"]) == (False, False)
    assert (out["training_at_start"], out["training_after_eval"],
            out["training_after_train"]) == (True, False, True)
    with torch.no_grad():
        assert torch.equal(out["eval_output"], linear(X))  # dropout is off in eval mode
    assert net.training


# ---- §2.4 -----------------------------------------------------------------------------

def test_find_members_filters_dir():
    normals = ref.find_members(torch.distributions, "Normal")
    assert {"Normal", "LogNormal", "MultivariateNormal"} <= set(normals)
    assert normals == sorted(normals)
    linear = nn.Linear(2, 2)
    names = ref.find_members(linear, "param")
    assert "parameters" in names and "_parameters" not in names
    assert names == [n for n in dir(linear) if "param" in n and n[0] != "_"]


# ---- the spec and the master notebook ---------------------------------------------

@pytest.fixture(scope="module")
def spec():
    return load_assignment(ROOT / "solutions" / ASSIGNMENT)


def test_every_question_has_public_and_distinct_hidden_cases(spec):
    from autograder import wire

    nb = spec.notebook(NOTEBOOK)
    plan = make_plan(spec, nb)
    assert 10 <= len(plan["questions"]) <= 14
    for q in plan["questions"]:
        public = [c for c in q["cases"] if c["public"]]
        hidden = [c for c in q["cases"] if not c["public"]]
        assert len(public) >= 1 and len(hidden) >= 2, q["name"]
        texts = [json.dumps(wire.encode(c["args"])[0]) + repr(
            [a.tolist() for a in wire.encode(c["args"])[1].values()]) for c in q["cases"]]
        assert len(set(texts)) == len(texts), f"{q['name']}: two cases with the same inputs"
        assert 1 <= q["points"] <= 2


def test_master_notebook_matches_spec_and_generator(spec):
    master = ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(master, as_version=4)
    assert nb.metadata["d2l"] == {"assignment": ASSIGNMENT, "notebook": NOTEBOOK}
    checks = {c.id: c for c in nb.cells if c.id.endswith("-check")}
    for q in spec.notebook(NOTEBOOK).questions:
        cell = checks[f"{q.name}-check"]
        assert cell.source == f'check("{q.name}")'
        assert cell.metadata["nbgrader"]["points"] == q.points
        answer = next(c for c in nb.cells if c.id == f"{q.name}-answer")
        assert f"def {q.name}(" in answer.source and "### BEGIN SOLUTION" in answer.source
    module_spec = importlib.util.spec_from_file_location(
        "gen_ch02", ROOT / "scripts" / "notebooks" / "ch02_preliminaries.py")
    gen = importlib.util.module_from_spec(module_spec)
    sys.modules["gen_ch02"] = gen  # dataclasses look their module up while the file runs
    try:
        module_spec.loader.exec_module(gen)
    finally:
        del sys.modules["gen_ch02"]
    assert json.loads(nbformat.writes(gen.build())) == json.loads(nbformat.writes(nb))
