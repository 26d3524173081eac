# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch07_optimization/optimizers.ipynb`` (§7.1–7.8).

    .venv/bin/python scripts/notebooks/ch07_optimization.py

Built with :class:`scripts.notebooks.cells.MasterNotebook`; prose is our own, 简体中文 first
and English beneath.  The questions and their points come from
``solutions/ch07_optimization/questions.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch07_optimization", "optimizers"

NOT_YET = """except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")"""

STEP_RULES_ZH = """
- `params` 是 `[w, b]`：两个 `requires_grad=True` 的张量，`.grad` 里已经有梯度。**原地**更新它们（在 `with torch.no_grad():` 里用 `p -= ...`），不要返回任何东西。
- `states` 是对应的 `init_..._states` 返回的那种结构，**也要原地更新**（`s += ...`、`s.mul_(...)`、`s[:] = ...`）；写成 `s = ...` 只会改掉局部变量，下一步就丢了。
- 评分时状态不一定是 0：用例会给出任意（合理的）状态，检查一步之后的参数和状态。"""

STEP_RULES_EN = """
- `params` is `[w, b]`: two tensors with `requires_grad=True` whose `.grad` already holds the gradient. Update them **in place** (`p -= ...` inside `with torch.no_grad():`) and return nothing.
- `states` has the structure that the matching `init_..._states` returns, and is **updated in place as well** (`s += ...`, `s.mul_(...)`, `s[:] = ...`); `s = ...` only rebinds a local name and the next step loses it.
- During grading the states are not necessarily zero: the cases pass arbitrary (sensible) states and check the parameters and states after one step."""


def intro(nb: MasterNotebook) -> None:
    nb.md("intro", """
# 第 7 章 优化算法

本作业对应《动手学深度学习》（第一版）第 7 章的 7.1–7.8 节，全部使用 PyTorch。我们先看优化为什么难（局部最小值和鞍点），
再从最简单的梯度下降出发，一步步写出动量法、AdaGrad、RMSProp、AdaDelta 和 Adam，每个都从公式开始手写，并在同一个线性回归问题上比较它们。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改函数名、参数名和参数顺序。返回题目要求的那种值：张量或 NumPy 数组不能代替 Python 的列表或数，`Counter` 也不能代替 `dict`；列表和元组算作相同，要求浮点数时整数也可以。
- 需要评分的代码里没有要抽的随机数：需要随机性的地方（噪声、小批量的顺序）都作为参数传进来，照用即可。
- 答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。评分在没有 GPU、没有网络的环境里进行。
""", """
# Chapter 7 Optimization Algorithms

This assignment covers sections 7.1–7.8 of chapter 7 of *Dive into Deep Learning* (first edition), entirely in PyTorch. We first see why
optimisation is hard (local minima and saddle points), then start from plain gradient descent and write momentum, AdaGrad, RMSProp,
AdaDelta and Adam one after another, each from its formulas, and compare them on the same linear-regression problem.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename functions or arguments or change their order. Return the kind of value a question asks for: a tensor or a NumPy array does not stand in for a Python list or number, nor a `Counter` for a `dict`; a list and a tuple count as the same, and an integer passes where a float is asked.
- Nothing graded here draws random numbers: whatever is random (the noise, the order of the minibatches) comes in as an argument, to be used as given.
- Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell. Grading runs without a GPU and without network access.
""")
    nb.setup("""
import math
import os
from functools import partial
from pathlib import Path

import numpy as np
import torch

# 本章的张量都很小：单线程更快，结果也更可复现。
# The tensors of this chapter are tiny: one thread is faster and the results more reproducible.
torch.set_num_threads(1)
""")


def sec_7_1(nb: MasterNotebook) -> None:
    nb.md("sec-7-1", """
## 7.1 优化与深度学习

优化算法只管让训练损失变小；泛化是另一回事。让损失变小本身就不容易，两个典型的障碍是：

- **局部最小值**：例如 $f(x) = x\\cos(\\pi x)$ 在 $[-1, 2]$ 上有好几个谷底，梯度在谷底处为零，梯度下降可能停在并非最低的那个谷底里。
- **鞍点**：梯度为零但既不是最小也不是最大值的点，例如 $f(x) = x^3$ 的 $x = 0$，或 $f(x, y) = x^2 - y^2$ 的原点（沿 $x$ 是谷底，沿 $y$ 是山顶）。

在梯度为零的点上，看**黑塞矩阵**（二阶导数组成的对称矩阵）的特征值：全为正是局部最小值，全为负是局部最大值，有正有负是鞍点。
有特征值为零时，二阶信息不足以判断（$x^3$ 在 0 处就是这样）。参数很多时，“所有特征值同号”很难碰上，所以鞍点比局部最小值常见得多。
""", """
## 7.1 Optimisation and Deep Learning

An optimisation algorithm only makes the training loss smaller; generalisation is a separate matter. Even making the loss smaller is
hard; two typical obstacles are:

- **Local minima**: $f(x) = x\\cos(\\pi x)$ has several valleys on $[-1, 2]$; the gradient is zero at the bottom of each, and gradient descent may
  stop in one that is not the lowest.
- **Saddle points**: points of zero gradient that are neither a minimum nor a maximum, such as $x = 0$ for $f(x) = x^3$, or the origin for
  $f(x, y) = x^2 - y^2$ (a valley along $x$, a ridge along $y$).

At a point of zero gradient, look at the eigenvalues of the **Hessian** (the symmetric matrix of second derivatives): all positive means a
local minimum, all negative a local maximum, both signs a saddle point. When some eigenvalue is zero, second-order information cannot
decide ($x^3$ at 0 is such a case). With many parameters, "all eigenvalues of one sign" is unlikely, so saddle points are far more common than
local minima.
""")
    nb.demo("xcos-demo", """
在 $f(x) = x\\cos(\\pi x)$ 上找一个局部最小值和全局最小值的近似位置（在网格上取最小）。
""", """
Find the approximate positions of a local and of the global minimum of $f(x) = x\\cos(\\pi x)$ (the smallest values on a grid).
""", """
xs = torch.arange(-1.0, 2.0, 0.001, dtype=torch.float64)
fx = xs * torch.cos(math.pi * xs)
left = xs < 0.5
x_local = xs[left][fx[left].argmin()].item()
x_global = xs[~left][fx[~left].argmin()].item()
print(f"local minimum near x = {x_local:.3f}, f = {x_local * math.cos(math.pi * x_local):.3f}")
print(f"global minimum on [-1, 2) near x = {x_global:.3f}, f = {x_global * math.cos(math.pi * x_global):.3f}")
""")
    nb.question("classify_critical_point", """
写 `classify_critical_point(hessian)`：`hessian` 是一个对称的 float64 方阵（某个临界点处的黑塞矩阵）。根据它的特征值返回一个字符串：

- 有正有负（绝对值大于 `1e-9` 的特征值中既有正的也有负的）：`"saddle"`；
- 否则，若有特征值的绝对值 ≤ `1e-9`：`"degenerate"`（二阶信息无法判断）；
- 否则全为正：`"minimum"`；全为负：`"maximum"`。

对称矩阵的特征值可以用 `torch.linalg.eigvalsh` 求（它返回实数，按从小到大排列）。
""", """
Write `classify_critical_point(hessian)`: `hessian` is a symmetric float64 square matrix (the Hessian at some critical point). Return a
string according to its eigenvalues:

- both signs (among the eigenvalues larger than `1e-9` in absolute value there are positive and negative ones): `"saddle"`;
- otherwise, if some eigenvalue has absolute value ≤ `1e-9`: `"degenerate"` (second-order information cannot decide);
- otherwise all positive: `"minimum"`; all negative: `"maximum"`.

`torch.linalg.eigvalsh` computes the eigenvalues of a symmetric matrix (real, in ascending order).
""", '''
def classify_critical_point(hessian):
    """临界点的类型 / The kind of critical point, from the signs of the Hessian's eigenvalues."""
    ### BEGIN SOLUTION
    eig = torch.linalg.eigvalsh(hessian)
    pos, neg = bool((eig > 1e-9).any()), bool((eig < -1e-9).any())
    if pos and neg:
        return "saddle"
    if bool((eig.abs() <= 1e-9).any()):
        return "degenerate"
    return "minimum" if pos else "maximum"
    ### END SOLUTION
''')


