"""Release: the student's copy of each master notebook, its public fixtures, otter zips.

Solutions are stripped by nbgrader's own preprocessors (the same ones
``nbgrader generate_assignment`` runs), so the released notebook is exactly what an
nbgrader course would hand out: solution regions become
``# YOUR CODE HERE`` / ``raise NotImplementedError()``, outputs are cleared, locked
cells are marked read-only and checksummed.  Public fixtures hold only public cases.
The otter autograder zips (:mod:`autograder.otter_zip`) are written last: the public one
beside the notebook, the full one under ``build/otter/`` for instructors.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat

from . import wire
from .course import Course
from .fixtures import EXPECTED, PLAN, load_fixtures, public_plan, select_notebooks
from .otter_zip import build_zips


def student_notebook(master: Path) -> nbformat.NotebookNode:
    """The master notebook with solutions and outputs removed, via nbgrader."""
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
    )

    nb = nbformat.read(master, as_version=4)
    resources: dict = {}
    for pre in (LockCells(), ClearSolutions(), ClearOutput(), ClearHiddenTests(),
                ComputeChecksums(), CheckCellMetadata()):
        nb, resources = pre.preprocess(nb, resources)
    return nb


def release(course: Course, assignment_id: str,
            progress: Callable[[str], None] | None = None,
            notebooks: Sequence[str] | None = None) -> list[Path]:
    """Write ``assignments/<assignment>/`` (only ``notebooks`` if given); returns the files."""
    spec = course.spec(assignment_id)
    selected = select_notebooks(spec, notebooks)
    out_dir = course.assignments / assignment_id
    written: list[Path] = []
    for nb in selected:
        if progress:
            progress(f"{assignment_id}/{nb.name}")
        master = course.master_notebook(assignment_id, nb.name)
        if not master.is_file():
            raise FileNotFoundError(f"master notebook {master} is missing")
        student = student_notebook(master)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{nb.name}.ipynb"
        nbformat.write(student, target)
        written.append(target)
        plan, expected = load_fixtures(course, assignment_id, nb.name)
        pub = public_plan(plan)
        keys = {f"{q['name']}/{c['id']}" for q in pub["questions"] for c in q["cases"]}
        pub_dir = course.public_dir(assignment_id, nb.name)
        if pub_dir.exists():
            shutil.rmtree(pub_dir)
        pub_dir.mkdir(parents=True)
        written += wire.write(pub_dir / PLAN, pub)
        written += wire.write(pub_dir / EXPECTED, {k: v for k, v in expected.items() if k in keys})
    if progress:
        progress(f"{assignment_id}: otter zips")
    written += build_zips(course, assignment_id, [nb.name for nb in selected])
    return written
