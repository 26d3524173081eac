"""How a case calls the object under test, the same way for the reference and the student.

A question names a *kind* of call; the kinds are few and shared by every chapter:

``call``
    Call the object with the case's arguments and record what the question asks for:
    the return value (``"return"``), an argument after the call (``"arg:N"``, for
    functions that update in place such as an optimiser step), or an object the case
    built (``"bound:NAME"``, e.g. a network after training).  Two prefixes check what a
    question states as a rule about side effects: ``"grad:"`` records the ``.grad`` of
    the target's tensors (``None`` counts as zeros, as ``zero_grad`` leaves it), and
    ``"training:"`` whether the target module is in training mode after the call.
    ``collect=True`` turns an iterator result into a list first (data iterators).

``value``
    Record the object itself, uncalled: the answer to a choice or short-answer question
    (a string the student assigns).  ``None``, the placeholder the blank notebook gives,
    counts as not answered yet.

``construct``
    Build an instance of the student's class (a ``torch.nn.Module``), load the case's
    weights into it, and run it: the reference and the student's network then compute
    with the same parameters, so outputs compare within a tolerance (see
    :class:`Construct`).

Arguments may contain :class:`~autograder.wire.Recipe` nodes, so a case can hand over
objects that are not plain data while staying plain data itself:

``ref(name)``                  an object from the namespace (the student's own function)
``new(path, *args, **kwargs)`` a ``torch`` object, e.g. ``torch.nn.Linear``; ``state=``
                               loads a state dict into it; ``bind=`` names it for later;
                               ``training=False`` hands a module over in evaluation mode
``partial(path, **kwargs)``    a ``torch`` function with some keywords fixed
``params(of)``                 the parameters of a bound module, for an optimiser
``bound(name)``                an object bound earlier in the same case
``leaf(data, grad=None)``      a tensor that requires grad, with ``.grad`` already set
                               (tensors on the wire carry no autograd state)

Only attributes under ``torch`` can be named, and no private ones.  This module runs in
the sandbox too; nothing here is trusted to judge anything.
"""

from __future__ import annotations

import functools
import random
import types
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .wire import Recipe

MAX_COLLECTED_ITEMS = 10_000


class MissingObject(LookupError):
    """The namespace has no object of the requested name."""


class RecipeError(ValueError):
    """A recipe that cannot be evaluated (a bug in a question spec, not in a submission)."""


# ---- recipe constructors, used by question specs -------------------------------------

def ref(name: str) -> Recipe:
    """The namespace's object called ``name`` (for a student: their own definition)."""
    return Recipe("ref", {"name": name})


def new(path: str, *args: Any, state: Any = None, bind: str | None = None,
        training: bool | None = None, **kwargs: Any) -> Recipe:
    """A new ``torch`` object ``path(*args, **kwargs)``, optionally loaded with ``state``
    and, for a module, put in training (``True``) or evaluation (``False``) mode."""
    params = {"path": path, "args": list(args), "kwargs": kwargs, "state": state,
              "bind": bind}
    if training is not None:  # only when asked: older plans stay byte for byte the same
        params["training"] = bool(training)
    return Recipe("new", params)


def partial(path: str, **kwargs: Any) -> Recipe:
    """The ``torch`` function at ``path`` with ``kwargs`` fixed."""
    return Recipe("partial", {"path": path, "kwargs": kwargs})


def params(of: str) -> Recipe:
    """The parameters of the module bound as ``of``."""
    return Recipe("params", {"of": of})


def bound(name: str) -> Recipe:
    """The object bound as ``name`` earlier in the same case."""
    return Recipe("bound", {"name": name})


def leaf(data: torch.Tensor, grad: torch.Tensor | None = None) -> Recipe:
    """A leaf tensor with ``requires_grad=True`` and, if given, ``.grad`` set."""
    return Recipe("leaf", {"data": data, "grad": grad})


# ---- evaluation -------------------------------------------------------------------------

def resolve_torch(path: str) -> Any:
    """``"torch.nn.Linear"`` → the attribute, refusing anything outside public torch."""
    parts = path.split(".") if type(path) is str else []
    if len(parts) < 2 or parts[0] != "torch" or any(
        not p.isidentifier() or p.startswith("_") for p in parts
    ):
        raise RecipeError(f"not a public torch name: {path!r}")
    obj: Any = torch
    for part in parts[1:]:
        obj = getattr(obj, part)
    return obj


