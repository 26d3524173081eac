"""A class of 60 through nbgrader's exchange and ``d2l-grade autograde``, end to end.

Each test releases chapter 3 with ``nbgrader release_assignment``, drops 60 submissions
into the exchange's inbound folder the way ``nbgrader submit`` leaves them, collects them
with ``nbgrader collect``, grades with ``d2l-grade autograde``, and checks that
``nbgrader export`` gives every student exactly the score their notebook deserves: the
points of the questions it answers correctly (correct, partly wrong, blank, crashing,
timing out, cheating), and zero for the late student under the "zero" late policy.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.course import find_course

from . import postgres
from .adversarial.corpus import ENTRIES
from .conftest import CH03, MISTAKES, MISTAKES_DIR, ROOT
from .hidden import hidden_values

BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
EXAMPLES = ROOT / "examples" / CH03
ADVERSARIAL = ROOT / "tests" / "adversarial"
DUE = "2026-11-27 12:00:00 UTC"
#: Margins no load can cross for honest cells (see test_adversarial.CORPUS_LIMITS).
LIMITS = ["--cell-timeout", "20", "--case-timeout", "10", "--notebook-timeout", "300"]


def _points() -> dict[str, float]:
    spec = find_course(ROOT).spec(CH03).notebook("linear_softmax")
    return {q.name: float(q.points) for q in spec.questions}


def _mix() -> list[tuple[Path, float, int]]:
    """(notebook, the score it deserves, how many students hand it in)."""
    points = _points()
    full = sum(points.values())
    corpus = {e.file: e.expected for e in ENTRIES}
    breaks = {m["file"]: m["breaks"] for m in MISTAKES}
    wrong_twice = breaks["mistake_softmax_no_row_norm.ipynb"] + \
        breaks["mistake_sgd_no_batch_division.ipynb"]
    mix = [(EXAMPLES / "correct.ipynb", full, 19),
           (EXAMPLES / "partly_wrong.ipynb", full - sum(points[q] for q in wrong_twice), 6),
           (EXAMPLES / "blank.ipynb", 0.0, 6)]
    mix += [(MISTAKES_DIR / m["file"],
             full - sum(points[q] - m.get("keeps", {}).get(q, 0) for q in m["breaks"]), 2)
            for m in MISTAKES]
    crash_timeout_cheat = {  # corpus entry: students
        "06_kill_self.ipynb": 2, "06_answers_raise_exits.ipynb": 2, "07_sleeping_answer.ipynb": 1,
        "01_monkeypatch_blank.ipynb": 2, "01_monkeypatch_solution.ipynb": 1,
        "02_always_equal.ipynb": 2, "03_bad_values.ipynb": 2, "04_forged_results.ipynb": 2,
        "11_fake_check_helpers.ipynb": 2}
    mix += [(ADVERSARIAL / f, corpus[f], n) for f, n in crash_timeout_cheat.items()]
    return mix


def _class() -> tuple[list[tuple[str, Path, str]], dict[str, float]]:
    """60 students: (student, notebook, submission time) and each one's expected score."""
    rows, expected = [], {}
    for notebook, score, count in _mix():
        for _ in range(count):
            student = f"s{len(rows) + 1:02d}"
            rows.append((student, notebook, "2026-11-27 09:30:00.000000 UTC"))
            expected[student] = score
    # One more correct notebook, handed in after the deadline: the late policy zeroes it.
    rows.append(("zz_late", EXAMPLES / "correct.ipynb", "2026-11-27 15:00:00.000000 UTC"))
    expected["zz_late"] = 0.0
    assert len(rows) == 60
    return rows, expected


STUDENTS, EXPECTED = _class()


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=ENV, text=True,
                          capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def _course_with_submissions(tmp_path: Path, db_url: str | None = None) -> Path:
    """course init → due date and late policy → release → 60 inbound → nbgrader collect."""
    course, exchange = tmp_path / "course", tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    cmd = [sys.executable, "-m", "autograder", "course", "init", str(course), "--course",
           "c60", "--exchange", str(exchange), "--assignment", CH03]
    cmd += ["--db-url", db_url] if db_url else []
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write("c.LateSubmissionPlugin.penalty_method = 'zero'\n")
    with Gradebook(db_url or f"sqlite:///{course / 'gradebook.db'}", "c60") as gb:
        gb.update_or_create_assignment(CH03, duedate=DUE)
    _nbgrader(course, "release_assignment", CH03)
    released = exchange / "c60" / "outbound" / CH03 / "linear_softmax.ipynb"
    assert released.exists()
    for student, notebook, stamp in STUDENTS:
        box = exchange / "c60" / "inbound" / f"{student}+{CH03}+{stamp}+{os.urandom(4).hex()}"
        box.mkdir(parents=True)
        (box / "linear_softmax.ipynb").write_bytes(notebook.read_bytes())
        (box / "timestamp.txt").write_text(stamp + "\n")
    _nbgrader(course, "collect", CH03, "--CollectApp.check_owner=False")
    assert len(list((course / "submitted").glob(f"*/{CH03}/linear_softmax.ipynb"))) == 60
    return course


def _autograde(course: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "autograder", "autograde", CH03, "--course-dir",
            str(course), *LIMITS, *extra]


