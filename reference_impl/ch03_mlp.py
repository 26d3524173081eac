"""Chapter 3, second notebook (§3.8–§3.15): multilayer perceptrons and regularisation.

This module is the answer key for ``solutions/ch03_basics`` notebook
``mlp_regularization``.  Each function is the plain version a student is asked to
write, translated from the first edition's MXNet code to PyTorch, in the order the
book introduces the ideas.  Two units have no code in the book (§3.14 hand-derived
backpropagation, §3.15 Xavier initialisation); they are written here from the
formulas so the grader has something deterministic to compare with.

Conventions shared with the first notebook: scratch losses return one value per
example, the loop back-propagates their sum and :func:`~reference_impl.ch03_basics.sgd`
divides by the batch size; with a ``torch.optim`` optimiser the loop uses the mean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from reference_impl.ch03_basics import linreg, sgd, squared_loss

__all__ = [
    "activations",
    "relu",
    "mlp_net",
    "mlp_concise",
    "poly_data",
    "fit_poly",
    "l2_penalty",
    "train_weight_decay",
    "train_weight_decay_concise",
    "dropout",
    "dropout_mlp",
    "dropout_mlp_concise",
    "forward_objective",
    "manual_backward",
    "xavier_uniform",
    "constant_init_training",
    "TRUE_POLY_W",
    "TRUE_POLY_B",
]

#: The cubic the §3.11 data come from: y = 1.2x − 3.4x² + 5.6x³ + 5 + noise.
TRUE_POLY_W = (1.2, -3.4, 5.6)
TRUE_POLY_B = 5.0


# ---------------------------------------------------------------------------
# §3.8 Multilayer perceptrons: activation functions
# ---------------------------------------------------------------------------


def activations(x: torch.Tensor) -> dict[str, torch.Tensor]:
    """ReLU, sigmoid and tanh of ``x`` and their derivatives, found by autograd (§3.8).

    The book plots each function and then its gradient, obtained by calling
    ``backward`` on the sum of the outputs (each output depends on one input only,
    so the gradient of the sum is the element-wise derivative).  ``x.grad`` must be
    cleared between the three calls because PyTorch adds gradients up.  PyTorch
    defines relu'(0) = 0.
    """
    x = x.detach().clone().requires_grad_(True)
    out: dict[str, torch.Tensor] = {}
    for name, fn in (("relu", torch.relu), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh)):
        y = fn(x)
        y.sum().backward()
        out[name] = y.detach()
        out[f"{name}_grad"] = x.grad.detach().clone()
        x.grad.zero_()
    return out


# ---------------------------------------------------------------------------
# §3.9 MLP from scratch
# ---------------------------------------------------------------------------


def relu(X: torch.Tensor) -> torch.Tensor:
    """max(x, 0) element-wise (§3.9), written without ``torch.relu``."""
    return torch.max(X, torch.zeros_like(X))


def mlp_net(X: torch.Tensor, params: Sequence[torch.Tensor]) -> torch.Tensor:
    """One-hidden-layer MLP ``relu(X W1 + b1) W2 + b2`` (§3.9).

    ``params`` is ``[W1, b1, W2, b2]`` with ``W1`` of shape ``(inputs, hiddens)``,
    so images are flattened to rows first.  The output layer has no activation: the
    softmax is left to the loss.  Parameters are an argument, not globals, so a
    grader can inject its own.
    """
    W1, b1, W2, b2 = params
    X = X.reshape(-1, W1.shape[0])
    H = relu(torch.matmul(X, W1) + b1)
    return torch.matmul(H, W2) + b2


# ---------------------------------------------------------------------------
# §3.10 Concise MLP
# ---------------------------------------------------------------------------


def mlp_concise(num_inputs: int = 784, num_hiddens: int = 256,
                num_outputs: int = 10) -> nn.Sequential:
    """``Flatten → Linear → ReLU → Linear`` (§3.10); 203530 parameters by default.

    As in the book every parameter starts from N(0, 0.01²).  The layer order fixes
    the state-dict names (``1.weight``, ``1.bias``, ``3.weight``, ``3.bias``), which
    is what lets the grader load its own weights into a student's model.
    """
    model = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                          nn.Linear(num_hiddens, num_outputs))
    for param in model.parameters():
        nn.init.normal_(param, mean=0.0, std=0.01)
    return model


# ---------------------------------------------------------------------------
# §3.11 Model selection, underfitting and overfitting
# ---------------------------------------------------------------------------


def poly_data(x: torch.Tensor, noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Cubic features ``(x, x², x³)`` and labels ``1.2x − 3.4x² + 5.6x³ + 5 + noise`` (§3.11).

    ``x`` and ``noise`` have shape ``(n, 1)``; the noise is an argument so that the
    function itself is deterministic and can be compared value by value.
    """
    features = torch.cat((x, x.pow(2), x.pow(3)), dim=1)
    w = torch.tensor(TRUE_POLY_W, dtype=features.dtype).reshape(-1, 1)
    labels = torch.matmul(features, w) + TRUE_POLY_B + noise
    return features, labels


