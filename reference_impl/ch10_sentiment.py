"""Chapter 10, §10.7–10.8: sentiment analysis with a recurrent network and with TextCNN.

Conventions pinned down here (the book leaves them to ``os.listdir``, ``random.shuffle``
and torchtext):

* ``read_imdb`` works on a ``{relative path: text}`` dict (see
  :func:`reference_impl.imdb.read_text_tree`), so a grader can hand it a tree as data.
  Positive reviews come first, then negative ones; within each, files are taken in
  sorted file-name order (string order) and nothing is shuffled — shuffling is the data
  loader's job.  A review is its text with line breaks removed, lower-cased; its label
  is 1 for ``pos`` and 0 for ``neg``.
* Tokens are the review split on single spaces (the book's ``split(' ')``).
* The vocabulary is :class:`reference_impl.vocab.Vocab` with ``min_freq=5`` and the
  reserved tokens ``<unk>`` (index 0) and ``<pad>`` (index 1), the two specials the
  PyTorch port's torchtext vocabulary had.
* ``preprocess_imdb`` pads with the index of ``<pad>`` (the port pads with 0, which is
  ``<unk>`` in its vocabulary — padding should not look like an unknown word).
* Training uses short reviews (``max_l`` ≤ 50) and small sizes: a 2×100 BiLSTM over
  500 steps costs 9 s a minibatch on two CPU cores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .vocab import Vocab

RESERVED = ("<unk>", "<pad>")


# ---- §10.7 the data ---------------------------------------------------------------------

def read_imdb(tree: Mapping[str, str], folder: str = "train") -> list[list]:
    """§10.7: ``[review, label]`` pairs of ``folder`` ('train' or 'test') in ``tree``."""
    data = []
    for label_name, label in (("pos", 1), ("neg", 0)):
        prefix = f"{folder}/{label_name}/"
        names = sorted(p[len(prefix):] for p in tree
                       if p.startswith(prefix) and "/" not in p[len(prefix):]
                       and p.endswith(".txt"))
        for name in names:
            review = tree[prefix + name].replace("\n", "").lower()
            data.append([review, label])
    return data


def get_tokenized_imdb(data: Sequence[Sequence]) -> list[list[str]]:
    """§10.7: each review split on single spaces (lower-cased again, as the book does)."""
    return [[tok.lower() for tok in review.split(" ")] for review, _ in data]


def get_vocab_imdb(data: Sequence[Sequence]) -> Vocab:
    """§10.7: words seen at least 5 times, after ``<unk>`` and ``<pad>``."""
    return Vocab(get_tokenized_imdb(data), min_freq=5, reserved=RESERVED, unk="<unk>")


def preprocess_imdb(data: Sequence[Sequence], vocab: Vocab, max_l: int = 500
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """§10.7: (N, max_l) int64 word indices, cut or padded with ``<pad>``, and the labels."""
    pad_idx = vocab["<pad>"]

    def pad(x: list[int]) -> list[int]:
        return x[:max_l] if len(x) > max_l else x + [pad_idx] * (max_l - len(x))

    features = torch.tensor([pad(vocab.to_indices(words)) for words in get_tokenized_imdb(data)],
                            dtype=torch.int64).reshape(len(data), max_l)
    labels = torch.tensor([label for _, label in data], dtype=torch.int64)
    return features, labels


# ---- §10.7 the model ---------------------------------------------------------------------

class BiRNN(nn.Module):
    """§10.7: embedding → bidirectional LSTM → [first step, last step] → 2 scores."""

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int,
                 num_layers: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.encoder = nn.LSTM(embed_size, num_hiddens, num_layers=num_layers,
                               bidirectional=True)
        # Two time steps, each with a forward and a backward state: 4 * num_hiddens.
        self.decoder = nn.Linear(4 * num_hiddens, 2)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        # (batch, steps) indices → (steps, batch, embed): the LSTM wants time first.
        embeddings = self.embedding(inputs.T)
        outputs, _ = self.encoder(embeddings)  # (steps, batch, 2 * num_hiddens)
        encoding = torch.cat((outputs[0], outputs[-1]), dim=-1)
        return self.decoder(encoding)


def load_pretrained_embedding(words: Sequence[str], vector_tokens: Sequence[str],
                              vectors: torch.Tensor) -> tuple[torch.Tensor, int]:
    """§10.7: row i is the vector of ``words[i]``, or zeros (counted) if it has none."""
    index = {t: i for i, t in enumerate(vector_tokens)}
    embed = torch.zeros(len(words), vectors.shape[1])
    oov = 0
    for i, word in enumerate(words):
        if word in index:
            embed[i] = vectors[index[word]]
        else:
            oov += 1
    return embed, oov


def _fit(net: nn.Module, features: torch.Tensor, labels: torch.Tensor, num_epochs: int,
         lr: float, batch_size: int) -> nn.Module:
    """Adam on the parameters that require gradients, mean cross entropy, shuffled batches."""
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


def train_birnn(features: torch.Tensor, labels: torch.Tensor, embed: torch.Tensor,
                num_hiddens: int = 16, num_epochs: int = 10, lr: float = 0.01,
                batch_size: int = 32) -> BiRNN:
    """§10.7: a 2-layer BiRNN with the pretrained ``embed`` frozen in its embedding."""
    net = BiRNN(embed.shape[0], embed.shape[1], num_hiddens, 2)
    net.embedding.weight.data.copy_(embed)
    net.embedding.weight.requires_grad = False
    return _fit(net, features, labels, num_epochs, lr, batch_size)


def predict_sentiment(net: nn.Module, vocab: Vocab, sentence: Sequence[str]) -> str:
    """§10.7: 'positive' or 'negative' for a list of words."""
    X = torch.tensor(vocab.to_indices(sentence), dtype=torch.int64).reshape(1, -1)
    with torch.no_grad():
        label = int(net(X).argmax(dim=1)[0])
    return "positive" if label == 1 else "negative"


def accuracy(net: nn.Module, features: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of correctly classified examples (eval mode, no gradients)."""
    net.eval()
    with torch.no_grad():
        return float((net(features).argmax(dim=1) == labels).double().mean())


