# ruff: noqa: E501  (the notebook prose is markdown; its lines are kept as written)
"""Write the master notebook ``solutions/ch10_nlp/sentiment.ipynb`` (§10.7–10.8).

    .venv/bin/python scripts/notebooks/ch10_sentiment.py

then rebuild the fixtures (``d2l-grade fixtures build ch10_nlp --notebook sentiment``),
release, and regenerate the mistake notebooks
(``scripts/make_examples.py --only ch10_nlp/sentiment``).  The questions' points come from
``solutions/ch10_nlp/sentiment.py``.  The given ``Vocab``, ``read_vectors`` and
``read_text_tree`` are the answer key's own source (:func:`inspect.getsource`), so the
notebook and the reference cannot drift apart.  Prose and code are our own; 简体中文
first, English beneath.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reference_impl import imdb, vocab, word_vectors  # noqa: E402
from scripts.notebooks.cells import MasterNotebook  # noqa: E402

SKIP = 'print("先完成上面的填空 / finish the blanks above first")'


def _given_sources() -> str:
    parts = [inspect.getsource(vocab.count_tokens), inspect.getsource(vocab.Vocab),
             inspect.getsource(word_vectors.read_vectors), inspect.getsource(imdb.read_text_tree)]
    return "\n\n".join(p.rstrip() for p in parts)


def build() -> MasterNotebook:
    nb = MasterNotebook("ch10_nlp", "sentiment")
    nb.md("intro", """
# 第 10 章 自然语言处理（二）：文本情感分类 / Chapter 10 Natural Language Processing (part 2): Sentiment Analysis

本作业对应《动手学深度学习》（第一版）10.7 和 10.8 节，全部使用 PyTorch。我们把电影评论分成“正面”和“负面”两类：
先读入 IMDb 评论、分词、建词表、把每条评论截断或补齐成定长的词索引序列；然后用**双向循环神经网络**（10.7 节）
和**卷积神经网络 TextCNN**（10.8 节）两种模型分类，两者都用预训练的词向量初始化词嵌入层。

**作业规则**

- 每道题是一个代码单元格，把 `# YOUR CODE HERE` 和 `raise NotImplementedError()` 两行换成你的实现；其后的 `check("名字")` 用公开测试用例检查你的答案，仅供参考，最终成绩还包括隐藏用例。
- 不要改函数名、类名、参数名、参数顺序和默认值，也不要改题目规定的属性名（如 `self.embedding`、`self.encoder`、`self.decoder`、`self.convs`）：评分程序会用 `load_state_dict(strict=True)` 把它自己的参数装进你的模型。
- 需要评分的代码不必设置随机种子：评分程序会为每个用例设好种子，随机的结果按对任何种子都成立的性质评判。答题单元格里最好只写定义：其中的其他代码在评分时会再运行一次，一旦出错，后面的定义就缺失了。需要的模块已在设置单元格中导入。
- 标有“演示”的单元格不计分；上面的填空没完成时它们只打印一句提示。评分在没有 GPU、没有网络的环境里进行。
- **规模**：书中把评论截断到 500 个词、用 100 维词向量和 100 个隐藏单元；在两个 CPU 核上，这样的双向 LSTM 每个小批量要约 9 秒。
  这里的训练题用**最多 40 个词**、20 维词向量和 16 个隐藏单元，几秒内就能训练完。
""", """
This assignment covers sections 10.7 and 10.8 of *Dive into Deep Learning* (first edition), entirely in PyTorch. We sort
movie reviews into "positive" and "negative": first read the IMDb reviews, split them into words, build a vocabulary and turn
each review into a fixed-length sequence of word indices (cut or padded); then classify them with a **bidirectional recurrent
network** (§10.7) and with the **convolutional network TextCNN** (§10.8), both starting from pretrained word vectors.

**Rules**

- Each question is a code cell: replace the lines `# YOUR CODE HERE` and `raise NotImplementedError()` by your code. The `check("name")` cell after it tests your answer on the public cases; it is advice only, the grade also uses hidden cases.
- Do not rename functions, classes or arguments, or change their order or defaults, and keep the attribute names a question gives (such as `self.embedding`, `self.encoder`, `self.decoder`, `self.convs`): the grader loads its own parameters into your model with `load_state_dict(strict=True)`.
- Graded code needs no seeding: the grader seeds each case itself, and random results are judged by properties that hold for any seed. Keep answer cells to definitions: other code in them runs again while grading, and if it fails, the definitions after it are missing. The modules you need are imported in the setup cell.
- Cells marked "demo" are not graded; while a blank above is unfinished they only print a note. Grading runs without a GPU and without network access.
- **Scale**: the book cuts reviews to 500 words and uses 100-dimensional vectors and 100 hidden units; on two CPU cores such a bidirectional LSTM takes about 9 s per minibatch.
  The training questions here use **at most 40 words**, 20-dimensional vectors and 16 hidden units, and train in seconds.
""")
    nb.setup("""
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# 本笔记本的网络都很小，多线程的同步开销比计算还大：用一个线程更快。
# The networks here are tiny; threads cost more to synchronise than they save.
torch.set_num_threads(1)
""")

    # ---------------------------------------------------------------- §10.7 data
    nb.md("sec-10-7", """
## 10.7 文本情感分类：使用循环神经网络 / Sentiment Analysis with a Recurrent Network

### 数据

