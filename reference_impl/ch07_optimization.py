"""Reference for chapter 7 (优化算法), §7.1–7.8: the functions the notebook asks for.

Conventions pinned down here (the book is MXNet; these are the choices the grader uses):

* **Optimisers from scratch** follow the book's shape: ``init_X_states(feature_dim)``
  returns zero states for the weight ``(feature_dim, 1)`` and the bias ``(1,)``, and
  ``X(params, states, hyperparams)`` does one step, changing the parameters **and the
  states in place** and returning nothing.  Parameters are leaf tensors that require
  grad, so the updates run under ``torch.no_grad()``.
* **Where epsilon sits.**  AdaGrad and RMSProp add ε = 1e-6 **inside** the square root,
  ``g / sqrt(s + ε)``; ``torch.optim.Adagrad`` and ``RMSprop`` add theirs (1e-10, 1e-8)
  **outside**, ``g / (sqrt(s) + ε)``.  Adam adds ε = 1e-6 **outside**, as torch does
  (whose default is 1e-8).  AdaDelta uses ε = 1e-5 inside both roots, as torch does.
* **Adam's step count** ``hyperparams['t']`` starts at 1 and ``adam`` adds 1 to it after
  updating every parameter, so bias correction divides by ``1 - β^t`` for the step being
  taken.
* **Momentum** keeps the book's velocity ``v ← γv + ηg``, ``x ← x - v``; torch keeps
  ``b ← μb + g``, ``x ← x - ηb``.  With a constant η the two are the same trajectory.
* **Minibatch training** (``train_ch7``) takes the minibatches as index tensors, so the
  grader chooses the order (no shuffling inside graded code); the loss is the book's
  ``(ŷ - y)² / 2`` averaged over the batch, and the optimiser does not divide by the
  batch size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from .airfoil import standardize_airfoil

__all__ = [
    "classify_critical_point", "gd", "gd_2d", "sgd_2d", "train_2d", "momentum_2d",
    "standardize_airfoil", "linreg", "squared_loss", "sgd", "train_ch7",
    "init_momentum_states", "sgd_momentum", "init_adagrad_states", "adagrad",
    "init_rmsprop_states", "rmsprop", "init_adadelta_states", "adadelta",
    "init_adam_states", "adam", "f_xcos",
]

Params = Sequence[torch.Tensor]


# ---- §7.1 local minima and saddle points ---------------------------------------------

def f_xcos(x: float) -> float:
    """The book's example with many local minima: ``x·cos(πx)``."""
    return x * math.cos(math.pi * x)


def classify_critical_point(hessian: torch.Tensor, tol: float = 1e-9) -> str:
    """What kind of critical point a Hessian describes, from the signs of its eigenvalues.

    ``"minimum"`` when all are positive, ``"maximum"`` when all are negative,
    ``"saddle"`` when both signs occur, and ``"degenerate"`` when some eigenvalue is 0
    (|λ| ≤ ``tol``) and the others do not already show both signs: the second-order test
    then cannot decide.
    """
    eig = torch.linalg.eigvalsh(hessian.to(torch.float64))
    pos, neg = bool((eig > tol).any()), bool((eig < -tol).any())
    if pos and neg:
        return "saddle"
    if bool((eig.abs() <= tol).any()):
        return "degenerate"
    return "minimum" if pos else "maximum"


# ---- §7.2 gradient descent --------------------------------------------------------------

def gd(eta: float, x0: float = 10.0, steps: int = 10) -> list[float]:
    """Gradient descent on f(x) = x²: the trajectory ``[x0, x1, ..., x_steps]``."""
    x, results = float(x0), [float(x0)]
    for _ in range(steps):
        x -= eta * 2 * x  # f'(x) = 2x
        results.append(x)
    return results


def gd_2d(x1: float, x2: float, s1: float, s2: float,
          eta: float = 0.1) -> tuple[float, float, float, float]:
    """One gradient step on f = x1² + 2·x2² (gradient (2·x1, 4·x2)); no state."""
    return (x1 - eta * 2 * x1, x2 - eta * 4 * x2, 0.0, 0.0)


def sgd_2d(x1: float, x2: float, s1: float, s2: float, eta: float,
           noise: Sequence[float]) -> tuple[float, float, float, float]:
    """``gd_2d`` with a noisy gradient: ``noise`` (two numbers) is added to it.

    The book draws the noise inside the step; here it is an argument, so the step is a
    function of its inputs.
    """
    g1, g2 = 2 * x1 + noise[0], 4 * x2 + noise[1]
    return (x1 - eta * g1, x2 - eta * g2, 0.0, 0.0)


def train_2d(trainer: Callable[..., tuple[float, float, float, float]], steps: int = 20,
             x1: float = -5.0, x2: float = -2.0) -> list[tuple[float, float]]:
    """Run a 2-D trainer ``steps`` times from (x1, x2) with zero state; all points."""
    s1 = s2 = 0.0
    results = [(x1, x2)]
    for _ in range(steps):
        x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    return results


def momentum_2d(x1: float, x2: float, v1: float, v2: float, eta: float = 0.4,
                gamma: float = 0.5) -> tuple[float, float, float, float]:
    """One momentum step on f = 0.1·x1² + 2·x2² (gradient (0.2·x1, 4·x2))."""
    v1 = gamma * v1 + eta * 0.2 * x1
    v2 = gamma * v2 + eta * 4 * x2
    return (x1 - v1, x2 - v2, v1, v2)


# ---- §7.3 minibatch SGD --------------------------------------------------------------