# ---- §10.8 TextCNN -----------------------------------------------------------------------

def corr1d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """§10.8: one-dimensional cross-correlation of a sequence with a kernel."""
    w = K.shape[0]
    Y = torch.zeros(X.shape[0] - w + 1, dtype=torch.result_type(X, K))
    for i in range(Y.shape[0]):
        Y[i] = (X[i:i + w] * K).sum()
    return Y


def corr1d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """§10.8: one correlation per input channel, summed over the channels."""
    return torch.stack([corr1d(x, k) for x, k in zip(X, K, strict=True)]).sum(dim=0)


class GlobalMaxPool1d(nn.Module):
    """§10.8: the largest value of each channel over time: (B, C, L) → (B, C, 1)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.max_pool1d(x, kernel_size=x.shape[2])


class TextCNN(nn.Module):
    """§10.8: two embeddings (one to train, one kept fixed), 1-D convolutions of several
    widths, max-over-time pooling, dropout and a linear layer to 2 scores."""

    def __init__(self, vocab_size: int, embed_size: int, kernel_sizes: Sequence[int],
                 num_channels: Sequence[int]) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.constant_embedding = nn.Embedding(vocab_size, embed_size)
        self.dropout = nn.Dropout(0.5)
        self.decoder = nn.Linear(sum(num_channels), 2)
        self.pool = GlobalMaxPool1d()
        self.convs = nn.ModuleList(nn.Conv1d(2 * embed_size, c, k)
                                   for c, k in zip(num_channels, kernel_sizes, strict=True))

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        # (batch, steps, 2E) → (batch, 2E, steps): the embedding components are channels.
        embeddings = torch.cat((self.embedding(inputs), self.constant_embedding(inputs)),
                               dim=2).permute(0, 2, 1)
        encoding = torch.cat([self.pool(F.relu(conv(embeddings))).squeeze(-1)
                              for conv in self.convs], dim=1)
        return self.decoder(self.dropout(encoding))


def train_textcnn(features: torch.Tensor, labels: torch.Tensor, embed: torch.Tensor,
                  num_epochs: int = 5, lr: float = 0.01, batch_size: int = 32) -> TextCNN:
    """§10.8: TextCNN (widths 3, 4, 5; 8 channels each) with ``embed`` in both
    embeddings, only the constant one frozen."""
    net = TextCNN(embed.shape[0], embed.shape[1], [3, 4, 5], [8, 8, 8])
    net.embedding.weight.data.copy_(embed)
    net.constant_embedding.weight.data.copy_(embed)
    net.constant_embedding.weight.requires_grad = False
    return _fit(net, features, labels, num_epochs, lr, batch_size)
