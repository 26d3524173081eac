# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch05_cnn/classic_nets.ipynb`` (§5.5–5.8).

Generated so that it is reproducible and reviewable as Python:

    .venv/bin/python scripts/notebooks/ch05_classic_nets.py

Each question becomes three cells (``<q>-intro``, ``<q>-answer`` with the solution between
``### BEGIN SOLUTION`` / ``### END SOLUTION``, ``<q>-check``) through
:class:`scripts.notebooks.cells.MasterNotebook`; points come from
``solutions/ch05_cnn/classic_nets.py``.  Prose is our own, 简体中文 first, English beneath.
Demos that only need shapes build the networks on the ``meta`` device (no memory, no
initialisation), so running the whole notebook stays cheap; the training demo uses a
few hundred images and skips itself when no Fashion-MNIST files are found.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch05_cnn", "classic_nets"
FINISH_FIRST = 'print("先完成上面的填空 / finish the blanks above first")'


def build() -> MasterNotebook:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    nb.md("intro", """
# 第 5 章 卷积神经网络（二）：LeNet、AlexNet、VGG 与 NiN

本笔记本对应《动手学深度学习》（第一版）5.5–5.8 节，全部使用 PyTorch。前几节学会了卷积层和池化层，这里把它们搭成四个经典网络：
最早的卷积网络 LeNet（并写出它的评估与训练循环）、让深度学习重新受到重视的 AlexNet、用重复的“块”搭网络的 VGG，以及用 1×1 卷积
和全局平均池化代替全连接层的 NiN。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改函数名、参数名和默认值。**网络里每一层在 `nn.Sequential` 中的位置（下标）都按题目的规定来**：评分程序按 `"0.weight"`、`"7.bias"` 这样的名字把它自己的权重装进你的网络，并逐层比较输出形状。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。
- 评分在没有 GPU、没有网络的环境里进行；数据是一个与 Fashion-MNIST 格式相同的小型替身数据集。

---

# Chapter 5 Convolutional Neural Networks (2): LeNet, AlexNet, VGG and NiN

This notebook covers sections 5.5–5.8 of *Dive into Deep Learning* (first edition), entirely in PyTorch. The previous sections
introduced convolution and pooling layers; here they are assembled into four classic networks: LeNet, the first convolutional
network (together with its evaluation and training loops); AlexNet, which brought deep learning back into the spotlight; VGG,
built from repeated blocks; and NiN, which replaces the dense layers by 1×1 convolutions and global average pooling.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename functions, arguments or defaults. **Put every layer at the position (index) in its `nn.Sequential` that the question gives**: the grader loads its own weights into your network by names such as `"0.weight"` and `"7.bias"`, and compares the output shape of each layer.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell.
- Grading runs without a GPU and without network access; the data is a small stand-in with exactly Fashion-MNIST's format.
""", "")
    nb.cells[-1].source = nb.cells[-1].source.removesuffix("\n\n---\n\n")
    nb.setup("""
import gzip
import os
import struct
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, default_collate
""")
    nb.md("tools-intro", """
### 给定的工具（不是填空）

下面的单元格读取 Fashion-MNIST 的 IDX 文件（从 `$D2L_DATA_DIR/FashionMNIST/raw/`，默认 `~/.d2l/data/FashionMNIST/raw/`），
得到原始的 uint8 图像 `(n, 28, 28)` 和 uint8 标签 `(n,)`；找不到文件时 `fashion` 为 `None`，需要数据的演示会跳过。
`show_shapes(net, X)` 逐层打印 `nn.Sequential` 的输出形状，演示里用它核对书中的形状表。
""", """
### Given tools (not blanks)

The cell below reads Fashion-MNIST's IDX files (from `$D2L_DATA_DIR/FashionMNIST/raw/`, by default
`~/.d2l/data/FashionMNIST/raw/`) as raw uint8 images `(n, 28, 28)` and uint8 labels `(n,)`; when the files are missing,
`fashion` is `None` and the demos that need data skip. `show_shapes(net, X)` prints the output shape of each layer of an
`nn.Sequential`; the demos use it to check the book's shape tables.
""")
    nb.given("tools", '''
FASHION_MNIST_RAW = (
    Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser() / "FashionMNIST" / "raw"
)


def read_idx(stem):
    """FASHION_MNIST_RAW/<stem>（或 .gz）里的 uint8 数组 / The uint8 array stored in an IDX file."""
    candidates = [FASHION_MNIST_RAW / stem, FASHION_MNIST_RAW / f"{stem}.gz"]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise FileNotFoundError(f"{candidates[0]}[.gz]")
    raw = path.read_bytes()
    if raw[:2] == b"\\x1f\\x8b":
        raw = gzip.decompress(raw)
    magic = struct.unpack(">I", raw[:4])[0]
    ndim = {2049: 1, 2051: 3}.get(magic)
    if ndim is None:
        raise ValueError(f"{path}: unexpected IDX magic number {magic}")
    dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def read_fashion_mnist(train):
    """(images uint8 (n, 28, 28), labels uint8 (n,)) of the training or the test split."""
    split = "train" if train else "t10k"
    return read_idx(f"{split}-images-idx3-ubyte"), read_idx(f"{split}-labels-idx1-ubyte")


def show_shapes(net, X):
    """Run X through the children of net one by one, printing each output shape."""
    for index, layer in enumerate(net):
        X = layer(X)
        print(f"{index:>2} {type(layer).__name__:<18} {tuple(X.shape)}")


try:
    fashion = {"train": read_fashion_mnist(True), "test": read_fashion_mnist(False)}
    print("训练集 / training set:", tuple(fashion["train"][0].shape),
          " 测试集 / test set:", tuple(fashion["test"][0].shape))
except FileNotFoundError:
    fashion = None
    print(f"没有找到 Fashion-MNIST（查找目录：{FASHION_MNIST_RAW}），需要数据的演示会跳过。")
    print(f"Fashion-MNIST not found (looked in {FASHION_MNIST_RAW}); demos that need it will skip.")
''')

    # ---------------------------------------------------------------- §5.5
    nb.md("sec-5-5", """
## 5.5 卷积神经网络（LeNet）

第 3 章把 28×28 的图像拉平成 784 维向量送进多层感知机，这样相邻像素之间的空间关系就丢掉了，而且第一层的参数量随图像尺寸快速增长。
卷积层保留了图像的高和宽，同一个卷积核在整张图上滑动、共享参数。LeNet 由两部分组成：

- **卷积部分**：两组“卷积层 → sigmoid → 最大池化层”。卷积核都是 5×5、不填充，输出通道依次为 6 和 16；池化窗口 2×2、步幅 2。
  28×28 的输入依次变成 24×24、12×12、8×8、4×4。
- **全连接部分**：把 16×4×4 的特征拉平成 256 维，再经过输出大小为 120、84、10 的三个全连接层，前两个后面接 sigmoid。

Gluon 的 `Dense` 会自动拉平四维输入并推断输入大小；PyTorch 的 `nn.Linear` 不会，所以要自己加一个 `nn.Flatten()`，并写出 `in_features`。
Gluon 把激活函数写在层的参数里，PyTorch 则把它作为单独的一层放在后面。
""", """
## 5.5 Convolutional Neural Networks (LeNet)

Chapter 3 flattened each 28×28 image into a 784-vector for a multilayer perceptron, losing which pixels are neighbours, and the
first layer's parameter count grows quickly with the image size. A convolutional layer keeps the height and width, and one
kernel slides over the whole image with shared parameters. LeNet has two parts:

- **Convolutional part**: two rounds of "convolution → sigmoid → max pooling". Kernels are 5×5 without padding, with 6 and
  then 16 output channels; the pooling windows are 2×2 with stride 2. A 28×28 input becomes 24×24, 12×12, 8×8 and 4×4.
- **Dense part**: flatten the 16×4×4 features into 256 values, then three dense layers with 120, 84 and 10 outputs, the first
  two followed by a sigmoid.

Gluon's `Dense` flattens 4-D input and infers its input size; PyTorch's `nn.Linear` does neither, so add an `nn.Flatten()`
and write `in_features` out. Gluon passes the activation as a layer argument; in PyTorch it is a layer of its own right after.
""")
    nb.question("lenet", """
写 `lenet()`，返回书中的 LeNet，一个 `nn.Sequential`，各层的下标必须是：

| 下标 | 层 |
|---|---|
| 0 | `nn.Conv2d(1, 6, kernel_size=5)` |
| 1 | `nn.Sigmoid()` |
| 2 | `nn.MaxPool2d(kernel_size=2, stride=2)` |
| 3 | `nn.Conv2d(6, 16, kernel_size=5)` |
| 4 | `nn.Sigmoid()` |
| 5 | `nn.MaxPool2d(kernel_size=2, stride=2)` |
| 6 | `nn.Flatten()` |
| 7, 8 | `nn.Linear(16 * 4 * 4, 120)`, `nn.Sigmoid()` |
| 9, 10 | `nn.Linear(120, 84)`, `nn.Sigmoid()` |
| 11 | `nn.Linear(84, 10)` |

共 44426 个参数。评分时装入每个用例自己的权重，比较输出、逐层输出形状和参数个数。
""", """
Write `lenet()`, returning the book's LeNet as an `nn.Sequential` whose layers sit at these indices:

| index | layer |
|---|---|
| 0 | `nn.Conv2d(1, 6, kernel_size=5)` |
| 1 | `nn.Sigmoid()` |
| 2 | `nn.MaxPool2d(kernel_size=2, stride=2)` |
| 3 | `nn.Conv2d(6, 16, kernel_size=5)` |
| 4 | `nn.Sigmoid()` |
| 5 | `nn.MaxPool2d(kernel_size=2, stride=2)` |
| 6 | `nn.Flatten()` |
| 7, 8 | `nn.Linear(16 * 4 * 4, 120)`, `nn.Sigmoid()` |
| 9, 10 | `nn.Linear(120, 84)`, `nn.Sigmoid()` |
| 11 | `nn.Linear(84, 10)` |

That is 44426 parameters. The grader loads each case's own weights and compares the output, every layer's output shape and
the parameter count.
""", '''
def lenet():
    """书中的 LeNet / The book's LeNet for 1x28x28 images, sigmoid activations."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10),
    )
    ### END SOLUTION
''')
    nb.demo("lenet-demo", """
逐层看一张 28×28 图像的形状变化，并数一数参数：应为 (6, 24, 24) → (6, 12, 12) → (16, 8, 8) → (16, 4, 4) → 256 → 120 → 84 → 10，共 44426 个。
""", """
Follow one 28×28 image through the layers and count the parameters: (6, 24, 24) → (6, 12, 12) → (16, 8, 8) → (16, 4, 4) →
256 → 120 → 84 → 10, and 44426 in all.
""", f"""
try:
    show_shapes(lenet(), torch.rand(1, 1, 28, 28))
    print("参数个数 / parameters:", sum(p.numel() for p in lenet().parameters()))
except NotImplementedError:
    {FINISH_FIRST}
""")
    nb.md("sec-5-5-train", """
### 评估与训练 / Evaluation and training

卷积网络的计算量比多层感知机大得多，书中把模型和数据都放到 GPU 上训练。与设备无关的写法是：用 `net.to(device)` 移动模型，
每个小批量用 `X.to(device)`、`y.to(device)` 移到同一个设备。评估时还要注意**模式**：丢弃法、批量归一化等层在训练和预测时行为不同，
评估前要 `net.eval()`，之后恢复原来的模式，这样训练循环在每个周期末尾调用评估函数也不会出错。
""", """
Convolutional networks cost far more computation than a perceptron, so the book trains on a GPU. Device-agnostic code moves
the model with `net.to(device)` and every minibatch with `X.to(device)`, `y.to(device)` to the same device. Evaluation must
also mind the **mode**: layers such as dropout and batch normalisation behave differently in training and prediction, so
evaluation calls `net.eval()` first and restores the previous mode afterwards; a training loop can then call it at the end of
every epoch safely.
""")
    nb.question("evaluate_accuracy", """
写 `evaluate_accuracy(data_iter, net, device=None)`，返回 `net` 在 `data_iter` 上的分类准确率（一个 Python `float`）：

- `device` 为 `None` 时，用 `net` 第一个参数所在的设备（`next(net.parameters()).device`）。
- 记下 `net.training`，调用 `net.eval()`；在 `torch.no_grad()` 下遍历 `data_iter` 的每个 `(X, y)`，移到 `device`，数出 `net(X).argmax(dim=1) == y` 的个数。
- 全部数完后除以样本总数（最后一个小批量可能更小，所以不要对每批的准确率求平均），并用 `net.train(原来的模式)` 恢复模式。

评分用的网络含有丢弃层：如果忘了 `net.eval()`，预测就是随机的，准确率会不对。网络交来时处于训练模式，评分也会查看调用之后它是否回到了训练模式。
""", """
Write `evaluate_accuracy(data_iter, net, device=None)`, returning the classification accuracy of `net` on `data_iter` as a
Python `float`:

- When `device` is `None`, use the device of `net`'s first parameter (`next(net.parameters()).device`).
- Remember `net.training` and call `net.eval()`; under `torch.no_grad()`, go through every `(X, y)` of `data_iter`, move them to `device`, and count where `net(X).argmax(dim=1) == y`.
- Divide by the total number of examples at the end (the last minibatch may be smaller, so do not average per-batch accuracies) and restore the mode with `net.train(previous mode)`.

The grader's networks contain dropout: forget `net.eval()` and the predictions are random, so the accuracy comes out wrong. The network comes in training mode, and grading also looks at whether it is back in training mode after the call.
""", '''
def evaluate_accuracy(data_iter, net, device=None):
    """分类准确率（评估模式）/ Accuracy of net over data_iter, computed in eval mode."""
    ### BEGIN SOLUTION
    if device is None:
        device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    correct, seen = 0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += int((net(X).argmax(dim=1) == y).sum())
            seen += y.numel()
    net.train(was_training)
    return correct / seen
    ### END SOLUTION
''')
    nb.question("train_ch5", """
写训练函数 `train_ch5(net, train_iter, test_iter, optimizer, device, num_epochs)`，就地训练 `net` 并返回每个周期的记录：

- 先 `net.to(device)`，损失函数用 `nn.CrossEntropyLoss()`（对小批量取平均；书中的 `batch_size` 参数因此不需要了）。
- 每个周期开始时 `net.train()`（评分用的网络没有丢弃层和批量规范化层，这一步在这里不改变结果，不单独评分；第 9.2 节的微调会检查它）；对每个小批量：移到 `device`，前向计算，求损失，`optimizer.zero_grad()`，`l.backward()`，`optimizer.step()`。
  同时累计损失之和（`l.item() * 本批样本数`）和预测正确的个数。
- 周期结束时用 `evaluate_accuracy(test_iter, net, device)` 求测试准确率，并打印一行进度。
- 返回字典 `{"train_loss": [...], "train_acc": [...], "test_acc": [...]}`，每个列表有 `num_epochs` 个 Python `float`：每个样本的平均损失、训练准确率、测试准确率。

**评分方式。** 训练有随机性（初始化、打乱顺序），所以不比较具体数值，而检查阈值：评分程序在约 300 张替身图像上训练一个**把 sigmoid 换成 ReLU 的 LeNet**，
用 `torch.optim.Adam(lr=3e-3)` 训练 4–5 个周期，要求最后一个周期的损失不超过第一个周期的 0.7 倍，并且训练后的网络在测试集上的准确率至少 0.5
（正确的实现在 20 组不同的数据和初始化上为 0.70–0.90）。为什么不用书中的设置？书中的 sigmoid LeNet 配合学习率 0.9 的小批量随机梯度下降，
要在完整的 6 万张图像上训练几个周期才开始下降；在评分允许的几百步内它的准确率一直停在 0.1 左右（换成 Adam 也一样）。ReLU 不会在 0 附近把梯度压缩到 1/4 以下，几百步就能学会。
""", """
Write the training function `train_ch5(net, train_iter, test_iter, optimizer, device, num_epochs)`, which trains `net` in
place and returns a per-epoch history:

- First `net.to(device)`; the loss is `nn.CrossEntropyLoss()` (a minibatch mean, which is why the book's `batch_size` argument is no longer needed).
- At the start of each epoch call `net.train()` (the graded network has no dropout or batch norm, so here this step changes nothing and is not graded on its own; §9.2's fine-tuning checks it); for each minibatch: move it to `device`, run the forward pass, compute the loss, `optimizer.zero_grad()`, `l.backward()`, `optimizer.step()`. Meanwhile add up the loss (`l.item() * examples in the batch`) and the number of correct predictions.
- At the end of an epoch compute the test accuracy with `evaluate_accuracy(test_iter, net, device)` and print a line of progress.
- Return `{"train_loss": [...], "train_acc": [...], "test_acc": [...]}`, each a list of `num_epochs` Python `float`s: the mean loss per example, the training accuracy and the test accuracy.

**How it is graded.** Training is random (initialisation, shuffling), so no exact values are compared, only thresholds: the
grader trains a **LeNet with ReLU in place of sigmoid** on about 300 stand-in images with `torch.optim.Adam(lr=3e-3)` for 4–5 epochs,
and requires the last epoch's loss to be at most 0.7 times the first epoch's and the trained network's test accuracy to be at
least 0.5 (a correct loop reaches 0.70–0.90 over 20 different data sets and initialisations). Why not the book's setting? The
book's sigmoid LeNet with minibatch SGD at learning rate 0.9 needs several epochs over all 60,000 images before its loss starts
to fall; within the few hundred steps grading allows it stays at about 0.1 accuracy (with Adam too). ReLU does not squeeze the
gradient below a quarter at every layer the way sigmoid does, and learns within a few hundred steps.
""", '''
def train_ch5(net, train_iter, test_iter, optimizer, device, num_epochs):
    """训练并返回每个周期的记录 / Train net in place; return the per-epoch history."""
    ### BEGIN SOLUTION
    net.to(device)
    loss = nn.CrossEntropyLoss()
    history = {"train_loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(num_epochs):
        net.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            loss_sum += l.item() * y.numel()
            correct += int((y_hat.argmax(dim=1) == y).sum())
            seen += y.numel()
        test_acc = evaluate_accuracy(test_iter, net, device)
        history["train_loss"].append(loss_sum / seen)
        history["train_acc"].append(correct / seen)
        history["test_acc"].append(test_acc)
        print(f"epoch {epoch + 1}, loss {loss_sum / seen:.4f}, "
              f"train acc {correct / seen:.3f}, test acc {test_acc:.3f}")
    return history
    ### END SOLUTION
''')
    nb.demo("train-demo", """
在前 400 张训练图像上训练：先是书中的 sigmoid LeNet（2 个周期），再是把 sigmoid 换成 ReLU 的同一个网络（3 个周期），都用 Adam，学习率 0.01。
在这么短的训练里，前者的损失几乎不动、准确率停在 0.1 左右，后者很快学会。想看书中的 sigmoid LeNet 学会，可以在自己的机器上用完整数据多训练几个周期。
""", """
Train on the first 400 training images: the book's sigmoid LeNet first (2 epochs), then the same network with ReLU in place
of sigmoid (3 epochs), both with Adam at learning rate 0.01. In so short a run the former's loss hardly moves and its accuracy
stays near 0.1, while the latter learns quickly. To see the book's sigmoid LeNet learn, train it for a few epochs on the full
data on your own machine.
""", f"""
def small_iters(n_train=400, batch_size=32):
    images, labels = fashion["train"]
    test_images, test_labels = fashion["test"]
    train = TensorDataset(images[:n_train, None].float() / 255, labels[:n_train].long())
    test = TensorDataset(test_images[:200, None].float() / 255, test_labels[:200].long())
    return (DataLoader(train, batch_size=batch_size, shuffle=True),
            DataLoader(test, batch_size=batch_size))


def relu_copy(net):
    \"\"\"The same layers, with every nn.Sigmoid replaced by nn.ReLU.\"\"\"
    return nn.Sequential(*[nn.ReLU() if isinstance(m, nn.Sigmoid) else m for m in net])


if fashion is None:
    print("没有数据，跳过 / no data, skipped")
else:
    try:
        for name, net, epochs in (("sigmoid LeNet", lenet(), 2), ("ReLU LeNet", relu_copy(lenet()), 3)):
            print(name)
            train_iter, test_iter = small_iters()
            train_ch5(net, train_iter, test_iter, torch.optim.Adam(net.parameters(), lr=0.01), "cpu", epochs)
    except NotImplementedError:
        {FINISH_FIRST}
""")

    # ---------------------------------------------------------------- §5.6
    nb.md("sec-5-6", """
## 5.6 深度卷积神经网络（AlexNet）

AlexNet 在 2012 年的 ImageNet 比赛中大幅领先，它与 LeNet 的设计思路一脉相承，但规模大得多：8 层（5 个卷积层、3 个全连接层）、ReLU 激活、
用丢弃法控制全连接层的过拟合，以及更大的卷积窗口和步幅。书中把它用在放大到 224×224 的 Fashion-MNIST 上，所以第一个卷积层只有 1 个输入通道、
最后一层输出 10 类：

- 卷积 96 通道，11×11，步幅 4 → ReLU → 最大池化 3×3、步幅 2；
- 卷积 256 通道，5×5，填充 2 → ReLU → 最大池化 3×3、步幅 2；
- 三个 3×3、填充 1 的卷积，通道 384、384、256，各接 ReLU → 最大池化 3×3、步幅 2；
- 拉平 → 全连接 4096 → ReLU → 丢弃 0.5 → 全连接 4096 → ReLU → 丢弃 0.5 → 全连接（类别数）。

空间尺寸依次是 224 → 54 → 26 → 12 → 5，所以进入全连接部分的是 256×5×5 = 6400 个特征。
""", """
## 5.6 Deep Convolutional Neural Networks (AlexNet)

AlexNet won the 2012 ImageNet competition by a wide margin. It follows LeNet's design, at a much larger scale: 8 layers (5
convolutional, 3 dense), ReLU activations, dropout against overfitting in the dense layers, and larger windows and strides. The
book applies it to Fashion-MNIST enlarged to 224×224, so the first convolution has 1 input channel and the last layer 10 outputs:

- convolution with 96 channels, 11×11, stride 4 → ReLU → max pooling 3×3, stride 2;
- convolution with 256 channels, 5×5, padding 2 → ReLU → max pooling 3×3, stride 2;
- three 3×3 convolutions with padding 1 and 384, 384, 256 channels, each followed by ReLU → max pooling 3×3, stride 2;
- flatten → dense 4096 → ReLU → dropout 0.5 → dense 4096 → ReLU → dropout 0.5 → dense (number of classes).

The spatial size goes 224 → 54 → 26 → 12 → 5, so 256×5×5 = 6400 features enter the dense part.
""")
    nb.question("alexnet", """
写 `alexnet(in_channels=1, num_classes=10)`，返回一个 `nn.Sequential`，各层的下标必须是：

| 下标 | 层 |
|---|---|
| 0, 1, 2 | `nn.Conv2d(in_channels, 96, kernel_size=11, stride=4)`, `nn.ReLU()`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 3, 4, 5 | `nn.Conv2d(96, 256, kernel_size=5, padding=2)`, `nn.ReLU()`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 6, 7 | `nn.Conv2d(256, 384, kernel_size=3, padding=1)`, `nn.ReLU()` |
| 8, 9 | `nn.Conv2d(384, 384, kernel_size=3, padding=1)`, `nn.ReLU()` |
| 10, 11, 12 | `nn.Conv2d(384, 256, kernel_size=3, padding=1)`, `nn.ReLU()`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 13 | `nn.Flatten()` |
| 14, 15, 16 | `nn.Linear(256 * 5 * 5, 4096)`, `nn.ReLU()`, `nn.Dropout(0.5)` |
| 17, 18, 19 | `nn.Linear(4096, 4096)`, `nn.ReLU()`, `nn.Dropout(0.5)` |
| 20 | `nn.Linear(4096, num_classes)` |

1 个输入通道、10 类时共 46,764,746 个参数。这么多权重没法随题目分发，评分程序会按用例的种子给你的网络**填入**权重（名字和形状一致就与参考答案的权重相同），
在评估模式下对 224×224 的输入比较输出、逐层形状和参数个数。
""", """
Write `alexnet(in_channels=1, num_classes=10)`, returning an `nn.Sequential` whose layers sit at these indices:

| index | layer |
|---|---|
| 0, 1, 2 | `nn.Conv2d(in_channels, 96, kernel_size=11, stride=4)`, `nn.ReLU()`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 3, 4, 5 | `nn.Conv2d(96, 256, kernel_size=5, padding=2)`, `nn.ReLU()`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 6, 7 | `nn.Conv2d(256, 384, kernel_size=3, padding=1)`, `nn.ReLU()` |
| 8, 9 | `nn.Conv2d(384, 384, kernel_size=3, padding=1)`, `nn.ReLU()` |
| 10, 11, 12 | `nn.Conv2d(384, 256, kernel_size=3, padding=1)`, `nn.ReLU()`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 13 | `nn.Flatten()` |
| 14, 15, 16 | `nn.Linear(256 * 5 * 5, 4096)`, `nn.ReLU()`, `nn.Dropout(0.5)` |
| 17, 18, 19 | `nn.Linear(4096, 4096)`, `nn.ReLU()`, `nn.Dropout(0.5)` |
| 20 | `nn.Linear(4096, num_classes)` |

With 1 input channel and 10 classes that is 46,764,746 parameters. So many weights cannot ship with the assignment: the grader
**fills** your network's weights from the case's seed (equal names and shapes give the reference's very weights) and compares,
in evaluation mode on 224×224 inputs, the output, every layer's shape and the parameter count.
""", '''
def alexnet(in_channels=1, num_classes=10):
    """书中的 AlexNet / The book's AlexNet for 224x224 inputs."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(in_channels, 96, kernel_size=11, stride=4), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        nn.Linear(256 * 5 * 5, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, num_classes),
    )
    ### END SOLUTION
''')
    nb.demo("alexnet-demo", """
在 `meta` 设备上建网络：它只记录形状、不分配内存也不初始化，几千万个参数的网络也能瞬间看完形状表。
""", """
Build the network on the `meta` device: it keeps shapes without allocating or initialising anything, so even a network with
tens of millions of parameters shows its shape table at once.
""", f"""
try:
    with torch.device("meta"):
        net = alexnet()
        show_shapes(net, torch.empty(1, 1, 224, 224))
        print("参数个数 / parameters:", sum(p.numel() for p in net.parameters()))
except NotImplementedError:
    {FINISH_FIRST}
""")
    nb.md("sec-5-6-data", """
### 读取数据：把图像放大到 224×224 / Reading the data at 224×224

书中的 `load_data_fashion_mnist(batch_size, resize=None)` 在 `ToTensor` 之前加了一个 `Resize` 变换，把 28×28 的图像放大。
这门课不依赖 torchvision，我们在把样本拼成小批量时自己做这两步：先把 uint8 像素变成 `[0, 1]` 内的 float32 并加上通道维，再用
`F.interpolate` 双线性插值放大。先转换再插值，插值结果不会被取整回字节。
""", """
The book's `load_data_fashion_mnist(batch_size, resize=None)` adds a `Resize` transform before `ToTensor` to enlarge the 28×28
images. The course does not depend on torchvision, so we do both steps ourselves while stacking examples into a minibatch:
first turn the uint8 pixels into float32 in `[0, 1]` with a channel axis, then enlarge them with bilinear interpolation
(`F.interpolate`). Converting first keeps the interpolated values from being rounded back to bytes.
""")
    nb.question("fashion_mnist_iter", """
补全 `fashion_mnist_iter(images, labels, batch_size, shuffle, resize=None)` 里的 `collate`。`images` 是 uint8 的 `(n, h, w)`，`labels` 是 uint8 的 `(n,)`，
与 IDX 文件里的一样；`DataLoader` 每次把若干个样本交给 `collate`，`default_collate` 已经把它们叠成 `X`（uint8，`(B, h, w)`）和 `y`（uint8，`(B,)`）。你要：

- 把 `X` 变成 float32、除以 255，并在第 1 维加上通道维，得到 `(B, 1, h, w)`；
- `resize` 不为 `None` 时，用 `F.interpolate(X, size=(resize, resize), mode="bilinear", align_corners=False)` 放大；
- 把 `y` 变成 int64（交叉熵损失要求的类型）；
- 返回**元组** `(X, y)`。

评分时把返回的迭代器的所有小批量收集起来（`shuffle=False`），与参考答案逐个比较。
""", """
Complete `collate` inside `fashion_mnist_iter(images, labels, batch_size, shuffle, resize=None)`. `images` is uint8 `(n, h, w)`
and `labels` uint8 `(n,)`, as in the IDX files; the `DataLoader` hands a few examples at a time to `collate`, where
`default_collate` has already stacked them into `X` (uint8, `(B, h, w)`) and `y` (uint8, `(B,)`). You:

- turn `X` into float32, divide by 255, and add a channel axis at dimension 1, giving `(B, 1, h, w)`;
- when `resize` is not `None`, enlarge with `F.interpolate(X, size=(resize, resize), mode="bilinear", align_corners=False)`;
- turn `y` into int64 (the dtype the cross-entropy loss needs);
- return the **tuple** `(X, y)`.

The grader collects every minibatch of the returned iterator (with `shuffle=False`) and compares them with the reference's.
""", '''
def fashion_mnist_iter(images, labels, batch_size, shuffle, resize=None):
    """小批量迭代器，可放大图像 / Minibatches (X float32 (B,1,s,s), y int64) of raw uint8 data."""

    def collate(examples):
        X, y = default_collate(examples)  # X: uint8 (B, h, w), y: uint8 (B,)
        ### BEGIN SOLUTION
        X = X.to(torch.float32).div(255).unsqueeze(1)
        if resize is not None:
            X = F.interpolate(X, size=(resize, resize), mode="bilinear", align_corners=False)
        return X, y.to(torch.int64)
        ### END SOLUTION

    return DataLoader(TensorDataset(images, labels), batch_size=batch_size, shuffle=shuffle,
                      collate_fn=collate)
''')
    nb.given("load-data", '''
def load_data_fashion_mnist(batch_size, resize=None):
    """(train_iter, test_iter) over the Fashion-MNIST files, images resized when asked."""
    train_iter = fashion_mnist_iter(*read_fashion_mnist(True), batch_size, True, resize)
    test_iter = fashion_mnist_iter(*read_fashion_mnist(False), batch_size, False, resize)
    return train_iter, test_iter
''')
    nb.demo("resize-demo", """
用 `load_data_fashion_mnist(batch_size=4, resize=224)` 读一个小批量：`X` 的形状应为 (4, 1, 224, 224)，`y` 为 int64。
书中接下来在 224×224 的完整数据上训练 AlexNet，这在 CPU 上要几个小时；有 GPU 时可以用上面的 `train_ch5` 自己试一试。
""", """
Read one minibatch with `load_data_fashion_mnist(batch_size=4, resize=224)`: `X` should have shape (4, 1, 224, 224) and `y`
be int64. The book then trains AlexNet on the full data at 224×224, which takes hours on a CPU; with a GPU, try it with
`train_ch5` above.
""", f"""
if fashion is None:
    print("没有数据，跳过 / no data, skipped")
else:
    try:
        train_iter, test_iter = load_data_fashion_mnist(batch_size=4, resize=224)
        X, y = next(iter(test_iter))
        print("X:", tuple(X.shape), X.dtype, " y:", tuple(y.shape), y.dtype)
    except NotImplementedError:
        {FINISH_FIRST}
""")

    # ---------------------------------------------------------------- §5.7
    nb.md("sec-5-7", """
## 5.7 使用重复元素的网络（VGG）

VGG 的想法是用简单的“块”反复堆叠出深层网络。一个 VGG 块由若干个 3×3、填充 1 的卷积层（每个后接 ReLU）和一个 2×2、步幅 2 的最大池化层组成：
卷积保持高和宽不变，池化把它们减半。整个网络由若干个块加上与 AlexNet 相同的三个全连接层组成。VGG-11 有 5 个块、8 个卷积层和 3 个全连接层，
块的配置（卷积层数，输出通道数）为 (1, 64)、(1, 128)、(2, 256)、(2, 512)、(2, 512)。224×224 的输入经过 5 个块变成 512×7×7。

VGG-11 约有 1.29 亿个参数，书中为了在 Fashion-MNIST 上训练得动，把每个块的通道数都除以 4。
""", """
## 5.7 Networks Using Blocks (VGG)

VGG's idea is to build deep networks by stacking a simple block again and again. A VGG block is a few 3×3 convolutions with
padding 1 (each followed by ReLU) and a 2×2 max pooling with stride 2: the convolutions keep the height and width, the pooling
halves them. The network is a series of blocks followed by AlexNet's three dense layers. VGG-11 has 5 blocks, 8 convolutions
and 3 dense layers; the blocks' (number of convolutions, output channels) are (1, 64), (1, 128), (2, 256), (2, 512), (2, 512).
The 5 blocks turn a 224×224 input into 512×7×7.

VGG-11 has about 129 million parameters; to train it on Fashion-MNIST the book divides every block's channel count by 4.
""")
    nb.question("vgg_block", """
写 `vgg_block(num_convs, in_channels, out_channels)`，返回一个 `nn.Sequential`：对 `i = 0, …, num_convs − 1`，下标 `2i` 是
`nn.Conv2d(…, out_channels, kernel_size=3, padding=1)`（第一个卷积的输入通道是 `in_channels`，其余是 `out_channels`），下标 `2i + 1` 是 `nn.ReLU()`；
最后，下标 `2 * num_convs` 是 `nn.MaxPool2d(kernel_size=2, stride=2)`。
""", """
Write `vgg_block(num_convs, in_channels, out_channels)`, returning an `nn.Sequential`: for `i = 0, …, num_convs − 1`, index
`2i` holds `nn.Conv2d(…, out_channels, kernel_size=3, padding=1)` (the first convolution takes `in_channels` inputs, the others
`out_channels`) and index `2i + 1` an `nn.ReLU()`; last, index `2 * num_convs` holds `nn.MaxPool2d(kernel_size=2, stride=2)`.
""", '''
def vgg_block(num_convs, in_channels, out_channels):
    """VGG 块 / num_convs 3x3 convolutions with ReLU, then a 2x2 max-pool."""
    ### BEGIN SOLUTION
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)
    ### END SOLUTION
''')
    nb.question("vgg", """
写 `vgg(conv_arch, in_channels=1, input_size=224, fc_hidden_units=4096, num_classes=10)`。`conv_arch` 是若干对 `(num_convs, out_channels)`，每对用上一题的
`vgg_block` 建一个块（输入通道从 `in_channels` 开始，之后是上一个块的输出通道）。设 `k = len(conv_arch)`，返回的 `nn.Sequential` 的下标为：

| 下标 | 层 |
|---|---|
| 0 … k−1 | 各个 VGG 块 |
| k | `nn.Flatten()` |
| k+1, k+2, k+3 | `nn.Linear(c * s * s, fc_hidden_units)`, `nn.ReLU()`, `nn.Dropout(0.5)` |
| k+4, k+5, k+6 | `nn.Linear(fc_hidden_units, fc_hidden_units)`, `nn.ReLU()`, `nn.Dropout(0.5)` |
| k+7 | `nn.Linear(fc_hidden_units, num_classes)` |

其中 `c` 是最后一个块的输出通道数，`s = input_size // 2**k` 是经过 k 次减半后的边长（VGG-11 在 224 时为 512·7·7）。默认值就是书中的大小；
评分用更小的 `input_size` 和 `fc_hidden_units`（以及书中通道数除以 4 的 VGG-11），比较输出、逐层形状和参数个数。
""", """
Write `vgg(conv_arch, in_channels=1, input_size=224, fc_hidden_units=4096, num_classes=10)`. `conv_arch` is a sequence of
`(num_convs, out_channels)` pairs; build one block per pair with the previous question's `vgg_block` (the input channels start
at `in_channels`, then follow the previous block's output). With `k = len(conv_arch)`, the returned `nn.Sequential` has:

| index | layer |
|---|---|
| 0 … k−1 | the VGG blocks |
| k | `nn.Flatten()` |
| k+1, k+2, k+3 | `nn.Linear(c * s * s, fc_hidden_units)`, `nn.ReLU()`, `nn.Dropout(0.5)` |
| k+4, k+5, k+6 | `nn.Linear(fc_hidden_units, fc_hidden_units)`, `nn.ReLU()`, `nn.Dropout(0.5)` |
| k+7 | `nn.Linear(fc_hidden_units, num_classes)` |

where `c` is the last block's output channels and `s = input_size // 2**k` the side left after k halvings (512·7·7 for VGG-11
at 224). The defaults are the book's sizes; the grader uses smaller `input_size` and `fc_hidden_units` (and the book's VGG-11
with a quarter of the channels) and compares the output, every layer's shape and the parameter count.
""", '''
def vgg(conv_arch, in_channels=1, input_size=224, fc_hidden_units=4096, num_classes=10):
    """VGG：若干 VGG 块加三个全连接层 / VGG blocks followed by three dense layers."""
    ### BEGIN SOLUTION
    blocks = []
    for num_convs, out_channels in conv_arch:
        blocks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    side = input_size // 2 ** len(conv_arch)
    return nn.Sequential(
        *blocks,
        nn.Flatten(),
        nn.Linear(in_channels * side * side, fc_hidden_units), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(fc_hidden_units, fc_hidden_units), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(fc_hidden_units, num_classes),
    )
    ### END SOLUTION
''')
    nb.demo("vgg-demo", """
VGG-11 在 224×224 输入上的形状表（在 `meta` 设备上），以及它和通道数除以 4 的版本的参数个数。
""", """
VGG-11's shape table at 224×224 (on the `meta` device), and the parameter counts of VGG-11 and of its quarter-channel version.
""", f"""
VGG11_ARCH = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
SMALL_ARCH = tuple((num_convs, channels // 4) for num_convs, channels in VGG11_ARCH)
try:
    with torch.device("meta"):
        show_shapes(vgg(VGG11_ARCH), torch.empty(1, 1, 224, 224))
        for name, arch in (("VGG-11", VGG11_ARCH), ("VGG-11 / 4", SMALL_ARCH)):
            print(name, "参数个数 / parameters:", sum(p.numel() for p in vgg(arch).parameters()))
except NotImplementedError:
    {FINISH_FIRST}
""")

    # ---------------------------------------------------------------- §5.8
    nb.md("sec-5-8", """
## 5.8 网络中的网络（NiN）

LeNet、AlexNet 和 VGG 都是先用卷积层提取空间特征，再用全连接层输出类别。NiN 换了一个思路：在每个卷积层后面接两个 1×1 卷积层。
1×1 卷积相当于在每个像素位置上、沿通道方向做一次全连接，所以一个 NiN 块就像在每个位置上放了一个小型多层感知机。
NiN 完全去掉了全连接层：最后一个 NiN 块的输出通道数等于类别数，再用**全局平均池化**把每个通道在整张图上取平均，直接得到每一类的分数。
这大大减少了参数（书中的 NiN 约 200 万个，AlexNet 约 4700 万个），代价是训练时间更长。
""", """
## 5.8 Network in Network (NiN)

LeNet, AlexNet and VGG extract spatial features with convolutions and then classify with dense layers. NiN takes another route:
every convolution is followed by two 1×1 convolutions. A 1×1 convolution acts like a dense layer applied across the channels
at each pixel, so a NiN block is like a small perceptron placed at every position. NiN drops dense layers altogether: the last
NiN block has one output channel per class, and **global average pooling** averages each channel over the whole image, giving
each class's score directly. That saves many parameters (about 2 million for the book's NiN against about 47 million for
AlexNet), at the price of slower training.
""")
    nb.question("nin_block", """
写 `nin_block(in_channels, out_channels, kernel_size, stride, padding)`，返回一个 `nn.Sequential`：

| 下标 | 层 |
|---|---|
| 0, 1 | `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)`, `nn.ReLU()` |
| 2, 3 | `nn.Conv2d(out_channels, out_channels, kernel_size=1)`, `nn.ReLU()` |
| 4, 5 | `nn.Conv2d(out_channels, out_channels, kernel_size=1)`, `nn.ReLU()` |
""", """
Write `nin_block(in_channels, out_channels, kernel_size, stride, padding)`, returning an `nn.Sequential`:

| index | layer |
|---|---|
| 0, 1 | `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)`, `nn.ReLU()` |
| 2, 3 | `nn.Conv2d(out_channels, out_channels, kernel_size=1)`, `nn.ReLU()` |
| 4, 5 | `nn.Conv2d(out_channels, out_channels, kernel_size=1)`, `nn.ReLU()` |
""", '''
def nin_block(in_channels, out_channels, kernel_size, stride, padding):
    """NiN 块 / One convolution, then two 1x1 convolutions, each followed by ReLU."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
    )
    ### END SOLUTION
''')
    nb.question("GlobalAvgPool2d", """
写一个全局平均池化层 `GlobalAvgPool2d(nn.Module)`：`forward(X)` 把形状 `(N, C, H, W)` 的输入在高和宽上取平均，返回 `(N, C, 1, 1)`。
它没有参数。（它与 `nn.AdaptiveAvgPool2d(1)` 相同，也与窗口等于整张图的平均池化相同。）
""", """
Write a global average pooling layer `GlobalAvgPool2d(nn.Module)`: `forward(X)` averages an `(N, C, H, W)` input over its
height and width and returns `(N, C, 1, 1)`. It has no parameters. (It equals `nn.AdaptiveAvgPool2d(1)`, and average pooling
with a window as large as the image.)
""", '''
class GlobalAvgPool2d(nn.Module):
    """全局平均池化 / Average over height and width: (N, C, H, W) -> (N, C, 1, 1)."""

    def forward(self, X):
        ### BEGIN SOLUTION
        return X.mean(dim=(2, 3), keepdim=True)
        ### END SOLUTION
''')
    nb.question("nin", """
写 `nin(in_channels=1, num_classes=10)`，返回书中的 NiN，一个 `nn.Sequential`：

| 下标 | 层 |
|---|---|
| 0, 1 | `nin_block(in_channels, 96, kernel_size=11, stride=4, padding=0)`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 2, 3 | `nin_block(96, 256, kernel_size=5, stride=1, padding=2)`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 4, 5 | `nin_block(256, 384, kernel_size=3, stride=1, padding=1)`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 6 | `nn.Dropout(0.5)` |
| 7 | `nin_block(384, num_classes, kernel_size=3, stride=1, padding=1)` |
| 8 | `nn.AdaptiveAvgPool2d((1, 1))`（全局平均池化） |
| 9 | `nn.Flatten()` |

下标 8 请用 PyTorch 自带的 `nn.AdaptiveAvgPool2d`（它算的就是上一题的全局平均池化），这样这道题不受上一题影响。
224×224 输入的形状依次为 (96, 54, 54)、(96, 26, 26)、(256, 26, 26)、(256, 12, 12)、(384, 12, 12)、(384, 5, 5)、(384, 5, 5)、(10, 5, 5)、(10, 1, 1)、(10,)。
评分时按用例的种子填入权重，在评估模式下比较输出、逐层形状和参数个数。
""", """
Write `nin(in_channels=1, num_classes=10)`, returning the book's NiN as an `nn.Sequential`:

| index | layer |
|---|---|
| 0, 1 | `nin_block(in_channels, 96, kernel_size=11, stride=4, padding=0)`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 2, 3 | `nin_block(96, 256, kernel_size=5, stride=1, padding=2)`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 4, 5 | `nin_block(256, 384, kernel_size=3, stride=1, padding=1)`, `nn.MaxPool2d(kernel_size=3, stride=2)` |
| 6 | `nn.Dropout(0.5)` |
| 7 | `nin_block(384, num_classes, kernel_size=3, stride=1, padding=1)` |
| 8 | `nn.AdaptiveAvgPool2d((1, 1))` (global average pooling) |
| 9 | `nn.Flatten()` |

Use PyTorch's own `nn.AdaptiveAvgPool2d` at index 8 (it computes exactly the previous question's global average pooling), so
this question does not depend on that one. At 224×224 the shapes are (96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12),
(384, 12, 12), (384, 5, 5), (384, 5, 5), (10, 5, 5), (10, 1, 1), (10,). The grader fills the weights from the case's seed and
compares, in evaluation mode, the output, every layer's shape and the parameter count.
""", '''
def nin(in_channels=1, num_classes=10):
    """书中的 NiN / The book's NiN for 224x224 inputs: NiN blocks, global average pooling."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nin_block(in_channels, 96, kernel_size=11, stride=4, padding=0),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(96, 256, kernel_size=5, stride=1, padding=2),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(256, 384, kernel_size=3, stride=1, padding=1),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Dropout(0.5),
        nin_block(384, num_classes, kernel_size=3, stride=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
    )
    ### END SOLUTION
''')
    nb.demo("nin-demo", """
NiN 在 224×224 输入上的形状表和参数个数（1,992,166 个），并核对全局平均池化与 `nn.AdaptiveAvgPool2d(1)` 的结果相同。
""", """
NiN's shape table and parameter count (1,992,166) at 224×224, and a check that global average pooling matches
`nn.AdaptiveAvgPool2d(1)`.
""", f"""
try:
    with torch.device("meta"):
        net = nin()
        show_shapes(net, torch.empty(1, 1, 224, 224))
        print("参数个数 / parameters:", sum(p.numel() for p in net.parameters()))
    X = torch.rand(2, 3, 5, 5)
    print("与 nn.AdaptiveAvgPool2d(1) 相同 / equals nn.AdaptiveAvgPool2d(1):",
          torch.allclose(GlobalAvgPool2d()(X), nn.AdaptiveAvgPool2d(1)(X)))
except NotImplementedError:
    {FINISH_FIRST}
""")
    return nb


def main() -> int:
    build().write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
