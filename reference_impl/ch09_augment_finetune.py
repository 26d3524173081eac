"""Chapter 9, §9.1 image augmentation and §9.2 fine-tuning, in PyTorch without torchvision.

The book augments with torchvision's transforms and fine-tunes torchvision's pretrained
ResNet-18.  torchvision cannot be installed beside the course's torch, so the transforms
are written here on ``(C, H, W)`` float tensors, and every random one takes a
``torch.Generator``: drawn with it, in a stated order, the random choices are the same for
the reference and a student, and augmentations compare exactly.  The conventions pinned
down (torchvision's own where it has one):

* a random flip draws one number ``u = torch.rand(1, generator=g)`` and flips when
  ``u < p``;
* the random-resized-crop parameters follow torchvision's algorithm (up to 10 tries of
  area and log-ratio sampling, then a centre crop) with every uniform drawn as
  ``a + (b - a) * torch.rand(1, generator=g)`` and the offsets with ``torch.randint``;
* resizing is ``F.interpolate(mode="bilinear", align_corners=False, antialias=True)``;
* contrast mixes each pixel with the mean of the image's grey version
  (0.299 R + 0.587 G + 0.114 B), as torchvision does;
* the ImageNet normalisation is mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).

No pretrained weights are available offline, so §9.2's mechanics (the new output layer
and its initialisation, the ten-times learning rate of its parameter group, a frozen
backbone) are graded on small networks with ``fc`` as their last layer.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
GREY_WEIGHTS = (0.299, 0.587, 0.114)


def _uniform(a: float, b: float, generator: torch.Generator | None) -> float:
    return a + (b - a) * torch.rand(1, generator=generator).item()


# ---- §9.1 flips, crops, colours ---------------------------------------------------------

def flip_left_right(img: torch.Tensor, p: float = 0.5,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """§9.1 RandomHorizontalFlip: mirror the last (width) axis with probability ``p``.

    One number is drawn whatever ``p`` is, so the generator advances the same way."""
    if torch.rand(1, generator=generator).item() < p:
        return torch.flip(img, dims=[-1])
    return img.clone()


def flip_top_bottom(img: torch.Tensor, p: float = 0.5,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """§9.1 RandomVerticalFlip: mirror the height axis (second from last) with probability ``p``."""
    if torch.rand(1, generator=generator).item() < p:
        return torch.flip(img, dims=[-2])
    return img.clone()


def random_resized_crop_params(height: int, width: int,
                               scale: Sequence[float] = (0.08, 1.0),
                               ratio: Sequence[float] = (3 / 4, 4 / 3),
                               generator: torch.Generator | None = None,
                               ) -> tuple[int, int, int, int]:
    """§9.1 RandomResizedCrop's parameters ``(i, j, h, w)``: top, left, height, width.

    Up to 10 tries: an area fraction uniform in ``scale`` and a log aspect ratio (w/h)
    uniform in ``log(ratio)``; the first box that fits gets a uniform offset.  If none
    fits, the largest centred box whose ratio lies in ``ratio``."""
    area = height * width
    log_lo, log_hi = math.log(ratio[0]), math.log(ratio[1])
    for _ in range(10):
        target_area = area * _uniform(scale[0], scale[1], generator)
        aspect = math.exp(_uniform(log_lo, log_hi, generator))
        w = round(math.sqrt(target_area * aspect))
        h = round(math.sqrt(target_area / aspect))
        if 0 < w <= width and 0 < h <= height:
            i = int(torch.randint(0, height - h + 1, (1,), generator=generator).item())
            j = int(torch.randint(0, width - w + 1, (1,), generator=generator).item())
            return i, j, h, w
    in_ratio = width / height
    if in_ratio < min(ratio):
        w, h = width, round(width / min(ratio))
    elif in_ratio > max(ratio):
        h, w = height, round(height * max(ratio))
    else:
        h, w = height, width
    return (height - h) // 2, (width - w) // 2, h, w


def resize(img: torch.Tensor, size: Sequence[int]) -> torch.Tensor:
    """Bilinear resize of a ``(C, H, W)`` image to ``size = (h, w)`` (antialiased)."""
    out = F.interpolate(img.unsqueeze(0), size=(int(size[0]), int(size[1])), mode="bilinear",
                        align_corners=False, antialias=True)
    return out.squeeze(0)


def resized_crop(img: torch.Tensor, i: int, j: int, h: int, w: int,
                 size: Sequence[int]) -> torch.Tensor:
    """§9.1 Crop rows ``i:i+h`` and columns ``j:j+w``, then resize to ``size``."""
    return resize(img[..., i:i + h, j:j + w], size)


def apply(img: torch.Tensor, aug: Callable[[torch.Tensor], torch.Tensor],
          num_rows: int = 2, num_cols: int = 4) -> torch.Tensor:
    """§9.1 ``apply``: ``aug`` run ``num_rows * num_cols`` times, row by row, stacked as
    ``(num_rows, num_cols, *img.shape)`` (the book shows this grid as pictures)."""
    rows = [torch.stack([aug(img) for _ in range(num_cols)]) for _ in range(num_rows)]
    return torch.stack(rows)


def random_brightness(img: torch.Tensor, brightness: float,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """§9.1 ColorJitter(brightness=b): scale by a factor uniform in [1-b, 1+b], clamp to [0, 1]."""
    factor = _uniform(1 - brightness, 1 + brightness, generator)
    return (img * factor).clamp(0, 1)


def adjust_contrast(img: torch.Tensor, factor: float) -> torch.Tensor:
    """§9.1 contrast: blend each pixel with the mean grey level of the image.

    ``factor`` 0 gives a flat grey image, 1 the image itself, > 1 more contrast."""
    w = torch.tensor(GREY_WEIGHTS, dtype=img.dtype).reshape(3, 1, 1)
    mean = (img * w).sum(dim=-3).mean()
    return (factor * img + (1 - factor) * mean).clamp(0, 1)


# ---- §9.1 the augmented training loop ----------------------------------------------------

class AugmentedImages(Dataset):
    """uint8 ``(N, 3, H, W)`` images and labels; item ``k`` is ``(augs(image / 255), label)``."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor,
                 augs: Callable[[torch.Tensor], torch.Tensor]) -> None:
        self.images, self.labels, self.augs = images, labels, augs

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.augs(self.images[k].float() / 255), self.labels[k]