IMDb 数据集解压后是这样一棵目录树：`aclImdb/{train,test}/{pos,neg}/{编号}_{评分}.txt`，每个文件是一条评论，
`pos` 里的评分为 7–10，`neg` 里的为 1–4（`train/unsup/` 里还有没有标签的评论，这里不用）。真实数据每个文件夹 12500 条，需要下载；
评分环境在 `$D2L_DATA_DIR/aclImdb/`（默认 `~/.d2l/data/`）放了一份**目录和文件格式完全相同的替身**：每个文件夹 100 条由模板生成的短评论，
由中性的词和几个带褒贬色彩的词组成（都是我们自己写的）；`$D2L_DATA_DIR/glove_sentiment/glove.sentiment.20d.txt`
是这些词的 20 维词向量，格式和 GloVe 的文本文件相同（每行：词，空格，20 个数）。

下面给出的工具（不是填空）：

- `Vocab(tokens, min_freq, reserved, unk)`：词表。顺序是**先保留词元（按给出的顺序），再是出现次数 ≥ `min_freq` 的词，按次数从多到少，次数相同按第一次出现的先后**；`vocab[词]` 给出索引（不认识的词给 `unk` 的索引），`vocab.idx_to_token` 是按索引排列的词，`vocab.to_indices(词列表)` 一次查多个词。
- `read_vectors(path)`：读 GloVe 格式的文件，返回（按文件顺序的词列表，形状为 (词数, 维数) 的 float32 张量）。
- `read_text_tree(root)`：把 `root` 下面所有 `.txt` 文件读成字典 `{相对路径: 文件内容}`，路径用 `/` 分隔，例如 `"train/pos/0_9.txt"`。
  评分程序直接把这样的字典交给你的 `read_imdb`，所以 `read_imdb` 不用自己读文件。
""", """
## 10.7 Sentiment Analysis with a Recurrent Network

### The data

The IMDb dataset unpacks to the tree `aclImdb/{train,test}/{pos,neg}/{id}_{rating}.txt`, one review per file, ratings 7–10 in
`pos` and 1–4 in `neg` (`train/unsup/` holds unlabelled reviews, not used here). The real data has 12 500 files per folder and
needs a download; the grading environment holds a **stand-in with exactly the same tree and file format** in `$D2L_DATA_DIR/aclImdb/`
(by default `~/.d2l/data/`): 100 short template reviews per folder, neutral words plus a few words of praise or blame (all our own),
and `$D2L_DATA_DIR/glove_sentiment/glove.sentiment.20d.txt` holds 20-dimensional vectors for those words in GloVe's text format
(each line: the word, a space, 20 numbers).

Given tools (not blanks):

