"""Chapter 10, notebook ``sentiment``: §10.7–10.8 (reference: ``ch10_sentiment``).

The data pipeline is exact.  ``read_imdb`` takes the review tree as a ``{relative path:
text}`` dict (the notebook's given ``read_text_tree`` reads the real folder into one), so
the cases hand it small trees of their own — with an ``unsup`` folder to skip, ids of
several digits to sort as strings, capitals and line breaks — and no graded question
reads files from the data folder (an ``otter run`` has none).

A ``Vocab`` is an object the wire cannot carry, so three questions go through small given
adapters in the notebook (``Question.object``): ``vocab_order(data)`` returns
``get_vocab_imdb(data).idx_to_token``, ``preprocess_with(data, idx_to_token, max_l)``
and ``predict_with(net, idx_to_token, sentence)`` rebuild a ``Vocab`` holding exactly the
given token order (``Vocab([], reserved=idx_to_token)``) and call the student's
``preprocess_imdb`` / ``predict_sentiment`` with it.  The data those cases pass is lower
case with single spaces, so a tokeniser mistake costs only ``get_tokenized_imdb``.
``predict_sentiment`` gets an ``nn.EmbeddingBag`` (sum mode) with given weights as its
network: any module mapping (1, L) indices to (1, 2) scores will do.

``BiRNN`` and ``TextCNN`` are built with given weights (``load_state_dict(strict=True)``,
eval mode, rtol 1e-4).  Training is judged by thresholds that the trusted side measures
itself: it loads the returned state into the reference network and classifies the
held-out half (``test``) of the same stand-in; it also checks that the frozen embedding
still holds the given vectors (and, for TextCNN, that the other one moved).
``TextCNN`` and ``train_textcnn`` run with ``GlobalMaxPool1d`` replaced by
``nn.AdaptiveMaxPool1d(1)``, so a pooling mistake costs one question.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

from autograder.compare import Tolerance
from autograder.kinds import Construct, new, partial
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from reference_impl import ch10_sentiment as ref
from reference_impl import imdb
from reference_impl.vocab import Vocab

WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)
CONSTRUCT = ("output", "num_params")
POOL_STAND_IN = partial("torch.nn.AdaptiveMaxPool1d", output_size=1)

#: Graded training: reviews cut to MAX_L words, sizes of the notebook's text.
MAX_L = 40
#: Held-out accuracy limits.  A correct solution reaches 0.87–0.93 (BiRNN, 10 epochs) and
#: 0.91–0.94 (TextCNN, 5 epochs) over several seeds; an untrained network guesses (≈ 0.5).
BIRNN_LIMIT = 0.75
TEXTCNN_LIMIT = 0.8


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


def _rng(g: torch.Generator) -> random.Random:
    return random.Random(int(torch.randint(0, 2**31, (1,), generator=g)))


_WORDS = imdb.POSITIVE + imdb.NEGATIVE + imdb.FILLER


def _sentence(rng: random.Random, lo: int, hi: int, words: tuple[str, ...] = _WORDS) -> str:
    return " ".join(rng.choice(words) for _ in range(rng.randint(lo, hi)))


# ---- §10.7 data --------------------------------------------------------------------------

def _tree_case(n_files: int, folder: str, max_id: int):
    """A small review tree: both splits, both labels, an ``unsup`` folder to skip, mixed
    case and a line break inside some reviews."""
    def make(g: torch.Generator) -> Args:
        rng = _rng(g)
        tree = {}
        for split in ("train", "test"):
            for label in ("pos", "neg", "unsup"):
                ids = rng.sample(range(max_id), n_files)
                for i in ids:
                    rating = 0 if label == "unsup" else rng.randint(7, 10) if label == "pos" \
                        else rng.randint(1, 4)
                    text = _sentence(rng, 3, 8).capitalize()
                    if rng.random() < 0.4:
                        text = text.replace(" ", "\n", 1).upper()
                    tree[f"{split}/{label}/{i}_{rating}.txt"] = text + "\n"
        keys = list(tree)
        rng.shuffle(keys)
        return args({k: tree[k] for k in keys}, folder)
    return make


def _data(rng: random.Random, n: int, lo: int, hi: int, upper: bool = False,
          words: tuple[str, ...] = _WORDS) -> list[list]:
    data = []
    for i in range(n):
        text = _sentence(rng, lo, hi, words)
        if upper and i % 2 == 0:
            text = text.title()
        data.append([text, rng.randint(0, 1)])
    return data


def _tokenize_case(n: int, lo: int, hi: int, upper: bool = False):
    def make(g: torch.Generator) -> Args:
        return args(_data(_rng(g), n, lo, hi, upper))
    return make


def _vocab_case(n: int, lo: int, hi: int, n_words: int):
    """Few word types over many reviews, so counts fall on both sides of 5."""
    def make(g: torch.Generator) -> Args:
        rng = _rng(g)
        words = tuple(rng.sample(_WORDS, n_words))
        return args(_data(rng, n, lo, hi, words=words))
    return make


def _tokens_for(rng: random.Random, n_known: int) -> list[str]:
    return ["<unk>", "<pad>"] + rng.sample(_WORDS, n_known)


def _preprocess_case(n: int, lo: int, hi: int, max_l: int, n_known: int):
    def make(g: torch.Generator) -> Args:
        rng = _rng(g)
        return args(_data(rng, n, lo, hi), _tokens_for(rng, n_known), max_l)
    return make


# ---- §10.7 model -----------------------------------------------------------------------

BIRNN_SIZES = {"vocab_size": 12, "embed_size": 5, "num_hiddens": 4, "num_layers": 2}


def _birnn_case(batch: int, steps: int, sizes: dict[str, int] | None = None,
                scale: float = 0.5):
    sizes = dict(sizes or BIRNN_SIZES)
    template = ref.BiRNN(**sizes)

    def make(g: torch.Generator) -> Args:
        state = {k: _randn(g, *v.shape, scale=scale) for k, v in template.state_dict().items()}
        X = torch.randint(0, sizes["vocab_size"], (batch, steps), generator=g)
        kw: dict[str, Any] = {"state": state}
        if sizes != BIRNN_SIZES:
            kw["init_kwargs"] = sizes
        return args(X, **kw)
    return make


def _embedding_case(n_words: int, n_vectors: int, dim: int, n_missing: int):
    def make(g: torch.Generator) -> Args:
        rng = _rng(g)
        pool = [f"w{i}" for i in range(n_words + n_vectors)]
        vector_tokens = rng.sample(pool, n_vectors)
        known = rng.sample(vector_tokens, n_words - n_missing)
        missing = rng.sample([w for w in pool if w not in vector_tokens], n_missing)
        words = known + missing
        rng.shuffle(words)
        return args(["<unk>", "<pad>"] + words, vector_tokens, _randn(g, n_vectors, dim))
    return make


@functools.lru_cache(maxsize=4)
def _standin_arrays(seed: int) -> dict[str, torch.Tensor]:
    """The stand-in of ``seed``, through the reference pipeline: train and test features
    (``MAX_L`` words), labels and the pretrained embedding of the train vocabulary."""
    tree = imdb.standin_tree(100, seed)
    train, test = ref.read_imdb(tree, "train"), ref.read_imdb(tree, "test")
    vocab = ref.get_vocab_imdb(train)
    vectors = imdb.standin_vectors(seed=seed)
    embed, _ = ref.load_pretrained_embedding(
        vocab.idx_to_token, [t for t, _ in vectors], torch.tensor([v for _, v in vectors]))
    features, labels = ref.preprocess_imdb(train, vocab, MAX_L)
    test_features, test_labels = ref.preprocess_imdb(test, vocab, MAX_L)
    return {"features": features, "labels": labels, "embed": embed,
            "test_features": test_features, "test_labels": test_labels}


def _train_case(seed: int):
    def make(g: torch.Generator) -> Args:
        a = _standin_arrays(seed)
        return args(a["features"], a["labels"], a["embed"])
    return make


def _held_out(features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    for seed in (0, 1):
        a = _standin_arrays(seed)
        if torch.equal(a["features"], features):
            return a["test_features"], a["test_labels"]
    raise KeyError("unknown training set")


@contextmanager
def _one_thread() -> Iterator[None]:
    """The grader's own accuracy runs on one thread: these networks are tiny, and on a
    shared machine waking a thread pool costs more than the arithmetic."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _held_out_accuracy(net: torch.nn.Module, features: torch.Tensor) -> float:
    with _one_thread():
        return ref.accuracy(net, *_held_out(features))


