# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch10_nlp/seq2seq.ipynb`` (§10.9–10.12).

    .venv/bin/python scripts/notebooks/ch10_seq2seq.py

Built with :class:`scripts.notebooks.cells.MasterNotebook`; prose is our own, 简体中文 first
and English beneath.  The questions and their points come from
``solutions/ch10_nlp/seq2seq.py``.  The given ``Vocab`` is the source of
``reference_impl/vocab.py`` and the given wrappers that let the grader load weights into
the student's networks are the source of ``reference_impl/ch10_seq2seq.py``, embedded
with :func:`inspect.getsource` so that notebook and answer key cannot drift apart.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reference_impl import ch10_seq2seq, vocab  # noqa: E402
from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch10_nlp", "seq2seq"

NOT_YET = """except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")"""


def intro(nb: MasterNotebook) -> None:
    nb.md("intro", """
# 第 10 章 自然语言处理（下）：编码器—解码器、束搜索、注意力与机器翻译

本作业对应《动手学深度学习》（第一版）第 10 章的 10.9–10.12 节，全部使用 PyTorch。我们先搭出编码器—解码器（seq2seq）的零件：
把变长序列编码成状态的编码器、屏蔽填充位置的掩码和损失；再在一个“查表式”的解码器上比较贪婪搜索、穷举搜索和束搜索；
然后写出加性注意力；最后把它们组装成一个带注意力的法语—英语翻译模型，训练它、用它翻译，并用 BLEU 给翻译打分。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改类名、函数名、参数名和参数顺序，**也不要改题目规定的属性名**（如 `self.embedding`、`self.rnn`）：评分程序会用 `load_state_dict(strict=True)` 把自己的权重装进你的网络。
- 返回题目要求的那种值：张量或 NumPy 数组不能代替 Python 的列表或数，`Counter` 也不能代替 `dict`；列表和元组算作相同，要求浮点数时整数也可以。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。
- 评分在没有 GPU、没有网络的环境里进行；翻译数据是一份格式与书中 `fr-en-small.txt` 相同、句子由我们自己写的替身（见 10.12 节）。
""", """
# Chapter 10 Natural Language Processing (part 3): Encoder–Decoder, Beam Search, Attention and Machine Translation

This assignment covers sections 10.9–10.12 of chapter 10 of *Dive into Deep Learning* (first edition), entirely in PyTorch. We first
build the parts of an encoder–decoder (seq2seq) model: an encoder that turns a sequence of any length into a state, and a mask and
a loss that ignore padding. Then we compare greedy, exhaustive and beam search on a "look-up table" decoder, write additive
attention, and finally put everything together into a French–English translation model with attention: we train it, translate
with it, and score the translations with BLEU.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename classes, functions or arguments or change their order, **and keep the attribute names the questions give** (such as `self.embedding` and `self.rnn`): the grader loads its own weights into your networks with `load_state_dict(strict=True)`.
- Return the kind of value a question asks for: a tensor or a NumPy array does not stand in for a Python list or number, nor a `Counter` for a `dict`; a list and a tuple count as the same, and an integer passes where a float is asked.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell.
- Grading runs without a GPU and without network access; the translation data is a stand-in in the format of the book's `fr-en-small.txt`, with sentences of our own (see section 10.12).
""")
    nb.setup("""
import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# 本章的网络很小：单线程反而更快。/ The networks here are tiny: one thread is faster.
torch.set_num_threads(1)
""")