- `Vocab(tokens, min_freq, reserved, unk)`: a vocabulary. Its order is **the reserved tokens first (in the order given), then every word seen at least `min_freq` times, by descending count, ties by first occurrence**; `vocab[word]` is the index (an unknown word gets `unk`'s index), `vocab.idx_to_token` lists the words by index, and `vocab.to_indices(words)` looks up several words at once.
- `read_vectors(path)`: reads a GloVe-format file and returns (the words in file order, a float32 tensor of shape (words, dimensions)).
- `read_text_tree(root)`: reads every `.txt` file under `root` into a dict `{relative path: file text}`, paths separated by `/`, for example `"train/pos/0_9.txt"`.
  The grader hands such dicts straight to your `read_imdb`, so `read_imdb` reads no files itself.
""")
    nb.given("tools", _given_sources() + '''


DATA_DIR = Path(os.environ.get("D2L_DATA_DIR") or "~/.d2l/data").expanduser()
IMDB_DIR = DATA_DIR / "aclImdb"
VECTOR_PATH = DATA_DIR / "glove_sentiment" / "glove.sentiment.20d.txt"
if IMDB_DIR.is_dir() and VECTOR_PATH.is_file():
    imdb_tree = read_text_tree(IMDB_DIR)
    vector_tokens, vectors = read_vectors(VECTOR_PATH)
    print(f"{len(imdb_tree)} 个评论文件 / review files; {len(vector_tokens)} 个词向量 / word vectors")
else:
    imdb_tree = vector_tokens = vectors = None
    print(f"没有找到数据（{IMDB_DIR}），需要数据的演示会跳过。")
    print(f"Data not found ({IMDB_DIR}); demos that need it will skip.")
''')
    nb.question("read_imdb", """
写 `read_imdb(tree, folder)`：`tree` 是 `read_text_tree` 给出的字典，`folder` 是 `"train"` 或 `"test"`。返回一个列表，每个元素是 `[评论, 标签]`：

- 只取路径形如 `folder/pos/文件名.txt` 和 `folder/neg/文件名.txt` 的文件（`unsup` 等其他文件夹不要）；
- 评论是文件内容**去掉所有换行符 `"\\n"`** 后**转成小写**的字符串；标签：`pos` 为 1，`neg` 为 0；
- **顺序**：先是全部正面评论，再是全部负面评论；每一类里按**文件名的字符串顺序**排列（`sorted(文件名)`，所以 `"10_7.txt"` 排在 `"2_8.txt"` 前面）。
  书中用 `os.listdir` 的顺序再随机打乱；这里不打乱，打乱交给之后的 `DataLoader`。
""", """
Write `read_imdb(tree, folder)`: `tree` is a dict from `read_text_tree` and `folder` is `"train"` or `"test"`. Return a list whose
elements are `[review, label]`:

- take only files whose path looks like `folder/pos/name.txt` or `folder/neg/name.txt` (not `unsup` or any other folder);
- the review is the file's text **with every line break `"\\n"` removed**, **in lower case**; the label is 1 for `pos` and 0 for `neg`;
- **order**: all positive reviews, then all negative ones; within each, by **file name in string order** (`sorted(names)`, so `"10_7.txt"` comes before `"2_8.txt"`).
  The book takes `os.listdir`'s order and shuffles; here nothing is shuffled — the `DataLoader` shuffles later.
""", '''
def read_imdb(tree, folder="train"):
    """IMDb 的 [评论, 标签] 列表 / The [review, label] pairs of one split: pos (1) first, then neg (0)."""
    ### BEGIN SOLUTION
    data = []
    for label_name, label in (("pos", 1), ("neg", 0)):
        prefix = f"{folder}/{label_name}/"
        names = sorted(path[len(prefix):] for path in tree
                       if path.startswith(prefix) and path.endswith(".txt")
                       and "/" not in path[len(prefix):])
        for name in names:
            data.append([tree[prefix + name].replace("\\n", "").lower(), label])
    return data
    ### END SOLUTION
''')
    nb.question("get_tokenized_imdb", """
写 `get_tokenized_imdb(data)`：`data` 是 `read_imdb` 返回的列表。对每条评论按**单个空格**切分（`review.split(" ")`，和书中一样），每个词再转成小写，
返回词列表组成的列表（顺序与 `data` 相同）。
""", """
Write `get_tokenized_imdb(data)`: `data` is a list like `read_imdb`'s. Split each review on **single spaces** (`review.split(" ")`,
as the book does), lower-case every word, and return the list of word lists (in `data`'s order).
""", '''
def get_tokenized_imdb(data):
    """每条评论的词列表 / The words of each review."""
    ### BEGIN SOLUTION
    return [[token.lower() for token in review.split(" ")] for review, _ in data]
    ### END SOLUTION
''')
    nb.question("get_vocab_imdb", """
写 `get_vocab_imdb(data)`：用 `get_tokenized_imdb(data)` 分词，返回 `Vocab(..., min_freq=5, reserved=["<unk>", "<pad>"], unk="<unk>")`，
即出现**至少 5 次**的词，前面是两个保留词元：`<unk>`（索引 0，未知词）和 `<pad>`（索引 1，填充）。

`Vocab` 对象不能直接比较，所以评分程序调用下面给出的 `vocab_order(data)`，比较它返回的 `get_vocab_imdb(data).idx_to_token`（完全相同才算对）。
""", """
Write `get_vocab_imdb(data)`: tokenise with `get_tokenized_imdb(data)` and return `Vocab(..., min_freq=5, reserved=["<unk>", "<pad>"], unk="<unk>")`,
the words seen **at least 5 times** after the two reserved tokens `<unk>` (index 0, unknown words) and `<pad>` (index 1, padding).

A `Vocab` object cannot be compared directly, so the grader calls the given `vocab_order(data)` below and compares the
`get_vocab_imdb(data).idx_to_token` it returns (exactly).
""", '''
def get_vocab_imdb(data):
    """出现至少 5 次的词组成的词表 / The vocabulary of words seen at least 5 times."""
    ### BEGIN SOLUTION
    return Vocab(get_tokenized_imdb(data), min_freq=5, reserved=["<unk>", "<pad>"], unk="<unk>")
    ### END SOLUTION
''')
    nb.md("adapters-intro", """
下面三个小函数是评分用的“转接头”（给定，不要改）：评分程序不能把 `Vocab` 对象当作数据传来传去，所以它传入词表的 `idx_to_token` 列表，
由 `Vocab([], reserved=idx_to_token)` 重建一个顺序完全相同的词表，再调用你的函数。
""", """
The three small functions below are adapters for grading (given; leave them as they are): the grader cannot pass a `Vocab`
object around as data, so it passes the vocabulary's `idx_to_token` list, and `Vocab([], reserved=idx_to_token)` rebuilds a
vocabulary with exactly that order before your function is called.
""")
    nb.given("adapters", '''
def vocab_order(data):
    """The token order of get_vocab_imdb(data) (what the grader compares)."""
    return get_vocab_imdb(data).idx_to_token


def preprocess_with(data, idx_to_token, max_l):
    """preprocess_imdb with a vocabulary of exactly the tokens idx_to_token."""
    return preprocess_imdb(data, Vocab([], reserved=idx_to_token), max_l)


def predict_with(net, idx_to_token, sentence):
    """predict_sentiment with a vocabulary of exactly the tokens idx_to_token."""
    return predict_sentiment(net, Vocab([], reserved=idx_to_token), sentence)
''')
    nb.question("preprocess_imdb", """
写 `preprocess_imdb(data, vocab, max_l=500)`：把每条评论分词（用 `get_tokenized_imdb`）后换成词索引，再变成**正好 `max_l` 个**索引：
长了就只留前 `max_l` 个，短了就在**末尾**补 `vocab["<pad>"]`（书中的 PyTorch 版补 0，而 0 是 `<unk>` 的索引；补 `<pad>` 才不会让填充看起来像未知词）。
返回 `(features, labels)`：形状为 (评论数, max_l) 的 int64 张量和形状为 (评论数,) 的 int64 标签张量。

评分时通过 `preprocess_with` 调用，词表里有不认识的词，也有比 `max_l` 长和短的评论。
""", """
Write `preprocess_imdb(data, vocab, max_l=500)`: tokenise each review (with `get_tokenized_imdb`), map the words to indices and make
**exactly `max_l`** indices of them: keep the first `max_l` if there are more, and pad **at the end** with `vocab["<pad>"]` if there are
fewer (the book's PyTorch port pads with 0, which is `<unk>`'s index; padding with `<pad>` keeps padding from looking like unknown words).
Return `(features, labels)`: an int64 tensor of shape (reviews, max_l) and an int64 tensor of labels of shape (reviews,).

It is graded through `preprocess_with`, with words the vocabulary does not know and reviews both longer and shorter than `max_l`.
""", '''
def preprocess_imdb(data, vocab, max_l=500):
    """定长的词索引和标签 / Fixed-length word indices (cut or padded with <pad>) and labels."""
    ### BEGIN SOLUTION
    pad_idx = vocab["<pad>"]

    def pad(x):
        return x[:max_l] if len(x) > max_l else x + [pad_idx] * (max_l - len(x))

    features = torch.tensor([pad(vocab.to_indices(words)) for words in get_tokenized_imdb(data)],
                            dtype=torch.int64).reshape(len(data), max_l)
    labels = torch.tensor([label for _, label in data], dtype=torch.int64)
    return features, labels
    ### END SOLUTION
''')
    nb.demo("data-demo", """
读入替身数据的训练集和测试集，建词表，把评论截断或补齐到 40 个词。
""", """
Read the stand-in's training and test sets, build the vocabulary and cut or pad the reviews to 40 words.
""", f"""
MAX_L = 40
if imdb_tree is None:
    print("没有数据，跳过 / no data, skipped")
else:
    try:
        train_data, test_data = read_imdb(imdb_tree, "train"), read_imdb(imdb_tree, "test")
        imdb_vocab = get_vocab_imdb(train_data)
        train_features, train_labels = preprocess_imdb(train_data, imdb_vocab, MAX_L)
        test_features, test_labels = preprocess_imdb(test_data, imdb_vocab, MAX_L)
        print("训练集 / training set:", len(train_data), " 测试集 / test set:", len(test_data))
        print("第一条 / first review:", train_data[0][0][:70], "... label", train_data[0][1])
        print("词表大小 / vocabulary size:", len(imdb_vocab), imdb_vocab.idx_to_token[:8])
        print("features:", tuple(train_features.shape), train_features.dtype)
    except NotImplementedError:
        imdb_vocab = None
        {SKIP}
""")

    # ---------------------------------------------------------------- §10.7 model
    nb.md("sec-10-7-model", """
### 模型

每条评论的词先经过词嵌入层，再进入一个**双向**、多层的 LSTM 编码器。我们把编码器在**最初时间步**和**最终时间步**的输出连结起来
（每个时间步的输出已经包含正向和反向两个方向的隐藏状态，所以连结后长度是 4 × 隐藏单元个数），作为整条评论的表示，再用一个全连接层输出两个类别的分数。
""", """
### The model

Each review's words go through an embedding layer and then a **bidirectional**, multi-layer LSTM encoder. We concatenate the
encoder's outputs at the **first** and the **last** time step (each output already holds the forward and the backward hidden
state, so the concatenation has length 4 × the number of hidden units) as the representation of the whole review, and a fully
connected layer turns it into scores for the two classes.
""")
    nb.question("BiRNN", """