def sec_7_2(nb: MasterNotebook) -> None:
    nb.md("sec-7-2", """
## 7.2 梯度下降和随机梯度下降

一维梯度下降：$x \\leftarrow x - \\eta f'(x)$，$\\eta$ 是学习率。以 $f(x) = x^2$（$f'(x) = 2x$）为例，每一步 $x$ 乘以 $1 - 2\\eta$：
$\\eta$ 太小走得慢，$\\eta > 1$ 时 $|1 - 2\\eta| > 1$，越走越远。
""", """
## 7.2 Gradient Descent and Stochastic Gradient Descent

Gradient descent in one dimension: $x \\leftarrow x - \\eta f'(x)$, where $\\eta$ is the learning rate. For $f(x) = x^2$ ($f'(x) = 2x$) each step
multiplies $x$ by $1 - 2\\eta$: a small $\\eta$ moves slowly, and for $\\eta > 1$ we have $|1 - 2\\eta| > 1$ and $x$ runs away.
""")
    nb.question("gd", """
写 `gd(eta, x0=10.0, steps=10)`：在 $f(x) = x^2$ 上从 `x0` 出发做 `steps` 步梯度下降，返回**轨迹**：
一个 Python `list`，依次是 `x0` 和每一步之后的 $x$（共 `steps + 1` 个 Python `float`）。
书中的例子：`gd(0.2)` 的最后一个值是 $10 \\times 0.6^{10} \\approx 0.0605$。
""", """
Write `gd(eta, x0=10.0, steps=10)`: run `steps` steps of gradient descent on $f(x) = x^2$ from `x0` and return the **trajectory**: a Python
`list` of `x0` followed by $x$ after each step (`steps + 1` Python `float`s). The book's example: the last value of `gd(0.2)` is
$10 \\times 0.6^{10} \\approx 0.0605$.
""", '''
def gd(eta, x0=10.0, steps=10):
    """f(x) = x² 上的梯度下降轨迹 / The gradient-descent trajectory on f(x) = x²."""
    ### BEGIN SOLUTION
    x, results = float(x0), [float(x0)]
    for _ in range(steps):
        x -= eta * 2 * x
        results.append(x)
    return results
    ### END SOLUTION
''')
    nb.demo("gd-demo", """
三个学习率的最终位置：太小、合适、太大。
""", """
The final positions for three learning rates: too small, suitable, too large.
""", """
try:
    for eta in [0.05, 0.2, 1.1]:
        print(f"eta = {eta}: x_10 = {gd(eta)[-1]:.6f}")
""" + NOT_YET)
    nb.md("sec-7-2-2d", """
多维时 $\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\eta \\nabla f(\\boldsymbol{x})$。下面给出的 `train_2d(trainer, steps=20)` 从 $(-5, -2)$ 出发，
反复调用 `trainer(x1, x2, s1, s2)`，它返回新的 `(x1, x2, s1, s2)`；`s1, s2` 是后面几节的算法要带到下一步的状态（梯度下降用不到，
始终为 0）。`train_2d` 返回所有经过的点。目标函数是 $f(\\boldsymbol{x}) = x_1^2 + 2x_2^2$。

**随机梯度下降**每一步只用一个（或一小批）样本的梯度，它是全梯度的无偏估计，但带有噪声。书中在梯度上加正态噪声来模拟这一点；
为了能评分，这里的噪声作为参数 `noise` 传入。
""", """
In several dimensions, $\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\eta \\nabla f(\\boldsymbol{x})$. The given `train_2d(trainer, steps=20)` starts at
$(-5, -2)$ and calls `trainer(x1, x2, s1, s2)` again and again; the trainer returns the new `(x1, x2, s1, s2)`, where `s1, s2` is state that
the algorithms of later sections carry to the next step (gradient descent needs none and keeps 0). `train_2d` returns every point
visited. The objective is $f(\\boldsymbol{x}) = x_1^2 + 2x_2^2$.

**Stochastic gradient descent** uses the gradient of one example (or a small batch) per step: an unbiased estimate of the full gradient,
with noise. The book simulates this by adding normal noise to the gradient; to make it gradable, the noise here comes in as the argument
`noise`.
""")
    nb.given("train-2d", '''
def f_2d(x1, x2):
    """目标函数 / The objective x1² + 2·x2²."""
    return x1 ** 2 + 2 * x2 ** 2


def train_2d(trainer, steps=20, x1=-5.0, x2=-2.0):
    """反复调用 trainer，返回经过的所有点 / Call trainer repeatedly; every point visited."""
    s1 = s2 = 0.0
    results = [(x1, x2)]
    for _ in range(steps):
        x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    return results
''')
    nb.question("gd_2d", """
写 `gd_2d(x1, x2, s1, s2, eta=0.1)`：在 $f = x_1^2 + 2x_2^2$ 上做**一步**梯度下降（梯度是 $(2x_1, 4x_2)$），
返回 Python `tuple` `(新 x1, 新 x2, 0.0, 0.0)`。
""", """
Write `gd_2d(x1, x2, s1, s2, eta=0.1)`: **one** step of gradient descent on $f = x_1^2 + 2x_2^2$ (gradient $(2x_1, 4x_2)$); return the Python
`tuple` `(new x1, new x2, 0.0, 0.0)`.
""", '''
def gd_2d(x1, x2, s1, s2, eta=0.1):
    """一步二维梯度下降 / One 2-D gradient-descent step."""
    ### BEGIN SOLUTION
    return (x1 - eta * 2 * x1, x2 - eta * 4 * x2, 0.0, 0.0)
    ### END SOLUTION
''')
    nb.question("sgd_2d", """
写 `sgd_2d(x1, x2, s1, s2, eta, noise)`：与 `gd_2d` 相同，但梯度的两个分量分别加上 `noise[0]` 和 `noise[1]`
（即梯度为 $(2x_1 + \\text{noise}_0,\\ 4x_2 + \\text{noise}_1)$）。返回 `(新 x1, 新 x2, 0.0, 0.0)`。
""", """
Write `sgd_2d(x1, x2, s1, s2, eta, noise)`: as `gd_2d`, but add `noise[0]` and `noise[1]` to the two components of the gradient (the gradient
is $(2x_1 + \\text{noise}_0,\\ 4x_2 + \\text{noise}_1)$). Return `(new x1, new x2, 0.0, 0.0)`.
""", '''
def sgd_2d(x1, x2, s1, s2, eta, noise):
    """带噪声梯度的一步 / One step with a noisy gradient."""
    ### BEGIN SOLUTION
    g1, g2 = 2 * x1 + noise[0], 4 * x2 + noise[1]
    return (x1 - eta * g1, x2 - eta * g2, 0.0, 0.0)
    ### END SOLUTION
''')
    nb.demo("gd-2d-demo", """
梯度下降 20 步后接近原点 (0, 0)；加上噪声（这里在演示中抽取，均值 0.1、标准差 1，和书中一样）后轨迹在原点附近抖动。
""", """
Twenty steps of gradient descent get close to the origin (0, 0); with noise (drawn here in the demo, mean 0.1 and standard deviation 1, as
in the book) the path jitters around it.
""", """
try:
    path = train_2d(partial(gd_2d, eta=0.1))
    print(f"gd:  {len(path)} points, last ({path[-1][0]:.6f}, {path[-1][1]:.3e})")
    gen = torch.Generator().manual_seed(0)
    noise = (torch.randn(20, 2, generator=gen, dtype=torch.float64) + 0.1).tolist()
    steps = iter(noise)
    path = train_2d(lambda x1, x2, s1, s2: sgd_2d(x1, x2, s1, s2, 0.1, next(steps)))
    print(f"sgd: last ({path[-1][0]:.4f}, {path[-1][1]:.4f}), f = {f_2d(*path[-1]):.4f}")
""" + NOT_YET)


