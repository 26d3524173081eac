"""Write the master notebook ``solutions/ch02_preliminaries/tensors_autograd.ipynb``.

The notebook is generated so that it is reproducible and reviewable as Python: every
question is one ``Q(...)`` entry (intro in 简体中文 then English, the answer cell with
its nbgrader solution region, and the locked ``check`` cell).  Run it after editing:

    .venv/bin/python scripts/notebooks/ch02_preliminaries.py

then rebuild the fixtures, release, and regenerate the mistake notebooks.  The prose is
kept one Markdown line per paragraph or list item, so long lines are allowed here.
"""

# ruff: noqa: E501

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT, NOTEBOOK = "ch02_preliminaries", "tensors_autograd"
TARGET = ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"


@dataclass(frozen=True)
class Q:
    """One graded question: its name, points, bilingual intro and answer cell.

    ``head`` is the ``def`` line and docstring (kept in the student's copy); ``body`` is
    the solution, which nbgrader replaces by ``raise NotImplementedError()``.
    """

    name: str
    points: int
    zh: str
    en: str
    head: str
    body: str


def _md(cell_id: str, text: str) -> nbformat.NotebookNode:
    cell = new_markdown_cell(text.strip("\n"))
    cell.id = cell_id
    return cell


def _code(cell_id: str, source: str, nbgrader: dict) -> nbformat.NotebookNode:
    cell = new_code_cell(source.strip("\n"))
    cell.id = cell_id
    cell.metadata["nbgrader"] = nbgrader
    return cell


def _demo(cell_id: str, source: str) -> nbformat.NotebookNode:
    cell = _code(cell_id, source, {"grade": False, "grade_id": cell_id.replace("-", "_"),
                                   "locked": True, "schema_version": 3, "solution": False,
                                   "task": False})
    cell.metadata["tags"] = ["otter_ignore"]  # otter run skips it, as d2l-grade does
    return cell


def _bilingual(zh: str, en: str) -> str:
    return f"{zh.strip()}\n\n---\n\n{en.strip()}"


def question_cells(q: Q, number: int) -> list[nbformat.NotebookNode]:
    point_zh = f"{q.points} 分"
    point_en = f"{q.points} point" + ("s" if q.points != 1 else "")
    zh = q.zh.replace("{TITLE}", f"### 题 {number}：`{q.name}`（{point_zh}）")
    en = q.en.replace("{TITLE}", f"### Question {number}: `{q.name}` ({point_en})")
    body = "\n".join("    " + line if line else "" for line in q.body.strip("\n").split("\n"))
    answer = f"{q.head.strip()}\n    ### BEGIN SOLUTION\n{body}\n    ### END SOLUTION"
    return [
        _md(f"{q.name}-intro", _bilingual(zh, en)),
        _code(f"{q.name}-answer", answer, {
            "grade": False, "grade_id": f"{q.name}_answer", "locked": False,
            "schema_version": 3, "solution": True, "task": False}),
        _code(f"{q.name}-check", f'check("{q.name}")', {
            "grade": True, "grade_id": q.name, "locked": True, "points": q.points,
            "schema_version": 3, "solution": False, "task": False}),
    ]


INTRO_ZH = """
# 第 2 章 预备知识：张量操作与自动求梯度 / Chapter 2 Preliminaries: Tensors and Autograd

本作业对应《动手学深度学习》（第一版）第 2 章的 2.2–2.4 节。书中用的是 MXNet 的 `NDArray` 和 `autograd`，这里全部换成 PyTorch 的 `torch.Tensor` 和 `torch.autograd`。
你会练习创建张量、逐元素运算、矩阵运算、广播、索引、节省内存的原地运算、与 NumPy 互相转换，然后用自动求梯度求几个函数的梯度，最后学会自己查 API。

**作业规则**

- 每道题是一个代码单元格，其中 `# YOUR CODE HERE` 和 `raise NotImplementedError()` 所在的位置就是要你填写的函数体。删掉这两行，换成你的实现。
- 每道题后面跟着一个 `check("函数名")` 单元格，用公开测试用例检查你的函数。这只是参考：最终成绩还会用你看不到的隐藏测试用例（别的形状、别的数值）。
- 不要改函数名、参数名或参数顺序。评分程序会按名字调用你的函数，并传入它自己的输入。
- 答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块（`numpy as np`、`torch`、`nn`）已经在设置单元格里导入。
- 由你自己**创建**的张量（`arange`、`zeros`、`ones`、`tensor`）一律写上 `dtype=torch.float32`：书中 `NDArray` 默认就是 float32，而 `torch.arange(12)` 默认是 int64。评分程序会严格比较数据类型。
- 返回值只能是“普通数据”：张量、NumPy 数组、Python 的数、布尔值、字符串，以及由它们组成的 `list`/`tuple`/`dict`。形状请用 `list(X.shape)` 返回（`torch.Size` 不算普通数据），标量请用 `.item()` 变成 Python 数。
"""