写 `BiRNN(vocab_size, embed_size, num_hiddens, num_layers)`，**属性名必须是**：

- `self.embedding = nn.Embedding(vocab_size, embed_size)`；
- `self.encoder = nn.LSTM(embed_size, num_hiddens, num_layers=num_layers, bidirectional=True)`（时间步在第一维，不用 `batch_first`）；
- `self.decoder = nn.Linear(4 * num_hiddens, 2)`。

`forward(inputs)`：`inputs` 形状为 (批量大小, 词数)。先转置成 (词数, 批量大小) 再查词嵌入，得到 (词数, 批量大小, embed_size)；
经过编码器得到 `outputs`，形状 (词数, 批量大小, 2 × num_hiddens)；把 `outputs[0]` 和 `outputs[-1]` 在最后一维连结，送进 `decoder`，返回 (批量大小, 2) 的分数。

评分程序用 `load_state_dict(strict=True)` 装入它自己的参数（也会换别的尺寸，包括单层），在评估模式下与参考答案比较（相对误差 1e-4）。
""", """
Write `BiRNN(vocab_size, embed_size, num_hiddens, num_layers)` **with these attribute names**:

- `self.embedding = nn.Embedding(vocab_size, embed_size)`;
- `self.encoder = nn.LSTM(embed_size, num_hiddens, num_layers=num_layers, bidirectional=True)` (time first, no `batch_first`);
- `self.decoder = nn.Linear(4 * num_hiddens, 2)`.

`forward(inputs)`: `inputs` has shape (batch size, words). Transpose it to (words, batch size) before the embedding lookup, which gives
(words, batch size, embed_size); the encoder gives `outputs` of shape (words, batch size, 2 × num_hiddens); concatenate `outputs[0]`
and `outputs[-1]` along the last dimension, feed that to `decoder` and return the (batch size, 2) scores.

The grader loads its own parameters with `load_state_dict(strict=True)` (also for other sizes, a single layer among them) and
compares with the reference in eval mode (relative tolerance 1e-4).
""", '''
class BiRNN(nn.Module):
    """词嵌入 → 双向 LSTM → [最初, 最终] 时间步 → 2 个分数 / Embedding → BiLSTM → [first, last] step → 2 scores."""

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers):
        super().__init__()
        ### BEGIN SOLUTION
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.encoder = nn.LSTM(embed_size, num_hiddens, num_layers=num_layers, bidirectional=True)
        self.decoder = nn.Linear(4 * num_hiddens, 2)
        ### END SOLUTION

    def forward(self, inputs):
        ### BEGIN SOLUTION
        embeddings = self.embedding(inputs.T)
        outputs, _ = self.encoder(embeddings)
        encoding = torch.cat((outputs[0], outputs[-1]), dim=-1)
        return self.decoder(encoding)
        ### END SOLUTION
''')
    nb.question("load_pretrained_embedding", """
