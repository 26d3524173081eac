"""Chapter 5, first notebook (§5.1–§5.4): convolution, padding and stride, channels, pooling.

This module is the answer key for ``solutions/ch05_cnn`` notebook ``conv_layers``.  The
scratch units are written with explicit loops over output positions, as the book writes
them, because that is what a student writes; the tests check each against
``torch.nn.functional.conv2d`` / ``max_pool2d`` / ``avg_pool2d``.

Conventions pinned down for PyTorch:

* ``conv_out_shape`` takes ``padding`` as ``nn.Conv2d`` does, rows (columns) added on
  *each* side, so the book's formula ⌊(n − k + p_total + s) / s⌋ reads
  ⌊(n − k + 2p + s) / s⌋ here.
* ``learn_kernel`` uses ``nn.Conv2d(1, 1, (1, 2), bias=False)``: the book's Gluon layer has
  a bias that starts at 0 and is never updated, whereas PyTorch would start it at a random
  value; leaving it out keeps the book's problem.  The loss is the *sum* of squared errors,
  which is what Gluon's ``backward`` of a non-scalar loss differentiates.
* ``maxpool_settings`` replaces the book's ``padding=(1, 2)`` for a (2, 3) window, which
  PyTorch refuses (padding may be at most half the window), by ``(0, 1)``; the book's
  printed answer [[5, 7], [13, 15]] is unchanged.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

__all__ = [
    "corr2d",
    "Conv2D",
    "edge_detect",
    "learn_kernel",
    "comp_conv2d",
    "conv_out_shape",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "pool2d",
    "maxpool_settings",
]


# ---------------------------------------------------------------------------
# §5.1 Two-dimensional convolutional layers
# ---------------------------------------------------------------------------


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Two-dimensional cross-correlation of ``X`` with the kernel ``K``, no padding (§5.1).

    Slides the (h, w) window over ``X`` from the top left, row by row; each output element
    is the sum of the window times the kernel, so the output has
    ``(X.h − K.h + 1, X.w − K.w + 1)`` elements.  The kernel is not flipped: this is what
    deep-learning libraries call "convolution".
    """
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


class Conv2D(nn.Module):
    """A two-dimensional convolutional layer: ``corr2d(x, weight) + bias`` (§5.1).

    ``weight`` (the kernel, shape ``kernel_size``) and ``bias`` (shape ``(1,)``) are
    ``nn.Parameter``s, so they are registered, trained and loaded by name; the grader
    loads its own values with ``load_state_dict(strict=True)``.
    """

    def __init__(self, kernel_size: tuple[int, int]) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return corr2d(x, self.weight) + self.bias


def edge_detect(h: int = 6, w: int = 8, start: int = 2, stop: int = 6) -> dict[str, torch.Tensor]:
    """The book's edge-detection example, for an image of any size (§5.1).

    ``X`` is an (h, w) image of ones whose columns ``start:stop`` are zero (black);
    ``K = [[1, -1]]`` subtracts each pixel's right neighbour from it, so ``corr2d(X, K)``
    is 1 where white turns black (column ``start − 1``), −1 where black turns white
    (column ``stop − 1``) and 0 elsewhere.  On the transposed image the edges are
    horizontal, which this kernel cannot see: ``Y_t`` is all zeros.
    """
    X = torch.ones((h, w))
    X[:, start:stop] = 0
    K = torch.tensor([[1.0, -1.0]])
    return {"X": X, "K": K, "Y": corr2d(X, K), "Y_t": corr2d(X.t(), K)}


def learn_kernel(X: torch.Tensor, Y: torch.Tensor, lr: float = 3e-2,
                 num_iters: int = 10) -> dict[str, Any]:
    """Learn a 1×2 kernel that maps ``X`` to ``Y`` by plain gradient descent (§5.1).

    The layer is ``nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)`` (see the module
    docstring for why there is no bias); inputs become (batch, channel, h, w) =
    (1, 1, h, w).  Each iteration computes the summed squared error, clears the old
    gradient, back-propagates and steps the weight by ``lr`` times its gradient.  Returns
    the kernel as a (1, 2) tensor and the loss of each iteration (before its step).
    """
    conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
    X = X.reshape((1, 1) + tuple(X.shape))
    Y = Y.reshape((1, 1) + tuple(Y.shape))
    losses = []
    for _ in range(num_iters):
        Y_hat = conv2d(X)
        loss = ((Y_hat - Y) ** 2).sum()
        conv2d.zero_grad()
        loss.backward()
        with torch.no_grad():
            conv2d.weight -= lr * conv2d.weight.grad
        losses.append(loss.item())
    return {"K": conv2d.weight.detach().reshape(1, 2).clone(), "losses": losses}


