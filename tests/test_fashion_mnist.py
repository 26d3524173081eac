"""Tests for the Fashion-MNIST reader and stand-in (§3.5).

Covers reference_impl.fashion_mnist: IDX parsing and validation, the on-disk
layout, the deterministic synthetic stand-in and the data loaders.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from reference_impl.fashion_mnist import (
    find_idx,
    load_data_fashion_mnist,
    load_fashion_mnist_tensors,
    read_idx,
    write_standin,
)

NAMES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]


def _image_bytes(array: np.ndarray) -> bytes:
    return struct.pack(">IIII", 2051, *array.shape) + array.astype(np.uint8).tobytes()


def _label_bytes(array: np.ndarray) -> bytes:
    return struct.pack(">II", 2049, len(array)) + array.astype(np.uint8).tobytes()


# ---------------------------------------------------------------------------
# read_idx
# ---------------------------------------------------------------------------


def test_read_idx_handwritten_images_and_labels(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.write_bytes(struct.pack(">IIII", 2051, 2, 2, 3) + bytes(range(12)))
    out = read_idx(images)
    assert out.dtype == torch.uint8
    assert torch.equal(out, torch.arange(12, dtype=torch.uint8).reshape(2, 2, 3))

    labels = tmp_path / "labels"
    labels.write_bytes(struct.pack(">II", 2049, 3) + bytes([9, 0, 255]))
    assert torch.equal(read_idx(labels), torch.tensor([9, 0, 255], dtype=torch.uint8))


def test_read_idx_detects_gzip_by_magic_bytes_not_suffix(tmp_path: Path) -> None:
    data = _label_bytes(np.array([3, 1, 4, 1, 5]))
    expected = torch.tensor([3, 1, 4, 1, 5], dtype=torch.uint8)
    no_suffix = tmp_path / "labels-idx1-ubyte"
    no_suffix.write_bytes(gzip.compress(data))
    assert torch.equal(read_idx(no_suffix), expected)
    misnamed = tmp_path / "plain.gz"
    misnamed.write_bytes(data)
    assert torch.equal(read_idx(misnamed), expected)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (struct.pack(">II", 2050, 1) + b"\x00", "magic"),
        (struct.pack("<II", 2049, 1) + b"\x00", "magic"),  # little-endian header
        (b"\x00\x00", "too short"),
        (struct.pack(">III", 2051, 1, 28), "header"),
        (struct.pack(">IIII", 2051, 2, 2, 2) + bytes(7), "truncated"),
        (struct.pack(">II", 2049, 3) + bytes(4), "trailing"),
    ],
)
def test_read_idx_rejects_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "broken-idx-ubyte"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert "broken-idx-ubyte" in str(info.value)


def test_read_idx_rejects_wrong_magic_real_file(tmp_path: Path) -> None:
    raw = write_standin(tmp_path, n_train=20, n_test=10)
    path = raw / "train-labels-idx1-ubyte"
    data = bytearray(path.read_bytes())
    data[2:4] = b"\x0d\x01"  # int32 labels instead of uint8
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="magic") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_rejects_truncated_real_files(tmp_path: Path) -> None:
    raw = write_standin(tmp_path / "raw", n_train=20, n_test=10)
    path = raw / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(path)

    packed = write_standin(tmp_path / "gz", n_train=20, n_test=10, gzip=True)
    path = packed / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError, match=str(path.name)):
        read_idx(path)


# ---------------------------------------------------------------------------
# write_standin
# ---------------------------------------------------------------------------


def test_write_standin_layout_and_header_bytes(tmp_path: Path) -> None:
    raw = write_standin(tmp_path, n_train=30, n_test=20)
    assert raw == tmp_path / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(NAMES)
    for split, n in (("train", 30), ("t10k", 20)):
        images = (raw / f"{split}-images-idx3-ubyte").read_bytes()
        labels = (raw / f"{split}-labels-idx1-ubyte").read_bytes()
        assert images[:16] == b"\x00\x00\x08\x03" + struct.pack(">III", n, 28, 28)
        assert len(images) == 16 + n * 28 * 28
        assert labels[:8] == b"\x00\x00\x08\x01" + struct.pack(">I", n)
        assert len(labels) == 8 + n
        counts = np.bincount(np.frombuffer(labels[8:], dtype=np.uint8), minlength=10)
        assert counts.tolist() == [n // 10] * 10


def test_write_standin_is_byte_deterministic(tmp_path: Path) -> None:
    for packed in (False, True):
        a = write_standin(tmp_path / f"a{packed}", seed=3, gzip=packed)
        b = write_standin(tmp_path / f"b{packed}", seed=3, gzip=packed)
        c = write_standin(tmp_path / f"c{packed}", seed=4, gzip=packed)
        suffix = ".gz" if packed else ""
        for name in NAMES:
            file = name + suffix
            assert (a / file).read_bytes() == (b / file).read_bytes()
        images = "train-images-idx3-ubyte" + suffix
        assert (a / images).read_bytes() != (c / images).read_bytes()


def test_write_standin_gzip_header_has_no_mtime_or_name(tmp_path: Path) -> None:
    raw = write_standin(tmp_path, n_train=20, n_test=10, gzip=True)
    assert sorted(p.name for p in raw.iterdir()) == sorted(n + ".gz" for n in NAMES)
    for name in NAMES:
        header = (raw / (name + ".gz")).read_bytes()[:10]
        assert header[:2] == b"\x1f\x8b"
        assert header[4:8] == b"\x00\x00\x00\x00"  # mtime 0
        assert header[3] & 0x08 == 0  # FNAME flag not set


def test_write_standin_replaces_stale_other_variant(tmp_path: Path) -> None:
    raw = write_standin(tmp_path, n_train=20, n_test=10, seed=1)
    write_standin(tmp_path, n_train=20, n_test=10, seed=2, gzip=True)
    assert not (raw / NAMES[0]).exists()
    assert find_idx(tmp_path, "train", "images").name == NAMES[0] + ".gz"


def test_raw_and_gzip_give_identical_tensors(tmp_path: Path) -> None:
    raw = write_standin(tmp_path / "raw", n_train=50, n_test=20, seed=5)
    packed = write_standin(tmp_path / "gz", n_train=50, n_test=20, seed=5, gzip=True)
    for name in NAMES:
        assert torch.equal(read_idx(raw / name), read_idx(packed / (name + ".gz")))
    for train in (True, False):
        xr, yr = load_fashion_mnist_tensors(tmp_path / "raw", train)
        xg, yg = load_fashion_mnist_tensors(tmp_path / "gz", train)
        assert torch.equal(xr, xg) and torch.equal(yr, yg)


def test_standin_classes_are_learnable_by_nearest_mean(tmp_path: Path) -> None:
    # Independent of the chapter code: classify test images by the nearest
    # class-mean training image.  Distinct class patterns make this work.
    write_standin(tmp_path)
    x_train, y_train = load_fashion_mnist_tensors(tmp_path, train=True)
    x_test, y_test = load_fashion_mnist_tensors(tmp_path, train=False)
    x_train, x_test = x_train.flatten(1), x_test.flatten(1)
    means = torch.stack([x_train[y_train == c].mean(0) for c in range(10)])
    predictions = torch.cdist(x_test, means).argmin(dim=1)
    assert (predictions == y_test).float().mean().item() >= 0.8


# ---------------------------------------------------------------------------
# find_idx and loaders
# ---------------------------------------------------------------------------


def test_find_idx_prefers_raw_and_falls_back_to_gz(tmp_path: Path) -> None:
    raw = write_standin(tmp_path, n_train=20, n_test=10, gzip=True)
    assert find_idx(tmp_path, "t10k", "labels") == raw / "t10k-labels-idx1-ubyte.gz"
    packed = (raw / "t10k-labels-idx1-ubyte.gz").read_bytes()
    (raw / "t10k-labels-idx1-ubyte").write_bytes(gzip.decompress(packed))
    assert find_idx(tmp_path, "t10k", "labels") == raw / "t10k-labels-idx1-ubyte"
    expected = raw / "train-images-idx3-ubyte.gz"
    assert find_idx(str(tmp_path), "train", "images") == expected


def test_find_idx_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        find_idx(tmp_path, "train", "images")
    message = str(info.value)
    expected = tmp_path / "FashionMNIST" / "raw" / "train-images-idx3-ubyte"
    assert str(expected) in message and str(expected) + ".gz" in message
    with pytest.raises(ValueError):
        find_idx(tmp_path, "test", "images")
    with pytest.raises(ValueError):
        find_idx(tmp_path, "train", "pixels")


def test_load_fashion_mnist_tensors_dtypes_and_values(tmp_path: Path) -> None:
    raw = write_standin(tmp_path, n_train=40, n_test=20)
    images, labels = load_fashion_mnist_tensors(tmp_path, train=False)
    assert images.shape == (20, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (20,) and labels.dtype == torch.int64
    assert 0.0 <= images.min().item() and images.max().item() <= 1.0
    raw_images = read_idx(raw / "t10k-images-idx3-ubyte")
    torch.testing.assert_close(images[:, 0], raw_images.float() / 255)
    assert torch.equal(labels, read_idx(raw / "t10k-labels-idx1-ubyte").long())
    assert load_fashion_mnist_tensors(tmp_path, train=True)[0].shape[0] == 40


def test_load_fashion_mnist_tensors_rejects_count_mismatch(tmp_path: Path) -> None:
    raw = write_standin(tmp_path, n_train=20, n_test=10)
    (raw / "t10k-labels-idx1-ubyte").write_bytes(_label_bytes(np.zeros(9)))
    with pytest.raises(ValueError, match="labels"):
        load_fashion_mnist_tensors(tmp_path, train=False)
    (raw / "t10k-labels-idx1-ubyte").write_bytes(_label_bytes(np.full(10, 10)))
    with pytest.raises(ValueError, match="outside"):
        load_fashion_mnist_tensors(tmp_path, train=False)
    (raw / "t10k-images-idx3-ubyte").write_bytes(_image_bytes(np.zeros((10, 32, 32))))
    with pytest.raises(ValueError, match="28"):
        load_fashion_mnist_tensors(tmp_path, train=False)


def test_load_data_fashion_mnist_loaders(tmp_path: Path) -> None:
    write_standin(tmp_path, n_train=100, n_test=30)
    torch.manual_seed(0)
    train_iter, test_iter = load_data_fashion_mnist(32, root=tmp_path)
    train_batches = list(train_iter)
    assert [len(y) for _, y in train_batches] == [32, 32, 32, 4]
    X, y = train_batches[0]
    assert X.shape == (32, 1, 28, 28) and X.dtype == torch.float32
    assert y.dtype == torch.int64

    all_images, all_labels = load_fashion_mnist_tensors(tmp_path, train=True)
    seen = torch.cat([y for _, y in train_batches])
    assert torch.equal(seen.sort().values, all_labels.sort().values)
    assert not torch.equal(seen, all_labels)  # shuffled

    test_images, test_labels = load_fashion_mnist_tensors(tmp_path, train=False)
    assert torch.equal(torch.cat([y for _, y in test_iter]), test_labels)
    assert torch.equal(torch.cat([X for X, _ in test_iter]), test_images)


def test_load_data_fashion_mnist_default_root_from_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_standin(tmp_path, n_train=20, n_test=10)
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path))
    _, test_iter = load_data_fashion_mnist(4)
    assert sum(len(y) for _, y in test_iter) == 10
    monkeypatch.delenv("D2L_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    write_standin(tmp_path / "home" / ".d2l" / "data", n_train=20, n_test=7)
    _, test_iter = load_data_fashion_mnist(4)
    assert sum(len(y) for _, y in test_iter) == 7


def test_load_data_fashion_mnist_resize(tmp_path: Path) -> None:
    write_standin(tmp_path, n_train=20, n_test=10)
    images, _ = load_fashion_mnist_tensors(tmp_path, train=False)
    _, test_iter = load_data_fashion_mnist(10, root=tmp_path, resize=56)
    X, y = next(iter(test_iter))
    assert X.shape == (10, 1, 56, 56) and X.dtype == torch.float32
    assert y.shape == (10,)
    assert 0.0 <= X.min().item() and X.max().item() <= 1.0
    # Doubling with bilinear interpolation keeps each 2x2 block's mean close to
    # the original pixel and the overall mean nearly unchanged.
    assert abs(X.mean().item() - images.mean().item()) < 0.01
    _, same = load_data_fashion_mnist(10, root=tmp_path, resize=28)
    torch.testing.assert_close(next(iter(same))[0], images)