def sec_7_3(nb: MasterNotebook) -> None:
    nb.md("sec-7-3", """
## 7.3 小批量随机梯度下降

小批量随机梯度下降每步用一小批样本的平均梯度：批量为 1 时就是随机梯度下降，批量为全部样本时就是梯度下降。
本章后面的算法都在同一个问题上比较：用 NASA 的翼型自噪声数据（airfoil self-noise）做线性回归。

数据文件 `airfoil_self_noise.dat` 是纯文本，每行一个样本、6 个用制表符分隔的数（频率、攻角、弦长、风速、位移厚度，最后一列是声压级），共 1503 行。
评分环境在 `$D2L_DATA_DIR/airfoil_self_noise.dat`（默认 `~/.d2l/data/`）放了一份**格式相同的替身**：标签是特征的线性函数加噪声。
有原始文件的话放到同一个位置即可。

书中的预处理：**先**用全部行把每一列标准化（减去均值、除以标准差），**再**取前 1500 行；前 5 列是特征，最后一列是标签。
书用 NumPy，`np.std` 算的是**总体标准差**（除以 $N$）；而 `torch.std` 默认算**样本标准差**（除以 $N-1$），两者不同。
""", """
## 7.3 Minibatch Stochastic Gradient Descent

Minibatch SGD steps along the mean gradient of a small batch of examples: with batch size 1 it is SGD, with all examples it is gradient
descent. The algorithms of the rest of the chapter are compared on one problem: linear regression on NASA's airfoil self-noise data.

The data file `airfoil_self_noise.dat` is plain text, one example per line, 6 tab-separated numbers (frequency, angle of attack, chord length,
velocity, displacement thickness, and last the sound pressure level), 1503 lines. The grading environment keeps a **stand-in in the same
format** at `$D2L_DATA_DIR/airfoil_self_noise.dat` (by default in `~/.d2l/data/`): its label is a linear function of the features plus noise.
If you have the original file, put it there instead.

The book's preprocessing: standardise every column over **all** rows **first** (subtract the mean, divide by the standard deviation), **then**
keep the first 1500 rows; the first 5 columns are the features, the last the label. The book uses NumPy, and `np.std` is the **population**
standard deviation (divide by $N$), while `torch.std` by default computes the **sample** standard deviation (divide by $N-1$): they differ.
""")
    nb.question("standardize_airfoil", """
写 `standardize_airfoil(data, n=1500)`：`data` 是从文件读出的张量（形状 `(行数, 6)`，float64 或 float32）。

1. 转成 float64，对每一列用**全部行**的均值和**总体标准差**做标准化；
2. 取前 `n` 行，返回元组 `(features, labels)`：`features` 是前 5 列，形状 `(n, 5)`；`labels` 是最后一列，形状 `(n,)`；两者都转成 **float32**。
""", """
Write `standardize_airfoil(data, n=1500)`: `data` is the tensor read from the file (shape `(rows, 6)`, float64 or float32).

1. Convert to float64 and standardise every column with the mean and the **population** standard deviation over **all** rows;
2. keep the first `n` rows and return the tuple `(features, labels)`: `features` the first 5 columns, shape `(n, 5)`; `labels` the last column,
   shape `(n,)`; both converted to **float32**.
""", '''
def standardize_airfoil(data, n=1500):
    """标准化每一列，取前 n 行 / Standardise every column, keep the first n rows."""
    ### BEGIN SOLUTION
    data = data.to(torch.float64)
    data = (data - data.mean(dim=0)) / data.std(dim=0, unbiased=False)
    return data[:n, :-1].to(torch.float32), data[:n, -1].to(torch.float32)
    ### END SOLUTION
''')
    nb.given("load-airfoil", '''
AIRFOIL = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser() / "airfoil_self_noise.dat"


def load_airfoil(path=AIRFOIL, n=1500):
    """读入数据文件并预处理 / Read the data file and preprocess it."""
    return standardize_airfoil(torch.from_numpy(np.loadtxt(path, dtype=np.float64)), n)


features = labels = None
try:
    features, labels = load_airfoil()
    print(features.shape, labels.shape)
except (FileNotFoundError, OSError):
    print("找不到数据文件，需要它的演示会跳过 / data file not found; the demos that need it skip")
''' + NOT_YET)
    nb.md("sec-7-3-train", """
下面给出本章共用的线性回归模型 `linreg` 和书中的平方损失 `squared_loss`（$(\\hat y - y)^2 / 2$），然后请你写最简单的优化器 `sgd`。
本章的优化器都写成同一个样子：`优化器(params, states, hyperparams)`，其中 `params` 是参数列表，`states` 是优化器自己的状态（`sgd` 没有，传 `None`），
`hyperparams` 是超参数的 dict（如 `{"lr": 0.05}`）。损失先对小批量**求平均**再反向传播，所以优化器**不再**除以批量大小。
""", """
The cell below gives what the chapter shares, the linear model `linreg` and the book's squared loss `squared_loss` ($(\\hat y - y)^2 / 2$); then you
write the simplest optimiser, `sgd`. Every optimiser of the chapter has one shape: `optimiser(params, states, hyperparams)`, where `params` is the list
of parameters, `states` the optimiser's own state (`sgd` has none: `None`), and `hyperparams` a dict of hyperparameters (such as
`{"lr": 0.05}`). The loss is **averaged** over the minibatch before backpropagation, so the optimisers do **not** divide by the batch size.
""")
    nb.given("model-given", '''
def linreg(X, w, b):
    """线性回归模型 / The linear model."""
    return X @ w + b


def squared_loss(y_hat, y):
    """每个样本的平方损失 / Per-example squared loss (ŷ - y)² / 2."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
''')
    nb.question("sgd", """
写 `sgd(params, states, hyperparams)`：对 `params` 中的每个参数 `p` 做一步 $p \\leftarrow p - \\eta\\, \\nabla p$，$\\eta$ = `hyperparams["lr"]`。
`params` 中的张量 `requires_grad=True`，`.grad` 里已经有梯度：在 `with torch.no_grad():` 里**原地**更新（`p -= ...`），不返回任何东西。
`states` 不使用（为了和后面的优化器同一个样子；调用时传 `None`）。
""", """
Write `sgd(params, states, hyperparams)`: for every parameter `p` in `params` take one step $p \\leftarrow p - \\eta\\, \\nabla p$, with
$\\eta$ = `hyperparams["lr"]`. The tensors in `params` have `requires_grad=True` and their `.grad` holds the gradient: update them **in place**
inside `with torch.no_grad():` (`p -= ...`) and return nothing. `states` is unused (it keeps the shape of the later optimisers; callers pass
`None`).
""", '''
def sgd(params, states, hyperparams):
    """一步小批量随机梯度下降 / One minibatch SGD step: p ← p - lr·∇p."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        for p in params:
            p -= hyperparams["lr"] * p.grad
    ### END SOLUTION
''')
    nb.question("train_ch7", """
写 `train_ch7(trainer_fn, states, hyperparams, features, labels, w, b, batches, log_every=10)`：
用优化器 `trainer_fn` 训练线性回归模型 `linreg(X, w, b)`，**原地**更新 `w`（形状 `(5, 1)`）和 `b`（形状 `(1,)`，二者都 `requires_grad=True`）。

- `batches` 是一个列表，每个元素是一个小批量的**下标**张量；按顺序对每个小批量做一步：取出 `features[idx]`、`labels[idx]`，
  算 `squared_loss(...)` 的**平均值**，把 `w`、`b` 已有的梯度清零（第一次时 `.grad` 为 `None`），反向传播，再调用 `trainer_fn([w, b], states, hyperparams)`。
- 返回一个 Python `list`：训练前、以及每做完 `log_every` 步后，**全部样本**上平均损失的值（Python `float`，用 `.item()`）。
  所以列表长度是 `1 + len(batches) // log_every`。

（书中的 `train_ch7` 自己打乱数据并初始化参数；这里二者都由调用者给出，结果才可复现。）
""", """
Write `train_ch7(trainer_fn, states, hyperparams, features, labels, w, b, batches, log_every=10)`: train the linear model `linreg(X, w, b)`
with the optimiser `trainer_fn`, updating `w` (shape `(5, 1)`) and `b` (shape `(1,)`, both `requires_grad=True`) **in place**.

- `batches` is a list whose elements are the **index** tensors of the minibatches; take one step per minibatch, in order: pick
  `features[idx]` and `labels[idx]`, compute the **mean** of `squared_loss(...)`, zero the gradients `w` and `b` already hold (`.grad` is `None`
  the first time), backpropagate, then call `trainer_fn([w, b], states, hyperparams)`.
- Return a Python `list`: the mean loss over **all** examples (a Python `float`, via `.item()`) before training and after every `log_every`
  steps, so its length is `1 + len(batches) // log_every`.

(The book's `train_ch7` shuffles the data and initialises the parameters itself; here the caller gives both, so the result is reproducible.)
""", '''
def train_ch7(trainer_fn, states, hyperparams, features, labels, w, b, batches, log_every=10):
    """按给定的小批量训练线性回归 / Train linear regression on the given minibatches."""
    ### BEGIN SOLUTION
    def full_loss():
        with torch.no_grad():
            return squared_loss(linreg(features, w, b), labels).mean().item()

    losses = [full_loss()]
    for i, idx in enumerate(batches):
        loss = squared_loss(linreg(features[idx], w, b), labels[idx]).mean()
        for p in (w, b):
            if p.grad is not None:
                p.grad.zero_()
        loss.backward()
        trainer_fn([w, b], states, hyperparams)
        if (i + 1) % log_every == 0:
            losses.append(full_loss())
    return losses
    ### END SOLUTION
''')
    nb.given("run-ch7", '''
def make_batches(num_examples, batch_size, num_epochs, seed=0):
    """每个周期打乱一次、切成小批量 / Shuffle once per epoch and cut into minibatches."""
    gen = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(num_epochs):
        order = torch.randperm(num_examples, generator=gen)
        batches += list(order.split(batch_size))
    return batches


def run_ch7(trainer_fn, states, hyperparams, batch_size=10, num_epochs=2, seed=0):
    """在翼型数据上训练，每 100 个样本记一次损失 / Train on the airfoil data, logging every 100 examples."""
    gen = torch.Generator().manual_seed(seed)
    w = (torch.randn(features.shape[1], 1, generator=gen) * 0.01).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    batches = make_batches(features.shape[0], batch_size, num_epochs, seed)
    return train_ch7(trainer_fn, states, hyperparams, features, labels, w, b, batches,
                     log_every=max(1, 100 // batch_size))
''')
    nb.demo("sgd-demo", """
批量 10、学习率 0.05 训练 2 个周期，对比最小二乘的最优损失。
""", """
Batch size 10, learning rate 0.05, two epochs, compared with the least-squares optimum.
""", """
try:
    if features is not None:
        losses = run_ch7(sgd, None, {"lr": 0.05})
        X1 = torch.cat([features, torch.ones(len(features), 1)], dim=1).double()
        coef = torch.linalg.lstsq(X1, labels.double().unsqueeze(1)).solution
        best = ((X1 @ coef).squeeze(1) - labels.double()).pow(2).mean().item() / 2
        print(f"{len(losses)} losses, first {losses[0]:.4f}, last {losses[-1]:.4f}; least squares {best:.4f}")
""" + NOT_YET)


