# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch11_appendix/math_exercises.ipynb``.

The notebook is generated so that it can be reviewed as Python and rebuilt exactly:

    .venv/bin/python scripts/notebooks/ch11_appendix.py

It covers the appendix of the first edition: §11.1 (notation) as a matching quiz of
choice questions, §11.2 (mathematics) as small torch computations, and §11.5 (buying a
GPU) as a compute-budget exercise in exact bytes.  Prose is our own, 简体中文 first and
English beneath.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch11_appendix", "math_exercises"
HINT = '填选项字母，如 "A" / the option letter(s), e.g. "A"'


def intro(nb: MasterNotebook) -> None:
    nb.md("intro", """
# 第 11 章 附录：数学基础与计算预算

本作业对应《动手学深度学习》（第一版）附录中的三节，全部使用 PyTorch：

- **11.1 主要符号一览**：一组匹配题，检查你能否读懂书中的记号；
- **11.2 数学基础**：线性代数（范数、乘积与形状、特征分解）、微分（梯度、黑塞矩阵、雅可比矩阵）和概率（样本统计量、抽样估计、贝叶斯公式），每个概念都写成一小段可以用数值检验的代码；
- **11.5 GPU 购买指南**：把“显存够不够”变成一道计算题——参数、激活值和优化器状态各占多少字节。

11.3（使用 Jupyter 记事本）、11.4（使用云服务器运行代码）、11.6（如何为本书做贡献）和 11.7（`d2lzh` 包索引）讲的是工具和流程，**不计分**，本作业不涉及。

**作业规则**

- 代码题：`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的函数体；删掉这两行，换成你的实现。不要改函数名、参数名和默认值。
- 选择题：把答案字母赋给题目指定的变量，例如 `notation_1 = "A"`；多选题把所有正确选项写在一起，例如 `"AC"`。大小写、全角半角、空格和逗号都不影响评分。选择题没有公开测试，`check` 只告诉你答案被读成了什么。
- 每道代码题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例（不同的大小和数值）。
- 题目要求 float64 的地方请保持 float64：手写公式与自动求导要在双精度下逐位接近。
- 需要评分的代码不必设置随机种子：需要随机数的题由评分程序设定种子，并按统计规律评分。
- 评分在没有 GPU、没有网络的环境里进行；整个笔记本应在几秒内运行完。

---

# Chapter 11 Appendix: mathematics and compute budgets

This assignment covers three sections of the appendix of *Dive into Deep Learning* (first edition), entirely in PyTorch:

- **11.1 Notation**: a matching quiz on reading the book's symbols;
- **11.2 Mathematical basics**: linear algebra (norms, products and their shapes, eigen-decomposition), calculus (gradients, the Hessian, the Jacobian) and probability (sample statistics, estimates by sampling, Bayes' rule), each idea written as a small piece of code that can be checked numerically;
- **11.5 GPU buying guide**: "is there enough GPU memory?" turned into arithmetic — how many bytes the parameters, the activations and the optimizer's state take.

Sections 11.3 (Jupyter notebooks), 11.4 (running code on cloud servers), 11.6 (contributing to the book) and 11.7 (the `d2lzh` package index) are about tools and workflow; they are **not graded** and not part of this assignment.

**Rules**

- Code questions: `# YOUR CODE HERE` and `raise NotImplementedError()` mark the function body you write; delete those two lines and put your code there. Do not rename functions, arguments or defaults.
- Choice questions: assign the answer's letter to the variable the question names, e.g. `notation_1 = "A"`; for a multiple-choice question write every correct option together, e.g. `"AC"`. Case, full-width characters, spaces and commas do not matter. Choice questions have no public case: `check` only tells you how your answer was read.
- The `check("name")` cell after each code question tests your answer on the public cases. It is advice only: the grade also uses hidden cases (other sizes and values).
- Keep float64 where a question asks for it: hand-written formulas and autograd must agree to double precision.
- Graded code needs no seeding: the grader seeds the questions that draw random numbers and judges those by their statistics.
- Grading runs without a GPU and without network access; the whole notebook should run in a few seconds.
""", "")
    nb.cells[-1].source = nb.cells[-1].source.removesuffix("\n\n---\n\n")
    nb.setup("""
import math

import torch
""")