INTRO_EN = """
This assignment covers sections 2.2–2.4 of chapter 2 of *Dive into Deep Learning* (first edition). The book uses MXNet's
`NDArray` and `autograd`; here everything is PyTorch's `torch.Tensor` and `torch.autograd`. You will create tensors, do
element-wise and matrix operations, broadcast, index, update memory in place, convert to and from NumPy, then let autograd
find some gradients, and finally look an API up by yourself.

**Rules**

- Each question is a code cell in which the lines `# YOUR CODE HERE` and `raise NotImplementedError()` mark the function body you have to write. Delete those two lines and put your implementation there.
- Each question is followed by a `check("function_name")` cell that tests your function on the public cases. It is advice only: the final grade also uses hidden cases (other shapes, other values) that you cannot see.
- Do not rename functions or change parameter names or their order. The grader calls your functions by name with its own inputs.
- Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need (`numpy as np`, `torch`, `nn`) are imported in the setup cell.
- Tensors you **create** yourself (`arange`, `zeros`, `ones`, `tensor`) always get `dtype=torch.float32`: the book's `NDArray` is float32 by default, while `torch.arange(12)` is int64. The grader compares dtypes strictly.
- Return plain data only: tensors, NumPy arrays, Python numbers, booleans and strings, and `list`/`tuple`/`dict` of them. Return a shape as `list(X.shape)` (`torch.Size` is not plain data) and a scalar as a Python number via `.item()`.
"""

SETUP = """
import numpy as np
import torch
from torch import nn

from autograder.check import Checker

check = Checker("ch02_preliminaries", "tensors_autograd")
"""

SEC_2_2_ZH = """
## 2.2 数据操作 / Data Manipulation

张量（tensor）是存放数值的多维数组：一维的叫向量，二维的叫矩阵。深度学习里的数据和参数都放在张量里。
PyTorch 的张量和书中 MXNet 的 `NDArray` 非常像：都能在 CPU 或 GPU 上计算，也都支持自动求梯度。
"""

SEC_2_2_EN = """
A tensor is a multi-dimensional array of numbers: one axis gives a vector, two give a matrix. Data and parameters in deep
learning all live in tensors. PyTorch's tensor is very close to the book's MXNet `NDArray`: both compute on a CPU or a GPU
and both support automatic differentiation.
"""

SEC_2_3_ZH = """
## 2.3 自动求梯度 / Automatic Differentiation

训练模型要反复求损失对参数的梯度。PyTorch 会把对 `requires_grad=True` 的张量所做的运算记录成一张计算图，
调用结果的 `.backward()` 后，沿着这张图反向算出梯度，存到每个叶子张量的 `.grad` 里。

和书中 MXNet 的写法对照：

| MXNet（书） | PyTorch |
|---|---|
| `x.attach_grad()` | `x.requires_grad_(True)`（或创建时写 `requires_grad=True`） |
| `with autograd.record():` 才记录 | 默认就记录；`with torch.no_grad():` 里不记录 |
| 每次 `backward()` 覆盖梯度 | 每次 `backward()` **累加**到 `.grad`，需要时用 `x.grad.zero_()` 清零 |
| 对向量调用 `y.backward()` 相当于先求和 | 对非标量必须给出 `y.backward(gradient=v)`，或者先 `y.sum()` |
| `autograd.is_training()` | 模块的 `net.training`，由 `net.train()` / `net.eval()` 切换 |

本节的函数都会收到一个**普通张量**作为输入。请先 `x = x.clone().requires_grad_(True)`（或 `x.requires_grad_(True)`），再做运算。
"""

SEC_2_3_EN = """
Training a model means computing the gradient of the loss with respect to the parameters again and again. PyTorch records
the operations applied to tensors with `requires_grad=True` as a computation graph; calling `.backward()` on the result
walks that graph backwards and stores the gradient in the `.grad` of each leaf tensor.

Compared with the book's MXNet code:

| MXNet (book) | PyTorch |
|---|---|
| `x.attach_grad()` | `x.requires_grad_(True)` (or `requires_grad=True` when creating it) |
| records only inside `with autograd.record():` | records by default; not inside `with torch.no_grad():` |
| each `backward()` overwrites the gradient | each `backward()` **adds** into `.grad`; clear it with `x.grad.zero_()` when needed |
| `y.backward()` on a vector sums it first | a non-scalar needs `y.backward(gradient=v)`, or call `y.sum()` first |
| `autograd.is_training()` | a module's `net.training`, switched by `net.train()` / `net.eval()` |

Every function in this section receives a **plain tensor**. Start with `x = x.clone().requires_grad_(True)` (or
`x.requires_grad_(True)`) and compute from there.
"""

