"""The chapter-3 MLP/regularisation reference (§3.8–3.15) does what the notebook claims."""

from __future__ import annotations

import math

import torch
from torch import nn

from reference_impl import ch03_mlp as mlp


def test_concise_mlp_has_the_books_parameter_count():
    model = mlp.mlp_concise()
    assert sum(p.numel() for p in model.parameters()) == 203530
    assert list(model.state_dict()) == ["1.weight", "1.bias", "3.weight", "3.bias"]


def test_relu_derivative_at_zero_is_zero_and_activation_gradients_match_formulas():
    x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0])
    out = mlp.activations(x)
    assert out["relu_grad"].tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]
    s = torch.sigmoid(x)
    torch.testing.assert_close(out["sigmoid_grad"], s * (1 - s))
    torch.testing.assert_close(out["tanh_grad"], 1 - torch.tanh(x) ** 2)
    grid = mlp.activations(torch.arange(-8.0, 8.0, 0.1))
    assert abs(grid["sigmoid_grad"].max().item() - 0.25) < 1e-4
    assert not x.requires_grad  # the caller's tensor is left alone


def test_manual_backward_equals_autograd_in_float64():
    g = torch.Generator().manual_seed(3)
    X = torch.randn(7, 5, generator=g, dtype=torch.float64)
    y = torch.randn(7, 3, generator=g, dtype=torch.float64)
    W1 = torch.randn(6, 5, generator=g, dtype=torch.float64, requires_grad=True)
    W2 = torch.randn(3, 6, generator=g, dtype=torch.float64, requires_grad=True)
    mlp.forward_objective(X, y, W1, W2, 0.3).backward()
    dW1, dW2 = mlp.manual_backward(X, y, W1.detach(), W2.detach(), 0.3)
    torch.testing.assert_close(dW1, W1.grad, rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(dW2, W2.grad, rtol=1e-8, atol=1e-10)


def test_polynomial_fit_recovers_the_cubic():
    torch.manual_seed(0)
    x = torch.randn(200, 1)
    features, labels = mlp.poly_data(x, torch.randn(200, 1) * 0.01)
    train_ls, test_ls, w, b = mlp.fit_poly(features[:100], features[100:], labels[:100],
                                           labels[100:])
    assert len(train_ls) == len(test_ls) == 100
    assert (w.flatten() - torch.tensor(mlp.TRUE_POLY_W)).abs().max() < 0.1
    assert abs(b.item() - mlp.TRUE_POLY_B) < 0.1
    # Linear features underfit: the training loss stays far above the cubic fit's.
    linear_ls, _, _, _ = mlp.fit_poly(features[:100, :1], features[100:, :1], labels[:100],
                                      labels[100:])
    assert linear_ls[-1] > 10 * train_ls[-1]


def test_scratch_and_concise_weight_decay_shrink_the_weight_exactly():
    # With zero inputs and labels equal to the bias, the data gradient of w vanishes, so one
    # step multiplies w by (1 - lr * lambda) and leaves b alone.
    w0 = torch.randn(4, 1)
    X, y = torch.zeros(3, 4), torch.full((3, 1), 0.7)
    w, b = w0.clone().requires_grad_(True), torch.full((1,), 0.7, requires_grad=True)
    mlp.train_weight_decay(w, b, [(X, y)], lambd=2.0, lr=0.1, num_epochs=1)
    torch.testing.assert_close(w.detach(), w0 * (1 - 0.1 * 2.0))
    assert b.item() == torch.tensor(0.7).item()
    net = nn.Linear(4, 1)
    with torch.no_grad():
        net.weight.copy_(w0.T)
        net.bias.fill_(0.7)
    mlp.train_weight_decay_concise(net, [(X, y)], wd=2.0, lr=0.1, num_epochs=1)
    torch.testing.assert_close(net.weight.detach(), w0.T * (1 - 0.1 * 2.0))
    assert net.bias.item() == torch.tensor(0.7).item()


def test_dropout_statistics_and_eval_mode():
    torch.manual_seed(0)
    X = torch.ones(100_000)
    out = mlp.dropout(X, 0.3)
    kept = out[out != 0]
    torch.testing.assert_close(kept, torch.full_like(kept, 1 / 0.7))
    assert abs((out == 0).float().mean().item() - 0.3) < 0.01
    assert abs(out.mean().item() - 1.0) < 0.02
    assert torch.equal(mlp.dropout(X, 0.0), X) and not mlp.dropout(X, 1.0).any()
    params = [torch.randn(24, 16), torch.randn(16), torch.randn(16, 12), torch.randn(12),
              torch.randn(12, 5), torch.randn(5)]
    x = torch.randn(3, 24)
    eval_out = mlp.dropout_mlp(x, params, 0.5, 0.5, is_training=False)
    assert torch.equal(eval_out, mlp.dropout_mlp(x, params, 0.0, 0.0, is_training=False))
    assert not torch.equal(mlp.dropout_mlp(x, params, 0.5, 0.5),
                           mlp.dropout_mlp(x, params, 0.5, 0.5))


def test_xavier_bounds_and_variance():
    torch.manual_seed(0)
    W = mlp.xavier_uniform(256, 256)
    bound = math.sqrt(6 / 512)
    assert W.shape == (256, 256) and W.abs().max() <= bound
    assert abs(W.var().item() / (2 / 512) - 1) < 0.05


def test_constant_initialisation_keeps_hidden_units_identical():
    torch.manual_seed(0)
    X = torch.randn(32, 4)
    net = mlp.constant_init_training(X, X.sum(dim=1, keepdim=True), 5, 0.5, 0.1, 50)
    rows = net[0].weight.detach()
    assert (rows - rows[0]).abs().max() < 1e-6  # equal up to rounding in the matmul
    assert (rows[0] - 0.5).abs().max() > 1e-3  # yet the weights did move
