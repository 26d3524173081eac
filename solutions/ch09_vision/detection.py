"""Notebook ``detection`` of chapter 9 (§9.3–9.8): boxes, anchors, Pikachu data, SSD, RoI pooling.

Box arithmetic is compared with the reference elementwise on the book's examples
(public) and on random boxes (hidden).  Anchors follow the book's ``MultiBoxPrior``
(pixel centres, width scaled by h/w, the book's anchor order), not the PyTorch port's.

``read_pikachu`` is called through the notebook's given probe (as in ``kaggle_vision``):
it writes the case's small pictures and boxes in the stand-in's layout into a temporary
folder, json keys shuffled and names past ``9.png``, and reads them back with the
student's function, so grading never reads ``$D2L_DATA_DIR`` (otter runs have none).

Two questions have no defined row order and are judged by an invariant that matches
rows one to one: ``multibox_detection`` (kept rows and dropped rows may tie in
confidence) and ``predict``.  ``train_ssd`` builds a fresh ``TinySSD`` (PyTorch's
initialisation, seeded by the grader) and is judged by the fall of its loss.

Networks are graded with the ``construct`` kind and ``fill=True``: every state entry is
drawn from the case's seed, so a network with the reference's entry names and shapes
computes the reference's output; ``names`` catches a wrong layout even where outputs
could agree.  The book's functions call each other (``multibox_target`` calls
``assign_anchor_to_bbox`` and ``offset_boxes``, which call ``box_iou`` and
``box_corner_to_center``; TinySSD calls every SSD piece) and nothing in ``torch`` has
their signatures, so ``isolate`` cannot cut these links: the mistake notebooks list
each cascade.
"""

from __future__ import annotations

import math
import tempfile
from functools import cache
from typing import Any

import torch

from autograder.compare import Tolerance
from autograder.kinds import Construct, new
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from reference_impl import ch09_detection as det
from reference_impl import ch09_ssd as ssd
from reference_impl import pikachu

WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)  # conv nets with filled weights
#: Stacks of several conv/batch-norm blocks: oneDNN's kernels differ by CPU (AVX2 against
#: AVX-512), and outputs near zero then drift by 10 % of WITH_WEIGHTS between machines
#: (`d2l-grade fixtures verify`); twice as wide keeps that drift far below the tolerance.
DEEP_NET = Tolerance(rtol=2e-4, atol=2e-5)
ROW_ATOL = 1e-4  # how far a detection row may be from the reference's row
#: ``train_ssd``: the mean of the last three losses must be at most this fraction of the
#: first loss.  A correct solution ends at 0.07–0.10 of it on these cases (8 seeds of the
#: initialisation; the background class is learnt first); a network never updated stays
#: at 1.0, one without BatchNorm at 0.83–0.92, an unmasked box loss at 0.28–0.42 and
#: channels-first flattening at 0.31–0.59.
TRAIN_DROP = 0.2
NET = ("output", "names")
CONSTRUCT_NET = Construct(harvest=NET)


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


def _rand(g: torch.Generator, *shape: int) -> torch.Tensor:
    return torch.rand(*shape, generator=g)


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


def _boxes(g: torch.Generator, n: int, scale: float = 1.0) -> torch.Tensor:
    """``n`` random corner boxes inside [0, scale]², each at least 5 % of it wide and high."""
    xy = _rand(g, n, 2) * 0.7
    wh = 0.05 + _rand(g, n, 2) * 0.4
    return torch.cat((xy, (xy + wh).clamp(max=1.0)), dim=1) * scale


def _jitter(g: torch.Generator, boxes: torch.Tensor, k: int, amount: float) -> torch.Tensor:
    """``k`` copies of each box with every corner moved by up to ``amount``."""
    reps = boxes.repeat_interleave(k, dim=0)
    moved = reps + (_rand(g, *reps.shape) - 0.5) * 2 * amount
    lo = torch.min(moved[:, :2], moved[:, 2:] - 0.02)
    return torch.cat((lo, moved[:, 2:]), dim=1)


# ---- the book's examples ------------------------------------------------------------------

