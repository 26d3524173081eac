"""JupyterHub for the d2l course: one file, three modes, every setting from the environment.

Run it with ``jupyterhub -f jupyterhub_config.py`` (``d2l-grade hub up`` starts a local
demo).  Environment variables (defaults in brackets):

D2L_HUB_MODE            local | docker | kubernetes                              [local]
D2L_HUB_STATE           folder for the hub database, cookie secret, pid files  [./.hub-state]
D2L_HUB_IP, D2L_HUB_PORT      where the proxy listens                      [127.0.0.1, 8000]
D2L_HUB_API_PORT        the hub's own port (proxy → hub)                            [8081]
D2L_PROXY_API_PORT      configurable-http-proxy's REST API port                     [8001]
D2L_PROXY_COMMAND       path of configurable-http-proxy
                        [node_modules/.bin/configurable-http-proxy beside this file, else PATH]
D2L_HUB_DB_URL          hub database; PostgreSQL recommended for a course
                        (postgresql+psycopg2://user:pw@host/db)  [sqlite in D2L_HUB_STATE]
D2L_COOKIE_SECRET_FILE  32 random bytes as hex, mode 600 (written on first start)
                        [D2L_HUB_STATE/jupyterhub_cookie_secret]
D2L_INSTRUCTORS         comma-separated hub users who teach (hub admins, formgrader)
                        [instructor]
D2L_HUB_PASSWORD        shared password of students (8+ characters; demo and tests)
D2L_HUB_ADMIN_PASSWORD  shared password of instructors (32+ characters, different)
D2L_COURSE_ID           nbgrader course id                                           [d2l]
D2L_EXCHANGE            nbgrader exchange folder, as the servers see it [/srv/nbgrader/exchange]
D2L_COURSE_DIR          the instructor's course folder, relative to their home     [course]
D2L_GRADER_TOKEN        API token of the `autograder` service (64 hex characters), or
D2L_GRADER_TOKEN_FILE   a file holding it; the service can start servers and read users
D2L_CULL_IDLE           seconds before an idle server is stopped (0: never)          [3600]
local mode:
D2L_HUB_SPAWNER         simple (one OS user, homes under D2L_HUB_HOMES: demo and tests) |
                        local (LocalProcessSpawner: each hub user is a real unix user)
                        [simple]
D2L_DEMO_USERS          the simple spawner's accounts, comma-separated, at most 10; no one
                        else may log in or start a server.  Required with the simple
                        spawner: it runs every server as the hub's own OS user, so each
                        user can read and change every other user's files and submissions.
D2L_HUB_HOMES           homes of the simple spawner, {username} is replaced
                        [D2L_HUB_STATE/homes/{username}]
docker mode:
D2L_STUDENT_IMAGE       the student image (deploy/Dockerfile.student) [d2l-course/student:latest]
D2L_GRADER_IMAGE        the instructors' image (deploy/Dockerfile.grader) [d2l-course/grader:latest]
D2L_GPU                 1: request every GPU for each server through Docker's device requests
D2L_DOCKER_NETWORK      the Docker network the hub and servers share          [d2l-hub]
D2L_EXCHANGE_HOST       the exchange's folder on the Docker host; the hub container must
                        mount it at the same path (it creates each student's folders)
                        [D2L_EXCHANGE]
D2L_NB_UID, D2L_NB_GID  the servers' uid and gid, owners of the exchange folders [1000, 100]
kubernetes mode (Zero to JupyterHub; see deploy/z2jh-values.yaml):
D2L_STUDENT_IMAGE, D2L_GRADER_IMAGE as above; D2L_GPU_PROFILE=0 hides the GPU profile.

Every mode wires nbgrader the same way: a student's nbgrader student id is their hub user
name; instructors get the formgrader inside JupyterLab (its iframe allowed by a
frame-ancestors 'self' policy); students see only the Assignment List.  The exchange:
local mode keeps nbgrader's one shared folder (with unix users, collect checks who owns
each submission); the container modes, where every server runs as uid 1000, mount into a
student's container only <course>/outbound (read-only), their own inbound and their own
feedback folder (autograder/nbgrader_exchange.py says why and how instructors collect).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

HERE = Path(__file__).resolve().parent
MODE = os.environ.get("D2L_HUB_MODE", "local")
if MODE not in ("local", "docker", "kubernetes"):
    raise ValueError(f"D2L_HUB_MODE must be local, docker or kubernetes, not {MODE!r}")
STATE = Path(os.environ.get("D2L_HUB_STATE", HERE / ".hub-state")).resolve()
STATE.mkdir(parents=True, exist_ok=True)
INSTRUCTORS = {u.strip() for u in os.environ.get("D2L_INSTRUCTORS", "instructor").split(",")
               if u.strip()}
COURSE_ID = os.environ.get("D2L_COURSE_ID", "d2l")
EXCHANGE = os.environ.get("D2L_EXCHANGE", "/srv/nbgrader/exchange")
COURSE_DIR = os.environ.get("D2L_COURSE_DIR", "course")
VENV_BIN = str(Path(sys.executable).parent)
#: A name that may appear in a path (student folders, mounts, nbgrader's globs): the rule
#: of autograder.nbgrader_autograde.STUDENT_ID (this file must load without autograder).
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
if not SAFE_NAME.fullmatch(COURSE_ID):
    raise ValueError(f"D2L_COURSE_ID must be letters, digits and ._@- only, not {COURSE_ID!r}")
#: uid and gid of the images' user (jovyan), who owns the exchange folders in containers.
NB_UID = int(os.environ.get("D2L_NB_UID", "1000"))
NB_GID = int(os.environ.get("D2L_NB_GID", "100"))
DEMO_MAX = 10

# ---- network, state, database ----------------------------------------------------------
ip = os.environ.get("D2L_HUB_IP", "127.0.0.1")
c.JupyterHub.bind_url = f"http://{ip}:{os.environ.get('D2L_HUB_PORT', '8000')}"
c.JupyterHub.db_url = os.environ.get("D2L_HUB_DB_URL", f"sqlite:///{STATE / 'jupyterhub.sqlite'}")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
if MODE != "kubernetes":  # z2jh runs its own proxy and sets these itself
    hub_ip = "0.0.0.0" if MODE == "docker" else "127.0.0.1"
    c.JupyterHub.hub_bind_url = f"http://{hub_ip}:{os.environ.get('D2L_HUB_API_PORT', '8081')}"
    c.ConfigurableHTTPProxy.api_url = \
        f"http://127.0.0.1:{os.environ.get('D2L_PROXY_API_PORT', '8001')}"
    c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
    chp = os.environ.get("D2L_PROXY_COMMAND") or (
        str(HERE / "node_modules/.bin/configurable-http-proxy")
        if (HERE / "node_modules/.bin/configurable-http-proxy").exists()
        else shutil.which("configurable-http-proxy") or "configurable-http-proxy")
    c.ConfigurableHTTPProxy.command = [chp]


def _cookie_secret_file() -> str:
    """The cookie secret's file, created with mode 600 (the hub refuses a readable one)."""
    path = Path(os.environ.get("D2L_COOKIE_SECRET_FILE", STATE / "jupyterhub_cookie_secret"))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    os.chmod(path, 0o600)
    return str(path)


