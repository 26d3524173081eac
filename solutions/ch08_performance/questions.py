"""Chapter 8 (计算性能), one notebook ``performance``: §8.1–8.5.

Speed is never graded (the grading machine is shared; the same loop varies 10× between
runs).  Each section is graded on what it changes that can be observed without a clock:

* §8.1: ``torch.jit.script``/``trace`` give the eager outputs for a plain network, a
  traced data-dependent branch is frozen (the cases trace with one sign of input and test
  with the other, so the three outputs differ), and a saved TorchScript file loads back
  without the Python class.  Plus one choice question on tracing side effects.
* §8.2: ``Benchmark`` with a fake clock (elapsed time and the exact message), and a
  multiple-choice question on which operations wait for queued work.
* §8.3: the schedule a dependency graph allows (steps of independent operations; the
  critical path with unlimited devices), random graphs in the hidden cases, and
  ``torch.jit.fork`` results.
* §8.4: ``split_and_load``, an in-place ``allreduce``, the scratch LeNet with given
  parameters, and one data-parallel step whose replicas all equal the reference's single
  step on the whole batch (k optimiser steps: rtol 1e-4).  ``train_batch`` calls the
  student's ``split_and_load``, ``allreduce`` and ``lenet`` (the book's structure; the
  engine can only stand in ``torch`` callables), so a wrong one of those costs it too.
* §8.5: the small-image ResNet-18 (filled weights, layer table, output), and one DDP
  backward pass with 2 or 3 ``gloo`` processes on 127.0.0.1 whose gradient must be the
  whole-batch gradient computed in one process.

The 8.4/8.5 questions run on the CPU even with ``--gpu`` (``cpu_only``): their "devices"
are CPU replicas, and forking a process that has started CUDA breaks the child.
"""

from __future__ import annotations

from typing import Any

import torch

from autograder.compare import Tolerance
from autograder.kinds import Call, Construct, leaf, new
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
from reference_impl import ch08_performance as ref

K_STEPS = Tolerance(1e-4, 1e-5)
WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)
#: Gradients averaged across processes (a different summation order than one process).
DDP = Tolerance(1e-5, 1e-6)


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


# ---- §8.1 ---------------------------------------------------------------------------

def _mlp(sizes: tuple[int, ...]) -> Any:
    """A ``Sequential`` of Linear/ReLU layers built by recipe (seeded identically for both)."""
    layers: list[Any] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if i:
            layers.append(new("torch.nn.ReLU"))
        layers.append(new("torch.nn.Linear", n_in, n_out))
    return new("torch.nn.Sequential", *layers)


def _hybrid_case(sizes: tuple[int, ...], batch: int):
    return lambda g: args(_mlp(sizes), _randn(g, batch, sizes[0]))


def _branch_case(n: int, trace_positive: bool):
    """An example of one sign to trace with and a test input of the other sign."""
    def make(g: torch.Generator) -> Args:
        pos = torch.rand(n, generator=g) + 0.5
        neg = -(torch.rand(n, generator=g) + 0.5)
        return args(pos, neg) if trace_positive else args(neg, pos)
    return make


# ---- §8.2 ---------------------------------------------------------------------------

def _ticks_case(prefix: str | None):
    def make(g: torch.Generator) -> Args:
        start = round(float(torch.rand(1, generator=g)) * 1000, 3)
        return args(prefix, [start, start + round(float(torch.rand(1, generator=g)) * 5, 6)])
    return make


# ---- §8.3 ---------------------------------------------------------------------------

#: The book's picture of §8.3: compute on two devices, copy both results to the CPU.
BOOK_GRAPH = {"x_gpu1": [], "x_gpu2": [], "y_gpu1": ["x_gpu1"], "y_gpu2": ["x_gpu2"],
              "copy_y1": ["y_gpu1"], "copy_y2": ["y_gpu2"], "sum_cpu": ["copy_y1", "copy_y2"]}
BOOK_COST = {"x_gpu1": 1.0, "x_gpu2": 1.0, "y_gpu1": 4.0, "y_gpu2": 4.0, "copy_y1": 2.0,
             "copy_y2": 2.0, "sum_cpu": 0.5}

