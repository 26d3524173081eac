"""Recipes and call kinds: only public torch names, fresh inputs per case, clean isolation."""

from __future__ import annotations

import pytest
import torch

from autograder.kinds import (
    Builder,
    Call,
    MissingObject,
    RecipeError,
    as_data,
    isolated,
    leaf,
    new,
    params,
    partial,
    ref,
    resolve_torch,
    run_case,
)


@pytest.mark.parametrize("path", ["os.system", "torch._C", "torch.nn.__class__", "torch",
                                  "torch.nn.Linear.__init__", "builtins.eval", 3])
def test_only_public_torch_names_resolve(path):
    with pytest.raises(RecipeError):
        resolve_torch(path)


def test_new_with_state_bind_and_optimizer_params():
    state = {"weight": torch.ones(2, 3), "bias": torch.zeros(2)}
    b = Builder({})
    lin = b.build(new("torch.nn.Linear", 3, 2, state=state, bind="lin"))
    opt = b.build(new("torch.optim.SGD", params("lin"), lr=0.5))
    assert torch.equal(lin.weight.detach(), torch.ones(2, 3))
    assert opt.param_groups[0]["params"][0] is lin.weight


def test_leaf_ref_partial_and_missing():
    b = Builder({"f": len})
    t = b.build(leaf(torch.zeros(2), torch.ones(2)))
    assert t.requires_grad and torch.equal(t.grad, torch.ones(2))
    assert b.build(ref("f")) is len
    assert torch.allclose(b.build(partial("torch.softmax", dim=1))(torch.zeros(1, 2)),
                          torch.full((1, 2), 0.5))
    with pytest.raises(MissingObject):
        b.build(ref("nope"))


def test_each_case_gets_fresh_tensors():
    x = torch.zeros(3)
    case = {"seed": 0, "args": [x], "kwargs": {}}

    def bump(t):
        t += 1
        return t

    out = run_case(bump, case, Call().to_data(), {})
    assert torch.equal(out, torch.ones(3)) and torch.equal(x, torch.zeros(3))


def test_harvest_targets_and_collect():
    case = {"seed": 0, "args": [[1, 2, 3]], "kwargs": {}}
    assert run_case(lambda xs: iter(xs), case, Call(collect=True).to_data(), {}) == [1, 2, 3]
    both = run_case(lambda xs: xs.append(4) or "done", case,
                    Call(harvest=("return", "arg:0")).to_data(), {})
    assert both == {"return": "done", "arg:0": [1, 2, 3, 4]}


def test_isolated_replaces_then_restores():
    ns = {"softmax": "student's"}
    with isolated(ns, {"softmax": partial("torch.softmax", dim=1), "extra": ref("softmax")}):
        assert ns["softmax"].__wrapped__.func is torch.softmax  # errors explained
    assert ns == {"softmax": "student's"}


def test_construct_kind_builds_loads_weights_and_runs():
    """The construct kind: same class, same weights, same output; names and counts."""
    import torch
    from torch import nn

    from autograder import wire
    from autograder.kinds import Construct, new, run_case

    class Net(nn.Module):
        def __init__(self, hidden: int = 3) -> None:
            super().__init__()
            self.hidden = nn.Linear(4, hidden)
            self.out = nn.Linear(hidden, 2)

        def forward(self, X):
            return self.out(torch.relu(self.hidden(X)))

    weights = Net().state_dict()
    kind = wire.decode(*wire.encode(Construct(
        harvest=("output", "names", "num_params")).to_data()))
    case = {"seed": 3, "args": [torch.ones(2, 4)], "kwargs": {"state": weights}}
    got = run_case(Net, case, kind, {})
    expected = Net()
    expected.load_state_dict(weights)
    assert torch.equal(got["output"], expected(torch.ones(2, 4)).detach())
    assert got["names"] == [["hidden.weight", [3, 4]], ["hidden.bias", [3]],
                            ["out.weight", [2, 3]], ["out.bias", [2]]]
    assert got["num_params"] == 23
    # Wrong names or shapes cannot take the reference's weights.
    with pytest.raises(RuntimeError):
        run_case(lambda: Net(hidden=5), case, kind, {})
    # Layers handed to a container class: the same seed gives the same initial weights.
    chain = Construct(init=(new("torch.nn.Linear", 4, 3), new("torch.nn.ReLU"),
                            new("torch.nn.Linear", 3, 1))).to_data()
    plain = {"seed": 5, "args": [torch.ones(1, 4)], "kwargs": {}}
    assert torch.equal(run_case(nn.Sequential, plain, chain, {}),
                       run_case(nn.Sequential, plain, chain, {}))
    with pytest.raises(TypeError, match="torch.nn.Module"):
        run_case(lambda *a: object(), plain, chain, {})
    # A case may bring its own constructor arguments (other sizes in a hidden case).
    wider = {"seed": 3, "args": [torch.ones(2, 4)],
             "kwargs": {"init_kwargs": {"hidden": 5}, "state": Net(hidden=5).state_dict()}}
    assert run_case(Net, wider, kind, {})["num_params"] == 4 * 5 + 5 + 5 * 2 + 2


