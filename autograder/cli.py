"""``d2l-grade``: build fixtures, release assignments, grade notebooks.

Exit codes: 0 when the command did its job (for ``grade``: every notebook was graded,
whatever the scores); 1 when fixtures fail verification or the grader itself failed;
2 for bad input (a path that is not a gradable notebook, an unknown assignment).
Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .course import Course, CourseError, find_course
from .messages import LANGS
from .runner import Limits
from .sandbox import SandboxOptions

if TYPE_CHECKING:
    from .fixtures import VerifyReport

app = typer.Typer(
    help="Grade Dive into Deep Learning notebooks against a PyTorch reference.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
fixtures_app = typer.Typer(help="Build or verify the reference fixtures of assignments.",
                           no_args_is_help=True)
app.add_typer(fixtures_app, name="fixtures")
course_app = typer.Typer(help="Set up an nbgrader course from this course's chapters.",
                         no_args_is_help=True)
app.add_typer(course_app, name="course")
hub_app = typer.Typer(help="A local demo JupyterHub for trying the course.",
                      no_args_is_help=True)
app.add_typer(hub_app, name="hub")

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


NotebookSelectOpt = Annotated[list[str] | None, typer.Option(
    "--notebook", help="Only this notebook of the assignment (repeatable; default: all).",
    show_default=False)]


def _spec_call(fn: Any, course: Course, aid: str, **kwargs: Any) -> Any:
    """Call a fixtures/release function, turning an unknown notebook into one error line."""
    from .spec import SpecError

    try:
        return fn(course, aid, **kwargs)
    except SpecError as exc:
        raise _fail(str(exc)) from None


def parse_size(text: str) -> int:
    """``"512M"`` → bytes (K, M, G, T suffixes, powers of 1024)."""
    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = t[-1:] if t[-1:] in units else ""
    number = t[: len(t) - len(unit)]
    try:
        value = float(number) * units[unit]
    except ValueError:
        raise typer.BadParameter(f"not a size: {text!r} (try 512M or 4G)") from None
    if value <= 0:
        raise typer.BadParameter(f"sizes must be positive: {text!r}")
    return int(value)


# Limits on one submission's run, shared by `grade` and `autograde`.
SandboxOpt = Annotated[str, typer.Option(
    help="bwrap (bubblewrap isolation, the default) or none (no isolation: only for "
         "your own notebooks; every result says so).")]
GpuOpt = Annotated[bool, typer.Option(
    "--gpu", help="Grade on the NVIDIA GPU (the sandbox binds /dev/nvidia*; with Dask, only "
                  "workers that declare a GPU resource take the work).")]
CellTimeoutOpt = Annotated[float, typer.Option(help="Seconds allowed per code cell.")]
CaseTimeoutOpt = Annotated[float, typer.Option(help="Seconds allowed per test case.")]
NotebookTimeoutOpt = Annotated[float, typer.Option(help="Seconds allowed for a whole notebook.")]
MemoryOpt = Annotated[str, typer.Option(help="Memory for the notebook's processes.")]
CpuTimeOpt = Annotated[int, typer.Option(help="CPU seconds for the notebook's process.")]
MaxProcessesOpt = Annotated[int, typer.Option(
    help="Processes and threads the notebook may run at once.")]
MaxFileSizeOpt = Annotated[str, typer.Option(help="Largest file it may write.")]
ScratchSizeOpt = Annotated[str, typer.Option(
    help="Size of each of its writable folders (home and /tmp).")]
MaxOutputOpt = Annotated[str, typer.Option(
    help="Bytes of raw stdout/stderr kept from the process.")]
MaxPrintedOpt = Annotated[int, typer.Option(
    help="Characters of the notebook's printed output kept (the rest is counted).")]
MaxHarvestOpt = Annotated[str, typer.Option(
    help="Largest harvest (the answers' values) accepted back.")]
RunDemosOpt = Annotated[bool, typer.Option(
    "--run-demos", help="Also run the demonstration cells (ungraded: by default they are "
                        "skipped, and no verdict depends on them).")]


def _limits(sandbox: str, gpu: bool, cell_timeout: float, case_timeout: float,
            notebook_timeout: float, memory: str, cpu_time: int, max_processes: int,
            max_file_size: str, scratch_size: str, max_output: str, max_printed: int,
            max_harvest: str, run_demos: bool = False) -> Limits:
    """The flags above as :class:`Limits`, or a one-line error and exit 2."""
    if sandbox not in ("bwrap", "none"):
        raise _fail(f"--sandbox must be bwrap or none, not {sandbox!r}")
    if min(cell_timeout, case_timeout, notebook_timeout, cpu_time, max_processes) <= 0:
        raise _fail("time limits and process counts must be positive")
    try:
        options = SandboxOptions(
            kind=sandbox, gpu=gpu, memory_bytes=parse_size(memory), cpu_seconds=cpu_time,
            max_processes=max_processes, max_file_bytes=parse_size(max_file_size),
            scratch_bytes=parse_size(scratch_size))
        return Limits(cell_timeout=cell_timeout, case_timeout=case_timeout,
                      notebook_timeout=notebook_timeout, sandbox=options,
                      max_stdio_bytes=parse_size(max_output), max_output_chars=max_printed,
                      max_harvest_bytes=parse_size(max_harvest), run_demos=run_demos)
    except typer.BadParameter as exc:
        raise _fail(str(exc)) from None


@app.command()
def grade(
    notebooks: Annotated[list[Path], typer.Argument(
        help="Notebooks (.ipynb) to grade, or folders to search for them.",
        show_default=False)],
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Also write results in Gradescope's results.json shape.")] = None,
    lang: Annotated[str, typer.Option(help="Language of the report: zh or en.")] = "zh",
    assignment: Annotated[str | None, typer.Option(
        help="Refuse notebooks that belong to another assignment.")] = None,
    sandbox: SandboxOpt = "bwrap",
    gpu: GpuOpt = False,
    cell_timeout: CellTimeoutOpt = 60.0,
    case_timeout: CaseTimeoutOpt = 60.0,
    notebook_timeout: NotebookTimeoutOpt = 300.0,
    memory: MemoryOpt = "4G",
    cpu_time: CpuTimeOpt = 900,
    max_processes: MaxProcessesOpt = 256,
    max_file_size: MaxFileSizeOpt = "256M",
    scratch_size: ScratchSizeOpt = "512M",
    max_output: MaxOutputOpt = "1M",
    max_printed: MaxPrintedOpt = 200_000,
    max_harvest: MaxHarvestOpt = "64M",
    run_demos: RunDemosOpt = False,
    workers: Annotated[int, typer.Option(
        help="Notebooks graded at once (default: the number of CPU cores).")] = 0,
    warm: Annotated[bool, typer.Option(
        "--warm/--cold", help="Warm workers (torch imported once, a fresh sandboxed child "
        "per notebook) or a cold sandbox per notebook.")] = True,
    root: RootOpt = None,
) -> None:
    """Grade notebooks: run each in a sandbox, compare with the reference, score."""
    from .grade import INTERNAL_ERROR, GradingError, grade_batch
    from .report import print_results, write_json

    if lang not in LANGS:
        raise _fail(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    course = _course(root)
    limits = _limits(sandbox, gpu, cell_timeout, case_timeout, notebook_timeout, memory,
                     cpu_time, max_processes, max_file_size, scratch_size, max_output,
                     max_printed, max_harvest, run_demos)
    paths = _expand(notebooks)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("grading", total=len(paths))

        def show(done: int, total: int, path: Path) -> None:
            bar.update(task, completed=done, description=f"graded {path.name}")

        try:
            results = grade_batch(course, paths, limits, assignment,
                                  workers=workers or os.cpu_count() or 1, warm=warm,
                                  progress=show)
        except (GradingError, CourseError) as exc:
            raise _fail(str(exc), code=1) from None
    for r in results:
        if r.error:
            err.print(f"[red]error:[/red] {r.error}")
    print_results([r for r in results if not r.error], lang, out)
    if json_path is not None and results:
        write_json(results, json_path, lang)
    if any(r.phase1 == INTERNAL_ERROR for r in results):
        raise typer.Exit(1)  # the grader itself failed on a notebook (the others were graded)
    if any(r.error for r in results):
        raise typer.Exit(2)


def _expand(items: list[Path]) -> list[Path]:
    """Notebooks as given, folders replaced by the notebooks under them (sorted)."""
    out: list[Path] = []
    for item in items:
        if item.is_dir():
            out += sorted(p for p in item.rglob("*.ipynb")
                          if ".ipynb_checkpoints" not in p.parts)
        else:
            out.append(item)
    return out


@course_app.command("init")
def course_init(
    path: Annotated[Path, typer.Argument(help="Folder of the nbgrader course to create.",
                                         show_default=False)],
    course_id: Annotated[str, typer.Option("--course", help="nbgrader course id.")],
    assignments: Annotated[list[str] | None, typer.Option(
        "--assignment", help="Assignments to include (repeatable; default: all).")] = None,
    db_url: Annotated[str | None, typer.Option(
        help="Gradebook database URL (default: SQLite in the course folder; PostgreSQL "
             "recommended for a course: postgresql+psycopg2://user@host/db).")] = None,
    exchange: Annotated[Path | None, typer.Option(
        help="nbgrader exchange folder (default: /usr/local/share/nbgrader/exchange).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Refresh an existing course's source notebooks.")] = False,
    root: RootOpt = None,
) -> None:
    """Write an nbgrader course: config, source/<chapter>/ from the masters, gradebook."""
    from .nbgrader_course import CourseInitError, init_course

    course = _course(root)
    ids = _assignments(course, assignments)
    try:
        with err.status("running nbgrader generate_assignment …"):
            done = init_course(course, path, course_id, db_url, exchange, ids, force)
    except CourseInitError as exc:
        raise _fail(str(exc), code=1) from None
    out.print(f"nbgrader course {course_id!r} at {path.resolve()}: {', '.join(done)} "
              "registered; next: nbgrader release_assignment")


@app.command()
def autograde(
    assignment: Annotated[str, typer.Argument(help="The assignment (chapter) to grade.",
                                              show_default=False)],
    course_dir: Annotated[Path, typer.Option(help="The nbgrader course folder.")] = Path("."),
    student: Annotated[str, typer.Option(help="Only students matching this glob.")] = "*",
    workers: Annotated[int, typer.Option(help="Notebooks graded at once (default: cores).")] = 0,
    warm: Annotated[bool, typer.Option("--warm/--cold", help="Warm workers or a cold "
                                       "sandbox per notebook.")] = True,
    scheduler: Annotated[str | None, typer.Option(
        help="Grade on a Dask cluster: tcp://HOST:PORT of its scheduler, or `local` to start "
             "a LocalCluster of --workers processes here (default: a local worker pool).")
    ] = None,
    sandbox: SandboxOpt = "bwrap",
    gpu: GpuOpt = False,
    cell_timeout: CellTimeoutOpt = 60.0,
    case_timeout: CaseTimeoutOpt = 60.0,
    notebook_timeout: NotebookTimeoutOpt = 300.0,
    memory: MemoryOpt = "4G",
    cpu_time: CpuTimeOpt = 900,
    max_processes: MaxProcessesOpt = 256,
    max_file_size: MaxFileSizeOpt = "256M",
    scratch_size: ScratchSizeOpt = "512M",
    max_output: MaxOutputOpt = "1M",
    max_printed: MaxPrintedOpt = 200_000,
    max_harvest: MaxHarvestOpt = "64M",
    run_demos: RunDemosOpt = False,
    root: RootOpt = None,
) -> None:
    """Grade submitted/<student>/<assignment>/ in the sandbox, record the scores in
    nbgrader's gradebook and write feedback/ pages (resumable: what is already graded is
    not graded again)."""
    from .backends import make_backend
    from .grade import GradingError
    from .nbgrader_autograde import autograde as run_autograde

    course = _course(root)
    limits = _limits(sandbox, gpu, cell_timeout, case_timeout, notebook_timeout, memory,
                     cpu_time, max_processes, max_file_size, scratch_size, max_output,
                     max_printed, max_harvest, run_demos)
    try:
        backend = make_backend(scheduler, workers or os.cpu_count() or 1)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if not (course_dir / "nbgrader_config.py").is_file():
        raise _fail(f"{course_dir} is not an nbgrader course (no nbgrader_config.py); "
                    "create one with `d2l-grade course init`")
    spec_ids = course.assignment_ids()
    if assignment not in spec_ids:
        raise _fail(f"unknown assignment {assignment!r}; this course has: {', '.join(spec_ids)}")
    notebooks = [nb.name for nb in course.spec(assignment).notebooks]
    if not list((course_dir / "submitted").glob(f"*/{assignment}")):
        raise _fail(f"no submissions under {course_dir / 'submitted'}/*/{assignment}/")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("grading")

        def show(done: int, total: int, job) -> None:
            bar.update(task, completed=done, total=total,
                       description=f"graded {job.key}" if job else "grading")

        try:
            submitted, graded, students, failed = run_autograde(
                course, course_dir, assignment, notebooks, backend, limits, student, warm,
                show)
        except (GradingError, CourseError) as exc:
            raise _fail(str(exc), code=1) from None
    out.print(f"{submitted} submitted notebooks, {submitted - graded} already graded, "
              f"{graded} to grade")
    for line in failed:
        err.print(f"[red]error:[/red] nbgrader autograde {line}")
    out.print(f"{assignment}: {len(students) - len(failed)} students recorded in the gradebook")
    if failed:
        raise typer.Exit(1)


@app.command()
def report(
    assignment: Annotated[str, typer.Argument(help="The assignment (chapter).",
                                              show_default=False)],
    course_dir: Annotated[Path, typer.Option(help="The nbgrader course folder.")] = Path("."),
) -> None:
    """Write a class report for an autograded assignment: HTML (pass rates per question,
    the most common failure reasons, the slowest submissions), CSV and a PNG histogram."""
    from .class_report import build_report

    try:
        paths = build_report(course_dir, assignment)
    except FileNotFoundError as exc:
        raise _fail(str(exc)) from None
    for kind, path in paths.items():
        out.print(f"{kind}: {path}")


@fixtures_app.command("build")
def fixtures_build(
    assignments: Annotated[list[str] | None, typer.Argument(
        help="Assignments to build (default: all).", show_default=False)] = None,
    root: RootOpt = None,
    notebooks: NotebookSelectOpt = None,
) -> None:
    """Run the reference on every case (CPU, deterministic) and store inputs, expected
    outputs and a manifest of hashes and versions."""
    from .fixtures import build

    course = _course(root)
    for aid in _assignments(course, assignments):
        report = _spec_call(build, course, aid, progress=lambda s: err.print(f"building {s} …"),
                            notebooks=notebooks)
        total = sum(report.notebooks.values())
        out.print(f"{aid}: {total} cases in {len(report.notebooks)} notebook(s) → {report.folder}")


@fixtures_app.command("rotate-secret")
def fixtures_rotate_secret(
    root: RootOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do it without asking.")] = False,
) -> None:
    """Make a new case secret and rebuild every assignment's fixtures with it.

    Hidden cases' inputs are drawn from seeds mixed with this secret, so nobody can rebuild
    them from the released files.  Rotate it when it may have leaked (or when starting a
    course from this one): every hidden input and expected output changes; release again
    afterwards and regrade nothing already graded."""
    from .fixtures import build, write_case_secret

    course = _course(root)
    ids = _assignments(course, None)
    if not yes and not typer.confirm(
            f"Replace {course.case_secret_file} and rebuild the fixtures of {len(ids)} "
            "assignment(s)?"):
        raise typer.Exit(1)
    path = write_case_secret(course)
    out.print(f"new case secret: {path}")
    for aid in ids:
        report = _spec_call(build, course, aid, progress=lambda s: err.print(f"building {s} …"))
        out.print(f"{aid}: {sum(report.notebooks.values())} cases rebuilt")
    out.print("now run `d2l-grade release` so the notebooks and otter zips carry the new cases")


#: ``fixtures verify`` prints this many drifts, largest first, unless ``--all``.
DRIFT_TABLE_TOP = 20


@fixtures_app.command("verify")
def fixtures_verify(
    assignments: Annotated[list[str] | None, typer.Argument(
        help="Assignments to verify (default: all).", show_default=False)] = None,
    root: RootOpt = None,
    notebooks: NotebookSelectOpt = None,
    max_drift: Annotated[float | None, typer.Option(
        "--max-drift", min=0.0, show_default=False,
        help="On another machine than the one that built the fixtures: the largest drift "
        "allowed, as a fraction of each question's tolerance (default 1.0: the tolerance "
        "itself; 0.01 = 1 %).")] = None,
    show_all: Annotated[bool, typer.Option(
        "--all", help="Print every question with a nonzero drift, not only the top 20."
    )] = False,
) -> None:
    """Rebuild the fixtures in a temporary folder and compare: bitwise on the machine that
    built them, elsewhere each float against its question's tolerance."""
    from .fixtures import MAX_DRIFT, verify

    course = _course(root)
    reports = [_spec_call(verify, course, aid,
                          progress=lambda s: err.print(f"rebuilding {s} …"),
                          notebooks=notebooks,
                          max_drift=MAX_DRIFT if max_drift is None else max_drift)
               for aid in _assignments(course, assignments)]
    _print_verify(reports, show_all)
    if any(r.problems for r in reports):
        raise typer.Exit(1)


