"""Chapter 6 (循环神经网络): two notebooks, each with its questions in a sibling module.

``language_models``  §6.1–6.5  n-grams and perplexity, the lyrics data and its sampling,
                               an RNN from scratch, the concise RNN
``gated_rnns``       §6.6–6.10 BPTT by hand, GRU, LSTM, deep and bidirectional RNNs

Scratch recurrent cells take their parameters as arguments (the book's
``rnn(inputs, state, params)``), so the grader hands the same tensors to the reference
and to the student; training is judged by thresholds on perplexity.
"""

from __future__ import annotations

from autograder.spec import AssignmentSpec

from .gated_rnns import NOTEBOOK as GATED_RNNS
from .language_models import NOTEBOOK as LANGUAGE_MODELS

ASSIGNMENT = AssignmentSpec(
    id="ch06_rnn",
    title="第 6 章 循环神经网络 / Chapter 6 Recurrent Neural Networks",
    notebooks=[LANGUAGE_MODELS, GATED_RNNS],
)
