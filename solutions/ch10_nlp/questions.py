"""Chapter 10 (自然语言处理): three notebooks, each with its questions in a sibling module.

``word_embeddings``  §10.1–10.6  word2vec by formula and on a PTB stand-in, subwords, GloVe,
                                 similarity and analogy on an engineered vector file
``sentiment``        §10.7–10.8  IMDb stand-in pipeline, the bidirectional LSTM, TextCNN
``seq2seq``          §10.9–10.12 encoder–decoder pieces, beam search, attention, translation
                                 and BLEU

Vocabularies follow ``reference_impl/vocab.py``'s stated order (reserved tokens, then
descending count, ties by first occurrence), since torchtext no longer installs beside
current torch and index-level answers need one order.
"""

from __future__ import annotations

from autograder.spec import AssignmentSpec

from .sentiment import NOTEBOOK as SENTIMENT
from .seq2seq import NOTEBOOK as SEQ2SEQ
from .word_embeddings import NOTEBOOK as WORD_EMBEDDINGS

ASSIGNMENT = AssignmentSpec(
    id="ch10_nlp",
    title="第 10 章 自然语言处理 / Chapter 10 Natural Language Processing",
    notebooks=[WORD_EMBEDDINGS, SENTIMENT, SEQ2SEQ],
)
