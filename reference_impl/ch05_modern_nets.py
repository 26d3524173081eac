"""Chapter 5, third notebook (§5.9–§5.12): GoogLeNet, batch normalisation, ResNet, DenseNet.

This module is the answer key for ``solutions/ch05_cnn`` notebook ``modern_nets``.  The
networks are written in PyTorch with the book's layer sizes; because Gluon infers input
sizes and PyTorch does not, every constructor also takes its input channels.

Conventions pinned down for PyTorch:

* **Module layout is part of the contract.**  The grader loads its own weights into a
  student's network (``load_state_dict(strict=True)``, or a fill seeded by the case that
  depends only on the state-dict names and shapes), so attribute names (``p1_1`` … ``p4_2``,
  ``conv1`` … ``bn2``, ``net``) and ``nn.Sequential`` positions below are fixed.
* **The book's batch-norm statistics**: in training, a batch is normalised with its mean
  and its *biased* variance (divide by n), and the moving statistics are updated as
  ``moving = momentum · moving + (1 − momentum) · batch`` with the book's momentum 0.9.
  ``nn.BatchNorm2d(momentum=0.1)`` weighs old and new the same way, but stores the
  *unbiased* batch variance (divide by n − 1) in ``running_var``; the training output is
  the same.  Our moving variance is graded against this module, not against PyTorch.
* **Moving statistics are buffers** (``register_buffer``): they are saved in
  ``state_dict()`` and follow ``.to(device)``; the PyTorch port of the book keeps them as
  plain attributes, which neither saves nor moves them.  They start at 0 (mean) and 1
  (variance), as in ``nn.BatchNorm2d``; the book starts the variance at 0, which would
  make a network evaluated before any training divide by √ε.
* **Global pooling** is ``nn.AdaptiveAvgPool2d(1)`` followed by ``nn.Flatten()``, standing
  in for Gluon's ``GlobalAvgPool2D`` and the flattening that ``Dense`` does implicitly.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

__all__ = [
    "Inception",
    "googlenet",
    "batch_norm",
    "BatchNorm",
    "lenet_bn",
    "train_lenet_bn",
    "Residual",
    "resnet_block",
    "resnet18",
    "conv_block",
    "DenseBlock",
    "transition_block",
    "densenet",
]


def _global_avg_pool() -> list[nn.Module]:
    """Average each channel over its whole feature map, then drop the 1×1 spatial axes."""
    return [nn.AdaptiveAvgPool2d(1), nn.Flatten()]


# ---------------------------------------------------------------------------
# §5.9 Networks with parallel concatenations (GoogLeNet)
# ---------------------------------------------------------------------------


class Inception(nn.Module):
    """The Inception block: four parallel paths, concatenated on the channel axis (§5.9).

    Path 1 is a 1×1 convolution with ``c1`` channels; path 2 a 1×1 convolution to
    ``c2[0]`` channels, then a 3×3 one (padding 1) to ``c2[1]``; path 3 a 1×1 to
    ``c3[0]``, then a 5×5 (padding 2) to ``c3[1]``; path 4 a 3×3 max-pooling (stride 1,
    padding 1), then a 1×1 convolution to ``c4``.  Every convolution is followed by a
    ReLU.  Padding keeps the height and width, so the paths can be stacked: the output
    has ``c1 + c2[1] + c3[1] + c4`` channels, in the order path 1, 2, 3, 4.
    """

    def __init__(self, in_c: int, c1: int, c2: tuple[int, int], c3: tuple[int, int],
                 c4: int) -> None:
        super().__init__()
        self.p1_1 = nn.Conv2d(in_c, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_c, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_c, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_c, c4, kernel_size=1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        relu = torch.relu
        p1 = relu(self.p1_1(X))
        p2 = relu(self.p2_2(relu(self.p2_1(X))))
        p3 = relu(self.p3_2(relu(self.p3_1(X))))
        p4 = relu(self.p4_2(self.p4_1(X)))
        return torch.cat((p1, p2, p3, p4), dim=1)


def googlenet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """GoogLeNet as the book builds it: five stages and an output layer (§5.9).

    ``nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))``.  Every stage but
    the last ends with a 3×3 max-pooling of stride 2 (padding 1), which halves the height
    and width; at 96×96 the stages give (64, 24, 24), (192, 12, 12), (480, 6, 6),
    (832, 3, 3) and, after global average pooling, 1024 features.  The Inception channel
    numbers are the book's (taken from the original paper).
    """

    def pool() -> nn.MaxPool2d:
        return nn.MaxPool2d(kernel_size=3, stride=2, padding=1)

    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
                       nn.ReLU(), pool())
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),
                       nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(), pool())
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64), pool())
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                       Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64),
                       Inception(512, 112, (144, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128), pool())
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                       Inception(832, 384, (192, 384), (48, 128), 128), *_global_avg_pool())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))


# ---------------------------------------------------------------------------
# §5.10 Batch normalisation
# ---------------------------------------------------------------------------


def batch_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor,
               moving_mean: torch.Tensor, moving_var: torch.Tensor, eps: float,
               momentum: float, is_training: bool
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Batch normalisation from scratch; returns ``(Y, moving_mean, moving_var)`` (§5.10).

    In training, a fully connected layer's output ``(n, c)`` is normalised per feature
    over the batch (axis 0), a convolution's output ``(n, c, h, w)`` per channel over
    the batch and every position (axes 0, 2, 3), with the batch mean and the *biased*
    variance; the moving statistics become ``momentum · old + (1 − momentum) · batch``.
    In prediction the moving statistics normalise instead and are returned unchanged.
    Either way the result is scaled by ``gamma`` and shifted by ``beta``.  The new moving
    statistics are detached: they are running records, not part of the graph.
    """
    if not is_training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    if X.dim() not in (2, 4):
        raise ValueError(f"batch_norm expects 2-D or 4-D input, got {X.dim()}-D")
    axes = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=axes, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=axes, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    new_mean = momentum * moving_mean + (1.0 - momentum) * mean.detach()
    new_var = momentum * moving_var + (1.0 - momentum) * var.detach()
    return gamma * X_hat + beta, new_mean, new_var


