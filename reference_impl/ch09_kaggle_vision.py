"""Reference for chapter 9, §9.12 (CIFAR-10 on Kaggle) and §9.13 (dog breeds on Kaggle).

Both sections are mostly plumbing around a competition's files, so the graded units are
the plumbing, with every order pinned down so that results compare exactly:

* ``read_csv_labels`` reads ``id,label`` rows into ``{id: label}`` (ids stay strings, so
  the one function serves CIFAR's numbers and the dogs' hexadecimal ids).
* ``reorg_train_valid`` uses the **first edition's CIFAR rule**: with ``n`` training
  pictures and ``c`` classes, ``n_train_per_label = int(n * (1 - valid_ratio)) // c``;
  within each class, in increasing numeric id, the first ``n_train_per_label`` pictures
  go to ``train/<label>`` and the rest to ``valid/<label>``; every picture also goes to
  ``train_valid/<label>``.  With unequal class sizes a small class may get no validation
  pictures at all, exactly as in the book.  (The book walks ``os.listdir``'s order, which
  no file system promises; sorting makes the rule reproducible.)
* ``reorg_dog_data`` uses the **first edition's dog rule**: ``n_valid_per_label =
  floor(min_count * valid_ratio)`` where ``min_count`` is the size of the smallest breed;
  within each breed, in increasing id (as strings), the first ``n_valid_per_label``
  pictures go to ``valid/<breed>``, the rest to ``train/<breed>``.
* ``reorg_test`` copies every test picture into ``test/unknown`` (one pseudo-class, so an
  image-folder loader can read the test set).
* Reorganised trees go to a separate output folder: the data folder may be read-only.

The transforms are written with torch operations (no torchvision): pictures are first
turned into floats in [0, 1], resized bilinearly (``align_corners=False``, no
antialiasing), cropped, flipped and normalised with the CIFAR-10 channel statistics the
book uses.  Random draws come from an injected ``torch.Generator`` in a stated order.

The book's §9.13 also brightens, changes contrast and saturation and adds AlexNet's PCA
"lighting" noise (gluon's ``RandomLighting``, which has no torchvision counterpart);
colour jitter is §9.1's business, and the lighting noise is implemented here as
:func:`random_lighting`.

The probes at the end (``reorg_cifar_probe`` and friends) are given to the student as
they are: they write a tiny tree in a temporary folder, call the functions under test and
list what came out, so file-writing functions are graded by the listing they produce.
"""

from __future__ import annotations

import collections
import math
import os
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from reference_impl.backbones import resnet34

#: Channel means and standard deviations the book normalises CIFAR-10 with.
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2023, 0.1994, 0.2010)
#: AlexNet's PCA of ImageNet's RGB pixels (values for pixels in 0…255), as gluon uses them.
LIGHTING_EIGVAL = (55.46, 4.794, 1.148)
LIGHTING_EIGVEC = ((-0.5675, 0.7192, 0.4009),
                   (-0.5808, -0.0045, -0.8140),
                   (-0.5836, -0.6948, 0.4203))


# ---- §9.12 reading and reorganising the files ------------------------------------------

def read_csv_labels(fname: str | os.PathLike[str]) -> dict[str, str]:
    """``{id: label}`` from a CSV whose first line is a header; ids stay strings."""
    with open(fname) as f:
        lines = f.read().splitlines()[1:]
    rows = [line.split(",") for line in lines if line.strip()]
    return {idx.strip(): label.strip() for idx, label in rows}


def copyfile(src: str | os.PathLike[str], target_dir: str | os.PathLike[str]) -> None:
    """Copy ``src`` into ``target_dir``, creating the folder when needed."""
    os.makedirs(target_dir, exist_ok=True)
    shutil.copy(src, target_dir)


def _stem(fname: str) -> str:
    return fname.split(".")[0]


