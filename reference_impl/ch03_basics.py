"""Chapter 3 basics (§3.2–§3.7), written the way the book writes them.

This module is the answer key the autograder compares student code against, so
each function mirrors the plain, from-scratch version the first edition of
《动手学深度学习》 develops, only translated from MXNet to PyTorch.  The functions
appear in the order the book introduces them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence

import torch
from torch import nn

__all__ = [
    "synthetic_data",
    "data_iter",
    "linreg",
    "squared_loss",
    "sgd",
    "get_fashion_mnist_labels",
    "softmax",
    "net",
    "cross_entropy",
    "accuracy",
    "evaluate_accuracy",
    "train_epoch_ch3",
    "train_ch3",
    "softmax_regression_concise",
]


# ---------------------------------------------------------------------------
# §3.2 Linear regression from scratch
# ---------------------------------------------------------------------------


def synthetic_data(
    w: torch.Tensor, b: float, num_examples: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate ``y = Xw + b + noise`` for the linear-regression demo (§3.2).

    The book builds its own data set so that the true parameters are known and
    the learned ones can be checked against them.  Features are drawn first and
    the noise (std 0.01) second, both from torch's global RNG, so a grader that
    seeds torch gets the same numbers as the student.  Labels are returned as a
    column, shape ``(num_examples, 1)``.
    """
    features = torch.randn(num_examples, len(w))
    labels = torch.matmul(features, w.to(features.dtype)) + b
    labels += torch.normal(0.0, 0.01, labels.shape)
    return features, labels.reshape((-1, 1))


