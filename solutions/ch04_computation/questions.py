"""Chapter 4 (深度学习计算), one notebook: §4.1–4.6, models, parameters, layers, files, devices.

Classes are graded with the ``construct`` kind: the grader builds the student's class,
loads weights drawn for the case with ``load_state_dict(strict=True)`` and runs it, so
attribute names, parameter shapes and registration all matter; ``names`` and
``num_params`` are harvested too, so a constant registered as a parameter, or a layer a
plain Python list hides, is caught even when the output happens to agree.

The random initialiser ``my_init`` is judged by an invariant on its statistics.  Device
code is judged with inputs (a number of GPUs, the ``meta`` device), never with a GPU.
Every question stands alone: none calls another question's student object.
"""

from __future__ import annotations

from typing import Any

import torch

from autograder.kinds import Call, Construct, new, partial
from autograder.spec import Args, AssignmentSpec, NotebookSpec, Question, args, hidden, public
from reference_impl import ch04_computation as ref

#: The grader builds a small MLP; the book's 784 → 256 → 10 stays the class's default.
MLP_SIZES = {"num_inputs": 20, "num_hiddens": 16, "num_outputs": 5}
CONSTRUCT_ALL = ("output", "names", "num_params")


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


def _state_like(g: torch.Generator, module: torch.nn.Module,
                scale: float = 0.5) -> dict[str, torch.Tensor]:
    """Fresh random values with the names and shapes of ``module``'s state dict."""
    return {k: _randn(g, *v.shape, scale=scale) for k, v in module.state_dict().items()}


# ---- §4.1 construction: weights injected, structure harvested ------------------------

def _construct_case(template: torch.nn.Module, x_shape: tuple[int, ...],
                    scale: float = 0.5, **forward_kwargs: Any):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *x_shape), state=_state_like(g, template, scale),
                    **forward_kwargs)
    return make


def _fancy_case(batch: int, x_scale: float):
    def make(g: torch.Generator) -> Args:
        state = {"rand_weight": torch.rand(20, 20, generator=g),
                 "linear.weight": _randn(g, 20, 20, scale=0.2),
                 "linear.bias": _randn(g, 20, scale=0.2)}
        return args(_randn(g, batch, 20, scale=x_scale), state=state)
    return make


_SEQ_LAYERS = (new("torch.nn.Linear", 6, 8), new("torch.nn.ReLU"), new("torch.nn.Linear", 8, 3))
_SEQ_TEMPLATE = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


# ---- §4.2 parameters ------------------------------------------------------------------

def _linear_stack(g: torch.Generator, sizes: list[int], act: str = "torch.nn.ReLU",
                  scale: float = 0.5) -> Any:
    """``Sequential(Linear, act, Linear, ...)`` as a recipe with weights drawn from ``g``."""
    layers, state = [], {}
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        if layers:
            layers.append(new(act))
        idx = len(layers)
        layers.append(new("torch.nn.Linear", n_in, n_out))
        state[f"{idx}.weight"] = _randn(g, n_out, n_in, scale=scale)
        state[f"{idx}.bias"] = _randn(g, n_out, scale=scale)
    return new("torch.nn.Sequential", *layers, state=state)


def _report_case(sizes: list[int], batch: int, act: str = "torch.nn.ReLU"):
    def make(g: torch.Generator) -> Args:
        return args(_linear_stack(g, sizes, act), _randn(g, batch, sizes[0]))
    return make


def _nested_report_case(g: torch.Generator) -> Args:
    """A Sequential inside a Sequential: names such as ``0.0.weight``."""
    inner = new("torch.nn.Sequential", new("torch.nn.Linear", 3, 5), new("torch.nn.Tanh"),
                state={"0.weight": _randn(g, 5, 3), "0.bias": _randn(g, 5)})
    net = new("torch.nn.Sequential", inner, new("torch.nn.Linear", 5, 2),
              state={"0.0.weight": _randn(g, 5, 3), "0.0.bias": _randn(g, 5),
                     "1.weight": _randn(g, 2, 5), "1.bias": _randn(g, 2)})
    return args(net, _randn(g, 4, 3))


def _init_case(sizes: list[int]):
    def make(g: torch.Generator) -> Args:
        return args(_linear_stack(g, sizes))
    return make


