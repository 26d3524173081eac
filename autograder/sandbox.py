"""How phase 1's process is started: inside bubblewrap, or (opted into) without isolation.

Inside the sandbox the student's code sees:

* the system (``/usr``) and the Python environment, read-only;
* the student-side runtime of the engine (harvest, kinds, wire, check, compare,
  messages) at ``/opt/d2l/autograder``, read-only, and nothing else of the grader;
* its inputs (notebook, plan, limits) read-only at ``/in``, the course's stand-in data
  read-only at ``/data``;
* a private writable home (``/home/student``, the working folder), ``/tmp`` and
  ``/dev/shm``, size-capped tmpfs that vanish with the sandbox (and that a warm worker
  empties after every child); everything else, including the folders bubblewrap creates
  to hold its binds (``/``, ``/opt/d2l``, the parents of the Python roots), is read-only;
* no System V IPC, POSIX message queues or key rings (:mod:`autograder.seccomp`): they
  outlive processes, so a warm worker's child could leave them for the next;
* no network (its own empty network namespace), its own pid namespace (it sees only its
  own processes, and they all die with it), no capabilities, an empty environment;
* no ``reference_impl``, ``solutions/``, fixtures, gradebook or other submissions: they
  are simply not mounted, and copies installed inside the Python environment are masked.

Limits: rlimits on address space, CPU time, file size, open files and (for non-root
users) processes; a cgroup for processes and memory where this machine allows one.
Wall time is enforced by the caller (per cell inside, per notebook outside).
"""

from __future__ import annotations

import glob
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import cgroups, seccomp

ENGINE_DIR = Path(__file__).resolve().parent
#: The engine modules the sandboxed process needs (and the notebook's ``check``).
STUDENT_RUNTIME = ("__init__.py", "harvest.py", "kinds.py", "wire.py", "check.py",
                   "answers.py", "compare.py", "device.py", "messages.py", "worker.py")
#: Packages that must never be importable inside the sandbox.
HIDDEN_PACKAGES = ("reference_impl", "autograder")
SANDBOX_HOME = "/home/student"
SHM_DIR = "/dev/shm"
#: The only writable places inside the sandbox: size-capped tmpfs mounts that a warm
#: worker empties after every child (POSIX shared memory and semaphores live in /dev/shm).
SCRATCH_DIRS = (SANDBOX_HOME, "/tmp", SHM_DIR)
GiB = 1024**3
MiB = 1024**2


class SandboxUnavailable(Exception):
    """The requested sandbox cannot run on this machine (one-line reason)."""


@dataclass(frozen=True)
class SandboxOptions:
    """Isolation and resource limits for phase 1; every field has a command-line flag."""

    kind: str = "bwrap"  # "bwrap" or "none"
    gpu: bool = False
    memory_bytes: int = 4 * GiB
    cpu_seconds: int = 900
    max_processes: int = 256
    max_file_bytes: int = 256 * MiB
    scratch_bytes: int = 512 * MiB  # each of /tmp and the home folder
    max_open_files: int = 1024

    def __post_init__(self) -> None:
        if self.kind not in ("bwrap", "none"):
            raise ValueError(f"unknown sandbox {self.kind!r}; use bwrap or none")


