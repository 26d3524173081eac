"""Chapter 6, notebook ``gated_rnns``: §6.6–6.10 (reference: reference_impl/ch06_gated_rnns.py).

Every scratch cell takes its parameters as arguments, so each case hands the student and
the reference the same tensors.  Inputs follow the book: a list of ``T`` tensors
(batch, features), one per time step; the cells return a list of outputs and the state.

* §6.6 ``bptt_grads`` (by hand) and ``truncated_bptt_grads`` run in float64 and are
  compared with rtol 1e-8 (curriculum §1, gradients derived by hand).
* §6.7 ``gru`` is the **book's** formula, ``tanh(X W_xh + (R ⊙ H) W_hh + b_h)``, and is
  graded against a reference with that formula, not against ``nn.GRU`` (which applies
  the reset gate after the product and differs by 0.15–0.5 at these weight scales; the
  chapter's tests show both facts).  ``train_gru`` is judged by a perplexity threshold.
  It necessarily runs the student's ``gru`` and ``init_gru_state`` (a recurrent cell
  cannot be swapped for a torch stand-in), so a mistake that stops those from running
  also costs it; a GRU that computes the wrong formula but still learns (e.g.
  ``nn.GRU``'s) does not.
* §6.8 ``lstm`` equals ``nn.LSTM`` with copied weights; ``to_nn_lstm`` asks for that
  copy (gate order i, f, g, o), ``LSTMModel`` is the concise model with fixed attribute
  names ``rnn``/``dense`` so the grader loads its weights.
* §6.9 ``deep_rnn`` and §6.10 ``birnn`` (no code in the book) use ``nn.RNN``'s layout,
  so the tests check them against ``nn.RNN(num_layers=L)`` and
  ``nn.RNN(bidirectional=True)`` with copied weights.

Cases are small: the whole notebook grades in a few seconds, most of it the two short
trainings of ``train_gru``.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from autograder.compare import Tolerance
from autograder.kinds import Construct
from autograder.spec import Args, NotebookSpec, Question, args, hidden, public
from reference_impl import ch06_gated_rnns as ref
from reference_impl.jay_lyrics import standin_text, write_lyrics_standin

EXACT64 = Tolerance(rtol=1e-8, atol=1e-10)  # hand-derived gradients against float64
WITH_WEIGHTS = Tolerance(rtol=1e-4, atol=1e-5)  # torch RNN layers with loaded weights
#: After 6 epochs of ``train_gru`` on 6000 characters the reference ends at a perplexity of
#: 9.1-10.1 (4 stand-in texts x 3 initialisations; about 46 after the first epoch, the
#: vocabulary has 51 characters), nn.GRU's formula the same; the learning rate 1 of an
#: Adam user stays at 49.7.  The bar of 20 leaves a factor of two on each side.  (It was
#: 8 epochs on 10 000 characters, bar 8: three times the CPU for the same separation.)
TRAIN_EPOCHS = 6
TRAIN_CHARS = 6000
PPL_LIMIT = 20.0


def _randn(g: torch.Generator, *shape: int, scale: float = 1.0,
           dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=g, dtype=dtype) * scale


def _problem(zh: str, en: str) -> list[tuple[str, str]]:
    return [(zh, en)]


# ---- §6.6 BPTT: one sequence, float64 ----------------------------------------------------

def _bptt_case(T: int, d: int, h: int, q: int, scale: float = 0.5, k: int | None = None):
    def make(g: torch.Generator) -> Args:
        def r(*shape: int, s: float = 1.0) -> torch.Tensor:
            return _randn(g, *shape, scale=s, dtype=torch.float64)
        values = [r(T, d), r(T, q), r(h, d, s=scale), r(h, h, s=scale), r(q, h, s=scale)]
        return args(*values) if k is None else args(*values, k)
    return make


# ---- §6.7–6.10 scratch cells: a list of steps, a state, injected parameters -------------

def _steps(g: torch.Generator, T: int, batch: int, num_inputs: int,
           onehot: bool) -> list[torch.Tensor]:
    if onehot:
        idx = torch.randint(0, num_inputs, (batch, T), generator=g)
        return ref.to_onehot(idx, num_inputs)
    return [_randn(g, batch, num_inputs) for _ in range(T)]


def _gated_params(g: torch.Generator, gates: int, num_inputs: int, num_hiddens: int,
                  num_outputs: int, scale: float) -> list[torch.Tensor]:
    """``gates`` triples (W_x, W_h, b), then the output layer (W_hq, b_q)."""
    out: list[torch.Tensor] = []
    for _ in range(gates):
        out += [_randn(g, num_inputs, num_hiddens, scale=scale),
                _randn(g, num_hiddens, num_hiddens, scale=scale),
                _randn(g, num_hiddens, scale=scale)]
    return out + [_randn(g, num_hiddens, num_outputs, scale=scale),
                  _randn(g, num_outputs, scale=scale)]


def _cell_case(gates: int, T: int, batch: int, num_inputs: int, num_hiddens: int,
               scale: float = 0.6, onehot: bool = False, zero_state: bool = False):
    """A GRU (3 gates, state ``(H,)``) or LSTM (4, state ``(H, C)``) case."""
    def make(g: torch.Generator) -> Args:
        inputs = _steps(g, T, batch, num_inputs, onehot)
        n_state = 1 if gates == 3 else 2
        state = tuple(torch.zeros(batch, num_hiddens) if zero_state
                      else _randn(g, batch, num_hiddens, scale=0.5) for _ in range(n_state))
        params = _gated_params(g, gates, num_inputs, num_hiddens, num_inputs, scale)
        return args(inputs, state, params)
    return make


def _state_case(batch: int, num_hiddens: int):
    def make(g: torch.Generator) -> Args:
        return args(batch, num_hiddens, "cpu")
    return make


def _to_nn_case(num_inputs: int, num_hiddens: int, num_outputs: int):
    def make(g: torch.Generator) -> Args:
        return args(_gated_params(g, 4, num_inputs, num_hiddens, num_outputs, 0.5))
    return make


def _lstm_model_case(vocab: int, hiddens: int, batch: int, T: int, with_state: bool = True):
    def make(g: torch.Generator) -> Args:
        template = ref.LSTMModel(vocab, hiddens)
        state = {k: _randn(g, *v.shape, scale=0.4) for k, v in template.state_dict().items()}
        inputs = torch.randint(0, vocab, (batch, T), generator=g)
        init_kwargs = {"vocab_size": vocab, "num_hiddens": hiddens}
        if not with_state:
            return args(inputs, state=state, init_kwargs=init_kwargs)
        hc = (_randn(g, 1, batch, hiddens, scale=0.5), _randn(g, 1, batch, hiddens, scale=0.5))
        return args(inputs, hc, state=state, init_kwargs=init_kwargs)
    return make


def _rnn_params(g: torch.Generator, num_inputs: int, num_hiddens: int,
                scale: float) -> list[torch.Tensor]:
    return [_randn(g, num_inputs, num_hiddens, scale=scale),
            _randn(g, num_hiddens, num_hiddens, scale=scale),
            _randn(g, num_hiddens, scale=scale)]


def _deep_case(layers: int, T: int, batch: int, num_inputs: int, num_hiddens: int,
               scale: float = 0.6):
    def make(g: torch.Generator) -> Args:
        inputs = _steps(g, T, batch, num_inputs, onehot=False)
        state = _randn(g, layers, batch, num_hiddens, scale=0.5)
        layer_params = [_rnn_params(g, num_inputs if i == 0 else num_hiddens, num_hiddens,
                                    scale) for i in range(layers)]
        return args(inputs, state, layer_params)
    return make


def _birnn_case(T: int, batch: int, num_inputs: int, num_hiddens: int, scale: float = 0.6):
    def make(g: torch.Generator) -> Args:
        inputs = _steps(g, T, batch, num_inputs, onehot=False)
        return args(inputs, _rnn_params(g, num_inputs, num_hiddens, scale),
                    _rnn_params(g, num_inputs, num_hiddens, scale))
    return make


# ---- §6.7 training: a perplexity threshold ----------------------------------------------

def _corpus(num_lines: int, seed: int) -> tuple[torch.Tensor, int]:
    """The stand-in lyrics as the notebook's loader numbers them (sorted vocabulary)."""
    text = standin_text(num_lines, seed).replace("\n", " ")[:10_000]
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    return torch.tensor([index[c] for c in text], dtype=torch.int64), len(vocab)