SEC_2_4_ZH = """
## 2.4 查阅文档 / Looking Things Up

没有人能记住所有 API。两个内置工具最常用：`dir(obj)` 列出一个模块、类或对象的所有成员名；`help(obj)` 打印它的说明文档。
在 Jupyter 里，在名字后面加一个问号（如 `torch.ones_like?`）也能弹出文档。
`dir` 的结果里，以 `_` 开头的名字（包括 `__init__` 这样前后都有双下划线的特殊方法）一般是内部实现，浏览 API 时可以先忽略。
"""

SEC_2_4_EN = """
Nobody remembers every API. Two built-ins do most of the work: `dir(obj)` lists the member names of a module, class or
object, and `help(obj)` prints its documentation. In Jupyter a question mark after a name (e.g. `torch.ones_like?`) shows
the documentation too. In the output of `dir`, names that start with `_` (including special methods such as `__init__`,
with double underscores on both sides) are usually internals and can be skipped while browsing an API.
"""

QUESTIONS_2_2 = [
    Q("make_tensors", 1, zh="""
{TITLE}

创建张量的几种方式。参数 `rows`、`cols` 是两个正整数，`data` 是一个嵌套的 Python 列表（例如 `[[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]`）。返回一个字典：

- `"X"`：元素依次为 `0, 1, ..., rows*cols-1` 的 float32 张量，变形为 `(rows, cols)`（提示：`torch.arange` 再 `reshape`）。
- `"shape"`：`X` 的形状，写成 Python 列表，例如 `[3, 4]`。
- `"numel"`：`X` 的元素个数（Python 整数）。
- `"zeros"`：形状 `(2, rows, cols)` 的全 0 张量。
- `"ones"`：形状 `(rows, cols)` 的全 1 张量。
- `"Y"`：由列表 `data` 创建的张量。

所有张量都是 float32。
""", en="""
{TITLE}

Ways of creating tensors. `rows` and `cols` are positive integers and `data` is a nested Python list (for example
`[[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]`). Return a dict:

- `"X"`: a float32 tensor holding `0, 1, ..., rows*cols-1` in order, reshaped to `(rows, cols)` (hint: `torch.arange`, then `reshape`).
- `"shape"`: the shape of `X` as a Python list, e.g. `[3, 4]`.
- `"numel"`: the number of elements of `X` (a Python int).
- `"zeros"`: a tensor of zeros with shape `(2, rows, cols)`.
- `"ones"`: a tensor of ones with shape `(rows, cols)`.
- `"Y"`: a tensor made from the list `data`.

All tensors are float32.
""", head='''
def make_tensors(rows, cols, data):
    """创建张量 / Create tensors; returns a dict (see above)."""
''', body='''
X = torch.arange(rows * cols, dtype=torch.float32).reshape(rows, cols)
return {
    "X": X,
    "shape": list(X.shape),
    "numel": X.numel(),
    "zeros": torch.zeros((2, rows, cols), dtype=torch.float32),
    "ones": torch.ones((rows, cols), dtype=torch.float32),
    "Y": torch.tensor(data, dtype=torch.float32),
}
'''),
    Q("elementwise_ops", 1, zh="""
{TITLE}

形状相同的两个张量之间，`+ - * /` 都是**按元素**运算：结果的每个元素只由两个输入在同一位置的元素决定，形状不变。
`X.exp()`（或 `torch.exp(X)`）同样按元素求指数。

返回字典 `{"add": X + Y, "sub": X - Y, "mul": X * Y, "div": X / Y, "exp": Y 的按元素指数}`。
""", en="""
{TITLE}

Between two tensors of the same shape, `+ - * /` work **element-wise**: each entry of the result depends only on the two
entries at the same position, and the shape stays the same. `X.exp()` (or `torch.exp(X)`) exponentiates element-wise too.

Return the dict `{"add": X + Y, "sub": X - Y, "mul": X * Y, "div": X / Y, "exp": the element-wise exponential of Y}`.
""", head='''
def elementwise_ops(X, Y):
    """按元素运算 / Element-wise arithmetic of X and Y, plus exp(Y)."""
''', body='''
return {"add": X + Y, "sub": X - Y, "mul": X * Y, "div": X / Y, "exp": torch.exp(Y)}
'''),
    Q("matrix_ops", 2, zh="""
{TITLE}

`X`、`Y` 形状都是 `(m, n)`。返回一个字典：

- `"XYt"`：矩阵乘积 $XY^\\top$，形状 `(m, m)`（`Y.T` 是转置，矩阵乘法用 `torch.matmul` 或 `@`）。
- `"cat_rows"`：沿第 0 维（行）把 `X` 和 `Y` 连结起来，`X` 在前，形状 `(2m, n)`。
- `"cat_cols"`：沿第 1 维（列）连结，`X` 在前，形状 `(m, 2n)`。提示：`torch.cat((X, Y), dim=...)`。
- `"equal"`：按元素判断 `X == Y`，得到布尔张量。
- `"sum"`：`X` 所有元素之和，用 `.item()` 变成 Python 的 float。
- `"norm"`：`X` 的 L2 范数（把所有元素看成一个向量），同样用 `.item()`。提示：`X.norm()`。

书中的例子：`X` 为 `0..11` 排成 3×4 时，和是 66，范数是 $\\sqrt{506} \\approx 22.49$。
""", en="""
{TITLE}

`X` and `Y` both have shape `(m, n)`. Return a dict:

- `"XYt"`: the matrix product $XY^\\top$, shape `(m, m)` (`Y.T` is the transpose; multiply with `torch.matmul` or `@`).
- `"cat_rows"`: `X` and `Y` concatenated along dim 0 (rows), `X` first, shape `(2m, n)`.
- `"cat_cols"`: concatenated along dim 1 (columns), `X` first, shape `(m, 2n)`. Hint: `torch.cat((X, Y), dim=...)`.
- `"equal"`: the element-wise test `X == Y`, a boolean tensor.
- `"sum"`: the sum of all entries of `X`, as a Python float via `.item()`.
- `"norm"`: the L2 norm of `X` (all entries taken as one vector), also via `.item()`. Hint: `X.norm()`.

The book's example: with `X` holding `0..11` as 3×4, the sum is 66 and the norm is $\\sqrt{506} \\approx 22.49$.
""", head='''
def matrix_ops(X, Y):
    """矩阵乘法、连结、比较、求和、范数 / Matrix product, concatenation, comparison, sum, norm."""
''', body='''
return {
    "XYt": X @ Y.T,
    "cat_rows": torch.cat((X, Y), dim=0),
    "cat_cols": torch.cat((X, Y), dim=1),
    "equal": X == Y,
    "sum": X.sum().item(),
    "norm": X.norm().item(),
}
'''),
    Q("broadcast_add", 1, zh="""
{TITLE}

形状不同的两个张量做按元素运算时，PyTorch 会先**广播**：把长度为 1 的维度复制到与另一方相同的长度，再逐元素计算。

创建列向量 `A`（元素 `0..m-1`，形状 `(m, 1)`）和行向量 `B`（元素 `0..n-1`，形状 `(1, n)`），都是 float32，返回 `A + B`。
结果形状是 `(m, n)`，第 `(i, j)` 个元素等于 `i + j`。例如 `m=3, n=2` 时结果是 `[[0, 1], [1, 2], [2, 3]]`。
""", en="""
{TITLE}

When two tensors of different shapes meet in an element-wise operation, PyTorch first **broadcasts** them: an axis of length
1 is copied until it matches the other tensor's length, then the operation runs entry by entry.

Create a column `A` (entries `0..m-1`, shape `(m, 1)`) and a row `B` (entries `0..n-1`, shape `(1, n)`), both float32, and
return `A + B`. The result has shape `(m, n)` and entry `(i, j)` equals `i + j`. For `m=3, n=2` it is
`[[0, 1], [1, 2], [2, 3]]`.
""", head='''
def broadcast_add(m, n):
    """广播相加 / A (m, 1) column plus a (1, n) row, by broadcasting."""
''', body='''
A = torch.arange(m, dtype=torch.float32).reshape(m, 1)
B = torch.arange(n, dtype=torch.float32).reshape(1, n)
return A + B
'''),
    Q("index_and_assign", 1, zh="""
{TITLE}

索引从 0 开始；`X[1:3]` 取第 1、2 行（左闭右开）；`X[-1]` 是最后一行。`X` 至少有 3 行 3 列。按顺序：

1. **先读**：最后一行 `X[-1]`，第 1–2 行 `X[1:3]`，以及元素 `X[1, 2]`（用 `.item()` 变成 float）。
2. **再写**（直接改 `X` 本身）：`X[1, 2] = 9`，然后把整个第 0 行设为 12：`X[0:1, :] = 12`。
3. 返回字典 `{"last_row": ..., "rows_1_2": ..., "element": ...}`，值是第 1 步读到的内容。

注意：切片得到的是原张量的**视图**，和 `X` 共用内存。如果第 1 步不 `.clone()`，第 2 步的写入会出现在你返回的结果里。
评分程序还会检查调用之后的 `X`，所以第 2 步必须原地修改传进来的张量。
""", en="""
{TITLE}

Indices start at 0; `X[1:3]` takes rows 1 and 2 (the end is excluded); `X[-1]` is the last row. `X` has at least 3 rows and
3 columns. In this order:

1. **Read first**: the last row `X[-1]`, rows 1–2 `X[1:3]`, and the entry `X[1, 2]` (as a float via `.item()`).
2. **Then write** (into `X` itself): `X[1, 2] = 9`, then set the whole row 0 to 12: `X[0:1, :] = 12`.
3. Return the dict `{"last_row": ..., "rows_1_2": ..., "element": ...}` holding what step 1 read.

Careful: a slice is a **view** that shares memory with `X`. Without `.clone()` in step 1, the writes of step 2 would show up
in what you return. The grader also checks `X` after the call, so step 2 must change the tensor that was passed in.
""", head='''
def index_and_assign(X):
    """先读后写 / Read rows and an entry of X (as copies), then write into X in place."""
''', body='''
last_row = X[-1].clone()
rows_1_2 = X[1:3].clone()
element = X[1, 2].item()
X[1, 2] = 9
X[0:1, :] = 12
return {"last_row": last_row, "rows_1_2": rows_1_2, "element": element}
'''),
    Q("inplace_ops", 2, zh="""
{TITLE}

`Y = Y + X` 会分配一块新内存存放结果，再让名字 `Y` 指向它；而 `Z[:] = ...`、`torch.add(X, Y, out=Z)` 和 `X += Y` 把结果写进**已有的**内存。
`t.data_ptr()` 返回张量数据所在的内存地址，可以用来判断内存是否变了（书中用 Python 的 `id`）。按顺序做：

1. 记下 `Y.data_ptr()`，执行 `Y = Y + X`，`"y_new_memory"` 为地址是否**变了**。
2. `Z = torch.zeros_like(Y)`，记下地址，执行 `Z[:] = X + Y`，`"z_slice_kept"` 为地址是否**没变**；`"Z"` 为此时 `Z` 的一个拷贝（`.clone()`）。
3. 执行 `torch.add(X, Y, out=Z)`，`"z_out_kept"` 为 `Z` 的地址是否仍和第 2 步记下的相同。
4. 记下 `X.data_ptr()`，执行 `X += Y`，`"x_iadd_kept"` 为地址是否没变。

返回含这五项的字典（四个 Python 布尔值和张量 `Z`）。评分程序还会检查调用后的 `X`：`X += Y` 改的是调用方传进来的那个张量。
""", en="""
{TITLE}

`Y = Y + X` allocates new memory for the result and points the name `Y` at it, while `Z[:] = ...`,
`torch.add(X, Y, out=Z)` and `X += Y` write the result into memory that **already exists**. `t.data_ptr()` gives the
address of a tensor's data, so it tells whether the memory changed (the book uses Python's `id`). In this order:

1. Note `Y.data_ptr()`, run `Y = Y + X`; `"y_new_memory"` says whether the address **changed**.
2. `Z = torch.zeros_like(Y)`, note its address, run `Z[:] = X + Y`; `"z_slice_kept"` says whether the address stayed **the same**; `"Z"` is a copy (`.clone()`) of `Z` at this point.
3. Run `torch.add(X, Y, out=Z)`; `"z_out_kept"` says whether `Z`'s address is still the one noted in step 2.
4. Note `X.data_ptr()`, run `X += Y`; `"x_iadd_kept"` says whether the address stayed the same.

Return a dict with these five entries (four Python booleans and the tensor `Z`). The grader also checks `X` after the
call: `X += Y` changes the very tensor the caller passed in.
""", head='''
def inplace_ops(X, Y):
    """哪些运算开辟新内存 / Which operations allocate new memory and which write in place."""
''', body='''
before = Y.data_ptr()
Y = Y + X
y_new_memory = Y.data_ptr() != before

Z = torch.zeros_like(Y)
before = Z.data_ptr()
Z[:] = X + Y
z_slice_kept = Z.data_ptr() == before
z_copy = Z.clone()

torch.add(X, Y, out=Z)
z_out_kept = Z.data_ptr() == before

before = X.data_ptr()
X += Y
x_iadd_kept = X.data_ptr() == before
return {"y_new_memory": y_new_memory, "z_slice_kept": z_slice_kept,
        "z_out_kept": z_out_kept, "x_iadd_kept": x_iadd_kept, "Z": z_copy}
'''),
    Q("numpy_roundtrip", 1, zh="""
{TITLE}

张量和 NumPy 数组可以互相转换，区别在于是否共用内存：`torch.from_numpy(P)` 和 `t.numpy()` 与原对象**共用**内存（数据类型不变，float64 仍是 float64），
`torch.tensor(P)` 则**复制**一份。按顺序做：

1. `P = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols)`。
2. `D = torch.from_numpy(P)`，`E = torch.tensor(P)`。
3. `P *= 2`（原地修改 NumPy 数组：`D` 会跟着变，`E` 不会）。
4. `back = E.numpy()`，然后 `E += 1`（`back` 会跟着变）。
5. 返回字典 `{"D": D, "E": E, "back": back, "P": P}`。
""", en="""
{TITLE}

Tensors and NumPy arrays convert both ways; what differs is whether memory is shared. `torch.from_numpy(P)` and
`t.numpy()` **share** memory with the original (and keep its dtype: float64 stays float64), while `torch.tensor(P)`
**copies**. In this order:

1. `P = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols)`.
2. `D = torch.from_numpy(P)`, `E = torch.tensor(P)`.
3. `P *= 2` (an in-place change of the NumPy array: `D` sees it, `E` does not).
4. `back = E.numpy()`, then `E += 1` (`back` sees it).
5. Return the dict `{"D": D, "E": E, "back": back, "P": P}`.
""", head='''
def numpy_roundtrip(rows, cols):
    """NumPy 与张量互相转换 / Convert between NumPy and torch, sharing memory or copying."""
''', body='''
P = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols)
D = torch.from_numpy(P)
E = torch.tensor(P)
P *= 2
back = E.numpy()
E += 1
return {"D": D, "E": E, "back": back, "P": P}
'''),
]