def _conv_net(order: str = "conv-first", act: type = torch.nn.ReLU) -> torch.nn.Module:
    """A small BN network; ``order`` only changes the order its layers are created in."""
    from torch import nn

    if order == "conv-first":
        conv, bn, fc = nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.Linear(4 * 4 * 4, 3)
    else:
        fc, bn, conv = nn.Linear(4 * 4 * 4, 3), nn.BatchNorm2d(4), nn.Conv2d(2, 4, 3, padding=1)
    return nn.Sequential(conv, bn, act(), nn.MaxPool2d(2), nn.Flatten(), fc)


def test_fill_gives_equal_networks_equal_weights_whatever_their_build_order():
    from autograder import wire
    from autograder.kinds import NO_PARAMETERS, Construct

    kind = wire.decode(*wire.encode(Construct(harvest=("output", "layers")).to_data()))
    x = torch.randn(5, 2, 8, 8, generator=torch.Generator().manual_seed(0))
    case = {"seed": 11, "args": [x], "kwargs": {"fill": True}}
    a = run_case(_conv_net, case, kind, {})
    b = run_case(lambda: _conv_net("fc-first"), case, kind, {})
    assert torch.equal(a["output"], b["output"])
    # Layers with parameters by class; the others by what they are (issue 30: the book's
    # own FlattenLayer is nn.Flatten's equal).
    assert a["layers"] == [["Conv2d", [5, 4, 8, 8]], ["BatchNorm2d", [5, 4, 8, 8]],
                           [NO_PARAMETERS, [5, 4, 8, 8]], [NO_PARAMETERS, [5, 4, 4, 4]],
                           [NO_PARAMETERS, [5, 64]], ["Linear", [5, 3]]]
    # Another seed draws other weights; another activation changes the output (its
    # label is the same: behaviour shows in the values).
    other = run_case(_conv_net, dict(case, seed=12), kind, {})
    assert not torch.allclose(a["output"], other["output"])
    sig = run_case(lambda: _conv_net(act=torch.nn.Sigmoid), case, kind, {})
    assert sig["layers"] == a["layers"] and not torch.allclose(a["output"], sig["output"])
    # The filled scales keep values of order one; BN's running variance stays positive.
    net = _conv_net()
    from autograder.kinds import fill_state

    fill_state(net, 3)
    assert float(net[1].running_var.min()) >= 0.5 and float(net[1].weight.detach().min()) >= 0.5
    assert int(net[1].num_batches_tracked) == 0
    assert 0.05 < float(a["output"].abs().mean()) < 5


def test_questions_may_import_their_sibling_modules(tmp_path):
    """A chapter with several notebooks keeps each notebook's questions in its own file."""
    from autograder.spec import load_assignment

    folder = tmp_path / "ch99_demo"
    folder.mkdir()
    (folder / "part_one.py").write_text(
        "from autograder.spec import Question, args, hidden\n"
        "QUESTIONS = [Question('double', 1, lambda x: 2 * x, [hidden(lambda g: args(3))])]\n")
    (folder / "questions.py").write_text(
        "from autograder.spec import AssignmentSpec, NotebookSpec\n"
        "from .part_one import QUESTIONS\n"
        "ASSIGNMENT = AssignmentSpec('ch99_demo', 'demo', [NotebookSpec('one', QUESTIONS)])\n")
    spec = load_assignment(folder)
    assert spec.notebook("one").question("double").reference(4) == 8
    # Loading again picks up an edited sibling (no stale module from the first load).
    (folder / "part_one.py").write_text(
        "from autograder.spec import Question, args, hidden\n"
        "QUESTIONS = [Question('triple', 1, lambda x: 3 * x, [hidden(lambda g: args(3))])]\n")
    assert load_assignment(folder).notebook("one").question("triple").reference(1) == 3


