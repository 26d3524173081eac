"""Fashion-MNIST without torchvision (§3.5), plus a small synthetic stand-in.

§3.5 of 《动手学深度学习》 introduces Fashion-MNIST and a
``load_data_fashion_mnist`` helper that chapters 3, 5 and 8 reuse.  The grader
must not depend on torchvision or on the network, so this module reads the
original IDX files itself from the layout torchvision leaves on disk::

    <root>/FashionMNIST/raw/train-images-idx3-ubyte[.gz]
    <root>/FashionMNIST/raw/train-labels-idx1-ubyte[.gz]
    <root>/FashionMNIST/raw/t10k-images-idx3-ubyte[.gz]
    <root>/FashionMNIST/raw/t10k-labels-idx1-ubyte[.gz]

and :func:`write_standin` can write a small, deterministic, learnable data set
in exactly that layout and byte format for tests and offline machines.

IDX format: a big-endian ``uint32`` magic number (2051 for uint8 images with
3 dimensions, 2049 for uint8 labels with 1 dimension), then one big-endian
``uint32`` per dimension, then the uint8 values in row-major order.
"""

from __future__ import annotations

import gzip as _gzip
import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, default_collate

__all__ = [
    "read_idx",
    "find_idx",
    "load_fashion_mnist_tensors",
    "load_data_fashion_mnist",
    "write_standin",
]

_GZIP_MAGIC = b"\x1f\x8b"
# magic number -> number of dimensions; both are unsigned-byte (0x08) data.
_IDX_MAGIC_NDIM = {2049: 1, 2051: 3}
_SPLITS = ("train", "t10k")
_KINDS = {"images": 3, "labels": 1}
_IMAGE_SIZE = 28
_NUM_CLASSES = 10


def _raw_folder(root: str | os.PathLike[str]) -> Path:
    return Path(root).expanduser() / "FashionMNIST" / "raw"


def _idx_name(split: str, kind: str) -> str:
    return f"{split}-{kind}-idx{_KINDS[kind]}-ubyte"


def read_idx(path: str | os.PathLike[str]) -> torch.Tensor:
    """Read one uint8 IDX file, raw or gzip-compressed (§3.5).

    Compression is detected from the gzip magic bytes ``1f 8b`` rather than
    the file name, so a mis-named file still reads.  The magic number, the
    header length and the exact payload length are all checked, because a
    truncated download otherwise turns into silently wrong images; any
    mismatch raises ``ValueError`` naming the file.

    Returns a ``torch.uint8`` tensor of shape ``(n, rows, cols)`` for images
    or ``(n,)`` for labels.
    """
    path = Path(path)
    data = path.read_bytes()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = _gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{path}: corrupt gzip data ({exc})") from exc

    if len(data) < 4:
        raise ValueError(f"{path}: too short for an IDX header ({len(data)} bytes)")
    (magic,) = struct.unpack(">I", data[:4])
    if magic not in _IDX_MAGIC_NDIM:
        raise ValueError(
            f"{path}: bad IDX magic number {magic} (0x{magic:08x}); expected "
            "2049 (uint8 labels, 1-D) or 2051 (uint8 images, 3-D)"
        )
    ndim = _IDX_MAGIC_NDIM[magic]
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise ValueError(
            f"{path}: truncated IDX header: need {header_len} bytes for "
            f"{ndim} dimension(s), file has {len(data)}"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header_len])
    if ndim == 3 and (dims[1] == 0 or dims[2] == 0):
        raise ValueError(f"{path}: invalid image size {dims[1]}x{dims[2]}")
    expected = int(np.prod(dims, dtype=np.int64))
    actual = len(data) - header_len
    if actual != expected:
        problem = "truncated" if actual < expected else "trailing bytes"
        raise ValueError(
            f"{path}: {problem}: header declares shape {tuple(dims)} = "
            f"{expected} bytes of data, file has {actual}"
        )
    array = np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(dims)
    return torch.from_numpy(array.copy())