def sec_10_9(nb: MasterNotebook) -> None:
    nb.md("sec-10-9", """
## 10.9 编码器—解码器（seq2seq）

翻译时输入和输出都是不定长的序列。编码器—解码器的做法是：**编码器**读完整个输入序列，把它的信息压进隐藏状态；
**解码器**从这个状态出发，一个词元接一个词元地生成输出，每一步的输入是上一步的输出（训练时是正确答案，即“强制教学”），直到生成句末符 `<eos>`。

本作业的约定：一批序列是形状为 (批量大小, 时间步数) 的整数张量；循环层按 PyTorch 的默认方式**时间维在前**，
所以编码器的输出形状是 (时间步数, 批量大小, 隐藏单元个数)，最终状态是 (层数, 批量大小, 隐藏单元个数)。
状态传 `None` 表示全零初始状态（代替书中的 `begin_state`）。
""", """
## 10.9 Encoder–Decoder (seq2seq)

In translation both the input and the output are sequences of varying length. An encoder–decoder model handles this as follows: the
**encoder** reads the whole input sequence and packs what it learned into its hidden state; the **decoder** starts from that state and
produces the output one token at a time, each step taking the previous step's output as input (during training the correct token, called
teacher forcing), until it produces the end-of-sequence token `<eos>`.

Conventions in this assignment: a batch of sequences is an integer tensor of shape (batch size, time steps); the recurrent layers keep
PyTorch's default of **time first**, so the encoder's outputs have shape (time steps, batch size, hidden units) and its final state
(layers, batch size, hidden units). A state of `None` means an all-zero initial state (instead of the book's `begin_state`).
""")
    nb.question("Encoder", """
写编码器 `Encoder(vocab_size, embed_size, num_hiddens, num_layers, drop_prob=0)`：

- `__init__`：`self.embedding = nn.Embedding(vocab_size, embed_size)`，`self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=drop_prob)`。属性名不要改。
- `forward(inputs, state=None)`：`inputs` 是 (批量大小, 时间步数) 的词元索引。先嵌入得到 (批量大小, 时间步数, embed_size)，
  再交换前两维变成时间维在前，交给 `self.rnn`（连同 `state`），返回 GRU 的 `(输出, 最终状态)`。

例：`Encoder(10, 8, 16, 2)` 作用在 `torch.zeros(4, 7)` 形状的输入上，输出形状是 (7, 4, 16)，状态形状是 (2, 4, 16)。
""", """
Write the encoder `Encoder(vocab_size, embed_size, num_hiddens, num_layers, drop_prob=0)`:

- `__init__`: `self.embedding = nn.Embedding(vocab_size, embed_size)` and `self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=drop_prob)`. Keep these attribute names.
- `forward(inputs, state=None)`: `inputs` holds token indices of shape (batch size, time steps). Embed them, giving (batch size, time steps,
  embed_size), swap the first two dimensions so that time comes first, pass the result to `self.rnn` together with `state`, and return
  the GRU's `(outputs, final state)`.

Example: `Encoder(10, 8, 16, 2)` applied to an input of shape `torch.zeros(4, 7)` gives outputs of shape (7, 4, 16) and a state of shape (2, 4, 16).
""", '''
class Encoder(nn.Module):
    """seq2seq 编码器 / The seq2seq encoder: embedding, then a GRU (time first)."""

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, drop_prob=0):
        ### BEGIN SOLUTION
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=drop_prob)
        ### END SOLUTION

    def forward(self, inputs, state=None):
        ### BEGIN SOLUTION
        embedded = self.embedding(inputs.long()).permute(1, 0, 2)
        return self.rnn(embedded, state)
        ### END SOLUTION
''')
    nb.demo("encoder-demo", """
书中的例子：批量大小 4、时间步数 7、两层 GRU、16 个隐藏单元。
""", """
The book's example: batch size 4, 7 time steps, a two-layer GRU with 16 hidden units.
""", f"""
try:
    encoder = Encoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    outputs, state = encoder(torch.zeros(4, 7, dtype=torch.long))
    print("输出 / outputs:", tuple(outputs.shape), " 状态 / state:", tuple(state.shape))
{NOT_YET}
""")
    nb.question("sequence_mask", """
一批序列要填充到相同长度，填充的位置不应参与计算。写 `sequence_mask(X, valid_len, value=0)`：

- `X` 至少二维，第 0 维是样本、第 1 维是时间步；`valid_len[i]` 是第 `i` 个样本的有效长度。
- 返回一个与 `X` 形状、类型相同的**新**张量：第 `i` 个样本中时间步 `t >= valid_len[i]` 的所有元素换成 `value`，其余不变（`X` 多出来的维度整体一起屏蔽）。
- 提示：`torch.arange(X.shape[1])` 与 `valid_len` 比较得到 (样本数, 时间步数) 的布尔掩码，再用 `torch.where`。
- 评分时也会查看调用之后的 `X`：它必须保持原样（书中的版本直接改写 `X`，这里不行）。

例：`sequence_mask(torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([1, 2]))` 得到 `[[1, 0, 0], [4, 5, 0]]`。
""", """
A batch of sequences is padded to one length, and the padded positions should not take part in the computation. Write
`sequence_mask(X, valid_len, value=0)`:

- `X` has at least two dimensions: examples first, time steps second; `valid_len[i]` is the valid length of example `i`.
- Return a **new** tensor with `X`'s shape and dtype in which every element of example `i` at time steps `t >= valid_len[i]` is replaced by
  `value` and the rest is unchanged (any further dimensions of `X` are masked as a whole).
- Hint: comparing `torch.arange(X.shape[1])` with `valid_len` gives an (examples, time steps) boolean mask; then use `torch.where`.
- Grading also looks at `X` after the call: it must be unchanged (the book's version writes into `X`; here that loses the point).

Example: `sequence_mask(torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([1, 2]))` gives `[[1, 0, 0], [4, 5, 0]]`.
""", '''
def sequence_mask(X, valid_len, value=0):
    """屏蔽有效长度之后的时间步 / Replace the steps at and after each valid length by value."""
    ### BEGIN SOLUTION
    steps = torch.arange(X.shape[1], device=X.device)
    keep = steps[None, :] < valid_len[:, None]
    while keep.dim() < X.dim():
        keep = keep.unsqueeze(-1)
    return torch.where(keep, X, torch.full_like(X, value))
    ### END SOLUTION
''')
    nb.question("masked_softmax_ce", """
带掩码的交叉熵损失 `masked_softmax_ce(pred, label, valid_len)`：

- `pred`：(批量大小, 时间步数, 词表大小) 的未归一化输出；`label`：(批量大小, 时间步数) 的正确词元；`valid_len`：(批量大小,)。
- 先算出每个位置的交叉熵（`F.cross_entropy(..., reduction="none")`，注意它要求类别维在第 1 维），
  再用 `sequence_mask` 把有效长度之后的位置置 0，最后对**每个样本在全部时间步上取平均**，返回形状为 (批量大小,) 的张量。
- 所以有效长度为 0 的样本损失为 0，有效长度为一半的样本损失减半。

例：`pred = torch.ones(3, 4, 10)`、`label` 全为 1、`valid_len = [4, 2, 0]` 时结果是 `[2.3026, 1.1513, 0.0000]`（ln 10 = 2.3026）。
""", """
The masked cross-entropy loss `masked_softmax_ce(pred, label, valid_len)`:

- `pred`: unnormalised outputs of shape (batch size, time steps, vocabulary size); `label`: the correct tokens, (batch size, time steps);
  `valid_len`: (batch size,).
- Compute the cross-entropy at every position (`F.cross_entropy(..., reduction="none")`; mind that it wants the classes in dimension 1),
  set the positions after the valid length to 0 with `sequence_mask`, and **average each example over all its time steps**, returning
  a tensor of shape (batch size,).
- So an example with valid length 0 has loss 0, and one with half its steps valid gets half the loss.

Example: with `pred = torch.ones(3, 4, 10)`, all labels 1 and `valid_len = [4, 2, 0]` the result is `[2.3026, 1.1513, 0.0000]` (ln 10 = 2.3026).
""", '''
def masked_softmax_ce(pred, label, valid_len):
    """忽略填充的逐样本交叉熵 / Per-example cross-entropy that ignores the padding."""
    ### BEGIN SOLUTION
    weights = sequence_mask(torch.ones(label.shape, device=pred.device), valid_len)
    per_step = F.cross_entropy(pred.permute(0, 2, 1), label.long(), reduction="none")
    return (per_step * weights).mean(dim=1)
    ### END SOLUTION
''')