def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear model of chapter 3."""
    return X @ w + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The book's per-example loss ``(ŷ - y)² / 2`` (``y`` reshaped to ``ŷ``)."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Params, states: Any, hyperparams: dict[str, Any]) -> None:
    """One plain SGD step, ``p ← p - lr·∇p``; ``states`` is unused (kept for the shape)."""
    with torch.no_grad():
        for p in params:
            p -= hyperparams["lr"] * p.grad


def train_ch7(trainer_fn: Callable[..., None], states: Any, hyperparams: dict[str, Any],
              features: torch.Tensor, labels: torch.Tensor, w: torch.Tensor,
              b: torch.Tensor, batches: Sequence[torch.Tensor],
              log_every: int = 10) -> list[float]:
    """Train the linear model ``(w, b)`` in place on the given minibatches.

    ``batches`` is a list of index tensors (one minibatch each, in order).  Before
    training and after every ``log_every`` steps, the mean loss over all examples is
    recorded; the list of these (Python floats) is returned.
    """
    def full_loss() -> float:
        with torch.no_grad():
            return squared_loss(linreg(features, w, b), labels).mean().item()

    losses = [full_loss()]
    for i, idx in enumerate(batches):
        X, y = features[idx], labels[idx]
        loss = squared_loss(linreg(X, w, b), y).mean()
        for p in (w, b):
            if p.grad is not None:
                p.grad.zero_()
        loss.backward()
        trainer_fn([w, b], states, hyperparams)
        if (i + 1) % log_every == 0:
            losses.append(full_loss())
    return losses


# ---- §7.4–7.8 optimisers from scratch --------------------------------------------------

def _zeros(feature_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.zeros(feature_dim, 1), torch.zeros(1)


def init_momentum_states(feature_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Velocities of ``w`` and ``b``, zero."""
    return _zeros(feature_dim)


def sgd_momentum(params: Params, states: Any, hyperparams: dict[str, Any]) -> None:
    """Momentum: ``v ← γv + η·g``, ``p ← p - v`` (γ = ``hyperparams['momentum']``)."""
    with torch.no_grad():
        for p, v in zip(params, states, strict=True):
            v.mul_(hyperparams["momentum"]).add_(hyperparams["lr"] * p.grad)
            p -= v


def init_adagrad_states(feature_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Sums of squared gradients of ``w`` and ``b``, zero."""
    return _zeros(feature_dim)


def adagrad(params: Params, states: Any, hyperparams: dict[str, Any]) -> None:
    """AdaGrad: ``s ← s + g²``, ``p ← p - η·g / sqrt(s + ε)``, ε = 1e-6 inside the root."""
    eps = 1e-6
    with torch.no_grad():
        for p, s in zip(params, states, strict=True):
            s += p.grad ** 2
            p -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)


def init_rmsprop_states(feature_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Moving averages of squared gradients of ``w`` and ``b``, zero."""
    return _zeros(feature_dim)


def rmsprop(params: Params, states: Any, hyperparams: dict[str, Any]) -> None:
    """RMSProp: ``s ← γs + (1-γ)g²``, ``p ← p - η·g / sqrt(s + ε)``, ε = 1e-6 inside."""
    gamma, eps = hyperparams["gamma"], 1e-6
    with torch.no_grad():
        for p, s in zip(params, states, strict=True):
            s.mul_(gamma).add_((1 - gamma) * p.grad ** 2)
            p -= hyperparams["lr"] * p.grad / torch.sqrt(s + eps)


def init_adadelta_states(feature_dim: int) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
    """``((s_w, Δx_w), (s_b, Δx_b))``, all zero."""
    (s_w, s_b), (d_w, d_b) = _zeros(feature_dim), _zeros(feature_dim)
    return ((s_w, d_w), (s_b, d_b))


def adadelta(params: Params, states: Any, hyperparams: dict[str, Any]) -> None:
    """AdaDelta (no learning rate): with ρ = ``hyperparams['rho']`` and ε = 1e-5,
    ``s ← ρs + (1-ρ)g²``, ``g' ← sqrt((Δx + ε)/(s + ε))·g``, ``p ← p - g'``,
    ``Δx ← ρΔx + (1-ρ)g'²``."""
    rho, eps = hyperparams["rho"], 1e-5
    with torch.no_grad():
        for p, (s, delta) in zip(params, states, strict=True):
            s.mul_(rho).add_((1 - rho) * p.grad ** 2)
            g = torch.sqrt((delta + eps) / (s + eps)) * p.grad
            p -= g
            delta.mul_(rho).add_((1 - rho) * g ** 2)


def init_adam_states(feature_dim: int) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
    """``((v_w, s_w), (v_b, s_b))``, all zero."""
    (v_w, v_b), (s_w, s_b) = _zeros(feature_dim), _zeros(feature_dim)
    return ((v_w, s_w), (v_b, s_b))


def adam(params: Params, states: Any, hyperparams: dict[str, Any]) -> None:
    """Adam with β1 = 0.9, β2 = 0.999, ε = 1e-6 (outside the root) and bias correction
    by the step count ``t = hyperparams['t']``, which this call then increments."""
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    t = hyperparams["t"]
    with torch.no_grad():
        for p, (v, s) in zip(params, states, strict=True):
            v.mul_(beta1).add_((1 - beta1) * p.grad)
            s.mul_(beta2).add_((1 - beta2) * p.grad ** 2)
            v_hat = v / (1 - beta1 ** t)
            s_hat = s / (1 - beta2 ** t)
            p -= hyperparams["lr"] * v_hat / (torch.sqrt(s_hat) + eps)
    hyperparams["t"] += 1
