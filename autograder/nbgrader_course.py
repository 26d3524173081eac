"""An nbgrader course folder made from this course's chapters.

``d2l-grade course init PATH --course ID`` writes ``nbgrader_config.py``, copies every
master notebook into ``source/<assignment>/`` (with the public cases its ``check()``
cells read, which nbgrader releases to students with the notebook; hidden fixtures stay
in ``solutions/``), and registers each assignment in the gradebook through nbgrader's own
``generate_assignment``, so ``release_assignment``, ``collect``, ``export`` and the
formgrader work unchanged.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from .course import Course

CONFIG = '''\
# nbgrader configuration written by `d2l-grade course init`; edit freely.
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}
# Students get the notebook and its public cases; nothing else from source/.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
# Grading is done by `d2l-grade autograde`, in a sandbox, never in nbgrader's kernel:
# `nbgrader autograde` and the formgrader's autograde button only record its verdicts.
c.ExecutePreprocessor.timeout = 60
from autograder.nbgrader_autograde import use_stored_verdicts  # noqa: E402
use_stored_verdicts(c)
'''


class CourseInitError(Exception):
    """The course folder cannot be created (one-line reason)."""


def init_course(course: Course, path: Path, course_id: str, db_url: str | None = None,
                exchange: Path | None = None, assignments: list[str] | None = None,
                force: bool = False) -> list[str]:
    """Create the nbgrader course at ``path``; returns the assignments registered."""
    path = Path(path).resolve()
    if not course_id.replace("-", "").replace("_", "").isalnum():
        raise CourseInitError(f"course id {course_id!r} may hold only letters, digits, - and _")
    if (path / "nbgrader_config.py").exists() and not force:
        raise CourseInitError(f"{path} already holds an nbgrader course (use --force to "
                              "refresh its source notebooks)")
    ids = assignments or course.assignment_ids()
    path.mkdir(parents=True, exist_ok=True)
    db_url = db_url or f"sqlite:///{path / 'gradebook.db'}"
    exchange = Path(exchange).resolve() if exchange else Path("/usr/local/share/nbgrader/exchange")
    (path / "nbgrader_config.py").write_text(CONFIG.format(
        course_id=course_id, root=str(path), db_url=db_url, exchange=str(exchange)))
    for aid in ids:
        spec = course.spec(aid)
        source = path / "source" / aid
        if source.exists():
            shutil.rmtree(source)
        source.mkdir(parents=True)
        for nb in spec.notebooks:
            shutil.copyfile(course.master_notebook(aid, nb.name), source / f"{nb.name}.ipynb")
            public = course.public_dir(aid, nb.name)
            if not public.is_dir():
                raise CourseInitError(f"{public} is missing; run `d2l-grade release {aid}`")
            shutil.copytree(public, source / "public" / nb.name)
    _generate(path, ids)
    return ids


def load_config(path: Path):
    """The course's nbgrader configuration, read the way nbgrader reads it."""
    from traitlets.config import Config

    # nbgrader runs `alembic` from PATH to check the database schema.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    config = Config()
    config.CourseDirectory.root = str(Path(path).resolve())
    namespace: dict = {"get_config": lambda: config}
    exec(compile((Path(path) / "nbgrader_config.py").read_text(), "nbgrader_config.py", "exec"),
         namespace)
    return config


def _generate(path: Path, ids: list[str]) -> None:
    """nbgrader's own generate_assignment: fills the gradebook and writes release/."""
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=load_config(path))
    for aid in ids:
        result = api.generate_assignment(aid, force=True)
        if not result.get("success"):
            raise CourseInitError(f"nbgrader generate_assignment {aid} failed: "
                                  f"{(result.get('error') or result.get('log') or '')[-300:]}")
