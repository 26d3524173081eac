"""Chapter 5, notebook ``modern_nets``: §5.9–5.12, GoogLeNet, batch norm, ResNet, DenseNet.

Reference: :mod:`reference_impl.ch05_modern_nets`.

Blocks small enough to ship weights for (``Inception``, ``BatchNorm``, ``lenet_bn``,
``Residual``, ``conv_block``, ``DenseBlock``, ``transition_block``) are graded with the
``construct`` kind and weights drawn for the case, loaded with ``strict=True``: attribute
names, ``nn.Sequential`` positions and parameter shapes must be the reference's, and a
wrong concatenation order or a wrong shortcut changes the output.  Whole networks
(``googlenet``, ``resnet18``, ``densenet``, millions of parameters) are filled from the
case's seed (``fill=True``) and compared layer by layer (``layers``: the book's table of
stage output shapes), by parameter count and by output, in evaluation mode at 96×96 and
at 48×48 with other input channels and classes.  ``resnet_block`` is judged on its
structure only (each residual's output shape and the parameter count, which tells a 1×1
shortcut from none), so a mistake inside ``Residual.forward`` that keeps the shapes costs
``Residual`` and ``resnet18`` but not it.

Batch norm follows the book (curriculum §2): the batch variance is the *biased* one and
``moving = momentum · moving + (1 − momentum) · batch``; the moving variance therefore
differs from ``nn.BatchNorm2d``'s ``running_var`` (unbiased), and is graded against our
reference.  ``batch_norm``'s hidden cases are all in training mode (its prediction
branch has a public case only); ``BatchNorm`` is graded twice, in training mode (batch
statistics, the moving statistics it stores, parameters versus buffers) and, as
``BatchNorm_eval``, in evaluation mode, which scores the prediction branch of both.
A question's points follow its hidden cases, so this split lets a training-only
mistake (the unbiased variance) cost ``batch_norm`` and ``BatchNorm`` in full and a
prediction-only one cost ``BatchNorm_eval`` and ``lenet_bn``.

``train_lenet_bn`` trains on images of the Fashion-MNIST stand-in handed over as
tensors, and is judged by thresholds: the last epoch's loss below
:data:`BN_LOSS_LIMIT` (chance is ln 10 ≈ 2.30) and γ, β moved from 1, 0.

Dependencies the engine cannot cut: ``isolate`` swaps a name for a ``torch`` object,
and nothing in torch builds an Inception, a residual or a dense block with these
signatures.  So ``googlenet`` runs the student's ``Inception``, ``BatchNorm`` the
student's ``batch_norm``, ``lenet_bn`` and ``train_lenet_bn`` the student's
``BatchNorm`` (``lenet_bn`` in evaluation mode, so only ``batch_norm``'s prediction path
matters; ``train_lenet_bn`` by thresholds any working normalisation meets),
``resnet18`` ``resnet_block`` and ``Residual``, ``DenseBlock`` ``conv_block``, and
``densenet`` all three DenseNet blocks.  The mistake notebooks list each cascade.
"""

from __future__ import annotations

import math
import tempfile
from functools import cache
from typing import Any

import torch
from torch import nn

from autograder.compare import Tolerance
from autograder.kinds import Construct
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from reference_impl import ch05_modern_nets as ref
from reference_impl.fashion_mnist import load_fashion_mnist_tensors, write_standin

WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)  # conv nets with loaded weights
BN_LOSS_LIMIT = 1.8  # last-epoch loss of train_lenet_bn (4 batches of 8, 10 epochs): at
                     # most 1.13 over 100 inits and image draws, median 0.2–0.25, while
                     # the sigmoid LeNet without BN stays at ≥ 2.1 (chance is 2.30)
WHOLE_NET = ("layers", "num_params", "output")


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


def _coarse(t: torch.Tensor) -> torch.Tensor:
    """Round to multiples of 1/64: as good a test value, and the fixtures compress well."""
    return torch.round(t * 64) / 64


def _draw_state(g: torch.Generator, module: nn.Module) -> dict[str, torch.Tensor]:
    """Values for every state-dict entry of ``module``, drawn from ``g`` by entry kind.

    Weights of two or more dimensions are N(0, 1/fan_in), so activations stay of order
    one; a norm layer's scale (``weight``, ``gamma``) and its variance are in
    [0.5, 1.5); shifts and means are small; integer counters stay as they are.  Values
    are rounded by :func:`_coarse` (LeNet's 44 thousand weights would otherwise cost
    180 kB a case).
    """
    state = {}
    for name, entry in module.state_dict().items():
        leaf = name.rsplit(".", 1)[-1]
        if not entry.is_floating_point():
            state[name] = entry.clone()
            continue
        if leaf in ("gamma", "running_var", "moving_var") or (leaf == "weight"
                                                              and entry.dim() == 1):
            value = 0.5 + torch.rand(entry.shape, generator=g)
        elif entry.dim() >= 2 and leaf == "weight":
            value = _randn(g, *entry.shape, scale=entry[0].numel() ** -0.5)
        else:
            value = _randn(g, *entry.shape, scale=0.3)
        state[name] = _coarse(value)
    return state


