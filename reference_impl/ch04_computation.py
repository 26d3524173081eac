"""Chapter 4 deep-learning computation (§4.1–§4.6), the answer key in PyTorch.

The first edition of 《动手学深度学习》 teaches Gluon's ``Block``; here every unit is the
PyTorch counterpart (``nn.Module``, ``nn.Parameter``, ``nn.LazyLinear``, ``torch.save``).
Attribute names are part of the contract: the grader loads its own weights into a
student's module with ``load_state_dict(strict=True)``, which only works when names and
shapes agree with the classes below.  Units that would need a GPU take the number of
GPUs or the device as an argument, so their answers are the same on every machine.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

__all__ = [
    "MLP",
    "MySequential",
    "FancyMLP",
    "NestMLP",
    "param_report",
    "init_normal",
    "my_init",
    "shared_grad",
    "deferred_init_report",
    "CenteredLayer",
    "MyDense",
    "MyListDense",
    "MyDictDense",
    "save_load_roundtrip",
    "save_load_model",
    "try_gpu",
    "try_all_gpus",
    "forward_on",
]


# ---------------------------------------------------------------------------
# §4.1 Model construction
# ---------------------------------------------------------------------------


class MLP(nn.Module):
    """A one-hidden-layer perceptron written as an ``nn.Module`` subclass (§4.1).

    The book's sizes (784 → 256 → 10) are the defaults; they are arguments so a grader
    can build a small copy and keep its test data small.  ``super().__init__()`` must
    run first: it creates the registries that assigning ``self.hidden`` fills.
    """

    def __init__(self, num_inputs: int = 784, num_hiddens: int = 256,
                 num_outputs: int = 10) -> None:
        super().__init__()
        self.hidden = nn.Linear(num_inputs, num_hiddens)
        self.act = nn.ReLU()
        self.output = nn.Linear(num_hiddens, num_outputs)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.output(self.act(self.hidden(X)))


class MySequential(nn.Module):
    """A minimal ``nn.Sequential`` (§4.1).

    Each module is registered under its position (``"0"``, ``"1"``, ...) with
    ``add_module``, which is what makes its parameters visible to ``parameters()``,
    ``state_dict()`` and ``.to(device)``; a plain Python list would hide them.  Modules
    are kept in insertion order, which is the order ``forward`` applies them.
    """

    def __init__(self, *modules: nn.Module) -> None:
        super().__init__()
        for idx, module in enumerate(modules):
            self.add_module(str(idx), module)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        for module in self.children():
            X = module(X)
        return X


class FancyMLP(nn.Module):
    """Python control flow, a constant and a reused layer inside ``forward`` (§4.1).

    ``rand_weight`` is a constant: registered as a *buffer* it moves with the module and
    is saved in ``state_dict()``, yet it is not a parameter, so no optimiser changes it.
    The same ``linear`` layer is applied twice, so its parameters are shared.
    """

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(20, 20))
        self.linear = nn.Linear(20, 20)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = self.linear(X)
        X = torch.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)
        while X.norm().item() > 1:
            X /= 2
        if X.norm().item() < 0.8:
            X *= 10
        return X.sum()


class NestMLP(nn.Module):
    """A module that holds an ``nn.Sequential`` and a layer of its own (§4.1).

    Modules nest freely: the inner ``Sequential`` is registered as ``net`` and its
    parameters appear as ``net.0.weight`` and so on.
    """

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.dense = nn.Linear(32, 16)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.dense(self.net(X)))


# ---------------------------------------------------------------------------
# §4.2 Access, initialisation and sharing of parameters
# ---------------------------------------------------------------------------


def param_report(net: nn.Module, X: torch.Tensor) -> dict[str, dict[str, Any]]:
    """Every parameter's shape and its gradient after one backward pass (§4.2).

    Runs ``net(X)``, back-propagates the *sum* of the output (so the gradient does not
    depend on a batch-mean convention) and reports, by the names ``named_parameters``
    gives, ``{"shape": [...], "grad": tensor}``.
    """
    Y = net(X)
    Y.sum().backward()
    return {name: {"shape": list(p.shape), "grad": p.grad.detach().clone()}
            for name, p in net.named_parameters()}


def init_normal(net: nn.Module) -> None:
    """Weights ~ N(0, 0.01²), biases 0, for every ``nn.Linear`` in ``net`` (§4.2).

    Ungraded helper used by the notebook's demo; ``net.apply`` would do the same.
    """
    for m in net.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.01)
            nn.init.zeros_(m.bias)


def my_init(net: nn.Module) -> None:
    """The book's custom initialiser, in place, on every ``nn.Linear`` weight (§4.2).

    Draw each weight from U(−10, 10), then set to zero the ones whose magnitude is below
    5: about half the weights end up 0 and the rest lie in [−10, −5] ∪ [5, 10].  Biases
    are left as they were.  The work runs under ``no_grad`` so it is not recorded.
    """
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight, -10, 10)
                m.weight *= m.weight.abs() >= 5


def shared_grad(w: float, X: torch.Tensor) -> dict[str, Any]:
    """Use one ``Linear(1, 1, bias=False)`` twice and look at its gradient (§4.2).

    ``nn.Sequential(layer, layer)`` computes ``y = w·(w·x)``; because both uses are the
    same parameter, the gradients of the two uses add up: ``dy/dw = 2·w·x`` summed over
    the batch.  The parameter is listed once, so the model has a single parameter.
    For w = 3 and x = 1: y = 9 and the gradient is 6.
    """
    layer = nn.Linear(1, 1, bias=False)
    nn.init.constant_(layer.weight, w)
    net = nn.Sequential(layer, layer)
    y = net(X).sum()
    y.backward()
    return {"y": y.detach(), "grad": layer.weight.grad.detach().clone(),
            "num_params": sum(p.numel() for p in net.parameters())}


# ---------------------------------------------------------------------------
# §4.3 Deferred initialisation
# ---------------------------------------------------------------------------


def deferred_init_report(X: torch.Tensor, num_hiddens: int,
                         num_outputs: int) -> dict[str, Any]:
    """Watch ``nn.LazyLinear`` learn its input size from the first batch (§4.3).

    PyTorch's counterpart of Gluon's deferred initialisation: the parameters of
    ``LazyLinear`` stay ``UninitializedParameter`` (no shape, no memory) until the first
    forward pass, which fixes ``in_features`` from ``X`` and then initialises them.
    Returns which parameters were uninitialised before, every parameter's name and shape
    after, and the output's shape.
    """
    net = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LazyLinear(num_outputs))
    before = [isinstance(p, nn.parameter.UninitializedParameter) for p in net.parameters()]
    Y = net(X)
    after = [[name, list(p.shape)] for name, p in net.named_parameters()]
    return {"uninitialized_before": before, "shapes_after": after,
            "output_shape": list(Y.shape)}


# ---------------------------------------------------------------------------
# §4.4 Custom layers
# ---------------------------------------------------------------------------


class CenteredLayer(nn.Module):
    """A layer without parameters: subtract the mean of *all* elements (§4.4)."""

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return X - X.mean()


class MyDense(nn.Module):
    """The book's fully connected layer, ``relu(X @ weight + bias)`` (§4.4).

    Argument order and the weight's shape follow the book (``units`` first, weight of
    shape ``(in_units, units)``), not ``nn.Linear``'s ``(out, in)``.  Wrapping tensors
    in ``nn.Parameter`` is what registers them.
    """

    def __init__(self, units: int, in_units: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return torch.relu(torch.matmul(X, self.weight) + self.bias)


class MyListDense(nn.Module):
    """Parameters held in an ``nn.ParameterList``: three 4×4 matrices, then a 4×1 (§4.4).

    ``forward`` multiplies by them in order, so a ``(n, 4)`` input gives ``(n, 1)``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.params = nn.ParameterList([nn.Parameter(torch.randn(4, 4)) for _ in range(3)])
        self.params.append(nn.Parameter(torch.randn(4, 1)))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        for p in self.params:
            X = torch.mm(X, p)
        return X


