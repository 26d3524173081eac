"""Chapter 9, §9.9–9.11: semantic segmentation data, transposed convolution and FCN, style transfer.

The answer key of the ``segmentation_style`` notebook, in the book's order.  Where the book
leans on torchvision (``read_image``, ``RandomCrop``, ``Normalize``, pretrained ResNet-18 and
VGG-19) the course writes the operation itself and takes the backbones from
:mod:`reference_impl.backbones` with PyTorch's default initialisation.

Decisions the book leaves open, pinned here:

* Grading never reads files (otter runs have no ``$D2L_DATA_DIR``), so ``VOCSegDataset``
  takes the lists that :func:`reference_impl.voc.read_voc_images` returns instead of a
  folder; the notebook's given ``load_data_voc`` reads the folder and passes them on.
* Void border pixels map to class 0, as in the book (their colour is no class's).
* ``voc_rand_crop`` draws the top-left corner with ``torch.randint``, one offset for both
  the image and its label.
* ``bilinear_kernel`` puts the filter on the diagonal channel pairs, as the book does, so
  its input and output channel counts are equal.
* Style transfer keeps the image in PyTorch's layout ``(1, 3, h, w)``; ``preprocess`` takes
  the photo as an ``(H, W, 3)`` uint8 tensor (``torch.from_numpy(np.array(pil_image))``)
  and resizes with ``F.interpolate(mode="bilinear", align_corners=False)``; ``postprocess``
  returns an ``(h, w, 3)`` float tensor in [0, 1] instead of a PIL image.
* The learning rate falls ×0.1 every ``lr_decay_epoch`` epochs (the first edition's rule),
  with ``StepLR``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .backbones import resnet18
from .voc import VOC_COLORMAP, read_voc_images

__all__ = ["STAND_IN_SOURCE", "VOCSegDataset", "SynthesizedImage", "bilinear_kernel",
           "build_colormap2label", "compute_loss", "content_loss", "extract_features", "fcn",
           "gram", "kernel2matrix", "label2image", "normalize_image", "postprocess",
           "preprocess", "read_voc_images", "seg_loss", "step_lr_schedule", "style_loss",
           "train_seg", "train_style", "trans_conv", "tv_loss", "voc_dataset_items",
           "voc_label_indices", "voc_rand_crop"]

# ---- §9.9 semantic segmentation data ------------------------------------------------------

#: ImageNet statistics, used by the segmentation data and by style transfer alike.
RGB_MEAN = torch.tensor([0.485, 0.456, 0.406])
RGB_STD = torch.tensor([0.229, 0.224, 0.225])


def build_colormap2label() -> torch.Tensor:
    """A lookup table from ``(r·256 + g)·256 + b`` to the class index (§9.9).

    256³ entries, all 0 except the 21 class colours, so any other colour (the void border)
    reads as background.
    """
    colormap2label = torch.zeros(256 ** 3, dtype=torch.int64)
    for i, (r, g, b) in enumerate(VOC_COLORMAP):
        colormap2label[(r * 256 + g) * 256 + b] = i
    return colormap2label


def voc_label_indices(colormap: torch.Tensor, colormap2label: torch.Tensor) -> torch.Tensor:
    """An RGB label ``(3, H, W)`` → class indices ``(H, W)`` int64 (§9.9)."""
    c = colormap.to(torch.int64)
    return colormap2label[(c[0] * 256 + c[1]) * 256 + c[2]]


def voc_rand_crop(feature: torch.Tensor, label: torch.Tensor, height: int, width: int
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """Crop the image and its label at the same random place (§9.9).

    A label cannot be resized like a photo (interpolated class colours mean nothing), so
    the book crops instead, and both crops must come from one offset.
    """
    i = int(torch.randint(0, feature.shape[-2] - height + 1, (1,)))
    j = int(torch.randint(0, feature.shape[-1] - width + 1, (1,)))
    return (feature[..., i:i + height, j:j + width], label[..., i:i + height, j:j + width])


def normalize_image(img: torch.Tensor) -> torch.Tensor:
    """uint8 ``(3, H, W)`` → float32 in [0, 1], standardised per channel with ImageNet's
    mean and std (what a pretrained backbone expects)."""
    return (img.float() / 255 - RGB_MEAN.reshape(3, 1, 1)) / RGB_STD.reshape(3, 1, 1)


class VOCSegDataset(torch.utils.data.Dataset):
    """The images and labels of one split, randomly cropped to ``crop_size`` (§9.9).

    Images smaller than the crop are dropped (the book's ``filter``); the rest are
    normalised once, in ``__init__``; every ``__getitem__`` draws a new crop and maps the
    label's colours to classes.
    """

    def __init__(self, features: Sequence[torch.Tensor], labels: Sequence[torch.Tensor],
                 crop_size: tuple[int, int], colormap2label: torch.Tensor) -> None:
        self.crop_size = tuple(crop_size)
        self.colormap2label = colormap2label
        self.features = [normalize_image(f) for f in self.filter(features)]
        self.labels = self.filter(labels)

    def filter(self, imgs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        return [img for img in imgs
                if img.shape[1] >= self.crop_size[0] and img.shape[2] >= self.crop_size[1]]

    def __getitem__(self, idx: int) -> tuple[torch.Tensor, torch.Tensor]:
        feature, label = voc_rand_crop(self.features[idx], self.labels[idx], *self.crop_size)
        return feature, voc_label_indices(label, self.colormap2label)

    def __len__(self) -> int:
        return len(self.features)


def voc_dataset_items(features: Sequence[torch.Tensor], labels: Sequence[torch.Tensor],
                      crop_size: tuple[int, int], colormap2label: torch.Tensor,
                      dataset: Callable[..., VOCSegDataset] = VOCSegDataset) -> list:
    """Every item of a ``VOCSegDataset`` in index order (what the grader looks at)."""
    ds = dataset(features, labels, crop_size, colormap2label)
    return [ds[i] for i in range(len(ds))]


# ---- §9.10 transposed convolution and FCN -------------------------------------------------

def trans_conv(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D transposed convolution by its definition: every input element scatters ``K``
    scaled by itself into the output (§9.10)."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] + h - 1, X.shape[1] + w - 1), dtype=X.dtype)
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            Y[i:i + h, j:j + w] += X[i, j] * K
    return Y


def kernel2matrix(K: torch.Tensor, n_h: int, n_w: int) -> torch.Tensor:
    """The matrix ``W`` with ``W @ X.reshape(-1) == conv(X, K).reshape(-1)`` for an
    ``(n_h, n_w)`` input (§9.10); ``W.T`` then computes the transposed convolution."""
    k_h, k_w = K.shape
    out_h, out_w = n_h - k_h + 1, n_w - k_w + 1
    W = torch.zeros((out_h * out_w, n_h * n_w), dtype=K.dtype)
    for i in range(out_h):
        for j in range(out_w):
            for a in range(k_h):
                for b in range(k_w):
                    W[i * out_w + j, (i + a) * n_w + (j + b)] = K[a, b]
    return W


def bilinear_kernel(in_channels: int, out_channels: int, kernel_size: int) -> torch.Tensor:
    """A transposed-convolution weight ``(in, out, k, k)`` that upsamples bilinearly (§9.10).

    The filter is the outer product of a triangle ``1 - |x - centre| / factor`` with itself;
    channel ``c`` maps to channel ``c`` only.
    """
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    og = torch.arange(kernel_size, dtype=torch.float32)
    tri = 1 - torch.abs(og - center) / factor
    filt = tri.reshape(-1, 1) * tri.reshape(1, -1)
    weight = torch.zeros((in_channels, out_channels, kernel_size, kernel_size))
    weight[range(in_channels), range(out_channels), :, :] = filt
    return weight


def fcn(num_classes: int = 21) -> nn.Sequential:
    """A fully convolutional network on ResNet-18 (§9.10).

    The backbone without its global pooling and fully connected layer shrinks the image 32
    times and gives 512 channels; a 1×1 convolution turns them into ``num_classes``
    channels, and a transposed convolution (kernel 64, padding 16, stride 32), initialised
    to bilinear upsampling, brings the map back to the input's size.
    """
    backbone = resnet18()
    net = nn.Sequential(*list(backbone.children())[:-2])
    net.add_module("final_conv", nn.Conv2d(512, num_classes, kernel_size=1))
    net.add_module("transpose_conv", nn.ConvTranspose2d(num_classes, num_classes,
                                                        kernel_size=64, padding=16, stride=32))
    with torch.no_grad():
        net.transpose_conv.weight.copy_(bilinear_kernel(num_classes, num_classes, 64))
    return net


def seg_loss(inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-image loss: the pixels' cross-entropies averaged over height and width (§9.10)."""
    return F.cross_entropy(inputs, targets, reduction="none").mean(1).mean(1)


def train_seg(net: nn.Module, batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
              num_epochs: int, lr: float, wd: float = 1e-3) -> nn.Module:
    """Train a segmentation network with SGD (weight decay ``wd``) on the given minibatches.

    Each step back-propagates the **sum** of the per-image losses, as the book's
    ``train_batch_ch13`` does; returns the trained network.
    """
    trainer = torch.optim.SGD(net.parameters(), lr=lr, weight_decay=wd)
    net.train()
    for _ in range(num_epochs):
        for X, Y in batches:
            trainer.zero_grad()
            seg_loss(net(X), Y).sum().backward()
            trainer.step()
    return net


def label2image(pred: torch.Tensor) -> torch.Tensor:
    """Class indices ``(H, W)`` → their VOC colours ``(H, W, 3)`` (int64, as
    ``torch.tensor(VOC_COLORMAP)`` holds them) (§9.10)."""
    colormap = torch.tensor(VOC_COLORMAP)
    return colormap[pred.long(), :]


# ---- §9.11 style transfer ------------------------------------------------------------------

def preprocess(img: torch.Tensor, image_shape: tuple[int, int]) -> torch.Tensor:
    """An ``(H, W, 3)`` uint8 photo → a normalised ``(1, 3, h, w)`` float32 batch (§9.11)."""
    X = img.permute(2, 0, 1).unsqueeze(0).float() / 255
    X = F.interpolate(X, size=tuple(image_shape), mode="bilinear", align_corners=False)
    return (X - RGB_MEAN.reshape(1, 3, 1, 1)) / RGB_STD.reshape(1, 3, 1, 1)


def postprocess(X: torch.Tensor) -> torch.Tensor:
    """Undo ``preprocess``'s normalisation: ``(1, 3, h, w)`` → ``(h, w, 3)`` in [0, 1]."""
    img = X[0].detach().permute(1, 2, 0) * RGB_STD + RGB_MEAN
    return torch.clamp(img, 0, 1)


def extract_features(X: torch.Tensor, content_layers: Sequence[int],
                     style_layers: Sequence[int], net: nn.Module
                     ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Run ``X`` through ``net`` layer by layer and keep the outputs of the layers at the
    given indices (§9.11); the notebook's version reads the global ``net``."""
    contents, styles = [], []
    for i in range(len(net)):
        X = net[i](X)
        if i in style_layers:
            styles.append(X)
        if i in content_layers:
            contents.append(X)
    return contents, styles


def content_loss(Y_hat: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """Mean squared difference; the target is a constant (detached)."""
    return torch.square(Y_hat - Y.detach()).mean()


def gram(X: torch.Tensor) -> torch.Tensor:
    """The Gram matrix ``X Xᵀ / (c·hw)`` of a ``(1, c, h, w)`` feature map (§9.11)."""
    num_channels, n = X.shape[1], X.numel() // X.shape[1]
    X = X.reshape(num_channels, n)
    return X @ X.T / (num_channels * n)


def style_loss(Y_hat: torch.Tensor, gram_Y: torch.Tensor) -> torch.Tensor:
    """Mean squared difference of Gram matrices; ``gram_Y`` is precomputed and constant."""
    return torch.square(gram(Y_hat) - gram_Y.detach()).mean()


def tv_loss(Y_hat: torch.Tensor) -> torch.Tensor:
    """Total variation: the mean absolute difference of vertical and of horizontal
    neighbours, halved (§9.11)."""
    return 0.5 * (torch.abs(Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).mean()
                  + torch.abs(Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).mean())


CONTENT_WEIGHT, STYLE_WEIGHT, TV_WEIGHT = 1, 1e3, 10


def compute_loss(X: torch.Tensor, contents_Y_hat: Sequence[torch.Tensor],
                 styles_Y_hat: Sequence[torch.Tensor], contents_Y: Sequence[torch.Tensor],
                 styles_Y_gram: Sequence[torch.Tensor]
                 ) -> tuple[list[torch.Tensor], list[torch.Tensor], torch.Tensor, torch.Tensor]:
    """The weighted losses ``(contents_l, styles_l, tv_l, l)``, ``l`` their sum (§9.11)."""
    contents_l = [content_loss(Y_hat, Y) * CONTENT_WEIGHT
                  for Y_hat, Y in zip(contents_Y_hat, contents_Y, strict=True)]
    styles_l = [style_loss(Y_hat, Y) * STYLE_WEIGHT
                for Y_hat, Y in zip(styles_Y_hat, styles_Y_gram, strict=True)]
    tv_l = tv_loss(X) * TV_WEIGHT
    l = sum(styles_l + contents_l + [tv_l])  # noqa: E741  (the book's name)
    return contents_l, styles_l, tv_l, l


class SynthesizedImage(nn.Module):
    """The image being synthesised, as the module's only parameter ``weight``."""

    def __init__(self, img_shape: Sequence[int]) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.rand(*img_shape))

    def forward(self) -> torch.Tensor:
        return self.weight


def step_lr_schedule(lr: float, lr_decay_epoch: int, num_epochs: int) -> list[float]:
    """The learning rate of each epoch when it falls ×0.1 every ``lr_decay_epoch`` epochs,
    read from an Adam optimiser driven by ``StepLR``."""
    trainer = torch.optim.Adam([nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(trainer, lr_decay_epoch, 0.1)
    lrs = []
    for _ in range(num_epochs):
        lrs.append(float(trainer.param_groups[0]["lr"]))
        trainer.step()
        scheduler.step()
    return lrs


def get_inits(X: torch.Tensor, lr: float, styles_Y: Sequence[torch.Tensor]
              ) -> tuple[torch.Tensor, list[torch.Tensor], torch.optim.Optimizer]:
    """The synthesised image (starting from ``X``), the style Gram matrices, an Adam."""
    gen_img = SynthesizedImage(X.shape)
    with torch.no_grad():
        gen_img.weight.copy_(X)
    trainer = torch.optim.Adam(gen_img.parameters(), lr=lr)
    return gen_img(), [gram(Y) for Y in styles_Y], trainer


def train_style(X: torch.Tensor, contents_Y: Sequence[torch.Tensor],
                styles_Y: Sequence[torch.Tensor], lr: float, num_epochs: int,
                lr_decay_epoch: int, content_layers: Sequence[int],
                style_layers: Sequence[int],
                features: Callable[..., tuple[list[torch.Tensor], list[torch.Tensor]]]
                ) -> torch.Tensor:
    """Optimise the synthesised image with Adam (§9.11); returns it (detached).

    ``features(X, content_layers, style_layers)`` is the notebook's ``extract_features``.
    """
    X, styles_Y_gram, trainer = get_inits(X, lr, styles_Y)
    scheduler = torch.optim.lr_scheduler.StepLR(trainer, lr_decay_epoch, 0.1)
    for _ in range(num_epochs):
        trainer.zero_grad()
        contents_Y_hat, styles_Y_hat = features(X, content_layers, style_layers)
        l = compute_loss(X, contents_Y_hat, styles_Y_hat, contents_Y, styles_Y_gram)[3]  # noqa: E741
        l.backward()
        trainer.step()
        scheduler.step()
    return X.detach()


# ---- TorchScript copies, for grading ----------------------------------------------------------

#: The helpers above written in TorchScript, which the grader compiles inside the sandbox
#: and puts in place of a student's helper while another question runs (one mistake, one
#: question).  ``extract_features`` here is not VGG: a small fixed network (weights from
#: sines, no random numbers) whose taps ignore the layer indices, so that style-transfer
#: training can be judged quickly.  ``tests/test_ch09_segmentation_style.py`` checks that
#: the copies agree with the functions above.
STAND_IN_SOURCE = '''
def voc_rand_crop(feature: Tensor, label: Tensor, height: int, width: int
                  ) -> Tuple[Tensor, Tensor]:
    i = int(torch.randint(0, feature.shape[-2] - height + 1, [1]).item())
    j = int(torch.randint(0, feature.shape[-1] - width + 1, [1]).item())
    return feature[..., i:i + height, j:j + width], label[..., i:i + height, j:j + width]


def voc_label_indices(colormap: Tensor, colormap2label: Tensor) -> Tensor:
    c = colormap.to(torch.int64)
    return colormap2label[(c[0] * 256 + c[1]) * 256 + c[2]]


def bilinear_kernel(in_channels: int, out_channels: int, kernel_size: int) -> Tensor:
    factor = (kernel_size + 1) // 2
    center = float(factor) - 0.5
    if kernel_size % 2 == 1:
        center = float(factor - 1)
    og = torch.arange(kernel_size, dtype=torch.float32)
    tri = 1 - torch.abs(og - center) / factor
    weight = torch.zeros([in_channels, out_channels, kernel_size, kernel_size])
    for c in range(min(in_channels, out_channels)):
        weight[c, c] = tri.reshape(-1, 1) * tri.reshape(1, -1)
    return weight


def seg_loss(inputs: Tensor, targets: Tensor) -> Tensor:
    return torch.nn.functional.cross_entropy(inputs, targets, reduction="none").mean(1).mean(1)


def gram(X: Tensor) -> Tensor:
    c = X.shape[1]
    n = X.numel() // c
    Y = X.reshape(c, n)
    return torch.matmul(Y, Y.t()) / (c * n)


def content_loss(Y_hat: Tensor, Y: Tensor) -> Tensor:
    return torch.square(Y_hat - Y.detach()).mean()


def style_loss(Y_hat: Tensor, gram_Y: Tensor) -> Tensor:
    return torch.square(gram(Y_hat) - gram_Y.detach()).mean()


def tv_loss(Y_hat: Tensor) -> Tensor:
    return 0.5 * (torch.abs(Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).mean()
                  + torch.abs(Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).mean())


def compute_loss(X: Tensor, contents_Y_hat: List[Tensor], styles_Y_hat: List[Tensor],
                 contents_Y: List[Tensor], styles_Y_gram: List[Tensor]
                 ) -> Tuple[List[Tensor], List[Tensor], Tensor, Tensor]:
    contents_l: List[Tensor] = []
    styles_l: List[Tensor] = []
    for k in range(len(contents_Y_hat)):
        contents_l.append(content_loss(contents_Y_hat[k], contents_Y[k]) * 1.0)
    for k in range(len(styles_Y_hat)):
        styles_l.append(style_loss(styles_Y_hat[k], styles_Y_gram[k]) * 1000.0)
    tv_l = tv_loss(X) * 10.0
    total = tv_l
    for t in styles_l:
        total = total + t
    for t in contents_l:
        total = total + t
    return contents_l, styles_l, tv_l, total


def fixed_conv(X: Tensor, out_channels: int, salt: float) -> Tensor:
    c = X.shape[1]
    n = out_channels * c * 9
    w = torch.sin(torch.arange(n, dtype=torch.float32) * salt).reshape(out_channels, c, 3, 3)
    return torch.relu(torch.nn.functional.conv2d(X, w * (2.0 / (c * 9)) ** 0.5, padding=1))


def extract_features(X: Tensor, content_layers: List[int], style_layers: List[int]
                     ) -> Tuple[List[Tensor], List[Tensor]]:
    # A small fixed network; its taps ignore the indices: styles after each of three
    # blocks, the content after the third.
    Y1 = fixed_conv(X, 8, 0.77)
    Y2 = fixed_conv(torch.nn.functional.avg_pool2d(Y1, 2), 12, 1.31)
    Y3 = fixed_conv(torch.nn.functional.avg_pool2d(Y2, 2), 16, 2.03)
    return [Y3], [Y1, Y2, Y3]
'''