def _block_case(build: Any, init: tuple[Any, ...], x_shape: tuple[int, ...],
                init_kwargs: dict[str, Any] | None = None, x_scale: float = 1.0):
    """A case for a block with shipped weights: its sizes, weights and an input."""
    def make(g: torch.Generator) -> Args:
        template = build(*init, **(init_kwargs or {}))
        kwargs: dict[str, Any] = {"init": init, "state": _draw_state(g, template)}
        if init_kwargs:
            kwargs["init_kwargs"] = init_kwargs
        return args(_coarse(_randn(g, *x_shape, scale=x_scale)), **kwargs)
    return make


def _filled_case(x_shape: tuple[int, ...], init_kwargs: dict[str, Any] | None = None):
    """A case for a whole network: an input, and weights filled from the case's seed."""
    def make(g: torch.Generator) -> Args:
        kwargs: dict[str, Any] = {"fill": True}
        if init_kwargs:
            kwargs["init_kwargs"] = init_kwargs
        image = torch.randint(0, 16, x_shape, generator=g) / 15  # 16 grey levels
        return args(image, **kwargs)
    return make


# ---- §5.9 GoogLeNet -----------------------------------------------------------------------

INCEPTION = Construct(harvest=("output", "num_params"))
GOOGLENET = Construct(init_kwargs={"in_channels": 1, "num_classes": 10}, harvest=WHOLE_NET)


# ---- §5.10 batch normalisation ------------------------------------------------------------

def _bn_case(x_shape: tuple[int, ...], training: bool, eps: float = 1e-5,
             momentum: float = 0.9, shift: float = 0.0, scale: float = 1.0):
    """Input, γ, β and moving statistics shaped as BatchNorm holds them: (1, C[, 1, 1])."""
    def make(g: torch.Generator) -> Args:
        c = x_shape[1]
        shape = (1, c) if len(x_shape) == 2 else (1, c, 1, 1)
        X = _randn(g, *x_shape, scale=scale) + shift
        gamma = 0.5 + torch.rand(shape, generator=g)
        beta = _randn(g, *shape, scale=0.5)
        moving_mean = _randn(g, *shape, scale=0.5)
        moving_var = 0.5 + torch.rand(shape, generator=g)
        return args(X, gamma, beta, moving_mean, moving_var, eps, momentum, training)
    return make


def _bn_module_case(num_features: int, num_dims: int, x_shape: tuple[int, ...],
                    shift: float = 0.0):
    def make(g: torch.Generator) -> Args:
        template = ref.BatchNorm(num_features, num_dims)
        X = _randn(g, *x_shape) * 1.5 + shift
        return args(X, init=(num_features, num_dims), state=_draw_state(g, template))
    return make


BN_TRAIN = Construct(train=True, harvest=("output", "state", "num_params"))
BN_EVAL = Construct(train=False, harvest=("output", "state", "num_params"))
LENET_BN = Construct(harvest=("layers", "num_params", "output"))


@cache
def _standin_images() -> tuple[torch.Tensor, torch.Tensor]:
    """The training split of the Fashion-MNIST stand-in the notebook reads (600 images)."""
    with tempfile.TemporaryDirectory() as folder:
        write_standin(folder)
        return load_fashion_mnist_tensors(folder, train=True)


def _train_bn_case(num_batches: int, batch_size: int, lr: float, num_epochs: int):
    """Minibatches of stand-in images chosen by the case's generator."""
    def make(g: torch.Generator) -> Args:
        images, labels = _standin_images()
        order = torch.randperm(len(labels), generator=g)[: num_batches * batch_size]
        batches = [(images[idx].clone(), labels[idx].clone())
                   for idx in order.split(batch_size)]
        return args(batches, lr, num_epochs)
    return make


