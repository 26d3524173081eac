"""What a chapter declares about its questions (``solutions/<assignment>/questions.py``).

A question names the student object, its points, its seeded cases (public or hidden),
the reference callable, how a case calls the object (a kind from
:mod:`autograder.kinds`) and how the result is judged: closeness to the reference's
output within a tolerance, or an invariant for units that draw random numbers.

Specs are trusted code: they are imported by the grader and by fixture building, never
inside the sandbox.  The sandbox receives only the *plan* derived from them (plain data).
"""

from __future__ import annotations

import hmac
import importlib.util
import sys
import threading
import types
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .compare import Tolerance
from .kinds import Call, Construct, Value
from .wire import Recipe


@dataclass(frozen=True)
class Args:
    """The arguments of one case."""

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def args(*a: Any, **kw: Any) -> Args:
    """``args(x, y, k=1)`` — the arguments a case passes."""
    return Args(tuple(a), dict(kw))


@dataclass(frozen=True)
class Case:
    """A seeded case: ``make`` draws the inputs from the generator it is given."""

    make: Callable[[torch.Generator], Args]
    public: bool = False


def public(make: Callable[[torch.Generator], Args]) -> Case:
    """A case shipped with the student notebook (inputs and expected output)."""
    return Case(make, public=True)


def hidden(make: Callable[[torch.Generator], Args]) -> Case:
    """A case whose expected output never leaves the grader."""
    return Case(make, public=False)


#: An invariant check gets the student's value and the case's arguments and returns the
#: problems found, each as a (zh, en) pair; an empty list means the case passes.
InvariantFn = Callable[[Any, Args], list[tuple[str, str]]]


@dataclass(frozen=True)
class Question:
    """One graded unit."""

    name: str
    points: float
    #: What a case calls (for the ``value`` kind: the accepted answers themselves).
    reference: Callable[..., Any] | list[Any]
    cases: Sequence[Case]
    kind: Call | Construct | Value = Call()
    tolerance: Tolerance | None = None
    invariant: InvariantFn | None = None
    isolate: dict[str, Recipe] = field(default_factory=dict)
    object: str | None = None
    description: str = ""
    #: With ``--gpu``: the tolerance for cases run on the GPU (default: ``tolerance`` or
    #: the dtype's, raised to :data:`autograder.compare.GPU_FLOORS`); ``cpu_only`` keeps
    #: the question on the CPU (file and device handling, pure Python).
    gpu_tolerance: Tolerance | None = None
    cpu_only: bool = False
    #: For choice and short-answer questions (:func:`choice`, :func:`short_answer`): the
    #: answer is judged by :mod:`autograder.answers`; a string of option letters marks a
    #: choice question, ``""`` a short answer.
    options: str | None = None

    @property
    def object_name(self) -> str:
        """The name of the student's object (the question's name unless told otherwise)."""
        return self.object or self.name

    def case_ids(self) -> list[str]:
        ids, n_pub, n_hid = [], 0, 0
        for case in self.cases:
            if case.public:
                n_pub += 1
                ids.append(f"p{n_pub}")
            else:
                n_hid += 1
                ids.append(f"h{n_hid}")
        return ids


def choice(name: str, points: float, key: str, options: str = "ABCD",
           description: str = "") -> Question:
    """A single- or multiple-choice question: the student's variable ``name`` holds the
    letters chosen (``"B"``, or ``"AC"`` when several are right); ``key`` is the answer."""
    return Question(name, points, reference=[key], cases=[Case(_no_args)],
                    kind=Value(), options=options, description=description)


def short_answer(name: str, points: float, accepted: Sequence[str],
                 description: str = "") -> Question:
    """A short-answer question: ``name`` holds a word or a number, graded exactly against
    the ``accepted`` spellings after normalisation (case, width, 繁/简, whitespace)."""
    return Question(name, points, reference=list(accepted), cases=[Case(_no_args)],
                    kind=Value(), options="", description=description)


