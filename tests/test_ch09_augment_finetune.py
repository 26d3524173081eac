"""Chapter 9, notebook ``augment_finetune`` (§9.1–9.2): the reference against independent
brute-force code and PyTorch ops, the book's numbers, and the hot-dog stand-in.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``.
"""

from __future__ import annotations

import hashlib
import math

import torch
from torch import nn

from autograder.kinds import Builder
from autograder.spec import args, load_assignment
from reference_impl import backbones, hotdog
from reference_impl import ch09_augment_finetune as ref

from .conftest import ROOT


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _notebook():
    return load_assignment(ROOT / "solutions" / "ch09_vision").notebook("augment_finetune")


# ---- §9.1 --------------------------------------------------------------------------------

def test_flips_equal_index_reversal_and_follow_the_draw():
    img = torch.rand(3, 4, 5)
    cols = torch.arange(4, -1, -1)
    rows = torch.arange(3, -1, -1)
    assert torch.equal(ref.flip_left_right(img, 1.0, _gen(0)), img[:, :, cols])
    assert torch.equal(ref.flip_top_bottom(img, 1.0, _gen(0)), img[:, rows, :])
    assert torch.equal(ref.flip_left_right(img, 0.0, _gen(0)), img)
    for seed in range(20):
        u = torch.rand(1, generator=_gen(seed)).item()
        out = ref.flip_left_right(img, 0.5, _gen(seed))
        assert torch.equal(out, img[:, :, cols] if u < 0.5 else img)


def test_crop_params_stay_inside_scale_and_ratio():
    for seed in range(50):
        i, j, h, w = ref.random_resized_crop_params(300, 451, (0.1, 1.0), (0.5, 2.0), _gen(seed))
        assert all(type(v) is int for v in (i, j, h, w))
        assert 0 <= i <= 300 - h and 0 <= j <= 451 - w
        # rounding h and w moves the area and the ratio a little past the drawn values
        assert 0.1 * 300 * 451 * 0.95 <= h * w <= 300 * 451
        assert 0.5 * 0.95 <= w / h <= 2.0 * 1.05


def test_crop_params_same_generator_same_box():
    a = ref.random_resized_crop_params(64, 48, generator=_gen(7))
    b = ref.random_resized_crop_params(64, 48, generator=_gen(7))
    assert a == b


def test_crop_params_fall_back_to_a_centred_box():
    # an area above the picture's never fits: the centred fallback decides alone
    assert ref.random_resized_crop_params(50, 200, (2, 3), (0.5, 2), _gen(0)) == (0, 50, 50, 100)
    assert ref.random_resized_crop_params(200, 50, (2, 3), (3 / 4, 4 / 3), _gen(0)) \
        == (66, 0, 67, 50)
    assert ref.random_resized_crop_params(40, 44, (1.5, 2), (0.5, 2), _gen(0)) == (0, 0, 40, 44)
    # the whole picture at its own ratio always fits on the first try
    assert ref.random_resized_crop_params(30, 30, (1, 1), (1, 1), _gen(0)) == (0, 0, 30, 30)


def _bilinear(img: torch.Tensor, out_h: int, out_w: int) -> torch.Tensor:
    """Half-pixel bilinear upsampling written out pixel by pixel (align_corners=False)."""
    _, H, W = img.shape
    out = torch.empty(img.shape[0], out_h, out_w, dtype=torch.float64)
    for r in range(out_h):
        y = max((r + 0.5) * H / out_h - 0.5, 0.0)
        y0 = min(int(math.floor(y)), H - 1)
        y1, fy = min(y0 + 1, H - 1), y - y0
        for c in range(out_w):
            x = max((c + 0.5) * W / out_w - 0.5, 0.0)
            x0 = min(int(math.floor(x)), W - 1)
            x1, fx = min(x0 + 1, W - 1), x - x0
            top = img[:, y0, x0] * (1 - fx) + img[:, y0, x1] * fx
            bottom = img[:, y1, x0] * (1 - fx) + img[:, y1, x1] * fx
            out[:, r, c] = top * (1 - fy) + bottom * fy
    return out


def test_resized_crop_equals_brute_force_bilinear():
    img = torch.rand(2, 9, 11, dtype=torch.float64)
    out = ref.resized_crop(img, 2, 3, 5, 6, (12, 13))  # upsampling: antialias changes nothing
    assert torch.allclose(out, _bilinear(img[:, 2:7, 3:9], 12, 13), atol=1e-12)
    same = ref.resized_crop(img, 1, 2, 4, 4, (4, 4))
    assert torch.allclose(same, img[:, 1:5, 2:6], atol=1e-12)


def test_apply_runs_the_augmentation_row_by_row():
    calls = []

    def aug(x):
        calls.append(len(calls))
        return x + len(calls)

    grid = ref.apply(torch.zeros(1, 2, 2), aug, num_rows=2, num_cols=3)
    assert grid.shape == (2, 3, 1, 2, 2)
    assert grid[:, :, 0, 0, 0].tolist() == [[1, 2, 3], [4, 5, 6]]


