"""Chapter 10, notebook ``seq2seq``: §10.9–10.12 (reference: ``ch10_seq2seq``).

Networks are graded with the ``construct`` kind and weights the case gives (``state=``,
loaded with ``strict=True``; ``train`` starts from ``fill=True`` weights).  ``batch_loss``,
``translate`` and ``train`` take networks as arguments, as in the book; a case cannot hand
over the student's own classes, so the notebook gives three small wrappers (``LossProbe``,
``TrainProbe``, ``TranslateProbe``) that build the student's ``Encoder`` and ``Decoder``
and call the function under test.  Those three questions therefore also need a working
``Encoder`` and ``Decoder`` (and the decoder needs ``attention_model`` and
``attention_forward``): a stand-in for a Python class cannot travel as data.  ``train`` is
measured with the *reference* networks loaded with the trained weights, so a network
that learns under a convention of its own (another concatenation order) loses it too.
``masked_softmax_ce`` runs with a TorchScript ``sequence_mask`` in place of the
student's, so it stands alone.

Search (§10.10) is graded on table-driven decoders: dicts from a prefix to the
log-probabilities of the next token, drawn per case, so every search is a deterministic
function of data.  Training is judged by thresholds that the trusted side measures itself
with the reference networks and the harvested weights.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from autograder.compare import Tolerance
from autograder.kinds import Call, Construct, new
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from autograder.wire import Recipe
from reference_impl import ch10_seq2seq as ref
from reference_impl.fr_en import PAIRS, write_standin

WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)  # recurrent networks with given weights
EXACT_FLOAT = Tolerance(rtol=1e-5, atol=1e-6)

#: ``sequence_mask`` for ``masked_softmax_ce``'s cases, so that question stands alone.
MASK_SOURCE = """
def sequence_mask(X: Tensor, valid_len: Tensor, value: float = 0.0) -> Tensor:
    steps = torch.arange(X.size(1), device=X.device)
    keep = steps.unsqueeze(0) < valid_len.to(X.device).unsqueeze(1)
    while keep.dim() < X.dim():
        keep = keep.unsqueeze(-1)
    return torch.where(keep, X, torch.full_like(X, value))
