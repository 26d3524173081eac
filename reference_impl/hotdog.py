"""The hot-dog data set of §9.2 without a download: a stand-in writer and a folder loader.

The book fine-tunes an ImageNet ResNet-18 on ``hotdog.zip``: photographs in the folder
layout ``hotdog/{train,test}/{hotdog,not-hotdog}/<n>.png`` (1000 training and 800 test
images of various sizes).  The photographs are not ours to ship and the grading machines
have no network, so :func:`write_hotdog_standin` writes the same tree with small drawn
pictures: a "hot dog" is a brown sausage lying in a pale bun, a "not hot dog" is a disc,
a square or a triangle in another colour.  Sizes vary from picture to picture, as the
book's photographs do, so a loader must resize.

:func:`read_image_folder` reads such a tree the way ``torchvision.datasets.ImageFolder``
does: class names are the sub-folders in sorted order, label ``k`` is the ``k``-th of
them, and files are taken in sorted order within each class.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

__all__ = ["CLASSES", "SPLITS", "write_hotdog_standin", "read_image_folder", "list_image_folder"]

CLASSES = ("hotdog", "not-hotdog")
SPLITS = ("train", "test")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _background(rng: random.Random, w: int, h: int) -> Image.Image:
    """A light, slightly noisy background (a table, a plate)."""
    base = np.array([rng.randint(170, 235) for _ in range(3)], dtype=np.int16)
    noise = np.array([[rng.randint(-12, 12) for _ in range(w)] for _ in range(h)],
                     dtype=np.int16)
    pixels = np.clip(base[None, None, :] + noise[:, :, None], 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGB")


def _hotdog(rng: random.Random, w: int, h: int) -> Image.Image:
    img = _background(rng, w, h)
    draw = ImageDraw.Draw(img)
    cy = h / 2 + rng.uniform(-h / 10, h / 10)
    bun_h, sausage_h = h * rng.uniform(0.28, 0.36), h * rng.uniform(0.12, 0.16)
    left, right = w * rng.uniform(0.08, 0.18), w * rng.uniform(0.82, 0.92)
    bun = (rng.randint(215, 240), rng.randint(170, 195), rng.randint(100, 130))
    sausage = (rng.randint(140, 175), rng.randint(50, 75), rng.randint(30, 50))
    draw.ellipse((left, cy - bun_h / 2, right, cy + bun_h / 2), fill=bun)
    draw.ellipse((left - w * 0.05, cy - sausage_h / 2, right + w * 0.05, cy + sausage_h / 2),
                 fill=sausage)
    return img


def _other(rng: random.Random, w: int, h: int) -> Image.Image:
    img = _background(rng, w, h)
    draw = ImageDraw.Draw(img)
    colour = rng.choice([(40, 110, 200), (60, 160, 70), (200, 60, 150), (90, 90, 90),
                         (230, 200, 40)])
    cx, cy = w * rng.uniform(0.35, 0.65), h * rng.uniform(0.35, 0.65)
    r = min(w, h) * rng.uniform(0.22, 0.35)
    shape = rng.choice(["disc", "square", "triangle"])
    if shape == "disc":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    elif shape == "square":
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=colour)
    else:
        draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour)
    return img


def write_hotdog_standin(folder: str | os.PathLike[str], n_train: int = 20, n_test: int = 10,
                         seed: int = 0) -> Path:
    """Write ``folder/hotdog/{train,test}/{hotdog,not-hotdog}/<n>.png``; returns ``folder/hotdog``.

    ``n_train``/``n_test`` pictures per class, 40–72 pixels a side.  The pixels depend
    only on the arguments, so a grader and a student who write the stand-in get the
    same pictures.
    """
    root = Path(folder).expanduser() / "hotdog"
    rng = random.Random(seed)
    for split, n in (("train", n_train), ("test", n_test)):
        for cls, draw in zip(CLASSES, (_hotdog, _other), strict=True):
            out = root / split / cls
            out.mkdir(parents=True, exist_ok=True)
            for k in range(n):
                w, h = rng.randint(40, 72), rng.randint(40, 72)
                draw(rng, w, h).save(out / f"{k}.png")
    return root


def list_image_folder(root: str | os.PathLike[str]) -> tuple[list[str], list[tuple[str, int]]]:
    """``(classes, samples)`` of an ImageFolder tree: sorted sub-folders are the classes,
    ``samples`` are ``(path relative to root, label)`` with files sorted within a class."""
    root = Path(root)
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    samples = []
    for label, cls in enumerate(classes):
        for f in sorted(p.name for p in (root / cls).iterdir()):
            if f.lower().endswith(IMAGE_SUFFIXES):
                samples.append((f"{cls}/{f}", label))
    return classes, samples


def read_image_folder(root: str | os.PathLike[str],
                      ) -> tuple[list[torch.Tensor], torch.Tensor, list[str]]:
    """``(images, labels, classes)``: uint8 ``(3, H, W)`` tensors, int64 labels."""
    classes, samples = list_image_folder(root)
    images = []
    for rel, _ in samples:
        with Image.open(Path(root) / rel) as im:
            arr = np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
        images.append(torch.from_numpy(arr).permute(2, 0, 1).contiguous())
    labels = torch.tensor([label for _, label in samples], dtype=torch.int64)
    return images, labels, classes