def _print_verify(reports: list[VerifyReport], show_all: bool) -> None:
    """Mode and why, the drift table, findings, problems, then one line per assignment."""
    from .fixture_drift import FINDING_DRIFT, percent

    by_reason: dict[str, list[str]] = {}
    for r in reports:
        by_reason.setdefault(r.reason(), []).append(r.assignment)
    for reason, aids in by_reason.items():
        _say(f"{', '.join(aids)}: {reason}")
    drifts = sorted((d for r in reports for d in r.drifts),
                    key=lambda d: (-d.fraction, d.question, d.part))
    if any(r.mode == "tolerance" for r in reports):
        shown = drifts if show_all else drifts[:DRIFT_TABLE_TOP]
        top = "" if len(shown) == len(drifts) else f"; the top {len(shown)}"
        _say(f"drift, largest first ({len(drifts)} question part(s) with nonzero drift{top}):")
        for d in shown:
            _say(f"  {d.line()}")
        if len(shown) < len(drifts):
            _say(f"  … and {len(drifts) - len(shown)} more (--all prints them)")
        findings = [d for d in drifts if d.fraction > FINDING_DRIFT]
        _say(f"findings (drift above {percent(FINDING_DRIFT)} of tolerance): "
             f"{len(findings) or 'none'}")
        for d in findings:
            _say(f"  {d.line()}")
    for r in reports:
        for p in r.problems:
            err.print(f"[red]✗[/red] {_escape(p)}")
    for r in reports:
        if r.problems:
            err.print(f"[red]✗[/red] {r.assignment}: {len(r.problems)} problem(s)")
        else:
            out.print(f"[green]✓[/green] {_escape(r.verdict())}", soft_wrap=True)


