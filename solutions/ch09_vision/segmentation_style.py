"""Chapter 9, notebook ``segmentation_style``: §9.9–9.11 (reference: ``ch09_segmentation_style``).

Grading never reads files (otter runs have no ``$D2L_DATA_DIR``): the segmentation cases
pass images and labels drawn by the VOC stand-in's own generator
(:func:`reference_impl.voc.standin_pair`), the style-transfer cases pass scikit-image's
photographs, preprocessed on the host.  The 256³ colour table the book's
``voc_label_indices`` indexes is built inside the sandbox from a recipe (zeros, then the 21
class colours written in), so it never travels as data.

Random units are judged by invariants: ``voc_rand_crop`` by finding the offset of the
returned crops (images with distinct pixel values make it unique) and checking that image
and label share it; ``VOCSegDataset`` by the same search on every item plus the filtering,
normalisation, dtypes and shapes.  Training is judged by thresholds the trusted side
measures itself: ``train_seg`` by the mean loss of the returned weights on its
minibatches, ``train`` (style transfer) by the total loss of the returned image.

Isolation, so that one mistake costs one question: the helpers a graded unit calls are
replaced while it runs by stand-ins written in TorchScript (:data:`STAND_IN_SOURCE`; a case can
carry them as data): ``voc_rand_crop`` and ``voc_label_indices`` inside ``VOCSegDataset``,
``bilinear_kernel`` inside ``fcn``, ``seg_loss`` inside ``train_seg``, ``gram`` inside
``style_loss``, the three losses inside ``compute_loss``, and ``extract_features``,
``compute_loss`` and ``gram`` inside ``train``.  The stand-in ``extract_features`` is a
small fixed network of its own (weights from sines, no random numbers) that ignores the
layer indices; ``extract_features`` itself runs on a small ``net`` the question puts in
place of VGG-19.  ``train`` still builds the student's ``SynthesizedImage`` (through the
given ``get_inits``): a class cannot be replaced by a recipe, so a broken
``SynthesizedImage`` costs ``train`` too.

With ``--gpu``, the questions whose book code makes CPU tensors of its own (the
``torch.zeros`` output of ``trans_conv`` and ``kernel2matrix``, the ImageNet statistics and
the colour map held as CPU globals, the synthesised image ``get_inits`` creates) stay on
the CPU (``cpu_only``): the book writes them device-naive, and so may the student.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import numpy as np
import torch

from autograder.compare import Tolerance
from autograder.kinds import Call, Construct, new
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from autograder.wire import Recipe
from reference_impl import ch09_segmentation_style as ref
from reference_impl.style_images import write_seg_style_data
from reference_impl.voc import VOC_COLORMAP, VOID_COLOR, VOID_INDEX, standin_pair

WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)  # conv nets with loaded weights
RESIZE = Tolerance(rtol=1e-5, atol=1e-5)  # resize then normalise, in either order

#: TorchScript versions of the helpers, put in place of the student's (see above).
STAND_IN_SOURCE = ref.STAND_IN_SOURCE


def _stand_in(name: str) -> Recipe:
    """A function of :data:`STAND_IN_SOURCE`, compiled where the case runs."""
    unit = new("torch.jit.CompilationUnit", STAND_IN_SOURCE)
    return new("torch.jit.CompilationUnit.find_function", unit, name)


@contextmanager
def _one_thread() -> Iterator[None]:
    """The grader's own measurements run on one thread: tiny tensors on a shared machine
    pay more for waking a thread pool than for the arithmetic."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@cache
def _table() -> torch.Tensor:
    """``build_colormap2label()`` for the grader's own checks, built once."""
    return ref.build_colormap2label()


@cache
def _compiled() -> Any:
    """The stand-ins for the grader's own measurements."""
    return torch.jit.CompilationUnit(STAND_IN_SOURCE)


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


def _seed(g: torch.Generator) -> int:
    return int(torch.randint(0, 2**31 - 1, (1,), generator=g))


# ---- §9.9 the data: RGB labels, the colour table, crops --------------------------------

_COLOUR_KEYS = torch.tensor([(r * 256 + g) * 256 + b for r, g, b in VOC_COLORMAP])
#: ``build_colormap2label()``, built where the case runs (256³ int64 entries: 134 MB).
COLORMAP2LABEL = new("torch.Tensor.index_put_",
                     new("torch.Tensor.new_zeros", torch.zeros(1, dtype=torch.int64),
                         (256 ** 3,)),
                     (_COLOUR_KEYS,), torch.arange(len(VOC_COLORMAP)))