c.JupyterHub.cookie_secret_file = _cookie_secret_file()

# ---- who may log in --------------------------------------------------------------------
c.Authenticator.admin_users = INSTRUCTORS
c.Authenticator.allow_existing_users = True  # users added by instructors or the API
if os.environ.get("D2L_HUB_PASSWORD"):  # the demo and the tests: shared passwords
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["D2L_HUB_PASSWORD"]
    if os.environ.get("D2L_HUB_ADMIN_PASSWORD"):
        c.SharedPasswordAuthenticator.admin_password = os.environ["D2L_HUB_ADMIN_PASSWORD"]
elif MODE == "local" and os.environ.get("D2L_HUB_SPAWNER", "simple") == "local":
    c.JupyterHub.authenticator_class = "pam"  # real unix users log in with their password
# Production with SSO: set c.JupyterHub.authenticator_class in a file included after this.

# ---- the grader service and the idle culler --------------------------------------------
token = os.environ.get("D2L_GRADER_TOKEN")
if not token and os.environ.get("D2L_GRADER_TOKEN_FILE"):
    token = Path(os.environ["D2L_GRADER_TOKEN_FILE"]).read_text().strip()
services = []
roles = []
if token:
    services.append({"name": "autograder", "api_token": token})
    roles.append({"name": "autograder", "services": ["autograder"],
                  "scopes": ["admin:users", "admin:servers", "access:servers", "tokens",
                             "read:hub"]})