def find_idx(root: str | os.PathLike[str], split: str, kind: str) -> Path:
    """Locate one Fashion-MNIST IDX file under ``root/FashionMNIST/raw`` (§3.5).

    ``split`` is ``"train"`` or ``"t10k"`` and ``kind`` is ``"images"`` or
    ``"labels"``, as in the original file names.  The uncompressed file is
    preferred (it is what torchvision extracts); the ``.gz`` one is the
    fallback.  ``FileNotFoundError`` lists every path that was tried.
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be one of {_SPLITS}, got {split!r}")
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {tuple(_KINDS)}, got {kind!r}")
    raw = _raw_folder(root) / _idx_name(split, kind)
    candidates = [raw, raw.with_name(raw.name + ".gz")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"Fashion-MNIST {split} {kind} not found; looked for: {tried}")


def load_fashion_mnist_tensors(
    root: str | os.PathLike[str], train: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """Load one split as ``(images, labels)`` tensors (§3.5).

    Images become float32 in ``[0, 1]`` with shape ``(n, 1, 28, 28)`` (what
    the book's ``ToTensor`` transform produces) and labels int64 of shape
    ``(n,)``, the dtype ``cross_entropy`` indexing and ``nn.CrossEntropyLoss``
    expect.  Mismatched counts or out-of-range labels raise ``ValueError``.
    """
    split = "train" if train else "t10k"
    image_path = find_idx(root, split, "images")
    label_path = find_idx(root, split, "labels")
    images = read_idx(image_path)
    labels = read_idx(label_path)
    if images.dim() != 3 or tuple(images.shape[1:]) != (_IMAGE_SIZE, _IMAGE_SIZE):
        raise ValueError(
            f"{image_path}: expected images of shape (n, 28, 28), got {tuple(images.shape)}"
        )
    if labels.dim() != 1:
        raise ValueError(f"{label_path}: expected 1-D labels, got shape {tuple(labels.shape)}")
    if len(images) != len(labels):
        raise ValueError(
            f"{image_path} has {len(images)} images but {label_path} has {len(labels)} labels"
        )
    if len(labels) and int(labels.max()) >= _NUM_CLASSES:
        raise ValueError(f"{label_path}: label {int(labels.max())} outside 0..9")
    return images.unsqueeze(1).float().div_(255), labels.long()


class _ResizeCollate:
    """Stack a batch, then resize its images bilinearly to ``size x size``.

    Resizing per batch instead of the whole data set up front keeps memory
    small when chapter 5 asks for 224x224 inputs.
    """

    def __init__(self, size: int) -> None:
        self.size = size

    def __call__(self, batch: list[tuple[torch.Tensor, torch.Tensor]]):
        X, y = default_collate(batch)
        X = F.interpolate(X, size=(self.size, self.size), mode="bilinear", align_corners=False)
        return X, y


def load_data_fashion_mnist(
    batch_size: int,
    root: str | os.PathLike[str] | None = None,
    resize: int | None = None,
) -> tuple[DataLoader, DataLoader]:
    """Return ``(train_iter, test_iter)`` data loaders (§3.5).

    ``root`` defaults to ``$D2L_DATA_DIR`` or else ``~/.d2l/data``.  The
    training loader shuffles, the test loader does not; both use
    ``num_workers=0`` so results depend only on torch's global RNG.  With
    ``resize`` the images are bilinearly resized to ``(resize, resize)``, as
    the later chapters need for larger networks.
    """
    if root is None:
        root = os.environ.get("D2L_DATA_DIR") or Path("~/.d2l/data").expanduser()
    collate_fn = None if resize is None else _ResizeCollate(int(resize))
    loaders = []
    for train in (True, False):
        images, labels = load_fashion_mnist_tensors(root, train=train)
        loaders.append(
            DataLoader(
                TensorDataset(images, labels),
                batch_size=batch_size,
                shuffle=train,
                num_workers=0,
                collate_fn=collate_fn,
            )
        )
    return loaders[0], loaders[1]


# ---------------------------------------------------------------------------
# Synthetic stand-in
# ---------------------------------------------------------------------------


def _idx_bytes(magic: int, array: np.ndarray) -> bytes:
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def _gzip_bytes(data: bytes) -> bytes:
    # Empty file name and mtime 0 keep the header, and so the bytes, fixed.
    buffer = io.BytesIO()
    with _gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as f:
        f.write(data)
    return buffer.getvalue()


# Centre (row, col) of each class's bright patch: two rows of five patches
# that never overlap, so every class has its own region of the image.
_PATCH_CENTRES = [(7, 3 + 5 * k) for k in range(5)] + [(20, 3 + 5 * k) for k in range(5)]


def _standin_split(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Make ``n`` balanced examples: noise plus a class-placed bright patch.

    Every image gets background noise and a bright 9x4 patch at its class's
    place, jittered by up to two pixels.  Most images (70%) also get a dimmer
    distractor patch at another class's place.  The result is learnable by
    softmax regression (about 0.9 test accuracy after a few epochs, close to
    what the book reports on the real data) without being trivially perfect.
    """
    labels = rng.permutation(np.arange(n) % _NUM_CLASSES).astype(np.uint8)
    images = rng.integers(0, 100, size=(n, _IMAGE_SIZE, _IMAGE_SIZE))
    for i, label in enumerate(labels):
        _add_patch(rng, images[i], int(label), rng.integers(140, 256))
        if rng.random() < 0.7:
            other = (label + rng.integers(1, _NUM_CLASSES)) % _NUM_CLASSES
            _add_patch(rng, images[i], int(other), rng.integers(40, 160))
    return np.clip(images, 0, 255).astype(np.uint8), labels


def _add_patch(rng: np.random.Generator, image: np.ndarray, label: int, brightness: int) -> None:
    row, col = _PATCH_CENTRES[label]
    dr, dc = rng.integers(-2, 3, size=2)
    r0, c0 = row - 4 + dr, col - 2 + dc
    image[max(r0, 0) : r0 + 9, max(c0, 0) : c0 + 4] += brightness


def write_standin(
    root: str | os.PathLike[str],
    n_train: int = 600,
    n_test: int = 100,
    seed: int = 0,
    gzip: bool = False,
) -> Path:
    """Write a small synthetic Fashion-MNIST stand-in under ``root`` (§3.5).

    The files use exactly the real names, folder layout and IDX byte format,
    so :func:`read_idx` and torchvision's ``FashionMNIST(download=False)``
    read them like the real data (torchvision only reads the uncompressed
    files, i.e. ``gzip=False``).  Images are 28x28 uint8 with 10 balanced
    classes, each with its own patch position plus noise, so softmax
    regression reaches high test accuracy in a few epochs.

    Output is a pure function of the arguments: the data comes from
    ``numpy.random.default_rng(seed)`` and gzip files are written with mtime
    0 and no file name in the header, so they are byte-identical across runs.
    If the other variant (``.gz`` vs raw) of a file exists it is removed so
    that :func:`find_idx` cannot pick up a stale copy.  Returns the raw
    folder.
    """
    if n_train < 0 or n_test < 0:
        raise ValueError("n_train and n_test must be non-negative")
    rng = np.random.default_rng(seed)
    folder = _raw_folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("t10k", n_test)):
        images, labels = _standin_split(rng, n)
        for kind, magic, array in (
            ("images", 2051, images),
            ("labels", 2049, labels),
        ):
            data = _idx_bytes(magic, array)
            raw = folder / _idx_name(split, kind)
            packed = raw.with_name(raw.name + ".gz")
            if gzip:
                target, stale, data = packed, raw, _gzip_bytes(data)
            else:
                target, stale = raw, packed
            target.write_bytes(data)
            stale.unlink(missing_ok=True)
    return folder
