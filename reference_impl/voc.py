"""Pascal VOC2012 segmentation data (§9.9): the real layout, its reader, and a stand-in writer.

The real dataset (2 GB, a download) is laid out as::

    VOCdevkit/VOC2012/ImageSets/Segmentation/{train,val}.txt   one image name per line
    VOCdevkit/VOC2012/JPEGImages/<name>.jpg                     the photograph
    VOCdevkit/VOC2012/SegmentationClass/<name>.png              the label, a palette PNG

A label PNG stores one palette index per pixel: index ``k`` (0–20) is class ``k`` and is
drawn in ``VOC_COLORMAP[k]``; index 255 marks the "void" pixels along object borders and is
drawn in (224, 224, 192).  The book converts labels to RGB and maps colours back to classes,
so void pixels, whose colour is no class's, end up as class 0 (background).  Usual practice
keeps them apart (index 255 and ``ignore_index=255`` in the loss); the course follows the
book.

:func:`write_voc_standin` writes a small tree in exactly this layout: coloured shapes on a
noisy background, each class with its own mean colour so that a small network can learn to
segment it in a few steps, a void border around every shape, and a few images smaller than
the notebook's crop so that filtering matters.  Everything is drawn from fixed seeds.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image

__all__ = ["VOC_CLASSES", "VOC_COLORMAP", "VOID_COLOR", "read_voc_images", "standin_pair",
           "voc_dir", "write_voc_standin"]

VOC_COLORMAP: list[list[int]] = [
    [0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0], [0, 0, 128], [128, 0, 128],
    [0, 128, 128], [128, 128, 128], [64, 0, 0], [192, 0, 0], [64, 128, 0], [192, 128, 0],
    [64, 0, 128], [192, 0, 128], [64, 128, 128], [192, 128, 128], [0, 64, 0], [128, 64, 0],
    [0, 192, 0], [128, 192, 0], [0, 64, 128]]

VOC_CLASSES: list[str] = [
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat",
    "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "potted plant",
    "sheep", "sofa", "train", "tv/monitor"]

#: The colour of palette index 255, the "void" border pixels of the real labels.
VOID_COLOR = (224, 224, 192)
VOID_INDEX = 255

#: Stand-in sizes (height, width) per split: most larger than the notebook's crop (64, 96),
#: a few smaller, which VOCSegDataset must drop.
TRAIN_SIZES = [(96, 128), (80, 112), (72, 104), (48, 80), (88, 120), (64, 96), (100, 140),
               (56, 120), (76, 100), (84, 132)]
VAL_SIZES = [(80, 112), (60, 90), (96, 120), (70, 100)]


def voc_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``<root>/VOCdevkit/VOC2012``; ``root`` defaults to ``$D2L_DATA_DIR``, else
    ``~/.d2l/data``."""
    if root is None:
        root = os.environ.get("D2L_DATA_DIR") or "~/.d2l/data"
    return Path(root).expanduser() / "VOCdevkit" / "VOC2012"


def read_voc_images(voc_dir: str | os.PathLike[str], is_train: bool = True,
                    max_num: int | None = None) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Features and RGB labels of one split, as uint8 ``(3, H, W)`` tensors (§9.9).

    The label PNG is a palette image; converting it to RGB gives the colours the book maps
    back to classes with ``voc_label_indices``.
    """
    root = Path(voc_dir)
    split = root / "ImageSets" / "Segmentation" / ("train.txt" if is_train else "val.txt")
    names = split.read_text().split()
    if max_num is not None:
        names = names[:max_num]
    features, labels = [], []
    for name in names:
        for folder, suffix, out in (("JPEGImages", ".jpg", features),
                                    ("SegmentationClass", ".png", labels)):
            with Image.open(root / folder / f"{name}{suffix}") as img:
                array = np.asarray(img.convert("RGB"))
            out.append(torch.from_numpy(array.copy()).permute(2, 0, 1).contiguous())
    return features, labels


# ---- the stand-in ---------------------------------------------------------------------

def _class_colour(k: int) -> np.ndarray:
    """A mean photo colour per class, well apart from its neighbours (class 0: grey)."""
    if k == 0:
        return np.array([110.0, 110.0, 110.0])
    rng = np.random.default_rng(1000 + k)
    return rng.uniform(20, 235, size=3)


def standin_pair(seed: int, height: int, width: int, num_shapes: int = 3,
                 classes: tuple[int, ...] = tuple(range(1, 21))
                 ) -> tuple[np.ndarray, np.ndarray]:
    """One stand-in example: an ``(H, W, 3)`` uint8 photo and an ``(H, W)`` uint8 palette
    index map (0–20, 255 on a one-pixel border around every shape)."""
    rng = np.random.default_rng(seed)
    index = np.zeros((height, width), dtype=np.uint8)
    rows, cols = np.mgrid[0:height, 0:width]
    for _ in range(num_shapes):
        k = int(rng.choice(classes))
        h = int(rng.integers(height // 4, height // 2 + 1))
        w = int(rng.integers(width // 4, width // 2 + 1))
        top, left = int(rng.integers(0, height - h)), int(rng.integers(0, width - w))
        if rng.random() < 0.5:  # a rectangle
            inside = (rows >= top) & (rows < top + h) & (cols >= left) & (cols < left + w)
        else:  # an ellipse in that box
            cy, cx = top + h / 2, left + w / 2
            inside = ((rows - cy) / (h / 2)) ** 2 + ((cols - cx) / (w / 2)) ** 2 <= 1
        grown = inside.copy()  # the void border: one pixel around the shape
        grown[1:, :] |= inside[:-1, :]
        grown[:-1, :] |= inside[1:, :]
        grown[:, 1:] |= inside[:, :-1]
        grown[:, :-1] |= inside[:, 1:]
        index[grown & ~inside] = VOID_INDEX
        index[inside] = k
    photo = np.empty((height, width, 3))
    for k in np.unique(index):
        mask = index == k
        base = np.array(VOID_COLOR, dtype=float) * 0.6 if k == VOID_INDEX else _class_colour(int(k))
        photo[mask] = base
    photo += rng.normal(0, 12, size=photo.shape)
    return np.clip(photo, 0, 255).round().astype(np.uint8), index


def _palette() -> list[int]:
    palette = [0] * (256 * 3)
    for k, rgb in enumerate(VOC_COLORMAP):
        palette[3 * k:3 * k + 3] = rgb
    palette[3 * VOID_INDEX:3 * VOID_INDEX + 3] = list(VOID_COLOR)
    return palette


def write_voc_standin(root: str | os.PathLike[str]) -> Path:
    """Write the stand-in tree under ``root/VOCdevkit/VOC2012``; returns that folder."""
    base = voc_dir(root)
    for sub in ("ImageSets/Segmentation", "JPEGImages", "SegmentationClass"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    palette = _palette()
    n = 0
    for split, sizes in (("train", TRAIN_SIZES), ("val", VAL_SIZES)):
        names = []
        for height, width in sizes:
            n += 1
            name = f"2007_{n:06d}"
            photo, index = standin_pair(n, height, width)
            Image.fromarray(photo).save(base / "JPEGImages" / f"{name}.jpg", quality=95)
            label = Image.fromarray(index, mode="P")
            label.putpalette(palette)
            label.save(base / "SegmentationClass" / f"{name}.png")
            names.append(name)
        (base / "ImageSets" / "Segmentation" / f"{split}.txt").write_text("\n".join(names) + "\n")
    return base
