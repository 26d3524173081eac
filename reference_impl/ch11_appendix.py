"""Chapter 11 appendix (§11.1, §11.2, §11.5), the answer key in PyTorch.

The appendix of 《动手学深度学习》 (first edition) has no code of its own: §11.1 lists the
book's notation, §11.2 recalls the linear algebra, calculus and probability the book
relies on, and §11.5 gives advice on buying a GPU.  Here each idea becomes a small
computation that can be checked numerically:

* §11.2 linear algebra: vector and matrix norms, the shapes of products, and the
  eigen-decomposition of a symmetric matrix, judged only through quantities that do not
  depend on the sign of an eigenvector (eigenvalues, projectors, matrix functions);
* §11.2 calculus: gradients, Hessians and Jacobians written by hand, which must agree
  with autograd in float64 (``tests/test_ch11_appendix.py`` checks this answer key
  against ``torch.autograd.functional``);
* §11.2 probability: sample statistics, moments estimated by sampling (judged against the
  true moments within a stated number of standard errors) and Bayes' rule on a table;
* §11.5 the memory a network needs for training, in bytes, as exact integers.

The notation quiz of §11.1 is a set of choice questions whose keys live in
``solutions/ch11_appendix/questions.py``; it has no code here.
"""

from __future__ import annotations

import math
from typing import Any

import torch

__all__ = [
    "lp_norm",
    "frobenius_norm",
    "matmul_shape",
    "mat_products",
    "eigen_facts",
    "quadratic_derivatives",
    "sigmoid_layer_jacobian",
    "sample_stats",
    "estimate_moments",
    "bayes_table",
    "LAYER_TYPES",
    "layer_output_shape",
    "param_bytes",
    "activation_bytes",
    "optimizer_state_bytes",
    "OPTIMIZER_STATES",
    "training_budget",
]


# ---------------------------------------------------------------------------
# §11.2 Linear algebra
# ---------------------------------------------------------------------------


def lp_norm(x: torch.Tensor, p: float) -> torch.Tensor:
    """The Lp norm ‖x‖_p = (Σ|x_i|^p)^(1/p) of a vector, for a finite p ≥ 1 (§11.2).

    The absolute value matters: without it an odd p lets negative entries cancel
    positive ones, and a fractional p turns them into NaN.  p = 1 and p = 2 give the
    L1 and L2 (Euclidean) norms.
    """
    return (x.abs() ** p).sum() ** (1.0 / p)


def frobenius_norm(X: torch.Tensor) -> torch.Tensor:
    """The Frobenius norm ‖X‖_F = sqrt(Σ_ij x_ij²) of a matrix (§11.2).

    It is the L2 norm of the matrix read as one long vector, not the spectral norm
    (the largest singular value), which is what "the 2-norm of a matrix" often means.
    """
    return (X ** 2).sum().sqrt()


def matmul_shape(shape_a: list[int], shape_b: list[int]) -> list[int] | None:
    """The shape of ``A @ B`` for 1-D or 2-D operands, or None if they do not fit (§11.2).

    Follows ``torch.matmul``: a vector on the left acts as a row (its length must equal
    B's rows) and its dimension is dropped from the result; a vector on the right acts
    as a column; two vectors give their inner product, a scalar of shape ``[]``.  In
    every case the inner sizes must agree.
    """
    a, b = list(shape_a), list(shape_b)
    inner_a = a[-1]
    inner_b = b[0]
    if inner_a != inner_b:
        return None
    rows = a[:-1]  # [] for a vector, [m] for an m×n matrix
    cols = b[1:]  # [] for a vector, [k] for an n×k matrix
    return rows + cols


