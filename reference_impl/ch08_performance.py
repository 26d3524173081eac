"""Reference for chapter 8 (计算性能), §8.1–8.5: the functions the notebook asks for.

The chapter is about *how* computation runs (compiled graphs, asynchronous queues,
parallel devices), and speed itself is never graded: the grading machine is shared and
noisy.  What is graded is what can be observed without a clock.  Conventions:

* **§8.1, hybrid programming** is ``torch.jit`` here (the book's ``hybridize``):
  ``torch.jit.script`` compiles Python control flow, ``torch.jit.trace`` records the
  operations one example input happened to run.  A data-dependent ``if`` is frozen by
  tracing: the traced function takes the branch of the example it was traced with, for
  every later input.  ``torch.compile`` is left out (38 s for its first call on 2 cores).
* **§8.2, asynchronous execution**: a :class:`Benchmark` context manager with an
  injectable ``clock``, so its message can be compared without timing anything.
* **§8.3, automatic parallelism**: independent operations can run at the same time;
  :func:`parallel_levels` and :func:`critical_path_time` compute what a scheduler with
  unlimited devices could do with a dependency graph, and :func:`parallel_matmuls` runs
  independent products with ``torch.jit.fork``/``wait`` (results, not speed).
* **§8.4–8.5, several devices**: data parallelism with "devices" that are CPU replicas.
  The scratch LeNet's loss is **summed** over a device's shard and the step divides by the
  whole batch, as the book does, so one data-parallel step equals one SGD step on the whole
  batch.  The DDP step runs two processes with the ``gloo`` backend on 127.0.0.1 (fork,
  so it also works from a notebook kernel); each worker sends its result through its own
  pipe as Python lists, because a tensor sent between processes is shared memory that
  vanishes with its process.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .ch05_modern_nets import resnet_block

__all__ = [
    "mlp_512", "hybrid_outputs", "branchy", "trace_vs_script", "export_and_load",
    "Benchmark", "time_block", "parallel_matmuls", "parallel_levels",
    "critical_path_time", "split_and_load", "allreduce", "lenet_param_shapes", "lenet",
    "sgd", "train_batch", "resnet18_small", "make_ddp_net", "free_port", "run_workers",
    "ddp_gradients",
    "full_batch_gradients",
]


# ---- §8.1 hybrid programming ---------------------------------------------------------

def mlp_512() -> nn.Sequential:
    """The book's §8.1 network: 512 → 256 → 128 → 2 with ReLU between the layers."""
    return nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 2))


def hybrid_outputs(net: nn.Module, X: torch.Tensor) -> dict[str, torch.Tensor]:
    """The outputs of ``net`` run eagerly, scripted and traced (on ``X`` itself).

    For a network without data-dependent control flow all three agree: compiling changes
    how the computation runs, not what it computes.
    """
    net.eval()
    with torch.no_grad():
        return {"eager": net(X), "script": torch.jit.script(net)(X),
                "trace": torch.jit.trace(net, X)(X)}


def branchy(x: torch.Tensor) -> torch.Tensor:
    """A function whose branch depends on the data (given to the students)."""
    if x.sum() > 0:
        return x * 2
    return x - 1


