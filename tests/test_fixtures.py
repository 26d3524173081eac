"""Fixtures are reproducible, hashed, versioned, and tampering is caught.

On the machine that built them (the manifest's ``built_on``) a rebuild is compared
bitwise; on any other machine, or with ``built_on: null``, each float is compared with its
question's tolerance, and exact things (ints, shapes, dtypes, structure) stay exact.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest

from autograder import wire
from autograder.compare import PYTHON_FLOAT_TOLERANCE
from autograder.course import find_course
from autograder.fixture_drift import MAX_DRIFT, percent
from autograder.fixtures import MANIFEST, build, machine_identity, verify

from .conftest import CH03, ROOT, run_cli

NB = "linear_softmax"
#: A machine that built nothing here: verification compares by tolerance.
ELSEWHERE = {**machine_identity(), "cpu": "Some Other CPU", "isa": ["avx512f"]}


def test_verify_passes_on_the_checkout():
    proc = run_cli("fixtures", "verify")
    assert proc.returncode == 0, proc.stderr
    assert "fixtures match a fresh build" in proc.stdout


def test_manifest_records_hashes_versions_and_seeds(course):
    manifest = json.loads((course.fixtures_dir(CH03) / MANIFEST).read_text())
    spec = course.spec(CH03)
    assert set(manifest["built_with"]) == {"torch", "numpy", "python"}
    assert "built_on" in manifest  # null: built before machines were recorded
    assert set(manifest["files"]) == {f"{nb.name}/{stem}.{ext}" for nb in spec.notebooks
                                      for stem in ("plan", "expected")
                                      for ext in ("json", "npz")}
    assert all(len(h) == 64 for h in manifest["files"].values())
    cases = sum(len(q.cases) for nb in spec.notebooks for q in nb.questions)
    assert cases > 39  # linear_softmax alone has 39
    assert len(manifest["seeds"]) == cases
    assert len(set(manifest["seeds"].values())) == cases  # every case has its own seed


def _course_copy(tmp_path):
    shutil.copytree(ROOT / "solutions" / CH03, tmp_path / "solutions" / CH03)
    shutil.copy(ROOT / "solutions" / "case-secret", tmp_path / "solutions" / "case-secret")
    return find_course(tmp_path)


def _manifest(course) -> dict:
    return json.loads((course.fixtures_dir(CH03) / MANIFEST).read_text())


def _rewrite_manifest(course, built_on=None, rehash=False) -> None:
    """Set ``built_on``; with ``rehash`` also accept the files as they are now, so that a
    test sees only the comparison with a fresh build, not the sha256 check."""
    folder = course.fixtures_dir(CH03)
    manifest = _manifest(course)
    manifest["built_on"] = built_on
    if rehash:
        manifest["files"] = {rel: hashlib.sha256((folder / rel).read_bytes()).hexdigest()
                             for rel in manifest["files"]}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _array_of(stem, case: str) -> tuple:
    """The raw tree, the arrays and the array key holding expected value ``case``."""
    tree, arrays = wire.read_raw(stem)
    node = dict(tree["$dict"])[case]
    return tree, arrays, node["$tensor"]


def _nudge_expected(course, case: str, step) -> tuple[np.ndarray, np.ndarray]:
    """Replace element 0 of a stored float32 expected array by ``step(old)``; returns the
    array before and after.  Only that array's bytes change."""
    stem = course.fixtures_dir(CH03, NB) / "expected"
    tree, arrays, key = _array_of(stem, case)
    before = arrays[key].copy()
    arrays[key] = before.copy()
    arrays[key].flat[0] = step(before.flat[0])
    wire.write_encoded(stem, tree, arrays)
    return before, arrays[key]


def _fraction(before: np.ndarray, after: np.ndarray, rtol=1e-5, atol=1e-6) -> float:
    """The drift of a rebuild giving ``before`` against the committed ``after``, for the
    float32 default tolerance (compare() scales by the committed value)."""
    committed = after.astype(np.float64)
    diff = np.abs(committed - before.astype(np.float64))
    return float((diff / (atol + rtol * np.abs(committed))).max())


