"""Chapter 10, notebook ``word_embeddings``: §10.1–10.6 (reference: ``ch10_word_embeddings``).

§10.1, §10.2, §10.4 and §10.5 are formulas and are compared with the reference (float64
for the skip-gram gradient).  §10.3 runs on the PTB stand-in
(:mod:`reference_impl.ptb`); its three random units are judged by what every correct
sampler satisfies and by statistics with wide margins (:func:`_subsample_invariant`,
:func:`_contexts_invariant`, :func:`_negatives_invariant`), training by a threshold the
trusted side measures itself with the trained weights.  §10.6 reads the engineered vector
file of :mod:`reference_impl.analogy_vectors`, whose neighbours and analogies are known.

Isolation, so that one mistake costs one question.  Where a question calls another
question's function, the case swaps in a TorchScript stand-in with the same signature
(carried as data through ``torch.jit.CompilationUnit``, as chapter 6 does): ``loss`` in
``train_word2vec``, ``get_subwords`` in ``fasttext_vector``, ``glove_weight`` in
``glove_loss`` and ``knn`` in ``get_analogy``.  ``train_word2vec`` calls the student's
``skip_gram`` on ``nn.Embedding`` modules, which no stand-in can take as arguments, so a
broken ``skip_gram`` costs that question too.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import torch

from autograder.compare import Tolerance
from autograder.kinds import Call, Construct, new
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from autograder.wire import Recipe
from reference_impl import ch10_word_embeddings as ref
from reference_impl.analogy_vectors import analogy_vectors, write_analogy_vectors
from reference_impl.ptb import standin_sentences, write_ptb_standin

FLOAT64 = Tolerance(rtol=1e-8, atol=1e-10)  # hand gradients against the formula
#: The masked loss the grader measures after training: a correct solution reaches about
#: 0.33–0.40 on the cases below; the untrained embeddings start at 0.69–0.85.
TRAIN_LIMIT = 0.5

STAND_IN_SOURCE = """
def sigmoid_bce(inputs: Tensor, targets: Tensor, mask: Optional[Tensor] = None) -> Tensor:
    res = torch.nn.functional.binary_cross_entropy_with_logits(
        inputs, targets, mask, reduction="none")
    return res.mean(1)


def get_subwords(word: str, min_n: int = 3, max_n: int = 6) -> List[str]:
    padded = "<" + word + ">"
    out: List[str] = [padded]
    for n in range(min_n, max_n + 1):
        for i in range(len(padded) - n + 1):
            s = padded[i:i + n]
            if s not in out:
                out.append(s)
    out.sort()
    return out


def glove_weight(x: Tensor, c: float = 100.0, alpha: float = 0.75) -> Tensor:
    return torch.clamp((x / c) ** alpha, max=1.0)


def knn(W: Tensor, x: Tensor, k: int) -> Tuple[Tensor, Tensor]:
    cos = torch.mv(W, x) / torch.sqrt(torch.sum(W * W, dim=1) * torch.sum(x * x) + 1e-9)
    top = torch.topk(cos, k)
    return top.indices, top.values
"""


def _stand_in(name: str) -> Recipe:
    """A function of :data:`STAND_IN_SOURCE`, compiled where the case runs."""
    unit = new("torch.jit.CompilationUnit", STAND_IN_SOURCE)
    return new("torch.jit.CompilationUnit.find_function", unit, name)


def prepare_data(folder: Path) -> None:
    """The notebook's data: the PTB stand-in and the engineered vector file."""
    write_ptb_standin(folder)
    write_analogy_vectors(folder)


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0,
           dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=g, dtype=dtype) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


def _is_int_lists(value: Any) -> bool:
    return type(value) is list and all(
        type(row) is list and all(type(x) is int for x in row) for row in value)


# ---- §10.1 / §10.2 formulas ------------------------------------------------------------------

def _skipgram_case(V: int, d: int, scale: float, dtype: torch.dtype = torch.float32):
    def make(g: torch.Generator) -> Args:
        o = int(torch.randint(0, V, (1,), generator=g))
        return args(_randn(g, d, scale=scale, dtype=dtype), _randn(g, V, d, scale=scale,
                                                                    dtype=dtype), o)
    return make


