"""Chapter 6, notebook ``language_models``: §6.1–6.5 (reference: ``ch06_language_models``).

§6.1–6.3 are exact: n-gram counts and probabilities, perplexity, the stacked-weight
update, the corpus and the consecutive iterator.  Random sampling draws random numbers,
so ``data_iter_random`` is judged by what every correct shuffle satisfies (see
:func:`_random_iter_invariant`); ``get_params`` by its shapes and statistics.

Isolation, so that one mistake costs one question.  ``predict_rnn`` and ``train_rnn``
take the model as arguments (``rnn``, ``init_rnn_state``), as in the book; the cases pass
a stand-in with the same calling convention instead of the student's ``rnn``: a GRU
language model built on ``torch.gru``, written in TorchScript so that a case can
carry it as data (``torch.jit.CompilationUnit``; it is not an answer to any question
here).  The student's ``to_onehot`` is replaced by ``F.one_hot`` while these run — the
stand-in reads either form, a list of (batch, vocab) steps or a (batch, steps, vocab)
integer tensor — and the notebook's ``grad_clipping`` by ``clip_grad_norm_``.  Training
is judged by thresholds: the trusted side runs the stand-in (or ``RNNModel``) with the
trained weights over the case's minibatches and measures the perplexity itself, so a
made-up number cannot pass.  ``train_rnn_pytorch`` builds the student's own ``RNNModel``
(a class cannot be handed over as data), so a broken ``RNNModel`` costs that question too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F

from autograder.compare import Tolerance
from autograder.kinds import Builder, Call, Construct, leaf, new, partial
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from autograder.wire import Recipe
from reference_impl import ch06_language_models as ref
from reference_impl.jay_lyrics import standin_text, write_lyrics_standin

WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)  # recurrent networks with given weights

#: A GRU language model in the scratch ``rnn(inputs, state, params)`` convention, with
#: params ``[w_ih (3H, V), w_hh (3H, H), b_ih (3H), b_hh (3H), W_hq (H, V), b_q (V)]``.
GRU_LM_SOURCE = """
def gru_lm(inputs: Union[List[Tensor], Tensor], state: Tuple[Tensor],
           params: List[Tensor]) -> Tuple[List[Tensor], Tuple[Tensor]]:
    # A list holds one (batch, vocab) tensor per time step (to_onehot's output); a tensor
    # is F.one_hot(X, vocab_size): (batch, steps, vocab) integers, time second.
    if isinstance(inputs, Tensor):
        X = inputs.transpose(0, 1).to(torch.float32)
    else:
        X = torch.stack(inputs).to(torch.float32)
    Y, H = torch.gru(X, state[0].unsqueeze(0), params[:4], True, 1, 0.0, True, False, False)
    outputs = torch.matmul(Y, params[4]) + params[5]
    # Fresh tensors, as the book's own rnn returns, not views: its training loop's
    # `for s in state: s.detach_()` cannot detach a view in place.
    return [o.clone() for o in outputs.unbind(0)], (H[0].clone(),)


def init_gru_lm_state(batch_size: int, num_hiddens: int) -> Tuple[Tensor]:
    return (torch.zeros(batch_size, num_hiddens),)
"""


def gru_lm_eager(X: torch.Tensor, H: torch.Tensor, params_: list[torch.Tensor]
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """:data:`GRU_LM_SOURCE`'s model run eagerly on (batch, steps) indices, for the
    grader's own measurements: (steps·batch, vocab) outputs and the final state."""
    V = params_[0].shape[1]
    inputs = F.one_hot(X.T, V).to(torch.float32)
    Y, H_n = torch.gru(inputs, H.unsqueeze(0), params_[:4], True, 1, 0.0, False, False, False)
    return (Y @ params_[4] + params_[5]).reshape(-1, V), H_n[0]


ONEHOT_STAND_IN = partial("torch.nn.functional.one_hot")
CLIP_STAND_IN = partial("torch.nn.utils.clip_grad_norm_")

#: Perplexity limits for the training questions, measured by the grader on the case's own
#: minibatches after training.  A correct solution reaches 1.3–1.6 on the scratch cases
#: (their data and weights are fixed, so every correct solution lands there) and 1.3–1.8
#: on the concise ones over 12 seeds of the ``dense`` layer's initialisation; an untrained
#: model stays near the vocabulary size (≈ 50).
TRAIN_LIMIT = 3.0
PYTORCH_LIMIT = 3.0


