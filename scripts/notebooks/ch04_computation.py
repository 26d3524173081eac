# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch04_computation/models_layers.ipynb``.

The notebook is generated so that it can be reviewed as Python and rebuilt exactly:

    .venv/bin/python scripts/notebooks/ch04_computation.py

Each question becomes three cells (``<q>-intro`` markdown, ``<q>-answer`` with the
solution between ``### BEGIN SOLUTION`` / ``### END SOLUTION``, ``<q>-check`` calling
``check``), with the nbgrader metadata the release step and nbgrader expect.  Prose is
our own, 简体中文 first and English beneath.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT, NOTEBOOK = "ch04_computation", "models_layers"
OUT = ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
sys.path.insert(0, str(ROOT))

from scripts.notebooks.cells import MasterNotebook, code, md  # noqa: E402


def build() -> nbformat.NotebookNode:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    nb.cells.append(md("intro", """
# 第 4 章 深度学习计算：模型、参数、自定义层、读写与设备 / Chapter 4 Deep-Learning Computation

本作业对应《动手学深度学习》（第一版）第 4 章的 4.1–4.6 节，全部使用 PyTorch。前几章我们把网络当作一个整体来用，
这一章打开它：怎样用 `nn.Module` 搭出自己的模型，怎样查看、初始化和共享参数，怎样让参数形状等到第一批数据到来时再确定，
怎样写自定义层，怎样把参数存到文件里再读回来，以及怎样写出在 CPU 和 GPU 上都能运行的代码。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方（函数体，或类的 `__init__` / `forward`）。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改类名、函数名、参数名和默认值，**也不要改题目规定的属性名**（如 `self.hidden`）：评分程序会用 `load_state_dict(strict=True)` 把它自己的权重装进你的模型，名字或形状不一致就装不进去。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块（`os`、`tempfile`、`torch`、`nn`）已在设置单元格中导入。
- 评分在没有 GPU、没有网络的环境里进行。

---

This assignment covers sections 4.1–4.6 of chapter 4 of *Dive into Deep Learning* (first edition), entirely in PyTorch.
So far we used networks as a whole; this chapter opens them up: building models of our own with `nn.Module`, looking at,
initialising and sharing parameters, letting parameter shapes wait for the first batch, writing custom layers, saving
parameters to files and reading them back, and writing code that runs on a CPU or a GPU alike.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write (a function body, or a class's `__init__` / `forward`). Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename classes, functions, arguments or defaults, **and keep the attribute names the question gives** (such as `self.hidden`): the grader loads its own weights into your model with `load_state_dict(strict=True)`, which fails when names or shapes differ.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need (`os`, `tempfile`, `torch`, `nn`) are imported in the setup cell.
- Grading runs without a GPU and without network access.
""", ""))
    nb.cells[-1].source = nb.cells[-1].source.removesuffix("\n\n---\n\n")
    nb.cells.append(code("setup", f"""
import os
import tempfile

import torch
from torch import nn

from autograder.check import Checker

check = Checker("{ASSIGNMENT}", "{NOTEBOOK}")
""", "setup"))

    # ---------------------------------------------------------------- §4.1
    nb.cells.append(md("sec-4-1", """
## 4.1 模型构造 / Model Construction

PyTorch 里的层和模型都是 `nn.Module` 的子类。写一个模型只需两件事：在 `__init__` 里创建它要用的层并赋给属性，
在 `forward` 里写出前向计算。反向传播由自动求导负责，不用自己写。赋给属性的层会被 `nn.Module` 自动“登记”，
于是 `parameters()`、`state_dict()`、`.to(device)` 都能找到它们——前提是先调用了 `super().__init__()`。
""", """
## 4.1 Model Construction

In PyTorch layers and models alike are subclasses of `nn.Module`. Writing a model takes two things: create the layers it uses
in `__init__` and assign them to attributes, and write the forward computation in `forward`. Autograd takes care of the
backward pass. Layers assigned to attributes are *registered* by `nn.Module`, so `parameters()`, `state_dict()` and
`.to(device)` find them — provided `super().__init__()` ran first.
"""))
    nb.question("MLP", """
写一个多层感知机类 `MLP(num_inputs=784, num_hiddens=256, num_outputs=10)`：

- `__init__` 先调用 `super().__init__()`，再创建三个属性：`self.hidden = nn.Linear(num_inputs, num_hiddens)`、`self.act = nn.ReLU()`、`self.output = nn.Linear(num_hiddens, num_outputs)`。
- `forward(X)` 返回 `output(act(hidden(X)))`。
- 默认大小就是书中的 784 → 256 → 10；评分程序会传入更小的大小，并装入自己的权重。
""", """
Write a multilayer perceptron class `MLP(num_inputs=784, num_hiddens=256, num_outputs=10)`:

- `__init__` first calls `super().__init__()`, then creates three attributes: `self.hidden = nn.Linear(num_inputs, num_hiddens)`, `self.act = nn.ReLU()` and `self.output = nn.Linear(num_hiddens, num_outputs)`.
- `forward(X)` returns `output(act(hidden(X)))`.
- The defaults are the book's sizes 784 → 256 → 10; the grader passes smaller sizes and loads its own weights.
""", '''
class MLP(nn.Module):
    """单隐藏层感知机 / One-hidden-layer perceptron: hidden -> ReLU -> output."""

    def __init__(self, num_inputs=784, num_hiddens=256, num_outputs=10):
        ### BEGIN SOLUTION
        super().__init__()
        self.hidden = nn.Linear(num_inputs, num_hiddens)
        self.act = nn.ReLU()
        self.output = nn.Linear(num_hiddens, num_outputs)
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        return self.output(self.act(self.hidden(X)))
        ### END SOLUTION
''')
    nb.demo("mlp-demo", """
用默认大小建一个 `MLP`，喂入两张“展平的图片”，看输出形状和参数个数（784·256 + 256 + 256·10 + 10 = 203530）。
""", """
Build an `MLP` with the default sizes, feed it two "flattened images", and look at the output shape and the parameter count
(784·256 + 256 + 256·10 + 10 = 203530).
""", """
try:
    net = MLP()
    X = torch.rand(2, 784)
    print("输出形状 / output shape:", tuple(net(X).shape))
    print("参数个数 / parameters:", sum(p.numel() for p in net.parameters()))
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
""")
    nb.question("MySequential", """
自己写一个简化的 `nn.Sequential`：`MySequential(*modules)`。

- `__init__` 按传入的顺序，用 `self.add_module(str(idx), module)` 把第 `idx` 个模块登记为名为 `"0"`、`"1"`、…… 的子模块。这样参数名会是 `0.weight`、`2.bias` 这样的形式，与 `nn.Sequential` 一致。
- `forward(X)` 依次把 `X` 交给每个子模块（`self.children()` 按登记顺序给出它们），返回最后的结果。
- 不要把模块放在普通的 Python 列表里：那样它们不会被登记，参数也就“消失”了。
""", """
Write a simplified `nn.Sequential` of your own: `MySequential(*modules)`.

- `__init__` registers the modules in the given order with `self.add_module(str(idx), module)`, under the names `"0"`, `"1"`, …. Parameter names then look like `0.weight` and `2.bias`, as in `nn.Sequential`.
- `forward(X)` passes `X` through every child in turn (`self.children()` yields them in registration order) and returns the result.
- Do not keep the modules in a plain Python list: they would not be registered and their parameters would "disappear".
""", '''
class MySequential(nn.Module):
    """简化版 Sequential / A minimal Sequential: children named "0", "1", ..., applied in order."""

    def __init__(self, *modules):
        ### BEGIN SOLUTION
        super().__init__()
        for idx, module in enumerate(modules):
            self.add_module(str(idx), module)
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        for module in self.children():
            X = module(X)
        return X
        ### END SOLUTION
''')
    nb.question("FancyMLP", """
`forward` 里可以使用任意 Python 控制流，也可以用不参与训练的常数。写 `FancyMLP()`（输入有 20 个特征）：

- `__init__`：用 `self.register_buffer("rand_weight", torch.rand(20, 20))` 登记一个常数矩阵（它会随模型保存和移动，但**不是**参数，优化器不会改它）；再创建 `self.linear = nn.Linear(20, 20)`。
- `forward(X)`：
  1. `X = linear(X)`；
  2. `X = relu(X @ rand_weight + 1)`；
  3. 再用**同一个** `linear` 一次（两次使用共享参数）；
  4. 当 `X.norm().item() > 1` 时反复执行 `X /= 2`；
  5. 之后如果 `X.norm().item() < 0.8`，就 `X *= 10`；
  6. 返回 `X.sum()`（一个标量张量）。
- 模型只有 420 个参数（`linear` 的 400 个权重和 20 个偏置）。
""", """
`forward` may use any Python control flow, and constants that are not trained. Write `FancyMLP()` (inputs have 20 features):

- `__init__`: register a constant matrix with `self.register_buffer("rand_weight", torch.rand(20, 20))` (it is saved and moved with the model but is **not** a parameter, so no optimiser changes it); then create `self.linear = nn.Linear(20, 20)`.
- `forward(X)`:
  1. `X = linear(X)`;
  2. `X = relu(X @ rand_weight + 1)`;
  3. apply the **same** `linear` again (its parameters are shared by the two uses);
  4. while `X.norm().item() > 1`, do `X /= 2`;
  5. then, if `X.norm().item() < 0.8`, do `X *= 10`;
  6. return `X.sum()` (a scalar tensor).
- The model has 420 parameters only (the 400 weights and 20 biases of `linear`).
""", '''
class FancyMLP(nn.Module):
    """常数权重、重复使用的层和控制流 / A constant weight, a reused layer and control flow."""

    def __init__(self):
        ### BEGIN SOLUTION
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(20, 20))
        self.linear = nn.Linear(20, 20)
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        X = self.linear(X)
        X = torch.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)
        while X.norm().item() > 1:
            X /= 2
        if X.norm().item() < 0.8:
            X *= 10
        return X.sum()
        ### END SOLUTION
''')
    nb.question("NestMLP", """
模块可以嵌套。写 `NestMLP()`（输入 40 个特征，输出 16 个）：

- `self.net = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())`；
- `self.dense = nn.Linear(32, 16)`；
- `forward(X)` 返回 `relu(dense(net(X)))`。

内层 `Sequential` 的参数名会带上前缀，例如 `net.0.weight`。
""", """
Modules nest. Write `NestMLP()` (40 input features, 16 outputs):

- `self.net = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())`;
- `self.dense = nn.Linear(32, 16)`;
- `forward(X)` returns `relu(dense(net(X)))`.

The inner `Sequential`'s parameter names get a prefix, e.g. `net.0.weight`.
""", '''
class NestMLP(nn.Module):
    """嵌套的模块 / A module holding a Sequential and a layer of its own."""

    def __init__(self):
        ### BEGIN SOLUTION
        super().__init__()
        self.net = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.dense = nn.Linear(32, 16)
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        return torch.relu(self.dense(self.net(X)))
        ### END SOLUTION
''')
    nb.demo("nest-demo", """
把各种模块自由组合：`NestMLP`（40 → 16）、一个 `nn.Linear(16, 20)` 和 `FancyMLP`（20 → 标量）串在一起。
""", """
Modules combine freely: chain a `NestMLP` (40 → 16), an `nn.Linear(16, 20)` and a `FancyMLP` (20 → a scalar).
""", """
try:
    chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FancyMLP())
    print("输出 / output:", chimera(torch.rand(2, 40)))
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
""")

    # ---------------------------------------------------------------- §4.2
    nb.cells.append(md("sec-4-2", """
## 4.2 模型参数的访问、初始化和共享 / Access, Initialisation and Sharing of Parameters

`net.named_parameters()` 按登记顺序给出每个参数的名字和张量（例如 `0.weight`），`net[0].weight` 直接取出某一层的权重；
参数是 `nn.Parameter`，它的 `.grad` 在反向传播后保存梯度。`torch.nn.init` 提供各种初始化函数（名字以下划线结尾，表示原地修改）。
""", """
## 4.2 Access, Initialisation and Sharing of Parameters

`net.named_parameters()` yields every parameter's name and tensor in registration order (for example `0.weight`), and
`net[0].weight` gets one layer's weight directly. Parameters are `nn.Parameter`s; after a backward pass their `.grad` holds the
gradient. `torch.nn.init` provides initialisers (their names end in an underscore: they change the tensor in place).
"""))
    nb.question("param_report", """
写 `param_report(net, X)`：

- 计算 `Y = net(X)`，对 `Y.sum()` 做一次反向传播（用求和，而不是求平均）。
- 返回一个字典：键是 `net.named_parameters()` 给出的每个参数名，值是 `{"shape": 形状的列表, "grad": 该参数梯度的副本}`。

例如 `nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))` 的键是 `0.weight`、`0.bias`、`2.weight`、`2.bias`（`ReLU` 没有参数）。
""", """
Write `param_report(net, X)`:

- Compute `Y = net(X)` and back-propagate `Y.sum()` once (the sum, not the mean).
- Return a dict whose keys are the parameter names `net.named_parameters()` gives and whose values are `{"shape": the shape as a list, "grad": a copy of that parameter's gradient}`.

For example the keys for `nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))` are `0.weight`, `0.bias`, `2.weight`, `2.bias` (`ReLU` has no parameters).
""", '''
def param_report(net, X):
    """参数形状与梯度 / Each parameter's shape and gradient after backward of net(X).sum()."""
    ### BEGIN SOLUTION
    Y = net(X)
    Y.sum().backward()
    report = {}
    for name, param in net.named_parameters():
        report[name] = {"shape": list(param.shape), "grad": param.grad.detach().clone()}
    return report
    ### END SOLUTION
''')
    nb.demo("init-demo", """
内置初始化：把所有线性层的权重设为标准差 0.01 的正态分布、偏置设为 0，或者全部设为常数 1；也可以只对某一层用 Xavier 初始化。
""", """
Built-in initialisers: weights normal with standard deviation 0.01 and zero biases for every linear layer, or everything set to
the constant 1; Xavier initialisation can also be applied to one layer only.
""", """
def init_normal(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, mean=0.0, std=0.01)
        nn.init.zeros_(m.bias)


def init_constant(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)


demo_net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
demo_net.apply(init_normal)
print("normal:", demo_net[0].weight.std().item(), demo_net[0].bias[:3].tolist())
demo_net.apply(init_constant)
print("constant:", demo_net[0].weight[0].tolist())
nn.init.xavier_uniform_(demo_net[2].weight)
print("xavier (layer 2):", demo_net[2].weight.detach()[0, :4].tolist())
""")
    nb.question("my_init", """
有时需要内置函数没有的初始化方法。写 `my_init(net)`，对 `net` 中**每个** `nn.Linear` 的权重原地执行：

1. 从均匀分布 U(−10, 10) 中抽样（`nn.init.uniform_`）；
2. 再把绝对值小于 5 的元素置为 0（例如乘以 `weight.abs() >= 5`）。

偏置保持不变，函数不返回任何值。原地修改参数要放在 `with torch.no_grad():` 里。结果是随机的，评分程序检查统计性质：
每个权重要么是 0，要么满足 5 ≤ |w| ≤ 10，约一半为 0，非零值正负各半、均匀分布。
""", """
Sometimes we need an initialiser the library does not have. Write `my_init(net)`, which, for the weight of **every**
`nn.Linear` in `net`, in place:

1. draws from the uniform distribution U(−10, 10) (`nn.init.uniform_`);
2. sets to 0 the entries whose magnitude is below 5 (e.g. multiply by `weight.abs() >= 5`).

Biases stay as they are; the function returns nothing. Change parameters in place inside `with torch.no_grad():`. The result
is random, so the grader checks statistics: every weight is 0 or satisfies 5 ≤ |w| ≤ 10, about half are 0, and the non-zero
ones are evenly positive and negative and spread uniformly.
""", '''
def my_init(net):
    """自定义初始化 / U(-10, 10), then zero where |w| < 5, for every nn.Linear weight; in place."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Linear):
                nn.init.uniform_(m.weight, -10, 10)
                m.weight *= m.weight.abs() >= 5
    ### END SOLUTION
''')
    nb.question("shared_grad", """
同一个层对象在模型里用两次，它的参数就被共享。写 `shared_grad(w, X)`：

- 建一个 `layer = nn.Linear(1, 1, bias=False)`，把它的权重设为 `w`（`nn.init.constant_`）；
- `net = nn.Sequential(layer, layer)`（**同一个**对象用两次，不是复制）；
- `y = net(X).sum()`，反向传播；
- 返回 `{"y": y（去掉计算图的标量张量）, "grad": layer.weight.grad 的副本, "num_params": net 的参数元素总数}`。

因为 $y = w \\cdot (w \\cdot x)$，两次使用的梯度会累加：$\\partial y / \\partial w = 2wx$。例如 `w = 3`、`X = [[1.]]` 时 `y = 9`、梯度为 6，参数个数为 1。
""", """
A layer object used twice in a model shares its parameters. Write `shared_grad(w, X)`:

- build `layer = nn.Linear(1, 1, bias=False)` and set its weight to `w` (`nn.init.constant_`);
- `net = nn.Sequential(layer, layer)` (the **same** object twice, not a copy);
- `y = net(X).sum()`, then back-propagate;
- return `{"y": y (a detached scalar tensor), "grad": a copy of layer.weight.grad, "num_params": the number of parameter elements in net}`.

Since $y = w \\cdot (w \\cdot x)$, the gradients of the two uses add up: $\\partial y / \\partial w = 2wx$. For `w = 3` and
`X = [[1.]]`, `y = 9`, the gradient is 6 and there is 1 parameter.
""", '''
def shared_grad(w, X):
    """共享参数的梯度 / y and dy/dw for Sequential(layer, layer) with one shared Linear(1, 1)."""
    ### BEGIN SOLUTION
    layer = nn.Linear(1, 1, bias=False)
    nn.init.constant_(layer.weight, w)
    net = nn.Sequential(layer, layer)
    y = net(X).sum()
    y.backward()
    num_params = sum(p.numel() for p in net.parameters())
    return {"y": y.detach(), "grad": layer.weight.grad.detach().clone(), "num_params": num_params}
    ### END SOLUTION
''')

    # ---------------------------------------------------------------- §4.3
    nb.cells.append(md("sec-4-3", """
## 4.3 模型参数的延后初始化 / Deferred Initialisation

书中的 Gluon 会等到第一批数据经过网络时才确定参数形状并初始化。PyTorch 中对应的是 `nn.LazyLinear(out_features)`：
它不需要输入大小，参数先是没有形状的 `nn.parameter.UninitializedParameter`，第一次前向计算时才按输入的列数确定形状并初始化。
所以自定义初始化要在一次“试运行”之后再做。
""", """
## 4.3 Deferred Initialisation

The book's Gluon waits for the first batch to pass through the network before it fixes parameter shapes and initialises them.
PyTorch's counterpart is `nn.LazyLinear(out_features)`: it needs no input size; its parameters start as shapeless
`nn.parameter.UninitializedParameter`s and get their shape (from the number of input columns) and their values on the first
forward pass. A custom initialisation therefore comes after one "dry run".
"""))
    nb.question("deferred_init_report", """
写 `deferred_init_report(X, num_hiddens, num_outputs)`：

- 建 `net = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LazyLinear(num_outputs))`；
- 在前向计算**之前**，记录每个参数（按 `net.parameters()` 的顺序）是否为 `nn.parameter.UninitializedParameter`，得到布尔值列表；
- 计算 `Y = net(X)`；
- 返回 `{"uninitialized_before": 布尔值列表, "shapes_after": [[名字, 形状列表], ...]（按 named_parameters 的顺序）, "output_shape": Y 的形状列表}`。
""", """
Write `deferred_init_report(X, num_hiddens, num_outputs)`:

- build `net = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LazyLinear(num_outputs))`;
- **before** the forward pass, record for every parameter (in `net.parameters()` order) whether it is an `nn.parameter.UninitializedParameter`, as a list of bools;
- compute `Y = net(X)`;
- return `{"uninitialized_before": the list of bools, "shapes_after": [[name, shape as a list], ...] (in named_parameters order), "output_shape": Y's shape as a list}`.
""", '''
def deferred_init_report(X, num_hiddens, num_outputs):
    """延后初始化 / Which LazyLinear parameters wait for data, and their shapes after one batch."""
    ### BEGIN SOLUTION
    net = nn.Sequential(nn.LazyLinear(num_hiddens), nn.ReLU(), nn.LazyLinear(num_outputs))
    before = [isinstance(p, nn.parameter.UninitializedParameter) for p in net.parameters()]
    Y = net(X)
    after = [[name, list(p.shape)] for name, p in net.named_parameters()]
    return {"uninitialized_before": before, "shapes_after": after, "output_shape": list(Y.shape)}
    ### END SOLUTION
''')

    # ---------------------------------------------------------------- §4.4
    nb.cells.append(md("sec-4-4", """
## 4.4 自定义层 / Custom Layers

自定义层和自定义模型一样，都是 `nn.Module` 的子类。层可以没有参数；需要参数时，把张量包成 `nn.Parameter` 赋给属性，
或者放进 `nn.ParameterList` / `nn.ParameterDict`，它们才会被登记。
""", """
## 4.4 Custom Layers

Custom layers are `nn.Module` subclasses, like custom models. A layer may have no parameters; when it needs some, wrap tensors
in `nn.Parameter` and assign them to attributes, or put them in an `nn.ParameterList` / `nn.ParameterDict`, so that they are
registered.
"""))
    nb.question("CenteredLayer", """
写一个没有参数的层 `CenteredLayer()`：`forward(X)` 返回 `X` 减去**所有元素**的平均值。例如 `[1, 2, 3, 4, 5]` 变成 `[-2, -1, 0, 1, 2]`。
""", """
Write a layer without parameters, `CenteredLayer()`: `forward(X)` returns `X` minus the mean of **all its elements**. For
example `[1, 2, 3, 4, 5]` becomes `[-2, -1, 0, 1, 2]`.
""", '''
class CenteredLayer(nn.Module):
    """减去均值 / Subtract the mean of all elements."""

    def forward(self, X):
        ### BEGIN SOLUTION
        return X - X.mean()
        ### END SOLUTION
''')
    nb.question("MyDense", """
写书中的全连接层 `MyDense(units, in_units)`（注意参数顺序：输出个数在前）：

- `self.weight = nn.Parameter(torch.randn(in_units, units))`（形状是 **(输入, 输出)**，与 `nn.Linear` 的 (输出, 输入) 相反）；
- `self.bias = nn.Parameter(torch.randn(units))`；
- `forward(X)` 返回 `relu(X @ weight + bias)`。
""", """
Write the book's fully connected layer `MyDense(units, in_units)` (mind the order: the number of outputs comes first):

- `self.weight = nn.Parameter(torch.randn(in_units, units))` (shape **(inputs, outputs)**, the opposite of `nn.Linear`'s (outputs, inputs));
- `self.bias = nn.Parameter(torch.randn(units))`;
- `forward(X)` returns `relu(X @ weight + bias)`.
""", '''
class MyDense(nn.Module):
    """自定义全连接层 / relu(X @ weight + bias) with weight of shape (in_units, units)."""

    def __init__(self, units, in_units):
        ### BEGIN SOLUTION
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        return torch.relu(torch.matmul(X, self.weight) + self.bias)
        ### END SOLUTION
''')
    nb.question("MyListDense", """
写 `MyListDense()`，把参数放在 `nn.ParameterList` 里：

- `self.params = nn.ParameterList([...])`，先放 3 个 `nn.Parameter(torch.randn(4, 4))`，再用 `append` 加一个 `nn.Parameter(torch.randn(4, 1))`；
- `forward(X)` 依次把 `X` 乘以这些矩阵（`torch.mm`），形状 `(n, 4)` 的输入得到 `(n, 1)` 的输出。

参数名是 `params.0` … `params.3`。
""", """
Write `MyListDense()`, keeping its parameters in an `nn.ParameterList`:

- `self.params = nn.ParameterList([...])` with three `nn.Parameter(torch.randn(4, 4))` first, then `append` one `nn.Parameter(torch.randn(4, 1))`;
- `forward(X)` multiplies `X` by these matrices in order (`torch.mm`), so an `(n, 4)` input gives an `(n, 1)` output.

The parameter names are `params.0` … `params.3`.
""", '''
class MyListDense(nn.Module):
    """ParameterList 中的参数 / Multiply by the matrices of an nn.ParameterList in order."""

    def __init__(self):
        ### BEGIN SOLUTION
        super().__init__()
        self.params = nn.ParameterList([nn.Parameter(torch.randn(4, 4)) for _ in range(3)])
        self.params.append(nn.Parameter(torch.randn(4, 1)))
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        for param in self.params:
            X = torch.mm(X, param)
        return X
        ### END SOLUTION
''')
    nb.question("MyDictDense", """
写 `MyDictDense()`，把参数放在 `nn.ParameterDict` 里，由 `forward` 的参数选择用哪一个：

- `self.params = nn.ParameterDict({"linear1": 4×4 的参数, "linear2": 4×1 的参数})`，再用 `update` 加上 `"linear3"`（4×2），都用 `torch.randn` 初始化；
- `forward(X, choice="linear1")` 返回 `torch.mm(X, self.params[choice])`。
""", """
Write `MyDictDense()`, keeping its parameters in an `nn.ParameterDict` and letting an argument of `forward` pick one:

- `self.params = nn.ParameterDict({"linear1": a 4×4 parameter, "linear2": a 4×1 parameter})`, then add `"linear3"` (4×2) with `update`; initialise all with `torch.randn`;
- `forward(X, choice="linear1")` returns `torch.mm(X, self.params[choice])`.
""", '''
class MyDictDense(nn.Module):
    """ParameterDict 中的参数 / X @ params[choice] for an nn.ParameterDict of matrices."""

    def __init__(self):
        ### BEGIN SOLUTION
        super().__init__()
        self.params = nn.ParameterDict({
            "linear1": nn.Parameter(torch.randn(4, 4)),
            "linear2": nn.Parameter(torch.randn(4, 1)),
        })
        self.params.update({"linear3": nn.Parameter(torch.randn(4, 2))})
        ### END SOLUTION

    def forward(self, X, choice="linear1"):
        ### BEGIN SOLUTION
        return torch.mm(X, self.params[choice])
        ### END SOLUTION
''')

    # ---------------------------------------------------------------- §4.5
    nb.cells.append(md("sec-4-5", """
## 4.5 读取和存储 / Reading and Storing

`torch.save(obj, path)` 把张量、张量的列表或字典、以及模型的 `state_dict()` 写入文件；`torch.load(path, weights_only=True)`
把它们读回来。`weights_only=True` 只允许读出张量和普通容器，不会执行文件里藏着的代码，读不受信任的文件时尤其重要。
存模型时只存参数（`state_dict`），读回时先重新建出同样结构的模型，再 `load_state_dict`。
下面的函数都在 `tempfile.TemporaryDirectory()` 里读写，所以无论在哪里运行都不会留下文件。
""", """
## 4.5 Reading and Storing

`torch.save(obj, path)` writes tensors, lists or dicts of tensors, and a model's `state_dict()` to a file;
`torch.load(path, weights_only=True)` reads them back. `weights_only=True` accepts only tensors and plain containers and never
runs code hidden in the file, which matters when the file is not trusted. To store a model we store its parameters (the
`state_dict`); to reload it we build the same architecture again and call `load_state_dict`. The functions below work inside
`tempfile.TemporaryDirectory()`, so they leave no file behind wherever they run.
"""))
    nb.question("save_load_roundtrip", """
写 `save_load_roundtrip(x, y)`：在 `with tempfile.TemporaryDirectory() as folder:` 里

- 把 `x` 存为 `folder` 下的 `x-file` 并读回，得到 `x2`；
- 把列表 `[x, y]` 存为 `x-files` 并读回（读回的仍是列表）；
- 把字典 `{"x": x, "y": y}` 存为 `mydict` 并读回；
- 读取时都用 `weights_only=True`；离开 `with` 之前，用 `sorted(os.listdir(folder))` 记下文件名。

返回 `{"x": x2, "list": 读回的列表, "dict": 读回的字典, "files": 文件名列表}`。
""", """
Write `save_load_roundtrip(x, y)`: inside `with tempfile.TemporaryDirectory() as folder:`

- save `x` as `x-file` in `folder` and load it back as `x2`;
- save the list `[x, y]` as `x-files` and load it back (it comes back as a list);
- save the dict `{"x": x, "y": y}` as `mydict` and load it back;
- always load with `weights_only=True`; before leaving the `with` block, record the file names with `sorted(os.listdir(folder))`.

Return `{"x": x2, "list": the loaded list, "dict": the loaded dict, "files": the list of file names}`.
""", '''
def save_load_roundtrip(x, y):
    """张量的存取 / Save and reload a tensor, a list and a dict of tensors in a temporary folder."""
    ### BEGIN SOLUTION
    with tempfile.TemporaryDirectory() as folder:
        torch.save(x, os.path.join(folder, "x-file"))
        x2 = torch.load(os.path.join(folder, "x-file"), weights_only=True)
        torch.save([x, y], os.path.join(folder, "x-files"))
        pair = torch.load(os.path.join(folder, "x-files"), weights_only=True)
        torch.save({"x": x, "y": y}, os.path.join(folder, "mydict"))
        mydict = torch.load(os.path.join(folder, "mydict"), weights_only=True)
        files = sorted(os.listdir(folder))
    return {"x": x2, "list": pair, "dict": mydict, "files": files}
    ### END SOLUTION
''')
    nb.question("save_load_model", """
写 `save_load_model(make_net, X)`，其中 `make_net()` 每次调用都会新建一个随机初始化的模型：

1. `net = make_net()`，切到评估模式，在 `torch.no_grad()` 下算 `Y = net(X)`；
2. 在临时目录里用 `torch.save(net.state_dict(), 路径)` 存下参数；
3. `clone = make_net()`（它的初始参数和 `net` 不同），再 `clone.load_state_dict(torch.load(路径, weights_only=True))`；
4. 切到评估模式，在 `torch.no_grad()` 下算 `Y_clone = clone(X)`。

返回 `{"equal": bool(torch.equal(Y, Y_clone)), "Y": Y_clone, "keys": net.state_dict() 的键列表}`。
""", """
Write `save_load_model(make_net, X)`, where each call of `make_net()` builds a new, randomly initialised model:

1. `net = make_net()`, switch it to evaluation mode and compute `Y = net(X)` under `torch.no_grad()`;
2. in a temporary folder, store its parameters with `torch.save(net.state_dict(), path)`;
3. `clone = make_net()` (its initial parameters differ from `net`'s), then `clone.load_state_dict(torch.load(path, weights_only=True))`;
4. switch it to evaluation mode and compute `Y_clone = clone(X)` under `torch.no_grad()`.

Return `{"equal": bool(torch.equal(Y, Y_clone)), "Y": Y_clone, "keys": the list of net.state_dict()'s keys}`.
""", '''
def save_load_model(make_net, X):
    """模型参数的存取 / Save net's state_dict and load it into a fresh make_net(); compare outputs."""
    ### BEGIN SOLUTION
    net = make_net()
    net.eval()
    with torch.no_grad():
        Y = net(X)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "net.params")
        torch.save(net.state_dict(), path)
        clone = make_net()
        clone.load_state_dict(torch.load(path, weights_only=True))
    clone.eval()
    with torch.no_grad():
        Y_clone = clone(X)
    return {"equal": bool(torch.equal(Y, Y_clone)), "Y": Y_clone,
            "keys": list(net.state_dict().keys())}
    ### END SOLUTION
''')
    nb.demo("mlp-save-demo", """
用 4.1 节的 `MLP` 走一遍：存参数、建一个新 `MLP`、读回参数，两者的输出完全相同。
""", """
The same with 4.1's `MLP`: save the parameters, build a new `MLP`, load them back; both give exactly the same output.
""", """
try:
    result = save_load_model(MLP, torch.rand(2, 784))
    print("输出相同 / outputs equal:", result["equal"], " 键 / keys:", result["keys"])
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
""")

    # ---------------------------------------------------------------- §4.6
    nb.cells.append(md("sec-4-6", """
## 4.6 GPU 计算 / GPU Computing

张量和模型都放在某个设备上：`"cpu"` 或 `"cuda:0"`、`"cuda:1"`……。参与同一次运算的张量必须在同一设备上，
所以与设备无关的代码要把模型（`net.to(device)`）和数据（`X.to(device)`）都移到同一个设备。评分环境没有 GPU，
所以下面的函数把 GPU 的个数或设备作为参数传入；`"meta"` 设备只记录形状、不存数值，正好用来检查代码有没有把所有东西都移过去。
""", """
## 4.6 GPU Computing

Tensors and models live on a device: `"cpu"` or `"cuda:0"`, `"cuda:1"`, …. Tensors in one operation must share a device, so
device-agnostic code moves both the model (`net.to(device)`) and the data (`X.to(device)`) to the same device. The grader has
no GPU, so the functions below take the number of GPUs or the device as an argument; the `"meta"` device keeps shapes but no
values, which is just right for checking that code moves everything.
"""))
    nb.question("try_gpu", """
写 `try_gpu(i=0, num_gpus=None)`：`num_gpus` 为 `None` 时用 `torch.cuda.device_count()`；如果第 `i` 个 GPU 存在（`i < num_gpus`），
返回字符串 `f"cuda:{i}"`，否则返回 `"cpu"`。返回字符串即可：torch 的函数都接受设备名字符串。
""", """
Write `try_gpu(i=0, num_gpus=None)`: when `num_gpus` is `None` use `torch.cuda.device_count()`; if GPU `i` exists
(`i < num_gpus`) return the string `f"cuda:{i}"`, otherwise `"cpu"`. A string is enough: torch functions accept device names.
""", '''
def try_gpu(i=0, num_gpus=None):
    """第 i 个 GPU 或 CPU / "cuda:i" if GPU i exists, else "cpu"."""
    ### BEGIN SOLUTION
    if num_gpus is None:
        num_gpus = torch.cuda.device_count()
    return f"cuda:{i}" if 0 <= i < num_gpus else "cpu"
    ### END SOLUTION
''')
    nb.question("try_all_gpus", """
写 `try_all_gpus(num_gpus=None)`：返回所有 GPU 的名字 `["cuda:0", "cuda:1", ...]`；一个 GPU 都没有时返回 `["cpu"]`。
`num_gpus` 的含义同上。
""", """
Write `try_all_gpus(num_gpus=None)`: return the names of all GPUs, `["cuda:0", "cuda:1", ...]`, or `["cpu"]` when there is
none. `num_gpus` means the same as above.
""", '''
def try_all_gpus(num_gpus=None):
    """所有 GPU 或 ["cpu"] / Every GPU's name, or ["cpu"] when there is none."""
    ### BEGIN SOLUTION
    if num_gpus is None:
        num_gpus = torch.cuda.device_count()
    devices = [f"cuda:{i}" for i in range(num_gpus)]
    return devices if devices else ["cpu"]
    ### END SOLUTION
''')
    nb.question("forward_on", """
写 `forward_on(net, X, device)`：把 `net` 和 `X` 都移到 `device`，计算 `Y = net(X)`，返回
`{"device": str(Y.device), "shape": Y 的形状列表, "param_devices": [str(p.device) for p in net.parameters()]}`。
评分时 `device` 是 `"meta"`，只要漏移了模型或数据，torch 就会报错。
""", """
Write `forward_on(net, X, device)`: move both `net` and `X` to `device`, compute `Y = net(X)`, and return
`{"device": str(Y.device), "shape": Y's shape as a list, "param_devices": [str(p.device) for p in net.parameters()]}`.
The grader uses `device="meta"`; forgetting to move either the model or the data makes torch raise an error.
""", '''
def forward_on(net, X, device):
    """与设备无关的前向计算 / Run net on X on device; report where the output and parameters are."""
    ### BEGIN SOLUTION
    net = net.to(device)
    Y = net(X.to(device))
    return {"device": str(Y.device), "shape": list(Y.shape),
            "param_devices": [str(p.device) for p in net.parameters()]}
    ### END SOLUTION
''')
    nb.demo("gpu-demo", """
在你自己的机器上看看有哪些设备，并在 `try_gpu()` 给出的设备上建一个张量（没有 GPU 时就是 CPU）。
""", """
See which devices your own machine has, and create a tensor on the device `try_gpu()` names (the CPU when there is no GPU).
""", """
try:
    print("try_gpu():", try_gpu(), " try_all_gpus():", try_all_gpus())
    print(torch.ones(2, 3, device=try_gpu()))
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
""")

    return nb.build()


def main() -> int:
    nb = build()
    nbformat.validate(nb)
    nbformat.write(nb, OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