QUESTIONS_2_3 = [
    Q("grad_of_2xTx", 1, zh="""
{TITLE}

对一维张量 `x`，求函数 $y = 2\\mathbf{x}^\\top\\mathbf{x}$ 关于 `x` 的梯度：让 `x` 需要梯度，算出 `y`（提示：`torch.dot`），
调用 `y.backward()`，返回 `x.grad`。手算的答案是 $4\\mathbf{x}$，可以用来核对；但请让自动求梯度来算，不要直接返回 `4 * x`。
""", en="""
{TITLE}

For a 1-D tensor `x`, find the gradient of $y = 2\\mathbf{x}^\\top\\mathbf{x}$ with respect to `x`: make `x` require
gradients, compute `y` (hint: `torch.dot`), call `y.backward()` and return `x.grad`. By hand the answer is $4\\mathbf{x}$,
which you can use to check; but let autograd compute it rather than returning `4 * x`.
""", head='''
def grad_of_2xTx(x):
    """用自动求梯度求 2x^T x 的梯度 / The gradient of 2 x^T x, by autograd."""
''', body='''
x = x.clone().requires_grad_(True)
y = 2 * torch.dot(x, x)
y.backward()
return x.grad
'''),
    Q("f", 1, zh="""
{TITLE}

自动求梯度也能穿过 Python 的控制流（`while`、`if`），因为它记录的是**实际执行了**的运算。写出书中的函数 `f(a)`：

1. `b = a * 2`；
2. 当 `b.norm() < 1000` 时，反复令 `b = b * 2`；
3. 如果 `b.sum() > 0`，`c = b`；否则 `c = 100 * b`；
4. 返回 `c`。

`a` 是不含 0 的一维张量。
""", en="""
{TITLE}

Autograd also works through Python control flow (`while`, `if`), because it records the operations that **actually ran**.
Write the book's function `f(a)`:

1. `b = a * 2`;
2. while `b.norm() < 1000`, set `b = b * 2`;
3. if `b.sum() > 0`, `c = b`; otherwise `c = 100 * b`;
4. return `c`.

`a` is a 1-D tensor without zeros.
""", head='''
def f(a):
    """带控制流的函数 / The book's function with a while loop and an if."""
''', body='''
b = a * 2
while b.norm() < 1000:
    b = b * 2
if b.sum() > 0:
    c = b
else:
    c = 100 * b
return c
'''),
    Q("control_flow_grad", 1, zh="""
{TITLE}

用上一题的 `f` 求梯度：让 `a` 需要梯度，计算 `c = f(a)`，再对 `c.sum()` 调用 `backward()`，返回 `a.grad`。
（先求和是为了得到标量；`a` 只有一个元素时也这样做。）

无论 `f` 走了哪条分支，`c` 都等于 `a` 乘以一个常数 $k$，所以梯度就是 $k$，也就是 `c / a`。你可以用这一点核对结果。
""", en="""
{TITLE}

Differentiate the `f` of the previous question: make `a` require gradients, compute `c = f(a)`, call `backward()` on
`c.sum()` and return `a.grad`. (Summing gives a scalar; do it even when `a` has a single entry.)

Whichever branches `f` takes, `c` equals `a` times some constant $k$, so the gradient is $k$, that is, `c / a`. Use this
to check your result.
""", head='''
def control_flow_grad(a):
    """对 f(a).sum() 求梯度 / The gradient of f(a).sum() with respect to a."""
''', body='''
a = a.clone().requires_grad_(True)
c = f(a)
c.sum().backward()
return a.grad
'''),
    Q("grad_accumulation", 2, zh="""
{TITLE}

PyTorch 的 `backward()` 不会覆盖 `.grad`，而是把新梯度**加**到已有的梯度上（训练循环因此要在每步清零梯度）。按顺序做：

1. 让 `x` 需要梯度；算 $y = 2\\mathbf{x}^\\top\\mathbf{x}$ 并 `backward()`；`"first"` 为此时 `x.grad` 的拷贝（应为 $4\\mathbf{x}$）。
2. **重新**算一次 $y$（上一张计算图反向传播后已被释放）并 `backward()`，不清零；`"second"` 为此时 `x.grad` 的拷贝（应为 $8\\mathbf{x}$）。
3. `x.grad.zero_()` 清零，再对 `x.sum()` 调用 `backward()`；`"after_zero"` 为此时 `x.grad` 的拷贝（应全为 1）。

返回字典 `{"first": ..., "second": ..., "after_zero": ...}`。每次都要 `.clone()`：`x.grad` 始终是同一个张量，只是被原地更新。
""", en="""
{TITLE}

PyTorch's `backward()` does not overwrite `.grad`; it **adds** the new gradient to what is there (which is why a training
loop zeroes the gradients every step). In this order:

1. Make `x` require gradients; compute $y = 2\\mathbf{x}^\\top\\mathbf{x}$ and call `backward()`; `"first"` is a copy of `x.grad` now (it should be $4\\mathbf{x}$).
2. Compute $y$ **again** (the previous graph was freed by its backward pass) and call `backward()` without zeroing; `"second"` is a copy of `x.grad` now (it should be $8\\mathbf{x}$).
3. Clear it with `x.grad.zero_()`, then call `backward()` on `x.sum()`; `"after_zero"` is a copy of `x.grad` now (all ones).

Return the dict `{"first": ..., "second": ..., "after_zero": ...}`. Copy with `.clone()` each time: `x.grad` is always
the same tensor, updated in place.
""", head='''
def grad_accumulation(x):
    """梯度累加与清零 / Gradients add up across backward calls until zeroed."""
''', body='''
x = x.clone().requires_grad_(True)
(2 * torch.dot(x, x)).backward()
first = x.grad.clone()
(2 * torch.dot(x, x)).backward()
second = x.grad.clone()
x.grad.zero_()
x.sum().backward()
after_zero = x.grad.clone()
return {"first": first, "second": second, "after_zero": after_zero}
'''),
    Q("nonscalar_backward", 1, zh="""
{TITLE}

如果 `y` 不是标量，PyTorch 要求给 `backward` 传入一个与 `y` 同形状的权重 `v`：`y.backward(gradient=v)` 求的是
$\\partial(\\mathbf{v}^\\top\\mathbf{y}) / \\partial\\mathbf{x}$。书中 MXNet 对向量直接 `backward()`，相当于 `v` 全为 1。

令 `y = x * x`（按元素），用 `y.backward(gradient=v)` 反向传播，返回 `x.grad`。结果应为 $2\\mathbf{x}\\odot\\mathbf{v}$。
""", en="""
{TITLE}

When `y` is not a scalar, PyTorch wants a weight `v` with `y`'s shape: `y.backward(gradient=v)` computes
$\\partial(\\mathbf{v}^\\top\\mathbf{y}) / \\partial\\mathbf{x}$. The book's MXNet `backward()` on a vector amounts to
`v` of all ones.

Let `y = x * x` (element-wise), back-propagate with `y.backward(gradient=v)` and return `x.grad`. The result should be
$2\\mathbf{x}\\odot\\mathbf{v}$.
""", head='''
def nonscalar_backward(x, v):
    """非标量的反向传播 / Backward from the vector y = x * x with weights v."""
''', body='''
x = x.clone().requires_grad_(True)
y = x * x
y.backward(gradient=v)
return x.grad
'''),
    Q("mode_flags", 1, zh="""
{TITLE}

两个开关别混淆：`torch.is_grad_enabled()` 表示此刻是否记录运算（在 `with torch.no_grad():` 里为 `False`，推断和参数更新时用）；
模块的 `net.training` 表示训练模式还是预测模式（`net.eval()` 设为 `False`，`net.train()` 设回 `True`），丢弃法等层在两种模式下行为不同。
`net` 是一个处于训练模式的 `nn.Module`，`X` 是它的输入。按顺序填写字典并返回：

1. `"grad_enabled"`：`torch.is_grad_enabled()`；`"records"`：`net(X).requires_grad`。
2. 在 `with torch.no_grad():` 里：`"grad_enabled_in_no_grad"` 与 `"records_in_no_grad"`（同上两项）。
3. `"training_at_start"`：`net.training`。
4. 调用 `net.eval()`，`"training_after_eval"`：`net.training`；在 `torch.no_grad()` 下计算 `"eval_output"`：`net(X)`。
5. 调用 `net.train()` 恢复训练模式，`"training_after_train"`：`net.training`。
""", en="""
{TITLE}

Two switches not to confuse: `torch.is_grad_enabled()` says whether operations are being recorded right now (`False`
inside `with torch.no_grad():`, used for inference and parameter updates); a module's `net.training` says whether it is in
training or prediction mode (`net.eval()` sets it to `False`, `net.train()` back to `True`), which changes how layers such
as dropout behave. `net` is an `nn.Module` in training mode and `X` is an input for it. Fill in a dict in this order and
return it:

1. `"grad_enabled"`: `torch.is_grad_enabled()`; `"records"`: `net(X).requires_grad`.
2. Inside `with torch.no_grad():`: `"grad_enabled_in_no_grad"` and `"records_in_no_grad"` (the same two).
3. `"training_at_start"`: `net.training`.
4. Call `net.eval()`; `"training_after_eval"`: `net.training`; `"eval_output"`: `net(X)` computed under `torch.no_grad()`.
5. Call `net.train()` to restore training mode; `"training_after_train"`: `net.training`.
""", head='''
def mode_flags(net, X):
    """记录开关与训练模式 / Grad recording versus the module's training flag."""
''', body='''
out = {"grad_enabled": torch.is_grad_enabled(), "records": net(X).requires_grad}
with torch.no_grad():
    out["grad_enabled_in_no_grad"] = torch.is_grad_enabled()
    out["records_in_no_grad"] = net(X).requires_grad
out["training_at_start"] = net.training
net.eval()
out["training_after_eval"] = net.training
with torch.no_grad():
    out["eval_output"] = net(X)
net.train()
out["training_after_train"] = net.training
return out
'''),
]