def sec_10_10(nb: MasterNotebook) -> None:
    nb.md("sec-10-10", """
## 10.10 束搜索

解码器每一步给出下一个词元的条件概率。怎样从中挑出整个输出序列？

- **贪婪搜索**：每一步都取当前概率最大的词元。快，但不一定得到概率最大的序列。
- **穷举搜索**：把所有可能的序列都算一遍，挑最好的。最好，但序列个数随长度指数增长。
- **束搜索**：每一步只保留概率最大的 k 个序列（k 是束宽），是两者之间的折中。

书中比较候选序列用的分数是 $\\frac{1}{L^\\alpha} \\log P(y_1, \\ldots, y_L)$，其中 $L$ 是序列长度，$\\alpha$ 一般取 0.75，用来减少对短序列的偏爱。

为了让搜索可以精确评分，这里的“解码器”是一张**表** `table`：键是前缀（已生成的词元编号用一个空格连接，空前缀是 `""`），
值是下一个词元的对数概率列表（第 `i` 个元素对应词元 `i`）。下面给出的 `next_logprobs(table, prefix)` 就是这个解码器。本节统一约定：

- **候选序列**是以 `eos` 结尾的序列（`eos` 算在长度 $L$ 里），或者长度达到 `max_len` 仍未结束的序列；
- 序列的 $\\log P$ 是它各个词元的对数概率之和（按生成顺序逐个相加）；分数由 `sequence_score` 计算；
- 分数相同时，**较短**的序列优先；一样长时，词元编号的列表**字典序较小**的优先。
""", """
## 10.10 Beam Search

At each step the decoder gives the conditional probabilities of the next token. How do we pick the whole output sequence from them?

- **Greedy search** takes the most probable token at every step. It is fast but need not find the most probable sequence.
- **Exhaustive search** scores every possible sequence and picks the best. It is the best one can do, but the number of sequences grows
  exponentially with their length.
- **Beam search** keeps only the k most probable sequences at each step (k is the beam size): a compromise between the two.

The book compares candidate sequences by the score $\\frac{1}{L^\\alpha} \\log P(y_1, \\ldots, y_L)$, where $L$ is the sequence's length and
$\\alpha$ is usually 0.75, to favour short sequences less.

So that the searches can be graded exactly, the "decoder" here is a **table** `table`: its keys are prefixes (the token ids generated so
far joined by one space, `""` for the empty prefix), its values the log-probabilities of the next token as a list (entry `i` is token `i`).
The given `next_logprobs(table, prefix)` below is that decoder. Conventions for this section:

- a **candidate** is a sequence that ends with `eos` (which counts in its length $L$), or one that reached `max_len` tokens without ending;
- a sequence's $\\log P$ is the sum of its tokens' log-probabilities (added one by one in the order generated); `sequence_score` gives the score;
- when scores are equal, the **shorter** sequence wins; among equally long ones, the one whose list of token ids is **lexicographically smaller**.
""")
    nb.given("table-decoder", '''
def next_logprobs(table, prefix):
    """查表解码器 / The table-driven decoder: log P(next token | prefix) as a list."""
    return table[" ".join(str(int(t)) for t in prefix)]


def sequence_score(logp, length, alpha=0.75):
    """书中的分数 / The book's score: log P / L**alpha."""
    return logp / length ** alpha


# 一个小例子：3 个词元，词元 0 是 eos / A small example: 3 tokens, token 0 is eos.
toy_table = {"": [-3.0, -0.4, -1.1], "1": [-1.6, -1.0, -1.3], "2": [-1.5, -1.5, -0.25],
             "1 1": [-1.2, -2.0, -2.0], "1 2": [-0.7, -2.0, -2.0],
             "2 1": [-0.9, -0.9, -0.9], "2 2": [-0.05, -4.0, -4.0]}
print(next_logprobs(toy_table, [1, 2]))
''')
    nb.question("greedy_search", """
写 `greedy_search(table, eos, max_len, alpha=0.75)`：

- 从空前缀开始，每一步用 `next_logprobs` 取对数概率，选**最大**的词元（有多个相同的最大值时取编号最小的），把它接到序列后面并累加它的对数概率。
- 生成了 `eos` 或者序列长度达到 `max_len` 时停止。
- 返回元组 `(tokens, score)`：`tokens` 是词元编号组成的 Python `list`（以 `eos` 结尾时包含 `eos`），`score` 是 `sequence_score(logP, len(tokens), alpha)`，一个 Python `float`。
""", """
Write `greedy_search(table, eos, max_len, alpha=0.75)`:

- Start from the empty prefix. At each step get the log-probabilities from `next_logprobs`, pick the **largest** (the smallest token id among
  equal maxima), append that token to the sequence and add its log-probability.
- Stop once `eos` was produced or the sequence has `max_len` tokens.
- Return the tuple `(tokens, score)`: `tokens` is a Python `list` of token ids (including `eos` when it ends with it), `score` is
  `sequence_score(logP, len(tokens), alpha)`, a Python `float`.
""", '''
def greedy_search(table, eos, max_len, alpha=0.75):
    """贪婪搜索 / Greedy search: the most probable token at each step."""
    ### BEGIN SOLUTION
    tokens, logp = [], 0.0
    while len(tokens) < max_len:
        scores = next_logprobs(table, tokens)
        best = 0
        for tok in range(1, len(scores)):
            if scores[tok] > scores[best]:
                best = tok
        tokens.append(best)
        logp += float(scores[best])
        if best == eos:
            break
    return tokens, sequence_score(logp, len(tokens), alpha)
    ### END SOLUTION
''')
    nb.question("exhaustive_search", """
写 `exhaustive_search(table, eos, max_len, alpha=0.75)`：枚举**所有**候选序列（见本节开头的约定），返回分数最高的 `(tokens, score)`，格式同上。

- 提示：从 `[([], 0.0)]` 出发，每一步把每个未结束的序列接上每一个词元；接上 `eos` 的序列成为候选，其余的留到下一步；`max_len` 步之后剩下的也都是候选。
- 最后按“分数高者优先，同分时短者优先，再同时字典序小者优先”选出一个。
""", """
Write `exhaustive_search(table, eos, max_len, alpha=0.75)`: enumerate **every** candidate sequence (see the conventions at the start of the
section) and return the best one as `(tokens, score)`, in the format above.

- Hint: start from `[([], 0.0)]`; at each step extend every unfinished sequence by every token; those extended by `eos` become candidates,
  the others go on to the next step; after `max_len` steps the ones left are candidates too.
- Finally pick one: the higher score first, then the shorter sequence, then the lexicographically smaller one.
""", '''
def exhaustive_search(table, eos, max_len, alpha=0.75):
    """穷举搜索 / Exhaustive search: the best-scoring candidate of all."""
    ### BEGIN SOLUTION
    candidates, live = [], [([], 0.0)]
    for _ in range(max_len):
        next_live = []
        for tokens, logp in live:
            scores = next_logprobs(table, tokens)
            for tok in range(len(scores)):
                seq = (tokens + [tok], logp + float(scores[tok]))
                if tok == eos:
                    candidates.append(seq)
                else:
                    next_live.append(seq)
        live = next_live
    scored = [(sequence_score(logp, len(tokens), alpha), tokens)
              for tokens, logp in candidates + live]
    score, tokens = min(scored, key=lambda c: (-c[0], len(c[1]), c[1]))
    return tokens, score
    ### END SOLUTION
''')
    nb.question("beam_search", """
写 `beam_search(table, eos, beam_size, max_len, alpha=0.75)`，返回 `(tokens, score)`，格式同上：

1. 束里起初只有空序列 `([], 0.0)`（词元列表和它的 $\\log P$）。
2. 每一步把束里每个序列接上每一个词元，在所有扩展中按 $\\log P$ **从大到小**排序（$\\log P$ 相同时字典序小的在前），只保留前 `beam_size` 个。
3. 保留下来的序列中，以 `eos` 结尾的**完成**了，离开束；其余的组成下一步的束。束空了就停止。
4. `max_len` 步之后，束里剩下的序列也算完成。所有完成的序列就是候选，按本节的规则选出分数最高的一个。

这样 `beam_size = 1` 时就是贪婪搜索；束宽足够大（不小于所有序列的个数）时就是穷举搜索。
""", """
Write `beam_search(table, eos, beam_size, max_len, alpha=0.75)`, returning `(tokens, score)` in the format above:

1. The beam starts with the empty sequence only, `([], 0.0)` (a list of tokens and its $\\log P$).
2. At each step extend every sequence of the beam by every token, sort all extensions by $\\log P$ **from high to low** (the
   lexicographically smaller first when $\\log P$ is equal), and keep the first `beam_size` of them.
3. Among those kept, the ones ending with `eos` are **finished** and leave the beam; the others form the next step's beam. Stop when the beam is empty.
4. After `max_len` steps the sequences still in the beam are finished too. All finished sequences are the candidates; pick the one with
   the best score by this section's rules.

With `beam_size = 1` this is greedy search; with a beam at least as large as the number of sequences it is exhaustive search.
""", '''
def beam_search(table, eos, beam_size, max_len, alpha=0.75):
    """束搜索 / Beam search: keep the beam_size most probable sequences at each step."""
    ### BEGIN SOLUTION
    finished, beam = [], [([], 0.0)]
    for _ in range(max_len):
        extended = []
        for tokens, logp in beam:
            scores = next_logprobs(table, tokens)
            for tok in range(len(scores)):
                extended.append((tokens + [tok], logp + float(scores[tok])))
        extended.sort(key=lambda c: (-c[1], c[0]))
        beam = []
        for tokens, logp in extended[:beam_size]:
            if tokens[-1] == eos:
                finished.append((tokens, logp))
            else:
                beam.append((tokens, logp))
        if not beam:
            break
    scored = [(sequence_score(logp, len(tokens), alpha), tokens)
              for tokens, logp in finished + beam]
    score, tokens = min(scored, key=lambda c: (-c[0], len(c[1]), c[1]))
    return tokens, score
    ### END SOLUTION
''')
    nb.demo("search-demo", """
在上面的小表上比较三种搜索：贪婪搜索先选了概率最大的词元 1，却错过了更好的序列；束宽 2 找到了穷举搜索的答案。
""", """
Compare the three searches on the small table above: greedy search first takes the most probable token 1 and misses a better sequence;
a beam of size 2 finds the answer of exhaustive search.
""", f"""
try:
    print("贪婪 / greedy:      ", greedy_search(toy_table, 0, 3))
    print("束宽 2 / beam 2:    ", beam_search(toy_table, 0, 2, 3))
    print("穷举 / exhaustive:  ", exhaustive_search(toy_table, 0, 3))
{NOT_YET}
""")