def test_loading_a_chapter_with_sibling_modules_from_many_threads_at_once(tmp_path):
    """Grading threads load specs concurrently; sibling modules must not vanish mid-import."""
    from concurrent.futures import ThreadPoolExecutor

    from autograder.spec import load_assignment

    folder = tmp_path / "ch98_threads"
    folder.mkdir()
    for i in range(4):
        (folder / f"part_{i}.py").write_text(
            "import time\nfrom autograder.spec import NotebookSpec, Question, args, hidden\n"
            "time.sleep(0.01)\n"
            f"NOTEBOOK = NotebookSpec('nb{i}', [Question('q', 1, abs, "
            "[hidden(lambda g: args(-1))])])\n")
    (folder / "questions.py").write_text(
        "from autograder.spec import AssignmentSpec\n"
        + "".join(f"from .part_{i} import NOTEBOOK as N{i}\n" for i in range(4))
        + "ASSIGNMENT = AssignmentSpec('ch98_threads', 't', [N0, N1, N2, N3])\n")
    with ThreadPoolExecutor(8) as pool:
        specs = list(pool.map(lambda _: load_assignment(folder), range(16)))
    assert all([nb.name for nb in s.notebooks] == ["nb0", "nb1", "nb2", "nb3"] for s in specs)


def test_grad_and_training_targets_record_what_a_rule_is_about():
    """``grad:`` and ``training:`` see side effects a question states as rules: the
    gradients a step must zero, the mode an evaluation must restore."""
    def step(params, lr):
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad

    def step_and_zero(params, lr):
        step(params, lr)
        for p in params:
            p.grad = None  # what zero_grad(set_to_none=True) does: as good as zeros

    case = {"args": [[leaf(torch.ones(2), torch.full((2,), 3.0))], 0.5], "kwargs": {},
            "seed": 1}
    kind = Call(harvest=("arg:0", "grad:arg:0")).to_data()
    kept = run_case(step, case, kind, {})
    assert kept["grad:arg:0"][0].tolist() == [3.0, 3.0]
    assert kept["arg:0"][0].tolist() == [-0.5, -0.5]
    assert run_case(step_and_zero, case, kind, {})["grad:arg:0"][0].tolist() == [0.0, 0.0]

    def evaluate(net):
        net.eval()
        return 1.0

    def evaluate_and_restore(net):
        was = net.training
        net.eval()
        net.train(was)
        return 1.0

    mode = Call(harvest=("return", "training:arg:0")).to_data()
    for training in (True, False):
        case = {"args": [new("torch.nn.Dropout", 0.5, training=training)], "kwargs": {},
                "seed": 1}
        assert run_case(evaluate, case, mode, {}) == {"return": 1.0, "training:arg:0": False}
        assert run_case(evaluate_and_restore, case, mode, {})["training:arg:0"] is training


def test_a_harvest_key_is_named_in_words_in_messages():
    from autograder.messages import render_path

    assert render_path(("sgd", "case h1", "['grad:arg:0']", "[1]"), "en") == \
        "sgd › case h1 › the .grad of argument 1 after the call[1]"
    assert render_path(("['training:arg:1']",), "zh") == \
        "调用之后的第 2 个参数 是否处于训练模式（.training）"
    assert render_path(("x", "['bound:net']"), "en") == "x › net after the call"
    assert render_path(("x", "['a:b']"), "en") == "x['a:b']"  # a student's own key stays


def test_a_parameter_list_is_recorded_as_the_list_it_holds():
    """The book's ``get_params`` returns an ``nn.ParameterList``: graded as the list of its
    tensors (issue 30), while any other module is still recorded as its state dict."""
    tensors = [torch.nn.Parameter(torch.ones(2, 3)), torch.nn.Parameter(torch.zeros(3))]
    recorded = as_data(torch.nn.ParameterList(tensors))
    assert type(recorded) is list and len(recorded) == 2
    assert all(a is b for a, b in zip(recorded, tensors, strict=True))
    layer = torch.nn.Linear(3, 2)
    assert set(as_data(layer)) == {"weight", "bias"}
