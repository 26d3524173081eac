"""Chapter 5, notebook ``conv_layers`` (§5.1–5.4): the book's numbers and this notebook's checks.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``; here are the book's printed values, the reference against PyTorch's
own operators, the stand-ins the grader swaps in (given cells of the master notebook),
and the ``learn_kernel`` invariant: that it holds from any start PyTorch's initialisation
can draw, and that it rejects the two classic slips.
"""

from __future__ import annotations

import itertools
import sys

import nbformat
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from reference_impl import ch05_conv_layers as ref

from .conftest import ROOT

BOOK_X = torch.arange(9.0).reshape(3, 3)
BOOK_K = torch.arange(4.0).reshape(2, 2)


def _notebook_spec():
    from autograder.spec import load_assignment

    return load_assignment(ROOT / "solutions" / "ch05_cnn").notebook("conv_layers")


def _kernel_tol() -> float:
    """``KERNEL_TOL`` of the spec module (loaded as a sibling of questions.py)."""
    _notebook_spec()
    return sys.modules["_d2l_questions_ch05_cnn.conv_layers"].KERNEL_TOL


def _book_multi() -> tuple[torch.Tensor, torch.Tensor]:
    X = torch.stack([BOOK_X, BOOK_X + 1])
    K = torch.stack([BOOK_K, BOOK_K + 1])
    return X, K


# ---- §5.1 ---------------------------------------------------------------------------------

def test_corr2d_book_example_and_conv2d_agreement():
    assert ref.corr2d(BOOK_X, BOOK_K).tolist() == [[19.0, 25.0], [37.0, 43.0]]
    g = torch.Generator().manual_seed(0)
    for x_shape, k_shape in [((6, 7), (3, 2)), ((12, 12), (3, 3)), ((5, 4), (5, 4))]:
        X, K = torch.randn(*x_shape, generator=g), torch.randn(*k_shape, generator=g)
        torch.testing.assert_close(ref.corr2d(X, K), F.conv2d(X[None, None], K[None, None])[0, 0],
                                   rtol=1e-5, atol=1e-6)


def test_conv2d_layer_has_weight_and_bias_parameters():
    layer = ref.Conv2D((1, 2))
    assert [(n, tuple(p.shape)) for n, p in layer.named_parameters()] == [("weight", (1, 2)),
                                                                         ("bias", (1,))]
    layer.load_state_dict({"weight": torch.tensor([[1.0, -1.0]]), "bias": torch.tensor([0.5])})
    X = torch.randn(3, 4)
    assert torch.equal(layer(X), ref.corr2d(X, torch.tensor([[1.0, -1.0]])) + 0.5)


def test_edge_detection_marks_both_edges_and_misses_horizontal_ones():
    out = ref.edge_detect()
    assert out["X"].shape == (6, 8) and out["X"][:, 2:6].sum() == 0
    row = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]
    assert out["Y"].tolist() == [row] * 6
    assert torch.equal(out["Y_t"], torch.zeros(8, 5))  # (8, 6) image, 1×2 kernel
    other = ref.edge_detect(5, 9, 3, 7)
    assert (other["Y"][:, 2] == 1).all() and (other["Y"][:, 6] == -1).all()
    assert other["Y"].abs().sum() == 2 * 5


def _learn_cases():
    """The arguments of every ``learn_kernel`` case, as the grader hands them out (the
    committed plan: hidden cases' seeds need the course's secret)."""
    from autograder import wire
    from autograder.course import find_course
    from autograder.spec import Args

    plan = wire.read(find_course(ROOT).fixtures_dir("ch05_cnn", "conv_layers") / "plan")
    (q,) = [q for q in plan["questions"] if q["name"] == "learn_kernel"]
    assert len(q["cases"]) == len(_notebook_spec().question("learn_kernel").cases)
    for case in q["cases"]:
        yield case["id"], Args(tuple(case["args"]), dict(case["kwargs"]))