def notation(nb: MasterNotebook) -> None:
    nb.md("sec-11-1", """
## 11.1 主要符号一览

书中用字体区分对象的种类：普通斜体小写字母 $x$ 是数（标量），粗体小写 $\\mathbf{x}$ 是向量，粗体大写 $\\mathbf{X}$ 是矩阵，花体 $\\mathcal{X}$ 是集合；$\\mathbb{R}$ 是实数集，$\\mathbb{R}^n$ 是 $n$ 维实向量的集合。
下面六道题各描述一个概念，请选出书中表示它的记号（第 6 题是多选题）。
""", """
## 11.1 Notation

The book tells kinds of objects apart by typeface: a plain italic lower-case letter $x$ is a number (a scalar), bold lower case $\\mathbf{x}$ a vector, bold upper case $\\mathbf{X}$ a matrix, calligraphic $\\mathcal{X}$ a set; $\\mathbb{R}$ is the set of real numbers and $\\mathbb{R}^n$ the set of real vectors with $n$ entries.
Each of the six questions below describes one idea: choose the notation the book uses for it (question 6 has several correct options).
""")
    nb.answer_question("notation_1", """
哪个记号表示一个**矩阵**？

- A. $x$
- B. $\\mathbf{x}$
- C. $\\mathbf{X}$
- D. $\\mathcal{X}$
""", """
Which notation denotes a **matrix**?

- A. $x$
- B. $\\mathbf{x}$
- C. $\\mathbf{X}$
- D. $\\mathcal{X}$
""", "C", HINT)
    nb.answer_question("notation_2", """
两个形状相同的矩阵 $\\mathbf{X}$、$\\mathbf{Y}$ 的**按元素乘法**（Hadamard 积，结果的每个元素是对应元素之积）怎么写？

- A. $\\mathbf{X}\\mathbf{Y}$
- B. $\\mathbf{X}^\\top\\mathbf{Y}$
- C. $\\mathbf{X} + \\mathbf{Y}$
- D. $\\mathbf{X} \\odot \\mathbf{Y}$
""", """
How is the **element-wise product** (the Hadamard product, each entry the product of the corresponding entries) of two matrices $\\mathbf{X}$, $\\mathbf{Y}$ of the same shape written?

- A. $\\mathbf{X}\\mathbf{Y}$
- B. $\\mathbf{X}^\\top\\mathbf{Y}$
- C. $\\mathbf{X} + \\mathbf{Y}$
- D. $\\mathbf{X} \\odot \\mathbf{Y}$
""", "D", HINT)
    nb.answer_question("notation_3", """
哪个记号表示**集合 $\\mathcal{X}$ 中元素的个数**？

- A. $\\|\\mathcal{X}\\|$
- B. $|\\mathcal{X}|$
- C. $\\mathcal{X}^\\top$
- D. $\\sum \\mathcal{X}$
""", """
Which notation denotes **the number of elements of the set $\\mathcal{X}$**?

- A. $\\|\\mathcal{X}\\|$
- B. $|\\mathcal{X}|$
- C. $\\mathcal{X}^\\top$
- D. $\\sum \\mathcal{X}$
""", "B", HINT)
    nb.answer_question("notation_4", """
标量 $y$ **关于向量 $\\mathbf{x}$ 的梯度**（由 $y$ 对 $\\mathbf{x}$ 每个元素的偏导数组成的向量）怎么写？

- A. $\\nabla_{\\mathbf{x}}\\, y$
- B. $\\dfrac{dy}{dx}$
- C. $\\dfrac{\\partial y}{\\partial x}$
- D. $\\mathbf{x}^\\top y$
""", """
How is **the gradient of a scalar $y$ with respect to a vector $\\mathbf{x}$** (the vector of the partial derivatives of $y$ with respect to each entry of $\\mathbf{x}$) written?

- A. $\\nabla_{\\mathbf{x}}\\, y$
- B. $\\dfrac{dy}{dx}$
- C. $\\dfrac{\\partial y}{\\partial x}$
- D. $\\mathbf{x}^\\top y$
""", "A", HINT)
    nb.answer_question("notation_5", """
哪个记号表示**在事件 $B$ 发生的条件下事件 $A$ 发生的概率**？

- A. $P(A, B)$
- B. $P(B \\mid A)$
- C. $P(A \\mid B)$
- D. $\\mathbb{E}(A B)$
""", """
Which notation denotes **the probability of event $A$ given that event $B$ happened**?

- A. $P(A, B)$
- B. $P(B \\mid A)$
- C. $P(A \\mid B)$
- D. $\\mathbb{E}(A B)$
""", "C", HINT)
    nb.answer_question("notation_6", """
**多选题。** 设 $\\mathbf{x}, \\mathbf{y} \\in \\mathbb{R}^n$（$n > 1$），$\\mathbf{X} \\in \\mathbb{R}^{m \\times n}$。下列哪些表达式的值是**标量**（一个数）？

- A. $\\|\\mathbf{x}\\|_p$
- B. $\\mathbf{x}^\\top \\mathbf{y}$
- C. $\\mathbf{x} \\odot \\mathbf{y}$
- D. $\\mathbf{X}^\\top$
""", """
**Several options may be correct.** Let $\\mathbf{x}, \\mathbf{y} \\in \\mathbb{R}^n$ ($n > 1$) and $\\mathbf{X} \\in \\mathbb{R}^{m \\times n}$. Which of these expressions are **scalars** (a single number)?

- A. $\\|\\mathbf{x}\\|_p$
- B. $\\mathbf{x}^\\top \\mathbf{y}$
- C. $\\mathbf{x} \\odot \\mathbf{y}$
- D. $\\mathbf{X}^\\top$
""", "AB", HINT)


