"""Chapter 11 (附录): the reference's known values and the checks only this chapter has.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``.  Here: norms of simple vectors, a 2×2 eigen-decomposition, the
hand-written derivatives against autograd in float64, the Bayes table of the public
case, the sampling invariant (it passes the reference and fails samples from the wrong
distribution), and the §11.5 byte counts against real torch modules and optimizers.
"""

from __future__ import annotations

import math
import sys

import nbformat
import pytest
import torch
from torch import nn

from autograder.kinds import new
from autograder.spec import args, load_assignment
from reference_impl import ch11_appendix as ref

from .conftest import ROOT

F64 = torch.float64


@pytest.fixture(scope="module")
def questions():
    """The chapter's questions.py module (for its layer descriptions and invariant)."""
    load_assignment(ROOT / "solutions" / "ch11_appendix")
    return sys.modules["_d2l_questions_ch11_appendix.questions"]


# ---- §11.1 ------------------------------------------------------------------------------

def test_the_masters_choice_answers_are_the_keys(questions):
    master = nbformat.read(ROOT / "solutions" / "ch11_appendix" / "math_exercises.ipynb",
                           as_version=4)
    sources = {c.get("id"): c.source for c in master.cells}
    for q in questions.NOTATION:
        assert q.options == "ABCD"
        assert f"{q.name} = {q.reference[0]!r}" in sources[f"{q.name}-answer"]


# ---- §11.2 linear algebra ---------------------------------------------------------------

def test_norms_of_simple_vectors():
    x = torch.tensor([3.0, -4.0], dtype=F64)
    assert ref.lp_norm(x, 2.0).item() == 5.0
    assert ref.lp_norm(x, 1.0).item() == 7.0
    assert ref.lp_norm(torch.tensor([-2.0, 2.0, 2.0, 2.0], dtype=F64), 3.0).item() == \
        pytest.approx(32 ** (1 / 3))
    assert ref.lp_norm(x, 200.0).item() == pytest.approx(4.0, rel=1e-3)  # → max |x_i|
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=F64)
    assert ref.frobenius_norm(X).item() == pytest.approx(math.sqrt(30))
    assert ref.frobenius_norm(X).item() == pytest.approx(torch.linalg.norm(X, "fro").item())
    g = torch.Generator().manual_seed(0)
    for p in (1.0, 1.5, 2.0, 3.0):
        v = torch.randn(9, generator=g, dtype=F64)
        assert ref.lp_norm(v, p).item() == pytest.approx(torch.linalg.vector_norm(v, p).item())


@pytest.mark.parametrize(("a", "b"), [([2, 3], [3, 4]), ([5], [5]), ([4, 5], [5]),
                                      ([5], [5, 2]), ([2, 3], [2, 3]), ([3], [4]),
                                      ([6, 1], [1, 6]), ([2, 3], [4])])
def test_matmul_shape_agrees_with_torch(a, b):
    expected = ref.matmul_shape(a, b)
    try:
        got = list((torch.zeros(a) @ torch.zeros(b)).shape)
    except RuntimeError:
        got = None
    assert expected == got


def test_mat_products_shapes():
    out = ref.mat_products(torch.ones(2, 3), torch.ones(3, 2), torch.ones(3))
    assert {k: list(v.shape) for k, v in out.items()} == {
        "Ax": [2], "AB": [2, 2], "BA": [3, 3], "AtA": [3, 3], "hadamard": [2, 3]}


def test_2x2_eigen_decomposition():
    S = torch.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=F64)
    facts = ref.eigen_facts(S)
    assert facts["eigenvalues"].tolist() == pytest.approx([1.0, 3.0])
    assert torch.allclose(facts["top_projector"], torch.full((2, 2), 0.5, dtype=F64))
    r3 = math.sqrt(3)
    assert torch.allclose(facts["sqrt"], 0.5 * torch.tensor(
        [[1 + r3, r3 - 1], [r3 - 1, 1 + r3]], dtype=F64))
    lam, Q = torch.linalg.eigh(S)
    assert torch.allclose(S @ Q, Q * lam)  # A v = λ v, column by column


def test_eigen_facts_do_not_depend_on_eigenvector_signs(questions):
    S = questions._spd_case(5)(torch.Generator().manual_seed(3)).args[0]
    lam, Q = torch.linalg.eigh(S)
    flipped = Q * torch.tensor([1.0, -1.0, 1.0, -1.0, -1.0], dtype=F64)
    v = flipped[:, -1]
    facts = ref.eigen_facts(S)
    assert torch.allclose(torch.outer(v, v), facts["top_projector"])
    assert torch.allclose(flipped @ torch.diag(lam.sqrt()) @ flipped.T, facts["sqrt"])
    assert torch.allclose(facts["sqrt"] @ facts["sqrt"], S)


