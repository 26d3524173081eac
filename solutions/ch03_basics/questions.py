"""Chapter 3 (深度学习基础), first notebook: §3.1–3.7, linear and softmax regression.

Convention used by the notebook and the reference: losses return one value per
example; with our own ``sgd`` the loop calls ``l.sum().backward()`` and ``sgd`` divides
by the batch size; with a torch optimiser the loop calls ``l.mean().backward()``.  Every
step therefore follows the minibatch-mean gradient.

Dependent questions are graded in isolation, so one mistake costs one question:
``net`` runs with ``softmax`` replaced by ``torch.softmax``; ``evaluate_accuracy`` and
``train_ch3`` get a torch model, loss and optimiser instead of the student's own parts.
"""

from __future__ import annotations

from typing import Any

import torch

from autograder.compare import Tolerance
from autograder.kinds import Call, leaf, new, params, partial
from autograder.spec import Args, AssignmentSpec, NotebookSpec, Question, args, hidden, public
from reference_impl import ch03_basics as ref
from reference_impl.fashion_mnist import write_standin

WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)  # networks with loaded weights, k steps


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


# ---- §3.2 synthetic data: random, so graded by its statistics -------------------------

def _synthetic_case(d: int, n: int):
    def make(g: torch.Generator) -> Args:
        w = _randn(g, d, scale=2.0)
        b = float(torch.randn(1, generator=g).item() * 3)
        return args(w, b, n)
    return make


def _synthetic_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    w, b, n = a.args
    if type(actual) not in (tuple, list) or len(actual) != 2 \
            or not all(type(t) is torch.Tensor for t in actual):
        return _problem("应返回 (features, labels) 两个张量", "should return two tensors "
                        "(features, labels)")
    X, y = actual
    if tuple(X.shape) != (n, len(w)) or tuple(y.shape) != (n, 1):
        return _problem(f"形状应为 ({n}, {len(w)}) 和 ({n}, 1)，得到 {list(X.shape)} 和 "
                        f"{list(y.shape)}", f"shapes should be ({n}, {len(w)}) and ({n}, 1), "
                        f"got {list(X.shape)} and {list(y.shape)}")
    if X.dtype != torch.float32 or y.dtype != torch.float32:
        return _problem("数据类型应为 float32", "dtypes should be float32")
    if not (torch.isfinite(X).all() and torch.isfinite(y).all()):
        return _problem("结果含 NaN 或 Inf", "the result contains NaN or Inf")
    problems = []
    std, mean = X.std().item(), X.mean().item()
    if not (0.9 < std < 1.1 and abs(mean) < 0.1):
        problems += _problem(f"特征应服从标准正态分布（均值 {mean:.3f}、标准差 {std:.3f}）",
                             f"features should be standard normal (mean {mean:.3f}, "
                             f"std {std:.3f})")
    noise = (y - (X @ w + b).reshape(-1, 1)).flatten()
    if not (0.007 < noise.std().item() < 0.013 and abs(noise.mean().item()) < 0.003):
        problems += _problem(
            f"labels − (X·w + b) 应是标准差 0.01 的噪声（得到均值 {noise.mean().item():.4f}、"
            f"标准差 {noise.std().item():.4f}）",
            f"labels − (X·w + b) should be noise with std 0.01 (got mean "
            f"{noise.mean().item():.4f}, std {noise.std().item():.4f})")
    return problems


# ---- §3.2 data_iter: shuffled, so graded by what any correct shuffle satisfies --------

def _iter_case(batch_size: int, n: int, d: int):
    def make(g: torch.Generator) -> Args:
        features = _randn(g, n, d)
        labels = _randn(g, n, 1)
        return args(batch_size, features, labels)
    return make


def _iter_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    batch_size, features, labels = a.args
    n = len(features)
    if type(actual) is not list or not all(
        type(b) in (tuple, list) and len(b) == 2 and all(type(t) is torch.Tensor for t in b)
        for b in actual
    ):
        return _problem("每个小批量应是 (X, y) 两个张量", "each minibatch should be two tensors "
                        "(X, y)")
    sizes = [len(b[0]) for b in actual]
    want = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    if sizes != want:
        return _problem(f"小批量大小应为 {want}，得到 {sizes}",
                        f"minibatch sizes should be {want}, got {sizes}")
    X = torch.cat([b[0] for b in actual])
    y = torch.cat([b[1] for b in actual])
    if X.shape != features.shape or y.shape != labels.shape:
        return _problem("拼接后的形状与输入不符", "the concatenated batches have the wrong shape")
    rows = {tuple(r.tolist()): i for i, r in enumerate(features)}
    order = [rows.get(tuple(r.tolist()), -1) for r in X]
    if sorted(order) != list(range(n)):
        return _problem("各小批量合起来应恰好包含每个样本一次",
                        "together the minibatches should hold every example exactly once")
    if not torch.equal(y, labels[order]):
        return _problem("标签与特征没有对应上", "labels do not stay with their features")
    if order == list(range(n)):
        return _problem("样本没有被打乱（应使用 random.shuffle）",
                        "the examples were not shuffled (use random.shuffle)")
    return []


