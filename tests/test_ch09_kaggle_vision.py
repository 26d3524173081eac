"""Chapter 9, notebook ``kaggle_vision`` (§9.12–9.13): the reference against independent
computations, and the stand-in data in the competitions' layouts."""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from reference_impl import ch09_kaggle_vision as ref
from reference_impl import kaggle_vision_data as data


@pytest.fixture(scope="module")
def standins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kaggle")
    data.write_kaggle_standins(folder)
    return folder


# ---- the stand-ins ------------------------------------------------------------------------

def test_cifar_standin_has_kaggles_layout(standins: Path) -> None:
    root = standins / "kaggle_cifar10"
    lines = (root / "trainLabels.csv").read_text().splitlines()
    assert lines[0] == "id,label"
    rows = [line.split(",") for line in lines[1:]]
    assert [int(i) for i, _ in rows] == list(range(1, 76))
    assert sorted(Counter(lab for _, lab in rows).values(), reverse=True) == \
        list(data.CIFAR_COUNTS)
    assert sorted(os.listdir(root / "train"), key=lambda f: int(f[:-4])) == \
        [f"{k}.png" for k in range(1, 76)]
    assert len(os.listdir(root / "test")) == data.CIFAR_TEST
    with Image.open(root / "train" / "1.png") as im:
        assert im.size == (32, 32) and im.mode == "RGB"


def test_dog_standin_has_kaggles_layout(standins: Path) -> None:
    root = standins / "kaggle_dog"
    lines = (root / "labels.csv").read_text().splitlines()
    assert lines[0] == "id,breed"
    ids = [line.split(",")[0] for line in lines[1:]]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert sorted(f[:-4] for f in os.listdir(root / "train")) == sorted(ids)
    assert all(f.endswith(".jpg") for f in os.listdir(root / "test"))
    with Image.open(root / "train" / f"{ids[0]}.jpg") as im:
        assert im.format == "JPEG"


