# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch10_nlp/word_embeddings.ipynb`` (§10.1–10.6).

    .venv/bin/python scripts/notebooks/ch10_word_embeddings.py

Built with :class:`scripts.notebooks.cells.MasterNotebook`; prose is our own, 简体中文 first
and English beneath.  The questions and their points come from
``solutions/ch10_nlp/word_embeddings.py``.  The shared ``Vocab`` class and the GloVe-format
reader are given to the student as the source text of ``reference_impl/vocab.py`` and
``reference_impl/word_vectors.py`` (``inspect.getsource``), so the notebook and the
grader use one algorithm.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reference_impl import vocab as vocab_module  # noqa: E402
from reference_impl import word_vectors  # noqa: E402
from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch10_nlp", "word_embeddings"

NOT_YET = """except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")"""


def intro(nb: MasterNotebook) -> None:
    nb.md("intro", """
# 第 10 章 自然语言处理（上）：词嵌入

本作业对应《动手学深度学习》（第一版）第 10 章的 10.1–10.6 节，全部使用 PyTorch。我们先从公式出发写出 word2vec 的跳字模型和连续词袋模型，
以及让训练变得可行的两种近似（负采样和层序 softmax）；然后在 PTB 语料上把数据处理、模型、损失和训练完整走一遍；
再看 fastText 的子词和字节对编码（BPE）、GloVe 的目标函数，最后用一份词向量文件求近义词和类比词。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改函数名、类名、参数名和参数顺序。返回题目要求的那种值：张量或 NumPy 数组不能代替 Python 的列表或数，`Counter` 也不能代替 `dict`；列表和元组算作相同，要求浮点数时整数也可以。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。
- 评分在没有 GPU、没有网络的环境里进行；PTB 语料和词向量文件是格式相同的替身（见 10.3 和 10.6 节）。
""", """
# Chapter 10 Natural Language Processing (part 1): Word Embeddings

This assignment covers sections 10.1–10.6 of chapter 10 of *Dive into Deep Learning* (first edition), entirely in PyTorch. We first
write word2vec's skip-gram and continuous bag-of-words models from their formulas, with the two approximations that make training
feasible (negative sampling and hierarchical softmax); then we go through the data pipeline, the model, the loss and the training on the
PTB corpus; then fastText's subwords and byte pair encoding (BPE) and the GloVe objective; and finally we look up similar words and
analogies in a file of word vectors.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename functions, classes or arguments or change their order. Return the kind of value a question asks for: a tensor or a NumPy array does not stand in for a Python list or number, nor a `Counter` for a `dict`; a list and a tuple count as the same, and an integer passes where a float is asked.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell.
- Grading runs without a GPU and without network access; the PTB corpus and the word-vector file are stand-ins in the same formats (see sections 10.3 and 10.6).
""")
    nb.setup("""
import math
import os
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

# 本章的模型很小：单线程反而更快。/ The models here are tiny: one thread is faster.
torch.set_num_threads(1)
DATA_DIR = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser()
""")


def sec_10_1(nb: MasterNotebook) -> None:
    nb.md("sec-10-1", """
## 10.1 词嵌入（word2vec）

word2vec 给词典里的每个词两个 $d$ 维向量：作为**中心词**时的 $\\boldsymbol{v}$，作为**背景词**时的 $\\boldsymbol{u}$。
**跳字模型**用中心词 $w_c$ 预测它周围的背景词 $w_o$：

$$P(w_o \\mid w_c) = \\frac{\\exp(\\boldsymbol{u}_o^\\top \\boldsymbol{v}_c)}{\\sum_{i \\in \\mathcal{V}} \\exp(\\boldsymbol{u}_i^\\top \\boldsymbol{v}_c)}.$$

下面的题目中，矩阵 `U` 的第 $i$ 行是 $\\boldsymbol{u}_i$（整个词典的背景词向量），`v_c` 是中心词向量，`o` 是背景词的索引。
""", """
## 10.1 Word Embedding (word2vec)

word2vec gives every word of the vocabulary two $d$-dimensional vectors: $\\boldsymbol{v}$ when it is the **centre** word and $\\boldsymbol{u}$
when it is a **context** word. The **skip-gram** model predicts a context word $w_o$ around a centre word $w_c$:

$$P(w_o \\mid w_c) = \\frac{\\exp(\\boldsymbol{u}_o^\\top \\boldsymbol{v}_c)}{\\sum_{i \\in \\mathcal{V}} \\exp(\\boldsymbol{u}_i^\\top \\boldsymbol{v}_c)}.$$

In the questions below, row $i$ of the matrix `U` is $\\boldsymbol{u}_i$ (the context vectors of the whole vocabulary), `v_c` is the centre
vector and `o` the index of the context word.
""")
    nb.question("skipgram_log_prob", """
写 `skipgram_log_prob(v_c, U, o)`，返回 $\\log P(w_o \\mid w_c) = \\boldsymbol{u}_o^\\top \\boldsymbol{v}_c - \\log \\sum_i \\exp(\\boldsymbol{u}_i^\\top \\boldsymbol{v}_c)$（0 维张量）。

分数可能很大（隐藏用例里有几十），`exp` 会溢出：请用 `torch.logsumexp` 计算第二项。
""", """
Write `skipgram_log_prob(v_c, U, o)`, returning $\\log P(w_o \\mid w_c) = \\boldsymbol{u}_o^\\top \\boldsymbol{v}_c - \\log \\sum_i \\exp(\\boldsymbol{u}_i^\\top \\boldsymbol{v}_c)$
(a 0-dimensional tensor).

Scores can be large (tens, in a hidden case) and `exp` overflows: compute the second term with `torch.logsumexp`.
""", '''
def skipgram_log_prob(v_c, U, o):
    """跳字模型的 log P(w_o | w_c) / log P(w_o | w_c) of the skip-gram model."""
    ### BEGIN SOLUTION
    scores = U @ v_c
    return scores[o] - torch.logsumexp(scores, dim=0)
    ### END SOLUTION
''')
    nb.question("skipgram_grad", """
训练时要对 $\\boldsymbol{v}_c$ 求梯度。书中推导出

$$\\frac{\\partial \\log P(w_o \\mid w_c)}{\\partial \\boldsymbol{v}_c} = \\boldsymbol{u}_o - \\sum_{j \\in \\mathcal{V}} P(w_j \\mid w_c)\\, \\boldsymbol{u}_j .$$

写 `skipgram_grad(v_c, U, o)`，**按这个公式**（不要用 autograd）返回梯度（形状 `(d,)`）。评分用 float64 输入，容差 1e-8：
公式对了，它就和 autograd 的结果一致（下面的演示会比较二者）。
""", """
Training needs the gradient with respect to $\\boldsymbol{v}_c$. The book derives

$$\\frac{\\partial \\log P(w_o \\mid w_c)}{\\partial \\boldsymbol{v}_c} = \\boldsymbol{u}_o - \\sum_{j \\in \\mathcal{V}} P(w_j \\mid w_c)\\, \\boldsymbol{u}_j .$$

Write `skipgram_grad(v_c, U, o)`, returning the gradient (shape `(d,)`) **by this formula** (not with autograd). Grading uses float64
inputs and a tolerance of 1e-8: when the formula is right it agrees with autograd (the demo below compares the two).
""", '''
def skipgram_grad(v_c, U, o):
    """按公式求 ∂log P(w_o|w_c)/∂v_c / The gradient with respect to v_c, by the formula."""
    ### BEGIN SOLUTION
    probs = torch.softmax(U @ v_c, dim=0)
    return U[o] - probs @ U
    ### END SOLUTION
''')
    nb.demo("grad-demo", """
用 autograd 检查手推的梯度。
""", """
Check the hand-derived gradient with autograd.
""", """
try:
    g = torch.Generator().manual_seed(0)
    U_demo = torch.randn(7, 3, generator=g, dtype=torch.float64)
    v_demo = torch.randn(3, generator=g, dtype=torch.float64, requires_grad=True)
    skipgram_log_prob(v_demo, U_demo, 2).backward()
    print("autograd:", v_demo.grad)
    print("公式 / formula:", skipgram_grad(v_demo.detach(), U_demo, 2))
""" + NOT_YET)
    nb.question("cbow_log_prob", """
**连续词袋模型**（CBOW）反过来：用背景词预测中心词。设背景词向量为 $\\boldsymbol{v}_{o_1}, \\ldots, \\boldsymbol{v}_{o_{2m}}$，
其平均为 $\\bar{\\boldsymbol{v}}_o$，中心词向量为 $\\boldsymbol{u}_c$（CBOW 中两种向量的角色与跳字模型相反），则

$$P(w_c \\mid w_{o_1}, \\ldots, w_{o_{2m}}) = \\frac{\\exp(\\boldsymbol{u}_c^\\top \\bar{\\boldsymbol{v}}_o)}{\\sum_{i} \\exp(\\boldsymbol{u}_i^\\top \\bar{\\boldsymbol{v}}_o)}.$$

写 `cbow_log_prob(V_ctx, U, c)`：`V_ctx` 的每一行是一个背景词的向量，`U` 的第 $i$ 行是 $\\boldsymbol{u}_i$，`c` 是中心词索引；返回对数概率（0 维张量）。
""", """
The **continuous bag of words** (CBOW) model goes the other way: context words predict the centre word. With context vectors
$\\boldsymbol{v}_{o_1}, \\ldots, \\boldsymbol{v}_{o_{2m}}$, their mean $\\bar{\\boldsymbol{v}}_o$ and the centre vector $\\boldsymbol{u}_c$ (in CBOW the
two kinds of vector swap roles),

$$P(w_c \\mid w_{o_1}, \\ldots, w_{o_{2m}}) = \\frac{\\exp(\\boldsymbol{u}_c^\\top \\bar{\\boldsymbol{v}}_o)}{\\sum_{i} \\exp(\\boldsymbol{u}_i^\\top \\bar{\\boldsymbol{v}}_o)}.$$

Write `cbow_log_prob(V_ctx, U, c)`: each row of `V_ctx` is one context word's vector, row $i$ of `U` is $\\boldsymbol{u}_i$, and `c` the index
of the centre word; return the log-probability (a 0-dimensional tensor).
""", '''
def cbow_log_prob(V_ctx, U, c):
    """连续词袋模型的 log P(w_c | 背景词) / log P(w_c | context) of CBOW."""
    ### BEGIN SOLUTION
    v_bar = V_ctx.mean(dim=0)
    scores = U @ v_bar
    return scores[c] - torch.logsumexp(scores, dim=0)
    ### END SOLUTION
''')