# ---- §3.7 concise model: random initialisation, graded by its statistics ---------------

def _concise_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    n_in, n_out = a.args
    if type(actual) is not dict or list(actual) != ["1.weight", "1.bias"]:
        keys = list(actual) if type(actual) is dict else type(actual).__name__
        return _problem(f"应为 nn.Sequential(nn.Flatten(), nn.Linear(...))，参数名得到 {keys}",
                        f"should be nn.Sequential(nn.Flatten(), nn.Linear(...)); "
                        f"parameter names were {keys}")
    W, b = actual["1.weight"], actual["1.bias"]
    if tuple(W.shape) != (n_out, n_in) or tuple(b.shape) != (n_out,):
        return _problem("线性层的形状不对", "the linear layer has the wrong shape")
    problems = []
    if not (0.007 < W.std().item() < 0.013 and abs(W.mean().item()) < 0.003):
        problems += _problem(f"权重应初始化为标准差 0.01 的正态分布（得到 {W.std().item():.4f}）",
                             f"weights should start normal with std 0.01 "
                             f"(got {W.std().item():.4f})")
    if not torch.all(b == 0):
        problems += _problem("偏置应初始化为 0", "the bias should start at zero")
    return problems


# ---- case makers for the deterministic questions ---------------------------------------

def _linreg_case(n: int, d: int, w_shape: tuple[int, ...]):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, n, d), _randn(g, *w_shape), _randn(g, 1))
    return make


def _loss_case(y_hat_shape: tuple[int, ...], y_shape: tuple[int, ...]):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *y_hat_shape), _randn(g, *y_shape))
    return make


def _sgd_case(d: int, lr: float, batch_size: int):
    def make(g: torch.Generator) -> Args:
        w, b = _randn(g, d, 1), _randn(g, 1)
        params_ = [leaf(w, _randn(g, d, 1)), leaf(b, _randn(g, 1))]
        return args(params_, lr, batch_size)
    return make


def _probs(g: torch.Generator, n: int, k: int) -> torch.Tensor:
    return torch.softmax(_randn(g, n, k, scale=2.0), dim=1)


def _prob_case(n: int, k: int):
    def make(g: torch.Generator) -> Args:
        return args(_probs(g, n, k), torch.randint(0, k, (n,), generator=g))
    return make


def _book_probs(g: torch.Generator) -> Args:
    return args(torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]), torch.tensor([0, 2]))


def _net_case(batch: int, shape: tuple[int, ...], k: int):
    def make(g: torch.Generator) -> Args:
        d = 1
        for s in shape:
            d *= s
        return args(_randn(g, batch, *shape), _randn(g, d, k, scale=0.1), _randn(g, k))
    return make


def _linear_state(g: torch.Generator, d: int, k: int) -> dict[str, torch.Tensor]:
    return {"1.weight": _randn(g, k, d, scale=0.1), "1.bias": _randn(g, k, scale=0.1)}