def _cbow_case(n_ctx: int, V: int, d: int, scale: float):
    def make(g: torch.Generator) -> Args:
        c = int(torch.randint(0, V, (1,), generator=g))
        return args(_randn(g, n_ctx, d, scale=scale), _randn(g, V, d, scale=scale), c)
    return make


def _neg_case(K: int, d: int, scale: float):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, d, scale=scale), _randn(g, d, scale=scale),
                    _randn(g, K, d, scale=scale))
    return make


def _hier_case(V: int, d: int, w: int, scale: float):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, d, scale=scale), _randn(g, V - 1, d, scale=scale), w)
    return make


# ---- §10.3 data pipeline -----------------------------------------------------------------------

def _ptb_case(num_sentences: int, min_count: int, seed: int = 0):
    def make(g: torch.Generator) -> Args:
        return args(standin_sentences("train", seed)[:num_sentences], min_count)
    return make


def _toy_ptb_case(g: torch.Generator) -> Args:
    words = "a b c d e f g h".split()
    raw = [[words[int(i)] for i in torch.randint(0, 8, (int(n),), generator=g)]
           for n in torch.randint(0, 7, (12,), generator=g)]
    return args(raw, 3)


def _zipf_dataset(g: torch.Generator, num_sentences: int, V: int, max_len: int
                  ) -> list[list[int]]:
    weights = torch.tensor([1.0 / (r + 1) for r in range(V)])
    lengths = torch.randint(0, max_len + 1, (num_sentences,), generator=g)
    return [torch.multinomial(weights, int(n), replacement=True, generator=g).tolist()
            if n else [] for n in lengths]


def _counter(dataset: list[list[int]]) -> dict[int, int]:
    counter: dict[int, int] = {}
    for st in dataset:
        for idx in st:
            counter[idx] = counter.get(idx, 0) + 1
    return counter


def _subsample_case(num_sentences: int, V: int, t: float):
    def make(g: torch.Generator) -> Args:
        dataset = _zipf_dataset(g, num_sentences, V, 20)
        return args(dataset, _counter(dataset), sum(len(st) for st in dataset), t)
    return make


def _is_subsequence(sub: list[int], seq: list[int]) -> bool:
    it = iter(seq)
    return all(any(x == y for y in it) for x in sub)


def _subsample_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """Every sentence keeps a subsequence of its tokens; words with f ≤ t are never
    dropped; each frequent word keeps about √(t/f) of its occurrences (5 σ)."""
    dataset, counter, num_tokens, t = a.args
    if not _is_int_lists(actual) or len(actual) != len(dataset):
        return _problem(f"应返回 {len(dataset)} 个句子（每个是 int 列表）",
                        f"should return {len(dataset)} sentences (lists of ints)")
    if not all(_is_subsequence(new_st, st) for new_st, st in zip(actual, dataset,
                                                                  strict=True)):
        return _problem("每个句子应只删去一些词、保持其余词的顺序",
                        "each sentence should only lose tokens, the rest kept in order")
    kept = _counter(actual)
    problems: list[tuple[str, str]] = []
    for idx, n in sorted(counter.items()):
        p = min(1.0, math.sqrt(t / counter[idx] * num_tokens))
        k = kept.get(idx, 0)
        if p >= 1.0 and k != n:
            problems += _problem(
                f"词 {idx} 的频率 f ≤ t，应全部保留（{n} 个只留下 {k} 个）",
                f"token {idx} has f ≤ t and must always be kept ({k} of {n} kept)")
            break
        if p < 1.0 and abs(k - n * p) > 5 * math.sqrt(n * p * (1 - p)) + 2:
            problems += _problem(
                f"词 {idx} 出现 {n} 次，应保留约 {n * p:.0f} 个（概率 √(t/f)），实际保留 {k} 个",
                f"token {idx} occurs {n} times; about {n * p:.0f} should be kept "
                f"(probability √(t/f)), {k} were")
            break
    return problems


def _contexts_case(num_sentences: int, V: int, max_len: int, max_window: int):
    def make(g: torch.Generator) -> Args:
        return args(_zipf_dataset(g, num_sentences, V, max_len), max_window)
    return make