# ---------------------------------------------------------------------------
# §5.2 Padding and stride
# ---------------------------------------------------------------------------


def comp_conv2d(conv2d: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Apply a PyTorch convolutional layer to a 2-D ``X`` and return a 2-D result (§5.2).

    ``nn.Conv2d`` works on (batch, channel, h, w); a single one-channel image becomes
    (1, 1, h, w) on the way in, and the two leading 1s are dropped on the way out.
    """
    Y = conv2d(X.reshape((1, 1) + tuple(X.shape)))
    return Y.reshape(Y.shape[2:])


def _pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def conv_out_shape(n: int | tuple[int, int], k: int | tuple[int, int],
                   p: int | tuple[int, int] = 0,
                   s: int | tuple[int, int] = 1) -> tuple[int, int]:
    """The output (height, width) of a convolution, from the arithmetic of §5.2.

    Each argument is an int (the same for both directions) or a pair (height, width), as
    in ``nn.Conv2d``: input size ``n``, kernel ``k``, padding ``p`` added on each side,
    stride ``s``.  The window fits ⌊(n − k + 2p) / s⌋ + 1 times.
    """
    return tuple((nn_ - kk + 2 * pp + ss) // ss  # type: ignore[return-value]
                 for nn_, kk, pp, ss in zip(_pair(n), _pair(k), _pair(p), _pair(s), strict=True))


# ---------------------------------------------------------------------------
# §5.3 Multiple input and output channels
# ---------------------------------------------------------------------------


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation with several input channels (§5.3).

    ``X`` is (c_i, h, w) and ``K`` is (c_i, k_h, k_w): correlate each channel with its own
    kernel slice, then add the c_i results, which leaves one output channel.
    """
    return sum(corr2d(x, k) for x, k in zip(X, K, strict=True))


def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation with several input and output channels (§5.3).

    ``K`` is (c_o, c_i, k_h, k_w): each of its c_o kernels gives one output channel through
    :func:`corr2d_multi_in`; stacking them gives (c_o, h', w').
    """
    return torch.stack([corr2d_multi_in(X, k) for k in K])


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """A 1×1 convolution as one matrix product (§5.3).

    With a 1×1 kernel every output pixel mixes only the channels of the same input pixel,
    so a (c_i, h, w) input is a (c_i, h·w) matrix and the kernel (c_o, c_i, 1, 1) a
    (c_o, c_i) one; their product, reshaped, equals :func:`corr2d_multi_in_out`.
    """
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape(c_i, h * w)
    K = K.reshape(c_o, c_i)
    return torch.mm(K, X).reshape(c_o, h, w)


# ---------------------------------------------------------------------------
# §5.4 Pooling
# ---------------------------------------------------------------------------


def pool2d(X: torch.Tensor, pool_size: tuple[int, int], mode: str = "max") -> torch.Tensor:
    """Maximum or average pooling of a 2-D ``X`` with a (p_h, p_w) window, stride 1 (§5.4).

    Slides the window like :func:`corr2d`, but takes the window's maximum (``"max"``) or
    mean (``"avg"``) instead of a weighted sum; there are no parameters.
    """
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i:i + p_h, j:j + p_w]
            if mode == "max":
                Y[i, j] = window.max()
            elif mode == "avg":
                Y[i, j] = window.mean()
    return Y


def maxpool_settings(X: torch.Tensor) -> dict[str, torch.Tensor]:
    """``nn.MaxPool2d`` with the settings of §5.4.2–§5.4.3, applied to a (n, 1, h, w) ``X``.

    ``"default"``   a 3×3 window; the stride defaults to the window, so windows don't overlap
    ``"padded"``    3×3, padding 1, stride 2
    ``"rect"``      a (2, 3) window, padding (0, 1), stride (2, 3) (the book's padding (1, 2)
                    is more than half the window, which PyTorch refuses)
    ``"channels"``  ``X`` and ``X + 1`` stacked as two channels, pooled as ``"padded"``:
                    each channel is pooled on its own, so there are two output channels
    """
    padded = nn.MaxPool2d(3, padding=1, stride=2)
    return {
        "default": nn.MaxPool2d(3)(X),
        "padded": padded(X),
        "rect": nn.MaxPool2d((2, 3), padding=(0, 1), stride=(2, 3))(X),
        "channels": padded(torch.cat((X, X + 1), dim=1)),
    }
