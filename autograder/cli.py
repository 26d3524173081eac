"""``d2l-grade``: build fixtures, release assignments, grade notebooks.

Exit codes: 0 when the command did its job (for ``grade``: every notebook was graded,
whatever the scores); 1 when fixtures fail verification or the grader itself failed;
2 for bad input (a path that is not a gradable notebook, an unknown assignment).
Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .course import Course, CourseError, find_course
from .messages import LANGS
from .notebook import NotebookError
from .runner import Limits

app = typer.Typer(
    help="Grade Dive into Deep Learning notebooks against a PyTorch reference.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
fixtures_app = typer.Typer(help="Build or verify the reference fixtures of assignments.",
                           no_args_is_help=True)
app.add_typer(fixtures_app, name="fixtures")

out = Console()
err = Console(stderr=True, highlight=False, soft_wrap=True)

RootOpt = Annotated[Path | None, typer.Option(
    "--root", help="Course folder holding solutions/ and assignments/ "
    "(default: $D2L_COURSE_ROOT, else this checkout).")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True)
    return typer.Exit(code)


def _course(root: Path | None) -> Course:
    try:
        return find_course(root)
    except CourseError as exc:
        raise _fail(str(exc)) from None


def _assignments(course: Course, names: list[str] | None) -> list[str]:
    known = course.assignment_ids()
    if not names:
        if not known:
            raise _fail(f"{course.root} has no assignments (solutions/*/questions.py)")
        return known
    for name in names:
        if name not in known:
            raise _fail(f"unknown assignment {name!r}; this course has: {', '.join(known)}")
    return names


@app.command()
def grade(
    notebooks: Annotated[list[Path], typer.Argument(help="Notebooks (.ipynb) to grade.",
                                                    show_default=False)],
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Also write results in Gradescope's results.json shape.")] = None,
    lang: Annotated[str, typer.Option(help="Language of the report: zh or en.")] = "zh",
    assignment: Annotated[str | None, typer.Option(
        help="Refuse notebooks that belong to another assignment.")] = None,
    cell_timeout: Annotated[float, typer.Option(help="Seconds allowed per code cell.")] = 60.0,
    case_timeout: Annotated[float, typer.Option(help="Seconds allowed per test case.")] = 60.0,
    notebook_timeout: Annotated[float, typer.Option(
        help="Seconds allowed for a whole notebook.")] = 300.0,
    root: RootOpt = None,
) -> None:
    """Grade notebooks: run each in a separate process, compare with the reference, score."""
    from .grade import GradingError, NotebookResult, grade_notebook
    from .report import print_results, write_json

    if lang not in LANGS:
        raise _fail(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    if min(cell_timeout, case_timeout, notebook_timeout) <= 0:
        raise _fail("time limits must be positive")
    course = _course(root)
    limits = Limits(cell_timeout=cell_timeout, case_timeout=case_timeout,
                    notebook_timeout=notebook_timeout)
    results: list[NotebookResult] = []
    bad_input = False
    for i, path in enumerate(notebooks, start=1):
        try:
            with err.status(f"[{i}/{len(notebooks)}] grading {path} …"):
                results.append(grade_notebook(course, path, limits, assignment))
        except NotebookError as exc:
            err.print(f"[red]error:[/red] {exc}")
            bad_input = True
        except (GradingError, CourseError) as exc:
            raise _fail(str(exc), code=1) from None
    print_results(results, lang, out)
    if json_path is not None and results:
        write_json(results, json_path, lang)
    if bad_input:
        raise typer.Exit(2)


@fixtures_app.command("build")
def fixtures_build(
    assignments: Annotated[list[str] | None, typer.Argument(
        help="Assignments to build (default: all).", show_default=False)] = None,
    root: RootOpt = None,
) -> None:
    """Run the reference on every case (CPU, deterministic) and store inputs, expected
    outputs and a manifest of hashes and versions."""
    from .fixtures import build

    course = _course(root)
    for aid in _assignments(course, assignments):
        report = build(course, aid, progress=lambda s: err.print(f"building {s} …"))
        total = sum(report.notebooks.values())
        out.print(f"{aid}: {total} cases in {len(report.notebooks)} notebook(s) → {report.folder}")


@fixtures_app.command("verify")
def fixtures_verify(
    assignments: Annotated[list[str] | None, typer.Argument(
        help="Assignments to verify (default: all).", show_default=False)] = None,
    root: RootOpt = None,
) -> None:
    """Rebuild the fixtures in a temporary folder and fail on any difference."""
    from .fixtures import verify

    course = _course(root)
    failed = False
    for aid in _assignments(course, assignments):
        problems = verify(course, aid, progress=lambda s: err.print(f"rebuilding {s} …"))
        if problems:
            failed = True
            for p in problems:
                err.print(f"[red]✗[/red] {p}")
        else:
            out.print(f"[green]✓[/green] {aid}: fixtures match a fresh build")
    if failed:
        raise typer.Exit(1)


@app.command()
def release(
    assignments: Annotated[list[str] | None, typer.Argument(
        help="Assignments to release (default: all).", show_default=False)] = None,
    root: RootOpt = None,
) -> None:
    """Write assignments/<assignment>/: student notebooks (solutions stripped by nbgrader)
    and public fixtures only."""
    from .release import release as do_release

    course = _course(root)
    for aid in _assignments(course, assignments):
        try:
            files = do_release(course, aid, progress=lambda s: err.print(f"releasing {s} …"))
        except FileNotFoundError as exc:
            raise _fail(str(exc), code=1) from None
        out.print(f"{aid}: wrote {len(files)} files under {course.assignments / aid}")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