def _contexts_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """Centres exact; each context a symmetric window of some size in 1 … max around its
    centre (clipped at the sentence ends); window sizes spread uniformly."""
    dataset, max_w = a.args
    if type(actual) not in (tuple, list) or len(actual) != 2:
        return _problem("应返回 (centers, contexts)", "should return (centers, contexts)")
    centers, contexts = actual
    expected = [x for st in dataset if len(st) >= 2 for x in st]
    if type(centers) is not list or centers != expected:
        return _problem("centers 不对：应依次是所有长度 ≥ 2 的句子中的每个词",
                        "centers are wrong: every token of every sentence of length ≥ 2, "
                        "in order")
    if not _is_int_lists(contexts) or len(contexts) != len(centers):
        return _problem("contexts 应是与 centers 等长的 int 列表的列表",
                        "contexts should be a list of int lists as long as centers")
    sizes: list[int] = []
    k = 0
    for st in (st for st in dataset if len(st) >= 2):
        for i in range(len(st)):
            ok = [w for w in range(1, max_w + 1)
                  if contexts[k] == st[max(0, i - w):i] + st[i + 1:i + 1 + w]]
            if not ok:
                return _problem(
                    f"第 {k} 个中心词的背景词不是它两侧大小为 1…{max_w} 的窗口（不含中心词本身）",
                    f"the contexts of centre {k} are not a window of size 1…{max_w} on both "
                    "sides of it (the centre itself excluded)")
            if i >= max_w and i + max_w < len(st):  # far from the ends: the size shows
                sizes.append(ok[0])
            k += 1
    if max_w > 1 and len(sizes) >= 60:  # 4.5 binomial standard deviations of slack
        share, p = sizes.count(max_w) / len(sizes), 1 / max_w
        if abs(share - p) > 4.5 * math.sqrt(p * (1 - p) / len(sizes)):
            return _problem(
                f"窗口大小应在 1…{max_w} 中均匀随机选取（取 {max_w} 的比例为 {share:.2f}）",
                f"the window size should be drawn uniformly from 1…{max_w} (it was {max_w} "
                f"for a share of {share:.2f})")
    return []


def _negatives_case(num_examples: int, V: int, K: int):
    def make(g: torch.Generator) -> Args:
        # Zipf-like counts spanning three orders of magnitude, so that count^0.75 and
        # count differ clearly
        noise = torch.randint(0, 5, (V,), generator=g).tolist()
        counts = [int(4000 / (r + 1) ** 1.5) + 2 + noise[r] for r in range(V)]
        contexts = [torch.randperm(V, generator=g)[:int(n)].tolist()
                    for n in torch.randint(1, 5, (num_examples,), generator=g)]
        return args(contexts, counts, K)
    return make


def _chi2_limit(df: int) -> float:
    """A very safe upper limit for a chi-square statistic (mean df, sd √(2 df))."""
    return df + 8 * math.sqrt(2 * df) + 10


def _negatives_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """K per context word, none of them a context word, drawn ∝ count^0.75 (chi-square)."""
    contexts, counts, K = a.args
    V = len(counts)
    if not _is_int_lists(actual) or len(actual) != len(contexts):
        return _problem(f"应返回 {len(contexts)} 个 int 列表", f"should return "
                        f"{len(contexts)} lists of ints")
    observed = [0] * V
    expected = [0.0] * V
    weights = [c ** 0.75 for c in counts]
    for negs, ctx in zip(actual, contexts, strict=True):
        if len(negs) != K * len(ctx):
            return _problem(f"每个背景词应配 K={K} 个噪声词", f"each context word needs "
                            f"K={K} noise words")
        if any(not 0 <= n < V or n in ctx for n in negs):
            return _problem("噪声词应是词典中的词，且不能是该样本的背景词",
                            "noise words must be vocabulary indices and never one of the "
                            "example's context words")
        total = sum(w for j, w in enumerate(weights) if j not in ctx)
        for n in negs:
            observed[n] += 1
        for j, w in enumerate(weights):
            if j not in ctx:
                expected[j] += len(negs) * w / total
    stat = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True) if e > 0)
    if stat > _chi2_limit(V - 1):
        return _problem(f"噪声词的频率与 count^0.75 成正比的分布不符（χ² = {stat:.0f}）",
                        f"the noise words' frequencies do not follow count^0.75 "
                        f"(χ² = {stat:.0f})")
    return []


