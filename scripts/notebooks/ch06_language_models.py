# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch06_rnn/language_models.ipynb`` (§6.1–6.5).

    .venv/bin/python scripts/notebooks/ch06_language_models.py

Built with :class:`scripts.notebooks.cells.MasterNotebook`; prose is our own, 简体中文 first
and English beneath.  The questions and their points come from
``solutions/ch06_rnn/language_models.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.notebooks.cells import MasterNotebook  # noqa: E402

ASSIGNMENT, NOTEBOOK = "ch06_rnn", "language_models"

NOT_YET = """except NotImplementedError:
    print("先完成上面的填空 / finish the blanks above first")"""


def intro(nb: MasterNotebook) -> None:
    nb.md("intro", """
# 第 6 章 循环神经网络（上）：语言模型与 RNN

本作业对应《动手学深度学习》（第一版）第 6 章的 6.1–6.5 节，全部使用 PyTorch。我们先用“数数”的办法估计语言模型（n 元语法）并学会用困惑度评价它，
再读入一份歌词语料、把它切成小批量，然后从公式出发写一个循环神经网络（RNN），训练它逐字地续写歌词，最后用 `nn.RNN` 把同一个模型简洁地再写一遍。

**作业规则**

- 每道题是一个代码单元格，`# YOUR CODE HERE` 和 `raise NotImplementedError()` 标出你要填写的地方。删掉这两行，换成你的实现。
- 每道题后面的 `check("名字")` 单元格用公开测试用例检查你的答案，仅供参考；最终成绩还包括你看不到的隐藏用例。
- 不要改函数名、参数名和参数顺序，**也不要改题目规定的属性名**（`RNNModel` 的 `self.rnn`、`self.dense`）：评分程序会把自己的权重装进你的模型。
- 返回题目要求的那种值：张量或 NumPy 数组不能代替 Python 的列表或数，`Counter` 也不能代替 `dict`；列表和元组算作相同，要求浮点数时整数也可以。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。
- 评分在没有 GPU、没有网络的环境里进行；歌词数据是一份格式相同的替身（见 6.3 节）。
""", """
# Chapter 6 Recurrent Neural Networks (part 1): Language Models and the RNN

This assignment covers sections 6.1–6.5 of chapter 6 of *Dive into Deep Learning* (first edition), entirely in PyTorch. We first
estimate language models by counting (n-grams) and learn to judge them by their perplexity; then we read a corpus of song lyrics and
cut it into minibatches, write a recurrent neural network (RNN) from its formulas, train it to continue lyrics character by character,
and finally write the same model again, concisely, on `nn.RNN`.

**Rules**

- Each question is a code cell in which `# YOUR CODE HERE` and `raise NotImplementedError()` mark what you write. Delete those two lines and put your code there.
- The `check("name")` cell after each question tests your answer on the public cases. It is advice only: the grade also uses hidden cases.
- Do not rename functions or arguments or change their order, **and keep the attribute names the questions give** (`self.rnn` and `self.dense` in `RNNModel`): the grader loads its own weights into your model.
- Return the kind of value a question asks for: a tensor or a NumPy array does not stand in for a Python list or number, nor a `Counter` for a `dict`; a list and a tuple count as the same, and an integer passes where a float is asked.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell.
- Grading runs without a GPU and without network access; the lyrics are a stand-in in the same format (see section 6.3).
""")
    nb.setup("""
import math
import os
import random
import zipfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

# 本章的模型很小：单线程反而更快（线程之间互相等待的开销比计算本身还大）。
# The models of this chapter are tiny: one thread is faster (threads waiting on each other cost more than the arithmetic).
torch.set_num_threads(1)
""")


