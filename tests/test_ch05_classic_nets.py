"""Chapter 5, notebook ``classic_nets`` (§5.5–5.8): the book's numbers and this notebook's
own checks.

The generic verdicts (solution full, blank zero, each mistake loses its questions) are in
``test_chapters.py``.  Here: the shape tables and parameter counts of LeNet, AlexNet,
VGG-11 and NiN (built on the ``meta`` device, so a 129-million-parameter VGG costs
nothing), the evaluation contract (eval mode, mode restored, example-weighted), the
resized loader on the Fashion-MNIST stand-in, and ``train_ch5``'s invariant.
"""

from __future__ import annotations

import contextlib
import io

import pytest
import torch
from torch import nn

from autograder import wire
from autograder.kinds import Builder, run_case
from autograder.spec import Args, load_assignment
from reference_impl import ch05_classic_nets as ref
from reference_impl import fashion_mnist

from .conftest import ROOT


def _notebook():
    return load_assignment(ROOT / "solutions" / "ch05_cnn").notebook("classic_nets")


def _shapes(net: nn.Sequential, X: torch.Tensor) -> list[tuple[int, ...]]:
    out = []
    for layer in net:
        X = layer(X)
        out.append(tuple(X.shape[1:]))
    return out


def _num_params(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def test_lenet_shapes_and_44426_parameters():
    net = ref.lenet()
    assert _shapes(net, torch.rand(1, 1, 28, 28)) == [
        (6, 24, 24), (6, 24, 24), (6, 12, 12), (16, 8, 8), (16, 8, 8), (16, 4, 4),
        (256,), (120,), (120,), (84,), (84,), (10,)]
    assert _num_params(net) == 44426
    assert [type(m).__name__ for m in net].count("Sigmoid") == 4


def test_alexnet_shapes_and_46764746_parameters():
    with torch.device("meta"):
        net = ref.alexnet()
        shapes = _shapes(net, torch.empty(1, 1, 224, 224))
        assert _num_params(net) == 46_764_746
        assert _num_params(ref.alexnet(3, 5)) == 46_764_746 + 2 * 96 * 121 - 5 * 4097
    assert [shapes[i] for i in (0, 2, 3, 5, 6, 8, 10, 12, 13, 14, 17, 20)] == [
        (96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12),
        (384, 12, 12), (256, 12, 12), (256, 5, 5), (6400,), (4096,), (4096,), (10,)]


def test_vgg11_block_outputs_and_parameter_counts():
    with torch.device("meta"):
        net = ref.vgg(ref.VGG11_ARCH)
        shapes = _shapes(net, torch.empty(1, 1, 224, 224))
        assert _num_params(net) == 128_806_154
        small = ref.vgg(ref.SMALL_VGG11_ARCH)
        small_shapes = _shapes(small, torch.empty(1, 1, 224, 224))
    assert shapes[:6] == [(64, 112, 112), (128, 56, 56), (256, 28, 28), (512, 14, 14),
                          (512, 7, 7), (512 * 7 * 7,)]
    assert shapes[-1] == (10,) and len(net) == 5 + 8
    assert small_shapes[:5] == [(16, 112, 112), (32, 56, 56), (64, 28, 28), (128, 14, 14),
                                (128, 7, 7)]
    assert ref.SMALL_VGG11_ARCH == ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))


def test_vgg_block_layout_and_small_input_sizes():
    block = ref.vgg_block(3, 4, 6)
    assert [type(m).__name__ for m in block] == ["Conv2d", "ReLU"] * 3 + ["MaxPool2d"]
    assert block(torch.randn(1, 4, 11, 9)).shape == (1, 6, 5, 4)
    net = ref.vgg(((1, 3), (2, 6)), in_channels=3, input_size=20, fc_hidden_units=16,
                  num_classes=5)
    assert net[3].in_features == 6 * 5 * 5
    assert net(torch.randn(2, 3, 20, 20)).shape == (2, 5)


def test_nin_shapes_and_global_average_pooling():
    with torch.device("meta"):
        net = ref.nin()
        shapes = _shapes(net, torch.empty(1, 1, 224, 224))
        assert _num_params(net) == 1_992_166
    assert shapes == [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12),
                      (384, 12, 12), (384, 5, 5), (384, 5, 5), (10, 5, 5), (10, 1, 1), (10,)]
    X = torch.randn(3, 4, 7, 5)
    gap = ref.GlobalAvgPool2d()
    assert gap(X).shape == (3, 4, 1, 1) and _num_params(gap) == 0
    assert torch.equal(gap(X), X.mean(dim=(2, 3), keepdim=True))
    torch.testing.assert_close(gap(X), nn.AdaptiveAvgPool2d(1)(X))
    assert ref.nin_block(1, 3, 11, 4, 0)(torch.randn(2, 1, 30, 30)).shape == (2, 3, 5, 5)


