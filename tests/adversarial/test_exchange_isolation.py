"""Second review, finding 6: in the container modes students shared one read-write exchange.

Every server runs as uid 1000, so file modes and nbgrader's owner check cannot tell
students apart: with the old shared volume any student could read every classmate's
submission in ``inbound/`` and hand in under another id by editing their own nbgrader
config.  Here the hub's own spawn hook (docker mode, jupyterhub_config.py) decides the
mounts, bubblewrap carries them out exactly as Docker would (read-only where the hook says
so), and the real nbgrader commands run inside: fetch, submit, fetch_feedback for the
students, collect and release_feedback (the per-student classes) for the instructor.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.hub_setup import write_user_files

from ..conftest import ROOT
from ..test_hub_config import FakeSpawner, load_config_file

EXCHANGE = "/srv/nbgrader/exchange"  # where every server sees the exchange
COURSE = "dl101"
BIN = Path(sys.executable).parent


def _notebook(marker: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"answer = {marker!r}")]
    return nbformat.writes(nb)


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """The docker mode's spawn hook, with the exchange's host folder in tmp_path."""
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed")
    for name in list(os.environ):
        if name.startswith("D2L_"):
            monkeypatch.delenv(name)
    host = tmp_path / "host-exchange"
    for name, value in {"D2L_HUB_MODE": "docker", "D2L_HUB_STATE": str(tmp_path / "state"),
                        "D2L_EXCHANGE": EXCHANGE, "D2L_EXCHANGE_HOST": str(host),
                        "D2L_COURSE_ID": COURSE, "D2L_NB_UID": str(os.getuid()),
                        "D2L_NB_GID": str(os.getgid())}.items():
        monkeypatch.setenv(name, value)
    cfg = load_config_file(ROOT / "jupyterhub_config.py")
    # The instructor released ps1 (nbgrader's release is a copy into outbound/).
    release = host / COURSE / "outbound" / "ps1"
    release.mkdir(parents=True)
    (host / COURSE / "inbound").mkdir()
    (release / "ps1.ipynb").write_text(_notebook("fill me in"))
    return cfg, host, tmp_path


def _as_student(hub, user: str, script: str) -> subprocess.CompletedProcess:
    """Run ``script`` in ``user``'s server as the hub would mount it (bubblewrap binds)."""
    cfg, host, tmp = hub
    spawner = FakeSpawner(user, volumes=cfg.DockerSpawner.volumes)
    cfg.Spawner.pre_spawn_hook(spawner)
    home = tmp / "homes" / user
    home.mkdir(parents=True, exist_ok=True)
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--tmpfs", "/srv", "--tmpfs", "/home", "--bind", str(home), "/home/jovyan",
            "--dir", EXCHANGE, "--unshare-ipc", "--unshare-pid", "--die-with-parent"]
    for source, target in spawner.volumes.items():
        if isinstance(target, dict) and target["bind"].startswith(EXCHANGE):
            flag = "--ro-bind" if target["mode"] == "ro" else "--bind"
            args += [flag, source, target["bind"]]
        elif target == EXCHANGE:  # a named volume holding the whole exchange (as before)
            args += ["--bind", str(host), EXCHANGE]
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": "/home/jovyan", "LANG": "C.UTF-8",
           "JUPYTERHUB_USER": user, "PYTHONPATH": str(ROOT), **spawner.environment}
    return subprocess.run([*args, "bash", "-c", f"cd /home/jovyan && {script}"], env=env,
                          capture_output=True, text=True, timeout=300)


def _write(marker: str) -> str:
    """A shell command answering ps1 with ``marker``."""
    return (f"{sys.executable} -c \"import pathlib,sys; pathlib.Path('ps1/ps1.ipynb')"
            f".write_text(sys.argv[1])\" {shlex.quote(_notebook(marker))}")


def _hand_in(marker: str) -> str:
    """Start-up, fetch, answer, submit: what a student does."""
    return (f"{sys.executable} -m autograder.hub_setup && nbgrader fetch_assignment ps1 && "
            f"{_write(marker)} && nbgrader submit ps1")