def sec_6_1(nb: MasterNotebook) -> None:
    nb.md("sec-6-1", """
## 6.1 语言模型

语言模型给一段词元序列 $w_1, \\ldots, w_T$ 一个概率。按链式法则
$P(w_1, \\ldots, w_T) = \\prod_{t=1}^{T} P(w_t \\mid w_1, \\ldots, w_{t-1})$。
条件概率可以用语料中的**相对频率**来估计，例如 $P(w_2 \\mid w_1) = n(w_1, w_2) / n(w_1)$，其中 $n(\\cdot)$ 是片段在语料中出现的次数。
历史越长，出现过的片段越少，所以 **n 元语法** 做了马尔可夫假设：每个词只看它前面的 $n-1$ 个词。
$n=2$ 时 $P(w_1, \\ldots, w_T) = P(w_1) \\prod_{t \\ge 2} P(w_t \\mid w_{t-1})$，$n=3$ 时第三个词起看前两个词，开头的词用更短的历史。

下面的单元格给出一个小工具 `count_seq(tokens, seq)`：片段 `seq` 在 `tokens` 中出现了几次（任何位置都算）。
""", """
## 6.1 Language Models

A language model gives a sequence of tokens $w_1, \\ldots, w_T$ a probability. By the chain rule,
$P(w_1, \\ldots, w_T) = \\prod_{t=1}^{T} P(w_t \\mid w_1, \\ldots, w_{t-1})$.
Conditional probabilities can be estimated by **relative frequencies** in a corpus, e.g. $P(w_2 \\mid w_1) = n(w_1, w_2) / n(w_1)$, where
$n(\\cdot)$ counts how often a piece occurs in the corpus. The longer the history, the fewer pieces have ever been seen, so an
**n-gram** model makes a Markov assumption: each word looks only at the $n-1$ words before it. For $n=2$,
$P(w_1, \\ldots, w_T) = P(w_1) \\prod_{t \\ge 2} P(w_t \\mid w_{t-1})$; for $n=3$ words from the third on look at the two before them, and the first
words use shorter histories.

The cell below gives a small tool, `count_seq(tokens, seq)`: how many times the piece `seq` occurs in `tokens` (at any position).
""")
    nb.given("count-seq", '''
def count_seq(tokens, seq):
    """片段 seq 在 tokens 中出现的次数 / How many times the piece seq occurs in tokens."""
    seq, k = list(seq), len(seq)
    return sum(1 for i in range(len(tokens) - k + 1) if list(tokens[i:i + k]) == seq)


toy_words = "the cat sat on the mat the cat ate the rat on the mat".split()
print(count_seq(toy_words, ["the", "cat"]), count_seq(toy_words, ["on", "the", "mat"]))
''')
    nb.question("ngram_counts", """
写 `ngram_counts(tokens, n)`：统计 `tokens`（字符串列表）中每个 **n 元组**（相邻的 n 个词元）出现的次数。

- 从位置 0 开始逐个滑动：位置 `i` 的 n 元组是 `tokens[i:i + n]`，一共 `len(tokens) - n + 1` 个位置。
- 返回一个**普通 dict**：键是这 n 个词元**用一个空格连接**的字符串（如 `"the cat"`），值是次数（int）。
  用空格而不是空串连接，是为了让 `"a bc"` 和 `"ab c"` 保持不同。
- 不要返回 `collections.Counter`（它是 dict 的子类，评分只接受普通 dict；可以用 `dict(counter)` 转换）。
- `n = 1` 时得到的就是词频。
""", """
Write `ngram_counts(tokens, n)`: count how often every **n-gram** (n adjacent tokens) occurs in `tokens` (a list of strings).

- Slide one position at a time from 0: the n-gram at position `i` is `tokens[i:i + n]`, for `len(tokens) - n + 1` positions.
- Return a **plain dict**: the keys are the n tokens **joined by one space** (such as `"the cat"`), the values the counts (ints). A space
  rather than the empty string keeps `"a bc"` and `"ab c"` apart.
- Do not return a `collections.Counter` (a subclass of dict; grading accepts plain dicts only — `dict(counter)` converts it).
- With `n = 1` this gives the word frequencies.
""", '''
def ngram_counts(tokens, n):
    """n 元组计数 / Counts of every n-gram, keyed by the tokens joined with a space."""
    ### BEGIN SOLUTION
    counts = {}
    for i in range(len(tokens) - n + 1):
        key = " ".join(tokens[i:i + n])
        counts[key] = counts.get(key, 0) + 1
    return counts
    ### END SOLUTION
''')
    nb.question("cond_prob", """
写 `cond_prob(tokens, context, word)`：用相对频率估计条件概率

$$P(\\text{word} \\mid \\text{context}) = \\frac{n(\\text{context}, \\text{word})}{n(\\text{context})},$$

`context` 是词元列表（长度为 n−1），$n(\\cdot)$ 用上面的 `count_seq` 数。`context` 为空列表时返回一元概率 $n(\\text{word}) / $`len(tokens)`。
返回 Python float。评分时 `context` 总在语料中出现过（分母不为 0）；`word` 没有跟在它后面出现过时概率为 0。
""", """
Write `cond_prob(tokens, context, word)`: the relative-frequency estimate

$$P(\\text{word} \\mid \\text{context}) = \\frac{n(\\text{context}, \\text{word})}{n(\\text{context})},$$

where `context` is a list of tokens (of length n−1) and $n(\\cdot)$ is counted with `count_seq` above. When `context` is the empty list,
return the unigram probability $n(\\text{word}) / $`len(tokens)`. Return a Python float. Grading only uses contexts that occur in the
corpus (the denominator is never 0); when `word` never follows the context the probability is 0.
""", '''
def cond_prob(tokens, context, word):
    """相对频率估计的条件概率 / P(word | context) by relative frequencies."""
    ### BEGIN SOLUTION
    if len(context) == 0:
        return count_seq(tokens, [word]) / len(tokens)
    return count_seq(tokens, list(context) + [word]) / count_seq(tokens, context)
    ### END SOLUTION
''')
    nb.question("seq_prob", """
写 `seq_prob(tokens, sentence, n=2)`：按 **n 元语法** 计算句子 `sentence`（词元列表）的概率。

- 第 t 个词（从 0 开始数）的历史是它前面最多 n−1 个词：`sentence[max(0, t - n + 1):t]`；把每个词的条件概率乘起来。
- 条件概率的估计与上一题相同（空历史时用一元概率），请直接用 `count_seq` 计算：本题单独评分，不要调用 `cond_prob`。
- 某个因子为 0 时整个概率就是 0，直接返回 `0.0`（后面的历史可能从未出现过，不能再除）。
- 返回 Python float。
""", """
Write `seq_prob(tokens, sentence, n=2)`: the probability of `sentence` (a list of tokens) under an **n-gram** model.

- The history of word t (counting from 0) is the at most n−1 words before it, `sentence[max(0, t - n + 1):t]`; multiply the
  conditional probabilities of all words.
- Estimate each conditional probability as in the previous question (the unigram probability for an empty history), computing it
  directly with `count_seq`: this question is graded on its own, so do not call `cond_prob`.
- Once a factor is 0 the whole probability is 0: return `0.0` right away (later histories may never have been seen, so do not divide).
- Return a Python float.
""", '''
def seq_prob(tokens, sentence, n=2):
    """n 元语法下句子的概率 / The probability of sentence under an n-gram model."""
    ### BEGIN SOLUTION
    prob = 1.0
    for t, word in enumerate(sentence):
        context = list(sentence[max(0, t - n + 1):t])
        if context:
            prob *= count_seq(tokens, context + [word]) / count_seq(tokens, context)
        else:
            prob *= count_seq(tokens, [word]) / len(tokens)
        if prob == 0.0:
            return 0.0
    return prob
    ### END SOLUTION
''')
    nb.demo("ngram-demo", """
在玩具语料上看看二元语法和三元语法给同一句话的概率。
""", """
Compare the probabilities a bigram and a trigram model give the same sentence on the toy corpus.
""", """
try:
    print(ngram_counts(toy_words, 2))
    sentence = "the cat sat on the mat".split()
    print("P(cat | the) =", cond_prob(toy_words, ["the"], "cat"))
    print("bigram:", seq_prob(toy_words, sentence, 2), " trigram:", seq_prob(toy_words, sentence, 3))
""" + NOT_YET)
    nb.md("nll-intro", """
怎样评价一个语言模型？让它逐个预测测试文本中的词元，记下每次给正确词元的概率的负对数（负对数似然，NLL），
**困惑度**就是这些值的平均数再取指数：$\\exp\\big(\\frac{1}{T}\\sum_t -\\log P(w_t \\mid \\ldots)\\big)$。
总能以概率 1 猜对的模型困惑度为 1；对 V 个词元一视同仁的模型困惑度为 V；困惑度可以理解为“平均每步在几个词元之间犹豫”。
""", """
How is a language model judged? Let it predict the tokens of a test text one by one and record the negative log of the probability it
gave the right token (the negative log-likelihood, NLL). The **perplexity** is the exponential of their mean:
$\\exp\\big(\\frac{1}{T}\\sum_t -\\log P(w_t \\mid \\ldots)\\big)$. A model that is always right with probability 1 has perplexity 1; one that
treats all V tokens alike has perplexity V; perplexity reads as "how many tokens the model hesitates between at each step, on average".
""")
    nb.question("perplexity", """
写 `perplexity(nll_list)`：`nll_list` 是每个词元的负对数似然（Python float 列表），返回 $\\exp$(平均值)，类型为 Python float（用 `math.exp`）。
""", """
Write `perplexity(nll_list)`: `nll_list` holds the negative log-likelihood of each token (a list of Python floats); return exp(their
mean) as a Python float (use `math.exp`).
""", '''
def perplexity(nll_list):
    """困惑度 / exp of the mean negative log-likelihood."""
    ### BEGIN SOLUTION
    return math.exp(sum(nll_list) / len(nll_list))
    ### END SOLUTION
''')


def sec_6_2(nb: MasterNotebook) -> None:
    nb.md("sec-6-2", """
## 6.2 循环神经网络

n 元语法的参数随 n 指数增长。循环神经网络换一种办法：用一个**隐藏状态** $\\boldsymbol{H}_t$ 概括到目前为止读过的内容，每读入一个词元就更新一次：

$$\\boldsymbol{H}_t = \\phi(\\boldsymbol{X}_t \\boldsymbol{W}_{xh} + \\boldsymbol{H}_{t-1} \\boldsymbol{W}_{hh} + \\boldsymbol{b}_h), \\qquad \\boldsymbol{O}_t = \\boldsymbol{H}_t \\boldsymbol{W}_{hq} + \\boldsymbol{b}_q,$$

其中 $\\boldsymbol{X}_t$ 形状为 (批量大小, 输入个数)，$\\boldsymbol{H}_t$ 为 (批量大小, 隐藏单元个数)，$\\phi$ 常取 tanh。
所有时间步共用同一组参数，所以参数个数与序列长度无关。

书中指出：$\\boldsymbol{X}_t \\boldsymbol{W}_{xh} + \\boldsymbol{H}_{t-1} \\boldsymbol{W}_{hh}$ 等于把 $\\boldsymbol{X}_t$ 和 $\\boldsymbol{H}_{t-1}$
**按列**连起来，再乘以把 $\\boldsymbol{W}_{xh}$ 和 $\\boldsymbol{W}_{hh}$ **按行**连起来的矩阵。
""", """
## 6.2 Recurrent Neural Networks

An n-gram model's parameters grow exponentially with n. A recurrent neural network takes another route: a **hidden state**
$\\boldsymbol{H}_t$ summarises what has been read so far and is updated with every token:

$$\\boldsymbol{H}_t = \\phi(\\boldsymbol{X}_t \\boldsymbol{W}_{xh} + \\boldsymbol{H}_{t-1} \\boldsymbol{W}_{hh} + \\boldsymbol{b}_h), \\qquad \\boldsymbol{O}_t = \\boldsymbol{H}_t \\boldsymbol{W}_{hq} + \\boldsymbol{b}_q,$$

where $\\boldsymbol{X}_t$ has shape (batch size, inputs), $\\boldsymbol{H}_t$ has shape (batch size, hidden units) and $\\phi$ is usually tanh.
Every time step shares the same parameters, so their number does not depend on the length of the sequence.

The book points out that $\\boldsymbol{X}_t \\boldsymbol{W}_{xh} + \\boldsymbol{H}_{t-1} \\boldsymbol{W}_{hh}$ equals $\\boldsymbol{X}_t$ and
$\\boldsymbol{H}_{t-1}$ joined **column-wise**, times $\\boldsymbol{W}_{xh}$ and $\\boldsymbol{W}_{hh}$ stacked **row-wise**.
""")
    nb.question("rnn_step", """
写 `rnn_step(X, H, W, b_h)`：隐藏状态的一步更新 $\\tanh(\\boldsymbol{X}\\boldsymbol{W}_{xh} + \\boldsymbol{H}\\boldsymbol{W}_{hh} + \\boldsymbol{b}_h)$，
但两个权重矩阵已经按行叠成了一个：`W` 的形状是 (d + h, h)，前 d 行是 $\\boldsymbol{W}_{xh}$，后 h 行是 $\\boldsymbol{W}_{hh}$。

- `X` 的形状为 (批量, d)，`H` 为 (批量, h)，`b_h` 为 (h,)。
- 用一次矩阵乘法：先 `torch.cat((X, H), dim=1)`，再乘 `W`，加 `b_h`，取 tanh。返回形状 (批量, h)。
""", """
Write `rnn_step(X, H, W, b_h)`: one update of the hidden state, $\\tanh(\\boldsymbol{X}\\boldsymbol{W}_{xh} + \\boldsymbol{H}\\boldsymbol{W}_{hh} + \\boldsymbol{b}_h)$,
with the two weight matrices already stacked row-wise into one: `W` has shape (d + h, h), its first d rows are $\\boldsymbol{W}_{xh}$ and
its last h rows $\\boldsymbol{W}_{hh}$.

- `X` has shape (batch, d), `H` (batch, h), `b_h` (h,).
- Use one matrix product: `torch.cat((X, H), dim=1)`, times `W`, plus `b_h`, through tanh. Return shape (batch, h).
""", '''
def rnn_step(X, H, W, b_h):
    """拼接后一次乘法的隐藏状态更新 / One hidden-state update with stacked weights."""
    ### BEGIN SOLUTION
    return torch.tanh(torch.cat((X, H), dim=1) @ W + b_h)
    ### END SOLUTION
''')
    nb.demo("concat-demo", """
验证那个等式：分开乘再相加，和拼接后乘一次，结果相同（只差浮点舍入）。
""", """
Check the identity: two products added, or one product of the joined matrices, give the same result (up to floating-point rounding).
""", """
X, W_xh = torch.randn(3, 1), torch.randn(1, 4)
H, W_hh = torch.randn(3, 4), torch.randn(4, 4)
apart = X @ W_xh + H @ W_hh
joined = torch.cat((X, H), dim=1) @ torch.cat((W_xh, W_hh), dim=0)
print("最大差 / largest difference:", (apart - joined).abs().max().item())
try:
    print(rnn_step(X, H, torch.cat((W_xh, W_hh), dim=0), torch.zeros(4)).shape)
""" + NOT_YET)