class BatchNorm(nn.Module):
    """A batch-normalisation layer around :func:`batch_norm` (§5.10).

    ``num_dims`` is 2 after a fully connected layer and 4 after a convolution; it fixes
    the shape of the learnt scale ``gamma`` (ones) and shift ``beta`` (zeros), ``(1, C)``
    or ``(1, C, 1, 1)``, so that they broadcast over the batch.  The moving statistics
    have the same shape and are registered as buffers.  ``self.training`` (switched by
    ``train()`` / ``eval()``) selects batch or moving statistics; ε = 1e-5 and the
    book's momentum 0.9.
    """

    def __init__(self, num_features: int, num_dims: int) -> None:
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=1e-5, momentum=0.9, is_training=self.training)
        return Y


def lenet_bn() -> nn.Sequential:
    """LeNet (§5.5) with a :class:`BatchNorm` after every convolution and hidden layer (§5.10).

    The normalisation sits between each layer's affine part and its sigmoid:
    conv(1→6, 5×5), BN, sigmoid, max-pool 2; conv(6→16, 5×5), BN, sigmoid, max-pool 2;
    flatten; linear 256→120, BN, sigmoid; linear 120→84, BN, sigmoid; linear 84→10.
    ``net[1]`` is the first BatchNorm, whose ``gamma`` and ``beta`` the book prints
    after training.
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10),
    )


def train_lenet_bn(train_batches: Any, lr: float, num_epochs: int) -> dict[str, Any]:
    """Train a fresh :func:`lenet_bn` with minibatch SGD; report losses and γ, β (§5.10).

    Cross-entropy averaged over each batch, ``torch.optim.SGD(lr=lr)`` — the mean loss
    with plain SGD is the book's ``trainer.step(batch_size)``.  With normalisation the
    sigmoid LeNet learns at the book's large rate 1.0, where the plain one barely moves.
    Returns the average training loss of every epoch and the learnt ``gamma`` and
    ``beta`` of the first BatchNorm layer, flattened to ``(6,)``.
    """
    net = lenet_bn()
    loss = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    losses = []
    for _ in range(num_epochs):
        net.train()
        total, count = 0.0, 0
        for X, y in train_batches:
            optimizer.zero_grad()
            batch_loss = loss(net(X), y)
            batch_loss.backward()
            optimizer.step()
            total += batch_loss.item() * len(y)
            count += len(y)
        losses.append(total / count)
    return {"losses": losses, "gamma": net[1].gamma.detach().reshape(-1),
            "beta": net[1].beta.detach().reshape(-1)}


# ---------------------------------------------------------------------------
# §5.11 Residual networks (ResNet)
# ---------------------------------------------------------------------------


class Residual(nn.Module):
    """A residual block: two 3×3 convolutions with batch norm, plus a shortcut (§5.11).

    ``conv1`` (stride ``stride``) → ``bn1`` → ReLU → ``conv2`` → ``bn2``, then the input
    is added and a last ReLU applied.  The sum needs equal shapes, so when the block
    changes the channels or the resolution the shortcut passes through ``conv3``, a 1×1
    convolution with the same stride (``use_1x1conv=True``); otherwise ``conv3`` is
    ``None`` and the input is added unchanged.
    """

    def __init__(self, in_channels: int, out_channels: int, use_1x1conv: bool = False,
                 stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1,
                               stride=stride)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = torch.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return torch.relu(Y + X)


def resnet_block(in_channels: int, out_channels: int, num_residuals: int,
                 first_block: bool = False) -> nn.Sequential:
    """``num_residuals`` residual blocks in an ``nn.Sequential`` (§5.11).

    The first block of a stage halves the height and width and changes the channels
    (stride 2 with a 1×1 shortcut), except in the first stage (``first_block=True``),
    which follows a max-pooling and keeps both; the others keep ``out_channels``.
    """
    if first_block and in_channels != out_channels:
        raise ValueError("the first stage keeps the number of channels")
    blocks = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blocks.append(Residual(in_channels, out_channels, use_1x1conv=True, stride=2))
        else:
            blocks.append(Residual(out_channels, out_channels))
    return nn.Sequential(*blocks)


def resnet18(num_classes: int = 10, in_channels: int = 1) -> nn.Sequential:
    """ResNet-18: GoogLeNet's stem with batch norm, four stages of two blocks (§5.11).

    One flat ``nn.Sequential``: conv 7×7 (64, stride 2, padding 3), BatchNorm2d, ReLU,
    max-pool 3×3 (stride 2, padding 1), the stages 64, 128, 256, 512, global average
    pooling, flatten and a linear output layer: 4 + 4·2·2 convolutions + 1 linear = 18
    layers with weights (the 1×1 shortcuts are not counted).
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        resnet_block(64, 64, 2, first_block=True),
        resnet_block(64, 128, 2),
        resnet_block(128, 256, 2),
        resnet_block(256, 512, 2),
        *_global_avg_pool(),
        nn.Linear(512, num_classes),
    )


