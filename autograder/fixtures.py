"""Fixtures: every case's inputs and the reference's expected output, built on the CPU.

For each notebook of an assignment, ``build`` writes under
``solutions/<assignment>/fixtures/<notebook>/``:

``plan.json`` + ``plan.npz``
    What the sandbox needs: per question the student object's name, the kind of call,
    the tolerance, and every case's seed and arguments.  No expected values.
``expected.json`` + ``expected.npz``
    The reference's output per ``question/case``.  Hidden cases never leave the grader.

and ``manifest.json`` beside them: the sha256 of each file, the torch/numpy/python
versions, the machine that built them (``built_on``, see
:func:`~autograder.fixture_drift.machine_identity`) and every case's seed.  ``verify``
rebuilds everything in a temporary folder and fails on any file whose hash is not the
manifest's.  On the machine that built the fixtures it also fails on any difference in
values (a rebuild there is byte-identical); on another machine, or when ``built_on`` is
null (not recorded), float kernels legitimately change the last bits, so each float is
judged against its question's tolerance and only a drift above :data:`MAX_DRIFT` of it
fails (:mod:`autograder.fixture_drift`).
"""

from __future__ import annotations

import hashlib
import json
import platform
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from . import wire
from .course import Course
from .fixture_drift import (
    BUILD_THREADS,
    FINDING_DRIFT,
    MAX_DRIFT,
    Drift,
    compare_expected,
    compare_plans,
    describe_machine,
    machine_identity,
    percent,
)
from .kinds import run_case
from .spec import AssignmentSpec, NotebookSpec, SpecError, case_seed

PLAN, EXPECTED, MANIFEST = "plan", "expected", "manifest.json"


@contextmanager
def deterministic_cpu() -> Iterator[None]:
    """One thread and deterministic algorithms, so rebuilding gives identical bytes."""
    threads = torch.get_num_threads()
    was_deterministic = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(BUILD_THREADS)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(was_deterministic)


def case_secret(course: Course, create: bool = False) -> bytes:
    """The course's case secret (``Course.case_secret_file``); ``create`` makes one.

    Why a secret: hidden cases' inputs come from their seeds; a seed anyone can compute
    lets a student rebuild the inputs at home and hand in a table of answers.
    """
    path = course.case_secret_file
    if not path.is_file():
        if not create:
            raise SpecError(f"{path} is missing: the hidden cases' seeds need it (run "
                            "`d2l-grade fixtures rotate-secret` to make one, then release)")
        write_case_secret(course)
    text = path.read_text().strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 16:
        raise SpecError(f"{path} must hold at least 16 random bytes as hex")
    return secret


def secret_fingerprint(secret: bytes) -> str:
    """What the manifest records of the secret: enough to tell two apart, nothing more."""
    return hashlib.sha256(b"d2l-case-secret:" + secret).hexdigest()[:16]


def write_case_secret(course: Course) -> Path:
    """A new random case secret (mode 600).  Every hidden input changes with it: rebuild
    the fixtures and release again."""
    import os
    import secrets

    path = course.case_secret_file
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    os.replace(tmp, path)
    return path


def make_plan(assignment: AssignmentSpec, nb: NotebookSpec,
              secret: bytes | None = None) -> dict[str, Any]:
    """The plan of one notebook: plain data, safe to hand to the sandbox.

    ``secret``: the course's case secret, mixed into hidden cases' seeds (``build``
    always passes it; without it every seed follows the public rule).
    """
    questions = []
    for q in nb.questions:
        cases = []
        for case, case_id in zip(q.cases, q.case_ids(), strict=True):
            seed = case_seed(assignment.id, nb.name, q.name, case_id,
                             None if case.public else secret)
            made = case.make(torch.Generator().manual_seed(seed))
            cases.append({"id": case_id, "public": case.public, "seed": seed,
                          "args": list(made.args), "kwargs": dict(made.kwargs)})
        tol = [q.tolerance.rtol, q.tolerance.atol] if q.tolerance else None
        judge = "invariant" if q.invariant else "close"
        entry = {
            "name": q.name, "object": q.object_name, "points": float(q.points),
            "kind": q.kind.to_data(), "isolate": dict(q.isolate), "tolerance": tol,
            "judge": judge, "cases": cases,
        }
        if q.options is not None:  # choice ("ABCD") or short answer ("")
            entry.update(judge="answer", options=q.options)
        if q.gpu_tolerance is not None:
            entry["gpu_tolerance"] = [q.gpu_tolerance.rtol, q.gpu_tolerance.atol]
        if q.cpu_only:
            entry["cpu_only"] = True
        questions.append(entry)
    return {"assignment": assignment.id, "notebook": nb.name, "questions": questions}


