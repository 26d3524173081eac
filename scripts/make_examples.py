"""Regenerate the example submissions, the mistake notebooks and the book-style notebooks
from the master notebooks.

Every generated notebook is the master with a small, named edit (``mistakes.json``), so
a test can tell which questions each one must lose.  Run it after editing a master:

    .venv/bin/python scripts/make_examples.py
    .venv/bin/python scripts/make_examples.py --only ch05_cnn/conv_layers   # one notebook's

The files are committed; ``tests/test_examples.py`` checks that they are up to date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
#: The README's examples come from chapter 3's first notebook.
ASSIGNMENT, NOTEBOOK = "ch03_basics", "linear_softmax"
#: The README's "partly wrong" example combines two of the mistakes.
PARTLY_WRONG = ("mistake_softmax_no_row_norm.ipynb", "mistake_sgd_no_batch_division.ipynb")


def apply_edit(nb: nbformat.NotebookNode, edit: dict) -> None:
    """Replace ``edit['old']`` by ``edit['new']`` in the cell with id ``edit['cell']``."""
    for cell in nb.cells:
        if cell.get("id") == edit["cell"]:
            if edit["old"] not in cell.source:
                raise ValueError(f"{edit['file']}: text to replace not found in {edit['cell']}")
            cell.source = cell.source.replace(edit["old"], edit["new"], 1)
            return
    raise ValueError(f"{edit['file']}: no cell with id {edit['cell']}")


def mistake_notebooks(root: Path = ROOT,
                      only: str | None = None) -> dict[Path, nbformat.NotebookNode]:
    """Every chapter's mistake notebooks (``tests/notebooks/<assignment>/mistakes*.json``).

    An assignment may list its mistakes in one file or one file per notebook
    (``mistakes_<notebook>.json``).  An edit names its ``notebook`` when the assignment
    has several; else the one there is.  ``only`` (``"<assignment>/<notebook>"``) keeps
    that notebook's mistakes, so work on one notebook is not stopped by another's.
    """
    out: dict[Path, nbformat.NotebookNode] = {}
    for listing in sorted((root / "tests" / "notebooks").glob("*/mistakes*.json")):
        assignment = listing.parent.name
        masters = sorted((root / "solutions" / assignment).glob("*.ipynb"))
        for edit in json.loads(listing.read_text()):
            name = edit.get("notebook")
            if name is None:
                if len(masters) != 1:
                    raise ValueError(f"{listing}: {edit['file']} must name its notebook")
                name = masters[0].stem
            if only is not None and f"{assignment}/{name}" != only:
                continue
            master = nbformat.read(root / "solutions" / assignment / f"{name}.ipynb",
                                   as_version=4)
            apply_edit(master, edit)
            out[Path("tests/notebooks") / assignment / edit["file"]] = master
    return out


def book_notebooks(root: Path = ROOT) -> dict[Path, nbformat.NotebookNode]:
    """Every chapter's book-style notebooks (``tests/notebooks/<assignment>/book_style.json``).

    Each is the master with whole answer cells replaced (``answers``: cell id → source)
    by code in the first edition's own idioms, written for this project; ``departs``
    names the questions where the notebook explicitly asks for something else than the
    book, with the points such code keeps and why (``tests/test_chapters.py``).
    """
    out: dict[Path, nbformat.NotebookNode] = {}
    for listing in sorted((root / "tests" / "notebooks").glob("*/book_style.json")):
        assignment = listing.parent.name
        for variant in json.loads(listing.read_text()):
            nb = nbformat.read(root / "solutions" / assignment / f"{variant['notebook']}.ipynb",
                               as_version=4)
            cells = {cell.get("id"): cell for cell in nb.cells}
            for cell_id, source in variant["answers"].items():
                if cell_id not in cells:
                    raise ValueError(f"{listing}: {variant['file']}: no cell with id {cell_id}")
                cells[cell_id].source = source
            out[Path("tests/notebooks") / assignment / variant["file"]] = nb
    return out


def generate(root: Path = ROOT) -> dict[Path, nbformat.NotebookNode]:
    """Every generated notebook, by its path relative to ``root``."""
    master = nbformat.read(root / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    blank = nbformat.read(root / "assignments" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    edits = json.loads((root / "tests" / "notebooks" / ASSIGNMENT / "mistakes.json").read_text())
    out = mistake_notebooks(root) | book_notebooks(root)
    examples = Path("examples") / ASSIGNMENT
    out[examples / "correct.ipynb"] = master
    partly = nbformat.from_dict(json.loads(json.dumps(master)))
    for edit in edits:
        if edit["file"] in PARTLY_WRONG:
            apply_edit(partly, edit)
    out[examples / "partly_wrong.ipynb"] = partly
    out[examples / "blank.ipynb"] = blank
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="ASSIGNMENT/NOTEBOOK",
                        help="write only this notebook's mistake notebooks")
    args = parser.parse_args(argv)
    notebooks = mistake_notebooks(only=args.only) if args.only else generate()
    if args.only and not notebooks:
        print(f"no mistakes listed for {args.only}", file=sys.stderr)
        return 1
    for rel, nb in notebooks.items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
