"""jupyterhub_config.py in its three modes, the per-user files it has written, and deploy/.

No network and no hub: the config file is loaded as JupyterHub loads it, by traitlets'
PyFileConfigLoader (which hands the file its ``get_config``), under environment variables
set per test; spawn hooks are called with a small stand-in for a spawner; the images'
Dockerfiles and the Zero to JupyterHub values are read as text and YAML.
"""

from __future__ import annotations

import ast
import json
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.hub_setup import write_user_files
from autograder.otter_zip import RUNTIME_MODULES

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "jupyterhub_config.py"
DEPLOY = ROOT / "deploy"
TOKEN = "0123456789abcdef" * 4
STUDENT_IMAGE = "d2l-course/student:latest"
GRADER_IMAGE = "d2l-course/grader:latest"
GPU = {"nvidia.com/gpu": "1"}
#: What the `autograder` service does through the hub API: create users, start and stop
#: their servers, reach them, and mint tokens for them.
GRADER_SCOPES = {"admin:users", "admin:servers", "access:servers", "tokens"}
STUDENT_LAB_OFF = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:course-list"}
#: The engine modules the student image must carry: what check() imports, and the start-up.
STUDENT_MODULES = set(RUNTIME_MODULES) | {"hub_setup.py"}


class FakeSpawner:
    """What the spawn hooks touch on a spawner: its user's name, environment, image and
    (container modes) volumes, volume mounts and init containers."""

    def __init__(self, name: str, image: str = "", home: Path | None = None,
                 volumes: dict | None = None, volume_mounts: list | None = None) -> None:
        self.user = SimpleNamespace(name=name)
        self.environment: dict[str, str] = {}
        self.image = image
        self.volumes = dict(volumes or {})
        self.volume_mounts = list(volume_mounts or [])
        self.init_containers: list[dict] = []
        if home is not None:
            self.home_dir = str(home)


@pytest.fixture
def hub_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SimpleNamespace:
    """A clean D2L_* environment with the state and the exchange in tmp_path."""
    for name in list(os.environ):
        if name.startswith("D2L_"):
            monkeypatch.delenv(name)
    state, exchange = tmp_path / "state", tmp_path / "exchange"
    monkeypatch.setenv("D2L_HUB_STATE", str(state))
    monkeypatch.setenv("D2L_EXCHANGE", str(exchange))
    monkeypatch.setenv("D2L_GRADER_TOKEN", TOKEN)
    monkeypatch.setenv("D2L_DEMO_USERS", "alice,bob")
    return SimpleNamespace(state=state, exchange=exchange, tmp=tmp_path)


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch, hub_env: SimpleNamespace):
    """load(mode, **env) -> the Config that jupyterhub_config.py builds."""

    def load(mode: str, **env: str) -> Config:
        monkeypatch.setenv("D2L_HUB_MODE", mode)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return load_config_file(CONFIG)

    return load


def load_config_file(path: Path) -> Config:
    """A config file's settings, loaded the way JupyterHub loads ``-f FILE``."""
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def service(cfg: Config, name: str) -> dict:
    found = [s for s in cfg.JupyterHub.services if s["name"] == name]
    assert len(found) == 1, f"expected one service {name!r}, found {cfg.JupyterHub.services}"
    return found[0]


def role(cfg: Config, name: str) -> dict:
    found = [r for r in cfg.JupyterHub.load_roles if r["name"] == name]
    assert len(found) == 1, f"expected one role {name!r}, found {cfg.JupyterHub.load_roles}"
    return found[0]


def read_tree(home: Path) -> dict[str, str]:
    return {str(p.relative_to(home)): p.read_text() for p in sorted(home.rglob("*"))
            if p.is_file()}


# ---- the three modes ---------------------------------------------------------------------


def test_local_mode(load, hub_env) -> None:
    cfg = load("local")
    assert cfg.JupyterHub.spawner_class == "simple"
    venv_bin = Path(sys.executable).parent
    assert cfg.Spawner.cmd == [str(venv_bin / "jupyterhub-singleuser")]
    assert cfg.Spawner.environment["PATH"].split(os.pathsep)[0] == str(venv_bin)
    template = Path(cfg.SimpleLocalProcessSpawner.home_dir_template)
    assert template == hub_env.state.resolve() / "homes" / "{username}"
    assert callable(cfg.Spawner.pre_spawn_hook)
    assert cfg.Spawner.default_url == "/lab"
    assert cfg.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert cfg.JupyterHub.hub_bind_url == "http://127.0.0.1:8081"
    assert ("--allow-root" in cfg.Spawner.get("args", [])) == (os.geteuid() == 0)
    # The exchange is made before any server starts, writable by every user.
    assert stat.S_IMODE(hub_env.exchange.stat().st_mode) == 0o1777


