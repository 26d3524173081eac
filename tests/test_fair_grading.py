"""Grading behaviour, not incidental form (issue 30): a demonstration cell cannot change
what an answer sees, and a grader helper's error names what the student passed it.

The book keeps ``loss`` as a notebook-level variable; a notebook's own demo training loop
later rebound it to a tensor, grading runs every cell before the cases, and a correct
``evaluate_loss`` lost its point although the student's ``check()`` had shown ✓.
"""

from __future__ import annotations

import json
import os

import pytest
import torch

from autograder.harvest import Alarm, CappedStream, code_cells, new_shell, run_cells
from autograder.kinds import HelperError, isolated, ref


def _cell(source: str, grade_id: str | None = None) -> dict:
    meta = {"nbgrader": {"grade_id": grade_id}} if grade_id else {}
    return {"cell_type": "code", "source": source, "metadata": meta, "outputs": []}


def _run(cells: list[dict]) -> dict:
    notebook = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                           "nbformat_minor": 5}).encode()
    shell = new_shell()
    read, write = os.pipe()
    try:
        outcomes = run_cells(shell, code_cells(notebook), {"cell_timeout": 30}, Alarm(),
                             CappedStream(10_000), write)
    finally:
        os.close(read)
        os.close(write)
    assert [o["status"] for o in outcomes] == ["ok"] * len(cells), outcomes
    return shell.user_ns


def test_a_demo_cell_cannot_rebind_or_delete_what_answers_use():
    ns = _run([
        _cell("loss = 'the student loss'\ndef evaluate():\n    return loss", "answer"),
        _cell("loss = 5\ndel evaluate\nsteps = 20", "demo_training"),
        _cell("history = [1, 2]", "k_fold_demo"),  # the older naming
        _cell("later = steps + len(history)", "demo_plot"),  # a later demo sees both
    ])
    assert ns["loss"] == "the student loss" and ns["evaluate"]() == "the student loss"
    assert ns["later"] == 22


def test_answer_and_given_cells_still_change_the_namespace():
    ns = _run([_cell("x = 1", "given"), _cell("x = 2", "answer"), _cell("y = x")])
    assert ns["x"] == 2 and ns["y"] == 2


def test_an_error_inside_a_grader_helper_names_what_the_student_passed():
    """ch05 edge_detect: an int64 kernel failed inside the grader's corr2d with "expected
    scalar type Float but found Long", which says nothing about the student's code."""
    ns: dict = {}
    exec("import torch\nimport torch.nn.functional as F\n"
         "def corr2d_torch(X, K):\n"  # the notebook's given helper
         "    return F.conv2d(X.reshape((1, 1) + X.shape), K.reshape((1, 1) + K.shape))[0, 0]\n"
         "def corr2d(X, K):\n    raise NotImplementedError\n"  # the student's own
         "def edge_detect():\n"
         "    return corr2d(torch.ones(6, 8), torch.tensor([[1, -1]]))\n", ns)
    with isolated(ns, {"corr2d": ref("corr2d_torch")}):
        with pytest.raises(HelperError) as info:
            ns["edge_detect"]()
    text = str(info.value)
    assert text.startswith("corr2d, a helper the grader provides, failed on what your code")
    assert "a float32 tensor of shape (6, 8), an int64 tensor of shape (1, 2)" in text
    # Afterwards the student's own corr2d is back, and a helper that works is unchanged.
    assert ns["corr2d"].__code__.co_name == "corr2d"
    with isolated(ns, {"corr2d": ref("corr2d_torch")}):
        assert ns["corr2d"](torch.ones(3, 3), torch.ones(2, 2)).tolist() == [[4.0] * 2] * 2


def test_the_books_named_layers_pass_the_concise_model_and_a_second_layer_does_not(course):
    """ch03 softmax_regression_concise: the check read the parameter names ``1.weight`` and
    ``1.bias``; the book names its layers in an OrderedDict (``linear.weight``)."""
    from collections import OrderedDict

    from torch import nn

    from autograder.spec import args

    question = course.spec("ch03_basics").notebook("linear_softmax") \
        .question("softmax_regression_concise")
    torch.manual_seed(0)

    def book_style(n_in: int, n_out: int) -> nn.Module:
        net = nn.Sequential(OrderedDict([("flatten", nn.Flatten()),
                                         ("linear", nn.Linear(n_in, n_out))]))
        nn.init.normal_(net.linear.weight, mean=0, std=0.01)
        nn.init.constant_(net.linear.bias, val=0)
        return net

    for n_in, n_out in [(784, 10), (64, 8), (100, 5)]:
        state = dict(book_style(n_in, n_out).state_dict())
        assert question.invariant(state, args(n_in, n_out)) == []
    # What the question is about still counts: an extra layer, or a bias left random.
    two = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Linear(10, 10))
    [(_, en)] = question.invariant(dict(two.state_dict()), args(784, 10))
    assert "one linear layer" in en and "2.weight [10, 10]" in en
    random_bias = book_style(784, 10)
    nn.init.normal_(random_bias.linear.bias)
    [(_, en)] = question.invariant(dict(random_bias.state_dict()), args(784, 10))
    assert "bias should start at zero" in en