# ---- §11.2 calculus: hand-written derivatives equal autograd in float64 -------------------

@pytest.mark.parametrize("n", [2, 3, 6])
def test_quadratic_derivatives_equal_autograd(n):
    g = torch.Generator().manual_seed(n)
    A, b, x = (torch.randn(*s, generator=g, dtype=F64) for s in ((n, n), (n,), (n,)))
    f = lambda v: v @ A @ v + b @ v  # noqa: E731
    got = ref.quadratic_derivatives(A, b, x)
    torch.testing.assert_close(got["grad"], torch.autograd.functional.jacobian(f, x),
                               rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(got["hessian"], torch.autograd.functional.hessian(f, x),
                               rtol=1e-12, atol=1e-12)
    assert not torch.allclose(2 * A @ x + b, got["grad"])  # A is not symmetric


@pytest.mark.parametrize(("m", "n"), [(2, 3), (4, 2), (5, 5)])
def test_sigmoid_layer_jacobian_equals_autograd(m, n):
    g = torch.Generator().manual_seed(10 * m + n)
    W, b, x = (torch.randn(*s, generator=g, dtype=F64) for s in ((m, n), (m,), (n,)))
    auto = torch.autograd.functional.jacobian(lambda v: torch.sigmoid(W @ v + b), x)
    torch.testing.assert_close(ref.sigmoid_layer_jacobian(W, b, x), auto,
                               rtol=1e-12, atol=1e-12)


# ---- §11.2 probability ------------------------------------------------------------------

def test_sample_stats_use_bessels_correction():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=F64)
    out = ref.sample_stats(x)
    assert out["mean"].item() == 2.5
    assert out["var"].item() == pytest.approx(5 / 3)
    assert out["var"].item() == pytest.approx(x.var().item())
    assert out["sem"].item() == pytest.approx(math.sqrt(5 / 12))


def test_bayes_table_of_the_rare_condition():
    prior = torch.tensor([0.9985, 0.0015], dtype=F64)
    likelihood = torch.tensor([[0.99, 0.01], [0.0, 1.0]], dtype=F64)
    out = ref.bayes_table(prior, likelihood)
    p_positive = 0.0015 + 0.9985 * 0.01
    assert out["evidence"].tolist() == pytest.approx([1 - p_positive, p_positive])
    assert out["posterior"][1, 1].item() == pytest.approx(0.0015 / p_positive)
    assert out["posterior"][1, 1].item() == pytest.approx(0.1306, abs=1e-4)
    assert out["posterior"][1, 0].item() == 0.0  # the test has no false negatives
    assert torch.allclose(out["posterior"].sum(dim=0), torch.ones(2, dtype=F64))


@pytest.mark.parametrize(("path", "params", "t"), [
    ("Normal", [2.0, 0.5], 2.5), ("Exponential", [0.5], 3.0), ("Uniform", [-1.0, 3.0], 2.0),
    ("Poisson", [3.0], 4.0)])
def test_true_moments_match_torch_distributions(questions, path, params, t):
    dist = getattr(torch.distributions, path)(*params)
    mu, var, mu4, tail = questions._truth(new(f"torch.distributions.{path}", *params), t)
    assert mu == pytest.approx(float(dist.mean)) and var == pytest.approx(float(dist.variance))
    if path == "Poisson":
        cdf = sum(math.exp(float(dist.log_prob(torch.tensor(float(k))))) for k in range(5))
    else:
        cdf = float(dist.cdf(torch.tensor(t)))
    assert tail == pytest.approx(1 - cdf)
    torch.manual_seed(11)
    x = dist.sample((400_000,)).double()  # the fourth central moment, by brute force
    assert mu4 == pytest.approx(float(((x - mu) ** 4).mean()), rel=0.1)


def test_moments_invariant_passes_the_reference_and_rejects_wrong_samples(questions):
    case = args(new("torch.distributions.Normal", 2.0, 0.5), 2000, 2.5)
    torch.manual_seed(0)
    good = ref.estimate_moments(torch.distributions.Normal(2.0, 0.5), 2000, 2.5)
    assert questions._moments_invariant(good, case) == []

    def summary(x: torch.Tensor) -> dict:
        return {"samples": x, "mean": x.mean().item(), "var": x.var().item(),
                "tail": (x > 2.5).float().mean().item()}

    too_wide = summary(2.0 + 1.0 * torch.randn(2000))  # σ = 1 instead of 0.5
    assert any("standard errors" in en for _, en in
               questions._moments_invariant(too_wide, case))
    population = dict(good, var=good["samples"].var(unbiased=False).item())
    assert questions._moments_invariant(population, case)
    not_floats = dict(good, mean=torch.tensor(good["mean"]))
    assert "Python floats" in questions._moments_invariant(not_floats, case)[0][1]