def _export(course: Path) -> dict[str, dict[str, str]]:
    _nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv") as fh:
        return {row["student_id"]: row for row in csv.DictReader(fh)
                if row["assignment"] == CH03}


def _check_export(course: Path) -> None:
    rows = _export(course)
    assert {s: round(float(r["score"]), 4) for s, r in rows.items()} == \
        {s: round(score, 4) for s, score in EXPECTED.items()}
    late = rows["zz_late"]  # graded in full, then zeroed by nbgrader's late policy
    full = sum(_points().values())
    assert float(late["raw_score"]) == full and float(late["late_submission_penalty"]) == full


def _stored(course: Path) -> dict[str, dict]:
    """Every stored result: student → its JSON."""
    folder = course / "d2l_results" / CH03
    return {p.parent.name: json.loads(p.read_text())
            for p in folder.glob("*/linear_softmax.json")}


def _verdicts(stored: dict[str, dict]) -> dict[str, dict]:
    """Per student, each question's score and status: what must not depend on a backend."""
    return {s: {q: (v["score"], v["status"]) for q, v in d["questions"].items()}
            for s, d in stored.items()}


def _database(stack: contextlib.ExitStack) -> str | None:
    """A fresh PostgreSQL database for the gradebook (CI installs the server)."""
    try:
        admin_url = stack.enter_context(postgres.server())
    except postgres.NoPostgres as exc:
        if os.environ.get("CI"):  # CI installs PostgreSQL: its absence is a failure
            raise
        pytest.skip(str(exc))
    return stack.enter_context(postgres.fresh_database(admin_url))


def test_sixty_students_killed_mid_batch_then_resumed_on_dask(tmp_path):
    """One class of 60, graded once, through both failures a course meets.

    1. The local pool (``--workers 2``) is killed with SIGKILL at a random point.
    2. The run is resumed on Dask (``--scheduler local``), and one Dask worker is killed
       mid-batch: only what was not stored is graded, the killed worker's notebooks are
       graded again elsewhere, and nothing stored before the kill changes.
    The gradebook is on PostgreSQL; every student gets exactly their score, and the same
    notebook gets the same verdicts whichever backend graded it.
    """
    with contextlib.ExitStack() as stack:
        course = _course_with_submissions(tmp_path, _database(stack))
        assert "postgresql" in (course / "nbgrader_config.py").read_text()
        seed = random.randrange(1 << 30)
        stop_after = random.Random(seed).randint(1, 30)  # leaves Dask at least 30 to grade
        first = subprocess.Popen(_autograde(course, "--workers", "2"), cwd=ROOT, text=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while first.poll() is None and len(_stored(course)) < stop_after \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        before = {p: p.read_bytes() for p in (course / "d2l_results").rglob("*.json")}
        assert 1 <= len(before) < 60, (seed, len(before))
        _resume_on_dask(course, len(before), seed)
        # Nothing done before the kill was graded again: every stored file is unchanged.
        for path, content in before.items():
            assert path.read_bytes() == content, (seed, path)
        stored = _stored(course)
        assert sorted(stored) == sorted(EXPECTED)
        _check_export(course)
    # The same notebook gets the same verdicts whichever student (and backend) had it.
    verdicts = _verdicts(stored)
    backends = {s: d.get("dask_worker", "local") for s, d in stored.items()}
    assert "local" in backends.values() and len(set(backends.values())) >= 2, backends
    for student, notebook, _ in STUDENTS:
        first_owner = next(s for s, nb, _ in STUDENTS if nb == notebook)
        assert verdicts[student] == verdicts[first_owner], (student, first_owner)
    # Sixty feedback pages, none with a hidden expected value in it.
    hidden, _ = hidden_values(find_course(ROOT), CH03, "linear_softmax")
    pages = list((course / "feedback").glob(f"*/{CH03}/linear_softmax.html"))
    assert len(pages) == 60
    for page in pages:
        text = page.read_text()
        assert not [n for n in hidden if n in text], page


def _dask_worker_pids(parent: int) -> list[int]:
    """The LocalCluster's worker processes: multiprocessing children of the CLI."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == parent and b"multiprocessing" in cmdline \
                and b"resource_tracker" not in cmdline:
            pids.append(int(status.parent.name))
    return pids


def _resume_on_dask(course: Path, done: int, seed: int) -> None:
    """``autograde --scheduler local``; one Dask worker killed after a few more results."""
    proc = subprocess.Popen(_autograde(course, "--scheduler", "local", "--workers", "2"),
                            cwd=ROOT, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    killed = None
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        if killed is None and len(_stored(course)) >= done + 3:
            workers = _dask_worker_pids(proc.pid)
            if len(workers) == 2:
                killed = workers[0]
                done_at_kill = len(_stored(course))
                os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    stdout, stderr = proc.communicate(timeout=600)
    assert killed is not None, ("no Dask worker was found to kill", seed)
    assert done_at_kill < 60, ("the worker was killed after the batch had finished", seed)
    assert proc.returncode == 0, (seed, stderr[-3000:])
    assert f"60 submitted notebooks, {done} already graded, {60 - done} to grade" in stdout, \
        (seed, stdout)