def reorg_train_valid(data_dir: str, out_dir: str, labels: dict[str, str],
                      valid_ratio: float) -> int:
    """Split ``data_dir/train`` into ``out_dir/{train,valid,train_valid}/<label>``.

    Returns ``n_train_per_label`` (the first edition's CIFAR rule, see the module
    docstring).  Files are visited in increasing numeric id, so the split is the same on
    every file system.
    """
    files = sorted(os.listdir(os.path.join(data_dir, "train")), key=lambda f: int(_stem(f)))
    n_classes = len(set(labels.values()))
    n_train_per_label = int(len(files) * (1 - valid_ratio)) // n_classes
    taken: collections.Counter[str] = collections.Counter()
    for fname in files:
        label = labels[_stem(fname)]
        src = os.path.join(data_dir, "train", fname)
        copyfile(src, os.path.join(out_dir, "train_valid", label))
        part = "train" if taken[label] < n_train_per_label else "valid"
        taken[label] += 1
        copyfile(src, os.path.join(out_dir, part, label))
    return n_train_per_label


def reorg_test(data_dir: str, out_dir: str) -> None:
    """Copy every picture of ``data_dir/test`` into ``out_dir/test/unknown``."""
    for fname in os.listdir(os.path.join(data_dir, "test")):
        copyfile(os.path.join(data_dir, "test", fname), os.path.join(out_dir, "test", "unknown"))


# ---- §9.12 transforms -------------------------------------------------------------------

def resize(x: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """Bilinear resize of a float ``(C, H, W)`` tensor (``align_corners=False``)."""
    return F.interpolate(x[None], size=(h, w), mode="bilinear", align_corners=False)[0]


def normalize(x: torch.Tensor) -> torch.Tensor:
    """Subtract the CIFAR-10 channel means and divide by the standard deviations."""
    mean = torch.tensor(CIFAR_MEAN).reshape(3, 1, 1)
    std = torch.tensor(CIFAR_STD).reshape(3, 1, 1)
    return (x - mean) / std


def transform_test(img: torch.Tensor) -> torch.Tensor:
    """uint8 ``(3, H, W)`` → float32 in [0, 1] → normalised."""
    return normalize(img.float() / 255)


def transform_train(img: torch.Tensor, generator: torch.Generator, resize_to: int = 40,
                    size: int = 32, scale: tuple[float, float] = (0.64, 1.0)) -> torch.Tensor:
    """The book's training transform with its draws in a fixed order.

    uint8 → [0, 1]; resize to ``resize_to``×``resize_to``; draw the area fraction
    ``s = scale[0] + (scale[1] - scale[0]) * u`` (u from ``torch.rand``), the square's
    side ``c = round(sqrt(s) * resize_to)``, then its top and left corner with
    ``torch.randint(0, resize_to - c + 1, (1,))`` each; crop and resize to ``size``; flip
    left–right when a fourth draw ``torch.rand`` is below 0.5; normalise.
    """
    x = resize(img.float() / 255, resize_to, resize_to)
    u = torch.rand(1, generator=generator).item()
    s = scale[0] + (scale[1] - scale[0]) * u
    c = round(math.sqrt(s) * resize_to)
    top = int(torch.randint(0, resize_to - c + 1, (1,), generator=generator))
    left = int(torch.randint(0, resize_to - c + 1, (1,), generator=generator))
    x = resize(x[:, top:top + c, left:left + c], size, size)
    if torch.rand(1, generator=generator).item() < 0.5:
        x = x.flip(-1)
    return normalize(x)


# ---- §9.12 the model and the submission -------------------------------------------------

class Residual(nn.Module):
    """A residual block: two 3×3 convolutions with batch norm, and a shortcut that is a
    1×1 convolution (``conv3``) when the block changes the shape."""

    def __init__(self, in_channels: int, num_channels: int, use_1x1conv: bool = False,
                 stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, num_channels, 3, padding=1, stride=stride)
        self.conv2 = nn.Conv2d(num_channels, num_channels, 3, padding=1)
        self.conv3 = nn.Conv2d(in_channels, num_channels, 1, stride=stride) \
            if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)


