"""Chapter 5 classic convolutional networks (§5.5–§5.8), the answer key in PyTorch.

The first edition of 《动手学深度学习》 builds LeNet, AlexNet, VGG and NiN with Gluon's
``nn.Sequential``, whose ``Dense`` layers flatten 4-D input and infer their input size.
PyTorch's ``nn.Linear`` does neither, so every network here has an explicit
``nn.Flatten`` and explicit ``in_features``, and the functions take ``in_channels``.
The position of each layer in its ``nn.Sequential`` is part of the contract: the grader
loads its own weights by state-dict name (``"0.weight"``, ``"7.bias"``, ...), so the
layers must sit at the indices given in each docstring.

Gluon fuses the activation into ``Conv2D``/``Dense`` (``activation='relu'``); here each
activation is its own module right after its layer, which is what shifts the indices.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, default_collate

from reference_impl.fashion_mnist import find_idx, read_idx

__all__ = [
    "lenet",
    "evaluate_accuracy",
    "train_ch5",
    "alexnet",
    "fashion_mnist_iter",
    "load_data_fashion_mnist",
    "vgg_block",
    "vgg",
    "VGG11_ARCH",
    "SMALL_VGG11_ARCH",
    "nin_block",
    "GlobalAvgPool2d",
    "nin",
]


# ---------------------------------------------------------------------------
# §5.5 LeNet
# ---------------------------------------------------------------------------


def lenet() -> nn.Sequential:
    """The book's LeNet for 1×28×28 images, with sigmoid activations (§5.5).

    Indices: 0 conv 1→6 (5×5, no padding), 1 sigmoid, 2 max-pool 2/2, 3 conv 6→16
    (5×5), 4 sigmoid, 5 max-pool 2/2, 6 flatten, 7 linear 256→120, 8 sigmoid,
    9 linear 120→84, 10 sigmoid, 11 linear 84→10.  A 28×28 image shrinks to 24, 12,
    8 and 4 pixels, so 16·4·4 = 256 features reach the dense part; 44426 parameters.
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10),
    )