def _train_case(num_lines: int, seed: int, num_chars: int):
    def make(g: torch.Generator) -> Args:
        corpus, vocab_size = _corpus(num_lines, seed)
        return args(corpus[:num_chars], vocab_size, TRAIN_EPOCHS)
    return make


def _train_invariant(actual: Any, a: Args) -> list[tuple[str, str]]:
    _, vocab_size, num_epochs = a.args
    if type(actual) not in (tuple, list) or len(actual) != 2:
        return _problem("应返回 (params, perplexities) 两个值",
                        "should return two values (params, perplexities)")
    params, ppl = actual
    shapes = [[vocab_size, 64], [64, 64], [64]] * 3 + [[64, vocab_size], [vocab_size]]
    if type(params) not in (tuple, list) or len(params) != len(shapes) or not all(
            type(p) is torch.Tensor and list(p.shape) == want
            for p, want in zip(params, shapes, strict=True)):
        return _problem("params 应是 get_gru_params(vocab_size, 64, vocab_size) 给出的 11 个参数",
                        "params should be the 11 parameters of "
                        "get_gru_params(vocab_size, 64, vocab_size)")
    if type(ppl) is not list or len(ppl) != num_epochs or not all(type(v) is float for v in ppl):
        return _problem(f"perplexities 应是 {num_epochs} 个 Python float 的列表（每个周期一个）",
                        f"perplexities should be a list of {num_epochs} Python floats (one per "
                        "epoch)")
    if not all(math.isfinite(v) and v >= 1 for v in ppl):
        return _problem("困惑度应是不小于 1 的有限数（训练发散了？）",
                        "perplexities should be finite numbers of at least 1 (did training "
                        "diverge?)")
    if ppl[-1] >= PPL_LIMIT:
        return _problem(
            f"训练 {num_epochs} 个周期后困惑度是 {ppl[-1]:.2f}，正确的实现会降到 {PPL_LIMIT:g} "
            "以下（超参数用的是题目给的值吗？）",
            f"after {num_epochs} epochs the perplexity is {ppl[-1]:.2f}; a correct "
            f"implementation gets below {PPL_LIMIT:g} (did you use the question's "
            "hyperparameters?)")
    return []


