"""Chapter 9, notebook ``augment_finetune``: §9.1 image augmentation and §9.2 fine-tuning
(reference: reference_impl/ch09_augment_finetune.py; data: reference_impl/hotdog.py).

Randomness is injected: every random augmentation takes a ``torch.Generator`` that the
case builds and seeds (``torch.Generator.manual_seed(torch.Generator(), seed)``), and the
notebook states the order of the draws, so flips, crop parameters and brightness factors
compare exactly with the reference.  ``apply`` runs an augmentation drawn from torch's
global generator, which the grader seeds before each case.

Judged by invariants instead of values:

* ``load_cifar10``: a test loader must equal the reference batch for batch; a training
  loader must hold the same (image, label) pairs in a shuffled order.
* ``train`` (§9.1's loop): the history's shape, a falling loss and the trained network's
  own test accuracy on synthetic 32×32 "CIFAR" images (a class is a colour plus noise;
  the images are drawn inside the sandbox from a seeded generator, so fixtures stay small).
* ``train_augs``: output size and dtype, the normalisation (a flat-coloured picture must
  come out as the normalised colour) and the flip's direction (on a ramp picture columns
  may be mirrored, rows never) — whatever crop the student's own crop code picks, so a
  crop mistake is not paid for twice.
* ``make_finetune_net``: every entry but ``fc`` as given, the given network untouched,
  ``fc`` of the right shape with Xavier-uniform weights (bound and spread) and PyTorch's
  default bias.

§9.2's fine-tuning runs on small networks whose last layer is called ``fc`` (built from
torch parts: ``nn.Sequential`` over an ``OrderedDict``), since no pretrained ResNet exists
offline; the notebook shows the same functions on ``resnet18`` from
``reference_impl/backbones.py``.  ``train_fine_tuning`` and ``fine_tune_frozen`` are k
SGD steps with identical initialisation and data, compared with rtol 1e-4.

With ``--gpu``, questions whose work is CPU work in the book stay on the CPU
(``cpu_only``): the crop parameters and the folder index are plain Python, the §9.2
transforms run where a data loader runs them (and build their constants on the CPU), and
``apply``'s augmentation draws from the global generator, whose CUDA stream differs.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import torch
from torch import nn

from autograder.compare import Tolerance
from autograder.kinds import Builder, Call, new, params, partial
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from reference_impl import ch09_augment_finetune as ref
from reference_impl.hotdog import write_hotdog_standin
from reference_impl.training_checks import check_history

STEPS = Tolerance(rtol=1e-4, atol=1e-5)  # k optimiser steps with identical initialisation

#: ``train``'s bars.  Measured with the reference over 8 data sets and seeds (200 training
#: and 100 test images, 10 colour classes, 6 epochs of Adam lr 1e-2, batches of 32): the
#: final test accuracy was 0.50–1.00 and the last epoch's loss at most 0.35 of the
#: first's.  Chance is 0.10.
TRAIN_ACC_BAR = 0.35
LOSS_RATIO_BAR = 0.6


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


def _gen(seed: int) -> Any:
    """A recipe for a ``torch.Generator`` seeded with ``seed``."""
    return new("torch.Generator.manual_seed", new("torch.Generator"), int(seed))


def _seed(g: torch.Generator) -> int:
    return int(torch.randint(0, 2**31 - 1, (1,), generator=g))


# ---- §9.1 flips, crops, colours ---------------------------------------------------------

def _flip_case(shape: tuple[int, ...], p: float, gen_seed: int):
    """``gen_seed`` is chosen so that the first draw lies where the case wants it:
    seed 1 gives u ≈ 0.76, 2 gives 0.61, 3 gives 0.004, 10 gives 0.46, 11 gives 0.10."""
    def make(g: torch.Generator) -> Args:
        return args(torch.rand(*shape, generator=g), p, _gen(gen_seed))
    return make


def _crop_params_case(height: int, width: int, scale: tuple[float, float],
                      ratio: tuple[float, float]):
    def make(g: torch.Generator) -> Args:
        return args(height, width, scale, ratio, _gen(_seed(g)))
    return make


def _resized_crop_case(shape: tuple[int, ...], box: tuple[int, int, int, int],
                       size: tuple[int, int]):
    def make(g: torch.Generator) -> Args:
        return args(torch.rand(*shape, generator=g), *box, size)
    return make


def _apply_case(shape: tuple[int, ...], aug: Any, rows: int, cols: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.rand(*shape, generator=g), aug, rows, cols)
    return make


def _brightness_case(shape: tuple[int, ...], brightness: float):
    def make(g: torch.Generator) -> Args:
        # values up to 1 so that brightening clamps some pixels
        return args(torch.rand(*shape, generator=g), brightness, _gen(_seed(g)))
    return make


def _contrast_case(shape: tuple[int, ...], factor: float):
    def make(g: torch.Generator) -> Args:
        return args(torch.rand(*shape, generator=g), factor)
    return make


# ---- §9.1 loaders and training ------------------------------------------------------------

def _loader_case(n: int, side: int, is_train: bool, batch_size: int, aug: Any):
    def make(g: torch.Generator) -> Args:
        images = torch.randint(0, 256, (n, 3, side, side), generator=g, dtype=torch.uint8)
        labels = torch.randint(0, 10, (n,), generator=g)
        return args(images, labels, is_train, aug, batch_size)
    return make


def _items(batches: Any) -> list[tuple[bytes, int]] | None:
    """``(image bytes, label)`` of every example of a collected loader, or None."""
    if type(batches) is not list:
        return None
    out = []
    for batch in batches:
        if type(batch) not in (list, tuple) or len(batch) != 2:
            return None
        X, y = batch
        if type(X) is not torch.Tensor or type(y) is not torch.Tensor or len(X) != len(y):
            return None
        out += [(x.numpy().tobytes(), int(label)) for x, label in zip(X, y, strict=True)]
    return out


def _loader_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """Test loaders equal the reference; training loaders hold the same pairs, shuffled."""
    is_train = a.args[2]
    images, labels, _, aug, batch_size = Builder({}).build(list(a.args))
    # the reference's batches in the original order (what a test loader must give)
    expected = list(ref.load_cifar10(images, labels, False, aug, batch_size))
    if _items(actual) is None:
        return _problem("应返回一个 DataLoader，每批是 (X, y)",
                        "should return a DataLoader whose batches are (X, y)")
    sizes = [len(b[1]) for b in actual]
    want_sizes = [len(b[1]) for b in expected]
    if sizes != want_sizes:
        return _problem(f"每批的样本数应为 {want_sizes}，得到 {sizes}",
                        f"the batch sizes should be {want_sizes}, got {sizes}")
    for (X, y), (eX, ey) in zip(actual, expected, strict=True):
        if X.shape != eX.shape or X.dtype != eX.dtype or y.dtype != ey.dtype:
            return _problem(f"一批的形状或类型不对：X {tuple(X.shape)} {X.dtype}，y {y.dtype}"
                            f"（应为 {tuple(eX.shape)} {eX.dtype}，{ey.dtype}）",
                            f"a batch has the wrong shape or dtype: X {tuple(X.shape)} "
                            f"{X.dtype}, y {y.dtype} (should be {tuple(eX.shape)} "
                            f"{eX.dtype}, {ey.dtype})")
    got, want = _items(actual), _items(expected)
    if Counter(got) != Counter(want):
        return _problem("批里的 (图像, 标签) 不对：应是每张图像先除以 255、再单独做一次增广的结果",
                        "the (image, label) pairs are wrong: each image should be divided by "
                        "255 and then augmented on its own")
    if not is_train and got != want:
        return _problem("测试数据不应打乱：样本应按原来的顺序出现",
                        "test data should not be shuffled: examples should come in their "
                        "original order")
    if is_train and got == want:
        return _problem("训练数据应打乱（shuffle=True），但样本按原来的顺序出现",
                        "training data should be shuffled (shuffle=True), but the examples "
                        "came in their original order")
    return []


#: The toy "CIFAR" network of the training question (built by the sandbox from torch parts).
def _toy_net_recipe(bind: str) -> Any:
    return new("torch.nn.Sequential", new("torch.nn.Conv2d", 3, 16, 3, padding=1),
               new("torch.nn.ReLU"), new("torch.nn.MaxPool2d", 2),
               new("torch.nn.Conv2d", 16, 32, 3, padding=1), new("torch.nn.ReLU"),
               new("torch.nn.AdaptiveAvgPool2d", 1), new("torch.nn.Flatten"),
               new("torch.nn.Linear", 32, 10), bind=bind)


def _toy_net() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(32, 10))


def _toy_images(colours: torch.Tensor, labels: torch.Tensor, noise_seed: int,
                side: int = 32) -> Any:
    """Recipe: image k = colour of its class + N(0, (30/255)²) noise, clamped to [0, 1]."""
    noise = new("torch.randn", len(labels), 3, side, side, generator=_gen(noise_seed))
    base = new("torch.index_select", colours.reshape(-1, 3, 1, 1), 0, labels)
    return new("torch.clamp", new("torch.add", base, new("torch.mul", noise, 30 / 255)), 0, 1)


def _toy_loader(colours: torch.Tensor, labels: torch.Tensor, noise_seed: int,
                batch_size: int, shuffle: bool) -> Any:
    data = new("torch.utils.data.TensorDataset", _toy_images(colours, labels, noise_seed),
               labels)
    return new("torch.utils.data.DataLoader", data, batch_size=batch_size, shuffle=shuffle)


def _train_case(n_train: int, n_test: int, batch_size: int, epochs: int):
    def make(g: torch.Generator) -> Args:
        colours = (torch.rand(10, 3, generator=g) * 200 + 30) / 255
        y_train = (torch.arange(n_train) % 10)[torch.randperm(n_train, generator=g)]
        y_test = (torch.arange(n_test) % 10)[torch.randperm(n_test, generator=g)]
        train_iter = _toy_loader(colours, y_train, _seed(g), batch_size, True)
        test_iter = _toy_loader(colours, y_test, _seed(g), 50, False)
        return args(train_iter, test_iter, _toy_net_recipe("net"),
                    new("torch.nn.CrossEntropyLoss"),
                    new("torch.optim.Adam", params("net"), lr=1e-2), "cpu", epochs)
    return make


def _train_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """The history's shape, a falling loss, and the trained network's own test accuracy."""
    return check_history(actual, a.args[6], _toy_net,
                         lambda net: ref.evaluate_accuracy(Builder({}).build(a.args[1]), net),
                         LOSS_RATIO_BAR, TRAIN_ACC_BAR)


# ---- §9.2 the folder, the transforms ------------------------------------------------------

def _folder_case(files: dict[str, int]):
    """``{class: number of files}``; the listing is shuffled by the case's generator."""
    def make(g: torch.Generator) -> Args:
        paths = [f"{cls}/{k}.png" for cls, n in files.items() for k in range(n)]
        order = torch.randperm(len(paths), generator=g).tolist()
        return args([paths[k] for k in order])
    return make