def sec_10_2(nb: MasterNotebook) -> None:
    nb.md("sec-10-2", """
## 10.2 近似训练

上面的 softmax 要对整个词典求和，词典有几十万个词时每一步都太贵。**负采样**把多分类换成几次二分类：背景词 $w_o$ 应被判为“出现”，
按噪声分布采出的 $K$ 个噪声词 $w_k$ 应被判为“不出现”，损失为

$$-\\log \\sigma(\\boldsymbol{u}_o^\\top \\boldsymbol{v}_c) - \\sum_{k=1}^{K} \\log \\sigma(-\\boldsymbol{u}_{k}^\\top \\boldsymbol{v}_c),$$

其中 $\\sigma$ 是 sigmoid。**层序 softmax** 则把词典放在一棵二叉树的叶子上，每个内部节点 $n$ 有向量 $\\boldsymbol{u}_n$；
从根走到词 $w$ 的叶子，每一步往左走乘 $\\sigma(\\boldsymbol{u}_n^\\top \\boldsymbol{v}_c)$，往右走乘 $\\sigma(-\\boldsymbol{u}_n^\\top \\boldsymbol{v}_c)$。
因为 $\\sigma(x) + \\sigma(-x) = 1$，所有叶子的概率之和是 1，而一次只需要计算树高那么多项。
""", """
## 10.2 Approximate Training

The softmax above sums over the whole vocabulary, which is too costly at every step when there are hundreds of thousands of words.
**Negative sampling** replaces the multi-class problem by a few binary ones: the context word $w_o$ should be judged "present", and $K$
noise words $w_k$ drawn from a noise distribution "absent"; the loss is

$$-\\log \\sigma(\\boldsymbol{u}_o^\\top \\boldsymbol{v}_c) - \\sum_{k=1}^{K} \\log \\sigma(-\\boldsymbol{u}_{k}^\\top \\boldsymbol{v}_c),$$

with $\\sigma$ the sigmoid. **Hierarchical softmax** instead puts the vocabulary on the leaves of a binary tree whose inner nodes $n$ have
vectors $\\boldsymbol{u}_n$; walking from the root to the leaf of word $w$, each step to the left multiplies by
$\\sigma(\\boldsymbol{u}_n^\\top \\boldsymbol{v}_c)$ and each step to the right by $\\sigma(-\\boldsymbol{u}_n^\\top \\boldsymbol{v}_c)$. Since
$\\sigma(x) + \\sigma(-x) = 1$, the leaf probabilities sum to 1, and one probability costs only as many terms as the tree is deep.
""")
    nb.question("neg_sampling_loss", """
写 `neg_sampling_loss(v_c, u_o, U_neg)`：`U_neg` 的 $K$ 行是噪声词的背景词向量。返回上面的损失（0 维张量）。
请用 `F.logsigmoid`（分数很大时 `torch.log(torch.sigmoid(x))` 会得到 `-inf`）。
""", """
Write `neg_sampling_loss(v_c, u_o, U_neg)`: the $K$ rows of `U_neg` are the noise words' context vectors. Return the loss above (a
0-dimensional tensor). Use `F.logsigmoid` (`torch.log(torch.sigmoid(x))` gives `-inf` for large scores).
""", '''
def neg_sampling_loss(v_c, u_o, U_neg):
    """负采样的损失 / The negative-sampling loss."""
    ### BEGIN SOLUTION
    return -F.logsigmoid(u_o @ v_c) - F.logsigmoid(-(U_neg @ v_c)).sum()
    ### END SOLUTION
''')
    nb.question("hier_softmax_prob", """
写 `hier_softmax_prob(v_c, U_nodes, w)`，返回层序 softmax 下 $P(w \\mid w_c)$（0 维张量）。树的形状规定如下（“堆”的编号方式）：

- 词典有 $V$ 个词，`U_nodes` 有 $V-1$ 行，第 $n$ 行是内部节点 $n$ 的向量；
- 节点 0 是根，节点 $n$ 的左孩子是 $2n+1$、右孩子是 $2n+2$；一共 $2V-1$ 个节点，编号 $V-1, \\ldots, 2V-2$ 的是叶子，词 $w$ 在叶子 $V-1+w$；
- 从叶子往上走最方便：节点 $m > 0$ 的父节点是 $(m-1)//2$，$m$ 是奇数时它是左孩子。

$V$ 不一定是 2 的幂（这时叶子分布在两层上）。
""", """
Write `hier_softmax_prob(v_c, U_nodes, w)`, returning $P(w \\mid w_c)$ under hierarchical softmax (a 0-dimensional tensor). The tree is
laid out as a heap:

- the vocabulary has $V$ words and `U_nodes` has $V-1$ rows, row $n$ being the vector of inner node $n$;
- node 0 is the root, node $n$ has the left child $2n+1$ and the right child $2n+2$; there are $2V-1$ nodes, nodes $V-1, \\ldots, 2V-2$ are
  the leaves, and word $w$ sits at leaf $V-1+w$;
- walking up from the leaf is easiest: the parent of node $m > 0$ is $(m-1)//2$, and $m$ is a left child when it is odd.

$V$ need not be a power of two (the leaves then lie on two levels).
""", '''
def hier_softmax_prob(v_c, U_nodes, w):
    """层序 softmax 下词 w 的概率 / P(w | w_c) under hierarchical softmax."""
    ### BEGIN SOLUTION
    node = U_nodes.shape[0] + w
    prob = torch.ones((), dtype=v_c.dtype)
    while node > 0:
        parent = (node - 1) // 2
        sign = 1.0 if node % 2 == 1 else -1.0
        prob = prob * torch.sigmoid(sign * (U_nodes[parent] @ v_c))
        node = parent
    return prob
    ### END SOLUTION
''')
    nb.demo("hier-demo", """
所有叶子的概率之和应为 1。
""", """
The leaf probabilities should sum to 1.
""", """
try:
    g = torch.Generator().manual_seed(0)
    v_demo, nodes_demo = torch.randn(4, generator=g), torch.randn(6, 4, generator=g)
    print(sum(hier_softmax_prob(v_demo, nodes_demo, w) for w in range(7)))
""" + NOT_YET)