def public_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan restricted to public cases (what ships with the student notebook)."""
    out = dict(plan)
    out["questions"] = [
        {**q, "cases": [c for c in q["cases"] if c["public"]]} for q in plan["questions"]
    ]
    return out


def run_reference(nb: NotebookSpec, plan: dict[str, Any]) -> dict[str, Any]:
    """Every case's expected output, computed by the reference on the CPU."""
    namespace = {q.object_name: q.reference for q in nb.questions}
    expected: dict[str, Any] = {}
    with deterministic_cpu():
        for qplan in plan["questions"]:
            q = nb.question(qplan["name"])
            for case in qplan["cases"]:
                value = run_case(q.reference, case, qplan["kind"], namespace)
                # Round-trip through the wire so expected values are exactly what is stored.
                tree, arrays = wire.encode(value)
                value = wire.decode(tree, arrays)
                if q.invariant is not None:
                    problems = q.invariant(value, _args_of(case))
                    if problems:
                        raise SpecError(f"the reference fails its own invariant for "
                                        f"{q.name}/{case['id']}: {problems[0][1]}")
                expected[f"{q.name}/{case['id']}"] = value
    return expected


def _args_of(case: dict[str, Any]) -> Any:
    from .spec import Args

    return Args(tuple(case["args"]), dict(case["kwargs"]))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class BuildReport:
    """What a build wrote."""

    folder: Path
    notebooks: dict[str, int]  # notebook -> number of cases
    files: dict[str, str]  # relative path -> sha256


def select_notebooks(spec: AssignmentSpec, names: Sequence[str] | None) -> list[NotebookSpec]:
    """The assignment's notebooks named in ``names`` (all when None), in spec order."""
    known = [nb.name for nb in spec.notebooks]
    for name in names or ():
        if name not in known:
            raise SpecError(f"{spec.id} has no notebook {name!r}; it has: {', '.join(known)}")
    return [nb for nb in spec.notebooks if names is None or nb.name in names]