BOOK_DOG_CAT = torch.tensor([[60.0, 45.0, 378.0, 516.0], [400.0, 112.0, 655.0, 493.0]])
BOOK_GT = torch.tensor([[0, 0.1, 0.08, 0.52, 0.92], [1, 0.55, 0.2, 0.9, 0.88]])
BOOK_ANCHORS = torch.tensor([[0, 0.1, 0.2, 0.3], [0.15, 0.2, 0.4, 0.4], [0.63, 0.05, 0.88, 0.98],
                             [0.66, 0.45, 0.8, 0.8], [0.57, 0.3, 0.92, 0.9]])
#: Two objects that want the same anchor most: anchor 0 overlaps object 1 (IoU 0.8) more
#: than object 0 (0.5).  Largest overlap first gives anchor 0 to object 1; going object by
#: object (column by column) gives it to object 0, which the question rules out.
CONTESTED_GT = torch.tensor([[0.0, 0.0, 0.5, 1.0], [0.0, 0.0, 1.0, 0.8]])
CONTESTED_ANCHORS = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.1, 0.5, 0.6, 1.0],
                                  [0.6, 0.0, 1.0, 0.4]])
BOOK_NMS_BOXES = torch.tensor([[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95],
                               [0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88]])
BOOK_CLS_PROBS = torch.tensor([[0.0] * 4, [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]])


# ---- §9.3 / §9.4 cases ------------------------------------------------------------------

def _rect_case(g: torch.Generator) -> Args:
    box = _boxes(g, 1, 500.0)[0]
    return args([round(float(v), 1) for v in box])


def _corner_case(n: int, scale: float):
    def make(g: torch.Generator) -> Args:
        return args(_boxes(g, n, scale))
    return make


def _center_case(n: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.cat((_rand(g, n, 2) * 300, 1 + _rand(g, n, 2) * 100), dim=1))
    return make


def _prior_case(shape: tuple[int, ...], sizes: list[float], ratios: list[float]):
    def make(g: torch.Generator) -> Args:
        return args(torch.zeros(shape), sizes, ratios)
    return make