写 `load_pretrained_embedding(words, vector_tokens, vectors)`：`words` 是词表里按索引排列的词（`vocab.idx_to_token`），
`vector_tokens` 和 `vectors` 是 `read_vectors` 读出的词和词向量。返回 `(embed, oov)`：

- `embed`：形状为 (len(words), 词向量维数) 的 float32 张量，第 i 行是 `words[i]` 的词向量；文件里没有的词（包括 `<unk>`、`<pad>`）那一行全是 0；
- `oov`：文件里没有的词的个数（Python `int`；书中把它打印出来）。
""", """
Write `load_pretrained_embedding(words, vector_tokens, vectors)`: `words` are the vocabulary's words by index (`vocab.idx_to_token`),
`vector_tokens` and `vectors` the words and vectors `read_vectors` returns. Return `(embed, oov)`:

- `embed`: a float32 tensor of shape (len(words), vector dimension) whose row i is the vector of `words[i]`; a word missing from the file (`<unk>` and `<pad>` among them) gets a row of zeros;
- `oov`: how many words are missing from the file (a Python `int`; the book prints it).
""", '''
def load_pretrained_embedding(words, vector_tokens, vectors):
    """词表中每个词的预训练词向量 / Pretrained vectors of the vocabulary's words, zeros (counted) for missing ones."""
    ### BEGIN SOLUTION
    index = {token: i for i, token in enumerate(vector_tokens)}
    embed = torch.zeros(len(words), vectors.shape[1])
    oov = 0
    for i, word in enumerate(words):
        if word in index:
            embed[i] = vectors[index[word]]
        else:
            oov += 1
    return embed, oov
    ### END SOLUTION
''')
    nb.given("train-tools", '''
def fit(net, features, labels, num_epochs, lr, batch_size):
    """Train with Adam on the parameters that require gradients (frozen ones are skipped),
    mean cross entropy, shuffled minibatches; returns the network in eval mode."""
    loader = DataLoader(TensorDataset(features, labels), batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=lr)
    loss = nn.CrossEntropyLoss()
    net.train()
    for _ in range(num_epochs):
        for X, y in loader:
            optimizer.zero_grad()
            loss(net(X), y).backward()
            optimizer.step()
    net.eval()
    return net


def evaluate_accuracy(net, features, labels):
    """Share of correctly classified reviews."""
    net.eval()
    with torch.no_grad():
        return float((net(features).argmax(dim=1) == labels).double().mean())
''')
    nb.question("train_birnn", """
写 `train_birnn(features, labels, embed, num_hiddens=16, num_epochs=10, lr=0.01, batch_size=32)`：

1. 新建 `BiRNN(embed.shape[0], embed.shape[1], num_hiddens, 2)`（两层）；
2. 把预训练词向量 `embed` 复制进 `net.embedding.weight`，并**冻结**它（`requires_grad = False`），像书中那样不再训练词嵌入；
3. 用给定的 `fit(net, features, labels, num_epochs, lr, batch_size)` 训练（Adam，只更新需要梯度的参数），返回训练好的网络。

评分程序在替身数据的训练集（评论截断到 40 个词）上调用你的函数，自己把返回网络的参数装进参考模型，在**测试集**上算准确率，
要求 ≥ 0.75（正确的实现约 0.87–0.93，未训练的网络约 0.5）；还检查 `embedding.weight` 仍然等于给定的词向量。这道题会用到你的 `BiRNN`。
""", """
Write `train_birnn(features, labels, embed, num_hiddens=16, num_epochs=10, lr=0.01, batch_size=32)`:

1. create `BiRNN(embed.shape[0], embed.shape[1], num_hiddens, 2)` (two layers);
2. copy the pretrained vectors `embed` into `net.embedding.weight` and **freeze** it (`requires_grad = False`): as in the book, the embedding is not trained;
3. train with the given `fit(net, features, labels, num_epochs, lr, batch_size)` (Adam, updating only the parameters that require gradients) and return the trained network.

The grader calls your function on the stand-in's training set (reviews cut to 40 words), loads the returned network's parameters
into the reference model itself and measures the accuracy on the **test set**: it must be ≥ 0.75 (a correct solution gets about
0.87–0.93, an untrained network about 0.5). It also checks that `embedding.weight` still equals the given vectors. This question
uses your `BiRNN`.
""", '''
def train_birnn(features, labels, embed, num_hiddens=16, num_epochs=10, lr=0.01, batch_size=32):
    """用冻结的预训练词向量训练 BiRNN / Train a 2-layer BiRNN on top of frozen pretrained vectors."""
    ### BEGIN SOLUTION
    net = BiRNN(embed.shape[0], embed.shape[1], num_hiddens, 2)
    net.embedding.weight.data.copy_(embed)
    net.embedding.weight.requires_grad = False
    return fit(net, features, labels, num_epochs, lr, batch_size)
    ### END SOLUTION
