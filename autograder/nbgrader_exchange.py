"""nbgrader's file exchange with one inbound and one feedback folder per student.

Why: nbgrader's default exchange is one folder everybody can write.  In the container
modes every server runs as the same uid (1000), so neither file modes nor nbgrader's
owner check (``CollectApp.check_owner``) tell students apart: any student could copy a
classmate's submission out of ``inbound/`` and hand in under another id by editing their
own nbgrader config.  The hub therefore mounts into each student's container only

- ``<course>/outbound``            read-only (the released assignments),
- ``<course>/inbound/<hub user>``  read-write, at ``<course>/inbound``,
- ``<course>/feedback/<hub user>`` read-only, at ``<course>/feedback``,

so a student sees nothing of anyone else, and the folder a submission sits in, named by
the hub (not by the student), says whose it is.  The instructors' containers mount the
whole exchange and use the two classes below (set by ``hub_setup`` in those modes):
``PerStudentCollect`` reads ``inbound/<user>/`` and takes the student id from the folder,
refusing a submission whose name claims someone else; ``PerStudentReleaseFeedback``
writes each student's feedback into ``feedback/<user>/``.  Students keep nbgrader's own
submit, list and fetch_feedback: in their container the paths look as usual.
"""

from __future__ import annotations

import glob
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.utils import parse_utc

from .nbgrader_autograde import valid_student_id


def submission_records(inbound: Path, assignment: str, student_glob: str = "*",
                       log: Any = None) -> list[dict[str, Any]]:
    """Every submission of ``assignment`` under ``inbound/<user>/``, as collect's records.

    The student is the folder's name.  A submission named for another student (a forged
    ``student_id``), one with a malformed name, or a folder that is not a valid student
    id is skipped with a warning: it is never collected under anyone's name.
    """
    records = []
    for folder in sorted(p for p in Path(inbound).glob(student_glob) if p.is_dir()):
        user = folder.name
        if not valid_student_id(user):
            _warn(log, f"{folder}: not a student's folder (invalid id); skipped")
            continue
        for sub in sorted(folder.glob(f"*+{assignment}+*")):
            parts = sub.name.rsplit("+", 3)
            if len(parts) < 3 or not sub.is_dir():
                _warn(log, f"{sub}: not a submission folder; skipped")
                continue
            if parts[0] != user:
                _warn(log, f"{sub}: claims to be {parts[0]!r}'s submission but sits in "
                           f"{user!r}'s folder; skipped")
                continue
            try:
                stamp = parse_utc(parts[2])
            except (ValueError, OverflowError):
                _warn(log, f"{sub}: unreadable timestamp; skipped")
                continue
            records.append({"username": user, "filename": f"{user}/{sub.name}",
                            "timestamp": stamp})
    return records


def latest_per_student(records: list[dict[str, Any]], duedate: Any = None
                       ) -> list[dict[str, Any]]:
    """One record per student: the newest, or with a due date the newest before it
    (the newest overall when none was on time), as nbgrader's collect chooses."""
    by_user: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        by_user[rec["username"]].append(rec)
    chosen = []
    for recs in by_user.values():
        recs.sort(key=lambda r: r["timestamp"], reverse=True)
        on_time = [r for r in recs if duedate is not None and r["timestamp"] <= duedate]
        chosen.append(on_time[0] if on_time else recs[0])
    return chosen


def _warn(log: Any, message: str) -> None:
    if log is not None:
        log.warning(message)


class PerStudentCollect(ExchangeCollect):
    """``nbgrader collect`` for the per-student layout (see the module docstring)."""

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        records = submission_records(Path(self.inbound_path), self.coursedir.assignment_id,
                                     self.coursedir.student_id or "*", self.log)
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = latest_per_student(
            records, self.duedate if self.before_duedate else None)


class PerStudentReleaseFeedback(ExchangeReleaseFeedback):
    """``nbgrader release_feedback`` into ``feedback/<student>/`` (see the module docstring)."""

    def copy_files(self) -> None:
        pattern = self.coursedir.format_path(self.coursedir.feedback_directory,
                                             self.coursedir.student_id or "*",
                                             self.coursedir.assignment_id)
        outbound = self.dest_path
        try:
            for folder in sorted(Path(p) for p in glob.glob(pattern)):
                student = folder.parent.name
                if not valid_student_id(student):
                    self.log.warning("%s: not a student's folder; skipped", folder)
                    continue
                self.dest_path = os.path.join(outbound, student)
                os.makedirs(self.dest_path, exist_ok=True)
                self.src_path = str(folder)
                super().copy_files()
        finally:
            self.dest_path = outbound

