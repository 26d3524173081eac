"""The torchvision-layout backbones chapter 9 builds without torchvision.

Code written against torchvision (``net.fc = …``, ``features[:29]``) must work unchanged,
so the layout is checked against torchvision's published facts: parameter counts of
ResNet-18/34 with 1000 classes, the names of the children, and VGG-19's feature indices.
"""

from __future__ import annotations

import torch
from torch import nn

from reference_impl.backbones import VGG19_CONV_INDICES, resnet18, resnet34, vgg19_features


def _count(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def test_resnet_parameter_counts_and_children_match_torchvision():
    assert _count(resnet18()) == 11_689_512
    assert _count(resnet34()) == 21_797_672
    names = [name for name, _ in resnet18().named_children()]
    assert names == ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3",
                     "layer4", "avgpool", "fc"]


def test_resnet_shapes_and_a_replaced_head():
    net = resnet18(num_classes=2)
    assert net(torch.zeros(1, 3, 64, 64)).shape == (1, 2)
    body = nn.Sequential(*list(net.children())[:-2])
    assert body(torch.zeros(1, 3, 320, 480)).shape == (1, 512, 10, 15)


def test_vgg19_feature_indices():
    features = vgg19_features()
    assert len(features) == 37
    convs = [i for i, m in enumerate(features) if isinstance(m, nn.Conv2d)]
    assert convs == sorted(VGG19_CONV_INDICES.values())
    assert [VGG19_CONV_INDICES[k] for k in ("conv1_1", "conv2_1", "conv3_1", "conv4_1",
                                              "conv5_1")] == [0, 5, 10, 19, 28]
    assert VGG19_CONV_INDICES["conv4_2"] == 21 and VGG19_CONV_INDICES["conv4_4"] == 25
    assert features(torch.zeros(1, 3, 64, 96)).shape == (1, 512, 2, 3)
