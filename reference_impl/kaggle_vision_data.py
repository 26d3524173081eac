"""Small stand-ins for the two Kaggle image competitions of §9.12 and §9.13.

The book downloads Kaggle's CIFAR-10 (50,000 training and 300,000 test PNGs) and the
dog-breed data (10,222 training JPEGs in 120 breeds).  Neither may ship with the course,
and the grading machines have no network, so this module writes the **same layouts** with
a few drawn pictures:

``kaggle_cifar10/``
    ``train/{id}.png`` (32×32 RGB, ids 1…n), ``trainLabels.csv`` (``id,label``) and
    ``test/{id}.png`` (ids 1…m).  Ten classes with *unequal* counts (12 down to 4), so
    the book's rule for carving out a validation set visibly depends on the counts.
``kaggle_dog/``
    ``train/{id}.jpg`` with 32-digit hexadecimal ids, ``labels.csv`` (``id,breed``) and
    ``test/{id}.jpg``.  Five breeds with 6–9 pictures each, 48–64 pixels a side.

A picture of class ``k`` is a background in the class's colour with a bright square at
a random place, so a network can learn the classes, though nothing here is meant to be
learnt well.  Everything depends only on the seed: the grader and a student who write the
stand-in get the same files.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
from PIL import Image

__all__ = ["CIFAR_CLASSES", "CIFAR_COUNTS", "DOG_BREEDS", "DOG_COUNTS", "write_cifar10_standin",
           "write_dog_standin", "write_kaggle_standins"]

CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                 "ship", "truck")
#: Training pictures per class (75 in all), deliberately unequal.
CIFAR_COUNTS = (12, 10, 9, 8, 8, 7, 6, 6, 5, 4)
CIFAR_TEST = 20
DOG_BREEDS = ("beagle", "border_collie", "chihuahua", "pug", "samoyed")
DOG_COUNTS = (8, 7, 9, 6, 8)
DOG_TEST = 10


def _colours(rng: random.Random, n: int) -> list[tuple[int, int, int]]:
    return [(rng.randint(20, 200), rng.randint(20, 200), rng.randint(20, 200)) for _ in range(n)]


def _picture(rng: random.Random, colour: tuple[int, int, int], h: int, w: int) -> Image.Image:
    """The class colour with noise, and a bright square somewhere."""
    noise = np.array([[rng.randint(-20, 20) for _ in range(w)] for _ in range(h)])
    pixels = np.clip(np.array(colour)[None, None, :] + noise[:, :, None], 0, 255)
    side = max(4, min(h, w) // 3)
    top, left = rng.randint(0, h - side), rng.randint(0, w - side)
    pixels[top:top + side, left:left + side] = 235
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


def write_cifar10_standin(folder: str | os.PathLike[str], seed: int = 0) -> Path:
    """Write ``folder/kaggle_cifar10`` (Kaggle's CIFAR-10 layout); returns that folder.

    Training ids 1…75 are dealt to the classes in a shuffled order, so a class's files
    are scattered over the id range as in the real data.
    """
    root = Path(folder).expanduser() / "kaggle_cifar10"
    rng = random.Random(seed)
    colours = _colours(rng, len(CIFAR_CLASSES))
    labels = [k for k, n in enumerate(CIFAR_COUNTS) for _ in range(n)]
    rng.shuffle(labels)
    (root / "train").mkdir(parents=True, exist_ok=True)
    (root / "test").mkdir(parents=True, exist_ok=True)
    rows = ["id,label"]
    for idx, k in enumerate(labels, start=1):
        _picture(rng, colours[k], 32, 32).save(root / "train" / f"{idx}.png")
        rows.append(f"{idx},{CIFAR_CLASSES[k]}")
    (root / "trainLabels.csv").write_text("\n".join(rows) + "\n")
    for idx in range(1, CIFAR_TEST + 1):
        k = rng.randrange(len(CIFAR_CLASSES))
        _picture(rng, colours[k], 32, 32).save(root / "test" / f"{idx}.png")
    return root


def write_dog_standin(folder: str | os.PathLike[str], seed: int = 1) -> Path:
    """Write ``folder/kaggle_dog`` (the dog-breed competition's layout); returns that folder."""
    root = Path(folder).expanduser() / "kaggle_dog"
    rng = random.Random(seed)
    colours = _colours(rng, len(DOG_BREEDS))
    (root / "train").mkdir(parents=True, exist_ok=True)
    (root / "test").mkdir(parents=True, exist_ok=True)
    rows = ["id,breed"]
    breeds = [k for k, n in enumerate(DOG_COUNTS) for _ in range(n)]
    rng.shuffle(breeds)
    for k in breeds:
        idx = f"{rng.getrandbits(128):032x}"
        h, w = rng.randint(48, 64), rng.randint(48, 64)
        _picture(rng, colours[k], h, w).save(root / "train" / f"{idx}.jpg", quality=90)
        rows.append(f"{idx},{DOG_BREEDS[k]}")
    (root / "labels.csv").write_text("\n".join(rows) + "\n")
    for _ in range(DOG_TEST):
        idx = f"{rng.getrandbits(128):032x}"
        k = rng.randrange(len(DOG_BREEDS))
        h, w = rng.randint(48, 64), rng.randint(48, 64)
        _picture(rng, colours[k], h, w).save(root / "test" / f"{idx}.jpg", quality=90)
    return root


def write_kaggle_standins(folder: str | os.PathLike[str]) -> None:
    """Both stand-ins under ``folder`` (the notebook spec's ``prepare_data``)."""
    write_cifar10_standin(folder)
    write_dog_standin(folder)
