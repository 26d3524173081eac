# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch05_cnn/modern_nets.ipynb`` (§5.9–5.12).

The notebook is generated so that it can be reviewed as Python and rebuilt exactly:

    .venv/bin/python scripts/notebooks/ch05_modern_nets.py

Cells come from :class:`scripts.notebooks.cells.MasterNotebook`; points come from
``solutions/ch05_cnn/modern_nets.py``.  ``BatchNorm_eval`` grades the ``BatchNorm``
class a second time, in evaluation mode, so it has an intro and a check cell but no
answer cell of its own.  Prose is our own, 简体中文 first and English beneath.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT, NOTEBOOK = "ch05_cnn", "modern_nets"
sys.path.insert(0, str(ROOT))

from scripts.notebooks.cells import MasterNotebook, code, md  # noqa: E402

FINISH_FIRST = 'print("先完成上面的填空 / finish the blanks above first")'


#: The (c1, c2, c3, c4) of GoogLeNet's nine Inception blocks, one table row each (both languages).
INCEPTION_ROWS = """| b3 | 64 | (96, 128) | (16, 32) | 32 |
| b3 | 128 | (128, 192) | (32, 96) | 64 |
| b4 | 192 | (96, 208) | (16, 48) | 64 |
| b4 | 160 | (112, 224) | (24, 64) | 64 |
| b4 | 128 | (128, 256) | (24, 64) | 64 |
| b4 | 112 | (144, 288) | (32, 64) | 64 |
| b4 | 256 | (160, 320) | (32, 128) | 128 |
| b5 | 256 | (160, 320) | (32, 128) | 128 |
| b5 | 384 | (192, 384) | (48, 128) | 128 |
"""


