"""Chapter 9, notebook ``detection`` (§9.7): the single shot multibox detector, reduced.

The answer key for the SSD questions of ``solutions/ch09_vision`` notebook
``detection``.  The network is the book's TinySSD (five stages, two sizes and three
ratios per stage, so four anchors per pixel); the book trains it 20 epochs on 256-pixel
images, far too slow for a grader's CPU, so the course trains it for a few steps on
64-pixel stand-in images and judges the drop of the loss.

Layouts pinned down: predictions are flattened channels-last (``(b, c, h, w)`` →
``(b, h·w·c)``), so the a·(q+1) class scores of one pixel sit next to each other and
line up with that pixel's a anchors; ``TinySSD`` names its parts ``blk_i``, ``cls_i``,
``bbox_i`` (i = 0…4) and returns ``(anchors (1, n, 4), cls_preds (b, n, q+1),
bbox_preds (b, 4n))``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .ch09_detection import multibox_detection, multibox_prior, multibox_target

__all__ = [
    "cls_predictor",
    "bbox_predictor",
    "flatten_pred",
    "concat_preds",
    "down_sample_blk",
    "base_net",
    "get_blk",
    "blk_forward",
    "SIZES",
    "RATIOS",
    "TinySSD",
    "calc_loss",
    "cls_eval",
    "bbox_eval",
    "train_ssd",
    "predict",
]

#: Anchor sizes per stage: from 0.2 up to 0.961 of the image, two per stage, the second
#: the geometric mean of the stage's first size and the next stage's.
SIZES = [[0.2, 0.272], [0.37, 0.447], [0.54, 0.619], [0.71, 0.79], [0.88, 0.961]]
RATIOS = [[1, 2, 0.5]] * 5
NUM_ANCHORS = len(SIZES[0]) + len(RATIOS[0]) - 1


def cls_predictor(num_inputs: int, num_anchors: int, num_classes: int) -> nn.Conv2d:
    """A 3×3 convolution giving a·(q+1) class scores per pixel, size preserved (§9.7)."""
    return nn.Conv2d(num_inputs, num_anchors * (num_classes + 1), kernel_size=3, padding=1)


def bbox_predictor(num_inputs: int, num_anchors: int) -> nn.Conv2d:
    """A 3×3 convolution giving four offsets for each of the a anchors of a pixel."""
    return nn.Conv2d(num_inputs, num_anchors * 4, kernel_size=3, padding=1)


def flatten_pred(pred: torch.Tensor) -> torch.Tensor:
    """(b, c, h, w) → (b, h·w·c), channels last so a pixel's predictions stay together."""
    return pred.permute(0, 2, 3, 1).flatten(start_dim=1)


def concat_preds(preds: list[torch.Tensor]) -> torch.Tensor:
    """Predictions of several scales, each flattened, joined along dimension 1."""
    return torch.cat([flatten_pred(p) for p in preds], dim=1)