def test_brightness_factor_within_the_book_range():
    img = torch.rand(3, 8, 8) * 0.5  # no clamping below 1.5 × 0.5
    for seed in range(20):
        out = ref.random_brightness(img, 0.5, _gen(seed))
        factor = out / img
        assert torch.allclose(factor, factor.flatten()[0].expand_as(factor), rtol=1e-5)
        assert 0.5 <= float(factor.flatten()[0]) <= 1.5


def test_contrast_against_a_pixel_loop():
    img = torch.rand(3, 4, 5, dtype=torch.float64)
    grey = sum(w * img[c, r, k] for c, w in enumerate(ref.GREY_WEIGHTS)
               for r in range(4) for k in range(5)) / 20
    for factor in (0.0, 0.5, 1.0, 1.7):
        expected = (factor * img + (1 - factor) * grey).clamp(0, 1)
        assert torch.allclose(ref.adjust_contrast(img, factor), expected, atol=1e-12)
    flat = ref.adjust_contrast(img, 0.0)
    assert torch.allclose(flat, torch.full_like(img, float(grey)))


def test_loaders_shuffle_only_for_training():
    images = torch.randint(0, 256, (30, 3, 4, 4), dtype=torch.uint8)
    labels = torch.arange(30)
    test = list(ref.load_cifar10(images, labels, False, lambda x: x, 7))
    assert torch.cat([y for _, y in test]).tolist() == list(range(30))
    assert torch.equal(torch.cat([X for X, _ in test]), images.float() / 255)
    torch.manual_seed(0)
    train = torch.cat([y for _, y in ref.load_cifar10(images, labels, True, lambda x: x, 7)])
    assert sorted(train.tolist()) == list(range(30)) and train.tolist() != list(range(30))


def test_train_invariant_rejects_a_loop_that_learns_nothing():
    q = _notebook().question("train")
    case = q.cases[0].make(_gen(1))
    epochs = case.args[6]
    flat = {"train_loss": [2.3] * epochs, "train_acc": [0.1] * epochs,
            "test_acc": [0.1] * epochs}
    net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(32, 10))
    problems = q.invariant({"return": flat, "bound:net": dict(net.state_dict())}, case)
    assert len(problems) == 2  # the loss did not fall; the accuracy is at chance


# ---- §9.2 --------------------------------------------------------------------------------

def test_imagenet_normalisation_constants():
    assert ref.IMAGENET_MEAN == (0.485, 0.456, 0.406)
    assert ref.IMAGENET_STD == (0.229, 0.224, 0.225)


def test_test_augs_is_resize_centre_crop_normalise():
    img = torch.randint(0, 256, (3, 40, 40), dtype=torch.uint8)
    mean = torch.tensor(ref.IMAGENET_MEAN).reshape(3, 1, 1)
    std = torch.tensor(ref.IMAGENET_STD).reshape(3, 1, 1)
    # no resizing needed: only the centre crop and the normalisation remain
    out = ref.test_augs(img, 40, 30)
    assert torch.allclose(out, (img[:, 5:35, 5:35].float() / 255 - mean) / std, atol=1e-6)
    wide = ref.test_augs(torch.randint(0, 256, (3, 50, 70), dtype=torch.uint8), 32, 28)
    assert wide.shape == (3, 28, 28) and wide.dtype == torch.float32


def test_train_augs_passes_its_own_invariant_and_normalises_flat_pictures():
    q = _notebook().question("train_augs")
    for k, case in enumerate(q.cases):
        a = case.make(_gen(k))
        img, size = a.args[0], a.args[1]
        out = ref.train_augs(img, size, _gen(k))
        assert out.shape == (3, size, size)
        assert q.invariant(out, args(img, size)) == []
    flat = torch.full((3, 30, 40), 128, dtype=torch.uint8)
    out = ref.train_augs(flat, 24, _gen(0))
    mean = torch.tensor(ref.IMAGENET_MEAN).reshape(3, 1, 1)
    std = torch.tensor(ref.IMAGENET_STD).reshape(3, 1, 1)
    assert torch.allclose(out, ((128 / 255 - mean) / std).expand(3, 24, 24), atol=1e-5)


def test_index_image_folder_sorts_like_image_folder():
    classes, samples = ref.index_image_folder(
        ["not-hotdog/2.png", "hotdog/10.png", "hotdog/2.png", "Moth/0.png"])
    assert classes == ["Moth", "hotdog", "not-hotdog"]
    assert samples == [("Moth/0.png", 0), ("hotdog/10.png", 1), ("hotdog/2.png", 1),
                       ("not-hotdog/2.png", 2)]