def fit_poly(train_features: torch.Tensor, test_features: torch.Tensor,
             train_labels: torch.Tensor, test_labels: torch.Tensor,
             num_epochs: int = 100, lr: float = 0.01,
             batch_size: int = 10) -> tuple[list[float], list[float], torch.Tensor, torch.Tensor]:
    """Fit a linear model on the given features; record train/test MSE each epoch (§3.11).

    Feeding it cubic features fits well, linear features underfit, and very few
    training rows overfit: comparing the two loss curves is the point of the section.
    The model is ``nn.Linear(d, 1)`` with PyTorch's default initialisation, the loss
    ``nn.MSELoss`` (mean), the optimiser plain SGD over shuffled minibatches of at
    most ``batch_size`` rows.  Returns ``(train_ls, test_ls, weight, bias)`` with the
    weight of shape ``(1, d)`` and the bias of shape ``(1,)``.
    """
    net = nn.Linear(train_features.shape[-1], 1)
    loss = nn.MSELoss()
    batch_size = min(batch_size, train_labels.shape[0])
    train_iter = DataLoader(TensorDataset(train_features, train_labels), batch_size,
                            shuffle=True)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    train_ls: list[float] = []
    test_ls: list[float] = []
    for _ in range(num_epochs):
        for X, y in train_iter:
            optimizer.zero_grad()
            loss(net(X), y.reshape(-1, 1)).backward()
            optimizer.step()
        with torch.no_grad():
            train_ls.append(loss(net(train_features), train_labels.reshape(-1, 1)).item())
            test_ls.append(loss(net(test_features), test_labels.reshape(-1, 1)).item())
    return train_ls, test_ls, net.weight.detach().clone(), net.bias.detach().clone()


# ---------------------------------------------------------------------------
# §3.12 Weight decay
# ---------------------------------------------------------------------------


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    """Half the squared L2 norm, ``Σ w² / 2`` (§3.12); its gradient is ``w`` itself."""
    return (w ** 2).sum() / 2


def train_weight_decay(w: torch.Tensor, b: torch.Tensor,
                       batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
                       lambd: float, lr: float, num_epochs: int) -> None:
    """Linear regression with an L2 penalty, from scratch, updating ``w``, ``b`` in place (§3.12).

    Per example the loss is ``squared_loss + lambd * l2_penalty(w)``; the batch sum is
    back-propagated and :func:`sgd` divides by the batch size, so each step moves
    along the mean data gradient plus ``lambd * w``.  The batches come in a fixed
    order, which makes the result deterministic.
    """
    for _ in range(num_epochs):
        for X, y in batches:
            l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)  # noqa: E741
            l.sum().backward()
            sgd([w, b], lr, X.shape[0])


def train_weight_decay_concise(net: nn.Linear,
                               batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
                               wd: float, lr: float, num_epochs: int) -> None:
    """The same with ``torch.optim.SGD``'s ``weight_decay``, on the weight only (§3.12).

    Two parameter groups replace the book's two trainers: the weight decays, the
    bias does not.  The loss is ``nn.MSELoss`` (mean).  ``net`` is trained in place.
    """
    loss = nn.MSELoss()
    trainer = torch.optim.SGD([{"params": [net.weight], "weight_decay": wd},
                               {"params": [net.bias]}], lr=lr)
    for _ in range(num_epochs):
        for X, y in batches:
            trainer.zero_grad()
            loss(net(X), y).backward()
            trainer.step()


# ---------------------------------------------------------------------------
# §3.13 Dropout
# ---------------------------------------------------------------------------


def dropout(X: torch.Tensor, drop_prob: float) -> torch.Tensor:
    """Inverted dropout: zero each element with probability ``drop_prob``, scale the rest (§3.13).

    Dividing the survivors by ``1 - drop_prob`` keeps every element's expected value
    equal to its input, so nothing has to change at test time.  The mask comes from
    ``torch.rand``, so it differs from ``nn.Dropout``'s even under the same seed.
    """
    if not 0 <= drop_prob <= 1:
        raise ValueError(f"drop_prob must lie in [0, 1], got {drop_prob}")
    keep_prob = 1 - drop_prob
    if keep_prob == 0:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) < keep_prob).to(X.dtype)
    return mask * X / keep_prob


def dropout_mlp(X: torch.Tensor, params: Sequence[torch.Tensor], drop_prob1: float,
                drop_prob2: float, is_training: bool = True) -> torch.Tensor:
    """Two hidden ReLU layers, each followed by dropout while training (§3.13).

    ``params`` is ``[W1, b1, W2, b2, W3, b3]``.  Dropout acts only when
    ``is_training`` is true; at evaluation the network is deterministic.
    """
    W1, b1, W2, b2, W3, b3 = params
    X = X.reshape(-1, W1.shape[0])
    H1 = relu(torch.matmul(X, W1) + b1)
    if is_training:
        H1 = dropout(H1, drop_prob1)
    H2 = relu(torch.matmul(H1, W2) + b2)
    if is_training:
        H2 = dropout(H2, drop_prob2)
    return torch.matmul(H2, W3) + b3


