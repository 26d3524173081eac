"""Chapter 11 (附录), one notebook: §11.1 notation, §11.2 mathematics, §11.5 compute budget.

§11.1 is a matching quiz (choice questions: the key is here and in the master's solution
cells only).  §11.2's exercises are computed in torch, in float64 where a formula is
checked, and compared with the reference within float64's default tolerance; the
eigen-decomposition is judged only through sign-invariant quantities (eigenvalues, a
projector, a matrix square root), never raw eigenvectors.  Sampling is judged by an
invariant: the estimates must be those of the samples returned, and each must lie within
four standard errors of the distribution's true value.  §11.5's byte counts are exact
Python integers.  §11.3 (Jupyter), §11.4 (cloud), §11.6 and §11.7 are not graded.

Every question stands alone: ``training_budget`` takes its parameter and activation counts
as numbers, so a mistake in ``param_bytes`` costs only ``param_bytes``.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from autograder.kinds import new
from autograder.spec import (
    Args,
    AssignmentSpec,
    NotebookSpec,
    Question,
    args,
    choice,
    hidden,
    public,
)
from autograder.wire import Recipe
from reference_impl import ch11_appendix as ref

F64 = torch.float64


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g, dtype=F64) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


# ---- §11.1 notation: a matching quiz ----------------------------------------------------
# The options are written out in the notebook; the keys are here only.

NOTATION = [
    choice("notation_1", 1, "C", description="a matrix: bold upper case"),
    choice("notation_2", 1, "D", description="the Hadamard (element-wise) product ⊙"),
    choice("notation_3", 1, "B", description="|𝒳|, the number of elements of a set"),
    choice("notation_4", 1, "A", description="the gradient ∇ₓy of y with respect to x"),
    choice("notation_5", 1, "C", description="P(A | B), the conditional probability"),
    choice("notation_6", 1, "AB", description="scalars: ‖x‖_p and xᵀy (multiple choice)"),
]


# ---- §11.2 linear algebra ---------------------------------------------------------------

def _lp_case(n: int, p: float):
    def make(g: torch.Generator) -> Args:
        x = _randn(g, n, scale=2.0)
        x[0] = -abs(float(x[0])) - 0.5  # at least one clearly negative entry
        return args(x, p)
    return make


def _matrix_case(*shape: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *shape))
    return make


def _shape_case(a: list[int], b: list[int]):
    def make(g: torch.Generator) -> Args:
        return args(list(a), list(b))
    return make


def _products_case(m: int, n: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, m, n), _randn(g, n, m), _randn(g, n))
    return make


def _spd_case(n: int):
    """A symmetric positive-definite matrix with well-separated eigenvalues."""
    def make(g: torch.Generator) -> Args:
        Q, _ = torch.linalg.qr(_randn(g, n, n))
        lam = 1.0 + torch.arange(n, dtype=F64) * 1.5 + torch.rand(n, generator=g, dtype=F64)
        S = Q @ torch.diag(lam) @ Q.T
        return args((S + S.T) / 2)
    return make


# ---- §11.2 calculus ---------------------------------------------------------------------

def _quadratic_case(n: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, n, n), _randn(g, n), _randn(g, n))
    return make


def _jacobian_case(m: int, n: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, m, n), _randn(g, m, scale=0.5), _randn(g, n))
    return make


# ---- §11.2 probability ------------------------------------------------------------------

def _samples_case(n: int, loc: float, scale: float):
    def make(g: torch.Generator) -> Args:
        return args(loc + _randn(g, n, scale=scale))
    return make


def _dist_case(path: str, params: list[float], n: int, t: float):
    def make(g: torch.Generator) -> Args:
        return args(new(f"torch.distributions.{path}", *params), n, t)
    return make


def _truth(recipe: Any, t: float) -> tuple[float, float, float, float]:
    """Mean, variance, fourth central moment and P(X > t) of a case's distribution."""
    if not isinstance(recipe, Recipe):
        raise TypeError("the case's distribution is not a recipe")
    name = recipe.params["path"].rsplit(".", 1)[-1]
    p = [float(v) for v in recipe.params["args"]]
    if name == "Normal":
        mu, sigma = p
        return mu, sigma**2, 3 * sigma**4, 0.5 * math.erfc((t - mu) / (sigma * math.sqrt(2)))
    if name == "Exponential":
        (rate,) = p
        return 1 / rate, 1 / rate**2, 9 / rate**4, math.exp(-rate * t) if t > 0 else 1.0
    if name == "Uniform":
        a, b = p
        tail = min(1.0, max(0.0, (b - t) / (b - a)))
        return (a + b) / 2, (b - a) ** 2 / 12, (b - a) ** 4 / 80, tail
    if name == "Poisson":
        (lam,) = p
        cdf = sum(math.exp(-lam) * lam**k / math.factorial(k) for k in range(math.floor(t) + 1))
        return lam, lam, lam * (1 + 3 * lam), 1.0 - cdf
    raise ValueError(f"no true moments for {name}")