def _my_init_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """Every weight 0 or in 5 ≤ |w| ≤ 10, about half of them 0, biases untouched."""
    given = a.args[0].params["state"]
    if type(actual) is not dict or sorted(actual) != sorted(given):
        return _problem("应原地修改传入的网络（参数名不对）",
                        "should change the given network in place (its parameter names differ)")
    problems: list[tuple[str, str]] = []
    for name, value in actual.items():
        if type(value) is not torch.Tensor or value.shape != given[name].shape:
            return _problem(f"{name} 的形状不对", f"{name} has the wrong shape")
        if name.endswith(".bias"):
            if not torch.equal(value, given[name]):
                problems += _problem(f"{name}：偏置应保持不变", f"{name}: biases should stay "
                                     "as they were")
            continue
        w = value.flatten().double()
        mag = w.abs()
        if not torch.all((mag == 0) | ((mag >= 5) & (mag <= 10))):
            bad = int(((mag != 0) & ((mag < 5) | (mag > 10))).sum())
            problems += _problem(f"{name}：有 {bad} 个权重既不是 0 也不在 5 ≤ |w| ≤ 10 内",
                                 f"{name}: {bad} weights are neither 0 nor within "
                                 "5 ≤ |w| ≤ 10")
            continue
        # Bounds of four standard deviations for this layer's size: a small layer's
        # fractions scatter widely (16 non-zero weights: a fifth of correct draws would
        # leave 0.35-0.65 positive), a large one's hardly at all.  Uniform |w| on [5, 10]
        # has standard deviation 5/sqrt(12); its sample deviation scatters by about
        # 0.65/sqrt(n) (kurtosis 1.8).
        zero = float((mag == 0).double().mean())
        nonzero = w[mag != 0]
        n = len(nonzero)
        positive = float((nonzero > 0).double().mean()) if n else 0.0
        spread = float(nonzero.abs().std()) if n > 1 else 0.0
        if abs(zero - 0.5) > 2 / len(w) ** 0.5:
            problems += _problem(f"{name}：约一半的权重应为 0（得到 {zero:.2f}）",
                                 f"{name}: about half the weights should be 0 (got {zero:.2f})")
        elif n < 2 or abs(positive - 0.5) > 2 / n ** 0.5 or \
                abs(spread - 5 / 12 ** 0.5) > 2.6 / n ** 0.5:
            problems += _problem(f"{name}：非零权重应均匀分布在 [-10,-5] ∪ [5,10] 上",
                                 f"{name}: the non-zero weights should be spread uniformly "
                                 "over [-10, -5] ∪ [5, 10]")
    return problems


def _shared_case(n: int):
    def make(g: torch.Generator) -> Args:
        w = round(float(torch.randn(1, generator=g).item() * 2), 3)
        return args(w, _randn(g, n, 1))
    return make


# ---- §4.3 / §4.4 / §4.5 / §4.6 ---------------------------------------------------------

def _lazy_case(batch: int, n_in: int, hiddens: int, outputs: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, batch, n_in), hiddens, outputs)
    return make


def _centered_case(*shape: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *shape, scale=3.0) + 2.0)
    return make


def _roundtrip_case(*shape: int, dtype: torch.dtype = torch.float32):
    def make(g: torch.Generator) -> Args:
        x = _randn(g, *shape)
        y = torch.randint(0, 100, shape, generator=g) if dtype == torch.int64 \
            else _randn(g, *shape[::-1])
        return args(x, y)
    return make


def _model_case(factory: Any, x_shape: tuple[int, ...]):
    def make(g: torch.Generator) -> Args:
        return args(factory, _randn(g, *x_shape))
    return make


def _meta_case(sizes: list[int], batch: int):
    def make(g: torch.Generator) -> Args:
        layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            if layers:
                layers.append(new("torch.nn.ReLU"))
            layers.append(new("torch.nn.Linear", n_in, n_out))
        return args(new("torch.nn.Sequential", *layers), _randn(g, batch, sizes[0]), "meta")
    return make