def _batchify_case(B: int, V: int, max_ctx: int, K: int):
    def make(g: torch.Generator) -> Args:
        data = []
        for _ in range(B):
            n = int(torch.randint(1, max_ctx + 1, (1,), generator=g))
            ctx = torch.randint(1, V, (n,), generator=g).tolist()
            neg = torch.randint(1, V, (n * K,), generator=g).tolist()
            data.append((int(torch.randint(0, V, (1,), generator=g)), ctx, neg))
        return args(data)
    return make


def _embedding(g: torch.Generator, V: int, d: int, scale: float) -> Recipe:
    return new("torch.nn.Embedding", V, d, state={"weight": _randn(g, V, d, scale=scale)})


def _skip_gram_case(B: int, L: int, V: int, d: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.randint(0, V, (B, 1), generator=g),
                    torch.randint(0, V, (B, L), generator=g),
                    _embedding(g, V, d, 0.5), _embedding(g, V, d, 0.5))
    return make


def _loss_case(B: int, L: int, with_mask: bool = True):
    def make(g: torch.Generator) -> Args:
        lengths = torch.randint(1, L + 1, (B,), generator=g)
        mask = (torch.arange(L)[None, :] < lengths[:, None]).float()
        labels = (torch.rand(B, L, generator=g) < 0.3).float() * mask
        inputs = _randn(g, B, L, scale=2.0)
        return args(inputs, labels, mask) if with_mask else args(inputs, labels)
    return make


def _book_loss_case(g: torch.Generator) -> Args:
    pred = torch.tensor([[1.5, 0.3, -1.0, 2.0], [1.1, -0.6, 2.2, 0.4]])
    label = torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]])
    mask = torch.tensor([[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0]])
    return args(pred, label, mask)


def _ptb_batches(seed: int, num_sentences: int, batch_size: int, window: int, K: int
                 ) -> tuple[int, list[tuple[torch.Tensor, ...]]]:
    """Minibatches of the PTB stand-in built with the reference pipeline, seeded."""
    state = random.getstate()
    random.seed(seed)
    try:
        idx_to_token, dataset = ref.ptb_to_indices(standin_sentences("train"))
        counter = _counter(dataset)
        start = (seed * 211) % (len(dataset) - num_sentences)
        part = dataset[start:start + num_sentences]
        centers, contexts = ref.get_centers_and_contexts(part, window)
        negatives = ref.get_negatives(contexts, [counter[i] for i in range(len(idx_to_token))],
                                      K)
    finally:
        random.setstate(state)
    data = list(zip(centers, contexts, negatives, strict=True))
    return len(idx_to_token), [ref.batchify(data[i:i + batch_size])
                               for i in range(0, len(data), batch_size)]


def _train_case(seed: int, num_sentences: int, d: int, num_epochs: int):
    def make(g: torch.Generator) -> Args:
        V, batches = _ptb_batches(seed, num_sentences, 256, 2, 5)
        net = new("torch.nn.Sequential", new("torch.nn.Embedding", V, d),
                  new("torch.nn.Embedding", V, d),
                  state={"0.weight": _randn(g, V, d, scale=0.1),
                         "1.weight": _randn(g, V, d, scale=0.1)}, bind="net")
        return args(net, batches, 0.01, num_epochs)
    return make


def _measured_loss(state: dict[str, torch.Tensor], batches: list) -> float:
    """The grader's own loss with the trained embeddings (reference forward and loss)."""
    embed_v = torch.nn.Embedding.from_pretrained(state["0.weight"])
    embed_u = torch.nn.Embedding.from_pretrained(state["1.weight"])
    total = 0.0
    with torch.no_grad():
        for center, context_negative, mask, label in batches:
            pred = ref.skip_gram(center, context_negative, embed_v, embed_u)
            total += float((ref.loss(pred.view(label.shape), label, mask)
                            * mask.shape[1] / mask.sum(dim=1)).mean())
    return total / len(batches)