def build() -> nbformat.NotebookNode:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    nb.md("intro", """
# 第 5 章 卷积神经网络（三）：GoogLeNet、批量归一化、ResNet、DenseNet

本笔记本对应《动手学深度学习》（第一版）5.9–5.12 节，全部使用 PyTorch。前一个笔记本里的 LeNet、AlexNet、VGG 和 NiN
都是把层一层层串起来；这里的网络换了思路：GoogLeNet 让几条路径并行再拼接，批量归一化让深网络更容易训练，
ResNet 用跨层的“捷径”把输入直接加到输出上，DenseNet 则把输入和输出在通道维上连结起来。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要写的地方。删掉这两行，换成你的实现。其后的 `check("名字")` 用公开用例检查你的答案，仅供参考；成绩还包括隐藏用例。
- **属性名和 `nn.Sequential` 里各层的位置是题目的一部分。** 评分程序会把它自己的权重装进你的网络：小模块用 `load_state_dict(strict=True)`；大网络按参数名和形状由用例的种子统一填充。名字、位置或形状与题目不同，权重就装不进去或对不上。
- 评分时网络处于评估模式（`eval()`），只有 `BatchNorm` 一题在训练模式下也检查。需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。
- 后面的题会用到前面写的类（例如 `googlenet` 用你的 `Inception`）。前一题错了，依赖它的题通常也会失分，请先让前面的 `check` 通过。
- 标有“演示”的单元格不计分；上面的填空没完成时它们只打印一句提示。

**关于批量归一化的约定**：本笔记本按书中的做法计算移动平均——训练时用批量的均值和**有偏**方差（除以 n），并以
`moving = momentum · moving + (1 − momentum) · batch` 更新，书中 momentum 取 0.9。PyTorch 的 `nn.BatchNorm2d(momentum=0.1)`
以同样的权重更新，但它的 `running_var` 记录的是**无偏**方差（除以 n − 1），因此和我们的移动方差略有不同；评分以本笔记本的约定为准。
""", """
# Chapter 5 Convolutional Neural Networks (III): GoogLeNet, Batch Normalization, ResNet, DenseNet

This notebook covers sections 5.9–5.12 of *Dive into Deep Learning* (first edition), entirely in PyTorch. LeNet, AlexNet, VGG and NiN in
the previous notebook stack layers one after another; the networks here change the recipe: GoogLeNet runs several paths in parallel and
concatenates them, batch normalization makes deep networks easier to train, ResNet adds a block's input to its output through a
shortcut, and DenseNet concatenates input and output along the channels.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there. The `check("name")` cell after it tests your answer on the public cases; it is advice only, the grade also uses hidden cases.
- **Attribute names and the positions of layers in an `nn.Sequential` are part of each question.** The grader puts its own weights into your network: small modules with `load_state_dict(strict=True)`, big networks by a fill seeded by the case that goes by parameter names and shapes. With other names, positions or shapes the weights do not load, or land in the wrong place.
- Networks are graded in evaluation mode (`eval()`); only `BatchNorm` is also checked in training mode. Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed.
- Later questions use classes written earlier (`googlenet` uses your `Inception`, for instance). When an earlier answer is wrong the questions built on it usually lose points too, so make the earlier `check`s pass first.
- Cells marked "demo" are not graded; while a blank above is unfinished they only print a note.

**The batch-normalization convention**: this notebook keeps moving averages as the book does — in training a batch is normalized with its mean
and its **biased** variance (divide by n), and `moving = momentum · moving + (1 − momentum) · batch`, with the book's momentum 0.9.
PyTorch's `nn.BatchNorm2d(momentum=0.1)` weighs old and new values the same way, but its `running_var` records the **unbiased** variance
(divide by n − 1), so it differs slightly from our moving variance; grading follows this notebook's convention.
""")
    nb.setup("""
import gzip
import os
import struct
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
""")
    nb.md("tools-intro", """
### 给定的工具（不是填空）

`show_shapes(net, X)` 把 `X` 依次送过 `net` 的每个子模块，打印各自的输出形状（书中查看每层形状的那个循环）。
`load_data_fashion_mnist` 从 `$D2L_DATA_DIR/FashionMNIST/raw/` 读取 IDX 文件；找不到数据时 `train_iter` 为 `None`，需要数据的演示会跳过。
""", """
### Given tools (not blanks)

`show_shapes(net, X)` passes `X` through each child of `net` in turn and prints its output shape (the book's loop for looking at every
layer). `load_data_fashion_mnist` reads the IDX files in `$D2L_DATA_DIR/FashionMNIST/raw/`; without the data `train_iter` is `None` and
demos that need it skip.
""")
    nb.given("tools", '''
def show_shapes(net, X):
    """Print the output shape of every direct child of net, in order."""
    with torch.no_grad():
        for name, layer in net.named_children():
            X = layer(X)
            print(f"{name:>3} {type(layer).__name__:<18} {tuple(X.shape)}")


FASHION_MNIST_RAW = (
    Path(os.environ.get("D2L_DATA_DIR", "~/.d2l/data")).expanduser() / "FashionMNIST" / "raw"
)


def read_idx(stem):
    """One IDX file (raw or .gz) as a tensor: images float32 in [0, 1], labels int64."""
    path = next((p for p in (FASHION_MNIST_RAW / stem, FASHION_MNIST_RAW / f"{stem}.gz")
                 if p.is_file()), None)
    if path is None:
        raise FileNotFoundError(FASHION_MNIST_RAW / stem)
    raw = path.read_bytes()
    if raw[:2] == b"\\x1f\\x8b":
        raw = gzip.decompress(raw)
    magic, count = struct.unpack(">II", raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        pixels = torch.frombuffer(bytearray(raw[16:16 + count * rows * cols]), dtype=torch.uint8)
        return pixels.reshape(count, 1, rows, cols).to(torch.float32) / 255
    return torch.frombuffer(bytearray(raw[8:8 + count]), dtype=torch.uint8).to(torch.int64)


def load_data_fashion_mnist(batch_size):
    """(train_iter, test_iter) over Fashion-MNIST at 28x28."""
    loaders = []
    for split, shuffle in (("train", True), ("t10k", False)):
        data = TensorDataset(read_idx(f"{split}-images-idx3-ubyte"),
                             read_idx(f"{split}-labels-idx1-ubyte"))
        loaders.append(DataLoader(data, batch_size=batch_size, shuffle=shuffle))
    return loaders[0], loaders[1]


try:
    train_iter, test_iter = load_data_fashion_mnist(batch_size=64)
except FileNotFoundError:
    train_iter = test_iter = None
    print(f"没有找到 Fashion-MNIST（{FASHION_MNIST_RAW}），需要数据的演示会跳过。")
    print(f"Fashion-MNIST not found ({FASHION_MNIST_RAW}); demos that need it will skip.")
''')

    # ---------------------------------------------------------------- §5.9
    nb.md("sec-5-9", """
## 5.9 含并行连结的网络（GoogLeNet）

GoogLeNet 的基本单元是 **Inception 块**：同一个输入同时走四条路径，

1. 1×1 卷积；
2. 1×1 卷积减少通道，再接 3×3 卷积（填充 1）；
3. 1×1 卷积减少通道，再接 5×5 卷积（填充 2）；
4. 3×3 最大池化（步幅 1，填充 1），再接 1×1 卷积。

每个卷积后面都跟 ReLU。四条路径都保持高和宽不变，于是可以在**通道维**上把它们连结起来。每条路径的通道数是超参数，
Inception 块的输出通道数就是四条路径的输出通道数之和。
""", """
## 5.9 Networks with Parallel Concatenations (GoogLeNet)

GoogLeNet's building block is the **Inception block**: the same input travels along four paths at once,

1. a 1×1 convolution;
2. a 1×1 convolution that reduces the channels, then a 3×3 convolution (padding 1);
3. a 1×1 convolution that reduces the channels, then a 5×5 convolution (padding 2);
4. a 3×3 max-pooling (stride 1, padding 1), then a 1×1 convolution.

Every convolution is followed by a ReLU. All four paths keep the height and width, so they can be concatenated along the **channel axis**.
The channels of each path are hyperparameters; the block outputs the sum of the four paths' channels.
""")
    nb.question("Inception", """
写 `Inception(in_c, c1, c2, c3, c4)`。`c1`、`c4` 是整数，`c2`、`c3` 是二元组（第一个数是 1×1 卷积的输出通道，第二个数是后面 3×3 或 5×5 卷积的输出通道）。

- 在 `__init__` 中创建这七个属性（名字必须一致）：
  - `self.p1_1`：`nn.Conv2d(in_c, c1, kernel_size=1)`；
  - `self.p2_1`：1×1 卷积 `in_c → c2[0]`；`self.p2_2`：3×3 卷积 `c2[0] → c2[1]`，`padding=1`；
  - `self.p3_1`：1×1 卷积 `in_c → c3[0]`；`self.p3_2`：5×5 卷积 `c3[0] → c3[1]`，`padding=2`；
  - `self.p4_1`：`nn.MaxPool2d(kernel_size=3, stride=1, padding=1)`；`self.p4_2`：1×1 卷积 `in_c → c4`。
- `forward(X)`：按上面的四条路径计算，每个卷积后用 ReLU（可以用 `torch.relu`），然后用 `torch.cat(..., dim=1)` **按路径 1、2、3、4 的顺序**连结。
- 输出形状为 `(n, c1 + c2[1] + c3[1] + c4, h, w)`。评分时装入的权重会让顺序错误的连结得出不同的结果。
""", """
Write `Inception(in_c, c1, c2, c3, c4)`. `c1` and `c4` are integers, `c2` and `c3` pairs (the first number is the output channels of the 1×1 convolution, the second those of the 3×3 or 5×5 convolution after it).

- In `__init__` create these seven attributes (the names must match):
  - `self.p1_1`: `nn.Conv2d(in_c, c1, kernel_size=1)`;
  - `self.p2_1`: a 1×1 convolution `in_c → c2[0]`; `self.p2_2`: a 3×3 convolution `c2[0] → c2[1]` with `padding=1`;
  - `self.p3_1`: a 1×1 convolution `in_c → c3[0]`; `self.p3_2`: a 5×5 convolution `c3[0] → c3[1]` with `padding=2`;
  - `self.p4_1`: `nn.MaxPool2d(kernel_size=3, stride=1, padding=1)`; `self.p4_2`: a 1×1 convolution `in_c → c4`.
- `forward(X)`: compute the four paths above with a ReLU after every convolution (`torch.relu` will do), then concatenate them with `torch.cat(..., dim=1)` **in the order path 1, 2, 3, 4**.
- The output has shape `(n, c1 + c2[1] + c3[1] + c4, h, w)`. The weights loaded while grading make a concatenation in another order give different numbers.
""", '''
class Inception(nn.Module):
    """Inception 块 / The Inception block: four parallel paths concatenated on the channels."""

    def __init__(self, in_c, c1, c2, c3, c4):
        ### BEGIN SOLUTION
        super().__init__()
        self.p1_1 = nn.Conv2d(in_c, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_c, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_c, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_c, c4, kernel_size=1)
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        p1 = torch.relu(self.p1_1(X))
        p2 = torch.relu(self.p2_2(torch.relu(self.p2_1(X))))
        p3 = torch.relu(self.p3_2(torch.relu(self.p3_1(X))))
        p4 = torch.relu(self.p4_2(self.p4_1(X)))
        return torch.cat((p1, p2, p3, p4), dim=1)
        ### END SOLUTION
''')
    nb.demo("inception-demo", """
GoogLeNet 的第一个 Inception 块：192 个输入通道，输出 64 + 128 + 32 + 32 = 256 个通道，高和宽不变。
""", """
GoogLeNet's first Inception block: 192 input channels, 64 + 128 + 32 + 32 = 256 output channels, height and width unchanged.
""", """
try:
    block = Inception(192, 64, (96, 128), (16, 32), 32)
    print(tuple(block(torch.rand(1, 192, 12, 12)).shape))
except NotImplementedError:
    """ + FINISH_FIRST + """
""")
    nb.question("googlenet", """
按书中的结构写 `googlenet(in_channels=1, num_classes=10)`，返回 `nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))`。
下面的“池化”都指 `nn.MaxPool2d(kernel_size=3, stride=2, padding=1)`，它把高和宽减半。每个模块内部的顺序就是下面写的顺序：

- `b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(), 池化)`
- `b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(), nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(), 池化)`
- `b3`：两个 Inception 块，再接池化；
- `b4`：五个 Inception 块，再接池化；
- `b5`：两个 Inception 块，再接 `nn.AdaptiveAvgPool2d(1)`（全局平均池化）和 `nn.Flatten()`。

各 Inception 块的 `(c1, c2, c3, c4)` 依次为：

| 模块 | c1 | c2 | c3 | c4 |
|---|---|---|---|---|
""" + INCEPTION_ROWS + """
每个块的 `in_c` 由你自己推算：第一个块接在 `b2` 之后，是 192；之后每个块的输入通道数等于前一个块的输出通道数 `c1 + c2[1] + c3[1] + c4`。
输入 96×96 时，五个模块的输出形状依次是 (64, 24, 24)、(192, 12, 12)、(480, 6, 6)、(832, 3, 3)、1024，最后是 10 个类别。
评分程序会用更小的输入和别的 `in_channels`、`num_classes` 检查。
""", """
Write `googlenet(in_channels=1, num_classes=10)` with the book's structure, returning `nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))`.
"Pool" below always means `nn.MaxPool2d(kernel_size=3, stride=2, padding=1)`, which halves the height and width. Inside every stage the order is the order written here:

- `b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(), pool)`
- `b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(), nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(), pool)`
- `b3`: two Inception blocks, then a pool;
- `b4`: five Inception blocks, then a pool;
- `b5`: two Inception blocks, then `nn.AdaptiveAvgPool2d(1)` (global average pooling) and `nn.Flatten()`.

The Inception blocks' `(c1, c2, c3, c4)`, in order:

| stage | c1 | c2 | c3 | c4 |
|---|---|---|---|---|
""" + INCEPTION_ROWS + """
Work out each block's `in_c` yourself: the first block follows `b2`, so it is 192; after that each block takes the previous block's output channels, `c1 + c2[1] + c3[1] + c4`.
For a 96×96 input the five stages output (64, 24, 24), (192, 12, 12), (480, 6, 6), (832, 3, 3) and 1024, and the last layer 10 classes.
The grader also checks smaller inputs and other `in_channels` and `num_classes`.
""", '''
def googlenet(in_channels=1, num_classes=10):
    """GoogLeNet: b1..b5 and a linear output layer, in one nn.Sequential."""
    ### BEGIN SOLUTION
    def pool():
        return nn.MaxPool2d(kernel_size=3, stride=2, padding=1)

    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
                       nn.ReLU(), pool())
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),
                       nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(), pool())
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64), pool())
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                       Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64),
                       Inception(512, 112, (144, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128), pool())
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                       Inception(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d(1), nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))
    ### END SOLUTION
''')
    nb.demo("googlenet-demo", """
书中把 Fashion-MNIST 的图像放大到 96×96 再送进 GoogLeNet。看看每个模块的输出形状，以及参数个数。
""", """
The book resizes Fashion-MNIST images to 96×96 for GoogLeNet. Look at each stage's output shape, and at the number of parameters.
""", """
try:
    net = googlenet()
    show_shapes(net, torch.rand(1, 1, 96, 96))
    print("参数个数 / parameters:", sum(p.numel() for p in net.parameters()))
except NotImplementedError:
    """ + FINISH_FIRST + """
""")

    # ---------------------------------------------------------------- §5.10
    nb.md("sec-5-10", """
## 5.10 批量归一化

训练时，批量归一化层用**当前小批量**的均值 $\\boldsymbol{\\mu}_\\mathcal{B}$ 和方差 $\\boldsymbol{\\sigma}^2_\\mathcal{B}$ 把输入标准化，再用可学习的拉伸参数 $\\boldsymbol{\\gamma}$ 和偏移参数 $\\boldsymbol{\\beta}$ 变换回去：

$$\\hat{\\boldsymbol{x}} = \\frac{\\boldsymbol{x} - \\boldsymbol{\\mu}_\\mathcal{B}}{\\sqrt{\\boldsymbol{\\sigma}^2_\\mathcal{B} + \\epsilon}},\\qquad \\boldsymbol{y} = \\boldsymbol{\\gamma} \\odot \\hat{\\boldsymbol{x}} + \\boldsymbol{\\beta}.$$

对全连接层的输出 `(n, c)`，每个特征在批量维（第 0 维）上求统计量；对卷积层的输出 `(n, c, h, w)`，每个**通道**在样本和所有位置（第 0、2、3 维）上求统计量。
$\\boldsymbol{\\sigma}^2_\\mathcal{B}$ 是**有偏**方差（除以参与平均的元素个数）。小常数 $\\epsilon$ 防止除以 0。

预测时不能依赖一个批量，因此训练中还要维护**移动平均**的均值和方差：`moving = momentum · moving + (1 − momentum) · 批量统计量`（书中 momentum = 0.9），
预测时就用它们代替批量统计量。

**与 PyTorch 的区别**：`nn.BatchNorm2d` 的 `momentum` 是新值的权重，所以书中的 0.9 对应它的 `momentum=0.1`；它的训练输出和我们的一样，
但 `running_var` 记录的是无偏方差（除以 n − 1）。评分按书中的约定（有偏方差），下面的演示会对比两者。
""", """
## 5.10 Batch Normalization

In training, a batch-normalization layer standardizes its input with the mean $\\boldsymbol{\\mu}_\\mathcal{B}$ and variance $\\boldsymbol{\\sigma}^2_\\mathcal{B}$ of **the current minibatch**, then maps it back with a learnt scale $\\boldsymbol{\\gamma}$ and shift $\\boldsymbol{\\beta}$:

$$\\hat{\\boldsymbol{x}} = \\frac{\\boldsymbol{x} - \\boldsymbol{\\mu}_\\mathcal{B}}{\\sqrt{\\boldsymbol{\\sigma}^2_\\mathcal{B} + \\epsilon}},\\qquad \\boldsymbol{y} = \\boldsymbol{\\gamma} \\odot \\hat{\\boldsymbol{x}} + \\boldsymbol{\\beta}.$$

For a fully connected layer's output `(n, c)` each feature gets statistics over the batch (axis 0); for a convolution's output `(n, c, h, w)` each **channel** gets them over the examples and all positions (axes 0, 2, 3).
$\\boldsymbol{\\sigma}^2_\\mathcal{B}$ is the **biased** variance (divide by the number of elements averaged). The small constant $\\epsilon$ avoids dividing by 0.

Prediction cannot rely on a batch, so training also keeps **moving averages** of the mean and variance: `moving = momentum · moving + (1 − momentum) · batch statistic` (the book uses momentum = 0.9);
prediction uses them instead of batch statistics.

**How PyTorch differs**: `nn.BatchNorm2d`'s `momentum` is the weight of the new value, so the book's 0.9 is its `momentum=0.1`; its training output equals ours,
but its `running_var` records the unbiased variance (divide by n − 1). Grading follows the book (biased variance); a demo below compares the two.
""")
    nb.question("batch_norm", """
从零实现 `batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, is_training)`，返回三元组 `(Y, moving_mean, moving_var)`。

- `gamma`、`beta`、`moving_mean`、`moving_var` 的形状为 `(1, c)`（`X` 是二维时）或 `(1, c, 1, 1)`（`X` 是四维时），可以直接和 `X` 广播。
- `is_training` 为 `False`：用 `moving_mean`、`moving_var` 标准化，两者原样返回。
- `is_training` 为 `True`：二维输入在第 0 维上、四维输入在第 0、2、3 维上求均值和**有偏**方差（`keepdim=True` 能让形状直接对上），用它们标准化；
  再返回更新后的移动统计量 `momentum * moving_mean + (1 - momentum) * mean`（方差同理）。
- 两种情况都返回 `Y = gamma * X_hat + beta`。
- 建议对批量统计量用 `.detach()` 后再更新移动统计量：它们只是记录，不需要参与求梯度（数值不受影响，所以这一点不评分）。

本题的隐藏用例都在训练模式下；`is_training=False` 的分支只有一个公开用例，它的分数算在后面的 `BatchNorm_eval` 一题里。
""", """
Implement `batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, is_training)` from scratch, returning the triple `(Y, moving_mean, moving_var)`.

- `gamma`, `beta`, `moving_mean` and `moving_var` have shape `(1, c)` (for a 2-D `X`) or `(1, c, 1, 1)` (for a 4-D `X`), so they broadcast against `X`.
- `is_training` is `False`: standardize with `moving_mean` and `moving_var`, and return both unchanged.
- `is_training` is `True`: take the mean and the **biased** variance over axis 0 for 2-D input, over axes 0, 2, 3 for 4-D input (`keepdim=True` makes the shapes line up), and standardize with them;
  then return the updated moving statistics `momentum * moving_mean + (1 - momentum) * mean` (likewise for the variance).
- Either way return `Y = gamma * X_hat + beta`.
- It is a good idea to detach the batch statistics (`.detach()`) before updating the moving ones: they are records and take no part in the gradient (the values are the same either way, so this is not graded).

This question's hidden cases are all in training mode; the `is_training=False` branch has one public case here and is scored by the `BatchNorm_eval` question below.
""", '''
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, is_training):
    """批量归一化 / Batch normalization; returns (Y, moving_mean, moving_var)."""
    ### BEGIN SOLUTION
    if not is_training:
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    axes = (0,) if X.dim() == 2 else (0, 2, 3)
    mean = X.mean(dim=axes, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=axes, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    moving_mean = momentum * moving_mean + (1.0 - momentum) * mean.detach()
    moving_var = momentum * moving_var + (1.0 - momentum) * var.detach()
    return gamma * X_hat + beta, moving_mean, moving_var
    ### END SOLUTION
''')
    nb.demo("batch-norm-demo", """
和 PyTorch 比一比：训练模式下两者的输出相同；把移动方差都从 0 开始，一步之后我们的移动方差正好是 `running_var` 乘以 (n − 1)/n，
n 是每个通道参与平均的元素个数（这里 8·4·4 = 128）。
""", """
Compare with PyTorch: in training mode the outputs agree; starting both moving variances at 0, after one step ours is exactly `running_var`
times (n − 1)/n, where n is the number of elements averaged per channel (8·4·4 = 128 here).
""", """
try:
    X = torch.randn(8, 3, 4, 4) * 2 + 1
    ones, zeros = torch.ones(1, 3, 1, 1), torch.zeros(1, 3, 1, 1)
    Y, mean, var = batch_norm(X, ones, zeros, zeros, zeros, 1e-5, 0.9, True)
    running_mean, running_var = torch.zeros(3), torch.zeros(3)
    Y_torch = F.batch_norm(X, running_mean, running_var, training=True, momentum=0.1, eps=1e-5)
    n = X.numel() // X.shape[1]
    print("输出的最大差别 / largest output difference:", (Y - Y_torch).abs().max().item())
    print("我们的移动方差 / our moving_var:      ", var.flatten())
    print("running_var × (n − 1)/n:             ", running_var * (n - 1) / n)
except NotImplementedError:
    """ + FINISH_FIRST + """
""")
    nb.question("BatchNorm", """
把 `batch_norm` 包装成一个层：`BatchNorm(num_features, num_dims)`，`num_dims` 为 2（接在全连接层后）或 4（接在卷积层后）。

- `__init__`：形状 `shape` 为 `(1, num_features)` 或 `(1, num_features, 1, 1)`。
  - 可学习参数 `self.gamma = nn.Parameter(torch.ones(shape))`，`self.beta = nn.Parameter(torch.zeros(shape))`；
  - 移动统计量登记为**缓冲区**：`self.register_buffer("moving_mean", torch.zeros(shape))`，`self.register_buffer("moving_var", torch.ones(shape))`。
    缓冲区不是参数（优化器不更新它们），但会出现在 `state_dict()` 里、随 `.to(device)` 移动。书的 PyTorch 移植版把它们存成普通属性，那样保存模型时会丢掉它们。
    （书中移动方差从 0 开始；我们和 `nn.BatchNorm2d` 一样从 1 开始，这样还没训练的网络在预测时不会除以 $\\sqrt{\\epsilon}$。）
- `forward(X)`：调用你的 `batch_norm`，`eps=1e-5`、`momentum=0.9`、`is_training=self.training`（`net.train()` / `net.eval()` 切换它），
  把返回的移动统计量存回 `self.moving_mean` 和 `self.moving_var`（给已登记的缓冲区赋值，它仍然是缓冲区），返回 `Y`。

本题在训练模式下检查输出、前向计算后的 `state_dict()` 和参数个数；下一题在评估模式下检查同一个类。
""", """
Wrap `batch_norm` in a layer: `BatchNorm(num_features, num_dims)`, with `num_dims` 2 (after a fully connected layer) or 4 (after a convolution).

- `__init__`: the shape `shape` is `(1, num_features)` or `(1, num_features, 1, 1)`.
  - Learnt parameters `self.gamma = nn.Parameter(torch.ones(shape))` and `self.beta = nn.Parameter(torch.zeros(shape))`;
  - the moving statistics registered as **buffers**: `self.register_buffer("moving_mean", torch.zeros(shape))` and `self.register_buffer("moving_var", torch.ones(shape))`.
    Buffers are not parameters (no optimizer updates them), but they are in `state_dict()` and follow `.to(device)`. The book's PyTorch port keeps them as plain attributes, which a saved model then loses.
    (The book starts the moving variance at 0; like `nn.BatchNorm2d` we start it at 1, so an untrained network does not divide by $\\sqrt{\\epsilon}$ when predicting.)
- `forward(X)`: call your `batch_norm` with `eps=1e-5`, `momentum=0.9` and `is_training=self.training` (which `net.train()` / `net.eval()` switch),
  store the moving statistics it returns in `self.moving_mean` and `self.moving_var` (assigning to a registered buffer keeps it a buffer), and return `Y`.

This question checks the output, the `state_dict()` after the forward pass and the number of parameters in training mode; the next one checks the same class in evaluation mode.
""", '''
class BatchNorm(nn.Module):
    """批量归一化层 / Batch-normalization layer; moving statistics are buffers."""

    def __init__(self, num_features, num_dims):
        ### BEGIN SOLUTION
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=1e-5, momentum=0.9, is_training=self.training)
        return Y
        ### END SOLUTION
''')
    nb.number += 1
    points = nb.points("BatchNorm_eval")
    nb.cells.append(md("BatchNorm_eval-intro", f"""
### 题 {nb.number}：`BatchNorm_eval`（{points:g} 分）

这一题没有新的代码要写：它在**评估模式**（`net.eval()`）下检查上面的 `BatchNorm`，也就是 `batch_norm` 中 `is_training=False` 的分支。
此时应该用移动统计量标准化，并且不改变它们。如果这里没通过而上一题通过了，检查 `forward` 是否把 `self.training` 传给了 `batch_norm`，以及 `batch_norm` 的预测分支。
""", f"""
### Question {nb.number}: `BatchNorm_eval` ({points:g} point{'s' if points != 1 else ''})

There is no new code to write here: this checks the `BatchNorm` above in **evaluation mode** (`net.eval()`), that is, the `is_training=False` branch of `batch_norm`.
It should standardize with the moving statistics and leave them unchanged. If this fails while the previous question passes, check that `forward` passes `self.training` to `batch_norm`, and check `batch_norm`'s prediction branch.
"""))
    nb.cells.append(code("BatchNorm_eval-check", 'check("BatchNorm_eval")', "BatchNorm_eval",
                         points=points))
    nb.demo("batchnorm-demo", """
移动统计量是缓冲区：它们在 `state_dict()` 里，却不在 `parameters()` 里。训练模式下前向计算一次，移动均值就朝批量均值移动了 1 − 0.9 = 10%。
""", """
The moving statistics are buffers: they are in `state_dict()` but not in `parameters()`. One forward pass in training mode moves the
moving mean 1 − 0.9 = 10% of the way towards the batch mean.
""", """
try:
    layer = BatchNorm(2, num_dims=2)
    print("state_dict:", list(layer.state_dict()))
    print("parameters:", [name for name, _ in layer.named_parameters()])
    layer(torch.tensor([[1.0, 10.0], [3.0, 30.0]]))
    print("moving_mean:", layer.moving_mean)
except NotImplementedError:
    """ + FINISH_FIRST + """
""")
    nb.question("lenet_bn", """
在 LeNet（5.5 节）的每个卷积层和全连接隐藏层之后、sigmoid 之前插入你的 `BatchNorm`。写 `lenet_bn()`，返回一个 `nn.Sequential`，**各层位置必须如下**：

| 位置 | 层 | 位置 | 层 |
|---|---|---|---|
| 0 | `nn.Conv2d(1, 6, kernel_size=5)` | 8 | `nn.Flatten()` |
| 1 | `BatchNorm(6, num_dims=4)` | 9 | `nn.Linear(16 * 4 * 4, 120)` |
| 2 | `nn.Sigmoid()` | 10 | `BatchNorm(120, num_dims=2)` |
| 3 | `nn.MaxPool2d(kernel_size=2, stride=2)` | 11 | `nn.Sigmoid()` |
| 4 | `nn.Conv2d(6, 16, kernel_size=5)` | 12 | `nn.Linear(120, 84)` |
| 5 | `BatchNorm(16, num_dims=4)` | 13 | `BatchNorm(84, num_dims=2)` |
| 6 | `nn.Sigmoid()` | 14 | `nn.Sigmoid()` |
| 7 | `nn.MaxPool2d(kernel_size=2, stride=2)` | 15 | `nn.Linear(84, 10)` |

评分在评估模式下装入权重（包括各 `BatchNorm` 的移动统计量），对 28×28 的输入比较输出。
""", """
Insert your `BatchNorm` after every convolution and hidden fully connected layer of LeNet (§5.5), before the sigmoid. Write `lenet_bn()` returning an `nn.Sequential` **with the layers at exactly these positions**:

| position | layer | position | layer |
|---|---|---|---|
| 0 | `nn.Conv2d(1, 6, kernel_size=5)` | 8 | `nn.Flatten()` |
| 1 | `BatchNorm(6, num_dims=4)` | 9 | `nn.Linear(16 * 4 * 4, 120)` |
| 2 | `nn.Sigmoid()` | 10 | `BatchNorm(120, num_dims=2)` |
| 3 | `nn.MaxPool2d(kernel_size=2, stride=2)` | 11 | `nn.Sigmoid()` |
| 4 | `nn.Conv2d(6, 16, kernel_size=5)` | 12 | `nn.Linear(120, 84)` |
| 5 | `BatchNorm(16, num_dims=4)` | 13 | `BatchNorm(84, num_dims=2)` |
| 6 | `nn.Sigmoid()` | 14 | `nn.Sigmoid()` |
| 7 | `nn.MaxPool2d(kernel_size=2, stride=2)` | 15 | `nn.Linear(84, 10)` |

The grader loads weights (the moving statistics of every `BatchNorm` included) and compares outputs for 28×28 inputs in evaluation mode.
""", '''
def lenet_bn():
    """加入批量归一化的 LeNet / LeNet with a BatchNorm after each conv and hidden linear layer."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10),
    )
    ### END SOLUTION
''')
    nb.question("train_lenet_bn", """
书中用学习率 1.0 训练加了批量归一化的 LeNet——没有批量归一化的 sigmoid LeNet 用这么大的学习率几乎学不动。
写 `train_lenet_bn(train_batches, lr, num_epochs)`：

- 新建 `net = lenet_bn()`；损失 `nn.CrossEntropyLoss()`（对小批量取平均），优化器 `torch.optim.SGD(net.parameters(), lr=lr)`。
- 训练 `num_epochs` 轮；每轮先 `net.train()`，再对 `train_batches` 里的每个 `(X, y)`：清零梯度、算损失、反向传播、更新参数。
- 记下每轮的平均训练损失（按样本数加权：累加 `损失.item() * len(y)`，最后除以样本总数），是一个 Python 浮点数列表。
- 返回字典 `{"losses": 每轮的平均损失, "gamma": ..., "beta": ...}`，其中 `gamma`、`beta` 是第一个批量归一化层 `net[1]` 学到的参数，`.detach()` 后变形为 `(6,)`。

初始化是随机的，所以本题不和参考答案逐值比较，而是检查：最后一轮的损失低于 1.8（随机猜测约为 ln 10 ≈ 2.30）且低于第一轮，`gamma`、`beta` 离开了初始值 1 和 0。
评分用的数据是 Fashion-MNIST 替身数据里的几十张图像，几轮训练不到一秒。
""", """
The book trains LeNet with batch normalization at learning rate 1.0 — at that rate the sigmoid LeNet without it barely learns.
Write `train_lenet_bn(train_batches, lr, num_epochs)`:

- Build `net = lenet_bn()`; loss `nn.CrossEntropyLoss()` (the minibatch mean), optimizer `torch.optim.SGD(net.parameters(), lr=lr)`.
- Train for `num_epochs` epochs; each epoch call `net.train()`, then for every `(X, y)` in `train_batches`: zero the gradients, compute the loss, back-propagate, update the parameters.
- Record each epoch's average training loss (weighted by examples: add up `loss.item() * len(y)`, divide by the number of examples), as a list of Python floats.
- Return the dict `{"losses": per-epoch average losses, "gamma": ..., "beta": ...}`, where `gamma` and `beta` are what the first batch-normalization layer `net[1]` learnt, `.detach()`ed and reshaped to `(6,)`.

Initialization is random, so this is not compared value by value with the reference; instead: the last epoch's loss must be below 1.8 (guessing gives about ln 10 ≈ 2.30) and below the first epoch's, and `gamma` and `beta` must have left their initial values 1 and 0.
Grading uses a few dozen images of the Fashion-MNIST stand-in; the epochs take well under a second.
""", '''
def train_lenet_bn(train_batches, lr, num_epochs):
    """训练 lenet_bn() / Train a fresh lenet_bn() with SGD; report losses and net[1]'s gamma, beta."""
    ### BEGIN SOLUTION
    net = lenet_bn()
    loss = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    losses = []
    for epoch in range(num_epochs):
        net.train()
        total, count = 0.0, 0
        for X, y in train_batches:
            optimizer.zero_grad()
            l = loss(net(X), y)
            l.backward()
            optimizer.step()
            total += l.item() * len(y)
            count += len(y)
        losses.append(total / count)
    return {"losses": losses, "gamma": net[1].gamma.detach().reshape(-1),
            "beta": net[1].beta.detach().reshape(-1)}
    ### END SOLUTION
''')
    nb.demo("train-bn-demo", """
在 Fashion-MNIST（评分和没有真实数据时是它的替身）上训练两轮，看看损失和第一个批量归一化层学到的 γ、β。
""", """
Train two epochs on Fashion-MNIST (its stand-in while grading or without the real data) and look at the losses and at the γ and β the first
batch-normalization layer learnt.
""", """
try:
    if train_iter is None:
        print("没有数据，跳过 / no data, skipped")
    else:
        result = train_lenet_bn(train_iter, lr=1.0, num_epochs=2)
        print("每轮损失 / loss per epoch:", [round(v, 4) for v in result["losses"]])
        print("gamma:", result["gamma"])
        print("beta: ", result["beta"])
except NotImplementedError:
    """ + FINISH_FIRST + """
""")

    # ---------------------------------------------------------------- §5.11
    nb.md("sec-5-11", """
## 5.11 残差网络（ResNet）

如果一层能学成恒等映射，加深网络至少不会变差；可是让几层卷积去拟合恒等映射并不容易。残差块换个问法：让这几层去拟合
**残差** $f(\\boldsymbol{x}) - \\boldsymbol{x}$，再把输入 $\\boldsymbol{x}$ 经一条捷径加回来。残差块里是两个 3×3 卷积，
每个卷积后接批量归一化，第一个之后还有 ReLU；把输入加上之后再做一次 ReLU。若块要改变通道数或减半高宽，捷径上要用一个 1×1 卷积（步幅相同）把输入变成同样的形状。
""", """
## 5.11 Residual Networks (ResNet)

If a layer can learn the identity, a deeper network should be no worse; yet a few convolutions do not easily learn the identity. A residual
block asks a different question: let the layers fit the **residual** $f(\\boldsymbol{x}) - \\boldsymbol{x}$, and add the input $\\boldsymbol{x}$
back through a shortcut. The block holds two 3×3 convolutions, each followed by batch normalization, the first also by a ReLU; after the
input is added, one more ReLU. When the block changes the channels or halves the height and width, a 1×1 convolution (same stride) on the
shortcut gives the input the same shape.
""")
    nb.question("Residual", """
写 `Residual(in_channels, out_channels, use_1x1conv=False, stride=1)`，属性名必须一致：

- `self.conv1`：3×3 卷积 `in_channels → out_channels`，`padding=1`，`stride=stride`；
- `self.conv2`：3×3 卷积 `out_channels → out_channels`，`padding=1`；
- `self.conv3`：当 `use_1x1conv` 为真时，1×1 卷积 `in_channels → out_channels`，`stride=stride`；否则 `self.conv3 = None`；
- `self.bn1`、`self.bn2`：`nn.BatchNorm2d(out_channels)`。

`forward(X)`：`Y = relu(bn1(conv1(X)))`，`Y = bn2(conv2(Y))`；有 `conv3` 时 `X = conv3(X)`；返回 `relu(Y + X)`。
例如 `Residual(3, 3)` 把 (4, 3, 6, 6) 变成 (4, 3, 6, 6)，`Residual(3, 6, use_1x1conv=True, stride=2)` 把它变成 (4, 6, 3, 3)。
评分在评估模式下装入权重（含批量归一化的统计量）后比较输出。
""", """
Write `Residual(in_channels, out_channels, use_1x1conv=False, stride=1)`; the attribute names must match:

- `self.conv1`: a 3×3 convolution `in_channels → out_channels` with `padding=1` and `stride=stride`;
- `self.conv2`: a 3×3 convolution `out_channels → out_channels` with `padding=1`;
- `self.conv3`: when `use_1x1conv` is true, a 1×1 convolution `in_channels → out_channels` with `stride=stride`; otherwise `self.conv3 = None`;
- `self.bn1`, `self.bn2`: `nn.BatchNorm2d(out_channels)`.

`forward(X)`: `Y = relu(bn1(conv1(X)))`, `Y = bn2(conv2(Y))`; with a `conv3`, `X = conv3(X)`; return `relu(Y + X)`.
For instance `Residual(3, 3)` maps (4, 3, 6, 6) to (4, 3, 6, 6) and `Residual(3, 6, use_1x1conv=True, stride=2)` to (4, 6, 3, 3).
The grader loads weights (batch-norm statistics included) and compares outputs in evaluation mode.
""", '''
class Residual(nn.Module):
    """残差块 / Residual block: two 3x3 convs with batch norm, plus a shortcut."""

    def __init__(self, in_channels, out_channels, use_1x1conv=False, stride=1):
        ### BEGIN SOLUTION
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1,
                               stride=stride)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        Y = torch.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return torch.relu(Y + X)
        ### END SOLUTION
''')
    nb.demo("residual-demo", """
输入输出形状相同的残差块，以及减半高宽、通道翻倍的残差块。
""", """
A residual block that keeps the shape, and one that halves the height and width and doubles the channels.
""", """
try:
    X = torch.rand(4, 3, 6, 6)
    print(tuple(Residual(3, 3)(X).shape), tuple(Residual(3, 6, use_1x1conv=True, stride=2)(X).shape))
except NotImplementedError:
    """ + FINISH_FIRST + """
""")
    nb.question("resnet_block", """
ResNet 的每个模块由若干残差块组成。写 `resnet_block(in_channels, out_channels, num_residuals, first_block=False)`，返回由 `num_residuals` 个 `Residual` 组成的 `nn.Sequential`：

- 第一个残差块：如果 `first_block` 为假，用 `Residual(in_channels, out_channels, use_1x1conv=True, stride=2)`（通道变为 `out_channels`，高宽减半）；
- 其余的残差块（以及 `first_block` 为真时的第一个）：`Residual(out_channels, out_channels)`。

第一个模块前面已经有步幅为 2 的最大池化，所以它不再减小高宽（`first_block=True`，此时 `in_channels` 等于 `out_channels`）。
本题只看结构：每个残差块的输出形状和参数个数。
""", """
Each ResNet stage is a few residual blocks. Write `resnet_block(in_channels, out_channels, num_residuals, first_block=False)` returning an `nn.Sequential` of `num_residuals` `Residual` blocks:

- the first one: when `first_block` is false, `Residual(in_channels, out_channels, use_1x1conv=True, stride=2)` (channels become `out_channels`, height and width halve);
- the others (and the first when `first_block` is true): `Residual(out_channels, out_channels)`.

The first stage follows a max-pooling of stride 2 already, so it keeps the height and width (`first_block=True`, with `in_channels` equal to `out_channels`).
This question looks at the structure only: each residual block's output shape and the number of parameters.
""", '''
def resnet_block(in_channels, out_channels, num_residuals, first_block=False):
    """ResNet 的一个模块 / One ResNet stage: num_residuals residual blocks."""
    ### BEGIN SOLUTION
    blocks = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blocks.append(Residual(in_channels, out_channels, use_1x1conv=True, stride=2))
        else:
            blocks.append(Residual(out_channels, out_channels))
    return nn.Sequential(*blocks)
    ### END SOLUTION
''')
    nb.question("resnet18", """
写 `resnet18(num_classes=10, in_channels=1)`，返回**一个扁平的** `nn.Sequential`，依次为（位置 0–10）：

0. `nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)`；1. `nn.BatchNorm2d(64)`；2. `nn.ReLU()`；3. `nn.MaxPool2d(kernel_size=3, stride=2, padding=1)`；
4. `resnet_block(64, 64, 2, first_block=True)`；5. `resnet_block(64, 128, 2)`；6. `resnet_block(128, 256, 2)`；7. `resnet_block(256, 512, 2)`；
8. `nn.AdaptiveAvgPool2d(1)`；9. `nn.Flatten()`；10. `nn.Linear(512, num_classes)`。

每个模块 4 个卷积层，加上最前面的卷积层和最后的全连接层，一共 18 层（不算捷径上的 1×1 卷积），这就是“ResNet-18”。
输入 96×96 时，四个模块的输出为 (64, 24, 24)、(128, 12, 12)、(256, 6, 6)、(512, 3, 3)。
""", """
Write `resnet18(num_classes=10, in_channels=1)` returning **one flat** `nn.Sequential` with, in order (positions 0–10):

0. `nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)`; 1. `nn.BatchNorm2d(64)`; 2. `nn.ReLU()`; 3. `nn.MaxPool2d(kernel_size=3, stride=2, padding=1)`;
4. `resnet_block(64, 64, 2, first_block=True)`; 5. `resnet_block(64, 128, 2)`; 6. `resnet_block(128, 256, 2)`; 7. `resnet_block(256, 512, 2)`;
8. `nn.AdaptiveAvgPool2d(1)`; 9. `nn.Flatten()`; 10. `nn.Linear(512, num_classes)`.

Four convolutions per stage, plus the first convolution and the final linear layer, make 18 layers (the 1×1 shortcut convolutions are not counted): "ResNet-18".
For a 96×96 input the four stages output (64, 24, 24), (128, 12, 12), (256, 6, 6) and (512, 3, 3).
""", '''
def resnet18(num_classes=10, in_channels=1):
    """ResNet-18 in one flat nn.Sequential."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        resnet_block(64, 64, 2, first_block=True),
        resnet_block(64, 128, 2),
        resnet_block(128, 256, 2),
        resnet_block(256, 512, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(512, num_classes),
    )
    ### END SOLUTION
''')
    nb.demo("resnet-demo", """
ResNet-18 在 96×96 输入上各层的输出形状。
""", """
The output shape of every layer of ResNet-18 for a 96×96 input.
""", """
try:
    show_shapes(resnet18(), torch.rand(1, 1, 96, 96))
except NotImplementedError:
    """ + FINISH_FIRST + """
""")

    # ---------------------------------------------------------------- §5.12
    nb.md("sec-5-12", """
## 5.12 稠密连接网络（DenseNet）

DenseNet 和 ResNet 的区别只在“怎么合”：ResNet 把块的输入和输出**相加**，DenseNet 把它们在通道维上**连结**。
一个稠密块由若干卷积块组成，每个卷积块都把它之前所有卷积块的输出（连同最初的输入）当作输入。通道数会越来越多，
所以稠密块之间要用**过渡层**：1×1 卷积减少通道，步幅为 2 的平均池化减半高和宽。卷积块采用 ResNet 改进后的“批量归一化、激活、卷积”顺序。
""", """
## 5.12 Densely Connected Networks (DenseNet)

DenseNet differs from ResNet only in how things are joined: ResNet **adds** a block's input to its output, DenseNet **concatenates** them along
the channels. A dense block is a few conv blocks, each of which takes the outputs of all the blocks before it (and the original input) as input.
The channels keep growing, so **transition layers** sit between dense blocks: a 1×1 convolution cuts the channels, an average pooling of stride 2
halves the height and width. Conv blocks use ResNet's improved order "batch norm, activation, convolution".
""")
    nb.question("conv_block", """
写 `conv_block(in_channels, out_channels)`，返回 `nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(), nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))`。
顺序必须是批量归一化、ReLU、卷积（位置 0、1、2）。
""", """
Write `conv_block(in_channels, out_channels)` returning `nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(), nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))`.
The order must be batch norm, ReLU, convolution (positions 0, 1, 2).
""", '''
def conv_block(in_channels, out_channels):
    """BN -> ReLU -> 3x3 conv."""
    ### BEGIN SOLUTION
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
    ### END SOLUTION
''')
    nb.question("DenseBlock", """
写 `DenseBlock(num_convs, in_channels, out_channels)`，`out_channels` 是每个卷积块增加的通道数（增长率）。

- `__init__`：`self.net` 是一个 `nn.ModuleList`（或 `nn.Sequential`），依次装 `num_convs` 个卷积块，第 `i` 个（从 0 数起）为 `conv_block(in_channels + i * out_channels, out_channels)`；
  另存 `self.out_channels = in_channels + num_convs * out_channels`，后面搭网络时方便推算通道数。
- `forward(X)`：对 `self.net` 里的每个卷积块，`Y = blk(X)`，然后 `X = torch.cat((X, Y), dim=1)`；返回最后的 `X`。

例如 `DenseBlock(2, 3, 10)` 把 (4, 3, 8, 8) 变成 (4, 3 + 2·10, 8, 8) = (4, 23, 8, 8)。
""", """
Write `DenseBlock(num_convs, in_channels, out_channels)`, where `out_channels` is the channels each conv block adds (the growth rate).

- `__init__`: `self.net` is an `nn.ModuleList` (or `nn.Sequential`) holding `num_convs` conv blocks, the `i`-th (counting from 0) being `conv_block(in_channels + i * out_channels, out_channels)`;
  also keep `self.out_channels = in_channels + num_convs * out_channels`, handy for counting channels when building the network.
- `forward(X)`: for each conv block in `self.net`, `Y = blk(X)`, then `X = torch.cat((X, Y), dim=1)`; return the final `X`.

For instance `DenseBlock(2, 3, 10)` maps (4, 3, 8, 8) to (4, 3 + 2·10, 8, 8) = (4, 23, 8, 8).
""", '''
class DenseBlock(nn.Module):
    """稠密块 / Dense block: each conv block's output is concatenated to its input."""

    def __init__(self, num_convs, in_channels, out_channels):
        ### BEGIN SOLUTION
        super().__init__()
        self.net = nn.ModuleList(
            [conv_block(in_channels + i * out_channels, out_channels) for i in range(num_convs)])
        self.out_channels = in_channels + num_convs * out_channels
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)
        return X
        ### END SOLUTION
''')
    nb.question("transition_block", """
写过渡层 `transition_block(in_channels, out_channels)`，返回
`nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(), nn.Conv2d(in_channels, out_channels, kernel_size=1), nn.AvgPool2d(kernel_size=2, stride=2))`。
例如 `transition_block(23, 10)` 把 (4, 23, 8, 8) 变成 (4, 10, 4, 4)。
""", """
Write the transition layer `transition_block(in_channels, out_channels)`, returning
`nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(), nn.Conv2d(in_channels, out_channels, kernel_size=1), nn.AvgPool2d(kernel_size=2, stride=2))`.
For instance `transition_block(23, 10)` maps (4, 23, 8, 8) to (4, 10, 4, 4).
""", '''
def transition_block(in_channels, out_channels):
    """BN -> ReLU -> 1x1 conv -> 2x2 average pooling."""
    ### BEGIN SOLUTION
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, out_channels, kernel_size=1),
                         nn.AvgPool2d(kernel_size=2, stride=2))
    ### END SOLUTION
''')
    nb.demo("dense-demo", """
一个有 2 个卷积块、增长率为 10 的稠密块把 3 个通道变成 23 个；再用过渡层把通道减到 10、高宽减半。
""", """
A dense block with 2 conv blocks and growth rate 10 turns 3 channels into 23; a transition layer then cuts them to 10 and halves the height and width.
""", """
try:
    Y = DenseBlock(2, 3, 10)(torch.rand(4, 3, 8, 8))
    print(tuple(Y.shape), tuple(transition_block(23, 10)(Y).shape))
except NotImplementedError:
    """ + FINISH_FIRST + """
""")
    nb.question("densenet", """
写 `densenet(in_channels=1, num_classes=10)`，返回**一个扁平的** `nn.Sequential`：

- 和 ResNet 一样的开头：`nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)`、`nn.BatchNorm2d(64)`、`nn.ReLU()`、`nn.MaxPool2d(kernel_size=3, stride=2, padding=1)`；
- 4 个稠密块，每个有 4 个卷积块、增长率 32：`DenseBlock(4, 当前通道数, 32)`。前 3 个稠密块后面各接一个 `transition_block(当前通道数, 当前通道数 // 2)`，把通道数减半；
- 结尾：`nn.BatchNorm2d(当前通道数)`、`nn.ReLU()`、`nn.AdaptiveAvgPool2d(1)`、`nn.Flatten()`、`nn.Linear(当前通道数, num_classes)`。

通道数要自己推算：64 → 192 → 96 → 224 → 112 → 240 → 120 → 248。输入 96×96 时，最后一个稠密块输出 (248, 3, 3)。
""", """
Write `densenet(in_channels=1, num_classes=10)` returning **one flat** `nn.Sequential`:

- ResNet's beginning: `nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)`, `nn.BatchNorm2d(64)`, `nn.ReLU()`, `nn.MaxPool2d(kernel_size=3, stride=2, padding=1)`;
- 4 dense blocks of 4 conv blocks each with growth rate 32: `DenseBlock(4, current channels, 32)`. Each of the first 3 is followed by a `transition_block(current channels, current channels // 2)` that halves the channels;
- the end: `nn.BatchNorm2d(current channels)`, `nn.ReLU()`, `nn.AdaptiveAvgPool2d(1)`, `nn.Flatten()`, `nn.Linear(current channels, num_classes)`.

Keep count of the channels yourself: 64 → 192 → 96 → 224 → 112 → 240 → 120 → 248. For a 96×96 input the last dense block outputs (248, 3, 3).
""", '''
def densenet(in_channels=1, num_classes=10):
    """DenseNet in one flat nn.Sequential."""
    ### BEGIN SOLUTION
    layers = [nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
              nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1)]
    channels, growth_rate = 64, 32
    for i in range(4):
        block = DenseBlock(4, channels, growth_rate)
        layers.append(block)
        channels = block.out_channels
        if i != 3:
            layers.append(transition_block(channels, channels // 2))
            channels = channels // 2
    layers += [nn.BatchNorm2d(channels), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(channels, num_classes)]
    return nn.Sequential(*layers)
    ### END SOLUTION
''')
    nb.demo("densenet-demo", """
DenseNet 在 96×96 输入上各层的输出形状，以及参数个数（比 ResNet-18 少得多）。
""", """
The output shape of every layer of DenseNet for a 96×96 input, and its number of parameters (far fewer than ResNet-18's).
""", """
try:
    net = densenet()
    show_shapes(net, torch.rand(1, 1, 96, 96))
    print("参数个数 / parameters:", sum(p.numel() for p in net.parameters()))
except NotImplementedError:
    """ + FINISH_FIRST + """
""")
    return nb.build()


def main() -> int:
    nb = build()
    nbformat.validate(nb)
    out = MasterNotebook(ASSIGNMENT, NOTEBOOK).path
    nbformat.write(nb, out)
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