def sec_10_11(nb: MasterNotebook) -> None:
    nb.md("sec-10-11", """
## 10.11 注意力机制

只用编码器的最终状态，长句子的信息很难全部装下。注意力让解码器在每个时间步**重新看一遍**编码器所有时间步的隐藏状态 $h_1, \\ldots, h_T$：
用解码器上一步的隐藏状态 $s$ 给每个 $h_t$ 打分 $e_t = a(s, h_t)$，经 softmax 得到权重 $\\alpha_t$（对时间步求和为 1），
背景变量 $c = \\sum_t \\alpha_t h_t$ 就是这些状态的加权平均。书中的打分函数是加性的：$a(s, h) = v^\\top \\tanh(W [h; s])$。
""", """
## 10.11 Attention

The encoder's final state alone can hardly hold everything about a long sentence. Attention lets the decoder **look again** at all of the
encoder's hidden states $h_1, \\ldots, h_T$ at each of its steps: the decoder's previous hidden state $s$ scores every $h_t$ as
$e_t = a(s, h_t)$, a softmax turns the scores into weights $\\alpha_t$ (summing to 1 over time), and the context $c = \\sum_t \\alpha_t h_t$ is
the weighted average of those states. The book's score function is additive: $a(s, h) = v^\\top \\tanh(W [h; s])$.
""")
    nb.question("attention_model", """
写 `attention_model(input_size, attention_size)`，**返回**一个 `nn.Sequential`，依次是：

- `nn.Linear(input_size, attention_size, bias=False)`（即 $W$），
- `nn.Tanh()`，
- `nn.Linear(attention_size, 1, bias=False)`（即 $v^\\top$）。

参数名因此是 `0.weight` 和 `2.weight`。评分程序会调用你的函数得到网络，装入自己的权重后在形状为 (…, input_size) 的输入上运行它。
""", """
Write `attention_model(input_size, attention_size)`, which **returns** an `nn.Sequential` of, in order:

- `nn.Linear(input_size, attention_size, bias=False)` (that is $W$),
- `nn.Tanh()`,
- `nn.Linear(attention_size, 1, bias=False)` (that is $v^\\top$).

Its parameters are therefore named `0.weight` and `2.weight`. The grader calls your function to get the network, loads its own weights
and runs it on inputs of shape (…, input_size).
""", '''
def attention_model(input_size, attention_size):
    """加性注意力的打分网络 / The additive score network v^T tanh(W x)."""
    ### BEGIN SOLUTION
    return nn.Sequential(nn.Linear(input_size, attention_size, bias=False), nn.Tanh(),
                         nn.Linear(attention_size, 1, bias=False))
    ### END SOLUTION
''')
    nb.question("attention_forward", """
写 `attention_forward(model, enc_states, dec_state)`，返回背景变量：

- `enc_states`：编码器各时间步的隐藏状态，形状 (时间步数, 批量大小, 隐藏单元个数)；`dec_state`：解码器的隐藏状态，形状 (批量大小, 隐藏单元个数)。
- 把 `dec_state` 沿时间维复制成与 `enc_states` 相同的形状，按 **`[编码器状态, 解码器状态]` 的顺序**在最后一维上拼接，交给 `model` 得到 (时间步数, 批量大小, 1) 的分数。
- 在**时间维**（第 0 维）上做 softmax 得到权重，返回 `enc_states` 的加权和，形状 (批量大小, 隐藏单元个数)。

两个检验：所有时间步的编码器状态相同时，背景变量就等于这个状态；`model` 的输出恒为 0 时，背景变量是各状态的平均。
""", """
Write `attention_forward(model, enc_states, dec_state)`, returning the context:

- `enc_states`: the encoder's hidden states at every time step, of shape (time steps, batch size, hidden units); `dec_state`: the decoder's
  hidden state, of shape (batch size, hidden units).
- Repeat `dec_state` along time to the shape of `enc_states`, concatenate the two in the last dimension **in the order `[encoder state,
  decoder state]`**, and pass that to `model`, which gives scores of shape (time steps, batch size, 1).
- Softmax the scores over **time** (dimension 0) to get the weights and return the weighted sum of `enc_states`, of shape (batch size, hidden units).

Two checks: when the encoder's states are the same at every step, the context is that state; when `model` always outputs 0, the context is
the mean of the states.
""", '''
def attention_forward(model, enc_states, dec_state):
    """加性注意力的背景变量 / The context: encoder states weighted by softmaxed scores."""
    ### BEGIN SOLUTION
    dec_states = dec_state.unsqueeze(0).expand_as(enc_states)
    scores = model(torch.cat((enc_states, dec_states), dim=2))
    weights = F.softmax(scores, dim=0)
    return (weights * enc_states).sum(dim=0)
    ### END SOLUTION
''')
    nb.demo("attention-demo", """
10 个时间步、批量大小 4、8 个隐藏单元：背景变量的形状是 (4, 8)；所有编码器状态都相同时，背景变量等于这个状态。
""", """
10 time steps, batch size 4, 8 hidden units: the context has shape (4, 8); when all encoder states are equal, the context equals that state.
""", f"""
try:
    model = attention_model(2 * 8, 10)
    enc_states, dec_state = torch.randn(10, 4, 8), torch.randn(4, 8)
    print("背景变量 / context:", tuple(attention_forward(model, enc_states, dec_state).shape))
    same = torch.ones(10, 4, 8)
    print("相同的状态 / equal states:", torch.allclose(attention_forward(model, same, dec_state), torch.ones(4, 8)))
{NOT_YET}
""")