def _iou_case(n: int, m: int):
    def make(g: torch.Generator) -> Args:
        b1 = _boxes(g, n)
        b2 = torch.cat((_jitter(g, b1[: m // 2], 1, 0.1), _boxes(g, m - m // 2)))
        return args(b1, b2)
    return make


def _assign_case(n_gt: int, n_extra: int, threshold: float):
    """Each object has two near copies among the anchors, so no IoU ties decide anything."""
    def make(g: torch.Generator) -> Args:
        gt = _boxes(g, n_gt)
        anchors = torch.cat((_jitter(g, gt, 2, 0.12), _boxes(g, n_extra)))
        anchors = anchors[torch.randperm(len(anchors), generator=g)]
        return args(gt, anchors, threshold)
    return make


def _offset_case(n: int):
    def make(g: torch.Generator) -> Args:
        anchors = _boxes(g, n)
        return args(anchors, _jitter(g, anchors, 1, 0.1))
    return make


def _target_case(batch: int, n_gt: int, n_extra: int):
    def make(g: torch.Generator) -> Args:
        labels, anchor_parts = [], []
        for _ in range(batch):
            gt = _boxes(g, n_gt)
            cls = torch.randint(0, 3, (n_gt, 1), generator=g).float()
            labels.append(torch.cat((cls, gt), dim=1))
            anchor_parts.append(_jitter(g, gt, 1, 0.12))
        anchors = torch.cat(anchor_parts + [_boxes(g, n_extra)])
        anchors = anchors[torch.randperm(len(anchors), generator=g)]
        return args(anchors.unsqueeze(0), torch.stack(labels))
    return make


def _inverse_case(n: int):
    def make(g: torch.Generator) -> Args:
        return args(_boxes(g, n), _randn(g, n, 4, scale=0.8))
    return make


def _nms_case(n_clusters: int, per: int, threshold: float):
    def make(g: torch.Generator) -> Args:
        boxes = _jitter(g, _boxes(g, n_clusters), per, 0.08)
        boxes = boxes[torch.randperm(len(boxes), generator=g)]
        return args(boxes, _rand(g, len(boxes)), threshold)
    return make


def _detection_case(batch: int, n_clusters: int, per: int, classes: int,
                    nms_threshold: float = 0.5, pos_threshold: float = 0.009999999):
    def make(g: torch.Generator) -> Args:
        n = n_clusters * per
        anchors = _jitter(g, _boxes(g, n_clusters), per, 0.04).unsqueeze(0)
        probs = torch.softmax(_randn(g, batch, classes + 1, n, scale=2.0), dim=1)
        offsets = _randn(g, batch, 4 * n, scale=0.1)
        return args(probs, offsets, anchors, nms_threshold, pos_threshold)
    return make


def _book_detection(g: torch.Generator) -> Args:
    return args(BOOK_CLS_PROBS.unsqueeze(0), torch.zeros(1, 16), BOOK_NMS_BOXES.unsqueeze(0))


def _match_rows(actual: Any, expected: torch.Tensor, what: str) -> list[tuple[str, str]]:
    """Rows of ``actual`` equal ``expected``'s within ROW_ATOL, in any order."""
    if type(actual) is not torch.Tensor or actual.dtype != torch.float32:
        return _problem(f"{what} 应是 float32 张量", f"{what} should be a float32 tensor")
    if actual.shape != expected.shape:
        return _problem(f"{what} 的形状应为 {tuple(expected.shape)}，得到 {tuple(actual.shape)}",
                        f"{what} should have shape {tuple(expected.shape)}, got "
                        f"{tuple(actual.shape)}")
    exp, act = expected.reshape(-1, expected.shape[-1]), actual.reshape(-1, expected.shape[-1])
    groups = [(exp, act)] if expected.dim() == 2 else list(zip(expected, actual, strict=True))
    for e_rows, a_rows in groups:
        left = list(range(len(a_rows)))
        for row in e_rows:
            dist = [float((a_rows[j] - row).abs().max()) for j in left]
            best = min(range(len(left)), key=dist.__getitem__, default=None)
            if best is None or not dist[best] <= ROW_ATOL:
                values = ", ".join(f"{v:.4f}" for v in row.tolist())
                return _problem(f"{what} 中缺少（或多出）一行，例如应有 [{values}]",
                                f"{what} misses a row (or has an extra one), e.g. "
                                f"[{values}] is expected")
            left.pop(best)
    return []


def _detection_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """The reference's rows, one to one, in any order within each image."""
    return _match_rows(actual, det.multibox_detection(*a.args), "输出 / the output")


def _display_case(fmap_w: int, fmap_h: int, s: list[float], img_w: int, img_h: int):
    def make(g: torch.Generator) -> Args:
        return args(fmap_w, fmap_h, s, img_w, img_h)
    return make


def _roi_case(batch: int, channels: int, size: tuple[int, int], n_rois: int,
              out: tuple[int, int], scale: float):
    def make(g: torch.Generator) -> Args:
        X = _randn(g, batch, channels, *size)
        h, w = size[0] / scale, size[1] / scale
        boxes = _boxes(g, n_rois) * torch.tensor([w, h, w, h])
        idx = torch.randint(0, batch, (n_rois, 1), generator=g).float()
        return args(X, torch.cat((idx, boxes.round()), dim=1), out, scale)
    return make


# ---- §9.6 the Pikachu stand-in ------------------------------------------------------------

@cache
def _pikachu_parts() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    with tempfile.TemporaryDirectory() as folder:
        root = pikachu.write_standin(folder)
        return {part: pikachu.read_pikachu(root, part) for part in ("train", "val")}


def _pikachu_case(count: int, size: int, part: str):
    """``count`` small pictures drawn like the stand-in's, json keys in a shuffled order."""
    def make(g: torch.Generator) -> Args:
        images, boxes = pikachu.draw_images(int(torch.randint(0, 2**31, (1,), generator=g)),
                                            count, size)
        order = torch.randperm(count, generator=g).tolist()
        return args(images, boxes, part, order)
    return make


# ---- §9.7 SSD cases ---------------------------------------------------------------------

def _construct_case(x_shape: tuple[int, ...], *init: Any, **init_kwargs: Any):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *x_shape), init=init, init_kwargs=init_kwargs, fill=True)
    return make


def _flatten_case(*shape: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *shape))
    return make


def _concat_case(shapes: list[tuple[int, ...]]):
    def make(g: torch.Generator) -> Args:
        return args([_randn(g, *s) for s in shapes])
    return make


def _conv(g: torch.Generator, c_in: int, c_out: int) -> Any:
    state = {"weight": _randn(g, c_out, c_in, 3, 3, scale=0.3), "bias": _randn(g, c_out)}
    return new("torch.nn.Conv2d", c_in, c_out, 3, padding=1, state=state)


def _blk_forward_case(x_shape: tuple[int, ...], c_out: int, size: list[float],
                      ratio: list[float], classes: int, pool: bool):
    def make(g: torch.Generator) -> Args:
        a = len(size) + len(ratio) - 1
        blk = new("torch.nn.MaxPool2d", 2) if pool else _conv(g, x_shape[1], c_out)
        c = x_shape[1] if pool else c_out
        return args(_randn(g, *x_shape), blk, size, ratio,
                    _conv(g, c, a * (classes + 1)), _conv(g, c, 4 * a))
    return make


def _loss_case(batch: int, n: int, classes: int):
    def make(g: torch.Generator) -> Args:
        masks = (_rand(g, batch, n) < 0.3).float().repeat_interleave(4, dim=1)
        return args(_randn(g, batch, n, classes + 1), torch.randint(0, classes + 1, (batch, n),
                                                                    generator=g),
                    _randn(g, batch, 4 * n), _randn(g, batch, 4 * n), masks)
    return make


def _cls_eval_case(batch: int, n: int, classes: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, batch, n, classes + 1),
                    torch.randint(0, classes + 1, (batch, n), generator=g))
    return make