def _train_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    net, batches, _, num_epochs = a.args
    if type(actual) is not dict or set(actual) != {"return", "bound:net"}:
        return _problem("无法读取结果", "the result could not be read")
    reported, state = actual["return"], actual["bound:net"]
    if type(reported) is not list or len(reported) != num_epochs or not all(
            type(v) is float and math.isfinite(v) for v in reported):
        return _problem(f"应返回 {num_epochs} 个有限的 Python float（每个周期的平均损失）",
                        f"should return {num_epochs} finite Python floats (the mean loss "
                        "of each epoch)")
    given = net.params["state"]
    if type(state) is not dict or sorted(state) != sorted(given) or any(
            type(state[k]) is not torch.Tensor or state[k].shape != given[k].shape
            or not torch.isfinite(state[k]).all() for k in given):
        return _problem("net 的参数名、形状不对或含 NaN", "net's parameter names or shapes "
                        "changed, or they hold NaN")
    measured = _measured_loss(state, batches)
    if not measured < TRAIN_LIMIT:
        return _problem(f"训练后的损失是 {measured:.3f}，正确的实现低于 {TRAIN_LIMIT}",
                        f"after training the loss is {measured:.3f}; a correct "
                        f"implementation gets below {TRAIN_LIMIT}")
    if not (reported[-1] < reported[0] and abs(reported[-1] - measured) < 0.2):
        return _problem(f"报告的损失 {reported[0]:.3f} → {reported[-1]:.3f} 不合理",
                        f"the reported losses {reported[0]:.3f} → {reported[-1]:.3f} are "
                        "implausible")
    return []


def _words(n: int) -> list[str]:
    return [f"w{i}" for i in range(n)]


def _similar_case(V: int, d: int, k: int):
    def make(g: torch.Generator) -> Args:
        q = int(torch.randint(0, V, (1,), generator=g))
        return args(f"w{q}", k, _randn(g, V, d), _words(V))
    return make


# ---- §10.4 -----------------------------------------------------------------------------------

def _fasttext_case(known: list[str], word: str, min_n: int, max_n: int, d: int):
    def make(g: torch.Generator) -> Args:
        grams = sorted({s for w in known for s in ref.get_subwords(w, min_n, max_n)})
        table = {s: _randn(g, d) for s in grams}
        return args(word, table, min_n, max_n)
    return make


_BPE_BOOK = {"f a s t _": 4, "f a s t e r _": 3, "t a l l _": 5, "t a l l e r _": 4}


def _bpe_case(words: dict[str, int], num_merges: int):
    return lambda g: args(dict(words), num_merges)


# ---- §10.5 -----------------------------------------------------------------------------------

def _cooc_case(num_sentences: int, V: int, window: int):
    def make(g: torch.Generator) -> Args:
        return args(_zipf_dataset(g, num_sentences, V, 9), V, window)
    return make


def _weight_case(n: int, c: float, alpha: float):
    def make(g: torch.Generator) -> Args:
        x = torch.randint(0, int(2 * c), (n,), generator=g).float()
        x[0] = 0.0
        return args(x, c, alpha)
    return make


def _glove_case(V: int, d: int, x_max: float, alpha: float):
    def make(g: torch.Generator) -> Args:
        X = torch.randint(0, 40, (V, V), generator=g).float()
        X = X * (torch.rand(V, V, generator=g) < 0.6)
        return args(_randn(g, V, d, scale=0.3), _randn(g, V, d, scale=0.3),
                    _randn(g, V, scale=0.3), _randn(g, V, scale=0.3), X, x_max, alpha)
    return make


# ---- §10.6 -----------------------------------------------------------------------------------

def _analogy_table() -> tuple[list[str], torch.Tensor]:
    items = analogy_vectors()
    tokens = [t for t, _ in items]
    idx_to_token, _, W = ref.token_embedding(tokens, torch.tensor([v for _, v in items]))
    return idx_to_token, W


def _token_embedding_case(n: int, d: int):
    def make(g: torch.Generator) -> Args:
        return args(_words(n), _randn(g, n, d))
    return make


def _knn_case(V: int, d: int, k: int):
    """Row 0 is zero, like the ``<unk>`` row of :func:`token_embedding`."""
    def make(g: torch.Generator) -> Args:
        W = _randn(g, V, d)
        W[0] = 0.0
        return args(W, _randn(g, d), k)
    return make


def _analogy_case(a: str, b: str, c: str):
    def make(g: torch.Generator) -> Args:
        idx_to_token, W = _analogy_table()
        return args(a, b, c, W, idx_to_token)
    return make


