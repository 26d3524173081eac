"""``d2l-grade autograde``: our sandboxed verdicts, recorded by nbgrader's own machinery.

nbgrader's autograde runs the tests inside the student's kernel, where a monkeypatch
passes them.  We keep everything else of it (timestamps, late penalties, the gradebook,
``export``, the formgrader) and replace only its ``Execute`` step by :class:`D2LScores`,
which writes each question's verdict into the output of its grade cell, exactly where
nbgrader's ``SaveAutoGrades`` reads a score: nothing for full marks, a number for partial
credit, an error for zero.  No student code ever runs in nbgrader's process.

Verdicts are computed first, in parallel, by :func:`autograder.grade.grade_batch`, and
stored one file per submission, written atomically and keyed by the sha256 of the
submitted notebook: a batch stopped at any moment resumes without regrading what is done,
and a resubmission with new content is graded again.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from sqlalchemy.exc import SAWarning
from traitlets import Unicode

from .backends import Backend, Job
from .runner import Limits

STORE = "d2l_results"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def store_path(course_dir: Path, assignment: str, student: str, notebook: str) -> Path:
    return Path(course_dir) / STORE / assignment / student / f"{notebook}.json"


def load_result(course_dir: Path, assignment: str, student: str, notebook: str,
                digest: str) -> dict[str, Any] | None:
    """The stored verdicts for exactly this content, or None."""
    path = store_path(course_dir, assignment, student, notebook)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if data.get("sha256") == digest else None


def save_result(course_dir: Path, assignment: str, student: str, notebook: str,
                data: dict[str, Any]) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    path = store_path(course_dir, assignment, student, notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class D2LScores(NbGraderPreprocessor):
    """Replaces nbgrader's Execute: puts stored d2l-grade verdicts into the grade cells."""

    course_dir = Unicode("", help="The nbgrader course folder").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        course_dir = Path(self.course_dir or os.getcwd())
        submitted = (course_dir / "submitted" / info["student"] / info["assignment"]
                     / f"{info['notebook']}.ipynb")
        data = load_result(course_dir, info["assignment"], info["student"], info["notebook"],
                           sha256(submitted)) if submitted.exists() else None
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            verdict = (data or {}).get("questions", {}).get(meta.get("grade_id"))
            cell.outputs = _outputs(verdict, data)
        return nb, resources


def _outputs(verdict: dict[str, Any] | None, data: dict[str, Any] | None) -> list:
    if verdict is None:
        why = "not graded by d2l-grade (run `d2l-grade autograde`)" if data is None else \
            (data.get("error") or "this question was not found in the submission's result")
        return [new_output("error", ename="D2LNotGraded", evalue=why, traceback=[why])]
    if verdict["score"] >= verdict["max_score"]:
        return [new_output("stream", name="stdout", text="passed (d2l-grade)\n")]
    if verdict["score"] > 0:
        return [new_output("execute_result", data={"text/plain": repr(verdict["score"])},
                           execution_count=None)]
    reason = verdict["reasons"][0]["en"] if verdict["reasons"] else verdict["status"]
    return [new_output("error", ename="D2LFailed", evalue=reason, traceback=[reason])]


#: A student id nbgrader can be asked about safely: its commands take ids as glob
#: patterns (``s[1]`` would match ``s1``) and use them in paths.
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


def valid_student_id(student: str) -> bool:
    return STUDENT_ID.fullmatch(student) is not None


def submissions(course_dir: Path, assignment: str, notebooks: list[str],
                student_glob: str = "*") -> list[tuple[str, str, Path]]:
    """(student, notebook, path) for every submitted notebook of the assignment."""
    out = []
    for folder in sorted((Path(course_dir) / "submitted").glob(f"*/{assignment}")):
        student = folder.parent.name
        if not fnmatch.fnmatchcase(student, student_glob):
            continue
        for nb in notebooks:
            path = folder / f"{nb}.ipynb"
            if path.exists():
                out.append((student, nb, path))
    return out


def use_stored_verdicts(config: Any, course_dir: str | Path | None = None) -> None:
    """Make nbgrader's autograde record our stored verdicts instead of running a kernel.

    nbgrader's own list of autograde steps, with its Execute (student code in the
    grader's kernel) replaced by :class:`D2LScores`.  The course's ``nbgrader_config.py``
    calls this, so ``nbgrader autograde`` and the formgrader's autograde button can never
    run a student's notebook outside the sandbox: they record what ``d2l-grade
    autograde`` stored, or "not graded" for a submission it has not graded yet.
    """
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute, IgnorePattern

    default = Autograde.class_traits()["autograde_preprocessors"].default()
    config.Autograde.autograde_preprocessors = [
        D2LScores if p is Execute else p for p in default if p is not IgnorePattern]
    root = course_dir or config.CourseDirectory.get("root")
    if root:
        config.D2LScores.course_dir = str(Path(root).resolve())