def _trained_net(actual: Any, template: torch.nn.Module) -> torch.nn.Module | None:
    want = template.state_dict()
    if type(actual) is not dict or sorted(actual) != sorted(want) or not all(
            type(actual[k]) is torch.Tensor and actual[k].shape == want[k].shape
            and actual[k].is_floating_point() for k in want):
        return None
    template.load_state_dict(actual, strict=True)
    return template


def _train_birnn_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    features, labels, embed = a.args[:3]
    net = _trained_net(actual, ref.BiRNN(embed.shape[0], embed.shape[1], 16, 2))
    if net is None:
        return _problem("应返回训练好的 BiRNN(len(embed), embed.shape[1], 16, 2)"
                        "（参数名或形状不对）",
                        "should return the trained BiRNN(len(embed), embed.shape[1], 16, 2) "
                        "(its parameter names or shapes differ)")
    if not torch.equal(net.embedding.weight, embed):
        return _problem("embedding.weight 应是给定的预训练词向量，并在训练中保持不变（冻结）",
                        "embedding.weight should hold the given pretrained vectors and keep "
                        "them through training (frozen)")
    acc = _held_out_accuracy(net, features)
    if not acc >= BIRNN_LIMIT:
        return _problem(f"在留出的测试评论上准确率为 {acc:.3f}，"
                        f"正确的实现能达到 {BIRNN_LIMIT} 以上",
                        f"the held-out accuracy is {acc:.3f}; a correct implementation reaches "
                        f"at least {BIRNN_LIMIT}")
    return []