def linear_algebra(nb: MasterNotebook) -> None:
    nb.md("sec-11-2", """
## 11.2 数学基础

### 11.2.1 线性代数

向量 $\\mathbf{x} = [x_1, \\ldots, x_n]^\\top$ 的 $L_p$ 范数是 $\\|\\mathbf{x}\\|_p = \\left(\\sum_{i=1}^n |x_i|^p\\right)^{1/p}$（$p \\ge 1$）：$p = 1$ 时是各元素绝对值之和，$p = 2$ 时是欧几里得长度。
矩阵 $\\mathbf{X}$ 的 Frobenius 范数 $\\|\\mathbf{X}\\|_F = \\sqrt{\\sum_{i,j} x_{ij}^2}$ 把矩阵当作一个长向量求 $L_2$ 范数。
本节的函数都接收并返回 float64 张量；范数返回 0 维张量（标量张量）。
""", """
## 11.2 Mathematical basics

### 11.2.1 Linear algebra

The $L_p$ norm of a vector $\\mathbf{x} = [x_1, \\ldots, x_n]^\\top$ is $\\|\\mathbf{x}\\|_p = \\left(\\sum_{i=1}^n |x_i|^p\\right)^{1/p}$ ($p \\ge 1$): for $p = 1$ it is the sum of the absolute values, for $p = 2$ the Euclidean length.
The Frobenius norm $\\|\\mathbf{X}\\|_F = \\sqrt{\\sum_{i,j} x_{ij}^2}$ of a matrix $\\mathbf{X}$ is the $L_2$ norm of the matrix read as one long vector.
The functions of this section take and return float64 tensors; a norm is returned as a 0-dimensional (scalar) tensor.
""")
    nb.question("lp_norm", """
写 `lp_norm(x, p)`：按定义计算一维张量 `x` 的 $L_p$ 范数，`p` 是一个有限的数，$p \\ge 1$（不一定是整数）。
请用张量运算按公式写出，而不是调用 `torch.linalg.norm`。例如 `lp_norm(torch.tensor([3., -4.], dtype=torch.float64), 2.0)` 是 `5`。
""", """
Write `lp_norm(x, p)`: the $L_p$ norm of a 1-D tensor `x` from its definition, for a finite $p \\ge 1$ (not necessarily an integer).
Write the formula with tensor operations rather than calling `torch.linalg.norm`. For example `lp_norm(torch.tensor([3., -4.], dtype=torch.float64), 2.0)` is `5`.
""", '''
def lp_norm(x, p):
    """向量的 Lp 范数 / The Lp norm (sum |x_i|^p)^(1/p) of a vector, p >= 1."""
    ### BEGIN SOLUTION
    return (x.abs() ** p).sum() ** (1.0 / p)
    ### END SOLUTION
''')
    nb.question("frobenius_norm", """
写 `frobenius_norm(X)`：矩阵 `X` 的 Frobenius 范数（0 维张量）。注意它不是矩阵的“谱范数”（最大奇异值）。
""", """
Write `frobenius_norm(X)`: the Frobenius norm of the matrix `X` (a 0-dimensional tensor). Note that it is not the matrix's spectral norm (its largest singular value).
""", '''
def frobenius_norm(X):
    """矩阵的 Frobenius 范数 / The Frobenius norm sqrt(sum of squared entries) of a matrix."""
    ### BEGIN SOLUTION
    return (X ** 2).sum().sqrt()
    ### END SOLUTION
''')
    nb.md("products-intro", """
矩阵乘法 $\\mathbf{A}\\mathbf{B}$ 要求 $\\mathbf{A}$ 的列数等于 $\\mathbf{B}$ 的行数：$m \\times n$ 的矩阵乘 $n \\times k$ 的矩阵得到 $m \\times k$ 的矩阵。
`torch.matmul`（即 `@`）还接受一维张量：左边的向量当作行向量，右边的向量当作列向量，并且这一维不出现在结果里；两个向量相乘得到它们的内积，一个形状为 `[]` 的标量。
""", """
The matrix product $\\mathbf{A}\\mathbf{B}$ needs as many columns in $\\mathbf{A}$ as rows in $\\mathbf{B}$: an $m \\times n$ matrix times an $n \\times k$ matrix is an $m \\times k$ matrix.
`torch.matmul` (that is, `@`) also takes 1-D tensors: a vector on the left acts as a row, a vector on the right as a column, and that dimension does not appear in the result; two vectors give their inner product, a scalar of shape `[]`.
""")
    nb.question("matmul_shape", """
写 `matmul_shape(shape_a, shape_b)`：`shape_a`、`shape_b` 是长度为 1 或 2 的整数列表（向量或矩阵的形状）。
返回 `A @ B` 的形状（整数列表，标量为 `[]`）；两者的形状不能相乘时返回 `None`。只用整数运算，不要真的创建张量。
例如 `matmul_shape([2, 3], [3, 4])` 是 `[2, 4]`，`matmul_shape([2, 3], [2, 3])` 是 `None`。
""", """
Write `matmul_shape(shape_a, shape_b)`: `shape_a` and `shape_b` are lists of one or two integers (the shape of a vector or a matrix).
Return the shape of `A @ B` (a list of integers, `[]` for a scalar), or `None` when the shapes cannot be multiplied. Use integer arithmetic only; do not create tensors.
For example `matmul_shape([2, 3], [3, 4])` is `[2, 4]` and `matmul_shape([2, 3], [2, 3])` is `None`.
""", '''
def matmul_shape(shape_a, shape_b):
    """A @ B 的形状 / The shape of A @ B for vectors and matrices, or None if they do not fit."""
    ### BEGIN SOLUTION
    if shape_a[-1] != shape_b[0]:
        return None
    return list(shape_a[:-1]) + list(shape_b[1:])
    ### END SOLUTION
''')
    nb.question("mat_products", """
写 `mat_products(A, B, x)`：`A` 的形状是 $(m, n)$，`B` 是 $(n, m)$，`x` 是长度为 $n$ 的向量。返回字典：

- `"Ax"`：矩阵–向量积 $\\mathbf{A}\\mathbf{x}$（长度 $m$）；
- `"AB"`：$\\mathbf{A}\\mathbf{B}$（$m \\times m$）；`"BA"`：$\\mathbf{B}\\mathbf{A}$（$n \\times n$）——矩阵乘法不可交换，连形状都可能不同；
- `"AtA"`：$\\mathbf{A}^\\top\\mathbf{A}$（$n \\times n$）；
- `"hadamard"`：按元素乘积 $\\mathbf{A} \\odot \\mathbf{B}^\\top$（$m \\times n$）。
""", """
Write `mat_products(A, B, x)`: `A` has shape $(m, n)$, `B` shape $(n, m)$ and `x` is a vector of length $n$. Return a dict:

- `"Ax"`: the matrix–vector product $\\mathbf{A}\\mathbf{x}$ (length $m$);
- `"AB"`: $\\mathbf{A}\\mathbf{B}$ ($m \\times m$); `"BA"`: $\\mathbf{B}\\mathbf{A}$ ($n \\times n$) — matrix multiplication does not commute, and here even the shapes differ;
- `"AtA"`: $\\mathbf{A}^\\top\\mathbf{A}$ ($n \\times n$);
- `"hadamard"`: the element-wise product $\\mathbf{A} \\odot \\mathbf{B}^\\top$ ($m \\times n$).
""", '''
def mat_products(A, B, x):
    """矩阵乘积与按元素乘积 / Matrix-vector, matrix-matrix and element-wise products."""
    ### BEGIN SOLUTION
    return {"Ax": A @ x, "AB": A @ B, "BA": B @ A, "AtA": A.T @ A, "hadamard": A * B.T}
    ### END SOLUTION
''')
    nb.md("eigen-intro", """
若 $\\mathbf{A}\\mathbf{v} = \\lambda \\mathbf{v}$ 且 $\\mathbf{v} \\ne \\mathbf{0}$，则 $\\mathbf{v}$ 是 $\\mathbf{A}$ 的特征向量，$\\lambda$ 是对应的特征值。
对称矩阵 $\\mathbf{S}$ 可以分解为 $\\mathbf{S} = \\mathbf{Q}\\,\\mathrm{diag}(\\boldsymbol{\\lambda})\\,\\mathbf{Q}^\\top$，$\\mathbf{Q}$ 是正交矩阵。
`torch.linalg.eigh(S)` 返回 `(eigenvalues, Q)`：特征值按**升序**排列，特征向量是 `Q` 的**列**。
特征向量只确定到正负号（$-\\mathbf{v}$ 也是特征向量），不同的实现可能给出不同的符号，所以评分只看与符号无关的量。
""", """
If $\\mathbf{A}\\mathbf{v} = \\lambda \\mathbf{v}$ with $\\mathbf{v} \\ne \\mathbf{0}$, then $\\mathbf{v}$ is an eigenvector of $\\mathbf{A}$ and $\\lambda$ its eigenvalue.
A symmetric matrix $\\mathbf{S}$ decomposes as $\\mathbf{S} = \\mathbf{Q}\\,\\mathrm{diag}(\\boldsymbol{\\lambda})\\,\\mathbf{Q}^\\top$ with an orthogonal $\\mathbf{Q}$.
`torch.linalg.eigh(S)` returns `(eigenvalues, Q)`: the eigenvalues in **ascending** order and the eigenvectors as the **columns** of `Q`.
An eigenvector is defined only up to its sign ($-\\mathbf{v}$ is one too), and implementations may pick either, so the grade looks only at quantities that do not depend on the sign.
""")
    nb.question("eigen_facts", """
写 `eigen_facts(S)`：`S` 是对称正定矩阵（float64），特征值互不相同。用 `torch.linalg.eigh` 分解后返回字典：

- `"eigenvalues"`：全部特征值，升序；
- `"top_projector"`：最大特征值对应的单位特征向量 $\\mathbf{v}$ 的投影矩阵 $\\mathbf{v}\\mathbf{v}^\\top$（把 $\\mathbf{v}$ 换成 $-\\mathbf{v}$ 不变）；
- `"sqrt"`：矩阵平方根 $\\mathbf{Q}\\,\\mathrm{diag}(\\sqrt{\\boldsymbol{\\lambda}})\\,\\mathbf{Q}^\\top$（它的平方等于 `S`）。
""", """
Write `eigen_facts(S)`: `S` is a symmetric positive-definite matrix (float64) with distinct eigenvalues. Decompose it with `torch.linalg.eigh` and return a dict:

- `"eigenvalues"`: all eigenvalues, in ascending order;
- `"top_projector"`: the projector $\\mathbf{v}\\mathbf{v}^\\top$ onto the unit eigenvector $\\mathbf{v}$ of the largest eigenvalue (the same for $-\\mathbf{v}$);
- `"sqrt"`: the matrix square root $\\mathbf{Q}\\,\\mathrm{diag}(\\sqrt{\\boldsymbol{\\lambda}})\\,\\mathbf{Q}^\\top$ (whose square is `S`).
""", '''
def eigen_facts(S):
    """特征分解中与符号无关的量 / Sign-free facts from the eigen-decomposition of S."""
    ### BEGIN SOLUTION
    eigenvalues, Q = torch.linalg.eigh(S)
    v = Q[:, -1]
    return {"eigenvalues": eigenvalues,
            "top_projector": torch.outer(v, v),
            "sqrt": Q @ torch.diag(eigenvalues.sqrt()) @ Q.T}
    ### END SOLUTION
''')
    nb.demo("eigen-demo", """
检验定义：对 `Q` 的每一列 $\\mathbf{v}$ 都有 $\\mathbf{S}\\mathbf{v} = \\lambda\\mathbf{v}$，并且矩阵平方根的平方回到 `S`。
""", """
Check the definition: every column $\\mathbf{v}$ of `Q` satisfies $\\mathbf{S}\\mathbf{v} = \\lambda\\mathbf{v}$, and the square of the matrix square root gives back `S`.
""", """
S = torch.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
lam, Q = torch.linalg.eigh(S)
print("特征值 / eigenvalues:", lam.tolist())
print("max |S v - λ v|:", (S @ Q - Q * lam).abs().max().item())
try:
    R = eigen_facts(S)["sqrt"]
    print("max |R R - S|:", (R @ R - S).abs().max().item())
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
""")