def load_cifar10(images: torch.Tensor, labels: torch.Tensor, is_train: bool,
                 augs: Callable[[torch.Tensor], torch.Tensor], batch_size: int) -> DataLoader:
    """§9.1 ``load_cifar10`` on tensors: augment each image, shuffle only for training."""
    return DataLoader(AugmentedImages(images, labels, augs), batch_size=batch_size,
                      shuffle=is_train, num_workers=0)


def evaluate_accuracy(data_iter: Iterable[Any], net: nn.Module) -> float:
    """Share of examples classified correctly, in eval mode (the mode is restored)."""
    was_training = net.training
    net.eval()
    correct, n = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += int((net(X).argmax(dim=1) == y).sum())
            n += len(y)
    net.train(was_training)
    return correct / n


def train(train_iter: Iterable[Any], test_iter: Iterable[Any], net: nn.Module,
          loss: Callable[..., torch.Tensor], optimizer: torch.optim.Optimizer,
          device: str | torch.device, num_epochs: int) -> dict[str, list[float]]:
    """§9.1 ``train``: per epoch the mean training loss, training and test accuracy."""
    net.to(device)
    history: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "test_acc": []}
    for _ in range(num_epochs):
        net.train()
        loss_sum, correct, n = 0.0, 0, 0
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)  # noqa: E741  (the book's name)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            loss_sum += l.item() * len(y)
            correct += int((y_hat.argmax(dim=1) == y).sum())
            n += len(y)
        history["train_loss"].append(loss_sum / n)
        history["train_acc"].append(correct / n)
        history["test_acc"].append(evaluate_accuracy(
            ((X.to(device), y.to(device)) for X, y in test_iter), net))
    return history


# ---- §9.2 the hot-dog folder and its transforms -----------------------------------------

def index_image_folder(relpaths: Iterable[str]) -> tuple[list[str], list[tuple[str, int]]]:
    """§9.2 ImageFolder's labelling from ``"class/file"`` paths.

    Classes are sorted by name and numbered from 0; samples ``(path, label)`` are sorted
    by class, then by file name (string order, so ``"10.png"`` before ``"2.png"``)."""
    pairs = [p.split("/", 1) for p in relpaths]
    classes = sorted({cls for cls, _ in pairs})
    label = {cls: k for k, cls in enumerate(classes)}
    ordered = sorted(pairs, key=lambda pair: (label[pair[0]], pair[1]))
    return classes, [(f"{cls}/{name}", label[cls]) for cls, name in ordered]