def sec_10_3(nb: MasterNotebook) -> None:
    nb.md("sec-10-3", """
## 10.3 word2vec 的实现

### 读取 PTB 数据集

书中用 Penn Tree Bank（PTB）语料训练词嵌入：`ptb.train.txt`、`ptb.valid.txt`、`ptb.test.txt` 三个文本文件，每行一个句子，词之间用空格分开，
数字被替换成 `N`，生僻词被替换成 `<unk>`。语料不能随课程分发，评分环境在 `$D2L_DATA_DIR/ptb/`（默认 `~/.d2l/data/ptb/`）放了一份
**格式完全相同的替身**：由一个小语法生成的约 2000 个关于公司和市场的句子，约 130 个词。有原始文件的话，放到同一个位置就会读到它。
""", """
## 10.3 Implementing word2vec

### Reading the PTB data set

The book trains word embeddings on the Penn Tree Bank (PTB) corpus: three text files, `ptb.train.txt`, `ptb.valid.txt` and `ptb.test.txt`,
one sentence per line, words separated by spaces, numbers replaced by `N` and rare words by `<unk>`. The corpus cannot be shipped with
the course, so the grading environment keeps a **stand-in in exactly that format** at `$D2L_DATA_DIR/ptb/` (by default `~/.d2l/data/ptb/`):
about 2000 sentences about companies and markets from a small grammar, with about 130 words. If you have the original files, put them
there and they are read instead.
""")
    nb.given("read-ptb", '''
def read_ptb(split="train", data_dir=DATA_DIR):
    """ptb.<split>.txt 的句子（词元列表的列表）/ The sentences of ptb.<split>.txt as lists of tokens."""
    with open(Path(data_dir) / "ptb" / f"ptb.{split}.txt", encoding="utf-8") as f:
        return [line.split() for line in f]


raw_dataset = None
try:
    raw_dataset = read_ptb()
    print("句子数 / sentences:", len(raw_dataset))
    for st in raw_dataset[:3]:
        print(len(st), st)
except FileNotFoundError:
    print(f"没有找到 PTB 数据（{DATA_DIR / 'ptb'}），需要数据的演示会跳过。")
    print(f"PTB not found ({DATA_DIR / 'ptb'}); demos that need it will skip.")
''')
    nb.md("vocab-md", """
### 建立词典

书中只保留在语料中出现至少 5 次的词，并把句子里其余的词**删掉**（PTB 已经有自己的 `<unk>`，它在这里只是一个普通的高频词）。
词的编号顺序书中没有说清楚，而评分要逐个比较索引，所以本课程统一用下面给出的 `Vocab` 类（其他文本章节也用它）：
先放保留词元（这里没有），再按**出现次数从多到少**排列，次数相同时按**第一次出现的先后**排列。
""", """
### Building the vocabulary

The book keeps only words that occur at least 5 times in the corpus, and **drops** the other words from the sentences (PTB has its own
`<unk>`, which is just another frequent word here). The book leaves the numbering of the words open, and grading compares indices one by
one, so the course uses the `Vocab` class given below (the other text sections use it too): reserved tokens first (none here), then the
words by **descending count**, ties broken by **first occurrence**.
""")
    nb.given("vocab", inspect.getsource(vocab_module.count_tokens) + "\n\n"
             + inspect.getsource(vocab_module.Vocab))
    nb.question("ptb_to_indices", """
写 `ptb_to_indices(raw_dataset, min_count=5)`，返回元组 `(idx_to_token, dataset)`：

- 用 `Vocab(raw_dataset, min_freq=min_count, reserved=(), unk=None)` 建立词典，`idx_to_token` 是它的 `idx_to_token`（list）；
- `dataset`：每个句子变成其中**在词典里**的词的索引列表（Python int），不在词典里的词直接去掉；句子个数不变（可能出现空句子）。
""", """
Write `ptb_to_indices(raw_dataset, min_count=5)`, returning the tuple `(idx_to_token, dataset)`:

- build the vocabulary with `Vocab(raw_dataset, min_freq=min_count, reserved=(), unk=None)`; `idx_to_token` is its `idx_to_token` (a list);
- `dataset`: every sentence becomes the list of the indices (Python ints) of its words **that are in the vocabulary**; the others are simply
  dropped. The number of sentences stays the same (some may become empty).
""", '''
def ptb_to_indices(raw_dataset, min_count=5):
    """(idx_to_token, 索引化的句子) / (idx_to_token, the sentences as indices)."""
    ### BEGIN SOLUTION
    vocab = Vocab(raw_dataset, min_freq=min_count, reserved=(), unk=None)
    dataset = [[vocab.token_to_idx[tk] for tk in st if tk in vocab.token_to_idx]
               for st in raw_dataset]
    return vocab.idx_to_token, dataset
    ### END SOLUTION
''')
    nb.given("ptb-indices", '''
idx_to_token = dataset = counter = None
num_tokens = 0
try:
    if raw_dataset is not None:
        idx_to_token, dataset = ptb_to_indices(raw_dataset)
        counter = Counter(idx for st in dataset for idx in st)
        num_tokens = sum(len(st) for st in dataset)
        print("词典大小 / vocabulary size:", len(idx_to_token), " 词元数 / tokens:", num_tokens)
        print(idx_to_token[:10])
''' + NOT_YET)
    nb.md("subsampling-md", """
### 二次采样

“the”“a”这类高频词几乎和什么词都同时出现，对学习词义帮助不大。二次采样以概率 $P(w_i) = \\max\\left(1 - \\sqrt{t / f(w_i)},\\ 0\\right)$ 丢弃每个词元，
其中 $f(w_i)$ 是词 $w_i$ 的词元数占总词元数的比例，$t$ 是超参数（书中 $10^{-4}$）。$f(w_i) \\le t$ 的词从不被丢弃。
""", """
### Subsampling

Frequent words such as "the" and "a" occur next to almost every word and teach little about meaning. Subsampling discards each token with
probability $P(w_i) = \\max\\left(1 - \\sqrt{t / f(w_i)},\\ 0\\right)$, where $f(w_i)$ is the share of all tokens that are $w_i$ and $t$ a
hyperparameter ($10^{-4}$ in the book). Words with $f(w_i) \\le t$ are never discarded.
""")
    nb.question("subsample", """
写 `subsample(dataset, counter, num_tokens, t=1e-4)`：`counter` 是 dict（索引 → 次数），`num_tokens` 是总词元数。
对每个词元抽一个 `random.uniform(0, 1)`，它小于 $\\sqrt{t / f}$（$f$ = `counter[idx] / num_tokens`）时**保留**该词元。
返回与 `dataset` 句子个数相同的列表，每个句子保持原来的顺序。

结果是随机的，评分检查：每个句子只是删去了一些词；$f \\le t$ 的词全部保留；其余每个词保留下来的比例在 $\\sqrt{t/f}$ 附近（二项分布的 5 倍标准差之内）。
""", """
Write `subsample(dataset, counter, num_tokens, t=1e-4)`: `counter` is a dict (index → count) and `num_tokens` the total number of tokens.
Draw one `random.uniform(0, 1)` per token and **keep** the token when it is below $\\sqrt{t / f}$ ($f$ = `counter[idx] / num_tokens`).
Return a list with as many sentences as `dataset`, each keeping its order.

The result is random; grading checks that each sentence only lost tokens, that words with $f \\le t$ are all kept, and that every other word
keeps a share of its tokens near $\\sqrt{t/f}$ (within 5 binomial standard deviations).
""", '''
def subsample(dataset, counter, num_tokens, t=1e-4):
    """二次采样：以 min(1, √(t/f)) 的概率保留每个词元 / Keep each token with probability min(1, √(t/f))."""
    ### BEGIN SOLUTION
    def keep(idx):
        return random.uniform(0, 1) < math.sqrt(t / counter[idx] * num_tokens)

    return [[idx for idx in st if keep(idx)] for st in dataset]
    ### END SOLUTION
''')
    nb.given("subsample-demo", '''
subsampled_dataset = None
try:
    if dataset is not None:
        subsampled_dataset = subsample(dataset, counter, num_tokens)
        print("二次采样前后的词元数 / tokens before and after:", num_tokens, sum(len(st) for st in subsampled_dataset))
        the = idx_to_token.index("the")
        print("'the':", counter[the], "→", sum(st.count(the) for st in subsampled_dataset))
''' + NOT_YET)
    nb.md("contexts-md", """
### 提取中心词和背景词

每个长度至少为 2 的句子里的每个词都当一次中心词。对每个中心词，先从 $1, \\ldots,$ `max_window_size` 中**均匀随机**取一个窗口大小 $w$
（`random.randint(1, max_window_size)`），它左右各 $w$ 个词（在句子边界截断，不含中心词本身）就是它的背景词。
""", """
### Centre and context words

Every word of every sentence with at least 2 words is a centre word once. For each centre word, draw a window size $w$ **uniformly** from
$1, \\ldots,$ `max_window_size` (`random.randint(1, max_window_size)`); the $w$ words on each side of it (cut off at the ends of the sentence,
the centre itself excluded) are its context words.
""")
    nb.question("get_centers_and_contexts", """
写 `get_centers_and_contexts(dataset, max_window_size)`，返回 `(centers, contexts)`：`centers` 是所有中心词（int 列表，按句子和位置顺序），
`contexts[i]` 是 `centers[i]` 的背景词列表（按在句子中的位置顺序）。

评分检查 `centers` 完全一致，每个背景词列表恰好是某个大小 $1 \\le w \\le$ `max_window_size` 的窗口，且窗口大小大致均匀（`max_window_size = 1` 时结果是确定的）。
""", """
Write `get_centers_and_contexts(dataset, max_window_size)`, returning `(centers, contexts)`: `centers` lists every centre word (ints, by
sentence and position) and `contexts[i]` the context words of `centers[i]` (in sentence order).

Grading checks that `centers` is exact, that every context list is exactly a window of some size $1 \\le w \\le$ `max_window_size`, and that
the sizes are roughly uniform (with `max_window_size = 1` the result is deterministic).
""", '''
def get_centers_and_contexts(dataset, max_window_size):
    """(中心词, 背景词) / (centre words, their context words)."""
    ### BEGIN SOLUTION
    centers, contexts = [], []
    for st in dataset:
        if len(st) < 2:
            continue
        centers += st
        for i in range(len(st)):
            window_size = random.randint(1, max_window_size)
            indices = [j for j in range(max(0, i - window_size), min(len(st), i + 1 + window_size))
                       if j != i]
            contexts.append([st[j] for j in indices])
    return centers, contexts
    ### END SOLUTION
''')
    nb.given("contexts-demo", '''
try:
    tiny_dataset = [list(range(7)), list(range(7, 10))]
    for center, context in zip(*get_centers_and_contexts(tiny_dataset, 2)):
        print("中心词 / center", center, "背景词 / contexts", context)
''' + NOT_YET)
    nb.md("negatives-md", """
### 负采样

噪声词按 $P(w) \\propto \\text{count}(w)^{0.75}$ 采样（0.75 次方让低频词被采到的机会多一些）。每个背景词配 $K$ 个噪声词；
采到的词恰好是这个样本的背景词时就丢掉重采。`random.choices` 每调用一次开销不小，书中一次采 $10^5$ 个候选存起来慢慢用。
""", """
### Negative sampling

Noise words are drawn with $P(w) \\propto \\text{count}(w)^{0.75}$ (the power 0.75 gives rare words a better chance). Each context word gets
$K$ noise words; a draw that is one of the example's context words is thrown away and drawn again. Each call of `random.choices` costs
time, so the book draws $10^5$ candidates at once and uses them up one by one.
""")
    nb.question("get_negatives", """
写 `get_negatives(all_contexts, counts, K)`：`counts[i]` 是索引 `i` 的词的次数（list）。对每个样本（`all_contexts` 的一个背景词列表）
返回 `K * len(contexts)` 个噪声词索引（Python int），权重为 `counts[i] ** 0.75`，且不能是该样本的背景词。返回列表的列表。

评分检查个数、“不是背景词”，以及采样频率与 $\\text{count}^{0.75}$（去掉各样本的背景词后）相符（χ² 检验，界限很宽）。
""", """
Write `get_negatives(all_contexts, counts, K)`: `counts[i]` is the count of the word with index `i` (a list). For every example (a list of
context words in `all_contexts`) return `K * len(contexts)` noise-word indices (Python ints) drawn with weights `counts[i] ** 0.75`, none of
them one of the example's context words. Return a list of lists.

Grading checks the numbers, the "never a context word" rule and that the frequencies follow $\\text{count}^{0.75}$ (with each example's
context words left out) by a chi-square test with a wide margin.
""", '''
def get_negatives(all_contexts, counts, K):
    """按 count^0.75 采噪声词 / Noise words drawn with weights count^0.75."""
    ### BEGIN SOLUTION
    weights = [c ** 0.75 for c in counts]
    population = list(range(len(counts)))
    all_negatives, candidates, i = [], [], 0
    for contexts in all_contexts:
        negatives = []
        while len(negatives) < len(contexts) * K:
            if i == len(candidates):
                candidates, i = random.choices(population, weights, k=100000), 0
            neg, i = candidates[i], i + 1
            if neg not in contexts:
                negatives.append(neg)
        all_negatives.append(negatives)
    return all_negatives
    ### END SOLUTION
''')
    nb.md("minibatch-md", """
### 小批量

每个样本是 `(中心词, 背景词列表, 噪声词列表)`，长度各不相同。拼成小批量时，把背景词和噪声词接成一行，用 0 填充到这批中最长的长度 `max_len`；
`masks` 标出哪些位置是真的（1）哪些是填充（0），`labels` 标出哪些位置是背景词（1）。
""", """
### Minibatches

Each example is `(centre, context words, noise words)`, of varying length. In a minibatch, the context and noise words of an example form
one row, padded with 0 to the longest length `max_len` of the batch; `masks` mark the real entries (1) and the padding (0), `labels` the
context words (1).
""")
    nb.question("batchify", """
写 `batchify(data)`（`data` 是样本列表），返回四个张量 `(centers, contexts_negatives, masks, labels)`：

- `centers`：形状 `(B, 1)`，int64；
- `contexts_negatives`：`(B, max_len)`，int64，每行是背景词、再接噪声词，用 0 补齐；
- `masks`、`labels`：`(B, max_len)`，**float32**（损失函数需要浮点数），含义见上。
""", """
Write `batchify(data)` (`data` is a list of examples), returning four tensors `(centers, contexts_negatives, masks, labels)`:

- `centers`: shape `(B, 1)`, int64;
- `contexts_negatives`: `(B, max_len)`, int64, each row the context words then the noise words, padded with 0;
- `masks`, `labels`: `(B, max_len)`, **float32** (the loss needs floats), meaning as above.
""", '''
def batchify(data):
    """(centers, contexts_negatives, masks, labels)"""
    ### BEGIN SOLUTION
    max_len = max(len(c) + len(n) for _, c, n in data)
    centers, contexts_negatives, masks, labels = [], [], [], []
    for center, context, negative in data:
        cur_len = len(context) + len(negative)
        centers.append([center])
        contexts_negatives.append(list(context) + list(negative) + [0] * (max_len - cur_len))
        masks.append([1.0] * cur_len + [0.0] * (max_len - cur_len))
        labels.append([1.0] * len(context) + [0.0] * (max_len - len(context)))
    return (torch.tensor(centers), torch.tensor(contexts_negatives),
            torch.tensor(masks), torch.tensor(labels))
    ### END SOLUTION
''')
    nb.md("model-md", """
### 跳字模型

模型有两个嵌入层：`embed_v` 给中心词向量 $\\boldsymbol{v}$，`embed_u` 给背景词（和噪声词）向量 $\\boldsymbol{u}$。一个小批量的中心词形状是 `(B, 1)`，
背景词与噪声词形状是 `(B, max_len)`；用批量矩阵乘法 `torch.bmm` 一次算出所有内积 $\\boldsymbol{u}^\\top \\boldsymbol{v}$。
""", """
### The skip-gram model

The model has two embedding layers: `embed_v` gives the centre vectors $\\boldsymbol{v}$ and `embed_u` the context (and noise) vectors
$\\boldsymbol{u}$. A minibatch has centres of shape `(B, 1)` and context-and-noise words of shape `(B, max_len)`; the batched matrix product
`torch.bmm` computes all inner products $\\boldsymbol{u}^\\top \\boldsymbol{v}$ at once.
""")
    nb.question("skip_gram", """
写 `skip_gram(center, contexts_and_negatives, embed_v, embed_u)`：返回形状 `(B, 1, max_len)` 的张量，第 `[b, 0, j]` 个元素是
中心词 `center[b, 0]` 的 $\\boldsymbol{v}$ 与 `contexts_and_negatives[b, j]` 的 $\\boldsymbol{u}$ 的内积。`embed_v`、`embed_u` 是 `nn.Embedding`。
""", """
Write `skip_gram(center, contexts_and_negatives, embed_v, embed_u)`: return a tensor of shape `(B, 1, max_len)` whose element `[b, 0, j]`
is the inner product of the $\\boldsymbol{v}$ of centre `center[b, 0]` and the $\\boldsymbol{u}$ of `contexts_and_negatives[b, j]`. `embed_v`
and `embed_u` are `nn.Embedding` layers.
""", '''
def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
    """(B, 1, max_len) 的内积 / The (B, 1, max_len) inner products."""
    ### BEGIN SOLUTION
    v = embed_v(center)
    u = embed_u(contexts_and_negatives)
    return torch.bmm(v, u.permute(0, 2, 1))
    ### END SOLUTION
''')
    nb.question("SigmoidBinaryCrossEntropyLoss", """
写损失类 `SigmoidBinaryCrossEntropyLoss`（`nn.Module`），`forward(inputs, targets, mask=None)`：

- `inputs` 是分数（logits），`targets` 是 0/1 标签，形状都是 `(B, L)`；
- 逐元素计算二元交叉熵 $-[y \\log \\sigma(x) + (1-y) \\log(1 - \\sigma(x))]$，乘以 `mask`（`mask` 为 `None` 时不乘），
  再对**每行的全部 $L$ 个位置**取平均，返回形状 `(B,)`。提示：`F.binary_cross_entropy_with_logits(..., weight=mask, reduction="none")`。

书中的例子：下面的单元格把结果再乘 $L$ 除以每行 mask 之和（只对真实位置取平均），应得到 `[0.8740, 1.2100]`。
""", """
Write the loss class `SigmoidBinaryCrossEntropyLoss` (an `nn.Module`) with `forward(inputs, targets, mask=None)`:

- `inputs` are scores (logits) and `targets` 0/1 labels, both of shape `(B, L)`;
- compute the binary cross-entropy $-[y \\log \\sigma(x) + (1-y) \\log(1 - \\sigma(x))]$ element-wise, multiply by `mask` (no multiplication when
  `mask` is `None`), then average over **all $L$ positions of each row**, returning shape `(B,)`. Hint:
  `F.binary_cross_entropy_with_logits(..., weight=mask, reduction="none")`.

The book's example: the cell below multiplies the result by $L$ and divides by each row's mask sum (an average over the real entries only),
which should give `[0.8740, 1.2100]`.
""", '''
class SigmoidBinaryCrossEntropyLoss(nn.Module):
    """带掩码的二元交叉熵，每行取平均 / Masked binary cross-entropy, averaged per row."""

    def forward(self, inputs, targets, mask=None):
        ### BEGIN SOLUTION
        res = F.binary_cross_entropy_with_logits(inputs, targets, weight=mask, reduction="none")
        return res.mean(dim=1)
        ### END SOLUTION
''')
    nb.given("loss-demo", '''
try:
    loss = SigmoidBinaryCrossEntropyLoss()
    pred = torch.tensor([[1.5, 0.3, -1, 2], [1.1, -0.6, 2.2, 0.4]])
    label = torch.tensor([[1.0, 0, 0, 0], [1, 1, 0, 0]])
    mask = torch.tensor([[1.0, 1, 1, 1], [1, 1, 1, 0]])
    print(loss(pred, label, mask) * mask.shape[1] / mask.sum(dim=1))
''' + NOT_YET)
    nb.question("train_word2vec", """
写 `train_word2vec(net, batches, lr, num_epochs)`：`net` 是 `nn.Sequential(embed_v, embed_u)`，`batches` 是 `batchify` 输出的列表。

- 优化器用 `torch.optim.Adam(net.parameters(), lr=lr)`；
- 每个小批量：`pred = skip_gram(center, context_negative, net[0], net[1])`，
  损失 `l = (loss(pred.view(label.shape), label, mask) * mask.shape[1] / mask.sum(dim=1)).mean()`（`loss` 是上面单元格创建的对象），然后反向传播、更新；
- 返回每个周期的平均小批量损失（长度为 `num_epochs` 的 Python float 列表）。

评分时 `loss` 会换成一个与题意一致的标准实现（所以只有本题的错误影响本题），并在训练后用训练好的嵌入自己重新计算损失：正确的实现能降到 0.5 以下（未训练时约 0.7–0.85）。
""", """
Write `train_word2vec(net, batches, lr, num_epochs)`: `net` is `nn.Sequential(embed_v, embed_u)` and `batches` a list of `batchify` outputs.

- Use the optimiser `torch.optim.Adam(net.parameters(), lr=lr)`;
- for each minibatch: `pred = skip_gram(center, context_negative, net[0], net[1])`, the loss
  `l = (loss(pred.view(label.shape), label, mask) * mask.shape[1] / mask.sum(dim=1)).mean()` (`loss` is the object the cell above created),
  then backpropagate and update;
- return the mean minibatch loss of every epoch (a list of `num_epochs` Python floats).

For grading, `loss` is swapped for a standard implementation that does what its question asks (so only mistakes in this question cost this
question), and after training the grader recomputes the loss with the trained embeddings itself: a correct implementation gets below 0.5
(about 0.7–0.85 untrained).
""", '''
def train_word2vec(net, batches, lr, num_epochs):
    """用 Adam 训练跳字模型，返回每个周期的平均损失 / Train with Adam; the mean loss per epoch."""
    ### BEGIN SOLUTION
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    history = []
    for epoch in range(num_epochs):
        l_sum, n = 0.0, 0
        for center, context_negative, mask, label in batches:
            pred = skip_gram(center, context_negative, net[0], net[1])
            l = (loss(pred.view(label.shape), label, mask) * mask.shape[1] / mask.sum(dim=1)).mean()
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            l_sum += l.item()
            n += 1
        history.append(l_sum / n)
    return history
    ### END SOLUTION
''')
    nb.question("get_similar_tokens", """
训练好以后，用余弦相似度找近义词。写 `get_similar_tokens(query_token, k, W, idx_to_token)`：`W` 的第 $i$ 行是词 `idx_to_token[i]` 的向量。

- 余弦相似度按书中写法：$\\cos = \\dfrac{W x}{\\sqrt{\\lVert W_i \\rVert^2 \\lVert x \\rVert^2 + 10^{-9}}}$（加 $10^{-9}$ 避免除以 0）；
- 用 `torch.topk` 取最大的 `k + 1` 个，**去掉第一个**（查询词自己），返回其余 `k` 个词（str 列表，相似度从大到小）。
""", """
Once trained, cosine similarity finds similar words. Write `get_similar_tokens(query_token, k, W, idx_to_token)`: row $i$ of `W` is the vector
of the word `idx_to_token[i]`.

- Compute the cosine as the book does: $\\cos = \\dfrac{W x}{\\sqrt{\\lVert W_i \\rVert^2 \\lVert x \\rVert^2 + 10^{-9}}}$ ($10^{-9}$ avoids dividing by 0);
- take the `k + 1` largest with `torch.topk`, **drop the first** (the query itself), and return the other `k` words (a list of str, most
  similar first).
""", '''
def get_similar_tokens(query_token, k, W, idx_to_token):
    """与查询词余弦相似度最高的 k 个词 / The k words most similar to the query."""
    ### BEGIN SOLUTION
    x = W[idx_to_token.index(query_token)]
    cos = W @ x / torch.sqrt(torch.sum(W * W, dim=1) * torch.sum(x * x) + 1e-9)
    topk = torch.topk(cos, k=k + 1).indices.tolist()
    return [idx_to_token[i] for i in topk[1:]]
    ### END SOLUTION
''')
    nb.demo("train-demo", """
在替身语料的前 300 个句子上训练几个周期，看看损失怎样下降、“company”的近义词是什么。替身语料只有约 2 万个词元，$t = 10^{-4}$ 的二次采样几乎会删光它
（书中的 PTB 有 88 万个词元），所以这里用没有二次采样的句子；结果只能说明流程跑通了。
""", """
Train for a few epochs on the first 300 sentences of the stand-in, watch the loss fall and look up the neighbours of "company". The
stand-in has only about 20 thousand tokens, which subsampling with $t = 10^{-4}$ nearly wipes out (the book's PTB has 880 thousand), so the
demo uses the sentences without subsampling; the result only shows that the pipeline works.
""", """
try:
    if dataset is not None:
        all_centers, all_contexts = get_centers_and_contexts(dataset[:300], 2)
        all_negatives = get_negatives(all_contexts, [counter[i] for i in range(len(idx_to_token))], 5)
        examples = list(zip(all_centers, all_contexts, all_negatives))
        demo_batches = [batchify(examples[i:i + 256]) for i in range(0, len(examples), 256)]
        net = nn.Sequential(nn.Embedding(len(idx_to_token), 32), nn.Embedding(len(idx_to_token), 32))
        nn.init.normal_(net[0].weight, std=0.1)
        nn.init.normal_(net[1].weight, std=0.1)
        print("每个周期的损失 / loss per epoch:", [round(x, 3) for x in train_word2vec(net, demo_batches, 0.01, 5)])
        print(get_similar_tokens("company", 3, net[0].weight.detach(), idx_to_token))
""" + NOT_YET)


