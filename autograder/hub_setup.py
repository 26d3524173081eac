"""Each hub user's Jupyter and nbgrader settings, written into their home before start.

The hub's local mode writes them from its ``pre_spawn_hook``; the container images run
``python -m autograder.hub_setup`` at start-up, which reads the same facts from the
environment the spawner sets (``D2L_ROLE``, ``D2L_COURSE_ID``, ``D2L_EXCHANGE``,
``D2L_COURSE_DIR``, ``D2L_EXCHANGE_LAYOUT``, ``JUPYTERHUB_USER``).

Why each setting (research/hub-probe.md): nbgrader takes a student's id from the OS user,
which is the same for everyone in a container or under one spawner user, so it is set to
the hub name; collect's owner check fails for the same reason; JupyterLab's formgrader
panel is an iframe that jupyterhub-singleuser forbids unless frame-ancestors allows
'self'; students should see only the Assignment List; the news toast covers the page.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

STUDENT_LAB_OFF = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:course-list",
                   "@jupyterlab/apputils-extension:announcements")
INSTRUCTOR_LAB_OFF = ("@jupyterlab/apputils-extension:announcements",)


#: nbgrader's exchange classes for the per-student layout (autograder/nbgrader_exchange.py).
PER_STUDENT_EXCHANGE = {
    "collect": "autograder.nbgrader_exchange.PerStudentCollect",
    "release_feedback": "autograder.nbgrader_exchange.PerStudentReleaseFeedback"}


def user_files(username: str, instructor: bool, course_id: str, exchange: str,
               course_dir: str = "course", layout: str = "shared",
               check_owner: bool = False) -> dict[str, str]:
    """{path relative to the home: text} for one user.

    ``layout`` is ``shared`` (nbgrader's one exchange folder: local mode) or
    ``per-student`` (the container modes: each student's container mounts only its own
    inbound and feedback folders, and the instructors collect with the classes in
    ``PER_STUDENT_EXCHANGE``).  ``check_owner``: whether each user is their own unix
    account, so that collect can check who owns a submission.
    """
    if layout not in ("shared", "per-student"):
        raise ValueError(f"exchange layout must be shared or per-student, not {layout!r}")
    lines = ["import os", "c = get_config()  # noqa: F821",
             f"c.CourseDirectory.course_id = {course_id!r}", f"c.Exchange.root = {exchange!r}"]
    if instructor:
        lines += [f"c.CourseDirectory.root = os.path.expanduser({'~/' + course_dir!r})",
                  f"c.CollectApp.check_owner = {check_owner!r}"]
        if layout == "per-student":
            lines += [f"c.ExchangeFactory.{step} = {cls!r}"
                      for step, cls in PER_STUDENT_EXCHANGE.items()]
        server: dict = {"ServerApp": {"tornado_settings": {"headers": {
            "Content-Security-Policy": "frame-ancestors 'self'"}}}}
        lab_off = INSTRUCTOR_LAB_OFF
    else:
        lines += [f"c.CourseDirectory.student_id = {username!r}"]
        server = {"ServerApp": {"jpserver_extensions": {
            "nbgrader.server_extensions.formgrader": False,
            "nbgrader.server_extensions.course_list": False}}}
        lab_off = STUDENT_LAB_OFF
    return {
        ".jupyter/nbgrader_config.py": "\n".join(lines) + "\n",
        ".jupyter/jupyter_server_config.json": json.dumps(server, indent=2) + "\n",
        ".jupyter/labconfig/page_config.json": json.dumps(
            {"disabledExtensions": {name: True for name in lab_off}}, indent=2) + "\n",
    }


def write_user_files(home: Path, username: str, instructor: bool, course_id: str,
                     exchange: str, course_dir: str = "course", layout: str = "shared",
                     check_owner: bool = False) -> list[Path]:
    """Write :func:`user_files` under ``home`` (and the instructor's course folder)."""
    written = []
    for rel, text in user_files(username, instructor, course_id, exchange, course_dir,
                                layout, check_owner).items():
        path = Path(home) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    if instructor:
        (Path(home) / course_dir).mkdir(parents=True, exist_ok=True)
    return written


def main() -> int:
    """Container start-up: the same files, from the spawner's environment."""
    env = os.environ
    user = env.get("JUPYTERHUB_USER")
    if not user:
        print("hub_setup: JUPYTERHUB_USER is not set; nothing written", file=sys.stderr)
        return 0
    write_user_files(Path(env.get("HOME", "~")).expanduser(), user,
                     env.get("D2L_ROLE") == "instructor", env.get("D2L_COURSE_ID", "d2l"),
                     env.get("D2L_EXCHANGE", "/srv/nbgrader/exchange"),
                     env.get("D2L_COURSE_DIR", "course"),
                     env.get("D2L_EXCHANGE_LAYOUT", "per-student"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
