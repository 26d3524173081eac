"""Chapter 9, notebook ``detection`` (§9.3–9.5, §9.8): boxes, anchors, IoU, NMS, RoI pooling.

The answer key for the box arithmetic of ``solutions/ch09_vision`` notebook
``detection``; the SSD pieces of §9.7 live in :mod:`reference_impl.ch09_ssd` and the
Pikachu stand-in in :mod:`reference_impl.pikachu`.  No torchvision: IoU, NMS and RoI
pooling are written here and checked in ``tests/test_ch09_detection.py`` against
brute-force code.

Conventions pinned down (the book's MXNet operators, as d2l v2 re-implements them, not
the PyTorch port's variants):

* Boxes are ``(xmin, ymin, xmax, ymax)``; anchors are in coordinates normalised by the
  image width and height.
* ``multibox_prior`` centres anchors on pixel centres ``((j + 0.5)/w, (i + 0.5)/h)``,
  scales the width by ``h/w`` so that ratio 1 gives a square *in pixels*, and orders the
  anchors of one pixel as (every size with ``ratios[0]``) then (``sizes[0]`` with every
  other ratio).  With a (1, 3, 561, 728) input, sizes (0.75, 0.5, 0.25) and ratios
  (1, 2, 0.5), ``boxes[250, 250, 0]`` is [0.0551, 0.0715, 0.6331, 0.8215].
* ``multibox_detection`` decodes the offsets, runs one class-agnostic NMS over all
  anchors, and returns the kept rows (descending confidence) then the others (class −1);
  rows whose confidence is below ``pos_threshold`` get class −1 and ``1 − conf``.
* ``roi_pool`` follows ``torchvision.ops.roi_pool``: corners are scaled and rounded half
  away from zero, the region includes its last row and column, and bin ``p`` covers
  rows ``floor(p·h/P)`` to ``ceil((p+1)·h/P)`` (exclusive) of the region.
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "bbox_to_rect_args",
    "box_corner_to_center",
    "box_center_to_corner",
    "multibox_prior",
    "box_iou",
    "assign_anchor_to_bbox",
    "offset_boxes",
    "multibox_target",
    "offset_inverse",
    "nms",
    "multibox_detection",
    "display_anchors",
    "roi_pool",
]


# ---------------------------------------------------------------------------
# §9.3 Boxes
# ---------------------------------------------------------------------------


def bbox_to_rect_args(bbox: list[float]) -> tuple[tuple[float, float], float, float]:
    """``((xmin, ymin), width, height)`` of a corner box: what ``plt.Rectangle`` needs (§9.3).

    matplotlib draws a rectangle from its lower-left corner (upper-left once the image
    axis points down) and its size, not from two corners.
    """
    xmin, ymin, xmax, ymax = (float(v) for v in bbox)
    return (xmin, ymin), xmax - xmin, ymax - ymin


def box_corner_to_center(boxes: torch.Tensor) -> torch.Tensor:
    """(xmin, ymin, xmax, ymax) → (cx, cy, w, h), row by row (§9.3).

    Offsets between anchors and objects are measured on centres and sizes.
    """
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def box_center_to_corner(boxes: torch.Tensor) -> torch.Tensor:
    """(cx, cy, w, h) → (xmin, ymin, xmax, ymax), the inverse of :func:`box_corner_to_center`."""
    cx, cy, w, h = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), dim=-1)


# ---------------------------------------------------------------------------
# §9.4 Anchors
# ---------------------------------------------------------------------------


def multibox_prior(data: torch.Tensor, sizes: list[float], ratios: list[float]) -> torch.Tensor:
    """Anchors centred on every pixel of ``data``'s last two dimensions, shape (1, h·w·a, 4).

    ``a = len(sizes) + len(ratios) − 1``: pairing every size with every ratio would give
    too many anchors, so only the pairs that contain ``sizes[0]`` or ``ratios[0]`` are
    used.  An anchor of size s and ratio r is ``s·√r`` wide (times h/w, so that it is
    square in pixels when r = 1) and ``s/√r`` high, in normalised coordinates.
    """
    h, w = data.shape[-2:]
    size_t = torch.tensor(sizes, dtype=torch.float32)
    ratio_t = torch.tensor(ratios, dtype=torch.float32)
    # half-widths and half-heights of the a anchor shapes
    widths = torch.cat((size_t * math.sqrt(ratios[0]), sizes[0] * ratio_t[1:].sqrt())) * h / w
    heights = torch.cat((size_t / math.sqrt(ratios[0]), sizes[0] / ratio_t[1:].sqrt()))
    half = torch.stack((-widths, -heights, widths, heights), dim=1) / 2       # (a, 4)
    cy = (torch.arange(h, dtype=torch.float32) + 0.5) / h
    cx = (torch.arange(w, dtype=torch.float32) + 0.5) / w
    yy, xx = torch.meshgrid(cy, cx, indexing="ij")
    centres = torch.stack((xx, yy, xx, yy), dim=-1).reshape(-1, 1, 4)        # (h·w, 1, 4)
    return (centres + half).reshape(1, -1, 4)


def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """Jaccard index of every box in ``boxes1`` (n, 4) with every box in ``boxes2`` (m, 4): (n, m).

    The intersection is the box between the larger upper-left and the smaller
    lower-right corners, empty (area 0) when they cross.
    """
    def area(b: torch.Tensor) -> torch.Tensor:
        return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])

    upper_left = torch.max(boxes1[:, None, :2], boxes2[None, :, :2])
    lower_right = torch.min(boxes1[:, None, 2:], boxes2[None, :, 2:])
    sides = (lower_right - upper_left).clamp(min=0)
    inter = sides[..., 0] * sides[..., 1]
    return inter / (area(boxes1)[:, None] + area(boxes2)[None, :] - inter)


def assign_anchor_to_bbox(ground_truth: torch.Tensor, anchors: torch.Tensor,
                          iou_threshold: float = 0.5) -> torch.Tensor:
    """Index of the ground-truth box each anchor is responsible for, −1 for none: (n_anchors,).

    First every object takes the anchor with the largest IoU left in the matrix (largest
    pair overall first; its row and column are then struck out), so each object gets an
    anchor even when no anchor overlaps it well.  Every other anchor takes the object it
    overlaps most if that IoU reaches ``iou_threshold``.  (The book writes the threshold
    step first; the greedy step overwrites it, so the result is the same.)
    """
    n_anchors, n_gt = anchors.shape[0], ground_truth.shape[0]
    iou = box_iou(anchors, ground_truth)
    best_iou, best_gt = iou.max(dim=1)
    assigned = torch.where(best_iou >= iou_threshold, best_gt,
                           torch.full((n_anchors,), -1, dtype=torch.long))
    iou = iou.clone()
    for _ in range(n_gt):
        flat = int(torch.argmax(iou))
        a, j = flat // n_gt, flat % n_gt
        assigned[a] = j
        iou[:, j] = -1
        iou[a, :] = -1
    return assigned


def offset_boxes(anchors: torch.Tensor, assigned_bb: torch.Tensor,
                 eps: float = 1e-6) -> torch.Tensor:
    """Offsets (10·Δx/w, 10·Δy/h, 5·log(w'/w), 5·log(h'/h)) of boxes from anchors: (n, 4).

    Normalising by the anchor size makes offsets comparable across scales; the constants
    are the book's (means 0, standard deviations 0.1 and 0.2), and ``eps`` keeps the log
    finite for the all-zero boxes of unassigned anchors.
    """
    a = box_corner_to_center(anchors)
    b = box_corner_to_center(assigned_bb)
    xy = 10 * (b[:, :2] - a[:, :2]) / a[:, 2:]
    wh = 5 * torch.log(eps + b[:, 2:] / a[:, 2:])
    return torch.cat((xy, wh), dim=1)


def multibox_target(anchors: torch.Tensor, labels: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training targets for anchors (1, n, 4) and labels (b, m, 5) rows (class, corners).

    Returns ``(bbox_offset (b, 4n), bbox_mask (b, 4n), class_labels (b, n))``: an anchor
    assigned to object j has class ``labels[j, 0] + 1`` (0 is background), the offsets
    of :func:`offset_boxes` and mask 1; an unassigned anchor has class 0, offsets 0 and
    mask 0, so its box never enters the loss.  Only the objects of an image loop; the
    anchors are handled as tensors.
    """
    anchors = anchors.squeeze(0)
    n = anchors.shape[0]
    offsets, masks, classes = [], [], []
    for label in labels:
        assigned = assign_anchor_to_bbox(label[:, 1:], anchors)
        positive = assigned >= 0
        idx = assigned.clamp(min=0)
        cls = torch.where(positive, label[idx, 0].long() + 1,
                          torch.zeros(n, dtype=torch.long))
        mask = positive.float().unsqueeze(-1).repeat(1, 4)
        boxes = label[idx, 1:] * mask
        offsets.append((offset_boxes(anchors, boxes) * mask).reshape(-1))
        masks.append(mask.reshape(-1))
        classes.append(cls)
    return torch.stack(offsets), torch.stack(masks), torch.stack(classes)