def build(course: Course, assignment_id: str, out: Path | None = None,
          progress: Callable[[str], None] | None = None,
          notebooks: Sequence[str] | None = None) -> BuildReport:
    """Build the fixtures of one assignment into ``out`` (default: its fixtures folder).

    ``notebooks`` rebuilds only those notebooks; the others' files stay, and the manifest
    is rewritten over everything in the folder.  It names this machine in ``built_on``
    only when every file in the folder was built here: if the kept notebooks came from
    another machine (or an unrecorded one), ``built_on`` becomes null, so ``verify``
    compares by tolerance instead of failing bitwise on the kept files.
    """
    spec = course.spec(assignment_id)
    selected = select_notebooks(spec, notebooks)
    folder = Path(out) if out else course.fixtures_dir(assignment_id)
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    seeds: dict[str, int] = {}
    here: dict[str, Any] | None = machine_identity()
    if notebooks is not None and (folder / MANIFEST).is_file():
        kept = {nb.name for nb in spec.notebooks} - set(notebooks)
        old_manifest = json.loads((folder / MANIFEST).read_text())
        old = old_manifest.get("seeds", {})
        seeds = {k: v for k, v in old.items() if k.split("/", 1)[0] in kept}
        if kept and old_manifest.get("built_on") != here:
            here = None
    secret = case_secret(course, create=True)
    for nb in selected:
        if progress:
            progress(f"{assignment_id}/{nb.name}")
        with deterministic_cpu():  # case makers compute too: same threads as the reference
            plan = make_plan(spec, nb, secret)
        # The reference runs on the decoded plan: exactly the inputs the student will get.
        plan = wire.decode(*wire.encode(plan))
        expected = run_reference(nb, plan)
        nb_dir = folder / nb.name
        nb_dir.mkdir(parents=True, exist_ok=True)
        wire.write(nb_dir / PLAN, plan)
        wire.write(nb_dir / EXPECTED, expected)
        counts[nb.name] = len(expected)
        for q in plan["questions"]:
            for c in q["cases"]:
                seeds[f"{nb.name}/{q['name']}/{c['id']}"] = c["seed"]
    files = {
        str(p.relative_to(folder)): _sha256(p)
        for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST
    }
    manifest = {
        "assignment": assignment_id,
        "case_secret": secret_fingerprint(secret),
        "built_on": here,
        "built_with": {"torch": torch.__version__, "numpy": np.__version__,
                       "python": platform.python_version()},
        "files": files,
        "seeds": dict(sorted(seeds.items())),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return BuildReport(folder, counts, files)


@dataclass
class VerifyReport:
    """What ``verify`` found for one assignment.

    ``problems`` fail verification (the CLI exits 1); ``drifts`` are the questions whose
    floats moved (tolerance mode only), largest first; ``findings`` are those whose drift
    exceeds :data:`FINDING_DRIFT` of their tolerance, worth a look even when allowed.
    """

    assignment: str
    mode: Literal["bitwise", "tolerance"]
    built_on: dict[str, Any] | None  # the manifest's record (None: not recorded)
    here: dict[str, Any]  # :func:`machine_identity` of the machine verifying
    max_drift: float = MAX_DRIFT
    problems: list[str] = field(default_factory=list)
    drifts: list[Drift] = field(default_factory=list)

    @property
    def findings(self) -> list[Drift]:
        return [d for d in self.drifts if d.fraction > FINDING_DRIFT]

    def reason(self) -> str:
        """Which comparison was made and why, in one line."""
        here = describe_machine(self.here)
        if self.mode == "bitwise":
            return f"built on this machine, {here}: comparing bitwise"
        limit = ("a float outside it fails" if self.max_drift == 1 else
                 f"a drift above {percent(self.max_drift)} of it fails")
        return (f"built on {describe_machine(self.built_on)}, verifying on {here}: comparing "
                f"each float against its question's tolerance ({limit})")

    def allowed(self) -> str:
        """``within each question's tolerance`` or ``within 5 % of …``."""
        if self.max_drift == 1:
            return "within each question's tolerance"
        return f"within {percent(self.max_drift)} of each question's tolerance"

    def verdict(self) -> str:
        """The line saying what was verified (only meaningful without problems)."""
        if self.mode == "bitwise":
            return f"{self.assignment}: fixtures match a fresh build"
        text = f"{self.assignment}: fixtures match a fresh build {self.allowed()}"
        if self.drifts:
            top = self.drifts[0]
            text += f" (largest drift {percent(top.fraction)}, {top.question} {top.part})"
        return text


def verify(course: Course, assignment_id: str,
           progress: Callable[[str], None] | None = None,
           notebooks: Sequence[str] | None = None,
           max_drift: float = MAX_DRIFT) -> VerifyReport:
    """Rebuild in a temporary folder and report every difference (no problems: verified).

    On the machine recorded in the manifest's ``built_on`` the rebuild must be
    byte-identical; anywhere else floats may drift by ``max_drift`` of their question's
    tolerance (see :mod:`autograder.fixture_drift`).  ``notebooks`` limits the rebuild to
    those notebooks (the hashes are checked for all).
    """
    here = machine_identity()
    committed = course.fixtures_dir(assignment_id)
    manifest_path = committed / MANIFEST
    if not manifest_path.is_file():
        return VerifyReport(assignment_id, "bitwise", None, here, max_drift, [
            f"{assignment_id}: no fixtures yet (run `d2l-grade fixtures build`)"])
    manifest = json.loads(manifest_path.read_text())
    try:
        secret = case_secret(course)
    except SpecError as exc:
        return VerifyReport(assignment_id, "bitwise", None, here, max_drift, [str(exc)])
    if manifest.get("case_secret") != secret_fingerprint(secret):
        return VerifyReport(assignment_id, "bitwise", None, here, max_drift, [
            f"{assignment_id}: built with another case secret than "
            f"{course.case_secret_file.name} holds (rotated?): run `d2l-grade fixtures "
            "build`, then `d2l-grade release`"])
    built_on = manifest.get("built_on")
    mode: Literal["bitwise", "tolerance"] = "bitwise" if built_on == here else "tolerance"
    report = VerifyReport(assignment_id, mode, built_on, here, max_drift)
    problems = report.problems
    for rel, digest in manifest.get("files", {}).items():
        path = committed / rel
        if not path.is_file():
            problems.append(f"{assignment_id}: {rel} is listed in the manifest but missing")
        elif _sha256(path) != digest:
            problems.append(f"{assignment_id}: {rel} does not match its sha256 in the manifest")
    with tempfile.TemporaryDirectory(prefix="d2l-verify-") as tmp:
        fresh = build(course, assignment_id, Path(tmp), progress, notebooks)
        for nb_name in fresh.notebooks:
            if mode == "bitwise":
                problems += _bitwise(f"{assignment_id}/{nb_name}", committed / nb_name,
                                     Path(tmp) / nb_name)
            else:
                _tolerant(report, f"{assignment_id}/{nb_name}", committed / nb_name,
                          Path(tmp) / nb_name)
        listed = {rel for rel in manifest.get("files", {})
                  if rel.split("/", 1)[0] in fresh.notebooks}
        extra = set(fresh.files) ^ listed
        for rel in sorted(extra):
            problems.append(f"{assignment_id}: {rel} is in only one of the build and the manifest")
    report.drifts.sort(key=lambda d: (-d.fraction, d.question, d.part))
    return report


def _bitwise(where: str, old_dir: Path, new_dir: Path) -> list[str]:
    """Every bitwise difference between a notebook's committed and rebuilt fixtures."""
    problems: list[str] = []
    for stem in (PLAN, EXPECTED):
        try:
            old_tree, old_arrays = wire.read_raw(old_dir / stem)
        except wire.WireError as exc:
            problems.append(f"{where}/{stem}: {exc}")
            continue
        new_tree, new_arrays = wire.read_raw(new_dir / stem)
        if stem == EXPECTED:
            loose = _invariant_keys(wire.read(new_dir / PLAN))
            if loose:
                old_tree, old_arrays = _structure_of(old_dir / stem, loose)
                new_tree, new_arrays = _structure_of(new_dir / stem, loose)
        problems += _differences(f"{where}/{stem}", old_tree, old_arrays,
                                 new_tree, new_arrays)
    return problems


def _tolerant(report: VerifyReport, where: str, old_dir: Path, new_dir: Path) -> None:
    """Compare a notebook's committed and rebuilt fixtures by each question's tolerance."""
    try:
        old_plan, old_expected = wire.read(old_dir / PLAN), wire.read(old_dir / EXPECTED)
    except wire.WireError as exc:
        report.problems.append(f"{where}: {exc}")
        return
    new_plan, new_expected = wire.read(new_dir / PLAN), wire.read(new_dir / EXPECTED)
    for found in (compare_plans(old_plan, new_plan, where, report.max_drift),
                  compare_expected(old_expected, new_expected, old_plan, where, _skeleton,
                                   report.max_drift)):
        report.problems += found.problems
        report.drifts += found.drifts


def _invariant_keys(plan: dict[str, Any]) -> set[str]:
    """Cases judged by an invariant: their expected value is used for its structure only."""
    return {f"{q['name']}/{c['id']}" for q in plan["questions"] if q["judge"] == "invariant"
            for c in q["cases"]}


def _skeleton(v: Any) -> Any:
    """``v`` reduced to types, dtypes and shapes (arrays and floats lose their values)."""
    if isinstance(v, torch.Tensor | np.ndarray):
        return f"{type(v).__name__}:{v.dtype}:{list(v.shape)}"
    if type(v) is float:
        return "float"
    if type(v) in (list, tuple):
        return [_skeleton(x) for x in v]
    if type(v) is dict:
        return {k: _skeleton(x) for k, x in v.items()}
    return v


def _structure_of(path: Path, keys: set[str]) -> tuple[Any, dict[str, np.ndarray]]:
    """The stored expected values with those of ``keys`` reduced to types, dtypes, shapes.

    An invariant question's expected value is often the end of a training run (thousands
    of float32 steps), whose last bits may differ on another CPU; no verdict reads those
    bits, so verification compares what verdicts do read.
    """
    expected = wire.read(path)
    return wire.encode({k: _skeleton(v) if k in keys else v for k, v in expected.items()})


def _differences(where: str, old_tree: Any, old_arrays: dict[str, np.ndarray],
                 new_tree: Any, new_arrays: dict[str, np.ndarray]) -> list[str]:
    """Bitwise differences between two stored values (structure, then each array)."""
    if old_tree != new_tree:
        return [f"{where}: the structure or a scalar value differs from a fresh build"]
    out = []
    for key in sorted(set(old_arrays) | set(new_arrays)):
        a, b = old_arrays.get(key), new_arrays.get(key)
        if a is None or b is None:
            out.append(f"{where}: array {key} exists in only one build")
        elif a.dtype != b.dtype or a.shape != b.shape:
            out.append(f"{where}: array {key} is {a.dtype}{list(a.shape)} committed, "
                       f"{b.dtype}{list(b.shape)} rebuilt")
        elif not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
            diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
            out.append(f"{where}: array {key} differs in {int((diff != 0).sum())} elements, "
                       f"greatest difference {np.nanmax(diff):.3g}")
    return out


def load_fixtures(course: Course, assignment_id: str, notebook: str) -> tuple[Any, Any]:
    """The committed plan and expected outputs of one notebook (trusted files)."""
    folder = course.fixtures_dir(assignment_id, notebook)
    if not (folder / f"{PLAN}.json").is_file():
        raise FileNotFoundError(
            f"no fixtures for {assignment_id}/{notebook}; run `d2l-grade fixtures build`")
    return wire.read(folder / PLAN), wire.read(folder / EXPECTED)