def test_standins_are_deterministic(tmp_path: Path) -> None:
    a = data.write_cifar10_standin(tmp_path / "a")
    b = data.write_cifar10_standin(tmp_path / "b")
    for name in ("trainLabels.csv", "train/17.png", "test/3.png"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


# ---- reorganisation rules, checked by brute force ------------------------------------------

def test_read_csv_labels_on_the_standin(standins: Path) -> None:
    labels = ref.read_csv_labels(standins / "kaggle_cifar10" / "trainLabels.csv")
    assert len(labels) == 75 and set(labels) == {str(k) for k in range(1, 76)}
    assert set(labels.values()) == set(data.CIFAR_CLASSES)


def test_book_numbers_of_the_rules() -> None:
    """The first edition's full data: 50,000 CIFAR pictures and ratio 0.1 give 4,500 per
    class for training; the dogs' smallest breed (66 pictures) and 0.1 give 6 validation
    pictures per breed."""
    assert int(50000 * (1 - 0.1)) // 10 == 4500
    assert math.floor(66 * 0.1) == 6


def _brute_cifar(labels: dict[str, str], ratio: float) -> dict[str, list[str]]:
    by_class: dict[str, list[int]] = {}
    for idx, lab in labels.items():
        by_class.setdefault(lab, []).append(int(idx))
    quota = int(len(labels) * (1 - ratio)) // len(by_class)
    out: dict[str, list[str]] = {}
    for lab, ids in by_class.items():
        ids.sort()
        out[f"train_valid/{lab}"] = [f"{i}.png" for i in ids]
        if ids[:quota]:
            out[f"train/{lab}"] = [f"{i}.png" for i in ids[:quota]]
        if ids[quota:]:
            out[f"valid/{lab}"] = [f"{i}.png" for i in ids[quota:]]
    return {k: sorted(v) for k, v in out.items()}


def test_reorg_train_valid_follows_the_v1_rule(standins: Path, tmp_path: Path) -> None:
    root = standins / "kaggle_cifar10"
    labels = ref.read_csv_labels(root / "trainLabels.csv")
    n = ref.reorg_train_valid(str(root), str(tmp_path), labels, 0.1)
    assert n == 6  # int(75 * 0.9) // 10
    assert ref.list_tree(str(tmp_path)) == _brute_cifar(labels, 0.1)
    assert "valid/truck" not in ref.list_tree(str(tmp_path))  # 4 pictures: none for valid


def test_reorg_dog_data_follows_the_v1_rule(standins: Path, tmp_path: Path) -> None:
    root = standins / "kaggle_dog"
    labels = ref.read_csv_labels(root / "labels.csv")
    n = ref.reorg_dog_data(str(root), str(tmp_path), labels, 0.4)
    assert n == math.floor(min(data.DOG_COUNTS) * 0.4) == 2
    tree = ref.list_tree(str(tmp_path))
    for breed in data.DOG_BREEDS:
        ids = sorted(i for i, b in labels.items() if b == breed)
        assert tree[f"valid/{breed}"] == [f"{i}.jpg" for i in ids[:2]]
        assert tree[f"train/{breed}"] == [f"{i}.jpg" for i in ids[2:]]
        assert tree[f"train_valid/{breed}"] == [f"{i}.jpg" for i in ids]


def test_reorg_test_and_probe(standins: Path, tmp_path: Path) -> None:
    ref.reorg_test(str(standins / "kaggle_cifar10"), str(tmp_path))
    assert ref.list_tree(str(tmp_path)) == {
        "test/unknown": sorted(f"{k}.png" for k in range(1, data.CIFAR_TEST + 1))}
    assert ref.reorg_test_probe(["3", "1", "20"], "png") == {
        "test/unknown": ["1.png", "20.png", "3.png"]}


def test_submission_is_in_numeric_order() -> None:
    files = sorted(f"{k}.png" for k in range(1, 13))  # an image folder's string order
    preds = torch.tensor([int(f[:-4]) % 3 for f in files])
    text = ref.submission_probe(files, preds, ["a", "b", "c"])
    assert text.splitlines() == ["id,label"] + [f"{k},{'abc'[k % 3]}" for k in range(1, 13)]


# ---- transforms ---------------------------------------------------------------------------

def _bilinear(x: np.ndarray, h: int, w: int) -> np.ndarray:
    """Half-pixel bilinear resampling written out (no antialiasing)."""
    c, H, W = x.shape
    out = np.zeros((c, h, w))
    for i in range(h):
        for j in range(w):
            y = min(max((i + 0.5) * H / h - 0.5, 0), H - 1)
            xx = min(max((j + 0.5) * W / w - 0.5, 0), W - 1)
            y0, x0 = int(y), int(xx)
            y1, x1 = min(y0 + 1, H - 1), min(x0 + 1, W - 1)
            dy, dx = y - y0, xx - x0
            out[:, i, j] = (x[:, y0, x0] * (1 - dy) * (1 - dx) + x[:, y0, x1] * (1 - dy) * dx
                            + x[:, y1, x0] * dy * (1 - dx) + x[:, y1, x1] * dy * dx)
    return out


@pytest.mark.parametrize(("H", "W", "h", "w"), [(32, 32, 40, 40), (37, 35, 32, 32), (5, 7, 9, 3)])
def test_resize_is_half_pixel_bilinear(H: int, W: int, h: int, w: int) -> None:
    x = torch.rand(3, H, W, generator=torch.Generator().manual_seed(H))
    np.testing.assert_allclose(ref.resize(x, h, w).numpy(), _bilinear(x.double().numpy(), h, w),
                               rtol=1e-5, atol=1e-6)


def test_transform_test_uses_the_cifar_statistics() -> None:
    img = torch.full((3, 4, 4), 255, dtype=torch.uint8)
    want = [(1 - m) / s for m, s in zip((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010),
                                        strict=True)]
    torch.testing.assert_close(ref.transform_test(img)[:, 0, 0], torch.tensor(want))


def test_transform_train_crop_sizes_and_flips() -> None:
    """Crop sides stay within √0.64·40 = 32 … 40; about half the pictures are flipped; a
    full-size crop without resizing is the normalised picture, possibly mirrored."""
    img = torch.randint(0, 256, (3, 32, 32), generator=torch.Generator().manual_seed(0),
                        dtype=torch.uint8)
    flips = 0
    for seed in range(200):
        g = torch.Generator().manual_seed(seed)
        u = torch.rand(1, generator=g).item()
        assert 32 <= round(math.sqrt(0.64 + 0.36 * u) * 40) <= 40
        out = ref.transform_train(img, torch.Generator().manual_seed(seed), 32, 32, (1.0, 1.0))
        plain = ref.transform_test(img)
        if torch.allclose(out, plain, atol=1e-5):
            continue
        torch.testing.assert_close(out, plain.flip(-1))
        flips += 1
    assert 70 <= flips <= 130
    out = ref.transform_train(img, torch.Generator().manual_seed(1))
    assert out.shape == (3, 32, 32) and out.dtype == torch.float32


def test_random_lighting_is_gluons_formula() -> None:
    """gluon/mxnet: rgb = dot(eigvec * alpha, eigval) in pixel units (0…255)."""
    img = torch.full((3, 2, 2), 0.5)
    out = ref.random_lighting(img, 0.1, torch.Generator().manual_seed(3))
    alpha = (torch.randn(3, generator=torch.Generator().manual_seed(3)) * 0.1).double().numpy()
    eigvec, eigval = np.array(ref.LIGHTING_EIGVEC), np.array(ref.LIGHTING_EIGVAL)
    rgb = np.dot(eigvec * alpha, eigval) / 255
    np.testing.assert_allclose(out[:, 0, 0].numpy(), 0.5 + rgb, rtol=1e-5, atol=1e-6)


# ---- networks -----------------------------------------------------------------------------

def test_resnet18_for_cifar_keeps_32_pixels_in_its_first_stage() -> None:
    with torch.device("meta"):  # shapes only: no values to initialise or compute
        net = ref.resnet18(10).eval()
        x = torch.empty(2, 3, 32, 32)
    shapes = []
    with torch.no_grad():
        for layer in net:
            x = layer(x)
            shapes.append(tuple(x.shape))
    assert shapes[2:7] == [(2, 64, 32, 32), (2, 64, 32, 32), (2, 128, 16, 16),
                           (2, 256, 8, 8), (2, 512, 4, 4)]
    assert shapes[-1] == (2, 10)


def test_get_net_freezes_everything_but_the_head() -> None:
    """ResNet-34 has 21,797,672 parameters with its 1000-class fc (512·1000 + 1000); the
    head Linear(512, 256)–ReLU–Linear(256, 120) has 162,168."""
    with torch.device("meta"):
        net = ref.get_net(120)
    frozen = sum(p.numel() for p in net.parameters() if not p.requires_grad)
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    assert frozen == 21_797_672 - 513_000
    assert trainable == 512 * 256 + 256 + 256 * 120 + 120 == 162_168
    probe = ref.freeze_probe(net)
    assert probe["returns_net"]
    assert all(grad == name.startswith("output_new.") for name, grad in probe["requires_grad"])


def test_get_net_output_shape() -> None:
    with torch.device("meta"), torch.no_grad():
        net = ref.get_net(7).eval()
        assert net(torch.empty(2, 3, 32, 32)).shape == (2, 7)
        assert net.features(torch.empty(1, 3, 32, 32)).shape == (1, 512)


def test_evaluate_loss_is_the_mean_over_examples() -> None:
    g = torch.Generator().manual_seed(0)
    net = torch.nn.Linear(4, 3)
    X, y = torch.randn(10, 4, generator=g), torch.randint(0, 3, (10,), generator=g)
    batches = [(X[:4], y[:4]), (X[4:8], y[4:8]), (X[8:], y[8:])]
    with torch.no_grad():
        want = float(F.cross_entropy(net(X), y))
    assert ref.evaluate_loss(batches, net) == pytest.approx(want, rel=1e-6)