def sec_10_4(nb: MasterNotebook) -> None:
    nb.md("sec-10-4", """
## 10.4 子词嵌入（fastText）

英语里 “dog”“dogs”“dogcatcher” 的词形相近，word2vec 却把它们当成毫不相干的词。fastText 把词看成**字符 n 元组（子词）**的集合：
在词的两端加上 `<` 和 `>`，取长度 3 到 6 的所有子串，再加上整个 `<词>` 本身。词向量是它的子词向量之和，所以没见过的词也能从见过的子词得到向量。
""", """
## 10.4 Subword Embedding (fastText)

In English, "dog", "dogs" and "dogcatcher" look alike, yet word2vec treats them as unrelated words. fastText sees a word as a set of
**character n-grams (subwords)**: add `<` and `>` at the two ends of the word, take all substrings of length 3 to 6, and add the whole
`<word>` itself. A word's vector is the sum of its subword vectors, so a word never seen still gets a vector from subwords that were seen.
""")
    nb.question("get_subwords", """
写 `get_subwords(word, min_n=3, max_n=6)`：`<word>` 的所有长度在 `min_n` 到 `max_n` 之间的子串，加上 `<word>` 本身；去掉重复，
**排序后**返回 list（集合没有顺序可比，排序是本课程的约定）。

例：`get_subwords("where", 3, 3)` 得到 `<wh`、`whe`、`her`、`ere`、`re>` 和 `<where>`，排序后是
`['<wh', '<where>', 'ere', 'her', 're>', 'whe']`。
""", """
Write `get_subwords(word, min_n=3, max_n=6)`: all substrings of `<word>` of length `min_n` to `max_n`, plus `<word>` itself; remove
duplicates and return them **sorted** as a list (a set has no order to compare; sorting is the course's convention).

Example: `get_subwords("where", 3, 3)` gives `<wh`, `whe`, `her`, `ere`, `re>` and `<where>`, which sorted are
`['<wh', '<where>', 'ere', 'her', 're>', 'whe']`.
""", '''
def get_subwords(word, min_n=3, max_n=6):
    """<word> 的子词（排序、去重）/ The subwords of <word>, distinct and sorted."""
    ### BEGIN SOLUTION
    padded = "<" + word + ">"
    grams = {padded[i:i + n] for n in range(min_n, max_n + 1) for i in range(len(padded) - n + 1)}
    grams.add(padded)
    return sorted(grams)
    ### END SOLUTION
''')
    nb.question("fasttext_vector", """
写 `fasttext_vector(word, table, min_n=3, max_n=6)`：`table` 是 dict（子词 → 形状 `(d,)` 的 float32 张量）。
返回 `word` 的子词（用 `get_subwords` 求）中**在 `table` 里的**那些的向量之和；一个都不在时返回长度为 $d$ 的零向量（$d$ 取 `table` 中任一向量的长度）。

评分时 `get_subwords` 会换成标准实现，本题只看求和。
""", """
Write `fasttext_vector(word, table, min_n=3, max_n=6)`: `table` is a dict (subword → float32 tensor of shape `(d,)`). Return the sum of the
vectors of those subwords of `word` (from `get_subwords`) **that are in `table`**; when none is, return a zero vector of length $d$ (the length
of any vector in `table`).

For grading, `get_subwords` is swapped for a standard implementation: this question is about the sum only.
""", '''
def fasttext_vector(word, table, min_n=3, max_n=6):
    """子词向量之和 / The sum of the word's known subword vectors."""
    ### BEGIN SOLUTION
    dim = next(iter(table.values())).shape[0]
    vec = torch.zeros(dim)
    for s in get_subwords(word, min_n, max_n):
        if s in table:
            vec = vec + table[s]
    return vec
    ### END SOLUTION
''')
    nb.md("bpe-md", """
### 字节对编码（BPE）

fastText 的子词是固定长度的。字节对编码（书的第二版介绍）从单个字符出发，**反复把最常相邻出现的一对符号合并成一个新符号**，
于是常见的词根、词缀会变成整块的子词。词用“空格分开的符号”表示，末尾的 `_` 标记词尾，例如 `{"f a s t _": 4, "t a l l e r _": 4}`（值是词频）。
""", """
### Byte pair encoding (BPE)

fastText's subwords have fixed lengths. Byte pair encoding (introduced in the book's second edition) starts from single characters and
**repeatedly merges the pair of symbols that is most often adjacent into one new symbol**, so that common stems and affixes become whole
subwords. Words are written as symbols separated by spaces, with `_` marking the end of a word, e.g. `{"f a s t _": 4, "t a l l e r _": 4}`
(the values are word frequencies).
""")
    nb.question("bpe_merges", """
写 `bpe_merges(token_freqs, num_merges)`，重复 `num_merges` 次：

1. 数所有相邻符号对的出现次数（每个词里的每一对都加上这个词的词频）；
2. 取次数最多的一对，**并列时取最先遇到的那一对**（按字典中词的顺序、词内从左到右；`max(pairs, key=pairs.get)` 正是如此，只要 `pairs` 按遇到的顺序插入）；
3. 在每个词里从左到右把这一对（不重叠地）合并成一个符号，例如 `"a a a"` 合并 `("a", "a")` 得到 `"aa a"`；合并后相同的词词频相加。

没有任何相邻符号对时提前停止。返回 `(merges, token_freqs)`：`merges` 是依次合并出的新符号（如 `"ta"`），`token_freqs` 是最后的分词结果（新 dict，保持词的顺序）。
""", """
Write `bpe_merges(token_freqs, num_merges)`, repeating `num_merges` times:

1. count every pair of adjacent symbols (each pair in a word adds that word's frequency);
2. take the most frequent pair, **the first one met on a tie** (words in dict order, left to right within a word; `max(pairs, key=pairs.get)`
   does exactly that when `pairs` is filled in the order pairs are met);
3. in every word, merge that pair into one symbol from left to right without overlaps, e.g. `"a a a"` merging `("a", "a")` gives `"aa a"`;
   words that become equal add their frequencies.

Stop early when no word has two adjacent symbols. Return `(merges, token_freqs)`: `merges` lists the new symbols in the order they were made
(such as `"ta"`), `token_freqs` the final segmentation (a new dict, words kept in order).
""", '''
def bpe_merges(token_freqs, num_merges):
    """字节对编码的合并 / Byte pair encoding merges."""
    ### BEGIN SOLUTION
    freqs = dict(token_freqs)
    merges = []
    for _ in range(num_merges):
        pairs = {}
        for word, freq in freqs.items():
            symbols = word.split(" ")
            for pair in zip(symbols[:-1], symbols[1:]):
                pairs[pair] = pairs.get(pair, 0) + freq
        if not pairs:
            break
        best = max(pairs, key=pairs.get)
        merges.append(best[0] + best[1])
        new_freqs = {}
        for word, freq in freqs.items():
            symbols, out, i = word.split(" "), [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            key = " ".join(out)
            new_freqs[key] = new_freqs.get(key, 0) + freq
        freqs = new_freqs
    return merges, freqs
    ### END SOLUTION
''')
    nb.given("bpe-demo", '''
try:
    print(bpe_merges({"f a s t _": 4, "f a s t e r _": 3, "t a l l _": 5, "t a l l e r _": 4}, 10))
''' + NOT_YET)


