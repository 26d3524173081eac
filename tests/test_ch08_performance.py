"""Chapter 8 (``ch08_performance``): the book's facts and this notebook's claims.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``.  Here: compiled networks give eager outputs, tracing freezes a
branch and scripting does not, the schedule of the book's two-GPU graph, the book's
all-reduce example, that a data-parallel step on k CPU "devices" equals one SGD step on
the whole batch computed independently with autograd, and that the gloo DDP gradient of
2 and 3 processes is the whole-batch gradient.
"""

from __future__ import annotations

import sys

import torch
import torch.nn.functional as F
from torch import nn

from reference_impl import ch08_performance as ref

from .conftest import ROOT


def _questions():
    """The chapter's spec module (for its book graph)."""
    from autograder.spec import load_assignment

    load_assignment(ROOT / "solutions" / "ch08_performance")
    return sys.modules["_d2l_questions_ch08_performance.questions"]


def test_script_and_trace_give_the_eager_output():
    torch.manual_seed(0)
    net = ref.mlp_512()
    out = ref.hybrid_outputs(net, torch.randn(3, 512))
    assert torch.equal(out["script"], out["eager"]) and torch.equal(out["trace"], out["eager"])
    assert ref.export_and_load(net, torch.randn(2, 512))["type"] == "RecursiveScriptModule"


def test_tracing_freezes_the_branch_and_scripting_keeps_it():
    out = ref.trace_vs_script(torch.tensor([1.0, 2.0]), torch.tensor([-3.0, 1.0]))
    assert torch.equal(out["eager"], torch.tensor([-4.0, 0.0]))  # sum < 0: x - 1
    assert torch.equal(out["scripted"], out["eager"])
    assert torch.equal(out["traced"], torch.tensor([-6.0, 2.0]))  # frozen: x * 2


def test_benchmark_message_with_a_fake_clock():
    assert ref.time_block("Workloads", [3.0, 3.25]) == {
        "elapsed": 0.25, "printed": "Workloads time: 0.2500 sec\n"}
    assert ref.time_block(None, [0.0, 1.0])["printed"] == "time: 1.0000 sec\n"


def test_the_book_graph_schedule():
    q = _questions()
    assert ref.parallel_levels(q.BOOK_GRAPH) == [
        ["x_gpu1", "x_gpu2"], ["y_gpu1", "y_gpu2"], ["copy_y1", "copy_y2"], ["sum_cpu"]]
    assert ref.critical_path_time(q.BOOK_GRAPH, q.BOOK_COST) == 7.5
    assert sum(q.BOOK_COST.values()) == 14.5  # one device, as the notebook says


def test_parallel_levels_refuses_cycles_and_unknown_names():
    import pytest

    with pytest.raises(ValueError, match="cycle"):
        ref.parallel_levels({"a": ["b"], "b": ["a"]})
    with pytest.raises(ValueError, match="unknown"):
        ref.parallel_levels({"a": ["z"]})


def test_fork_results_are_the_sequential_ones():
    xs = [torch.randn(4, 4) for _ in range(3)]
    assert all(torch.equal(a, x @ x) for a, x in zip(ref.parallel_matmuls(xs), xs, strict=True))


def test_allreduce_book_example_and_split():
    data = [torch.ones(1, 2), torch.ones(1, 2) * 2]
    ref.allreduce(data)
    assert all(torch.equal(t, torch.tensor([[3.0, 3.0]])) for t in data)
    parts = ref.split_and_load(torch.arange(12.0).reshape(6, 2), ["cpu", "cpu", "cpu"])
    assert [p.tolist() for p in parts] == [[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9], [10, 11]]]
    import pytest

    with pytest.raises(ValueError, match="evenly"):
        ref.split_and_load(torch.zeros(5, 2), ["cpu", "cpu"])


def test_data_parallel_step_equals_one_full_batch_step():
    torch.manual_seed(1)
    start = [torch.randn(*s) * 0.1 for s in ref.lenet_param_shapes()]
    X, y, lr = torch.rand(12, 1, 28, 28), torch.randint(0, 10, (12,)), 0.3
    # One SGD step on the whole batch, written out with autograd (no code under test).
    full = [p.clone().requires_grad_() for p in start]
    F.cross_entropy(ref.lenet(X, full), y, reduction="sum").backward()
    expected = [(p - lr * p.grad / 12).detach() for p in full]
    for k in (2, 3, 4):
        replicas = [[p.clone().requires_grad_() for p in start] for _ in range(k)]
        ref.train_batch(X, y, replicas, ["cpu"] * k, lr)
        for params in replicas:
            for got, want in zip(params, expected, strict=True):
                torch.testing.assert_close(got.detach(), want, rtol=1e-5, atol=1e-6)


def test_lenet_shapes_follow_the_book():
    params = [torch.randn(*s) * 0.1 for s in ref.lenet_param_shapes()]
    assert ref.lenet(torch.rand(5, 1, 28, 28), params).shape == (5, 10)


def test_small_resnet_has_no_max_pool_and_keeps_28_pixels_in_stage_one():
    net = ref.resnet18_small()
    assert not any(isinstance(m, nn.MaxPool2d) for m in net.modules())
    x = torch.rand(2, 1, 28, 28)
    assert net[:4](x).shape == (2, 64, 28, 28)
    assert net(x).shape == (2, 10)


def test_ddp_gradient_is_the_whole_batch_gradient():
    torch.manual_seed(2)
    for world_size, batch in ((2, 8), (3, 9)):
        state = ref.make_ddp_net().state_dict()
        X, y = torch.randn(batch, 8), torch.randint(0, 3, (batch,))
        got = ref.ddp_gradients(state, X, y, world_size)
        want = ref.full_batch_gradients(state, X, y)
        for g, w in zip(got, want, strict=True):
            torch.testing.assert_close(g, w, rtol=1e-5, atol=1e-6)


def test_run_workers_reports_a_worker_that_sends_nothing():
    import pytest

    with pytest.raises(RuntimeError, match="sent nothing"):
        ref.run_workers(_silent_worker, 2, timeout=2)


def _silent_worker(rank, world_size, port, conn):
    if rank == 0:
        conn.send("hello")


def test_trace_side_effects_key_is_what_the_pinned_torch_does():
    """The choice question's claim, run: its key must be the behaviour of the torch we pin
    (an outside check found the old key, "once", wrong: check_trace reruns the function)."""
    from autograder.spec import load_assignment

    spec = load_assignment(ROOT / "solutions" / "ch08_performance")
    (key,) = spec.notebook("performance").question("trace_side_effects").reference
    printed = []

    def f(x):
        printed.append("hi")  # stands for the question's print("hi")
        return x * 2

    g = torch.jit.trace(f, torch.ones(2))  # exactly as the question writes it
    while_tracing = len(printed)
    for _ in range(3):
        g(torch.ones(2))
    counts = {"A": 0, "B": 1, "C": 3, "D": 6}
    assert (while_tracing, len(printed)) == (3, 3), torch.__version__
    assert [letter for letter, n in counts.items() if n == len(printed)] == [key]
