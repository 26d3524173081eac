"""The cells of chapter 3's two later generators (``ch03_mlp_regularization.py`` and
``ch03_kaggle_house.py``), shared by both.

They predate :mod:`scripts.notebooks.cells` and write their question headings with a
``{TITLE}`` placeholder and their solution regions between ``@@`` lines; they are kept so
that the committed notebooks stay byte-identical.  New chapters use ``cells.py``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

ROOT = Path(__file__).resolve().parents[2]

LOCKED = {"grade": False, "locked": True, "schema_version": 3, "solution": False, "task": False}


def points(notebook: str) -> dict[str, float]:
    """The questions' points of a chapter-3 notebook, as its spec declares them."""
    from autograder.spec import load_assignment

    spec = load_assignment(ROOT / "solutions" / "ch03_basics")
    return {q.name: q.points for q in spec.notebook(notebook).questions}


def md(cell_id: str, zh: str, en: str | None = None) -> nbformat.NotebookNode:
    text = zh.strip() if en is None else zh.strip() + "\n\n---\n\n" + en.strip()
    cell = new_markdown_cell(text)
    cell.id = cell_id
    return cell


def code(cell_id: str, source: str, nbgrader: dict) -> nbformat.NotebookNode:
    cell = new_code_cell(source.strip("\n"))
    cell.id = cell_id
    cell.metadata["nbgrader"] = nbgrader
    grade_id = nbgrader.get("grade_id", "")
    if grade_id.startswith("demo_") or grade_id.endswith("_demo"):  # see harvest.code_cells
        cell.metadata["tags"] = ["otter_ignore"]  # otter run skips it, as d2l-grade does
    return cell


def given(cell_id: str, source: str) -> nbformat.NotebookNode:
    """A locked, ungraded code cell (set-up, given helpers or a demo)."""
    return code(cell_id, source, {**LOCKED, "grade_id": cell_id.replace("-", "_")})


class Numbering:
    """Question numbers in notebook order."""

    def __init__(self, points: dict[str, float]) -> None:
        self.points = points
        self.n = 0

    def question(self, name: str, zh: str, en: str, answer: str) -> list[nbformat.NotebookNode]:
        """Intro, answer and check cells.  ``answer`` holds ``@@`` where the solution starts
        and ends: the lines between go inside the BEGIN/END SOLUTION markers."""
        self.n += 1
        pts = self.points[name]
        p = int(pts) if float(pts).is_integer() else pts
        zh_title = f"### 题 {self.n}：`{name}`（{p} 分）"
        en_title = f"### Question {self.n}: `{name}` ({p} point{'s' if p != 1 else ''})"
        zh = zh.replace("{TITLE}", zh_title)
        en = en.replace("{TITLE}", en_title)
        source = answer.strip("\n") + "\n"
        parts = source.split("@@\n")
        out = []
        for i, part in enumerate(parts):
            if i % 2 == 1:  # a solution region; keep its indentation
                indent = part[: len(part) - len(part.lstrip())]
                part = f"{indent}### BEGIN SOLUTION\n{part.rstrip()}\n{indent}### END SOLUTION\n"
            out.append(part)
        cells = [md(f"{name}-intro", zh, en),
                 code(f"{name}-answer", "".join(out).rstrip("\n"), {
                     "grade": False, "grade_id": f"{name}_answer", "locked": False,
                     "schema_version": 3, "solution": True, "task": False}),
                 code(f"{name}-check", f'check("{name}")', {
                     "grade": True, "grade_id": name, "locked": True, "points": p,
                     "schema_version": 3, "solution": False, "task": False})]
        return cells