def sec_6_3(nb: MasterNotebook) -> None:
    nb.md("sec-6-3", """
## 6.3 语言模型数据集（周杰伦专辑歌词）

书中用周杰伦专辑的歌词训练字符级语言模型：文件 `jaychou_lyrics.txt.zip` 里有一个 UTF-8 文本文件 `jaychou_lyrics.txt`，每行一句歌词。
歌词不能随课程分发，评分环境在 `$D2L_DATA_DIR/jaychou_lyrics.txt.zip`（默认 `~/.d2l/data/`）放了一份**格式完全相同的替身**：
几句我们自己写的日常短句，按随机顺序重复很多行，词典只有约 50 个字，所以模型能在几秒钟内学会。你有原始文件的话，放到同一个位置就会读到它。

每个字符是一个词元。处理分三步：换行变成空格（把整个语料看作一条字符流），只保留前 10000 个字符；建立词典（字符 ↔ 索引）；把文本变成索引序列。
""", """
## 6.3 The Language-Model Data Set (Jay Chou Lyrics)

The book trains character-level language models on the lyrics of Jay Chou's albums: the file `jaychou_lyrics.txt.zip` holds one UTF-8
text file, `jaychou_lyrics.txt`, one line of lyrics per line. The lyrics cannot be shipped with the course, so the grading environment keeps
a **stand-in in exactly that format** at `$D2L_DATA_DIR/jaychou_lyrics.txt.zip` (by default in `~/.d2l/data/`): a few everyday lines of
our own, repeated in random order over many lines, with a vocabulary of about 50 characters, so a model learns it within seconds. If you
have the original file, put it there and it is read instead.

Every character is a token. Three steps: line breaks become spaces (the corpus is one stream of characters) and only the first 10000
characters are kept; a vocabulary maps characters to indices and back; the text becomes a sequence of indices.
""")
    nb.question("text_to_corpus", """
写 `text_to_corpus(text, num_chars=10000)`，返回元组 `(corpus_indices, char_to_idx, idx_to_char, vocab_size)`：

1. 把 `"\\r\\n"`、`"\\n"`、`"\\r"` 各换成**一个**空格（先换 `"\\r\\n"`），再取前 `num_chars` 个字符；
2. `idx_to_char`：文本中出现过的字符组成的列表，**按字符排序**（`sorted(set(text))`）；
3. `char_to_idx`：字符 → 它在 `idx_to_char` 中的下标（dict）；
4. `corpus_indices`：文本中每个字符的下标组成的列表（Python int）；`vocab_size` 是词典大小（int）。

**为什么要排序？** 书中写的是 `list(set(corpus_chars))`。集合的顺序取决于字符串的哈希值，而 Python 每次启动都会随机化字符串哈希
（除非设置了 `PYTHONHASHSEED`），所以同一份文本每次运行得到的索引都不同：模型存下来再读回就对不上，评分也无法比较。排序后索引就固定了。
""", """
Write `text_to_corpus(text, num_chars=10000)`, returning the tuple `(corpus_indices, char_to_idx, idx_to_char, vocab_size)`:

1. replace `"\\r\\n"`, `"\\n"` and `"\\r"` by **one** space each (`"\\r\\n"` first), then keep the first `num_chars` characters;
2. `idx_to_char`: the list of the characters that occur in the text, **sorted** (`sorted(set(text))`);
3. `char_to_idx`: character → its position in `idx_to_char` (a dict);
4. `corpus_indices`: the list of the index of every character of the text (Python ints); `vocab_size` is the size of the vocabulary (an int).

**Why sort?** The book writes `list(set(corpus_chars))`. The order of a set follows the strings' hash values, and Python randomises string
hashing in every new process (unless `PYTHONHASHSEED` is set), so the same text gets different indices in every run: a model saved and
loaded again no longer matches its vocabulary, and a grader cannot compare anything. Sorted, the indices are fixed.
""", '''
def text_to_corpus(text, num_chars=10000):
    """文本 → (索引序列, 字符→索引, 索引→字符, 词典大小) / Text → (indices, char_to_idx, idx_to_char, vocab_size)."""
    ### BEGIN SOLUTION
    text = text.replace("\\r\\n", " ").replace("\\n", " ").replace("\\r", " ")[:num_chars]
    idx_to_char = sorted(set(text))
    char_to_idx = {char: i for i, char in enumerate(idx_to_char)}
    corpus_indices = [char_to_idx[char] for char in text]
    return corpus_indices, char_to_idx, idx_to_char, len(idx_to_char)
    ### END SOLUTION
''')
    nb.md("load-intro", """
下面的单元格读取 zip 里的文本并调用你的 `text_to_corpus`，得到全章使用的 `corpus_indices`、`char_to_idx`、`idx_to_char` 和 `vocab_size`。
找不到数据文件时它们为 `None`，需要数据的演示会跳过。
""", """
The cell below reads the text inside the zip and calls your `text_to_corpus`, giving the `corpus_indices`, `char_to_idx`, `idx_to_char`
and `vocab_size` used in the rest of the chapter. When the data file is missing they are `None` and demos that need them skip.
""")
    nb.given("load-data", '''
LYRICS_ZIP = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser() / "jaychou_lyrics.txt.zip"


def read_lyrics(path=LYRICS_ZIP):
    """zip 中 jaychou_lyrics.txt 的文本 / The text of jaychou_lyrics.txt inside the zip."""
    with zipfile.ZipFile(path) as zf:
        return zf.read("jaychou_lyrics.txt").decode("utf-8")


def load_data_jay_lyrics(path=LYRICS_ZIP, num_chars=10000):
    """(corpus_indices, char_to_idx, idx_to_char, vocab_size) of the lyrics."""
    return text_to_corpus(read_lyrics(path), num_chars)


corpus_indices = char_to_idx = idx_to_char = vocab_size = None
try:
    corpus_indices, char_to_idx, idx_to_char, vocab_size = load_data_jay_lyrics()
    print("词典大小 / vocabulary size:", vocab_size)
    print("".join(idx_to_char[i] for i in corpus_indices[:40]))
    print(corpus_indices[:20])
except FileNotFoundError:
    print(f"没有找到歌词数据（{LYRICS_ZIP}），需要数据的演示会跳过。")
    print(f"Lyrics not found ({LYRICS_ZIP}); demos that need them will skip.")
except NotImplementedError:
    print("先完成 text_to_corpus / finish text_to_corpus first")
''')
    nb.md("sampling-intro", """
### 时序数据的采样

训练时每个样本是连续的 `num_steps` 个字符 X，标签 Y 是 X 在语料中**向后错开一位**的那段字符（每个位置的标签就是下一个字符）。
取样本有两种方式。

**随机采样**：把语料（去掉最后一个字符，它只当标签）从头切成互不重叠、长 `num_steps` 的样本，起点是 0、num_steps、2·num_steps……；
打乱顺序后每 `batch_size` 个组成一个小批量，凑不满的丢掉。相邻两个小批量在原文中不一定相邻，所以每个小批量都要从新的隐藏状态开始。
""", """
### Sampling sequential data

During training each example is `num_steps` consecutive characters X, and its label Y is the piece of the corpus **one position further
on** (the label of every position is the next character). There are two ways of drawing examples.

**Random sampling**: cut the corpus (less its last character, which only serves as a label) from the start into non-overlapping examples of
length `num_steps`, starting at 0, num_steps, 2·num_steps, …; shuffle them and deal them out `batch_size` at a time, dropping what does not
fill a minibatch. Two successive minibatches need not be neighbours in the text, so every minibatch starts from a fresh hidden state.
""")
    nb.question("data_iter_random", """
写生成器 `data_iter_random(corpus_indices, batch_size, num_steps)`：

- 样本个数 `num_examples = (len(corpus_indices) - 1) // num_steps`，小批量个数 `num_examples // batch_size`；
- 用 `random.shuffle` 打乱样本编号 `list(range(num_examples))`，依次取 `batch_size` 个；第 j 号样本从位置 `j * num_steps` 开始；
- 每次 `yield X, Y`（一个元组），都是形状 (batch_size, num_steps) 的 **`torch.int64`** 张量（书的 PyTorch 版本给出 float32，而 `F.one_hot` 只接受整数）。

抽样是随机的，评分检查的是所有正确实现都满足的性质：个数、形状、类型，每行是语料中从 num_steps 倍数处开始的连续片段，Y 是 X 后移一位，
一个周期内没有样本重复，且顺序确实被打乱了。
""", """
Write the generator `data_iter_random(corpus_indices, batch_size, num_steps)`:

- there are `num_examples = (len(corpus_indices) - 1) // num_steps` examples and `num_examples // batch_size` minibatches;
- shuffle the example numbers `list(range(num_examples))` with `random.shuffle` and take them `batch_size` at a time; example j starts at
  position `j * num_steps`;
- each step does `yield X, Y` (a tuple), both **`torch.int64`** tensors of shape (batch_size, num_steps) (the book's PyTorch port yields
  float32, which `F.one_hot` refuses).

Sampling is random, so grading checks what every correct implementation satisfies: the count, shapes and dtype; each row a contiguous piece
of the corpus starting at a multiple of num_steps; Y equal to X shifted by one; no example twice in an epoch; and an order that really was
shuffled.
""", '''
def data_iter_random(corpus_indices, batch_size, num_steps):
    """随机采样 / Minibatches of non-overlapping chunks in random order."""
    ### BEGIN SOLUTION
    num_examples = (len(corpus_indices) - 1) // num_steps
    example_indices = list(range(num_examples))
    random.shuffle(example_indices)
    corpus = torch.tensor(corpus_indices, dtype=torch.int64)
    for i in range(num_examples // batch_size):
        batch = example_indices[i * batch_size:(i + 1) * batch_size]
        X = torch.stack([corpus[j * num_steps:(j + 1) * num_steps] for j in batch])
        Y = torch.stack([corpus[j * num_steps + 1:(j + 1) * num_steps + 1] for j in batch])
        yield X, Y
    ### END SOLUTION
''')
    nb.demo("random-demo", """
书中的例子：0 到 29 的序列，批量大小 2，时间步数 6。
""", """
The book's example: the sequence 0 to 29, batch size 2, 6 time steps.
""", """
try:
    for X, Y in data_iter_random(list(range(30)), batch_size=2, num_steps=6):
        print("X:", X.tolist(), "\\nY:", Y.tolist())
""" + NOT_YET)
    nb.md("consecutive-intro", """
**相邻采样**：把语料切成 `batch_size` 等长的行（除不尽的尾巴丢掉），每个小批量取所有行的同一段 `num_steps` 宽的列。
于是这一批的第 i 行紧接着上一批的第 i 行：训练时可以把上一批结束时的隐藏状态接着用，这样模型能看到比 `num_steps` 更长的历史。
""", """
**Consecutive sampling**: cut the corpus into `batch_size` rows of equal length (the tail that does not divide evenly is dropped); each
minibatch takes the same `num_steps`-wide window of columns from every row. Row i of one minibatch then continues row i of the previous
one, so training can go on from the hidden state the previous minibatch ended with, and the model sees more history than `num_steps`.
""")
    nb.question("data_iter_consecutive", """
写生成器 `data_iter_consecutive(corpus_indices, batch_size, num_steps)`：

1. `corpus = torch.tensor(corpus_indices, dtype=torch.int64)`；每行长度 `batch_len = len(corpus) // batch_size`；
   `indices = corpus[:batch_size * batch_len].reshape(batch_size, batch_len)`；
2. 小批量个数 `(batch_len - 1) // num_steps`；第 i 个小批量 `X = indices[:, i*num_steps : (i+1)*num_steps]`，`Y` 是同一窗口右移一列；
3. 每次 `yield X, Y`（一个元组，`torch.int64`）。

书中的例子（0 到 29，批量 2，时间步数 6）：第一批 X = [[0..5], [15..20]]，第二批 X = [[6..11], [21..26]]，一共两批。
""", """
Write the generator `data_iter_consecutive(corpus_indices, batch_size, num_steps)`:

1. `corpus = torch.tensor(corpus_indices, dtype=torch.int64)`; each row has length `batch_len = len(corpus) // batch_size`;
   `indices = corpus[:batch_size * batch_len].reshape(batch_size, batch_len)`;
2. there are `(batch_len - 1) // num_steps` minibatches; minibatch i is `X = indices[:, i*num_steps : (i+1)*num_steps]`, and `Y` is the same
   window one column to the right;
3. each step does `yield X, Y` (a tuple, `torch.int64`).

The book's example (0 to 29, batch size 2, 6 time steps): the first X is [[0..5], [15..20]], the second [[6..11], [21..26]], two in all.
""", '''
def data_iter_consecutive(corpus_indices, batch_size, num_steps):
    """相邻采样 / Minibatches whose rows continue the rows of the previous one."""
    ### BEGIN SOLUTION
    corpus = torch.tensor(corpus_indices, dtype=torch.int64)
    batch_len = len(corpus) // batch_size
    indices = corpus[:batch_size * batch_len].reshape(batch_size, batch_len)
    for i in range((batch_len - 1) // num_steps):
        t = i * num_steps
        yield indices[:, t:t + num_steps], indices[:, t + 1:t + num_steps + 1]
    ### END SOLUTION
''')
    nb.demo("consecutive-demo", """
同一个例子，用相邻采样。
""", """
The same example with consecutive sampling.
""", """
try:
    for X, Y in data_iter_consecutive(list(range(30)), batch_size=2, num_steps=6):
        print("X:", X.tolist(), "\\nY:", Y.tolist())
""" + NOT_YET)


