"""Choice and short-answer questions: exact grading after normalising the text.

A reading quiz must not fail a student for typing ``Ｂ`` (full width) instead of ``B``,
``" b "`` instead of ``"B"``, ``"A, C"`` instead of ``"AC"``, or 反向傳播 (traditional
characters) instead of 反向传播.  So both the student's answer and every accepted answer
go through :func:`normalize` before an exact comparison:

1. NFKC, which folds full-width letters, digits and punctuation to their ASCII forms;
2. traditional Chinese characters to simplified ones (OpenCC's ``t2s`` table);
3. case folding, and runs of whitespace collapsed to one space;
4. surrounding punctuation and quotes dropped (``"B."``, ``“反向传播。”``);
5. for a choice question, separators dropped and the letters sorted, so a
   multiple-choice answer is the set of options chosen (``"c, a"`` → ``"AC"``).

Numbers given as ``int`` or ``float`` are compared as their text.  Everything else is a
malformed answer.  Messages never reveal the accepted answers: the key stays hidden.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

_STRIP = " \t\n.。!！?？,，;；:：、'\"“”‘’「」『』()（）[]【】"
_CHOICE_SEPARATORS = re.compile(r"[\s,，、;；/|+&和与及]+")


@functools.cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalize(value: Any, options: str | None = None) -> str | None:
    """The canonical text of an answer, or None when it is not an answer at all.

    ``options`` (e.g. ``"ABCD"``) marks a choice question: the result is then the sorted
    set of chosen letters, or None if a letter is not among the options.
    """
    if type(value) is bool or type(value) not in (str, int, float):
        return None
    text = unicodedata.normalize("NFKC", str(value))
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        text = _t2s().convert(text)
    text = " ".join(text.casefold().split()).strip(_STRIP)
    if options is None:
        return text
    letters = _CHOICE_SEPARATORS.sub("", text).upper()
    if not letters or any(ch not in options.upper() for ch in letters):
        return None
    return "".join(sorted(set(letters)))


def judge_answer(actual: Any, accepted: list[Any], options: str | None
                 ) -> list[tuple[str, str]]:
    """Problems with ``actual`` as (zh, en) pairs; empty when it matches an accepted answer."""
    got = normalize(actual, options)
    if got is None:
        if options is not None and type(actual) is str:
            return [(f"答案应由选项 {', '.join(options)} 中的字母组成",
                     f"the answer should be made of the option letters {', '.join(options)}")]
        return [(f"答案应是字符串（得到 {type(actual).__name__}）",
                 f"the answer should be a string (got {type(actual).__name__})")]
    if got in {normalize(a, options) for a in accepted}:
        return []
    return [("答案不正确", "the answer is not correct")]