def _instructor(hub, *args: str) -> subprocess.CompletedProcess:
    """An nbgrader command in the instructor's course, which sees the whole exchange."""
    _, host, tmp = hub
    home = tmp / "homes" / "instructor"
    if not home.exists():
        write_user_files(home, "instructor", True, COURSE, str(host), layout="per-student")
    env = dict(os.environ, HOME=str(home), PYTHONPATH=str(ROOT),
               PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=home / "course", env=env,
                          capture_output=True, text=True, timeout=300)


def test_students_see_only_their_own_and_cannot_hand_in_as_another(hub):
    _, host, tmp = hub
    alice = _as_student(hub, "alice", _hand_in("ALICE-ANSWER") +
                        f" && grep -rl ALICE-ANSWER {EXCHANGE}")
    assert alice.returncode == 0, alice.stderr[-2000:]
    assert f"{EXCHANGE}/{COURSE}/inbound/alice+ps1+" in alice.stdout  # her own, as usual

    # Bob hands in his own work, then forges her id for a second one.  His view holds
    # only his own folder (nothing of hers to copy), the released assignments are
    # read-only, and the submission he names "alice" lands in his folder.
    forge = (f"{_write('BOB-AS-ALICE')} && "
             "echo \"c.CourseDirectory.student_id = 'alice'\" >> .jupyter/nbgrader_config.py"
             " && nbgrader submit ps1")
    bob = _as_student(hub, "bob", f"{_hand_in('BOB-ANSWER')} && {forge}"
                      f"; grep -rl ALICE-ANSWER {EXCHANGE} /home; echo grep=$?"
                      f"; touch {EXCHANGE}/{COURSE}/outbound/ps1/planted; echo touch=$?")
    assert "grep=1" in bob.stdout, bob.stdout  # nothing of Alice's anywhere he can look
    assert "touch=1" in bob.stdout and "Read-only file system" in bob.stderr
    assert not (host / COURSE / "outbound" / "ps1" / "planted").exists()
    assert len(list((host / COURSE / "inbound" / "bob").glob("alice+ps1+*"))) == 1
    assert not list((host / COURSE / "inbound").glob("*+ps1+*"))  # nothing outside folders

    # The instructor collects: the folder, named by the hub, says whose a submission is;
    # the forged one, though newer than Bob's own, is nobody's.
    collect = _instructor(hub, "collect", "ps1")
    assert collect.returncode == 0, collect.stderr[-2000:]
    assert "claims to be 'alice'" in collect.stderr and "'bob'" in collect.stderr
    course = tmp / "homes" / "instructor" / "course"
    submitted = {user: (course / "submitted" / user / "ps1" / "ps1.ipynb").read_text()
                 for user in ("alice", "bob")}
    assert "ALICE-ANSWER" in submitted["alice"] and "BOB-ANSWER" in submitted["bob"]

    # Feedback: each page into its student's folder, fetched by that student only.
    for user in ("alice", "bob"):  # what generate_feedback leaves, one page per student
        page = course / "feedback" / user / "ps1"
        page.mkdir(parents=True)
        (page / "ps1.html").write_text(f"<p>FEEDBACK-FOR-{user.upper()}</p>")
        for name in ("timestamp.txt", "submission_secret.txt"):
            shutil.copy(course / "submitted" / user / "ps1" / name, page / name)
    release = _instructor(hub, "release_feedback", "ps1")
    assert release.returncode == 0, release.stderr[-2000:]
    assert [p.parent.name for p in sorted((host / COURSE / "feedback").glob("*/*.html"))] == \
        ["alice", "bob"]
    alice = _as_student(hub, "alice", "nbgrader fetch_feedback ps1 && cat ps1/feedback/*/ps1.html"
                        f"; grep -rl FEEDBACK-FOR-BOB {EXCHANGE} /home; echo grep=$?")
    assert alice.returncode == 0, alice.stderr[-2000:]
    assert "FEEDBACK-FOR-ALICE" in alice.stdout and "grep=1" in alice.stdout