def calculus(nb: MasterNotebook) -> None:
    nb.md("sec-11-2-2", """
### 11.2.2 微分

对 $f: \\mathbb{R}^n \\to \\mathbb{R}$，梯度 $\\nabla_{\\mathbf{x}} f$ 是各偏导数组成的向量，黑塞矩阵 $\\mathbf{H}$ 的元素是二阶偏导数 $h_{ij} = \\partial^2 f / \\partial x_i \\partial x_j$。
对 $\\mathbf{f}: \\mathbb{R}^n \\to \\mathbb{R}^m$，雅可比矩阵 $\\mathbf{J}$ 有 $m$ 行 $n$ 列，$J_{ij} = \\partial f_i / \\partial x_j$。
下面两题请**手推公式**并用张量运算写出来（不要调用自动求导），演示单元会把结果与 `torch.autograd.functional` 在 float64 下比较。
""", """
### 11.2.2 Calculus

For $f: \\mathbb{R}^n \\to \\mathbb{R}$ the gradient $\\nabla_{\\mathbf{x}} f$ is the vector of partial derivatives, and the Hessian $\\mathbf{H}$ holds the second partial derivatives $h_{ij} = \\partial^2 f / \\partial x_i \\partial x_j$.
For $\\mathbf{f}: \\mathbb{R}^n \\to \\mathbb{R}^m$ the Jacobian $\\mathbf{J}$ has $m$ rows and $n$ columns, $J_{ij} = \\partial f_i / \\partial x_j$.
In the next two questions **derive the formula by hand** and write it with tensor operations (no autograd); the demo cells compare your result with `torch.autograd.functional` in float64.
""")
    nb.question("quadratic_derivatives", """
写 `quadratic_derivatives(A, b, x)`：$f(\\mathbf{x}) = \\mathbf{x}^\\top\\mathbf{A}\\mathbf{x} + \\mathbf{b}^\\top\\mathbf{x}$，其中 `A` 是 $n \\times n$ 矩阵，**不一定对称**。
返回字典 `{"grad": ∇f(x)（长度 n）, "hessian": 黑塞矩阵（n × n）}`。
""", """
Write `quadratic_derivatives(A, b, x)`: $f(\\mathbf{x}) = \\mathbf{x}^\\top\\mathbf{A}\\mathbf{x} + \\mathbf{b}^\\top\\mathbf{x}$ where `A` is an $n \\times n$ matrix, **not necessarily symmetric**.
Return the dict `{"grad": ∇f(x) (length n), "hessian": the Hessian (n × n)}`.
""", '''
def quadratic_derivatives(A, b, x):
    """xᵀAx + bᵀx 的梯度与黑塞矩阵 / Gradient and Hessian of xᵀAx + bᵀx, by hand."""
    ### BEGIN SOLUTION
    sym = A + A.T
    return {"grad": sym @ x + b, "hessian": sym}
    ### END SOLUTION
''')
    nb.demo("quadratic-demo", """
用自动求导核对：`torch.autograd.functional.jacobian` 给出梯度，`hessian` 给出黑塞矩阵。
""", """
Check against autograd: `torch.autograd.functional.jacobian` gives the gradient and `hessian` the Hessian.
""", """
A = torch.tensor([[1.0, 2.0], [0.0, 3.0]], dtype=torch.float64)
b = torch.tensor([1.0, -1.0], dtype=torch.float64)
x = torch.tensor([2.0, 1.0], dtype=torch.float64)
f = lambda v: v @ A @ v + b @ v
try:
    mine = quadratic_derivatives(A, b, x)
    print("梯度一致 / gradient agrees:", torch.allclose(mine["grad"], torch.autograd.functional.jacobian(f, x)))
    print("黑塞矩阵一致 / Hessian agrees:", torch.allclose(mine["hessian"], torch.autograd.functional.hessian(f, x)))
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
""")
    nb.question("sigmoid_layer_jacobian", """
写 `sigmoid_layer_jacobian(W, b, x)`：$\\mathbf{f}(\\mathbf{x}) = \\sigma(\\mathbf{W}\\mathbf{x} + \\mathbf{b})$，$\\sigma$ 是按元素的 sigmoid，`W` 的形状是 $(m, n)$。
返回雅可比矩阵（形状 $(m, n)$，$J_{ij} = \\partial f_i / \\partial x_j$，与 `torch.autograd.functional.jacobian` 的约定相同）。
提示：$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$，再用链式法则。
""", """
Write `sigmoid_layer_jacobian(W, b, x)`: $\\mathbf{f}(\\mathbf{x}) = \\sigma(\\mathbf{W}\\mathbf{x} + \\mathbf{b})$, with $\\sigma$ the element-wise sigmoid and `W` of shape $(m, n)$.
Return the Jacobian (shape $(m, n)$, $J_{ij} = \\partial f_i / \\partial x_j$, the convention of `torch.autograd.functional.jacobian`).
Hint: $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$, then the chain rule.
""", '''
def sigmoid_layer_jacobian(W, b, x):
    """sigmoid(Wx + b) 的雅可比矩阵 / The Jacobian of sigmoid(Wx + b), by hand."""
    ### BEGIN SOLUTION
    s = torch.sigmoid(W @ x + b)
    return (s * (1 - s))[:, None] * W
    ### END SOLUTION
''')
    nb.demo("jacobian-demo", """
与自动求导比较，并看看形状：$m = 2$ 个输出、$n = 3$ 个输入。
""", """
Compare with autograd, and look at the shape: $m = 2$ outputs, $n = 3$ inputs.
""", """
W = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]], dtype=torch.float64)
b = torch.tensor([0.1, -0.2], dtype=torch.float64)
x = torch.tensor([1.0, 0.5, -1.0], dtype=torch.float64)
auto = torch.autograd.functional.jacobian(lambda v: torch.sigmoid(W @ v + b), x)
print("自动求导的形状 / autograd's shape:", tuple(auto.shape))
try:
    print("一致 / agrees:", torch.allclose(sigmoid_layer_jacobian(W, b, x), auto))
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
""")


