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

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.course import find_course
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
    hub = start_hub(tmp_path_factory.mktemp("hub"), course_id="dl101",
                    users=("alice", "bob", "carol"))
    try:
        hub.add_users("instructor", "alice", "bob", "carol")
        set_up_course(hub, ROOT, [CH03])
        yield hub
    finally:
        hub.stop()
        assert hub.leftovers() == [], "the hub left processes running"


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
    # The formgrader's autograde button records the stored verdict; it runs no kernel.
    (course / "autograded" / "bob").rename(course / "autograded-before")
    seen["button"] = hub.server("instructor", "POST",
                                f"formgrader/api/submission/{CH03}/bob/autograde").json()
    regraded = nbformat.read(course / "autograded" / "bob" / CH03 / "linear_softmax.ipynb",
                             as_version=4)
    seen["button_outputs"] = json.dumps([c.get("outputs", []) for c in regraded.cells])
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
    # Each student hands in every notebook of the chapter (the unfilled ones score 0).
    n = 2 * len(find_course(ROOT).spec(CH03).notebooks)
    assert f"{n} submitted notebooks, 0 already graded, {n} to grade" in graded["autograde"]
    # nbgrader recorded each student under their hub name, with our scores.
    assert graded["gradebook"] == {"alice": 18.0, "bob": 16.0}
    api = {s["student"]: s["score"] for s in graded["formgrader"]}
    assert api == {"alice": 18.0, "bob": 16.0}
    assert graded["button"]["success"], graded["button"]
    assert "D2LFailed" in graded["button_outputs"]  # our verdict, not an executed cell
    assert "passed (d2l-grade)" in graded["button_outputs"]


def test_hub_refuses_a_bad_mode(tmp_path):
    env = dict(os.environ, D2L_HUB_MODE="mainframe", D2L_HUB_STATE=str(tmp_path))
    proc = subprocess.run([str(BIN / "jupyterhub"), "-f", str(CONFIG), "--show-config"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "D2L_HUB_MODE must be" in proc.stderr + proc.stdout


def test_a_dead_hub_is_reported(tmp_path):
    env = {"D2L_HUB_MODE": "mainframe"}
    with pytest.raises(HubError, match="jupyterhub exited"):
        start_hub(tmp_path, timeout=60, extra_env=env)


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage"]


def _login(page, hub, user: str, password: str) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def test_in_a_browser(hub, graded):
    _need(Path(CHROMIUM).exists(), f"chromium ({CHROMIUM})")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(180_000)
            # carol logs in; her server starts; JupyterLab opens.
            _login(page, hub, "carol", hub.password)
            page.wait_for_url("**/user/carol/lab**")
            page.wait_for_selector("text=Nbgrader")
            page.screenshot(path=str(ARTIFACTS / "hub-student-lab.png"))
            # The Assignments tab: fetch chapter 3, open its notebook.
            page.get_by_text("Nbgrader", exact=True).click()
            page.get_by_text("Assignment List", exact=True).click()
            page.get_by_role("button", name="Fetch").click()
            page.wait_for_selector("text=Downloaded assignments")
            page.screenshot(path=str(ARTIFACTS / "hub-student-assignments.png"))
            page.locator("#fetched_assignments_list").get_by_text(CH03).first.click()
            page.locator("#fetched_assignments_list").get_by_text("linear_softmax").first \
                .click()
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            page.wait_for_selector("text=| Idle")  # the kernel has started
            # Run every cell, then go back to the first check cell and read its verdict.
            page.get_by_text("Run", exact=True).first.click()
            page.get_by_text("Run All Cells", exact=True).click()
            # Lab follows the running cell and renders only what is in view: scroll back to
            # the top until the first check cell's verdict shows (once the cells have run).
            deadline = time.monotonic() + 240
            while True:
                page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").first.evaluate(
                    "element => element.scrollTop = 0")
                try:
                    verdict = page.wait_for_selector("text=public cases passed", timeout=3000)
                    break
                except PlaywrightTimeout:
                    if time.monotonic() > deadline:
                        page.screenshot(path=str(ARTIFACTS / "hub-student-no-verdict.png"))
                        raise AssertionError("no verdict after Run All Cells") from None
            text = verdict.text_content() or ""
            page.screenshot(path=str(ARTIFACTS / "hub-student-check.png"))
            assert "✗ synthetic_data: 0 of 1 public cases passed" in text, text
            assert "not implemented" in text, text

            # The instructor opens the formgrader and sees alice's and bob's scores.
            teacher = browser.new_page(viewport={"width": 1400, "height": 900})
            teacher.set_default_timeout(180_000)
            _login(teacher, hub, "instructor", hub.admin_password)
            teacher.wait_for_url("**/user/instructor/lab**")
            teacher.goto(f"{hub.url}/user/instructor/formgrader/manage_submissions/{CH03}")
            teacher.wait_for_selector("text=alice")
            body = teacher.inner_text("body")
            teacher.screenshot(path=str(ARTIFACTS / "hub-instructor-formgrader.png"))
            assert "bob" in body and "18" in body and "16" in body, body[:2000]
        finally:
            browser.close()
    for shot in ("hub-student-check.png", "hub-instructor-formgrader.png"):
        assert (ARTIFACTS / shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