def resnet_block(in_channels: int, num_channels: int, num_residuals: int,
                 first_block: bool = False) -> nn.Sequential:
    """``num_residuals`` residual blocks; all but the first stage halve the size first."""
    blocks: list[nn.Module] = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blocks.append(Residual(in_channels, num_channels, use_1x1conv=True, stride=2))
        else:
            blocks.append(Residual(num_channels, num_channels))
    return nn.Sequential(*blocks)


def resnet18(num_classes: int, in_channels: int = 3) -> nn.Sequential:
    """The book's ResNet-18 for 32×32 pictures: a 3×3 stride-1 stem without max-pooling."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, 3, stride=1, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        resnet_block(64, 64, 2, first_block=True), resnet_block(64, 128, 2),
        resnet_block(128, 256, 2), resnet_block(256, 512, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, num_classes))


def write_submission(fname: str, test_files: list[str], preds: torch.Tensor,
                     classes: list[str]) -> None:
    """``id,label`` for every test picture, rows in increasing numeric id.

    ``test_files[k]`` is the file the ``k``-th prediction ``preds[k]`` (a class index
    into ``classes``) belongs to; loaders list files in their own order (an image folder
    sorts names as strings: ``"10.png"`` before ``"2.png"``), hence the re-sorting.
    """
    rows = sorted((int(_stem(f)), classes[int(p)]) for f, p in zip(test_files, preds,
                                                                   strict=True))
    with open(fname, "w") as f:
        f.write("id,label\n")
        for idx, label in rows:
            f.write(f"{idx},{label}\n")


# ---- §9.13 dog breeds ---------------------------------------------------------------------

def reorg_dog_data(data_dir: str, out_dir: str, labels: dict[str, str],
                   valid_ratio: float) -> int:
    """Split ``data_dir/train`` into ``out_dir/{train,valid,train_valid}/<breed>``.

    Returns ``n_valid_per_label`` (the first edition's dog rule, see the module docstring);
    files are visited in increasing id, compared as strings.
    """
    min_count = min(collections.Counter(labels.values()).values())
    n_valid_per_label = math.floor(min_count * valid_ratio)
    taken: collections.Counter[str] = collections.Counter()
    for fname in sorted(os.listdir(os.path.join(data_dir, "train"))):
        breed = labels[_stem(fname)]
        src = os.path.join(data_dir, "train", fname)
        copyfile(src, os.path.join(out_dir, "train_valid", breed))
        part = "valid" if taken[breed] < n_valid_per_label else "train"
        taken[breed] += 1
        copyfile(src, os.path.join(out_dir, part, breed))
    return n_valid_per_label


def random_lighting(img: torch.Tensor, alphastd: float,
                    generator: torch.Generator) -> torch.Tensor:
    """AlexNet's PCA lighting noise on a float ``(3, H, W)`` picture in [0, 1].

    ``alpha = alphastd * torch.randn(3)``; every pixel gains the colour
    ``eigvec @ (alpha * eigval) / 255`` (the eigenvalues are for 0…255 pixels); the
    result is clamped to [0, 1].
    """
    alpha = torch.randn(3, generator=generator) * alphastd
    eigval = torch.tensor(LIGHTING_EIGVAL)
    eigvec = torch.tensor(LIGHTING_EIGVEC)
    rgb = eigvec @ (alpha * eigval) / 255
    return (img + rgb.reshape(3, 1, 1)).clamp(0, 1)


def freeze_features(net: nn.Module) -> nn.Module:
    """Stop gradients for every parameter of ``net.features``; returns ``net``."""
    for param in net.features.parameters():
        param.requires_grad = False
    return net


def get_net(num_classes: int = 120) -> nn.Sequential:
    """ResNet-34 features (``fc`` replaced by the identity, frozen) and a new head."""
    features = resnet34()
    features.fc = nn.Identity()
    output_new = nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, num_classes))
    net = nn.Sequential(OrderedDict([("features", features), ("output_new", output_new)]))
    return freeze_features(net)


def evaluate_loss(data_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
                  net: nn.Module) -> float:
    """Mean cross-entropy over every example (not the mean of the batch means)."""
    total, n = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            total += float(F.cross_entropy(net(X), y, reduction="sum"))
            n += len(y)
    return total / n


# ---- probes: given to the student, used by the grader ---------------------------------

def write_kaggle_tree(data_dir: str, labels: dict[str, str], test_ids: list[str], ext: str,
                      label_file: str) -> None:
    """A tiny competition folder: ``train/{id}.{ext}`` for every id of ``labels`` (in the
    dict's order), the label CSV, and ``test/{id}.{ext}``.  Files hold their own name."""
    for part, ids in (("train", list(labels)), ("test", test_ids)):
        os.makedirs(os.path.join(data_dir, part), exist_ok=True)
        for idx in ids:
            with open(os.path.join(data_dir, part, f"{idx}.{ext}"), "w") as f:
                f.write(f"{idx}.{ext}")
    with open(os.path.join(data_dir, label_file), "w") as f:
        f.write("id,label\n" + "".join(f"{i},{lab}\n" for i, lab in labels.items()))


def list_tree(root: str) -> dict[str, list[str]]:
    """``{folder relative to root: sorted file names}`` for every folder holding files."""
    listing = {}
    for folder, _, files in os.walk(root):
        if files:
            listing[os.path.relpath(folder, root).replace(os.sep, "/")] = sorted(files)
    return dict(sorted(listing.items()))


def read_csv_probe(text: str) -> dict[str, str]:
    """Write ``text`` to a temporary CSV file and read it with ``read_csv_labels``."""
    with tempfile.TemporaryDirectory() as tmp:
        fname = os.path.join(tmp, "labels.csv")
        with open(fname, "w", newline="") as f:
            f.write(text)
        return read_csv_labels(fname)


def reorg_cifar_probe(labels: dict[str, str], valid_ratio: float) -> dict[str, Any]:
    """Reorganise a tiny CIFAR-layout tree; the returned number and the listing."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, out_dir = os.path.join(tmp, "data"), os.path.join(tmp, "out")
        write_kaggle_tree(data_dir, labels, [], "png", "trainLabels.csv")
        n = reorg_train_valid(data_dir, out_dir, labels, valid_ratio)
        return {"n_train_per_label": n, "tree": list_tree(out_dir)}


def reorg_test_probe(test_ids: list[str], ext: str) -> dict[str, list[str]]:
    """Reorganise the test pictures of a tiny tree; the listing of what was written."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, out_dir = os.path.join(tmp, "data"), os.path.join(tmp, "out")
        write_kaggle_tree(data_dir, {}, test_ids, ext, "labels.csv")
        reorg_test(data_dir, out_dir)
        return list_tree(out_dir)


def submission_probe(test_files: list[str], preds: torch.Tensor, classes: list[str]) -> str:
    """The text ``write_submission`` writes (line ends read as ``\\n``)."""
    with tempfile.TemporaryDirectory() as tmp:
        fname = os.path.join(tmp, "submission.csv")
        write_submission(fname, test_files, preds, classes)
        with open(fname) as f:
            return f.read()


def reorg_dog_probe(labels: dict[str, str], valid_ratio: float) -> dict[str, Any]:
    """Reorganise a tiny dog-layout tree; the returned number and the listing."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, out_dir = os.path.join(tmp, "data"), os.path.join(tmp, "out")
        write_kaggle_tree(data_dir, labels, [], "jpg", "labels.csv")
        n = reorg_dog_data(data_dir, out_dir, labels, valid_ratio)
        return {"n_valid_per_label": n, "tree": list_tree(out_dir)}


def freeze_probe(net: nn.Module) -> dict[str, Any]:
    """Whether ``freeze_features(net)`` returns ``net``, and each parameter's
    ``[name, requires_grad]`` afterwards."""
    result = freeze_features(net)
    return {"returns_net": result is net,
            "requires_grad": [[name, p.requires_grad] for name, p in net.named_parameters()]}