class Builder:
    """Evaluates recipes for one case against a namespace."""

    def __init__(self, namespace: Mapping[str, Any], device: str = "cpu") -> None:
        self.namespace = namespace
        self.device = device  # where tensors and modules the case builds are put
        self.bound: dict[str, Any] = {}

    def build(self, value: Any) -> Any:
        if isinstance(value, Recipe):
            return self._recipe(value)
        if type(value) is list:
            return [self.build(v) for v in value]
        if type(value) is tuple:
            return tuple(self.build(v) for v in value)
        if type(value) is dict:
            return {k: self.build(v) for k, v in value.items()}
        if isinstance(value, torch.Tensor):
            # Each case gets fresh tensors: in-place work must not leak between cases.
            return value.clone().to(self.device)
        return value

    def _recipe(self, r: Recipe) -> Any:
        p = r.params
        if r.op == "ref":
            name = p["name"]
            if name not in self.namespace:
                raise MissingObject(name)
            return self.namespace[name]
        if r.op == "new":
            obj = resolve_torch(p["path"])(*self.build(p["args"]), **self.build(p["kwargs"]))
            if p.get("state") is not None:
                obj.load_state_dict(self.build(p["state"]), strict=True)
            if isinstance(obj, torch.nn.Module | torch.Tensor):
                obj = obj.to(self.device)
            if p.get("training") is not None and isinstance(obj, torch.nn.Module):
                obj.train(bool(p["training"]))
            if p.get("bind"):
                self.bound[p["bind"]] = obj
            return obj
        if r.op == "partial":
            return functools.partial(resolve_torch(p["path"]), **self.build(p["kwargs"]))
        if r.op == "params":
            return list(self._bound(p["of"]).parameters())
        if r.op == "bound":
            return self._bound(p["name"])
        if r.op == "leaf":
            tensor = self.build(p["data"]).requires_grad_(True)
            if p.get("grad") is not None:
                tensor.grad = self.build(p["grad"])
            return tensor
        raise RecipeError(f"unknown recipe {r.op!r}")

    def _bound(self, name: str) -> Any:
        if name not in self.bound:
            raise RecipeError(f"nothing bound as {name!r} yet")
        return self.bound[name]


@contextmanager
def isolated(namespace: MutableMapping[str, Any], stand_ins: Mapping[str, Any],
             device: str = "cpu") -> Iterator[None]:
    """Temporarily replace names in ``namespace`` by objects built from recipes.

    A question about ``net`` swaps the student's ``softmax`` for ``torch.softmax`` this
    way, so one mistake costs one question; everything is put back afterwards.
    """
    saved = {k: namespace[k] for k in stand_ins if k in namespace}
    try:
        builder = Builder(namespace, device)
        for name, recipe in stand_ins.items():
            namespace[name] = _explained(name, builder.build(recipe))
        yield
    finally:
        for name in stand_ins:
            namespace.pop(name, None)
        namespace.update(saved)


class HelperError(Exception):
    """A helper the grader swapped in failed on what the student's code passed it."""


def describe_value(value: Any) -> str:
    """A value as a student would recognise it: a tensor's dtype and shape, else its type."""
    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).replace("torch.", "")
        return f"{'an' if dtype[0] in 'aeiou' else 'a'} {dtype} tensor of shape " \
               f"{tuple(value.shape)}"
    return f"{type(value).__name__} {value!r}" if isinstance(value, (int, float, bool)) \
        else f"a {type(value).__name__}"


def _explained(name: str, stand_in: Any) -> Any:
    """``stand_in`` (a Python function), raising :class:`HelperError` on failure.

    Why: an error inside a grader-provided helper ("expected scalar type Float but found
    Long" from inside ``corr2d``) says nothing about the student's code; what does is what
    their code gave it.  Classes, modules, builtins and compiled functions are left as
    they are (a wrapper would change what they are, or stop TorchScript from compiling
    code that calls them).
    """
    if not isinstance(stand_in, (types.FunctionType, functools.partial)):
        return stand_in

    @functools.wraps(stand_in)
    def helper(*args: Any, **kwargs: Any) -> Any:
        try:
            return stand_in(*args, **kwargs)
        except Exception as exc:
            given = [describe_value(a) for a in args]
            given += [f"{k}={describe_value(v)}" for k, v in kwargs.items()]
            raise HelperError(
                f"{name}, a helper the grader provides, failed on what your code passed "
                f"it ({', '.join(given) or 'no arguments'}): {type(exc).__name__}: {exc}"
            ) from None

    return helper


@dataclass(frozen=True)
class Call:
    """The ``call`` kind (see the module docstring)."""

    harvest: tuple[str, ...] = ("return",)
    collect: bool = False

    def to_data(self) -> dict[str, Any]:
        return {"kind": "call", "harvest": list(self.harvest), "collect": self.collect}


@dataclass(frozen=True)
class Value:
    """The ``value`` kind (see the module docstring)."""

    def to_data(self) -> dict[str, Any]:
        return {"kind": "value"}