def test_hotdog_standin_layout_and_loader(tmp_path):
    root = hotdog.write_hotdog_standin(tmp_path)
    assert root == tmp_path / "hotdog"
    for split, n in (("train", 20), ("test", 10)):
        for cls in ("hotdog", "not-hotdog"):
            assert len(list((root / split / cls).glob("*.png"))) == n
    images, labels, classes = hotdog.read_image_folder(root / "train")
    assert classes == ["hotdog", "not-hotdog"]
    assert labels.tolist() == [0] * 20 + [1] * 20
    assert all(img.dtype == torch.uint8 and img.shape[0] == 3
               and 40 <= img.shape[1] <= 72 and 40 <= img.shape[2] <= 72 for img in images)
    # the notebook's indexing of the same tree agrees with the loader's listing
    _, listed = hotdog.list_image_folder(root / "train")
    _, indexed = ref.index_image_folder([rel for rel, _ in listed][::-1])
    assert indexed == listed
    # every hot dog shows sausage-brown pixels; no other picture has any
    def brown(img):
        r, g, b = img.int()
        return int(((r >= 140) & (r <= 175) & (g >= 50) & (g <= 75) & (b >= 30) & (b <= 50)).sum())

    assert all(brown(img) >= 50 for img in images[:20])
    assert all(brown(img) == 0 for img in images[20:])


def test_hotdog_standin_is_deterministic(tmp_path):
    a = hotdog.write_hotdog_standin(tmp_path / "a", n_train=3, n_test=1)
    b = hotdog.write_hotdog_standin(tmp_path / "b", n_train=3, n_test=1)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(a.rglob("*.png"))]
    assert digest == [hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in sorted(b.rglob("*.png"))]


def test_finetune_resnet18_has_a_new_512_by_2_head():
    torch.manual_seed(0)
    pretrained = backbones.resnet18()
    net = ref.make_finetune_net(pretrained, 2)
    assert isinstance(net.fc, nn.Linear) and (net.fc.in_features, net.fc.out_features) == (512, 2)
    assert sum(p.numel() for p in net.parameters()) == 11_177_538  # torchvision's, 2 classes
    assert pretrained.fc.out_features == 1000
    given = pretrained.state_dict()
    assert all(torch.equal(v, given[k]) for k, v in net.state_dict().items()
               if not k.startswith("fc."))
    bound = math.sqrt(6 / (512 + 2))
    assert float(net.fc.weight.detach().abs().max()) <= bound
    assert net(torch.rand(2, 3, 32, 32)).shape == (2, 2)


def _tiny_net() -> nn.Sequential:
    net = nn.Sequential()
    net.add_module("conv1", nn.Conv2d(3, 4, 3, padding=1, bias=False))
    net.add_module("relu", nn.ReLU())
    net.add_module("avgpool", nn.AdaptiveAvgPool2d(1))
    net.add_module("flatten", nn.Flatten())
    net.add_module("fc", nn.Linear(4, 2))
    return net


def test_fine_tuning_one_step_is_sgd_with_a_tenfold_head_rate():
    torch.manual_seed(0)
    net = _tiny_net()
    X, y = torch.randn(5, 3, 6, 6), torch.tensor([0, 1, 1, 0, 1])
    before = {k: v.clone() for k, v in net.state_dict().items()}
    probe = _tiny_net()
    probe.load_state_dict(before)
    nn.CrossEntropyLoss()(probe(X), y).backward()
    grads = {k: p.grad for k, p in probe.named_parameters()}
    lr, wd = 0.1, 0.001
    ref.train_fine_tuning(net, [(X, y)], lr, 1, param_group=True)
    for k, value in net.state_dict().items():
        rate = lr * 10 if k.startswith("fc.") else lr
        assert torch.allclose(value, before[k] - rate * (grads[k] + wd * before[k]), atol=1e-7)


def test_frozen_fine_tuning_changes_only_the_head():
    torch.manual_seed(0)
    net = _tiny_net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    ref.fine_tune_frozen(net, [(torch.randn(4, 3, 6, 6), torch.tensor([0, 1, 0, 1]))], 0.5, 2)
    assert [k for k, p in net.named_parameters() if p.requires_grad] == ["fc.weight", "fc.bias"]
    for k, value in net.state_dict().items():
        assert torch.equal(value, before[k]) != k.startswith("fc.")


def test_loader_invariant_wants_shuffled_training_and_ordered_test_batches():
    q = _notebook().question("load_cifar10")
    for k, case in enumerate(q.cases):
        a = case.make(_gen(k))
        images, labels, is_train, aug, batch_size = Builder({}).build(list(a.args))
        torch.manual_seed(k)
        good = list(ref.load_cifar10(images, labels, is_train, aug, batch_size))
        assert q.invariant(good, a) == []
        wrong = list(ref.load_cifar10(images, labels, not is_train, aug, batch_size))
        assert q.invariant(wrong, a) != []