def _say(text: str) -> None:
    """A plain line on stdout: no markup, no highlighting, never wrapped."""
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
def release(
    assignments: Annotated[list[str] | None, typer.Argument(
        help="Assignments to release (default: all).", show_default=False)] = None,
    root: RootOpt = None,
    notebooks: NotebookSelectOpt = None,
) -> None:
    """Write assignments/<assignment>/: student notebooks (solutions stripped by nbgrader),
    public fixtures and a public otter zip; and the full otter zip under build/otter/."""
    from .otter_zip import OtterUnavailable, full_zip_path
    from .release import release as do_release

    course = _course(root)
    for aid in _assignments(course, assignments):
        try:
            files = _spec_call(do_release, course, aid,
                               progress=lambda s: err.print(f"releasing {s} …"),
                               notebooks=notebooks)
        except (FileNotFoundError, OtterUnavailable, RuntimeError) as exc:
            raise _fail(str(exc), code=1) from None
        out.print(f"{aid}: wrote {len(files)} files under {course.assignments / aid}")
        for nb in course.spec(aid).notebooks:
            if notebooks and nb.name not in notebooks:
                continue
            out.print(f"  instructors' otter zip (hidden cases; do not share): "
                      f"{full_zip_path(course, aid, nb.name)}")


@hub_app.command("up")
def hub_up(
    state: Annotated[Path, typer.Option(
        help="Folder for the hub's database, homes and exchange.")] = Path(".hub-state"),
    port: Annotated[int, typer.Option(help="Port of the hub on 127.0.0.1.")] = 8000,
    assignments: Annotated[list[str] | None, typer.Option(
        "--assignment", help="Assignments to release (repeatable; default: all).")] = None,
    students: Annotated[list[str] | None, typer.Option(
        "--student",
        help="Student accounts (repeatable; at most 9: a demo, not a class).")] = None,
    root: RootOpt = None,
) -> None:
    """Start JupyterHub on loopback with an instructor, students and a released course;
    runs until Ctrl-C.  Local mode of jupyterhub_config.py: for trying the course, not
    for a class (see deploy/README.md)."""
    import time

    from .hub_demo import HubError, set_up_course, start_hub

    course = _course(root)
    ids = _assignments(course, assignments)
    names = students or ["student1", "student2"]
    try:
        with err.status("starting JupyterHub …"):
            hub = start_hub(state, port=port, users=tuple(names))
    except HubError as exc:
        raise _fail(str(exc), code=1) from None
    try:
        with err.status(f"creating accounts and releasing {', '.join(ids)} …"):
            hub.add_users("instructor", *names)
            set_up_course(hub, course.root, ids)
        out.print(f"JupyterHub: {hub.url}")
        out.print(f"  instructor: user instructor, password {hub.admin_password}",
                  soft_wrap=True)
        out.print(f"  students:   users {', '.join(names)}, password {hub.password}")
        out.print(f"  the instructor's course: {hub.home('instructor') / 'course'}")
        out.print(f"  log: {hub.log}    stop: Ctrl-C")
        while hub.proc.poll() is None:
            time.sleep(1)
        raise _fail(f"JupyterHub exited; see {hub.log}", code=1)
    except HubError as exc:
        raise _fail(str(exc), code=1) from None
    except KeyboardInterrupt:
        err.print("stopping JupyterHub …")
    finally:
        hub.stop()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