#: A branchy forward pass: the loss also needs the labels loaded at the start.
NET_GRAPH = {"load": [], "embed": ["load"], "conv1": ["embed"], "conv2": ["embed"],
             "pool": ["conv1"], "concat": ["pool", "conv2"], "loss": ["concat", "load"]}


def _random_graph(g: torch.Generator, n: int, p: float) -> dict[str, list[str]]:
    """A random DAG on ops named ``op00``…, edges only from earlier to later names."""
    names = [f"op{i:02d}" for i in range(n)]
    order = torch.randperm(n, generator=g).tolist()
    deps: dict[str, list[str]] = {}
    for i in range(n):
        before = [names[order[j]] for j in range(i) if float(torch.rand(1, generator=g)) < p]
        deps[names[order[i]]] = sorted(before)
    return dict(sorted(deps.items()))


def _graph_case(n: int, p: float, with_cost: bool):
    def make(g: torch.Generator) -> Args:
        deps = _random_graph(g, n, p)
        if not with_cost:
            return args(deps)
        cost = {op: round(0.25 + float(torch.rand(1, generator=g)) * 4, 2) for op in deps}
        return args(deps, cost)
    return make


def _fork_case(sizes: tuple[int, ...]):
    return lambda g: args([_randn(g, s, s) for s in sizes])


# ---- §8.4 ---------------------------------------------------------------------------

def _split_case(n: int, k: int, tail: tuple[int, ...]):
    return lambda g: args(_randn(g, n, *tail), ["cpu"] * k)


def _allreduce_case(k: int, shape: tuple[int, ...]):
    return lambda g: args([_randn(g, *shape) for _ in range(k)])


def _lenet_params(g: torch.Generator) -> list[torch.Tensor]:
    return [_randn(g, *s, scale=0.1) for s in ref.lenet_param_shapes()]


def _lenet_case(batch: int):
    return lambda g: args(torch.rand(batch, 1, 28, 28, generator=g), _lenet_params(g))


def _train_batch_case(batch: int, k: int, lr: float):
    """k replicas holding the same parameters (leaves), one batch of images and labels."""
    def make(g: torch.Generator) -> Args:
        params = _lenet_params(g)
        replicas = [[leaf(p) for p in params] for _ in range(k)]
        X = torch.rand(batch, 1, 28, 28, generator=g)
        y = torch.randint(0, 10, (batch,), generator=g)
        return args(X, y, replicas, ["cpu"] * k, lr)
    return make


# ---- §8.5 ---------------------------------------------------------------------------

def _filled_case(x_shape: tuple[int, ...], init_kwargs: dict[str, Any] | None = None):
    def make(g: torch.Generator) -> Args:
        kwargs: dict[str, Any] = {"fill": True}
        if init_kwargs:
            kwargs["init_kwargs"] = init_kwargs
        return args(torch.randint(0, 16, x_shape, generator=g) / 15, **kwargs)
    return make


def _ddp_case(batch: int, world_size: int):
    def make(g: torch.Generator) -> Args:
        state = {"0.weight": _randn(g, 16, 8, scale=0.35), "0.bias": _randn(g, 16, scale=0.1),
                 "2.weight": _randn(g, 3, 16, scale=0.25), "2.bias": _randn(g, 3, scale=0.1)}
        X = _randn(g, batch, 8)
        y = torch.randint(0, 3, (batch,), generator=g)
        return args(state, X, y, world_size)
    return make