QUESTIONS = [
    # §4.1
    Question("MLP", 2, ref.MLP, kind=Construct(init_kwargs=MLP_SIZES, harvest=CONSTRUCT_ALL),
             cases=[public(_construct_case(ref.MLP(**MLP_SIZES), (2, 20))),
                    hidden(_construct_case(ref.MLP(**MLP_SIZES), (7, 20), scale=1.0)),
                    hidden(_construct_case(ref.MLP(**MLP_SIZES), (1, 20), scale=0.2))]),
    Question("MySequential", 2, ref.MySequential,
             kind=Construct(init=_SEQ_LAYERS, harvest=CONSTRUCT_ALL),
             cases=[public(_construct_case(_SEQ_TEMPLATE, (2, 6))),
                    hidden(_construct_case(_SEQ_TEMPLATE, (9, 6), scale=1.0)),
                    hidden(_construct_case(_SEQ_TEMPLATE, (3, 6), scale=0.3))]),
    Question("FancyMLP", 2, ref.FancyMLP, kind=Construct(harvest=CONSTRUCT_ALL),
             cases=[public(_fancy_case(2, 1.0)), hidden(_fancy_case(5, 3.0)),
                    hidden(_fancy_case(1, 0.1)), hidden(_fancy_case(16, 1.0))]),
    Question("NestMLP", 1, ref.NestMLP, kind=Construct(harvest=CONSTRUCT_ALL),
             cases=[public(_construct_case(ref.NestMLP(), (2, 40), scale=0.3)),
                    hidden(_construct_case(ref.NestMLP(), (6, 40), scale=0.5)),
                    hidden(_construct_case(ref.NestMLP(), (1, 40), scale=0.2))]),
    # §4.2
    Question("param_report", 2, ref.param_report, cases=[
        public(_report_case([4, 3, 1], 2)),
        hidden(_report_case([5, 4, 2], 6, act="torch.nn.Tanh")),
        hidden(_report_case([3, 6, 4, 2], 5)),
        hidden(_nested_report_case),
    ]),
    Question("my_init", 2, ref.my_init, kind=Call(harvest=("arg:0",)),
             invariant=_my_init_invariant, cases=[
        public(_init_case([32, 32, 16])),
        hidden(_init_case([40, 30, 20])),
        hidden(_init_case([64, 16, 8, 4])),
    ]),
    Question("shared_grad", 2, ref.shared_grad, cases=[
        public(lambda g: args(3.0, torch.ones(1, 1))),
        hidden(_shared_case(5)),
        hidden(_shared_case(3)),
    ]),
    # §4.3
    Question("deferred_init_report", 2, ref.deferred_init_report, cases=[
        public(_lazy_case(2, 20, 256, 10)),
        hidden(_lazy_case(3, 7, 16, 4)),
        hidden(_lazy_case(1, 33, 5, 2)),
    ]),
    # §4.4
    Question("CenteredLayer", 1, ref.CenteredLayer,
             kind=Construct(harvest=("output", "num_params")), cases=[
        public(lambda g: args(torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))),
        hidden(_centered_case(4, 8)),
        hidden(_centered_case(3, 2, 5)),
    ]),
    Question("MyDense", 2, ref.MyDense, kind=Construct(init=(4, 6), harvest=CONSTRUCT_ALL),
             cases=[public(_construct_case(ref.MyDense(4, 6), (2, 6))),
                    hidden(_construct_case(ref.MyDense(4, 6), (8, 6), scale=1.0)),
                    hidden(_construct_case(ref.MyDense(4, 6), (3, 6), scale=0.3))]),
    Question("MyListDense", 1, ref.MyListDense, kind=Construct(harvest=CONSTRUCT_ALL),
             cases=[public(_construct_case(ref.MyListDense(), (2, 4))),
                    hidden(_construct_case(ref.MyListDense(), (5, 4), scale=0.8)),
                    hidden(_construct_case(ref.MyListDense(), (1, 4), scale=0.3))]),
    Question("MyDictDense", 1, ref.MyDictDense, kind=Construct(harvest=CONSTRUCT_ALL),
             cases=[public(_construct_case(ref.MyDictDense(), (2, 4), choice="linear1")),
                    hidden(_construct_case(ref.MyDictDense(), (5, 4), choice="linear2")),
                    hidden(_construct_case(ref.MyDictDense(), (3, 4), choice="linear3"))]),
    # §4.5
    Question("save_load_roundtrip", 1, ref.save_load_roundtrip, cases=[
        public(_roundtrip_case(4)),
        hidden(_roundtrip_case(2, 3)),
        hidden(_roundtrip_case(5, dtype=torch.int64)),
    ]),
    Question("save_load_model", 2, ref.save_load_model, cases=[
        public(_model_case(partial("torch.nn.Linear", in_features=20, out_features=10),
                           (2, 20))),
        hidden(_model_case(partial("torch.nn.Linear", in_features=7, out_features=3),
                           (5, 7))),
        hidden(_model_case(partial("torch.nn.Conv1d", in_channels=2, out_channels=3,
                                   kernel_size=3), (2, 2, 8))),
    ]),
    # §4.6
    Question("try_gpu", 1, ref.try_gpu, cases=[
        public(lambda g: args(0, 2)),
        hidden(lambda g: args(1, 1)),
        hidden(lambda g: args(3, 4)),
        hidden(lambda g: args(0, 0)),
    ]),
    Question("try_all_gpus", 1, ref.try_all_gpus, cases=[
        public(lambda g: args(0)),
        hidden(lambda g: args(3)),
        hidden(lambda g: args(1)),
    ]),
    Question("forward_on", 2, ref.forward_on, cases=[
        public(_meta_case([20, 256, 10], 2)),
        hidden(_meta_case([5, 3], 4)),
        hidden(_meta_case([8, 16, 16, 2], 3)),
    ]),
]

ASSIGNMENT = AssignmentSpec(
    id="ch04_computation",
    title="第 4 章 深度学习计算 / Chapter 4: Deep-learning computation",
    notebooks=[NotebookSpec("models_layers", QUESTIONS)],
)