def _no_args(g: torch.Generator) -> Args:
    return Args()


@dataclass(frozen=True)
class Manual:
    """A free-response question graded by hand in nbgrader's formgrader.

    Its cell is a markdown solution cell with points; the autograder never scores it and
    reports it as pending, and its grade reaches ``nbgrader export`` from the gradebook.
    """

    name: str
    points: float


@dataclass(frozen=True)
class NotebookSpec:
    """One notebook of an assignment and its questions, in notebook order."""

    name: str
    questions: Sequence[Question]
    #: Writes the data the notebook reads (an offline stand-in) into the given folder.
    prepare_data: Callable[[Path], None] | None = None
    #: Questions graded by hand (free response), by their nbgrader grade ids.
    manual: Sequence[Manual] = ()

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(name)


@dataclass(frozen=True)
class AssignmentSpec:
    """A chapter's assignment: an nbgrader assignment id and its notebooks."""

    id: str
    title: str
    notebooks: Sequence[NotebookSpec]

    def notebook(self, name: str) -> NotebookSpec:
        for nb in self.notebooks:
            if nb.name == name:
                return nb
        raise KeyError(name)


def case_seed(assignment: str, notebook: str, question: str, case_id: str,
              secret: bytes | None = None) -> int:
    """A stable seed per case, independent of Python's hash randomisation.

    Public cases use the case's name alone.  Hidden cases pass the course's ``secret``
    (kept with the fixtures, never released): the seed is then an HMAC of the name, so
    nobody without the secret can recompute a hidden case's inputs from the public files
    (this rule ships in every otter zip) and answer it from a table.
    """
    name = f"{assignment}/{notebook}/{question}/{case_id}".encode()
    if secret is None:
        return zlib.crc32(name) & 0x7FFFFFFF
    return int.from_bytes(hmac.new(secret, name, "sha256").digest()[:4], "big") & 0x7FFFFFFF


class SpecError(Exception):
    """A questions.py that cannot be loaded or is inconsistent."""


#: Loading replaces entries of ``sys.modules``; two grading threads must not interleave.
_LOADING = threading.Lock()


def load_assignment(folder: Path) -> AssignmentSpec:
    """Import ``folder/questions.py`` and return its ``ASSIGNMENT`` (thread-safe)."""
    with _LOADING:
        return _load_assignment(Path(folder))


def _load_assignment(folder: Path) -> AssignmentSpec:
    path = Path(folder) / "questions.py"
    if not path.is_file():
        raise SpecError(f"{path} does not exist")
    # questions.py is loaded as a module of a package whose path is the folder, so a
    # chapter with several notebooks can keep each notebook's questions in a sibling file
    # and import it relatively (``from .conv_layers import QUESTIONS``).
    package = f"_d2l_questions_{Path(folder).name}"
    pkg = types.ModuleType(package)
    pkg.__path__ = [str(Path(folder).resolve())]
    sys.modules[package] = pkg
    for key in [k for k in sys.modules if k.startswith(package + ".")]:
        del sys.modules[key]  # reloading a folder reloads its sibling modules too
    name = f"{package}.questions"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise SpecError(f"cannot import {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    spec = getattr(module, "ASSIGNMENT", None)
    if not isinstance(spec, AssignmentSpec):
        raise SpecError(f"{path} defines no ASSIGNMENT = AssignmentSpec(...)")
    if spec.id != Path(folder).name:
        raise SpecError(f"{path}: ASSIGNMENT.id {spec.id!r} differs from its folder name")
    for nb in spec.notebooks:
        names = [q.name for q in nb.questions]
        if len(set(names)) != len(names):
            raise SpecError(f"{path}: duplicate question names in notebook {nb.name!r}")
        for q in nb.questions:
            if not q.cases:
                raise SpecError(f"{path}: question {q.name!r} has no cases")
            if q.points <= 0:
                raise SpecError(f"{path}: question {q.name!r} has no points")
    return spec