"""

#: Thresholds for ``train``, measured by the grader with the reference networks loaded
#: with the trained weights.  With the cases' settings (25 epochs, Adam at 0.03, batches
#: of 8) a correct solution ended between 0.02 and 0.08 with every training pair
#: translated, over 8 seeds of initialisation and shuffling; one that does not learn
#: stays above 1.
TRAIN_LOSS_LIMIT = 0.3
TRAIN_TRANSLATED_SHARE = 0.8


def _script(name: str) -> Recipe:
    unit = new("torch.jit.CompilationUnit", MASK_SOURCE)
    return new("torch.jit.CompilationUnit.find_function", unit, name)


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=g) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


def _state_like(g: torch.Generator, module: torch.nn.Module,
                scale: float = 0.5) -> dict[str, torch.Tensor]:
    return {k: _randn(g, *v.shape, scale=scale) for k, v in module.state_dict().items()}


# ---- §10.9 -------------------------------------------------------------------------------

def _encoder_case(V: int, E: int, H: int, L: int, batch: int, steps: int, zeros: bool = False,
                  with_state: bool = False):
    def make(g: torch.Generator) -> Args:
        template = ref.Encoder(V, E, H, L)
        X = torch.zeros(batch, steps, dtype=torch.int64) if zeros else \
            torch.randint(0, V, (batch, steps), generator=g)
        h0 = _randn(g, L, batch, H, scale=0.5) if with_state else None
        return args(X, h0, state=_state_like(g, template), init=[V, E, H, L])
    return make


def _mask_case(*shape: int, value: float | None = None, ints: bool = False):
    def make(g: torch.Generator) -> Args:
        X = torch.randint(-9, 10, shape, generator=g) if ints else _randn(g, *shape)
        valid = torch.randint(0, shape[1] + 1, (shape[0],), generator=g)
        return args(X, valid) if value is None else args(X, valid, value)
    return make


def _ce_case(batch: int, steps: int, V: int, scale: float):
    def make(g: torch.Generator) -> Args:
        valid = torch.randint(0, steps + 1, (batch,), generator=g)
        valid[0], valid[-1] = steps, steps // 2  # a full row and a shorter one
        return args(_randn(g, batch, steps, V, scale=scale),
                    torch.randint(0, V, (batch, steps), generator=g), valid)
    return make


# ---- §10.10 ------------------------------------------------------------------------------

def random_table(g: torch.Generator, V: int, eos: int, max_len: int, scale: float = 1.5
                 ) -> dict[str, list[float]]:
    """Log-probabilities for every prefix without EOS shorter than ``max_len``."""
    table: dict[str, list[float]] = {}
    frontier: list[list[int]] = [[]]
    for _ in range(max_len):
        grown = []
        for prefix in frontier:
            logits = torch.randn(V, generator=g, dtype=torch.float64) * scale
            table[" ".join(map(str, prefix))] = [round(v, 6) for v in
                                                  F.log_softmax(logits, 0).tolist()]
            grown += [prefix + [t] for t in range(V) if t != eos]
        frontier = grown
    return table


def telling_table(g: torch.Generator, V: int, eos: int, max_len: int, scale: float
                  ) -> dict[str, list[float]]:
    """A random table on which the searches disagree: greedy search stops at EOS before
    ``max_len`` and exhaustive search finds a different, better sequence of two or more
    tokens (drawn again until all hold, so a search that skips a rule is caught)."""
    for _ in range(500):
        table = random_table(g, V, eos, max_len, scale)
        greedy, _ = ref.greedy_search(table, eos, max_len)
        best, _ = ref.exhaustive_search(table, eos, max_len)
        if greedy[-1] == eos and len(greedy) < max_len and greedy != best and len(best) > 1:
            return table
    raise RuntimeError("no telling table found; change the case's sizes")


def tie_table(V: int, eos: int, max_len: int) -> dict[str, list[float]]:
    """Whole-number log-probabilities with many exact ties (a sub-stochastic table)."""
    table: dict[str, list[float]] = {}
    frontier: list[list[int]] = [[]]
    for _ in range(max_len):
        grown = []
        for prefix in frontier:
            row = [-float(1 + (sum(prefix) + 2 * t) % 3) for t in range(V)]
            if not prefix:
                row[eos] = -4.0  # EOS alone is never the answer
            table[" ".join(map(str, prefix))] = row
            grown += [prefix + [t] for t in range(V) if t != eos]
        frontier = grown
    return table


def _search_case(V: int, eos: int, max_len: int, *extra: Any, ties: bool = False,
                 alpha: float | None = None, scale: float = 1.5):
    def make(g: torch.Generator) -> Args:
        table = tie_table(V, eos, max_len) if ties else \
            telling_table(g, V, eos, max_len, scale)
        kw = {} if alpha is None else {"alpha": alpha}
        return args(table, eos, *extra, max_len, **kw)
    return make


# ---- §10.11 ------------------------------------------------------------------------------

def _attention_model_case(n_in: int, n_att: int, *x_shape: int):
    def make(g: torch.Generator) -> Args:
        state = {"0.weight": _randn(g, n_att, n_in, scale=0.5),
                 "2.weight": _randn(g, 1, n_att, scale=0.5)}
        return args(_randn(g, *x_shape), state=state, init=[n_in, n_att])
    return make


def _attention_net(g: torch.Generator, H: int, A: int, zero: bool = False) -> Recipe:
    w1, w2 = _randn(g, A, 2 * H, scale=0.6), _randn(g, 1, A, scale=0.8)
    if zero:
        w2 = torch.zeros(1, A)
    return new("torch.nn.Sequential", new("torch.nn.Linear", 2 * H, A, bias=False),
               new("torch.nn.Tanh"), new("torch.nn.Linear", A, 1, bias=False),
               state={"0.weight": w1, "2.weight": w2})


def _attention_case(T: int, B: int, H: int, A: int, same: bool = False, zero: bool = False):
    def make(g: torch.Generator) -> Args:
        net = _attention_net(g, H, A, zero)
        enc = _randn(g, 1, B, H).expand(T, B, H).clone() if same else _randn(g, T, B, H)
        return args(net, enc, _randn(g, B, H))
    return make


# ---- §10.12 ------------------------------------------------------------------------------

_OWN_WORDS = "le chat dort sur la table et le chien mange dans la cuisine ce soir".split()


def _words(g: torch.Generator, n: int, pool: list[str] = _OWN_WORDS) -> list[str]:
    return [pool[int(i)] for i in torch.randint(0, len(pool), (n,), generator=g)]


def _process_case(n_tokens: int, max_seq_len: int, n_before: int = 0):
    def make(g: torch.Generator) -> Args:
        all_tokens, all_seqs = [], []
        for _ in range(n_before):
            ref.process_one_seq(_words(g, 3), all_tokens, all_seqs, max_seq_len)
        return args(_words(g, n_tokens), all_tokens, all_seqs, max_seq_len)
    return make


def _corpus(g: torch.Generator, n_seqs: int, max_seq_len: int, pool: list[str]
            ) -> tuple[list[str], list[list[str]]]:
    all_tokens: list[str] = []
    all_seqs: list[list[str]] = []
    for _ in range(n_seqs):
        n = int(torch.randint(1, max_seq_len, (1,), generator=g))
        ref.process_one_seq(_words(g, n, pool), all_tokens, all_seqs, max_seq_len)
    return all_tokens, all_seqs


def _build_case(n_seqs: int, max_seq_len: int, pool: list[str] = _OWN_WORDS):
    def make(g: torch.Generator) -> Args:
        return args(*_corpus(g, n_seqs, max_seq_len, pool))
    return make


def _book_pairs_case(g: torch.Generator) -> Args:
    all_tokens: list[str] = []
    all_seqs: list[list[str]] = []
    for _, en in PAIRS[:6]:
        ref.process_one_seq(en.split(" "), all_tokens, all_seqs, 7)
    return args(all_tokens, all_seqs)


def _decoder_case(V: int, E: int, H: int, L: int, A: int, B: int, T: int):
    def make(g: torch.Generator) -> Args:
        template = ref.Decoder(V, E, H, L, A)
        return args(torch.randint(0, V, (B,), generator=g), _randn(g, L, B, H, scale=0.5),
                    _randn(g, T, B, H, scale=0.5), state=_state_like(g, template, 0.4),
                    init=[V, E, H, L, A])
    return make


def _vocab_tokens(n_words: int, prefix: str) -> list[str]:
    return list(ref.RESERVED) + [f"{prefix}{i}" for i in range(n_words)]


def _sizes(n_in: int, n_out: int, E: int, H: int, L: int, A: int) -> dict[str, Any]:
    return {"in_tokens": _vocab_tokens(n_in, "f"), "out_tokens": _vocab_tokens(n_out, "e"),
            "embed_size": E, "num_hiddens": H, "num_layers": L, "attention_size": A}


def _probe_state(g: torch.Generator, sizes: dict[str, Any]) -> dict[str, torch.Tensor]:
    """Weights for both networks; the attention's are large, so its scores are far from
    uniform and a wrong convention there shows in the loss and the translations."""
    state = _state_like(g, ref.Seq2Seq(**sizes), scale=1.0)
    for name in ("decoder.attention.0.weight", "decoder.attention.2.weight"):
        state[name] = _randn(g, *state[name].shape, scale=1.5)
    return state


def _target_rows(g: torch.Generator, B: int, T: int, V: int, junk_after_eos: bool
                 ) -> torch.Tensor:
    """Rows of real tokens, one EOS, then PAD (or, with ``junk_after_eos``, more tokens
    and EOS that a correct mask ignores)."""
    Y = torch.full((B, T), ref.PAD_IDX, dtype=torch.int64)
    for b in range(B):
        n = int(torch.randint(0, T, (1,), generator=g))
        Y[b, :n] = torch.randint(4, V, (n,), generator=g)
        Y[b, n] = ref.EOS_IDX
        if junk_after_eos and n + 1 < T:
            Y[b, n + 1:] = torch.randint(2, V, (T - n - 1,), generator=g)
    return Y


def _loss_case(B: int, T: int, n_in: int, n_out: int, E: int, H: int, L: int, A: int,
               junk_after_eos: bool = False):
    def make(g: torch.Generator) -> Args:
        X = _target_rows(g, B, T, n_in + 4, False)
        Y = _target_rows(g, B, T, n_out + 4, junk_after_eos)
        sizes = _sizes(n_in, n_out, E, H, L, A)
        return args(X, Y, state=_probe_state(g, sizes), init_kwargs=sizes)
    return make


def _translate_case(n_in: int, n_out: int, E: int, H: int, L: int, A: int, n_sent: int,
                    max_seq_len: int):
    def make(g: torch.Generator) -> Args:
        words = _vocab_tokens(n_in, "f")[4:]
        sentences = [" ".join(_words(g, int(torch.randint(1, max_seq_len, (1,),
                                                           generator=g)), words))
                     for _ in range(n_sent)]
        sizes = _sizes(n_in, n_out, E, H, L, A)
        return args(sentences, max_seq_len, state=_probe_state(g, sizes), init_kwargs=sizes)
    return make


def training_data(pairs: list[tuple[str, str]], max_seq_len: int = 7
                  ) -> tuple[list[str], list[str], torch.Tensor, torch.Tensor]:
    in_vocab, out_vocab, dataset = ref.read_data(
        [(fr.split(" "), en.split(" ")) for fr, en in pairs], max_seq_len)
    return in_vocab.idx_to_token, out_vocab.idx_to_token, *dataset.tensors


def _train_case(first: int, last: int, E: int, H: int, A: int, lr: float, batch_size: int,
                num_epochs: int):
    def make(g: torch.Generator) -> Args:
        in_tokens, out_tokens, in_data, out_data = training_data(list(PAIRS[first:last]))
        sizes = {"in_tokens": in_tokens, "out_tokens": out_tokens, "embed_size": E,
                 "num_hiddens": H, "num_layers": 1, "attention_size": A}
        return args(in_data, out_data, lr, batch_size, num_epochs, fill=True,
                    init_kwargs=sizes)
    return make


def _train_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    in_data, out_data, _, _, num_epochs = a.args
    sizes = a.kwargs["init_kwargs"]
    if type(actual) is not dict or set(actual) != {"output", "state"}:
        return _problem("无法读取结果", "the result could not be read")
    history, state = actual["output"], actual["state"]
    if type(history) is not list or len(history) != num_epochs or not all(
            type(v) is float and math.isfinite(v) for v in history):
        return _problem(f"train 应返回 {num_epochs} 个有限的 Python float（每个周期的平均损失）",
                        f"train should return {num_epochs} finite Python floats (each "
                        "epoch's mean loss)")
    model = ref.Seq2Seq(**sizes)
    if type(state) is not dict or sorted(state) != sorted(model.state_dict()):
        return _problem("编码器或解码器的参数名不对", "the encoder's or decoder's parameter "
                        "names are wrong")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError:
        return _problem("编码器或解码器的参数形状不对",
                        "the encoder's or decoder's parameters have the wrong shapes")
    with torch.no_grad():
        loss = ref.batch_loss(model.encoder, model.decoder, in_data, out_data,
                              torch.nn.CrossEntropyLoss(reduction="none")).item()
        right = 0
        for x, y in zip(in_data, out_data, strict=True):
            source = [t for t in model.in_vocab.to_tokens(x) if t not in ref.RESERVED]
            target = [t for t in model.out_vocab.to_tokens(y) if t not in ref.RESERVED]
            out = ref.translate(model.encoder, model.decoder, " ".join(source),
                                in_data.shape[1], model.in_vocab, model.out_vocab)
            right += out == target
    share = right / len(in_data)
    if not loss < TRAIN_LOSS_LIMIT:
        return _problem(f"训练后整个数据集上的损失是 {loss:.3f}，正确的实现低于 "
                        f"{TRAIN_LOSS_LIMIT}", f"after training the loss on the whole "
                        f"dataset is {loss:.3f}; a correct implementation gets below "
                        f"{TRAIN_LOSS_LIMIT}")
    if share < TRAIN_TRANSLATED_SHARE:
        return _problem(f"训练后只有 {right}/{len(in_data)} 个训练句子被正确翻译",
                        f"after training only {right}/{len(in_data)} training sentences "
                        "are translated correctly")
    if not history[-1] < history[0]:
        return _problem("报告的损失没有下降", "the reported losses did not fall")
    return []


def _bleu_case(n_pred: int, n_label: int, k: int, pool: list[str] = _OWN_WORDS[:6]):
    def make(g: torch.Generator) -> Args:
        return args(_words(g, n_pred, pool), _words(g, n_label, pool), k)
    return make


_BOOK_LABEL = "they are canadian .".split()

QUESTIONS = [
    # §10.9
    Question("Encoder", 2, ref.Encoder, tolerance=WITH_WEIGHTS,
             kind=Construct(init=(10, 8, 16, 2)), cases=[
        public(_encoder_case(10, 8, 16, 2, 4, 7, zeros=True)),
        hidden(_encoder_case(13, 5, 6, 1, 3, 5, with_state=True)),
        hidden(_encoder_case(9, 4, 7, 3, 2, 6, with_state=True)),
        hidden(_encoder_case(11, 6, 5, 2, 5, 3, with_state=True)),
    ]),
    # The mask and X after the call: the question asks for a new tensor (the book masks X
    # in place), so X must come back unchanged.
    Question("sequence_mask", 1, ref.sequence_mask, kind=Call(harvest=("return", "arg:0")),
             cases=[
        public(lambda g: args(torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([1, 2]))),
        hidden(_mask_case(5, 7, ints=True)),
        hidden(_mask_case(3, 4, 2, value=-1.0)),
        hidden(_mask_case(4, 6, 3, value=9.5)),
    ]),
    Question("masked_softmax_ce", 2, ref.masked_softmax_ce,
             isolate={"sequence_mask": _script("sequence_mask")}, cases=[
        public(lambda g: args(torch.ones(3, 4, 10), torch.ones(3, 4, dtype=torch.int64),
                              torch.tensor([4, 2, 0]))),
        hidden(_ce_case(5, 6, 7, 2.0)),
        hidden(_ce_case(2, 3, 12, 0.5)),
        hidden(_ce_case(6, 1, 4, 3.0)),
    ]),
    # §10.10
    Question("greedy_search", 1, ref.greedy_search, cases=[
        public(_search_case(4, 0, 3)),
        hidden(_search_case(5, 2, 4)),
        hidden(_search_case(4, 3, 4, ties=True)),
        hidden(_search_case(3, 1, 5, alpha=0.5, scale=0.7)),
    ]),
    Question("exhaustive_search", 2, ref.exhaustive_search, cases=[
        public(_search_case(4, 0, 3)),
        hidden(_search_case(5, 2, 4)),
        hidden(_search_case(4, 3, 4, ties=True)),
        hidden(_search_case(3, 1, 5, alpha=0.0, scale=0.7)),
        hidden(_search_case(4, 1, 4, alpha=1.0, scale=0.5)),
    ]),
    Question("beam_search", 3, ref.beam_search, cases=[
        public(_search_case(4, 0, 3, 2)),
        hidden(_search_case(5, 2, 4, 2)),
        hidden(_search_case(5, 4, 4, 3, scale=0.8)),
        hidden(_search_case(4, 3, 4, 2, ties=True)),
        hidden(_search_case(4, 1, 4, 1, scale=0.6)),
        hidden(_search_case(3, 1, 4, 100, alpha=1.0, scale=0.5)),
    ]),
    # §10.11
    Question("attention_model", 1, ref.attention_model, tolerance=EXACT_FLOAT,
             kind=Construct(init=(6, 4), harvest=("output", "names")), cases=[
        public(_attention_model_case(6, 4, 5, 2, 6)),
        hidden(_attention_model_case(10, 3, 4, 3, 10)),
        hidden(_attention_model_case(4, 7, 2, 4)),
    ]),
    Question("attention_forward", 2, ref.attention_forward, tolerance=EXACT_FLOAT, cases=[
        public(_attention_case(5, 2, 3, 4)),
        # Every order of concatenation passes these two; they show the properties.
        public(_attention_case(4, 2, 5, 3, same=True)),
        public(_attention_case(6, 4, 3, 2, zero=True)),
        hidden(_attention_case(7, 3, 6, 5)),
        hidden(_attention_case(2, 3, 4, 4)),
        hidden(_attention_case(9, 1, 2, 6)),
    ]),
    # §10.12
    Question("process_one_seq", 1, ref.process_one_seq,
             kind=Call(harvest=("arg:1", "arg:2")), cases=[
        public(lambda g: args("elle est grande .".split(), [], [], 7)),
        hidden(_process_case(6, 7, n_before=2)),
        hidden(_process_case(2, 5, n_before=1)),
        hidden(_process_case(4, 10, n_before=3)),
    ]),
    Question("build_data", 2, ref.build_data, cases=[
        public(_book_pairs_case),
        hidden(_build_case(8, 7)),
        hidden(_build_case(5, 5, _OWN_WORDS[:5])),
        hidden(_build_case(12, 9)),
    ]),
    Question("Decoder", 3, ref.Decoder, tolerance=WITH_WEIGHTS,
             kind=Construct(init=(10, 8, 16, 2, 6)), cases=[
        public(_decoder_case(10, 8, 16, 2, 6, 4, 7)),
        hidden(_decoder_case(12, 5, 6, 1, 4, 3, 5)),
        hidden(_decoder_case(8, 4, 5, 3, 3, 2, 2)),
        hidden(_decoder_case(15, 6, 7, 2, 5, 5, 4)),
    ]),
    Question("batch_loss", 2, ref.LossProbe, object="LossProbe", tolerance=EXACT_FLOAT,
             kind=Construct(init_kwargs=_sizes(6, 6, 4, 5, 1, 3)), cases=[
        public(_loss_case(3, 5, 6, 7, 4, 5, 1, 3)),
        hidden(_loss_case(4, 6, 8, 5, 5, 6, 2, 4)),
        hidden(_loss_case(5, 4, 5, 9, 3, 4, 1, 3, junk_after_eos=True)),
        hidden(_loss_case(2, 7, 7, 6, 4, 3, 2, 2, junk_after_eos=True)),
    ]),
    Question("train", 3, ref.TrainProbe, object="TrainProbe", invariant=_train_invariant,
             kind=Construct(init_kwargs=_sizes(6, 6, 4, 5, 1, 3),
                            harvest=("output", "state")), cases=[
        public(_train_case(0, 14, 16, 24, 8, 0.03, 8, 25)),
        hidden(_train_case(10, 25, 16, 24, 8, 0.03, 8, 25)),
    ]),
    Question("translate", 2, ref.TranslateProbe, object="TranslateProbe",
             kind=Construct(init_kwargs=_sizes(6, 6, 4, 5, 1, 3)), cases=[
        public(_translate_case(8, 9, 6, 8, 1, 5, 3, 7)),
        hidden(_translate_case(10, 7, 5, 6, 2, 4, 5, 6)),
        hidden(_translate_case(6, 12, 4, 9, 1, 3, 5, 9)),
    ]),
    Question("bleu", 1, ref.bleu, cases=[
        public(lambda g: args("they are exhausted .".split(), _BOOK_LABEL, 2)),
        public(lambda g: args(_BOOK_LABEL, _BOOK_LABEL, 2)),
        hidden(lambda g: args(["a", "bc", "a", "bc"], ["ab", "c", "a", "bc"], 2)),
        hidden(lambda g: args("they are .".split(), _BOOK_LABEL, 2)),
        hidden(_bleu_case(6, 8, 3)),
        hidden(_bleu_case(9, 5, 4)),
        hidden(_bleu_case(4, 4, 1)),
    ]),
]

NOTEBOOK = NotebookSpec("seq2seq", QUESTIONS, prepare_data=write_standin)
