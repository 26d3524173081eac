"""A small stand-in for the book's Pikachu detection data set (§9.6), and its reader.

The book's Pikachu set is MXNet RecordIO (1000 training and 100 validation images of
256×256, one Pikachu each); the PyTorch port converted it to PNG files plus a
``label.json``.  This module writes a folder in the port's layout::

    pikachu/{train,val}/images/{k}.png
    pikachu/{train,val}/label.json   {"k.png": {"class": 0, "loc": [xmin, ymin, xmax, ymax]}}

with ``loc`` normalised to [0, 1].  Each image is a deterministic background (a colour
gradient with mild noise) with one cartoon sprite pasted at a random place and size, so
the labels are exact by construction and the bytes depend only on the seed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image

__all__ = ["IMAGE_SIZE", "write_standin", "write_part", "read_pikachu", "pikachu_probe",
           "draw_images", "pikachu_dir"]

IMAGE_SIZE = 64
N_TRAIN, N_VAL = 32, 8


def _sprite(size: int) -> tuple[np.ndarray, np.ndarray]:
    """RGB pixels and a boolean mask of a yellow creature ``size`` pixels wide and high."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    u, v = xx / size, yy / size
    body = ((u - 0.5) / 0.42) ** 2 + ((v - 0.62) / 0.36) ** 2 <= 1
    ear_l = (np.abs(u - 0.28) < 0.08) & (v > 0.02) & (v < 0.35)
    ear_r = (np.abs(u - 0.72) < 0.08) & (v > 0.02) & (v < 0.35)
    mask = body | ear_l | ear_r
    rgb = np.zeros((size, size, 3), dtype=np.float64)
    rgb[...] = (250, 215, 40)
    rgb[(ear_l | ear_r) & (v < 0.14)] = (30, 25, 20)
    cheeks = (((u - 0.27) ** 2 + (v - 0.68) ** 2) < 0.006) | (((u - 0.73) ** 2
                                                                 + (v - 0.68) ** 2) < 0.006)
    rgb[cheeks & body] = (220, 40, 30)
    eyes = (((u - 0.36) ** 2 + (v - 0.52) ** 2) < 0.003) | (((u - 0.64) ** 2
                                                               + (v - 0.52) ** 2) < 0.003)
    rgb[eyes & body] = (20, 20, 20)
    return rgb, mask


def _image(rng: np.random.Generator, size: int) -> tuple[np.ndarray, list[float]]:
    """One background with one sprite; returns uint8 pixels (h, w, 3) and the box."""
    c0, c1 = rng.uniform(40, 200, 3), rng.uniform(40, 200, 3)
    t = np.linspace(0, 1, size)[:, None, None]
    img = c0 * (1 - t) + c1 * t + rng.normal(0, 6, (size, size, 3))
    img = np.broadcast_to(img, (size, size, 3)).copy()
    side = int(rng.integers(size // 4, size // 2 + 1))
    x0 = int(rng.integers(0, size - side + 1))
    y0 = int(rng.integers(0, size - side + 1))
    rgb, mask = _sprite(side)
    patch = img[y0:y0 + side, x0:x0 + side]
    patch[mask] = rgb[mask]
    box = [x0 / size, y0 / size, (x0 + side) / size, (y0 + side) / size]
    return np.clip(img, 0, 255).astype(np.uint8), box


def draw_images(seed: int, count: int, size: int) -> tuple[torch.Tensor, list[list[float]]]:
    """``count`` stand-in pictures (count, size, size, 3) uint8 and their boxes."""
    rng = np.random.default_rng(seed)
    pictures, boxes = [], []
    for _ in range(count):
        pixels, box = _image(rng, size)
        pictures.append(torch.from_numpy(pixels))
        boxes.append(box)
    return torch.stack(pictures), boxes


def write_part(data_dir: str | os.PathLike[str], part: str, images: torch.Tensor,
               boxes: list[list[float]], key_order: list[int] | None = None) -> None:
    """Write ``data_dir/part/images/{k}.png`` and ``data_dir/part/label.json`` (class 0).

    ``images`` is uint8 (n, h, w, 3); ``key_order`` is the order of the json's keys
    (default 0…n−1), so a reader cannot lean on it.
    """
    base = Path(data_dir) / part
    (base / "images").mkdir(parents=True, exist_ok=True)
    for k in range(len(images)):
        Image.fromarray(images[k].numpy()).save(base / "images" / f"{k}.png")
    order = range(len(images)) if key_order is None else key_order
    labels = {f"{k}.png": {"class": 0, "loc": [float(v) for v in boxes[k]]} for k in order}
    (base / "label.json").write_text(json.dumps(labels, indent=1))


def write_standin(root: str | os.PathLike[str], seed: int = 9) -> Path:
    """Write ``root/pikachu`` (32 training and 8 validation 64×64 images); returns it."""
    folder = Path(root) / "pikachu"
    for offset, (part, count) in enumerate((("train", N_TRAIN), ("val", N_VAL))):
        images, boxes = draw_images(seed + offset, count, IMAGE_SIZE)
        write_part(folder, part, images, boxes)
    return folder


def pikachu_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``<root>/pikachu``; ``root`` defaults to ``$D2L_DATA_DIR`` or ``~/.d2l/data``."""
    if root is None:
        root = os.environ.get("D2L_DATA_DIR") or "~/.d2l/data"
    return Path(root).expanduser() / "pikachu"


def read_pikachu(data_dir: str | os.PathLike[str], part: str
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """All images of ``part`` (n, 3, h, w) float32 in [0, 1] and labels (n, 1, 5), by k.

    A label row is (class, xmin, ymin, xmax, ymax), the layout ``multibox_target``
    expects with one object per image.
    """
    base = Path(data_dir) / part
    table = json.loads((base / "label.json").read_text())
    names = sorted(table, key=lambda name: int(name.split(".")[0]))
    images, labels = [], []
    for name in names:
        with Image.open(base / "images" / name) as im:
            pixels = np.asarray(im.convert("RGB"), dtype=np.float32) / 255
        images.append(torch.from_numpy(pixels).permute(2, 0, 1))
        entry = table[name]
        labels.append(torch.tensor([[float(entry["class"]), *entry["loc"]]]))
    return torch.stack(images), torch.stack(labels).float()


def pikachu_probe(images: torch.Tensor, boxes: list[list[float]], part: str,
                  key_order: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Write one part into a temporary folder and read it back with ``read_pikachu``.

    Grading calls this (the notebook has the same code, calling the student's
    ``read_pikachu``), so reading is judged on the case's own small images: otter runs
    have no ``$D2L_DATA_DIR``.
    """
    with tempfile.TemporaryDirectory() as tmp:
        write_part(tmp, part, images, boxes, key_order)
        return read_pikachu(tmp, part)