def _least_squares(X: torch.Tensor, Y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    A = torch.stack([X[:, :-1].flatten(), X[:, 1:].flatten()], 1).double()
    best = torch.linalg.lstsq(A, Y.flatten().double().reshape(-1, 1)).solution.flatten()
    return best, 2 * A.T @ A


def test_learn_kernel_converges_from_every_default_start():
    """Gradient descent on a quadratic is linear in the starting error, so the worst start
    in PyTorch's initialisation box (U(−1/√2, 1/√2) per weight) is one of its corners."""
    tol = _kernel_tol()
    bound = 1 / 2 ** 0.5
    for _, a in _learn_cases():
        X, Y, lr, num_iters = a.args
        best, H = _least_squares(X, Y)
        assert lr * float(torch.linalg.eigvalsh(H)[1]) < 2  # each step lowers the loss
        M = torch.linalg.matrix_power(torch.eye(2, dtype=torch.float64) - lr * H, num_iters)
        worst = max(float((M @ (torch.tensor(c, dtype=torch.float64) - best)).abs().max())
                    for c in itertools.product([-bound, bound], repeat=2))
        assert worst < 0.7 * tol, (lr, num_iters, worst)


def test_learn_kernel_invariant_accepts_the_reference_from_many_seeds():
    q = _notebook_spec().question("learn_kernel")
    for _, a in _learn_cases():
        for seed in range(10):
            torch.manual_seed(seed)
            assert q.invariant(ref.learn_kernel(*a.args), a) == []


def _learn_variant(X, Y, lr, num_iters, *, mean=False, zero_grad=True):
    conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
    X, Y = X.reshape((1, 1) + X.shape), Y.reshape((1, 1) + Y.shape)
    losses = []
    for _ in range(num_iters):
        err = (conv2d(X) - Y) ** 2
        loss = err.mean() if mean else err.sum()
        if zero_grad:
            conv2d.zero_grad()
        loss.backward()
        with torch.no_grad():
            conv2d.weight -= lr * conv2d.weight.grad
        losses.append(loss.item())
    return {"K": conv2d.weight.detach().reshape(1, 2).clone(), "losses": losses}


@pytest.mark.parametrize("slip", [{"mean": True}, {"zero_grad": False}])
def test_learn_kernel_invariant_rejects_mean_loss_and_uncleared_gradients(slip):
    q = _notebook_spec().question("learn_kernel")
    for _, a in _learn_cases():
        for seed in range(5):
            torch.manual_seed(seed)
            assert q.invariant(_learn_variant(*a.args, **slip), a), (slip, a.args[2:], seed)


# ---- §5.2 ---------------------------------------------------------------------------------

BOOK_SETTINGS = [  # kernel, padding, stride, the book's output shape for an 8×8 input
    (3, 1, 1, (8, 8)),
    ((5, 3), (2, 1), 1, (8, 8)),
    (3, 1, 2, (4, 4)),
    ((3, 5), (0, 1), (3, 4), (2, 2)),
]


@pytest.mark.parametrize(("k", "p", "s", "shape"), BOOK_SETTINGS)
def test_padding_and_stride_book_shapes(k, p, s, shape):
    conv2d = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)
    assert tuple(ref.comp_conv2d(conv2d, torch.rand(8, 8)).shape) == shape
    assert ref.conv_out_shape(8, k, p, s) == shape


def test_conv_out_shape_matches_nn_conv2d_everywhere():
    X = torch.rand(1, 1, 11, 9)
    for k, p, s in itertools.product([1, 2, 3, (2, 5)], [0, 1, (1, 2)], [1, 2, (3, 1)]):
        Y = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)(X)
        assert ref.conv_out_shape((11, 9), k, p, s) == tuple(Y.shape[2:]), (k, p, s)


# ---- §5.3 ---------------------------------------------------------------------------------

def test_multi_channel_book_values():
    X, K = _book_multi()
    assert ref.corr2d_multi_in(X, K).tolist() == [[56.0, 72.0], [104.0, 120.0]]
    out = ref.corr2d_multi_in_out(X, torch.stack([K, K + 1, K + 2]))
    assert out.tolist() == [[[56.0, 72.0], [104.0, 120.0]],
                            [[76.0, 100.0], [148.0, 172.0]],
                            [[96.0, 128.0], [192.0, 224.0]]]


def test_multi_channel_reference_matches_conv2d_and_1x1_equals_general():
    g = torch.Generator().manual_seed(1)
    X, K = torch.randn(3, 7, 6, generator=g), torch.randn(4, 3, 3, 2, generator=g)
    torch.testing.assert_close(ref.corr2d_multi_in_out(X, K), F.conv2d(X, K))
    torch.testing.assert_close(ref.corr2d_multi_in(X, K[0]), F.conv2d(X[None], K[:1])[0, 0])
    X, K = torch.rand(3, 3, 3, generator=g), torch.rand(2, 3, 1, 1, generator=g)
    Y1, Y2 = ref.corr2d_multi_in_out_1x1(X, K), ref.corr2d_multi_in_out(X, K)
    assert Y1.shape == (2, 3, 3) and float((Y1 - Y2).abs().max()) < 1e-6
    torch.testing.assert_close(Y1, F.conv2d(X, K))