def _vocab_source() -> str:
    return inspect.getsource(vocab.count_tokens) + "\n\n" + inspect.getsource(vocab.Vocab)


def sec_10_12(nb: MasterNotebook) -> None:
    nb.md("sec-10-12", """
## 10.12 机器翻译

书中的数据 `fr-en-small.txt` 每行是一个法语句子、一个制表符和它的英语译文，词元之间用一个空格分开，句号也是单独的词元
（如 `elle est vieille .`）。那份文件来自 Tatoeba，课程不附带它；评分环境在 `$D2L_DATA_DIR/fr-en-small.txt`（默认 `~/.d2l/data/`）放了一份**格式相同**、
句子由我们自己写的替身。

词表用下面给出的 `Vocab`（课程统一的词表：保留词元在前，其余词元按出现次数从多到少、次数相同时按第一次出现的先后排序）。
本节的保留词元固定为 `("<pad>", "<bos>", "<eos>", "<unk>")`，所以在每个词表里填充符、句首符、句末符、未知词元的编号都是 0、1、2、3。
""", """
## 10.12 Machine Translation

Each line of the book's data file `fr-en-small.txt` holds a French sentence, a tab and its English translation; tokens are separated by
one space and the full stop is a token of its own (as in `elle est vieille .`). That file comes from Tatoeba and the course does not ship
it: grading provides a stand-in **in the same format**, with sentences of our own, at `$D2L_DATA_DIR/fr-en-small.txt` (by default in `~/.d2l/data/`).

Vocabularies use the given `Vocab` below (the course's one vocabulary: the reserved tokens first, then the other tokens by descending count,
ties by first occurrence). In this section the reserved tokens are `("<pad>", "<bos>", "<eos>", "<unk>")`, so padding, beginning of
sequence, end of sequence and the unknown token are 0, 1, 2 and 3 in every vocabulary.
""")
    nb.given("vocab", "# 课程统一的词表（顺序规则见上文）/ The course's vocabulary (its order rule is stated above).\n"
             + _vocab_source() + '''

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
RESERVED = (PAD, BOS, EOS, UNK)
PAD_IDX, BOS_IDX, EOS_IDX, UNK_IDX = 0, 1, 2, 3
DATA_FILE = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser() / "fr-en-small.txt"
''')
    nb.question("process_one_seq", """
写 `process_one_seq(seq_tokens, all_tokens, all_seqs, max_seq_len)`，它**原地修改**两个列表，不返回值：

- 把 `seq_tokens` 的词元（不含句末符和填充符）追加到 `all_tokens` 末尾（后面用它数词频）；
- 在句子后面加一个 `EOS`，再补 `PAD` 直到长度为 `max_seq_len`，把这个新列表追加到 `all_seqs`。

例：`max_seq_len = 7` 时 `"elle est grande ."` 变成 `["elle", "est", "grande", ".", "<eos>", "<pad>", "<pad>"]`。
""", """
Write `process_one_seq(seq_tokens, all_tokens, all_seqs, max_seq_len)`, which **changes the two lists in place** and returns nothing:

- append the tokens of `seq_tokens` (without end-of-sequence or padding tokens) to the end of `all_tokens` (used later to count tokens);
- add one `EOS` after the sentence and then `PAD`s up to length `max_seq_len`, and append that new list to `all_seqs`.

Example: with `max_seq_len = 7`, `"elle est grande ."` becomes `["elle", "est", "grande", ".", "<eos>", "<pad>", "<pad>"]`.
""", '''
def process_one_seq(seq_tokens, all_tokens, all_seqs, max_seq_len):
    """记录词元并填充一个序列 / Record the tokens and pad one sequence with EOS and PADs."""
    ### BEGIN SOLUTION
    all_tokens.extend(seq_tokens)
    padded = list(seq_tokens) + [EOS] + [PAD] * (max_seq_len - len(seq_tokens) - 1)
    all_seqs.append(padded)
    ### END SOLUTION
''')
    nb.question("build_data", """
写 `build_data(all_tokens, all_seqs)`：

- 用 `Vocab(all_tokens, reserved=RESERVED, unk=UNK)` 建词表；
- 把 `all_seqs` 里每个序列换成编号，得到形状为 (序列个数, max_seq_len) 的 `torch.int64` 张量；
- 返回元组 `(idx_to_token, indices)`，其中 `idx_to_token` 是词表的词元列表（Python `list`，第 `i` 个是编号 `i` 的词元）。
""", """
Write `build_data(all_tokens, all_seqs)`:

- build the vocabulary with `Vocab(all_tokens, reserved=RESERVED, unk=UNK)`;
- turn every sequence of `all_seqs` into indices, giving a `torch.int64` tensor of shape (number of sequences, max_seq_len);
- return the tuple `(idx_to_token, indices)`, where `idx_to_token` is the vocabulary's list of tokens (a Python `list`; entry `i` is the token with index `i`).
""", '''
def build_data(all_tokens, all_seqs):
    """词表和索引张量 / The vocabulary's tokens and the sequences as an index tensor."""
    ### BEGIN SOLUTION
    vocab = Vocab(all_tokens, reserved=RESERVED, unk=UNK)
    indices = torch.tensor([vocab.to_indices(seq) for seq in all_seqs], dtype=torch.int64)
    return list(vocab.idx_to_token), indices
    ### END SOLUTION
''')
    nb.md("read-data-intro", """
下面给出的 `read_data(path, max_seq_len)` 读入数据文件：任何一边超过 `max_seq_len - 1` 个词元的句子对被丢掉（要给句末符留位置），
其余的用上面两个函数变成两个词表（`Vocab` 对象）和一个 `TensorDataset`。书中取 `max_seq_len = 7`。
""", """
The given `read_data(path, max_seq_len)` below reads the data file: sentence pairs with more than `max_seq_len - 1` tokens on either side are
dropped (the end-of-sequence token needs a place), and the rest become two vocabularies (`Vocab` objects) and a `TensorDataset` through the
two functions above. The book takes `max_seq_len = 7`.
""")
    nb.given("read-data", f'''
{inspect.getsource(ch10_seq2seq.vocab_of)}

def read_data(path, max_seq_len):
    """读入句子对 / Read the sentence pairs: (in_vocab, out_vocab, dataset)."""
    in_tokens, out_tokens, in_seqs, out_seqs = [], [], [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        in_seq, out_seq = (part.split(" ") for part in line.split("\\t", 1))
        if max(len(in_seq), len(out_seq)) > max_seq_len - 1:
            continue
        process_one_seq(in_seq, in_tokens, in_seqs, max_seq_len)
        process_one_seq(out_seq, out_tokens, out_seqs, max_seq_len)
    in_idx_to_token, in_data = build_data(in_tokens, in_seqs)
    out_idx_to_token, out_data = build_data(out_tokens, out_seqs)
    return vocab_of(in_idx_to_token), vocab_of(out_idx_to_token), TensorDataset(in_data, out_data)


in_vocab = out_vocab = dataset = None
if DATA_FILE.is_file():
    try:
        in_vocab, out_vocab, dataset = read_data(DATA_FILE, 7)
        print("句子对 / pairs:", len(dataset), " 词表 / vocabularies:", len(in_vocab), len(out_vocab))
        print(dataset[0])
    {NOT_YET.replace(chr(10), chr(10) + "    ")}
else:
    print("找不到数据文件 / data file not found:", DATA_FILE)
''')
    nb.question("Decoder", """
写带注意力的解码器 `Decoder(vocab_size, embed_size, num_hiddens, num_layers, attention_size, drop_prob=0)`，它每次只走**一个**时间步：

- `__init__`：`self.embedding = nn.Embedding(vocab_size, embed_size)`；`self.attention = attention_model(2 * num_hiddens, attention_size)`；
  `self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=drop_prob)`（输入是词嵌入和背景变量拼在一起）；
  `self.out = nn.Linear(num_hiddens, vocab_size)`。属性名不要改。
- `forward(cur_input, state, enc_states)`：`cur_input` 是 (批量大小,) 的当前输入词元，`state` 是 (层数, 批量大小, 隐藏单元个数) 的解码器状态，`enc_states` 是编码器的输出。
  1. 用 `state` 的**最顶层** `state[-1]` 和 `attention_forward` 算出背景变量 `c`；
  2. 按 **`[词嵌入, c]` 的顺序**拼接成 (批量大小, embed_size + num_hiddens)，加上长度为 1 的时间维交给 `self.rnn`（连同 `state`）；
  3. 去掉时间维，经过 `self.out`，返回 `(输出, 新状态)`：输出形状 (批量大小, vocab_size)。
- 解码器的初始状态直接用编码器的最终状态（两者的层数和隐藏单元个数相同）。

这道题会调用你的 `attention_model` 和 `attention_forward`。
""", """
Write the decoder with attention, `Decoder(vocab_size, embed_size, num_hiddens, num_layers, attention_size, drop_prob=0)`; it takes **one**
time step per call:

- `__init__`: `self.embedding = nn.Embedding(vocab_size, embed_size)`; `self.attention = attention_model(2 * num_hiddens, attention_size)`;
  `self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=drop_prob)` (its input is the embedding and the context
  side by side); `self.out = nn.Linear(num_hiddens, vocab_size)`. Keep these attribute names.
- `forward(cur_input, state, enc_states)`: `cur_input` holds the current input tokens, (batch size,); `state` is the decoder's state,
  (layers, batch size, hidden units); `enc_states` are the encoder's outputs.
  1. compute the context `c` with `attention_forward` from the **top layer** of the state, `state[-1]`;
  2. concatenate **in the order `[embedding, c]`**, giving (batch size, embed_size + num_hiddens), add a time dimension of length 1 and
     pass it to `self.rnn` together with `state`;
  3. drop the time dimension, apply `self.out`, and return `(outputs, new state)`; the outputs have shape (batch size, vocab_size).
- The decoder's initial state is the encoder's final state itself (both have the same layers and hidden units).

This question calls your `attention_model` and `attention_forward`.
""", '''
class Decoder(nn.Module):
    """带注意力的解码器（一步）/ One step of the decoder with attention."""

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, attention_size,
                 drop_prob=0):
        ### BEGIN SOLUTION
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.attention = attention_model(2 * num_hiddens, attention_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=drop_prob)
        self.out = nn.Linear(num_hiddens, vocab_size)
        ### END SOLUTION

    def forward(self, cur_input, state, enc_states):
        ### BEGIN SOLUTION
        c = attention_forward(self.attention, enc_states, state[-1])
        step = torch.cat((self.embedding(cur_input.long()), c), dim=1)
        output, state = self.rnn(step.unsqueeze(0), state)
        return self.out(output.squeeze(0)), state
        ### END SOLUTION
''')
    nb.md("probes-intro", """
`batch_loss`、`train` 和 `translate` 像书中一样以编码器和解码器为参数。下面给出的几个小包装类用**你的** `Encoder` 和 `Decoder`
建好两个网络（属性 `encoder`、`decoder`，以及两个词表），评分程序借它们装入自己的权重，再调用你写的函数。
所以这三道题也需要你的 `Encoder` 和 `Decoder` 是正确的。
""", """
`batch_loss`, `train` and `translate` take an encoder and a decoder as arguments, as in the book. The small wrapper classes given below build
the two networks from **your** `Encoder` and `Decoder` (attributes `encoder` and `decoder`, plus the two vocabularies); the grader uses them
to load its own weights and then calls the functions you write. So these three questions also need your `Encoder` and `Decoder` to be right.
""")
    probes = "\n\n".join(inspect.getsource(c) for c in (
        ch10_seq2seq.Seq2Seq, ch10_seq2seq.LossProbe, ch10_seq2seq.TrainProbe,
        ch10_seq2seq.TranslateProbe))
    nb.given("probes", probes)
    nb.question("batch_loss", """
写 `batch_loss(encoder, decoder, X, Y, loss)`：一个小批量上、使用强制教学的平均损失。`X`、`Y` 是 (批量大小, max_seq_len) 的输入和目标，
`loss` 是 `nn.CrossEntropyLoss(reduction="none")`（逐样本的损失）。

1. `enc_outputs, enc_state = encoder(X, None)`；解码器的初始状态就是 `enc_state`；第一个解码器输入是每个样本的 `BOS_IDX`。
2. 对 `Y` 的每个时间步 `y`（`Y.T` 的每一行）：调用一次解码器，把 `mask * loss(输出, y)` 加到总损失上，
   把 `mask` 中 1 的个数加到词元计数上；下一步的输入就是 `y`（强制教学）；然后 `mask = mask * (y != EOS_IDX)`。
3. `mask` 起初全为 1。这样每个目标序列**直到并包括它的第一个 `EOS`** 的词元都被计入，之后的位置（无论是什么）都不计。
4. 返回 总损失 / 词元计数（一个标量张量，保留计算图以便反向传播）。
""", """
Write `batch_loss(encoder, decoder, X, Y, loss)`: the mean teacher-forced loss of one minibatch. `X` and `Y` are the inputs and targets, of shape
(batch size, max_seq_len); `loss` is `nn.CrossEntropyLoss(reduction="none")` (one loss per example).

1. `enc_outputs, enc_state = encoder(X, None)`; the decoder's initial state is `enc_state`; its first input is `BOS_IDX` for every example.
2. For every time step `y` of `Y` (each row of `Y.T`): call the decoder once, add `mask * loss(outputs, y)` to the total loss and the number of
   ones in `mask` to the token count; the next input is `y` itself (teacher forcing); then `mask = mask * (y != EOS_IDX)`.
3. `mask` starts all ones. So the tokens of every target **up to and including its first `EOS`** count, and the positions after it
   (whatever they hold) do not.
4. Return total loss / token count (a scalar tensor that keeps its graph for the backward pass).
""", '''
def batch_loss(encoder, decoder, X, Y, loss):
    """强制教学下一个小批量的平均损失 / Mean teacher-forced loss of one minibatch."""
    ### BEGIN SOLUTION
    enc_outputs, dec_state = encoder(X, None)
    dec_input = torch.full((X.shape[0],), BOS_IDX, dtype=torch.long, device=X.device)
    mask = torch.ones(X.shape[0], device=X.device)
    total, count = 0.0, 0.0
    for y in Y.long().T:
        dec_output, dec_state = decoder(dec_input, dec_state, enc_outputs)
        total = total + (mask * loss(dec_output, y)).sum()
        count = count + mask.sum()
        dec_input = y
        mask = mask * (y != EOS_IDX)
    return total / count
    ### END SOLUTION
''')
    nb.question("train", """
写 `train(encoder, decoder, dataset, lr, batch_size, num_epochs)`：

- 为编码器和解码器各建一个 `torch.optim.Adam`（学习率 `lr`），损失用 `nn.CrossEntropyLoss(reduction="none")`；
- 用 `DataLoader(dataset, batch_size, shuffle=True)` 取小批量；每个小批量：两个优化器清零梯度，`batch_loss` 求损失，反向传播，两个优化器各走一步；
- 返回一个 Python `list`：每个周期各小批量损失（`.item()`）的平均值，共 `num_epochs` 个 `float`。

评分程序用你训练好的权重，在整个数据集上重新计算损失并翻译每个训练句子：损失应低于 0.3，且至少 80% 的训练句子被正确翻译。
""", """
Write `train(encoder, decoder, dataset, lr, batch_size, num_epochs)`:

- make one `torch.optim.Adam` for the encoder and one for the decoder (learning rate `lr`), and use `nn.CrossEntropyLoss(reduction="none")`;
- take minibatches from `DataLoader(dataset, batch_size, shuffle=True)`; for each one: zero both optimisers' gradients, compute the loss with
  `batch_loss`, back-propagate, and step both optimisers;
- return a Python `list`: the mean of each epoch's minibatch losses (`.item()`), `num_epochs` `float`s in all.

The grader takes your trained weights, recomputes the loss on the whole dataset and translates every training sentence: the loss should be
below 0.3 and at least 80% of the training sentences translated correctly.
""", '''
def train(encoder, decoder, dataset, lr, batch_size, num_epochs):
    """用 Adam 训练编码器和解码器 / Train both networks with Adam; each epoch's mean loss."""
    ### BEGIN SOLUTION
    enc_optimizer = torch.optim.Adam(encoder.parameters(), lr=lr)
    dec_optimizer = torch.optim.Adam(decoder.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss(reduction="none")
    data_iter = DataLoader(dataset, batch_size, shuffle=True)
    history = []
    for _ in range(num_epochs):
        losses = []
        for X, Y in data_iter:
            enc_optimizer.zero_grad()
            dec_optimizer.zero_grad()
            batch_l = batch_loss(encoder, decoder, X, Y, loss)
            batch_l.backward()
            enc_optimizer.step()
            dec_optimizer.step()
            losses.append(batch_l.item())
        history.append(sum(losses) / len(losses))
    return history
    ### END SOLUTION
''')
    nb.question("translate", """
写 `translate(encoder, decoder, input_seq, max_seq_len, in_vocab, out_vocab)`，用贪婪搜索翻译一个句子：

1. `input_seq` 是用空格分隔词元的字符串；像训练数据一样在后面加 `EOS` 并用 `PAD` 补到 `max_seq_len`，用 `in_vocab.to_indices` 变成编号，组成批量大小为 1 的输入；
2. `enc_outputs, dec_state = encoder(输入, None)`；解码器的第一个输入是 `BOS_IDX`；
3. 最多走 `max_seq_len` 步：每步取输出中最大的编号（`argmax`），查 `out_vocab.idx_to_token` 得到词元；是 `EOS` 就停止，否则记下它并作为下一步的输入；
4. 返回译文的词元列表（Python `list`，不含 `EOS`）。
""", """
Write `translate(encoder, decoder, input_seq, max_seq_len, in_vocab, out_vocab)`, which translates one sentence by greedy search:

1. `input_seq` is a string of tokens separated by spaces; as in the training data, append `EOS` and `PAD`s up to `max_seq_len`, turn the tokens
   into indices with `in_vocab.to_indices` and make an input of batch size 1;
2. `enc_outputs, dec_state = encoder(input, None)`; the decoder's first input is `BOS_IDX`;
3. take at most `max_seq_len` steps: at each, take the largest output's index (`argmax`) and look it up in `out_vocab.idx_to_token`; stop if
   it is `EOS`, otherwise record the token and feed it back as the next input;
4. return the translation's tokens (a Python `list`, without `EOS`).
""", '''
def translate(encoder, decoder, input_seq, max_seq_len, in_vocab, out_vocab):
    """贪婪解码翻译一个句子 / Translate one sentence by greedy decoding."""
    ### BEGIN SOLUTION
    tokens = input_seq.split(" ")
    tokens += [EOS] + [PAD] * (max_seq_len - len(tokens) - 1)
    device = next(encoder.parameters()).device
    enc_input = torch.tensor([in_vocab.to_indices(tokens)], device=device)
    enc_outputs, dec_state = encoder(enc_input, None)
    dec_input = torch.tensor([BOS_IDX], device=device)
    output_tokens = []
    for _ in range(max_seq_len):
        dec_output, dec_state = decoder(dec_input, dec_state, enc_outputs)
        pred = dec_output.argmax(dim=1)
        token = out_vocab.idx_to_token[int(pred.item())]
        if token == EOS:
            break
        output_tokens.append(token)
        dec_input = pred
    return output_tokens
    ### END SOLUTION
''')
    nb.question("bleu", """
评价翻译：写书中的 BLEU `bleu(pred_tokens, label_tokens, k)`（两个参数都是词元列表，`k` 不超过预测的长度）：

$$\\exp\\Big(\\min\\big(0, 1 - \\tfrac{\\mathrm{len}_{label}}{\\mathrm{len}_{pred}}\\big)\\Big) \\prod_{n=1}^{k} p_n^{1/2^n}$$

- $p_n$ 是预测中的 n 元组在标签中找到匹配的比例：标签里每个 n 元组只能被匹配一次（用计数器，匹配一次减一）。分母是预测中 n 元组的个数 `len(pred) - n + 1`。
- 把 n 元组当作字典的键时，用**一个空格**连接词元（书中用空串连接，会把 `"a bc"` 和 `"ab c"` 当成同一个 n 元组）。
- 返回 Python `float`。例：`they are exhausted .` 对 `they are canadian .`、`k = 2` 得 0.6580；预测与标签相同时得 1.0。
""", """
Judging translations: write the book's BLEU, `bleu(pred_tokens, label_tokens, k)` (both arguments are lists of tokens; `k` is at most the
prediction's length):

$$\\exp\\Big(\\min\\big(0, 1 - \\tfrac{\\mathrm{len}_{label}}{\\mathrm{len}_{pred}}\\big)\\Big) \\prod_{n=1}^{k} p_n^{1/2^n}$$

- $p_n$ is the share of the prediction's n-grams that find a match in the label: each n-gram of the label can be matched once only (keep a
  counter and subtract one per match). The denominator is the prediction's number of n-grams, `len(pred) - n + 1`.
- When n-grams are dictionary keys, join their tokens with **one space** (the book joins them with the empty string, which makes `"a bc"` and
  `"ab c"` the same n-gram).
- Return a Python `float`. Example: `they are exhausted .` against `they are canadian .` with `k = 2` gives 0.6580; a prediction equal to its label gives 1.0.
""", '''
def bleu(pred_tokens, label_tokens, k):
    """书中的 BLEU / The book's BLEU, n-grams keyed by space-joined tokens."""
    ### BEGIN SOLUTION
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0.0, 1 - len_label / len_pred))
    for n in range(1, k + 1):
        label_grams = Counter(" ".join(label_tokens[i:i + n]) for i in range(len_label - n + 1))
        matches = 0
        for i in range(len_pred - n + 1):
            gram = " ".join(pred_tokens[i:i + n])
            if label_grams[gram] > 0:
                matches += 1
                label_grams[gram] -= 1
        score *= (matches / (len_pred - n + 1)) ** (0.5 ** n)
    return score
    ### END SOLUTION
''')
    nb.demo("translate-demo", """
在替身数据上训练一个小模型（几秒钟），数一数有多少个训练句子被翻译得一字不差，再看几个例子和它们的 BLEU。
每次运行的初始化和小批量顺序不同，结果会略有差别。
""", """
Train a small model on the stand-in data (a few seconds), count how many training sentences it translates word for word, and look at
a few examples and their BLEU. Initialisation and minibatch order differ between runs, so the results vary a little.
""", f"""
try:
    if dataset is not None:
        model = Seq2Seq(in_vocab.idx_to_token, out_vocab.idx_to_token, embed_size=16,
                        num_hiddens=24, num_layers=1, attention_size=8)
        history = train(model.encoder, model.decoder, dataset, lr=0.03, batch_size=8, num_epochs=25)
        print(f"损失 / loss: {{history[0]:.3f}} -> {{history[-1]:.3f}}")
        with torch.no_grad():
            pairs = [(in_vocab.to_tokens(x), out_vocab.to_tokens(y)) for x, y in zip(*dataset.tensors)]
            pairs = [([t for t in fr if t not in RESERVED], [t for t in en if t not in RESERVED]) for fr, en in pairs]
            outputs = [translate(model.encoder, model.decoder, " ".join(fr), 7, in_vocab, out_vocab) for fr, _ in pairs]
            right = sum(out == en for out, (_, en) in zip(outputs, pairs))
            print(f"翻译正确 / translated exactly: {{right}}/{{len(pairs)}}")
            for out, (fr, en) in list(zip(outputs, pairs))[:4]:
                score = bleu(out, en, 2) if len(out) >= 2 else 0.0
                print(" ".join(fr), "=>", " ".join(out), f" BLEU(k=2) = {{score:.3f}}")
{NOT_YET}
""")


def main() -> int:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    intro(nb)
    sec_10_9(nb)
    sec_10_10(nb)
    sec_10_11(nb)
    sec_10_12(nb)
    nb.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