class MyDictDense(nn.Module):
    """Parameters held in an ``nn.ParameterDict``, chosen by name in ``forward`` (§4.4).

    ``linear1`` (4×4) and ``linear2`` (4×1) are given at construction, ``linear3``
    (4×2) is added afterwards with ``update``; insertion order is kept.
    """

    def __init__(self) -> None:
        super().__init__()
        self.params = nn.ParameterDict({
            "linear1": nn.Parameter(torch.randn(4, 4)),
            "linear2": nn.Parameter(torch.randn(4, 1)),
        })
        self.params.update({"linear3": nn.Parameter(torch.randn(4, 2))})

    def forward(self, X: torch.Tensor, choice: str = "linear1") -> torch.Tensor:
        return torch.mm(X, self.params[choice])


# ---------------------------------------------------------------------------
# §4.5 Reading and storing
# ---------------------------------------------------------------------------


def save_load_roundtrip(x: torch.Tensor, y: torch.Tensor) -> dict[str, Any]:
    """Save a tensor, a list and a dict of tensors, then read them back (§4.5).

    Files go to a fresh temporary folder (the only writable place may be the temp
    directory) under the book's names ``x-file``, ``x-files`` and ``mydict``, and are
    read with ``weights_only=True``: plain tensors and containers need nothing more, and
    it refuses to run code hidden in a file.
    """
    with tempfile.TemporaryDirectory() as folder:
        torch.save(x, os.path.join(folder, "x-file"))
        x2 = torch.load(os.path.join(folder, "x-file"), weights_only=True)
        torch.save([x, y], os.path.join(folder, "x-files"))
        pair = torch.load(os.path.join(folder, "x-files"), weights_only=True)
        torch.save({"x": x, "y": y}, os.path.join(folder, "mydict"))
        mydict = torch.load(os.path.join(folder, "mydict"), weights_only=True)
        files = sorted(os.listdir(folder))
    return {"x": x2, "list": pair, "dict": mydict, "files": files}