#: How many standard errors an estimate may be from the true value.
SE_LIMIT = 4.0


def _moments_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """The estimates are those of the samples returned, and each is within 4 SE of truth."""
    recipe, n, t = a.args
    keys = ["samples", "mean", "var", "tail"]
    if type(actual) is not dict or sorted(actual) != sorted(keys):
        return _problem(f"应返回带有键 {keys} 的字典", f"should return a dict with keys {keys}")
    x = actual["samples"]
    if type(x) is not torch.Tensor or tuple(x.shape) != (n,) or not x.is_floating_point():
        return _problem(f"samples 应是形状为 ({n},) 的浮点张量",
                        f"samples should be a floating tensor of shape ({n},)")
    if not all(type(actual[k]) is float for k in ("mean", "var", "tail")):
        return _problem("mean、var、tail 应是 Python 浮点数（用 .item()）",
                        "mean, var and tail should be Python floats (use .item())")
    if not (torch.isfinite(x).all() and all(math.isfinite(actual[k]) for k in keys[1:])):
        return _problem("结果含 NaN 或 Inf", "the result contains NaN or Inf")
    x64 = x.double()
    own = {"mean": float(x64.mean()), "var": float(x64.var()),
           "tail": float((x64 > t).double().mean())}
    problems: list[tuple[str, str]] = []
    for key, zh, en in [("mean", "mean 应是这些样本的均值",
                         "mean should be the mean of the samples"),
                        ("var", "var 应是这些样本的样本方差（除以 n − 1）",
                         "var should be the sample variance of the samples (divided by n − 1)"),
                        ("tail", "tail 应是样本中大于 t 的比例",
                         "tail should be the fraction of the samples above t")]:
        if abs(actual[key] - own[key]) > 1e-4 * abs(own[key]) + 1e-6:
            problems += _problem(zh, en)
    if problems:
        return problems
    mu, var, mu4, tail = _truth(recipe, t)
    se = {"mean": math.sqrt(var / n),
          "var": math.sqrt(max(mu4 - var**2 * (n - 3) / (n - 1), 0.0) / n),
          "tail": math.sqrt(max(tail * (1 - tail), 1e-12) / n)}
    truth = {"mean": mu, "var": var, "tail": tail}
    for key in ("mean", "var", "tail"):
        z = abs(actual[key] - truth[key]) / se[key]
        if z > SE_LIMIT:
            problems += _problem(
                f"{key} 离真实值有 {z:.1f} 个标准误（允许 {SE_LIMIT:g} 个）："
                "样本不像来自给定的分布",
                f"{key} is {z:.1f} standard errors from the true value (at most "
                f"{SE_LIMIT:g} allowed): the samples do not look drawn from the given "
                "distribution")
    return problems


def _bayes_case(k: int, m: int):
    def make(g: torch.Generator) -> Args:
        prior = torch.rand(k, generator=g, dtype=F64) + 0.2
        likelihood = torch.rand(k, m, generator=g, dtype=F64) + 0.1
        return args(prior / prior.sum(), likelihood / likelihood.sum(dim=1, keepdim=True))
    return make


