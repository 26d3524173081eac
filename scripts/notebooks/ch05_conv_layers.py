# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch05_cnn/conv_layers.ipynb`` (§5.1–5.4).

The notebook is generated so that it can be reviewed as Python and rebuilt exactly:

    .venv/bin/python scripts/notebooks/ch05_conv_layers.py

Cells come from :class:`scripts.notebooks.cells.MasterNotebook`; points come from
``solutions/ch05_cnn/conv_layers.py``.  Prose is our own, 简体中文 first and English beneath.
Two locked helpers built on ``F.conv2d`` (``corr2d_torch``, ``corr2d_multi_in_torch``) are
given: the student checks the loops against them, and the grader swaps them in for the
student's ``corr2d`` / ``corr2d_multi_in`` inside the questions that call those.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT, NOTEBOOK = "ch05_cnn", "conv_layers"
sys.path.insert(0, str(ROOT))

from scripts.notebooks.cells import MasterNotebook  # noqa: E402

UNFINISHED = 'print("先完成上面的填空 / finish the blanks above first")'


def build() -> MasterNotebook:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    nb.md("intro", """
# 第 5 章 卷积神经网络（一）：卷积层与池化层 / Chapter 5 Convolutional Neural Networks (1)

本作业对应《动手学深度学习》（第一版）第 5 章的 5.1–5.4 节，全部使用 PyTorch。卷积神经网络的基本零件只有几样：
在图像上滑动的二维互相关、控制输出大小的填充和步幅、把多个通道混合起来的多通道卷积，以及缩小表示的池化。
你会先用循环亲手实现它们，再和 PyTorch 的 `nn.Conv2d`、`nn.MaxPool2d` 对照。

**作业规则**

- 每道题是一个代码单元格，把 `# YOUR CODE HERE` 和 `raise NotImplementedError()` 两行换成你的实现；其后的 `check("名字")` 用公开测试用例检查你的答案，仅供参考，最终成绩还包括隐藏用例。
- 不要改函数名、类名、参数名、参数顺序和默认值，**也不要改题目规定的属性名**（`Conv2D` 的 `weight` 和 `bias`）：评分程序会用 `load_state_dict(strict=True)` 装入自己的权重。
- 题目说“调用 `corr2d`”或“调用 `corr2d_multi_in`”时，请按位置传参调用你自己写的那个函数：评分时它会被换成下面给出的 PyTorch 版本（`corr2d_torch`、`corr2d_multi_in_torch`），这样一处错误只扣一道题的分。不要修改或删除这两个给定的函数。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。评分用的输入都很小（不超过 12×12），用 Python 循环完全来得及。
- 标有“演示”的单元格不计分；上面的填空没完成时它们只打印一句提示。
""", """
This assignment covers sections 5.1–5.4 of chapter 5 of *Dive into Deep Learning* (first edition), entirely in PyTorch.
A convolutional network is built from a few parts: the two-dimensional cross-correlation that slides over an image,
padding and stride that control the output size, multi-channel convolution that mixes channels, and pooling that shrinks
the representation. You first write them yourself with loops, then compare them with PyTorch's `nn.Conv2d` and `nn.MaxPool2d`.

**Rules**

- Each question is a code cell: replace the lines `# YOUR CODE HERE` and `raise NotImplementedError()` by your implementation. The `check("name")` cell after it tests your answer on the public cases; it is advice only, the grade also uses hidden cases.
- Do not rename functions, classes or arguments, nor change their order or defaults, **and keep the attribute names a question gives** (`weight` and `bias` of `Conv2D`): the grader loads its own weights with `load_state_dict(strict=True)`.
- When a question says "call `corr2d`" or "call `corr2d_multi_in`", call your own function with positional arguments: while grading it is swapped for the PyTorch version given below (`corr2d_torch`, `corr2d_multi_in_torch`), so that one mistake costs only one question. Do not change or delete those two given functions.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. Graded inputs are small (at most 12×12), so Python loops are fast enough.
- Cells marked "demo" are not graded; while a blank above is unfinished they only print a note.
""")
    nb.setup("""
import torch
import torch.nn.functional as F
from torch import nn
""")

    # ---------------------------------------------------------------- §5.1
    nb.md("sec-5-1", """
## 5.1 二维卷积层 / Two-Dimensional Convolutional Layers

二维互相关（cross-correlation）运算：核数组（kernel，也叫过滤器）从输入数组的左上角开始，从左到右、从上到下滑动；
每到一个位置，把窗口里的输入和核按元素相乘再求和，得到输出在该位置的一个元素。输入是 $n_h \\times n_w$、核是 $k_h \\times k_w$ 时，
输出是 $(n_h-k_h+1) \\times (n_w-k_w+1)$。例如输入 `[[0,1,2],[3,4,5],[6,7,8]]` 与核 `[[0,1],[2,3]]` 的左上角输出是
$0\\cdot0+1\\cdot1+3\\cdot2+4\\cdot3=19$。深度学习里所说的“卷积”其实就是这种互相关：核不翻转，因为核是学出来的，翻不翻转学到的结果一样。
""", """
## 5.1 Two-Dimensional Convolutional Layers

In the two-dimensional cross-correlation, the kernel (or filter) array starts at the top-left corner of the input array
and slides left to right, top to bottom; at each position the window of input is multiplied element-wise with the kernel
and summed, giving one element of the output. For an $n_h \\times n_w$ input and a $k_h \\times k_w$ kernel the output is
$(n_h-k_h+1) \\times (n_w-k_w+1)$. For example, input `[[0,1,2],[3,4,5],[6,7,8]]` with kernel `[[0,1],[2,3]]` gives
$0\\cdot0+1\\cdot1+3\\cdot2+4\\cdot3=19$ at the top left. What deep learning calls "convolution" is this cross-correlation:
the kernel is not flipped, since it is learned and a flipped kernel would be learned just as well.
""")
    nb.question("corr2d", """
写 `corr2d(X, K)`：二维张量 `X` 与二维核 `K` 的互相关，不填充、步幅为 1。

- 先建一个形状为 `(X.shape[0] - h + 1, X.shape[1] - w + 1)` 的全零 float32 张量 `Y`（`h, w = K.shape`）；
- 用两重循环，令 `Y[i, j]` 等于 `X[i:i + h, j:j + w]` 与 `K` 按元素相乘后的和；
- 返回 `Y`。书中的例子应得到 `[[19, 25], [37, 43]]`。
""", """
Write `corr2d(X, K)`: the cross-correlation of a 2-D tensor `X` with a 2-D kernel `K`, no padding, stride 1.

- Create a float32 tensor of zeros `Y` of shape `(X.shape[0] - h + 1, X.shape[1] - w + 1)` (`h, w = K.shape`);
- with two nested loops, set `Y[i, j]` to the sum of `X[i:i + h, j:j + w]` times `K`, element-wise;
- return `Y`. The book's example gives `[[19, 25], [37, 43]]`.
""", '''
def corr2d(X, K):
    """二维互相关 / 2-D cross-correlation of X with kernel K (no padding, stride 1)."""
    ### BEGIN SOLUTION
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
    ### END SOLUTION
''')
    nb.md("torch-helper-intro", """
PyTorch 的 `F.conv2d` 做的是同一件事，只是它要的输入形状是（批量，通道，高，宽），核的形状是（输出通道，输入通道，高，宽）。
下面给出的 `corr2d_torch` 把二维张量补成四维再调用它。用它来检查你的循环；评分时，调用 `corr2d` 的题目会用它代替你的 `corr2d`。
**不要修改这个单元格。**
""", """
PyTorch's `F.conv2d` does the same thing, but it wants inputs shaped (batch, channel, height, width) and kernels shaped
(output channels, input channels, height, width). The given `corr2d_torch` adds the missing axes to 2-D tensors and calls it.
Use it to check your loops; while grading, the questions that call `corr2d` use it in place of your `corr2d`.
**Do not change this cell.**
""")
    nb.given("corr2d-torch", '''
def corr2d_torch(X, K):
    """PyTorch 的二维互相关 / PyTorch's 2-D cross-correlation of a 2-D X with a 2-D K."""
    return F.conv2d(X.reshape((1, 1) + X.shape), K.reshape((1, 1) + K.shape))[0, 0]
''')
    nb.demo("corr2d-demo", """
书中的例子，以及随机输入上你的 `corr2d` 与 `corr2d_torch` 的最大差别（应在 1e-6 量级）。
""", """
The book's example, and the largest difference between your `corr2d` and `corr2d_torch` on a random input (should be
around 1e-6).
""", f"""
try:
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.arange(4.0).reshape(2, 2)
    print(corr2d(X, K))
    X, K = torch.randn(6, 7), torch.randn(3, 2)
    print("最大差别 / largest difference:", (corr2d(X, K) - corr2d_torch(X, K)).abs().max().item())
except NotImplementedError:
    {UNFINISHED}
""")
    nb.question("Conv2D", """
二维卷积层 = 互相关 + 标量偏差。写 `Conv2D(kernel_size)`：

- `__init__` 先调用 `super().__init__()`，再创建两个参数，**名字必须是** `self.weight`（形状为 `kernel_size` 的 `nn.Parameter`，用 `torch.rand(kernel_size)` 初始化）和 `self.bias`（形状为 `(1,)` 的 `nn.Parameter`，初始化为 0）；
- `forward(x)` 返回 `corr2d(x, self.weight) + self.bias`，其中 `x` 是二维张量。

评分时用 `load_state_dict(strict=True)` 装入评分程序自己的 `weight` 和 `bias`，并把 `corr2d` 换成 `corr2d_torch`。
""", """
A 2-D convolutional layer is a cross-correlation plus a scalar bias. Write `Conv2D(kernel_size)`:

- `__init__` first calls `super().__init__()`, then creates two parameters, **named exactly** `self.weight` (an `nn.Parameter` of shape `kernel_size`, initialised with `torch.rand(kernel_size)`) and `self.bias` (an `nn.Parameter` of shape `(1,)`, initialised to 0);
- `forward(x)` returns `corr2d(x, self.weight) + self.bias`, where `x` is a 2-D tensor.

The grader loads its own `weight` and `bias` with `load_state_dict(strict=True)` and swaps `corr2d` for `corr2d_torch`.
""", '''
class Conv2D(nn.Module):
    """二维卷积层 / 2-D convolutional layer: corr2d(x, weight) + bias."""

    def __init__(self, kernel_size):
        ### BEGIN SOLUTION
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return corr2d(x, self.weight) + self.bias
        ### END SOLUTION
''')
    nb.md("sec-5-1-edges", """
### 图像中物体边缘检测 / Detecting the edges of objects in an image

一张 6×8 的图像，中间 4 列（第 2–5 列）是黑（0），其余是白（1）。核 `[[1, -1]]` 用每个像素减去它右边的邻居：
颜色不变处得 0，白变黑处得 1，黑变白处得 −1。所以输出在白→黑的第 1 列是 1、在黑→白的第 5 列是 −1。
把图像转置后边缘变成水平的，这个只看左右邻居的核就看不到它们了：输出全是 0。
""", """
A 6×8 image whose middle 4 columns (columns 2–5) are black (0) and the rest white (1). The kernel `[[1, -1]]` subtracts
each pixel's right neighbour from it: 0 where the colour does not change, 1 where white turns black, −1 where black turns
white. So the output is 1 in column 1 (white → black) and −1 in column 5 (black → white). After transposing the image the
edges are horizontal, and a kernel that only compares left and right neighbours cannot see them: the output is all zeros.
""")
    nb.question("edge_detect", """
写 `edge_detect(h=6, w=8, start=2, stop=6)`，把书中的例子推广到任意大小：

- `X`：形状 `(h, w)` 的全 1 float32 张量，再把第 `start` 到 `stop - 1` 列（`X[:, start:stop]`）置为 0；
- `K = torch.tensor([[1.0, -1.0]])`；
- 调用 `corr2d`，返回字典 `{"X": X, "K": K, "Y": corr2d(X, K), "Y_t": corr2d(X.t(), K)}`。
""", """
Write `edge_detect(h=6, w=8, start=2, stop=6)`, the book's example for any size:

- `X`: a float32 tensor of ones of shape `(h, w)` whose columns `start` to `stop - 1` (`X[:, start:stop]`) are set to 0;
- `K = torch.tensor([[1.0, -1.0]])`;
- call `corr2d` and return the dict `{"X": X, "K": K, "Y": corr2d(X, K), "Y_t": corr2d(X.t(), K)}`.
""", '''
def edge_detect(h=6, w=8, start=2, stop=6):
    """边缘检测 / Vertical edges of a white image with a black band, and of its transpose."""
    ### BEGIN SOLUTION
    X = torch.ones((h, w))
    X[:, start:stop] = 0
    K = torch.tensor([[1.0, -1.0]])
    return {"X": X, "K": K, "Y": corr2d(X, K), "Y_t": corr2d(X.t(), K)}
    ### END SOLUTION
''')
    nb.md("sec-5-1-learn", """
### 通过数据学习核数组 / Learning a kernel from data

反过来，给定输入 `X` 和输出 `Y`，能不能把核学出来？先随机初始化一个 1×2 的核，然后反复做梯度下降：算出 `Y_hat`，
用平方误差之和作为损失，反向传播，再把核减去学习率乘以梯度。对上面的边缘图像，十几次迭代后核就接近 `[1, -1]`。

这里用 PyTorch 的 `nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)`（1 个输入通道、1 个输出通道，通道在 5.3 节介绍）。
书中 MXNet 的层带偏差，但它从 0 开始且从未更新；PyTorch 的偏差会随机初始化，所以这里干脆不要偏差，问题与书中相同。
`nn.Conv2d` 要的输入形状是（批量，通道，高，宽），所以 `X` 和 `Y` 要先变成 `(1, 1, h, w)`。
""", """
Conversely, given an input `X` and an output `Y`, can we learn the kernel? Start from a random 1×2 kernel and repeat gradient
descent: compute `Y_hat`, take the sum of squared errors as the loss, back-propagate, and subtract the learning rate times
the gradient from the kernel. On the edge image above the kernel comes close to `[1, -1]` within a dozen iterations.

We use PyTorch's `nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)` (1 input and 1 output channel; channels come in 5.3).
The book's MXNet layer has a bias, but it starts at 0 and is never updated; PyTorch would initialise it randomly, so we
leave it out and the problem stays the book's. `nn.Conv2d` wants inputs shaped (batch, channel, height, width), so `X` and
`Y` first become `(1, 1, h, w)`.
""")
    nb.question("learn_kernel", """
写 `learn_kernel(X, Y, lr=3e-2, num_iters=10)`：

1. `conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)`（保留 PyTorch 的默认初始化，不必设随机种子）；
2. 把 `X`、`Y` 变形为 `(1, 1, h, w)`；
3. 迭代 `num_iters` 次：`Y_hat = conv2d(X)`，损失 `l = ((Y_hat - Y) ** 2).sum()`（**求和**，不是平均），清零梯度，`l.backward()`，
   在 `torch.no_grad()` 下执行 `conv2d.weight -= lr * conv2d.weight.grad`，并把 `l.item()` 记进列表 `losses`；
4. 返回 `{"K": 核（形状 (1, 2)，不带梯度的张量）, "losses": losses}`。

初始化是随机的，所以评分看结果是否满足条件：`K` 与这份数据的最优核相差不超过 0.15；损失在迭代中不上升；
用返回的 `K` 在这份数据上算出的平方误差之和不超过最后一次记录的损失。
""", """
Write `learn_kernel(X, Y, lr=3e-2, num_iters=10)`:

1. `conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)` (keep PyTorch's default initialisation; no seed is needed);
2. reshape `X` and `Y` to `(1, 1, h, w)`;
3. iterate `num_iters` times: `Y_hat = conv2d(X)`, the loss `l = ((Y_hat - Y) ** 2).sum()` (the **sum**, not the mean), clear
   the gradient, `l.backward()`, under `torch.no_grad()` do `conv2d.weight -= lr * conv2d.weight.grad`, and append `l.item()`
   to a list `losses`;
4. return `{"K": the kernel (a tensor of shape (1, 2) without grad), "losses": losses}`.

The initialisation is random, so the grade checks conditions: `K` is within 0.15 of the best kernel for the data; the loss
never rises from one iteration to the next; and the sum of squared errors of the returned `K` on the data is at most the
last recorded loss.
""", '''
def learn_kernel(X, Y, lr=3e-2, num_iters=10):
    """学习 1×2 的核 / Learn a 1x2 kernel mapping X to Y by gradient descent on the summed squared error."""
    ### BEGIN SOLUTION
    conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
    X = X.reshape((1, 1) + X.shape)
    Y = Y.reshape((1, 1) + Y.shape)
    losses = []
    for _ in range(num_iters):
        Y_hat = conv2d(X)
        l = ((Y_hat - Y) ** 2).sum()
        conv2d.zero_grad()
        l.backward()
        with torch.no_grad():
            conv2d.weight -= lr * conv2d.weight.grad
        losses.append(l.item())
    return {"K": conv2d.weight.detach().reshape(1, 2).clone(), "losses": losses}
    ### END SOLUTION
''')
    nb.demo("learn-demo", """
在书中的边缘图像上学习核：每两次迭代打印一次损失，最后打印学到的核（应接近 `[[1, -1]]`）。
""", """
Learn the kernel on the book's edge image: print the loss every second iteration, then the learned kernel (close to
`[[1, -1]]`).
""", f"""
try:
    edges = edge_detect()
    result = learn_kernel(edges["X"], edges["Y"])
    for i in range(1, len(result["losses"]), 2):
        print(f"iteration {{i + 1}}, loss {{result['losses'][i]:.3f}}")
    print("K =", result["K"])
except NotImplementedError:
    {UNFINISHED}
""")

    # ---------------------------------------------------------------- §5.2
    nb.md("sec-5-2", """
## 5.2 填充和步幅 / Padding and Stride

**填充**在输入四周补 0：PyTorch 的 `padding=p` 表示在**每一边**补 $p$ 行（列），高上一共补 $2p_h$ 行。
**步幅**是窗口每次滑动的行数（列数）。输入 $n$、核 $k$、每边填充 $p$、步幅 $s$ 时，输出的大小是
$\\lfloor (n - k + 2p + s) / s \\rfloor = \\lfloor (n - k + 2p) / s \\rfloor + 1$，高和宽各算各的。
书中的公式写作 $\\lfloor (n_h-k_h+p_h+s_h)/s_h \\rfloor$，其中 $p_h$ 是**两边一共**补的行数，两者是同一回事。
核的高宽为奇数 $k$、每边填充 $(k-1)/2$、步幅 1 时，输出和输入一样大。

PyTorch 的参数 `kernel_size`、`padding`、`stride` 可以是一个整数（高宽相同），也可以是 `(高, 宽)` 二元组。
""", """
## 5.2 Padding and Stride

**Padding** adds zeros around the input: PyTorch's `padding=p` adds $p$ rows (columns) on **each side**, $2p_h$ rows in all.
The **stride** is how many rows (columns) the window moves at a time. For input size $n$, kernel $k$, padding $p$ per side
and stride $s$ the output size is $\\lfloor (n - k + 2p + s) / s \\rfloor = \\lfloor (n - k + 2p) / s \\rfloor + 1$, for height and
width separately. The book writes $\\lfloor (n_h-k_h+p_h+s_h)/s_h \\rfloor$ where $p_h$ counts the rows added on **both sides
together**; it is the same formula. With an odd kernel size $k$, padding $(k-1)/2$ on each side and stride 1, the output is
as large as the input.

PyTorch's `kernel_size`, `padding` and `stride` may each be one integer (the same for height and width) or a
`(height, width)` pair.
""")
    nb.question("comp_conv2d", """
写 `comp_conv2d(conv2d, X)`：`conv2d` 是一个 1 输入通道、1 输出通道的 `nn.Conv2d`，`X` 是二维张量。
把 `X` 变形为 `(1, 1, h, w)`（批量大小 1、通道数 1），交给 `conv2d`，再去掉前两维，返回二维的结果。
""", """
Write `comp_conv2d(conv2d, X)`: `conv2d` is an `nn.Conv2d` with 1 input and 1 output channel and `X` a 2-D tensor.
Reshape `X` to `(1, 1, h, w)` (batch size 1, one channel), apply `conv2d`, drop the first two axes and return the 2-D result.
""", '''
def comp_conv2d(conv2d, X):
    """对二维输入使用卷积层 / Apply a 1-in, 1-out channel nn.Conv2d to a 2-D X; return a 2-D result."""
    ### BEGIN SOLUTION
    Y = conv2d(X.reshape((1, 1) + X.shape))
    return Y.reshape(Y.shape[2:])
    ### END SOLUTION
''')
    nb.question("conv_out_shape", """
写 `conv_out_shape(n, k, p=0, s=1)`，不做卷积，只用上面的公式算出输出形状：

- `n`（输入高宽）、`k`（核）、`p`（**每边**的填充，与 `nn.Conv2d` 的 `padding` 相同）、`s`（步幅）都可以是一个整数（高宽相同）或 `(高, 宽)` 二元组；
- 返回 Python 元组 `(输出高, 输出宽)`，两个都是 `int`（用整数除法 `//`）。

例如 `conv_out_shape(8, 3, 1, 1) == (8, 8)`，`conv_out_shape((8, 8), (3, 5), (0, 1), (3, 4)) == (2, 2)`。
""", """
Write `conv_out_shape(n, k, p=0, s=1)`, which computes the output shape from the formula above without convolving:

- `n` (the input height and width), `k` (kernel), `p` (padding on **each side**, like `nn.Conv2d`'s `padding`) and `s` (stride) may each be one integer (the same for height and width) or a `(height, width)` pair;
- return the Python tuple `(output height, output width)` of two `int`s (use integer division `//`).

For example `conv_out_shape(8, 3, 1, 1) == (8, 8)` and `conv_out_shape((8, 8), (3, 5), (0, 1), (3, 4)) == (2, 2)`.
""", '''
def conv_out_shape(n, k, p=0, s=1):
    """卷积输出的形状 / (height, width) of a convolution's output; each argument an int or a pair."""
    ### BEGIN SOLUTION
    def pair(v):
        return (v, v) if isinstance(v, int) else (v[0], v[1])

    (n_h, n_w), (k_h, k_w), (p_h, p_w), (s_h, s_w) = pair(n), pair(k), pair(p), pair(s)
    return ((n_h - k_h + 2 * p_h + s_h) // s_h, (n_w - k_w + 2 * p_w + s_w) // s_w)
    ### END SOLUTION
''')
    nb.demo("shape-demo", """
书中的四种设置：对 8×8 的输入，公式算出的形状与 `nn.Conv2d` 真正输出的形状应当一致。
""", """
The book's four settings: for an 8×8 input, the shape from the formula should match the shape `nn.Conv2d` really gives.
""", f"""
try:
    X = torch.rand(8, 8)
    for k, p, s in [(3, 1, 1), ((5, 3), (2, 1), 1), (3, 1, 2), ((3, 5), (0, 1), (3, 4))]:
        conv2d = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)
        print(f"k={{k}}, p={{p}}, s={{s}}:", tuple(comp_conv2d(conv2d, X).shape), conv_out_shape(8, k, p, s))
except NotImplementedError:
    {UNFINISHED}
""")

    # ---------------------------------------------------------------- §5.3
    nb.md("sec-5-3", """
## 5.3 多输入通道和多输出通道 / Multiple Input and Output Channels

彩色图像有红、绿、蓝 3 个通道，输入的形状是 $c_i \\times h \\times w$。**多输入通道**时，核也有 $c_i$ 个通道：每个通道各自做互相关，
再把 $c_i$ 个结果相加，得到一个输出通道。**多输出通道**时，为每个输出通道准备一个这样的 $c_i \\times k_h \\times k_w$ 核，
核的形状就是 $c_o \\times c_i \\times k_h \\times k_w$，输出是 $c_o \\times h' \\times w'$。

**1×1 卷积层**的窗口只有一个像素，不看相邻像素，只在通道之间做线性组合：它相当于对每个像素位置使用同一个全连接层，
可以用一次矩阵乘法算出来。
""", """
## 5.3 Multiple Input and Output Channels

A colour image has 3 channels (red, green, blue): the input has shape $c_i \\times h \\times w$. With **several input channels**
the kernel has $c_i$ channels too: each channel is cross-correlated on its own and the $c_i$ results are added, giving one
output channel. With **several output channels** there is one such $c_i \\times k_h \\times k_w$ kernel per output channel, so the
kernel has shape $c_o \\times c_i \\times k_h \\times k_w$ and the output $c_o \\times h' \\times w'$.

A **1×1 convolutional layer** has a one-pixel window: it ignores neighbouring pixels and only combines the channels linearly.
It is the same fully connected layer applied at every pixel position, and one matrix product computes it.
""")
    nb.question("corr2d_multi_in", """
写 `corr2d_multi_in(X, K)`：`X` 的形状是 `(c_i, h, w)`，`K` 的形状是 `(c_i, k_h, k_w)`。对每个通道调用 `corr2d(X[c], K[c])`，
把结果相加后返回（形状 `(h', w')`）。书中的例子应得到 `[[56, 72], [104, 120]]`。评分时 `corr2d` 会换成 `corr2d_torch`。
""", """
Write `corr2d_multi_in(X, K)`: `X` has shape `(c_i, h, w)` and `K` shape `(c_i, k_h, k_w)`. Call `corr2d(X[c], K[c])` for
every channel and return the sum of the results (shape `(h', w')`). The book's example gives `[[56, 72], [104, 120]]`.
While grading, `corr2d` is swapped for `corr2d_torch`.
""", '''
def corr2d_multi_in(X, K):
    """多输入通道的互相关 / Cross-correlate each channel with its kernel slice and add the results."""
    ### BEGIN SOLUTION
    return sum(corr2d(x, k) for x, k in zip(X, K))
    ### END SOLUTION
''')
    nb.md("torch-multi-intro", """
下面给出的 `corr2d_multi_in_torch` 是 `corr2d_multi_in` 的 PyTorch 版本。评分时，下一题中的 `corr2d_multi_in` 会换成它。**不要修改这个单元格。**
""", """
The given `corr2d_multi_in_torch` is the PyTorch version of `corr2d_multi_in`. While grading, the next question's
`corr2d_multi_in` is swapped for it. **Do not change this cell.**
""")
    nb.given("corr2d-multi-in-torch", '''
def corr2d_multi_in_torch(X, K):
    """PyTorch 的多输入通道互相关 / PyTorch's version: X (c_i, h, w), K (c_i, k_h, k_w) -> (h', w')."""
    return F.conv2d(X.unsqueeze(0), K.unsqueeze(0))[0, 0]
''')
    nb.question("corr2d_multi_in_out", """
写 `corr2d_multi_in_out(X, K)`：`X` 的形状是 `(c_i, h, w)`，`K` 的形状是 `(c_o, c_i, k_h, k_w)`。对 `K` 的每个 `(c_i, k_h, k_w)` 核 `k`
调用 `corr2d_multi_in(X, k)`，再用 `torch.stack` 把 $c_o$ 个结果沿新的第 0 维叠起来，返回形状 `(c_o, h', w')` 的张量。
书中把核 `K`、`K + 1`、`K + 2` 叠成 3 个输出通道，输出的第 0 个通道与上一题相同。
""", """
Write `corr2d_multi_in_out(X, K)`: `X` has shape `(c_i, h, w)` and `K` shape `(c_o, c_i, k_h, k_w)`. For each
`(c_i, k_h, k_w)` kernel `k` of `K` call `corr2d_multi_in(X, k)`, and stack the $c_o$ results along a new axis 0 with
`torch.stack`, returning a tensor of shape `(c_o, h', w')`. The book stacks `K`, `K + 1` and `K + 2` into 3 output channels;
channel 0 of the output equals the previous question's result.
""", '''
def corr2d_multi_in_out(X, K):
    """多输出通道的互相关 / One corr2d_multi_in per output-channel kernel, stacked along axis 0."""
    ### BEGIN SOLUTION
    return torch.stack([corr2d_multi_in(X, k) for k in K])
    ### END SOLUTION
''')
    nb.question("corr2d_multi_in_out_1x1", """
写 `corr2d_multi_in_out_1x1(X, K)`：`X` 的形状是 `(c_i, h, w)`，`K` 的形状是 `(c_o, c_i, 1, 1)`。不用循环，用一次矩阵乘法：

- 把 `X` 变形为 `(c_i, h * w)`，把 `K` 变形为 `(c_o, c_i)`；
- `Y = K @ X`（形状 `(c_o, h * w)`），再变形为 `(c_o, h, w)` 返回。

结果应与 `corr2d_multi_in_out(X, K)` 相同（在浮点误差范围内）。
""", """
Write `corr2d_multi_in_out_1x1(X, K)`: `X` has shape `(c_i, h, w)` and `K` shape `(c_o, c_i, 1, 1)`. Without loops, with one
matrix product:

- reshape `X` to `(c_i, h * w)` and `K` to `(c_o, c_i)`;
- `Y = K @ X` (shape `(c_o, h * w)`), reshaped to `(c_o, h, w)` and returned.

The result equals `corr2d_multi_in_out(X, K)` (up to rounding).
""", '''
def corr2d_multi_in_out_1x1(X, K):
    """1×1 卷积 / A 1x1 convolution as one matrix product over the channels."""
    ### BEGIN SOLUTION
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape(c_i, h * w)
    K = K.reshape(c_o, c_i)
    Y = torch.mm(K, X)
    return Y.reshape(c_o, h, w)
    ### END SOLUTION
''')
    nb.demo("channels-demo", """
书中的多通道例子，以及 1×1 卷积的三种算法——矩阵乘法、循环、PyTorch 的 `F.conv2d`——给出相同的结果。
""", """
The book's multi-channel example, and three ways of computing a 1×1 convolution — a matrix product, loops, PyTorch's
`F.conv2d` — that agree.
""", f"""
try:
    X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
    K = torch.stack([torch.arange(4.0).reshape(2, 2), torch.arange(1.0, 5.0).reshape(2, 2)])
    print(corr2d_multi_in(X, K))
    print(corr2d_multi_in_out(X, torch.stack([K, K + 1, K + 2])))
    X, K = torch.rand(3, 3, 3), torch.rand(2, 3, 1, 1)
    Y1, Y2 = corr2d_multi_in_out_1x1(X, K), corr2d_multi_in_out(X, K)
    print("1x1 与循环 / 1x1 vs loops:", (Y1 - Y2).abs().max().item())
    print("1x1 与 F.conv2d / 1x1 vs F.conv2d:", (Y1 - F.conv2d(X, K)).abs().max().item())
except NotImplementedError:
    {UNFINISHED}
""")

    # ---------------------------------------------------------------- §5.4
    nb.md("sec-5-4", """
## 5.4 池化层 / Pooling

池化层的窗口也在输入上滑动，但它没有参数：**最大池化**取窗口里的最大值，**平均池化**取平均值。
池化让输出对物体位置的小幅移动不那么敏感——例如边缘检测的结果经过 2×2 最大池化后，边缘挪动一个像素也还能被检测到。
""", """
## 5.4 Pooling

A pooling window also slides over the input, but it has no parameters: **max pooling** takes the window's maximum and
**average pooling** its mean. Pooling makes the output less sensitive to small shifts of an object — for instance, after a
2×2 max pooling of the edge-detection output, an edge that moves by one pixel is still detected.
""")
    nb.question("pool2d", """
写 `pool2d(X, pool_size, mode="max")`：二维张量 `X`，窗口 `pool_size = (p_h, p_w)`，不填充、步幅为 1。

- 输出是形状 `(X.shape[0] - p_h + 1, X.shape[1] - p_w + 1)` 的 float32 张量；
- `mode == "max"` 时每个元素是窗口 `X[i:i + p_h, j:j + p_w]` 的最大值，`mode == "avg"` 时是它的平均值。

书中 `X = [[0,1,2],[3,4,5],[6,7,8]]`、窗口 (2, 2) 时，最大池化得 `[[4, 5], [7, 8]]`，平均池化得 `[[2, 3], [5, 6]]`。
""", """
Write `pool2d(X, pool_size, mode="max")`: a 2-D tensor `X`, a window `pool_size = (p_h, p_w)`, no padding, stride 1.

- The output is a float32 tensor of shape `(X.shape[0] - p_h + 1, X.shape[1] - p_w + 1)`;
- with `mode == "max"` each element is the maximum of the window `X[i:i + p_h, j:j + p_w]`, with `mode == "avg"` its mean.

For the book's `X = [[0,1,2],[3,4,5],[6,7,8]]` and a (2, 2) window, max pooling gives `[[4, 5], [7, 8]]` and average pooling
`[[2, 3], [5, 6]]`.
""", '''
def pool2d(X, pool_size, mode="max"):
    """二维池化 / Max or average pooling of a 2-D X with a (p_h, p_w) window, stride 1."""
    ### BEGIN SOLUTION
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
    ### END SOLUTION
''')
    nb.md("sec-5-4-maxpool", """
### PyTorch 的 `nn.MaxPool2d` / PyTorch's `nn.MaxPool2d`

`nn.MaxPool2d(kernel_size, stride=None, padding=0)` 作用在形状为（批量，通道，高，宽）的输入上。要注意三点：

- **步幅默认等于窗口大小**（不是 1）：`nn.MaxPool2d(3)` 的窗口互不重叠；
- 填充补的是 $-\\infty$，不会成为最大值；PyTorch 要求每边的填充**不超过窗口大小的一半**；
- 多通道输入的每个通道**分别**池化，不会像卷积那样把通道相加，所以输出通道数等于输入通道数。

书中（MXNet）对 (2, 3) 的窗口用了 `padding=(1, 2)`、`strides=(2, 3)`。在 PyTorch 里这个设置不合法：宽方向的填充 2 超过了窗口宽 3 的一半，
`nn.MaxPool2d` 会报错。这里改用 `padding=(0, 1)`；对书中 4×4 的输入 `arange(16)`，输出仍是书中给出的 `[[5, 7], [13, 15]]`。
""", """
`nn.MaxPool2d(kernel_size, stride=None, padding=0)` works on inputs shaped (batch, channel, height, width). Three things
to note:

- **the stride defaults to the window size** (not 1): the windows of `nn.MaxPool2d(3)` do not overlap;
- padding adds $-\\infty$, which never wins the maximum; PyTorch requires the padding on each side to be **at most half the
  window size**;
- each channel of a multi-channel input is pooled **separately**, not summed as in a convolution, so there are as many
  output channels as input channels.

The book (MXNet) uses `padding=(1, 2)` and `strides=(2, 3)` for a (2, 3) window. That is illegal in PyTorch: a width padding
of 2 is more than half the window width 3, and `nn.MaxPool2d` raises an error. We use `padding=(0, 1)` instead; for the
book's 4×4 input `arange(16)` the output is still the book's `[[5, 7], [13, 15]]`.
""")
    nb.question("maxpool_settings", """
写 `maxpool_settings(X)`，`X` 的形状是 `(n, 1, h, w)`。用 `nn.MaxPool2d` 返回一个字典：

- `"default"`：3×3 窗口，其余参数用默认值；
- `"padded"`：3×3 窗口，`padding=1`，`stride=2`；
- `"rect"`：`(2, 3)` 窗口，`padding=(0, 1)`，`stride=(2, 3)`；
- `"channels"`：先用 `torch.cat((X, X + 1), dim=1)` 拼成两个通道，再用与 `"padded"` 相同的设置池化。

对书中的 `X = torch.arange(16.0).reshape(1, 1, 4, 4)`，`"default"` 是 `[[10]]`，`"padded"` 和 `"rect"` 都是 `[[5, 7], [13, 15]]`。
""", """
Write `maxpool_settings(X)`, where `X` has shape `(n, 1, h, w)`. Using `nn.MaxPool2d`, return a dict:

- `"default"`: a 3×3 window, every other argument left at its default;
- `"padded"`: a 3×3 window, `padding=1`, `stride=2`;
- `"rect"`: a `(2, 3)` window, `padding=(0, 1)`, `stride=(2, 3)`;
- `"channels"`: `torch.cat((X, X + 1), dim=1)` makes two channels, pooled with the same settings as `"padded"`.

For the book's `X = torch.arange(16.0).reshape(1, 1, 4, 4)`, `"default"` is `[[10]]`, and `"padded"` and `"rect"` are both
`[[5, 7], [13, 15]]`.
""", '''
def maxpool_settings(X):
    """nn.MaxPool2d 的设置 / nn.MaxPool2d with the book's settings on an (n, 1, h, w) X."""
    ### BEGIN SOLUTION
    padded = nn.MaxPool2d(3, padding=1, stride=2)
    return {
        "default": nn.MaxPool2d(3)(X),
        "padded": padded(X),
        "rect": nn.MaxPool2d((2, 3), padding=(0, 1), stride=(2, 3))(X),
        "channels": padded(torch.cat((X, X + 1), dim=1)),
    }
    ### END SOLUTION
''')
    nb.demo("pool-demo", """
书中的例子：`pool2d` 的两种模式，以及 `nn.MaxPool2d` 的各种设置。
""", """
The book's examples: both modes of `pool2d`, and the settings of `nn.MaxPool2d`.
""", f"""
try:
    X = torch.arange(9.0).reshape(3, 3)
    print(pool2d(X, (2, 2)), pool2d(X, (2, 2), "avg"), sep="\\n")
    for name, Y in maxpool_settings(torch.arange(16.0).reshape(1, 1, 4, 4)).items():
        print(name, tuple(Y.shape), Y.flatten().tolist())
except NotImplementedError:
    {UNFINISHED}
""")
    return nb


def main() -> int:
    build().write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