def probability(nb: MasterNotebook) -> None:
    nb.md("sec-11-2-3", """
### 11.2.3 概率

随机变量 $X$ 的期望 $\\mathbb{E}(X)$ 和方差 $\\mathrm{Var}(X) = \\mathbb{E}\\left[(X - \\mathbb{E}X)^2\\right] = \\mathbb{E}(X^2) - (\\mathbb{E}X)^2$ 可以用样本来估计。
$n$ 个样本的均值 $\\bar{x}$ 估计期望；**样本方差** $s^2 = \\frac{1}{n-1}\\sum_i (x_i - \\bar{x})^2$ 估计方差（除以 $n - 1$ 才是无偏的）；均值的**标准误** $\\sqrt{s^2 / n}$ 衡量 $\\bar{x}$ 的波动。
""", """
### 11.2.3 Probability

The expectation $\\mathbb{E}(X)$ and the variance $\\mathrm{Var}(X) = \\mathbb{E}\\left[(X - \\mathbb{E}X)^2\\right] = \\mathbb{E}(X^2) - (\\mathbb{E}X)^2$ of a random variable $X$ can be estimated from samples.
The mean $\\bar{x}$ of $n$ samples estimates the expectation; the **sample variance** $s^2 = \\frac{1}{n-1}\\sum_i (x_i - \\bar{x})^2$ estimates the variance (dividing by $n - 1$ makes it unbiased); the **standard error** of the mean, $\\sqrt{s^2 / n}$, measures how much $\\bar{x}$ fluctuates.
""")
    nb.question("sample_stats", """
写 `sample_stats(x)`：`x` 是 float64 的一维样本张量（至少 2 个）。返回字典 `{"mean": 均值, "var": 样本方差（除以 n − 1）, "sem": 均值的标准误}`，三个值都是 0 维 float64 张量。
""", """
Write `sample_stats(x)`: `x` is a 1-D float64 tensor of samples (at least 2). Return the dict `{"mean": the mean, "var": the sample variance (divided by n − 1), "sem": the standard error of the mean}`, each a 0-dimensional float64 tensor.
""", '''
def sample_stats(x):
    """均值、样本方差、标准误 / Mean, sample variance (n - 1) and standard error of the mean."""
    ### BEGIN SOLUTION
    n = x.numel()
    mean = x.sum() / n
    var = ((x - mean) ** 2).sum() / (n - 1)
    return {"mean": mean, "var": var, "sem": (var / n).sqrt()}
    ### END SOLUTION
''')
    nb.question("estimate_moments", """
写 `estimate_moments(dist, n, t)`：`dist` 是一个 `torch.distributions` 中的分布对象（如 `torch.distributions.Normal(2.0, 0.5)`）。
用 `samples = dist.sample((n,))` 抽 `n` 个样本（不必设置随机种子，评分程序会设定），返回字典：

- `"samples"`：这 `n` 个样本（形状 `(n,)` 的张量）；
- `"mean"`：样本均值；`"var"`：样本方差（除以 $n - 1$）；`"tail"`：样本中**大于** `t` 的比例，估计 $P(X > t)$。后三个都是 Python 浮点数（用 `.item()`）。

**评分方式**：每个估计值必须与这些样本算出的值一致，并且离分布的真实值不超过 **4 个标准误**（均值的标准误是 $\\sigma/\\sqrt{n}$；方差和比例的标准误同理由分布的四阶矩和 $p(1-p)$ 算出）。所以任何正确的抽样方式都能通过，但只有真正按给定分布抽样才会落在这个范围内。
""", """
Write `estimate_moments(dist, n, t)`: `dist` is a distribution object from `torch.distributions` (such as `torch.distributions.Normal(2.0, 0.5)`).
Draw `n` samples with `samples = dist.sample((n,))` (no seeding needed: the grader seeds the generator), and return a dict:

- `"samples"`: the `n` samples (a tensor of shape `(n,)`);
- `"mean"`: the sample mean; `"var"`: the sample variance (divided by $n - 1$); `"tail"`: the fraction of the samples **above** `t`, an estimate of $P(X > t)$. These three are Python floats (use `.item()`).

**How it is graded**: each estimate must be the value computed from the samples you return, and lie within **4 standard errors** of the distribution's true value (the standard error of the mean is $\\sigma/\\sqrt{n}$; those of the variance and of a proportion follow likewise from the fourth moment and from $p(1-p)$). Any correct way of sampling passes, but only samples really drawn from the given distribution land that close.
""", '''
def estimate_moments(dist, n, t):
    """用 n 个样本估计均值、方差和 P(X > t) / Estimate E[X], Var(X) and P(X > t) from n samples."""
    ### BEGIN SOLUTION
    samples = dist.sample((n,))
    return {"samples": samples,
            "mean": samples.mean().item(),
            "var": samples.var().item(),
            "tail": (samples > t).float().mean().item()}
    ### END SOLUTION
''')
    nb.demo("moments-demo", """
样本越多，估计离真值越近：指数分布 $\\mathrm{Exp}(\\lambda = 0.5)$ 的均值是 2，方差是 4，$P(X > 3) = e^{-1.5} \\approx 0.223$。
""", """
The more samples, the closer the estimates: the exponential distribution $\\mathrm{Exp}(\\lambda = 0.5)$ has mean 2, variance 4 and $P(X > 3) = e^{-1.5} \\approx 0.223$.
""", """
try:
    for n in (100, 10_000):
        est = estimate_moments(torch.distributions.Exponential(0.5), n, 3.0)
        print(f"n = {n:>6}: mean {est['mean']:.3f}  var {est['var']:.3f}  P(X > 3) {est['tail']:.3f}")
    print(f"真值 / truth:    mean 2.000  var 4.000  P(X > 3) {math.exp(-1.5):.3f}")
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
""")
    nb.md("bayes-intro", """
条件概率 $P(A \\mid B) = P(A, B) / P(B)$。由 $P(A, B) = P(B \\mid A) P(A)$ 得到贝叶斯公式
$P(H \\mid D) = \\dfrac{P(D \\mid H)\\,P(H)}{P(D)}$，其中证据（边缘概率）$P(D) = \\sum_h P(D \\mid H = h)\\,P(H = h)$。
""", """
Conditional probability is $P(A \\mid B) = P(A, B) / P(B)$. Since $P(A, B) = P(B \\mid A) P(A)$, Bayes' rule follows:
$P(H \\mid D) = \\dfrac{P(D \\mid H)\\,P(H)}{P(D)}$, where the evidence (a marginal probability) is $P(D) = \\sum_h P(D \\mid H = h)\\,P(H = h)$.
""")
    nb.question("bayes_table", """
写 `bayes_table(prior, likelihood)`：假设 $H$ 取 $k$ 个值，观测 $D$ 取 $m$ 个值；`prior[i]` $= P(H = i)$（长度 $k$），`likelihood[i, j]` $= P(D = j \\mid H = i)$（形状 $(k, m)$，每行之和为 1），都是 float64。返回字典：

- `"evidence"`：长度 $m$，第 $j$ 个元素是 $P(D = j)$；
- `"posterior"`：形状 $(k, m)$，元素 $[i, j]$ 是 $P(H = i \\mid D = j)$（所以每**列**之和为 1）。

公开用例：一种罕见情况的发生率是 0.15%；检测对有这种情况的人总是阳性，对没有的人有 1% 的假阳性。检测呈阳性时，真有这种情况的概率只有约 13%。
""", """
Write `bayes_table(prior, likelihood)`: a hypothesis $H$ takes $k$ values and an observation $D$ takes $m$ values; `prior[i]` $= P(H = i)$ (length $k$) and `likelihood[i, j]` $= P(D = j \\mid H = i)$ (shape $(k, m)$, each row sums to 1), both float64. Return a dict:

- `"evidence"`: length $m$, entry $j$ is $P(D = j)$;
- `"posterior"`: shape $(k, m)$, entry $[i, j]$ is $P(H = i \\mid D = j)$ (so each **column** sums to 1).

The public case: a rare condition affects 0.15% of people; a test is always positive for people who have it, and positive for 1% of those who do not. After a positive test, the probability of really having the condition is only about 13%.
""", '''
def bayes_table(prior, likelihood):
    """贝叶斯公式：证据与后验 / Bayes' rule: the evidence P(D) and the posterior P(H | D)."""
    ### BEGIN SOLUTION
    joint = prior[:, None] * likelihood
    evidence = joint.sum(dim=0)
    return {"evidence": evidence, "posterior": joint / evidence}
    ### END SOLUTION
''')