def _predict_case(vocab_n: int, length: int, want: str, n_unknown: int = 0):
    """An EmbeddingBag(sum) "network" whose scores give ``want``: each word's row holds
    its (negative, positive) scores."""
    def make(g: torch.Generator) -> Args:
        rng = _rng(g)
        tokens = _tokens_for(rng, vocab_n)
        sentence = [rng.choice(tokens[2:]) for _ in range(length)]
        sentence += [f"zz{i}" for i in range(n_unknown)]
        rng.shuffle(sentence)
        W = _randn(g, len(tokens), 2)
        ids = [tokens.index(w) if w in tokens else 0 for w in sentence]
        score = W[ids].sum(0)
        if (score[1] > score[0]) != (want == "positive"):
            W = W.flip(1)
        net = new("torch.nn.EmbeddingBag", len(tokens), 2, mode="sum", state={"weight": W})
        return args(net, tokens, sentence)
    return make


# ---- §10.8 TextCNN ------------------------------------------------------------------------

def _corr1d_case(n: int, w: int, integer: bool = False):
    def make(g: torch.Generator) -> Args:
        if integer:
            return args(torch.randint(-5, 6, (n,), generator=g).float(),
                        torch.randint(-3, 4, (w,), generator=g).float())
        return args(_randn(g, n), _randn(g, w))
    return make


def _corr1d_multi_case(c: int, n: int, w: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, c, n), _randn(g, c, w))
    return make


def _pool_case(*shape: int):
    def make(g: torch.Generator) -> Args:
        return args(_randn(g, *shape))
    return make


TEXTCNN_SIZES = {"vocab_size": 15, "embed_size": 4, "kernel_sizes": [2, 3],
                 "num_channels": [3, 5]}