def normalize(img: torch.Tensor) -> torch.Tensor:
    """Subtract the ImageNet channel means, divide by the channel standard deviations."""
    mean = torch.tensor(IMAGENET_MEAN, dtype=img.dtype).reshape(3, 1, 1)
    std = torch.tensor(IMAGENET_STD, dtype=img.dtype).reshape(3, 1, 1)
    return (img - mean) / std


def test_augs(img: torch.Tensor, resize_to: int = 64, crop: int = 56) -> torch.Tensor:
    """§9.2 test transforms (the book's Resize(256), CenterCrop(224), scaled down).

    uint8 ``(3, H, W)`` → floats in [0, 1] → shorter side ``resize_to`` (the longer one
    ``int(resize_to * long / short)``) → centred ``crop × crop`` (offsets ``(H - crop) // 2``)
    → normalised."""
    x = img.float() / 255
    h, w = x.shape[-2:]
    if h <= w:
        size = (resize_to, int(resize_to * w / h))
    else:
        size = (int(resize_to * h / w), resize_to)
    x = resize(x, size)
    top, left = (size[0] - crop) // 2, (size[1] - crop) // 2
    return normalize(x[:, top:top + crop, left:left + crop])


def train_augs(img: torch.Tensor, size: int = 56,
               generator: torch.Generator | None = None) -> torch.Tensor:
    """§9.2 training transforms: RandomResizedCrop(size) with torchvision's default scale
    and ratio, a horizontal flip with probability 0.5, floats in [0, 1], normalised."""
    x = img.float() / 255
    i, j, h, w = random_resized_crop_params(x.shape[-2], x.shape[-1], (0.08, 1.0),
                                            (3 / 4, 4 / 3), generator)
    x = resized_crop(x, i, j, h, w, (size, size))
    x = flip_left_right(x, 0.5, generator)
    return normalize(x)


# ---- §9.2 fine-tuning --------------------------------------------------------------------

def make_finetune_net(pretrained_net: nn.Module, num_classes: int = 2) -> nn.Module:
    """§9.2 A copy of the pretrained network whose output layer ``fc`` is new:
    ``Linear(fc.in_features, num_classes)`` with Xavier-uniform weights (default bias).

    The copy leaves the pretrained network as it was, as the book's second
    ``resnet18(pretrained=True)`` does."""
    net = copy.deepcopy(pretrained_net)
    net.fc = nn.Linear(pretrained_net.fc.in_features, num_classes)
    nn.init.xavier_uniform_(net.fc.weight)
    return net


def _fit(net: nn.Module, train_iter: Iterable[Any], optimizer: torch.optim.Optimizer,
         num_epochs: int) -> list[float]:
    loss = nn.CrossEntropyLoss()
    losses = []
    net.train()
    for _ in range(num_epochs):
        for X, y in train_iter:
            l = loss(net(X), y)  # noqa: E741
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            losses.append(l.item())
    return losses


def train_fine_tuning(net: nn.Module, train_iter: Iterable[Any], lr: float,
                      num_epochs: int, param_group: bool = True) -> list[float]:
    """§9.2 SGD with weight decay 0.001; with ``param_group`` the output layer ``fc``
    learns ten times faster than the rest.  Returns every step's loss."""
    if param_group:
        fc_ids = {id(p) for p in net.fc.parameters()}
        features = [p for p in net.parameters() if id(p) not in fc_ids]
        groups: Any = [{"params": features}, {"params": net.fc.parameters(), "lr": lr * 10}]
    else:
        groups = net.parameters()
    optimizer = torch.optim.SGD(groups, lr=lr, weight_decay=0.001)
    return _fit(net, train_iter, optimizer, num_epochs)


def fine_tune_frozen(net: nn.Module, train_iter: Iterable[Any], lr: float,
                     num_epochs: int) -> list[float]:
    """§9.2 exercise: freeze everything but ``fc`` (``requires_grad = False``) and train
    the rest (only ``fc``) with SGD, weight decay 0.001.  Returns every step's loss."""
    fc_ids = {id(p) for p in net.fc.parameters()}
    for p in net.parameters():
        if id(p) not in fc_ids:
            p.requires_grad_(False)
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(trainable, lr=lr, weight_decay=0.001)
    return _fit(net, train_iter, optimizer, num_epochs)
