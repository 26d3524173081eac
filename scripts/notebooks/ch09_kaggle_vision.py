# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch09_vision/kaggle_vision.ipynb`` (§9.12–9.13).

Generated so that it is reproducible and reviewable as Python:

    .venv/bin/python scripts/notebooks/ch09_kaggle_vision.py

Each question becomes three cells (``<q>-intro``, ``<q>-answer`` with the solution between
``### BEGIN SOLUTION`` / ``### END SOLUTION``, ``<q>-check``) through
:class:`scripts.notebooks.cells.MasterNotebook`; points come from
``solutions/ch09_vision/kaggle_vision.py``.  Prose is our own, 简体中文 first, English
beneath.  Given code is printed from the reference modules with ``inspect.getsource``:
ResNet-34 from ``reference_impl/backbones.py``, and the helpers and grading probes from
``reference_impl/ch09_kaggle_vision.py`` (the probes call the student's functions by
name, so the same text serves the grader's reference and the notebook).  The data are the
stand-ins of ``reference_impl/kaggle_vision_data.py`` under ``$D2L_DATA_DIR``.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reference_impl import backbones  # noqa: E402
from reference_impl import ch09_kaggle_vision as ref  # noqa: E402
from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch09_vision", "kaggle_vision"


def source(*objects: object) -> str:
    """The committed source of ``objects``, one after another."""
    return "\n\n\n".join(inspect.getsource(obj).rstrip() for obj in objects)  # type: ignore[arg-type]


def build() -> MasterNotebook:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    nb.md("intro", """
# 第 9 章 计算机视觉（四）：Kaggle 上的图像分类

本笔记本对应《动手学深度学习》（第一版）9.12 节（CIFAR-10 图像分类）和 9.13 节（ImageNet Dogs 狗的品种识别），全部使用 PyTorch，且不依赖 torchvision。
两节的核心都是“把比赛给的文件整理成能训练的样子”：读标签文件、按规则分出验证集、把测试图片放进一个统一的类别目录，
再定义图像变换、模型，最后按比赛要求的格式写出提交文件。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改函数名、参数名和默认值。**随机的变换一律用传入的 `generator` 抽随机数，并按题目规定的次序和方式抽。**
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。
- 评分在没有 GPU、没有网络的环境里进行，也没有比赛数据和预训练权重。`$D2L_DATA_DIR` 下放着两个与比赛目录结构相同的小型**替身**；
  评分时读写文件的函数会在临时目录里的小数据上运行（见下面给定的“探针”函数）。

---

# Chapter 9 Computer Vision (4): Image Classification on Kaggle

This notebook covers sections 9.12 (CIFAR-10 image classification) and 9.13 (dog-breed identification on ImageNet Dogs) of
*Dive into Deep Learning* (first edition), entirely in PyTorch and without torchvision. Both sections are mostly about turning
the files a competition hands out into something a network can train on: read the label file, carve out a validation set by a
rule, put the test pictures into a single class folder, define the image transforms and the model, and finally write the
submission file in the format the competition expects.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename functions, arguments or defaults. **Random transforms draw their random numbers from the `generator` they are given, in the order and the way the question states.**
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell.
- Grading runs without a GPU and without network access; there are neither competition data nor pretrained weights. `$D2L_DATA_DIR` holds two small **stand-ins** with the competitions' folder layouts; during grading, the functions that read and write files run on tiny data in a temporary folder (see the given "probe" functions below).
""", "")
    nb.cells[-1].source = nb.cells[-1].source.removesuffix("\n\n---\n\n")
    nb.setup("""
import collections
import math
import os
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
""")
    nb.md("tools-intro", """
### 给定的工具（不是填空）

- `CIFAR_DIR`、`DOG_DIR`：两个替身数据集的目录 `$D2L_DATA_DIR/kaggle_cifar10` 与 `$D2L_DATA_DIR/kaggle_dog`（默认在 `~/.d2l/data` 下）。这些目录可能是只读的，所以整理后的数据一律写到别的目录。
- `copyfile(src, target_dir)`：把文件复制进目录，目录不存在时先建好。
- `resize(x, h, w)`：把 float 张量 `(C, H, W)` 双线性缩放到 `(C, h, w)`（`align_corners=False`，不做抗锯齿）。本笔记本的所有缩放都用它。
- `read_image(path)`：用 PIL 读一张图片，返回 uint8 张量 `(3, H, W)`。
- `CIFAR_MEAN`、`CIFAR_STD`：书中标准化 CIFAR-10 用的各通道均值与标准差。
""", """
### Given tools (not blanks)

- `CIFAR_DIR`, `DOG_DIR`: the two stand-ins' folders `$D2L_DATA_DIR/kaggle_cifar10` and `$D2L_DATA_DIR/kaggle_dog` (under `~/.d2l/data` by default). They may be read-only, so reorganised data always go to another folder.
- `copyfile(src, target_dir)`: copies a file into a folder, creating the folder first when needed.
- `resize(x, h, w)`: resizes a float tensor `(C, H, W)` bilinearly to `(C, h, w)` (`align_corners=False`, no antialiasing). Every resize in this notebook uses it.
- `read_image(path)`: reads a picture with PIL into a uint8 tensor `(3, H, W)`.
- `CIFAR_MEAN`, `CIFAR_STD`: the per-channel means and standard deviations the book normalises CIFAR-10 with.
""")
    nb.given("tools", f'''
DATA_DIR = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser()
CIFAR_DIR = DATA_DIR / "kaggle_cifar10"
DOG_DIR = DATA_DIR / "kaggle_dog"
CIFAR_MEAN = {ref.CIFAR_MEAN!r}
CIFAR_STD = {ref.CIFAR_STD!r}


{source(ref.copyfile, ref.resize)}


def read_image(path):
    """一张图片 → uint8 张量 (3, H, W) / A picture file as a uint8 tensor (3, H, W)."""
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    return torch.from_numpy(pixels).permute(2, 0, 1).contiguous()


print("CIFAR-10 替身 / stand-in:", CIFAR_DIR, "found" if CIFAR_DIR.is_dir() else "NOT found")
print("狗品种替身 / dog stand-in:", DOG_DIR, "found" if DOG_DIR.is_dir() else "NOT found")
''')
    nb.md("probes-intro", """
### 评分用的探针（给定，不是填空）

读写文件的函数没法直接拿张量来比。下面的“探针”在临时目录里写出一个迷你的比赛目录（每个文件的内容就是它自己的文件名），
调用你的函数，再用 `list_tree` 列出输出目录：`{相对路径: 排好序的文件名列表}`（只列出含有文件的目录）。评分比较的就是这份清单和函数的返回值。
探针在你写好函数之前就可以定义：它们到调用时才按名字找你的函数。
""", """
### Probes used for grading (given, not blanks)

Functions that read and write files cannot be compared as tensors. The "probes" below write a miniature competition folder
into a temporary folder (each file holds its own name), call your function, and list the output folder with `list_tree`:
`{relative path: sorted file names}` (only folders that hold files are listed). Grading compares that listing and the
function's return value. The probes can be defined before your functions exist: they look your functions up by name when called.
""")
    nb.given("probes", source(ref.write_kaggle_tree, ref.list_tree, ref.read_csv_probe,
                              ref.reorg_cifar_probe, ref.reorg_test_probe, ref.submission_probe,
                              ref.reorg_dog_probe, ref.freeze_probe) + "\n")

    # ---------------------------------------------------------------- §9.12
    nb.md("sec-9-12", """
## 9.12 实战 Kaggle 比赛：图像分类（CIFAR-10）

比赛的数据是这样放的：`train/{id}.png`（32×32 的训练图片，id 从 1 开始编号）、`trainLabels.csv`（首行是表头 `id,label`，之后每行一个 `id,类别名`）、
`test/{id}.png`（没有标签的测试图片）。书中的做法是先把训练图片按类别复制到各自的目录里，这样就能像读“图像文件夹”那样读数据：
子目录名就是类别。替身有 10 类，各类图片数**不相等**（12 张到 4 张），这样下面的划分规则才看得出区别。
""", """
## 9.12 Image Classification on Kaggle (CIFAR-10)

The competition's data are laid out as `train/{id}.png` (32×32 training pictures numbered from 1), `trainLabels.csv` (a header
line `id,label`, then one `id,class name` per line) and `test/{id}.png` (unlabelled test pictures). The book first copies the
training pictures into one folder per class, so that the data can be read like an "image folder" whose sub-folder names are
the classes. The stand-in has 10 classes with **unequal** numbers of pictures (12 down to 4), so that the splitting rule below
makes a visible difference.
""")
    nb.question("read_csv_labels", """
写 `read_csv_labels(fname)`：读取标签文件，跳过首行表头，返回字典 `{id: 类别名}`，**键和值都是字符串**（例如 `{"1": "frog", ...}`；
这样同一个函数也能读 9.13 节十六进制的狗图片编号）。行尾可能是 `\\n` 也可能是 `\\r\\n`，最后一行后面不一定有换行；去掉每个字段两端的空白，忽略空行。
""", """
Write `read_csv_labels(fname)`: read the label file, skip the header line and return the dict `{id: class name}` with
**string keys and values** (e.g. `{"1": "frog", ...}`, so that the same function also reads §9.13's hexadecimal dog ids).
Lines may end with `\\n` or `\\r\\n`, and the last line may lack a line end; strip the whitespace around each field and ignore
empty lines.
""", '''
def read_csv_labels(fname):
    """标签文件 → {id: 类别名} / A label CSV as {id: label}, both strings, header skipped."""
    ### BEGIN SOLUTION
    with open(fname) as f:
        lines = f.read().splitlines()[1:]
    labels = {}
    for line in lines:
        if line.strip():
            idx, label = line.split(",")
            labels[idx.strip()] = label.strip()
    return labels
    ### END SOLUTION
''')
    nb.question("reorg_train_valid", """
写 `reorg_train_valid(data_dir, out_dir, labels, valid_ratio)`，把 `data_dir/train` 里的图片复制到 `out_dir` 下并返回 `n_train_per_label`。
使用**第一版书中 CIFAR-10 的规则**：

1. `n` 是 `data_dir/train` 里的图片数，`c` 是类别数（`labels` 中不同类别名的个数）；`n_train_per_label = int(n * (1 - valid_ratio)) // c`。
2. 把图片按 **id 的数值从小到大** 依次处理（文件名去掉扩展名就是 id；注意按字符串排序时 `"10.png"` 排在 `"2.png"` 前面）。
3. 每张图片都复制到 `out_dir/train_valid/<类别>`；此外，它所在类别里**最先处理的** `n_train_per_label` 张复制到 `out_dir/train/<类别>`，其余的复制到 `out_dir/valid/<类别>`。

所以一个图片数不超过 `n_train_per_label` 的小类别根本不会出现在 `valid` 里，书中也是如此。（书里按 `os.listdir` 给出的次序处理文件，
而这个次序没有任何保证；这里规定排序，结果才可重复。）用给定的 `copyfile` 复制。
""", """
Write `reorg_train_valid(data_dir, out_dir, labels, valid_ratio)`, which copies the pictures of `data_dir/train` under `out_dir`
and returns `n_train_per_label`. Use **the first edition's CIFAR-10 rule**:

1. `n` is the number of pictures in `data_dir/train` and `c` the number of classes (distinct class names in `labels`);
   `n_train_per_label = int(n * (1 - valid_ratio)) // c`.
2. Handle the pictures in **increasing numeric id** (the file name without its extension is the id; careful: sorted as
   strings, `"10.png"` comes before `"2.png"`).
3. Copy every picture to `out_dir/train_valid/<class>`; besides, the **first** `n_train_per_label` pictures handled in each
   class go to `out_dir/train/<class>` and the others to `out_dir/valid/<class>`.

So a small class with at most `n_train_per_label` pictures does not appear in `valid` at all, as in the book. (The book handles
the files in the order `os.listdir` gives, which nothing guarantees; sorting makes the result reproducible.) Copy with the given
`copyfile`.
""", '''
def reorg_train_valid(data_dir, out_dir, labels, valid_ratio):
    """按第一版规则划分训练集与验证集 / Split train/ into train, valid and train_valid folders."""
    ### BEGIN SOLUTION
    files = os.listdir(os.path.join(data_dir, "train"))
    files.sort(key=lambda name: int(name.split(".")[0]))
    n_classes = len(set(labels.values()))
    n_train_per_label = int(len(files) * (1 - valid_ratio)) // n_classes
    count = {}
    for name in files:
        label = labels[name.split(".")[0]]
        src = os.path.join(data_dir, "train", name)
        copyfile(src, os.path.join(out_dir, "train_valid", label))
        if count.get(label, 0) < n_train_per_label:
            copyfile(src, os.path.join(out_dir, "train", label))
        else:
            copyfile(src, os.path.join(out_dir, "valid", label))
        count[label] = count.get(label, 0) + 1
    return n_train_per_label
    ### END SOLUTION
''')
    nb.question("reorg_test", """
写 `reorg_test(data_dir, out_dir)`：把 `data_dir/test` 里的每张图片复制到 `out_dir/test/unknown`。测试图片没有标签，
放进同一个“未知”类别后，就能和训练数据一样按图像文件夹读取。不返回任何值。
""", """
Write `reorg_test(data_dir, out_dir)`: copy every picture of `data_dir/test` into `out_dir/test/unknown`. Test pictures have no
labels; in a single "unknown" class they can be read as an image folder like the training data. It returns nothing.
""", '''
def reorg_test(data_dir, out_dir):
    """测试图片 → out_dir/test/unknown / Copy the test pictures into one pseudo-class folder."""
    ### BEGIN SOLUTION
    for name in os.listdir(os.path.join(data_dir, "test")):
        copyfile(os.path.join(data_dir, "test", name), os.path.join(out_dir, "test", "unknown"))
    ### END SOLUTION
''')
    nb.demo("reorg-demo", """
在替身上整理一遍（输出写到临时目录 `WORK_DIR`），数一数各目录里的图片。验证集比例取书中的 0.1。
""", """
Reorganise the stand-in (into the temporary folder `WORK_DIR`) and count the pictures in each folder, with the book's
validation ratio of 0.1.
""", """
WORK_DIR = Path(tempfile.mkdtemp(prefix="kaggle_"))
CIFAR_OUT = WORK_DIR / "cifar10"
try:
    if not CIFAR_DIR.is_dir():
        raise FileNotFoundError(CIFAR_DIR)
    cifar_labels = read_csv_labels(CIFAR_DIR / "trainLabels.csv")
    print("训练图片 / training pictures:", len(cifar_labels))
    print("n_train_per_label =", reorg_train_valid(CIFAR_DIR, CIFAR_OUT, cifar_labels, 0.1))
    reorg_test(CIFAR_DIR, CIFAR_OUT)
    for folder, names in list_tree(CIFAR_OUT).items():
        print(f"{folder:24s} {len(names)}")
except Exception as exc:  # a demo reports what is missing and lets the notebook go on
    print("跳过 / skipped:", type(exc).__name__, exc)
""")
    nb.md("transforms", """
### 图像变换 / Image transforms

书中训练时先把图片放大到 40×40，再随机裁出面积为其 0.64–1 倍的正方形并缩放回 32×32，以 0.5 的概率左右翻转，最后转成 [0, 1] 的浮点数并按通道标准化；
测试时只做转换和标准化。这里的图片是 uint8 张量 `(3, H, W)`，我们**先**除以 255 变成 [0, 1] 的 float32，再做几何变换（书中先变换再转换，结果只差取整）。
""", """
For training, the book enlarges each picture to 40×40, crops a random square covering 0.64–1 of its area and resizes it back to
32×32, flips it left–right with probability 0.5, and finally converts it to floats in [0, 1] and normalises each channel; for
testing it only converts and normalises. Our pictures are uint8 tensors `(3, H, W)`, and we divide by 255 into float32 in
[0, 1] **first**, then transform the geometry (the book transforms first and converts afterwards, which differs only by rounding).
""")
    nb.question("transform_test", """
写 `transform_test(img)`：uint8 `(3, H, W)` → float32：除以 255，再每个通道减去 `CIFAR_MEAN`、除以 `CIFAR_STD`。形状不变。
""", """
Write `transform_test(img)`: uint8 `(3, H, W)` → float32: divide by 255, then subtract `CIFAR_MEAN` and divide by `CIFAR_STD`
per channel. The shape stays the same.
""", '''
def transform_test(img):
    """转换到 [0,1] 并标准化 / To [0, 1] floats, normalised with the CIFAR-10 statistics."""
    ### BEGIN SOLUTION
    mean = torch.tensor(CIFAR_MEAN).reshape(3, 1, 1)
    std = torch.tensor(CIFAR_STD).reshape(3, 1, 1)
    return (img.float() / 255 - mean) / std
    ### END SOLUTION
''')
    nb.question("transform_train", """
写 `transform_train(img, generator, resize_to=40, size=32, scale=(0.64, 1.0))`，按下面的次序做（随机数**只**从 `generator` 抽，恰好抽四次）：

1. `x = img.float() / 255`，再 `x = resize(x, resize_to, resize_to)`。
2. 面积比例 `s = scale[0] + (scale[1] - scale[0]) * torch.rand(1, generator=generator).item()`；正方形边长 `c = round(math.sqrt(s) * resize_to)`（Python 的 `round`）。
3. 上边 `top = torch.randint(0, resize_to - c + 1, (1,), generator=generator).item()`，然后左边 `left` 用同样的方式抽。
4. 裁出 `x[:, top:top + c, left:left + c]`，再 `resize` 到 `size × size`。
5. 若 `torch.rand(1, generator=generator).item() < 0.5`，沿宽度（最后一维）翻转。
6. 像 `transform_test` 那样按通道标准化（可以调用一个你自己写的辅助函数）。

宽高比固定为 1（书中 `ratio=(1.0, 1.0)`），所以裁剪框总是正方形。
""", """
Write `transform_train(img, generator, resize_to=40, size=32, scale=(0.64, 1.0))`, in this order (random numbers come
**only** from `generator`, exactly four draws):

1. `x = img.float() / 255`, then `x = resize(x, resize_to, resize_to)`.
2. The area fraction `s = scale[0] + (scale[1] - scale[0]) * torch.rand(1, generator=generator).item()`; the square's side
   `c = round(math.sqrt(s) * resize_to)` (Python's `round`).
3. The top `top = torch.randint(0, resize_to - c + 1, (1,), generator=generator).item()`, then the left `left` drawn the same way.
4. Crop `x[:, top:top + c, left:left + c]` and `resize` it to `size × size`.
5. If `torch.rand(1, generator=generator).item() < 0.5`, flip along the width (the last dimension).
6. Normalise per channel as `transform_test` does (you may call a helper of your own).

The aspect ratio is fixed at 1 (the book's `ratio=(1.0, 1.0)`), so the crop is always a square.
""", '''
def transform_train(img, generator, resize_to=40, size=32, scale=(0.64, 1.0)):
    """放大、随机正方形裁剪、翻转、标准化 / Enlarge, random square crop, flip, normalise."""
    ### BEGIN SOLUTION
    x = resize(img.float() / 255, resize_to, resize_to)
    s = scale[0] + (scale[1] - scale[0]) * torch.rand(1, generator=generator).item()
    c = round(math.sqrt(s) * resize_to)
    top = torch.randint(0, resize_to - c + 1, (1,), generator=generator).item()
    left = torch.randint(0, resize_to - c + 1, (1,), generator=generator).item()
    x = resize(x[:, top:top + c, left:left + c], size, size)
    if torch.rand(1, generator=generator).item() < 0.5:
        x = torch.flip(x, dims=[-1])
    mean = torch.tensor(CIFAR_MEAN).reshape(3, 1, 1)
    std = torch.tensor(CIFAR_STD).reshape(3, 1, 1)
    return (x - mean) / std
    ### END SOLUTION
''')
    nb.md("model", """
### 模型 / The model

书中用 5.11 节的 ResNet-18，但针对 32×32 的小图做了修改：开头是 3×3、步幅 1、填充 1 的卷积（64 通道）加批量归一化和 ReLU，**没有**最大池化。
下面给出残差块 `Residual`（属性名 `conv1`、`conv2`、可选的 1×1 卷积 `conv3`、`bn1`、`bn2`）。
""", """
The book uses §5.11's ResNet-18, changed for 32×32 pictures: it starts with a 3×3 convolution of stride 1 and padding 1
(64 channels), batch normalisation and ReLU, and **no** max-pooling. The residual block `Residual` is given below (attributes
`conv1`, `conv2`, an optional 1×1 convolution `conv3`, `bn1`, `bn2`).
""")
    nb.given("residual", source(ref.Residual) + "\n")
    nb.question("resnet18", """
写 `resnet_block(in_channels, num_channels, num_residuals, first_block=False)` 和 `resnet18(num_classes, in_channels=3)`。

- `resnet_block` 返回 `nn.Sequential`，里面是 `num_residuals` 个 `Residual`：除非 `first_block`，第一个块用 `Residual(in_channels, num_channels, use_1x1conv=True, stride=2)`
  把高宽减半；其余的是 `Residual(num_channels, num_channels)`。
- `resnet18` 返回一个 `nn.Sequential`，各层的**下标固定**如下（评分按这些下标装入权重）：
  `0` `Conv2d(in_channels, 64, 3, stride=1, padding=1)`、`1` `BatchNorm2d(64)`、`2` `ReLU()`、
  `3`–`6` 四个 `resnet_block`：(64→64, 2 个, `first_block=True`)、(64→128, 2)、(128→256, 2)、(256→512, 2)、
  `7` `AdaptiveAvgPool2d(1)`、`8` `Flatten()`、`9` `Linear(512, num_classes)`。
""", """
Write `resnet_block(in_channels, num_channels, num_residuals, first_block=False)` and `resnet18(num_classes, in_channels=3)`.

- `resnet_block` returns an `nn.Sequential` of `num_residuals` `Residual` blocks: unless `first_block`, the first is
  `Residual(in_channels, num_channels, use_1x1conv=True, stride=2)`, halving height and width; the others are
  `Residual(num_channels, num_channels)`.
- `resnet18` returns an `nn.Sequential` whose **indices are fixed** as follows (grading loads weights by them):
  `0` `Conv2d(in_channels, 64, 3, stride=1, padding=1)`, `1` `BatchNorm2d(64)`, `2` `ReLU()`,
  `3`–`6` four `resnet_block`s: (64→64, 2 blocks, `first_block=True`), (64→128, 2), (128→256, 2), (256→512, 2),
  `7` `AdaptiveAvgPool2d(1)`, `8` `Flatten()`, `9` `Linear(512, num_classes)`.
""", '''
def resnet_block(in_channels, num_channels, num_residuals, first_block=False):
    """若干残差块 / num_residuals residual blocks; the first halves the size unless first_block."""
    ### BEGIN SOLUTION
    blocks = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blocks.append(Residual(in_channels, num_channels, use_1x1conv=True, stride=2))
        else:
            blocks.append(Residual(num_channels, num_channels))
    return nn.Sequential(*blocks)
    ### END SOLUTION


def resnet18(num_classes, in_channels=3):
    """适合 32×32 图像的 ResNet-18 / ResNet-18 for 32×32 pictures (3×3 stem, no max-pool)."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=1),
        nn.BatchNorm2d(64), nn.ReLU(),
        resnet_block(64, 64, 2, first_block=True), resnet_block(64, 128, 2),
        resnet_block(128, 256, 2), resnet_block(256, 512, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, num_classes))
    ### END SOLUTION
''')
    nb.md("training", """
### 训练（不计分）/ Training (not graded)

书中用带动量的小批量随机梯度下降训练（学习率 0.1、权重衰减 5e-4，每 80 个周期学习率乘 0.1），先在 `train` 上训练、用 `valid` 调参，
再在 `train_valid` 上用选好的超参数重新训练，然后预测测试集。这些在 CPU 上要跑很久，这里不评分；下面的演示只用未训练的网络走一遍流程。
""", """
The book trains with minibatch SGD with momentum (learning rate 0.1, weight decay 5e-4, the learning rate multiplied by 0.1
every 80 epochs): first on `train`, tuning on `valid`, then again on `train_valid` with the chosen hyperparameters, before
predicting the test set. That takes long on a CPU and is not graded; the demo below walks through the workflow with an
untrained network.
""")
    nb.question("write_submission", """
写 `write_submission(fname, test_files, preds, classes)`：把预测写成比赛要求的 CSV 文件 `fname`。

- `test_files[k]` 是第 `k` 个预测所属的测试图片文件名（如 `"17.png"`），`preds[k]` 是预测的类别下标（整数张量），`classes[preds[k]]` 是类别名。
- 文件第一行是 `id,label`，之后每张测试图片一行 `id,类别名`，按 **id 的数值从小到大** 排列（图像文件夹按字符串给出文件：`"10.png"` 在 `"2.png"` 前面，所以要重新排序）。
- 每行以 `\\n` 结尾，id 写成整数（不要写成 `17.0`）。不返回任何值。
""", """
Write `write_submission(fname, test_files, preds, classes)`: write the predictions as the CSV file `fname` the competition expects.

- `test_files[k]` is the name of the test picture the `k`-th prediction belongs to (e.g. `"17.png"`), `preds[k]` the predicted
  class index (an integer tensor), and `classes[preds[k]]` the class name.
- The first line is `id,label`, then one line `id,class name` per test picture, in **increasing numeric id** (an image folder
  lists files as strings, `"10.png"` before `"2.png"`, so re-sort).
- Every line ends with `\\n`, and ids are written as integers (not `17.0`). It returns nothing.
""", '''
def write_submission(fname, test_files, preds, classes):
    """按 id 排序写出 id,label / Write id,label rows sorted by numeric id."""
    ### BEGIN SOLUTION
    rows = []
    for name, p in zip(test_files, preds):
        rows.append((int(name.split(".")[0]), classes[int(p)]))
    rows.sort()
    with open(fname, "w") as f:
        f.write("id,label\\n")
        for idx, label in rows:
            f.write(f"{idx},{label}\\n")
    ### END SOLUTION
''')
    nb.demo("cifar-demo", """
把整理好的 `train_valid_test` 目录当作图像文件夹读进来：类别是排好序的子目录名，文件按字符串排序。用 `transform_train` 变换几张训练图片，
让一个未训练的 `resnet18` 预测测试集，写出 `submission.csv` 并显示前几行。
""", """
Read the reorganised folders as image folders (classes are the sorted sub-folder names, files sorted as strings), transform a
few training pictures with `transform_train`, let an untrained `resnet18` predict the test set, write `submission.csv` and show
its first lines.
""", """
def image_folder(root):
    \"\"\"(文件名, 类别下标) 与类别名 / (file, class index) pairs and the class names of an image folder.\"\"\"
    classes = sorted(p.name for p in Path(root).iterdir() if p.is_dir())
    items = [(f"{c}/{f}", k) for k, c in enumerate(classes) for f in sorted(os.listdir(Path(root) / c))]
    return items, classes


try:
    if not (CIFAR_OUT / "train").is_dir():
        raise FileNotFoundError(CIFAR_OUT / "train")
    train_items, classes = image_folder(CIFAR_OUT / "train")
    g = torch.Generator().manual_seed(0)
    X = torch.stack([transform_train(read_image(CIFAR_OUT / "train" / f), g) for f, _ in train_items[:8]])
    print("一批训练图片 / a training batch:", tuple(X.shape), "类别 / classes:", classes)
    test_items, _ = image_folder(CIFAR_OUT / "test")
    torch.manual_seed(0)
    net = resnet18(len(classes)).eval()
    with torch.no_grad():
        X_test = torch.stack([transform_test(read_image(CIFAR_OUT / "test" / f)) for f, _ in test_items])
        preds = net(X_test).argmax(dim=1)
    submission = WORK_DIR / "submission.csv"
    write_submission(submission, [Path(f).name for f, _ in test_items], preds, classes)
    print(submission.read_text().splitlines()[:5])
except Exception as exc:  # a demo reports what is missing and lets the notebook go on
    print("跳过 / skipped:", type(exc).__name__, exc)
""")

    # ---------------------------------------------------------------- §9.13
    nb.md("sec-9-13", """
## 9.13 实战 Kaggle 比赛：狗的品种识别（ImageNet Dogs）

这个比赛有 120 个品种；数据放在 `train/{id}.jpg`、`labels.csv`（表头 `id,breed`）和 `test/{id}.jpg` 里，id 是 32 位十六进制串。
替身有 5 个品种，每种 6–9 张图片。书中用在 ImageNet 上预训练的 ResNet-34 提取特征，只训练一个新的小输出网络。
""", """
## 9.13 Dog Breed Identification on Kaggle (ImageNet Dogs)

This competition has 120 breeds; the data sit in `train/{id}.jpg`, `labels.csv` (header `id,breed`) and `test/{id}.jpg`, with
32-digit hexadecimal ids. The stand-in has 5 breeds with 6–9 pictures each. The book extracts features with a ResNet-34
pretrained on ImageNet and trains only a small new output network.
""")
    nb.question("reorg_dog_data", """
写 `reorg_dog_data(data_dir, out_dir, labels, valid_ratio)`，把 `data_dir/train` 的图片复制到 `out_dir/{train,valid,train_valid}/<品种>`，并返回 `n_valid_per_label`。
使用**第一版书中狗品种的规则**（与上面 CIFAR-10 的不同）：

1. `min_count` 是图片最少的品种的图片数；`n_valid_per_label = math.floor(min_count * valid_ratio)`。
2. 按**文件名的字符串顺序**处理图片（`sorted(os.listdir(...))`；十六进制 id 等长，字符串顺序就是 id 的顺序）。
3. 每张图片复制到 `train_valid/<品种>`；此外，每个品种**最先处理的** `n_valid_per_label` 张复制到 `valid/<品种>`，其余的复制到 `train/<品种>`。

注意这一处与书中代码不同：书中的代码在 `n_valid_per_label` 算出 0 时仍给每个品种留 1 张验证图片；这里 0 就是 0，`valid/` 里没有图片。

测试图片的整理交给前面的 `reorg_test`（这里不用管）。
""", """
Write `reorg_dog_data(data_dir, out_dir, labels, valid_ratio)`, which copies the pictures of `data_dir/train` to
`out_dir/{train,valid,train_valid}/<breed>` and returns `n_valid_per_label`. Use **the first edition's dog-breed rule**
(not CIFAR-10's above):

1. `min_count` is the number of pictures of the breed with the fewest; `n_valid_per_label = math.floor(min_count * valid_ratio)`.
2. Handle the pictures in **string order of the file names** (`sorted(os.listdir(...))`; the hexadecimal ids have equal
   lengths, so this is the order of the ids).
3. Copy every picture to `train_valid/<breed>`; besides, the **first** `n_valid_per_label` pictures handled of each breed go
   to `valid/<breed>`, the others to `train/<breed>`.

Note one departure from the book's code: when `n_valid_per_label` comes out as 0, the book still keeps one validation picture
per breed; here 0 means 0, and `valid/` gets no pictures.

The test pictures are left to `reorg_test` above (not your concern here).
""", '''
def reorg_dog_data(data_dir, out_dir, labels, valid_ratio):
    """按第一版狗品种规则划分 / Split train/ by the first edition's dog rule; returns n_valid_per_label."""
    ### BEGIN SOLUTION
    min_count = min(collections.Counter(labels.values()).values())
    n_valid_per_label = math.floor(min_count * valid_ratio)
    count = collections.Counter()
    for name in sorted(os.listdir(os.path.join(data_dir, "train"))):
        breed = labels[name.split(".")[0]]
        src = os.path.join(data_dir, "train", name)
        copyfile(src, os.path.join(out_dir, "train_valid", breed))
        part = "valid" if count[breed] < n_valid_per_label else "train"
        copyfile(src, os.path.join(out_dir, part, breed))
        count[breed] += 1
    return n_valid_per_label
    ### END SOLUTION
''')
    nb.md("dog-transforms", f"""
### 图像变换 / Image transforms

书中训练时随机裁剪并缩放到 224×224、随机左右翻转、随机改变亮度/对比度/饱和度（各 0.4），再加上 AlexNet 的 PCA “光照”噪声（gluon 的 `RandomLighting(0.1)`），
最后标准化为 ImageNet 的均值与标准差；测试时缩放到 256 再居中裁出 224。裁剪、翻转和颜色变化是 9.1–9.2 节笔记本的内容，这里只实现 torchvision 里
**没有**的光照噪声。它用 ImageNet 像素（0–255）的主成分：特征值 `LIGHTING_EIGVAL = {ref.LIGHTING_EIGVAL}`，
特征向量按列存放在 `LIGHTING_EIGVEC = {ref.LIGHTING_EIGVEC}` 里（第 `j` 列对应第 `j` 个特征值）。
""", f"""
For training the book randomly crops and resizes to 224×224, flips left–right at random, changes brightness, contrast and
saturation at random (0.4 each), adds AlexNet's PCA "lighting" noise (gluon's `RandomLighting(0.1)`), and normalises with
ImageNet's means and standard deviations; for testing it resizes to 256 and crops the centre 224. Crops, flips and colour
changes belong to the §9.1–9.2 notebook; here we implement only the lighting noise, which torchvision **lacks**. It uses the
principal components of ImageNet's pixels (0–255): eigenvalues `LIGHTING_EIGVAL = {ref.LIGHTING_EIGVAL}` and
eigenvectors stored as the columns of `LIGHTING_EIGVEC = {ref.LIGHTING_EIGVEC}` (column `j` belongs to eigenvalue `j`).
""")
    nb.given("lighting-constants", f"""
LIGHTING_EIGVAL = {ref.LIGHTING_EIGVAL!r}
LIGHTING_EIGVEC = {ref.LIGHTING_EIGVEC!r}
""")
    nb.question("random_lighting", """
写 `random_lighting(img, alphastd, generator)`：`img` 是 [0, 1] 内的 float `(3, H, W)` 图片。

1. `alpha = torch.randn(3, generator=generator) * alphastd`（唯一的一次抽取）。
2. 颜色偏移 `rgb = EIGVEC @ (alpha * EIGVAL) / 255`（除以 255 是因为特征值是按 0–255 的像素算的），其中 `EIGVAL`、`EIGVEC` 是上面两个常量的张量。
3. 每个像素加上 `rgb`（第 `c` 个通道加 `rgb[c]`），再截断到 [0, 1]。
""", """
Write `random_lighting(img, alphastd, generator)`: `img` is a float `(3, H, W)` picture in [0, 1].

1. `alpha = torch.randn(3, generator=generator) * alphastd` (the only draw).
2. The colour shift `rgb = EIGVEC @ (alpha * EIGVAL) / 255` (divided by 255 because the eigenvalues are for 0–255 pixels),
   where `EIGVAL` and `EIGVEC` are the two constants above as tensors.
3. Add `rgb` to every pixel (channel `c` gains `rgb[c]`), then clamp to [0, 1].
""", '''
def random_lighting(img, alphastd, generator):
    """AlexNet 的 PCA 光照噪声 / AlexNet-style PCA lighting noise, one draw of three normals."""
    ### BEGIN SOLUTION
    alpha = torch.randn(3, generator=generator) * alphastd
    eigval = torch.tensor(LIGHTING_EIGVAL)
    eigvec = torch.tensor(LIGHTING_EIGVEC)
    rgb = eigvec @ (alpha * eigval) / 255
    return (img + rgb.reshape(3, 1, 1)).clamp(0, 1)
    ### END SOLUTION
''')
    nb.md("backbone", """
### 预训练网络 / The pretrained network

离线没有 ImageNet 权重，下面给出与 torchvision 结构和属性名相同的 ResNet-34（`conv1`、`bn1`、`layer1`…`layer4`、`avgpool`、`fc`），用 PyTorch 的默认初始化。
真正比赛时换成预训练的权重即可，代码不用改。
""", """
There are no ImageNet weights offline; below is a ResNet-34 with torchvision's structure and attribute names (`conv1`, `bn1`,
`layer1` … `layer4`, `avgpool`, `fc`) and PyTorch's default initialisation. For the real competition, load pretrained weights;
the code stays the same.
""")
    nb.given("backbone-source", source(backbones.BasicBlock, backbones.ResNet, backbones.resnet34)
             + "\n")
    nb.question("freeze_features", """
写 `freeze_features(net)`：让 `net.features` 的所有参数不再求梯度（`requires_grad = False`），`net.output_new` 的参数保持可训练；返回 `net`。
这样优化器只会更新输出网络，书中也只训练它。评分用一些与下一题的 `get_net` 结构相同（有 `features` 和 `output_new`）的小网络检查每个参数的 `requires_grad`。
""", """
Write `freeze_features(net)`: every parameter of `net.features` stops requiring gradients (`requires_grad = False`), those of
`net.output_new` stay trainable; return `net`. An optimiser then updates only the output network, which is all the book
trains. Grading checks each parameter's `requires_grad` on small networks laid out like the next question's `get_net`
(with `features` and `output_new`).
""", '''
def freeze_features(net):
    """冻结 net.features / Freeze every parameter of net.features; returns net."""
    ### BEGIN SOLUTION
    for param in net.features.parameters():
        param.requires_grad = False
    return net
    ### END SOLUTION
''')
    nb.question("get_net", """
写 `get_net(num_classes=120)`，返回 `nn.Sequential(OrderedDict([("features", ...), ("output_new", ...)]))`（两个子模块的**名字固定**）：

- `features`：`resnet34()`，并把它的 `fc` 换成 `nn.Identity()`，这样它输出 512 维特征 `(B, 512)`；
- `output_new`：`nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, num_classes))`；
- 返回前调用上一题的 `freeze_features(net)` 冻结 `features`。

输出形状是 `(B, num_classes)`。评分时按参数名装入权重，比较输出；`freeze_features` 会换成一个什么也不冻结的标准实现，所以这道题只看网络本身。
""", """
Write `get_net(num_classes=120)`, returning `nn.Sequential(OrderedDict([("features", ...), ("output_new", ...)]))` (the two
sub-modules' **names are fixed**):

- `features`: `resnet34()` with its `fc` replaced by `nn.Identity()`, so that it outputs 512 features `(B, 512)`;
- `output_new`: `nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, num_classes))`;
- before returning, freeze `features` with the previous question's `freeze_features(net)`.

The output has shape `(B, num_classes)`. Grading loads weights by parameter name and compares outputs; `freeze_features` is replaced by a stand-in that freezes nothing, so this question looks at the network alone.
""", '''
def get_net(num_classes=120):
    """冻结的 ResNet-34 特征 + 新的输出网络 / Frozen ResNet-34 features and a new two-layer head."""
    ### BEGIN SOLUTION
    features = resnet34()
    features.fc = nn.Identity()
    output_new = nn.Sequential(nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, num_classes))
    net = nn.Sequential(OrderedDict([("features", features), ("output_new", output_new)]))
    return freeze_features(net)
    ### END SOLUTION
''')
    nb.question("evaluate_loss", """
写 `evaluate_loss(data_iter, net)`：`data_iter` 给出小批量 `(X, y)`；返回全部样本的**平均**交叉熵损失（Python 浮点数），
即所有样本损失之和除以样本总数——最后一批可能较小，所以不能对每批的平均值再求平均。在 `torch.no_grad()` 下计算。
""", """
Write `evaluate_loss(data_iter, net)`: `data_iter` yields minibatches `(X, y)`; return the **mean** cross-entropy loss over all
examples (a Python float), i.e. the sum of every example's loss divided by the number of examples — the last batch may be
smaller, so do not average the batch means. Compute under `torch.no_grad()`.
""", '''
def evaluate_loss(data_iter, net):
    """所有样本的平均交叉熵 / Mean cross-entropy over every example of data_iter."""
    ### BEGIN SOLUTION
    total, n = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            total += F.cross_entropy(net(X), y, reduction="sum").item()
            n += len(y)
    return total / n
    ### END SOLUTION
''')
    nb.demo("dog-demo", """
整理狗的替身，然后按书中的做法：用冻结的 `features` 把每张图片（这里缩小到 32×32）一次性变成 512 维特征，之后只在特征上训练 `output_new`，
用 `evaluate_loss` 看验证集的损失（学习率 0.01、动量 0.9，与书中相同）。随机初始化的 ResNet-34 给出的特征几乎不含信息（数值也很小），
所以损失几乎不动：这正好说明书中为什么要用预训练的权重。
""", """
Reorganise the dog stand-in, then do as the book does: turn every picture (shrunk to 32×32 here) into 512 features once with
the frozen `features`, train only `output_new` on those features, and watch the validation loss with `evaluate_loss`
(learning rate 0.01 and momentum 0.9, as in the book). A randomly initialised ResNet-34 yields features that carry almost no
information (and are tiny), so the loss hardly moves: which is exactly why the book starts from pretrained weights.
""", """
DOG_OUT = WORK_DIR / "dog"
try:
    if not DOG_DIR.is_dir():
        raise FileNotFoundError(DOG_DIR)
    dog_labels = read_csv_labels(DOG_DIR / "labels.csv")
    print("n_valid_per_label =", reorg_dog_data(DOG_DIR, DOG_OUT, dog_labels, 0.25))
    reorg_test(DOG_DIR, DOG_OUT)
    breeds = sorted(os.listdir(DOG_OUT / "train_valid"))
    torch.manual_seed(0)
    net = get_net(len(breeds)).eval()

    def features_of(part):
        names = [(b, f) for b in breeds if (DOG_OUT / part / b).is_dir()
                 for f in sorted(os.listdir(DOG_OUT / part / b))]
        X = torch.stack([resize(read_image(DOG_OUT / part / b / f).float() / 255, 32, 32) for b, f in names])
        with torch.no_grad():
            return net.features(X), torch.tensor([breeds.index(b) for b, _ in names])

    valid_data = [features_of("valid")]
    F_train, y_train = features_of("train")
    print("验证集损失 / validation loss:", round(evaluate_loss(valid_data, net.output_new), 4))
    trainer = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.01, momentum=0.9)
    for step in range(20):
        step_loss = F.cross_entropy(net.output_new(F_train), y_train)  # not `loss`: yours
        trainer.zero_grad()
        step_loss.backward()
        trainer.step()
    print("训练 20 步后 / after 20 steps:", "训练 / train", round(evaluate_loss([(F_train, y_train)], net.output_new), 4),
          "验证 / valid", round(evaluate_loss(valid_data, net.output_new), 4))
except Exception as exc:  # a demo reports what is missing and lets the notebook go on
    print("跳过 / skipped:", type(exc).__name__, exc)
""")
    return nb


def main() -> int:
    build().write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
