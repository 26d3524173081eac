"""The hosted course on a real JupyterHub on loopback, through its APIs and in a browser.

One hub for the module (local mode of jupyterhub_config.py: configurable-http-proxy from
npm, the simple spawner, shared passwords).  The instructor releases chapter 3 with
nbgrader; alice fetches it through the Assignments API, fills in the answers through the
contents API, runs every cell (the check cells among them) in a real kernel, validates
and submits; bob submits a wrong softmax; the instructor collects and runs
``d2l-grade autograde``; the scores are in the gradebook and in the formgrader's API.
Then headless Chromium (Debian's, driven by Playwright) does the same as a person would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.hub_demo import CONFIG, HubError, set_up_course, start_hub

from .conftest import CH03, MISTAKES_DIR, ROOT
from .hub_kernel import Kernel

CHP = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BIN = Path(sys.executable).parent
ARTIFACTS = Path(os.environ.get("D2L_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts"))


def _need(found: bool, what: str) -> None:
    if not found:
        if os.environ.get("CI"):  # CI installs these: their absence is a failure
            pytest.fail(f"{what} is missing")
        pytest.skip(f"{what} is missing (scripts/setup.sh installs it)")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    _need(CHP.exists(), f"configurable-http-proxy ({CHP})")
    _need((BIN / "jupyterhub").exists(), "jupyterhub")
    hub = start_hub(tmp_path_factory.mktemp("hub"), course_id="dl101")
    try:
        hub.add_users("instructor", "alice", "bob", "carol")
        set_up_course(hub, ROOT, [CH03])
        yield hub
    finally:
        hub.stop()


def _answers(source: Path) -> dict[str, str]:
    """The answer cells (nbgrader solution cells) of a notebook, by cell id."""
    nb = nbformat.read(source, as_version=4)
    return {c.id: c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def _fetch_and_fill(hub, user: str, answers_from: Path) -> dict:
    """Fetch chapter 3 through the Assignments API, fill it through the contents API."""
    listing = hub.server(user, "GET", "assignments", params={"course_id": "dl101"}).json()
    assert [a["assignment_id"] for a in listing["value"]] == [CH03]
    assert listing["value"][0]["status"] == "released"
    fetched = hub.server(user, "POST", "assignments/fetch",
                         data={"course_id": "dl101", "assignment_id": CH03}).json()
    assert fetched["value"][0]["status"] == "fetched"
    path = f"api/contents/{CH03}/linear_softmax.ipynb"
    model = hub.server(user, "GET", path).json()
    answers = _answers(answers_from)
    filled = 0
    for cell in model["content"]["cells"]:
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]]
            filled += 1
    assert filled == 13
    hub.server(user, "PUT", path, json={"type": "notebook", "format": "json",
                                         "content": model["content"]})
    return model["content"]


def _submit(hub, user: str) -> None:
    result = hub.server(user, "POST", "assignments/submit",
                        data={"course_id": "dl101", "assignment_id": CH03}).json()
    assert result.get("success", True), result
    statuses = {a["status"] for a in result["value"]}
    assert "submitted" in statuses, result


@pytest.fixture(scope="module")
def graded(hub):
    """The whole round trip; returns what each step showed."""
    seen: dict = {}
    # alice: fetch, fill, run every cell in a real kernel, validate, submit.
    hub.start_server("alice")
    nb = _fetch_and_fill(hub, "alice", ROOT / "examples" / CH03 / "correct.ipynb")
    kernel = Kernel(hub, "alice", path=CH03)
    try:
        checks = {}
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            text, error = kernel.run(cell["source"])
            assert error is None, (cell["id"], text[-2000:])
            if cell["source"].startswith("check("):
                checks[cell["id"]] = text
        seen["checks"] = checks
        seen["kernel_user"], _ = kernel.run("import os; print(os.environ['JUPYTERHUB_USER'])")
    finally:
        kernel.close()
    seen["validate"] = hub.server("alice", "POST", "assignments/validate",
                                  data={"path": f"{CH03}/linear_softmax.ipynb"}).json()
    _submit(hub, "alice")
    # bob: a softmax that normalises by the whole tensor's sum.
    hub.start_server("bob")
    _fetch_and_fill(hub, "bob", MISTAKES_DIR / "mistake_softmax_no_row_norm.ipynb")
    _submit(hub, "bob")
    # The instructor collects and grades (what they would type in a terminal of their server).
    course = hub.home("instructor") / "course"
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    collect = subprocess.run([str(BIN / "nbgrader"), "collect", CH03,
                              "--CollectApp.check_owner=False"], cwd=course, env=env,
                             capture_output=True, text=True, timeout=300)
    assert collect.returncode == 0, collect.stderr[-2000:]
    auto = subprocess.run([sys.executable, "-m", "autograder", "autograde", CH03,
                           "--course-dir", str(course), "--workers", "2"], cwd=course,
                          env=env, capture_output=True, text=True, timeout=900)
    assert auto.returncode == 0, auto.stderr[-2000:]
    seen["autograde"] = auto.stdout
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dl101") as gb:
        seen["gradebook"] = {s.student.id: s.score for s in
                             gb.find_assignment(CH03).submissions}
    hub.start_server("instructor")
    seen["formgrader"] = hub.server("instructor", "GET",
                                    f"formgrader/api/submissions/{CH03}").json()
    return seen


def test_round_trip_through_the_hub(graded):
    checks = graded["checks"]
    assert len(checks) == 13
    for cell_id, text in checks.items():
        assert "✓" in text and "✗" not in text, (cell_id, text)
    assert graded["kernel_user"].strip() == "alice"
    # nbgrader's validate ran the filled notebook: nothing failed, no locked cell changed.
    validate = graded["validate"]
    assert validate["success"], validate
    assert not {"failed", "changed", "type_changed"} & set(validate["value"]), validate
    assert "2 submitted notebooks, 0 already graded, 2 to grade" in graded["autograde"]
    # nbgrader recorded each student under their hub name, with our scores.
    assert graded["gradebook"] == {"alice": 18.0, "bob": 16.0}
    api = {s["student"]: s["score"] for s in graded["formgrader"]}
    assert api == {"alice": 18.0, "bob": 16.0}


def test_hub_refuses_a_bad_mode(tmp_path):
    env = dict(os.environ, D2L_HUB_MODE="mainframe", D2L_HUB_STATE=str(tmp_path))
    proc = subprocess.run([str(BIN / "jupyterhub"), "-f", str(CONFIG), "--show-config"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "D2L_HUB_MODE must be" in proc.stderr + proc.stdout


def test_a_dead_hub_is_reported(tmp_path):
    env = {"D2L_HUB_MODE": "mainframe"}
    with pytest.raises(HubError, match="jupyterhub exited"):
        start_hub(tmp_path, timeout=60, extra_env=env)