def _rgb_label(index: np.ndarray) -> torch.Tensor:
    """A palette index map → its RGB label ``(3, H, W)`` uint8 (void in its own colour)."""
    palette = np.zeros((256, 3), dtype=np.uint8)
    palette[:len(VOC_COLORMAP)] = VOC_COLORMAP
    palette[VOID_INDEX] = VOID_COLOR
    return torch.from_numpy(palette[index]).permute(2, 0, 1).contiguous()


def _voc_example(seed: int, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A stand-in photo ``(3, H, W)`` uint8 and its RGB label, as read_voc_images gives."""
    photo, index = standin_pair(seed, height, width)
    return torch.from_numpy(photo).permute(2, 0, 1).contiguous(), _rgb_label(index)


def _label_case(height: int, width: int, stray: int = 0):
    """A stand-in label, with ``stray`` pixels set to colours that are no class's."""
    def make(g: torch.Generator) -> Args:
        label = _voc_example(_seed(g), height, width)[1]
        for _ in range(stray):
            i, j = (int(torch.randint(0, n, (1,), generator=g)) for n in (height, width))
            label[:, i, j] = torch.randint(0, 256, (3,), generator=g, dtype=torch.uint8)
        return args(label, COLORMAP2LABEL)
    return make


def _distinct_image(g: torch.Generator, channels: int, height: int, width: int,
                    dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Values that are all different, so a crop tells where it came from."""
    return torch.randperm(channels * height * width, generator=g).reshape(
        channels, height, width).to(dtype)


def _crop_case(height: int, width: int, crop_h: int, crop_w: int, label_rgb: bool = True):
    def make(g: torch.Generator) -> Args:
        feature = _distinct_image(g, 3, height, width)
        shape = (3, height, width) if label_rgb else (height, width)
        label = torch.randint(0, 256, shape, generator=g, dtype=torch.uint8)
        return args(feature, label, crop_h, crop_w)
    return make


def _offsets(full: torch.Tensor, crop: torch.Tensor, atol: float = 0.0) -> list[tuple[int, int]]:
    """Every (i, j) at which ``crop`` equals ``full[..., i:i+h, j:j+w]``."""
    h, w = crop.shape[-2:]
    found = []
    for i in range(full.shape[-2] - h + 1):
        for j in range(full.shape[-1] - w + 1):
            piece = full[..., i:i + h, j:j + w]
            if atol == 0.0 and torch.equal(piece, crop) or atol and torch.allclose(
                    piece, crop, rtol=0, atol=atol):
                found.append((i, j))
    return found


def _crop_problems(feature: Any, label: Any, full_f: torch.Tensor, full_l: torch.Tensor,
                   h: int, w: int, atol: float = 0.0) -> list[tuple[str, str]]:
    """The crops must have the right shapes and dtypes and come from one offset."""
    if type(feature) is not torch.Tensor or type(label) is not torch.Tensor:
        return _problem("应返回两个张量 (feature, label)",
                        "should return two tensors (feature, label)")
    want_f = (*full_f.shape[:-2], h, w)
    want_l = (*full_l.shape[:-2], h, w)
    if tuple(feature.shape) != want_f or tuple(label.shape) != want_l:
        return _problem(f"裁剪结果的形状应为 {list(want_f)} 和 {list(want_l)}，得到 "
                        f"{list(feature.shape)} 和 {list(label.shape)}",
                        f"the crops should have shapes {list(want_f)} and {list(want_l)}, got "
                        f"{list(feature.shape)} and {list(label.shape)}")
    if feature.dtype != full_f.dtype or label.dtype != full_l.dtype:
        return _problem(f"裁剪不应改变数据类型（应为 {full_f.dtype} 和 {full_l.dtype}）",
                        f"cropping should keep the dtypes ({full_f.dtype} and {full_l.dtype})")
    at_f = _offsets(full_f, feature, atol)
    if not at_f:
        return _problem("图像的裁剪结果不是原图中的一块连续区域",
                        "the image crop is not a contiguous window of the image")
    at_l = set(_offsets(full_l, label))
    if not at_l.intersection(at_f):
        return _problem("图像和标签不是在同一个位置裁剪的（两者必须使用同一个偏移）",
                        "the image and the label were cropped at different places (both "
                        "must use the same offset)")
    return []


def _rand_crop_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    feature, label, h, w = a.args
    if type(actual) is not tuple or len(actual) != 2:
        return _problem("应返回元组 (feature, label)", "should return the tuple (feature, label)")
    problems = _crop_problems(actual[0], actual[1], feature, label, h, w)
    if problems:
        return problems
    (i, j), = _offsets(feature, actual[0])
    span_h, span_w = feature.shape[-2] - h, feature.shape[-1] - w
    if span_h * span_w >= 400 and ((i, j) == (0, 0) or (i, j) == (span_h // 2, span_w // 2)):
        return _problem("裁剪位置应随机选取（得到的是左上角或正中间）",
                        "the crop should be placed at random (got the top-left corner or the "
                        "centre)")
    return []


def _dataset_case(sizes: list[tuple[int, int]], crop: tuple[int, int]):
    def make(g: torch.Generator) -> Args:
        pairs = [_voc_example(_seed(g), h, w) for h, w in sizes]
        return args([p[0] for p in pairs], [p[1] for p in pairs], crop, COLORMAP2LABEL)
    return make


def _dataset_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    features, labels, (h, w), _ = a.args
    keep = [k for k, f in enumerate(features) if f.shape[1] >= h and f.shape[2] >= w]
    if type(actual) is not list or not all(
            type(item) is tuple and len(item) == 2 for item in actual):
        return _problem("数据集的每一项应是元组 (feature, label)",
                        "every item of the dataset should be a tuple (feature, label)")
    if len(actual) != len(keep):
        return _problem(f"{len(features)} 张图像里有 {len(keep)} 张不小于裁剪尺寸 {(h, w)}，"
                        f"数据集应有 {len(keep)} 项，得到 {len(actual)} 项",
                        f"{len(keep)} of the {len(features)} images are at least as large as "
                        f"the crop {(h, w)}: the dataset should have {len(keep)} items, got "
                        f"{len(actual)}")
    table = _table()
    for n, (k, (feature, label)) in enumerate(zip(keep, actual, strict=True)):
        if type(feature) is not torch.Tensor or feature.dtype != torch.float32:
            return _problem(f"第 {n} 项的图像应是 float32 张量", f"item {n}: the image should "
                            "be a float32 tensor")
        if type(label) is not torch.Tensor or label.dtype != torch.int64:
            return _problem(f"第 {n} 项的标签应是 int64 的类别索引",
                            f"item {n}: the label should hold int64 class indices")
        full_f = ref.normalize_image(features[k])
        full_l = ref.voc_label_indices(labels[k], table)
        problems = _crop_problems(feature, label, full_f, full_l, h, w, atol=1e-5)
        if problems:
            if problems[0][1].startswith("the image crop is not"):
                return _problem(f"第 {n} 项的图像不是标准化后原图中的一块"
                                "（先除以 255，再用 ImageNet 的均值和标准差标准化）",
                                f"item {n}: the image is not a window of the normalised image "
                                "(divide by 255, then standardise with ImageNet's mean and std)")
            zh, en = problems[0]
            return _problem(f"第 {n} 项：{zh}", f"item {n}: {en}")
    return []


# ---- §9.10 transposed convolution, FCN -----------------------------------------------------

def _trans_conv_case(n_h: int, n_w: int, k_h: int, k_w: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, n_h, n_w), _randn(g, k_h, k_w))
    return make


def _k2m_case(k_h: int, k_w: int, n_h: int, n_w: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, k_h, k_w), n_h, n_w)
    return make


_FCN_KIND = Construct(init_kwargs={"num_classes": 21}, harvest=("layers", "names", "output"))


def _fcn_case(num_classes: int, x_shape: tuple[int, ...]):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *x_shape), fill=True, init_kwargs={"num_classes": num_classes})
    return make


def _seg_loss_case(batch: int, classes: int, h: int, w: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, batch, classes, h, w, scale=2.0),
                    torch.randint(0, classes, (batch, h, w), generator=g))
    return make


SEG_CLASSES = 21


def _seg_batches(g: torch.Generator, num_batches: int, batch: int, h: int, w: int
                 ) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Normalised stand-in images and their class maps, ``num_batches`` of ``batch``."""
    table = _table()
    out = []
    for _ in range(num_batches):
        X, Y = [], []
        for _ in range(batch):
            feature, label = _voc_example(_seed(g), h, w)
            X.append(ref.normalize_image(feature))
            Y.append(ref.voc_label_indices(label, table))
        out.append((torch.stack(X), torch.stack(Y)))
    return out


def _seg_net_template(hidden_: int) -> torch.nn.Sequential:
    return torch.nn.Sequential(torch.nn.Conv2d(3, hidden_, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.Conv2d(hidden_, SEG_CLASSES, 1))


def _train_seg_case(hidden_: int, num_batches: int, batch: int, h: int, w: int,
                    num_epochs: int, lr: float):
    def make(g: torch.Generator) -> Args:
        template = _seg_net_template(hidden_)
        state = {k: _randn(g, *v.shape, scale=0.1) for k, v in template.state_dict().items()}
        net = new("torch.nn.Sequential", new("torch.nn.Conv2d", 3, hidden_, 3, padding=1),
                  new("torch.nn.ReLU"), new("torch.nn.Conv2d", hidden_, SEG_CLASSES, 1),
                  state=state, bind="net")
        return args(net, _seg_batches(g, num_batches, batch, h, w), num_epochs, lr)
    return make


#: The trained net's mean loss on the case's own batches must fall below this share of
#: the starting weights' loss (measured by the grader).  A correct solution reaches
#: 0.3–0.39 on these cases; a loop that never steps, or steps without the gradient,
#: stays near 1.
SEG_SHARE = 0.6


def _mean_seg_loss(net: torch.nn.Module, batches: list) -> float:
    with torch.no_grad(), _one_thread():
        return sum(float(ref.seg_loss(net(X), Y).mean()) for X, Y in batches) / len(batches)


def _train_seg_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    net_r, batches = a.args[:2]
    hidden_ = net_r.params["args"][0].params["args"][1]
    template = _seg_net_template(hidden_)
    if type(actual) is not dict or sorted(actual) != sorted(template.state_dict()):
        return _problem("应原地训练传入的网络（参数名不对）",
                        "should train the given network in place (its parameter names differ)")
    template.load_state_dict(net_r.params["state"], strict=True)
    start = _mean_seg_loss(template, batches)
    try:
        template.load_state_dict(actual, strict=True)
    except RuntimeError:
        return _problem("网络参数的形状变了", "the network's parameter shapes changed")
    if not all(torch.isfinite(v).all() for v in actual.values()):
        return _problem("训练发散了：参数含 NaN 或 Inf", "training diverged: the parameters "
                        "contain NaN or Inf")
    end = _mean_seg_loss(template, batches)
    if not end < SEG_SHARE * start:
        return _problem(f"训练后这些小批量上的平均损失从 {start:.3f} 只降到 {end:.3f}；"
                        f"正确的训练能降到 {SEG_SHARE} 倍以下",
                        f"training took the mean loss on these minibatches from {start:.3f} "
                        f"to only {end:.3f}; correct training gets below {SEG_SHARE} times "
                        "the start")
    return []


def _label2image_case(h: int, w: int, dtype: torch.dtype = torch.int64):
    def make(g: torch.Generator) -> Args:
        return args(torch.randint(0, len(VOC_COLORMAP), (h, w), generator=g).to(dtype))
    return make


# ---- §9.11 style transfer ------------------------------------------------------------------

@cache
def _photo(name: str) -> torch.Tensor:
    """One of scikit-image's photographs as an ``(H, W, 3)`` uint8 tensor (host only)."""
    from skimage import data

    return torch.from_numpy(getattr(data, name)().copy())


def _preprocess_case(source: str | tuple[int, int], shape: tuple[int, int]):
    def make(g: torch.Generator) -> Args:
        if isinstance(source, str):
            img = _photo(source)
        else:
            img = torch.randint(0, 256, (*source, 3), generator=g, dtype=torch.uint8)
        return args(img, shape)
    return make


def _postprocess_case(h: int, w: int, scale: float):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, 1, 3, h, w, scale=scale))
    return make


def _tiny_vgg(g: torch.Generator) -> Recipe:
    """A small stand-in for VGG-19's features: 11 layers, convs, ReLUs and max-pools."""
    spec = [("c", 3, 4), ("r",), ("c", 4, 4), ("r",), ("p",), ("c", 4, 6), ("r",),
            ("p",), ("c", 6, 6), ("r",), ("c", 6, 5)]
    layers, state = [], {}
    for idx, item in enumerate(spec):
        if item[0] == "c":
            layers.append(new("torch.nn.Conv2d", item[1], item[2], 3, padding=1))
            state[f"{idx}.weight"] = _randn(g, item[2], item[1], 3, 3, scale=0.3)
            state[f"{idx}.bias"] = _randn(g, item[2], scale=0.1)
        elif item[0] == "r":
            layers.append(new("torch.nn.ReLU"))
        else:
            layers.append(new("torch.nn.MaxPool2d", 2))
    return new("torch.nn.Sequential", *layers, state=state)


TINY_VGG = _tiny_vgg(torch.Generator().manual_seed(911))


def _tiny_vgg_module() -> torch.nn.Module:
    from autograder.kinds import Builder

    return Builder({}).build(TINY_VGG)


def _extract_reference(X: torch.Tensor, content_layers: list[int], style_layers: list[int]
                       ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    return ref.extract_features(X, content_layers, style_layers, _tiny_vgg_module())


def _extract_case(h: int, w: int, content: list[int], style: list[int]):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, 1, 3, h, w), content, style)
    return make


