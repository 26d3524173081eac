"""Where a course's content lives on disk, and loading it.

The engine knows no chapter; it finds them here: ``solutions/<assignment>/questions.py``
(specs), ``solutions/<assignment>/fixtures/`` (hidden fixtures, built by
``d2l-grade fixtures build``) and ``assignments/<assignment>/`` (what students get).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .spec import AssignmentSpec, load_assignment

PACKAGE_PARENT = Path(__file__).resolve().parent.parent


class CourseError(Exception):
    """The course folder is missing something the command needs."""


@dataclass
class Course:
    """A course root holding ``solutions/`` and ``assignments/``."""

    root: Path
    _specs: dict[str, AssignmentSpec] = field(default_factory=dict, repr=False)

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"

    def assignment_ids(self) -> list[str]:
        """Every assignment with a questions.py, in name (chapter) order."""
        if not self.solutions.is_dir():
            return []
        return sorted(p.parent.name for p in self.solutions.glob("*/questions.py"))

    def spec(self, assignment: str) -> AssignmentSpec:
        if assignment not in self._specs:
            if assignment not in self.assignment_ids():
                raise CourseError(f"this course has no assignment {assignment!r}")
            self._specs[assignment] = load_assignment(self.solutions / assignment)
        return self._specs[assignment]

    @property
    def case_secret_file(self) -> Path:
        """The secret hidden cases' seeds are mixed with (see ``spec.case_seed``): kept
        with the fixtures, in no released file."""
        return self.solutions / "case-secret"

    def fixtures_dir(self, assignment: str, notebook: str | None = None) -> Path:
        base = self.solutions / assignment / "fixtures"
        return base / notebook if notebook else base

    def public_dir(self, assignment: str, notebook: str) -> Path:
        return self.assignments / assignment / "public" / notebook

    def master_notebook(self, assignment: str, notebook: str) -> Path:
        return self.solutions / assignment / f"{notebook}.ipynb"

    def data_dir(self) -> Path:
        """Where offline stand-in data for grading is prepared (never inside the repo's
        tracked files)."""
        env = os.environ.get("D2L_GRADER_DATA")
        return Path(env) if env else self.root / ".d2l-cache" / "data"


def find_course(root: Path | None = None) -> Course:
    """The course at ``root``, else ``$D2L_COURSE_ROOT``, else the checkout this package
    was installed from, else the current folder."""
    if root is not None:
        if (Path(root) / "solutions").is_dir():
            return Course(Path(root).resolve())
        raise CourseError(f"no course at {root}: it has no solutions/ folder")
    candidates: list[Path] = []
    if os.environ.get("D2L_COURSE_ROOT"):
        candidates.append(Path(os.environ["D2L_COURSE_ROOT"]))
    candidates += [PACKAGE_PARENT, Path.cwd()]
    for cand in candidates:
        if (cand / "solutions").is_dir():
            return Course(cand.resolve())
    raise CourseError(f"no course found at {Path.cwd()} (a course folder holds solutions/); "
                      "pass --root or set D2L_COURSE_ROOT")