def offset_inverse(anchors: torch.Tensor, offset_preds: torch.Tensor) -> torch.Tensor:
    """Corner boxes from anchors (n, 4) and offsets (n, 4): undoes :func:`offset_boxes`."""
    a = box_corner_to_center(anchors)
    xy = offset_preds[:, :2] * a[:, 2:] / 10 + a[:, :2]
    wh = torch.exp(offset_preds[:, 2:] / 5) * a[:, 2:]
    return box_center_to_corner(torch.cat((xy, wh), dim=1))


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Indices of the boxes kept by non-maximum suppression, by descending score (int64).

    Take the best remaining box, drop every remaining box whose IoU with it exceeds the
    threshold, repeat: of a cluster of near-duplicates only the most confident survives.
    """
    order = torch.argsort(scores, descending=True)
    keep = []
    while order.numel() > 0:
        best = order[0]
        keep.append(int(best))
        rest = order[1:]
        if rest.numel() == 0:
            break
        iou = box_iou(boxes[best].reshape(1, 4), boxes[rest]).reshape(-1)
        order = rest[iou <= iou_threshold]
    return torch.tensor(keep, dtype=torch.long)


def multibox_detection(cls_probs: torch.Tensor, offset_preds: torch.Tensor,
                       anchors: torch.Tensor, nms_threshold: float = 0.5,
                       pos_threshold: float = 0.009999999) -> torch.Tensor:
    """Detections (b, n, 6) rows (class, confidence, corners) from class probabilities.

    ``cls_probs`` is (b, 1 + classes, n) with background first, ``offset_preds`` (b, 4n),
    ``anchors`` (1, n, 4).  Each anchor predicts its most probable non-background class
    and the box its offsets decode to; NMS over all boxes keeps some, the others get
    class −1 and follow the kept rows; a confidence below ``pos_threshold`` also means
    background (class −1, confidence ``1 − conf``).
    """
    anchors = anchors.squeeze(0)
    n = anchors.shape[0]
    out = []
    for probs, offsets in zip(cls_probs, offset_preds, strict=True):
        conf, cls = probs[1:].max(dim=0)
        boxes = offset_inverse(anchors, offsets.reshape(-1, 4))
        keep = nms(boxes, conf, nms_threshold)
        dropped = torch.ones(n, dtype=torch.bool)
        dropped[keep] = False
        order = torch.cat((keep, torch.arange(n)[dropped]))
        cls = torch.where(dropped, -1, cls)[order].float()
        conf, boxes = conf[order].clone(), boxes[order]
        low = conf < pos_threshold
        cls[low] = -1
        conf[low] = 1 - conf[low]
        out.append(torch.cat((cls[:, None], conf[:, None], boxes), dim=1))
    return torch.stack(out)


# ---------------------------------------------------------------------------
# §9.5 Multiscale anchors
# ---------------------------------------------------------------------------


def display_anchors(fmap_w: int, fmap_h: int, s: list[float], img_w: int,
                    img_h: int) -> torch.Tensor:
    """Pixel anchors (h·w·3, 4) centred on a ``fmap_h × fmap_w`` grid over an image (§9.5).

    Only the feature map's height and width matter for the anchor centres, so a zero
    tensor of shape (1, 10, fmap_h, fmap_w) stands in for it; ratios are (1, 2, 0.5).
    Multiplying by (w, h, w, h) turns normalised corners into pixels for drawing.
    """
    fmap = torch.zeros((1, 10, fmap_h, fmap_w))
    anchors = multibox_prior(fmap, sizes=s, ratios=[1, 2, 0.5])[0]
    return anchors * torch.tensor([img_w, img_h, img_w, img_h], dtype=torch.float32)


# ---------------------------------------------------------------------------
# §9.8 Region-based CNNs: RoI pooling
# ---------------------------------------------------------------------------


def _round_half_away(x: float) -> int:
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def roi_pool(X: torch.Tensor, rois: torch.Tensor, output_size: tuple[int, int],
             spatial_scale: float) -> torch.Tensor:
    """Max-pool each region of interest of ``X`` (b, c, H, W) into a fixed grid: (k, c, P, Q).

    ``rois`` rows are (image index, x1, y1, x2, y2) in input-image pixels; ``spatial_scale``
    maps them onto ``X``.  Regions of any size give the same output size, which is what
    lets Fast R-CNN feed every proposal to the same fully connected layers.
    """
    P, Q = output_size
    H, W = X.shape[-2:]
    out = torch.zeros((rois.shape[0], X.shape[1], P, Q), dtype=X.dtype)
    for k, roi in enumerate(rois.tolist()):
        b = int(roi[0])
        x1, y1, x2, y2 = (_round_half_away(v * spatial_scale) for v in roi[1:])
        h, w = max(y2 - y1 + 1, 1), max(x2 - x1 + 1, 1)
        for p in range(P):
            top = min(max(math.floor(p * h / P) + y1, 0), H)
            bottom = min(max(math.ceil((p + 1) * h / P) + y1, 0), H)
            for q in range(Q):
                left = min(max(math.floor(q * w / Q) + x1, 0), W)
                right = min(max(math.ceil((q + 1) * w / Q) + x1, 0), W)
                if bottom > top and right > left:
                    out[k, :, p, q] = X[b, :, top:bottom, left:right].amax(dim=(-2, -1))
    return out