@dataclass
class Launch:
    """Everything needed to start the child, and to clean up after it."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    preexec: Callable[[], None]
    cgroup: cgroups.Cgroup
    enforced: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        self.cgroup.destroy()


_probe_cache: dict[str, str | None] = {}


def unavailable_reason(kind: str) -> str | None:
    """Why ``kind`` cannot run here, or None when it can (probed once per process)."""
    if kind == "none":
        return None
    if kind not in _probe_cache:
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            _probe_cache[kind] = ("bubblewrap (bwrap) is not installed; install the Debian "
                                  "package bubblewrap, or pass --sandbox=none to grade "
                                  "without isolation")
        else:
            proc = subprocess.run(
                [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                 "--proc", "/proc", "--dev", "/dev", "true"],
                capture_output=True, text=True, timeout=30, env={})
            _probe_cache[kind] = None if proc.returncode == 0 else (
                f"bubblewrap cannot create namespaces here ({proc.stderr.strip()[:120]}); "
                "pass --sandbox=none to grade without isolation")
    return _probe_cache[kind]


def _python_roots() -> list[Path]:
    """Folders that hold the running Python and its packages (bound read-only)."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
             Path(sys.executable).resolve().parent.parent}
    # Drop roots nested in another root, and anything already under /usr.
    kept = []
    for r in sorted(roots, key=lambda p: len(p.parts)):
        if str(r).startswith("/usr/") or r == Path("/usr"):
            continue
        if not any(r.is_relative_to(k) for k in kept):
            kept.append(r)
    return kept


def _masks(bound: list[Path], hidden: list[Path]) -> list[Path]:
    """Installed copies of hidden packages, and hidden folders, that a bound folder would
    expose (a course checked out inside the Python environment, say)."""
    out = [h.resolve() for h in hidden
           if h.exists() and any(h.resolve().is_relative_to(b) for b in bound)]
    for name in HIDDEN_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for loc in spec.submodule_search_locations:
            path = Path(loc).resolve()
            if any(path.is_relative_to(b) for b in bound):
                out.append(path)
    return out


def _user_tasks(uid: int) -> int:
    """How many tasks (threads) the user already runs; RLIMIT_NPROC counts them all."""
    count = 0
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            text = Path(status).read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            count += int(fields.get("Threads", "1").strip() or 1)
    return count