def _test_augs_case(h: int, w: int, resize_to: int, crop: int):
    def make(g: torch.Generator) -> Args:
        img = torch.randint(0, 256, (3, h, w), generator=g, dtype=torch.uint8)
        return args(img, resize_to, crop)
    return make


def _flat_case(h: int, w: int, size: int):
    def make(g: torch.Generator) -> Args:
        colour = torch.randint(0, 256, (3, 1, 1), generator=g, dtype=torch.uint8)
        return args(colour.expand(3, h, w).contiguous(), size, _gen(_seed(g)))
    return make


def _ramp_case(h: int, w: int, size: int):
    """Red grows along the width, green down the height, blue is flat."""
    def make(g: torch.Generator) -> Args:
        red = torch.linspace(0, 255, w).round().to(torch.uint8).expand(h, w)
        green = torch.linspace(0, 255, h).round().to(torch.uint8)[:, None].expand(h, w)
        blue = torch.full((h, w), int(torch.randint(0, 256, (1,), generator=g)),
                          dtype=torch.uint8)
        return args(torch.stack([red, green, blue]), size, _gen(_seed(g)))
    return make


def _train_augs_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    img, size = a.args[0], a.args[1]
    if type(actual) is not torch.Tensor or actual.dtype != torch.float32 \
            or tuple(actual.shape) != (3, size, size):
        got = (f"{tuple(actual.shape)} {actual.dtype}" if type(actual) is torch.Tensor
               else type(actual).__name__)
        return _problem(f"应返回形状 (3, {size}, {size}) 的 float32 张量，得到 {got}",
                        f"should return a float32 tensor of shape (3, {size}, {size}), "
                        f"got {got}")
    mean = torch.tensor(ref.IMAGENET_MEAN).reshape(3, 1, 1)
    std = torch.tensor(ref.IMAGENET_STD).reshape(3, 1, 1)
    if bool((img == img[:, :1, :1]).all()):
        want = (img[:, :1, :1].float() / 255 - mean) / std
        if not torch.allclose(actual, want.expand_as(actual), rtol=1e-5, atol=1e-5):
            return _problem("纯色图像的结果应处处等于 (颜色/255 − mean)/std："
                            "请检查转换到 [0,1] 与标准化",
                            "a flat-coloured picture should give (colour/255 − mean)/std "
                            "everywhere: check the conversion to [0, 1] and the "
                            "normalisation")
        return []
    x = actual * std + mean
    if float(x.min()) < -1e-4 or float(x.max()) > 1 + 1e-4:
        return _problem("去掉标准化后数值应在 [0, 1] 内", "undoing the normalisation should give "
                        "values in [0, 1]")
    red, green, blue = x[0], x[1], x[2]
    if not torch.allclose(blue, img[2, 0, 0].float() / 255 * torch.ones_like(blue), atol=1e-5):
        return _problem("纯色的蓝色通道去掉标准化后应等于 蓝色值/255：请检查转换到 [0,1] 与标准化",
                        "the flat blue channel should come back as blue/255 once the "
                        "normalisation is undone: check the conversion to [0, 1] and the "
                        "normalisation")
    dx = red[:, 1:] - red[:, :-1]
    dy = green[1:, :] - green[:-1, :]
    left_right = bool((dx >= -1e-4).all()) or bool((dx <= 1e-4).all())
    if not left_right or not bool((dy >= -1e-4).all()):
        return _problem("渐变图像的行列方向不对：左右可以翻转，上下不应翻转，也不应转置",
                        "on a ramp picture the directions are wrong: left and right may be "
                        "mirrored, top and bottom never, and nothing transposed")
    return []


