"""A local JupyterHub on loopback for trying the course on one machine, and for the tests.

:func:`start_hub` runs ``jupyterhub -f jupyterhub_config.py`` in local mode (the simple
spawner, homes under the state folder, shared passwords, a random service token) on free
loopback ports and waits until its API answers.  :class:`Hub` then talks to it the way an
administrator's script would: create users, start their servers, call their servers'
REST APIs with the service token.  ``d2l-grade hub up`` adds an instructor, two students,
and a course with chapter 3 released.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "jupyterhub_config.py"


class HubError(RuntimeError):
    """The hub did not start, or did not do what was asked (one-line reason)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Hub:
    """A running hub: its URL, the service token, the student password, its folders."""

    url: str
    token: str
    password: str
    admin_password: str
    state: Path
    exchange: Path
    course_id: str
    proc: subprocess.Popen
    log: Path
    instructors: tuple[str, ...] = ("instructor",)
    sessions: dict[str, Any] = field(default_factory=dict)

    def home(self, user: str) -> Path:
        return self.state / "homes" / user

    def api(self, method: str, path: str, **kw: Any) -> Any:
        """A hub REST call with the service token; raises on an error status."""
        import requests

        r = requests.request(method, f"{self.url}/hub/api{path}", timeout=60,
                             headers={"Authorization": f"token {self.token}"}, **kw)
        if r.status_code >= 400:
            raise HubError(f"{method} /hub/api{path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def server(self, user: str, method: str, path: str, **kw: Any) -> Any:
        """A call to ``user``'s single-user server (through the proxy)."""
        import requests

        r = requests.request(method, f"{self.url}/user/{user}/{path.lstrip('/')}",
                             timeout=300, headers={"Authorization": f"token {self.token}"},
                             **kw)
        if r.status_code >= 400:
            raise HubError(f"{method} /user/{user}/{path}: {r.status_code} {r.text[:500]}")
        return r

    def add_users(self, *names: str) -> None:
        existing = {u["name"] for u in self.api("GET", "/users")}
        new = [n for n in names if n not in existing]
        if new:
            self.api("POST", "/users", json={"usernames": new,
                                             "admin": False})

    def start_server(self, user: str, timeout: float = 240) -> None:
        """Start ``user``'s server and wait until the hub says it is ready."""
        info = self.api("GET", f"/users/{user}")
        if not info.get("servers", {}).get("", {}).get("ready"):
            import requests

            r = requests.post(f"{self.url}/hub/api/users/{user}/server", timeout=60,
                              headers={"Authorization": f"token {self.token}"})
            if r.status_code not in (201, 202, 400):  # 400: already starting
                raise HubError(f"starting {user}'s server: {r.status_code} {r.text[:300]}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self.api("GET", f"/users/{user}")
            if info.get("servers", {}).get("", {}).get("ready"):
                return
            if self.proc.poll() is not None:
                raise HubError(f"the hub exited; see {self.log}")
            time.sleep(0.5)
        raise HubError(f"{user}'s server was not ready after {timeout:.0f} s; see {self.log}")

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM the hub; it stops the proxy, the servers and their kernels.

        Whatever is still running in the hub's folder afterwards is stopped too: a hub
        that is killed, or that ends before its servers do (a loaded machine), leaves
        single-user servers and the proxy behind, each in a session of its own, where the
        hub's process group does not reach (one test run left four servers, a kernel, the
        proxy and the idle culler running).
        """
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for signum, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            left = self.leftovers()
            for pid in left:
                try:
                    os.kill(pid, signum)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + grace
            while left and self.leftovers() and time.monotonic() < deadline:
                time.sleep(0.1)

    def leftovers(self) -> list[int]:
        """Processes working in the hub's folder (the proxy, the idle culler, single-user
        servers and their kernels all do), other than this one."""
        state = str(self.state.resolve())
        found = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                cwd = os.readlink(proc / "cwd")
                zombie = "Z" in (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if (cwd == state or cwd.startswith(state + os.sep)) and not zombie \
                    and int(proc.name) != os.getpid():
                found.append(int(proc.name))
        return found


def start_hub(state: Path, *, port: int = 0, course_id: str = "d2l",
              instructors: tuple[str, ...] = ("instructor",),
              users: tuple[str, ...] = ("student1", "student2"), password: str | None = None,
              admin_password: str | None = None, timeout: float = 120,
              extra_env: dict[str, str] | None = None) -> Hub:
    """Start the hub in local mode with its state in ``state``; returns once it answers.

    ``users``: the demo's student accounts (with ``instructors``, the only ones who may
    log in: the simple spawner runs everyone's server as this OS user)."""
    import requests

    state = Path(state).resolve()
    state.mkdir(parents=True, exist_ok=True)
    exchange = state / "exchange"
    token = secrets.token_hex(32)
    password = password or secrets.token_urlsafe(9)
    admin_password = admin_password or secrets.token_urlsafe(33)
    port = port or free_port()
    env = dict(os.environ, D2L_HUB_MODE="local", D2L_HUB_STATE=str(state),
               D2L_HUB_PORT=str(port), D2L_HUB_API_PORT=str(free_port()),
               D2L_PROXY_API_PORT=str(free_port()), D2L_GRADER_TOKEN=token,
               D2L_HUB_PASSWORD=password, D2L_HUB_ADMIN_PASSWORD=admin_password,
               D2L_INSTRUCTORS=",".join(instructors), D2L_COURSE_ID=course_id,
               D2L_EXCHANGE=str(exchange), D2L_DEMO_USERS=",".join(users),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.update(extra_env or {})
    log = state / "hub.log"
    with open(log, "ab") as fh:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f",
                                 str(CONFIG)], cwd=state, env=env, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", token, password, admin_password, state, exchange,
              course_id, proc, log, tuple(instructors))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-1500:]
            raise HubError(f"jupyterhub exited with {proc.returncode}:\n{tail}")
        try:
            if requests.get(f"{hub.url}/hub/api/", timeout=5).status_code == 200:
                return hub
        except requests.RequestException:
            pass
        time.sleep(0.3)
    hub.stop()
    raise HubError(f"jupyterhub did not answer within {timeout:.0f} s; see {log}")


def set_up_course(hub: Hub, course_root: Path | None, assignments: list[str]) -> Path:
    """The instructor's nbgrader course in their home, with ``assignments`` released."""
    from .course import find_course
    from .nbgrader_course import init_course

    instructor = hub.instructors[0]
    course_dir = hub.home(instructor) / "course"
    init_course(find_course(course_root), course_dir, hub.course_id, exchange=hub.exchange,
                assignments=assignments, force=True)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                                f"{os.environ.get('PATH', '')}")
    for aid in assignments:
        proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"),
                               "release_assignment", aid, "--force"], cwd=course_dir, env=env,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise HubError(f"nbgrader release_assignment {aid}: {proc.stderr[-500:]}")
    return course_dir