def _device_of(net: nn.Module) -> torch.device:
    param = next(net.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def evaluate_accuracy(data_iter: Iterable, net: nn.Module,
                      device: str | torch.device | None = None) -> float:
    """Share of examples whose arg-max prediction is the label (§5.5).

    The network is switched to evaluation mode while it predicts (dropout and batch
    norm then behave deterministically) and put back in the mode it was in before, so
    a training loop can call this between epochs.  Batches are moved to ``device``
    (by default the device of the network's parameters).  Counting correct examples
    and dividing once by their number keeps an uneven last batch from being
    over-weighted.
    """
    device = torch.device(device) if device is not None else _device_of(net)
    was_training = net.training
    net.eval()
    correct, seen = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += int((net(X).argmax(dim=1) == y).sum())
            seen += y.numel()
    net.train(was_training)
    return correct / seen


def train_ch5(net: nn.Module, train_iter: Iterable, test_iter: Iterable,
              optimizer: torch.optim.Optimizer, device: str | torch.device,
              num_epochs: int) -> dict[str, list[float]]:
    """Train ``net`` in place with cross-entropy and report every epoch (§5.5).

    The book's loop, in PyTorch: move the network and each batch to ``device``, put the
    network in training mode at the start of each epoch (``evaluate_accuracy`` switches
    it back and forth), then per batch: forward, mean cross-entropy, ``zero_grad``,
    ``backward``, ``step``.  The book's ``batch_size`` argument is not needed: the loss
    is already a batch mean.  Returns the per-epoch history as Python floats:
    ``train_loss`` (mean loss per example), ``train_acc`` and ``test_acc``.
    """
    device = torch.device(device)
    net.to(device)
    loss = nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(num_epochs):
        net.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            batch_loss = loss(y_hat, y)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            loss_sum += batch_loss.item() * y.numel()
            correct += int((y_hat.argmax(dim=1) == y).sum())
            seen += y.numel()
        test_acc = evaluate_accuracy(test_iter, net, device)
        history["train_loss"].append(loss_sum / seen)
        history["train_acc"].append(correct / seen)
        history["test_acc"].append(test_acc)
        print(f"epoch {epoch + 1}, loss {loss_sum / seen:.4f}, "
              f"train acc {correct / seen:.3f}, test acc {test_acc:.3f}")
    return history


# ---------------------------------------------------------------------------
# §5.6 AlexNet and the resized Fashion-MNIST loader
# ---------------------------------------------------------------------------


def alexnet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """The book's AlexNet for 224×224 inputs (§5.6).

    Indices: 0 conv →96 (11×11, stride 4), 1 ReLU, 2 max-pool 3/2, 3 conv 96→256
    (5×5, pad 2), 4 ReLU, 5 max-pool 3/2, 6 conv 256→384 (3×3, pad 1), 7 ReLU,
    8 conv 384→384, 9 ReLU, 10 conv 384→256, 11 ReLU, 12 max-pool 3/2, 13 flatten,
    14 linear 6400→4096, 15 ReLU, 16 dropout 0.5, 17 linear 4096→4096, 18 ReLU,
    19 dropout 0.5, 20 linear 4096→num_classes.  The spatial size goes 224 → 54 → 26
    → 12 → 5, so 256·5·5 = 6400 features enter the dense part; with one input channel
    and ten classes that is 46,764,746 parameters.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 96, kernel_size=11, stride=4), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        nn.Linear(256 * 5 * 5, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, num_classes),
    )


class _ToFloatResized:
    """Collate a batch of raw IDX examples into ``(X, y)`` the network can take.

    ``X`` becomes float32 in [0, 1] with a channel axis, ``(B, 1, h, w)``, then, with a
    size, is resized bilinearly (``align_corners=False``) to ``size × size``; ``y``
    becomes int64, the dtype ``cross_entropy`` needs.  Converting before resizing keeps
    the interpolated values exact instead of rounding them back to bytes.
    """

    def __init__(self, size: int | None) -> None:
        self.size = size

    def __call__(self, batch: list[tuple[torch.Tensor, torch.Tensor]]):
        images, labels = default_collate(batch)
        X = images.to(torch.float32).div(255).unsqueeze(1)
        if self.size is not None:
            X = F.interpolate(X, size=(self.size, self.size), mode="bilinear",
                              align_corners=False)
        return X, labels.to(torch.int64)


def fashion_mnist_iter(images: torch.Tensor, labels: torch.Tensor, batch_size: int,
                       shuffle: bool, resize: int | None = None) -> DataLoader:
    """Minibatches of raw Fashion-MNIST tensors, optionally resized (§5.6).

    ``images`` is uint8 ``(n, h, w)`` and ``labels`` uint8 ``(n,)``, as the IDX files
    hold them.  Each batch is ``(X, y)`` with ``X`` float32 ``(B, 1, h, w)`` in [0, 1]
    (or ``(B, 1, resize, resize)``: the book's ``Resize`` transform, done with
    ``F.interpolate`` since the course does not require torchvision) and ``y`` int64.
    ``num_workers=0`` keeps the shuffle a function of torch's global generator.
    """
    return DataLoader(TensorDataset(images, labels), batch_size=batch_size,
                      shuffle=shuffle, num_workers=0, collate_fn=_ToFloatResized(resize))


def load_data_fashion_mnist(batch_size: int, resize: int | None = None,
                            root: str | os.PathLike[str] | None = None,
                            ) -> tuple[DataLoader, DataLoader]:
    """``(train_iter, test_iter)`` over Fashion-MNIST, resized if asked (§5.6).

    Reads the IDX files under ``root`` (default ``$D2L_DATA_DIR``, else
    ``~/.d2l/data``); the training iterator shuffles, the test iterator does not.
    """
    if root is None:
        root = os.environ.get("D2L_DATA_DIR") or Path("~/.d2l/data").expanduser()
    iters = []
    for split, shuffle in (("train", True), ("t10k", False)):
        images = read_idx(find_idx(root, split, "images"))
        labels = read_idx(find_idx(root, split, "labels"))
        iters.append(fashion_mnist_iter(images, labels, batch_size, shuffle, resize))
    return iters[0], iters[1]


# ---------------------------------------------------------------------------
# §5.7 VGG
# ---------------------------------------------------------------------------

#: VGG-11: (number of 3×3 convolutions, output channels) for each of the five blocks.
VGG11_ARCH: tuple[tuple[int, int], ...] = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
#: The book's smaller variant for Fashion-MNIST: every channel count divided by 4.
SMALL_VGG11_ARCH: tuple[tuple[int, int], ...] = tuple((n, c // 4) for n, c in VGG11_ARCH)


def vgg_block(num_convs: int, in_channels: int, out_channels: int) -> nn.Sequential:
    """``num_convs`` 3×3 convolutions (padding 1) with ReLU, then a 2×2 max-pool (§5.7).

    Indices: convolution ``2i`` and its ReLU ``2i + 1`` for ``i < num_convs``, the
    pool last at ``2·num_convs``.  Padding 1 keeps the height and width through the
    convolutions; the pool halves them.  Only the first convolution changes the number
    of channels.
    """
    layers: list[nn.Module] = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
                   nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg(conv_arch: Sequence[Sequence[int]], in_channels: int = 1, input_size: int = 224,
        fc_hidden_units: int = 4096, num_classes: int = 10) -> nn.Sequential:
    """VGG: one ``vgg_block`` per ``(num_convs, out_channels)`` pair, then three dense
    layers (§5.7).

    Indices: the blocks ``0 … k-1`` (``k = len(conv_arch)``), then ``k`` flatten,
    ``k+1`` linear, ``k+2`` ReLU, ``k+3`` dropout 0.5, ``k+4`` linear, ``k+5`` ReLU,
    ``k+6`` dropout 0.5, ``k+7`` linear to ``num_classes``.  Each block halves the
    image, so the first dense layer takes ``c · (input_size / 2^k)²`` features, ``c``
    the last block's channels: 512·7·7 for VGG-11 at 224.  The book's sizes are the
    defaults; smaller ``input_size`` and ``fc_hidden_units`` give a network cheap
    enough to test.
    """
    blocks: list[nn.Module] = []
    for num_convs, out_channels in conv_arch:
        blocks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    side = input_size // 2 ** len(conv_arch)
    return nn.Sequential(
        *blocks,
        nn.Flatten(),
        nn.Linear(in_channels * side * side, fc_hidden_units), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(fc_hidden_units, fc_hidden_units), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(fc_hidden_units, num_classes),
    )


# ---------------------------------------------------------------------------
# §5.8 Network in network
# ---------------------------------------------------------------------------


def nin_block(in_channels: int, out_channels: int, kernel_size: int, stride: int,
              padding: int) -> nn.Sequential:
    """One convolution followed by two 1×1 convolutions, each with a ReLU (§5.8).

    Indices: 0 conv (the given kernel, stride and padding), 1 ReLU, 2 conv 1×1,
    3 ReLU, 4 conv 1×1, 5 ReLU.  The 1×1 convolutions act as a small fully connected
    layer applied at every pixel, mixing channels without touching the spatial size.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
    )


