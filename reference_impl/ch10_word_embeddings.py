"""Chapter 10, §10.1–10.6: word embeddings (word2vec, subwords, GloVe, similarity, analogy).

The answer key of the notebook ``ch10_nlp/word_embeddings``, in book order.  §10.1, §10.2,
§10.4 and §10.5 have no code in the first edition; their units compute the formulas of
the text.  Conventions the book leaves open are pinned down here and stated in the
notebook:

* §10.3's vocabulary is :class:`reference_impl.vocab.Vocab` with no reserved tokens:
  tokens counted at least ``min_count`` times, by descending count, ties by first
  occurrence (PTB's own ``<unk>`` is an ordinary, frequent token);
* the hierarchical-softmax tree of §10.2 is the complete binary tree in heap order;
* §10.5's co-occurrence count ``x_ij`` is the plain count of the book's definition (every
  context word in the window counts 1), not the GloVe paper's 1/distance weighting;
* ``batchify`` returns int64 indices and float32 masks and labels (the loss needs floats).

Random units (:func:`subsample`, :func:`get_centers_and_contexts`,
:func:`get_negatives`) draw from Python's ``random`` module as the book does; they are
graded by invariants and statistics, never by values.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .vocab import Vocab

# ---- §10.1 word2vec -----------------------------------------------------------------------


def skipgram_log_prob(v_c: torch.Tensor, U: torch.Tensor, o: int) -> torch.Tensor:
    """§10.1: log P(w_o | w_c) = u_o·v_c − log Σ_i exp(u_i·v_c), a scalar tensor.

    ``U`` holds the context (background) vectors of the whole vocabulary as rows;
    ``torch.logsumexp`` keeps the normaliser finite for large scores.
    """
    scores = U @ v_c
    return scores[o] - torch.logsumexp(scores, dim=0)


def skipgram_grad(v_c: torch.Tensor, U: torch.Tensor, o: int) -> torch.Tensor:
    """§10.1: ∂ log P(w_o | w_c) / ∂ v_c = u_o − Σ_j P(w_j | w_c) u_j, by the formula."""
    probs = torch.softmax(U @ v_c, dim=0)
    return U[o] - probs @ U


def cbow_log_prob(V_ctx: torch.Tensor, U: torch.Tensor, c: int) -> torch.Tensor:
    """§10.1 CBOW: log P(w_c | context) with the context vectors (rows of ``V_ctx``)
    averaged into v̄ and ``U`` the centre-word vectors: u_c·v̄ − log Σ_i exp(u_i·v̄)."""
    v_bar = V_ctx.mean(dim=0)
    scores = U @ v_bar
    return scores[c] - torch.logsumexp(scores, dim=0)


# ---- §10.2 approximate training -------------------------------------------------------------


def neg_sampling_loss(v_c: torch.Tensor, u_o: torch.Tensor,
                      U_neg: torch.Tensor) -> torch.Tensor:
    """§10.2: −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c) for the K noise words in ``U_neg``.

    ``logsigmoid`` instead of ``log(sigmoid(...))`` stays finite for large scores.
    """
    return -F.logsigmoid(u_o @ v_c) - F.logsigmoid(-(U_neg @ v_c)).sum()


def hier_softmax_prob(v_c: torch.Tensor, U_nodes: torch.Tensor, w: int) -> torch.Tensor:
    """§10.2: P(w | w_c) under hierarchical softmax, a scalar tensor.

    The tree is the complete binary tree in heap order: ``V = len(U_nodes) + 1`` leaves,
    inner node ``n`` (vector ``U_nodes[n]``) has children ``2n+1`` (left) and ``2n+2``
    (right), and word ``w`` is the leaf ``V − 1 + w``.  Each step from a node to its left
    child contributes σ(u_n·v_c), to its right child σ(−u_n·v_c); since σ(x) + σ(−x) = 1,
    the leaf probabilities sum to 1.
    """
    node = U_nodes.shape[0] + w
    prob = torch.ones((), dtype=v_c.dtype)
    while node > 0:
        parent = (node - 1) // 2
        sign = 1.0 if node == 2 * parent + 1 else -1.0
        prob = prob * torch.sigmoid(sign * (U_nodes[parent] @ v_c))
        node = parent
    return prob


# ---- §10.3 word2vec on PTB --------------------------------------------------------------------


def ptb_to_indices(raw_dataset: Sequence[Sequence[str]], min_count: int = 5
                   ) -> tuple[list[str], list[list[int]]]:
    """§10.3: the vocabulary of tokens counted ≥ ``min_count`` times, and every sentence as
    indices with the rarer tokens dropped (the book removes them rather than mapping them
    to ``<unk>``: PTB already has its own ``<unk>``)."""
    vocab = Vocab(raw_dataset, min_freq=min_count, reserved=(), unk=None)
    dataset = [[vocab.token_to_idx[t] for t in st if t in vocab.token_to_idx]
               for st in raw_dataset]
    return vocab.idx_to_token, dataset


def subsample(dataset: Sequence[Sequence[int]], counter: dict[int, int], num_tokens: int,
              t: float = 1e-4) -> list[list[int]]:
    """§10.3: keep each token with probability min(1, √(t / f)), f = count / num_tokens.

    So a token is discarded with the book's P = max(1 − √(t/f), 0): words with f ≤ t are
    always kept.  One ``random.uniform(0, 1)`` per token, in order.
    """
    def keep(idx: int) -> bool:
        return random.uniform(0, 1) < math.sqrt(t / counter[idx] * num_tokens)

    return [[idx for idx in st if keep(idx)] for st in dataset]


def get_centers_and_contexts(dataset: Sequence[Sequence[int]], max_window_size: int
                             ) -> tuple[list[int], list[list[int]]]:
    """§10.3: every token of a sentence of ≥ 2 tokens as a centre, with the tokens within
    a window size drawn uniformly from 1 … ``max_window_size`` on each side (not itself)."""
    centers: list[int] = []
    contexts: list[list[int]] = []
    for st in dataset:
        if len(st) < 2:
            continue
        centers += list(st)
        for i in range(len(st)):
            window_size = random.randint(1, max_window_size)
            indices = [j for j in range(max(0, i - window_size),
                                        min(len(st), i + 1 + window_size)) if j != i]
            contexts.append([st[j] for j in indices])
    return centers, contexts


def get_negatives(all_contexts: Sequence[Sequence[int]], counts: Sequence[int],
                  K: int) -> list[list[int]]:
    """§10.3: ``K`` noise words per context word, drawn with P(w) ∝ count(w)^0.75 and never
    one of the example's own context words.  Draws come in buffers of 10⁵
    (``random.choices`` is slow per call), as in the book."""
    weights = [c ** 0.75 for c in counts]
    population = list(range(len(counts)))
    all_negatives: list[list[int]] = []
    candidates: list[int] = []
    i = 0
    for contexts in all_contexts:
        negatives: list[int] = []
        while len(negatives) < len(contexts) * K:
            if i == len(candidates):
                candidates, i = random.choices(population, weights, k=100_000), 0
            neg, i = candidates[i], i + 1
            if neg not in contexts:
                negatives.append(neg)
        all_negatives.append(negatives)
    return all_negatives


def batchify(data: Sequence[tuple[int, Sequence[int], Sequence[int]]]
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """§10.3: (centers (B,1), contexts_negatives (B,L), masks (B,L), labels (B,L)).

    Each row is the contexts then the negatives, zero-padded to the longest row L; the
    mask is 1 on real entries, the label 1 on contexts.  Indices int64, masks and labels
    float32.
    """
    max_len = max(len(c) + len(n) for _, c, n in data)
    centers, contexts_negatives, masks, labels = [], [], [], []
    for center, context, negative in data:
        cur_len = len(context) + len(negative)
        centers.append([center])
        contexts_negatives.append(list(context) + list(negative) + [0] * (max_len - cur_len))
        masks.append([1.0] * cur_len + [0.0] * (max_len - cur_len))
        labels.append([1.0] * len(context) + [0.0] * (max_len - len(context)))
    return (torch.tensor(centers, dtype=torch.int64),
            torch.tensor(contexts_negatives, dtype=torch.int64),
            torch.tensor(masks, dtype=torch.float32), torch.tensor(labels, dtype=torch.float32))


def skip_gram(center: torch.Tensor, contexts_and_negatives: torch.Tensor,
              embed_v: nn.Module, embed_u: nn.Module) -> torch.Tensor:
    """§10.3: the (B, 1, L) scores v_c·u_o of every centre with its row, by ``bmm``."""
    v = embed_v(center)                       # (B, 1, d)
    u = embed_u(contexts_and_negatives)       # (B, L, d)
    return torch.bmm(v, u.permute(0, 2, 1))


class SigmoidBinaryCrossEntropyLoss(nn.Module):
    """§10.3: per-example binary cross-entropy on logits, masked entries weighted 0, then
    averaged over all L positions (the book rescales by L / mask.sum() outside)."""

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        res = F.binary_cross_entropy_with_logits(inputs, targets, weight=mask,
                                                 reduction="none")
        return res.mean(dim=1)


loss = SigmoidBinaryCrossEntropyLoss()


def train_word2vec(net: nn.Sequential, batches: Sequence[Sequence[torch.Tensor]], lr: float,
                   num_epochs: int) -> list[float]:
    """§10.3: Adam on the masked, rescaled loss; returns the mean batch loss per epoch.

    ``net`` is ``Sequential(embed_v, embed_u)``; ``batches`` are ``batchify`` outputs.
    """
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    history = []
    for _ in range(num_epochs):
        total, n = 0.0, 0
        for center, context_negative, mask, label in batches:
            pred = skip_gram(center, context_negative, net[0], net[1])
            lo = (loss(pred.view(label.shape), label, mask)
                  * mask.shape[1] / mask.sum(dim=1)).mean()
            optimizer.zero_grad()
            lo.backward()
            optimizer.step()
            total += lo.item()
            n += 1
        history.append(total / n)
    return history


def get_similar_tokens(query_token: str, k: int, W: torch.Tensor,
                       idx_to_token: Sequence[str]) -> list[str]:
    """§10.3: the ``k`` tokens whose rows of ``W`` have the largest cosine similarity with
    the query's (+1e-9 under the root), the query itself (the top hit) left out."""
    x = W[list(idx_to_token).index(query_token)]
    cos = W @ x / torch.sqrt(torch.sum(W * W, dim=1) * torch.sum(x * x) + 1e-9)
    topk = torch.topk(cos, k=k + 1).indices.tolist()
    return [idx_to_token[i] for i in topk[1:]]


