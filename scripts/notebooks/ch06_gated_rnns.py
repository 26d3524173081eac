# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch06_rnn/gated_rnns.ipynb`` (§6.6–6.10).

    .venv/bin/python scripts/notebooks/ch06_gated_rnns.py

then rebuild the fixtures (``d2l-grade fixtures build ch06_rnn --notebook gated_rnns``),
release, and regenerate the mistake notebooks (``scripts/make_examples.py``).  The
questions' points come from ``solutions/ch06_rnn/gated_rnns.py``.  Prose and code are our
own; 简体中文 first, English beneath.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.notebooks.cells import MasterNotebook  # noqa: E402

SKIP = 'print("先完成上面的填空 / finish the blanks above first")'


def build() -> MasterNotebook:
    nb = MasterNotebook("ch06_rnn", "gated_rnns")
    nb.md("intro", """
# 第 6 章 循环神经网络（下）：BPTT、GRU、LSTM、深度与双向 RNN / Chapter 6 Recurrent Neural Networks (part 2)

本作业是第 6 章的第二个笔记本，对应《动手学深度学习》（第一版）6.6–6.10 节，全部使用 PyTorch。
先在一个最简单的线性循环网络上手推“通过时间反向传播”，看清梯度为什么会消失或爆炸；
再从零实现门控循环单元（GRU）和长短期记忆（LSTM），把 GRU 训练成一个字符级语言模型，并把 LSTM 的参数搬进 `nn.LSTM`；
最后把循环层叠成深度循环网络，并实现双向循环网络。

**作业规则**

- 每道题是一个代码单元格，把 `# YOUR CODE HERE` 和 `raise NotImplementedError()` 两行换成你的实现；其后的 `check("名字")` 用公开测试用例检查你的答案，仅供参考，最终成绩还包括隐藏用例。
- 不要改函数名、类名、参数名、参数顺序和默认值，也不要改题目规定的属性名（`self.rnn`、`self.dense`）：评分程序会把它自己的参数传给你的函数，或用 `load_state_dict(strict=True)` 装进你的模型。
- **约定**：从零实现的循环单元和书中一样，输入 `inputs` 是长度为 T 的**列表**，第 t 个元素是第 t 个时间步的小批量，形状 (批量大小, 输入个数)；参数以列表 `params` 显式传入；返回 `(outputs, state)`，`outputs` 也是长度为 T 的列表。GRU 的状态是只有一个元素的元组 `(H,)`，LSTM 的是 `(H, C)`。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。
- 标有“演示”的单元格不计分；上面的填空没完成时它们只打印一句提示。评分在没有 GPU、没有网络的环境里进行。
""", """
This assignment is the second notebook of chapter 6 and covers sections 6.6–6.10 of *Dive into Deep Learning* (first edition),
entirely in PyTorch. You first derive back-propagation through time by hand on the simplest linear recurrent network and see
why gradients vanish or explode; then you build gated recurrent units (GRU) and long short-term memory (LSTM) from scratch, train
the GRU as a character-level language model and move the LSTM's parameters into `nn.LSTM`; finally you stack recurrent layers
into a deep RNN and write a bidirectional RNN.

**Rules**

- Each question is a code cell: replace the lines `# YOUR CODE HERE` and `raise NotImplementedError()` by your code. The `check("name")` cell after it tests your answer on the public cases; it is advice only, the grade also uses hidden cases.
- Do not rename functions, classes or arguments, or change their order or defaults, and keep the attribute names a question gives (`self.rnn`, `self.dense`): the grader passes its own parameters to your functions, or loads them into your model with `load_state_dict(strict=True)`.
- **Conventions**: as in the book, a scratch recurrent cell takes `inputs` as a **list** of T tensors, element t being time step t's minibatch of shape (batch size, number of inputs); the parameters come explicitly as a list `params`; it returns `(outputs, state)`, `outputs` again a list of T tensors. A GRU's state is the one-element tuple `(H,)`, an LSTM's is `(H, C)`.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell.
- Cells marked "demo" are not graded; while a blank above is unfinished they only print a note. Grading runs without a GPU and without network access.
""")
    nb.setup("""
import math
import os
import zipfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

# 本笔记本里的矩阵都很小，多线程的同步开销比计算还大：用一个线程更快。
# The matrices here are tiny; threads cost more to synchronise than they save.
torch.set_num_threads(1)
""")

    # ---------------------------------------------------------------- §6.6
    nb.md("sec-6-6", r"""
## 6.6 通过时间反向传播 / Back-propagation Through Time

循环神经网络在每个时间步都用同一组参数，隐藏状态又把早先的时间步和后面的损失连在一起。所以对参数求梯度时，
既要把各个时间步的贡献加起来，又要顺着隐藏状态一步步往回传——这就是**通过时间反向传播**（BPTT）。

为了看清梯度的结构，书中用一个没有激活函数、没有偏置的线性循环网络。本节用**列向量**写法：$x_t \in \mathbb{R}^d$，
$h_t \in \mathbb{R}^h$，$o_t, y_t \in \mathbb{R}^q$，

$$h_t = W_{hx} x_t + W_{hh} h_{t-1},\qquad o_t = W_{qh} h_t,\qquad h_0 = 0,$$

所以 $W_{hx}$ 的形状是 $(h, d)$，$W_{hh}$ 是 $(h, h)$，$W_{qh}$ 是 $(q, h)$。本作业把损失**定为**一条长为 $T$ 的序列上平方误差的时间平均：

$$L = \frac{1}{T}\sum_{t=1}^{T} \tfrac12 \lVert o_t - y_t \rVert^2 .$$

由链式法则：$\partial L/\partial o_t = (o_t - y_t)/T$；最后一步 $\partial L/\partial h_T = W_{qh}^\top\, \partial L/\partial o_T$，更早的步
$\partial L/\partial h_t = W_{qh}^\top\, \partial L/\partial o_t + W_{hh}^\top\, \partial L/\partial h_{t+1}$（$h_t$ 既直接影响 $o_t$，又通过 $h_{t+1}$ 影响以后所有的输出）。
每个参数的梯度是各时间步贡献之和：

$$\frac{\partial L}{\partial W_{qh}} = \sum_t \frac{\partial L}{\partial o_t} h_t^\top,\quad
\frac{\partial L}{\partial W_{hx}} = \sum_t \frac{\partial L}{\partial h_t} x_t^\top,\quad
\frac{\partial L}{\partial W_{hh}} = \sum_t \frac{\partial L}{\partial h_t} h_{t-1}^\top .$$

把递推式展开，$\partial L/\partial h_t$ 里含有 $(W_{hh}^\top)^{T-t}$ 这样的幂：$W_{hh}$ 的特征值小于 1 时远处的贡献趋于 0（梯度衰减），大于 1 时则越来越大（梯度爆炸）。
""", r"""
## 6.6 Back-propagation Through Time

A recurrent network uses the same parameters at every time step, and the hidden state links earlier steps to later losses. The
gradient of a parameter therefore adds up the contributions of all steps, and it travels back step by step along the hidden
states: **back-propagation through time** (BPTT).

To see the structure of the gradient, the book uses a linear recurrent network without activation or bias. This section uses
**column vectors**: $x_t \in \mathbb{R}^d$, $h_t \in \mathbb{R}^h$, $o_t, y_t \in \mathbb{R}^q$,

$$h_t = W_{hx} x_t + W_{hh} h_{t-1},\qquad o_t = W_{qh} h_t,\qquad h_0 = 0,$$

so $W_{hx}$ has shape $(h, d)$, $W_{hh}$ $(h, h)$ and $W_{qh}$ $(q, h)$. This assignment **fixes** the loss as the time average
of the squared error over one sequence of length $T$:

$$L = \frac{1}{T}\sum_{t=1}^{T} \tfrac12 \lVert o_t - y_t \rVert^2 .$$

By the chain rule: $\partial L/\partial o_t = (o_t - y_t)/T$; at the last step $\partial L/\partial h_T = W_{qh}^\top\, \partial L/\partial o_T$, and earlier
$\partial L/\partial h_t = W_{qh}^\top\, \partial L/\partial o_t + W_{hh}^\top\, \partial L/\partial h_{t+1}$ ($h_t$ affects $o_t$ directly and every later output through $h_{t+1}$).
Each parameter's gradient sums the contributions of all steps:

$$\frac{\partial L}{\partial W_{qh}} = \sum_t \frac{\partial L}{\partial o_t} h_t^\top,\quad
\frac{\partial L}{\partial W_{hx}} = \sum_t \frac{\partial L}{\partial h_t} x_t^\top,\quad
\frac{\partial L}{\partial W_{hh}} = \sum_t \frac{\partial L}{\partial h_t} h_{t-1}^\top .$$

Unrolled, $\partial L/\partial h_t$ contains powers such as $(W_{hh}^\top)^{T-t}$: with eigenvalues of $W_{hh}$ below 1 distant
contributions fade away (vanishing gradients), above 1 they grow without bound (exploding gradients).
""")
    nb.question("bptt_grads", """
写 `bptt_grads(X, Y, W_hx, W_hh, W_qh)`，**不用自动求导**，按上面的公式手工算出三个梯度。

- `X` 的形状是 (T, d)，第 t 行是 $x_t$；`Y` 是 (T, q)；权重的形状如上；全部是 float64 张量。
- 先正向算出并保存所有 $h_t$（包括 $h_0 = 0$），再从最后一步往前反向递推 $\\partial L/\\partial h_t$，同时累加各参数的梯度（`torch.outer(a, b)` 就是 $a b^\\top$）。
- 返回字典 `{"W_hx": ∂L/∂W_hx, "W_hh": ∂L/∂W_hh, "W_qh": ∂L/∂W_qh}`，形状与对应的权重相同。

评分用 float64、相对误差 1e-8 与自动求导的结果比较，所以损失的定义（时间平均、平方误差带 ½）要与上面完全一致。
""", """
Write `bptt_grads(X, Y, W_hx, W_hh, W_qh)` **without autograd**: compute the three gradients by hand with the formulas above.

- `X` has shape (T, d), row t being $x_t$; `Y` is (T, q); the weights have the shapes above; all are float64 tensors.
- First run forward and keep every $h_t$ (including $h_0 = 0$), then go backward from the last step, computing $\\partial L/\\partial h_t$ by the recursion and adding up each parameter's gradient (`torch.outer(a, b)` is $a b^\\top$).
- Return the dict `{"W_hx": ∂L/∂W_hx, "W_hh": ∂L/∂W_hh, "W_qh": ∂L/∂W_qh}`, each of its weight's shape.

Grading compares with autograd in float64 with a relative tolerance of 1e-8, so the loss must be exactly the one defined above
(time average, squared error with the ½).
""", '''
def bptt_grads(X, Y, W_hx, W_hh, W_qh):
    """手推 BPTT / Hand-derived gradients of L = (1/T) Σ ½‖W_qh h_t − y_t‖² for the linear RNN."""
    ### BEGIN SOLUTION
    T = X.shape[0]
    hs = [torch.zeros(W_hh.shape[0], dtype=X.dtype)]
    for t in range(T):
        hs.append(W_hx @ X[t] + W_hh @ hs[-1])
    grads = {"W_hx": torch.zeros_like(W_hx), "W_hh": torch.zeros_like(W_hh),
             "W_qh": torch.zeros_like(W_qh)}
    dh_later = torch.zeros_like(hs[0])
    for t in range(T - 1, -1, -1):
        h = hs[t + 1]
        do = (W_qh @ h - Y[t]) / T
        grads["W_qh"] += torch.outer(do, h)
        dh = W_qh.T @ do + W_hh.T @ dh_later
        grads["W_hx"] += torch.outer(dh, X[t])
        grads["W_hh"] += torch.outer(dh, hs[t])
        dh_later = dh
    return grads
    ### END SOLUTION
''')
    nb.question("truncated_bptt_grads", """
序列很长时，完整的 BPTT 既费内存，又容易让梯度爆炸。常用的办法是**截断**：每隔 k 步把隐藏状态从计算图上“剪断”（`h.detach()`），
梯度就最多往回传到所在这段的开头。6.4 节用相邻采样训练时，在每个小批量开始时 `detach` 状态，做的就是这件事。

写 `truncated_bptt_grads(X, Y, W_hx, W_hh, W_qh, k)`，这次**用自动求导**：

- 把三个权重复制成需要梯度的叶子张量（`W.detach().clone().requires_grad_(True)`），不要改动传入的张量；
- 用同样的模型和同样的损失 $L$ 做正向计算，时间步从 0 数到 T−1：在计算第 t 步之前，若 `t > 0` 且 `t % k == 0`，先把携带的隐藏状态换成 `h.detach()`；于是序列被切成长为 k 的若干段（最后一段可能更短）；
- 用 `torch.autograd.grad` 或 `backward()` 求出三个梯度，返回与 `bptt_grads` 相同格式的字典。

损失的值不变，变的只是梯度：`k ≥ T` 时它就是完整的梯度。
""", """
On long sequences full BPTT costs memory and invites exploding gradients. The usual remedy is **truncation**: every k steps the
hidden state is cut from the graph (`h.detach()`), so a gradient travels back at most to the start of its window. Training with
consecutive sampling in 6.4, which detaches the state at the start of each minibatch, does exactly that.

Write `truncated_bptt_grads(X, Y, W_hx, W_hh, W_qh, k)`, this time **with autograd**:

- copy the three weights into leaf tensors that require grad (`W.detach().clone().requires_grad_(True)`), leaving the given tensors alone;
- run the same model and the same loss $L$ forward, counting steps from 0 to T−1: before computing step t, if `t > 0` and `t % k == 0`, replace the carried hidden state by `h.detach()`; the sequence is thus cut into windows of k steps (the last may be shorter);
- get the three gradients with `torch.autograd.grad` or `backward()` and return a dict in `bptt_grads`'s format.

The loss keeps its value; only the gradient changes, and with `k ≥ T` it is the full gradient.
""", '''
def truncated_bptt_grads(X, Y, W_hx, W_hh, W_qh, k):
    """截断 BPTT / Autograd gradients of the same loss with the state detached every k steps."""
    ### BEGIN SOLUTION
    W_hx, W_hh, W_qh = (W.detach().clone().requires_grad_(True) for W in (W_hx, W_hh, W_qh))
    T = X.shape[0]
    h = torch.zeros(W_hh.shape[0], dtype=X.dtype)
    loss = 0
    for t in range(T):
        if t > 0 and t % k == 0:
            h = h.detach()
        h = W_hx @ X[t] + W_hh @ h
        loss = loss + 0.5 * ((W_qh @ h - Y[t]) ** 2).sum()
    g_hx, g_hh, g_qh = torch.autograd.grad(loss / T, [W_hx, W_hh, W_qh])
    return {"W_hx": g_hx, "W_hh": g_hh, "W_qh": g_qh}
    ### END SOLUTION
''')
    nb.demo("bptt-demo", """
梯度衰减与爆炸：取 $W_{hh} = c\\,Q$（$Q$ 是随机正交矩阵，所以 $W_{hh}$ 的特征值的模都是 $c$），看最后一步的损失 $\\tfrac12\\lVert o_T\\rVert^2$ 对第一步输入 $x_1$ 的梯度
有多大。它含有因子 $(W_{hh}^\\top)^{T-1}$，所以随序列长度按 $c^{T-1}$ 变化。这里直接用自动求导。
""", """
Vanishing and exploding gradients: take $W_{hh} = c\\,Q$ ($Q$ a random orthogonal matrix, so every eigenvalue of $W_{hh}$ has
modulus $c$) and look at the size of the gradient of the last step's loss $\\tfrac12\\lVert o_T\\rVert^2$ with respect to the first
input $x_1$. It contains the factor $(W_{hh}^\\top)^{T-1}$, so it scales like $c^{T-1}$ with the sequence length. Autograd does the
work here.
""", """
Q, _ = torch.linalg.qr(torch.randn(4, 4, dtype=torch.float64))
W_hx = torch.randn(4, 3, dtype=torch.float64)
W_qh = torch.randn(2, 4, dtype=torch.float64)
for c in (0.5, 1.0, 1.5):
    sizes = []
    for T in (5, 10, 20, 40):
        x1 = torch.ones(3, dtype=torch.float64, requires_grad=True)
        h = W_hx @ x1  # 以后的输入都是 0 / every later input is zero
        for t in range(1, T):
            h = c * Q @ h
        (grad,) = torch.autograd.grad(0.5 * ((W_qh @ h) ** 2).sum(), x1)
        sizes.append(f"T={T}: {grad.norm().item():.1e}")
    print(f"c = {c}:", ", ".join(sizes))
""")

    # ---------------------------------------------------------------- §6.7
    nb.md("sec-6-7", r"""
## 6.7 门控循环单元（GRU） / Gated Recurrent Units

门控循环单元用两个“门”控制信息的流动。从这一节起回到书中的**行向量**写法：小批量 $X_t$ 的形状是 (批量大小, 输入个数)，隐藏状态 $H_{t-1}$ 的形状是 (批量大小, 隐藏单元个数)，权重从右边乘：

$$
\begin{aligned}
Z_t &= \sigma(X_t W_{xz} + H_{t-1} W_{hz} + b_z) &&\text{更新门 / update gate}\\
R_t &= \sigma(X_t W_{xr} + H_{t-1} W_{hr} + b_r) &&\text{重置门 / reset gate}\\
\tilde{H}_t &= \tanh\big(X_t W_{xh} + (R_t \odot H_{t-1}) W_{hh} + b_h\big) &&\text{候选隐藏状态 / candidate}\\
H_t &= Z_t \odot H_{t-1} + (1 - Z_t) \odot \tilde{H}_t, \qquad Y_t = H_t W_{hq} + b_q .
\end{aligned}
$$

重置门接近 0 时，候选状态几乎不看过去，适合捕捉短期依赖；更新门接近 1 时，隐藏状态几乎原样保留，信息（和梯度）可以跨越很多时间步。

**注意**：PyTorch 的 `nn.GRU` 把重置门放在矩阵乘法**之后**：$\tanh(X W_{in} + b_{in} + R \odot (H W_{hn} + b_{hn}))$。两者思路相同，但即使参数完全一样，算出的数也不同：不是舍入误差，而是 $10^{-2}$ 到 $10^{-1}$ 量级的差别（6.8 节的演示会让你亲眼看到）。
本作业按**书中的公式**评分，请不要照抄 `nn.GRU` 文档里的公式。

下面的单元格给出书中的参数初始化：权重服从 N(0, 0.01²)，偏置为 0，参数的顺序就是 `gru` 解包它们的顺序。
""", r"""
## 6.7 Gated Recurrent Units

A gated recurrent unit controls the flow of information with two gates. From this section on we are back to the book's **row
vector** notation: a minibatch $X_t$ has shape (batch size, number of inputs), the hidden state $H_{t-1}$ has shape (batch
size, number of hidden units), and weights multiply from the right:

$$
\begin{aligned}
Z_t &= \sigma(X_t W_{xz} + H_{t-1} W_{hz} + b_z) &&\text{update gate}\\
R_t &= \sigma(X_t W_{xr} + H_{t-1} W_{hr} + b_r) &&\text{reset gate}\\
\tilde{H}_t &= \tanh\big(X_t W_{xh} + (R_t \odot H_{t-1}) W_{hh} + b_h\big) &&\text{candidate}\\
H_t &= Z_t \odot H_{t-1} + (1 - Z_t) \odot \tilde{H}_t, \qquad Y_t = H_t W_{hq} + b_q .
\end{aligned}
$$

A reset gate near 0 lets the candidate ignore the past, which suits short-term dependencies; an update gate near 1 keeps the hidden
state almost unchanged, so information (and gradients) can cross many time steps.

**Note**: PyTorch's `nn.GRU` applies the reset gate **after** the matrix product: $\tanh(X W_{in} + b_{in} + R \odot (H W_{hn} + b_{hn}))$.
The idea is the same, but even with identical parameters the numbers differ, not by rounding but by $10^{-2}$ to $10^{-1}$ (the demo in 6.8 shows it). This
assignment grades **the book's formula**; do not copy the one from `nn.GRU`'s documentation.

The cell below gives the book's initialisation: weights drawn from N(0, 0.01²), biases 0, in the order in which `gru` unpacks them.
""")
    nb.given("gru-params", '''
def get_gru_params(num_inputs, num_hiddens, num_outputs):
    """GRU 的参数 / GRU parameters, in the order
    W_xz, W_hz, b_z (更新门 / update gate), W_xr, W_hr, b_r (重置门 / reset gate),
    W_xh, W_hh, b_h (候选隐藏状态 / candidate), W_hq, b_q (输出层 / output layer)."""
    def weight(rows, cols):
        return nn.Parameter(torch.randn(rows, cols) * 0.01)

    params = []
    for _ in range(3):
        params += [weight(num_inputs, num_hiddens), weight(num_hiddens, num_hiddens),
                   nn.Parameter(torch.zeros(num_hiddens))]
    params += [weight(num_hiddens, num_outputs), nn.Parameter(torch.zeros(num_outputs))]
    return params
''')
    nb.question("init_gru_state", """
写 `init_gru_state(batch_size, num_hiddens, device)`：返回一个**只有一个元素的元组** `(H,)`，`H` 是放在 `device` 上、形状为 (batch_size, num_hiddens) 的全零 float32 张量。
用元组是为了和 LSTM 的状态 `(H, C)` 统一，这样同一个训练函数可以同时用于两种单元。注意 Python 里单元素元组要写逗号：`(H,)`。
""", """
Write `init_gru_state(batch_size, num_hiddens, device)`: return a **one-element tuple** `(H,)`, where `H` is a float32 tensor of
zeros of shape (batch_size, num_hiddens) on `device`. A tuple keeps it in line with the LSTM's state `(H, C)`, so one training
function serves both cells. Mind the comma of a one-element tuple in Python: `(H,)`.
""", '''
def init_gru_state(batch_size, num_hiddens, device):
    """GRU 的初始状态 / A GRU's initial state: the tuple (H,) with H all zeros."""
    ### BEGIN SOLUTION
    return (torch.zeros(batch_size, num_hiddens, device=device),)
    ### END SOLUTION
''')
    nb.question("gru", """
按上面**书中的公式**写 `gru(inputs, state, params)`：

- `inputs`：长度为 T 的列表，每个元素形状为 (批量大小, 输入个数)；`state`：元组 `(H,)`；`params`：按 `get_gru_params` 的顺序排列的 11 个张量。
- 依次处理每个时间步：算出 $Z_t$、$R_t$、$\\tilde H_t$，更新 $H$，再算输出 $Y_t = H_t W_{hq} + b_q$ 并放进列表 `outputs`。
- 返回 `(outputs, (H,))`：`outputs` 是 T 个形状为 (批量大小, 输出个数) 的张量组成的列表，状态是含最后一个 $H$ 的单元素元组。

评分程序会传入它自己的参数和非零的初始状态，与按书中公式实现的参考答案比较（相对误差 1e-5）。
""", """
Write `gru(inputs, state, params)` with **the book's formula** above:

- `inputs`: a list of T tensors of shape (batch size, number of inputs); `state`: the tuple `(H,)`; `params`: the 11 tensors in `get_gru_params`'s order.
- Process the time steps in order: compute $Z_t$, $R_t$ and $\\tilde H_t$, update $H$, then compute the output $Y_t = H_t W_{hq} + b_q$ and append it to a list `outputs`.
- Return `(outputs, (H,))`: `outputs` is a list of T tensors of shape (batch size, number of outputs), the state a one-element tuple holding the last $H$.

The grader passes its own parameters and a non-zero initial state and compares with a reference that implements the book's
formula (relative tolerance 1e-5).
""", '''
def gru(inputs, state, params):
    """从零实现的 GRU（书中公式）/ A scratch GRU with the book's formula, over a list of time steps."""
    ### BEGIN SOLUTION
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    (H,) = state
    outputs = []
    for X in inputs:
        Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)
        R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)
        H_tilda = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
        H = Z * H + (1 - Z) * H_tilda
        outputs.append(H @ W_hq + b_q)
    return outputs, (H,)
    ### END SOLUTION
''')
    nb.md("tools-intro", """
### 给定的工具：歌词数据与训练函数（不是填空）

下面的单元格给出训练字符级语言模型要用的零件（它们是上一个笔记本 6.3–6.4 节的内容，这里直接给出）：

- `load_data_jay_lyrics()` 读取 `$D2L_DATA_DIR/jaychou_lyrics.txt.zip`（找不到时 `corpus_indices` 为 `None`，需要数据的演示会跳过）。换行变成空格，只取前 10000 个字符，词表按字符排序，所以每次运行的编号都相同。评分时用的是一份格式相同、内容由我们自己写的替代文本。
- `to_onehot`、相邻采样 `data_iter_consecutive`、梯度裁剪 `grad_clipping`、随机梯度下降 `sgd`。
- `train_rnn(rnn, init_state, params, corpus_indices, vocab_size, num_hiddens, num_epochs, num_steps, batch_size, lr, clipping_theta)`：每个周期开始时把状态清零，每个小批量开始前 `detach` 状态；损失是所有时间步交叉熵的平均，梯度裁剪后做一步 SGD；返回每个周期的困惑度（该周期平均交叉熵的指数）组成的列表。
- `predict_rnn(prefix, num_chars, rnn, params, init_state, num_hiddens, vocab_size, idx_to_char, char_to_idx)`：读入前缀后，每步取概率最大的字符，续写 `num_chars` 个字符。
""", """
### Given tools: the lyrics data and the training function (not blanks)

The cell below provides the pieces that train a character-level language model (sections 6.3–6.4 of the previous notebook,
given here as they are):

- `load_data_jay_lyrics()` reads `$D2L_DATA_DIR/jaychou_lyrics.txt.zip` (when it is missing, `corpus_indices` is `None` and demos that need data skip). Line breaks become spaces, the first 10 000 characters are kept, and the vocabulary is sorted, so every run numbers the characters the same way. Grading uses a stand-in text of our own in the same format.
- `to_onehot`, consecutive sampling `data_iter_consecutive`, gradient clipping `grad_clipping` and stochastic gradient descent `sgd`.
- `train_rnn(rnn, init_state, params, corpus_indices, vocab_size, num_hiddens, num_epochs, num_steps, batch_size, lr, clipping_theta)`: the state starts at zero each epoch and is detached before each minibatch; the loss is the mean cross entropy over all time steps; gradients are clipped, then SGD takes a step. It returns the list of every epoch's perplexity (the exponential of that epoch's mean cross entropy).
- `predict_rnn(prefix, num_chars, rnn, params, init_state, num_hiddens, vocab_size, idx_to_char, char_to_idx)`: after reading the prefix, appends `num_chars` characters, each the most probable one.
""")
    nb.given("tools", '''
LYRICS_ZIP = Path(os.environ.get("D2L_DATA_DIR", "~/.d2l/data")).expanduser() / "jaychou_lyrics.txt.zip"


def load_data_jay_lyrics(path=LYRICS_ZIP, num_chars=10000):
    """(corpus_indices, char_to_idx, idx_to_char, vocab_size) of the lyrics zip."""
    with zipfile.ZipFile(path) as zf:
        text = zf.read("jaychou_lyrics.txt").decode("utf-8")
    text = text.replace("\\r\\n", " ").replace("\\n", " ").replace("\\r", " ")[:num_chars]
    idx_to_char = sorted(set(text))
    char_to_idx = {c: i for i, c in enumerate(idx_to_char)}
    return [char_to_idx[c] for c in text], char_to_idx, idx_to_char, len(idx_to_char)


def to_onehot(X, n_class):
    """Indices (batch, T) -> list of T one-hot float32 matrices (batch, n_class)."""
    return list(F.one_hot(X.T.long(), n_class).to(torch.float32))


def data_iter_consecutive(corpus_indices, batch_size, num_steps):
    """Consecutive minibatches (X, Y): Y is X shifted by one character."""
    corpus = torch.as_tensor(corpus_indices, dtype=torch.int64)
    row_len = len(corpus) // batch_size
    rows = corpus[:batch_size * row_len].reshape(batch_size, row_len)
    for start in range(0, (row_len - 1) // num_steps * num_steps, num_steps):
        yield rows[:, start:start + num_steps], rows[:, start + 1:start + num_steps + 1]


def grad_clipping(params, theta):
    """Rescale all gradients together so that their global L2 norm is at most theta."""
    grads = [p.grad for p in params if p.grad is not None]
    norm = math.sqrt(sum((g ** 2).sum().item() for g in grads))
    if norm > theta:
        for g in grads:
            g *= theta / norm


def sgd(params, lr):
    """One SGD step on the gradient of a mean loss."""
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad


def train_rnn(rnn, init_state, params, corpus_indices, vocab_size, num_hiddens,
              num_epochs, num_steps, batch_size, lr, clipping_theta):
    """Train a scratch recurrent cell; returns the perplexity of every epoch."""
    perplexities = []
    for epoch in range(num_epochs):
        state = init_state(batch_size, num_hiddens, params[0].device)
        total, count = 0.0, 0
        for X, Y in data_iter_consecutive(corpus_indices, batch_size, num_steps):
            state = tuple(s.detach() for s in state)
            outputs, state = rnn(to_onehot(X, vocab_size), state, params)
            labels = Y.T.reshape(-1)  # 与按时间步拼接的输出对齐 / time-major, like the outputs
            loss = F.cross_entropy(torch.cat(outputs, dim=0), labels)
            for p in params:
                p.grad = None
            loss.backward()
            grad_clipping(params, clipping_theta)
            sgd(params, lr)
            total += loss.item() * labels.numel()
            count += labels.numel()
        perplexities.append(math.exp(total / count))
    return perplexities


def predict_rnn(prefix, num_chars, rnn, params, init_state, num_hiddens, vocab_size,
                idx_to_char, char_to_idx):
    """Read prefix, then append num_chars characters, each the most probable one."""
    with torch.no_grad():
        state = init_state(1, num_hiddens, params[0].device)
        text = [char_to_idx[prefix[0]]]
        for t in range(len(prefix) + num_chars - 1):
            (scores,), state = rnn(to_onehot(torch.tensor([[text[-1]]]), vocab_size), state, params)
            text.append(char_to_idx[prefix[t + 1]] if t + 1 < len(prefix) else int(scores.argmax()))
    return "".join(idx_to_char[i] for i in text)


try:
    corpus_indices, char_to_idx, idx_to_char, vocab_size = load_data_jay_lyrics()
    print(f"{len(corpus_indices)} 个字符 / characters, 词表大小 / vocabulary size {vocab_size}")
except FileNotFoundError:
    corpus_indices = char_to_idx = idx_to_char = vocab_size = None
    print(f"没有找到歌词数据（{LYRICS_ZIP}），需要数据的演示会跳过。")
    print(f"Lyrics data not found ({LYRICS_ZIP}); demos that need it will skip.")
''')
    nb.question("train_gru", """
写 `train_gru(corpus_indices, vocab_size, num_epochs)`，用你的 GRU 训练一个字符级语言模型：

1. 用 `get_gru_params(vocab_size, num_hiddens, vocab_size)` 新建参数（输入和输出都是词表大小的 one-hot / 分数）；
2. 调用给定的 `train_rnn`，传入你的 `gru` 和 `init_gru_state`，超参数为：`num_hiddens = 64`、`num_steps = 35`、`batch_size = 32`、`lr = 100`、`clipping_theta = 0.01`（除了隐藏单元个数，都是书中的值；书中用 256 个隐藏单元）；
3. 返回 `(params, perplexities)`：训练后的参数列表和 `train_rnn` 返回的困惑度列表。

学习率 100 看起来很大，但梯度先被裁剪到范数不超过 0.01，所以每一步参数最多移动 1。评分用两份替代歌词（词表 51 个字符）的前 6000 个字符各训练 6 个周期，最后一个周期的困惑度要低于 20
（正确的实现约为 10；未训练的模型约为 51，即词表大小）。这道题会运行你的 `gru` 和 `init_gru_state`，它们要先能正常运行。
""", """
Write `train_gru(corpus_indices, vocab_size, num_epochs)`, which trains a character-level language model with your GRU:

1. create fresh parameters with `get_gru_params(vocab_size, num_hiddens, vocab_size)` (inputs and outputs are one-hot vectors / scores over the vocabulary);
2. call the given `train_rnn` with your `gru` and `init_gru_state` and the hyperparameters `num_hiddens = 64`, `num_steps = 35`, `batch_size = 32`, `lr = 100`, `clipping_theta = 0.01` (the book's values except the number of hidden units; the book uses 256);
3. return `(params, perplexities)`: the trained parameters and the list of perplexities `train_rnn` returns.

A learning rate of 100 looks large, but the gradients are first clipped to a norm of at most 0.01, so a step moves the
parameters by at most 1. Grading trains 6 epochs on the first 6000 characters of each of two stand-in lyrics texts (vocabulary of 51 characters); the
last epoch's perplexity must be below 20 (a correct implementation reaches about 10; an untrained model is at about 51, the
vocabulary size). This question runs your `gru` and `init_gru_state`, so they must run first.
""", '''
def train_gru(corpus_indices, vocab_size, num_epochs):
    """训练 GRU 语言模型 / Train the scratch GRU; returns (params, perplexity of each epoch)."""
    ### BEGIN SOLUTION
    num_hiddens, num_steps, batch_size, lr, clipping_theta = 64, 35, 32, 100.0, 0.01
    params = get_gru_params(vocab_size, num_hiddens, vocab_size)
    perplexities = train_rnn(gru, init_gru_state, params, corpus_indices, vocab_size,
                             num_hiddens, num_epochs, num_steps, batch_size, lr,
                             clipping_theta)
    return params, perplexities
    ### END SOLUTION
''')
    nb.demo("gru-train-demo", """
在数据目录里的歌词上训练 8 个周期（约一两秒），打印困惑度，再让模型续写几个前缀。
""", """
Train for 8 epochs on the lyrics in the data folder (a second or two), print the perplexities, then let the model continue a few prefixes.
""", f"""
if corpus_indices is None:
    print("没有数据，跳过 / no data, skipped")
else:
    try:
        gru_params, perplexities = train_gru(corpus_indices, vocab_size, 8)
        print("困惑度 / perplexity:", ", ".join(f"{{p:.2f}}" for p in perplexities))
        for prefix in ("清晨", "明天", "分开", "不分开"):
            if all(c in char_to_idx for c in prefix):
                print(predict_rnn(prefix, 20, gru, gru_params, init_gru_state, 64, vocab_size,
                                  idx_to_char, char_to_idx))
    except NotImplementedError:
        {SKIP}
""")

    # ---------------------------------------------------------------- §6.8
    nb.md("sec-6-8", r"""
## 6.8 长短期记忆（LSTM） / Long Short-Term Memory

LSTM 除了隐藏状态 $H$ 之外还有一个**记忆细胞** $C$，由三个门控制：

$$
\begin{aligned}
I_t &= \sigma(X_t W_{xi} + H_{t-1} W_{hi} + b_i), \quad F_t = \sigma(X_t W_{xf} + H_{t-1} W_{hf} + b_f), \quad O_t = \sigma(X_t W_{xo} + H_{t-1} W_{ho} + b_o)\\
\tilde{C}_t &= \tanh(X_t W_{xc} + H_{t-1} W_{hc} + b_c)\\
C_t &= F_t \odot C_{t-1} + I_t \odot \tilde{C}_t, \qquad H_t = O_t \odot \tanh(C_t), \qquad Y_t = H_t W_{hq} + b_q .
\end{aligned}
$$

输入门决定写入多少新内容，遗忘门决定保留多少旧记忆，输出门决定把多少记忆交给隐藏状态。记忆细胞只被逐元素地缩放和相加，
所以梯度可以沿着它流过很多时间步。与 GRU 不同，这正是 `nn.LSTM` 计算的公式，所以参数搬过去后两者的结果相同。

下面的单元格给出参数初始化，顺序是输入门、遗忘门、输出门、候选记忆细胞、输出层。
""", r"""
## 6.8 Long Short-Term Memory

Besides the hidden state $H$, an LSTM has a **memory cell** $C$, controlled by three gates:

$$
\begin{aligned}
I_t &= \sigma(X_t W_{xi} + H_{t-1} W_{hi} + b_i), \quad F_t = \sigma(X_t W_{xf} + H_{t-1} W_{hf} + b_f), \quad O_t = \sigma(X_t W_{xo} + H_{t-1} W_{ho} + b_o)\\
\tilde{C}_t &= \tanh(X_t W_{xc} + H_{t-1} W_{hc} + b_c)\\
C_t &= F_t \odot C_{t-1} + I_t \odot \tilde{C}_t, \qquad H_t = O_t \odot \tanh(C_t), \qquad Y_t = H_t W_{hq} + b_q .
\end{aligned}
$$

The input gate decides how much new content is written, the forget gate how much old memory is kept, and the output gate how much
of the memory reaches the hidden state. The memory cell is only scaled and added to, element by element, so gradients can flow
along it across many time steps. Unlike the GRU, this is exactly what `nn.LSTM` computes, so with the parameters moved over both
give the same results.

The cell below gives the initialisation, in the order input gate, forget gate, output gate, candidate memory cell, output layer.
""")
    nb.given("lstm-params", '''
def get_lstm_params(num_inputs, num_hiddens, num_outputs):
    """LSTM 的参数 / LSTM parameters, in the order
    W_xi, W_hi, b_i (输入门 / input gate), W_xf, W_hf, b_f (遗忘门 / forget gate),
    W_xo, W_ho, b_o (输出门 / output gate), W_xc, W_hc, b_c (候选记忆细胞 / candidate cell),
    W_hq, b_q (输出层 / output layer)."""
    def weight(rows, cols):
        return nn.Parameter(torch.randn(rows, cols) * 0.01)

    params = []
    for _ in range(4):
        params += [weight(num_inputs, num_hiddens), weight(num_hiddens, num_hiddens),
                   nn.Parameter(torch.zeros(num_hiddens))]
    params += [weight(num_hiddens, num_outputs), nn.Parameter(torch.zeros(num_outputs))]
    return params
''')
    nb.question("init_lstm_state", """
写 `init_lstm_state(batch_size, num_hiddens, device)`：返回元组 `(H, C)`，两者都是放在 `device` 上、形状为 (batch_size, num_hiddens) 的全零 float32 张量。
""", """
Write `init_lstm_state(batch_size, num_hiddens, device)`: return the tuple `(H, C)`, both float32 tensors of zeros of shape
(batch_size, num_hiddens) on `device`.
""", '''
def init_lstm_state(batch_size, num_hiddens, device):
    """LSTM 的初始状态 / An LSTM's initial state (H, C), both zeros."""
    ### BEGIN SOLUTION
    return (torch.zeros(batch_size, num_hiddens, device=device),
            torch.zeros(batch_size, num_hiddens, device=device))
    ### END SOLUTION
''')
    nb.question("lstm", """
按上面的公式写 `lstm(inputs, state, params)`：

- `inputs` 同 `gru`；`state` 是 `(H, C)`；`params` 是按 `get_lstm_params` 顺序排列的 14 个张量。
- 每个时间步算出三个门和候选记忆细胞，更新 $C$ 和 $H$，把 $Y_t = H_t W_{hq} + b_q$ 放进 `outputs`。
- 返回 `(outputs, (H, C))`。
""", """
Write `lstm(inputs, state, params)` with the formulas above:

- `inputs` as for `gru`; `state` is `(H, C)`; `params` are the 14 tensors in `get_lstm_params`'s order.
- At each time step compute the three gates and the candidate memory cell, update $C$ and $H$, and append $Y_t = H_t W_{hq} + b_q$ to `outputs`.
- Return `(outputs, (H, C))`.
""", '''
def lstm(inputs, state, params):
    """从零实现的 LSTM / A scratch LSTM over a list of time steps."""
    ### BEGIN SOLUTION
    (W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c,
     W_hq, b_q) = params
    H, C = state
    outputs = []
    for X in inputs:
        I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
        F_gate = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
        O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
        C_tilda = torch.tanh(X @ W_xc + H @ W_hc + b_c)
        C = F_gate * C + I * C_tilda
        H = O * torch.tanh(C)
        outputs.append(H @ W_hq + b_q)
    return outputs, (H, C)
    ### END SOLUTION
''')
    nb.question("to_nn_lstm", """
`nn.LSTM(input_size, hidden_size)` 把四组参数叠在一起存放：

- `weight_ih_l0` 形状 (4h, d)，`weight_hh_l0` 形状 (4h, h)，`bias_ih_l0` 和 `bias_hh_l0` 形状 (4h,)；
- 沿第 0 维按 **i, f, g, o** 的顺序分成四块：输入门、遗忘门、候选记忆细胞（PyTorch 叫它 g）、输出门——注意与 `get_lstm_params` 的顺序（i, f, o, c）不同；
- 它计算的是 $x W^\\top$，所以每块是我们权重的**转置**；两个偏置是相加的，把书中的偏置放进 `bias_ih_l0`，`bias_hh_l0` 设为 0。

写 `to_nn_lstm(params)`：`params` 同 `lstm`（14 个张量），从 `W_xi` 的形状读出 d 和 h，新建 `nn.LSTM(d, h)`，在 `torch.no_grad()` 下用 `copy_` 填入参数，返回这个层。
输出层 `W_hq, b_q` 不属于 `nn.LSTM`，用不到。评分比较返回的层的 `state_dict()`。
""", """
`nn.LSTM(input_size, hidden_size)` stores the four sets of parameters stacked together:

- `weight_ih_l0` has shape (4h, d), `weight_hh_l0` (4h, h), `bias_ih_l0` and `bias_hh_l0` (4h,);
- along dimension 0 they are four blocks in the order **i, f, g, o**: input gate, forget gate, candidate memory cell (PyTorch calls it g), output gate — not `get_lstm_params`'s order (i, f, o, c);
- it computes $x W^\\top$, so each block is the **transpose** of our weight; the two biases are added, so put the book's biases in `bias_ih_l0` and set `bias_hh_l0` to 0.

Write `to_nn_lstm(params)`: `params` as for `lstm` (14 tensors); read d and h from `W_xi`'s shape, create `nn.LSTM(d, h)`, fill in
the parameters with `copy_` under `torch.no_grad()`, and return the layer. The output layer `W_hq, b_q` is not part of `nn.LSTM`
and is not used. Grading compares the returned layer's `state_dict()`.
""", '''
def to_nn_lstm(params):
    """把参数搬进 nn.LSTM / An nn.LSTM whose hidden states equal lstm(..., params)'s."""
    ### BEGIN SOLUTION
    (W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, _, _) = params
    num_inputs, num_hiddens = W_xi.shape
    layer = nn.LSTM(num_inputs, num_hiddens)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.cat([W_xi.T, W_xf.T, W_xc.T, W_xo.T]))
        layer.weight_hh_l0.copy_(torch.cat([W_hi.T, W_hf.T, W_hc.T, W_ho.T]))
        layer.bias_ih_l0.copy_(torch.cat([b_i, b_f, b_c, b_o]))
        layer.bias_hh_l0.zero_()
    return layer
    ### END SOLUTION
''')
    nb.demo("nn-layers-demo", """
用同一组参数比较从零实现的单元和 PyTorch 的层（`nn.LSTM`、`nn.GRU` 都以 (时间步数, 批量大小, 输入个数) 的张量为输入，输出每个时间步的隐藏状态）。
LSTM 的差别只有浮点舍入那么大；GRU 按同样的办法搬参数（`nn.GRU` 的块顺序是 r, z, n），差别却明显，因为 `nn.GRU` 把重置门放在了矩阵乘法之后。
""", """
Compare the scratch cells with PyTorch's layers on the same parameters (`nn.LSTM` and `nn.GRU` take a (steps, batch size, inputs)
tensor and output every step's hidden state). The LSTM differs by rounding only; the GRU, with its parameters moved over the same
way (`nn.GRU`'s blocks are r, z, n), differs visibly, because `nn.GRU` applies the reset gate after the matrix product.
""", f"""
def hidden_states(cell, inputs, state, params):
    hs = []
    for X in inputs:
        _, state = cell([X], state, params)
        hs.append(state[0])
    return torch.stack(hs)


inputs = [torch.randn(2, 5) for _ in range(4)]
try:
    params = [p.detach() * 50 for p in get_lstm_params(5, 3, 5)]  # 放大到 N(0, 0.5²) / scaled up
    with torch.no_grad():
        out, _ = to_nn_lstm(params)(torch.stack(inputs))
    mine = hidden_states(lstm, inputs, init_lstm_state(2, 3, "cpu"), params)
    print("LSTM 最大差别 / largest difference:", (mine - out).abs().max().item())

    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, _, _ = params = [
        p.detach() * 50 for p in get_gru_params(5, 3, 5)]
    layer = nn.GRU(5, 3)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(torch.cat([W_xr.T, W_xz.T, W_xh.T]))
        layer.weight_hh_l0.copy_(torch.cat([W_hr.T, W_hz.T, W_hh.T]))
        layer.bias_ih_l0.copy_(torch.cat([b_r, b_z, b_h]))
        layer.bias_hh_l0.zero_()
        out, _ = layer(torch.stack(inputs))
    mine = hidden_states(gru, inputs, init_gru_state(2, 3, "cpu"), params)
    print("GRU  最大差别 / largest difference:", (mine - out).abs().max().item())
except NotImplementedError:
    {SKIP}
""")
    nb.question("LSTMModel", """
用 `nn.LSTM` 写简洁版的 LSTM 语言模型 `LSTMModel(vocab_size, num_hiddens)`：

- `__init__`：先 `super().__init__()`，保存 `self.vocab_size = vocab_size`，再创建 `self.rnn = nn.LSTM(vocab_size, num_hiddens)` 和 `self.dense = nn.Linear(num_hiddens, vocab_size)`（属性名必须是 `rnn` 和 `dense`）。
- `forward(inputs, state=None)`：`inputs` 是形状 (批量大小, 时间步数) 的字符下标；用 `to_onehot` 变成 one-hot 后用 `torch.stack` 叠成 (时间步数, 批量大小, vocab_size) 的张量交给 `self.rnn`（`state` 为 `None` 时 `nn.LSTM` 从零状态开始）；把输出变形为 (时间步数 × 批量大小, num_hiddens) 后交给 `self.dense`。
- 返回 `(分数, state)`：分数的形状是 (时间步数 × 批量大小, vocab_size)，按时间步排列（与 `train_rnn` 里的 `Y.T.reshape(-1)` 对应）；`state` 是 `nn.LSTM` 返回的 `(h, c)`，各自形状 (1, 批量大小, num_hiddens)。
""", """
Write the concise LSTM language model `LSTMModel(vocab_size, num_hiddens)` with `nn.LSTM`:

- `__init__`: call `super().__init__()` first, keep `self.vocab_size = vocab_size`, then create `self.rnn = nn.LSTM(vocab_size, num_hiddens)` and `self.dense = nn.Linear(num_hiddens, vocab_size)` (the attribute names must be `rnn` and `dense`).
- `forward(inputs, state=None)`: `inputs` holds character indices of shape (batch size, steps); turn them into one-hot vectors with `to_onehot`, stack them with `torch.stack` into a (steps, batch size, vocab_size) tensor and pass it to `self.rnn` (with `state` `None`, `nn.LSTM` starts from zeros); reshape the output to (steps × batch size, num_hiddens) and pass it to `self.dense`.
- Return `(scores, state)`: the scores have shape (steps × batch size, vocab_size), ordered by time step (matching `Y.T.reshape(-1)` in `train_rnn`); `state` is the `(h, c)` that `nn.LSTM` returns, each of shape (1, batch size, num_hiddens).
""", '''
class LSTMModel(nn.Module):
    """简洁版 LSTM 语言模型 / The concise LSTM language model: one-hot -> nn.LSTM -> nn.Linear."""

    def __init__(self, vocab_size, num_hiddens):
        ### BEGIN SOLUTION
        super().__init__()
        self.vocab_size = vocab_size
        self.rnn = nn.LSTM(vocab_size, num_hiddens)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        ### END SOLUTION

    def forward(self, inputs, state=None):
        ### BEGIN SOLUTION
        X = torch.stack(to_onehot(inputs, self.vocab_size))
        Y, state = self.rnn(X, state)
        return self.dense(Y.reshape(-1, Y.shape[-1])), state
        ### END SOLUTION
''')

    # ---------------------------------------------------------------- §6.9
    nb.md("sec-6-9", r"""
## 6.9 深度循环神经网络 / Deep Recurrent Neural Networks

把多个循环层叠起来就得到深度循环神经网络：第 1 层读输入，第 $l$ 层读第 $l-1$ 层**同一时间步**的隐藏状态，每层有自己的参数和自己的隐藏状态：

$$H_t^{(1)} = \tanh\big(X_t W_{xh}^{(1)} + H_{t-1}^{(1)} W_{hh}^{(1)} + b_h^{(1)}\big),\qquad
H_t^{(l)} = \tanh\big(H_t^{(l-1)} W_{xh}^{(l)} + H_{t-1}^{(l)} W_{hh}^{(l)} + b_h^{(l)}\big).$$

输出层只看最顶层的隐藏状态 $H_t^{(L)}$。本节和下一节不加输出层，与 `nn.RNN` 一样返回隐藏状态，状态也用 `nn.RNN` 的布局：形状为 (层数, 批量大小, 隐藏单元个数) 的张量。
""", r"""
## 6.9 Deep Recurrent Neural Networks

Stacking recurrent layers gives a deep recurrent network: layer 1 reads the inputs, layer $l$ reads layer $l-1$'s hidden state
**of the same time step**, and each layer has its own parameters and its own hidden state:

$$H_t^{(1)} = \tanh\big(X_t W_{xh}^{(1)} + H_{t-1}^{(1)} W_{hh}^{(1)} + b_h^{(1)}\big),\qquad
H_t^{(l)} = \tanh\big(H_t^{(l-1)} W_{xh}^{(l)} + H_{t-1}^{(l)} W_{hh}^{(l)} + b_h^{(l)}\big).$$

An output layer would read only the top layer's $H_t^{(L)}$. This section and the next add no output layer: like `nn.RNN` they
return hidden states, and the state uses `nn.RNN`'s layout, a tensor of shape (layers, batch size, hidden units).
""")
    nb.question("deep_rnn", """
写 `deep_rnn(inputs, state, layer_params)`：

- `inputs`：长度为 T 的列表，元素形状 (批量大小, 输入个数)；`state`：形状 (L, 批量大小, h) 的张量，`state[l]` 是第 l 层的初始隐藏状态；
- `layer_params`：长度为 L 的列表，`layer_params[l] = [W_xh, W_hh, b_h]`；第一层的 `W_xh` 形状是 (输入个数, h)，以上各层是 (h, h)；
- 返回 `(outputs, new_state)`：`outputs` 是最顶层在每个时间步的隐藏状态组成的长为 T 的列表（每个形状为 (批量大小, h)），`new_state` 是各层最后一个隐藏状态叠成的 (L, 批量大小, h) 张量（`torch.stack`）。

结果应与 `nn.RNN(输入个数, h, num_layers=L)` 在参数相同（`bias_hh` 为 0）时一致。
""", """
Write `deep_rnn(inputs, state, layer_params)`:

- `inputs`: a list of T tensors of shape (batch size, inputs); `state`: a tensor of shape (L, batch size, h), `state[l]` being layer l's initial hidden state;
- `layer_params`: a list of L lists, `layer_params[l] = [W_xh, W_hh, b_h]`; the first layer's `W_xh` has shape (inputs, h), the others' (h, h);
- return `(outputs, new_state)`: `outputs` is the list of the top layer's hidden states at the T steps (each of shape (batch size, h)), `new_state` the (L, batch size, h) tensor stacking every layer's last hidden state (`torch.stack`).

The result should equal `nn.RNN(inputs, h, num_layers=L)` with the same parameters (and `bias_hh` zero).
""", '''
def deep_rnn(inputs, state, layer_params):
    """多层循环网络 / A stack of tanh RNN layers; returns the top layer's states and every layer's last."""
    ### BEGIN SOLUTION
    finals = []
    for layer, (W_xh, W_hh, b_h) in enumerate(layer_params):
        H = state[layer]
        outputs = []
        for X in inputs:
            H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
            outputs.append(H)
        finals.append(H)
        inputs = outputs
    return inputs, torch.stack(finals)
    ### END SOLUTION
''')
    nb.demo("deep-demo", """
把同样的参数装进 `nn.RNN(4, 3, num_layers=2)`（`weight_ih_l1` 是第二层的 $W_{xh}^\\top$），两者的结果应该只差浮点舍入。
""", """
Load the same parameters into `nn.RNN(4, 3, num_layers=2)` (`weight_ih_l1` is the second layer's $W_{xh}^\\top$); the results should
differ by rounding only.
""", f"""
inputs = [torch.randn(2, 4) for _ in range(5)]
layer_params = [[torch.randn(4 if l == 0 else 3, 3) * 0.5, torch.randn(3, 3) * 0.5, torch.randn(3) * 0.5]
                for l in range(2)]
state = torch.randn(2, 2, 3) * 0.5
net = nn.RNN(4, 3, num_layers=2)
with torch.no_grad():
    for l, (W_xh, W_hh, b_h) in enumerate(layer_params):
        getattr(net, f"weight_ih_l{{l}}").copy_(W_xh.T)
        getattr(net, f"weight_hh_l{{l}}").copy_(W_hh.T)
        getattr(net, f"bias_ih_l{{l}}").copy_(b_h)
        getattr(net, f"bias_hh_l{{l}}").zero_()
    out, h = net(torch.stack(inputs), state)
try:
    outputs, new_state = deep_rnn(inputs, state, layer_params)
    print("输出最大差别 / largest output difference:", (torch.stack(outputs) - out).abs().max().item())
    print("状态最大差别 / largest state difference:", (new_state - h).abs().max().item())
except NotImplementedError:
    {SKIP}
""")

    # ---------------------------------------------------------------- §6.10
    nb.md("sec-6-10", r"""
## 6.10 双向循环神经网络 / Bidirectional Recurrent Neural Networks

有时一个时间步的输出也取决于它**后面**的内容（比如一句话里一个词的意思）。双向循环神经网络用两个各有参数的循环层：
一个从前往后读，$\overrightarrow{H}_t = \tanh(X_t W_{xh}^{(f)} + \overrightarrow{H}_{t-1} W_{hh}^{(f)} + b_h^{(f)})$；
另一个从后往前读，$\overleftarrow{H}_t = \tanh(X_t W_{xh}^{(b)} + \overleftarrow{H}_{t+1} W_{hh}^{(b)} + b_h^{(b)})$。
时间步 $t$ 的隐藏状态是两者的拼接 $H_t = [\overrightarrow{H}_t, \overleftarrow{H}_t]$，形状 (批量大小, 2h)，于是每一步都“看到”了整个序列。
""", r"""
## 6.10 Bidirectional Recurrent Neural Networks

Sometimes a step's output also depends on what comes **after** it (the meaning of a word in a sentence, say). A bidirectional
recurrent network uses two recurrent layers with their own parameters: one reads forwards,
$\overrightarrow{H}_t = \tanh(X_t W_{xh}^{(f)} + \overrightarrow{H}_{t-1} W_{hh}^{(f)} + b_h^{(f)})$, the other backwards,
$\overleftarrow{H}_t = \tanh(X_t W_{xh}^{(b)} + \overleftarrow{H}_{t+1} W_{hh}^{(b)} + b_h^{(b)})$.
Step $t$'s hidden state is their concatenation $H_t = [\overrightarrow{H}_t, \overleftarrow{H}_t]$ of shape (batch size, 2h), so every
step "sees" the whole sequence.
""")
    nb.question("birnn", """
写 `birnn(inputs, params_f, params_b)`：

- `inputs` 同上；`params_f = [W_xh, W_hh, b_h]` 是正向层的参数，`params_b` 是反向层的参数（形状相同）；两个方向都从全零状态开始；
- 正向层按 $t = 1, \\dots, T$ 的顺序读，反向层按 $t = T, \\dots, 1$ 的顺序读；
- `outputs[t] = torch.cat([正向的 H_t, 反向的 H_t], dim=1)`——反向层的结果要**按原来的时间顺序**对齐；
- 返回 `(outputs, state)`：`state` 是形状 (2, 批量大小, h) 的张量，`state[0]` 是正向层最后的状态（第 T 步），`state[1]` 是反向层最后的状态（它最后处理的是第 1 步）。

结果应与 `nn.RNN(输入个数, h, bidirectional=True)` 在参数相同时一致。
""", """
Write `birnn(inputs, params_f, params_b)`:

- `inputs` as before; `params_f = [W_xh, W_hh, b_h]` are the forward layer's parameters, `params_b` the backward layer's (same shapes); both directions start from a zero state;
- the forward layer reads steps $t = 1, \\dots, T$ in order, the backward layer $t = T, \\dots, 1$;
- `outputs[t] = torch.cat([forward H_t, backward H_t], dim=1)` — the backward layer's results must be lined up **in the original time order**;
- return `(outputs, state)`: `state` is a tensor of shape (2, batch size, h), `state[0]` the forward layer's last state (step T), `state[1]` the backward layer's last state (the last step it processes is step 1).

The result should equal `nn.RNN(inputs, h, bidirectional=True)` with the same parameters.
""", '''
def birnn(inputs, params_f, params_b):
    """双向循环网络 / A bidirectional tanh RNN: outputs [forward H_t, backward H_t], state (2, batch, h)."""
    ### BEGIN SOLUTION
    def run(steps, params):
        W_xh, W_hh, b_h = params
        H = torch.zeros(steps[0].shape[0], W_hh.shape[0])
        hs = []
        for X in steps:
            H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
            hs.append(H)
        return hs, H

    forward, H_f = run(inputs, params_f)
    backward, H_b = run(inputs[::-1], params_b)
    backward = backward[::-1]
    outputs = [torch.cat([f, b], dim=1) for f, b in zip(forward, backward)]
    return outputs, torch.stack([H_f, H_b])
    ### END SOLUTION
''')
    nb.demo("birnn-demo", """
与 `nn.RNN(3, 2, bidirectional=True)` 比较：反向层的参数名以 `_reverse` 结尾。
""", """
Compare with `nn.RNN(3, 2, bidirectional=True)`: the backward layer's parameter names end in `_reverse`.
""", f"""
inputs = [torch.randn(2, 3) for _ in range(4)]
params_f = [torch.randn(3, 2) * 0.5, torch.randn(2, 2) * 0.5, torch.randn(2) * 0.5]
params_b = [torch.randn(3, 2) * 0.5, torch.randn(2, 2) * 0.5, torch.randn(2) * 0.5]
net = nn.RNN(3, 2, bidirectional=True)
with torch.no_grad():
    for suffix, (W_xh, W_hh, b_h) in (("l0", params_f), ("l0_reverse", params_b)):
        getattr(net, f"weight_ih_{{suffix}}").copy_(W_xh.T)
        getattr(net, f"weight_hh_{{suffix}}").copy_(W_hh.T)
        getattr(net, f"bias_ih_{{suffix}}").copy_(b_h)
        getattr(net, f"bias_hh_{{suffix}}").zero_()
    out, h = net(torch.stack(inputs))
try:
    outputs, state = birnn(inputs, params_f, params_b)
    print("输出形状 / output shape:", tuple(outputs[0].shape), " 状态形状 / state shape:", tuple(state.shape))
    print("输出最大差别 / largest output difference:", (torch.stack(outputs) - out).abs().max().item())
    print("状态最大差别 / largest state difference:", (state - h).abs().max().item())
except NotImplementedError:
    {SKIP}
""")
    return nb


def main() -> int:
    build().write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