def test_local_mode_with_unix_users(load) -> None:
    cfg = load("local", D2L_HUB_SPAWNER="local")
    assert cfg.JupyterHub.spawner_class == "localprocess"
    assert cfg.LocalProcessSpawner.create_system_users is False
    assert cfg.JupyterHub.authenticator_class == "pam"


def test_shared_passwords(load) -> None:
    cfg = load("local", D2L_HUB_PASSWORD="student-pw", D2L_HUB_ADMIN_PASSWORD="a" * 32)
    assert cfg.JupyterHub.authenticator_class == "shared-password"
    assert cfg.SharedPasswordAuthenticator.user_password == "student-pw"
    assert cfg.SharedPasswordAuthenticator.admin_password == "a" * 32


def test_docker_mode(load, hub_env) -> None:
    cfg = load("docker", D2L_GPU="1")
    assert cfg.JupyterHub.spawner_class == "dockerspawner.DockerSpawner"
    assert cfg.DockerSpawner.extra_host_config == {"device_requests": [
        {"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]}]}
    assert cfg.DockerSpawner.image == STUDENT_IMAGE
    assert cfg.DockerSpawner.network_name == "d2l-hub"
    # The exchange is mounted per user by the spawn hook (test_exchange_mounts_*).
    assert cfg.DockerSpawner.volumes == {"d2l-home-{username}": "/home/jovyan"}
    # Containers reach the hub by its container name; it listens on every interface.
    assert cfg.JupyterHub.hub_connect_url == "http://jupyterhub:8081"
    assert cfg.JupyterHub.hub_bind_url == "http://0.0.0.0:8081"
    # The image's CMD (start-singleuser.sh) must run: the config sets no command.
    assert "cmd" not in cfg.Spawner and "cmd" not in cfg.DockerSpawner


def test_docker_mode_without_gpu_and_with_own_images(load) -> None:
    cfg = load("docker", D2L_STUDENT_IMAGE="reg/s:1", D2L_GRADER_IMAGE="reg/g:1")
    assert "extra_host_config" not in cfg.DockerSpawner
    assert cfg.DockerSpawner.image == "reg/s:1"
    spawner = FakeSpawner("instructor", image=cfg.DockerSpawner.image)
    cfg.Spawner.pre_spawn_hook(spawner)
    assert spawner.image == "reg/g:1"


def test_kubernetes_mode(load, hub_env) -> None:
    cfg = load("kubernetes")
    assert cfg.JupyterHub.spawner_class == "kubespawner.KubeSpawner"
    assert cfg.KubeSpawner.image == STUDENT_IMAGE
    profiles = {p["slug"]: p for p in cfg.KubeSpawner.profile_list}
    gpu = [p for p in profiles.values()
           if p["kubespawner_override"].get("extra_resource_limits") == GPU]
    cpu = [p for p in profiles.values()
           if "nvidia.com/gpu" not in p["kubespawner_override"].get("extra_resource_limits", {})]
    assert len(gpu) == 1 and len(cpu) == 1
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in \
        gpu[0]["kubespawner_override"]["tolerations"]
    assert [p["slug"] for p in profiles.values() if p.get("default")] == [cpu[0]["slug"]]
    # KubeSpawner applies a profile after the pre_spawn_hook: one that set `image` would put
    # instructors back on the student image.
    assert not [p for p in profiles.values() if "image" in p["kubespawner_override"]]
    assert cfg.KubeSpawner.volumes == [{"name": "nbgrader-exchange", "persistentVolumeClaim":
                                        {"claimName": "nbgrader-exchange"}}]
    assert cfg.KubeSpawner.volume_mounts == [{"name": "nbgrader-exchange",
                                              "mountPath": str(hub_env.exchange)}]
    # z2jh runs its own proxy: the file leaves it alone.
    assert "ConfigurableHTTPProxy" not in cfg and "hub_bind_url" not in cfg.JupyterHub


def test_kubernetes_mode_without_gpu_profile(load) -> None:
    cfg = load("kubernetes", D2L_GPU_PROFILE="0")
    assert [p["slug"] for p in cfg.KubeSpawner.profile_list] == ["cpu"]


def test_unknown_mode_is_refused(load) -> None:
    with pytest.raises(ValueError, match="D2L_HUB_MODE"):
        load("swarm")


# ---- who may use the hub, and who sees which exchange folder -----------------------------


def test_simple_spawner_serves_only_its_demo_accounts(load, hub_env, monkeypatch) -> None:
    """One OS user runs every server: a demo, never a class (issue 29, item 6)."""
    monkeypatch.delenv("D2L_DEMO_USERS")
    with pytest.raises(ValueError, match="one OS user"):
        load("local")
    with pytest.raises(ValueError, match="at most 10 accounts"):
        load("local", D2L_DEMO_USERS=",".join(f"s{i}" for i in range(10)))  # + instructor
    cfg = load("local", D2L_DEMO_USERS="alice, bob")
    assert cfg.Authenticator.allowed_users == {"alice", "bob", "instructor"}
    home = hub_env.tmp / "homes" / "mallory"
    with pytest.raises(ValueError, match="not one of this demo hub's accounts"):
        cfg.Spawner.pre_spawn_hook(FakeSpawner("mallory", home=home))
    assert not home.exists()
    # A class on one machine: each hub user is their own unix account, and collect checks
    # that the owner of a submission is the student it names.
    cfg = load("local", D2L_HUB_SPAWNER="local", D2L_DEMO_USERS="")
    home = hub_env.tmp / "homes" / "instructor"
    cfg.Spawner.pre_spawn_hook(FakeSpawner("instructor", home=home))
    assert "c.CollectApp.check_owner = True" in \
        (home / ".jupyter" / "nbgrader_config.py").read_text()


def test_docker_student_mounts_only_their_own_exchange_folders(load, hub_env) -> None:
    host, ex = hub_env.tmp / "host-exchange", str(hub_env.exchange)
    cfg = load("docker", D2L_COURSE_ID="dl101", D2L_EXCHANGE_HOST=str(host))
    alice = FakeSpawner("alice", volumes=cfg.DockerSpawner.volumes)
    cfg.Spawner.pre_spawn_hook(alice)
    assert alice.volumes == {
        "d2l-home-{username}": "/home/jovyan",
        f"{host}/dl101/outbound": {"bind": f"{ex}/dl101/outbound", "mode": "ro"},
        f"{host}/dl101/inbound/alice": {"bind": f"{ex}/dl101/inbound", "mode": "rw"},
        f"{host}/dl101/feedback/alice": {"bind": f"{ex}/dl101/feedback", "mode": "ro"}}
    for sub in ("dl101/outbound", "dl101/inbound/alice", "dl101/feedback/alice"):
        assert (host / sub).is_dir(), sub
    prof = FakeSpawner("instructor", volumes=cfg.DockerSpawner.volumes)
    cfg.Spawner.pre_spawn_hook(prof)
    assert prof.volumes == {"d2l-home-{username}": "/home/jovyan",
                            str(host): {"bind": ex, "mode": "rw"}}
    # A hub name that would escape its folder (or glob in nbgrader) gets no server.
    for name in ("../bob", "a*", "a+b"):
        with pytest.raises(ValueError, match="cannot have exchange folders"):
            cfg.Spawner.pre_spawn_hook(FakeSpawner(name, volumes=cfg.DockerSpawner.volumes))


def test_kubernetes_student_mounts_only_their_own_exchange_folders(load, hub_env) -> None:
    ex = str(hub_env.exchange)
    cfg = load("kubernetes", D2L_COURSE_ID="dl101")
    alice = FakeSpawner("alice", image=STUDENT_IMAGE, volume_mounts=cfg.KubeSpawner.volume_mounts)
    cfg.Spawner.pre_spawn_hook(alice)
    claim = "nbgrader-exchange"
    assert alice.volume_mounts == [
        {"name": claim, "subPath": "dl101/outbound", "mountPath": f"{ex}/dl101/outbound",
         "readOnly": True},
        {"name": claim, "subPath": "dl101/inbound/alice", "mountPath": f"{ex}/dl101/inbound",
         "readOnly": False},
        {"name": claim, "subPath": "dl101/feedback/alice", "mountPath": f"{ex}/dl101/feedback",
         "readOnly": True}]
    (init,) = alice.init_containers
    assert init["securityContext"] == {"runAsUser": 0, "runAsGroup": 0}
    assert init["volumeMounts"] == [{"name": claim, "mountPath": "/exchange"}]
    script = init["command"][-1]
    assert "mkdir -p /exchange/dl101/outbound /exchange/dl101/inbound/alice " \
           "/exchange/dl101/feedback/alice" in script and "chown 1000:100" in script
    prof = FakeSpawner("instructor", image=STUDENT_IMAGE,
                       volume_mounts=cfg.KubeSpawner.volume_mounts)
    cfg.Spawner.pre_spawn_hook(prof)
    assert prof.volume_mounts == [{"name": claim, "mountPath": ex}] and not prof.init_containers
    # The chart's own copy of the shared mount (z2jh values) is replaced for students too.
    values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())
    chart_mounts = values["singleuser"]["storage"]["extraVolumeMounts"]
    bob = FakeSpawner("bob", image=STUDENT_IMAGE, volume_mounts=chart_mounts)
    cfg.Spawner.pre_spawn_hook(bob)
    assert [m["mountPath"] for m in bob.volume_mounts if m["name"] == claim] == [
        f"{ex}/dl101/outbound", f"{ex}/dl101/inbound", f"{ex}/dl101/feedback"]


def test_config_name_rule_is_the_gradebook_rule() -> None:
    """jupyterhub_config.py loads without autograder, so it keeps its own copy."""
    from autograder.nbgrader_autograde import STUDENT_ID

    assert f"SAFE_NAME = re.compile(r\"{STUDENT_ID.pattern}\")" in CONFIG.read_text()


# ---- what every mode shares --------------------------------------------------------------

MODES = ["local", "docker", "kubernetes"]


@pytest.mark.parametrize("mode", MODES)
def test_state_database_and_cookie_secret(load, hub_env, mode) -> None:
    cfg = load(mode)
    secret = Path(cfg.JupyterHub.cookie_secret_file)
    assert secret.parent == hub_env.state.resolve()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(bytes.fromhex(secret.read_text().strip())) == 32
    assert cfg.JupyterHub.db_url == f"sqlite:///{hub_env.state.resolve() / 'jupyterhub.sqlite'}"
    # Loading again keeps the secret (sessions survive a restart).
    assert Path(load(mode).JupyterHub.cookie_secret_file).read_text() == secret.read_text()


@pytest.mark.parametrize("mode", MODES)
def test_database_url_from_the_environment(load, mode) -> None:
    url = "postgresql+psycopg2://hub:pw@db.example/jupyterhub"
    assert load(mode, D2L_HUB_DB_URL=url).JupyterHub.db_url == url


def test_readable_cookie_secret_is_locked_down(load, hub_env) -> None:
    path = hub_env.tmp / "secret"
    path.write_text("ab" * 32 + "\n")
    path.chmod(0o644)
    cfg = load("local", D2L_COOKIE_SECRET_FILE=str(path))
    assert cfg.JupyterHub.cookie_secret_file == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "ab" * 32 + "\n"


@pytest.mark.parametrize("mode", MODES)
def test_services_and_roles(load, mode) -> None:
    cfg = load(mode)
    assert service(cfg, "autograder")["api_token"] == TOKEN
    grader = role(cfg, "autograder")
    assert grader["services"] == ["autograder"]
    assert GRADER_SCOPES <= set(grader["scopes"])
    culler = service(cfg, "idle-culler")["command"]
    assert culler[:3] == [sys.executable, "-m", "jupyterhub_idle_culler"]
    assert "--timeout=3600" in culler
    culler_role = role(cfg, "idle-culler")
    assert culler_role["services"] == ["idle-culler"]
    assert {"list:users", "read:servers", "delete:servers"} <= set(culler_role["scopes"])
    assert cfg.Authenticator.admin_users == {"instructor"}


def test_token_file_culler_timeout_and_no_token(load, monkeypatch, hub_env) -> None:
    monkeypatch.delenv("D2L_GRADER_TOKEN")
    token_file = hub_env.tmp / "token"
    token_file.write_text(TOKEN + "\n")
    cfg = load("local", D2L_GRADER_TOKEN_FILE=str(token_file), D2L_CULL_IDLE="600")
    assert service(cfg, "autograder")["api_token"] == TOKEN
    assert "--timeout=600" in service(cfg, "idle-culler")["command"]

    monkeypatch.delenv("D2L_GRADER_TOKEN_FILE")
    cfg = load("local", D2L_CULL_IDLE="0")
    assert cfg.JupyterHub.services == [] and cfg.JupyterHub.load_roles == []


# ---- the spawn hooks ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["docker", "kubernetes"])
def test_container_hooks_pick_image_and_role(load, hub_env, mode) -> None:
    cfg = load(mode, D2L_INSTRUCTORS="prof, ta", D2L_COURSE_ID="dl101")
    configured = cfg.DockerSpawner.image if mode == "docker" else cfg.KubeSpawner.image
    assert configured == STUDENT_IMAGE
    for name, image, who in [("prof", GRADER_IMAGE, "instructor"),
                             ("ta", GRADER_IMAGE, "instructor"),
                             ("alice", STUDENT_IMAGE, "student")]:
        spawner = FakeSpawner(name, image=configured)
        cfg.Spawner.pre_spawn_hook(spawner)
        assert spawner.image == image, name
        assert spawner.environment == {
            "D2L_ROLE": who, "D2L_COURSE_ID": "dl101", "D2L_EXCHANGE": str(hub_env.exchange),
            "D2L_COURSE_DIR": "course", "D2L_EXCHANGE_LAYOUT": "per-student",
            "NBGRADER_STUDENT_ID": name}, name


def test_local_hook_writes_student_files(load, hub_env, monkeypatch) -> None:
    cfg = load("local", D2L_COURSE_ID="dl101")
    home = hub_env.tmp / "homes" / "alice"
    cfg.Spawner.pre_spawn_hook(FakeSpawner("alice", home=home))

    monkeypatch.setenv("HOME", str(home))
    nbgrader = load_config_file(home / ".jupyter" / "nbgrader_config.py")
    assert nbgrader.CourseDirectory.student_id == "alice"
    assert nbgrader.CourseDirectory.course_id == "dl101"
    assert nbgrader.Exchange.root == str(hub_env.exchange)
    assert "check_owner" not in nbgrader.CollectApp
    page = json.loads((home / ".jupyter/labconfig/page_config.json").read_text())
    off = {name for name, disabled in page["disabledExtensions"].items() if disabled}
    assert STUDENT_LAB_OFF <= off
    server = json.loads((home / ".jupyter/jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False}
    assert not (home / "course").exists()


def test_local_hook_writes_instructor_files(load, hub_env, monkeypatch) -> None:
    cfg = load("local", D2L_COURSE_DIR="teaching")
    home = hub_env.tmp / "homes" / "instructor"
    cfg.Spawner.pre_spawn_hook(FakeSpawner("instructor", home=home))

    server = json.loads((home / ".jupyter/jupyter_server_config.json").read_text())
    headers = server["ServerApp"]["tornado_settings"]["headers"]
    assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    monkeypatch.setenv("HOME", str(home))
    nbgrader = load_config_file(home / ".jupyter" / "nbgrader_config.py")
    assert nbgrader.CollectApp.check_owner is False
    assert nbgrader.CourseDirectory.root == str(home / "teaching")
    assert "student_id" not in nbgrader.CourseDirectory
    page = json.loads((home / ".jupyter/labconfig/page_config.json").read_text())
    assert not STUDENT_LAB_OFF & set(page["disabledExtensions"])  # the formgrader stays
    assert (home / "teaching").is_dir()


# ---- the images' start-up ----------------------------------------------------------------


def setup_env(home: Path, exchange: Path, user: str | None, role_: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("D2L_", "JUPYTERHUB_"))}
    env.update(HOME=str(home), D2L_ROLE=role_, D2L_COURSE_ID="dl101",
               D2L_EXCHANGE=str(exchange), D2L_COURSE_DIR="course",
               D2L_EXCHANGE_LAYOUT="per-student")
    if user:
        env["JUPYTERHUB_USER"] = user
    return env


@pytest.mark.parametrize("user,role_", [("bob", "student"), ("instructor", "instructor")])
def test_hub_setup_module_writes_the_same_files(tmp_path, user, role_) -> None:
    exchange = tmp_path / "exchange"
    by_module, by_hook = tmp_path / "module" / user, tmp_path / "hook" / user
    proc = subprocess.run([sys.executable, "-m", "autograder.hub_setup"], cwd=ROOT,
                          env=setup_env(by_module, exchange, user, role_),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    write_user_files(by_hook, user, role_ == "instructor", "dl101", str(exchange), "course",
                     layout="per-student")
    written = read_tree(by_module)
    assert set(written) == {".jupyter/nbgrader_config.py", ".jupyter/jupyter_server_config.json",
                            ".jupyter/labconfig/page_config.json"}
    assert written == read_tree(by_hook)
    assert (f"student_id = {user!r}" in written[".jupyter/nbgrader_config.py"]) == \
        (role_ == "student")


def test_hub_setup_module_without_a_hub_user_writes_nothing(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "autograder.hub_setup"], cwd=ROOT,
                          env=setup_env(tmp_path / "home", tmp_path / "ex", None, "student"),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "JUPYTERHUB_USER" in proc.stderr
    assert not (tmp_path / "home").exists()


def start_script_env(tmp_path: Path, home: Path, user: str) -> dict[str, str]:
    """The environment of a spawned container, with a jupyterhub-singleuser first on PATH
    that only records its arguments in $SINGLEUSER_ARGS."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "jupyterhub-singleuser"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$SINGLEUSER_ARGS"\n')
    fake.chmod(0o755)
    env = setup_env(home, tmp_path / "exchange", user, "student")
    env["SINGLEUSER_ARGS"] = str(tmp_path / "singleuser-args")
    env["PATH"] = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent),
                                   env.get("PATH", "")])
    return env


def test_start_script_sets_up_then_execs_singleuser(tmp_path) -> None:
    home = tmp_path / "carol"
    env = start_script_env(tmp_path, home, "carol")
    proc = subprocess.run(["sh", str(DEPLOY / "start-singleuser.sh"), "--port=8888",
                           "--SingleUserNotebookApp.default_url=/lab"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "student_id = 'carol'" in (home / ".jupyter/nbgrader_config.py").read_text()
    assert (tmp_path / "singleuser-args").read_text().splitlines() == [
        "--port=8888", "--SingleUserNotebookApp.default_url=/lab"]


def test_start_script_stops_when_setup_fails(tmp_path) -> None:
    home = tmp_path / "dave"
    home.write_text("a file where the home should be")
    env = start_script_env(tmp_path, home, "dave")
    proc = subprocess.run(["sh", str(DEPLOY / "start-singleuser.sh")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert not (tmp_path / "singleuser-args").exists()


# ---- the images --------------------------------------------------------------------------


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile: comments dropped, continuations joined."""
    kept = [ln for ln in dockerfile.read_text().splitlines() if not ln.lstrip().startswith("#")]
    joined = "\n".join(kept).replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def copies(dockerfile: Path) -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY/ADD from the build context."""
    out = []
    for word, rest in instructions(dockerfile):
        if word in ("COPY", "ADD"):
            args = shlex.split(rest)
            if any(a.startswith("--from=") for a in args):
                continue
            paths = [a for a in args if not a.startswith("--")]
            out.append((paths[:-1], paths[-1]))
    return out


def arg_default(dockerfile: Path, name: str) -> str:
    for word, rest in instructions(dockerfile):
        if word == "ARG" and rest.startswith(name + "="):
            return rest.split("=", 1)[1]
    raise AssertionError(f"{dockerfile.name} has no ARG {name}")


def test_student_image_gets_no_answer_key() -> None:
    dockerfile = DEPLOY / "Dockerfile.student"
    sources = [s for srcs, _ in copies(dockerfile) for s in srcs]
    assert sources, "the student image copies nothing from the repository?"
    for src in sources:
        assert "reference_impl" not in src and "solutions" not in src, src
        assert src not in (".", "./", "autograder", "autograder/") and "*" not in src, src
    body = " ".join(rest for _, rest in instructions(dockerfile))
    assert "reference_impl" in body  # only in the build-time guard that it is absent
    assert "find_spec('reference_impl') is None" in body
    assert "solutions" not in body


def test_student_image_module_list_is_the_runtime_modules() -> None:
    modules = {}
    for srcs, dest in copies(DEPLOY / "Dockerfile.student"):
        for src in srcs:
            if src.startswith("autograder/"):
                modules[Path(src).name] = dest
    assert set(modules) == STUDENT_MODULES
    assert set(modules.values()) == {"/opt/venv/lib/python${PYTHON_VERSION}/site-packages/"
                                     "autograder/"}
    # ...and those modules import nothing else of the engine, nor the answer key.
    for name in STUDENT_MODULES:
        for node in ast.walk(ast.parse((ROOT / "autograder" / name).read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                wanted = [node.module] if node.module else [a.name for a in node.names]
                for mod in wanted:
                    assert f"{mod}.py" in STUDENT_MODULES, f"{name} imports .{mod}"
            elif isinstance(node, ast.ImportFrom | ast.Import):
                tops = [node.module] if isinstance(node, ast.ImportFrom) else \
                    [a.name for a in node.names]
                assert not {t.split(".")[0] for t in tops if t} & {"autograder",
                                                                   "reference_impl"}, name


def test_student_build_context_lets_in_only_the_helpers() -> None:
    lines = [ln.strip() for ln in
             (DEPLOY / "Dockerfile.student.dockerignore").read_text().splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert lines[0] == "*"
    allowed = {ln[1:] for ln in lines if ln.startswith("!")}
    assert allowed == {f"autograder/{m}" for m in STUDENT_MODULES} | {
        "deploy/start-singleuser.sh"}


def test_student_image_contents() -> None:
    dockerfile = DEPLOY / "Dockerfile.student"
    steps = instructions(dockerfile)
    body = "\n".join(f"{w} {r}" for w, r in steps)
    for pin in ("jupyterhub==6.1.1", "jupyterlab==4.6.6", "nbgrader==0.9.6",
                '"otter-grader[grading]==7.0.0"'):
        assert pin in body, pin
    assert arg_default(dockerfile, "TORCH_SPEC") == "torch==2.13.0"
    assert arg_default(dockerfile, "TORCH_INDEX_URL").startswith(
        "https://download.pytorch.org/whl/cu12")
    assert arg_default(dockerfile, "PYTHON_VERSION") == "3.11"
    assert arg_default(dockerfile, "BASE_IMAGE").startswith("nvidia/cuda:12")
    assert "useradd --create-home --home-dir /home/jovyan --uid 1000" in body
    assert ("USER", "1000:100") in steps
    assert ("CMD", '["start-singleuser.sh"]') in steps


def test_grader_image() -> None:
    dockerfile = DEPLOY / "Dockerfile.grader"
    text = dockerfile.read_text()
    assert "Never give this image to students" in text
    steps = instructions(dockerfile)
    body = "\n".join(f"{w} {r}" for w, r in steps)
    assert (["."], "/opt/d2l-course") in copies(dockerfile)
    assert "pip install /opt/d2l-course" in body
    assert "bubblewrap" in body
    assert ("ENV", "D2L_COURSE_ROOT=/opt/d2l-course") in steps
    assert ("CMD", '["start-singleuser.sh"]') in steps


def test_start_script_order() -> None:
    lines = [ln for ln in (DEPLOY / "start-singleuser.sh").read_text().splitlines()
             if ln and not ln.startswith("#")]
    assert lines == ["set -eu", "python -m autograder.hub_setup",
                     'exec jupyterhub-singleuser "$@"']
    assert os.access(DEPLOY / "start-singleuser.sh", os.X_OK)


# ---- Zero to JupyterHub values -----------------------------------------------------------


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())


def test_values_profiles(values) -> None:
    profiles = {p["slug"]: p["kubespawner_override"] for p in values["singleuser"]["profileList"]}
    assert profiles["gpu"]["extra_resource_limits"] == GPU
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in \
        profiles["gpu"]["tolerations"]
    assert "extra_resource_limits" not in profiles["cpu"]
    assert not [slug for slug, override in profiles.items() if "image" in override]


def test_values_profiles_match_the_config_file(values, load) -> None:
    cfg = load("kubernetes")
    keys = ("cpu_limit", "mem_limit", "extra_resource_limits")
    in_file = {p["slug"]: ({k: p["kubespawner_override"].get(k) for k in keys}, p.get("default"))
               for p in cfg.KubeSpawner.profile_list}
    in_values = {p["slug"]: ({k: p["kubespawner_override"].get(k) for k in keys},
                             p.get("default")) for p in values["singleuser"]["profileList"]}
    assert in_values == in_file
    file_gpu = next(p for p in cfg.KubeSpawner.profile_list if p["slug"] == "gpu")
    values_gpu = next(p for p in values["singleuser"]["profileList"] if p["slug"] == "gpu")
    for toleration in file_gpu["kubespawner_override"]["tolerations"]:
        assert toleration in values_gpu["kubespawner_override"]["tolerations"]


def test_values_exchange_images_culler(values) -> None:
    single = values["singleuser"]
    volumes = {v["name"]: v for v in single["storage"]["extraVolumes"]}
    assert volumes["nbgrader-exchange"]["persistentVolumeClaim"] == {
        "claimName": "nbgrader-exchange"}
    assert {"name": "nbgrader-exchange", "mountPath": "/srv/nbgrader/exchange"} in \
        single["storage"]["extraVolumeMounts"]
    env = values["hub"]["extraEnv"]
    assert env["D2L_HUB_MODE"] == "kubernetes"
    assert env["D2L_EXCHANGE"] == "/srv/nbgrader/exchange"
    assert env["D2L_STUDENT_IMAGE"] == f"{single['image']['name']}:{single['image']['tag']}"
    assert "student" in env["D2L_STUDENT_IMAGE"] and "grader" in env["D2L_GRADER_IMAGE"]
    # The start-up script must run, not the chart's plain jupyterhub-singleuser.
    assert single["cmd"] == ["start-singleuser.sh"]
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] == 3600
    assert values["hub"]["db"]["type"] == "postgres"
    assert values["hub"]["extraFiles"]["d2l-config"]["mountPath"].endswith(
        "/jupyterhub_config.py")
    assert "jupyterhub_config.d" not in values["hub"]["extraFiles"]["d2l-config"]["mountPath"]


def z2jh_config() -> Config:
    """A Config as the chart's own jupyterhub_config.py leaves it before hub.extraConfig."""
    c = Config()
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    c.JupyterHub.db_url = "postgresql+psycopg2://jupyterhub@postgres/jupyterhub"
    c.JupyterHub.cookie_secret = b"chart"
    c.JupyterHub.services = [{"name": "jupyterhub-idle-culler",
                              "command": ["python3", "-m", "jupyterhub_idle_culler"]}]
    c.JupyterHub.load_roles = [{"name": "jupyterhub-idle-culler",
                                "services": ["jupyterhub-idle-culler"], "scopes": []}]
    c.KubeSpawner.image = "registry.example.org/d2l-course/student:2026.1"
    c.KubeSpawner.volumes = {"home": {"name": "home"}}
    return c


def test_values_extra_config_takes_the_course_part(values, monkeypatch, hub_env) -> None:
    for name, value in values["hub"]["extraEnv"].items():
        if isinstance(value, str):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("D2L_HUB_STATE", str(hub_env.state))  # not the pod's /srv/jupyterhub
    monkeypatch.setenv("D2L_CONFIG_DIR", str(ROOT))  # where hub.extraFiles mounts the file
    c = z2jh_config()
    before = c.copy()
    exec(values["hub"]["extraConfig"]["10-d2l"], {"c": c})

    assert [s["name"] for s in c.JupyterHub.services] == ["jupyterhub-idle-culler", "autograder"]
    assert service(c, "autograder")["api_token"] == TOKEN
    assert [r["name"] for r in c.JupyterHub.load_roles] == ["jupyterhub-idle-culler",
                                                            "autograder"]
    for section, name in [("JupyterHub", "db_url"), ("JupyterHub", "cookie_secret"),
                          ("KubeSpawner", "image"), ("KubeSpawner", "volumes")]:
        assert c[section][name] == before[section][name], name
    assert "profile_list" not in c.KubeSpawner  # the chart's singleuser.profileList stays
    assert c.Authenticator.admin_users == {"instructor"}
    for name, image in [("instructor", values["hub"]["extraEnv"]["D2L_GRADER_IMAGE"]),
                        ("alice", c.KubeSpawner.image)]:
        spawner = FakeSpawner(name, image=c.KubeSpawner.image)
        c.Spawner.pre_spawn_hook(spawner)
        assert spawner.image == image
        assert spawner.environment["NBGRADER_STUDENT_ID"] == name


def test_values_extra_config_refuses_a_missing_course_file(values, monkeypatch, hub_env) -> None:
    (hub_env.tmp / "jupyterhub_config.py").write_text("")  # extraFiles without --set-file
    monkeypatch.setenv("D2L_CONFIG_DIR", str(hub_env.tmp))
    with pytest.raises(RuntimeError, match="set-file"):
        exec(values["hub"]["extraConfig"]["10-d2l"], {"c": z2jh_config()})