def sec_6_4(nb: MasterNotebook) -> None:
    nb.md("sec-6-4", """
## 6.4 循环神经网络的从零开始实现

我们按 6.2 节的公式写一个字符级 RNN。模型的输入是**独热向量**：索引为 i 的字符变成长度为词典大小、只有第 i 位是 1 的向量，
所以输入个数和输出个数都等于 `vocab_size`。

一个小批量是形状 (批量大小, 时间步数) 的索引矩阵 X。RNN 一个时间步一个时间步地计算，所以先把它变成一个**列表**：
第 t 个元素是所有样本在第 t 步的独热向量，形状 (批量大小, 词典大小)。
""", """
## 6.4 An RNN from Scratch

We write a character-level RNN from the formulas of section 6.2. Its inputs are **one-hot vectors**: the character with index i becomes a
vector as long as the vocabulary, with a 1 at position i only, so there are `vocab_size` inputs and `vocab_size` outputs.

A minibatch is a (batch size, time steps) matrix X of indices. The RNN works one time step at a time, so X first becomes a **list**
whose element t holds every example's one-hot vector at step t, of shape (batch size, vocabulary size).
""")
    nb.question("to_onehot", """
写 `to_onehot(X, n_class)`：`X` 是形状 (批量, 时间步数) 的整数张量，返回一个**列表**（和书上一样用 `list`；评分时 `tuple` 也算对），
长度为时间步数，第 t 个元素是 `X[:, t]` 的独热表示，形状 (批量, n_class)，类型 **float32**（`F.one_hot(...)` 给出的是 int64，要转换）。
""", """
Write `to_onehot(X, n_class)`: `X` is an integer tensor of shape (batch, time steps); return a **list** (a `list`, as the book does; a `tuple` is graded the same) with one
element per time step, element t being the one-hot form of `X[:, t]`, of shape (batch, n_class) and dtype **float32** (`F.one_hot(...)`
gives int64: convert it).
""", '''
def to_onehot(X, n_class):
    """(批量, 时间步) 索引 → 每个时间步一个 (批量, n_class) 独热张量的列表 / One float32 one-hot tensor per time step."""
    ### BEGIN SOLUTION
    return [F.one_hot(X[:, t].long(), n_class).to(torch.float32) for t in range(X.shape[1])]
    ### END SOLUTION
''')
    nb.question("get_params", """
写 `get_params(vocab_size, num_hiddens)`，返回参数列表 **`[W_xh, W_hh, b_h, W_hq, b_q]`**（这个顺序就是下面 `rnn` 的约定）：

- `W_xh` (vocab_size, num_hiddens)、`W_hh` (num_hiddens, num_hiddens)、`W_hq` (num_hiddens, vocab_size)：服从均值 0、标准差 0.01 的正态分布（`torch.randn(...) * 0.01`）；
- `b_h` (num_hiddens,)、`b_q` (vocab_size,)：全 0；
- 都是 float32，且都要 `requires_grad_(True)`（训练时要对它们求梯度）。

参数是随机的，评分检查形状、顺序、均值和标准差，以及偏置为 0。
""", """
Write `get_params(vocab_size, num_hiddens)`, returning the parameter list **`[W_xh, W_hh, b_h, W_hq, b_q]`** (this order is the convention
of `rnn` below):

- `W_xh` (vocab_size, num_hiddens), `W_hh` (num_hiddens, num_hiddens), `W_hq` (num_hiddens, vocab_size): normal with mean 0 and standard deviation 0.01 (`torch.randn(...) * 0.01`);
- `b_h` (num_hiddens,), `b_q` (vocab_size,): zeros;
- all float32, all with `requires_grad_(True)` (training needs their gradients).

The parameters are random, so grading checks shapes, order, mean and standard deviation, and zero biases.
""", '''
def get_params(vocab_size, num_hiddens):
    """[W_xh, W_hh, b_h, W_hq, b_q]：权重 N(0, 0.01²)，偏置为 0 / weights N(0, 0.01²), zero biases."""
    ### BEGIN SOLUTION
    def normal(*shape):
        return (torch.randn(*shape) * 0.01).requires_grad_(True)

    def zeros(*shape):
        return torch.zeros(*shape, requires_grad=True)

    return [normal(vocab_size, num_hiddens), normal(num_hiddens, num_hiddens), zeros(num_hiddens),
            normal(num_hiddens, vocab_size), zeros(vocab_size)]
    ### END SOLUTION
''')
    nb.md("state-intro", """
隐藏状态的初值是全 0。和书中一样，状态放在一个**元组**里：`(H,)`。这样以后隐藏状态不止一个张量的模型（6.8 节的 LSTM 有 H 和 C）也能用同样的调用方式。
""", """
The hidden state starts at zero. As in the book, the state is kept in a **tuple**, `(H,)`, so that models whose state has more than one
tensor (the LSTM of section 6.8 has H and C) fit the same calling convention.
""")
    nb.given("init-state", '''
def init_rnn_state(batch_size, num_hiddens):
    """全 0 初始隐藏状态（元组） / The zero initial hidden state, as a tuple (H,)."""
    return (torch.zeros(batch_size, num_hiddens),)
''')
    nb.question("rnn", """
写 `rnn(inputs, state, params)`：

- `inputs`：每个时间步一个 (批量, vocab_size) 张量的列表（`to_onehot` 的结果）；`state`：元组 `(H,)`；`params`：`[W_xh, W_hh, b_h, W_hq, b_q]`；
- 对每个时间步依次计算 $H = \\tanh(X W_{xh} + H W_{hh} + b_h)$，输出 $Y = H W_{hq} + b_q$；
- 返回 `(outputs, (H,))`：`outputs` 是每个时间步输出组成的**列表**，最终状态放在元组里。

权重从右边乘（`X @ W_xh`），形状见上一题。评分时会传入自己的参数和状态，与参考实现比较（rtol 1e-4）。
""", """
Write `rnn(inputs, state, params)`:

- `inputs`: a list of one (batch, vocab_size) tensor per time step (what `to_onehot` returns); `state`: the tuple `(H,)`; `params`: `[W_xh, W_hh, b_h, W_hq, b_q]`;
- for each time step in turn compute $H = \\tanh(X W_{xh} + H W_{hh} + b_h)$ and the output $Y = H W_{hq} + b_q$;
- return `(outputs, (H,))`: `outputs` is the **list** of the outputs of all time steps, and the final state is in a tuple.

Weights multiply from the right (`X @ W_xh`), shapes as in the previous question. Grading passes its own parameters and state and compares
with the reference (rtol 1e-4).
""", '''
def rnn(inputs, state, params):
    """按时间步计算 RNN / Run the RNN over the time steps of inputs."""
    ### BEGIN SOLUTION
    W_xh, W_hh, b_h, W_hq, b_q = params
    (H,) = state
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H @ W_hq + b_q)
    return outputs, (H,)
    ### END SOLUTION
''')
    nb.demo("rnn-demo", """
用歌词的词典大小和 256 个隐藏单元走一遍：5 个时间步、批量 2，输出是 5 个 (2, vocab_size) 的张量。
""", """
Run it once with the lyrics' vocabulary and 256 hidden units: 5 time steps, batch 2, giving 5 outputs of shape (2, vocab_size).
""", """
try:
    V = vocab_size or 50
    params = get_params(V, 256)
    outputs, (H,) = rnn(to_onehot(torch.arange(10).reshape(2, 5) % V, V), init_rnn_state(2, 256), params)
    print(len(outputs), tuple(outputs[0].shape), tuple(H.shape))
""" + NOT_YET)
    nb.md("predict-intro", """
### 预测

`predict_rnn` 根据前缀 `prefix` 续写 `num_chars` 个字符：先把前缀逐字送进模型（只为了更新隐藏状态），
然后每一步取输出中得分最高的字符，接到结果后面，并把它作为下一步的输入（贪心生成）。
""", """
### Prediction

`predict_rnn` continues a `prefix` by `num_chars` characters: the prefix is fed to the model character by character (only to update the
hidden state); then at every step the character with the highest output score is appended to the result and fed back as the next input
(greedy generation).
""")
    nb.question("predict_rnn", """
写 `predict_rnn(prefix, num_chars, rnn, params, init_rnn_state, num_hiddens, vocab_size, idx_to_char, char_to_idx)`：

1. `state = init_rnn_state(1, num_hiddens)`；`output = [char_to_idx[prefix[0]]]`；
2. 一共做 `len(prefix) - 1 + num_chars` 步；第 t 步（t 从 0 开始）：
   - 输入是 `output` 的最后一个索引，做成形状 (1, 1) 的 int64 张量 `X`；
   - `Y, state = rnn(to_onehot(X, vocab_size), state, params)`——把 `to_onehot` 的结果**原样**交给 `rnn`；
   - 若 `t < len(prefix) - 1`，追加前缀的下一个字符 `char_to_idx[prefix[t + 1]]`；否则追加 `Y[0]` 中得分最高的下标（`argmax(dim=1)`，转成 Python int）；
3. 返回 `output` 中所有下标对应的字符连成的字符串（长度为 `len(prefix) + num_chars`）。

**只通过参数使用模型**：`rnn`、`params`、`init_rnn_state` 都是传进来的。评分时传入的是另一个调用方式相同的模型（一个 GRU），
这样本题不受你的 `rnn` 影响；`to_onehot` 也会换成 `F.one_hot`，那个模型两种输入都接受。
""", """
Write `predict_rnn(prefix, num_chars, rnn, params, init_rnn_state, num_hiddens, vocab_size, idx_to_char, char_to_idx)`:

1. `state = init_rnn_state(1, num_hiddens)`; `output = [char_to_idx[prefix[0]]]`;
2. take `len(prefix) - 1 + num_chars` steps; at step t (from 0):
   - the input is the last index in `output`, as an int64 tensor `X` of shape (1, 1);
   - `Y, state = rnn(to_onehot(X, vocab_size), state, params)` — hand `to_onehot`'s result to `rnn` **as it is**;
   - if `t < len(prefix) - 1`, append the next prefix character `char_to_idx[prefix[t + 1]]`; otherwise append the index of the highest
     score in `Y[0]` (`argmax(dim=1)`, as a Python int);
3. return the characters of all indices in `output` joined into a string (of length `len(prefix) + num_chars`).

**Use the model only through the arguments**: `rnn`, `params` and `init_rnn_state` are passed in. Grading passes another model with the
same calling convention (a GRU), so this question does not depend on your `rnn`; `to_onehot` is replaced by `F.one_hot` meanwhile, and that
model accepts both forms of input.
""", '''
def predict_rnn(prefix, num_chars, rnn, params, init_rnn_state, num_hiddens, vocab_size,
                idx_to_char, char_to_idx):
    """前缀之后贪心续写 num_chars 个字符 / prefix followed by num_chars greedy predictions."""
    ### BEGIN SOLUTION
    state = init_rnn_state(1, num_hiddens)
    output = [char_to_idx[prefix[0]]]
    for t in range(len(prefix) - 1 + num_chars):
        X = torch.tensor([[output[-1]]], dtype=torch.int64)
        Y, state = rnn(to_onehot(X, vocab_size), state, params)
        if t < len(prefix) - 1:
            output.append(char_to_idx[prefix[t + 1]])
        else:
            output.append(int(Y[0].argmax(dim=1).item()))
    return "".join(idx_to_char[i] for i in output)
    ### END SOLUTION
''')
    nb.demo("predict-demo", """
参数还没有训练，续写出来的是乱码。
""", """
The parameters are untrained, so the continuation is gibberish.
""", """
try:
    if corpus_indices is not None:
        params = get_params(vocab_size, 256)
        print(predict_rnn("明天", 10, rnn, params, init_rnn_state, 256, vocab_size, idx_to_char, char_to_idx))
""" + NOT_YET)
    nb.md("clip-intro", """
### 裁剪梯度

循环神经网络的梯度要沿时间步一路连乘回去，容易爆炸。**梯度裁剪**把所有参数的梯度拼成一个向量 $\\boldsymbol{g}$，
当它的 $L_2$ 范数超过阈值 $\\theta$ 时把它缩短到 $\\theta$：$\\boldsymbol{g} \\leftarrow \\min\\left(\\frac{\\theta}{\\|\\boldsymbol{g}\\|}, 1\\right)\\boldsymbol{g}$。
方向不变，只改长度。
""", """
### Clipping gradients

An RNN's gradients are products taken back through every time step, and they easily explode. **Gradient clipping** views the gradients of
all parameters as one vector $\\boldsymbol{g}$ and, when its $L_2$ norm exceeds a threshold $\\theta$, shortens it to $\\theta$:
$\\boldsymbol{g} \\leftarrow \\min\\left(\\frac{\\theta}{\\|\\boldsymbol{g}\\|}, 1\\right)\\boldsymbol{g}$. The direction stays, only the length changes.
""")
    nb.question("clip_gradients", """
写 `clip_gradients(grads, theta)`：`grads` 是若干个梯度张量的列表（形状各异）。

- 计算它们合起来的范数 $\\|\\boldsymbol{g}\\| = \\sqrt{\\sum_i \\sum (g_i^2)}$；
- 若 $\\|\\boldsymbol{g}\\| > \\theta$，把**每个**张量原地乘以 $\\theta / \\|\\boldsymbol{g}\\|$（如 `g.mul_(...)`）；否则不动；
- 返回裁剪**前**的范数（Python float）。

用精确的 $\\theta / \\|\\boldsymbol{g}\\|$（`torch.nn.utils.clip_grad_norm_` 会在分母上加 1e-6）。
""", """
Write `clip_gradients(grads, theta)`: `grads` is a list of gradient tensors (of various shapes).

- Compute their joint norm $\\|\\boldsymbol{g}\\| = \\sqrt{\\sum_i \\sum (g_i^2)}$;
- if $\\|\\boldsymbol{g}\\| > \\theta$, multiply **every** tensor in place by $\\theta / \\|\\boldsymbol{g}\\|$ (e.g. `g.mul_(...)`); otherwise leave them;
- return the norm **before** clipping (a Python float).

Use the exact $\\theta / \\|\\boldsymbol{g}\\|$ (`torch.nn.utils.clip_grad_norm_` adds 1e-6 to the denominator).
""", '''
def clip_gradients(grads, theta):
    """把梯度的总范数裁剪到 theta 以内 / Scale the gradients in place so their joint norm is at most theta."""
    ### BEGIN SOLUTION
    norm = math.sqrt(sum((g.detach() ** 2).sum().item() for g in grads))
    if norm > theta:
        with torch.no_grad():
            for g in grads:
                g.mul_(theta / norm)
    return norm
    ### END SOLUTION
''')
    nb.md("train-intro", """
### 训练

下面给出书中的两个工具：`grad_clipping(params, theta)` 裁剪一组参数的梯度（调用你的 `clip_gradients`），
以及 3.2 节的 `sgd(params, lr, batch_size)`（按梯度更新参数后把梯度清零）。

训练与第 3 章的区别：

1. 损失是一个小批量中全部 T·B 个预测的**平均**交叉熵。`rnn` 的输出按时间步排列，`torch.cat(outputs, dim=0)` 的第 t·B + b 行属于第 t 步的第 b 个样本，
   所以标签要写成 `Y.T.reshape(-1)`（先转置再展平）。
2. 求出梯度后先裁剪，再用 `sgd(params, lr, 1)` 更新（损失已经是平均值，不再除以批量大小）。书中用 lr = 100、θ = 0.01。
3. 隐藏状态：**随机采样**时每个小批量都从 `init_rnn_state` 重新开始；**相邻采样**时每个周期开始时初始化一次，之后沿用上一个小批量的最终状态，
   但要先 `detach()`：否则下一次反向传播会沿着它走进上一个小批量的计算图，而那张图在上次 `backward()` 之后已经释放，PyTorch 会报错
   “Trying to backward through the graph a second time”。
4. 困惑度 = exp(一个周期内每个字符的平均损失)：累加 `loss.item() * 标签个数` 和标签个数，周期结束时相除再取指数。
""", """
### Training

Below are two of the book's tools: `grad_clipping(params, theta)` clips the gradients of a set of parameters (calling your
`clip_gradients`), and section 3.2's `sgd(params, lr, batch_size)` (update the parameters by their gradients, then zero the gradients).

How training differs from chapter 3:

1. The loss is the **mean** cross-entropy over all T·B predictions of a minibatch. `rnn`'s outputs come time step by time step: row t·B + b of
   `torch.cat(outputs, dim=0)` belongs to example b at step t, so the labels are `Y.T.reshape(-1)` (transpose, then flatten).
2. Once the gradients are computed, clip them, then update with `sgd(params, lr, 1)` (the loss is already a mean: do not divide by the batch
   size again). The book uses lr = 100 and θ = 0.01.
3. The hidden state: with **random sampling** every minibatch starts afresh from `init_rnn_state`; with **consecutive sampling** it is
   initialised once at the start of each epoch and then carried over from the previous minibatch's final state, but `detach()`ed first:
   otherwise the next backward pass would follow it into the previous minibatch's graph, which was freed by the last `backward()`, and
   PyTorch raises "Trying to backward through the graph a second time".
4. Perplexity = exp(the mean loss per character over an epoch): add up `loss.item() * number of labels` and the number of labels, divide at
   the end of the epoch and take the exponential.
""")
    nb.given("train-tools", '''
def grad_clipping(params, theta):
    """裁剪 params 的梯度 / Clip the gradients of params (the book's grad_clipping)."""
    return clip_gradients([p.grad for p in params if p.grad is not None], theta)


def sgd(params, lr, batch_size):
    """小批量随机梯度下降，之后清零梯度 / Minibatch SGD on summed gradients, then zero them."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
''')
    nb.question("train_rnn", """
写 `train_rnn(rnn, params, init_rnn_state, num_hiddens, vocab_size, batches, is_random_iter, num_epochs, lr, clipping_theta)`，
返回每个周期的困惑度组成的列表（`num_epochs` 个 Python float）。

- `batches` 是 `(X, Y)` 小批量的可迭代对象；`num_epochs > 1` 时它是列表，每个周期都把它完整地过一遍。
- 每个周期：`state = None`；对每个 `(X, Y)`：
  - `is_random_iter` 为真或 `state` 为 `None` 时，`state = init_rnn_state(X.shape[0], num_hiddens)`；否则把 `state` 中每个张量 `detach()`（仍是元组）；
  - `outputs, state = rnn(to_onehot(X, vocab_size), state, params)`（`to_onehot` 的结果原样交给 `rnn`）；
  - `loss = F.cross_entropy(torch.cat(outputs, dim=0), Y.T.reshape(-1))`；
  - 反向传播前把旧梯度清掉（`p.grad = None`），`loss.backward()`，`grad_clipping(params, clipping_theta)`，`sgd(params, lr, 1)`；
  - 累加损失和标签个数；
- 周期结束时记录 `math.exp(总损失 / 总个数)`。`params` 原地更新，不要换成新的张量。

**只通过参数使用模型**：评分时传入的 `rnn` 是另一个调用方式相同的模型（一个 GRU），`to_onehot` 换成 `F.one_hot`，
`grad_clipping` 换成 `torch.nn.utils.clip_grad_norm_`，所以本题不受你前面答案的影响。评分程序用训练后的参数在这些小批量上自己算困惑度，
要求低于 3（未训练时约为 50）。
""", """
Write `train_rnn(rnn, params, init_rnn_state, num_hiddens, vocab_size, batches, is_random_iter, num_epochs, lr, clipping_theta)`, returning
the list of the perplexities of the epochs (`num_epochs` Python floats).

- `batches` is an iterable of `(X, Y)` minibatches; when `num_epochs > 1` it is a list, and every epoch goes through all of it.
- Every epoch: `state = None`; for every `(X, Y)`:
  - if `is_random_iter` is true or `state` is `None`, `state = init_rnn_state(X.shape[0], num_hiddens)`; otherwise `detach()` every tensor
    in `state` (keeping it a tuple);
  - `outputs, state = rnn(to_onehot(X, vocab_size), state, params)` (hand `to_onehot`'s result to `rnn` as it is);
  - `loss = F.cross_entropy(torch.cat(outputs, dim=0), Y.T.reshape(-1))`;
  - clear the old gradients before the backward pass (`p.grad = None`), `loss.backward()`, `grad_clipping(params, clipping_theta)`, `sgd(params, lr, 1)`;
  - add up the loss and the number of labels;
- at the end of the epoch record `math.exp(total loss / total count)`. Update `params` in place; do not replace them by new tensors.

**Use the model only through the arguments**: grading passes another `rnn` with the same calling convention (a GRU), replaces `to_onehot`
by `F.one_hot` and `grad_clipping` by `torch.nn.utils.clip_grad_norm_`, so this question does not depend on your earlier answers. The
grader measures the perplexity of the trained parameters on those minibatches itself and requires it to be below 3 (about 50 untrained).
""", '''
def train_rnn(rnn, params, init_rnn_state, num_hiddens, vocab_size, batches, is_random_iter,
              num_epochs, lr, clipping_theta):
    """训练从零实现的 RNN，返回每个周期的困惑度 / Train a scratch RNN; the perplexity of each epoch."""
    ### BEGIN SOLUTION
    perplexities = []
    for _ in range(num_epochs):
        state = None
        loss_sum, count = 0.0, 0
        for X, Y in batches:
            if is_random_iter or state is None:
                state = init_rnn_state(X.shape[0], num_hiddens)
            else:
                state = tuple(s.detach() for s in state)
            outputs, state = rnn(to_onehot(X, vocab_size), state, params)
            y = Y.T.reshape(-1)
            loss = F.cross_entropy(torch.cat(outputs, dim=0), y)
            for p in params:
                p.grad = None
            loss.backward()
            grad_clipping(params, clipping_theta)
            sgd(params, lr, 1)
            loss_sum += loss.item() * y.numel()
            count += y.numel()
        perplexities.append(math.exp(loss_sum / count))
    return perplexities
    ### END SOLUTION
''')
    nb.md("train-predict-intro", """
书中的 `train_and_predict_rnn` 把这些连起来：每个周期用所选的采样方式重新取小批量、训练一遍，每隔 `pred_period` 个周期打印困惑度和几段续写。
""", """
The book's `train_and_predict_rnn` ties these together: every epoch draws fresh minibatches with the chosen sampling and trains on them;
every `pred_period` epochs it prints the perplexity and a few continuations.
""")
    nb.given("train-and-predict", '''
def train_and_predict_rnn(rnn, get_params, init_rnn_state, num_hiddens, vocab_size, corpus_indices,
                          idx_to_char, char_to_idx, is_random_iter, num_epochs, num_steps, lr,
                          clipping_theta, batch_size, pred_period, pred_len, prefixes):
    """书中的训练函数 / The book's training loop, built on train_rnn and predict_rnn."""
    data_iter_fn = data_iter_random if is_random_iter else data_iter_consecutive
    params = get_params(vocab_size, num_hiddens)
    for epoch in range(num_epochs):
        batches = data_iter_fn(corpus_indices, batch_size, num_steps)
        (ppl,) = train_rnn(rnn, params, init_rnn_state, num_hiddens, vocab_size, batches,
                           is_random_iter, 1, lr, clipping_theta)
        if (epoch + 1) % pred_period == 0:
            print(f"epoch {epoch + 1}, perplexity {ppl:.2f}")
            for prefix in prefixes:
                print(" -", predict_rnn(prefix, pred_len, rnn, params, init_rnn_state, num_hiddens,
                                        vocab_size, idx_to_char, char_to_idx))
    return params
''')
    nb.demo("train-demo", """
在歌词上训练（书中用 256 个隐藏单元训练 250 个周期；这份替身很小，64 个隐藏单元、15 个周期就够了）。先用随机采样，再用相邻采样。
""", """
Train on the lyrics (the book trains 256 hidden units for 250 epochs; this small stand-in needs 64 hidden units and 15 epochs). Random
sampling first, then consecutive sampling.
""", """
try:
    if corpus_indices is not None:
        for is_random_iter in (True, False):
            print("随机采样 / random sampling" if is_random_iter else "相邻采样 / consecutive sampling")
            train_and_predict_rnn(rnn, get_params, init_rnn_state, 64, vocab_size, corpus_indices,
                                  idx_to_char, char_to_idx, is_random_iter, num_epochs=15, num_steps=35,
                                  lr=100, clipping_theta=0.01, batch_size=32, pred_period=5,
                                  pred_len=20, prefixes=["清晨", "明天"])
""" + NOT_YET)