def _drift(report, question: str, part: str = "expected"):
    return next(d for d in report.drifts
                if d.question == f"{CH03}/{NB}/{question}" and d.part == part)


def test_committed_manifests_record_built_on_in_builds_format():
    """The key was added by hand (the fixtures' bytes must not change): the file must still
    be exactly what ``build`` writes, and ``null`` means "compare by tolerance"."""
    for path in sorted((ROOT / "solutions").glob("*/fixtures/manifest.json")):
        text = path.read_text()
        manifest = json.loads(text)
        assert "built_on" in manifest, path
        assert text == json.dumps(manifest, indent=1, sort_keys=True) + "\n", path


def test_machine_identity_names_the_cpu_and_kernels():
    here = machine_identity()
    assert here["cpu"] and here["threads"] == 1
    assert set(here) >= {"isa", "torch_cpu_capability", "torch", "numpy", "torch_mkl",
                         "torch_mkldnn", "numpy_blas"}
    assert json.loads(json.dumps(here)) == here  # stored as is in the manifest


def test_verify_catches_a_changed_expected_value(tmp_path):
    course = _course_copy(tmp_path)
    _rewrite_manifest(course, built_on=None)  # judged by tolerance, as on another machine
    stem = course.fixtures_dir(CH03, NB) / "expected"
    expected = wire.read(stem)
    expected["softmax/h1"] = expected["softmax/h1"] + 1e-3
    wire.write(stem, expected)
    problems = verify(course, CH03).problems
    assert any("does not match its sha256" in p for p in problems), problems
    assert any("softmax: expected output drifts" in p for p in problems), problems


def test_verify_catches_a_changed_input(tmp_path):
    course = _course_copy(tmp_path)
    _rewrite_manifest(course, built_on=None)  # judged by tolerance, as on another machine
    stem = course.fixtures_dir(CH03, NB) / "plan"
    tree, arrays = wire.read_raw(stem)
    key = sorted(arrays)[0]
    arrays[key] = np.asarray(arrays[key]).copy()
    arrays[key].flat[0] += 1
    wire.write_encoded(stem, tree, arrays)
    problems = verify(course, CH03).problems
    assert any("input (plan) drifts" in p for p in problems), problems


def test_verify_without_fixtures_says_how_to_build(tmp_path):
    course = _course_copy(tmp_path)
    shutil.rmtree(course.fixtures_dir(CH03))
    assert verify(course, CH03).problems == [
        f"{CH03}: no fixtures yet (run `d2l-grade fixtures build`)"]
    proc = run_cli("fixtures", "verify", "--root", str(tmp_path))
    assert proc.returncode == 1 and "fixtures build" in proc.stderr