# ---- §9.2 fine-tuning ---------------------------------------------------------------------

def _small_net(g: torch.Generator, channels: int, classes: int, bind: str | None = None,
               kernel: int = 3, training: bool | None = None,
               ) -> tuple[Any, dict[str, torch.Tensor]]:
    """A "pretrained" net with ResNet's names: conv1, bn1, relu, avgpool, flatten, fc;
    ``training=False`` hands it over in evaluation mode."""
    template = nn.Sequential()
    template.add_module("conv1", nn.Conv2d(3, channels, kernel, padding=kernel // 2,
                                           bias=False))
    template.add_module("bn1", nn.BatchNorm2d(channels))
    template.add_module("fc", nn.Linear(channels, classes))
    state = {}
    for name, value in template.state_dict().items():
        if name == "bn1.num_batches_tracked":
            state[name] = torch.tensor(7)
        elif name == "bn1.running_var" or name == "bn1.weight":
            state[name] = 0.5 + torch.rand(value.shape, generator=g)
        else:
            scale = 1 / math.sqrt(value[0].numel()) if value.dim() >= 2 else 0.1
            state[name] = torch.round(torch.randn(value.shape, generator=g) * scale * 4096) / 4096
    layers = [["conv1", new("torch.nn.Conv2d", 3, channels, kernel, padding=kernel // 2,
                            bias=False)],
              ["bn1", new("torch.nn.BatchNorm2d", channels)],
              ["relu", new("torch.nn.ReLU")],
              ["avgpool", new("torch.nn.AdaptiveAvgPool2d", 1)],
              ["flatten", new("torch.nn.Flatten")],
              ["fc", new("torch.nn.Linear", channels, classes)]]
    net = new("torch.nn.Sequential", new("torch.nn.modules.container.OrderedDict", layers),
              state=state, bind=bind, training=training)
    return net, state