def _batches(g: torch.Generator, sizes: list[int], side: int, k: int,
             centres: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Images whose class shifts their mean: learnable, so training has a direction."""
    out = []
    for size in sizes:
        y = torch.randint(0, k, (size,), generator=g)
        X = centres[y] + _randn(g, size, 1, side, side, scale=0.5)
        out.append((X, y))
    return out


def _model(g: torch.Generator, side: int, k: int, bind: str | None = None):
    return new("torch.nn.Sequential", new("torch.nn.Flatten"),
               new("torch.nn.Linear", side * side, k),
               state=_linear_state(g, side * side, k), bind=bind)


def _eval_case(sizes: list[int], side: int, k: int):
    def make(g: torch.Generator) -> Args:
        centres = _randn(g, k, 1, side, side)
        return args(_batches(g, sizes, side, k, centres), _model(g, side, k))
    return make


def _train_case(train_sizes: list[int], side: int, k: int, epochs: int, lr: float):
    def make(g: torch.Generator) -> Args:
        centres = _randn(g, k, 1, side, side)
        train = _batches(g, train_sizes, side, k, centres)
        test = _batches(g, [16, 8], side, k, centres)
        return args(_model(g, side, k, bind="net"), train, test,
                    new("torch.nn.CrossEntropyLoss", reduction="none"), epochs,
                    new("torch.optim.SGD", params("net"), lr=lr))
    return make


QUESTIONS = [
    Question("synthetic_data", 1, ref.synthetic_data, invariant=_synthetic_invariant, cases=[
        public(lambda g: args(torch.tensor([2, -3.4]), 4.2, 1000)),
        hidden(_synthetic_case(3, 2000)),
        hidden(_synthetic_case(1, 800)),
    ]),
    Question("data_iter", 1, ref.data_iter, kind=Call(collect=True), invariant=_iter_invariant,
             cases=[public(_iter_case(10, 50, 2)), hidden(_iter_case(7, 30, 3)),
                    hidden(_iter_case(64, 100, 4))]),
    Question("linreg", 1, ref.linreg, cases=[
        public(_linreg_case(5, 2, (2, 1))), hidden(_linreg_case(10, 3, (3, 1))),
        hidden(_linreg_case(7, 4, (4,))),
    ]),
    Question("squared_loss", 1, ref.squared_loss, cases=[
        public(_loss_case((5, 1), (5,))), hidden(_loss_case((8, 1), (8, 1))),
        hidden(_loss_case((6,), (6,))),
    ]),
    Question("sgd", 2, ref.sgd, kind=Call(harvest=("arg:0",)), cases=[
        public(_sgd_case(2, 0.03, 10)), hidden(_sgd_case(3, 0.1, 4)),
        hidden(_sgd_case(5, 0.5, 32)),
    ]),
    Question("get_fashion_mnist_labels", 1, ref.get_fashion_mnist_labels, cases=[
        public(lambda g: args(torch.tensor([0, 9, 3]))),
        hidden(lambda g: args([5, 1, 8, 8])),
        hidden(lambda g: args(torch.randperm(10, generator=g))),
    ]),
    Question("softmax", 2, ref.softmax, cases=[
        public(lambda g: args(_randn(g, 2, 5))),
        hidden(lambda g: args(_randn(g, 4, 10, scale=3.0))),
        hidden(lambda g: args(_randn(g, 3, 4, scale=0.1))),
    ]),
    Question("net", 1, ref.net, isolate={"softmax": partial("torch.softmax", dim=1)},
             cases=[public(_net_case(2, (1, 2, 2), 3)), hidden(_net_case(3, (1, 28, 28), 10)),
                    hidden(_net_case(5, (12,), 4))]),
    Question("cross_entropy", 2, ref.cross_entropy, cases=[
        public(_book_probs), hidden(_prob_case(6, 5)), hidden(_prob_case(10, 10)),
    ]),
    Question("accuracy", 1, ref.accuracy, cases=[
        public(_book_probs), hidden(_prob_case(20, 5)), hidden(_prob_case(7, 3)),
    ]),
    Question("evaluate_accuracy", 1, ref.evaluate_accuracy, cases=[
        public(_eval_case([8, 8, 5], 4, 3)), hidden(_eval_case([16, 16, 16, 3], 4, 5)),
        hidden(_eval_case([10], 3, 2)),
    ]),
    Question("train_ch3", 3, ref.train_ch3, kind=Call(harvest=("bound:net",)),
             tolerance=WITH_WEIGHTS, cases=[
        public(_train_case([12, 12, 12, 12], 4, 3, 2, 0.1)),
        hidden(_train_case([16, 16, 16, 7], 4, 4, 3, 0.3)),
        hidden(_train_case([20, 20], 3, 3, 2, 0.05)),
    ]),
    Question("softmax_regression_concise", 1, ref.softmax_regression_concise,
             invariant=_concise_invariant, cases=[
        public(lambda g: args(784, 10)), hidden(lambda g: args(64, 8)),
        hidden(lambda g: args(100, 5)),
    ]),
]

ASSIGNMENT = AssignmentSpec(
    id="ch03_basics",
    title="第 3 章 深度学习基础 / Chapter 3: Deep-learning basics",
    notebooks=[NotebookSpec("linear_softmax", QUESTIONS, prepare_data=write_standin)],
)
