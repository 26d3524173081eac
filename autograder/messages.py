"""Every sentence a student or instructor reads, in 简体中文 and English.

Messages are looked up by key and filled from data, so a verdict is composed in one
place.  Details whose name starts with ``expected`` can reveal a hidden answer; they are
replaced by a neutral phrase unless the caller says the case is public.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .compare import Mismatch

LANGS = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    # comparison
    "unsupported": {
        "zh": "返回了不支持的类型 {actual_type}"
              "（只接受张量、数组、数字、字符串及其列表/元组/字典）",
        "en": "returned an unsupported type {actual_type} (only tensors, arrays, numbers, "
              "strings and lists/tuples/dicts of them are accepted)",
    },
    "type": {"zh": "类型不对：得到 {actual}，应为 {expected}",
             "en": "wrong type: got {actual}, expected {expected}"},
    "keys": {"zh": "字典的键不对：缺少 {missing}，多出 {extra}",
             "en": "wrong dict keys: missing {missing}, unexpected {extra}"},
    "length": {"zh": "长度不对：得到 {actual}，应为 {expected}",
               "en": "wrong length: got {actual}, expected {expected}"},
    "shape": {"zh": "形状不对：得到 {actual}，应为 {expected}",
              "en": "wrong shape: got {actual}, expected {expected}"},
    "dtype": {"zh": "数据类型不对：得到 {actual}，应为 {expected}",
              "en": "wrong dtype: got {actual}, expected {expected}"},
    "not_equal": {"zh": "值不对：得到 {actual}，应为 {expected}",
                  "en": "wrong value: got {actual}, expected {expected}"},
    "values_exact": {
        "zh": "{count}/{total} 个元素不相等（要求完全相等），第一个在索引 {index}",
        "en": "{count}/{total} elements differ (exact match required), first at index {index}",
    },
    "nonfinite": {
        "zh": "{count}/{total} 个元素的 NaN/Inf 位置与预期不符，第一个在索引 {index}"
              "（结果中共有 {actual_nan} 个 NaN、{actual_inf} 个 Inf）",
        "en": "{count}/{total} elements are NaN/Inf where they should not be (or the reverse), "
              "first at index {index} (the result has {actual_nan} NaN, {actual_inf} Inf)",
    },
    "values_close": {
        "zh": "{count}/{total} 个元素（{share}）超出容差 rtol={rtol:g}, atol={atol:g}；"
              "最大绝对误差 {max_abs:.3g}（索引 {max_abs_index}），"
              "最大相对误差 {max_rel:.3g}（索引 {max_rel_index}），第一个不符在索引 {first_index}",
        "en": "{count}/{total} elements ({share}) are outside rtol={rtol:g}, atol={atol:g}; "
              "greatest absolute difference {max_abs:.3g} at index {max_abs_index}, "
              "greatest relative difference {max_rel:.3g} at index {max_rel_index}, "
              "first mismatch at index {first_index}",
    },
    "scalar_close": {
        "zh": "数值超出容差 rtol={rtol:g}, atol={atol:g}：得到 {actual}，应为 {expected}"
              "（绝对误差 {max_abs:.3g}，相对误差 {max_rel:.3g}）",
        "en": "value outside rtol={rtol:g}, atol={atol:g}: got {actual}, expected {expected} "
              "(absolute difference {max_abs:.3g}, relative difference {max_rel:.3g})",
    },
    "hidden_value": {"zh": "（隐藏）", "en": "(hidden)"},
    # The same mismatches on a hidden case: what kind of mismatch, never a number from
    # which the expected value follows (no differences, indices or expected sizes).
    "keys_hidden": {"zh": "字典的键不对：缺少 {n_missing} 个，多出 {n_extra} 个",
                    "en": "wrong dict keys: {n_missing} missing, {n_extra} unexpected"},
    "length_hidden": {"zh": "长度不对：得到 {actual}（应有的长度隐藏）",
                      "en": "wrong length: got {actual} (the expected length is hidden)"},
    "shape_hidden": {"zh": "形状不对：得到 {actual}（应有的形状隐藏）",
                     "en": "wrong shape: got {actual} (the expected shape is hidden)"},
    "values_exact_hidden": {"zh": "{count}/{total} 个元素不相等（要求完全相等）",
                            "en": "{count}/{total} elements differ (exact match required)"},
    "nonfinite_hidden": {
        "zh": "{count}/{total} 个元素的 NaN/Inf 位置与预期不符"
              "（结果中共有 {actual_nan} 个 NaN、{actual_inf} 个 Inf）",
        "en": "{count}/{total} elements are NaN/Inf where they should not be (or the reverse) "
              "(the result has {actual_nan} NaN, {actual_inf} Inf)",
    },
    "values_close_hidden": {
        "zh": "{count}/{total} 个元素（{share}）超出容差 rtol={rtol:g}, atol={atol:g}，{how_far}",
        "en": "{count}/{total} elements ({share}) are outside rtol={rtol:g}, atol={atol:g}, "
              "{how_far}",
    },
    "scalar_close_hidden": {"zh": "数值超出容差 rtol={rtol:g}, atol={atol:g}，{how_far}",
                            "en": "value outside rtol={rtol:g}, atol={atol:g}, {how_far}"},
    "near": {"zh": "差得不多（在容差的 10 倍以内）", "en": "near the tolerance (within 10×)"},
    "far": {"zh": "差得很远", "en": "far off"},
    # outcomes of calling the student's object
    "missing": {"zh": "没有找到 `{name}`：请不要改名，并确认定义它的单元格已运行",
                "en": "`{name}` is not defined: keep its name and make sure its cell runs"},
    "not_implemented": {"zh": "尚未实现（抛出了 NotImplementedError）",
                        "en": "not implemented (raised NotImplementedError)"},
    "raised": {"zh": "运行时出错：{error}: {message}",
               "en": "raised {error}: {message}"},
    "raised_hidden": {"zh": "在隐藏测试中出错：{error}{where}（隐藏测试的错误信息不显示；"
                            "运行 check() 可看到公开测试的完整信息）",
                      "en": "raised {error} on a hidden case{where} (a hidden case's message "
                            "is not shown; check() shows the public cases' in full)"},
    "raised_where": {"zh": "，位于第 {cell} 个代码单元格第 {line} 行",
                     "en": " at code cell {cell}, line {line}"},
    "own_exception": {"zh": "自定义异常", "en": "an exception of its own class"},
    "case_timeout": {"zh": "超时：超过 {seconds:g} 秒仍未返回",
                     "en": "timed out: no result after {seconds:g} s"},
    "bad_output": {"zh": "返回值无法读取：{reason}",
                   "en": "the result could not be read: {reason}"},
    "no_result": {"zh": "没有结果：{reason}", "en": "no result: {reason}"},
    "invariant": {"zh": "{zh}", "en": "{en}"},
    "passed": {"zh": "通过", "en": "passed"},
    # notebook-level outcomes of phase 1
    "nb_timeout": {"zh": "整个笔记本超过了 {seconds:g} 秒的时间限制，进程被终止",
                   "en": "the notebook exceeded its {seconds:g} s time limit and was stopped"},
    "nb_died": {"zh": "运行笔记本的进程在第 {cell} 个代码单元格处意外退出（{how}）",
                "en": "the process running the notebook died at code cell {cell} ({how})"},
    "nb_invalid": {"zh": "评分进程返回的数据无效：{reason}",
                   "en": "the grading process returned invalid data: {reason}"},
    "no_sandbox": {"zh": "注意：此笔记本是在没有沙箱的情况下评分的（--sandbox=none），"
                         "结果不能防作弊",
                   "en": "note: graded WITHOUT a sandbox (--sandbox=none); this result is not "
                         "protected against tampering"},
    "gpu_not_used": {"zh": "注意：要求用 GPU（--gpu），但评分进程看不到 GPU，已在 CPU 上评分",
                     "en": "note: a GPU was asked for (--gpu), but the grading process saw "
                           "none; graded on the CPU"},
    "wrong_notebook": {"zh": "这份笔记本的元数据写着 {claimed}，但它是作为 {expected} 提交的："
                             "不予评分（请提交为 {expected} 发布的笔记本）",
                       "en": "this notebook's metadata says {claimed}, but it was handed in as "
                             "{expected}: not graded (hand in the notebook released for "
                             "{expected})"},
    "cell_timeout": {"zh": "第 {cell} 个代码单元格超过 {seconds:g} 秒，已中断",
                     "en": "code cell {cell} ran longer than {seconds:g} s and was interrupted"},
}


def text(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` ("zh" or "en"), filled with ``values``."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {LANGS}")
    return TEXT[key][lang].format(**values)


#: A key of a call that records several things (autograder/kinds.py: ``Call.harvest``).
HARVEST_KEY = re.compile(r"\['((?:grad:|training:)*(?:return|arg:\d+|bound:\w+))'\]")

TARGET_WORDS = {
    "return": {"zh": "返回值", "en": "the return value"},
    "arg": {"zh": "调用之后的第 {n} 个参数", "en": "argument {n} after the call"},
    "bound": {"zh": "调用之后的 {name}", "en": "{name} after the call"},
    "grad": {"zh": "{of} 的梯度（.grad）", "en": "the .grad of {of}"},
    "training": {"zh": "{of} 是否处于训练模式（.training）",
                 "en": "whether {of} is in training mode (.training)"},
}


def target_words(target: str, lang: str) -> str:
    """``"grad:arg:0"`` → "the .grad of argument 1 after the call": what a student reads
    instead of the harvest key when a question records more than one thing."""
    head, _, rest = target.partition(":")
    if head in ("grad", "training"):
        return TARGET_WORDS[head][lang].format(of=target_words(rest, lang))
    if head == "arg":
        return TARGET_WORDS["arg"][lang].format(n=int(rest) + 1)
    if head == "bound":
        return TARGET_WORDS["bound"][lang].format(name=rest)
    return TARGET_WORDS["return"][lang]


def render_path(path: tuple[str, ...], lang: str = "en") -> str:
    """``("softmax", "case h2", "[1]")`` → ``softmax › case h2[1]``; a harvest key
    (``['grad:arg:0']``) in words."""
    out = ""
    for part in path:
        key = HARVEST_KEY.fullmatch(part)
        if key:
            out += (" › " if out else "") + target_words(key.group(1), lang)
        elif part.startswith("["):
            out += part
        else:
            out += (" › " if out else "") + part
    return out


#: Mismatch kinds whose hidden-case message is a template of its own (see TEXT).
HIDDEN_KINDS = ("keys", "length", "shape", "values_exact", "nonfinite", "values_close",
                "scalar_close")
#: Beyond this many tolerances away a hidden value is "far off", within it "near".
NEAR = 10.0


def render_mismatch(m: Mismatch, lang: str, reveal: bool = False) -> str:
    """One line: where, then what is wrong.

    ``reveal`` (public cases) gives every detail.  A hidden case says what kind of
    mismatch it is and how many elements, never a difference, an index, an expected size
    or an expected value: each would give part of the hidden answer away, one submission
    at a time.  Only one coarse word says how far off the values are.
    """
    details = dict(m.details)
    if "count" in details and "total" in details and details["total"]:
        details["share"] = f"{100 * details['count'] / details['total']:.1f}%"
    kind = m.kind
    if not reveal:
        for key in details:
            if key.startswith("expected") and kind not in ("type", "dtype"):
                details[key] = TEXT["hidden_value"][lang]
        if kind in HIDDEN_KINDS:
            kind += "_hidden"
            details["how_far"] = text("near" if details.get("worst", math.inf) <= NEAR
                                      else "far", lang)
            details["n_missing"] = len(details.get("missing", ()))
            details["n_extra"] = len(details.get("extra", ()))
    where = render_path(m.path, lang)
    body = text(kind, lang, **details)
    return f"{where}: {body}" if where else body