def _optimiser(nb: MasterNotebook, sec: str, init_name: str, step_name: str, md_zh: str,
               md_en: str, init_zh: str, init_en: str, init_sol: str, step_zh: str,
               step_en: str, step_sig: str, step_sol: str, demo_call: str) -> None:
    nb.md(f"sec-{sec}", md_zh, md_en)
    nb.question(init_name, init_zh, init_en, f'''
def {init_name}(feature_dim):
    """{init_name} / zero states for w (feature_dim, 1) and b (1,)."""
    ### BEGIN SOLUTION
{init_sol}
    ### END SOLUTION
''')
    nb.question(step_name, step_zh + STEP_RULES_ZH, step_en + STEP_RULES_EN, f'''
def {step_sig}:
    """{step_name} 的一步 / One step of {step_name}."""
    ### BEGIN SOLUTION
{step_sol}
    ### END SOLUTION
''')
    nb.demo(f"{step_name.replace('_', '-')}-demo", """
在翼型数据上训练 2 个周期。
""", """
Two epochs on the airfoil data.
""", f"""
try:
    if features is not None:
        losses = {demo_call}
        print(f"{step_name}: first {{losses[0]:.4f}}, last {{losses[-1]:.4f}}")
""" + NOT_YET)


def sec_7_4_to_8(nb: MasterNotebook) -> None:
    nb.md("sec-7-4-2d", """
## 7.4 动量法

在 $f(\\boldsymbol{x}) = 0.1x_1^2 + 2x_2^2$ 上，两个方向的曲率差 20 倍：学习率大到让 $x_1$ 走得快时，$x_2$ 就来回振荡甚至发散。
动量法把过去的梯度做指数加权平均：$\\boldsymbol{v} \\leftarrow \\gamma \\boldsymbol{v} + \\eta \\boldsymbol{g}$，$\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\boldsymbol{v}$。
来回振荡的分量彼此抵消，方向一致的分量越积越大。$\\gamma = 0$ 时就是梯度下降。
""", """
## 7.4 Momentum

On $f(\\boldsymbol{x}) = 0.1x_1^2 + 2x_2^2$ the curvatures of the two directions differ by a factor of 20: a learning rate large enough to move
$x_1$ quickly makes $x_2$ oscillate or even diverge. Momentum takes an exponentially weighted average of past gradients:
$\\boldsymbol{v} \\leftarrow \\gamma \\boldsymbol{v} + \\eta \\boldsymbol{g}$, $\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\boldsymbol{v}$. Components that flip sign cancel out;
components that agree build up. With $\\gamma = 0$ this is gradient descent.
""")
    nb.question("momentum_2d", """
写 `momentum_2d(x1, x2, v1, v2, eta=0.4, gamma=0.5)`：在 $f = 0.1x_1^2 + 2x_2^2$（梯度 $(0.2x_1, 4x_2)$）上做一步动量法，
`v1, v2` 是速度（即 `train_2d` 的状态 `s1, s2`）。返回 Python `tuple` `(新 x1, 新 x2, 新 v1, 新 v2)`。
""", """
Write `momentum_2d(x1, x2, v1, v2, eta=0.4, gamma=0.5)`: one momentum step on $f = 0.1x_1^2 + 2x_2^2$ (gradient $(0.2x_1, 4x_2)$), where
`v1, v2` are the velocities (the state `s1, s2` of `train_2d`). Return the Python `tuple` `(new x1, new x2, new v1, new v2)`.
""", '''
def momentum_2d(x1, x2, v1, v2, eta=0.4, gamma=0.5):
    """一步二维动量法 / One 2-D momentum step."""
    ### BEGIN SOLUTION
    v1 = gamma * v1 + eta * 0.2 * x1
    v2 = gamma * v2 + eta * 4 * x2
    return (x1 - v1, x2 - v2, v1, v2)
    ### END SOLUTION
''')
    nb.demo("momentum-2d-demo", """
同样的学习率 0.4，γ = 0.5 的动量法和 γ = 0（梯度下降）比较 20 步后的位置。
""", """
With the same learning rate 0.4, momentum with γ = 0.5 against γ = 0 (gradient descent), after 20 steps.
""", """
try:
    for gamma in [0.0, 0.5]:
        path = train_2d(partial(momentum_2d, eta=0.4, gamma=gamma))
        print(f"gamma = {gamma}: last ({path[-1][0]:.4f}, {path[-1][1]:.4f})")
""" + NOT_YET)
    _optimiser(
        nb, "7-4", "init_momentum_states", "sgd_momentum", """
### 从零实现动量法

本章余下的优化器都有两部分：`init_..._states(feature_dim)` 为权重 `w`（形状 `(feature_dim, 1)`）和偏差 `b`（形状 `(1,)`）各建一份全零状态；
优化器函数做一步更新。
""", """
### Momentum from Scratch

Each remaining optimiser of the chapter comes in two parts: `init_..._states(feature_dim)` makes all-zero states for the weight `w` (shape
`(feature_dim, 1)`) and the bias `b` (shape `(1,)`); the optimiser function takes one step.
""", """
写 `init_momentum_states(feature_dim)`：返回 Python `tuple` `(v_w, v_b)`，形状分别为 `(feature_dim, 1)` 和 `(1,)` 的 float32 零张量。
""", """
Write `init_momentum_states(feature_dim)`: return the Python `tuple` `(v_w, v_b)` of float32 zero tensors of shapes `(feature_dim, 1)` and `(1,)`.
""", """    return (torch.zeros(feature_dim, 1), torch.zeros(1))""", """
写 `sgd_momentum(params, states, hyperparams)`：对每个参数 `p` 和它的速度 `v`（`states` 中对应的一项），
$v \\leftarrow \\gamma v + \\eta\\, \\nabla p$，$p \\leftarrow p - v$，其中 $\\eta$ = `hyperparams["lr"]`，$\\gamma$ = `hyperparams["momentum"]`。
""", """
Write `sgd_momentum(params, states, hyperparams)`: for each parameter `p` and its velocity `v` (the matching item of `states`),
$v \\leftarrow \\gamma v + \\eta\\, \\nabla p$, $p \\leftarrow p - v$, where $\\eta$ = `hyperparams["lr"]` and $\\gamma$ = `hyperparams["momentum"]`.
""", "sgd_momentum(params, states, hyperparams)", """    with torch.no_grad():
        for p, v in zip(params, states):
            v[:] = hyperparams["momentum"] * v + hyperparams["lr"] * p.grad
            p -= v""",
        'run_ch7(sgd_momentum, init_momentum_states(5), {"lr": 0.02, "momentum": 0.5})')
    _optimiser(
        nb, "7-5", "init_adagrad_states", "adagrad", """
## 7.5 AdaGrad

AdaGrad 给每个元素一个自己的学习率：累加梯度平方 $\\boldsymbol{s} \\leftarrow \\boldsymbol{s} + \\boldsymbol{g} \\odot \\boldsymbol{g}$，
再按 $\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\frac{\\eta}{\\sqrt{\\boldsymbol{s} + \\epsilon}} \\odot \\boldsymbol{g}$ 更新（按元素运算）。
梯度一直很大的元素学习率降得快。因为 $\\boldsymbol{s}$ 只增不减，后期学习率可能太小。

**ε 放在哪里**：书中取 $\\epsilon = 10^{-6}$，放在**根号里面**，$\\sqrt{s + \\epsilon}$；`torch.optim.Adagrad` 把 $\\epsilon$（默认 $10^{-10}$）放在根号**外面**，$\\sqrt{s} + \\epsilon$。
本作业按书中的写法。两者只在 $s$ 很小时才有明显差别。
""", """
## 7.5 AdaGrad

AdaGrad gives every element its own learning rate: it sums squared gradients, $\\boldsymbol{s} \\leftarrow \\boldsymbol{s} + \\boldsymbol{g} \\odot \\boldsymbol{g}$,
and updates $\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\frac{\\eta}{\\sqrt{\\boldsymbol{s} + \\epsilon}} \\odot \\boldsymbol{g}$ (elementwise). Elements whose
gradients stay large see their learning rate fall fast. Since $\\boldsymbol{s}$ only grows, the learning rate may become too small late in
training.

**Where ε goes**: the book takes $\\epsilon = 10^{-6}$ **inside** the square root, $\\sqrt{s + \\epsilon}$; `torch.optim.Adagrad` puts its $\\epsilon$
(default $10^{-10}$) **outside**, $\\sqrt{s} + \\epsilon$. This assignment follows the book. The two differ noticeably only when $s$ is tiny.
""", """
写 `init_adagrad_states(feature_dim)`：返回 `(s_w, s_b)`，形状 `(feature_dim, 1)` 和 `(1,)` 的零张量（Python `tuple`）。
""", """
Write `init_adagrad_states(feature_dim)`: return `(s_w, s_b)`, zero tensors of shapes `(feature_dim, 1)` and `(1,)` (a Python `tuple`).
""", """    return (torch.zeros(feature_dim, 1), torch.zeros(1))""", """
写 `adagrad(params, states, hyperparams)`：$s \\leftarrow s + g^2$，$p \\leftarrow p - \\eta\\, g / \\sqrt{s + \\epsilon}$，
$\\eta$ = `hyperparams["lr"]`，$\\epsilon = 10^{-6}$（根号里面）。
""", """
Write `adagrad(params, states, hyperparams)`: $s \\leftarrow s + g^2$, $p \\leftarrow p - \\eta\\, g / \\sqrt{s + \\epsilon}$, with $\\eta$ = `hyperparams["lr"]`
and $\\epsilon = 10^{-6}$ (inside the root).
""", "adagrad(params, states, hyperparams)", """    eps = 1e-6
    with torch.no_grad():
        for p, s in zip(params, states):
            s += p.grad ** 2
            p -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)""",
        'run_ch7(adagrad, init_adagrad_states(5), {"lr": 0.1})')
    _optimiser(
        nb, "7-6", "init_rmsprop_states", "rmsprop", """
## 7.6 RMSProp

RMSProp 把 AdaGrad 的累加换成指数加权移动平均：$\\boldsymbol{s} \\leftarrow \\gamma \\boldsymbol{s} + (1 - \\gamma) \\boldsymbol{g} \\odot \\boldsymbol{g}$，
更新仍是 $\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\frac{\\eta}{\\sqrt{\\boldsymbol{s} + \\epsilon}} \\odot \\boldsymbol{g}$，于是学习率不会一直下降。
ε 同样按书中放在根号里面（$10^{-6}$）。`torch.optim.RMSprop` 的 `alpha` 就是这里的 γ（它的默认值是 0.99，书中用 0.9），$\\epsilon$ 放在根号外面。
""", """
## 7.6 RMSProp

RMSProp replaces AdaGrad's sum by an exponentially weighted moving average, $\\boldsymbol{s} \\leftarrow \\gamma \\boldsymbol{s} + (1 - \\gamma) \\boldsymbol{g} \\odot \\boldsymbol{g}$,
and updates as before, $\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\frac{\\eta}{\\sqrt{\\boldsymbol{s} + \\epsilon}} \\odot \\boldsymbol{g}$, so the learning rate does not
keep falling. ε again sits inside the root, as in the book ($10^{-6}$). The `alpha` of `torch.optim.RMSprop` is this γ (its default is 0.99;
the book uses 0.9), and its $\\epsilon$ sits outside the root.
""", """
写 `init_rmsprop_states(feature_dim)`：返回 `(s_w, s_b)`，形状 `(feature_dim, 1)` 和 `(1,)` 的零张量（Python `tuple`）。
""", """
Write `init_rmsprop_states(feature_dim)`: return `(s_w, s_b)`, zero tensors of shapes `(feature_dim, 1)` and `(1,)` (a Python `tuple`).
""", """    return (torch.zeros(feature_dim, 1), torch.zeros(1))""", """
写 `rmsprop(params, states, hyperparams)`：$s \\leftarrow \\gamma s + (1-\\gamma) g^2$，$p \\leftarrow p - \\eta\\, g / \\sqrt{s + \\epsilon}$，
$\\eta$ = `hyperparams["lr"]`，$\\gamma$ = `hyperparams["gamma"]`，$\\epsilon = 10^{-6}$（根号里面）。
""", """
Write `rmsprop(params, states, hyperparams)`: $s \\leftarrow \\gamma s + (1-\\gamma) g^2$, $p \\leftarrow p - \\eta\\, g / \\sqrt{s + \\epsilon}$, with
$\\eta$ = `hyperparams["lr"]`, $\\gamma$ = `hyperparams["gamma"]` and $\\epsilon = 10^{-6}$ (inside the root).
""", "rmsprop(params, states, hyperparams)", """    gamma, eps = hyperparams["gamma"], 1e-6
    with torch.no_grad():
        for p, s in zip(params, states):
            s[:] = gamma * s + (1 - gamma) * p.grad ** 2
            p -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)""",
        'run_ch7(rmsprop, init_rmsprop_states(5), {"lr": 0.01, "gamma": 0.9})')
    _optimiser(
        nb, "7-7", "init_adadelta_states", "adadelta", """
## 7.7 AdaDelta

AdaDelta 也用梯度平方的移动平均 $\\boldsymbol{s}$，但没有学习率，而是再维护一个“更新量平方”的移动平均 $\\Delta\\boldsymbol{x}$：

$$\\boldsymbol{s} \\leftarrow \\rho \\boldsymbol{s} + (1-\\rho)\\boldsymbol{g}\\odot\\boldsymbol{g},\\quad
\\boldsymbol{g}' = \\sqrt{\\frac{\\Delta\\boldsymbol{x} + \\epsilon}{\\boldsymbol{s} + \\epsilon}} \\odot \\boldsymbol{g},\\quad
\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\boldsymbol{g}',\\quad
\\Delta\\boldsymbol{x} \\leftarrow \\rho \\Delta\\boldsymbol{x} + (1-\\rho)\\boldsymbol{g}'\\odot\\boldsymbol{g}'.$$

书中 $\\epsilon = 10^{-5}$。这与 `torch.optim.Adadelta(lr=1.0, rho=ρ, eps=1e-5)` 完全相同。
""", """
## 7.7 AdaDelta

AdaDelta also keeps a moving average $\\boldsymbol{s}$ of squared gradients, but has no learning rate; instead it keeps a second moving average
$\\Delta\\boldsymbol{x}$, of squared updates:

$$\\boldsymbol{s} \\leftarrow \\rho \\boldsymbol{s} + (1-\\rho)\\boldsymbol{g}\\odot\\boldsymbol{g},\\quad
\\boldsymbol{g}' = \\sqrt{\\frac{\\Delta\\boldsymbol{x} + \\epsilon}{\\boldsymbol{s} + \\epsilon}} \\odot \\boldsymbol{g},\\quad
\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\boldsymbol{g}',\\quad
\\Delta\\boldsymbol{x} \\leftarrow \\rho \\Delta\\boldsymbol{x} + (1-\\rho)\\boldsymbol{g}'\\odot\\boldsymbol{g}'.$$

The book takes $\\epsilon = 10^{-5}$. This is exactly `torch.optim.Adadelta(lr=1.0, rho=ρ, eps=1e-5)`.
""", """
写 `init_adadelta_states(feature_dim)`：返回嵌套的 Python `tuple` `((s_w, delta_w), (s_b, delta_b))`，
`s_w`、`delta_w` 形状 `(feature_dim, 1)`，`s_b`、`delta_b` 形状 `(1,)`，全为零。
""", """
Write `init_adadelta_states(feature_dim)`: return the nested Python `tuple` `((s_w, delta_w), (s_b, delta_b))`, with `s_w` and `delta_w` of
shape `(feature_dim, 1)`, `s_b` and `delta_b` of shape `(1,)`, all zero.
""", """    return ((torch.zeros(feature_dim, 1), torch.zeros(feature_dim, 1)),
            (torch.zeros(1), torch.zeros(1)))""", """
写 `adadelta(params, states, hyperparams)`：按上面的四个公式更新，$\\rho$ = `hyperparams["rho"]`，$\\epsilon = 10^{-5}$。
`states` 中与每个参数对应的一项是 `(s, delta)`。注意 $\\Delta\\boldsymbol{x}$ 用的是**本步的** $\\boldsymbol{g}'$，而 $\\boldsymbol{g}'$ 用的是**更新前的** $\\Delta\\boldsymbol{x}$。
""", """
Write `adadelta(params, states, hyperparams)`: update by the four formulas above, with $\\rho$ = `hyperparams["rho"]` and $\\epsilon = 10^{-5}$.
The item of `states` for each parameter is `(s, delta)`. Note that $\\Delta\\boldsymbol{x}$ uses **this step's** $\\boldsymbol{g}'$, while
$\\boldsymbol{g}'$ uses $\\Delta\\boldsymbol{x}$ **before** its update.
""", "adadelta(params, states, hyperparams)", """    rho, eps = hyperparams["rho"], 1e-5
    with torch.no_grad():
        for p, (s, delta) in zip(params, states):
            s[:] = rho * s + (1 - rho) * p.grad ** 2
            g = torch.sqrt((delta + eps) / (s + eps)) * p.grad
            p -= g
            delta[:] = rho * delta + (1 - rho) * g ** 2""",
        'run_ch7(adadelta, init_adadelta_states(5), {"rho": 0.9})')
    _optimiser(
        nb, "7-8", "init_adam_states", "adam", """
## 7.8 Adam

Adam 同时维护梯度的移动平均（动量）$\\boldsymbol{v}$ 和梯度平方的移动平均 $\\boldsymbol{s}$（$\\beta_1 = 0.9$，$\\beta_2 = 0.999$）：
$\\boldsymbol{v} \\leftarrow \\beta_1 \\boldsymbol{v} + (1-\\beta_1)\\boldsymbol{g}$，$\\boldsymbol{s} \\leftarrow \\beta_2 \\boldsymbol{s} + (1-\\beta_2)\\boldsymbol{g}\\odot\\boldsymbol{g}$。
两者从 0 开始，前几步偏小，所以做**偏差修正**：$\\hat{\\boldsymbol{v}} = \\boldsymbol{v} / (1 - \\beta_1^t)$，$\\hat{\\boldsymbol{s}} = \\boldsymbol{s} / (1 - \\beta_2^t)$，$t$ 是当前是第几步（从 1 开始）。
更新：$\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\frac{\\eta \\hat{\\boldsymbol{v}}}{\\sqrt{\\hat{\\boldsymbol{s}}} + \\epsilon}$，书中 $\\epsilon = 10^{-6}$，放在根号**外面**（与 `torch.optim.Adam` 相同，但它的默认值是 $10^{-8}$）。

步数 $t$ 放在超参数里：`hyperparams["t"]`，第一次调用时为 1，**每次调用在更新完所有参数之后加 1**。
""", """
## 7.8 Adam

Adam keeps both a moving average of gradients (momentum), $\\boldsymbol{v}$, and a moving average of squared gradients, $\\boldsymbol{s}$
($\\beta_1 = 0.9$, $\\beta_2 = 0.999$): $\\boldsymbol{v} \\leftarrow \\beta_1 \\boldsymbol{v} + (1-\\beta_1)\\boldsymbol{g}$,
$\\boldsymbol{s} \\leftarrow \\beta_2 \\boldsymbol{s} + (1-\\beta_2)\\boldsymbol{g}\\odot\\boldsymbol{g}$. Both start at 0 and are too small in the first steps, hence the
**bias correction** $\\hat{\\boldsymbol{v}} = \\boldsymbol{v} / (1 - \\beta_1^t)$, $\\hat{\\boldsymbol{s}} = \\boldsymbol{s} / (1 - \\beta_2^t)$, where $t$ is the number of the
current step (from 1). The update is $\\boldsymbol{x} \\leftarrow \\boldsymbol{x} - \\frac{\\eta \\hat{\\boldsymbol{v}}}{\\sqrt{\\hat{\\boldsymbol{s}}} + \\epsilon}$, with the book's
$\\epsilon = 10^{-6}$ **outside** the root (as in `torch.optim.Adam`, whose default is $10^{-8}$).

The step count lives in the hyperparameters: `hyperparams["t"]` is 1 at the first call, and **each call adds 1 to it after updating every
parameter**.
""", """
写 `init_adam_states(feature_dim)`：返回嵌套的 Python `tuple` `((v_w, s_w), (v_b, s_b))`，
`v_w`、`s_w` 形状 `(feature_dim, 1)`，`v_b`、`s_b` 形状 `(1,)`，全为零。
""", """
Write `init_adam_states(feature_dim)`: return the nested Python `tuple` `((v_w, s_w), (v_b, s_b))`, with `v_w` and `s_w` of shape
`(feature_dim, 1)`, `v_b` and `s_b` of shape `(1,)`, all zero.
""", """    return ((torch.zeros(feature_dim, 1), torch.zeros(feature_dim, 1)),
            (torch.zeros(1), torch.zeros(1)))""", """
写 `adam(params, states, hyperparams)`：按上面的公式更新，$\\eta$ = `hyperparams["lr"]`，$t$ = `hyperparams["t"]`，
$\\beta_1 = 0.9$，$\\beta_2 = 0.999$，$\\epsilon = 10^{-6}$。`states` 中与每个参数对应的一项是 `(v, s)`。最后把 `hyperparams["t"]` 加 1。
""", """
Write `adam(params, states, hyperparams)`: update by the formulas above, with $\\eta$ = `hyperparams["lr"]`, $t$ = `hyperparams["t"]`,
$\\beta_1 = 0.9$, $\\beta_2 = 0.999$ and $\\epsilon = 10^{-6}$. The item of `states` for each parameter is `(v, s)`. Finally add 1 to
`hyperparams["t"]`.
""", "adam(params, states, hyperparams)", """    beta1, beta2, eps = 0.9, 0.999, 1e-6
    t = hyperparams["t"]
    with torch.no_grad():
        for p, (v, s) in zip(params, states):
            v[:] = beta1 * v + (1 - beta1) * p.grad
            s[:] = beta2 * s + (1 - beta2) * p.grad ** 2
            v_hat = v / (1 - beta1 ** t)
            s_hat = s / (1 - beta2 ** t)
            p -= hyperparams["lr"] * v_hat / (torch.sqrt(s_hat) + eps)
    hyperparams["t"] += 1""",
        'run_ch7(adam, init_adam_states(5), {"lr": 0.01, "t": 1})')
    nb.md("summary", """
## 小结

同一个线性回归问题上，上面的演示给出了各优化器 2 个周期后的损失。它们的差别主要在于怎样给每个元素定学习率：
动量法平滑梯度的方向，AdaGrad 和 RMSProp 按梯度平方调节步长，AdaDelta 连学习率都不要，Adam 把动量和 RMSProp 合在一起并做偏差修正。
""", """
## Summary

The demos above gave every optimiser's loss after two epochs on the same linear-regression problem. They differ mainly in how each element
gets its learning rate: momentum smooths the gradient's direction, AdaGrad and RMSProp scale the step by squared gradients, AdaDelta does
without a learning rate at all, and Adam combines momentum with RMSProp and corrects their bias.
""")


def main() -> int:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    intro(nb)
    sec_7_1(nb)
    sec_7_2(nb)
    sec_7_3(nb)
    sec_7_4_to_8(nb)
    nb.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
