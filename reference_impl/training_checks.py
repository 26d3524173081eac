"""How the course judges a training run that returns the book's history dict.

``train_ch5``-style loops (§5.5, §9.1) return ``{"train_loss", "train_acc", "test_acc"}``,
one number per epoch, and train the network they are given in place.  A trained result
is never compared with a trained reference (curriculum §1); it is judged by thresholds:
the history's shape, a training loss that falls to ``loss_ratio_bar`` × its first value or
below, and the trained network's accuracy, measured by the grader itself on the case's
test data, at least ``acc_bar``.  Chapter specs call :func:`check_history` from their
invariants with their own network, data and bars.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from torch import nn

Problems = list[tuple[str, str]]
HISTORY_KEYS = ("train_loss", "train_acc", "test_acc")


def _problem(zh: str, en: str) -> Problems:
    return [(zh, en)]


def _is_number(x: Any) -> bool:
    return type(x) in (float, int) and math.isfinite(x)


def check_history(actual: Any, epochs: int, make_net: Callable[[], nn.Module],
                  accuracy: Callable[[nn.Module], float], loss_ratio_bar: float,
                  acc_bar: float) -> Problems:
    """Problems with a harvested ``{"return": history, "bound:net": state}`` (``[]``: passed).

    ``make_net`` builds an untrained network of the question's architecture, into which
    the trained state is loaded strictly; ``accuracy`` measures it on the test data.
    """
    if type(actual) is not dict or set(actual) != {"return", "bound:net"}:
        return _problem("没有得到训练历史和训练后的网络",
                        "no history and trained network were recorded")
    history, state = actual["return"], actual["bound:net"]
    if type(history) is not dict or set(history) != set(HISTORY_KEYS):
        return _problem(f"应返回一个字典，键为 {list(HISTORY_KEYS)}",
                        f"should return a dict with the keys {list(HISTORY_KEYS)}")
    for key in HISTORY_KEYS:
        values = history[key]
        if type(values) is not list or len(values) != epochs \
                or not all(_is_number(v) for v in values):
            return _problem(f"history[{key!r}] 应是 {epochs} 个有限的 Python 数（每个周期一个）",
                            f"history[{key!r}] should hold {epochs} finite Python numbers "
                            "(one per epoch)")
    if not all(0 <= v <= 1 for key in ("train_acc", "test_acc") for v in history[key]):
        return _problem("准确率应在 0 到 1 之间", "accuracies should lie between 0 and 1")
    problems: Problems = []
    losses = history["train_loss"]
    if not 0 < losses[-1] <= loss_ratio_bar * losses[0]:
        problems += _problem(
            f"训练损失没有明显下降：第一个周期 {losses[0]:.4f}，最后一个周期 {losses[-1]:.4f}"
            f"（应不超过前者的 {loss_ratio_bar:g} 倍）",
            f"the training loss did not fall enough: first epoch {losses[0]:.4f}, last "
            f"epoch {losses[-1]:.4f} (should be at most {loss_ratio_bar:g} times the first)")
    net = make_net()
    try:
        net.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError, KeyError):
        return problems + _problem("传入的网络在训练后参数名或形状变了",
                                   "the given network's parameter names or shapes changed")
    acc = accuracy(net)
    if acc < acc_bar:
        problems += _problem(
            f"训练后的网络在测试集上的准确率只有 {acc:.2f}（应至少 {acc_bar:g}；"
            "请检查是否就地训练了传入的网络）",
            f"the trained network's test accuracy is only {acc:.2f} (should be at least "
            f"{acc_bar:g}; check that the given network itself is trained)")
    return problems