def _finetune_case(channels: int, num_classes: int):
    def make(g: torch.Generator) -> Args:
        net, _ = _small_net(g, channels, 10, kernel=1)  # wide fc, small conv: small fixtures
        return args(net, num_classes)
    return make


def _finetune_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    given = a.args[0].params["state"]
    num_classes = a.args[1]
    if type(actual) is not dict or set(actual) != {"return", "arg:0"}:
        return _problem("没有得到返回的网络", "no network was returned")
    net, pretrained = actual["return"], actual["arg:0"]
    if type(pretrained) is not dict or set(pretrained) != set(given) or not all(
            torch.equal(pretrained[k], given[k]) for k in given):
        return _problem("传入的预训练网络被改动了：应先复制一份（copy.deepcopy）再替换 fc",
                        "the given pretrained network was changed: copy it "
                        "(copy.deepcopy) before replacing fc")
    if type(net) is not dict or set(net) != set(given):
        return _problem("返回的应是一个与原网络同名各层的网络（只换掉 fc）",
                        "the result should be a network with the original's entries "
                        "(only fc replaced)")
    for k in given:
        if not k.startswith("fc.") and not torch.equal(net[k], given[k]):
            return _problem(f"{k} 应保持预训练的值", f"{k} should keep its pretrained value")
    in_features = given["fc.weight"].shape[1]
    weight, bias = net["fc.weight"], net["fc.bias"]
    if tuple(weight.shape) != (num_classes, in_features) or tuple(bias.shape) != (num_classes,):
        return _problem(f"fc 应是 Linear({in_features}, {num_classes})",
                        f"fc should be Linear({in_features}, {num_classes})")
    bound = math.sqrt(6 / (in_features + num_classes))
    w = weight.double().flatten()
    spread = float(w.std()) / (bound / math.sqrt(3))
    if float(w.abs().max()) > bound * (1 + 1e-6) or float(w.abs().max()) < 0.9 * bound \
            or not 0.85 <= spread <= 1.15:
        return _problem(
            f"fc.weight 应是 Xavier 均匀分布 U(−{bound:.4f}, {bound:.4f})（得到最大 |w| "
            f"{float(w.abs().max()):.4f}，标准差 {float(w.std()):.4f}）",
            f"fc.weight should be Xavier-uniform, U(−{bound:.4f}, {bound:.4f}) (got max |w| "
            f"{float(w.abs().max()):.4f}, standard deviation {float(w.std()):.4f})")
    if float(bias.abs().max()) > 1 / math.sqrt(in_features) + 1e-6:
        return _problem("fc.bias 应保持 nn.Linear 的默认初始化",
                        "fc.bias should keep nn.Linear's default initialisation")
    return []


