"""Second review, finding 3b: hidden inputs could be rebuilt from public files.

Every case's seed was ``crc32(assignment/notebook/question/case)``, a rule that ships in
the public otter zip (``spec.py``), so a student could redraw each hidden case's inputs at
home and hand in a table of answers.  Hidden cases now mix a per-course secret into their
seeds (``solutions/case-secret``, kept with the fixtures and in no released file);
public cases keep the public rule.
"""

from __future__ import annotations

import io
import shutil
import zipfile

import torch

from autograder import wire
from autograder.course import find_course
from autograder.fixtures import MANIFEST, build, case_secret, verify, write_case_secret
from autograder.spec import case_seed

from ..conftest import CH03, ROOT

COURSE = find_course(ROOT)


def _plans():
    for aid in COURSE.assignment_ids():
        for nb in COURSE.spec(aid).notebooks:
            plan = wire.read(COURSE.fixtures_dir(aid, nb.name) / "plan")
            yield aid, nb, plan


def _same(a, b) -> bool:
    """Two case inputs (nested args) are the same, tensors compared exactly."""
    ta, aa = wire.encode(a)
    tb, ab = wire.encode(b)
    return ta == tb and aa.keys() == ab.keys() and all(
        aa[k].shape == ab[k].shape and (aa[k] == ab[k]).all() for k in aa)


def test_hidden_inputs_cannot_be_redrawn_from_the_public_rule():
    secret = case_secret(COURSE)
    redrawable, hidden, seeded = [], 0, 0
    for aid, nb, plan in _plans():
        for qplan in plan["questions"]:
            q = nb.question(qplan["name"])
            makers = dict(zip(q.case_ids(), q.cases, strict=True))
            for case in qplan["cases"]:
                where = f"{aid}/{nb.name}/{q.name}/{case['id']}"
                public_seed = case_seed(aid, nb.name, q.name, case["id"])
                if case["public"]:
                    assert case["seed"] == public_seed, where
                    continue
                hidden += 1
                assert case["seed"] == case_seed(aid, nb.name, q.name, case["id"], secret)
                assert case["seed"] != public_seed, where
                # What a student could draw at home with the public rule.
                made = makers[case["id"]].make(torch.Generator().manual_seed(public_seed))
                other = makers[case["id"]].make(torch.Generator().manual_seed(public_seed + 1))
                if _same((list(made.args), made.kwargs), (list(other.args), other.kwargs)):
                    continue  # fixed inputs: the seed draws nothing (seeding the call only)
                seeded += 1
                if _same((list(made.args), dict(made.kwargs)),
                         (case["args"], case["kwargs"])):
                    redrawable.append(where)
    assert hidden > 300 and seeded > 100, (hidden, seeded)
    assert redrawable == []


def test_the_secret_is_in_no_released_file():
    text = COURSE.case_secret_file.read_text().strip()
    assert len(bytes.fromhex(text)) >= 16
    released = [p for p in COURSE.assignments.rglob("*") if p.is_file()]
    released += [p for p in (ROOT / "build" / "otter").rglob("*.zip")]
    assert len(released) > 50
    blobs = []
    for path in released:
        data = path.read_bytes()
        blobs.append((str(path), data))
        if path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                blobs += [(f"{path}:{n}", zf.read(n)) for n in zf.namelist()]
    for where, data in blobs:
        assert text.encode() not in data and bytes.fromhex(text) not in data, where
    # The student image never holds solutions/ (tests/test_hub_config.py checks its
    # Dockerfile); the ignore file of its build context keeps the secret out as well.
    ignore = (ROOT / "deploy" / "Dockerfile.student.dockerignore").read_text()
    assert "solutions" not in [ln.strip("/ ") for ln in ignore.splitlines()
                               if ln.startswith("!")]


def test_rotating_the_secret_changes_the_hidden_inputs_only(tmp_path):
    shutil.copytree(ROOT / "solutions" / CH03, tmp_path / "solutions" / CH03)
    shutil.copy(COURSE.case_secret_file, tmp_path / "solutions" / "case-secret")
    course = find_course(tmp_path)
    before = wire.read(course.fixtures_dir(CH03, "linear_softmax") / "plan")
    write_case_secret(course)
    problems = verify(course, CH03, notebooks=["linear_softmax"]).problems
    assert problems and "another case secret" in problems[0], problems
    build(course, CH03)
    assert verify(course, CH03, notebooks=["linear_softmax"]).problems == []
    after = wire.read(course.fixtures_dir(CH03, "linear_softmax") / "plan")
    changed = []
    for qa, qb in zip(before["questions"], after["questions"], strict=True):
        for ca, cb in zip(qa["cases"], qb["cases"], strict=True):
            if ca["public"]:
                assert ca["seed"] == cb["seed"] and _same(ca["args"], cb["args"])
            else:
                assert ca["seed"] != cb["seed"]
                changed.append(not _same((ca["args"], ca["kwargs"]), (cb["args"], cb["kwargs"])))
    assert any(changed)
    assert (course.fixtures_dir(CH03) / MANIFEST).is_file()
    assert (course.case_secret_file.stat().st_mode & 0o077) == 0  # mode 600