def dropout_mlp_concise(num_inputs: int = 784, num_hiddens1: int = 256,
                        num_hiddens2: int = 256, num_outputs: int = 10,
                        drop_prob1: float = 0.2, drop_prob2: float = 0.5) -> nn.Sequential:
    """The dropout MLP with ``nn`` layers (§3.13).

    ``nn.Dropout`` follows each hidden ReLU; ``model.eval()`` switches it off.  The
    linear layers sit at indices 1, 4 and 7.
    """
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(num_inputs, num_hiddens1), nn.ReLU(), nn.Dropout(drop_prob1),
        nn.Linear(num_hiddens1, num_hiddens2), nn.ReLU(), nn.Dropout(drop_prob2),
        nn.Linear(num_hiddens2, num_outputs),
    )
    for param in model.parameters():
        nn.init.normal_(param, mean=0.0, std=0.01)
    return model


# ---------------------------------------------------------------------------
# §3.14 Forward propagation, backward propagation and computational graphs
# ---------------------------------------------------------------------------


def forward_objective(X: torch.Tensor, y: torch.Tensor, W1: torch.Tensor, W2: torch.Tensor,
                      lambd: float) -> torch.Tensor:
    """The objective ``J = L + s`` of the section's bias-free one-hidden-layer network (§3.14).

    Rows of ``X`` are examples: ``z = X W1ᵀ``, ``h = relu(z)``, ``o = h W2ᵀ``;
    ``L`` is the mean over examples of ``½‖o − y‖²`` and
    ``s = λ/2 (‖W1‖² + ‖W2‖²)`` (squared Frobenius norms).  Returns a 0-d tensor.
    """
    h = torch.relu(X @ W1.T)
    o = h @ W2.T
    loss = ((o - y) ** 2).sum() / (2 * X.shape[0])
    penalty = lambd / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    return loss + penalty


def manual_backward(X: torch.Tensor, y: torch.Tensor, W1: torch.Tensor, W2: torch.Tensor,
                    lambd: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``(∂J/∂W1, ∂J/∂W2)`` of :func:`forward_objective`, by the chain rule, no autograd (§3.14).

    Walking the graph backwards: ``∂J/∂o = (o − y)/n``; ``∂J/∂W2 = (∂J/∂o)ᵀ h + λW2``;
    ``∂J/∂h = (∂J/∂o) W2``; ``∂J/∂z = ∂J/∂h ⊙ 1[z > 0]``; ``∂J/∂W1 = (∂J/∂z)ᵀ X + λW1``.
    Each step reuses a value the forward pass stored, which is why training keeps the
    intermediate results in memory.
    """
    n = X.shape[0]
    z = X @ W1.T
    h = torch.relu(z)
    o = h @ W2.T
    d_o = (o - y) / n
    d_W2 = d_o.T @ h + lambd * W2
    d_h = d_o @ W2
    d_z = d_h * (z > 0).to(z.dtype)
    d_W1 = d_z.T @ X + lambd * W1
    return d_W1, d_W2


# ---------------------------------------------------------------------------
# §3.15 Numerical stability and model initialisation
# ---------------------------------------------------------------------------


def xavier_uniform(fan_in: int, fan_out: int) -> torch.Tensor:
    """A ``(fan_out, fan_in)`` weight from U(−a, a) with ``a = √(6 / (fan_in + fan_out))`` (§3.15).

    That bound gives the variance ``a²/3 = 2 / (fan_in + fan_out)``, the compromise
    between keeping the forward activations' variance (``1/fan_in``) and the backward
    gradients' variance (``1/fan_out``) constant from layer to layer.  The shape
    matches ``nn.Linear(fan_in, fan_out).weight``.
    """
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return (torch.rand(fan_out, fan_in) * 2 - 1) * bound


def constant_init_training(X: torch.Tensor, y: torch.Tensor, num_hiddens: int,
                           value: float, lr: float, num_steps: int) -> nn.Sequential:
    """Train ``Linear → Tanh → Linear`` from a constant initialisation (§3.15).

    When every parameter starts equal, all hidden units compute the same function
    and receive the same gradient, so full-batch gradient descent keeps them equal
    for ever: the rows of the first weight stay identical.  This is the symmetry that
    random initialisation breaks.  Uses ``nn.MSELoss`` and ``torch.optim.SGD`` on
    the whole batch and returns the trained model.
    """
    net = nn.Sequential(nn.Linear(X.shape[1], num_hiddens), nn.Tanh(),
                        nn.Linear(num_hiddens, 1))
    for param in net.parameters():
        nn.init.constant_(param, value)
    loss = nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss(net(X), y).backward()
        optimizer.step()
    return net