''')
    nb.question("predict_sentiment", """
写 `predict_sentiment(net, vocab, sentence)`：`sentence` 是词的列表。把它换成索引，做成形状为 (1, 词数) 的 int64 张量交给 `net`，
得到 (1, 2) 的分数；分数最大的类别是 1 就返回字符串 `"positive"`，是 0 就返回 `"negative"`。预测时用 `torch.no_grad()`：不需要梯度，还省内存（返回的字符串不受影响，所以这一点不评分）。

评分时通过 `predict_with` 调用；传入的 `net` 不一定是 `BiRNN`，可以是任何把 (1, 词数) 的索引变成 (1, 2) 分数的模块。
""", """
Write `predict_sentiment(net, vocab, sentence)`: `sentence` is a list of words. Turn it into indices, make an int64 tensor of shape
(1, words) of them and give it to `net`, which returns (1, 2) scores; return the string `"positive"` if the highest score is class 1
and `"negative"` if it is class 0. Predict under `torch.no_grad()`: no gradient is needed and it saves memory (the string returned is the same either way, so this part is not graded).

It is graded through `predict_with`; the `net` passed need not be a `BiRNN`: any module turning (1, words) indices into (1, 2) scores.
""", '''
def predict_sentiment(net, vocab, sentence):
    """一句话的情感 / "positive" or "negative" for a list of words."""
    ### BEGIN SOLUTION
    X = torch.tensor(vocab.to_indices(sentence), dtype=torch.int64).reshape(1, -1)
    with torch.no_grad():
        label = int(net(X).argmax(dim=1)[0])
    return "positive" if label == 1 else "negative"
    ### END SOLUTION
''')
    nb.demo("birnn-demo", """
加载词向量（统计词表里有多少词没有向量），训练 BiRNN（一两秒），在测试集上算准确率，再判断两句话的情感。
""", """
Load the word vectors (counting the vocabulary's words that have none), train the BiRNN (a second or two), measure the test
accuracy, then judge two sentences.
""", f"""
if imdb_tree is None or imdb_vocab is None:
    print("没有数据，跳过 / no data, skipped")
else:
    try:
        imdb_embed, oov = load_pretrained_embedding(imdb_vocab.idx_to_token, vector_tokens, vectors)
        print("没有词向量的词 / words without a vector:", oov)
        birnn = train_birnn(train_features, train_labels, imdb_embed)
        print("测试准确率 / test accuracy:", round(evaluate_accuracy(birnn, test_features, test_labels), 3))
        for words in ("this movie was so great".split(), "the plot was dull and the ending awful".split()):
            print(" ".join(words), "->", predict_sentiment(birnn, imdb_vocab, words))
    except NotImplementedError:
        {SKIP}
""")

    # ---------------------------------------------------------------- §10.8
    nb.md("sec-10-8", """
## 10.8 文本情感分类：使用卷积神经网络（textCNN） / Sentiment Analysis with a Convolutional Network (TextCNN)

### 一维互相关

把一条文本看成一维的“图像”：时间步是宽，每个词向量的分量是一个通道。一维互相关运算让宽为 $w$ 的核在序列上滑动，
每个位置把窗口里的元素与核按元素相乘再求和，输出长度为 $n - w + 1$。有多个输入通道时，每个通道各做一次互相关，再把结果按通道相加。
""", """
## 10.8 Sentiment Analysis with a Convolutional Network (TextCNN)

### One-dimensional cross-correlation

Treat a text as a one-dimensional "image": the time steps are its width and each component of the word vectors is a channel.
One-dimensional cross-correlation slides a kernel of width $w$ along the sequence; at each position it multiplies the window
by the kernel elementwise and sums, giving an output of length $n - w + 1$. With several input channels, each channel is
correlated with its own kernel and the results are added over the channels.
""")
    nb.question("corr1d", """
写 `corr1d(X, K)`：`X` 是长度为 n 的一维张量，`K` 是长度为 w 的一维张量，返回长度为 n − w + 1 的一维张量，第 i 个元素是 `(X[i:i+w] * K).sum()`。
书中的例子：`X = [0, 1, 2, 3, 4, 5, 6]`，`K = [1, 2]`，结果是 `[2, 5, 8, 11, 14, 17]`。
""", """
Write `corr1d(X, K)`: `X` is a 1-D tensor of length n and `K` one of length w; return the 1-D tensor of length n − w + 1 whose
element i is `(X[i:i+w] * K).sum()`. The book's example: `X = [0, 1, 2, 3, 4, 5, 6]`, `K = [1, 2]` gives `[2, 5, 8, 11, 14, 17]`.
""", '''
def corr1d(X, K):
    """一维互相关 / One-dimensional cross-correlation."""
    ### BEGIN SOLUTION
    w = K.shape[0]
    Y = torch.zeros(X.shape[0] - w + 1, dtype=torch.result_type(X, K))
    for i in range(Y.shape[0]):
        Y[i] = (X[i:i + w] * K).sum()
    return Y
    ### END SOLUTION
''')
    nb.question("corr1d_multi_in", """
写 `corr1d_multi_in(X, K)`：`X` 形状为 (通道数, n)，`K` 形状为 (通道数, w)。对每个通道用 `corr1d` 算互相关，再把各通道的结果相加，返回长度为 n − w + 1 的一维张量。
书中的例子给出 `[2, 8, 14, 20, 26, 32]`。（这道题会调用你的 `corr1d`。）
""", """
Write `corr1d_multi_in(X, K)`: `X` has shape (channels, n) and `K` shape (channels, w). Correlate each channel with `corr1d` and add
the results over the channels; return a 1-D tensor of length n − w + 1. The book's example gives `[2, 8, 14, 20, 26, 32]`.
(This question calls your `corr1d`.)
""", '''
def corr1d_multi_in(X, K):
    """多输入通道的一维互相关 / 1-D cross-correlation summed over the input channels."""
    ### BEGIN SOLUTION
    return torch.stack([corr1d(x, k) for x, k in zip(X, K)]).sum(dim=0)
    ### END SOLUTION