def _bbox_eval_case(batch: int, n: int):
    def make(g: torch.Generator) -> Args:
        masks = (_rand(g, batch, n) < 0.4).float().repeat_interleave(4, dim=1)
        return args(_randn(g, batch, 4 * n), _randn(g, batch, 4 * n), masks)
    return make


def _train_case(first: int, count: int, num_steps: int, batch_size: int, lr: float):
    def make(g: torch.Generator) -> Args:
        images, labels = _pikachu_parts()["train"]
        return args(images[first:first + count].clone(), labels[first:first + count].clone(),
                    num_steps, batch_size, lr)
    return make


def _train_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """One finite loss per step, and the last three average at most TRAIN_DROP of the first."""
    steps = a.args[2]
    if type(actual) is not list or len(actual) != steps or not all(
            type(v) is float and math.isfinite(v) for v in actual):
        return _problem(f"应返回 {steps} 个有限的 Python 浮点数（每步的损失）",
                        f"should return {steps} finite Python floats (the loss of each step)")
    tail = sum(actual[-3:]) / 3
    if not tail <= TRAIN_DROP * actual[0]:
        return _problem(f"损失下降不够：最后三步平均 {tail:.4f}，第一步 {actual[0]:.4f}"
                        f"（应不超过其 {TRAIN_DROP:g} 倍）",
                        f"the loss did not fall enough: the last three steps average "
                        f"{tail:.4f}, the first was {actual[0]:.4f} (at most "
                        f"{TRAIN_DROP:g} times it)")
    return []


def _predict_case(batch: int, n_clusters: int, per: int, classes: int, threshold: float):
    def make(g: torch.Generator) -> Args:
        n = n_clusters * per
        anchors = _jitter(g, _boxes(g, n_clusters), per, 0.04).unsqueeze(0)
        return args(anchors, _randn(g, batch, n, classes + 1, scale=2.0),
                    _randn(g, batch, 4 * n, scale=0.1), threshold)
    return make


def _predict_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    return _match_rows(actual, ssd.predict(*a.args), "输出 / the output")