def _test_example(g: torch.Generator) -> Args:
    """A rare condition (0.15 %) and a test with no false negatives, 1 % false positives."""
    prior = torch.tensor([0.9985, 0.0015], dtype=F64)
    likelihood = torch.tensor([[0.99, 0.01], [0.0, 1.0]], dtype=F64)
    return args(prior, likelihood)


# ---- §11.5 compute budget ---------------------------------------------------------------

def linear(n_in: int, n_out: int) -> dict[str, Any]:
    return {"type": "linear", "in": n_in, "out": n_out}


def conv(c_in: int, c_out: int, kernel: int, stride: int = 1, padding: int = 0
         ) -> dict[str, Any]:
    return {"type": "conv", "in": c_in, "out": c_out, "kernel": kernel, "stride": stride,
            "padding": padding}


def pool(kernel: int, stride: int) -> dict[str, Any]:
    return {"type": "maxpool", "kernel": kernel, "stride": stride}


RELU, SIGMOID, FLATTEN = {"type": "relu"}, {"type": "sigmoid"}, {"type": "flatten"}

#: The book's MLP (§3.9) on flattened 28×28 images.
MLP_BOOK = ([linear(784, 256), RELU, linear(256, 10)], [784])
#: LeNet as in §5.5 (sigmoid activations, padding 2 on the first convolution).
LENET = ([conv(1, 6, 5, padding=2), SIGMOID, pool(2, 2), conv(6, 16, 5), SIGMOID, pool(2, 2),
          FLATTEN, linear(400, 120), SIGMOID, linear(120, 84), SIGMOID, linear(84, 10)],
         [1, 28, 28])
#: A small CNN with a strided convolution.
SMALL_CNN = ([conv(3, 8, 3, padding=1), RELU, pool(2, 2), conv(8, 16, 3, stride=2, padding=1),
              RELU, FLATTEN, linear(256, 10)], [3, 16, 16])
#: A deeper MLP.
DEEP_MLP = ([linear(20, 64), RELU, linear(64, 64), RELU, linear(64, 64), RELU, linear(64, 3)],
            [20])


def _layers_case(net: tuple[list[dict[str, Any]], list[int]], bytes_per_value: int = 4):
    def make(g: torch.Generator) -> Args:
        return args(net[0], bytes_per_value=bytes_per_value)
    return make


def _activation_case(net: tuple[list[dict[str, Any]], list[int]], batch: int,
                     bytes_per_value: int = 4):
    def make(g: torch.Generator) -> Args:
        return args(net[0], net[1], batch, bytes_per_value=bytes_per_value)
    return make


def _budget_case(num_params: int, per_example: int, batch: int, optimizer: str,
                 memory_gib: float, bytes_per_value: int = 4):
    def make(g: torch.Generator) -> Args:
        return args(num_params, per_example, batch, optimizer, memory_gib,
                    bytes_per_value=bytes_per_value)
    return make