def _gram_case(c: int, h: int, w: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, 1, c, h, w))
    return make


def _pair_case(*shape: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *shape), _randn(g, *shape))
    return make


def _style_loss_case(c: int, h: int, w: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, 1, c, h, w), ref.gram(_randn(g, 1, c, h, w)))
    return make


def _compute_loss_case(h: int, w: int, n_content: int, style_channels: list[int]):
    def make(g: torch.Generator) -> Args:
        X = _randn(g, 1, 3, h, w)
        contents_hat = [_randn(g, 1, 4, h // 2, w // 2) for _ in range(n_content)]
        contents = [_randn(g, 1, 4, h // 2, w // 2) for _ in range(n_content)]
        styles_hat = [_randn(g, 1, c, h, w) for c in style_channels]
        grams = [ref.gram(_randn(g, 1, c, h, w)) for c in style_channels]
        return args(X, contents_hat, styles_hat, contents, grams)
    return make


_SYNTH_KIND = Construct(init=((1, 3, 4, 6),), harvest=("names", "num_params", "output"))


def _synth_case(shape: tuple[int, ...]):
    def make(g: torch.Generator) -> Args:
        return args(state={"weight": _randn(g, *shape)}, init=[shape])
    return make


def _style_inputs(h: int, w: int, content: str = "chelsea", style: str = "coffee"
                  ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """The content image and the stand-in network's content and style targets."""
    X = ref.preprocess(_photo(content), (h, w))
    features = _compiled().find_function("extract_features")
    contents_Y, _ = features(X, [0], [0])
    _, styles_Y = features(ref.preprocess(_photo(style), (h, w)), [0], [0])
    return X, contents_Y, styles_Y


def _train_style_case(h: int, w: int, lr: float, num_epochs: int, lr_decay_epoch: int,
                      content: str = "chelsea", style: str = "coffee"):
    def make(g: torch.Generator) -> Args:
        X, contents_Y, styles_Y = _style_inputs(h, w, content, style)
        return args(X, contents_Y, styles_Y, lr, num_epochs, lr_decay_epoch)
    return make


def _train_style_reference(X: torch.Tensor, contents_Y: list[torch.Tensor],
                           styles_Y: list[torch.Tensor], lr: float, num_epochs: int,
                           lr_decay_epoch: int) -> torch.Tensor:
    return ref.train_style(X, contents_Y, styles_Y, lr, num_epochs, lr_decay_epoch, [0], [0],
                           _compiled().find_function("extract_features"))


def _style_total(X: torch.Tensor, contents_Y: list[torch.Tensor],
                 styles_Y: list[torch.Tensor]) -> float:
    unit = _compiled()
    with torch.no_grad(), _one_thread():
        contents_hat, styles_hat = unit.find_function("extract_features")(X, [0], [0])
        grams = [unit.find_function("gram")(Y) for Y in styles_Y]
        return float(unit.find_function("compute_loss")(X, contents_hat, styles_hat,
                                                         contents_Y, grams)[3])


#: The returned image's total loss must fall below this share of the starting image's.
#: A correct solution reaches 0.24–0.37 on these cases (20 Adam steps); a loop that never
#: moves the image stays at 1.
STYLE_SHARE = 0.6


def _train_style_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    X, contents_Y, styles_Y = a.args[:3]
    if type(actual) is not torch.Tensor or actual.shape != X.shape \
            or actual.dtype != torch.float32:
        return _problem(f"应返回合成的图像：形状 {list(X.shape)} 的 float32 张量",
                        f"should return the synthesised image: a float32 tensor of shape "
                        f"{list(X.shape)}")
    if not torch.isfinite(actual).all():
        return _problem("合成的图像含 NaN 或 Inf", "the synthesised image contains NaN or Inf")
    start, end = _style_total(X, contents_Y, styles_Y), _style_total(actual, contents_Y,
                                                                      styles_Y)
    if not end < STYLE_SHARE * start:
        return _problem(f"总损失从 {start:.4g} 只降到 {end:.4g}；"
                        f"正确的训练能降到 {STYLE_SHARE} 倍以下",
                        f"the total loss went from {start:.4g} to only {end:.4g}; correct "
                        f"training takes it below {STYLE_SHARE} times the start")
    return []


QUESTIONS = [
    # §9.9
    Question("voc_label_indices", 2, ref.voc_label_indices, cases=[
        public(_label_case(6, 8)),
        hidden(_label_case(20, 30, stray=15)),
        hidden(_label_case(33, 17, stray=3)),
    ]),
    Question("voc_rand_crop", 2, ref.voc_rand_crop, invariant=_rand_crop_invariant, cases=[
        public(_crop_case(10, 12, 4, 5)),
        hidden(_crop_case(40, 50, 16, 18)),
        hidden(_crop_case(30, 60, 8, 12, label_rgb=False)),
        hidden(_crop_case(24, 30, 4, 6)),
    ]),
    Question("VOCSegDataset", 3, ref.voc_dataset_items, object="voc_dataset_items",
             invariant=_dataset_invariant, cpu_only=True,
             isolate={"voc_rand_crop": _stand_in("voc_rand_crop"),
                      "voc_label_indices": _stand_in("voc_label_indices")},
             cases=[public(_dataset_case([(12, 16), (8, 20), (16, 12)], (10, 14))),
                    hidden(_dataset_case([(20, 24), (18, 30), (15, 40), (22, 22)], (16, 20))),
                    hidden(_dataset_case([(9, 9), (10, 12), (14, 10), (12, 30)], (10, 10)))]),
    # §9.10
    Question("trans_conv", 2, ref.trans_conv, cpu_only=True, cases=[
        public(lambda g: args(torch.tensor([[0.0, 1.0], [2.0, 3.0]]),
                              torch.tensor([[0.0, 1.0], [2.0, 3.0]]))),
        hidden(_trans_conv_case(3, 4, 2, 3)),
        hidden(_trans_conv_case(5, 2, 3, 3)),
        hidden(_trans_conv_case(2, 6, 4, 2)),
    ]),
    Question("kernel2matrix", 2, ref.kernel2matrix, cpu_only=True, cases=[
        public(lambda g: args(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), 3, 3)),
        hidden(_k2m_case(3, 3, 4, 4)),
        hidden(_k2m_case(2, 3, 4, 5)),
        hidden(_k2m_case(1, 2, 3, 3)),
    ]),
    Question("bilinear_kernel", 2, ref.bilinear_kernel, cases=[
        public(lambda g: args(1, 1, 4)),
        hidden(lambda g: args(3, 3, 4)),
        hidden(lambda g: args(2, 2, 3)),
        hidden(lambda g: args(4, 4, 8)),
    ]),
    Question("fcn", 3, ref.fcn, kind=_FCN_KIND, tolerance=WITH_WEIGHTS,
             isolate={"bilinear_kernel": _stand_in("bilinear_kernel")},
             cases=[public(_fcn_case(21, (1, 3, 64, 96))),
                    hidden(_fcn_case(5, (2, 3, 32, 64))),
                    hidden(_fcn_case(3, (1, 3, 96, 32)))]),
    Question("seg_loss", 1, ref.seg_loss, cases=[
        public(_seg_loss_case(2, 3, 4, 5)),
        hidden(_seg_loss_case(3, 21, 6, 4)),
        hidden(_seg_loss_case(1, 5, 2, 7)),
    ]),
    Question("train_seg", 2, ref.train_seg, kind=Call(harvest=("bound:net",)),
             invariant=_train_seg_invariant, isolate={"seg_loss": _stand_in("seg_loss")},
             cases=[public(_train_seg_case(8, 3, 4, 32, 48, 4, 0.3)),
                    hidden(_train_seg_case(12, 4, 3, 32, 32, 4, 0.3)),
                    hidden(_train_seg_case(8, 2, 6, 24, 40, 4, 0.3))]),
    Question("label2image", 1, ref.label2image, cpu_only=True, cases=[
        public(lambda g: args(torch.tensor([[0, 1], [15, 20]]))),
        hidden(_label2image_case(5, 7)),
        hidden(_label2image_case(3, 4, dtype=torch.int32)),
    ]),
    # §9.11
    Question("preprocess", 2, ref.preprocess, tolerance=RESIZE, cpu_only=True, cases=[
        public(_preprocess_case((6, 8), (3, 4))),
        hidden(_preprocess_case("chelsea", (30, 45))),
        hidden(_preprocess_case((10, 7), (15, 21))),
        hidden(_preprocess_case("coffee", (20, 40))),
    ]),
    Question("postprocess", 1, ref.postprocess, cpu_only=True, cases=[
        public(_postprocess_case(2, 3, 1.0)),
        hidden(_postprocess_case(5, 4, 3.0)),
        hidden(_postprocess_case(3, 7, 2.0)),
    ]),
    Question("extract_features", 2, _extract_reference, tolerance=WITH_WEIGHTS,
             isolate={"net": TINY_VGG},
             cases=[public(_extract_case(8, 8, [4], [0, 2])),
                    hidden(_extract_case(12, 16, [9], [0, 5, 8])),
                    hidden(_extract_case(8, 12, [3, 10], [1, 6])),
                    hidden(_extract_case(4, 4, [0], [2, 3]))]),
    Question("gram", 1, ref.gram, cases=[
        public(_gram_case(2, 2, 3)),
        hidden(_gram_case(5, 4, 6)),
        hidden(_gram_case(3, 3, 3)),
        hidden(_gram_case(8, 1, 5)),
    ]),
    Question("content_loss", 1, ref.content_loss, cases=[
        public(_pair_case(1, 2, 3, 3)),
        hidden(_pair_case(1, 5, 4, 6)),
        hidden(_pair_case(1, 1, 7, 2)),
    ]),
    Question("style_loss", 1, ref.style_loss, isolate={"gram": _stand_in("gram")}, cases=[
        public(_style_loss_case(2, 3, 3)),
        hidden(_style_loss_case(6, 4, 5)),
        hidden(_style_loss_case(3, 2, 8)),
    ]),
    Question("tv_loss", 1, ref.tv_loss, cases=[
        public(lambda g: args(torch.arange(12.0).reshape(1, 1, 3, 4))),
        hidden(_gram_case(3, 5, 6)),
        hidden(_gram_case(1, 4, 2)),
    ]),
    Question("compute_loss", 2, ref.compute_loss,
             isolate={"content_loss": _stand_in("content_loss"),
                      "style_loss": _stand_in("style_loss"), "tv_loss": _stand_in("tv_loss"),
                      "gram": _stand_in("gram")},
             cases=[public(_compute_loss_case(4, 6, 1, [2, 3])),
                    hidden(_compute_loss_case(6, 8, 1, [3, 4, 5, 2, 6])),
                    hidden(_compute_loss_case(8, 4, 2, [4]))]),
    Question("SynthesizedImage", 1, ref.SynthesizedImage, kind=_SYNTH_KIND, cases=[
        public(_synth_case((1, 3, 4, 6))),
        hidden(_synth_case((1, 3, 5, 2))),
        hidden(_synth_case((2, 1, 3, 3))),
    ]),
    Question("step_lr_schedule", 1, ref.step_lr_schedule, cases=[
        public(lambda g: args(0.3, 2, 5)),
        hidden(lambda g: args(0.01, 3, 10)),
        hidden(lambda g: args(1.0, 1, 4)),
        hidden(lambda g: args(0.05, 4, 6)),
    ]),
    Question("train", 3, _train_style_reference, invariant=_train_style_invariant, cpu_only=True,
             isolate={"extract_features": _stand_in("extract_features"),
                      "compute_loss": _stand_in("compute_loss"), "gram": _stand_in("gram")},
             cases=[public(_train_style_case(32, 48, 0.3, 20, 10)),
                    hidden(_train_style_case(48, 32, 0.3, 20, 10)),
                    hidden(_train_style_case(32, 32, 0.1, 20, 10, "coffee", "chelsea"))]),
]

NOTEBOOK = NotebookSpec("segmentation_style", QUESTIONS, prepare_data=write_seg_style_data)