def _train_bn_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """The loss falls well below chance and the first BatchNorm's γ, β have moved."""
    num_epochs = a.args[2]
    if type(actual) is not dict or not {"losses", "gamma", "beta"} <= set(actual):
        return _problem('应返回含 "losses"、"gamma"、"beta" 的字典',
                        'should return a dict with "losses", "gamma" and "beta"')
    losses = actual["losses"]
    if type(losses) not in (list, tuple) or len(losses) != num_epochs or not all(
            type(v) in (int, float) and math.isfinite(v) for v in losses):
        return _problem(f'"losses" 应是 {num_epochs} 个有限的 Python 浮点数（每轮一个）',
                        f'"losses" should be {num_epochs} finite Python floats '
                        "(one per epoch)")
    problems = []
    for key, start in (("gamma", 1.0), ("beta", 0.0)):
        value = actual[key]
        if type(value) is not torch.Tensor or tuple(value.shape) != (6,):
            problems += _problem(f'"{key}" 应是形状为 (6,) 的张量（net[1] 的 {key}，展平）',
                                 f'"{key}" should be a tensor of shape (6,) (net[1]\'s '
                                 f"{key}, flattened)")
        elif not torch.isfinite(value).all() or (value - start).abs().max().item() < 1e-3:
            problems += _problem(f'"{key}" 没有离开初始值 {start:g}：它没有被训练',
                                 f'"{key}" has not moved from its initial value {start:g}: '
                                 "it was not trained")
    first, last = losses[0], losses[-1]
    if not (last < BN_LOSS_LIMIT and last < first):
        problems += _problem(
            f"损失没有下降：第一轮 {first:.3f}，最后一轮 {last:.3f}（应低于 {BN_LOSS_LIMIT}）",
            f"the loss did not fall: first epoch {first:.3f}, last {last:.3f} "
            f"(should be below {BN_LOSS_LIMIT})")
    return problems


# ---- §5.11 ResNet --------------------------------------------------------------------------

RESIDUAL = Construct(harvest=("output", "num_params"))
RESNET_BLOCK = Construct(harvest=("layers", "num_params"))
RESNET18 = Construct(init_kwargs={"num_classes": 10, "in_channels": 1}, harvest=WHOLE_NET)


def _structure_case(init: tuple[Any, ...], x_shape: tuple[int, ...],
                    init_kwargs: dict[str, Any] | None = None):
    """Sizes and an input only: the question looks at shapes and sizes, not values."""
    def make(g: torch.Generator) -> Args:
        kwargs: dict[str, Any] = {"init": init}
        if init_kwargs:
            kwargs["init_kwargs"] = init_kwargs
        return args(_coarse(_randn(g, *x_shape)), **kwargs)
    return make


# ---- §5.12 DenseNet ------------------------------------------------------------------------

DENSE_PART = Construct(harvest=("output", "num_params"))
DENSENET = Construct(init_kwargs={"in_channels": 1, "num_classes": 10}, harvest=WHOLE_NET)


