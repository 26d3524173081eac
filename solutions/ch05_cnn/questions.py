"""Chapter 5 (卷积神经网络): three notebooks, each with its questions in a sibling module.

``conv_layers``   §5.1–5.4  cross-correlation, padding and stride, channels, pooling
``classic_nets``  §5.5–5.8  LeNet and its training loop, AlexNet, VGG, NiN
``modern_nets``   §5.9–5.12 GoogLeNet, batch normalisation, ResNet, DenseNet

Networks are graded with the ``construct`` kind: small ones with weights drawn per case
and loaded with ``strict=True``; the big ones (AlexNet's 47 million parameters) with
``fill=True``, which fills the student's network from the case's seed, so equal names
and shapes mean equal weights without shipping them.  ``layers`` records the book's
layer-by-layer output shapes.
"""

from __future__ import annotations

from autograder.spec import AssignmentSpec

from .classic_nets import NOTEBOOK as CLASSIC_NETS
from .conv_layers import NOTEBOOK as CONV_LAYERS
from .modern_nets import NOTEBOOK as MODERN_NETS

ASSIGNMENT = AssignmentSpec(
    id="ch05_cnn",
    title="第 5 章 卷积神经网络 / Chapter 5 Convolutional Neural Networks",
    notebooks=[CONV_LAYERS, CLASSIC_NETS, MODERN_NETS],
)