QUESTIONS = [
    # §6.6
    Question("bptt_grads", 3, ref.bptt_grads, tolerance=EXACT64, cases=[
        public(_bptt_case(4, 3, 2, 2)),
        hidden(_bptt_case(7, 2, 4, 3)),
        hidden(_bptt_case(10, 3, 3, 1, scale=0.8)),
        hidden(_bptt_case(3, 5, 6, 4, scale=0.3)),
    ]),
    Question("truncated_bptt_grads", 2, ref.truncated_bptt_grads, tolerance=EXACT64, cases=[
        public(_bptt_case(6, 3, 2, 2, k=2)),
        hidden(_bptt_case(7, 2, 4, 3, k=3)),
        hidden(_bptt_case(9, 3, 3, 2, scale=0.8, k=4)),
    ]),
    # §6.7
    Question("init_gru_state", 1, ref.init_gru_state, cases=[
        public(_state_case(2, 4)), hidden(_state_case(5, 3)), hidden(_state_case(1, 7)),
    ]),
    Question("gru", 3, ref.gru, cases=[
        public(_cell_case(3, 3, 2, 5, 4)),
        hidden(_cell_case(3, 5, 3, 6, 5, onehot=True)),
        hidden(_cell_case(3, 4, 1, 4, 8, scale=1.0)),
        hidden(_cell_case(3, 6, 4, 7, 3, onehot=True, zero_state=True)),
    ]),
    Question("train_gru", 2, ref.train_gru, invariant=_train_invariant, cases=[
        public(_train_case(1200, 0, TRAIN_CHARS)),
        hidden(_train_case(1000, 7, TRAIN_CHARS)),
    ]),
    # §6.8
    Question("init_lstm_state", 1, ref.init_lstm_state, cases=[
        public(_state_case(2, 4)), hidden(_state_case(3, 6)), hidden(_state_case(1, 2)),
    ]),
    Question("lstm", 3, ref.lstm, cases=[
        public(_cell_case(4, 3, 2, 5, 4)),
        hidden(_cell_case(4, 5, 3, 6, 5, onehot=True)),
        hidden(_cell_case(4, 4, 1, 4, 8, scale=1.0)),
        hidden(_cell_case(4, 6, 4, 7, 3, onehot=True, zero_state=True)),
    ]),
    Question("to_nn_lstm", 2, ref.to_nn_lstm, cases=[
        public(_to_nn_case(5, 4, 5)), hidden(_to_nn_case(3, 6, 2)),
        hidden(_to_nn_case(7, 2, 7)),
    ]),
    Question("LSTMModel", 2, ref.LSTMModel, tolerance=WITH_WEIGHTS,
             kind=Construct(init_kwargs={"vocab_size": 6, "num_hiddens": 4},
                            harvest=("output", "names", "num_params")),
             cases=[public(_lstm_model_case(6, 4, 2, 3)),
                    hidden(_lstm_model_case(8, 5, 3, 4)),
                    hidden(_lstm_model_case(5, 3, 2, 6, with_state=False))]),
    # §6.9
    Question("deep_rnn", 2, ref.deep_rnn, cases=[
        public(_deep_case(2, 3, 2, 4, 3)),
        hidden(_deep_case(2, 5, 3, 5, 4)),
        hidden(_deep_case(3, 4, 2, 3, 5)),
    ]),
    # §6.10
    Question("birnn", 2, ref.birnn, cases=[
        public(_birnn_case(3, 2, 3, 2)),
        hidden(_birnn_case(5, 3, 4, 5)),
        hidden(_birnn_case(4, 1, 6, 3, scale=1.0)),
    ]),
]

NOTEBOOK = NotebookSpec("gated_rnns", QUESTIONS, prepare_data=write_lyrics_standin)