# ---- §11.5 byte counts against real torch modules ----------------------------------------

def _build(layers: list[dict]) -> nn.Sequential:
    make = {"linear": lambda c: nn.Linear(c["in"], c["out"]),
            "conv": lambda c: nn.Conv2d(c["in"], c["out"], c["kernel"], c["stride"],
                                        c["padding"]),
            "maxpool": lambda c: nn.MaxPool2d(c["kernel"], c["stride"]),
            "relu": lambda c: nn.ReLU(), "sigmoid": lambda c: nn.Sigmoid(),
            "flatten": lambda c: nn.Flatten()}
    return nn.Sequential(*[make[c["type"]](c) for c in layers])


NETS = ["MLP_BOOK", "LENET", "SMALL_CNN", "DEEP_MLP"]


def test_lenet_has_61706_parameters(questions):
    layers, _ = questions.LENET
    assert ref.param_bytes(layers) == 61706 * 4 == 246824


@pytest.mark.parametrize("name", NETS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_param_bytes_equal_a_real_modules(questions, name, dtype):
    layers, _ = getattr(questions, name)
    net = _build(layers).to(dtype)
    size = torch.tensor([], dtype=dtype).element_size()
    assert ref.param_bytes(layers, size) == \
        sum(p.numel() * p.element_size() for p in net.parameters())


@pytest.mark.parametrize("name", NETS)
def test_activation_bytes_equal_the_outputs_of_a_forward_pass(questions, name):
    layers, input_shape = getattr(questions, name)
    net = _build(layers)
    outputs: list[int] = []

    def record(module, _inputs, output):
        if not isinstance(module, nn.Flatten):  # a view: no memory of its own
            outputs.append(output.numel() * output.element_size())

    hooks = [m.register_forward_hook(record) for m in net]
    with torch.no_grad():
        net(torch.zeros(3, *input_shape))
    for h in hooks:
        h.remove()
    assert ref.activation_bytes(layers, input_shape, 3) == sum(outputs)
    assert ref.activation_bytes(layers, input_shape, 3, 2) * 2 == sum(outputs)


@pytest.mark.parametrize("name", ["LENET", "DEEP_MLP"])
def test_optimizer_state_bytes_equal_torch_optimizers_state(questions, name):
    layers, input_shape = getattr(questions, name)
    expected = ref.optimizer_state_bytes(layers)
    for key, make in [("momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
                      ("adam", lambda p: torch.optim.Adam(p)),
                      ("sgd", lambda p: torch.optim.SGD(p, lr=0.1))]:
        net = _build(layers)
        opt = make(net.parameters())
        net(torch.randn(2, *input_shape)).sum().backward()
        opt.step()
        held = sum(v.numel() * v.element_size() for state in opt.state.values()
                   for k, v in state.items() if k != "step" and torch.is_tensor(v))
        assert expected[key] == held, key


def test_training_budget_of_the_books_mlp():
    out = ref.training_budget(203_530, 256 + 256 + 10, 256, "adam", 1)
    # parameters + gradients + two Adam states, then the activations of 256 examples
    assert out["total_bytes"] == 203_530 * 4 * 4 + 522 * 256 * 4 == 3_791_008
    assert out["fits"] is True and type(out["max_batch_size"]) is int


@pytest.mark.parametrize(("n", "per", "opt", "gib", "size"), [
    (61_100_840, 4_600_000, "momentum", 11, 4), (1_200_000, 80_000, "sgd", 0.25, 4),
    (25_557_032, 30_000_000, "adam", 24, 2), (350_000_000, 1_000_000, "adam", 4, 4)])
def test_max_batch_size_is_the_largest_that_fits(n, per, opt, gib, size):
    best = ref.training_budget(n, per, 1, opt, gib, size)["max_batch_size"]
    if best == 0:
        assert not ref.training_budget(n, per, 1, opt, gib, size)["fits"]
    else:
        assert ref.training_budget(n, per, best, opt, gib, size)["fits"]
    assert not ref.training_budget(n, per, best + 1, opt, gib, size)["fits"]