def save_load_model(make_net: Callable[[], nn.Module], X: torch.Tensor) -> dict[str, Any]:
    """Save a model's parameters and load them into a freshly built copy (§4.5).

    Only the ``state_dict`` is stored, not the model object: to reload, the code builds
    the architecture again (``make_net()``, whose random initial weights are different)
    and loads the saved values into it.  The copy then computes exactly what the
    original does.  Returns whether the outputs are equal, the copy's output and the
    saved keys.
    """
    net = make_net()
    net.eval()
    with torch.no_grad():
        Y = net(X)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "net.params")
        torch.save(net.state_dict(), path)
        clone = make_net()
        clone.load_state_dict(torch.load(path, weights_only=True))
    clone.eval()
    with torch.no_grad():
        Y_clone = clone(X)
    return {"equal": bool(torch.equal(Y, Y_clone)), "Y": Y_clone,
            "keys": list(net.state_dict().keys())}


# ---------------------------------------------------------------------------
# §4.6 GPU computing
# ---------------------------------------------------------------------------


def try_gpu(i: int = 0, num_gpus: int | None = None) -> str:
    """``"cuda:i"`` if GPU ``i`` exists, else ``"cpu"`` (§4.6).

    ``num_gpus`` defaults to ``torch.cuda.device_count()``; passing it makes the answer
    testable on a machine without a GPU.  The name is returned as a string, which every
    torch function accepts as a device.
    """
    if num_gpus is None:
        num_gpus = torch.cuda.device_count()
    return f"cuda:{i}" if 0 <= i < num_gpus else "cpu"


def try_all_gpus(num_gpus: int | None = None) -> list[str]:
    """Every GPU's name, or ``["cpu"]`` when there is none (§4.6)."""
    if num_gpus is None:
        num_gpus = torch.cuda.device_count()
    devices = [f"cuda:{i}" for i in range(num_gpus)]
    return devices if devices else ["cpu"]


def forward_on(net: nn.Module, X: torch.Tensor, device: str) -> dict[str, Any]:
    """Run ``net`` on ``X`` on ``device`` and report where everything ended up (§4.6).

    Device-agnostic code moves both the model (``net.to(device)``) and the data
    (``X.to(device)``); forgetting either makes torch refuse to mix devices.  Graded on
    the ``meta`` device, which has shapes but no values, so no GPU is needed.
    """
    net = net.to(device)
    Y = net(X.to(device))
    return {"device": str(Y.device), "shape": list(Y.shape),
            "param_devices": [str(p.device) for p in net.parameters()]}