def sec_10_5(nb: MasterNotebook) -> None:
    nb.md("sec-10-5", """
## 10.5 全局向量的词嵌入（GloVe）

GloVe 先在整个语料上数**共现次数** $x_{ij}$：以 $i$ 为中心词时，$j$ 出现在它背景窗口中的次数。然后用平方损失拟合 $\\log x_{ij}$：

$$\\sum_{i, j:\\ x_{ij} > 0} h(x_{ij}) \\left(\\boldsymbol{u}_j^\\top \\boldsymbol{v}_i + b_i + c_j - \\log x_{ij}\\right)^2,$$

$\\boldsymbol{v}_i$、$b_i$ 是中心词向量和偏差，$\\boldsymbol{u}_j$、$c_j$ 是背景词向量和偏差，权重 $h(x) = \\min\\left(1, (x / c)^{\\alpha}\\right)$（常取 $c = 100$，$\\alpha = 0.75$）。
$x_{ij} = 0$ 的词对不计入（$\\log 0$ 没有定义）。

**约定：** 本作业的 $x_{ij}$ 是书中定义的**普通计数**（窗口里每出现一次算 1）；GloVe 论文的实现按距离的倒数 $1/d$ 加权，这里不用。
""", """
## 10.5 Global Vectors for Word Representation (GloVe)

GloVe first counts **co-occurrences** $x_{ij}$ over the whole corpus: how often $j$ is in the context window of centre word $i$. It then fits
$\\log x_{ij}$ with a squared loss:

$$\\sum_{i, j:\\ x_{ij} > 0} h(x_{ij}) \\left(\\boldsymbol{u}_j^\\top \\boldsymbol{v}_i + b_i + c_j - \\log x_{ij}\\right)^2,$$

where $\\boldsymbol{v}_i$, $b_i$ are the centre vector and bias, $\\boldsymbol{u}_j$, $c_j$ the context vector and bias, and the weight is
$h(x) = \\min\\left(1, (x / c)^{\\alpha}\\right)$ (typically $c = 100$, $\\alpha = 0.75$). Pairs with $x_{ij} = 0$ do not count ($\\log 0$ is undefined).

**Convention:** here $x_{ij}$ is the **plain count** of the book's definition (each occurrence in the window counts 1); the GloVe paper's
implementation weights by the inverse distance $1/d$, which we do not use.
""")
    nb.question("cooccurrence", """
写 `cooccurrence(corpus, vocab_size, window_size)`：`corpus` 是句子（索引列表）的列表。对每个句子的每个位置 $i$，
它前后各 `window_size` 个位置内（不跨句子、不含自己）的每个位置 $j$，把 `X[st[i], st[j]]` 加 1。返回形状 `(vocab_size, vocab_size)` 的 float32 张量（它是对称的）。
""", """
Write `cooccurrence(corpus, vocab_size, window_size)`: `corpus` is a list of sentences (lists of indices). For every position $i$ of every
sentence and every position $j$ within `window_size` before or after it (within the sentence, not $i$ itself), add 1 to `X[st[i], st[j]]`.
Return a float32 tensor of shape `(vocab_size, vocab_size)` (it is symmetric).
""", '''
def cooccurrence(corpus, vocab_size, window_size):
    """共现次数矩阵 / The co-occurrence count matrix."""
    ### BEGIN SOLUTION
    X = torch.zeros(vocab_size, vocab_size)
    for st in corpus:
        for i, center in enumerate(st):
            for j in range(max(0, i - window_size), min(len(st), i + window_size + 1)):
                if j != i:
                    X[center, st[j]] += 1
    return X
    ### END SOLUTION
''')
    nb.question("glove_weight", """
写 `glove_weight(x, c=100.0, alpha=0.75)`：对张量 `x` 逐元素计算 $h(x) = \\min\\left(1, (x/c)^{\\alpha}\\right)$（$x = 0$ 时为 0）。
""", """
Write `glove_weight(x, c=100.0, alpha=0.75)`: compute $h(x) = \\min\\left(1, (x/c)^{\\alpha}\\right)$ element-wise on the tensor `x` (0 at $x = 0$).
""", '''
def glove_weight(x, c=100.0, alpha=0.75):
    """GloVe 的权重函数 h(x) / GloVe's weight function h(x)."""
    ### BEGIN SOLUTION
    return torch.clamp((x / c) ** alpha, max=1.0)
    ### END SOLUTION
''')
    nb.question("glove_loss", """
写 `glove_loss(V, U, b, c, X, x_max=100.0, alpha=0.75)`，返回上面的 GloVe 损失（0 维张量）：`V`、`U` 形状 `(n, d)`，第 $i$ 行分别是 $\\boldsymbol{v}_i$、$\\boldsymbol{u}_i$；
`b`、`c` 形状 `(n,)`；`X` 是共现矩阵。权重用 `glove_weight(X, x_max, alpha)`（评分时换成标准实现）。

只对 $x_{ij} > 0$ 的项求和，而且**不能对 0 取对数**：`torch.log(X)` 在 0 处是 `-inf`，乘以权重 0 会得到 `nan`。
可以先用 `torch.where` 把 0 换成 1 再取对数，最后再用掩码去掉这些项。求出的损失可以直接用 autograd 求梯度。
""", """
Write `glove_loss(V, U, b, c, X, x_max=100.0, alpha=0.75)`, returning the GloVe loss above (a 0-dimensional tensor): `V` and `U` have shape
`(n, d)`, their row $i$ being $\\boldsymbol{v}_i$ and $\\boldsymbol{u}_i$; `b` and `c` have shape `(n,)`; `X` is the co-occurrence matrix. Weight with
`glove_weight(X, x_max, alpha)` (swapped for a standard implementation during grading).

Sum only the terms with $x_{ij} > 0$, and **never take the log of 0**: `torch.log(X)` is `-inf` there, and weight 0 times `-inf` squared is
`nan`. Replace the zeros by ones with `torch.where` before the log, then mask those terms out. Autograd then gives the gradient of this loss.
""", '''
def glove_loss(V, U, b, c, X, x_max=100.0, alpha=0.75):
    """GloVe 的损失，只计 x_ij > 0 的项 / The GloVe loss over the pairs with x_ij > 0."""
    ### BEGIN SOLUTION
    seen = X > 0
    log_x = torch.log(torch.where(seen, X, torch.ones_like(X)))
    diff = V @ U.T + b[:, None] + c[None, :] - log_x
    terms = glove_weight(X, x_max, alpha) * diff ** 2
    return torch.sum(torch.where(seen, terms, torch.zeros_like(terms)))
    ### END SOLUTION
''')