@contextmanager
def _one_thread() -> Iterator[None]:
    """The grader's own measurements run on one thread: tiny recurrent kernels on a
    shared machine pay more for waking a thread pool than for the arithmetic."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _script(name: str) -> Recipe:
    """A function of :data:`GRU_LM_SOURCE`, compiled where the case runs."""
    unit = new("torch.jit.CompilationUnit", GRU_LM_SOURCE)
    return new("torch.jit.CompilationUnit.find_function", unit, name)


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


def _is_float(v: Any) -> bool:
    return type(v) is float and math.isfinite(v)


# ---- §6.1 n-grams and perplexity ---------------------------------------------------------

_WORDS = "the cat sat on the mat the cat ate the rat on the mat".split()
_CHARS = list("我爱北京我爱上海你爱北京他也爱北京我们都爱北京")


def _random_words(g: torch.Generator, n: int, vocab: list[str]) -> list[str]:
    return [vocab[int(i)] for i in torch.randint(0, len(vocab), (n,), generator=g)]


_SMALL_VOCAB = ["a", "b", "c", "d"]


def _random_cond_case(n: int):
    """Random words over four types; the context is the corpus's first bigram (so it
    occurs) and the word the one that follows it there (so the probability is not 0)."""
    def make(g: torch.Generator) -> Args:
        tokens = _random_words(g, n, _SMALL_VOCAB)
        return args(tokens, tokens[:2], tokens[2])
    return make


def _nll_case(n: int, scale: float):
    def make(g: torch.Generator) -> Args:
        return args([round(float(v), 6) for v in torch.rand(n, generator=g) * scale])
    return make


# ---- §6.2 ------------------------------------------------------------------------------

def _step_case(batch: int, d: int, h: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, batch, d), _randn(g, batch, h), _randn(g, d + h, h, scale=0.5),
                    _randn(g, h, scale=0.5))
    return make


# ---- §6.3 corpus and sampling -----------------------------------------------------------

def _text_case(text: str, num_chars: int):
    return lambda g: args(text, num_chars)


def _standin_case(seed: int, num_chars: int):
    return lambda g: args(standin_text(num_lines=60, seed=seed), num_chars)


def _perm_corpus(n: int):
    """Distinct values in random order, so every value tells its position."""
    def make(g: torch.Generator) -> list[int]:
        return [int(v) for v in torch.randperm(n, generator=g) + 100]
    return make


def _iter_case(n: int, batch_size: int, num_steps: int, distinct: bool = True):
    def make(g: torch.Generator) -> Args:
        if distinct:
            corpus = _perm_corpus(n)(g)
        else:
            corpus = [int(v) for v in torch.randint(0, 40, (n,), generator=g)]
        return args(corpus, batch_size, num_steps)
    return make


def _random_iter_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    """Every correct random sampler yields these batches, in some order."""
    corpus, batch_size, num_steps = a.args
    num_examples = (len(corpus) - 1) // num_steps
    want = num_examples // batch_size
    if type(actual) is not list or not all(
        type(b) in (tuple, list) and len(b) == 2 and all(type(t) is torch.Tensor for t in b)
        for b in actual
    ):
        return _problem("应逐个产生 (X, Y) 两个张量", "should yield pairs of tensors (X, Y)")
    if len(actual) != want:
        return _problem(f"应产生 {want} 个小批量（{num_examples} 个样本，每批 {batch_size} 个，"
                        f"余下的丢弃），得到 {len(actual)} 个",
                        f"should yield {want} minibatches ({num_examples} examples, "
                        f"{batch_size} per batch, the rest dropped), got {len(actual)}")
    position = {v: i for i, v in enumerate(corpus)}
    starts: list[int] = []
    for X, Y in actual:
        if X.dtype != torch.int64 or Y.dtype != torch.int64:
            return _problem(f"X 和 Y 应为 torch.int64，得到 {X.dtype} 和 {Y.dtype}",
                            f"X and Y should be torch.int64, got {X.dtype} and {Y.dtype}")
        if tuple(X.shape) != (batch_size, num_steps) or tuple(Y.shape) != (batch_size,
                                                                            num_steps):
            return _problem(f"X 和 Y 的形状应为 ({batch_size}, {num_steps})，得到 "
                            f"{list(X.shape)} 和 {list(Y.shape)}",
                            f"X and Y should have shape ({batch_size}, {num_steps}), got "
                            f"{list(X.shape)} and {list(Y.shape)}")
        for x_row, y_row in zip(X.tolist(), Y.tolist(), strict=True):
            start = position.get(x_row[0], -1)
            if start < 0 or corpus[start:start + num_steps] != x_row:
                return _problem("X 的每一行应是语料中连续的一段",
                                "each row of X should be a contiguous piece of the corpus")
            if start % num_steps:
                return _problem(f"每段的起点应是 num_steps = {num_steps} 的倍数（互不重叠的样本），"
                                f"得到起点 {start}",
                                f"each piece should start at a multiple of num_steps = "
                                f"{num_steps} (non-overlapping examples), got start {start}")
            if corpus[start + 1:start + num_steps + 1] != y_row:
                return _problem("Y 应是 X 在语料中向后错开一个位置的结果",
                                "Y should be X shifted one position on in the corpus")
            starts.append(start)
    if len(set(starts)) != len(starts):
        return _problem("同一个样本在一个周期里出现了不止一次"
                        "（应打乱样本的顺序，而不是有放回地抽取）",
                        "an example appears more than once in the epoch (shuffle the "
                        "examples rather than drawing with replacement)")
    if len(starts) >= 8 and starts == sorted(starts):
        return _problem("样本没有被打乱（应使用 random.shuffle）",
                        "the examples were not shuffled (use random.shuffle)")
    return []


# ---- §6.4 scratch RNN ---------------------------------------------------------------------

def _onehot_case(batch: int, steps: int, n_class: int):
    def make(g: torch.Generator) -> Args:
        return args(torch.randint(0, n_class, (batch, steps), generator=g), n_class)
    return make


def _get_params_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    V, H = a.args
    shapes = [(V, H), (H, H), (H,), (H, V), (V,)]
    names = ["W_xh", "W_hh", "b_h", "W_hq", "b_q"]
    if type(actual) is not list or len(actual) != 5 \
            or not all(type(t) is torch.Tensor for t in actual):
        return _problem("应返回 5 个张量组成的列表 [W_xh, W_hh, b_h, W_hq, b_q]",
                        "should return a list of 5 tensors [W_xh, W_hh, b_h, W_hq, b_q]")
    for name, t, shape in zip(names, actual, shapes, strict=True):
        if tuple(t.shape) != shape or t.dtype != torch.float32:
            return _problem(f"{name} 应是形状 {shape} 的 float32 张量，得到 {list(t.shape)}、"
                            f"{t.dtype}", f"{name} should be a float32 tensor of shape "
                            f"{shape}, got {list(t.shape)}, {t.dtype}")
    problems: list[tuple[str, str]] = []
    for name, t in zip(names, actual, strict=True):
        if name.startswith("b"):
            if not torch.all(t == 0):
                problems += _problem(f"{name} 应初始化为 0", f"{name} should start at zero")
            continue
        std, mean, n = t.double().std().item(), t.double().mean().item(), t.numel()
        std_off = abs(std - 0.01) > max(0.001, 5 * 0.01 / (2 * n) ** 0.5)
        if std_off or abs(mean) > 5 * 0.01 / n ** 0.5:
            problems += _problem(f"{name} 应服从均值 0、标准差 0.01 的正态分布"
                                 f"（得到均值 {mean:.4f}、标准差 {std:.4f}）",
                                 f"{name} should be normal with mean 0 "
                                 f"and std 0.01 (got mean {mean:.4f}, std {std:.4f})")
    return problems


def _rnn_case(batch: int, steps: int, V: int, H: int, scale: float, dense: bool = False):
    """One-hot inputs (or, with ``dense``, any real inputs: the RNN is linear in X)."""
    def make(g: torch.Generator) -> Args:
        if dense:
            inputs = [_randn(g, batch, V) for _ in range(steps)]
        else:
            idx = torch.randint(0, V, (batch, steps), generator=g)
            inputs = list(F.one_hot(idx.T, V).to(torch.float32))
        state = (_randn(g, batch, H, scale=0.5),)
        params_ = [_randn(g, V, H, scale=scale), _randn(g, H, H, scale=scale),
                   _randn(g, H, scale=scale), _randn(g, H, V, scale=scale),
                   _randn(g, V, scale=scale)]
        return args(inputs, state, params_)
    return make


def _gru_params(g: torch.Generator, V: int, H: int, scale: float) -> list[torch.Tensor]:
    return [_randn(g, 3 * H, V, scale=scale), _randn(g, 3 * H, H, scale=scale),
            _randn(g, 3 * H, scale=scale), _randn(g, 3 * H, scale=scale),
            _randn(g, H, V, scale=scale), _randn(g, V, scale=scale)]


def _predict_case(chars: str, prefix: str, num_chars: int, H: int, scale: float):
    def make(g: torch.Generator) -> Args:
        idx_to_char = sorted(set(chars))
        char_to_idx = {c: i for i, c in enumerate(idx_to_char)}
        V = len(idx_to_char)
        return args(prefix, num_chars, _script("gru_lm"), _gru_params(g, V, H, scale),
                    _script("init_gru_lm_state"), H, V, idx_to_char, char_to_idx)
    return make


def _clip_case(shapes: list[tuple[int, ...]], scale: float, theta: float):
    def make(g: torch.Generator) -> Args:
        return args([_randn(g, *s, scale=scale) for s in shapes], theta)
    return make


def _lyrics_corpus(seed: int, num_chars: int) -> tuple[list[int], int]:
    corpus, _, _, vocab_size = ref.text_to_corpus(standin_text(seed=seed), num_chars)
    return corpus, vocab_size


def _consecutive_batches(corpus: list[int], batch_size: int, num_steps: int):
    return list(ref.data_iter_consecutive(corpus, batch_size, num_steps))


def _random_batches(g: torch.Generator, corpus: list[int], batch_size: int,
                    num_steps: int):
    """One epoch of random sampling, shuffled with the case's own generator."""
    data = torch.tensor(corpus, dtype=torch.int64)
    order = torch.randperm((len(corpus) - 1) // num_steps, generator=g).tolist()
    out = []
    for i in range(len(order) // batch_size):
        starts = [j * num_steps for j in order[i * batch_size:(i + 1) * batch_size]]
        out.append((torch.stack([data[s:s + num_steps] for s in starts]),
                    torch.stack([data[s + 1:s + num_steps + 1] for s in starts])))
    return out


def _train_case(seed: int, num_chars: int, batch_size: int, num_steps: int, H: int,
                is_random: bool, num_epochs: int):
    def make(g: torch.Generator) -> Args:
        corpus, V = _lyrics_corpus(seed, num_chars)
        if is_random:
            batches = _random_batches(g, corpus, batch_size, num_steps)
        else:
            batches = _consecutive_batches(corpus, batch_size, num_steps)
        weights = _gru_params(g, V, H, 0.1)
        for bias in weights[2:4] + weights[5:]:  # biases start at zero
            bias.zero_()
        return args(_script("gru_lm"), [leaf(w) for w in weights],
                    _script("init_gru_lm_state"), H, V, batches, is_random, num_epochs, 100.0,
                    0.01)
    return make


def _scratch_perplexity(params_: list[torch.Tensor], H: int, batches: list,
                        is_random: bool) -> float:
    """The stand-in's perplexity on ``batches`` with the given weights (no training)."""
    total, count, state = 0.0, 0, None
    with torch.no_grad(), _one_thread():
        for X, Y in batches:
            if is_random or state is None:
                state = torch.zeros(X.shape[0], H)
            output, state = gru_lm_eager(X, state, params_)
            y = Y.T.reshape(-1)
            total += F.cross_entropy(output, y, reduction="sum").item()
            count += y.numel()
    return math.exp(total / count)


def _train_rnn_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    _, params_r, _, H, _, batches, is_random, num_epochs = a.args[:8]
    if type(actual) is not dict or set(actual) != {"return", "arg:1"}:
        return _problem("无法读取结果", "the result could not be read")
    reported, trained = actual["return"], actual["arg:1"]
    if type(reported) is not list or len(reported) != num_epochs \
            or not all(_is_float(v) for v in reported):
        return _problem(f"应返回 {num_epochs} 个有限的 Python float（每个周期的困惑度）",
                        f"should return {num_epochs} finite Python floats (the perplexity "
                        "of each epoch)")
    shapes = [tuple(r.params["data"].shape) for r in params_r]
    if type(trained) is not list or [tuple(t.shape) for t in trained] != shapes:
        return _problem("params 的个数或形状变了（应原地更新传入的参数）",
                        "the number or shapes of params changed (update the given "
                        "parameters in place)")
    if all(torch.equal(t, r.params["data"]) for t, r in zip(trained, params_r, strict=True)):
        return _problem("传入的参数没有被更新（sgd 应原地修改 params）",
                        "the given parameters were not updated (sgd should change params "
                        "in place)")
    if not all(torch.isfinite(t).all() for t in trained):
        return _problem("训练发散了：参数含 NaN 或 Inf（梯度裁剪了吗？）",
                        "training diverged: the parameters contain NaN or Inf (were the "
                        "gradients clipped?)")
    ppl = _scratch_perplexity(trained, H, batches, is_random)
    problems: list[tuple[str, str]] = []
    if not ppl < TRAIN_LIMIT:
        problems += _problem(
            f"训练后模型在这些小批量上的困惑度是 {ppl:.2f}，正确的实现低于 {TRAIN_LIMIT}",
            f"after training the model's perplexity on these minibatches is {ppl:.2f}; a "
            f"correct implementation gets below {TRAIN_LIMIT}")
    elif not (1 <= reported[-1] < TRAIN_LIMIT + 1 and reported[-1] < reported[0]):
        problems += _problem(
            f"报告的困惑度 {reported[0]:.2f} → {reported[-1]:.2f} 不合理（应为每个周期的 "
            "exp(平均交叉熵)，并逐渐下降）",
            f"the reported perplexities {reported[0]:.2f} → {reported[-1]:.2f} are "
            "implausible (they should be exp(mean cross-entropy) of each epoch, falling)")
    return problems


# ---- §6.5 concise RNN ------------------------------------------------------------------

_LAYERS = {"RNN": "torch.nn.RNN", "GRU": "torch.nn.GRU", "LSTM": "torch.nn.LSTM"}


def _layer_template(kind: str, V: int, H: int, **kw: Any) -> torch.nn.Module:
    return getattr(torch.nn, kind)(V, H, **kw)


def _model_case(kind: str, V: int, H: int, batch: int, steps: int, with_state: bool,
                **kw: Any):
    def make(g: torch.Generator) -> Args:
        template = ref.RNNModel(_layer_template(kind, V, H, **kw), V)
        weights = {k: _randn(g, *v.shape, scale=0.4) for k, v in template.state_dict().items()}
        inputs = torch.randint(0, V, (batch, steps), generator=g)
        state = None
        if with_state:
            layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
            state = _randn(g, layers, batch, H, scale=0.5)
            if kind == "LSTM":
                state = (state, _randn(g, layers, batch, H, scale=0.5))
        return args(inputs, state, state=weights, init=[new(_LAYERS[kind], V, H, **kw), V])
    return make


def _pytorch_train_case(kind: str, seed: int, num_chars: int, batch_size: int,
                        num_steps: int, H: int, num_epochs: int):
    def make(g: torch.Generator) -> Args:
        corpus, V = _lyrics_corpus(seed, num_chars)
        layer = _layer_template(kind, V, H)
        weights = {k: _randn(g, *v.shape, scale=H ** -0.5)
                   for k, v in layer.state_dict().items()}
        return args(new(_LAYERS[kind], V, H, state=weights), V,
                    _consecutive_batches(corpus, batch_size, num_steps), num_epochs, 100.0,
                    0.01)
    return make


def _pytorch_perplexity(model: torch.nn.Module, batches: list) -> float:
    total, count, state = 0.0, 0, None
    with torch.no_grad(), _one_thread():
        for X, Y in batches:
            output, state = model(X, state)
            y = Y.T.reshape(-1)
            total += F.cross_entropy(output, y, reduction="sum").item()
            count += y.numel()
    return math.exp(total / count)


def _train_pytorch_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    layer_r, V, batches = a.args[:3]
    if type(actual) is not dict or not all(type(v) is torch.Tensor for v in actual.values()):
        return _problem("应返回训练好的 RNNModel", "should return the trained RNNModel")
    model = ref.RNNModel(Builder({}).build(layer_r), V)
    if sorted(actual) != sorted(model.state_dict()):
        return _problem(f"模型的参数名应为 {sorted(model.state_dict())}（属性 rnn 和 dense），"
                        f"得到 {sorted(actual)}",
                        f"the model's parameter names should be {sorted(model.state_dict())} "
                        f"(attributes rnn and dense), got {sorted(actual)}")
    try:
        model.load_state_dict(actual, strict=True)
    except RuntimeError:
        return _problem("模型参数的形状不对", "the model's parameters have the wrong shapes")
    if not all(torch.isfinite(v).all() for v in actual.values()):
        return _problem("训练发散了：参数含 NaN 或 Inf（梯度裁剪了吗？）",
                        "training diverged: the parameters contain NaN or Inf (were the "
                        "gradients clipped?)")
    ppl = _pytorch_perplexity(model, batches)
    if not ppl < PYTORCH_LIMIT:
        return _problem(
            f"训练后模型在这些小批量上的困惑度是 {ppl:.2f}，正确的实现低于 {PYTORCH_LIMIT}",
            f"after training the model's perplexity on these minibatches is {ppl:.2f}; a "
            f"correct implementation gets below {PYTORCH_LIMIT}")
    return []


QUESTIONS = [
    # §6.1
    Question("ngram_counts", 1, ref.ngram_counts, cases=[
        public(lambda g: args(_WORDS, 2)),
        hidden(lambda g: args(_CHARS, 1)),
        hidden(lambda g: args(_CHARS, 3)),
        hidden(lambda g: args(_random_words(g, 40, _SMALL_VOCAB), 2)),
    ]),
    # The edge cases (empty context, probability 0) are public, so that every hidden case
    # of these two computes a genuine conditional probability.
    Question("cond_prob", 1, ref.cond_prob, cases=[
        public(lambda g: args(_WORDS, ["the"], "cat")),
        public(lambda g: args(_WORDS, [], "the")),
        public(lambda g: args(_WORDS, ["on", "the"], "cat")),
        hidden(lambda g: args(_CHARS, ["我"], "爱")),
        hidden(lambda g: args(_CHARS, ["爱", "北"], "京")),
        hidden(lambda g: args(_WORDS, ["the", "cat"], "sat")),
        hidden(_random_cond_case(60)),
    ]),
    Question("seq_prob", 1, ref.seq_prob, cases=[
        public(lambda g: args(_WORDS, "on the mat".split())),
        public(lambda g: args(_WORDS, "the rat ate".split())),
        hidden(lambda g: args(_CHARS, list("我爱北京"))),
        hidden(lambda g: args(_CHARS, list("他也爱北京"), 3)),
        hidden(lambda g: args(_WORDS, "the cat ate the rat".split(), 2)),
        hidden(lambda g: args(_WORDS, "the cat sat on the mat".split(), 1)),
    ]),
    Question("perplexity", 1, ref.perplexity, cases=[
        public(lambda g: args([math.log(4.0)] * 5)),
        public(lambda g: args([0.0, 0.0, 0.0])),
        hidden(_nll_case(20, 3.0)),
        hidden(_nll_case(7, 0.5)),
        hidden(lambda g: args([0.0, 0.0, 0.0, 2.0])),
    ]),
    # §6.2
    Question("rnn_step", 1, ref.rnn_step, cases=[
        public(_step_case(3, 1, 4)),
        hidden(_step_case(5, 6, 8)),
        hidden(_step_case(1, 10, 3)),
    ]),
    # §6.3
    Question("text_to_corpus", 2, ref.text_to_corpus, cases=[
        public(_text_case("清晨的风吹过小河边\n我在窗前慢慢喝着茶\n", 10_000)),
        hidden(_standin_case(5, 300)),
        hidden(_text_case("雨落在安静的街道上\r\n你说明天还要去远方\r\n明天的风", 25)),
        hidden(_text_case("abc ba\ncab\rzz 我你他 ab\n", 10_000)),
    ]),
    Question("data_iter_random", 2, ref.data_iter_random, kind=Call(collect=True),
             invariant=_random_iter_invariant, cases=[
        public(lambda g: args(list(range(30)), 2, 6)),
        hidden(_iter_case(200, 3, 7)),
        hidden(_iter_case(100, 4, 5)),
        hidden(_iter_case(61, 1, 4)),
    ]),
    Question("data_iter_consecutive", 2, ref.data_iter_consecutive, kind=Call(collect=True),
             cases=[public(lambda g: args(list(range(30)), 2, 6)),
                    hidden(_iter_case(101, 3, 5, distinct=False)),
                    hidden(_iter_case(150, 4, 8, distinct=False)),
                    hidden(_iter_case(40, 1, 7, distinct=False))]),
    # §6.4
    Question("to_onehot", 1, ref.to_onehot, cases=[
        public(lambda g: args(torch.arange(10).reshape(2, 5), 10)),
        hidden(_onehot_case(3, 7, 12)),
        hidden(_onehot_case(4, 1, 5)),
    ]),
    Question("get_params", 1, ref.get_params, invariant=_get_params_invariant, cases=[
        public(lambda g: args(51, 64)),
        hidden(lambda g: args(40, 24)),
        hidden(lambda g: args(30, 32)),
    ]),
    Question("rnn", 2, ref.rnn, tolerance=WITH_WEIGHTS, cases=[
        public(_rnn_case(2, 3, 5, 4, 0.5)),
        hidden(_rnn_case(4, 6, 12, 8, 0.3)),
        hidden(_rnn_case(3, 1, 7, 5, 0.6)),
        hidden(_rnn_case(2, 5, 6, 10, 0.3, dense=True)),
    ]),
    Question("predict_rnn", 2, ref.predict_rnn, isolate={"to_onehot": ONEHOT_STAND_IN},
             cases=[public(_predict_case("你好世界天空海洋", "你好", 10, 8, 1.5)),
                    hidden(_predict_case("abcdefgh ", "cab", 15, 12, 2.0)),
                    hidden(_predict_case("清晨的风吹过小河边我在窗前", "风", 20, 6, 2.5)),
                    hidden(_predict_case("xyz", "zzyx", 5, 4, 3.0))]),
    Question("clip_gradients", 2, ref.clip_gradients, kind=Call(harvest=("return", "arg:0")),
             cases=[public(_clip_case([(3, 4), (4,)], 1.0, 0.5)),
                    hidden(_clip_case([(5, 5), (5, 2), (2,), (2,)], 0.3, 1.0)),
                    hidden(_clip_case([(3, 3), (3,)], 0.01, 1.0)),
                    hidden(_clip_case([(10,)], 2.0, 0.01))]),
    Question("train_rnn", 3, ref.train_rnn, kind=Call(harvest=("return", "arg:1")),
             invariant=_train_rnn_invariant,
             isolate={"to_onehot": ONEHOT_STAND_IN, "grad_clipping": CLIP_STAND_IN},
             cases=[public(_train_case(0, 2000, 32, 10, 48, False, 10)),
                    hidden(_train_case(3, 2000, 32, 10, 48, True, 10)),
                    hidden(_train_case(7, 2400, 24, 10, 32, False, 10))]),
    # §6.5
    Question("RNNModel", 2, ref.RNNModel, tolerance=WITH_WEIGHTS,
             kind=Construct(init=(new("torch.nn.RNN", 6, 5), 6)),
             cases=[public(_model_case("RNN", 6, 5, 2, 3, False)),
                    hidden(_model_case("RNN", 9, 7, 3, 4, True)),
                    hidden(_model_case("GRU", 8, 6, 2, 5, True)),
                    hidden(_model_case("LSTM", 7, 4, 3, 2, True)),
                    hidden(_model_case("RNN", 5, 3, 2, 4, False, bidirectional=True))]),
    Question("train_rnn_pytorch", 2, ref.train_rnn_pytorch, invariant=_train_pytorch_invariant,
             isolate={"grad_clipping": CLIP_STAND_IN},
             cases=[public(_pytorch_train_case("RNN", 0, 2000, 32, 10, 48, 10)),
                    hidden(_pytorch_train_case("GRU", 4, 2000, 32, 10, 48, 10)),
                    hidden(_pytorch_train_case("LSTM", 8, 2400, 24, 10, 48, 16))]),
]

NOTEBOOK = NotebookSpec("language_models", QUESTIONS, prepare_data=write_lyrics_standin)