def _tune_case(channels: int, classes: int, batches: int, batch: int, side: int,
               lr: float, epochs: int, *flag: bool, in_eval_mode: bool = False):
    """``in_eval_mode``: the net comes in evaluation mode (as after an evaluation), so an
    answer that never calls ``net.train()`` trains with frozen batch statistics."""
    def make(g: torch.Generator) -> Args:
        net, _ = _small_net(g, channels, classes, bind="net",
                            training=False if in_eval_mode else None)
        data = [(torch.randn(batch, 3, side, side, generator=g),
                 torch.randint(0, classes, (batch,), generator=g)) for _ in range(batches)]
        return args(net, data, lr, epochs, *flag)
    return make


QUESTIONS = [
    # §9.1
    Question("flip_left_right", 1, ref.flip_left_right, cases=[
        public(_flip_case((3, 4, 5), 1.0, 1)),
        hidden(_flip_case((3, 6, 7), 0.0, 3)),
        hidden(_flip_case((1, 5, 4), 0.3, 10)),
        hidden(_flip_case((2, 3, 4, 6), 0.7, 2)),
        hidden(_flip_case((3, 2, 9), 0.5, 11)),
    ]),
    Question("flip_top_bottom", 1, ref.flip_top_bottom, cases=[
        public(_flip_case((3, 4, 5), 1.0, 1)),
        hidden(_flip_case((3, 6, 7), 0.0, 3)),
        hidden(_flip_case((1, 5, 4), 0.3, 10)),
        hidden(_flip_case((2, 3, 4, 6), 0.7, 2)),
        hidden(_flip_case((3, 9, 2), 0.5, 11)),
    ]),
    Question("random_resized_crop_params", 3, ref.random_resized_crop_params, cpu_only=True,
             cases=[
        public(_crop_params_case(300, 451, (0.1, 1.0), (0.5, 2.0))),
        hidden(_crop_params_case(32, 32, (0.08, 1.0), (3 / 4, 4 / 3))),
        hidden(_crop_params_case(40, 64, (0.3, 0.6), (2.0, 2.0))),
        hidden(_crop_params_case(30, 36, (0.9, 1.0), (0.2, 5.0))),
        hidden(_crop_params_case(50, 200, (2.0, 3.0), (0.5, 2.0))),
        hidden(_crop_params_case(200, 50, (2.0, 3.0), (3 / 4, 4 / 3))),
        hidden(_crop_params_case(40, 44, (1.5, 2.0), (0.5, 2.0))),
    ]),
    Question("resized_crop", 2, ref.resized_crop, cases=[
        public(_resized_crop_case((3, 20, 24), (2, 5, 12, 16), (6, 8))),
        hidden(_resized_crop_case((3, 30, 30), (0, 0, 30, 30), (7, 11))),
        hidden(_resized_crop_case((1, 16, 40), (3, 10, 9, 20), (18, 40))),
        hidden(_resized_crop_case((3, 25, 19), (6, 1, 17, 9), (5, 5))),
    ]),
    Question("apply", 1, ref.apply, cpu_only=True, cases=[
        public(_apply_case((3, 4, 5), partial("torch.nn.functional.dropout", p=0.5), 2, 4)),
        hidden(_apply_case((1, 3, 3), partial("torch.rand_like"), 3, 2)),
        hidden(_apply_case((3, 2, 6), partial("torch.nn.functional.dropout", p=0.3), 2, 3)),
    ]),
    Question("random_brightness", 1, ref.random_brightness, cases=[
        public(_brightness_case((3, 5, 5), 0.5)),
        hidden(_brightness_case((3, 8, 6), 0.9)),
        hidden(_brightness_case((1, 4, 7), 0.2)),
        hidden(_brightness_case((3, 6, 6), 0.5)),
    ]),
    Question("adjust_contrast", 2, ref.adjust_contrast, cases=[
        public(_contrast_case((3, 5, 6), 0.5)),
        hidden(_contrast_case((3, 8, 8), 1.7)),
        hidden(_contrast_case((3, 4, 9), 0.0)),
        hidden(_contrast_case((3, 7, 3), 3.0)),
    ]),
    Question("load_cifar10", 2, ref.load_cifar10, kind=Call(collect=True),
             invariant=_loader_invariant, cases=[
        public(_loader_case(12, 4, False, 5, partial("torch.flip", dims=[2]))),
        hidden(_loader_case(23, 5, True, 4, partial("torch.flip", dims=[2]))),
        hidden(_loader_case(17, 3, False, 6, partial("torch.mul", other=0.5))),
        hidden(_loader_case(20, 4, True, 7, partial("torch.mul", other=2.0))),
    ]),
    Question("train", 3, ref.train, kind=Call(harvest=("return", "bound:net")),
             invariant=_train_invariant, cases=[
        public(_train_case(200, 100, 32, 6)),
        hidden(_train_case(200, 100, 32, 6)),
        hidden(_train_case(220, 100, 40, 6)),
    ]),
    # §9.2
    Question("index_image_folder", 2, ref.index_image_folder, cpu_only=True, cases=[
        public(_folder_case({"hotdog": 3, "not-hotdog": 2})),
        hidden(_folder_case({"zebra": 3, "ant": 12, "Moth": 2})),
        hidden(_folder_case({"not-hotdog": 11, "hotdog": 11})),
    ]),
    Question("test_augs", 2, ref.test_augs, cpu_only=True, cases=[
        public(_test_augs_case(50, 70, 32, 28)),
        hidden(_test_augs_case(72, 41, 40, 35)),
        hidden(_test_augs_case(45, 45, 30, 30)),
        hidden(_test_augs_case(61, 64, 33, 20)),
    ]),
    Question("train_augs", 2, ref.train_augs, invariant=_train_augs_invariant, cpu_only=True,
             cases=[
        public(_flat_case(40, 50, 32)),
        hidden(_flat_case(64, 48, 24)),
        hidden(_ramp_case(48, 60, 32)),
        hidden(_ramp_case(70, 45, 28)),
    ]),
    Question("make_finetune_net", 2, ref.make_finetune_net,
             kind=Call(harvest=("return", "arg:0")), invariant=_finetune_invariant, cases=[
        public(_finetune_case(256, 2)),
        hidden(_finetune_case(512, 2)),
        hidden(_finetune_case(128, 5)),
    ]),
    Question("train_fine_tuning", 3, ref.train_fine_tuning,
             kind=Call(harvest=("return", "bound:net")), tolerance=STEPS, cases=[
        public(_tune_case(8, 2, 3, 8, 10, 0.05, 2, True)),
        hidden(_tune_case(6, 3, 2, 6, 12, 0.1, 3, True)),
        hidden(_tune_case(8, 2, 3, 8, 10, 0.05, 2, False)),
        hidden(_tune_case(6, 2, 2, 8, 10, 0.05, 2, True, in_eval_mode=True)),
    ]),
    Question("fine_tune_frozen", 2, ref.fine_tune_frozen,
             kind=Call(harvest=("return", "bound:net")), tolerance=STEPS, cases=[
        public(_tune_case(8, 2, 3, 8, 10, 0.05, 2)),
        hidden(_tune_case(6, 3, 2, 6, 12, 0.1, 3)),
        hidden(_tune_case(5, 4, 4, 5, 8, 0.2, 1)),
        hidden(_tune_case(6, 3, 2, 6, 12, 0.1, 2, in_eval_mode=True)),
    ]),
]

NOTEBOOK = NotebookSpec("augment_finetune", QUESTIONS, prepare_data=write_hotdog_standin)