@dataclass(frozen=True)
class Construct:
    """The ``construct`` kind: instantiate a class, give it weights, call it.

    The class is called with ``init``/``init_kwargs`` (which may hold recipes, e.g.
    ``new("torch.nn.Linear", 4, 3)`` for a container of layers); a case may give its own
    with the keywords ``init`` and ``init_kwargs`` (other sizes in hidden cases).  A case
    keyword ``state``
    is a state dict loaded with ``strict=True``, so the student's parameter names and
    shapes must be the reference's.  For networks too big to ship weights for (AlexNet has
    47 million), the case keyword ``fill=True`` instead fills every floating state-dict
    entry from a generator seeded by the case (:func:`fill_state`): a network whose
    entries have the reference's names and shapes then holds the reference's values.
    The module is put in eval mode unless ``train`` and called on the case's positional
    arguments (other case keywords go to ``forward``) with autograd off.  ``harvest``
    lists what is recorded:

    ``output``      what the call returned
    ``state``       the state dict after the call
    ``names``       ``[name, shape]`` of every state-dict entry, in order
    ``num_params``  parameter elements, a shared parameter counted once
    ``layers``      ``[label, output shape]`` of each direct child in the order they ran
                    during the call (the book's layer-by-layer shape table; the label is
                    the class name of a layer with parameters, see :func:`layer_label`)
    """

    init: tuple[Any, ...] = ()
    init_kwargs: Mapping[str, Any] = field(default_factory=dict)
    harvest: tuple[str, ...] = ("output",)
    train: bool = False

    def to_data(self) -> dict[str, Any]:
        return {"kind": "construct", "init": list(self.init),
                "init_kwargs": dict(self.init_kwargs), "harvest": list(self.harvest),
                "train": self.train}


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch; the grader does this before every case."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def as_data(value: Any) -> Any:
    """What is recorded for a harvested object: modules become their state dicts.

    An ``nn.ParameterList`` is a module only in name: it is the list of parameters the
    book's PyTorch code returns where a list is meant (``get_params``), so it is recorded
    as that list, its tensors in order.
    """
    if isinstance(value, torch.nn.ParameterList):
        return list(value)
    if isinstance(value, torch.nn.Module):
        return dict(value.state_dict())
    return value


def run_case(obj: Any, case: Mapping[str, Any], kind: Mapping[str, Any],
             namespace: Mapping[str, Any], device: str = "cpu") -> Any:
    """Call ``obj`` on one case as ``kind`` says, returning what is to be compared.

    ``case`` holds ``args``, ``kwargs`` and ``seed``; ``kind`` is :meth:`Call.to_data`.
    The value returned is either one harvested item or, for several, a dict by target.
    ``device`` is where the case's tensors and modules are put (``"cuda"`` with
    ``--gpu``); values come back wherever the call left them.
    """
    if kind.get("kind") == "construct":
        return _construct(obj, case, kind, namespace, device)
    if kind.get("kind") == "value":
        if obj is None:
            raise NotImplementedError("not answered yet")
        return obj
    if kind.get("kind") != "call":
        raise RecipeError(f"unknown kind {kind.get('kind')!r}")
    seed_everything(int(case["seed"]))
    builder = Builder(namespace, device)
    args = builder.build(case["args"])
    kwargs = builder.build(case["kwargs"])
    result = obj(*args, **kwargs)
    if kind.get("collect"):
        result = _collect(result)
    harvested = {target: as_data(_target(target, result, args, builder))
                 for target in kind["harvest"]}
    if len(harvested) == 1:
        return next(iter(harvested.values()))
    return harvested


def _target(target: str, result: Any, args: Any, builder: Builder) -> Any:
    """One harvest target of a call (see the module docstring)."""
    if target == "return":
        return result
    if target.startswith("arg:"):
        return args[int(target[4:])]
    if target.startswith("bound:"):
        return builder._bound(target[6:])
    if target.startswith("grad:"):
        return _grads(_target(target[5:], result, args, builder))
    if target.startswith("training:"):
        module = _target(target[9:], result, args, builder)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"expected a torch.nn.Module, got {type(module).__name__}")
        return bool(module.training)
    raise RecipeError(f"unknown harvest target {target!r}")


def _grads(value: Any) -> Any:
    """The ``.grad`` of every tensor in ``value``; a missing one is zeros (what
    ``zero_grad(set_to_none=True)`` leaves means the same as zeroed)."""
    if isinstance(value, torch.Tensor):
        grad = value.grad
        return torch.zeros_like(value).detach() if grad is None else grad.detach().clone()
    if isinstance(value, torch.nn.Module):
        return {name: _grads(p) for name, p in value.named_parameters()}
    if isinstance(value, (list, tuple)):
        return [_grads(v) for v in value]
    raise TypeError(f"expected tensors, got {type(value).__name__}")