def down_sample_blk(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two (3×3 conv, BatchNorm, ReLU) then 2×2 max pooling: halves height and width."""
    layers: list[nn.Module] = []
    for _ in range(2):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
                   nn.BatchNorm2d(out_channels), nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


def base_net() -> nn.Sequential:
    """Three down-sampling blocks, 3 → 16 → 32 → 64 channels: an eighth of the size."""
    channels = [3, 16, 32, 64]
    return nn.Sequential(*[down_sample_blk(a, b) for a, b in zip(channels[:-1], channels[1:],
                                                                 strict=True)])


def get_blk(i: int) -> nn.Module:
    """Stage ``i`` of TinySSD: the base network, three down-sampling blocks, a global max."""
    if i == 0:
        return base_net()
    if i == 1:
        return down_sample_blk(64, 128)
    if i == 4:
        return nn.AdaptiveMaxPool2d((1, 1))
    return down_sample_blk(128, 128)


def blk_forward(X: torch.Tensor, blk: nn.Module, size: list[float], ratio: list[float],
                cls_predictor: nn.Module, bbox_predictor: nn.Module
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """One stage: its feature map, the anchors on it, and the two predictions from it."""
    Y = blk(X)
    anchors = multibox_prior(Y, sizes=size, ratios=ratio)
    return Y, anchors, cls_predictor(Y), bbox_predictor(Y)


class TinySSD(nn.Module):
    """Five stages, each with its own class and box predictor (attributes blk_i, cls_i, bbox_i)."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        in_channels = [64, 128, 128, 128, 128]
        for i in range(5):
            setattr(self, f"blk_{i}", get_blk(i))
            setattr(self, f"cls_{i}", cls_predictor(in_channels[i], NUM_ANCHORS, num_classes))
            setattr(self, f"bbox_{i}", bbox_predictor(in_channels[i], NUM_ANCHORS))

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        anchors, cls_preds, bbox_preds = [], [], []
        for i in range(5):
            X, a, c, b = blk_forward(X, getattr(self, f"blk_{i}"), SIZES[i], RATIOS[i],
                                     getattr(self, f"cls_{i}"), getattr(self, f"bbox_{i}"))
            anchors.append(a)
            cls_preds.append(c)
            bbox_preds.append(b)
        cls = concat_preds(cls_preds)
        return (torch.cat(anchors, dim=1), cls.reshape(cls.shape[0], -1, self.num_classes + 1),
                concat_preds(bbox_preds))


def calc_loss(cls_preds: torch.Tensor, cls_labels: torch.Tensor, bbox_preds: torch.Tensor,
              bbox_labels: torch.Tensor, bbox_masks: torch.Tensor) -> torch.Tensor:
    """Per-image loss (b,): mean cross-entropy over anchors plus mean masked L1 of offsets.

    The mask zeroes the offsets of background anchors on both sides, so they add nothing.
    """
    b, c = cls_preds.shape[0], cls_preds.shape[2]
    cls = F.cross_entropy(cls_preds.reshape(-1, c), cls_labels.reshape(-1),
                          reduction="none").reshape(b, -1).mean(dim=1)
    bbox = F.l1_loss(bbox_preds * bbox_masks, bbox_labels * bbox_masks,
                     reduction="none").mean(dim=1)
    return cls + bbox


def cls_eval(cls_preds: torch.Tensor, cls_labels: torch.Tensor) -> float:
    """How many anchors get their class right (a float count, as the book sums it)."""
    return float((cls_preds.argmax(dim=-1).type(cls_labels.dtype) == cls_labels).sum())


def bbox_eval(bbox_preds: torch.Tensor, bbox_labels: torch.Tensor,
              bbox_masks: torch.Tensor) -> float:
    """Sum of absolute offset errors over the positive anchors."""
    return float(((bbox_labels - bbox_preds) * bbox_masks).abs().sum())


def train_ssd(images: torch.Tensor, labels: torch.Tensor, num_steps: int, batch_size: int,
              lr: float) -> list[float]:
    """Train a fresh ``TinySSD(1)`` by SGD (weight decay 5e-4); the loss of every step.

    Batches are consecutive slices of ``images``/``labels``, starting again at the top
    when they run out; a step is forward, :func:`multibox_target`, :func:`calc_loss`'s
    mean, backward, update.
    """
    net = TinySSD(num_classes=1)
    trainer = torch.optim.SGD(net.parameters(), lr=lr, weight_decay=5e-4)
    net.train()
    losses, n = [], images.shape[0]
    for step in range(num_steps):
        start = (step * batch_size) % n
        X, Y = images[start:start + batch_size], labels[start:start + batch_size]
        anchors, cls_preds, bbox_preds = net(X)
        bbox_labels, bbox_masks, cls_labels = multibox_target(anchors, Y)
        loss = calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks).mean()
        trainer.zero_grad()
        loss.backward()
        trainer.step()
        losses.append(float(loss.detach()))
    return losses


def predict(anchors: torch.Tensor, cls_preds: torch.Tensor, bbox_preds: torch.Tensor,
            threshold: float = 0.3) -> torch.Tensor:
    """Detections of the first image with a class and a confidence ≥ ``threshold``: (k, 6).

    The network gives scores, so softmax turns them into probabilities, laid out
    (b, 1 + classes, n) as :func:`multibox_detection` wants them.
    """
    cls_probs = F.softmax(cls_preds, dim=2).permute(0, 2, 1)
    output = multibox_detection(cls_probs, bbox_preds, anchors)[0]
    return output[(output[:, 0] != -1) & (output[:, 1] >= threshold)]
