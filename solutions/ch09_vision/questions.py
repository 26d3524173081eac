"""Chapter 9 (计算机视觉): four notebooks, each with its questions in a sibling module.

``augment_finetune``    §9.1–9.2   image augmentation, fine-tuning a backbone
``detection``           §9.3–9.8   boxes, anchors, IoU, NMS, the detection data, SSD, RoI pooling
``segmentation_style``  §9.9–9.11  VOC labels, transposed convolution and FCN, style transfer
``kaggle_vision``       §9.12–9.13 the Kaggle folder layouts, transforms and transfer heads

No pretrained weights and no torchvision are available offline (torchvision's wheels
are built against other torch releases), so the backbones come from
``reference_impl/backbones.py`` with torchvision's layout and default initialisation;
grading checks shapes, structure and mechanics, and training by thresholds.
"""

from __future__ import annotations

from autograder.spec import AssignmentSpec

from .augment_finetune import NOTEBOOK as AUGMENT_FINETUNE
from .detection import NOTEBOOK as DETECTION
from .kaggle_vision import NOTEBOOK as KAGGLE_VISION
from .segmentation_style import NOTEBOOK as SEGMENTATION_STYLE

ASSIGNMENT = AssignmentSpec(
    id="ch09_vision",
    title="第 9 章 计算机视觉 / Chapter 9 Computer Vision",
    notebooks=[AUGMENT_FINETUNE, DETECTION, SEGMENTATION_STYLE, KAGGLE_VISION],
)