def _random_analogy_case(V: int, d: int):
    def make(g: torch.Generator) -> Args:
        a, b, c = (f"w{int(i)}" for i in torch.randperm(V, generator=g)[:3])
        return args(a, b, c, _randn(g, V, d), _words(V))
    return make


KNN_STAND_IN = {"knn": _stand_in("knn")}

QUESTIONS = [
    # §10.1
    Question("skipgram_log_prob", 1, ref.skipgram_log_prob, cases=[
        public(_skipgram_case(6, 4, 1.0)),
        hidden(_skipgram_case(20, 8, 1.0)),
        hidden(_skipgram_case(50, 5, 6.0)),  # large scores: a naive log(sum(exp)) overflows
    ]),
    Question("skipgram_grad", 2, ref.skipgram_grad, tolerance=FLOAT64, cases=[
        public(_skipgram_case(6, 4, 1.0, torch.float64)),
        hidden(_skipgram_case(15, 7, 0.8, torch.float64)),
        hidden(_skipgram_case(40, 3, 2.0, torch.float64)),
    ]),
    Question("cbow_log_prob", 1, ref.cbow_log_prob, cases=[
        public(_cbow_case(2, 6, 4, 1.0)),
        hidden(_cbow_case(4, 12, 5, 1.0)),
        hidden(_cbow_case(3, 30, 8, 0.5)),
    ]),
    # §10.2
    Question("neg_sampling_loss", 1, ref.neg_sampling_loss, cases=[
        public(_neg_case(3, 4, 1.0)),
        hidden(_neg_case(5, 8, 1.0)),
        hidden(_neg_case(1, 6, 5.0)),
    ]),
    Question("hier_softmax_prob", 2, ref.hier_softmax_prob, cases=[
        public(_hier_case(8, 4, 5, 1.0)),
        hidden(_hier_case(8, 4, 0, 1.0)),
        hidden(_hier_case(11, 6, 10, 0.7)),   # not a power of two: leaves on two levels
        hidden(_hier_case(5, 3, 1, 1.5)),
    ]),
    # §10.3
    Question("ptb_to_indices", 2, ref.ptb_to_indices, cases=[
        public(_ptb_case(300, 5)),
        hidden(_ptb_case(2000, 5)),
        hidden(_ptb_case(150, 10, seed=1)),
        hidden(_toy_ptb_case),
    ]),
    Question("subsample", 2, ref.subsample, invariant=_subsample_invariant, cases=[
        public(_subsample_case(300, 40, 0.01)),
        hidden(_subsample_case(400, 60, 0.005)),
        hidden(_subsample_case(300, 30, 0.02)),
    ]),
    Question("get_centers_and_contexts", 2, ref.get_centers_and_contexts,
             invariant=_contexts_invariant, cases=[
        public(_contexts_case(60, 20, 10, 2)),
        hidden(_contexts_case(40, 20, 8, 1)),
        hidden(_contexts_case(120, 30, 14, 3)),
        hidden(_contexts_case(80, 25, 12, 2)),
    ]),
    Question("get_negatives", 2, ref.get_negatives, invariant=_negatives_invariant, cases=[
        public(_negatives_case(800, 12, 5)),
        hidden(_negatives_case(1000, 15, 5)),
        hidden(_negatives_case(1500, 10, 3)),
    ]),
    Question("batchify", 2, ref.batchify, cases=[
        public(_batchify_case(3, 10, 3, 2)),
        hidden(_batchify_case(8, 30, 4, 5)),
        hidden(_batchify_case(5, 20, 2, 3)),
    ]),
    Question("skip_gram", 2, ref.skip_gram, cases=[
        public(_skip_gram_case(2, 4, 10, 3)),
        hidden(_skip_gram_case(6, 9, 20, 5)),
        hidden(_skip_gram_case(1, 3, 8, 4)),
    ]),
    Question("SigmoidBinaryCrossEntropyLoss", 2, ref.SigmoidBinaryCrossEntropyLoss,
             kind=Construct(), cases=[
        public(_book_loss_case),
        hidden(_loss_case(5, 7)),
        hidden(_loss_case(3, 4, with_mask=False)),
    ]),
    Question("train_word2vec", 3, ref.train_word2vec, kind=Call(harvest=("return", "bound:net")),
             invariant=_train_invariant, isolate={"loss": _stand_in("sigmoid_bce")}, cases=[
        public(_train_case(1, 300, 32, 5)),
        hidden(_train_case(2, 300, 24, 5)),
    ]),
    Question("get_similar_tokens", 1, ref.get_similar_tokens, cases=[
        public(_similar_case(10, 4, 3)),
        hidden(_similar_case(40, 8, 5)),
        hidden(_similar_case(25, 6, 1)),
    ]),
    # §10.4
    Question("get_subwords", 2, ref.get_subwords, cases=[
        public(lambda g: args("where", 3, 3)),
        hidden(lambda g: args("where", 3, 6)),
        hidden(lambda g: args("going", 2, 5)),
        hidden(lambda g: args("banana", 2, 4)),
    ]),
    Question("fasttext_vector", 1, ref.fasttext_vector,
             isolate={"get_subwords": _stand_in("get_subwords")}, cases=[
        public(_fasttext_case(["where", "here"], "where", 3, 3, 4)),
        hidden(_fasttext_case(["where", "there"], "here", 3, 6, 5)),     # never seen itself
        hidden(_fasttext_case(["cat", "dog"], "xyz", 3, 4, 3)),          # nothing known
        hidden(_fasttext_case(["fastest", "slow"], "slowest", 3, 5, 6)),
    ]),
    Question("bpe_merges", 2, ref.bpe_merges, cases=[
        public(_bpe_case(_BPE_BOOK, 10)),
        hidden(_bpe_case({"l o w _": 5, "l o w e r _": 2, "n e w e s t _": 6,
                          "w i d e s t _": 3}, 8)),
        hidden(_bpe_case({"a a a a": 3, "b a b a": 3}, 4)),     # overlapping pairs, a tie
        hidden(_bpe_case({"a b": 2, "c d": 2, "e": 1}, 5)),      # a tie, then no pairs left
        # "ab c" becomes "abc", which an earlier merge already made: frequencies add (5)
        hidden(_bpe_case({"a b c": 2, "ab c": 3, "x y": 1}, 3)),
    ]),
    # §10.5
    Question("cooccurrence", 2, ref.cooccurrence, cases=[
        public(lambda g: args([[0, 1, 2, 1], [2, 3]], 4, 1)),
        hidden(_cooc_case(10, 8, 2)),
        hidden(_cooc_case(20, 12, 3)),
        hidden(_cooc_case(5, 6, 1)),
    ]),
    Question("glove_weight", 1, ref.glove_weight, cases=[
        public(lambda g: args(torch.tensor([0.0, 1.0, 50.0, 100.0, 300.0]), 100.0, 0.75)),
        hidden(_weight_case(20, 100.0, 0.75)),
        hidden(_weight_case(15, 10.0, 0.5)),
    ]),
    Question("glove_loss", 2, ref.glove_loss,
             isolate={"glove_weight": _stand_in("glove_weight")}, cases=[
        public(_glove_case(4, 3, 100.0, 0.75)),
        hidden(_glove_case(9, 5, 20.0, 0.75)),
        hidden(_glove_case(12, 4, 10.0, 0.5)),
    ]),
    # §10.6
    Question("token_embedding", 1, ref.token_embedding, cases=[
        public(_token_embedding_case(3, 4)),
        hidden(_token_embedding_case(10, 6)),
        hidden(_token_embedding_case(1, 2)),
    ]),
    Question("knn", 2, ref.knn, cases=[
        public(_knn_case(6, 3, 2)),
        hidden(_knn_case(30, 8, 5)),
        hidden(_knn_case(12, 4, 1)),
    ]),
    Question("get_analogy", 2, ref.get_analogy, isolate=KNN_STAND_IN, cases=[
        public(_analogy_case("man", "woman", "son")),
        hidden(_analogy_case("paris", "france", "rome")),
        hidden(_analogy_case("see", "saw", "take")),
        hidden(_random_analogy_case(20, 5)),
        hidden(_random_analogy_case(40, 3)),
    ]),
]

NOTEBOOK = NotebookSpec("word_embeddings", QUESTIONS, prepare_data=prepare_data)
