"""Per-student feedback pages, in 简体中文 with the English beneath.

A page says, per question, the score, what passed and what failed and by how much —
the same reasons the grader computed, which never hold a hidden case's expected value.
It is written where nbgrader keeps feedback (``feedback/<student>/<assignment>/``), so
``nbgrader release_feedback`` hands it to the student.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

STATUS = {
    "passed": ("通过", "passed"), "partial": ("部分通过", "partly passed"),
    "failed": ("未通过", "failed"), "not_implemented": ("未实现", "not implemented"),
    "missing": ("未定义", "not defined"), "raised": ("出错", "raised an error"),
    "timeout": ("超时", "timed out"), "bad_output": ("结果无效", "invalid result"),
    "no_result": ("无结果", "no result"),
}

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 60rem; margin: 2rem auto; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
.passed {{ color: #176b2c; }} .partial {{ color: #8a6d00; }} .failed {{ color: #a11; }}
.en {{ color: #555; }}
</style></head><body>
<h1>{title}</h1>
<p><strong>总分 / Total: {score:g} / {max_score:g}</strong></p>
{notes}
<table><tr><th>题目 / question</th><th>得分 / score</th><th>状态 / status</th>
<th>说明 / details</th></tr>
{rows}
</table>
<p class="en">只显示误差的大小，不显示隐藏用例的答案。/ Only the size of each error is shown,
never a hidden case's expected value.</p>
</body></html>
"""


def render(student: str, assignment: str, notebook: str, data: dict[str, Any]) -> str:
    """The feedback page for one stored result (see ``backends.record``)."""
    rows = []
    for name, q in data.get("questions", {}).items():
        zh, en = STATUS.get(q["status"], (q["status"], q["status"]))
        css = "passed" if q["status"] == "passed" else \
            "partial" if q["status"] == "partial" else "failed"
        details = "".join(
            f"<div>{html.escape(r['zh'])}</div><div class='en'>{html.escape(r['en'])}</div>"
            for r in q.get("reasons", []))
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{q['score']:g} / "
                    f"{q['max_score']:g}</td><td class='{css}'>{zh}<br>"
                    f"<span class='en'>{en}</span></td><td>{details}</td></tr>")
    notes = "".join(f"<p>{html.escape(n['zh'])}<br><span class='en'>{html.escape(n['en'])}"
                    "</span></p>" for n in data.get("notes", []))
    title = html.escape(f"{assignment}/{notebook} — {student}")
    return PAGE.format(title=title, score=data.get("score", 0.0),
                       max_score=data.get("max_score", 0.0), notes=notes, rows="\n".join(rows))


def write_feedback(course_dir: Path, assignment: str, student: str, notebook: str,
                   data: dict[str, Any]) -> Path:
    path = Path(course_dir) / "feedback" / student / assignment / f"{notebook}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(student, assignment, notebook, data), encoding="utf-8")
    return path
