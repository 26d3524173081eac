"""Chapter 4 (深度学习计算): the reference's known values and the checks only this chapter has.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``; here are the book's numbers, the weight-injection contract that the
``construct`` kind relies on, and the statistics invariant of ``my_init``.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from autograder import wire
from autograder.kinds import Construct, new, run_case
from autograder.spec import args
from reference_impl import ch04_computation as ref

from .conftest import ROOT


def _spec():
    from autograder.spec import load_assignment

    return load_assignment(ROOT / "solutions" / "ch04_computation")


def test_mlp_with_the_books_sizes_has_203530_parameters():
    net = ref.MLP()
    assert sum(p.numel() for p in net.parameters()) == 784 * 256 + 256 + 256 * 10 + 10 == 203530
    assert net(torch.rand(2, 784)).shape == (2, 10)


def test_shared_layer_example_gives_9_and_gradient_6():
    out = ref.shared_grad(3.0, torch.ones(1, 1))
    assert out["y"].item() == 9.0
    assert out["grad"].tolist() == [[6.0]]
    assert out["num_params"] == 1


def test_wrong_attribute_names_cannot_take_the_reference_weights():
    class RenamedMLP(nn.Module):  # the layers are right, the names are not
        def __init__(self, num_inputs=784, num_hiddens=256, num_outputs=10):
            super().__init__()
            self.fc1 = nn.Linear(num_inputs, num_hiddens)
            self.fc2 = nn.Linear(num_hiddens, num_outputs)

        def forward(self, X):
            return self.fc2(torch.relu(self.fc1(X)))

    sizes = {"num_inputs": 5, "num_hiddens": 4, "num_outputs": 3}
    kind = wire.decode(*wire.encode(Construct(init_kwargs=sizes,
                                              harvest=("output", "names")).to_data()))
    case = {"seed": 1, "args": [torch.ones(2, 5)],
            "kwargs": {"state": dict(ref.MLP(**sizes).state_dict())}}
    got = run_case(ref.MLP, case, kind, {})
    assert [n for n, _ in got["names"]] == ["hidden.weight", "hidden.bias",
                                            "output.weight", "output.bias"]
    with pytest.raises(RuntimeError, match="state_dict"):
        run_case(RenamedMLP, case, kind, {})


def test_fancy_mlp_constant_is_a_buffer_not_a_parameter():
    net = ref.FancyMLP()
    assert [n for n, _ in net.named_parameters()] == ["linear.weight", "linear.bias"]
    assert [n for n, _ in net.named_buffers()] == ["rand_weight"]
    assert sum(p.numel() for p in net.parameters()) == 420
    assert net(torch.rand(2, 20)).shape == ()


def test_my_sequential_equals_nn_sequential_with_the_same_modules():
    layers = [nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)]
    mine, theirs = ref.MySequential(*layers), nn.Sequential(*layers)
    X = torch.randn(4, 6)
    assert torch.equal(mine(X), theirs(X))
    assert list(mine.state_dict()) == list(theirs.state_dict())


def test_centered_layer_and_my_dense():
    centred = ref.CenteredLayer()(torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert centred.tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0]
    dense = ref.MyDense(3, 5)
    assert dense.weight.shape == (5, 3) and dense.bias.shape == (3,)
    assert (dense(torch.randn(4, 5)) >= 0).all()


def test_my_init_invariant_accepts_the_reference_and_rejects_plain_uniform():
    q = _spec().notebook("models_layers").question("my_init")
    bias = torch.randn(32)
    recipe = new("torch.nn.Sequential", new("torch.nn.Linear", 64, 32),
                 state={"0.weight": torch.zeros(32, 64), "0.bias": bias})
    case = args(recipe)

    def state_after(init):
        net = nn.Sequential(nn.Linear(64, 32))
        net.load_state_dict({"0.weight": torch.zeros(32, 64), "0.bias": bias})
        init(net)
        return {k: v.detach().clone() for k, v in net.state_dict().items()}

    torch.manual_seed(0)
    assert q.invariant(state_after(ref.my_init), case) == []
    plain = state_after(lambda net: nn.init.uniform_(net[0].weight, -10, 10))
    assert q.invariant(plain, case)
    shifted = state_after(ref.my_init)
    shifted["0.bias"] += 1
    assert q.invariant(shifted, case)


def test_deferred_init_waits_for_the_first_batch():
    out = ref.deferred_init_report(torch.randn(2, 20), 256, 10)
    assert out["uninitialized_before"] == [True] * 4
    assert out["shapes_after"][0] == ["0.weight", [256, 20]]
    assert out["output_shape"] == [2, 10]


def test_save_load_round_trips_and_forward_on_meta():
    x, y = torch.arange(4.0), torch.zeros(4)
    out = ref.save_load_roundtrip(x, y)
    assert torch.equal(out["x"], x) and type(out["list"]) is list
    assert out["files"] == ["mydict", "x-file", "x-files"]
    model = ref.save_load_model(lambda: nn.Linear(3, 2), torch.randn(5, 3))
    assert model["equal"] and model["keys"] == ["weight", "bias"]
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    meta = ref.forward_on(net, torch.randn(5, 3), "meta")
    assert meta == {"device": "meta", "shape": [5, 2], "param_devices": ["meta"] * 4}
    with pytest.raises(RuntimeError):  # the data left on the CPU
        net(torch.randn(5, 3))


def test_device_helpers_do_not_need_a_gpu(monkeypatch):
    assert ref.try_gpu(0, 0) == "cpu" and ref.try_gpu(1, 2) == "cuda:1"
    assert ref.try_all_gpus(0) == ["cpu"] and ref.try_all_gpus(2) == ["cuda:0", "cuda:1"]
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    assert ref.try_gpu() == "cpu" and ref.try_all_gpus() == ["cpu"]
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 3)
    assert ref.try_gpu(2) == "cuda:2" and len(ref.try_all_gpus()) == 3


def test_every_question_has_a_public_and_two_hidden_cases():
    for q in _spec().notebook("models_layers").questions:
        public = sum(c.public for c in q.cases)
        assert public >= 1 and len(q.cases) - public >= 2, q.name
        assert 1 <= q.points <= 3, q.name
