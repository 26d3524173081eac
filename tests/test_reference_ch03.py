"""Tests for the chapter 3 answer key (reference_impl.ch03_basics, §3.2–§3.7).

Every expected value here is computed independently (by hand or with torch's
own functions), so a wrong reference implementation makes these fail.
"""

from __future__ import annotations

import math
import random
import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from reference_impl import ch03_basics as ch03
from reference_impl.fashion_mnist import load_data_fashion_mnist, write_standin

# ---------------------------------------------------------------------------
# §3.2 linear regression from scratch
# ---------------------------------------------------------------------------


def test_synthetic_data_shapes_and_rng_order() -> None:
    true_w, true_b, n = torch.tensor([2.0, -3.4]), 4.2, 5
    torch.manual_seed(123)
    features, labels = ch03.synthetic_data(true_w, true_b, n)
    assert features.shape == (n, 2) and features.dtype == torch.float32
    assert labels.shape == (n, 1) and labels.dtype == torch.float32

    # Same seed, features drawn first and noise second: identical numbers.
    torch.manual_seed(123)
    expected_x = torch.randn(n, 2)
    noise = torch.normal(0.0, 0.01, (n,))
    expected_y = expected_x @ true_w + true_b + noise
    torch.testing.assert_close(features, expected_x)
    torch.testing.assert_close(labels, expected_y.reshape(-1, 1))


def test_synthetic_data_noise_std() -> None:
    torch.manual_seed(0)
    true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
    features, labels = ch03.synthetic_data(true_w, true_b, 20000)
    residual = labels.squeeze(1) - (features @ true_w + true_b)
    assert abs(residual.mean().item()) < 5e-4
    assert 0.0095 < residual.std().item() < 0.0105
    assert abs(features.std().item() - 1.0) < 0.02


def test_data_iter_yields_a_permutation_in_batches() -> None:
    features = torch.arange(10, dtype=torch.float32).reshape(10, 1)
    labels = torch.arange(10) * 10
    random.seed(7)
    batches = list(ch03.data_iter(3, features, labels))
    assert [len(X) for X, _ in batches] == [3, 3, 3, 1]
    xs = torch.cat([X for X, _ in batches]).squeeze(1).long()
    ys = torch.cat([y for _, y in batches])
    assert sorted(xs.tolist()) == list(range(10))
    assert torch.equal(ys, xs * 10)  # features and labels stay paired

    # The order is Python's random.shuffle of range(n).
    random.seed(7)
    order = list(range(10))
    random.shuffle(order)
    assert xs.tolist() == order
    assert order != list(range(10))


def test_linreg_and_squared_loss_by_hand() -> None:
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = torch.tensor([[0.5], [-1.0]])
    b = torch.tensor([2.0])
    y_hat = ch03.linreg(X, w, b)
    assert torch.equal(y_hat, torch.tensor([[0.5], [-0.5]]))

    y_hat = torch.tensor([[1.0], [2.0], [4.0]])
    y = torch.tensor([1.0, 3.0, 1.0])  # 1-D labels must not broadcast
    loss = ch03.squared_loss(y_hat, y)
    assert loss.shape == (3, 1)
    assert torch.equal(loss, torch.tensor([[0.0], [0.5], [4.5]]))


