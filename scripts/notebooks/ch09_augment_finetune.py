# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch09_vision/augment_finetune.ipynb`` (§9.1–9.2).

Generated so that it is reproducible and reviewable as Python:

    .venv/bin/python scripts/notebooks/ch09_augment_finetune.py

Each question becomes three cells (``<q>-intro``, ``<q>-answer`` with the solution between
``### BEGIN SOLUTION`` / ``### END SOLUTION``, ``<q>-check``) through
:class:`scripts.notebooks.cells.MasterNotebook`; points come from
``solutions/ch09_vision/augment_finetune.py``.  Prose is our own, 简体中文 first, English
beneath.  The ResNet-18 the student fine-tunes is given as the source of
``reference_impl/backbones.py`` (torchvision's layout, no pretrained weights offline).
Sizes are scaled down from the book's (224-pixel crops become 56 pixels) so that the
whole notebook, demos included, runs in seconds on a CPU.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reference_impl import backbones  # noqa: E402
from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch09_vision", "augment_finetune"
FINISH_FIRST = 'print("先完成上面的填空 / finish the blanks above first")'


def backbone_source() -> str:
    """ResNet-18 as given code: the classes and the builder, as committed."""
    parts = [inspect.getsource(obj) for obj in
             (backbones.BasicBlock, backbones.ResNet, backbones.resnet18)]
    return "\n\n".join(p.rstrip() for p in parts)


def build() -> MasterNotebook:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    nb.md("intro", """
# 第 9 章 计算机视觉（一）：图像增广与微调

本笔记本对应《动手学深度学习》（第一版）9.1–9.2 节，全部使用 PyTorch，且不依赖 torchvision。9.1 节自己实现常用的图像增广：
随机翻转、随机裁剪并缩放、亮度与对比度变化，再用增广后的数据训练一个小型卷积网络。9.2 节把一个“预训练”的 ResNet-18
迁移到一个新的二分类任务（热狗 / 非热狗）：换掉输出层、给输出层更大的学习率，或者干脆冻结其余各层。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改函数名、参数名和默认值。**随机的增广一律用传入的 `generator` 抽随机数，并按题目规定的次序和方式抽**：评分程序传入一个设好种子的生成器，把你的结果与参考答案逐个比较。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。
- 评分在没有 GPU、没有网络的环境里进行。没有 ImageNet 预训练权重，也没有 CIFAR-10：9.1 节用生成的小图像，9.2 节用一个与热狗数据集目录结构相同的小型替身。为了在 CPU 上几秒内跑完，图像尺寸比书中小（书中 224 像素的裁剪在这里是 56 像素）。

---

# Chapter 9 Computer Vision (1): Image Augmentation and Fine-Tuning

This notebook covers sections 9.1–9.2 of *Dive into Deep Learning* (first edition), entirely in PyTorch and without
torchvision. In §9.1 you implement the usual image augmentations yourself — random flips, random crops with resizing,
changes of brightness and contrast — and train a small convolutional network on augmented data. In §9.2 a "pretrained"
ResNet-18 is carried over to a new two-class task (hot dog / not hot dog): replace its output layer, give that layer a larger
learning rate, or freeze every other layer.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename functions, arguments or defaults. **Random augmentations draw their random numbers from the `generator` they are given, in the order and the way the question states**: the grader passes a seeded generator and compares your results with the reference one by one.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell.
- Grading runs without a GPU and without network access. There are no ImageNet weights and no CIFAR-10: §9.1 uses generated small images, §9.2 a small stand-in with the hot-dog data set's folder layout. So that everything runs in seconds on a CPU, images are smaller than in the book (the book's 224-pixel crops are 56 pixels here).
""", "")
    nb.cells[-1].source = nb.cells[-1].source.removesuffix("\n\n---\n\n")
    nb.setup("""
import copy
import math
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset
""")
    nb.md("tools-intro", """
### 给定的工具（不是填空）

- `read_image(path)`：用 PIL 读一张图片，返回形状 `(3, H, W)` 的 uint8 张量（PyTorch 的图像按“通道、高、宽”存放）。
- `evaluate_accuracy(data_iter, net)`：在评估模式下计算分类准确率，结束后恢复网络原来的模式。
- `toy_cifar(n_train, n_test, seed)`：生成 CIFAR-10 那样的 32×32 彩色小图像（uint8）和 10 类标签。每一类是一种颜色加上噪声，所以一个小网络几个周期就能学会。
- `HOTDOG_DIR`：热狗数据的目录 `$D2L_DATA_DIR/hotdog`（默认 `~/.d2l/data/hotdog`），结构为 `hotdog/{train,test}/{hotdog,not-hotdog}/*.png`。
""", """
### Given tools (not blanks)

- `read_image(path)`: reads a picture with PIL and returns a uint8 tensor of shape `(3, H, W)` (PyTorch stores images as channels, height, width).
- `evaluate_accuracy(data_iter, net)`: classification accuracy in evaluation mode; the network's mode is restored afterwards.
- `toy_cifar(n_train, n_test, seed)`: generates CIFAR-10-like 32×32 colour images (uint8) with 10 classes. Each class is a colour plus noise, so a small network learns it in a few epochs.
- `HOTDOG_DIR`: the hot-dog data folder `$D2L_DATA_DIR/hotdog` (by default `~/.d2l/data/hotdog`), laid out as `hotdog/{train,test}/{hotdog,not-hotdog}/*.png`.
""")
    nb.given("tools", '''
HOTDOG_DIR = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser() / "hotdog"


def read_image(path):
    """一张图片 → uint8 张量 (3, H, W) / A picture file as a uint8 tensor (3, H, W)."""
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    return torch.from_numpy(pixels).permute(2, 0, 1).contiguous()


def evaluate_accuracy(data_iter, net):
    """评估模式下的准确率 / Accuracy in eval mode; the mode is restored afterwards."""
    was_training = net.training
    net.eval()
    correct, n = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += int((net(X).argmax(dim=1) == y).sum())
            n += len(y)
    net.train(was_training)
    return correct / n


def toy_cifar(n_train=200, n_test=100, seed=0):
    """32×32 彩色小图像，每类一种颜色加噪声 / Colour-plus-noise 32×32 images in 10 classes."""
    g = torch.Generator().manual_seed(seed)
    colours = torch.rand(10, 3, generator=g) * 200 + 30
    out = []
    for n in (n_train, n_test):
        y = (torch.arange(n) % 10)[torch.randperm(n, generator=g)]
        X = colours[y][:, :, None, None] + 30 * torch.randn(n, 3, 32, 32, generator=g)
        out += [X.clamp(0, 255).to(torch.uint8), y]
    return tuple(out)


print("热狗数据 / hot-dog data:", HOTDOG_DIR, "found" if HOTDOG_DIR.is_dir() else "NOT found")
''')

    # ---------------------------------------------------------------- §9.1
    nb.md("sec-9-1", """
## 9.1 图像增广 / Image Augmentation

图像增广对训练图像做一系列随机变化，生成“相似但不同”的样本，从而扩大训练集，并让模型不那么依赖物体的位置、大小、颜色等细节。
本节的图像都是浮点张量，形状 `(C, H, W)`，数值在 `[0, 1]` 内（下面的函数也要能处理前面多出批量维的 `(..., H, W)`）。

每个随机增广都接受一个 `torch.Generator`。所有随机数都用它抽，例如 `torch.rand(1, generator=generator).item()`。
这样评分程序只要给出设好种子的生成器，你和参考答案就会做出完全相同的“随机”选择。
""", """
## 9.1 Image Augmentation

Image augmentation applies a series of random changes to training images, producing samples that are similar yet different:
it enlarges the training set and makes the model rely less on where an object is, how big it is or what colour it has.
Images in this section are float tensors of shape `(C, H, W)` with values in `[0, 1]` (the functions below should also
accept extra leading batch dimensions, `(..., H, W)`).

Every random augmentation takes a `torch.Generator`, and every random number is drawn from it, for example
`torch.rand(1, generator=generator).item()`. Given a seeded generator, you and the reference then make exactly the same
"random" choices.
""")
    nb.question("flip_left_right", """
实现随机左右翻转（torchvision 的 `RandomHorizontalFlip`）：`flip_left_right(img, p=0.5, generator=None)`。

- **先抽一个数** `u = torch.rand(1, generator=generator).item()`（无论 `p` 是多少都要抽，生成器才会以同样的方式前进）。
- 若 `u < p`，返回沿宽度轴（最后一维）翻转的图像（`torch.flip`）；否则返回 `img.clone()`。
""", """
Implement a random left–right flip (torchvision's `RandomHorizontalFlip`): `flip_left_right(img, p=0.5, generator=None)`.

- **First draw one number** `u = torch.rand(1, generator=generator).item()` (whatever `p` is, so that the generator always advances the same way).
- If `u < p`, return the image flipped along its width axis (the last one, `torch.flip`); otherwise return `img.clone()`.
""", '''
def flip_left_right(img, p=0.5, generator=None):
    """以概率 p 左右翻转 / Mirror the width axis with probability p (one draw from generator)."""
    ### BEGIN SOLUTION
    if torch.rand(1, generator=generator).item() < p:
        return torch.flip(img, dims=[-1])
    return img.clone()
    ### END SOLUTION
''')
    nb.question("flip_top_bottom", """
同样地实现随机上下翻转（`RandomVerticalFlip`）：`flip_top_bottom(img, p=0.5, generator=None)`，抽一个数 `u`，`u < p` 时沿高度轴（倒数第二维）翻转。
书中指出上下翻转不如左右翻转常用：倒过来的猫在照片里很少见。
""", """
In the same way implement a random top–bottom flip (`RandomVerticalFlip`): `flip_top_bottom(img, p=0.5, generator=None)`
draws one number `u` and flips along the height axis (the second from last) when `u < p`. As the book notes, this flip is
less common than the left–right one: upside-down cats are rare in photographs.
""", '''
def flip_top_bottom(img, p=0.5, generator=None):
    """以概率 p 上下翻转 / Mirror the height axis with probability p (one draw from generator)."""
    ### BEGIN SOLUTION
    if torch.rand(1, generator=generator).item() < p:
        return torch.flip(img, dims=[-2])
    return img.clone()
    ### END SOLUTION
''')
    nb.question("random_resized_crop_params", """
书中用 `RandomResizedCrop(200, scale=(0.1, 1), ratio=(0.5, 2))` 随机裁出原图面积 10%–100%、宽高比 0.5–2 的一块，再缩放到 200×200。
先写出它的“抽参数”部分：`random_resized_crop_params(height, width, scale=(0.08, 1.0), ratio=(3/4, 4/3), generator=None)`，
返回**元组** `(i, j, h, w)`：裁剪框的上边、左边、高、宽（都是 Python 整数）。算法（与 torchvision 相同）：

1. `area = height * width`。最多尝试 10 次，每次：
   - `target_area = area * U(scale[0], scale[1])`；
   - `aspect = exp(U(log(ratio[0]), log(ratio[1])))`（宽/高，在对数尺度上均匀）；
   - `w = round(sqrt(target_area * aspect))`，`h = round(sqrt(target_area / aspect))`（Python 的 `round`）；
   - 若 `0 < w <= width` 且 `0 < h <= height`：`i = torch.randint(0, height - h + 1, (1,), generator=generator).item()`，
     然后 `j = torch.randint(0, width - w + 1, (1,), generator=generator).item()`，返回 `(i, j, h, w)`。
2. 10 次都不合适时退回到居中裁剪：设 `in_ratio = width / height`；若 `in_ratio < min(ratio)`，则 `w = width, h = round(w / min(ratio))`；
   若 `in_ratio > max(ratio)`，则 `h = height, w = round(h * max(ratio))`；否则 `h, w = height, width`。返回 `((height - h) // 2, (width - w) // 2, h, w)`。

这里 `U(a, b)` 一律写成 `a + (b - a) * torch.rand(1, generator=generator).item()`，每次抽一个数，按上面的先后次序。
""", """
The book's `RandomResizedCrop(200, scale=(0.1, 1), ratio=(0.5, 2))` cuts out a random piece covering 10%–100% of the picture
with a width/height ratio between 0.5 and 2, then resizes it to 200×200. First write the part that draws the parameters:
`random_resized_crop_params(height, width, scale=(0.08, 1.0), ratio=(3/4, 4/3), generator=None)` returns the **tuple**
`(i, j, h, w)`: the box's top, left, height and width (Python ints). The algorithm (torchvision's):

1. `area = height * width`. Try at most 10 times; each time:
   - `target_area = area * U(scale[0], scale[1])`;
   - `aspect = exp(U(log(ratio[0]), log(ratio[1])))` (width/height, uniform on a log scale);
   - `w = round(sqrt(target_area * aspect))`, `h = round(sqrt(target_area / aspect))` (Python's `round`);
   - if `0 < w <= width` and `0 < h <= height`: `i = torch.randint(0, height - h + 1, (1,), generator=generator).item()`,
     then `j = torch.randint(0, width - w + 1, (1,), generator=generator).item()`; return `(i, j, h, w)`.
2. If none of the 10 tries fits, fall back to a centred crop: with `in_ratio = width / height`, if `in_ratio < min(ratio)`
   then `w = width, h = round(w / min(ratio))`; if `in_ratio > max(ratio)` then `h = height, w = round(h * max(ratio))`;
   otherwise `h, w = height, width`. Return `((height - h) // 2, (width - w) // 2, h, w)`.

Here `U(a, b)` is always `a + (b - a) * torch.rand(1, generator=generator).item()`, one number per draw, in the order above.
""", '''
def random_resized_crop_params(height, width, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3),
                               generator=None):
    """随机裁剪框 (i, j, h, w) / A random crop box (top, left, height, width), torchvision's algorithm."""
    ### BEGIN SOLUTION
    def uniform(a, b):
        return a + (b - a) * torch.rand(1, generator=generator).item()

    area = height * width
    for _ in range(10):
        target_area = area * uniform(scale[0], scale[1])
        aspect = math.exp(uniform(math.log(ratio[0]), math.log(ratio[1])))
        w = round(math.sqrt(target_area * aspect))
        h = round(math.sqrt(target_area / aspect))
        if 0 < w <= width and 0 < h <= height:
            i = torch.randint(0, height - h + 1, (1,), generator=generator).item()
            j = torch.randint(0, width - w + 1, (1,), generator=generator).item()
            return i, j, h, w
    in_ratio = width / height
    if in_ratio < min(ratio):
        w, h = width, round(width / min(ratio))
    elif in_ratio > max(ratio):
        h, w = height, round(height * max(ratio))
    else:
        h, w = height, width
    return (height - h) // 2, (width - w) // 2, h, w
    ### END SOLUTION
''')
    nb.question("resized_crop", """
再写“裁剪并缩放”：`resized_crop(img, i, j, h, w, size)` 取出第 `i:i+h` 行、第 `j:j+w` 列（对最后两维），再缩放到 `size = (高, 宽)`。

- 缩放用 `F.interpolate`：它要求有批量维，所以先 `unsqueeze(0)`，用完再去掉；参数为 `mode="bilinear", align_corners=False, antialias=True`（缩小时先做抗混叠，与 torchvision 对张量的默认做法一致）。
- 返回形状 `(C, size[0], size[1])`。
""", """
Next, crop and resize: `resized_crop(img, i, j, h, w, size)` takes rows `i:i+h` and columns `j:j+w` (of the last two axes),
then resizes the piece to `size = (height, width)`.

- Resize with `F.interpolate`: it needs a batch axis, so `unsqueeze(0)` first and drop it afterwards; use `mode="bilinear", align_corners=False, antialias=True` (antialiasing when shrinking, as torchvision does for tensors by default).
- Return shape `(C, size[0], size[1])`.
""", '''
def resized_crop(img, i, j, h, w, size):
    """裁剪后缩放到 size / Crop rows i:i+h, columns j:j+w, then resize bilinearly to size."""
    ### BEGIN SOLUTION
    piece = img[..., i:i + h, j:j + w].unsqueeze(0)
    out = F.interpolate(piece, size=(size[0], size[1]), mode="bilinear", align_corners=False,
                        antialias=True)
    return out.squeeze(0)
    ### END SOLUTION
''')
    nb.question("apply", """
书中的 `apply(img, aug, num_rows=2, num_cols=4)` 把同一个增广 `aug` 在同一张图上运行 `num_rows * num_cols` 次，再把结果排成网格显示，
以便看出增广的随机性。这里不画图，而是返回这个网格：

- 按行的顺序调用 `aug(img)`（先填满第 0 行的 `num_cols` 个，再第 1 行……），每次调用一次，不要多调；
- 返回形状 `(num_rows, num_cols, *img.shape)` 的张量。

这里的 `aug` 只接受图像一个参数，它自己从 PyTorch 的全局随机数生成器抽随机数（评分程序在每个用例前设好种子）。
""", """
The book's `apply(img, aug, num_rows=2, num_cols=4)` runs the same augmentation `aug` on one picture `num_rows * num_cols`
times and shows the results in a grid, to make the randomness visible. Here nothing is drawn; return the grid instead:

- call `aug(img)` row by row (first the `num_cols` pictures of row 0, then row 1, …), once per cell and no more;
- return a tensor of shape `(num_rows, num_cols, *img.shape)`.

This `aug` takes the image only and draws from PyTorch's global random generator (the grader seeds it before each case).
""", '''
def apply(img, aug, num_rows=2, num_cols=4):
    """把 aug 运行 num_rows*num_cols 次排成网格 / aug applied num_rows*num_cols times, as a grid."""
    ### BEGIN SOLUTION
    rows = [torch.stack([aug(img) for _ in range(num_cols)]) for _ in range(num_rows)]
    return torch.stack(rows)
    ### END SOLUTION
''')
    nb.demo("flip-demo", """
用热狗替身里的第一张图片试一试：左右翻转两次回到原图，`apply` 给出 2×4 个随机裁剪（用你的两个函数组合成一个增广）。
""", """
Try it on the first picture of the hot-dog stand-in: two left–right flips give the picture back, and `apply` gives 2×4 random
crops (your two functions composed into one augmentation).
""", f"""
try:
    files = sorted((HOTDOG_DIR / "train" / "hotdog").glob("*.png"))
    img = read_image(files[0]).float() / 255 if files else torch.rand(3, 48, 64)
    g = torch.Generator().manual_seed(0)
    twice = flip_left_right(flip_left_right(img, 1.0, g), 1.0, g)
    print("图像形状 / image shape:", tuple(img.shape), " 翻转两次相同 / flipped twice equals:",
          torch.equal(twice, img))

    def crop_aug(x):
        i, j, h, w = random_resized_crop_params(x.shape[-2], x.shape[-1], (0.1, 1), (0.5, 2))
        return resized_crop(x, i, j, h, w, (40, 40))

    grid = apply(img, crop_aug)
    print("网格形状 / grid shape:", tuple(grid.shape))
except NotImplementedError:
    {FINISH_FIRST}
""")
    nb.question("random_brightness", """
颜色变化之一：随机亮度（`ColorJitter(brightness=b)`）。`random_brightness(img, brightness, generator=None)`：

- 抽一个因子 `factor = U(1 - brightness, 1 + brightness)`（一个数，写法同上：`a + (b - a) * torch.rand(1, generator=generator).item()`）；
- 返回 `img * factor`，再截断到 `[0, 1]`（`clamp`）。书中 `brightness=0.5` 即亮度在原来的 50%–150% 之间随机变化。
""", """
One of the colour changes: random brightness (`ColorJitter(brightness=b)`). `random_brightness(img, brightness, generator=None)`:

- draw one factor `factor = U(1 - brightness, 1 + brightness)` (one number, written as before: `a + (b - a) * torch.rand(1, generator=generator).item()`);
- return `img * factor`, clamped to `[0, 1]`. The book's `brightness=0.5` makes the brightness vary randomly between 50% and 150% of the original.
""", '''
def random_brightness(img, brightness, generator=None):
    """随机亮度 / Scale by a factor uniform in [1 - brightness, 1 + brightness], clamp to [0, 1]."""
    ### BEGIN SOLUTION
    factor = 1 - brightness + 2 * brightness * torch.rand(1, generator=generator).item()
    return (img * factor).clamp(0, 1)
    ### END SOLUTION
''')
    nb.question("adjust_contrast", """
对比度：`adjust_contrast(img, factor)` 把每个像素与整张图的平均灰度 `m` 混合：`factor * img + (1 - factor) * m`，再截断到 `[0, 1]`。

- 图像 `(3, H, W)` 的灰度是 `0.299 R + 0.587 G + 0.114 B`，`m` 是灰度图所有像素的平均值（一个数）。
- `factor = 0` 得到一张纯灰的图，`factor = 1` 不变，`factor > 1` 对比度增强。（`ColorJitter(contrast=c)` 就是随机抽 `factor ∈ [1 - c, 1 + c]` 后做这个变换。）
""", """
Contrast: `adjust_contrast(img, factor)` blends every pixel with the picture's mean grey level `m`:
`factor * img + (1 - factor) * m`, clamped to `[0, 1]`.

- The grey level of an image `(3, H, W)` is `0.299 R + 0.587 G + 0.114 B`; `m` is the mean over all pixels of that grey picture (one number).
- `factor = 0` gives a flat grey picture, `factor = 1` leaves it as it is, `factor > 1` increases the contrast. (`ColorJitter(contrast=c)` draws `factor ∈ [1 - c, 1 + c]` at random and applies this.)
""", '''
def adjust_contrast(img, factor):
    """对比度 / Blend each pixel with the image's mean grey level; clamp to [0, 1]."""
    ### BEGIN SOLUTION
    grey = 0.299 * img[0] + 0.587 * img[1] + 0.114 * img[2]
    return (factor * img + (1 - factor) * grey.mean()).clamp(0, 1)
    ### END SOLUTION
''')
    nb.md("aug-training-intro", """
### 用增广训练模型 / Training with augmentation

书中在 CIFAR-10 上比较了用与不用增广的训练。这里用 `toy_cifar` 生成的 32×32 图像代替 CIFAR-10（没有网络就下载不到它）。
和书中一样，训练集做增广（例如随机左右翻转）并打乱，测试集不增广、也不打乱。图像以 uint8 存放，读取时先除以 255 变成 `[0, 1]` 内的浮点数，再做增广。
""", """
The book compares training with and without augmentation on CIFAR-10. Here images generated by `toy_cifar` take its place
(CIFAR-10 cannot be downloaded without a network). As in the book, the training set is augmented (for example with random
left–right flips) and shuffled, the test set is neither. Images are stored as uint8; reading one divides it by 255 into
floats in `[0, 1]` before augmenting.
""")
    nb.question("load_cifar10", """
写 `load_cifar10(images, labels, is_train, augs, batch_size)`：`images` 是 uint8 张量 `(N, 3, H, W)`，`labels` 是 int64 张量 `(N,)`，`augs` 是作用在**一张**图像上的函数。

- 写一个 `Dataset`（在函数里定义一个小类即可）：第 `k` 个样本是 `(augs(images[k].float() / 255), labels[k])`。每张图单独增广，不要对整批一起做。
- 返回 `DataLoader(dataset, batch_size=batch_size, shuffle=is_train)`：训练集打乱，测试集保持原来的顺序（`num_workers` 保持默认的 0）。
""", """
Write `load_cifar10(images, labels, is_train, augs, batch_size)`: `images` is a uint8 tensor `(N, 3, H, W)`, `labels` an
int64 tensor `(N,)`, and `augs` a function of **one** image.

- Write a `Dataset` (a small class defined inside the function will do): example `k` is `(augs(images[k].float() / 255), labels[k])`. Augment each picture on its own, never a whole batch at once.
- Return `DataLoader(dataset, batch_size=batch_size, shuffle=is_train)`: the training set shuffled, the test set in its original order (leave `num_workers` at its default 0).
""", '''
def load_cifar10(images, labels, is_train, augs, batch_size):
    """增广后的数据迭代器 / A DataLoader of augmented images; shuffled only for training."""
    ### BEGIN SOLUTION
    class AugmentedImages(Dataset):
        def __len__(self):
            return len(images)

        def __getitem__(self, k):
            return augs(images[k].float() / 255), labels[k]

    return DataLoader(AugmentedImages(), batch_size=batch_size, shuffle=is_train)
    ### END SOLUTION
''')
    nb.question("train", """
写训练函数 `train(train_iter, test_iter, net, loss, optimizer, device, num_epochs)`（书中 9.1 节的 `train`）：

- 把 `net` 移到 `device`；每个周期先 `net.train()`（评分用的小网络没有丢弃层和批量规范化层，这一步在这里不改变结果，不单独评分；下面的微调题会检查它），对每个小批量：把 `X, y` 移到 `device`，前向、`loss(y_hat, y)`（一个平均损失）、`optimizer.zero_grad()`、`backward()`、`optimizer.step()`。
- 记录每个周期的平均训练损失（按样本数加权）、训练准确率，以及周期结束后用给定的 `evaluate_accuracy` 在 `test_iter` 上算出的测试准确率。
- 返回字典 `{"train_loss": [...], "train_acc": [...], "test_acc": [...]}`，每个列表有 `num_epochs` 个 Python 浮点数。

评分程序给一个小卷积网络、Adam 优化器和 `toy_cifar` 那样的数据，看损失是否明显下降，并自己重新计算训练后网络的测试准确率（应远高于 10% 的随机水平）。
""", """
Write the training function `train(train_iter, test_iter, net, loss, optimizer, device, num_epochs)` (§9.1's `train`):

- Move `net` to `device`; each epoch, call `net.train()` first (the small graded network has no dropout or batch norm, so here this step changes nothing and is not graded on its own; the fine-tuning questions below check it), then for every minibatch move `X, y` to `device`, run the forward pass, `loss(y_hat, y)` (a mean loss), `optimizer.zero_grad()`, `backward()`, `optimizer.step()`.
- Record per epoch the mean training loss (weighted by examples), the training accuracy, and the test accuracy on `test_iter` computed after the epoch with the given `evaluate_accuracy`.
- Return the dict `{"train_loss": [...], "train_acc": [...], "test_acc": [...]}`, each list holding `num_epochs` Python floats.

The grader passes a small convolutional network, an Adam optimiser and data like `toy_cifar`'s, checks that the loss falls
clearly, and recomputes the trained network's test accuracy itself (it should be far above the 10% of guessing).
""", '''
def train(train_iter, test_iter, net, loss, optimizer, device, num_epochs):
    """训练并记录每个周期的损失与准确率 / Train; per-epoch loss and accuracies."""
    ### BEGIN SOLUTION
    net.to(device)
    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    for _ in range(num_epochs):
        net.train()
        loss_sum, correct, n = 0.0, 0, 0
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            loss_sum += l.item() * len(y)
            correct += int((y_hat.argmax(dim=1) == y).sum())
            n += len(y)
        history["train_loss"].append(loss_sum / n)
        history["train_acc"].append(correct / n)
        history["test_acc"].append(evaluate_accuracy(
            ((X.to(device), y.to(device)) for X, y in test_iter), net))
    return history
    ### END SOLUTION
''')
    nb.demo("train-demo", """
在 `toy_cifar` 的数据上，训练集用随机左右翻转增广，训练一个小卷积网络 4 个周期。
""", """
On `toy_cifar`'s data, with random left–right flips on the training set, train a small convolutional network for 4 epochs.
""", f"""
try:
    torch.manual_seed(0)
    X_train, y_train, X_test, y_test = toy_cifar()
    train_iter = load_cifar10(X_train, y_train, True, flip_left_right, 32)
    test_iter = load_cifar10(X_test, y_test, False, lambda x: x, 50)
    net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(32, 10))
    history = train(train_iter, test_iter, net, nn.CrossEntropyLoss(),
                    torch.optim.Adam(net.parameters(), lr=1e-2), "cpu", 4)
    for key, values in history.items():
        print(key, [round(v, 3) for v in values])
except NotImplementedError:
    {FINISH_FIRST}
""")

    # ---------------------------------------------------------------- §9.2
    nb.md("sec-9-2", """
## 9.2 微调 / Fine-Tuning

迁移学习的一种常用做法是微调：拿一个在大数据集（如 ImageNet）上预训练好的模型，保留除输出层以外的全部层和参数，
换一个类别数符合新任务的输出层并随机初始化，然后在新数据集上训练整个模型——输出层从头学，其余各层只做小幅调整。
书中用 ImageNet 预训练的 ResNet-18 识别热狗。

这里没有网络，也就没有预训练权重：下面给出与 torchvision 结构、属性名都相同的 `resnet18`（`conv1`、`bn1`、`layer1`…`layer4`、`avgpool`、`fc`），
权重是 PyTorch 的默认初始化。微调的“机制”——换输出层、分组学习率、冻结参数——与有没有预训练权重无关，这正是本节要练习的。
""", """
## 9.2 Fine-Tuning

A common form of transfer learning is fine-tuning: take a model pretrained on a large data set (such as ImageNet), keep all
its layers and parameters except the output layer, put in a new, randomly initialised output layer with as many classes as
the new task has, and train the whole model on the new data — the output layer from scratch, the other layers only a little.
The book recognises hot dogs with an ImageNet-pretrained ResNet-18.

Without a network there are no pretrained weights: below is a `resnet18` with torchvision's structure and attribute names
(`conv1`, `bn1`, `layer1` … `layer4`, `avgpool`, `fc`) and PyTorch's default initialisation. The mechanics of fine-tuning —
a new output layer, parameter groups with their own learning rates, frozen parameters — do not depend on where the weights
came from, and they are what this section practises.
""")
    nb.given("backbone", backbone_source() + """


pretrained_net = resnet18()  # 假装它已在 ImageNet 上训练过 / pretend it was trained on ImageNet
print("fc:", pretrained_net.fc)
""")
    nb.question("index_image_folder", """
热狗数据的目录是 `hotdog/{train,test}/{hotdog,not-hotdog}/*.png`，与 torchvision 的 `ImageFolder` 的约定相同：每个子目录是一类。
写 `index_image_folder(relpaths)`：`relpaths` 是某个目录下所有图片的相对路径，形如 `"hotdog/12.png"`（类名/文件名），顺序任意。返回**元组** `(classes, samples)`：

- `classes`：所有类名排序后的列表（Python 字符串的排序，例如 `"Moth" < "ant"`），类名 `classes[k]` 的标签就是 `k`；
- `samples`：`(相对路径, 标签)` **元组**的列表，先按标签、同一类内再按文件名的字符串顺序排列（所以 `"10.png"` 排在 `"2.png"` 前面，和 `ImageFolder` 一样）。

后面给定的 `load_image_folder` 会用它读出整个数据集。
""", """
The hot-dog data is laid out as `hotdog/{train,test}/{hotdog,not-hotdog}/*.png`, the convention of torchvision's
`ImageFolder`: every sub-folder is a class. Write `index_image_folder(relpaths)`: `relpaths` are the relative paths of all
pictures under one folder, such as `"hotdog/12.png"` (class/file), in any order. Return the **tuple** `(classes, samples)`:

- `classes`: the class names, sorted (Python's string order, e.g. `"Moth" < "ant"`); class `classes[k]` has label `k`;
- `samples`: a list of `(relative path, label)` **tuples**, ordered by label and, within a class, by file name in string order (so `"10.png"` comes before `"2.png"`, as in `ImageFolder`).

The given `load_image_folder` below reads a whole data set with it.
""", '''
def index_image_folder(relpaths):
    """类名排序后编号，样本按 (标签, 文件名) 排序 / Sorted class names → labels; samples by (label, file)."""
    ### BEGIN SOLUTION
    pairs = [p.split("/", 1) for p in relpaths]
    classes = sorted({cls for cls, _ in pairs})
    label = {cls: k for k, cls in enumerate(classes)}
    ordered = sorted(pairs, key=lambda pair: (label[pair[0]], pair[1]))
    return classes, [(f"{cls}/{name}", label[cls]) for cls, name in ordered]
    ### END SOLUTION
''')
    nb.given("folder-loader", '''
def load_image_folder(root):
    """读出 ImageFolder 结构的目录 / Read an ImageFolder tree: (uint8 images, int64 labels, classes)."""
    root = Path(root)
    relpaths = [f"{d.name}/{f.name}" for d in root.iterdir() if d.is_dir()
                for f in d.iterdir() if f.suffix.lower() in (".png", ".jpg", ".jpeg")]
    classes, samples = index_image_folder(relpaths)
    images = [read_image(root / rel) for rel, _ in samples]
    labels = torch.tensor([label for _, label in samples])
    return images, labels, classes
''')
    nb.md("augs-intro", """
### 训练和测试时的变换 / Transforms for training and testing

预训练模型在 ImageNet 上训练时，输入先按 RGB 三个通道标准化：减去均值 `(0.485, 0.456, 0.406)`，再除以标准差 `(0.229, 0.224, 0.225)`。
微调时必须做同样的标准化。书中训练时随机裁剪并缩放到 224×224 再随机左右翻转；测试时把短边缩放到 256，再从中间裁出 224×224。
这里按比例缩小：训练裁剪到 `size`（默认 56），测试时短边缩放到 `resize_to`（默认 64）再居中裁出 `crop`（默认 56）。两个函数的输入都是 uint8 图像 `(3, H, W)`。
""", """
When the pretrained model was trained on ImageNet, its inputs were standardised per RGB channel: minus the means
`(0.485, 0.456, 0.406)`, divided by the standard deviations `(0.229, 0.224, 0.225)`. Fine-tuning must standardise the same way.
The book's training transform crops at random and resizes to 224×224, then flips left–right at random; its test transform
resizes the shorter side to 256 and cuts out the central 224×224. Here everything is scaled down: training crops to `size`
(56 by default); testing resizes the shorter side to `resize_to` (64) and cuts out the central `crop` (56). Both functions
take a uint8 image `(3, H, W)`.
""")
    nb.question("test_augs", """
写 `test_augs(img, resize_to=64, crop=56)`，按次序：

1. 转成 `[0, 1]` 内的 float32：`img.float() / 255`；
2. 把短边缩放到 `resize_to`，长边按比例缩放为 `int(resize_to * 长边 / 短边)`（截断取整；高宽相等时两边都是 `resize_to`）。缩放方式与 `resized_crop` 相同：`F.interpolate(..., mode="bilinear", align_corners=False, antialias=True)`；
3. 居中裁出 `crop × crop`：上边 `(新高 - crop) // 2`，左边 `(新宽 - crop) // 2`；
4. 按通道标准化：减去 ImageNet 均值，除以标准差。

返回形状 `(3, crop, crop)` 的 float32 张量。
""", """
Write `test_augs(img, resize_to=64, crop=56)`, in this order:

1. float32 in `[0, 1]`: `img.float() / 255`;
2. resize so that the shorter side becomes `resize_to` and the longer one `int(resize_to * longer / shorter)` (truncated; a square picture gets `resize_to` on both sides), resizing as in `resized_crop`: `F.interpolate(..., mode="bilinear", align_corners=False, antialias=True)`;
3. cut out the central `crop × crop`: top `(new height - crop) // 2`, left `(new width - crop) // 2`;
4. standardise per channel: minus the ImageNet means, divided by the standard deviations.

Return a float32 tensor of shape `(3, crop, crop)`.
""", '''
def test_augs(img, resize_to=64, crop=56):
    """短边缩放、居中裁剪、标准化 / Resize the shorter side, centre-crop, standardise."""
    ### BEGIN SOLUTION
    x = img.float() / 255
    h, w = x.shape[-2:]
    if h <= w:
        size = (resize_to, int(resize_to * w / h))
    else:
        size = (int(resize_to * h / w), resize_to)
    x = F.interpolate(x.unsqueeze(0), size=size, mode="bilinear", align_corners=False,
                      antialias=True).squeeze(0)
    top, left = (size[0] - crop) // 2, (size[1] - crop) // 2
    x = x[:, top:top + crop, left:left + crop]
    mean = torch.tensor([0.485, 0.456, 0.406]).reshape(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).reshape(3, 1, 1)
    return (x - mean) / std
    ### END SOLUTION
''')
    nb.question("train_augs", """
写 `train_augs(img, size=56, generator=None)`，按次序：

1. `img.float() / 255`；
2. 随机裁剪并缩放到 `size × size`：用你的 `random_resized_crop_params`（torchvision 的默认 `scale=(0.08, 1.0)`、`ratio=(3/4, 4/3)`，同一个 `generator`）和 `resized_crop`；
3. 以概率 0.5 左右翻转（`flip_left_right`，同一个 `generator`）；
4. 与 `test_augs` 相同的标准化。

返回形状 `(3, size, size)` 的 float32 张量。评分看的是这个函数自己的职责——输出大小、转换与标准化、只做左右翻转（不上下翻转、不转置），
裁剪框具体落在哪里由前面的题负责，这里不重复扣分。
""", """
Write `train_augs(img, size=56, generator=None)`, in this order:

1. `img.float() / 255`;
2. a random crop resized to `size × size`: your `random_resized_crop_params` (torchvision's defaults `scale=(0.08, 1.0)`, `ratio=(3/4, 4/3)`, the same `generator`) and `resized_crop`;
3. a left–right flip with probability 0.5 (`flip_left_right`, the same `generator`);
4. the same standardisation as `test_augs`.

Return a float32 tensor of shape `(3, size, size)`. Grading looks at this function's own duties — the output size, the
conversion and standardisation, flipping left–right only (never upside down, never transposed); where exactly the crop box
lands is the earlier questions' business and costs no points twice.
""", '''
def train_augs(img, size=56, generator=None):
    """随机裁剪缩放、随机左右翻转、标准化 / Random resized crop, random flip, standardise."""
    ### BEGIN SOLUTION
    x = img.float() / 255
    i, j, h, w = random_resized_crop_params(x.shape[-2], x.shape[-1], (0.08, 1.0),
                                            (3 / 4, 4 / 3), generator)
    x = resized_crop(x, i, j, h, w, (size, size))
    x = flip_left_right(x, 0.5, generator)
    mean = torch.tensor([0.485, 0.456, 0.406]).reshape(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).reshape(3, 1, 1)
    return (x - mean) / std
    ### END SOLUTION
''')
    nb.question("make_finetune_net", """
写 `make_finetune_net(pretrained_net, num_classes=2)`，返回用于微调的新网络：

- 先复制一份：`net = copy.deepcopy(pretrained_net)`，预训练网络本身保持不变（书中再调用一次 `resnet18(pretrained=True)`，效果相同）；
- 把输出层换成 `net.fc = nn.Linear(pretrained_net.fc.in_features, num_classes)`（ResNet-18 的 `in_features` 是 512）；
- 用 `nn.init.xavier_uniform_` 初始化新输出层的权重，偏置保持 `nn.Linear` 的默认初始化。

评分程序传入的“预训练网络”是一个末层也叫 `fc` 的小网络，检查：除 `fc` 以外的参数与缓冲区都保持原值，原网络没被改动，`fc` 形状正确，权重符合 Xavier 均匀分布的范围与分散程度。
""", """
Write `make_finetune_net(pretrained_net, num_classes=2)`, returning the network to fine-tune:

- copy first: `net = copy.deepcopy(pretrained_net)`, leaving the pretrained network as it was (the book calls `resnet18(pretrained=True)` a second time, to the same effect);
- replace the output layer: `net.fc = nn.Linear(pretrained_net.fc.in_features, num_classes)` (ResNet-18's `in_features` is 512);
- initialise the new layer's weight with `nn.init.xavier_uniform_`; its bias keeps `nn.Linear`'s default initialisation.

The grader passes a small "pretrained" network whose last layer is also called `fc`, and checks that every parameter and
buffer outside `fc` keeps its value, that the given network is unchanged, that `fc` has the right shape, and that its
weights have the range and spread of a Xavier-uniform draw.
""", '''
def make_finetune_net(pretrained_net, num_classes=2):
    """复制预训练网络并换上新的输出层 / A copy of the pretrained net with a new, Xavier-initialised fc."""
    ### BEGIN SOLUTION
    net = copy.deepcopy(pretrained_net)
    net.fc = nn.Linear(pretrained_net.fc.in_features, num_classes)
    nn.init.xavier_uniform_(net.fc.weight)
    return net
    ### END SOLUTION
''')
    nb.demo("finetune-net-demo", """
在给定的 ResNet-18 上：新输出层是 `Linear(512, 2)`，其余参数与“预训练”网络相同；Xavier 均匀分布的界是 √(6/(512+2)) ≈ 0.108。
""", """
On the given ResNet-18: the new output layer is `Linear(512, 2)` and every other parameter equals the "pretrained" one; the
Xavier-uniform bound is √(6/(512+2)) ≈ 0.108.
""", f"""
try:
    finetune_net = make_finetune_net(pretrained_net, 2)
    print("fc:", finetune_net.fc, " max|w| =", round(finetune_net.fc.weight.abs().max().item(), 4))
    print("layer4 与预训练相同 / layer4 as pretrained:",
          all(torch.equal(a, b) for a, b in zip(finetune_net.layer4.parameters(),
                                                 pretrained_net.layer4.parameters())))
    print("原网络的 fc 未变 / original fc kept:", pretrained_net.fc.out_features == 1000)
except NotImplementedError:
    {FINISH_FIRST}
""")
    nb.question("train_fine_tuning", """
写 `train_fine_tuning(net, train_iter, lr, num_epochs, param_group=True)`：

- 优化器是不带动量的 `torch.optim.SGD`，`weight_decay=0.001`；
- `param_group=True` 时分两组：`net.fc` 以外的所有参数用学习率 `lr`，`net.fc` 的参数用 `lr * 10`（输出层从头学，所以学得更快）；`param_group=False` 时所有参数都用 `lr`（书中用来对比从头训练）；
- 损失是 `nn.CrossEntropyLoss()`（平均）；先 `net.train()`，然后 `num_epochs` 遍 `train_iter`，每个小批量做一步：前向、损失、`zero_grad`、`backward`、`step`；
- 返回每一步损失的列表（Python 浮点数）。评分程序比较 k 步之后网络的全部参数和缓冲区（rtol 1e-4）。有一个隐藏用例交来的网络处于评估模式：不调用 `net.train()`，批量规范化层就会用错统计量。

请在这里直接写循环，不要调用上面的 `train`：这样一道题的错误不会连累另一道题。
""", """
Write `train_fine_tuning(net, train_iter, lr, num_epochs, param_group=True)`:

- the optimiser is `torch.optim.SGD` without momentum, `weight_decay=0.001`;
- with `param_group=True` there are two groups: every parameter outside `net.fc` with learning rate `lr`, and `net.fc`'s parameters with `lr * 10` (the output layer learns from scratch, so it learns faster); with `param_group=False` every parameter uses `lr` (the book's comparison with training from scratch);
- the loss is `nn.CrossEntropyLoss()` (a mean); call `net.train()`, then go `num_epochs` times through `train_iter`, one step per minibatch: forward, loss, `zero_grad`, `backward`, `step`;
- return the list of every step's loss (Python floats). The grader compares all the network's parameters and buffers after k steps (rtol 1e-4). One hidden case hands the network over in evaluation mode: without `net.train()` its batch-norm layer uses the wrong statistics.

Write the loop here rather than calling `train` above, so that a mistake in one question does not cost the other.
""", '''
def train_fine_tuning(net, train_iter, lr, num_epochs, param_group=True):
    """微调：输出层学习率为 10 倍 / Fine-tune with SGD; fc learns ten times faster when param_group."""
    ### BEGIN SOLUTION
    if param_group:
        fc_ids = {id(p) for p in net.fc.parameters()}
        features = [p for p in net.parameters() if id(p) not in fc_ids]
        groups = [{"params": features}, {"params": net.fc.parameters(), "lr": lr * 10}]
    else:
        groups = net.parameters()
    optimizer = torch.optim.SGD(groups, lr=lr, weight_decay=0.001)
    loss = nn.CrossEntropyLoss()
    losses = []
    net.train()
    for _ in range(num_epochs):
        for X, y in train_iter:
            l = loss(net(X), y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            losses.append(l.item())
    return losses
    ### END SOLUTION
''')
    nb.question("fine_tune_frozen", """
书中的练习：把输出层以外的参数固定住，只训练输出层。写 `fine_tune_frozen(net, train_iter, lr, num_epochs)`：

- 把 `net.fc` 以外所有参数的 `requires_grad` 设为 `False`；
- 优化器 `torch.optim.SGD(仍需梯度的参数, lr=lr, weight_decay=0.001)`（不带动量），其余与 `train_fine_tuning` 相同（`net.train()`、平均交叉熵、每个小批量一步），返回每一步的损失。

注意：冻结的只是参数；网络处在训练模式，批量归一化层的滑动均值和方差照常更新。
""", """
The book's exercise: keep every parameter outside the output layer fixed and train the output layer only. Write
`fine_tune_frozen(net, train_iter, lr, num_epochs)`:

- set `requires_grad` to `False` on every parameter outside `net.fc`;
- the optimiser is `torch.optim.SGD(the parameters that still require grad, lr=lr, weight_decay=0.001)` (no momentum); everything else as in `train_fine_tuning` (`net.train()`, mean cross-entropy, one step per minibatch); return every step's loss.

Note that only parameters are frozen: the network is in training mode, so batch normalisation's running means and variances
are updated as usual.
""", '''
def fine_tune_frozen(net, train_iter, lr, num_epochs):
    """冻结 fc 以外的参数，只训练 fc / Freeze everything but fc and train fc alone."""
    ### BEGIN SOLUTION
    fc_ids = {id(p) for p in net.fc.parameters()}
    for p in net.parameters():
        if id(p) not in fc_ids:
            p.requires_grad_(False)
    optimizer = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=lr,
                                weight_decay=0.001)
    loss = nn.CrossEntropyLoss()
    losses = []
    net.train()
    for _ in range(num_epochs):
        for X, y in train_iter:
            l = loss(net(X), y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            losses.append(l.item())
    return losses
    ### END SOLUTION
''')
    nb.demo("hotdog-demo", """
把这些拼起来：读出热狗替身的训练集与测试集，训练时用 `train_augs`、测试时用 `test_augs`，微调 ResNet-18 一个周期（只为演示流程，
没有预训练权重、只有几十张图，准确率没有意义）。
""", """
Putting it together: read the hot-dog stand-in's training and test sets, transform with `train_augs` for training and
`test_augs` for testing, and fine-tune ResNet-18 for one epoch (a demonstration of the workflow only: without pretrained
weights and with a few dozen pictures, the accuracy means nothing).
""", """
try:
    if not HOTDOG_DIR.is_dir():
        raise FileNotFoundError(HOTDOG_DIR)
    train_imgs, train_labels, classes = load_image_folder(HOTDOG_DIR / "train")
    test_imgs, test_labels, _ = load_image_folder(HOTDOG_DIR / "test")
    print("类别 / classes:", classes, " 训练 / train:", len(train_imgs), " 测试 / test:", len(test_imgs))
    g = torch.Generator().manual_seed(0)
    X_train = torch.stack([train_augs(img, 56, g) for img in train_imgs])
    X_test = torch.stack([test_augs(img, 64, 56) for img in test_imgs])
    torch.manual_seed(0)
    net = make_finetune_net(pretrained_net, len(classes))
    batches = list(DataLoader(TensorDataset(X_train, train_labels), batch_size=20, shuffle=True))
    losses = train_fine_tuning(net, batches, 0.001, 1)
    print("损失 / losses:", [round(v, 3) for v in losses])
    print("测试准确率 / test accuracy:",
          evaluate_accuracy(DataLoader(TensorDataset(X_test, test_labels), batch_size=20), net))
except (NotImplementedError, FileNotFoundError) as exc:
    print("跳过 / skipped:", type(exc).__name__, exc)
""")
    return nb


def main() -> int:
    build().write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