''')
    nb.demo("corr1d-demo", """
与 `F.conv1d` 比较：PyTorch 的“卷积”其实就是互相关，输入形状为 (批量, 通道, 长度)，核形状为 (输出通道, 输入通道, 宽)。
""", """
Compare with `F.conv1d`: PyTorch's "convolution" is cross-correlation; its input has shape (batch, channels, length) and its
kernel (output channels, input channels, width).
""", f"""
X = torch.tensor([[0.0, 1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 7], [2, 3, 4, 5, 6, 7, 8]])
K = torch.tensor([[1.0, 2], [3, 4], [-1, -3]])
try:
    print("corr1d:", corr1d(X[0], K[0]), " F.conv1d:", F.conv1d(X[:1].reshape(1, 1, -1), K[:1].reshape(1, 1, -1)).flatten())
    print("corr1d_multi_in:", corr1d_multi_in(X, K), " F.conv1d:", F.conv1d(X.unsqueeze(0), K.unsqueeze(0)).flatten())
except NotImplementedError:
    {SKIP}
""")
    nb.md("sec-10-8-model", """
### 时序最大池化层与 TextCNN

**时序最大池化**（max-over-time pooling）取每个通道在所有时间步上的最大值，所以不同长度的输入都变成每个通道一个数。

TextCNN 用两个词嵌入层：`embedding` 参与训练，`constant_embedding` 保持不变，两者都用预训练词向量初始化，把两者的输出在词向量维上连结，
每个词就有 2 × embed_size 个通道。然后用几个宽度不同的一维卷积层（激活函数 ReLU），各自做时序最大池化，把所有通道连结成一个向量，
经过丢弃层，最后由全连接层输出两个类别的分数。
""", """
### Max-over-time pooling and TextCNN

**Max-over-time pooling** takes the largest value of each channel over all time steps, so inputs of any length become one
number per channel.

TextCNN has two embedding layers: `embedding` is trained and `constant_embedding` is kept fixed; both start from the pretrained
vectors, and their outputs are concatenated along the vector dimension, so each word has 2 × embed_size channels. Several
one-dimensional convolutions of different widths follow (with ReLU), each pooled over time; all the channels are concatenated
into one vector, which goes through dropout and a fully connected layer that gives the two classes' scores.
""")
    nb.question("GlobalMaxPool1d", """
写 `GlobalMaxPool1d`（没有参数的 `nn.Module`）：`forward(x)` 输入形状 (批量大小, 通道数, 时间步数)，返回形状 (批量大小, 通道数, 1)，是每个通道在所有时间步上的最大值。
提示：`F.max_pool1d(x, kernel_size=x.shape[2])`。
""", """
Write `GlobalMaxPool1d` (an `nn.Module` without parameters): `forward(x)` takes shape (batch size, channels, time steps) and returns
shape (batch size, channels, 1), the largest value of each channel over all time steps. Hint: `F.max_pool1d(x, kernel_size=x.shape[2])`.
""", '''
class GlobalMaxPool1d(nn.Module):
    """时序最大池化 / Max-over-time pooling: (B, C, L) -> (B, C, 1)."""

    def forward(self, x):
        ### BEGIN SOLUTION
        return F.max_pool1d(x, kernel_size=x.shape[2])
        ### END SOLUTION
