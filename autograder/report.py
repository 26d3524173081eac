"""Showing results: a score table for people, a results file for programs.

The results file follows Gradescope's ``results.json``: a top-level ``score`` and one
entry per question in ``tests`` with ``name``, ``score``, ``max_score`` and ``output``.
Several notebooks give a list of such objects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .grade import NotebookResult

STATUS_TEXT = {
    "passed": {"zh": "通过", "en": "passed"},
    "partial": {"zh": "部分通过", "en": "partly passed"},
    "failed": {"zh": "未通过", "en": "failed"},
    "not_implemented": {"zh": "未实现", "en": "not implemented"},
    "missing": {"zh": "未定义", "en": "not defined"},
    "raised": {"zh": "出错", "en": "raised an error"},
    "timeout": {"zh": "超时", "en": "timed out"},
    "bad_output": {"zh": "结果无效", "en": "invalid result"},
    "no_result": {"zh": "无结果", "en": "no result"},
    "pending": {"zh": "待人工评分", "en": "pending: graded by hand"},
}
HEADERS = {
    "zh": ("题目", "得分", "满分", "状态", "说明", "总分"),
    "en": ("question", "score", "max", "status", "detail", "total"),
}


def _fmt(x: float) -> str:
    return f"{x:g}"


def score_table(result: NotebookResult, lang: str) -> Table:
    h = HEADERS[lang]
    title = f"{result.path} — {result.assignment}/{result.notebook}"
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column(h[0])
    table.add_column(h[1], justify="right")
    table.add_column(h[2], justify="right")
    table.add_column(h[3])
    table.add_column(h[4], overflow="fold", max_width=70)
    for q in result.questions:
        style = {"passed": "green", "partial": "yellow"}.get(q.status, "red")
        # Statuses that say it all need no detail ("not implemented" twice is noise).
        detail = "" if q.status in ("passed", "not_implemented") else q.summary(lang)
        table.add_row(q.name, _fmt(q.score), _fmt(q.max_score),
                      f"[{style}]{STATUS_TEXT[q.status][lang]}[/{style}]", detail)
    for name, points in result.pending:
        table.add_row(name, "—", _fmt(points), f"[cyan]{STATUS_TEXT['pending'][lang]}[/cyan]",
                      "")
    table.add_section()
    table.add_row(f"[bold]{h[5]}[/bold]", f"[bold]{_fmt(result.score)}[/bold]",
                  _fmt(result.max_score), "", _pending_note(result, lang))
    return table


def _pending_note(result: NotebookResult, lang: str) -> str:
    """The total leaves out the free-response points a person still has to grade."""
    if not result.pending:
        return ""
    points = _fmt(sum(p for _, p in result.pending))
    return (f"另有 {points} 分待人工评分" if lang == "zh"
            else f"plus {points} points graded by hand")


def print_results(results: list[NotebookResult], lang: str, console: Console) -> None:
    for result in results:
        console.print(score_table(result, lang))
        for note in result.notes:
            console.print(f"[yellow]! {note[lang]}[/yellow]")


def _question_output(q, lang: str) -> str:
    lines = []
    for case in q.cases:
        label = ("public" if case.public else "hidden") if lang == "en" else \
            ("公开" if case.public else "隐藏")
        if case.passed:
            lines.append(f"case {case.id} ({label}): {STATUS_TEXT['passed'][lang]}")
        else:
            for reason in case.reasons:
                lines.append(f"case {case.id} ({label}): {reason[lang]}")
    return "\n".join(lines)


def gradescope_dict(result: NotebookResult, lang: str) -> dict[str, Any]:
    if result.error:
        return {"score": 0.0, "output": result.error, "tests": [],
                "extra_data": {"notebook": str(result.path), "phase1": result.phase1}}
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": result.seconds,
        "output": "\n".join([n[lang] for n in result.notes]
                            + ([_pending_note(result, lang)] if result.pending else [])),
        "tests": [
            {"name": q.name, "score": q.score, "max_score": q.max_score,
             "status": "passed" if q.status == "passed" else "failed",
             "output": _question_output(q, lang)}
            for q in result.questions
        ],
        "extra_data": {"notebook": str(result.path), "assignment": result.assignment,
                       "notebook_name": result.notebook, "phase1": result.phase1,
                       "sandbox": result.sandbox, "limits_enforced": result.enforced,
                       "timings": result.timings,
                       "pending": [{"name": n, "max_score": p} for n, p in result.pending]},
    }


def write_json(results: list[NotebookResult], path: Path, lang: str) -> None:
    """One results object for one notebook, a list of them for several."""
    data: Any = [gradescope_dict(r, lang) for r in results]
    if len(data) == 1:
        data = data[0]
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