def test_build_is_byte_deterministic_and_records_the_machine(tmp_path):
    """Two builds on one machine give the same bytes; the manifest names that machine and
    differs from the committed one only where the build machine shows (built_on, and the
    hashes of files whose floats came out differently on this CPU)."""
    course = _course_copy(tmp_path)
    _rewrite_manifest(course, built_on=None)  # as if built elsewhere (unrecorded)
    committed = _manifest(course)
    # Rebuilding one notebook beside files built elsewhere (here: unrecorded) names no
    # machine: the kept files would not verify bitwise here.
    build(course, CH03, notebooks=[NB])
    assert _manifest(course)["built_on"] is None
    build(course, CH03)
    before = {p.name: p.read_bytes() for p in course.fixtures_dir(CH03).rglob("*") if p.is_file()}
    proc = run_cli("fixtures", "build", CH03, "--root", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    after = {p.name: p.read_bytes() for p in course.fixtures_dir(CH03).rglob("*") if p.is_file()}
    assert before == after
    rebuilt = _manifest(course)
    assert rebuilt["built_on"] == machine_identity()
    assert set(rebuilt) == set(committed)
    assert {k: v for k, v in rebuilt.items() if k not in ("built_on", "files")} == {
        k: v for k, v in committed.items() if k not in ("built_on", "files")}
    assert set(rebuilt["files"]) == set(committed["files"])
    # Rebuilt on this machine, the fixtures are verified bitwise.
    report = verify(course, CH03, notebooks=[NB])
    assert report.mode == "bitwise" and report.problems == [] and report.drifts == []
    build(course, CH03, notebooks=[NB])  # everything still from this machine
    assert _manifest(course)["built_on"] == machine_identity()


def test_one_ulp_on_another_machine_passes_and_is_reported(tmp_path):
    course = _course_copy(tmp_path)
    before, after = _nudge_expected(course, "softmax/h1", lambda x: np.nextafter(x, np.inf))
    _rewrite_manifest(course, ELSEWHERE, rehash=True)
    report = verify(course, CH03, notebooks=[NB])
    assert report.mode == "tolerance" and report.built_on == ELSEWHERE
    assert report.problems == []
    drift = _drift(report, "softmax")
    assert 0 < _fraction(before, after) <= drift.fraction <= MAX_DRIFT
    assert (drift.rtol, drift.atol) == (1e-5, 1e-6)  # float32 defaults: softmax sets none
    assert "Some Other CPU" in report.reason() and "tolerance" in report.reason()


@pytest.mark.parametrize("size, max_drift", [(0.05, 0.01), (2 * MAX_DRIFT, MAX_DRIFT)])
def test_drift_above_the_allowed_fraction_fails(tmp_path, size, max_drift):
    course = _course_copy(tmp_path)
    before, after = _nudge_expected(
        course, "softmax/h1", lambda x: np.float32(x + size * (1e-6 + 1e-5 * abs(x))))
    _rewrite_manifest(course, None, rehash=True)
    report = verify(course, CH03, notebooks=[NB], max_drift=max_drift)
    drift = _drift(report, "softmax")
    assert drift.fraction >= _fraction(before, after) > max_drift
    message = [p for p in report.problems if f"{CH03}/{NB}/softmax:" in p]
    assert len(message) == 1, report.problems
    assert percent(drift.fraction) in message[0] and "expected output drifts" in message[0]
    assert f"at most {percent(max_drift)} is allowed" in message[0]


def test_a_changed_integer_fails(tmp_path):
    """Integers are exact on every machine: an int64 input array and an int in the tree."""
    course = _course_copy(tmp_path)
    stem = course.fixtures_dir(CH03, NB) / "plan"
    plan = wire.read(stem)
    questions = {q["name"]: q for q in plan["questions"]}
    labels = questions["cross_entropy"]["cases"][1]["args"][1]
    assert labels.dtype.is_floating_point is False
    labels[0] = (labels[0] + 1) % 5
    sgd_args = questions["sgd"]["cases"][1]["args"]
    assert type(sgd_args[2]) is int
    sgd_args[2] += 1
    wire.write(stem, plan)
    _rewrite_manifest(course, ELSEWHERE, rehash=True)
    problems = verify(course, CH03, notebooks=[NB]).problems
    assert any("cross_entropy (plan): h1 args[1]" in p and "exact values differ" in p
               for p in problems), problems
    assert any("sgd (plan): h1 args[2]: 5 committed, 4 rebuilt" in p for p in problems), problems


@pytest.mark.parametrize("size, passes", [(MAX_DRIFT / 2, True), (2 * MAX_DRIFT, False)])
def test_a_float_in_the_json_tree_is_judged_by_tolerance(tmp_path, size, passes):
    course = _course_copy(tmp_path)
    stem = course.fixtures_dir(CH03, NB) / "expected"
    expected = wire.read(stem)
    value = expected["accuracy/h2"]
    assert type(value) is float  # stored in the JSON tree, not in the archive
    tol = PYTHON_FLOAT_TOLERANCE
    expected["accuracy/h2"] = value + size * (tol.atol + tol.rtol * abs(value))
    wire.write(stem, expected)
    _rewrite_manifest(course, ELSEWHERE, rehash=True)
    report = verify(course, CH03, notebooks=[NB])
    assert _drift(report, "accuracy").fraction == pytest.approx(size, rel=1e-4)
    accuracy_problems = [p for p in report.problems if "/accuracy:" in p]
    assert (accuracy_problems == []) is passes, report.problems


def test_on_the_building_machine_the_comparison_is_bitwise(tmp_path):
    course = _course_copy(tmp_path)
    before, after = _nudge_expected(course, "softmax/h1", lambda x: np.nextafter(x, np.inf))
    _rewrite_manifest(course, machine_identity(), rehash=True)
    report = verify(course, CH03, notebooks=[NB])
    assert report.mode == "bitwise" and report.drifts == []
    assert "built on this machine" in report.reason() and "bitwise" in report.reason()
    ulp = float(after.flat[0]) - float(before.flat[0])
    # (bitwise messages name arrays as re-encoded without the invariant cases' values)
    assert any(p.startswith(f"{CH03}/{NB}/expected: array ") and
               p.endswith(f"differs in 1 elements, greatest difference {ulp:.3g}")
               for p in report.problems), report.problems


def test_cli_prints_the_mode_the_drift_table_and_the_verdict(tmp_path):
    course = _course_copy(tmp_path)
    _nudge_expected(course, "softmax/h1", lambda x: np.float32(x + 0.2 * (1e-6 + 1e-5 * x)))
    _rewrite_manifest(course, ELSEWHERE, rehash=True)
    args = ("fixtures", "verify", CH03, "--root", str(tmp_path), "--notebook", NB)
    proc = run_cli(*args, "--all")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert any(line.startswith(f"{CH03}: built on Some Other CPU") and
               "verifying on" in line and "against its question's tolerance" in line
               for line in lines), proc.stdout
    start = next(i for i, line in enumerate(lines) if line.startswith("drift, largest first"))
    end = next(i for i, line in enumerate(lines) if line.startswith("findings ("))
    table = [line.strip() for line in lines[start + 1:end]]
    softmax = [line for line in table if line.startswith(f"{CH03}/{NB}/softmax  expected  drift")]
    assert softmax and "of tolerance (rtol 1e-05, atol 1e-06)" in softmax[0], proc.stdout
    fractions = [float(line.split("  drift ")[1].split(" %")[0]) for line in table]
    assert fractions == sorted(fractions, reverse=True)
    assert lines[end].startswith("findings (drift above 10 % of tolerance): ")
    assert any(line.strip().startswith(f"{CH03}/{NB}/softmax  expected  drift ")
               for line in lines[end + 1:]), proc.stdout  # 20 % is a finding
    assert f"{CH03}: fixtures match a fresh build within 25 % of each question's tolerance" \
        in proc.stdout
    strict = run_cli(*args, "--max-drift", "0.1")
    assert strict.returncode == 1
    assert f"{CH03}/{NB}/softmax: expected output drifts" in strict.stderr, strict.stderr


def test_unknown_assignment_is_a_usage_error():
    proc = run_cli("fixtures", "build", "ch99_nothing")
    assert proc.returncode == 2 and "unknown assignment 'ch99_nothing'" in proc.stderr


def test_verify_reads_only_the_structure_of_invariant_cases(tmp_path):
    """A trained result's last bits may differ on another CPU; no verdict reads them."""
    course = _course_copy(tmp_path)
    stem = course.fixtures_dir(CH03, "linear_softmax") / "expected"
    expected = wire.read(stem)
    assert isinstance(expected["synthetic_data/h1"], tuple | list)  # judged by an invariant
    expected["synthetic_data/h1"] = type(expected["synthetic_data/h1"])(
        x + 1e-3 for x in expected["synthetic_data/h1"])
    wire.write(stem, expected)
    problems = verify(course, CH03, notebooks=["linear_softmax"]).problems
    assert [p for p in problems if "sha256" not in p] == []
    # A different shape is still a difference.
    expected["synthetic_data/h1"] = type(expected["synthetic_data/h1"])(
        x[:-1] for x in expected["synthetic_data/h1"])
    wire.write(stem, expected)
    problems = verify(course, CH03, notebooks=["linear_softmax"]).problems
    assert any("structure" in p for p in problems), problems