def _construct(cls: Any, case: Mapping[str, Any], kind: Mapping[str, Any],
               namespace: Mapping[str, Any], device: str) -> Any:
    seed_everything(int(case["seed"]))
    builder = Builder(namespace, device)
    kwargs = dict(case["kwargs"])
    init = kwargs.pop("init", kind["init"])
    init_kwargs = kwargs.pop("init_kwargs", kind["init_kwargs"])
    module = cls(*builder.build(init), **builder.build(init_kwargs))
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"expected a torch.nn.Module, got {type(module).__name__}")
    kwargs = builder.build(kwargs)
    state = kwargs.pop("state", None)
    if state is not None:
        module.load_state_dict(state, strict=True)
    if kwargs.pop("fill", False):
        fill_state(module, int(case["seed"]))
    module.to(device)
    module.train(bool(kind["train"]))
    harvested: dict[str, Any] = {}
    wanted = kind["harvest"]
    if "output" in wanted or "layers" in wanted:
        with torch.no_grad(), _layer_shapes(module) as layers:
            output = module(*builder.build(case["args"]), **kwargs)
        if "output" in wanted:
            harvested["output"] = output
        if "layers" in wanted:
            harvested["layers"] = layers
    for target in kind["harvest"]:
        if target == "state":
            harvested[target] = dict(module.state_dict())
        elif target == "names":
            harvested[target] = [[k, list(v.shape)] for k, v in module.state_dict().items()]
        elif target == "num_params":
            harvested[target] = sum(p.numel() for p in module.parameters())
        elif target not in ("output", "layers"):
            raise RecipeError(f"unknown harvest target {target!r}")
    if len(harvested) == 1:
        return next(iter(harvested.values()))
    return harvested


def fill_state(module: torch.nn.Module, seed: int) -> None:
    """Overwrite the module's floating state with values drawn from ``seed``, in place.

    Entries are visited in sorted name order, so two modules with the same entry names
    and shapes get the same values whatever order their layers were built in.  The
    scales keep a deep network's activations of order one: a weight of two or more
    dimensions is N(0, 1/fan_in), a one-dimensional ``weight`` (a norm layer's scale) and
    a ``running_var`` are U(0.5, 1.5), every other entry (biases, shifts, running means)
    is N(0, 0.1²).  Integer entries (``num_batches_tracked``) are left alone.
    """
    g = torch.Generator().manual_seed(seed)
    state = module.state_dict()
    values = {}
    for name in sorted(state):
        entry = state[name]
        if not entry.is_floating_point():
            continue
        shape, leaf = entry.shape, name.rsplit(".", 1)[-1]
        if entry.dim() >= 2:
            value = torch.randn(shape, generator=g) / (entry[0].numel() ** 0.5)
        elif leaf in ("weight", "running_var"):
            value = 0.5 + torch.rand(shape, generator=g)
        else:
            value = 0.1 * torch.randn(shape, generator=g)
        values[name] = value.to(entry.dtype)
    module.load_state_dict(values, strict=False)


#: How :func:`_layer_shapes` names a layer whose class name is form, not behaviour.
BLOCK, NO_PARAMETERS = "(a block of layers)", "(a layer without parameters)"


def layer_label(child: torch.nn.Module) -> str:
    """What the layer table says a layer is.

    A layer that computes with parameters or buffers of its own (Conv2d, Linear,
    BatchNorm2d) is named by its class: that is the structure a question asks for.  A
    block of layers, or a layer without parameters, is named by what it is: the book's own
    ``FlattenLayer`` and ``nn.Flatten``, a ``Sequential`` and a block class of the
    student's, do the same thing, and the output shape beside the label (and the
    network's output) shows what it did.
    """
    if next(child.children(), None) is not None:
        return BLOCK
    if next(child.parameters(recurse=False), None) is not None or \
            next(child.buffers(recurse=False), None) is not None:
        return type(child).__name__
    return NO_PARAMETERS


@contextmanager
def _layer_shapes(module: torch.nn.Module) -> Iterator[list[list[Any]]]:
    """Record ``[layer_label, output shape]`` of each direct child as it runs."""
    layers: list[list[Any]] = []

    def record(child: torch.nn.Module, _inputs: Any, output: Any) -> None:
        shape = list(output.shape) if isinstance(output, torch.Tensor) else None
        layers.append([layer_label(child), shape])
        if len(layers) > MAX_COLLECTED_ITEMS:
            raise ValueError(f"more than {MAX_COLLECTED_ITEMS} layers ran")

    handles = [child.register_forward_hook(record) for child in module.children()]
    try:
        yield layers
    finally:
        for handle in handles:
            handle.remove()


def _collect(result: Any) -> list[Any]:
    if not isinstance(result, Iterator) and not hasattr(result, "__iter__"):
        raise TypeError(f"expected an iterable, got {type(result).__name__}")
    items = []
    for item in result:
        items.append(item)
        if len(items) > MAX_COLLECTED_ITEMS:
            raise ValueError(f"the iterator yielded more than {MAX_COLLECTED_ITEMS} items")
    return items