def budget(nb: MasterNotebook) -> None:
    nb.md("sec-11-5", """
## 11.5 GPU 购买指南：计算预算

选 GPU 时，显存大小决定了能训练多大的模型、用多大的批量。训练一步时显存里至少有：

1. **参数**：每个值占 `bytes_per_value` 字节（float32 是 4，float16 是 2）；
2. **梯度**：与参数一样多；
3. **优化器状态**：普通 SGD 不需要；带动量的 SGD 每个参数存 1 个值（速度）；Adam 每个参数存 2 个值（一阶矩和二阶矩的滑动平均）；
4. **激活值**：前向计算中各层的输出，反向传播时要用到，与批量大小成正比。

网络用一个层的列表描述，每层是一个字典：

| 层 | 描述 | 参数个数 | 每个样本的输出形状 |
|---|---|---|---|
| 全连接 | `{"type": "linear", "in": n, "out": m}` | $nm + m$（含偏置） | `[m]` |
| 卷积 | `{"type": "conv", "in": c, "out": d, "kernel": k, "stride": s, "padding": p}` | $dck^2 + d$（含偏置） | `[d, (h+2p-k)//s+1, (w+2p-k)//s+1]` |
| 最大池化 | `{"type": "maxpool", "kernel": k, "stride": s}`（无填充） | 0 | `[c, (h-k)//s+1, (w-k)//s+1]` |
| 激活函数 | `{"type": "relu"}`、`{"type": "sigmoid"}` | 0 | 与输入相同 |
| 展平 | `{"type": "flatten"}` | 0 | 所有维度之积，`[c·h·w]` |

`input_shape` 是**单个样本**的形状（不含批量维），如 `[784]` 或 `[1, 28, 28]`。本节所有答案都是**精确的 Python 整数**（字节数），用整数运算（`//`），不要用浮点数。
""", """
## 11.5 GPU buying guide: a compute budget

When choosing a GPU, its memory decides how big a model, and how big a batch, you can train. During a training step the memory holds at least:

1. **the parameters**: each value takes `bytes_per_value` bytes (4 for float32, 2 for float16);
2. **the gradients**: as many as the parameters;
3. **the optimizer's state**: none for plain SGD; one value per parameter for SGD with momentum (the velocity); two values per parameter for Adam (running averages of the first and second moments);
4. **the activations**: every layer's output in the forward pass, kept for backpropagation, proportional to the batch size.

A network is described by a list of layers, each a dict:

| layer | description | parameters | per-example output shape |
|---|---|---|---|
| fully connected | `{"type": "linear", "in": n, "out": m}` | $nm + m$ (with the bias) | `[m]` |
| convolution | `{"type": "conv", "in": c, "out": d, "kernel": k, "stride": s, "padding": p}` | $dck^2 + d$ (with the bias) | `[d, (h+2p-k)//s+1, (w+2p-k)//s+1]` |
| max pooling | `{"type": "maxpool", "kernel": k, "stride": s}` (no padding) | 0 | `[c, (h-k)//s+1, (w-k)//s+1]` |
| activation | `{"type": "relu"}`, `{"type": "sigmoid"}` | 0 | same as the input |
| flatten | `{"type": "flatten"}` | 0 | the product of all dimensions, `[c·h·w]` |

`input_shape` is the shape of **one example** (no batch dimension), such as `[784]` or `[1, 28, 28]`. Every answer in this section is an **exact Python integer** (a number of bytes): use integer arithmetic (`//`), not floats.
""")
    nb.given("lenet-layers", """
# 书中的多层感知机（§3.9）和 LeNet（§5.5），用上表的格式描述 / The book's MLP (§3.9) and LeNet (§5.5) in the table's format
MLP_LAYERS = [{"type": "linear", "in": 784, "out": 256}, {"type": "relu"},
              {"type": "linear", "in": 256, "out": 10}]
LENET_LAYERS = [
    {"type": "conv", "in": 1, "out": 6, "kernel": 5, "stride": 1, "padding": 2}, {"type": "sigmoid"},
    {"type": "maxpool", "kernel": 2, "stride": 2},
    {"type": "conv", "in": 6, "out": 16, "kernel": 5, "stride": 1, "padding": 0}, {"type": "sigmoid"},
    {"type": "maxpool", "kernel": 2, "stride": 2},
    {"type": "flatten"},
    {"type": "linear", "in": 400, "out": 120}, {"type": "sigmoid"},
    {"type": "linear", "in": 120, "out": 84}, {"type": "sigmoid"},
    {"type": "linear", "in": 84, "out": 10},
]
""")
    nb.question("param_bytes", """
写 `param_bytes(layers, bytes_per_value=4)`：网络全部参数（权重和偏置）占的字节数。
例如书中的多层感知机有 $784 \\cdot 256 + 256 + 256 \\cdot 10 + 10 = 203530$ 个参数，float32 下占 814120 字节。
""", """
Write `param_bytes(layers, bytes_per_value=4)`: the bytes taken by all of the network's parameters (weights and biases).
For example the book's MLP has $784 \\cdot 256 + 256 + 256 \\cdot 10 + 10 = 203530$ parameters, 814120 bytes in float32.
""", '''
def param_bytes(layers, bytes_per_value=4):
    """参数（含偏置）的字节数 / Bytes of all weights and biases."""
    ### BEGIN SOLUTION
    count = 0
    for layer in layers:
        if layer["type"] == "linear":
            count += layer["in"] * layer["out"] + layer["out"]
        elif layer["type"] == "conv":
            count += layer["out"] * layer["in"] * layer["kernel"] ** 2 + layer["out"]
    return count * bytes_per_value
    ### END SOLUTION
''')
    nb.question("activation_bytes", """
写 `activation_bytes(layers, input_shape, batch_size, bytes_per_value=4)`：一个批量的激活值占的字节数。本题对“激活值”的定义：

- 列表中**每一层的输出**（包括 ReLU、sigmoid 和池化层的输出）都算，乘以批量大小；
- **例外**：`flatten` 的输出不算——它只是输入的一个视图（view），与输入共用内存；
- 输入批量本身不算。

例如多层感知机、批量 256：$(256 + 256 + 10) \\times 256 \\times 4 = 534528$ 字节。
""", """
Write `activation_bytes(layers, input_shape, batch_size, bytes_per_value=4)`: the bytes of the activations of one batch. For this question an "activation" is:

- **the output of every layer** in the list (the outputs of ReLU, sigmoid and pooling layers included), times the batch size;
- **except** the output of `flatten`, which is only a view of its input sharing its memory;
- the input batch itself is not counted.

For example the MLP with a batch of 256: $(256 + 256 + 10) \\times 256 \\times 4 = 534528$ bytes.
""", '''
def activation_bytes(layers, input_shape, batch_size, bytes_per_value=4):
    """一个批量的激活值字节数 / Bytes of every layer's output for one batch (flatten excepted)."""
    ### BEGIN SOLUTION
    shape, elements = list(input_shape), 0
    for layer in layers:
        kind = layer["type"]
        if kind == "linear":
            shape = [layer["out"]]
        elif kind == "conv":
            k, s, p = layer["kernel"], layer["stride"], layer["padding"]
            shape = [layer["out"]] + [(d + 2 * p - k) // s + 1 for d in shape[1:]]
        elif kind == "maxpool":
            k, s = layer["kernel"], layer["stride"]
            shape = shape[:1] + [(d - k) // s + 1 for d in shape[1:]]
        elif kind == "flatten":
            shape = [math.prod(shape)]
            continue  # a view: no new memory
        elements += math.prod(shape)
    return elements * batch_size * bytes_per_value
    ### END SOLUTION
''')
    nb.question("optimizer_state_bytes", """
写 `optimizer_state_bytes(layers, bytes_per_value=4)`：返回字典 `{"sgd": ..., "momentum": ..., "adam": ...}`，分别是普通 SGD、带动量的 SGD 和 Adam 为这个网络保存的状态的字节数（整数）。
""", """
Write `optimizer_state_bytes(layers, bytes_per_value=4)`: return the dict `{"sgd": ..., "momentum": ..., "adam": ...}`, the bytes of the state that plain SGD, SGD with momentum and Adam keep for this network (integers).
""", '''
def optimizer_state_bytes(layers, bytes_per_value=4):
    """各优化器状态的字节数 / Bytes of optimizer state for SGD, momentum and Adam."""
    ### BEGIN SOLUTION
    count = 0
    for layer in layers:
        if layer["type"] == "linear":
            count += layer["in"] * layer["out"] + layer["out"]
        elif layer["type"] == "conv":
            count += layer["out"] * layer["in"] * layer["kernel"] ** 2 + layer["out"]
    per_param = count * bytes_per_value
    return {"sgd": 0, "momentum": per_param, "adam": 2 * per_param}
    ### END SOLUTION
''')
    nb.question("training_budget", """
写 `training_budget(num_params, activations_per_example, batch_size, optimizer, memory_gib, bytes_per_value=4)`：

- `num_params`：参数个数；`activations_per_example`：**每个样本**的激活值个数（按上一题的定义）；`optimizer` 是 `"sgd"`、`"momentum"` 或 `"adam"`；显卡有 `memory_gib` GiB 显存（1 GiB $= 2^{30}$ 字节，可用的字节数是 `int(memory_gib * 2**30)`）。
- 训练一步需要的字节数 = 参数 + 梯度 + 优化器状态 + 这个批量的激活值。

返回字典：`"total_bytes"`（整数）、`"fits"`（`total_bytes` 不超过显存时为 `True`）、`"max_batch_size"`（能放下的最大批量，整数；连参数、梯度和状态都放不下时为 0）。
""", """
Write `training_budget(num_params, activations_per_example, batch_size, optimizer, memory_gib, bytes_per_value=4)`:

- `num_params`: the number of parameters; `activations_per_example`: the number of activation values **per example** (as defined in the previous question); `optimizer` is `"sgd"`, `"momentum"` or `"adam"`; the card has `memory_gib` GiB of memory (1 GiB $= 2^{30}$ bytes; the bytes available are `int(memory_gib * 2**30)`).
- The bytes one training step needs = parameters + gradients + optimizer state + the activations of this batch.

Return a dict: `"total_bytes"` (an integer), `"fits"` (`True` when `total_bytes` does not exceed the memory), `"max_batch_size"` (the largest batch that fits, an integer; 0 when not even the parameters, gradients and state fit).
""", '''
def training_budget(num_params, activations_per_example, batch_size, optimizer, memory_gib,
                    bytes_per_value=4):
    """训练一步的显存预算 / The memory one training step needs, and the largest batch that fits."""
    ### BEGIN SOLUTION
    states = {"sgd": 0, "momentum": 1, "adam": 2}[optimizer]
    memory = int(memory_gib * 2**30)
    fixed = num_params * (2 + states) * bytes_per_value
    per_example = activations_per_example * bytes_per_value
    total = fixed + per_example * batch_size
    return {"total_bytes": total, "fits": total <= memory,
            "max_batch_size": max(0, (memory - fixed) // per_example)}
    ### END SOLUTION
''')
    nb.demo("budget-demo", """
用真实的 PyTorch 模块核对：按 `LENET_LAYERS` 搭出 LeNet，`sum(p.numel() * p.element_size())` 就是参数的字节数；
再用前向钩子（forward hook）统计一个批量里各层输出的字节数。最后估计在一块 4 GiB 的显卡上用 Adam 训练 LeNet 时批量最大能到多少。
""", """
Check against real PyTorch modules: build LeNet from `LENET_LAYERS`; `sum(p.numel() * p.element_size())` is the parameters' bytes.
Then count the bytes of every layer's output for one batch with forward hooks. Finally estimate the largest batch for training LeNet with Adam on a 4 GiB card.
""", """
from torch import nn

def build(layers):
    make = {"linear": lambda l: nn.Linear(l["in"], l["out"]),
            "conv": lambda l: nn.Conv2d(l["in"], l["out"], l["kernel"], l["stride"], l["padding"]),
            "maxpool": lambda l: nn.MaxPool2d(l["kernel"], l["stride"]),
            "relu": lambda l: nn.ReLU(), "sigmoid": lambda l: nn.Sigmoid(), "flatten": lambda l: nn.Flatten()}
    return nn.Sequential(*[make[l["type"]](l) for l in layers])

lenet = build(LENET_LAYERS)
outputs = []
hooks = [m.register_forward_hook(lambda m, i, o: outputs.append(0 if isinstance(m, nn.Flatten) else o.numel() * o.element_size()))
         for m in lenet]
lenet(torch.zeros(8, 1, 28, 28))
for h in hooks:
    h.remove()
print("torch 的参数字节数 / torch's parameter bytes:", sum(p.numel() * p.element_size() for p in lenet.parameters()))
print("torch 的激活值字节数（批量 8）/ torch's activation bytes (batch 8):", sum(outputs))
try:
    print("param_bytes:", param_bytes(LENET_LAYERS), " activation_bytes:", activation_bytes(LENET_LAYERS, [1, 28, 28], 8))
    n_params = param_bytes(LENET_LAYERS) // 4
    per_example = activation_bytes(LENET_LAYERS, [1, 28, 28], 1) // 4
    print("4 GiB + Adam:", training_budget(n_params, per_example, 256, "adam", 4))
except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")
""")


def build() -> MasterNotebook:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    intro(nb)
    notation(nb)
    linear_algebra(nb)
    calculus(nb)
    probability(nb)
    budget(nb)
    return nb


def main() -> int:
    build().write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