def test_evaluate_accuracy_uses_eval_mode_restores_it_and_weights_by_example():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 32), nn.ReLU(), nn.Dropout(0.5),
                        nn.Linear(32, 3))
    X = torch.randn(21, 1, 2, 2)
    with torch.no_grad():
        y = net.eval()(X).argmax(dim=1)
    y[:5] = (y[:5] + 1) % 3  # five wrong, all in the first batch
    batches = [(X[:8], y[:8]), (X[8:16], y[8:16]), (X[16:], y[16:])]
    for mode in (True, False):
        net.train(mode)
        assert ref.evaluate_accuracy(batches, net) == 16 / 21
        assert net.training is mode
    # averaging the three batch accuracies would give (3/8 + 1 + 1) / 3 instead
    assert 16 / 21 != pytest.approx((3 / 8 + 2) / 3)


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    root = tmp_path_factory.mktemp("fashion")
    fashion_mnist.write_standin(root, n_train=40, n_test=10, seed=5)
    return root


def test_loader_resizes_the_standin_to_224(standin):
    train_iter, test_iter = ref.load_data_fashion_mnist(8, resize=224, root=standin)
    X, y = next(iter(train_iter))
    assert X.shape == (8, 1, 224, 224) and X.dtype == torch.float32
    assert y.shape == (8,) and y.dtype == torch.int64
    assert 0 <= X.min() and X.max() <= 1
    # the test iterator keeps the file order and equals the chapter-3 loader's resize
    _, other = fashion_mnist.load_data_fashion_mnist(8, root=standin, resize=224)
    for (X1, y1), (X2, y2) in zip(test_iter, other, strict=True):
        torch.testing.assert_close(X1, X2, rtol=1e-6, atol=1e-6)
        assert torch.equal(y1, y2)


def test_loader_without_resize_is_the_plain_images(standin):
    _, test_iter = ref.load_data_fashion_mnist(4, root=standin)
    X = torch.cat([X for X, _ in test_iter])
    images, labels = fashion_mnist.load_fashion_mnist_tensors(standin, train=False)
    assert torch.equal(X, images)
    assert torch.equal(torch.cat([y for _, y in test_iter]), labels)


def test_resizing_a_batch_equals_resizing_each_image():
    images = torch.randint(0, 256, (5, 28, 28), dtype=torch.uint8)
    labels = torch.arange(5, dtype=torch.uint8)
    whole = next(iter(ref.fashion_mnist_iter(images, labels, 5, False, 56)))[0]
    single = torch.cat([X for X, _ in ref.fashion_mnist_iter(images, labels, 1, False, 56)])
    assert torch.equal(whole, single)


def _public_train_case():
    q = _notebook().question("train_ch5")
    made = q.cases[0].make(torch.Generator().manual_seed(1))
    case = wire.decode(*wire.encode({"seed": 3, "args": list(made.args),
                                     "kwargs": dict(made.kwargs)}))
    kind = wire.decode(*wire.encode(q.kind.to_data()))
    return q, case, kind


def test_train_invariant_accepts_the_reference_and_rejects_a_loop_that_does_not_step():
    q, case, kind = _public_train_case()
    a = Args(tuple(case["args"]), dict(case["kwargs"]))
    with contextlib.redirect_stdout(io.StringIO()):
        good = wire.decode(*wire.encode(run_case(ref.train_ch5, case, kind, {})))
    assert q.invariant(good, a) == []

    def no_step(net, train_iter, test_iter, optimizer, device, num_epochs):
        class Frozen:  # the loop runs, but the optimiser never changes a weight
            def zero_grad(self):
                optimizer.zero_grad()

            def step(self):
                pass
        with contextlib.redirect_stdout(io.StringIO()):
            return ref.train_ch5(net, train_iter, test_iter, Frozen(), device, num_epochs)

    bad = wire.decode(*wire.encode(run_case(no_step, case, kind, {})))
    problems = q.invariant(bad, a)
    assert len(problems) == 2  # the loss did not fall and the accuracy stays low
    missing = {"return": good["return"], "bound:net": {}}
    assert q.invariant(missing, a)


def test_the_books_sigmoid_lenet_does_not_learn_in_the_grading_budget():
    """Why train_ch5's cases train a ReLU LeNet: same data, seed, optimiser and epochs."""
    _, case, _ = _public_train_case()
    builder = Builder({})
    torch.manual_seed(3)
    train_iter, test_iter = builder.build(case["args"][1]), builder.build(case["args"][2])
    net = ref.lenet()
    with contextlib.redirect_stdout(io.StringIO()):
        history = ref.train_ch5(net, train_iter, test_iter,
                                torch.optim.Adam(net.parameters(), lr=3e-3), "cpu", 4)
    assert history["test_acc"][-1] < 0.3
    assert history["train_loss"][-1] > 0.9 * history["train_loss"][0]


def test_every_question_has_public_and_hidden_cases():
    for q in _notebook().questions:
        public = sum(c.public for c in q.cases)
        assert public >= 1 and len(q.cases) - public >= 1, q.name