def _textcnn_case(batch: int, steps: int, sizes: dict[str, Any] | None = None,
                  scale: float = 0.5):
    sizes = dict(sizes or TEXTCNN_SIZES)
    template = ref.TextCNN(**sizes)

    def make(g: torch.Generator) -> Args:
        state = {k: _randn(g, *v.shape, scale=scale) for k, v in template.state_dict().items()}
        X = torch.randint(0, sizes["vocab_size"], (batch, steps), generator=g)
        kw: dict[str, Any] = {"state": state}
        if sizes != TEXTCNN_SIZES:
            kw["init_kwargs"] = sizes
        return args(X, **kw)
    return make


def _train_textcnn_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    features, labels, embed = a.args[:3]
    net = _trained_net(actual, ref.TextCNN(embed.shape[0], embed.shape[1], [3, 4, 5],
                                           [8, 8, 8]))
    if net is None:
        return _problem("应返回训练好的 TextCNN(len(embed), embed.shape[1], [3, 4, 5], [8, 8, 8])"
                        "（参数名或形状不对）",
                        "should return the trained TextCNN(len(embed), embed.shape[1], "
                        "[3, 4, 5], [8, 8, 8]) (its parameter names or shapes differ)")
    if not torch.equal(net.constant_embedding.weight, embed):
        return _problem("constant_embedding.weight 应是给定的词向量，并在训练中保持不变（冻结）",
                        "constant_embedding.weight should hold the given vectors and keep them "
                        "through training (frozen)")
    if float((net.embedding.weight.detach() - embed).abs().max()) < 1e-4:
        return _problem("embedding.weight 应从给定的词向量出发并参与训练"
                        "（只冻结 constant_embedding）",
                        "embedding.weight should start from the given vectors and be trained "
                        "(only constant_embedding is frozen)")
    acc = _held_out_accuracy(net, features)
    if not acc >= TEXTCNN_LIMIT:
        return _problem(f"在留出的测试评论上准确率为 {acc:.3f}，"
                        f"正确的实现能达到 {TEXTCNN_LIMIT} 以上",
                        f"the held-out accuracy is {acc:.3f}; a correct implementation reaches "
                        f"at least {TEXTCNN_LIMIT}")
    return []


# ---- references for the adapters ----------------------------------------------------------

def vocab_order(data: list[list]) -> list[str]:
    """The reference behind the notebook's ``vocab_order`` adapter."""
    return ref.get_vocab_imdb(data).idx_to_token