def sec_6_5(nb: MasterNotebook) -> None:
    nb.md("sec-6-5", """
## 6.5 循环神经网络的简洁实现

`nn.RNN(input_size, hidden_size)` 实现了 6.2 节的隐藏层（它有两个偏置 `bias_ih` 和 `bias_hh`，相加后就是 $\\boldsymbol{b}_h$）。
它默认**时间在前**：输入形状 (时间步数, 批量, 输入个数)，返回所有时间步的隐藏状态 (时间步数, 批量, 隐藏单元个数) 和最终状态
(层数, 批量, 隐藏单元个数)；初始状态传 `None` 时用全 0。它不含输出层，所以我们在外面再包一层。
""", """
## 6.5 Concise Implementation

`nn.RNN(input_size, hidden_size)` implements the hidden layer of section 6.2 (it has two biases, `bias_ih` and `bias_hh`, whose sum is
$\\boldsymbol{b}_h$). It is **time-major** by default: the input has shape (time steps, batch, inputs); it returns the hidden states of all
time steps, (time steps, batch, hidden units), and the final state, (layers, batch, hidden units); an initial state of `None` means zeros.
It has no output layer, so we wrap one around it.
""")
    nb.question("RNNModel", """
写 `RNNModel(rnn_layer, vocab_size)`（`nn.Module` 的子类）：

- `__init__`：`self.rnn = rnn_layer`，`self.vocab_size = vocab_size`；隐藏宽度 `self.hidden_size = rnn_layer.hidden_size`，
  双向层（`rnn_layer.bidirectional` 为真）时乘 2；`self.dense = nn.Linear(self.hidden_size, vocab_size)`。属性名 `rnn`、`dense` 不能改：评分程序会装入自己的权重。
- `forward(inputs, state)`：`inputs` 形状 (批量, 时间步数) 的索引；
  1. `X = F.one_hot(inputs.T, self.vocab_size).float()`，形状 (时间步数, 批量, vocab_size)（直接用 `F.one_hot`，本题不依赖你的 `to_onehot`）；
  2. `Y, state = self.rnn(X, state)`；
  3. 输出 `self.dense(Y.reshape(-1, Y.shape[-1]))`，形状 (时间步数·批量, vocab_size)，行的顺序与从零实现的 `torch.cat(outputs)` 相同；
  4. 返回 `(输出, state)`。

`rnn_layer` 也可以是 `nn.GRU` 或 `nn.LSTM`（LSTM 的状态是元组 `(H, C)`），代码不用改。
""", """
Write `RNNModel(rnn_layer, vocab_size)` (a subclass of `nn.Module`):

- `__init__`: `self.rnn = rnn_layer`, `self.vocab_size = vocab_size`; the hidden width `self.hidden_size = rnn_layer.hidden_size`, doubled
  for a bidirectional layer (`rnn_layer.bidirectional` true); `self.dense = nn.Linear(self.hidden_size, vocab_size)`. Keep the attribute
  names `rnn` and `dense`: the grader loads its own weights.
- `forward(inputs, state)`: `inputs` are indices of shape (batch, time steps);
  1. `X = F.one_hot(inputs.T, self.vocab_size).float()`, of shape (time steps, batch, vocab_size) (use `F.one_hot` directly: this question
     does not depend on your `to_onehot`);
  2. `Y, state = self.rnn(X, state)`;
  3. the output is `self.dense(Y.reshape(-1, Y.shape[-1]))`, of shape (time steps·batch, vocab_size), its rows in the order of the scratch
     model's `torch.cat(outputs)`;
  4. return `(output, state)`.

`rnn_layer` may also be an `nn.GRU` or an `nn.LSTM` (an LSTM's state is the tuple `(H, C)`); the code stays the same.
""", '''
class RNNModel(nn.Module):
    """循环层 + 全连接输出层 / A recurrent layer followed by a linear layer over the vocabulary."""

    def __init__(self, rnn_layer, vocab_size):
        ### BEGIN SOLUTION
        super().__init__()
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.hidden_size = rnn_layer.hidden_size * (2 if rnn_layer.bidirectional else 1)
        self.dense = nn.Linear(self.hidden_size, vocab_size)
        ### END SOLUTION

    def forward(self, inputs, state=None):
        ### BEGIN SOLUTION
        X = F.one_hot(inputs.T.long(), self.vocab_size).float()
        Y, state = self.rnn(X, state)
        return self.dense(Y.reshape(-1, Y.shape[-1])), state
        ### END SOLUTION
''')
    nb.md("predict-pytorch-intro", """
预测函数和从零实现的一样，只是模型自己管理参数，初始状态传 `None`。
""", """
The prediction function is the scratch one, except that the model keeps its own parameters and the initial state is `None`.
""")
    nb.given("predict-pytorch", '''
def predict_rnn_pytorch(prefix, num_chars, model, vocab_size, idx_to_char, char_to_idx):
    """用 RNNModel 贪心续写 / Greedy continuation with an RNNModel."""
    state = None
    output = [char_to_idx[prefix[0]]]
    with torch.no_grad():
        for t in range(len(prefix) - 1 + num_chars):
            X = torch.tensor([[output[-1]]], dtype=torch.int64)
            Y, state = model(X, state)
            if t < len(prefix) - 1:
                output.append(char_to_idx[prefix[t + 1]])
            else:
                output.append(int(Y.argmax(dim=1).item()))
    return "".join(idx_to_char[i] for i in output)
''')
    nb.question("train_rnn_pytorch", """
写 `train_rnn_pytorch(rnn_layer, vocab_size, batches, num_epochs, lr, clipping_theta)`，用相邻采样的小批量训练，返回训练好的模型：

- `model = RNNModel(rnn_layer, vocab_size)`；优化器**固定为** `torch.optim.SGD(model.parameters(), lr=lr)`（无动量，与书中 Gluon 的 `'sgd'` 相同）；
- 每个周期：`state = None`；对 `batches` 中的每个 `(X, Y)`：
  - `state` 不是 `None` 时先 `detach()`；LSTM 的状态是元组，要对其中每个张量分别 `detach()`；
  - `output, state = model(X, state)`；`loss = F.cross_entropy(output, Y.T.reshape(-1))`（平均值）；
  - `optimizer.zero_grad()`，`loss.backward()`，`grad_clipping(model.parameters(), clipping_theta)`，`optimizer.step()`；
- 可以打印每个周期的困惑度；最后 `return model`。

本题会用到你的 `RNNModel`（评分时 `grad_clipping` 换成 `clip_grad_norm_`）。评分程序用返回的模型在这些小批量上自己算困惑度，要求低于 3。
""", """
Write `train_rnn_pytorch(rnn_layer, vocab_size, batches, num_epochs, lr, clipping_theta)`, training on consecutive minibatches and returning
the trained model:

- `model = RNNModel(rnn_layer, vocab_size)`; the optimiser is **fixed** as `torch.optim.SGD(model.parameters(), lr=lr)` (no momentum, like the book's Gluon `'sgd'`);
- every epoch: `state = None`; for every `(X, Y)` in `batches`:
  - when `state` is not `None`, `detach()` it first; an LSTM's state is a tuple: detach each of its tensors;
  - `output, state = model(X, state)`; `loss = F.cross_entropy(output, Y.T.reshape(-1))` (the mean);
  - `optimizer.zero_grad()`, `loss.backward()`, `grad_clipping(model.parameters(), clipping_theta)`, `optimizer.step()`;
- you may print the perplexity of each epoch; finally `return model`.

This question uses your `RNNModel` (and, when graded, `clip_grad_norm_` instead of `grad_clipping`). The grader measures the perplexity of
the returned model on those minibatches itself and requires it to be below 3.
""", '''
def train_rnn_pytorch(rnn_layer, vocab_size, batches, num_epochs, lr, clipping_theta):
    """训练 RNNModel（相邻采样），返回模型 / Train RNNModel(rnn_layer, vocab_size) on consecutive minibatches."""
    ### BEGIN SOLUTION
    model = RNNModel(rnn_layer, vocab_size)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(num_epochs):
        state = None
        loss_sum, count = 0.0, 0
        for X, Y in batches:
            if state is not None:
                if isinstance(state, tuple):
                    state = tuple(s.detach() for s in state)
                else:
                    state = state.detach()
            output, state = model(X, state)
            y = Y.T.reshape(-1)
            loss = F.cross_entropy(output, y)
            optimizer.zero_grad()
            loss.backward()
            grad_clipping(model.parameters(), clipping_theta)
            optimizer.step()
            loss_sum += loss.item() * y.numel()
            count += y.numel()
        if (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1}, perplexity {math.exp(loss_sum / count):.2f}")
    return model
    ### END SOLUTION
''')
    nb.demo("concise-demo", """
用 `nn.RNN(vocab_size, 64)` 在歌词上训练 15 个周期，再续写两段。
""", """
Train `nn.RNN(vocab_size, 64)` on the lyrics for 15 epochs, then continue two prefixes.
""", """
try:
    if corpus_indices is not None:
        batches = list(data_iter_consecutive(corpus_indices, batch_size=32, num_steps=35))
        model = train_rnn_pytorch(nn.RNN(vocab_size, 64), vocab_size, batches, num_epochs=15, lr=100,
                                  clipping_theta=0.01)
        for prefix in ["清晨", "明天"]:
            print(" -", predict_rnn_pytorch(prefix, 20, model, vocab_size, idx_to_char, char_to_idx))
""" + NOT_YET)


def main() -> int:
    nb = MasterNotebook(ASSIGNMENT, NOTEBOOK)
    intro(nb)
    sec_6_1(nb)
    sec_6_2(nb)
    sec_6_3(nb)
    sec_6_4(nb)
    sec_6_5(nb)
    nb.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