def record_in_gradebook(course_dir: Path, assignment: str,
                        students: list[str]) -> dict[str, str]:
    """Run nbgrader's autograde with :class:`D2LScores` in place of Execute.

    Returns the students whose grade did not reach the gradebook, with why.
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    from .nbgrader_course import load_config

    config: Config = load_config(course_dir)
    use_stored_verdicts(config, course_dir)
    api = NbGraderAPI(config=config)
    failed = {}
    for student in students:
        with warnings.catch_warnings():
            # nbgrader 0.9 trips SQLAlchemy 2's autoflush warnings; they are not ours to fix.
            warnings.simplefilter("ignore", SAWarning)
            result = api.autograde(assignment, student, force=True, create=True)
        if not result.get("success"):
            failed[student] = (result.get("error") or result.get("log") or "")[-200:]
    return failed


def gradebook_scores(course_dir: Path, assignment: str,
                     students: list[str]) -> dict[str, dict[str, float]]:
    """What the gradebook holds now: student → notebook → autograded score (its code
    cells, before late penalties; free responses graded by hand are not ours to compare)."""
    from nbgrader.api import Gradebook, MissingEntry

    from .nbgrader_course import load_config

    config = load_config(course_dir)
    url = config.CourseDirectory.get("db_url") or \
        f"sqlite:///{(Path(course_dir) / 'gradebook.db').resolve()}"
    out: dict[str, dict[str, float]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(url, config.CourseDirectory.get("course_id") or "") as gb:
            for student in students:
                try:
                    sub = gb.find_submission(assignment, student)
                except MissingEntry:
                    continue
                out[student] = {nb.name: float(nb.code_score) for nb in sub.notebooks}
    return out


def autograde(course: Any, course_dir: Path, assignment: str, notebooks: list[str],
              backend: Backend, limits: Limits, student_glob: str = "*", warm: bool = True,
              progress: Any = None) -> tuple[int, int, list[str], list[str]]:
    """Grade what is new, store it, record everything in the gradebook, write feedback.

    Returns (submitted, graded now, students, failures recording in the gradebook).
    """
    from .feedback import write_feedback

    subs = submissions(course_dir, assignment, notebooks, student_glob)
    not_recorded: dict[str, str] = {
        s: "not a valid student id (letters, digits and . _ @ - only); rename the folder"
        for s, _, _ in subs if not valid_student_id(s)}
    subs = [sub for sub in subs if sub[0] not in not_recorded]
    todo = []
    for student, nb, path in subs:
        digest = sha256(path)
        if load_result(course_dir, assignment, student, nb, digest) is None:
            # The folder says which notebook this is: a file claiming another is not
            # graded as that one (it scores 0, with the reason).
            todo.append((Job(f"{student}/{nb}", path, (assignment, nb)), student, nb, digest))
    index = {job.key: (student, nb, digest) for job, student, nb, digest in todo}

    def store(job: Job, data: dict[str, Any]) -> None:  # at once: a crash later loses nothing
        student, nb, digest = index[job.key]
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        save_result(course_dir, assignment, student, nb,
                    {"sha256": digest, "graded_at": stamp, **data})

    if progress is not None:
        progress(0, len(todo), None)
    backend.run(course, [job for job, *_ in todo], limits, warm, store, progress)
    students = sorted({s for s, _, _ in subs})
    not_recorded.update(record_in_gradebook(course_dir, assignment, students))
    # Records must agree: a student whose gradebook score is not what we stored (nbgrader
    # refused a notebook with duplicated or renamed grade cells, say) is not recorded.
    held = gradebook_scores(course_dir, assignment, students)
    stored: dict[tuple[str, str], dict[str, Any]] = {}
    for s, nb, path in subs:
        data = load_result(course_dir, assignment, s, nb, sha256(path))
        if data is None:
            not_recorded.setdefault(s, f"{nb}: no stored result")
            continue
        stored[s, nb] = data
        if data.get("phase1") == "wrong_notebook":  # nbgrader cannot take it: say why
            not_recorded[s] = f"{nb}: {data['notes'][0]['en']}; scored 0, not recorded"
            continue
        got = held.get(s, {}).get(nb)
        if s not in not_recorded and (got is None or abs(got - data["score"]) > 1e-3):
            not_recorded[s] = (f"{nb}: the gradebook holds {got}, d2l-grade scored "
                               f"{data['score']}")
    # Feedback only for students whose grade reached the gradebook: a page must never
    # show a score the course does not have.
    for (s, nb), data in stored.items():
        if s not in not_recorded:
            write_feedback(course_dir, assignment, s, nb, data)
    failed = [f"{s}: {why}" for s, why in sorted(not_recorded.items())]
    everyone = sorted(students + [s for s in not_recorded if s not in students])
    return len(subs), len(todo), everyone, failed