def preprocess_with(data: list[list], idx_to_token: list[str], max_l: int
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference behind the notebook's ``preprocess_with`` adapter."""
    return ref.preprocess_imdb(data, Vocab([], reserved=idx_to_token), max_l)


def predict_with(net: torch.nn.Module, idx_to_token: list[str], sentence: list[str]) -> str:
    """The reference behind the notebook's ``predict_with`` adapter."""
    return ref.predict_sentiment(net, Vocab([], reserved=idx_to_token), sentence)


QUESTIONS = [
    # §10.7
    Question("read_imdb", 2, ref.read_imdb, cases=[
        public(_tree_case(3, "train", 20)),
        hidden(_tree_case(5, "test", 200)),
        hidden(_tree_case(8, "train", 2000)),
    ]),
    Question("get_tokenized_imdb", 1, ref.get_tokenized_imdb, cases=[
        public(_tokenize_case(3, 2, 6, upper=True)),
        hidden(_tokenize_case(6, 1, 12, upper=True)),
        hidden(_tokenize_case(10, 4, 20, upper=True)),
    ]),
    Question("get_vocab_imdb", 2, vocab_order, object="vocab_order", cases=[
        public(_vocab_case(6, 3, 6, 8)),
        hidden(_vocab_case(12, 4, 10, 15)),
        hidden(_vocab_case(20, 2, 8, 25)),
    ]),
    Question("preprocess_imdb", 2, preprocess_with, object="preprocess_with", cases=[
        public(_preprocess_case(3, 3, 8, 6, 10)),
        hidden(_preprocess_case(6, 1, 15, 10, 20)),
        hidden(_preprocess_case(8, 5, 30, 12, 6)),
    ]),
    Question("BiRNN", 3, ref.BiRNN, tolerance=WITH_WEIGHTS,
             kind=Construct(init_kwargs=BIRNN_SIZES, harvest=CONSTRUCT),
             cases=[public(_birnn_case(2, 5)),
                    hidden(_birnn_case(4, 7, {"vocab_size": 20, "embed_size": 6,
                                              "num_hiddens": 5, "num_layers": 2}, scale=0.8)),
                    hidden(_birnn_case(3, 3, {"vocab_size": 9, "embed_size": 3,
                                              "num_hiddens": 6, "num_layers": 1}))]),
    Question("load_pretrained_embedding", 2, ref.load_pretrained_embedding, cases=[
        public(_embedding_case(4, 6, 3, 1)),
        hidden(_embedding_case(10, 15, 5, 3)),
        hidden(_embedding_case(7, 7, 4, 0)),
    ]),
    Question("train_birnn", 3, ref.train_birnn, invariant=_train_birnn_invariant, cases=[
        public(_train_case(0)),
        hidden(_train_case(1)),
    ]),
    Question("predict_sentiment", 1, predict_with, object="predict_with", cases=[
        public(_predict_case(8, 5, "positive")),
        hidden(_predict_case(12, 7, "negative", n_unknown=2)),
        hidden(_predict_case(6, 3, "positive", n_unknown=1)),
        hidden(_predict_case(10, 9, "negative")),
    ]),
    # §10.8
    Question("corr1d", 1, ref.corr1d, cases=[
        public(lambda g: args(torch.tensor([0.0, 1, 2, 3, 4, 5, 6]), torch.tensor([1.0, 2]))),
        hidden(_corr1d_case(9, 3, integer=True)),
        hidden(_corr1d_case(12, 4)),
        hidden(_corr1d_case(5, 5)),
    ]),
    Question("corr1d_multi_in", 1, ref.corr1d_multi_in, cases=[
        public(lambda g: args(torch.tensor([[0.0, 1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 7],
                                            [2, 3, 4, 5, 6, 7, 8]]),
                              torch.tensor([[1.0, 2], [3, 4], [-1, -3]]))),
        hidden(_corr1d_multi_case(2, 8, 3)),
        hidden(_corr1d_multi_case(4, 6, 2)),
    ]),
    Question("GlobalMaxPool1d", 1, ref.GlobalMaxPool1d, kind=Construct(harvest=CONSTRUCT),
             cases=[public(_pool_case(2, 3, 5)), hidden(_pool_case(4, 6, 9)),
                    hidden(_pool_case(1, 2, 3))]),
    Question("TextCNN", 3, ref.TextCNN, tolerance=WITH_WEIGHTS, isolate={
        "GlobalMaxPool1d": POOL_STAND_IN},
        kind=Construct(init_kwargs=TEXTCNN_SIZES, harvest=CONSTRUCT),
        cases=[public(_textcnn_case(2, 6)),
               hidden(_textcnn_case(3, 9, {"vocab_size": 20, "embed_size": 5,
                                           "kernel_sizes": [3, 4, 5], "num_channels": [4, 2, 3]},
                                    scale=0.8)),
               hidden(_textcnn_case(4, 4, {"vocab_size": 8, "embed_size": 3,
                                           "kernel_sizes": [4], "num_channels": [6]}))]),
    Question("train_textcnn", 2, ref.train_textcnn, invariant=_train_textcnn_invariant,
             isolate={"GlobalMaxPool1d": POOL_STAND_IN}, cases=[
        public(_train_case(0)),
        hidden(_train_case(1)),
    ]),
]

NOTEBOOK = NotebookSpec("sentiment", QUESTIONS, prepare_data=imdb.write_standin)
