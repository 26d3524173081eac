"""Chapter 5, notebook ``modern_nets`` (§5.9–5.12): the book's numbers and our conventions.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``; here are the facts the reference must reproduce — Inception's
channels and concatenation order, GoogLeNet's, ResNet's and DenseNet's stage shapes and
channel bookkeeping, the batch-norm convention (training output equal to
``F.batch_norm``, a moving variance that is PyTorch's ``running_var`` × (n − 1)/n, moving
statistics as buffers) — and the checks of the spec that only this notebook has.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from autograder import wire
from autograder.kinds import run_case
from reference_impl import ch05_modern_nets as ref

from .conftest import ROOT


def _spec():
    from autograder.spec import load_assignment

    return load_assignment(ROOT / "solutions" / "ch05_cnn").notebook("modern_nets")


def _stage_shapes(net: nn.Module, X: torch.Tensor) -> list[tuple[int, ...]]:
    net.eval()
    shapes = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            shapes.append(tuple(X.shape[1:]))
    return shapes


# ---- §5.9 GoogLeNet --------------------------------------------------------------------

def test_inception_outputs_the_sum_of_its_paths_channels_at_the_same_size():
    block = ref.Inception(192, 64, (96, 128), (16, 32), 32)
    assert block(torch.rand(2, 192, 12, 12)).shape == (2, 64 + 128 + 32 + 32, 12, 12)
    small = ref.Inception(3, 2, (3, 4), (2, 5), 6)
    assert small(torch.rand(1, 3, 7, 5)).shape == (1, 2 + 4 + 5 + 6, 7, 5)


def test_inception_concatenates_paths_1_to_4_in_order():
    """With every weight zero, each path outputs relu(its last bias): channels show order."""
    block = ref.Inception(3, 2, (3, 4), (2, 5), 6)
    with torch.no_grad():
        for conv in (block.p1_1, block.p2_1, block.p2_2, block.p3_1, block.p3_2, block.p4_2):
            conv.weight.zero_()
            conv.bias.zero_()
        for k, last in enumerate((block.p1_1, block.p2_2, block.p3_2, block.p4_2), start=1):
            last.bias.fill_(float(k))
    Y = block(torch.randn(2, 3, 4, 4))
    channel_value = Y[0, :, 0, 0].tolist()
    assert channel_value == [1.0] * 2 + [2.0] * 4 + [3.0] * 5 + [4.0] * 6


def test_googlenet_stage_shapes_at_96_and_its_parameter_count():
    net = ref.googlenet()
    assert _stage_shapes(net, torch.rand(1, 1, 96, 96)) == [
        (64, 24, 24), (192, 12, 12), (480, 6, 6), (832, 3, 3), (1024,), (10,)]
    assert sum(p.numel() for p in net.parameters()) == 5_977_530
    three = ref.googlenet(in_channels=3, num_classes=5)
    assert _stage_shapes(three, torch.rand(2, 3, 48, 48))[-1] == (5,)


def test_googlenet_is_graded_by_layers_with_a_seeded_fill():
    q = _spec().question("googlenet")
    case = {"seed": 7, "args": [torch.rand(1, 1, 96, 96)], "kwargs": {"fill": True}}
    kind = wire.decode(*wire.encode(q.kind.to_data()))
    first, again = run_case(ref.googlenet, case, kind, {}), run_case(ref.googlenet, case, kind, {})
    assert [shape for _, shape in first["layers"]] == [
        [1, 64, 24, 24], [1, 192, 12, 12], [1, 480, 6, 6], [1, 832, 3, 3], [1, 1024], [1, 10]]
    assert torch.equal(first["output"], again["output"])  # the fill depends on the seed only


# ---- §5.10 batch normalisation --------------------------------------------------------------

def test_training_output_equals_torch_batch_norm_for_2d_and_4d_input():
    torch.manual_seed(0)
    for shape in ((16, 5), (4, 3, 6, 6)):
        X = torch.randn(*shape) * 3 + 1
        c = shape[1]
        stat_shape = (1, c) if len(shape) == 2 else (1, c, 1, 1)
        gamma, beta = torch.rand(stat_shape) + 0.5, torch.randn(stat_shape)
        Y, _, _ = ref.batch_norm(X, gamma, beta, torch.zeros(stat_shape),
                                 torch.ones(stat_shape), 1e-5, 0.9, True)
        expected = F.batch_norm(X, None, None, gamma.flatten(), beta.flatten(),
                                training=True, eps=1e-5)
        torch.testing.assert_close(Y, expected, rtol=1e-5, atol=1e-5)


def test_moving_variance_is_the_biased_one_unlike_torch_running_var():
    """Book: moving = 0.9·moving + 0.1·batch with the biased variance; torch's momentum 0.1
    gives the same mean but the unbiased variance, so from zero ours = torch's × (n−1)/n."""
    torch.manual_seed(1)
    X = torch.randn(8, 3, 4, 4) * 2 + 1
    n = X.numel() // X.shape[1]  # 128 elements per channel
    zeros = torch.zeros(1, 3, 1, 1)
    _, mean, var = ref.batch_norm(X, torch.ones(1, 3, 1, 1), zeros, zeros, zeros,
                                  1e-5, 0.9, True)
    running_mean, running_var = torch.zeros(3), torch.zeros(3)
    F.batch_norm(X, running_mean, running_var, training=True, momentum=0.1)
    torch.testing.assert_close(mean.flatten(), running_mean, rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(var.flatten(), running_var * (n - 1) / n, rtol=1e-6, atol=1e-7)
    assert not torch.allclose(var.flatten(), running_var, rtol=1e-4, atol=0)
    biased = X.var(dim=(0, 2, 3), unbiased=False)
    torch.testing.assert_close(var.flatten(), 0.1 * biased, rtol=1e-6, atol=1e-7)


def test_prediction_uses_the_moving_statistics_and_keeps_them():
    X = torch.randn(5, 4)
    gamma, beta = torch.full((1, 4), 2.0), torch.full((1, 4), 0.5)
    mm, mv = torch.randn(1, 4), torch.rand(1, 4) + 0.5
    Y, new_mean, new_var = ref.batch_norm(X, gamma, beta, mm, mv, 1e-5, 0.9, False)
    assert torch.equal(new_mean, mm) and torch.equal(new_var, mv)
    torch.testing.assert_close(Y, gamma * (X - mm) / torch.sqrt(mv + 1e-5) + beta)


def test_batchnorm_layer_keeps_moving_statistics_as_buffers():
    conv_bn, dense_bn = ref.BatchNorm(3, num_dims=4), ref.BatchNorm(5, num_dims=2)
    assert conv_bn.gamma.shape == (1, 3, 1, 1) and dense_bn.beta.shape == (1, 5)
    assert [n for n, _ in conv_bn.named_parameters()] == ["gamma", "beta"]
    assert list(conv_bn.state_dict()) == ["gamma", "beta", "moving_mean", "moving_var"]
    X = torch.randn(6, 3, 4, 4)
    conv_bn(X)
    assert [n for n, _ in conv_bn.named_buffers()] == ["moving_mean", "moving_var"]
    assert conv_bn.to(torch.float64).moving_var.dtype == torch.float64  # buffers follow .to()


def test_batchnorm_layer_matches_nn_batchnorm2d_with_momentum_0_1():
    torch.manual_seed(2)
    mine, theirs = ref.BatchNorm(3, num_dims=4), nn.BatchNorm2d(3, momentum=0.1)
    X = torch.randn(4, 3, 5, 5) * 2 - 1
    torch.testing.assert_close(mine(X), theirs(X), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(mine.moving_mean.flatten(), theirs.running_mean)
    mine.eval(), theirs.eval()
    mine.moving_var.copy_(theirs.running_var.reshape(1, 3, 1, 1))
    torch.testing.assert_close(mine(X), theirs(X), rtol=1e-5, atol=1e-5)


def test_lenet_bn_shapes_and_parameters():
    net = ref.lenet_bn()
    shapes = _stage_shapes(net, torch.rand(2, 1, 28, 28))
    assert shapes[:9] == [(6, 24, 24)] * 3 + [(6, 12, 12)] + [(16, 8, 8)] * 3 + [(16, 4, 4),
                                                                               (256,)]
    assert shapes[-1] == (10,)
    lenet = 44426  # the book's LeNet (§5.5); each BatchNorm adds γ and β per channel
    assert sum(p.numel() for p in net.parameters()) == lenet + 2 * (6 + 16 + 120 + 84)


def test_train_lenet_bn_invariant_accepts_the_reference_and_rejects_no_training():
    q = _spec().question("train_lenet_bn")
    made = q.cases[0].make(torch.Generator().manual_seed(3))
    batches, lr, epochs = made.args
    assert [tuple(X.shape) for X, _ in batches] == [(8, 1, 28, 28)] * 4
    assert 0 <= float(batches[0][0].min()) and float(batches[0][0].max()) <= 1
    torch.manual_seed(0)
    result = ref.train_lenet_bn(batches, lr, epochs)
    assert q.invariant(result, made) == []
    frozen = {"losses": [2.4] * epochs, "gamma": torch.ones(6), "beta": torch.zeros(6)}
    assert len(q.invariant(frozen, made)) == 3


# ---- §5.11 ResNet ----------------------------------------------------------------------------

def test_residual_shapes():
    X = torch.rand(4, 3, 6, 6)
    assert ref.Residual(3, 3)(X).shape == (4, 3, 6, 6)
    assert ref.Residual(3, 6, use_1x1conv=True, stride=2)(X).shape == (4, 6, 3, 3)
    assert ref.Residual(3, 3).conv3 is None


def test_residual_with_zero_convolutions_and_scales_is_relu_of_the_input():
    block = ref.Residual(3, 3)
    with torch.no_grad():
        for p in block.parameters():
            p.zero_()
    block.eval()
    X = torch.randn(2, 3, 5, 5)
    assert torch.equal(block(X), torch.relu(X))


def test_resnet18_stage_shapes():
    net = ref.resnet18()
    assert _stage_shapes(net, torch.rand(1, 1, 96, 96))[4:] == [
        (64, 24, 24), (128, 12, 12), (256, 6, 6), (512, 3, 3), (512, 1, 1), (512,), (10,)]
    assert _stage_shapes(net, torch.rand(1, 1, 224, 224))[4:8] == [
        (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7)]
    assert sum(p.numel() for p in net.parameters()) == 11_178_378


def test_resnet_block_first_stage_keeps_the_shape():
    X = torch.rand(1, 4, 8, 8)
    assert ref.resnet_block(4, 4, 2, first_block=True)(X).shape == (1, 4, 8, 8)
    assert ref.resnet_block(4, 8, 2)(X).shape == (1, 8, 4, 4)


# ---- §5.12 DenseNet --------------------------------------------------------------------------

def test_dense_block_and_transition_shapes():
    block = ref.DenseBlock(2, 3, 10)
    Y = block(torch.rand(4, 3, 8, 8))
    assert Y.shape == (4, 23, 8, 8) and block.out_channels == 23
    assert ref.transition_block(23, 10)(Y).shape == (4, 10, 4, 4)


def test_densenet_channel_bookkeeping():
    shapes = _stage_shapes(ref.densenet(), torch.rand(1, 1, 96, 96))
    assert [s[0] for s in shapes[3:11]] == [64, 192, 96, 224, 112, 240, 120, 248]
    assert shapes[10] == (248, 3, 3) and shapes[-1] == (10,)


# ---- the spec -----------------------------------------------------------------------------

def test_every_question_has_public_and_hidden_cases():
    for q in _spec().questions:
        public = sum(c.public for c in q.cases)
        assert public >= 1 and len(q.cases) - public >= 1, q.name


def test_batch_norm_hidden_cases_are_all_in_training_mode():
    """Points follow hidden cases; the prediction branch is scored by BatchNorm_eval."""
    q = _spec().question("batch_norm")
    modes = [c.make(torch.Generator().manual_seed(i)).args[-1] for i, c in enumerate(q.cases)]
    assert [m for m, c in zip(modes, q.cases, strict=True) if not c.public] == [True] * 4
    assert False in modes