def test_given_stand_ins_equal_the_reference():
    """The grader swaps corr2d / corr2d_multi_in for the notebook's given cells: they must agree."""
    nb = nbformat.read(ROOT / "solutions" / "ch05_cnn" / "conv_layers.ipynb", as_version=4)
    cells = {c.get("id"): c.source for c in nb.cells}
    namespace = {"torch": torch, "F": F}
    exec(cells["corr2d-torch"], namespace)  # noqa: S102 - our own locked cell
    exec(cells["corr2d-multi-in-torch"], namespace)  # noqa: S102
    g = torch.Generator().manual_seed(2)
    X, K = torch.randn(6, 7, generator=g), torch.randn(3, 2, generator=g)
    torch.testing.assert_close(namespace["corr2d_torch"](X, K), ref.corr2d(X, K))
    X, K = torch.randn(3, 5, 6, generator=g), torch.randn(3, 2, 3, generator=g)
    torch.testing.assert_close(namespace["corr2d_multi_in_torch"](X, K), ref.corr2d_multi_in(X, K))
    isolate = {q.name: q.isolate for q in _notebook_spec().questions if q.isolate}
    assert sorted(isolate) == ["Conv2D", "corr2d_multi_in", "corr2d_multi_in_out", "edge_detect"]


# ---- §5.4 ---------------------------------------------------------------------------------

def test_pool2d_book_values_and_torch_pooling():
    assert ref.pool2d(BOOK_X, (2, 2)).tolist() == [[4.0, 5.0], [7.0, 8.0]]
    assert ref.pool2d(BOOK_X, (2, 2), "avg").tolist() == [[2.0, 3.0], [5.0, 6.0]]
    g = torch.Generator().manual_seed(3)
    X = torch.randn(6, 7, generator=g)
    for size in [(3, 2), (2, 3), (1, 1)]:
        torch.testing.assert_close(ref.pool2d(X, size),
                                   F.max_pool2d(X[None, None], size, stride=1)[0, 0])
        torch.testing.assert_close(ref.pool2d(X, size, "avg"),
                                   F.avg_pool2d(X[None, None], size, stride=1)[0, 0])


def test_maxpool_settings_book_values():
    X = torch.arange(16.0).reshape(1, 1, 4, 4)
    out = ref.maxpool_settings(X)
    assert out["default"].tolist() == [[[[10.0]]]]
    assert out["padded"].tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert out["rect"].tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert out["channels"].shape == (1, 2, 2, 2)
    assert torch.equal(out["channels"][0, 1], out["padded"][0, 0] + 1)
    torch.testing.assert_close(out["padded"], F.max_pool2d(X, 3, stride=2, padding=1))


def test_the_books_padding_for_a_2x3_window_is_illegal_in_pytorch():
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        nn.MaxPool2d((2, 3), padding=(1, 2), stride=(2, 3))(torch.arange(16.0).reshape(1, 1, 4, 4))


def test_a_deleted_given_helper_costs_only_the_questions_graded_with_it(verdicts):
    """Deleting ``corr2d_torch`` (a locked, given cell) takes away the stand-in the grader
    makes from it: the four questions graded with that stand-in fail and name the helper;
    every other question is graded as usual (test_chapters checks the points; this, the
    feedback).  It used to stop the whole harvest: zero for the notebook."""
    path = ROOT / "tests" / "notebooks" / "ch05_cnn" / "mistake_conv_deleted_corr2d_torch.ipynb"
    [result] = verdicts.grade([path])
    assert result.phase1 == "completed"
    uses_it = {"Conv2D", "edge_detect", "corr2d_multi_in", "corr2d_multi_in_out"}
    for q in result.questions:
        if q.name in uses_it:
            assert q.score == 0 and {c.status for c in q.cases} == {"missing"}, q.name
            for case in q.cases:
                assert ["corr2d_torch" in r["en"] and "corr2d_torch" in r["zh"]
                        for r in case.reasons] == [True], (q.name, case.reasons)
        else:
            assert q.score == q.max_score, q.name