def mat_products(A: torch.Tensor, B: torch.Tensor, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Matrix–vector, matrix–matrix and element-wise products (§11.2).

    With A of shape (m, n), B of shape (n, m) and x of length n: ``Ax`` has m entries,
    ``AB`` is m×m, ``BA`` is n×n, and the Hadamard product ``A ⊙ Bᵀ`` (element by
    element, both m×n) is m×n; ``AtA`` = AᵀA is the n×n Gram matrix of A's columns.
    """
    return {"Ax": A @ x, "AB": A @ B, "BA": B @ A, "AtA": A.T @ A, "hadamard": A * B.T}


def eigen_facts(S: torch.Tensor) -> dict[str, torch.Tensor]:
    """What the eigen-decomposition of a symmetric positive-definite S tells us (§11.2).

    ``torch.linalg.eigh`` gives S = Q diag(λ) Qᵀ with the eigenvalues in ascending order
    and the eigenvectors as the *columns* of Q.  An eigenvector is defined only up to its
    sign, so the answer holds quantities that do not depend on it: the eigenvalues, the
    projector v vᵀ onto the eigenvector of the largest eigenvalue, and the matrix square
    root Q diag(√λ) Qᵀ (whose square is S).
    """
    eigenvalues, Q = torch.linalg.eigh(S)
    v = Q[:, -1]
    return {"eigenvalues": eigenvalues,
            "top_projector": torch.outer(v, v),
            "sqrt": Q @ torch.diag(eigenvalues.sqrt()) @ Q.T}


# ---------------------------------------------------------------------------
# §11.2 Calculus
# ---------------------------------------------------------------------------


def quadratic_derivatives(A: torch.Tensor, b: torch.Tensor,
                          x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Gradient and Hessian of f(x) = xᵀAx + bᵀx, written by hand (§11.2).

    ∇f(x) = (A + Aᵀ)x + b and the Hessian is the constant A + Aᵀ.  For a symmetric A
    these become 2Ax + b and 2A; for a general A the transpose cannot be dropped.
    """
    sym = A + A.T
    return {"grad": sym @ x + b, "hessian": sym}


def sigmoid_layer_jacobian(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The Jacobian of f(x) = sigmoid(Wx + b), written by hand (§11.2).

    f maps R^n to R^m, so its Jacobian has m rows and n columns, J_ij = ∂f_i/∂x_j (the
    layout ``torch.autograd.functional.jacobian`` uses).  By the chain rule
    J = diag(σ'(z)) W with z = Wx + b and σ'(z) = σ(z)(1 − σ(z)): row i of W scaled by
    σ'(z_i).
    """
    s = torch.sigmoid(W @ x + b)
    return (s * (1 - s))[:, None] * W


# ---------------------------------------------------------------------------
# §11.2 Probability
# ---------------------------------------------------------------------------


def sample_stats(x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mean, sample variance and standard error of the mean of samples x (§11.2).

    The sample variance divides by n − 1 (Bessel's correction), so that its expectation
    is the true variance; dividing by n (the variance of the sample as a population)
    underestimates it by the factor (n − 1)/n.  The standard error of the mean is
    sqrt(var / n).
    """
    n = x.numel()
    mean = x.sum() / n
    var = ((x - mean) ** 2).sum() / (n - 1)
    return {"mean": mean, "var": var, "sem": (var / n).sqrt()}


def estimate_moments(dist: torch.distributions.Distribution, n: int,
                     t: float) -> dict[str, Any]:
    """Estimate E[X], Var(X) and P(X > t) from n samples of ``dist`` (§11.2).

    The samples come from ``dist.sample((n,))``, i.e. from torch's global generator,
    which the grader seeds; the answer is judged by how far each estimate is from the
    true value, in standard errors, so any correct way of sampling passes.  The variance
    is the sample variance (n − 1), and the tail probability is the fraction of samples
    above t.
    """
    samples = dist.sample((n,))
    return {"samples": samples,
            "mean": samples.mean().item(),
            "var": samples.var().item(),
            "tail": (samples > t).float().mean().item()}


def bayes_table(prior: torch.Tensor, likelihood: torch.Tensor) -> dict[str, torch.Tensor]:
    """Evidence and posterior for every observation, by Bayes' rule (§11.2).

    ``prior[i]`` = P(H = i) and ``likelihood[i, j]`` = P(D = j | H = i).  The joint is
    P(H = i, D = j) = P(D = j | H = i) P(H = i); the evidence P(D = j) sums the joint
    over the hypotheses (a column sum); the posterior P(H = i | D = j) divides the joint
    by the evidence, so each *column* of the posterior sums to 1.
    """
    joint = prior[:, None] * likelihood
    evidence = joint.sum(dim=0)
    return {"evidence": evidence, "posterior": joint / evidence}


# ---------------------------------------------------------------------------
# §11.5 Compute budget: the memory a network needs for training
# ---------------------------------------------------------------------------

#: The layer descriptions the budget functions understand (dicts with a ``"type"``):
#: ``{"type": "linear", "in": n, "out": m}``,
#: ``{"type": "conv", "in": c, "out": d, "kernel": k, "stride": s, "padding": p}``,
#: ``{"type": "maxpool", "kernel": k, "stride": s}`` (no padding),
#: ``{"type": "relu"}``, ``{"type": "sigmoid"}``, ``{"type": "flatten"}``.
#: Linear and convolution layers have a bias; every value takes ``bytes_per_value``.
LAYER_TYPES = ("linear", "conv", "maxpool", "relu", "sigmoid", "flatten")

#: Extra values an optimizer keeps per parameter: plain SGD none, SGD with momentum one
#: (the velocity), Adam two (the running first and second moments).
OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "adam": 2}


def layer_output_shape(layer: dict[str, Any], shape: list[int]) -> list[int]:
    """The per-example output shape of one layer given its per-example input shape.

    A convolution gives ((h + 2p − k)//s + 1) in each spatial direction, a pooling layer
    ((h − k)//s + 1); flatten multiplies everything into one dimension.
    """
    kind = layer["type"]
    if kind == "linear":
        return [layer["out"]]
    if kind == "conv":
        k, s, p = layer["kernel"], layer["stride"], layer["padding"]
        return [layer["out"]] + [(d + 2 * p - k) // s + 1 for d in shape[1:]]
    if kind == "maxpool":
        k, s = layer["kernel"], layer["stride"]
        return shape[:1] + [(d - k) // s + 1 for d in shape[1:]]
    if kind == "flatten":
        return [math.prod(shape)]
    if kind in ("relu", "sigmoid"):
        return list(shape)
    raise ValueError(f"unknown layer type {kind!r}")


def _num_params(layers: list[dict[str, Any]]) -> int:
    total = 0
    for layer in layers:
        if layer["type"] == "linear":
            total += layer["in"] * layer["out"] + layer["out"]
        elif layer["type"] == "conv":
            total += layer["out"] * layer["in"] * layer["kernel"] ** 2 + layer["out"]
    return total


def param_bytes(layers: list[dict[str, Any]], bytes_per_value: int = 4) -> int:
    """Bytes taken by the parameters (weights and biases) of the network (§11.5).

    A linear layer n → m has n·m weights and m biases; a convolution with c input
    channels, d output channels and a k×k kernel has d·c·k² weights and d biases.
    Activations, pooling and flatten have no parameters.
    """
    return _num_params(layers) * bytes_per_value


def activation_bytes(layers: list[dict[str, Any]], input_shape: list[int], batch_size: int,
                     bytes_per_value: int = 4) -> int:
    """Bytes of the activations kept for the backward pass, for one batch (§11.5).

    Counted as in the question: the output of every layer for the whole batch, except
    ``flatten``, whose output is a view sharing its input's memory; the input batch
    itself is not counted.
    """
    shape, elements = list(input_shape), 0
    for layer in layers:
        shape = layer_output_shape(layer, shape)
        if layer["type"] != "flatten":
            elements += math.prod(shape)
    return elements * batch_size * bytes_per_value


def optimizer_state_bytes(layers: list[dict[str, Any]],
                          bytes_per_value: int = 4) -> dict[str, int]:
    """Bytes of optimizer state for plain SGD, SGD with momentum and Adam (§11.5).

    Each optimizer keeps :data:`OPTIMIZER_STATES` extra values per parameter, so the
    state is 0, 1 or 2 times the parameters' own memory.
    """
    param = param_bytes(layers, bytes_per_value)
    return {name: states * param for name, states in OPTIMIZER_STATES.items()}


def training_budget(num_params: int, activations_per_example: int, batch_size: int,
                    optimizer: str, memory_gib: float,
                    bytes_per_value: int = 4) -> dict[str, Any]:
    """Does one training step fit on a card with ``memory_gib`` GiB, and up to what batch?

    Memory for a step = parameters + their gradients + the optimizer's state (all of
    ``num_params`` values each) + the activations (``activations_per_example`` values per
    example), every value ``bytes_per_value`` bytes; 1 GiB = 2**30 bytes.  The largest
    batch that fits is (memory − fixed part) // bytes per example, and 0 when not even
    the fixed part fits (§11.5).
    """
    memory = int(memory_gib * 2**30)
    fixed = num_params * (2 + OPTIMIZER_STATES[optimizer]) * bytes_per_value
    per_example = activations_per_example * bytes_per_value
    total = fixed + per_example * batch_size
    return {"total_bytes": total, "fits": total <= memory,
            "max_batch_size": max(0, (memory - fixed) // per_example)}