def _preexec(options: SandboxOptions, cg: cgroups.Cgroup) -> Callable[[], None]:
    uid = os.getuid()
    nproc = None if uid == 0 else _user_tasks(uid) + options.max_processes
    memory = resource.RLIM_INFINITY if options.gpu else options.memory_bytes
    no_ipc = seccomp.program() if options.kind == "bwrap" else None

    def apply() -> None:
        # POSIX message queues outlive their process; none may be made (the seccomp
        # filter refuses mq_open too, where this architecture has one).
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (options.cpu_seconds, options.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_FSIZE, (options.max_file_bytes,) * 2)
        resource.setrlimit(resource.RLIMIT_NOFILE, (options.max_open_files,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        cg.join()
        if no_ipc is not None:
            seccomp.install(no_ipc)

    return apply


def _enforced(options: SandboxOptions, cg: cgroups.Cgroup) -> list[str]:
    out = ["cpu-time", "file-size", "open-files"]
    out.append("memory (cgroup)" if "memory" in cg.enforces else
               "memory (address space)" if not options.gpu else "memory: not enforced")
    if "cpu" in cg.enforces:
        out.append("cpu share (cgroup)")
    if "pids" in cg.enforces:
        out.append("processes (cgroup)")
    elif os.getuid() != 0:
        out.append("processes (rlimit)")
    else:
        out.append("processes: not enforced (root without a writable cgroup)")
    if options.kind == "bwrap":
        out += ["network", "filesystem", "pid-namespace"]
        out.append("ipc and key rings (seccomp)" if seccomp.program() is not None else
                   "ipc and key rings: not enforced (no seccomp table for this machine)")
    return out


def prepare(options: SandboxOptions, in_dir: Path, work_dir: Path, data_dir: Path | None,
            control_fd: int, hidden: list[Path] | None = None, cpus: int = 0) -> Launch:
    """The command that runs ``python -m autograder.harvest`` for one submission (cold).

    ``hidden`` names folders (the course's solutions) that must stay invisible even if
    they happen to sit inside the Python environment that is bound read-only.
    """
    inputs = "/in" if options.kind == "bwrap" else str(in_dir)
    return _launch(options, work_dir, data_dir, hidden, in_dir,
                   ["autograder.harvest", inputs, str(control_fd)], cpus=cpus)


def prepare_worker(options: SandboxOptions, work_dir: Path, data_root: Path | None,
                   control_fd: int, hidden: list[Path] | None = None, cpus: int = 0) -> Launch:
    """The command that starts a warm worker (``python -m autograder.worker``) in the sandbox.

    The worker runs as the namespace's pid 1, so the submissions it forks cannot signal it.
    """
    if options.kind != "bwrap":
        raise SandboxUnavailable("warm workers need the bubblewrap sandbox")
    return _launch(options, work_dir, data_root, hidden, None,
                   ["autograder.worker", str(control_fd)], as_pid_1=True, cpus=cpus)


def _launch(options: SandboxOptions, work_dir: Path, data_dir: Path | None,
            hidden: list[Path] | None, in_dir: Path | None, module_args: list[str],
            as_pid_1: bool = False, cpus: int = 0) -> Launch:
    """``cpus`` > 0: the sandbox may use that many cores at most (a cgroup, where one can
    be made): a notebook graded beside others cannot starve them."""
    reason = unavailable_reason(options.kind)
    if reason:
        raise SandboxUnavailable(reason)
    memory_limit = options.memory_bytes if not options.gpu else 64 * GiB
    cg = cgroups.create(options.max_processes, memory_limit, cpus)
    preexec = _preexec(options, cg)
    base_env = {
        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "Agg", "NBGRADER_EXECUTION": "autograde", "LANG": "C.UTF-8",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    python = [sys.executable, "-m", *module_args]
    if options.kind == "none":
        env = dict(base_env, HOME=str(work_dir), TMPDIR=str(work_dir),
                   PYTHONPATH=str(ENGINE_DIR.parent))
        if data_dir is not None:
            env["D2L_DATA_DIR"] = str(data_dir)
        return Launch(python, env, work_dir, preexec, cg, _enforced(options, cg))

    roots = _python_roots()
    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--unshare-user",
            "--uid", "65534", "--gid", "65534",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--hostname", "sandbox", "--clearenv",
            "--ro-bind", "/usr", "/usr",
            # Scratch first, so that binds below may land inside /tmp (a venv under /tmp).
            "--size", str(options.scratch_bytes), "--tmpfs", "/tmp",
            "--size", str(options.scratch_bytes), "--tmpfs", SANDBOX_HOME]
    if as_pid_1:
        args.append("--as-pid-1")
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            args += ["--ro-bind", str(path), f"/{name}"]
    if Path("/etc/ld.so.cache").exists():
        args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    for root in roots:
        args += ["--ro-bind", str(root), str(root)]
    for mask in _masks(roots, list(hidden or [])):
        args += ["--tmpfs", str(mask)]
    for name in STUDENT_RUNTIME:
        args += ["--ro-bind", str(ENGINE_DIR / name), f"/opt/d2l/autograder/{name}"]
    if in_dir is not None:
        args += ["--ro-bind", str(in_dir), "/in"]
    if data_dir is not None:
        args += ["--ro-bind", str(data_dir), "/data", "--setenv", "D2L_DATA_DIR", "/data"]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(options.scratch_bytes), "--tmpfs", SHM_DIR]
    if options.gpu:
        for dev in sorted(glob.glob("/dev/nvidia*")):
            args += ["--dev-bind", dev, dev]
    # Everything bwrap created to hold the binds above (/, /opt/d2l, the parents of the
    # Python roots, /dev) would otherwise be writable by the sandbox user and outlive a
    # warm worker's child: only the scratch tmpfs mounts (SCRATCH_DIRS) stay writable.
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", SANDBOX_HOME]
    env = dict(base_env, HOME=SANDBOX_HOME, TMPDIR="/tmp", PYTHONPATH="/opt/d2l")
    for key, value in env.items():
        args += ["--setenv", key, value]
    args += ["--", *python]
    # bwrap itself gets an empty environment: /proc/1/environ inside shows nothing.
    return Launch(args, {}, work_dir, preexec, cg, _enforced(options, cg))