QUESTIONS = [
    # §11.1
    *NOTATION,
    # §11.2 linear algebra
    Question("lp_norm", 2, ref.lp_norm, cases=[
        public(lambda g: args(torch.tensor([3.0, -4.0], dtype=F64), 2.0)),
        hidden(_lp_case(7, 1.0)),
        hidden(_lp_case(5, 3.0)),
        hidden(_lp_case(9, 1.5)),
    ]),
    Question("frobenius_norm", 1, ref.frobenius_norm, cases=[
        public(lambda g: args(torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=F64))),
        hidden(_matrix_case(3, 5)),
        hidden(_matrix_case(4, 4)),
        hidden(_matrix_case(1, 6)),
    ]),
    Question("matmul_shape", 1, ref.matmul_shape, cases=[
        public(_shape_case([2, 3], [3, 4])),
        hidden(_shape_case([5], [5])),
        hidden(_shape_case([4, 5], [5])),
        hidden(_shape_case([5], [5, 2])),
        hidden(_shape_case([2, 3], [2, 3])),
        hidden(_shape_case([6, 1], [1, 6])),
    ]),
    Question("mat_products", 2, ref.mat_products, cases=[
        public(_products_case(2, 3)),
        hidden(_products_case(4, 3)),
        hidden(_products_case(3, 5)),
        hidden(_products_case(1, 4)),
    ]),
    Question("eigen_facts", 2, ref.eigen_facts, cases=[
        public(lambda g: args(torch.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=F64))),
        hidden(_spd_case(3)),
        hidden(_spd_case(4)),
        hidden(_spd_case(5)),
    ]),
    # §11.2 calculus
    Question("quadratic_derivatives", 2, ref.quadratic_derivatives, cases=[
        public(lambda g: args(torch.tensor([[1.0, 2.0], [0.0, 3.0]], dtype=F64),
                              torch.tensor([1.0, -1.0], dtype=F64),
                              torch.tensor([2.0, 1.0], dtype=F64))),
        hidden(_quadratic_case(3)),
        hidden(_quadratic_case(4)),
        hidden(_quadratic_case(6)),
    ]),
    Question("sigmoid_layer_jacobian", 2, ref.sigmoid_layer_jacobian, cases=[
        public(_jacobian_case(2, 3)),
        hidden(_jacobian_case(4, 2)),
        hidden(_jacobian_case(3, 5)),
        hidden(_jacobian_case(5, 4)),
    ]),
    # §11.2 probability
    Question("sample_stats", 1, ref.sample_stats, cases=[
        public(lambda g: args(torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=F64))),
        hidden(_samples_case(5, 1.0, 2.0)),
        hidden(_samples_case(12, -3.0, 0.5)),
        hidden(_samples_case(30, 10.0, 4.0)),
    ]),
    Question("estimate_moments", 2, ref.estimate_moments, invariant=_moments_invariant, cases=[
        public(_dist_case("Normal", [2.0, 0.5], 2000, 2.5)),
        hidden(_dist_case("Exponential", [0.5], 4000, 3.0)),
        hidden(_dist_case("Uniform", [-1.0, 3.0], 3000, 2.0)),
        hidden(_dist_case("Poisson", [3.0], 3000, 4.0)),
    ]),
    Question("bayes_table", 2, ref.bayes_table, cases=[
        public(_test_example),
        hidden(_bayes_case(3, 4)),
        hidden(_bayes_case(4, 2)),
        hidden(_bayes_case(2, 5)),
    ]),
    # §11.5
    Question("param_bytes", 2, ref.param_bytes, cases=[
        public(_layers_case(MLP_BOOK)),
        hidden(_layers_case(LENET)),
        hidden(_layers_case(SMALL_CNN, bytes_per_value=2)),
        hidden(_layers_case(DEEP_MLP)),
    ]),
    Question("activation_bytes", 2, ref.activation_bytes, cases=[
        public(_activation_case(MLP_BOOK, 256)),
        hidden(_activation_case(LENET, 128)),
        hidden(_activation_case(SMALL_CNN, 32, bytes_per_value=2)),
        hidden(_activation_case(DEEP_MLP, 1000)),
    ]),
    Question("optimizer_state_bytes", 1, ref.optimizer_state_bytes, cases=[
        public(_layers_case(MLP_BOOK)),
        hidden(_layers_case(LENET)),
        hidden(_layers_case(SMALL_CNN, bytes_per_value=2)),
        hidden(_layers_case(DEEP_MLP)),
    ]),
    Question("training_budget", 2, ref.training_budget, cases=[
        public(_budget_case(203_530, 522, 256, "adam", 1)),
        hidden(_budget_case(61_100_840, 4_600_000, 1024, "momentum", 11)),
        hidden(_budget_case(25_557_032, 30_000_000, 64, "adam", 24, bytes_per_value=2)),
        hidden(_budget_case(350_000_000, 1_000_000, 8, "adam", 4)),
        hidden(_budget_case(1_200_000, 80_000, 512, "sgd", 0.25)),
    ]),
]

ASSIGNMENT = AssignmentSpec(
    id="ch11_appendix",
    title="第 11 章 附录：数学基础与计算预算 / Chapter 11 Appendix: mathematics and compute "
          "budgets",
    notebooks=[NotebookSpec("math_exercises", QUESTIONS)],
)