class GlobalAvgPool2d(nn.Module):
    """Average over the whole height and width: ``(N, C, H, W) → (N, C, 1, 1)`` (§5.8).

    The same as ``nn.AdaptiveAvgPool2d(1)`` and as average pooling with a window the
    size of the input; it has no parameters.
    """

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return X.mean(dim=(2, 3), keepdim=True)


def nin(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """The book's NiN for 224×224 inputs (§5.8).

    Indices: 0 ``nin_block(in_channels, 96, 11, 4, 0)``, 1 max-pool 3/2,
    2 ``nin_block(96, 256, 5, 1, 2)``, 3 max-pool 3/2, 4 ``nin_block(256, 384, 3, 1, 1)``,
    5 max-pool 3/2, 6 dropout 0.5, 7 ``nin_block(384, num_classes, 3, 1, 1)``,
    8 ``nn.AdaptiveAvgPool2d((1, 1))``, 9 flatten.  There is no dense layer: the last
    block has one channel per class and global average pooling turns each channel into
    its class score.  Shapes at 224: 96×54×54, 96×26×26, 256×26×26, 256×12×12,
    384×12×12, 384×5×5, 10×5×5, 10×1×1, 10.
    """
    return nn.Sequential(
        nin_block(in_channels, 96, kernel_size=11, stride=4, padding=0),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(96, 256, kernel_size=5, stride=1, padding=2),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(256, 384, kernel_size=3, stride=1, padding=1),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Dropout(0.5),
        nin_block(384, num_classes, kernel_size=3, stride=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
    )