# ---------------------------------------------------------------------------
# §5.12 Densely connected networks (DenseNet)
# ---------------------------------------------------------------------------


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """ResNet's improved order, BN → ReLU → 3×3 convolution (padding 1) (§5.12)."""
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    """``num_convs`` conv blocks, each seeing everything before it (§5.12).

    Block ``i`` takes ``in_channels + i · out_channels`` channels and adds
    ``out_channels`` (the growth rate); its output is concatenated to its input on the
    channel axis, so the block ends with ``in_channels + num_convs · out_channels``
    channels and the same height and width.  ``self.net`` holds the conv blocks.
    """

    def __init__(self, num_convs: int, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.net = nn.ModuleList(
            conv_block(in_channels + i * out_channels, out_channels) for i in range(num_convs))
        self.out_channels = in_channels + num_convs * out_channels

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        for block in self.net:
            X = torch.cat((X, block(X)), dim=1)
        return X


def transition_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Shrink a dense block's output: BN, ReLU, 1×1 conv, 2×2 average pooling (§5.12).

    The 1×1 convolution cuts the channels (DenseNet halves them) and the pooling with
    stride 2 halves the height and width.
    """
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, out_channels, kernel_size=1),
                         nn.AvgPool2d(kernel_size=2, stride=2))


def densenet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """DenseNet as the book builds it: ResNet's stem, four dense blocks, three transitions.

    One flat ``nn.Sequential``: conv 7×7 (64, stride 2, padding 3), BatchNorm2d, ReLU,
    max-pool 3×3 (stride 2, padding 1); then four ``DenseBlock(4, ·, 32)``, each but the
    last followed by a ``transition_block`` halving the channels; then BatchNorm2d,
    ReLU, global average pooling, flatten and a linear layer.  Channels:
    64 → 192 → 96 → 224 → 112 → 240 → 120 → 248 (§5.12).
    """
    layers: list[nn.Module] = [
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1)]
    channels, growth_rate, convs_per_block = 64, 32, [4, 4, 4, 4]
    for i, num_convs in enumerate(convs_per_block):
        layers.append(DenseBlock(num_convs, channels, growth_rate))
        channels += num_convs * growth_rate
        if i != len(convs_per_block) - 1:
            layers.append(transition_block(channels, channels // 2))
            channels //= 2
    layers += [nn.BatchNorm2d(channels), nn.ReLU(), *_global_avg_pool(),
               nn.Linear(channels, num_classes)]
    return nn.Sequential(*layers)