def sec_10_6(nb: MasterNotebook) -> None:
    nb.md("sec-10-6", """
## 10.6 求近义词和类比词

书中用预训练的 GloVe 词向量（`glove.6B.50d.txt`，要下载）。文件格式很简单：每行一个词，后面是它的各个分量，用空格分开，没有表头。
评分环境在 `$D2L_DATA_DIR/analogy/glove.analogy.50d.txt` 放了一份**同样格式**、约 60 个词的小文件，其中的向量是专门构造的，
让书中的查询（如 man : woman :: son : ?）有确定的答案。下面的 `read_vectors` 读取这种格式。
""", """
## 10.6 Finding Synonyms and Analogies

The book uses pretrained GloVe vectors (`glove.6B.50d.txt`, a download). The format is simple: one word per line followed by its components,
separated by spaces, no header. The grading environment keeps a small file **in the same format**, about 60 words, at
`$D2L_DATA_DIR/analogy/glove.analogy.50d.txt`, whose vectors were built so that the book's queries (such as man : woman :: son : ?) have
known answers. `read_vectors` below reads this format.
""")
    nb.given("read-vectors", inspect.getsource(word_vectors.read_vectors) + '''

VECTOR_FILE = DATA_DIR / "analogy" / "glove.analogy.50d.txt"
''')
    nb.question("token_embedding", """
书中的 `TokenEmbedding` 把未知词映射到索引 0。写 `token_embedding(tokens, vectors)`（`tokens`、`vectors` 是 `read_vectors` 的两个返回值），
返回 `(idx_to_token, token_to_idx, idx_to_vec)`：

- `idx_to_token = ["<unk>"] + tokens`（list），`token_to_idx` 是反过来的 dict；
- `idx_to_vec`：形状 `(n + 1, d)` 的 float32 张量，第 0 行全为 0（`<unk>`），其余各行依次是 `vectors` 的各行。
""", """
The book's `TokenEmbedding` maps unknown words to index 0. Write `token_embedding(tokens, vectors)` (`tokens` and `vectors` are what
`read_vectors` returns), returning `(idx_to_token, token_to_idx, idx_to_vec)`:

- `idx_to_token = ["<unk>"] + tokens` (a list), and `token_to_idx` the inverse dict;
- `idx_to_vec`: a float32 tensor of shape `(n + 1, d)` whose row 0 is all zeros (`<unk>`) followed by the rows of `vectors` in order.
""", '''
def token_embedding(tokens, vectors):
    """(idx_to_token, token_to_idx, idx_to_vec)，<unk> 在索引 0 / <unk> at index 0."""
    ### BEGIN SOLUTION
    idx_to_token = ["<unk>"] + list(tokens)
    token_to_idx = {tk: i for i, tk in enumerate(idx_to_token)}
    idx_to_vec = torch.cat([torch.zeros(1, vectors.shape[1]), vectors])
    return idx_to_token, token_to_idx, idx_to_vec
    ### END SOLUTION
''')
    nb.question("knn", """
写 `knn(W, x, k)`：`W` 的每一行和向量 `x` 的余弦相似度（同 10.3 节的写法，分母加 $10^{-9}$，所以全零的 `<unk>` 行得到 0 而不是 `nan`），
返回最大的 `k` 个的 `(索引, 相似度)`，两个都是形状 `(k,)` 的张量（索引 int64），相似度从大到小。
""", """
Write `knn(W, x, k)`: the cosine similarity of every row of `W` with the vector `x` (written as in section 10.3, $10^{-9}$ added in the
denominator, so the all-zero `<unk>` row gives 0, not `nan`); return `(indices, similarities)` of the `k` largest, both tensors of shape `(k,)`
(int64 indices), most similar first.
""", '''
def knn(W, x, k):
    """余弦相似度最高的 k 行 / The k rows of W with the highest cosine similarity to x."""
    ### BEGIN SOLUTION
    cos = W @ x / torch.sqrt(torch.sum(W * W, dim=1) * torch.sum(x * x) + 1e-9)
    top = torch.topk(cos, k=k)
    return top.indices, top.values
    ### END SOLUTION
''')
    nb.question("get_analogy", """
类比 “a 之于 b 相当于 c 之于 d”：求 $\\text{vec}(b) - \\text{vec}(a) + \\text{vec}(c)$ 最近的词作为 d。写 `get_analogy(token_a, token_b, token_c, W, idx_to_token)`，
用 `knn` 找相似度最高的 1 行，返回它的词（str）。和书中一样，**a、b、c 自己不排除**（所以向量要足够好，答案才不会是 c 本身）。

评分时 `knn` 会换成标准实现。
""", """
An analogy "a is to b as c is to d": d is the word nearest to $\\text{vec}(b) - \\text{vec}(a) + \\text{vec}(c)$. Write
`get_analogy(token_a, token_b, token_c, W, idx_to_token)`: find the single most similar row with `knn` and return its word (a str). As in the
book, **a, b and c themselves are not excluded** (so the vectors must be good enough for the answer not to be c itself).

For grading, `knn` is swapped for a standard implementation.
""", '''
def get_analogy(token_a, token_b, token_c, W, idx_to_token):
    """类比词 / The analogy: the word nearest to vec(b) - vec(a) + vec(c)."""
    ### BEGIN SOLUTION
    idx = {tk: i for i, tk in enumerate(idx_to_token)}
    x = W[idx[token_b]] - W[idx[token_a]] + W[idx[token_c]]
    top, _ = knn(W, x, 1)
    return idx_to_token[int(top[0])]
    ### END SOLUTION
''')
    nb.demo("analogy-demo", """
读入词向量文件，求书中的近义词和类比词。
""", """
Read the vector file and ask the book's similarity and analogy questions.
""", """
try:
    glove_tokens, glove_vectors = read_vectors(VECTOR_FILE)
    glove_idx_to_token, glove_token_to_idx, glove_W = token_embedding(glove_tokens, glove_vectors)
    print("词数 / words:", len(glove_idx_to_token), " 维数 / dimensions:", glove_W.shape[1])
    for word in ["chip", "baby", "beautiful"]:
        print(word, "→", get_similar_tokens(word, 3, glove_W, glove_idx_to_token))
    for a, b, c in [("man", "woman", "son"), ("beijing", "china", "tokyo"), ("bad", "worst", "big"), ("do", "did", "go")]:
        print(f"{a} : {b} :: {c} : {get_analogy(a, b, c, glove_W, glove_idx_to_token)}")
except FileNotFoundError:
    print(f"没有找到词向量文件（{VECTOR_FILE}）/ vector file not found ({VECTOR_FILE})")
""" + NOT_YET)


def main() -> int:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    intro(nb)
    sec_10_1(nb)
    sec_10_2(nb)
    sec_10_3(nb)
    sec_10_4(nb)
    sec_10_5(nb)
    sec_10_6(nb)
    nb.write()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
