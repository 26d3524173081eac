"""Chapter 9, §9.9–9.11 (``segmentation_style``): the book's numbers and checks against
independent code.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``; here: the VOC stand-in read back through the real layout, the
reference against brute-force loops and PyTorch's own ops, the TorchScript stand-ins the
spec isolates questions with against the reference, and the training thresholds.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from autograder.kinds import Builder
from autograder.spec import load_assignment
from reference_impl import ch09_segmentation_style as ref
from reference_impl.backbones import VGG19_CONV_INDICES, vgg19_features
from reference_impl.voc import (
    TRAIN_SIZES,
    VAL_SIZES,
    VOC_COLORMAP,
    VOID_COLOR,
    read_voc_images,
    write_voc_standin,
)

from .conftest import ROOT


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one thread is faster on a shared machine than a thread pool."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def spec():
    return load_assignment(ROOT / "solutions" / "ch09_vision").notebook("segmentation_style")


@pytest.fixture(scope="module")
def stand_ins(spec):
    import sys

    module = next(m for k, m in sys.modules.items() if k.endswith(".segmentation_style")
                  and hasattr(m, "STAND_IN_SOURCE"))
    return torch.jit.CompilationUnit(module.STAND_IN_SOURCE), module


@pytest.fixture(scope="module")
def voc_root(tmp_path_factory):
    return write_voc_standin(tmp_path_factory.mktemp("voc"))


# ---- §9.9 -----------------------------------------------------------------------------

def test_standin_has_the_real_layout_and_palette_labels(voc_root):
    names = (voc_root / "ImageSets" / "Segmentation" / "train.txt").read_text().split()
    assert len(names) == len(TRAIN_SIZES)
    with Image.open(voc_root / "SegmentationClass" / f"{names[0]}.png") as label:
        assert label.mode == "P"
        index = np.asarray(label)
    assert index.max() == 255 and set(np.unique(index)) - {255} <= set(range(21))
    features, labels = read_voc_images(voc_root, True)
    val_features, _ = read_voc_images(voc_root, False, max_num=2)
    assert len(features) == len(labels) == len(TRAIN_SIZES) and len(val_features) == 2
    assert [tuple(f.shape[1:]) for f in features] == TRAIN_SIZES
    assert all(f.dtype == torch.uint8 and f.shape[0] == 3 for f in features + labels)
    colours = {tuple(c) for lab in labels for c in lab.reshape(3, -1).T.tolist()}
    assert tuple(VOID_COLOR) in colours
    assert colours <= {tuple(c) for c in VOC_COLORMAP} | {tuple(VOID_COLOR)}
    # some images are smaller than the notebook's crop (64, 96): filtering matters
    ds = ref.VOCSegDataset(features, labels, (64, 96), ref.build_colormap2label())
    assert len(ds) == sum(h >= 64 and w >= 96 for h, w in TRAIN_SIZES) == 8
    assert len(VAL_SIZES) == 4


def test_label_indices_match_a_per_pixel_lookup(voc_root):
    _, labels = read_voc_images(voc_root, True, max_num=3)
    lookup = {tuple(c): k for k, c in enumerate(VOC_COLORMAP)}
    table = ref.build_colormap2label()
    for label in labels:
        got = ref.voc_label_indices(label, table)
        want = [[lookup.get(tuple(label[:, i, j].tolist()), 0) for j in range(label.shape[2])]
                for i in range(label.shape[1])]
        assert got.dtype == torch.int64 and got.tolist() == want  # void → 0, as the book


def test_rand_crop_keeps_image_and_label_aligned():
    torch.manual_seed(0)
    feature = torch.arange(3 * 20 * 30).reshape(3, 20, 30)
    label = torch.arange(20 * 30).reshape(20, 30)  # each value encodes its position
    seen = set()
    for _ in range(50):
        f, lab = ref.voc_rand_crop(feature, label, 7, 9)
        i, j = divmod(int(lab[0, 0]), 30)
        assert torch.equal(f, feature[:, i:i + 7, j:j + 9])
        assert torch.equal(lab, label[i:i + 7, j:j + 9])
        seen.add((i, j))
    assert len(seen) > 30  # random, not fixed


def test_dataset_items_are_normalised_crops(voc_root):
    features, labels = read_voc_images(voc_root, True)
    items = ref.voc_dataset_items(features, labels, (64, 96), ref.build_colormap2label())
    assert len(items) == 8
    for X, Y in items:
        assert X.shape == (3, 64, 96) and X.dtype == torch.float32
        assert Y.shape == (64, 96) and Y.dtype == torch.int64
    mean = ref.normalize_image(torch.full((3, 2, 2), 255, dtype=torch.uint8))[:, 0, 0]
    assert torch.allclose(mean, (1 - ref.RGB_MEAN) / ref.RGB_STD)


# ---- §9.10 ------------------------------------------------------------------------------

def test_trans_conv_matches_conv_transpose2d_and_the_book():
    X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert ref.trans_conv(X, X).tolist() == [[0, 0, 1], [0, 4, 6], [4, 12, 9]]
    g = torch.Generator().manual_seed(3)
    X, K = torch.randn(4, 5, generator=g), torch.randn(3, 2, generator=g)
    want = F.conv_transpose2d(X[None, None], K[None, None])[0, 0]
    torch.testing.assert_close(ref.trans_conv(X, K), want)


def test_kernel2matrix_gives_the_books_numbers_and_its_transpose():
    X = torch.arange(1.0, 17.0).reshape(4, 4)
    K = torch.arange(1.0, 10.0).reshape(3, 3)
    W = ref.kernel2matrix(K, 4, 4)
    assert (W @ X.reshape(-1)).tolist() == [348, 393, 528, 573]
    assert torch.equal(F.conv2d(X[None, None], K[None, None]).reshape(-1), W @ X.reshape(-1))
    y = torch.randn(2, 2)
    torch.testing.assert_close((W.T @ y.reshape(-1)).reshape(4, 4), ref.trans_conv(y, K))
    g = torch.Generator().manual_seed(1)
    X, K = torch.randn(5, 6, generator=g), torch.randn(2, 3, generator=g)
    torch.testing.assert_close(ref.kernel2matrix(K, 5, 6) @ X.reshape(-1),
                               F.conv2d(X[None, None], K[None, None]).reshape(-1))


def test_bilinear_kernel_upsamples_like_interpolate_inside():
    w = ref.bilinear_kernel(3, 3, 4)
    tri = torch.tensor([0.25, 0.75, 0.75, 0.25])
    assert torch.equal(w[1, 1], torch.outer(tri, tri)) and w[0, 1].abs().sum() == 0
    conv = torch.nn.ConvTranspose2d(3, 3, kernel_size=4, padding=1, stride=2, bias=False)
    with torch.no_grad():
        conv.weight.copy_(w)
        img = torch.rand(1, 3, 9, 11)
        diff = conv(img) - F.interpolate(img, scale_factor=2, mode="bilinear",
                                         align_corners=False)
    assert diff[..., 1:-1, 1:-1].abs().max() < 1e-6 and diff.abs().max() > 1e-3


def test_fcn_shapes_and_structure():
    net = ref.fcn(21).eval()
    names = [n for n, _ in net.named_children()]
    assert names == [str(i) for i in range(8)] + ["final_conv", "transpose_conv"]
    assert torch.equal(net.transpose_conv.weight, ref.bilinear_kernel(21, 21, 64))
    X = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        assert net[:8](X).shape == (1, 512, 2, 3)
        assert net(X).shape == (1, 21, 64, 96)


def test_label2image_is_a_colour_lookup():
    pred = torch.tensor([[0, 1, 20], [15, 15, 7]])
    got = ref.label2image(pred)
    assert got.dtype == torch.int64
    assert got.tolist() == [[VOC_COLORMAP[k] for k in row] for row in pred.tolist()]


# ---- §9.11 ------------------------------------------------------------------------------

def test_preprocess_postprocess_round_trip_within_one_level():
    from skimage import data

    img = torch.from_numpy(data.chelsea().copy())
    X = ref.preprocess(img, img.shape[:2])
    assert X.shape == (1, 3, 300, 451) and X.dtype == torch.float32
    assert (ref.postprocess(X) - img.float() / 255).abs().max() < 1 / 255
    assert ref.preprocess(img, (30, 45)).shape == (1, 3, 30, 45)


def test_style_taps_are_vgg19s_named_layers():
    style = [VGG19_CONV_INDICES[n] for n in ("conv1_1", "conv2_1", "conv3_1", "conv4_1",
                                             "conv5_1")]
    # the content layer 25 is the last convolution of the fourth block, as the book says
    assert style == [0, 5, 10, 19, 28] and VGG19_CONV_INDICES["conv4_4"] == 25
    features = vgg19_features()
    net = torch.nn.Sequential(*[features[i] for i in range(29)])
    with torch.no_grad():
        contents, styles = ref.extract_features(torch.rand(1, 3, 64, 96), [25], style, net)
    assert [tuple(Y.shape[1:]) for Y in styles] == [(64, 64, 96), (128, 32, 48), (256, 16, 24),
                                                    (512, 8, 12), (512, 4, 6)]
    assert contents[0].shape == (1, 512, 8, 12)


def test_losses_against_brute_force():
    g = torch.Generator().manual_seed(5)
    X = torch.randn(1, 4, 3, 5, generator=g)
    flat = X.reshape(4, 15)
    want = torch.tensor([[sum(flat[a, k] * flat[b, k] for k in range(15)) / 60
                          for b in range(4)] for a in range(4)])
    torch.testing.assert_close(ref.gram(X), want)
    tv = 0.5 * ((X[:, :, 1:] - X[:, :, :-1]).abs().sum() / (4 * 2 * 5)
                + (X[..., 1:] - X[..., :-1]).abs().sum() / (4 * 3 * 4))
    torch.testing.assert_close(ref.tv_loss(X), tv)
    Y = torch.randn(1, 4, 3, 5, generator=g)
    contents_l, styles_l, tv_l, total = ref.compute_loss(X, [X], [X, Y], [Y], [ref.gram(Y)] * 2)
    torch.testing.assert_close(contents_l[0], ((X - Y) ** 2).mean())
    torch.testing.assert_close(styles_l[0], 1e3 * ((ref.gram(X) - ref.gram(Y)) ** 2).mean())
    assert styles_l[1] == 0
    torch.testing.assert_close(tv_l, 10 * tv)
    torch.testing.assert_close(total, contents_l[0] + styles_l[0] + tv_l)


def test_step_lr_schedule_falls_tenfold():
    got = ref.step_lr_schedule(0.3, 2, 5)
    assert got == pytest.approx([0.3 * 0.1 ** (e // 2) for e in range(5)], rel=1e-9)


# ---- the spec's stand-ins and thresholds ---------------------------------------------------

def test_torchscript_stand_ins_agree_with_the_reference(stand_ins):
    unit, _ = stand_ins
    g = torch.Generator().manual_seed(7)
    label = torch.randint(0, 256, (3, 6, 7), generator=g, dtype=torch.uint8)
    label[:, 0, 0] = torch.tensor(VOC_COLORMAP[9], dtype=torch.uint8)
    table = ref.build_colormap2label()
    assert torch.equal(unit.find_function("voc_label_indices")(label, table),
                       ref.voc_label_indices(label, table))
    for k in (3, 4, 64):
        assert torch.equal(unit.find_function("bilinear_kernel")(2, 2, k),
                           ref.bilinear_kernel(2, 2, k))
    logits, targets = torch.randn(2, 5, 3, 4, generator=g), torch.randint(0, 5, (2, 3, 4))
    torch.testing.assert_close(unit.find_function("seg_loss")(logits, targets),
                               ref.seg_loss(logits, targets))
    X, Y = torch.randn(1, 3, 4, 5, generator=g), torch.randn(1, 3, 4, 5, generator=g)
    grams = [ref.gram(Y)]
    torch.testing.assert_close(unit.find_function("gram")(X), ref.gram(X))
    got = unit.find_function("compute_loss")(X, [X], [X], [Y], grams)
    want = ref.compute_loss(X, [X], [X], [Y], grams)
    torch.testing.assert_close(list(got[:2]) + list(got[2:]), list(want[:2]) + list(want[2:]))


def test_training_thresholds_hold_for_the_reference(spec):
    for name in ("train_seg", "train"):
        q = spec.question(name)
        a = q.cases[0].make(torch.Generator().manual_seed(11))
        torch.manual_seed(0)
        out = q.reference(*Builder({}).build(list(a.args)))
        value = dict(out.state_dict()) if name == "train_seg" else out
        assert q.invariant(value, a) == [], name
        untrained = dict(Builder({}).build(a.args[0]).state_dict()) if name == "train_seg" \
            else a.args[0]
        assert q.invariant(untrained, a) != [], name
