"""Write the master notebook ``solutions/ch03_basics/mlp_regularization.ipynb`` (§3.8–3.15).

Generated so that it is reproducible and reviewable as Python.  Each question becomes
three cells: ``<q>-intro`` (简体中文, then English), ``<q>-answer`` (the solution between
``### BEGIN SOLUTION`` / ``### END SOLUTION``, which nbgrader strips on release) and the
locked ``<q>-check``.  Points come from ``solutions/ch03_basics/questions.py``, so the
notebook and the grader cannot disagree.  Run it after editing, then rebuild fixtures,
release and regenerate the mistake notebooks:

    .venv/bin/python scripts/notebooks/ch03_mlp_regularization.py
"""

# ruff: noqa: E501

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT, NOTEBOOK = "ch03_basics", "mlp_regularization"
TARGET = ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
sys.path.insert(0, str(ROOT))

from scripts.notebooks.ch03_cells import LOCKED, Numbering, code, given, md, points  # noqa: E402,F401


def build() -> nbformat.NotebookNode:
    q = Numbering(points(NOTEBOOK))
    cells: list[nbformat.NotebookNode] = []
    add = cells.extend

    cells.append(md("intro", """
# 第 3 章 深度学习基础：多层感知机与正则化 / Chapter 3 Deep Learning Basics: Multilayer Perceptrons and Regularization

本作业是第 3 章的第二个笔记本，对应《动手学深度学习》（第一版）3.8–3.15 节，全部使用 PyTorch。
你会从激活函数出发，亲手搭出多层感知机；用多项式拟合观察欠拟合和过拟合；实现权重衰减和丢弃法两种正则化手段；
手工推导一次反向传播并和自动求导对照；最后看看参数初始化为什么重要。

**作业规则**（与第一个笔记本相同）

- 每道题是一个代码单元格，把 `# YOUR CODE HERE` 和 `raise NotImplementedError()` 两行换成你的实现；其后的 `check("函数名")` 用公开测试用例检查你的函数，最终成绩还包括隐藏测试用例。
- 不要改函数名、参数名、参数顺序或默认值；需要评分的函数不必设置随机种子：评分程序会为每个用例设好种子。
- 题目说“调用 `relu`”或“调用 `dropout`”时，请按位置传参调用你自己写的那个函数：评分时它们会被换成 PyTorch 的对应函数，这样一处错误只扣一道题的分。
- 标有“演示”的单元格不计分；上面的填空没完成时它们只打印一句提示。

**损失与更新步的约定**：与第一个笔记本一样，自己写的损失逐样本返回；用我们的 `sgd` 时对损失求和再反向传播、由 `sgd` 除以批量大小；用 `torch.optim` 时对损失求平均。

---

This assignment is the second notebook of chapter 3 and covers sections 3.8–3.15 of *Dive into Deep Learning* (first edition), entirely in PyTorch.
Starting from activation functions you will build a multilayer perceptron by hand, watch underfitting and overfitting with a polynomial fit,
implement two regularizers (weight decay and dropout), derive one backward pass by hand and compare it with autograd, and finally see why
parameter initialization matters.

**Rules** (as in the first notebook)

- Each question is a code cell: replace the lines `# YOUR CODE HERE` and `raise NotImplementedError()` by your implementation. The `check("function_name")` cell after it tests your function on the public cases; the grade also uses hidden cases.
- Do not rename functions or change parameter names, order or defaults; graded functions need no seeding: the grader seeds each case itself.
- When a question says "call `relu`" or "call `dropout`", call your own function with positional arguments: while grading, it is swapped for the PyTorch equivalent, so that one mistake costs only one question.
- Cells marked "demo" are not graded; while a blank above is unfinished they only print a note.

**Loss/step convention**: as in the first notebook, our own losses return one value per example; with our `sgd` the loop back-propagates the sum and `sgd` divides by the batch size; with `torch.optim` the loop uses the mean.
"""))

    cells.append(code("setup", """
import math
import os
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from autograder.check import Checker

check = Checker("ch03_basics", "mlp_regularization")
""", {**LOCKED, "grade_id": "setup"}))

    cells.append(md("tools-intro", """
### 给定的工具（不是填空）

下面的单元格给出第一个笔记本里写过的几个零件（`linreg`、`squared_loss`、`sgd`），一个读取 Fashion-MNIST 的函数
（从 `$D2L_DATA_DIR/FashionMNIST/raw/` 读 IDX 文件，找不到时 `train_iter`、`test_iter` 为 `None`），
以及演示用的训练函数 `train_classifier`，它按上面的约定同时支持自己写的更新函数和 `torch.optim` 优化器。
""", """
### Given tools (not blanks)

The cell below provides pieces written in the first notebook (`linreg`, `squared_loss`, `sgd`), a Fashion-MNIST reader
(IDX files from `$D2L_DATA_DIR/FashionMNIST/raw/`; when they are missing, `train_iter` and `test_iter` are `None`), and the demo training
function `train_classifier`, which follows the convention above for both hand-written updaters and `torch.optim` optimizers.
"""))
    cells.append(given("tools", '''
import gzip
import struct


def linreg(X, w, b):
    """The linear model Xw + b."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """Per-example (y_hat - y)^2 / 2."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """In-place minibatch SGD on summed gradients, then zero them."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


FASHION_MNIST_RAW = (
    Path(os.environ.get("D2L_DATA_DIR", "~/.d2l/data")).expanduser() / "FashionMNIST" / "raw"
)


def read_idx(stem):
    """Read FASHION_MNIST_RAW/<stem> (or <stem>.gz) as a tensor."""
    candidates = [FASHION_MNIST_RAW / stem, FASHION_MNIST_RAW / f"{stem}.gz"]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise FileNotFoundError(f"{candidates[0]}[.gz]")
    raw = path.read_bytes()
    if raw[:2] == b"\\x1f\\x8b":
        raw = gzip.decompress(raw)
    magic, count = struct.unpack(">II", raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        pixels = torch.frombuffer(bytearray(raw[16:16 + count * rows * cols]), dtype=torch.uint8)
        return pixels.reshape(count, 1, rows, cols).to(torch.float32) / 255
    if magic == 2049:
        return torch.frombuffer(bytearray(raw[8:8 + count]), dtype=torch.uint8).to(torch.int64)
    raise ValueError(f"{path}: unexpected IDX magic number {magic}")


def load_data_fashion_mnist(batch_size):
    """(train_iter, test_iter) over Fashion-MNIST."""
    loaders = []
    for split, shuffle in (("train", True), ("t10k", False)):
        dataset = TensorDataset(read_idx(f"{split}-images-idx3-ubyte"),
                                read_idx(f"{split}-labels-idx1-ubyte"))
        loaders.append(DataLoader(dataset, batch_size=batch_size, shuffle=shuffle))
    return loaders[0], loaders[1]


def evaluate_accuracy(data_iter, net):
    """Share of correct arg-max predictions over data_iter (eval mode for modules)."""
    was_training = net.training if isinstance(net, nn.Module) else None
    if was_training is not None:
        net.eval()
    correct = seen = 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += (net(X).argmax(dim=1) == y).sum().item()
            seen += y.numel()
    if was_training is not None:
        net.train(was_training)
    return correct / seen


def train_classifier(net, train_iter, test_iter, loss, num_epochs, updater):
    """Train and print loss, train and test accuracy after each epoch."""
    for epoch in range(num_epochs):
        if isinstance(net, nn.Module):
            net.train()
        total = correct = seen = 0
        for X, y in train_iter:
            y_hat = net(X)
            l = loss(y_hat, y)
            if isinstance(updater, torch.optim.Optimizer):
                updater.zero_grad()
                l.mean().backward()
                updater.step()
            else:
                l.sum().backward()
                updater(X.shape[0])
            total += l.detach().sum().item()
            correct += (y_hat.detach().argmax(dim=1) == y).sum().item()
            seen += y.numel()
        test_acc = evaluate_accuracy(test_iter, net)
        print(f"epoch {epoch + 1}, loss {total / seen:.4f}, "
              f"train acc {correct / seen:.3f}, test acc {test_acc:.3f}")


try:
    train_iter, test_iter = load_data_fashion_mnist(batch_size=64)
except FileNotFoundError:
    train_iter = test_iter = None
    print(f"没有找到 Fashion-MNIST（查找目录：{FASHION_MNIST_RAW}），需要数据的演示会跳过。")
    print(f"Fashion-MNIST not found (looked in {FASHION_MNIST_RAW}); demos that need it will skip.")
'''))

    # ---- 3.8 ----------------------------------------------------------------------------
    add(q.question("activations", """
## 3.8 多层感知机 / Multilayer Perceptrons

在输入层和输出层之间插入一个或多个**隐藏层**就得到多层感知机。如果层与层之间只有仿射变换，叠多少层仍然等价于一个仿射变换；
所以每个隐藏单元的输出要先经过一个**非线性的激活函数**。三个常见的激活函数是

- ReLU：$\\mathrm{relu}(x) = \\max(x, 0)$，导数在 $x>0$ 时为 1、$x<0$ 时为 0（在 0 处不可导，PyTorch 约定取 0）；
- sigmoid：$\\sigma(x) = 1 / (1 + e^{-x})$，导数 $\\sigma(x)(1-\\sigma(x))$，最大值 0.25 在 $x=0$ 处取得；
- tanh：$\\tanh(x) = (1 - e^{-2x}) / (1 + e^{-2x})$，导数 $1 - \\tanh^2(x)$，最大值 1。

{TITLE}

用自动求导同时求出三个函数的值和导数：

- 先做一个需要梯度的副本：`x = x.detach().clone().requires_grad_(True)`（不要改动调用者的张量）。
- 对每个函数 `f`（依次为 `torch.relu`、`torch.sigmoid`、`torch.tanh`）：`y = f(x)`，`y.sum().backward()`，此时 `x.grad` 就是逐元素的导数。
- 记下 `y.detach()` 和 `x.grad` 的一个副本（`.clone()`），然后**把 `x.grad` 清零**再算下一个函数：PyTorch 会把多次 `backward()` 的梯度累加起来。
- 返回一个字典，键为 `"relu"`、`"relu_grad"`、`"sigmoid"`、`"sigmoid_grad"`、`"tanh"`、`"tanh_grad"`，值都是与 `x` 同形状的张量。
""", """
## 3.8 Multilayer Perceptrons

A multilayer perceptron inserts one or more **hidden layers** between the input and the output layer. A stack of affine maps is still an
affine map, so each hidden unit first passes its value through a **nonlinear activation function**. Three common choices are

- ReLU: $\\mathrm{relu}(x) = \\max(x, 0)$, with derivative 1 for $x>0$ and 0 for $x<0$ (not differentiable at 0; PyTorch uses 0 there);
- sigmoid: $\\sigma(x) = 1 / (1 + e^{-x})$, with derivative $\\sigma(x)(1-\\sigma(x))$, largest (0.25) at $x=0$;
- tanh: $\\tanh(x) = (1 - e^{-2x}) / (1 + e^{-2x})$, with derivative $1 - \\tanh^2(x)$, largest (1) at $x=0$.

{TITLE}

Use autograd to get the values and the derivatives of all three functions:

- First make a copy that tracks gradients: `x = x.detach().clone().requires_grad_(True)` (leave the caller's tensor alone).
- For each function `f` (`torch.relu`, `torch.sigmoid`, `torch.tanh`, in this order): `y = f(x)`, `y.sum().backward()`; now `x.grad` holds the element-wise derivative.
- Keep `y.detach()` and a copy of `x.grad` (`.clone()`), then **zero `x.grad`** before the next function: PyTorch adds up the gradients of successive `backward()` calls.
- Return a dict with keys `"relu"`, `"relu_grad"`, `"sigmoid"`, `"sigmoid_grad"`, `"tanh"`, `"tanh_grad"`, each a tensor of `x`'s shape.
""", '''
def activations(x):
    """激活函数的值与导数 / Values and autograd derivatives of relu, sigmoid and tanh."""
@@
    x = x.detach().clone().requires_grad_(True)
    result = {}
    for name, f in (("relu", torch.relu), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh)):
        y = f(x)
        y.sum().backward()
        result[name] = y.detach()
        result[name + "_grad"] = x.grad.clone()
        x.grad.zero_()
    return result
@@
'''))
    cells.append(given("activations-demo", """
# 演示 / demo: 导数的最大值 / the largest derivatives
try:
    grid = activations(torch.arange(-8.0, 8.0, 0.1))
    for name in ("relu", "sigmoid", "tanh"):
        print(f"max {name}' = {grid[name + '_grad'].max().item():.4f}")
    print("relu'(0) =", activations(torch.zeros(1))["relu_grad"].item())
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
"""))

    # ---- 3.9 ----------------------------------------------------------------------------
    add(q.question("relu", """
## 3.9 多层感知机的从零开始实现 / Multilayer Perceptrons from Scratch

我们用一个有 256 个隐藏单元的隐藏层来分类 Fashion-MNIST：输入 784 维，输出 10 类。

{TITLE}

不用 `torch.relu`，自己写 ReLU：返回与 `X` 同形状、同类型的张量，每个元素为 $\\max(x, 0)$。
例如用 `torch.max(X, torch.zeros_like(X))`，或 `X.clamp(min=0)`。
""", """
## 3.9 Multilayer Perceptrons from Scratch

We classify Fashion-MNIST with one hidden layer of 256 units: 784 inputs, 10 classes.

{TITLE}

Write ReLU yourself, without `torch.relu`: return a tensor with `X`'s shape and dtype whose elements are $\\max(x, 0)$,
e.g. `torch.max(X, torch.zeros_like(X))` or `X.clamp(min=0)`.
""", '''
def relu(X):
    """逐元素 max(x, 0) / Element-wise max(x, 0)."""
@@
    return torch.max(X, torch.zeros_like(X))
@@
'''))
    add(q.question("mlp_net", """
{TITLE}

单隐藏层感知机：`params = [W1, b1, W2, b2]`，`W1` 形状 `(输入数, 隐藏单元数)`，`W2` 形状 `(隐藏单元数, 输出数)`。

- 先把 `X` 变形为 `(-1, W1.shape[0])`（图像展平成行向量）。
- 隐藏层 $\\mathbf{H} = \\mathrm{relu}(\\mathbf{X}\\mathbf{W}_1 + \\mathbf{b}_1)$，**调用你的 `relu`**。
- 输出层 $\\mathbf{O} = \\mathbf{H}\\mathbf{W}_2 + \\mathbf{b}_2$，不加激活函数，也不做 softmax（交给损失函数）。返回 $\\mathbf{O}$。
""", """
{TITLE}

A one-hidden-layer perceptron: `params = [W1, b1, W2, b2]` with `W1` of shape `(inputs, hiddens)` and `W2` of shape `(hiddens, outputs)`.

- First reshape `X` to `(-1, W1.shape[0])` (each image becomes a row).
- Hidden layer $\\mathbf{H} = \\mathrm{relu}(\\mathbf{X}\\mathbf{W}_1 + \\mathbf{b}_1)$; **call your `relu`**.
- Output layer $\\mathbf{O} = \\mathbf{H}\\mathbf{W}_2 + \\mathbf{b}_2$, with no activation and no softmax (the loss takes care of it). Return $\\mathbf{O}$.
""", '''
def mlp_net(X, params):
    """单隐藏层 MLP 的输出（logits）/ Logits of relu(X W1 + b1) W2 + b2."""
@@
    W1, b1, W2, b2 = params
    X = X.reshape(-1, W1.shape[0])
    H = relu(X @ W1 + b1)
    return H @ W2 + b2
@@
'''))
    cells.append(md("mlp-scratch-demo-intro", """
### 演示：训练从零实现的多层感知机（不计分）

参数从 $N(0, 0.01^2)$ 初始化（偏差为 0），损失用 `nn.CrossEntropyLoss(reduction="none")`（逐样本），更新用上面的 `sgd`，学习率 0.5，训练 5 个周期。
（书中的学习率 100 来自 MXNet 的损失与 `sgd` 的组合；按本课程的约定，每一步沿平均梯度走，所以用通常大小的学习率即可。）
""", """
### Demo: training the scratch MLP (not graded)

Parameters start from $N(0, 0.01^2)$ (biases at 0), the loss is `nn.CrossEntropyLoss(reduction="none")` (per example), the updater is
the `sgd` above with learning rate 0.5, for 5 epochs. (The book's learning rate of 100 comes from how its MXNet loss and `sgd` combine;
with this course's convention every step follows the mean gradient, so an ordinary learning rate works.)
"""))
    cells.append(given("mlp-scratch-demo", """
def train_mlp_scratch():
    W1 = (torch.randn(784, 256) * 0.01).requires_grad_(True)
    b1 = torch.zeros(256, requires_grad=True)
    W2 = (torch.randn(256, 10) * 0.01).requires_grad_(True)
    b2 = torch.zeros(10, requires_grad=True)
    params = [W1, b1, W2, b2]
    train_classifier(lambda X: mlp_net(X, params), train_iter, test_iter,
                     nn.CrossEntropyLoss(reduction="none"), 5,
                     lambda batch_size: sgd(params, 0.5, batch_size))


if train_iter is None:
    print("没有数据，跳过演示 / no data, demo skipped")
else:
    try:
        train_mlp_scratch()
    except NotImplementedError:
        print("先完成上面的填空 / finish the blanks above first")
"""))

    # ---- 3.10 ---------------------------------------------------------------------------
    add(q.question("mlp_concise", """
## 3.10 多层感知机的简洁实现 / Concise Implementation of Multilayer Perceptrons

{TITLE}

- 返回 `nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens), nn.ReLU(), nn.Linear(num_hiddens, num_outputs))`，层的顺序不能变：评分程序按 `1.weight`、`1.bias`、`3.weight`、`3.bias` 这些名字载入自己的参数。
- 和书中一样，把所有参数用 `nn.init.normal_(param, mean=0, std=0.01)` 初始化。
- 默认大小下，模型共有 $784 \\times 256 + 256 + 256 \\times 10 + 10 = 203530$ 个参数。
""", """
## 3.10 Concise Implementation of Multilayer Perceptrons

{TITLE}

- Return `nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens), nn.ReLU(), nn.Linear(num_hiddens, num_outputs))` with the layers in this order: the grader loads its own parameters by the names `1.weight`, `1.bias`, `3.weight`, `3.bias`.
- As in the book, initialize every parameter with `nn.init.normal_(param, mean=0, std=0.01)`.
- With the default sizes the model has $784 \\times 256 + 256 + 256 \\times 10 + 10 = 203530$ parameters.
""", '''
def mlp_concise(num_inputs=784, num_hiddens=256, num_outputs=10):
    """Flatten-Linear-ReLU-Linear，参数 N(0, 0.01²) / The MLP built from nn layers."""
@@
    model = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                          nn.Linear(num_hiddens, num_outputs))
    for param in model.parameters():
        nn.init.normal_(param, mean=0.0, std=0.01)
    return model
@@
'''))
    cells.append(given("mlp-concise-demo", """
# 演示 / demo: 简洁实现，torch.optim.SGD(lr=0.5)，5 个周期 / concise MLP, lr 0.5, 5 epochs
if train_iter is None:
    print("没有数据，跳过演示 / no data, demo skipped")
else:
    try:
        model = mlp_concise()
        print("参数个数 / parameters:", sum(p.numel() for p in model.parameters()))
        train_classifier(model, train_iter, test_iter, nn.CrossEntropyLoss(reduction="none"), 5,
                         torch.optim.SGD(model.parameters(), lr=0.5))
    except NotImplementedError:
        print("先完成上面的填空 / finish the blanks above first")
"""))

    # ---- 3.11 ---------------------------------------------------------------------------
    add(q.question("poly_data", """
## 3.11 模型选择、欠拟合和过拟合 / Model Selection, Underfitting and Overfitting

模型在训练集上的误差叫**训练误差**，在没见过的数据上的期望误差叫**泛化误差**（用测试集估计）。
模型太简单、连训练误差都降不下来是**欠拟合**；训练误差很小但测试误差大得多是**过拟合**。
模型复杂度和训练数据量都会影响两者。我们用一个三次多项式造数据，再用不同复杂度的线性模型去拟合：

$$y = 1.2x - 3.4x^2 + 5.6x^3 + 5 + \\epsilon.$$

{TITLE}

- `x` 和 `noise` 的形状都是 `(n, 1)`。噪声作为参数传入，这样函数本身是确定的。
- 特征 `features` 形状 `(n, 3)`，三列依次是 $x, x^2, x^3$（用 `torch.cat(..., dim=1)` 拼接）。
- 标签 `labels` 形状 `(n, 1)`，等于 $1.2x - 3.4x^2 + 5.6x^3 + 5$ 再加上 `noise`。返回 `(features, labels)`。
""", """
## 3.11 Model Selection, Underfitting and Overfitting

A model's error on its training data is the **training error**; its expected error on unseen data is the **generalization error**,
estimated on a test set. A model too simple to bring even the training error down **underfits**; one whose training error is small but
whose test error is much larger **overfits**. Both depend on the model's complexity and on how much training data there is.
We draw data from a cubic and fit linear models of different complexity:

$$y = 1.2x - 3.4x^2 + 5.6x^3 + 5 + \\epsilon.$$

{TITLE}

- `x` and `noise` both have shape `(n, 1)`. The noise is an argument, so the function itself is deterministic.
- `features` has shape `(n, 3)`, with columns $x, x^2, x^3$ in this order (join them with `torch.cat(..., dim=1)`).
- `labels` has shape `(n, 1)` and equals $1.2x - 3.4x^2 + 5.6x^3 + 5$ plus `noise`. Return `(features, labels)`.
""", '''
def poly_data(x, noise):
    """三次多项式的特征与标签 / Features (x, x², x³) and labels of the cubic plus noise."""
@@
    features = torch.cat((x, x ** 2, x ** 3), dim=1)
    labels = 1.2 * x - 3.4 * x ** 2 + 5.6 * x ** 3 + 5 + noise
    return features, labels
@@
'''))
    add(q.question("fit_poly", """
{TITLE}

在给定的特征上训练线性模型，并记录每个周期的训练和测试损失：

- 模型 `net = nn.Linear(d, 1)`，其中 `d = train_features.shape[1]`，使用 PyTorch 默认的初始化。
- 损失 `nn.MSELoss()`（求平均，没有 ½），优化器 `torch.optim.SGD(net.parameters(), lr=lr)`。
- 训练数据用 `DataLoader(TensorDataset(train_features, train_labels), min(batch_size, n_train), shuffle=True)` 读取。
- 每个小批量：`zero_grad()`、损失 `backward()`、`step()`。
- 每个周期结束后，在 `torch.no_grad()` 下计算**整个**训练集和测试集上的损失，用 `.item()` 分别追加到 `train_ls`、`test_ls`。
- 返回 `(train_ls, test_ls, weight, bias)`：两个长度为 `num_epochs` 的 Python float 列表，以及 `net.weight`（形状 `(1, d)`）和 `net.bias`（形状 `(1,)`）的 `detach()` 副本。

初始化和打乱顺序是随机的，所以评分检查的是结果的性质：最后一个周期记录的损失与返回的参数相符；训练误差接近最小二乘解；
用三次特征时，系数与最小二乘解相差不到 0.1。
""", """
{TITLE}

Train a linear model on the given features and record the training and test loss after every epoch:

- Model `net = nn.Linear(d, 1)` with `d = train_features.shape[1]` and PyTorch's default initialization.
- Loss `nn.MSELoss()` (a mean, no ½), optimizer `torch.optim.SGD(net.parameters(), lr=lr)`.
- Read the training data with `DataLoader(TensorDataset(train_features, train_labels), min(batch_size, n_train), shuffle=True)`.
- For each minibatch: `zero_grad()`, the loss's `backward()`, `step()`.
- After each epoch, under `torch.no_grad()`, compute the loss on the **whole** training set and the whole test set and append them (via `.item()`) to `train_ls` and `test_ls`.
- Return `(train_ls, test_ls, weight, bias)`: two lists of `num_epochs` Python floats, and `detach()`ed copies of `net.weight` (shape `(1, d)`) and `net.bias` (shape `(1,)`).

The initialization and the shuffling are random, so the grader checks properties: the losses recorded in the last epoch match the
returned parameters; the training error is close to the least-squares optimum; with cubic features the coefficients are within 0.1 of
the least-squares fit.
""", '''
def fit_poly(train_features, test_features, train_labels, test_labels,
             num_epochs=100, lr=0.01, batch_size=10):
    """训练线性模型并记录损失 / Fit nn.Linear with SGD; return (train_ls, test_ls, weight, bias)."""
@@
    net = nn.Linear(train_features.shape[1], 1)
    loss = nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    dataset = TensorDataset(train_features, train_labels)
    batches = DataLoader(dataset, min(batch_size, len(train_labels)), shuffle=True)
    train_ls, test_ls = [], []
    for epoch in range(num_epochs):
        for X, y in batches:
            optimizer.zero_grad()
            loss(net(X), y).backward()
            optimizer.step()
        with torch.no_grad():
            train_ls.append(loss(net(train_features), train_labels).item())
            test_ls.append(loss(net(test_features), test_labels).item())
    return train_ls, test_ls, net.weight.detach().clone(), net.bias.detach().clone()
@@
'''))
    cells.append(given("fit-poly-demo", """
# 演示 / demo: 正常拟合、欠拟合（只用 x）、过拟合（只有 2 个训练样本）
# normal fit, underfitting (x only), overfitting (2 training examples)
def poly_demo():
    x = torch.randn(200, 1)
    features, labels = poly_data(x, torch.randn(200, 1) * 0.01)
    runs = [("三阶 / cubic", features[:100], features[100:], labels[:100], labels[100:]),
            ("线性 / linear", features[:100, :1], features[100:, :1], labels[:100], labels[100:]),
            ("2 个样本 / 2 examples", features[:2], features[100:], labels[:2], labels[100:])]
    for title, trf, tef, trl, tel in runs:
        train_ls, test_ls, w, b = fit_poly(trf, tef, trl, tel)
        print(f"{title}: train loss {train_ls[-1]:.4g}, test loss {test_ls[-1]:.4g}, "
              f"weight {[round(v, 3) for v in w.flatten().tolist()]}, bias {b.item():.3f}")


try:
    poly_demo()
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
"""))

    # ---- 3.12 ---------------------------------------------------------------------------
    add(q.question("l2_penalty", """
## 3.12 权重衰减 / Weight Decay

权重衰减在损失上加一个 $L_2$ 范数惩罚项，让学到的权重小一些，从而缓解过拟合：

$$\\ell(\\mathbf{w}, b) + \\frac{\\lambda}{2} \\|\\mathbf{w}\\|^2.$$

惩罚项的梯度是 $\\lambda \\mathbf{w}$，所以小批量随机梯度下降的每一步都先把 $\\mathbf{w}$ 乘上 $(1 - \\eta\\lambda)$ 再减去数据项的梯度，这就是“衰减”这个名字的来历。
偏差 $b$ 通常不加惩罚。

{TITLE}

返回 $\\frac{1}{2}\\sum_i w_i^2$（零维张量），对任意形状的 `w` 都适用。
""", """
## 3.12 Weight Decay

Weight decay adds an $L_2$ norm penalty to the loss, which keeps the learned weights small and so curbs overfitting:

$$\\ell(\\mathbf{w}, b) + \\frac{\\lambda}{2} \\|\\mathbf{w}\\|^2.$$

The penalty's gradient is $\\lambda \\mathbf{w}$, so every minibatch SGD step first multiplies $\\mathbf{w}$ by $(1 - \\eta\\lambda)$
and then subtracts the data term's gradient; hence the name "decay". The bias $b$ is usually not penalized.

{TITLE}

Return $\\frac{1}{2}\\sum_i w_i^2$ (a 0-d tensor), for `w` of any shape.
""", '''
def l2_penalty(w):
    """L2 惩罚项 Σw²/2 / Half the squared L2 norm of w."""
@@
    return (w ** 2).sum() / 2
@@
'''))
    add(q.question("train_weight_decay", """
{TITLE}

从零实现带权重衰减的线性回归，原地更新 `w`（形状 `(d, 1)`）和 `b`（形状 `(1,)`），两者都是 `requires_grad=True` 的叶子张量。

- `batches` 是按固定顺序排好的 `(X, y)` 小批量列表；训练 `num_epochs` 遍。
- 每个小批量：`l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)`（逐样本损失加上惩罚项，**调用你的 `l2_penalty`**），然后 `l.sum().backward()`，再调用给定的 `sgd([w, b], lr, X.shape[0])`。
- 惩罚项被加到每个样本上，求和后正好是批量大小倍，`sgd` 再除以批量大小，所以每一步沿“数据的平均梯度 $+ \\lambda\\mathbf{w}$”更新。
- 不返回任何值。评分比较的是训练后的 `w` 和 `b`。
""", """
{TITLE}

Linear regression with weight decay from scratch, updating `w` (shape `(d, 1)`) and `b` (shape `(1,)`) in place; both are leaf tensors
with `requires_grad=True`.

- `batches` is a list of `(X, y)` minibatches in a fixed order; go through it `num_epochs` times.
- For each minibatch: `l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)` (per-example loss plus the penalty; **call your `l2_penalty`**), then `l.sum().backward()`, then the given `sgd([w, b], lr, X.shape[0])`.
- The penalty is added to every example, so the sum holds it batch-size times and `sgd` divides by the batch size again: each step follows "mean data gradient $+ \\lambda\\mathbf{w}$".
- Return nothing. The grader compares `w` and `b` after training.
""", '''
def train_weight_decay(w, b, batches, lambd, lr, num_epochs):
    """带 L2 惩罚的线性回归，原地训练 / Scratch linear regression with an L2 penalty on w."""
@@
    for epoch in range(num_epochs):
        for X, y in batches:
            l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)
            l.sum().backward()
            sgd([w, b], lr, X.shape[0])
@@
'''))
    add(q.question("train_weight_decay_concise", """
{TITLE}

同样的事交给 `torch.optim.SGD` 的 `weight_decay` 参数，它在每一步把 `wd * param` 加到梯度上。只衰减权重、不衰减偏差：

- 建一个优化器、两个参数组：`torch.optim.SGD([{"params": [net.weight], "weight_decay": wd}, {"params": [net.bias]}], lr=lr)`。
- 损失用 `nn.MSELoss()`（求平均）。对 `batches` 训练 `num_epochs` 遍，每个小批量 `zero_grad()`、`backward()`、`step()`。
- `net` 是 `nn.Linear(d, 1)`，原地训练；不返回任何值。
""", """
{TITLE}

The same with the `weight_decay` argument of `torch.optim.SGD`, which adds `wd * param` to the gradient at every step. Decay the weight
only, not the bias:

- One optimizer with two parameter groups: `torch.optim.SGD([{"params": [net.weight], "weight_decay": wd}, {"params": [net.bias]}], lr=lr)`.
- The loss is `nn.MSELoss()` (a mean). Go through `batches` `num_epochs` times; for each minibatch `zero_grad()`, `backward()`, `step()`.
- `net` is an `nn.Linear(d, 1)` trained in place; return nothing.
""", '''
def train_weight_decay_concise(net, batches, wd, lr, num_epochs):
    """只对权重做权重衰减 / Train net with weight decay on the weight but not the bias."""
@@
    loss = nn.MSELoss()
    trainer = torch.optim.SGD([{"params": [net.weight], "weight_decay": wd},
                               {"params": [net.bias]}], lr=lr)
    for epoch in range(num_epochs):
        for X, y in batches:
            trainer.zero_grad()
            loss(net(X), y).backward()
            trainer.step()
@@
'''))
    cells.append(given("weight-decay-demo", """
# 演示 / demo: 200 维、只有 20 个训练样本的高维线性回归 / 200 features, only 20 training rows
def weight_decay_demo():
    d, n_train = 200, 20
    true_w = torch.full((d, 1), 0.01)
    X = torch.randn(n_train + 100, d)
    y = X @ true_w + 0.05 + torch.randn(n_train + 100, 1) * 0.01
    batches = [(X[i:i + 1], y[i:i + 1]) for i in range(n_train)]
    for lambd in (0.0, 3.0):
        w = torch.randn(d, 1).requires_grad_(True)
        b = torch.zeros(1, requires_grad=True)
        train_weight_decay(w, b, batches, lambd, 0.003, 100)
        with torch.no_grad():
            test_loss = squared_loss(linreg(X[n_train:], w, b), y[n_train:]).mean().item()
        print(f"lambda = {lambd}: ||w|| = {w.norm().item():.4f}, test loss {test_loss:.4f}")


try:
    weight_decay_demo()
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
"""))

    # ---- 3.13 ---------------------------------------------------------------------------
    add(q.question("dropout", """
## 3.13 丢弃法 / Dropout

训练时，丢弃法让每个隐藏单元以概率 $p$ 输出 0，否则把它的输出除以 $1-p$：

$$h' = \\begin{cases} 0 & \\text{概率为 } p \\\\ \\dfrac{h}{1-p} & \\text{其余情况} \\end{cases}$$

于是 $E[h'] = h$，期望不变；网络不能依赖任何一个单元，起到正则化作用。测试时不丢弃。

{TITLE}

- `drop_prob` 在 $[0, 1]$ 之间。`drop_prob == 1` 时返回 `torch.zeros_like(X)`。
- 否则用 `torch.rand(X.shape)` 生成掩码：`(torch.rand(X.shape) < keep_prob)`，其中 `keep_prob = 1 - drop_prob`，转成 `X` 的数据类型；返回 `mask * X / keep_prob`。
- 结果是随机的，评分检查的是：形状和类型；保留下来的元素等于 `X / keep_prob`；大张量上被丢弃的比例接近 `drop_prob`；`drop_prob` 为 0 和 1 时的特殊情况。
""", """
## 3.13 Dropout

During training, dropout makes each hidden unit output 0 with probability $p$, and otherwise divides its output by $1-p$:

$$h' = \\begin{cases} 0 & \\text{with probability } p \\\\ \\dfrac{h}{1-p} & \\text{otherwise} \\end{cases}$$

so $E[h'] = h$ and the expectation is unchanged; the network cannot rely on any single unit, which regularizes it. Nothing is dropped at test time.

{TITLE}

- `drop_prob` lies in $[0, 1]$. When `drop_prob == 1`, return `torch.zeros_like(X)`.
- Otherwise build a mask with `torch.rand(X.shape)`: `(torch.rand(X.shape) < keep_prob)` with `keep_prob = 1 - drop_prob`, converted to `X`'s dtype, and return `mask * X / keep_prob`.
- The result is random, so the grader checks: shape and dtype; kept elements equal `X / keep_prob`; on a large tensor the share of dropped elements is close to `drop_prob`; the special cases `drop_prob` = 0 and 1.
""", '''
def dropout(X, drop_prob):
    """倒置丢弃法 / Inverted dropout: zero with probability drop_prob, scale the rest."""
@@
    assert 0 <= drop_prob <= 1
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) < keep_prob).to(X.dtype)
    return mask * X / keep_prob
@@
'''))
    add(q.question("dropout_mlp", """
{TITLE}

有两个隐藏层的多层感知机，`params = [W1, b1, W2, b2, W3, b3]`（`W` 的形状为 `(输入, 输出)`，同 `mlp_net`）：

- `X` 变形为 `(-1, W1.shape[0])`；`H1 = relu(X @ W1 + b1)`；
- 如果 `is_training` 为真，`H1 = dropout(H1, drop_prob1)`；
- `H2 = relu(H1 @ W2 + b2)`；如果 `is_training` 为真，`H2 = dropout(H2, drop_prob2)`；
- 返回 `H2 @ W3 + b3`。**调用你的 `relu` 和 `dropout`**（按位置传参）。`is_training` 为假时网络是确定的。
""", """
{TITLE}

A perceptron with two hidden layers, `params = [W1, b1, W2, b2, W3, b3]` (each `W` of shape `(in, out)` as in `mlp_net`):

- Reshape `X` to `(-1, W1.shape[0])`; `H1 = relu(X @ W1 + b1)`;
- if `is_training` is true, `H1 = dropout(H1, drop_prob1)`;
- `H2 = relu(H1 @ W2 + b2)`; if `is_training` is true, `H2 = dropout(H2, drop_prob2)`;
- return `H2 @ W3 + b3`. **Call your `relu` and `dropout`** (positional arguments). With `is_training` false the network is deterministic.
""", '''
def dropout_mlp(X, params, drop_prob1, drop_prob2, is_training=True):
    """训练时带丢弃的双隐藏层 MLP / Two hidden ReLU layers with dropout while training."""
@@
    W1, b1, W2, b2, W3, b3 = params
    X = X.reshape(-1, W1.shape[0])
    H1 = relu(X @ W1 + b1)
    if is_training:
        H1 = dropout(H1, drop_prob1)
    H2 = relu(H1 @ W2 + b2)
    if is_training:
        H2 = dropout(H2, drop_prob2)
    return H2 @ W3 + b3
@@
'''))
    add(q.question("dropout_mlp_concise", """
{TITLE}

用 `nn` 的层搭出同一个网络：

`nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens1), nn.ReLU(), nn.Dropout(drop_prob1), nn.Linear(num_hiddens1, num_hiddens2), nn.ReLU(), nn.Dropout(drop_prob2), nn.Linear(num_hiddens2, num_outputs))`

层的顺序不能变（三个线性层的名字是 `1.`、`4.`、`7.`）；所有参数用 $N(0, 0.01^2)$ 初始化。`model.train()` 时丢弃层起作用，`model.eval()` 时不起作用。
""", """
{TITLE}

Build the same network from `nn` layers:

`nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens1), nn.ReLU(), nn.Dropout(drop_prob1), nn.Linear(num_hiddens1, num_hiddens2), nn.ReLU(), nn.Dropout(drop_prob2), nn.Linear(num_hiddens2, num_outputs))`

Keep this order (the three linear layers are named `1.`, `4.`, `7.`); initialize every parameter from $N(0, 0.01^2)$. The dropout layers act after
`model.train()` and do nothing after `model.eval()`.
""", '''
def dropout_mlp_concise(num_inputs=784, num_hiddens1=256, num_hiddens2=256, num_outputs=10,
                        drop_prob1=0.2, drop_prob2=0.5):
    """带 nn.Dropout 的双隐藏层 MLP / The dropout MLP from nn layers."""
@@
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(num_inputs, num_hiddens1), nn.ReLU(), nn.Dropout(drop_prob1),
        nn.Linear(num_hiddens1, num_hiddens2), nn.ReLU(), nn.Dropout(drop_prob2),
        nn.Linear(num_hiddens2, num_outputs),
    )
    for param in model.parameters():
        nn.init.normal_(param, mean=0.0, std=0.01)
    return model
@@
'''))
    cells.append(given("dropout-demo", """
# 演示 / demo: 训练带丢弃的网络，5 个周期 / train the dropout network for 5 epochs
if train_iter is None:
    print("没有数据，跳过演示 / no data, demo skipped")
else:
    try:
        model = dropout_mlp_concise()
        train_classifier(model, train_iter, test_iter, nn.CrossEntropyLoss(reduction="none"), 5,
                         torch.optim.SGD(model.parameters(), lr=0.5))
        X, _ = next(iter(test_iter))
        model.eval()
        with torch.no_grad():
            print("eval 模式下两次输出相同 / eval mode is deterministic:",
                  torch.equal(model(X), model(X)))
    except NotImplementedError:
        print("先完成上面的填空 / finish the blanks above first")
"""))

    # ---- 3.14 ---------------------------------------------------------------------------
    add(q.question("forward_objective", """
## 3.14 正向传播、反向传播和计算图 / Forward Propagation, Back-Propagation and Computational Graphs

考虑一个不带偏差的单隐藏层网络，`X` 的每一行是一个样本（共 $n$ 个）：

$$\\mathbf{Z} = \\mathbf{X}\\mathbf{W}_1^\\top,\\quad \\mathbf{H} = \\mathrm{relu}(\\mathbf{Z}),\\quad \\mathbf{O} = \\mathbf{H}\\mathbf{W}_2^\\top,$$
$$L = \\frac{1}{n}\\sum_{i=1}^{n} \\frac12 \\|\\mathbf{o}_i - \\mathbf{y}_i\\|^2,\\quad s = \\frac{\\lambda}{2}\\left(\\|\\mathbf{W}_1\\|_F^2 + \\|\\mathbf{W}_2\\|_F^2\\right),\\quad J = L + s.$$

这里 $\\mathbf{W}_1$ 形状为 `(h, d)`、$\\mathbf{W}_2$ 形状为 `(q, h)`，和 `nn.Linear` 的 `weight` 一样。**正向传播**按顺序算出并保存这些中间变量；
**反向传播**按相反顺序，用链式法则从 $J$ 往回求每个参数的梯度，并用到正向传播保存的中间变量。

{TITLE}

按上面的公式返回目标函数 $J$（零维张量）。所有输入都是 float64。这里 ReLU 用 `torch.relu`。
""", """
## 3.14 Forward Propagation, Back-Propagation and Computational Graphs

Take a one-hidden-layer network without biases; each row of `X` is an example ($n$ of them):

$$\\mathbf{Z} = \\mathbf{X}\\mathbf{W}_1^\\top,\\quad \\mathbf{H} = \\mathrm{relu}(\\mathbf{Z}),\\quad \\mathbf{O} = \\mathbf{H}\\mathbf{W}_2^\\top,$$
$$L = \\frac{1}{n}\\sum_{i=1}^{n} \\frac12 \\|\\mathbf{o}_i - \\mathbf{y}_i\\|^2,\\quad s = \\frac{\\lambda}{2}\\left(\\|\\mathbf{W}_1\\|_F^2 + \\|\\mathbf{W}_2\\|_F^2\\right),\\quad J = L + s.$$

$\\mathbf{W}_1$ has shape `(h, d)` and $\\mathbf{W}_2$ shape `(q, h)`, like an `nn.Linear` `weight`. **Forward propagation** computes and stores these
intermediate values in order; **back-propagation** goes the other way, applying the chain rule from $J$ back to each parameter and
reusing the values the forward pass stored.

{TITLE}

Return the objective $J$ (a 0-d tensor) from the formulas above. All inputs are float64. Use `torch.relu` for the ReLU here.
""", '''
def forward_objective(X, y, W1, W2, lambd):
    """目标函数 J = L + s / The objective J = mean squared error / 2 + L2 penalty."""
@@
    H = torch.relu(X @ W1.T)
    O = H @ W2.T
    L = ((O - y) ** 2).sum(dim=1).mean() / 2
    s = lambd / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    return L + s
@@
'''))
    add(q.question("manual_backward", """
{TITLE}

**不用自动求导**，按链式法则手工算出 $\\partial J/\\partial \\mathbf{W}_1$ 和 $\\partial J/\\partial \\mathbf{W}_2$（形状分别与 `W1`、`W2` 相同），返回元组 `(dW1, dW2)`：

1. 正向：`Z = X @ W1.T`，`H = relu(Z)`，`O = H @ W2.T`。
2. $\\partial J/\\partial \\mathbf{O} = (\\mathbf{O} - \\mathbf{y}) / n$。
3. $\\partial J/\\partial \\mathbf{W}_2 = (\\partial J/\\partial \\mathbf{O})^\\top \\mathbf{H} + \\lambda \\mathbf{W}_2$。
4. $\\partial J/\\partial \\mathbf{H} = (\\partial J/\\partial \\mathbf{O})\\, \\mathbf{W}_2$；$\\partial J/\\partial \\mathbf{Z} = \\partial J/\\partial \\mathbf{H} \\odot \\mathbb{1}[\\mathbf{Z} > 0]$（ReLU 的导数）。
5. $\\partial J/\\partial \\mathbf{W}_1 = (\\partial J/\\partial \\mathbf{Z})^\\top \\mathbf{X} + \\lambda \\mathbf{W}_1$。

评分程序在 float64 下把结果和自动求导比较（相对误差 $10^{-8}$）。下面的演示单元格也会替你做这个比较。
""", """
{TITLE}

**Without autograd**, compute $\\partial J/\\partial \\mathbf{W}_1$ and $\\partial J/\\partial \\mathbf{W}_2$ (shaped like `W1` and `W2`) by the chain rule and return the tuple `(dW1, dW2)`:

1. Forward: `Z = X @ W1.T`, `H = relu(Z)`, `O = H @ W2.T`.
2. $\\partial J/\\partial \\mathbf{O} = (\\mathbf{O} - \\mathbf{y}) / n$.
3. $\\partial J/\\partial \\mathbf{W}_2 = (\\partial J/\\partial \\mathbf{O})^\\top \\mathbf{H} + \\lambda \\mathbf{W}_2$.
4. $\\partial J/\\partial \\mathbf{H} = (\\partial J/\\partial \\mathbf{O})\\, \\mathbf{W}_2$; $\\partial J/\\partial \\mathbf{Z} = \\partial J/\\partial \\mathbf{H} \\odot \\mathbb{1}[\\mathbf{Z} > 0]$ (the ReLU's derivative).
5. $\\partial J/\\partial \\mathbf{W}_1 = (\\partial J/\\partial \\mathbf{Z})^\\top \\mathbf{X} + \\lambda \\mathbf{W}_1$.

The grader compares the result with autograd in float64 (relative error $10^{-8}$). The demo cell below runs that comparison for you too.
""", '''
def manual_backward(X, y, W1, W2, lambd):
    """手工反向传播 / (dJ/dW1, dJ/dW2) by the chain rule, without autograd."""
@@
    n = X.shape[0]
    Z = X @ W1.T
    H = torch.relu(Z)
    O = H @ W2.T
    dO = (O - y) / n
    dW2 = dO.T @ H + lambd * W2
    dH = dO @ W2
    dZ = dH * (Z > 0).to(Z.dtype)
    dW1 = dZ.T @ X + lambd * W1
    return dW1, dW2
@@
'''))
    cells.append(given("backprop-demo", """
# 演示 / demo: 手工梯度与自动求导对照 / hand-derived gradients against autograd (float64)
try:
    X, y = torch.randn(6, 4, dtype=torch.float64), torch.randn(6, 2, dtype=torch.float64)
    W1 = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    W2 = torch.randn(2, 5, dtype=torch.float64, requires_grad=True)
    forward_objective(X, y, W1, W2, 0.1).backward()
    dW1, dW2 = manual_backward(X, y, W1.detach(), W2.detach(), 0.1)
    print("dW1 与 autograd 一致 / dW1 matches autograd:", torch.allclose(dW1, W1.grad, rtol=1e-8, atol=1e-10))
    print("dW2 与 autograd 一致 / dW2 matches autograd:", torch.allclose(dW2, W2.grad, rtol=1e-8, atol=1e-10))
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
"""))

    # ---- 3.15 ---------------------------------------------------------------------------
    add(q.question("xavier_uniform", """
## 3.15 数值稳定性和模型初始化 / Numerical Stability and Model Initialization

深层网络的梯度是许多矩阵的乘积，容易**衰减**（例如 sigmoid 的导数最大只有 0.25）或**爆炸**（权重偏大时）。
合适的初始化让每层输出和梯度的方差大致保持不变。对输入数 $n_{in}$、输出数 $n_{out}$ 的全连接层，正向要求 $n_{in}\\mathrm{Var}(w) = 1$，
反向要求 $n_{out}\\mathrm{Var}(w) = 1$；Xavier 初始化取折中 $\\mathrm{Var}(w) = 2/(n_{in}+n_{out})$。
均匀分布 $U(-a, a)$ 的方差是 $a^2/3$，所以取 $a = \\sqrt{6/(n_{in}+n_{out})}$。

{TITLE}

返回形状 `(fan_out, fan_in)`（与 `nn.Linear(fan_in, fan_out).weight` 相同）、float32 的张量，元素独立地服从 $U(-a, a)$，
$a = \\sqrt{6/(\\text{fan\\_in}+\\text{fan\\_out})}$。例如 `(torch.rand(fan_out, fan_in) * 2 - 1) * a`。
评分检查上界、方差（约为 $2/(\\text{fan\\_in}+\\text{fan\\_out})$）和均值。
""", """
## 3.15 Numerical Stability and Model Initialization

A deep network's gradient is a product of many matrices, so it easily **vanishes** (the sigmoid's derivative is at most 0.25) or
**explodes** (when weights are large). Good initialization keeps the variance of every layer's outputs and gradients roughly constant.
For a fully connected layer with $n_{in}$ inputs and $n_{out}$ outputs the forward pass wants $n_{in}\\mathrm{Var}(w) = 1$ and the
backward pass $n_{out}\\mathrm{Var}(w) = 1$; Xavier initialization takes the compromise $\\mathrm{Var}(w) = 2/(n_{in}+n_{out})$.
A uniform $U(-a, a)$ has variance $a^2/3$, hence $a = \\sqrt{6/(n_{in}+n_{out})}$.

{TITLE}

Return a float32 tensor of shape `(fan_out, fan_in)` (like `nn.Linear(fan_in, fan_out).weight`) whose elements are independent draws from
$U(-a, a)$ with $a = \\sqrt{6/(\\text{fan\\_in}+\\text{fan\\_out})}$, e.g. `(torch.rand(fan_out, fan_in) * 2 - 1) * a`. The grader checks
the bound, the variance (about $2/(\\text{fan\\_in}+\\text{fan\\_out})$) and the mean.
""", '''
def xavier_uniform(fan_in, fan_out):
    """Xavier 均匀初始化 / A (fan_out, fan_in) weight drawn from U(-a, a), a = sqrt(6/(fan_in+fan_out))."""
@@
    a = math.sqrt(6 / (fan_in + fan_out))
    return (torch.rand(fan_out, fan_in) * 2 - 1) * a
@@
'''))
    add(q.question("constant_init_training", """
{TITLE}

为什么不能把所有参数初始化成同一个常数？因为那样所有隐藏单元算的是同一个函数、得到同一个梯度，训练永远无法把它们分开（对称性）。动手验证：

- 建 `net = nn.Sequential(nn.Linear(d, num_hiddens), nn.Tanh(), nn.Linear(num_hiddens, 1))`，`d = X.shape[1]`。
- 用 `nn.init.constant_(param, value)` 把**所有**参数（权重和偏差）设为 `value`。
- 损失 `nn.MSELoss()`，优化器 `torch.optim.SGD(net.parameters(), lr=lr)`；在整批数据 `(X, y)` 上做 `num_steps` 步：`zero_grad()`、`loss(net(X), y).backward()`、`step()`。
- 返回 `net`。评分比较训练后的全部参数；你会看到 `net[0].weight` 的各行始终相同（最多差一点舍入误差）。
""", """
{TITLE}

Why not start every parameter at the same constant? Because then every hidden unit computes the same function and gets the same gradient,
and training can never tell them apart (symmetry). Check it:

- Build `net = nn.Sequential(nn.Linear(d, num_hiddens), nn.Tanh(), nn.Linear(num_hiddens, 1))` with `d = X.shape[1]`.
- Set **every** parameter (weights and biases) to `value` with `nn.init.constant_(param, value)`.
- Loss `nn.MSELoss()`, optimizer `torch.optim.SGD(net.parameters(), lr=lr)`; take `num_steps` steps on the whole batch `(X, y)`: `zero_grad()`, `loss(net(X), y).backward()`, `step()`.
- Return `net`. The grader compares all trained parameters; you will see that the rows of `net[0].weight` stay identical (up to rounding).
""", '''
def constant_init_training(X, y, num_hiddens, value, lr, num_steps):
    """从常数初始化训练，观察对称性 / Train Linear-Tanh-Linear from a constant start."""
@@
    net = nn.Sequential(nn.Linear(X.shape[1], num_hiddens), nn.Tanh(),
                        nn.Linear(num_hiddens, 1))
    for param in net.parameters():
        nn.init.constant_(param, value)
    loss = nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for step in range(num_steps):
        optimizer.zero_grad()
        loss(net(X), y).backward()
        optimizer.step()
    return net
@@
'''))
    cells.append(given("init-demo", """
# 演示 / demo: Xavier 的方差，以及常数初始化的对称性 / Xavier's variance and the symmetry of a constant start
try:
    W = xavier_uniform(256, 256)
    print(f"Var(w) = {W.var().item():.6f}, 2/(256+256) = {2 / 512:.6f}, max |w| = {W.abs().max().item():.4f}")
    X = torch.randn(32, 4)
    net = constant_init_training(X, X.sum(dim=1, keepdim=True), 5, 0.5, 0.1, 50)
    rows = net[0].weight.detach()
    gap = (rows - rows[0]).abs().max().item()
    print(f"各行的最大差别（只是舍入误差）/ largest difference between rows (rounding only): {gap:.1e}")
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
"""))

    nb = new_notebook(cells=cells)
    nb.metadata = {
        "d2l": {"assignment": ASSIGNMENT, "notebook": NOTEBOOK},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def main() -> int:
    nb = build()
    nbformat.validate(nb)
    nbformat.write(nb, TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