''')
    nb.question("TextCNN", """
写 `TextCNN(vocab_size, embed_size, kernel_sizes, num_channels)`，**属性名必须是**：

- `self.embedding` 和 `self.constant_embedding`：两个 `nn.Embedding(vocab_size, embed_size)`；
- `self.dropout = nn.Dropout(0.5)`；`self.decoder = nn.Linear(sum(num_channels), 2)`；`self.pool = GlobalMaxPool1d()`；
- `self.convs = nn.ModuleList(...)`：对每一对 `(c, k)`（`zip(num_channels, kernel_sizes)`）一个 `nn.Conv1d(2 * embed_size, c, k)`，顺序与列表相同。

`forward(inputs)`：`inputs` 形状为 (批量大小, 词数)。把两个词嵌入层的输出在最后一维连结成 (批量大小, 词数, 2 × embed_size)，
再换维成 (批量大小, 2 × embed_size, 词数)；对每个卷积层算 `pool(relu(conv(...)))` 并去掉最后那一维，得到 (批量大小, c)；
按 `convs` 的顺序连结成 (批量大小, sum(num_channels))，经过 `dropout` 和 `decoder`，返回 (批量大小, 2) 的分数。

评分程序装入它自己的参数，在**评估模式**下（丢弃层不起作用）与参考答案比较（相对误差 1e-4）。评分时 `GlobalMaxPool1d` 会被换成 `nn.AdaptiveMaxPool1d(1)`，
所以池化层的错误不会连累这道题。
""", """
Write `TextCNN(vocab_size, embed_size, kernel_sizes, num_channels)` **with these attribute names**:

- `self.embedding` and `self.constant_embedding`: two `nn.Embedding(vocab_size, embed_size)`;
- `self.dropout = nn.Dropout(0.5)`; `self.decoder = nn.Linear(sum(num_channels), 2)`; `self.pool = GlobalMaxPool1d()`;
- `self.convs = nn.ModuleList(...)`: one `nn.Conv1d(2 * embed_size, c, k)` for each pair `(c, k)` of `zip(num_channels, kernel_sizes)`, in the lists' order.

`forward(inputs)`: `inputs` has shape (batch size, words). Concatenate the two embeddings' outputs along the last dimension into
(batch size, words, 2 × embed_size) and permute that to (batch size, 2 × embed_size, words); for each convolution compute
`pool(relu(conv(...)))` and drop the last dimension, giving (batch size, c); concatenate these in `convs`' order into
(batch size, sum(num_channels)), apply `dropout` and `decoder`, and return the (batch size, 2) scores.

The grader loads its own parameters and compares with the reference in **eval mode** (dropout does nothing) with a relative
tolerance of 1e-4. While it is graded, `GlobalMaxPool1d` is replaced by `nn.AdaptiveMaxPool1d(1)`, so a pooling mistake does not
cost this question too.
""", '''
class TextCNN(nn.Module):
    """两个词嵌入、多宽度一维卷积、时序最大池化 / Two embeddings, 1-D convolutions of several widths, max-over-time pooling."""

    def __init__(self, vocab_size, embed_size, kernel_sizes, num_channels):
        super().__init__()
        ### BEGIN SOLUTION
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.constant_embedding = nn.Embedding(vocab_size, embed_size)
        self.dropout = nn.Dropout(0.5)
        self.decoder = nn.Linear(sum(num_channels), 2)
        self.pool = GlobalMaxPool1d()
        self.convs = nn.ModuleList(nn.Conv1d(2 * embed_size, c, k)
                                   for c, k in zip(num_channels, kernel_sizes))
        ### END SOLUTION

    def forward(self, inputs):
        ### BEGIN SOLUTION
        embeddings = torch.cat((self.embedding(inputs), self.constant_embedding(inputs)),
                               dim=2).permute(0, 2, 1)
        encoding = torch.cat([self.pool(F.relu(conv(embeddings))).squeeze(-1)
                              for conv in self.convs], dim=1)
        return self.decoder(self.dropout(encoding))
        ### END SOLUTION
''')
    nb.question("train_textcnn", """
写 `train_textcnn(features, labels, embed, num_epochs=5, lr=0.01, batch_size=32)`：

1. 新建 `TextCNN(embed.shape[0], embed.shape[1], [3, 4, 5], [8, 8, 8])`（书中每种宽度 100 个通道，这里 8 个）；
2. 把 `embed` 复制进 `embedding.weight` **和** `constant_embedding.weight`，**只冻结** `constant_embedding`；
3. 用给定的 `fit` 训练并返回网络。

评分程序在替身训练集上调用你的函数，用参考模型在测试集上算准确率，要求 ≥ 0.8（正确的实现约 0.91–0.94），
并检查 `constant_embedding.weight` 仍等于 `embed`、`embedding.weight` 已经被训练改变。这道题会用到你的 `TextCNN`（`GlobalMaxPool1d` 同样被替换）。
""", """
Write `train_textcnn(features, labels, embed, num_epochs=5, lr=0.01, batch_size=32)`:

1. create `TextCNN(embed.shape[0], embed.shape[1], [3, 4, 5], [8, 8, 8])` (the book has 100 channels per width, here 8);
2. copy `embed` into `embedding.weight` **and** `constant_embedding.weight`, and freeze **only** `constant_embedding`;
3. train with the given `fit` and return the network.

The grader calls your function on the stand-in's training set and measures the reference model's accuracy with your parameters
on the test set: it must be ≥ 0.8 (a correct solution gets about 0.91–0.94). It also checks that `constant_embedding.weight` still
equals `embed` and that training has changed `embedding.weight`. This question uses your `TextCNN` (with `GlobalMaxPool1d` replaced
as above).
""", '''
def train_textcnn(features, labels, embed, num_epochs=5, lr=0.01, batch_size=32):
    """训练 TextCNN，只冻结 constant_embedding / Train TextCNN with only constant_embedding frozen."""
    ### BEGIN SOLUTION
    net = TextCNN(embed.shape[0], embed.shape[1], [3, 4, 5], [8, 8, 8])
    net.embedding.weight.data.copy_(embed)
    net.constant_embedding.weight.data.copy_(embed)
    net.constant_embedding.weight.requires_grad = False
    return fit(net, features, labels, num_epochs, lr, batch_size)
    ### END SOLUTION
''')
    nb.demo("textcnn-demo", """
训练 TextCNN（不到一秒），在测试集上算准确率，再判断同样两句话的情感。
""", """
Train TextCNN (under a second), measure the test accuracy and judge the same two sentences.
""", f"""
if imdb_tree is None or imdb_vocab is None:
    print("没有数据，跳过 / no data, skipped")
else:
    try:
        imdb_embed, _ = load_pretrained_embedding(imdb_vocab.idx_to_token, vector_tokens, vectors)
        textcnn = train_textcnn(train_features, train_labels, imdb_embed)
        print("测试准确率 / test accuracy:", round(evaluate_accuracy(textcnn, test_features, test_labels), 3))
        for words in ("this movie was so great".split(), "the plot was dull and the ending awful".split()):
            print(" ".join(words), "->", predict_sentiment(textcnn, imdb_vocab, words))
    except NotImplementedError:
        {SKIP}
""")
    return nb


def main() -> int:
    build().write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