QUESTIONS_2_4 = [
    Q("find_members", 1, zh="""
{TITLE}

写一个小工具：返回 `dir(obj)` 中包含子串 `substr`、且**不以** `_` 开头的名字，保持 `dir` 给出的（已排序的）顺序，结果是字符串列表。
`obj` 可以是模块、类或对象。例如 `find_members(torch.distributions, "Normal")` 会列出所有带 "Normal" 的分布。
""", en="""
{TITLE}

Write a small tool: return the names in `dir(obj)` that contain the substring `substr` and do **not** start with `_`, in
the (sorted) order `dir` gives, as a list of strings. `obj` may be a module, a class or an object. For example
`find_members(torch.distributions, "Normal")` lists every distribution with "Normal" in its name.
""", head='''
def find_members(obj, substr):
    """查找成员名 / Public member names of obj that contain substr."""
''', body='''
return [name for name in dir(obj) if substr in name and not name.startswith("_")]
'''),
]

DEMO_2_4 = """
# 演示（不计分）/ demo (not graded)
try:
    print(find_members(torch.distributions, "Normal"))
    print(find_members(torch, "_like"))
except NotImplementedError:
    print("先完成上面的填空 / finish the blank above first")

# help 打印文档的开头部分 / the first lines of a documentation string
print("\\n".join(torch.ones_like.__doc__.strip().splitlines()[:6]))
"""