QUESTIONS = [
    # §5.9
    Question("Inception", 3, ref.Inception, kind=INCEPTION, tolerance=WITH_WEIGHTS, cases=[
        public(_block_case(ref.Inception, (3, 2, (3, 4), (2, 3), 2), (2, 3, 6, 6))),
        hidden(_block_case(ref.Inception, (4, 3, (2, 5), (3, 2), 4), (3, 4, 5, 7))),
        hidden(_block_case(ref.Inception, (2, 1, (4, 2), (1, 6), 3), (1, 2, 8, 8),
                           x_scale=2.0)),
    ]),
    Question("googlenet", 3, ref.googlenet, kind=GOOGLENET, tolerance=WITH_WEIGHTS, cases=[
        public(_filled_case((1, 1, 96, 96))),
        hidden(_filled_case((2, 3, 48, 48), {"in_channels": 3, "num_classes": 5})),
    ]),
    # §5.10
    # The prediction branch has a public case for feedback; it is scored by BatchNorm_eval.
    Question("batch_norm", 3, ref.batch_norm, cases=[
        public(_bn_case((6, 4), training=True)),
        public(_bn_case((2, 3, 4, 4), training=True)),
        public(_bn_case((3, 4, 2, 2), training=False, eps=1e-2)),
        hidden(_bn_case((10, 5), training=True, eps=1e-3, momentum=0.8, shift=3.0, scale=2.0)),
        hidden(_bn_case((4, 2, 3, 5), training=True, momentum=0.7, shift=-1.0)),
        hidden(_bn_case((7, 3), training=True)),
        hidden(_bn_case((2, 4, 3, 3), training=True, eps=1e-2, scale=0.5)),
    ]),
    Question("BatchNorm", 2, ref.BatchNorm, kind=BN_TRAIN, cases=[
        public(_bn_module_case(3, 4, (2, 3, 4, 4))),
        hidden(_bn_module_case(5, 2, (8, 5), shift=2.0)),
        hidden(_bn_module_case(2, 4, (3, 2, 5, 3), shift=-1.0)),
    ]),
    Question("BatchNorm_eval", 1, ref.BatchNorm, object="BatchNorm", kind=BN_EVAL, cases=[
        public(_bn_module_case(3, 4, (2, 3, 4, 4))),
        hidden(_bn_module_case(4, 2, (6, 4), shift=1.0)),
        hidden(_bn_module_case(2, 4, (1, 2, 3, 3))),
    ]),
    Question("lenet_bn", 2, ref.lenet_bn, kind=LENET_BN, tolerance=WITH_WEIGHTS, cases=[
        public(_block_case(ref.lenet_bn, (), (2, 1, 28, 28))),
        hidden(_block_case(ref.lenet_bn, (), (5, 1, 28, 28), x_scale=0.5)),
    ]),
    Question("train_lenet_bn", 2, ref.train_lenet_bn, invariant=_train_bn_invariant, cases=[
        public(_train_bn_case(4, 8, 1.0, 10)),
        hidden(_train_bn_case(4, 8, 1.0, 10)),
        hidden(_train_bn_case(4, 8, 0.5, 10)),
    ]),
    # §5.11
    Question("Residual", 3, ref.Residual, kind=RESIDUAL, tolerance=WITH_WEIGHTS, cases=[
        public(_block_case(ref.Residual, (3, 3), (4, 3, 6, 6))),
        public(_block_case(ref.Residual, (3, 6), (4, 3, 6, 6),
                           {"use_1x1conv": True, "stride": 2})),
        hidden(_block_case(ref.Residual, (4, 4), (2, 4, 5, 5))),
        hidden(_block_case(ref.Residual, (2, 5), (3, 2, 7, 7),
                           {"use_1x1conv": True, "stride": 2})),
        hidden(_block_case(ref.Residual, (3, 6), (2, 3, 5, 5), {"use_1x1conv": True})),
    ]),
    Question("resnet_block", 2, ref.resnet_block, kind=RESNET_BLOCK, cases=[
        public(_structure_case((4, 4, 2), (1, 4, 8, 8), {"first_block": True})),
        public(_structure_case((4, 8, 2), (1, 4, 8, 8))),
        hidden(_structure_case((3, 6, 3), (2, 3, 6, 6))),
        hidden(_structure_case((5, 5, 2), (1, 5, 4, 4), {"first_block": True})),
        hidden(_structure_case((2, 4, 3), (1, 2, 5, 5))),
    ]),
    Question("resnet18", 2, ref.resnet18, kind=RESNET18, tolerance=WITH_WEIGHTS, cases=[
        public(_filled_case((1, 1, 96, 96))),
        hidden(_filled_case((2, 3, 48, 48), {"num_classes": 4, "in_channels": 3})),
    ]),
    # §5.12
    Question("conv_block", 1, ref.conv_block, kind=DENSE_PART, tolerance=WITH_WEIGHTS, cases=[
        public(_block_case(ref.conv_block, (3, 10), (4, 3, 8, 8))),
        hidden(_block_case(ref.conv_block, (5, 4), (2, 5, 6, 6))),
        hidden(_block_case(ref.conv_block, (2, 7), (3, 2, 5, 5))),
    ]),
    Question("DenseBlock", 2, ref.DenseBlock, kind=DENSE_PART, tolerance=WITH_WEIGHTS, cases=[
        public(_block_case(ref.DenseBlock, (2, 3, 10), (4, 3, 8, 8))),
        hidden(_block_case(ref.DenseBlock, (3, 4, 5), (2, 4, 6, 6))),
        hidden(_block_case(ref.DenseBlock, (1, 2, 3), (3, 2, 5, 5))),
    ]),
    Question("transition_block", 1, ref.transition_block, kind=DENSE_PART,
             tolerance=WITH_WEIGHTS, cases=[
        public(_block_case(ref.transition_block, (23, 10), (4, 23, 8, 8))),
        hidden(_block_case(ref.transition_block, (6, 3), (2, 6, 6, 6))),
        hidden(_block_case(ref.transition_block, (5, 2), (3, 5, 7, 7))),
    ]),
    Question("densenet", 2, ref.densenet, kind=DENSENET, tolerance=WITH_WEIGHTS, cases=[
        public(_filled_case((1, 1, 96, 96))),
        hidden(_filled_case((2, 3, 48, 48), {"in_channels": 3, "num_classes": 6})),
    ]),
]

NOTEBOOK = NotebookSpec("modern_nets", QUESTIONS, prepare_data=write_standin)