def test_sgd_by_hand() -> None:
    # Loss sum_i (x_i.w + b - y_i)^2 / 2 at w = 0, b = 0:
    #   dL/dw = sum_i (0 - y_i) x_i = -(1*[1, 2] + 2*[3, 4]) = [-7, -10]
    #   dL/db = -(1 + 2) = -3
    # One step with lr 0.1 and batch size 2: w = [0.35, 0.5], b = 0.15.
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = torch.tensor([[1.0], [2.0]])
    w = torch.zeros((2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    ch03.squared_loss(ch03.linreg(X, w, b), y).sum().backward()
    ch03.sgd([w, b], 0.1, 2)
    torch.testing.assert_close(w.detach(), torch.tensor([[0.35], [0.5]]))
    torch.testing.assert_close(b.detach(), torch.tensor([0.15]))
    assert torch.equal(w.grad, torch.zeros(2, 1))
    assert torch.equal(b.grad, torch.zeros(1))
    assert w.requires_grad and w.is_leaf


def test_linear_regression_recovers_true_parameters() -> None:
    torch.manual_seed(0)
    random.seed(0)
    true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
    features, labels = ch03.synthetic_data(true_w, true_b, 1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr, batch_size = 0.03, 10
    for _ in range(3):
        for X, y in ch03.data_iter(batch_size, features, labels):
            ch03.squared_loss(ch03.linreg(X, w, b), y).sum().backward()
            ch03.sgd([w, b], lr, batch_size)
    assert torch.allclose(w.detach().reshape(-1), true_w, atol=0.01)
    assert abs(b.item() - true_b) < 0.01


# ---------------------------------------------------------------------------
# §3.5 labels
# ---------------------------------------------------------------------------


def test_get_fashion_mnist_labels() -> None:
    assert ch03.get_fashion_mnist_labels(torch.tensor([0, 9, 5, 1])) == [
        "t-shirt",
        "ankle boot",
        "sandal",
        "trouser",
    ]
    assert ch03.get_fashion_mnist_labels([2, 3, 4, 6, 7, 8]) == [
        "pullover",
        "dress",
        "coat",
        "shirt",
        "sneaker",
        "bag",
    ]


# ---------------------------------------------------------------------------
# §3.6 softmax regression from scratch
# ---------------------------------------------------------------------------


def test_softmax_rows_sum_to_one_and_match_torch() -> None:
    torch.manual_seed(0)
    X = torch.randn(4, 10)
    probs = ch03.softmax(X)
    assert probs.shape == (4, 10)
    assert (probs > 0).all()
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(4))
    torch.testing.assert_close(probs, torch.softmax(X, dim=1))

    by_hand = ch03.softmax(torch.tensor([[0.0, math.log(2.0)]]))
    torch.testing.assert_close(by_hand, torch.tensor([[1 / 3, 2 / 3]]))


def test_net_flattens_and_applies_softmax() -> None:
    torch.manual_seed(0)
    W = torch.normal(0, 0.01, (784, 10))
    b = torch.randn(10)
    X = torch.rand(3, 1, 28, 28)
    out = ch03.net(X, W, b)
    assert out.shape == (3, 10)
    torch.testing.assert_close(out, torch.softmax(X.reshape(3, 784) @ W + b, dim=1))


def test_cross_entropy_by_hand_and_against_nll_loss() -> None:
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = torch.tensor([0, 2])
    loss = ch03.cross_entropy(y_hat, y)
    assert loss.shape == (2,)
    torch.testing.assert_close(loss, torch.tensor([-math.log(0.1), -math.log(0.5)]))

    torch.manual_seed(1)
    y_hat = torch.softmax(torch.randn(6, 10), dim=1)
    y = torch.randint(0, 10, (6,))
    expected = F.nll_loss(torch.log(y_hat), y, reduction="none")
    torch.testing.assert_close(ch03.cross_entropy(y_hat, y), expected)


def test_accuracy_on_handcrafted_predictions() -> None:
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    acc = ch03.accuracy(y_hat, torch.tensor([0, 2]))
    assert isinstance(acc, float) and acc == 0.5
    y_hat = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    assert ch03.accuracy(y_hat, torch.tensor([0, 1, 1, 1])) == 0.75


def _uneven_batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    # Batch 1: 2 of 3 right; batch 2: 1 of 1 right.  Overall 3/4 = 0.75,
    # whereas the mean of per-batch accuracies would be 0.833.
    x1 = torch.tensor([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    x2 = torch.tensor([[0.0, 1.0]])
    return [(x1, torch.tensor([0, 1, 1])), (x2, torch.tensor([1]))]


def test_evaluate_accuracy_weights_by_example() -> None:
    acc = ch03.evaluate_accuracy(_uneven_batches(), lambda X: X)
    assert isinstance(acc, float)
    assert acc == 0.75


class _Recorder(nn.Module):
    """Identity model recording its mode and grad state on each call."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[bool, bool]] = []

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        self.seen.append((self.training, torch.is_grad_enabled()))
        return X


@pytest.mark.parametrize("start_training", [True, False])
def test_evaluate_accuracy_uses_eval_mode_and_restores(start_training: bool) -> None:
    model = _Recorder()
    model.train(start_training)
    assert ch03.evaluate_accuracy(_uneven_batches(), model) == 0.75
    assert model.seen == [(False, False), (False, False)]
    assert model.training is start_training


def test_train_epoch_ch3_reports_mean_loss_and_accuracy() -> None:
    sizes: list[int] = []

    def loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # Per-example loss that has a graph and the values 1, 2, 3, ...
        return y_hat.sum(dim=1) * 0 + torch.arange(1.0, len(y) + 1)

    weight = torch.ones(1, requires_grad=True)
    train_loss, train_acc = ch03.train_epoch_ch3(
        lambda X: X * weight, _uneven_batches(), loss, sizes.append
    )
    assert sizes == [3, 1]
    # Losses 1, 2, 3 and 1 -> mean 7 / 4; 3 of 4 correct.
    assert train_loss == pytest.approx(7 / 4)
    assert train_acc == pytest.approx(0.75)


def test_train_epoch_ch3_optimizer_and_scratch_paths_agree() -> None:
    # torch.optim.SGD on the mean loss and sgd() on the summed loss divided by
    # the batch size must take exactly the same steps.
    torch.manual_seed(0)
    X = torch.randn(10, 4)
    y = torch.randint(0, 3, (10,))
    batches = [(X[:6], y[:6]), (X[6:], y[6:])]

    concise = nn.Sequential(nn.Linear(4, 3))
    W = concise[0].weight.detach().T.clone().requires_grad_(True)
    b = concise[0].bias.detach().clone().requires_grad_(True)

    optimizer = torch.optim.SGD(concise.parameters(), lr=0.5)
    loss_fn = nn.CrossEntropyLoss(reduction="none")
    res_concise = ch03.train_epoch_ch3(concise, batches, loss_fn, optimizer)

    res_scratch = ch03.train_epoch_ch3(
        lambda inputs: ch03.softmax(inputs @ W + b),
        batches,
        ch03.cross_entropy,
        lambda batch_size: ch03.sgd([W, b], 0.5, batch_size),
    )
    torch.testing.assert_close(W.detach(), concise[0].weight.detach().T)
    torch.testing.assert_close(b.detach(), concise[0].bias.detach())
    assert res_scratch == pytest.approx(res_concise, rel=1e-5)
    assert not torch.equal(b.detach(), torch.zeros(3))  # something moved


def test_train_ch3_prints_each_epoch_and_returns_last(
    capsys: pytest.CaptureFixture[str],
) -> None:
    torch.manual_seed(0)
    X = torch.randn(20, 4)
    y = (X[:, 0] > 0).long()
    batches = [(X[:10], y[:10]), (X[10:], y[10:])]
    model = nn.Sequential(nn.Linear(4, 2))
    result = ch03.train_ch3(
        model,
        batches,
        batches,
        nn.CrossEntropyLoss(reduction="none"),
        3,
        torch.optim.SGD(model.parameters(), lr=0.1),
    )
    lines = capsys.readouterr().out.strip().splitlines()
    pattern = re.compile(
        r"epoch (\d+), loss (\d+\.\d{4}), train acc (\d\.\d{3}), test acc (\d\.\d{3})"
    )
    matches = [pattern.fullmatch(line) for line in lines]
    assert all(matches) and len(matches) == 3
    assert [int(m.group(1)) for m in matches] == [1, 2, 3]
    last = matches[-1]
    assert float(last.group(2)) == pytest.approx(result[0], abs=5e-5)
    assert float(last.group(3)) == pytest.approx(result[1], abs=5e-4)
    assert float(last.group(4)) == pytest.approx(result[2], abs=5e-4)
    assert result[2] == ch03.evaluate_accuracy(batches, model)


# ---------------------------------------------------------------------------
# §3.7 concise softmax regression
# ---------------------------------------------------------------------------


def test_softmax_regression_concise_structure_and_init() -> None:
    torch.manual_seed(0)
    model = ch03.softmax_regression_concise()
    assert isinstance(model, nn.Sequential)
    assert isinstance(model[0], nn.Flatten)
    linear = model[1]
    assert isinstance(linear, nn.Linear)
    assert linear.weight.shape == (10, 784)
    assert torch.equal(linear.bias, torch.zeros(10))
    assert 0.009 < linear.weight.std().item() < 0.011
    assert abs(linear.weight.mean().item()) < 1e-3
    assert model(torch.rand(5, 1, 28, 28)).shape == (5, 10)
    assert ch03.softmax_regression_concise(12, 3)[1].weight.shape == (3, 12)


# ---------------------------------------------------------------------------
# End to end on the synthetic Fashion-MNIST stand-in (§3.6, §3.7)
# ---------------------------------------------------------------------------

BATCH_SIZE, LR, NUM_EPOCHS = 256, 0.1, 5


@pytest.fixture(scope="module")
def standin_root(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("d2l-data")
    write_standin(root)
    return root


def test_scratch_softmax_regression_learns_standin(standin_root) -> None:
    torch.manual_seed(0)
    train_iter, test_iter = load_data_fashion_mnist(BATCH_SIZE, root=standin_root)
    W = torch.normal(0, 0.01, size=(784, 10), requires_grad=True)
    b = torch.zeros(10, requires_grad=True)
    before = ch03.evaluate_accuracy(test_iter, lambda X: ch03.net(X, W, b))
    train_loss, train_acc, test_acc = ch03.train_ch3(
        lambda X: ch03.net(X, W, b),
        train_iter,
        test_iter,
        ch03.cross_entropy,
        NUM_EPOCHS,
        lambda batch_size: ch03.sgd([W, b], LR, batch_size),
    )
    print(f"scratch: before {before:.3f}, after {test_acc:.3f}")
    assert before < 0.4
    assert test_acc >= 0.8
    assert train_acc >= 0.8
    assert train_loss < math.log(10)


def test_concise_softmax_regression_learns_standin(standin_root) -> None:
    torch.manual_seed(0)
    train_iter, test_iter = load_data_fashion_mnist(BATCH_SIZE, root=standin_root)
    model = ch03.softmax_regression_concise()
    before = ch03.evaluate_accuracy(test_iter, model)
    train_loss, train_acc, test_acc = ch03.train_ch3(
        model,
        train_iter,
        test_iter,
        nn.CrossEntropyLoss(reduction="none"),
        NUM_EPOCHS,
        torch.optim.SGD(model.parameters(), lr=LR),
    )
    print(f"concise: before {before:.3f}, after {test_acc:.3f}")
    assert before < 0.4
    assert test_acc >= 0.8
    assert train_acc >= 0.8
    assert train_loss < math.log(10)
