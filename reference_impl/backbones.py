"""ImageNet backbones with torchvision's module layout, for chapter 9 without torchvision.

The book's vision sections (§9.2 fine-tuning, §9.10 FCN, §9.11 style transfer, §9.13
dog breeds) start from torchvision's pretrained ResNet-18/34 and VGG-19.  Neither the
weights (a download) nor torchvision itself (its wheels are built against other torch
releases than the course's pinned 2.13) are available, so the course builds the same
architectures here, **with torchvision's attribute names and indices** (``conv1``, ``bn1``,
``layer1`` … ``layer4``, ``avgpool``, ``fc``; ``features[0]`` … ``features[36]``), so that
code written against torchvision (``net.fc = …``, ``list(net.children())[:-2]``,
``features[:29]``, style layers 0, 5, 10, 19, 28) works unchanged.  The weights are
PyTorch's default initialisation: grading checks shapes, structure and mechanics, never
pretrained accuracy.

The notebooks print this module's source into a given cell, so it is written to be read.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["BasicBlock", "ResNet", "resnet18", "resnet34", "vgg19_features",
           "VGG19_CONV_INDICES"]


class BasicBlock(nn.Module):
    """Two 3×3 convolutions with batch norm and a shortcut (1×1 conv when the shape changes)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample: nn.Module | None = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + shortcut)


class ResNet(nn.Module):
    """The ImageNet ResNet with basic blocks: 7×7/2 stem, max-pool, four stages, pooled fc."""

    def __init__(self, blocks_per_stage: tuple[int, int, int, int],
                 num_classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        channels = (64, 128, 256, 512)
        in_channels = 64
        stages = zip(channels, blocks_per_stage, strict=True)
        for i, (out_channels, n) in enumerate(stages, start=1):
            stride = 1 if i == 1 else 2
            stage = [BasicBlock(in_channels, out_channels, stride)]
            stage += [BasicBlock(out_channels, out_channels) for _ in range(n - 1)]
            setattr(self, f"layer{i}", nn.Sequential(*stage))
            in_channels = out_channels
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18(num_classes: int = 1000) -> ResNet:
    """ResNet-18 (11,689,512 parameters with 1000 classes, as torchvision's)."""
    return ResNet((2, 2, 2, 2), num_classes)


def resnet34(num_classes: int = 1000) -> ResNet:
    """ResNet-34 (21,797,672 parameters with 1000 classes, as torchvision's)."""
    return ResNet((3, 4, 6, 3), num_classes)


#: VGG-19's convolution widths; "M" is a 2×2 max-pool.
_VGG19 = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
          512, 512, 512, 512, "M", 512, 512, 512, 512, "M")


def vgg19_features() -> nn.Sequential:
    """VGG-19's convolutional part: 37 modules, conv–ReLU pairs and max-pools.

    The indices are torchvision's ``vgg19().features``: conv1_1 is 0, conv2_1 5, conv3_1
    10, conv4_1 19, conv4_2 21, conv5_1 28 (see :data:`VGG19_CONV_INDICES`).
    """
    layers: list[nn.Module] = []
    in_channels = 3
    for item in _VGG19:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(in_channels, int(item), 3, padding=1), nn.ReLU(inplace=True)]
            in_channels = int(item)
    return nn.Sequential(*layers)


def _conv_indices() -> dict[str, int]:
    names: dict[str, int] = {}
    block, conv = 1, 0
    index = 0
    for item in _VGG19:
        if item == "M":
            block, conv = block + 1, 0
            index += 1
        else:
            conv += 1
            names[f"conv{block}_{conv}"] = index
            index += 2
    return names


#: ``{"conv1_1": 0, …, "conv5_4": 34}``: the position of each convolution in the features.
VGG19_CONV_INDICES = _conv_indices()