def data_iter(
    batch_size: int, features: torch.Tensor, labels: torch.Tensor
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield shuffled minibatches of ``(features, labels)`` (§3.2).

    Reading the examples in a random order is what makes the minibatch
    gradient an unbiased estimate of the full gradient.  As in the book the
    order comes from Python's ``random.shuffle``; the last batch may be
    smaller than ``batch_size``.
    """
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_idx = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_idx], labels[batch_idx]


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear regression model ``Xw + b`` (§3.2)."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Half squared error per example, not reduced (§3.2).

    ``y`` is reshaped to ``y_hat``'s shape so a row vector of labels cannot
    silently broadcast against a column of predictions into a matrix.  The
    caller sums (``l.sum().backward()``) and :func:`sgd` divides by the batch
    size, which is the book's convention.
    """
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """Minibatch stochastic gradient descent, updating in place (§3.2).

    The loss was summed over the batch, so dividing the gradient by
    ``batch_size`` makes each step use the batch-mean gradient and keeps the
    step size independent of the batch size.  The update runs under
    ``torch.no_grad()`` so it is not recorded in the graph, and the gradient is
    zeroed afterwards because PyTorch accumulates gradients.
    """
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


# ---------------------------------------------------------------------------
# §3.5 Image classification data set (Fashion-MNIST)
# ---------------------------------------------------------------------------

_TEXT_LABELS = [
    "t-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
]


def get_fashion_mnist_labels(labels: torch.Tensor | Sequence[int]) -> list[str]:
    """Turn numeric Fashion-MNIST labels into their text names (§3.5)."""
    return [_TEXT_LABELS[int(i)] for i in labels]


# ---------------------------------------------------------------------------
# §3.6 Softmax regression from scratch
# ---------------------------------------------------------------------------


def softmax(X: torch.Tensor) -> torch.Tensor:
    """Row-wise softmax, exactly as the book writes it (§3.6).

    Exponentiate, sum each row, divide.  This is the plain version without
    subtracting the row maximum, so very large inputs overflow; §3.7 explains
    why the concise implementation avoids it.
    """
    X_exp = X.exp()
    partition = X_exp.sum(dim=1, keepdim=True)
    return X_exp / partition


def net(X: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Softmax regression model ``softmax(XW + b)`` (§3.6).

    Each image is flattened to a vector of length ``W.shape[0]`` first.  The
    parameters are arguments rather than globals so that a grader can inject
    its own ``W`` and ``b``.
    """
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy loss per example, shape ``(n,)`` (§3.6).

    Picks the predicted probability of the true class for every row and takes
    ``-log`` of it; no reduction, matching :func:`squared_loss`.
    """
    return -torch.log(y_hat[range(len(y_hat)), y])


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows whose arg-max prediction equals the label (§3.6)."""
    correct = (y_hat.argmax(dim=1) == y).sum()
    return float(correct) / len(y)


def evaluate_accuracy(
    data_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
    net: Callable[[torch.Tensor], torch.Tensor],
) -> float:
    """Accuracy of ``net`` over a whole data iterator (§3.6).

    First-edition argument order: data first, model second.  Correct
    predictions and example counts are summed over batches, so a short last
    batch is weighted correctly.  A ``nn.Module`` is switched to eval mode for
    the pass and its previous mode restored afterwards, so calling this in the
    middle of training does not change the model's behaviour.
    """
    was_training: bool | None = None
    if isinstance(net, nn.Module):
        was_training = net.training
        net.eval()
    correct, total = 0, 0
    try:
        with torch.no_grad():
            for X, y in data_iter:
                correct += int((net(X).argmax(dim=1) == y).sum())
                total += y.numel()
    finally:
        if was_training is not None:
            net.train(was_training)
    if total == 0:
        raise ValueError("evaluate_accuracy: data_iter yielded no examples")
    return correct / total


def train_epoch_ch3(
    net: Callable[[torch.Tensor], torch.Tensor],
    train_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    updater: torch.optim.Optimizer | Callable[[int], None],
) -> tuple[float, float]:
    """Train ``net`` for one epoch; return (mean loss, accuracy) (§3.6).

    ``loss`` returns one value per example.  With a torch optimizer (§3.7) the
    mean loss is back-propagated and ``updater.step()`` is called; with a
    from-scratch updater (§3.6) the summed loss is back-propagated and
    ``updater(batch_size)`` is expected to divide by the batch size, as
    :func:`sgd` does.  Either way each step uses the batch-mean gradient.
    """
    if isinstance(net, nn.Module):
        net.train()
    loss_sum, correct, total = 0.0, 0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741  (the book's name for the loss)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            l.sum().backward()
            updater(X.shape[0])
        loss_sum += float(l.detach().sum())
        correct += int((y_hat.detach().argmax(dim=1) == y).sum())
        total += y.numel()
    if total == 0:
        raise ValueError("train_epoch_ch3: train_iter yielded no examples")
    return loss_sum / total, correct / total


def train_ch3(
    net: Callable[[torch.Tensor], torch.Tensor],
    train_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
    test_iter: Iterable[tuple[torch.Tensor, torch.Tensor]],
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    num_epochs: int,
    updater: torch.optim.Optimizer | Callable[[int], None],
) -> tuple[float, float, float]:
    """Train for ``num_epochs`` and report progress each epoch (§3.6, §3.7).

    Prints one line per epoch, e.g.
    ``epoch 1, loss 0.7812, train acc 0.743, test acc 0.751``, and returns the
    last epoch's ``(train_loss, train_acc, test_acc)`` so a grader can check
    the numbers without parsing the output.
    """
    if num_epochs < 1:
        raise ValueError(f"num_epochs must be at least 1, got {num_epochs}")
    train_loss = train_acc = test_acc = 0.0
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(test_iter, net)
        print(
            f"epoch {epoch + 1}, loss {train_loss:.4f}, "
            f"train acc {train_acc:.3f}, test acc {test_acc:.3f}"
        )
    return train_loss, train_acc, test_acc


# ---------------------------------------------------------------------------
# §3.7 Concise implementation of softmax regression
# ---------------------------------------------------------------------------


def softmax_regression_concise(num_inputs: int = 784, num_outputs: int = 10) -> nn.Sequential:
    """Softmax regression with ``nn`` layers (§3.7).

    ``nn.Flatten`` turns each image into a vector and ``nn.Linear`` computes
    the logits; the softmax itself is left to the loss
    (``nn.CrossEntropyLoss``), which computes it stably.  Weights start from
    N(0, 0.01²) and the bias from zero, as in the book.
    """
    model = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_outputs))
    linear = model[1]
    nn.init.normal_(linear.weight, mean=0.0, std=0.01)
    nn.init.zeros_(linear.bias)
    return model
