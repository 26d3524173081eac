"""Reading a submitted notebook and telling which assignment it belongs to.

Every problem with the file itself becomes one :class:`NotebookError` whose message is
a single line a student can act on; the grader prints it instead of a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
METADATA_KEY = "d2l"


class NotebookError(Exception):
    """A notebook that cannot be graded, with a one-line reason."""


@dataclass(frozen=True)
class Submission:
    """A readable notebook and the assignment it says it belongs to."""

    path: Path
    assignment: str
    notebook: str
    content: dict[str, Any]


def read_submission(path: Path) -> Submission:
    """Open ``path`` and identify it, or raise :class:`NotebookError`."""
    path = Path(path)
    if not path.exists():
        raise NotebookError(f"{path}: no such file")
    if path.is_dir():
        raise NotebookError(f"{path}: is a folder, not a notebook")
    size = path.stat().st_size
    if size == 0:
        raise NotebookError(f"{path}: the file is empty")
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path}: the file is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
    try:
        content = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{path}: not a notebook (the file is not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{path}: not a valid notebook (broken JSON at line {exc.lineno}, "
                            f"column {exc.colno}: {exc.msg})") from None
    if type(content) is not dict or type(content.get("cells")) is not list:
        raise NotebookError(f"{path}: not a Jupyter notebook (no list of cells)")
    if content.get("nbformat") != 4:
        raise NotebookError(f"{path}: unsupported notebook format {content.get('nbformat')!r} "
                            "(save it with Jupyter 4 or later)")
    for i, cell in enumerate(content["cells"], start=1):
        if type(cell) is not dict or cell.get("cell_type") not in ("code", "markdown", "raw") \
                or type(cell.get("source", "")) not in (str, list):
            raise NotebookError(f"{path}: cell {i} is malformed")
    meta = content.get("metadata", {})
    info = meta.get(METADATA_KEY) if type(meta) is dict else None
    if type(info) is not dict or type(info.get("assignment")) is not str \
            or type(info.get("notebook")) is not str:
        raise NotebookError(f"{path}: not a d2l-autograder assignment notebook (its metadata "
                            "names no assignment); submit the notebook released for your chapter")
    return Submission(path, info["assignment"], info["notebook"], content)