def trace_vs_script(x_trace: torch.Tensor, x_test: torch.Tensor,
                    fn: Callable[[torch.Tensor], torch.Tensor] = branchy
                    ) -> dict[str, torch.Tensor]:
    """``fn`` on ``x_test``: eagerly, traced with the example ``x_trace``, and scripted.

    The traced function replays the branch ``x_trace`` took; when ``x_test`` would take
    the other one, its output differs from the eager one, and the scripted one does not.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(fn, x_trace)
    return {"eager": fn(x_test), "traced": traced(x_test),
            "scripted": torch.jit.script(fn)(x_test)}


def export_and_load(net: nn.Module, X: torch.Tensor) -> dict[str, Any]:
    """Script ``net``, save it with ``torch.jit.save``, load it back and run it on ``X``.

    The saved file holds the compiled program *and* the weights: ``torch.jit.load``
    needs no Python class to rebuild the module (the book's ``export``).
    """
    net.eval()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "net.pt")
        torch.jit.save(torch.jit.script(net), path)
        loaded = torch.jit.load(path)
    with torch.no_grad():
        return {"output": loaded(X), "type": type(loaded).__name__}


# ---- §8.2 asynchronous execution -------------------------------------------------------

class Benchmark:
    """Time a ``with`` block and print ``"<prefix> time: <seconds> sec"`` (4 decimals).

    ``clock`` returns the current time in seconds; the grader passes a fake one.  On a
    GPU, a block only measures its work if something in it waits for the results (a
    ``torch.cuda.synchronize()``, an ``.item()``): otherwise it measures the queueing.
    """

    def __init__(self, prefix: str | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        import time

        self.prefix = f"{prefix} " if prefix else ""
        self.clock = clock or time.perf_counter
        self.elapsed: float | None = None

    def __enter__(self) -> Benchmark:
        self.start = self.clock()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = self.clock() - self.start
        print(f"{self.prefix}time: {self.elapsed:.4f} sec")


def time_block(prefix: str | None, ticks: Sequence[float],
               benchmark: type = Benchmark) -> dict[str, Any]:
    """Run an empty block under ``benchmark`` with a clock that returns ``ticks``.

    Given to the students (it calls *their* ``Benchmark``); returns the elapsed time and
    what was printed, so both can be compared.
    """
    import contextlib
    import io

    clock = iter(ticks).__next__
    out = io.StringIO()
    with contextlib.redirect_stdout(out), benchmark(prefix, clock=clock) as b:
        pass
    return {"elapsed": b.elapsed, "printed": out.getvalue()}


# ---- §8.3 automatic parallelism --------------------------------------------------------

def _square(x: torch.Tensor) -> torch.Tensor:
    return torch.mm(x, x)


def parallel_matmuls(xs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """``x @ x`` for every ``x``, all launched with ``torch.jit.fork`` before any wait.

    Launching everything first is what lets independent work overlap; waiting on each
    future right after forking it would run them one by one.
    """
    futures = [torch.jit.fork(_square, x) for x in xs]
    return [torch.jit.wait(f) for f in futures]


def _check_graph(deps: Mapping[str, Sequence[str]]) -> None:
    for op, before in deps.items():
        for d in before:
            if d not in deps:
                raise ValueError(f"{op!r} depends on unknown operation {d!r}")


def parallel_levels(deps: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Group operations into steps that can run at the same time.

    ``deps[op]`` lists the operations ``op`` needs.  An operation without dependencies is
    in step 0; otherwise its step is one more than the latest step among what it needs.
    Each step's names are sorted.  Raises ``ValueError`` on a cycle.
    """
    _check_graph(deps)
    level: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(op: str) -> int:
        if op in level:
            return level[op]
        if op in visiting:
            raise ValueError(f"the dependencies have a cycle through {op!r}")
        visiting.add(op)
        level[op] = 1 + max((visit(d) for d in deps[op]), default=-1)
        visiting.discard(op)
        return level[op]

    for op in deps:
        visit(op)
    steps: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for op, k in level.items():
        steps[k].append(op)
    return [sorted(step) for step in steps]


def critical_path_time(deps: Mapping[str, Sequence[str]],
                       cost: Mapping[str, float]) -> float:
    """The least total time with unlimited devices: the longest chain of costs.

    An operation can start once everything it needs has finished, so it finishes at
    ``cost[op] + max(finish of its dependencies)``; the answer is the latest finish.
    """
    finish: dict[str, float] = {}
    for step in parallel_levels(deps):
        for op in step:
            finish[op] = float(cost[op]) + max((finish[d] for d in deps[op]), default=0.0)
    return max(finish.values(), default=0.0)


# ---- §8.4 several GPUs from scratch -----------------------------------------------------

def split_and_load(data: torch.Tensor, devices: Sequence[str | torch.device]
                   ) -> list[torch.Tensor]:
    """Split ``data`` along dimension 0 into equal shards, shard ``i`` on ``devices[i]``."""
    n, k = data.shape[0], len(devices)
    if k == 0 or n % k != 0:
        raise ValueError(f"cannot split {n} examples evenly over {k} devices")
    size = n // k
    return [data[i * size:(i + 1) * size].to(devices[i]) for i in range(k)]


def allreduce(data: list[torch.Tensor]) -> None:
    """Replace every tensor of ``data`` by the sum of all of them, in place.

    Sum on the first device, then copy the sum back to each: every replica then holds
    the same total (the book's two-stage reduce and broadcast).
    """
    total = data[0].clone()
    for t in data[1:]:
        total += t.to(total.device)
    for t in data:
        t[:] = total.to(t.device)


def lenet_param_shapes() -> list[tuple[int, ...]]:
    """The scratch LeNet's parameter shapes, in the order :func:`lenet` takes them."""
    return [(20, 1, 3, 3), (20,), (50, 20, 5, 5), (50,), (800, 128), (128,), (128, 10), (10,)]


def lenet(X: torch.Tensor, params: Sequence[torch.Tensor]) -> torch.Tensor:
    """The book's §8.4 LeNet written with functions: 28×28 images → 10 logits.

    conv 3×3 (20) → ReLU → avg-pool 2 → conv 5×5 (50) → ReLU → avg-pool 2 → flatten
    (800) → dense 128 → ReLU → dense 10.
    """
    W1, b1, W2, b2, W3, b3, W4, b4 = params
    h = F.avg_pool2d(F.relu(F.conv2d(X, W1, b1)), kernel_size=2, stride=2)
    h = F.avg_pool2d(F.relu(F.conv2d(h, W2, b2)), kernel_size=2, stride=2)
    h = F.relu(h.reshape(h.shape[0], -1) @ W3 + b3)
    return h @ W4 + b4


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """The book's minibatch SGD: ``p -= lr · p.grad / batch_size``, then clear the grads."""
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size
            p.grad.zero_()


def train_batch(X: torch.Tensor, y: torch.Tensor, device_params: list[list[torch.Tensor]],
                devices: Sequence[str | torch.device], lr: float) -> None:
    """One data-parallel step: shard, summed loss per replica, all-reduce, same update.

    After the all-reduce each replica's gradient is the gradient of the loss summed over
    the whole batch, and ``sgd`` divides by the whole batch size, so every replica takes
    exactly the step one device would take on the whole batch.
    """
    X_shards, y_shards = split_and_load(X, devices), split_and_load(y, devices)
    for X_s, y_s, params in zip(X_shards, y_shards, device_params, strict=True):
        loss = F.cross_entropy(lenet(X_s, params), y_s, reduction="sum")
        loss.backward()
    for i in range(len(device_params[0])):
        allreduce([params[i].grad for params in device_params])
    for params in device_params:
        sgd(params, lr, X.shape[0])


# ---- §8.5 concise multi-device training --------------------------------------------------

def resnet18_small(num_classes: int = 10, in_channels: int = 1) -> nn.Sequential:
    """§8.5's ResNet-18 for small images: a 3×3 stem without max-pooling.

    Positions: 0 conv 3×3 (64), 1 batch norm, 2 ReLU, 3–6 the four stages of two
    residual blocks each (64, 128, 256, 512 channels; the first keeps the resolution),
    7 global average pooling, 8 flatten, 9 the dense output layer.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=1),
        nn.BatchNorm2d(64), nn.ReLU(),
        resnet_block(64, 64, 2, first_block=True),
        resnet_block(64, 128, 2), resnet_block(128, 256, 2), resnet_block(256, 512, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, num_classes))


def make_ddp_net() -> nn.Sequential:
    """The small network the DDP question trains (given to the students)."""
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_workers(worker: Callable[..., None], world_size: int, *args: Any,
                timeout: float = 60.0) -> list[Any]:
    """Fork ``world_size`` processes running ``worker(rank, world_size, port, conn, *args)``.

    Each worker sends one result through its own pipe (``conn.send``), and this returns
    them by rank.  A pipe's ``send`` writes before it returns, so a result arrives even if
    the worker then hangs while tearing down its process group (a ``multiprocessing.Queue``
    hands the data to a feeder thread, which such a hang can starve); a worker still
    alive after sending is killed.  A worker that sends nothing within ``timeout`` seconds
    raises ``RuntimeError``.
    """
    import torch.multiprocessing as mp

    ctx = mp.get_context("fork")
    port = free_port()
    pipes = [ctx.Pipe(duplex=False) for _ in range(world_size)]
    procs = [ctx.Process(target=worker, args=(rank, world_size, port, pipes[rank][1], *args))
             for rank in range(world_size)]
    for p in procs:
        p.start()
    try:
        results = []
        for rank, (receive, _) in enumerate(pipes):
            if not receive.poll(timeout):
                codes = [p.exitcode for p in procs]
                raise RuntimeError(f"worker {rank} sent nothing in {timeout:g} s "
                                   f"(exit codes {codes})")
            results.append(receive.recv())
        return results
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join()


def _ddp_worker(rank: int, world_size: int, port: int, conn: Any,
                state: dict[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor) -> None:
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world_size)
    net = make_ddp_net()
    net.load_state_dict(state)
    model = nn.parallel.DistributedDataParallel(net)
    X_s, y_s = X.chunk(world_size)[rank], y.chunk(world_size)[rank]
    F.cross_entropy(model(X_s), y_s).backward()
    conn.send([p.grad.tolist() for p in net.parameters()])
    del model  # the DDP wrapper goes before the process group it uses
    dist.destroy_process_group()


def ddp_gradients(state: dict[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor,
                  world_size: int = 2) -> list[torch.Tensor]:
    """One DDP backward pass with ``world_size`` processes; rank 0's gradients.

    Each process loads ``state`` into its own :func:`make_ddp_net`, takes its shard of the
    batch and computes the mean cross-entropy; DDP averages the gradients across the
    processes during ``backward``, so with equal shards every rank holds the gradient of
    the mean loss over the whole batch.
    """
    grads = run_workers(_ddp_worker, world_size, state, X, y)[0]
    return [torch.tensor(g) for g in grads]


def full_batch_gradients(state: dict[str, torch.Tensor], X: torch.Tensor,
                         y: torch.Tensor, world_size: int = 2) -> list[torch.Tensor]:
    """The gradient of the mean loss over the whole batch, in one process.

    This is what :func:`ddp_gradients` must give whatever ``world_size`` (the grader's
    expected value: the claim of §8.5 is that data parallelism changes nothing but speed).
    """
    net = make_ddp_net()
    net.load_state_dict(state)
    F.cross_entropy(net(X), y).backward()
    return [p.grad.clone() for p in net.parameters()]

