"""The cells every master-notebook generator writes, in one place.

A generator (``scripts/notebooks/<chapter>.py``) builds its notebook with a
:class:`MasterNotebook`: prose cells in 简体中文 with English beneath, locked code cells
the student is given, and per question three cells (``<q>-intro`` markdown,
``<q>-answer`` with the solution between ``### BEGIN SOLUTION`` / ``### END SOLUTION``,
``<q>-check`` calling ``check``) carrying the nbgrader metadata that ``d2l-grade release``
and nbgrader expect.  A question's points come from the chapter's spec, so the notebook
and the grader cannot disagree about them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
OTTER_IGNORE = "otter_ignore"


def md(cell_id: str, zh: str, en: str) -> nbformat.NotebookNode:
    """A markdown cell: the Chinese text, a rule, the English text."""
    cell = nbformat.v4.new_markdown_cell(zh.strip() + "\n\n---\n\n" + en.strip())
    cell.id = cell_id
    return cell


def code(cell_id: str, source: str, grade_id: str, *, solution: bool = False,
         points: float | None = None) -> nbformat.NotebookNode:
    """A code cell with nbgrader metadata: locked unless it is a solution cell."""
    cell = nbformat.v4.new_code_cell(source.strip("\n"))
    cell.id = cell_id
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = dict(sorted(meta.items()))
    if grade_id.startswith("demo_") or grade_id.endswith("_demo"):  # see harvest.code_cells
        # otter's documented tag for cells its grading skips: ``otter run`` then grades
        # without the demonstrations, as d2l-grade does by default.
        cell.metadata["tags"] = [OTTER_IGNORE]
    return cell


class MasterNotebook:
    """The cells of one master notebook, appended in reading order."""

    def __init__(self, assignment: str, notebook: str) -> None:
        self.assignment, self.notebook = assignment, notebook
        self.cells: list[nbformat.NotebookNode] = []
        self.number = 0
        self._points: dict[str, float] | None = None

    @property
    def path(self) -> Path:
        return ROOT / "solutions" / self.assignment / f"{self.notebook}.ipynb"

    def points(self, name: str) -> float:
        """The question's points, as the chapter's spec declares them."""
        if self._points is None:
            from autograder.spec import load_assignment

            nb = load_assignment(ROOT / "solutions" / self.assignment).notebook(self.notebook)
            self._points = {q.name: q.points for q in [*nb.questions, *nb.manual]}
        return self._points[name]

    def md(self, cell_id: str, zh: str, en: str) -> None:
        self.cells.append(md(cell_id, zh, en))

    def given(self, cell_id: str, source: str) -> None:
        """Code the student is given (locked, not graded)."""
        self.cells.append(code(cell_id, source, cell_id.replace("-", "_")))

    def question(self, name: str, zh: str, en: str, answer: str) -> None:
        """Intro, answer (with the solution region) and check cells of one question."""
        self.number += 1
        n, points = self.number, self.points(name)
        pts = f"{points:g}"
        zh_head = f"### 题 {n}：`{name}`（{pts} 分）\n\n"
        en_head = f"### Question {n}: `{name}` ({pts} point{'s' if points != 1 else ''})\n\n"
        self.cells.append(md(f"{name}-intro", zh_head + zh.strip(), en_head + en.strip()))
        self.cells.append(code(f"{name}-answer", answer, f"{name}_answer", solution=True))
        self.cells.append(code(f"{name}-check", f'check("{name}")', name, points=points))

    def answer_question(self, name: str, zh: str, en: str, answer: str,
                        hint: str = "") -> None:
        """A choice or short-answer question: the student assigns ``name``.

        The blank keeps ``name = None`` (read as "not answered") before the stub, so an
        unanswered question reports "not implemented" like any other blank.
        """
        source = f"{name} = None{'  # ' + hint if hint else ''}\n### BEGIN SOLUTION\n" \
                 f"{name} = {answer!r}\n### END SOLUTION"
        self.question(name, zh, en, source)

    def free_response(self, name: str, zh: str, en: str, model_answer: str) -> None:
        """A question graded by hand: a locked prompt and a markdown answer cell with points.

        nbgrader's formgrader shows the answer cell for manual grading; the master's text
        (the model answer) is replaced by "YOUR ANSWER HERE" in the released notebook.
        """
        self.number += 1
        n, points = self.number, self.points(name)
        pts = f"{points:g}"
        self.cells.append(md(f"{name}-intro", f"### 题 {n}：{name}（{pts} 分，人工评分）\n\n"
                             + zh.strip(), f"### Question {n}: {name} ({pts} point"
                             f"{'s' if points != 1 else ''}, graded by hand)\n\n" + en.strip()))
        cell = nbformat.v4.new_markdown_cell(model_answer.strip())
        cell.id = f"{name}-answer"
        meta = {"grade": True, "grade_id": name, "locked": False, "points": points,
                "schema_version": 3, "solution": True, "task": False}
        cell.metadata["nbgrader"] = dict(sorted(meta.items()))
        self.cells.append(cell)

    def demo(self, cell_id: str, zh: str, en: str, source: str) -> None:
        """An ungraded demonstration: a markdown intro and a locked code cell."""
        self.cells.append(md(f"{cell_id}-intro", "### 演示（不计分）\n\n" + zh.strip(),
                             "### Demo (not graded)\n\n" + en.strip()))
        self.cells.append(code(cell_id, source, "demo_" + cell_id.replace("-", "_")))

    def setup(self, imports: str) -> None:
        """The setup cell: the given imports, then the ``check`` helper for this notebook."""
        self.cells.append(code("setup", imports.strip("\n") + f"""

from autograder.check import Checker

check = Checker("{self.assignment}", "{self.notebook}")
""", "setup"))

    def build(self) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.metadata = {
            "d2l": {"assignment": self.assignment, "notebook": self.notebook},
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
        nb.cells = list(self.cells)
        return nb

    def write(self) -> Path:
        """Validate and write the notebook; returns its path."""
        nb = self.build()
        nbformat.validate(nb)
        nbformat.write(nb, self.path)
        print(f"wrote {self.path.relative_to(ROOT)}")
        return self.path