def build() -> nbformat.NotebookNode:
    """The master notebook, cell by cell, in the book's order."""
    nb = new_notebook()
    nb.metadata = {
        "d2l": {"assignment": ASSIGNMENT, "notebook": NOTEBOOK},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    cells = [_md("intro", _bilingual(INTRO_ZH, INTRO_EN)),
             _code("setup", SETUP, {"grade": False, "grade_id": "setup", "locked": True,
                                    "schema_version": 3, "solution": False, "task": False}),
             _md("sec-2-2", _bilingual(SEC_2_2_ZH, SEC_2_2_EN))]
    number = 0
    for q in QUESTIONS_2_2:
        number += 1
        cells += question_cells(q, number)
    cells.append(_md("sec-2-3", _bilingual(SEC_2_3_ZH, SEC_2_3_EN)))
    for q in QUESTIONS_2_3:
        number += 1
        cells += question_cells(q, number)
    cells.append(_md("sec-2-4", _bilingual(SEC_2_4_ZH, SEC_2_4_EN)))
    for q in QUESTIONS_2_4:
        number += 1
        cells += question_cells(q, number)
    cells.append(_demo("find-members-demo", DEMO_2_4))
    nb.cells = cells
    return nb


def main() -> int:
    nb = build()
    nbformat.validate(nb)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