QUESTIONS = [
    # §9.3
    Question("bbox_to_rect_args", 1, det.bbox_to_rect_args, cases=[
        public(lambda g: args([60.0, 45.0, 378.0, 516.0])),
        hidden(_rect_case), hidden(lambda g: args([0.5, 1.5, 2.0, 4.0]))]),
    Question("box_corner_to_center", 1, det.box_corner_to_center, cases=[
        public(lambda g: args(BOOK_DOG_CAT.clone())),
        hidden(_corner_case(5, 1.0)), hidden(_corner_case(1, 400.0))]),
    Question("box_center_to_corner", 1, det.box_center_to_corner, cases=[
        public(lambda g: args(torch.tensor([[219.0, 280.5, 318.0, 471.0],
                                            [527.5, 302.5, 255.0, 381.0]]))),
        hidden(_center_case(6)), hidden(_center_case(1))]),
    # §9.4
    Question("multibox_prior", 2, det.multibox_prior, cases=[
        public(_prior_case((1, 3, 4, 5), [0.75, 0.5, 0.25], [1, 2, 0.5])),
        hidden(_prior_case((1, 3, 6, 3), [0.3, 0.6], [1, 3, 0.25, 2])),
        hidden(_prior_case((2, 1, 5, 7), [0.2], [2, 1])),
        hidden(_prior_case((1, 10, 2, 2), [0.15, 0.4, 0.9], [1]))]),
    Question("box_iou", 1, det.box_iou, cases=[
        public(lambda g: args(BOOK_ANCHORS.clone(), BOOK_GT[:, 1:].clone())),
        hidden(_iou_case(7, 6)), hidden(_iou_case(1, 4))]),
    Question("assign_anchor_to_bbox", 2, det.assign_anchor_to_bbox, cases=[
        public(lambda g: args(BOOK_GT[:, 1:].clone(), BOOK_ANCHORS.clone())),
        hidden(_assign_case(3, 6, 0.5)), hidden(_assign_case(2, 4, 0.3)),
        hidden(_assign_case(4, 2, 0.7)),
        hidden(lambda g: args(CONTESTED_GT.clone(), CONTESTED_ANCHORS.clone(), 0.5))]),
    Question("offset_boxes", 1, det.offset_boxes, cases=[
        public(lambda g: args(BOOK_ANCHORS[2:3].clone(), BOOK_GT[1:2, 1:].clone())),
        hidden(_offset_case(6)), hidden(_offset_case(2))]),
    Question("multibox_target", 2, det.multibox_target, tolerance=Tolerance(1e-5, 1e-5),
             cases=[public(lambda g: args(BOOK_ANCHORS.unsqueeze(0), BOOK_GT.unsqueeze(0))),
                    hidden(_target_case(2, 3, 5)), hidden(_target_case(3, 1, 4))]),
    Question("offset_inverse", 1, det.offset_inverse, cases=[
        public(lambda g: args(BOOK_ANCHORS[:2].clone(), torch.tensor([[1.0, -2.0, 0.5, 0.0],
                                                                      [0.0, 0.0, 0.0, 0.0]]))),
        hidden(_inverse_case(6)), hidden(_inverse_case(1))]),
    Question("nms", 2, det.nms, cases=[
        public(lambda g: args(BOOK_NMS_BOXES.clone(), torch.tensor([0.9, 0.8, 0.7, 0.9]), 0.5)),
        hidden(_nms_case(3, 4, 0.5)), hidden(_nms_case(4, 3, 0.3)),
        hidden(_nms_case(2, 5, 0.8))]),
    Question("multibox_detection", 2, det.multibox_detection, invariant=_detection_invariant,
             cases=[public(_book_detection),
                    hidden(_detection_case(2, 3, 3, 2, pos_threshold=0.45)),
                    hidden(_detection_case(1, 4, 3, 3, nms_threshold=0.3, pos_threshold=0.4)),
                    hidden(_detection_case(2, 2, 4, 1, pos_threshold=0.6))]),
    # §9.5
    Question("display_anchors", 1, det.display_anchors, cases=[
        public(_display_case(4, 4, [0.15], 728, 561)),
        hidden(_display_case(2, 1, [0.4], 728, 561)),
        hidden(_display_case(3, 5, [0.8, 0.3], 100, 60))]),
    # §9.6
    Question("read_pikachu", 2, pikachu.pikachu_probe, object="pikachu_probe", cpu_only=True,
             cases=[public(_pikachu_case(3, 16, "val")), hidden(_pikachu_case(12, 16, "train")),
                    hidden(_pikachu_case(11, 20, "val"))]),
    # §9.7
    Question("cls_predictor", 1, ssd.cls_predictor, tolerance=WITH_WEIGHTS,
             kind=CONSTRUCT_NET, cases=[
        public(_construct_case((2, 8, 20, 20), 8, 5, 10)),
        hidden(_construct_case((1, 4, 3, 5), 4, 2, 3)),
        hidden(_construct_case((2, 6, 7, 7), 6, 4, 1))]),
    Question("bbox_predictor", 1, ssd.bbox_predictor, tolerance=WITH_WEIGHTS,
             kind=CONSTRUCT_NET, cases=[
        public(_construct_case((2, 16, 10, 10), 16, 3)),
        hidden(_construct_case((1, 5, 4, 6), 5, 4)),
        hidden(_construct_case((3, 2, 5, 5), 2, 1))]),
    Question("flatten_pred", 1, ssd.flatten_pred, cases=[
        public(lambda g: args(torch.arange(24.0).reshape(1, 6, 2, 2))),
        hidden(_flatten_case(2, 5, 3, 4)), hidden(_flatten_case(3, 2, 1, 6))]),
    Question("concat_preds", 1, ssd.concat_preds, cases=[
        public(lambda g: args([torch.arange(8.0).reshape(1, 2, 2, 2),
                               torch.arange(3.0).reshape(1, 3, 1, 1)])),
        hidden(_concat_case([(2, 6, 4, 4), (2, 3, 2, 2), (2, 5, 1, 1)])),
        hidden(_concat_case([(1, 4, 3, 2)]))]),
    Question("down_sample_blk", 1, ssd.down_sample_blk, tolerance=WITH_WEIGHTS,
             kind=Construct(harvest=("output", "names", "layers")), cases=[
        public(_construct_case((2, 3, 20, 20), 3, 10)),
        hidden(_construct_case((1, 4, 6, 8), 4, 6)),
        hidden(_construct_case((2, 2, 5, 5), 2, 3))]),
    Question("base_net", 1, ssd.base_net, tolerance=WITH_WEIGHTS,
             kind=Construct(harvest=("output", "names", "layers")), cases=[
        public(_construct_case((2, 3, 32, 32))),
        hidden(_construct_case((1, 3, 24, 40)))]),
    Question("get_blk", 1, ssd.get_blk, tolerance=DEEP_NET, kind=CONSTRUCT_NET, cases=[
        public(_construct_case((1, 64, 8, 8), 1)),
        public(_construct_case((1, 128, 3, 5), 4)),
        hidden(_construct_case((1, 3, 16, 16), 0)),
        hidden(_construct_case((2, 64, 4, 6), 1)),
        hidden(_construct_case((2, 128, 4, 4), 3))]),
    Question("blk_forward", 1, ssd.blk_forward, tolerance=DEEP_NET, cases=[
        public(_blk_forward_case((2, 3, 8, 8), 4, [0.2, 0.272], [1, 2, 0.5], 1, False)),
        hidden(_blk_forward_case((1, 2, 6, 4), 3, [0.5], [1, 2], 2, False)),
        hidden(_blk_forward_case((1, 3, 4, 6), 0, [0.3, 0.7], [1], 3, True))]),
    Question("TinySSD", 2, ssd.TinySSD, tolerance=DEEP_NET, kind=CONSTRUCT_NET, cases=[
        public(_construct_case((1, 3, 64, 64), num_classes=1)),
        hidden(_construct_case((2, 3, 72, 72), num_classes=3)),
        hidden(_construct_case((1, 3, 64, 80), num_classes=2))]),
    Question("calc_loss", 2, ssd.calc_loss, cases=[
        public(_loss_case(2, 6, 1)), hidden(_loss_case(3, 10, 3)), hidden(_loss_case(1, 4, 2))]),
    Question("cls_eval", 1, ssd.cls_eval, cases=[
        public(_cls_eval_case(2, 6, 1)), hidden(_cls_eval_case(3, 20, 3)),
        hidden(_cls_eval_case(1, 5, 4))]),
    Question("bbox_eval", 1, ssd.bbox_eval, cases=[
        public(_bbox_eval_case(2, 6)), hidden(_bbox_eval_case(3, 10)),
        hidden(_bbox_eval_case(1, 3))]),
    Question("train_ssd", 2, ssd.train_ssd, invariant=_train_invariant, cases=[
        public(_train_case(0, 16, 8, 8, 0.2)),
        hidden(_train_case(16, 16, 8, 8, 0.1))]),
    Question("predict", 1, ssd.predict, invariant=_predict_invariant, cases=[
        public(_predict_case(1, 3, 3, 1, 0.3)),
        hidden(_predict_case(2, 4, 3, 2, 0.5)), hidden(_predict_case(1, 3, 2, 3, 0.2))]),
    # §9.8
    Question("roi_pool", 2, det.roi_pool, cases=[
        public(lambda g: args(torch.arange(16.0).reshape(1, 1, 4, 4),
                              torch.tensor([[0.0, 0, 0, 20, 20], [0, 0, 10, 30, 30]]),
                              (2, 2), 0.1)),
        hidden(_roi_case(2, 3, (9, 11), 4, (3, 2), 0.25)),
        hidden(_roi_case(1, 2, (5, 5), 3, (3, 3), 0.5))]),
]

NOTEBOOK = NotebookSpec("detection", QUESTIONS, prepare_data=pikachu.write_standin)