cull = int(os.environ.get("D2L_CULL_IDLE", "3600"))
if cull > 0:
    services.append({"name": "idle-culler", "command": [
        sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={cull}"]})
    roles.append({"name": "idle-culler", "services": ["idle-culler"],
                  "scopes": ["list:users", "read:users:activity", "read:servers",
                             "delete:servers"]})
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles

# ---- nbgrader, per user (the files: autograder/hub_setup.py) ---------------------------


def write_user_files(spawner, check_owner: bool = False) -> None:
    """pre_spawn_hook of the local mode: nbgrader and Jupyter settings into the home.

    ``check_owner``: each hub user is their own unix account, so collect can check that
    a submission's owner is the student it names."""
    from autograder.hub_setup import write_user_files as write

    name = spawner.user.name
    home = getattr(spawner, "home_dir", "") or os.path.expanduser(f"~{name}")
    write(Path(home), name, name in INSTRUCTORS, COURSE_ID, EXCHANGE, COURSE_DIR,
          check_owner=check_owner)


def role_environment(spawner) -> dict[str, str]:
    """Container modes: the image runs `python -m autograder.hub_setup`, which writes the
    same files from these."""
    name = spawner.user.name
    return {"D2L_ROLE": "instructor" if name in INSTRUCTORS else "student",
            "D2L_COURSE_ID": COURSE_ID, "D2L_EXCHANGE": EXCHANGE,
            "D2L_COURSE_DIR": COURSE_DIR, "D2L_EXCHANGE_LAYOUT": "per-student",
            "NBGRADER_STUDENT_ID": name}


def student_exchange_mounts(name: str) -> list[tuple[str, str, bool]]:
    """(folder in the exchange, where the server sees it, read-only) for one student.

    Only the released assignments, their own inbound and their own feedback: nothing of
    another student is in the container, and the folder named by the hub, not by the
    student's own config, says whose a submission is.
    """
    if not SAFE_NAME.fullmatch(name):
        raise ValueError(f"hub user {name!r} cannot have exchange folders: use letters, "
                         "digits and ._@- only")
    return [(f"{COURSE_ID}/outbound", f"{EXCHANGE}/{COURSE_ID}/outbound", True),
            (f"{COURSE_ID}/inbound/{name}", f"{EXCHANGE}/{COURSE_ID}/inbound", False),
            (f"{COURSE_ID}/feedback/{name}", f"{EXCHANGE}/{COURSE_ID}/feedback", True)]


def make_exchange_folders(root: Path, name: str) -> None:
    """The folders a student's mounts need, owned by the images' user (uid 1000)."""
    made = [root / COURSE_ID, root / COURSE_ID / "inbound", root / COURSE_ID / "feedback"]
    made += [root / sub for sub, _, _ in student_exchange_mounts(name)]
    for folder in made:
        folder.mkdir(mode=0o755, parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(folder, NB_UID, NB_GID)


c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

# ---- the three modes -------------------------------------------------------------------
if MODE == "local":
    Path(EXCHANGE).mkdir(parents=True, exist_ok=True)
    os.chmod(EXCHANGE, 0o1777)
    c.Spawner.cmd = [str(Path(VENV_BIN) / "jupyterhub-singleuser")]
    # The servers need this venv's nbgrader, alembic and d2l-grade on PATH.
    c.Spawner.environment = {"PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", "")}
    if os.geteuid() == 0:
        c.Spawner.args = ["--allow-root"]
    if os.environ.get("D2L_HUB_SPAWNER", "simple") == "simple":
        # Every server runs as this OS user: any user could read and change every other
        # user's files and submissions.  Fine for a demo with its own accounts only.
        DEMO_USERS = {u.strip() for u in os.environ.get("D2L_DEMO_USERS", "").split(",")
                      if u.strip()}
        if not DEMO_USERS or len(DEMO_USERS | INSTRUCTORS) > DEMO_MAX:
            raise ValueError(
                "the simple spawner runs every user's server as one OS user, so each "
                "user could read and change every other user's files and submissions: it "
                f"is for a demo of at most {DEMO_MAX} accounts named in D2L_DEMO_USERS "
                f"(got {len(DEMO_USERS | INSTRUCTORS) if DEMO_USERS else 'none'}).  For a "
                "class use D2L_HUB_SPAWNER=local (each hub user a unix account) or the "
                "docker or kubernetes mode")
        c.Authenticator.allowed_users = DEMO_USERS | INSTRUCTORS
        c.JupyterHub.spawner_class = "simple"
        c.SimpleLocalProcessSpawner.home_dir_template = os.environ.get(
            "D2L_HUB_HOMES", str(STATE / "homes" / "{username}"))

        def demo_pre_spawn(spawner) -> None:
            if spawner.user.name not in DEMO_USERS | INSTRUCTORS:
                raise ValueError(f"{spawner.user.name!r} is not one of this demo hub's "
                                 "accounts (D2L_DEMO_USERS); the simple spawner serves "
                                 "no one else")
            write_user_files(spawner)

        c.Spawner.pre_spawn_hook = demo_pre_spawn
    else:
        c.JupyterHub.spawner_class = "localprocess"
        c.LocalProcessSpawner.create_system_users = False
        c.Spawner.pre_spawn_hook = lambda spawner: write_user_files(spawner, check_owner=True)

elif MODE == "docker":
    c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
    c.JupyterHub.hub_connect_url = "http://jupyterhub:8081"
    c.DockerSpawner.network_name = os.environ.get("D2L_DOCKER_NETWORK", "d2l-hub")
    c.DockerSpawner.image = os.environ.get("D2L_STUDENT_IMAGE", "d2l-course/student:latest")
    c.DockerSpawner.remove = True
    c.DockerSpawner.notebook_dir = "/home/jovyan"
    c.DockerSpawner.volumes = {"d2l-home-{username}": "/home/jovyan"}
    EXCHANGE_HOST = Path(os.environ.get("D2L_EXCHANGE_HOST", EXCHANGE))
    c.DockerSpawner.mem_limit = os.environ.get("D2L_MEM_LIMIT", "8G")
    if os.environ.get("D2L_GPU") == "1":
        # Docker's device requests: the same as `docker run --gpus all`.
        c.DockerSpawner.extra_host_config = {"device_requests": [
            {"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]}]}
    grader_image = os.environ.get("D2L_GRADER_IMAGE", "d2l-course/grader:latest")

    def docker_pre_spawn(spawner) -> None:
        spawner.environment.update(role_environment(spawner))
        name = spawner.user.name
        volumes = {k: v for k, v in dict(spawner.volumes).items()
                   if not str(v.get("bind", "") if isinstance(v, dict) else v)
                   .startswith(EXCHANGE)}
        if name in INSTRUCTORS:
            spawner.image = grader_image
            volumes[str(EXCHANGE_HOST)] = {"bind": EXCHANGE, "mode": "rw"}
        else:
            make_exchange_folders(EXCHANGE_HOST, name)
            for sub, target, read_only in student_exchange_mounts(name):
                volumes[str(EXCHANGE_HOST / sub)] = {"bind": target,
                                                     "mode": "ro" if read_only else "rw"}
        spawner.volumes = volumes

    c.Spawner.pre_spawn_hook = docker_pre_spawn

else:  # kubernetes, under Zero to JupyterHub (deploy/z2jh-values.yaml)
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    student_image = os.environ.get("D2L_STUDENT_IMAGE", "d2l-course/student:latest")
    grader_image = os.environ.get("D2L_GRADER_IMAGE", "d2l-course/grader:latest")
    # No profile may set `image`: KubeSpawner applies a profile's overrides in start(),
    # after the pre_spawn_hook, and would put instructors back on the student image.
    c.KubeSpawner.image = student_image
    profiles = [{"display_name": "CPU (2 cores, 8 GB)", "slug": "cpu", "default": True,
                 "kubespawner_override": {"cpu_limit": 2, "mem_limit": "8G"}}]
    if os.environ.get("D2L_GPU_PROFILE", "1") == "1":
        profiles.append({"display_name": "GPU (1 NVIDIA GPU, 16 GB)", "slug": "gpu",
                         "kubespawner_override": {
                             "cpu_limit": 4, "mem_limit": "16G",
                             "extra_resource_limits": {"nvidia.com/gpu": "1"},
                             "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists",
                                              "effect": "NoSchedule"}]}})
    c.KubeSpawner.profile_list = profiles
    c.KubeSpawner.volumes = [{"name": "nbgrader-exchange",
                              "persistentVolumeClaim": {"claimName": "nbgrader-exchange"}}]
    c.KubeSpawner.volume_mounts = [{"name": "nbgrader-exchange", "mountPath": EXCHANGE}]

    def kube_pre_spawn(spawner) -> None:
        spawner.environment.update(role_environment(spawner))
        name = spawner.user.name
        if name in INSTRUCTORS:
            spawner.image = grader_image
            return
        # A student mounts sub-paths of the claim; a root init container first makes
        # their folders and gives them to uid 1000 (the kubelet would make them root's).
        mounts = student_exchange_mounts(name)
        spawner.volume_mounts = [m for m in spawner.volume_mounts
                                 if m.get("name") != "nbgrader-exchange"] + [
            {"name": "nbgrader-exchange", "subPath": sub, "mountPath": target,
             "readOnly": read_only} for sub, target, read_only in mounts]
        folders = " ".join(f"/exchange/{sub}" for sub, _, _ in mounts)
        spawner.init_containers = [c for c in spawner.init_containers
                                   if c.get("name") != "exchange-folders"] + [{
            "name": "exchange-folders", "image": spawner.image,
            "command": ["sh", "-c", f"mkdir -p {folders} && chown {NB_UID}:{NB_GID} "
                                    f"/exchange/{COURSE_ID} /exchange/{COURSE_ID}/inbound "
                                    f"/exchange/{COURSE_ID}/feedback {folders}"],
            "securityContext": {"runAsUser": 0, "runAsGroup": 0},
            "volumeMounts": [{"name": "nbgrader-exchange", "mountPath": "/exchange"}]}]

    c.Spawner.pre_spawn_hook = kube_pre_spawn