QUESTIONS = [
    # §8.1
    Question("hybrid_outputs", 2, ref.hybrid_outputs, cases=[
        public(_hybrid_case((512, 256, 128, 2), 4)),
        hidden(_hybrid_case((20, 12, 5), 3)),
        hidden(_hybrid_case((7, 9, 9, 4), 6)),
    ]),
    Question("trace_vs_script", 2, ref.trace_vs_script, cases=[
        public(lambda g: args(torch.tensor([1.0, 2.0]), torch.tensor([-3.0, 1.0]))),
        hidden(_branch_case(4, trace_positive=True)),
        hidden(_branch_case(5, trace_positive=False)),
    ]),
    Question("export_and_load", 1, ref.export_and_load, cpu_only=True, cases=[
        public(_hybrid_case((512, 256, 128, 2), 2)),
        hidden(_hybrid_case((6, 10, 3), 5)),
    ]),
    choice("trace_side_effects", 1, "C", options="ABCD",
           description="a print in a traced function runs three times while tracing "
                       "(once to record, twice for check_trace), never in the calls"),
    # §8.2
    Question("Benchmark", 1, ref.time_block, object="time_block", cases=[
        public(lambda g: args("Workloads are queued.", [10.0, 10.5])),
        hidden(_ticks_case(None)),
        hidden(_ticks_case("Run on both devices.")),
    ]),
    choice("waits_for_results", 2, "ACD", options="ABCDE",
           description=".item(), .cpu()/.numpy() and synchronize wait; a launch does not"),
    # §8.3
    Question("parallel_matmuls", 1, ref.parallel_matmuls, cases=[
        public(_fork_case((3, 3))),
        hidden(_fork_case((5, 2, 4))),
    ]),
    Question("parallel_levels", 2, ref.parallel_levels, cpu_only=True, cases=[
        public(lambda g: args(BOOK_GRAPH)),
        hidden(lambda g: args(NET_GRAPH)),
        hidden(_graph_case(14, 0.2, with_cost=False)),
        hidden(lambda g: args({"c": ["b"], "b": ["a"], "a": [], "d": []})),
    ]),
    Question("critical_path_time", 2, ref.critical_path_time, cpu_only=True,
             tolerance=Tolerance(1e-9, 1e-9), cases=[
        public(lambda g: args(BOOK_GRAPH, BOOK_COST)),
        hidden(_graph_case(9, 0.3, with_cost=True)),
        hidden(_graph_case(14, 0.2, with_cost=True)),
    ]),
    # §8.4
    Question("split_and_load", 1, ref.split_and_load, cpu_only=True, cases=[
        public(_split_case(4, 2, (5,))),
        hidden(_split_case(12, 3, (2, 2))),
        hidden(_split_case(5, 1, (3,))),
    ]),
    Question("allreduce", 2, ref.allreduce, kind=Call(harvest=("arg:0",)), cases=[
        public(lambda g: args([torch.ones(1, 2), torch.ones(1, 2) * 2])),
        hidden(_allreduce_case(3, (2, 3))),
        hidden(_allreduce_case(4, (5,))),
    ]),
    Question("lenet", 2, ref.lenet, tolerance=WITH_WEIGHTS, cases=[
        public(_lenet_case(2)),
        hidden(_lenet_case(5)),
    ]),
    Question("train_batch", 3, ref.train_batch, kind=Call(harvest=("arg:2",)),
             tolerance=K_STEPS, cpu_only=True, cases=[
        public(_train_batch_case(8, 2, 0.2)),
        hidden(_train_batch_case(12, 3, 0.5)),
        hidden(_train_batch_case(8, 4, 0.1)),
    ]),
    # §8.5
    Question("resnet18_small", 2, ref.resnet18_small,
             kind=Construct(init_kwargs={"num_classes": 10, "in_channels": 1},
                            harvest=("layers", "num_params", "output")),
             tolerance=WITH_WEIGHTS, cases=[
        public(_filled_case((2, 1, 28, 28))),
        hidden(_filled_case((1, 3, 20, 20), {"num_classes": 5, "in_channels": 3})),
    ]),
    Question("ddp_gradients", 3, ref.full_batch_gradients, tolerance=DDP, cpu_only=True,
             cases=[
        public(_ddp_case(8, 2)),
        hidden(_ddp_case(12, 2)),
        hidden(_ddp_case(9, 3)),
    ]),
]

ASSIGNMENT = AssignmentSpec(
    id="ch08_performance",
    title="第 8 章 计算性能 / Chapter 8 Computational Performance",
    notebooks=[NotebookSpec("performance", QUESTIONS)],
)
