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
#: A notebook Jupyter writes is a few levels deep (cells, outputs, their metadata); these
#: caps refuse a file made to exhaust the grader, with one line, before anything runs.
MAX_DEPTH = 64
MAX_CELLS = 5_000
MAX_METADATA_BYTES = 1024 * 1024
MAX_OUTPUT_BYTES = 20 * 1024 * 1024


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
    except RecursionError:
        raise NotebookError(f"{path}: not a valid notebook (nested deeper than JSON "
                            "can be read)") from None
    except UnicodeDecodeError:
        raise NotebookError(f"{path}: not a notebook (the file is not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{path}: not a valid notebook (broken JSON at line {exc.lineno}, "
                            f"column {exc.colno}: {exc.msg})") from None
    if type(content) is not dict or type(content.get("cells")) is not list:
        raise NotebookError(f"{path}: not a Jupyter notebook (no list of cells)")
    _check_size(path, content)
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


def _depth(value: Any) -> int:
    """How deeply lists and dicts nest in ``value`` (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if type(node) is dict:
            children = node.values()
        elif type(node) is list:
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _check_size(path: Path, content: dict[str, Any]) -> None:
    """Refuse notebooks past the caps on nesting, cells, metadata and outputs."""
    if _depth(content) > MAX_DEPTH:
        raise NotebookError(f"{path}: not a valid notebook (nested more than {MAX_DEPTH} "
                            "levels deep)")
    if len(content["cells"]) > MAX_CELLS:
        raise NotebookError(f"{path}: {len(content['cells'])} cells (at most {MAX_CELLS})")
    metadata = json.dumps(content.get("metadata", {}), ensure_ascii=False)
    if len(metadata) > MAX_METADATA_BYTES:
        raise NotebookError(f"{path}: its metadata is larger than "
                            f"{MAX_METADATA_BYTES >> 20} MiB")
    outputs = sum(len(json.dumps(cell.get("outputs", []), ensure_ascii=False))
                  for cell in content["cells"] if type(cell) is dict)
    if outputs > MAX_OUTPUT_BYTES:
        raise NotebookError(f"{path}: its saved outputs are larger than "
                            f"{MAX_OUTPUT_BYTES >> 20} MiB (clear the outputs and save again)")