# ---- §10.4 subword embedding ------------------------------------------------------------------


def get_subwords(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """§10.4: the character n-grams (min_n ≤ n ≤ max_n) of ``<word>`` plus ``<word>``
    itself, distinct, sorted (a set has no order to compare)."""
    padded = f"<{word}>"
    grams = {padded[i:i + n] for n in range(min_n, max_n + 1)
             for i in range(len(padded) - n + 1)}
    return sorted(grams | {padded})


def fasttext_vector(word: str, table: dict[str, torch.Tensor], min_n: int = 3,
                    max_n: int = 6) -> torch.Tensor:
    """§10.4: the sum of the vectors of the word's subwords found in ``table``; a word
    never seen still gets a vector from its known n-grams (zeros when none is known)."""
    dim = next(iter(table.values())).shape[0]
    vec = torch.zeros(dim)
    for s in get_subwords(word, min_n, max_n):
        if s in table:
            vec = vec + table[s]
    return vec


def bpe_merges(token_freqs: dict[str, int], num_merges: int
               ) -> tuple[list[str], dict[str, int]]:
    """§10.4 (byte pair encoding, 2nd edition): merge the most frequent adjacent pair
    ``num_merges`` times.

    Keys of ``token_freqs`` are words as space-separated symbols.  Pair counts are weighted
    by the word's frequency; a tie goes to the pair seen first (words in dict order, pairs
    left to right).  Merging scans each word left to right.  Returns the merged symbols in
    order and the final segmentation; stops early when no word has two symbols.
    """
    freqs = dict(token_freqs)
    merges: list[str] = []
    for _ in range(num_merges):
        pairs: dict[tuple[str, str], int] = {}
        for word, freq in freqs.items():
            symbols = word.split(" ")
            for pair in zip(symbols[:-1], symbols[1:], strict=True):
                pairs[pair] = pairs.get(pair, 0) + freq
        if not pairs:
            break
        best = max(pairs, key=pairs.__getitem__)
        merges.append(best[0] + best[1])
        new_freqs: dict[str, int] = {}
        for word, freq in freqs.items():
            symbols, out, i = word.split(" "), [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            key = " ".join(out)
            new_freqs[key] = new_freqs.get(key, 0) + freq
        freqs = new_freqs
    return merges, freqs


# ---- §10.5 GloVe ------------------------------------------------------------------------------


def cooccurrence(corpus: Sequence[Sequence[int]], vocab_size: int,
                 window_size: int) -> torch.Tensor:
    """§10.5: X[i, j] = how often word j is within ``window_size`` of centre word i, within
    a sentence (plain counts, the book's x_ij; symmetric), as a float32 (V, V) tensor."""
    X = torch.zeros(vocab_size, vocab_size)
    for st in corpus:
        for i, center in enumerate(st):
            for j in range(max(0, i - window_size), min(len(st), i + window_size + 1)):
                if j != i:
                    X[center, st[j]] += 1
    return X


def glove_weight(x: torch.Tensor, c: float = 100.0, alpha: float = 0.75) -> torch.Tensor:
    """§10.5: h(x) = min(1, (x / c)^α), elementwise (0 at x = 0)."""
    return torch.clamp((x / c) ** alpha, max=1.0)


def glove_loss(V: torch.Tensor, U: torch.Tensor, b: torch.Tensor, c: torch.Tensor,
               X: torch.Tensor, x_max: float = 100.0, alpha: float = 0.75) -> torch.Tensor:
    """§10.5: Σ_{x_ij > 0} h(x_ij) (u_jᵀ v_i + b_i + c_j − log x_ij)², a scalar tensor.

    Rows of ``V`` are centre vectors v_i with biases ``b``; rows of ``U`` context vectors
    u_j with biases ``c``.  Pairs never seen together (x_ij = 0) contribute nothing, and
    log 0 is never taken.
    """
    seen = X > 0
    log_x = torch.log(torch.where(seen, X, torch.ones_like(X)))
    diff = V @ U.T + b[:, None] + c[None, :] - log_x
    return torch.sum(torch.where(seen, glove_weight(X, x_max, alpha) * diff ** 2,
                                 torch.zeros_like(X)))


# ---- §10.6 similarity and analogy -------------------------------------------------------------


def token_embedding(tokens: Sequence[str], vectors: torch.Tensor
                    ) -> tuple[list[str], dict[str, int], torch.Tensor]:
    """§10.6 ``TokenEmbedding``: ``<unk>`` at index 0 with a zero vector, then the file's
    tokens in file order; returns (idx_to_token, token_to_idx, idx_to_vec)."""
    idx_to_token = ["<unk>", *tokens]
    token_to_idx = {t: i for i, t in enumerate(idx_to_token)}
    idx_to_vec = torch.cat([torch.zeros(1, vectors.shape[1]), vectors])
    return idx_to_token, token_to_idx, idx_to_vec


def knn(W: torch.Tensor, x: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """§10.6: indices and cosine similarities of the ``k`` rows of ``W`` nearest to ``x``
    (cosine with 1e-9 added under the root, so the zero ``<unk>`` row gives 0, not NaN)."""
    cos = W @ x / torch.sqrt(torch.sum(W * W, dim=1) * torch.sum(x * x) + 1e-9)
    top = torch.topk(cos, k=k)
    return top.indices, top.values


def get_analogy(token_a: str, token_b: str, token_c: str, W: torch.Tensor,
                idx_to_token: Sequence[str]) -> str:
    """§10.6: the token nearest (by :func:`knn`) to vec(b) − vec(a) + vec(c); a, b and c
    stay candidates, as in the book."""
    idx = {t: i for i, t in enumerate(idx_to_token)}
    x = W[idx[token_b]] - W[idx[token_a]] + W[idx[token_c]]
    top, _ = knn(W, x, 1)
    return idx_to_token[int(top[0])]
