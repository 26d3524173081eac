"""A warm worker: one sandbox, torch already imported, a fresh forked child per submission.

Run as ``python -m autograder.worker CONTROL_FD`` inside the same bubblewrap sandbox as
a cold run.  It imports everything a submission needs once (torch, numpy, IPython), makes
a pristine IPython shell, and then serves jobs, one at a time, over a Unix socket:

``job <json>`` with two file descriptors attached (SCM_RIGHTS)
    the read end of a pipe carrying the submission's inputs and the write end of the
    pipe on which the grader reads its progress and harvest.  The worker forks; the
    child closes the control socket, reads its inputs and runs
    :func:`autograder.harvest.run_submission`.  The worker itself never reads a
    submission's bytes, so no submission's content is ever in the memory a later child
    is forked from.
``kill``
    stop the current submission now (its wall time is up).

After each child ends the worker kills every other process in the sandbox's pid
namespace (whatever the submission left behind), empties the writable folders (the only
writable places in the sandbox: everything else is mounted read-only, and the kernel
objects that outlive a process are refused by :mod:`autograder.seccomp`), and answers
``exit <status>``.  The worker is not dumpable, so a child running as the same user cannot
ptrace it or read its memory.

What a child *can* still reach is the worker's own scheduling and resource attributes:
the kernel lets a process of the same user lower another's rlimits, raise its nice value,
narrow its CPU affinity or change its OOM score, and the next child would inherit them.
The worker records these attributes before the first child and checks them after every
one; if it cannot prove them unchanged and its pid namespace empty, it answers
``exit <status> dirty <what>`` and ends, and the grader starts a fresh sandbox.
"""

from __future__ import annotations

import ctypes
import json
import os
import platform
import resource
import select
import shutil
import signal
import socket
import stat
import sys
import time
from pathlib import Path

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
#: The writable folders, emptied after every child (sandbox.SCRATCH_DIRS, the home first).
SCRATCH = (Path.home(), Path("/tmp"), Path("/dev/shm"))
KILL_ROUNDS = 200


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def _read_inputs(fd: int) -> tuple[bytes, dict, dict]:
    from . import wire

    with os.fdopen(fd, "rb") as fh:
        header = fh.readline().split()
        if len(header) != 5 or header[0] != b"inputs":
            raise ValueError("malformed inputs")
        n_limits, n_nb, n_json, n_npz = (int(x) for x in header[1:])
        limits = json.loads(fh.read(n_limits))
        notebook = fh.read(n_nb)
        plan = wire.loads(fh.read(n_json), fh.read(n_npz))
    return notebook, plan, limits


def _child(sock: socket.socket, in_fd: int, out_fd: int, shell) -> None:
    """In the forked child: forget the worker's channels, then run the submission."""
    try:
        sock.close()
        os.setsid()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        notebook, plan, limits = _read_inputs(in_fd)
        if limits.get("data_dir"):
            os.environ["D2L_DATA_DIR"] = limits["data_dir"]
        os.chdir(Path.home())
        from .harvest import run_submission

        run_submission(notebook, plan, limits, out_fd, shell)
    finally:
        os._exit(70)


def _others() -> list[int]:
    me = os.getpid()
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]


REAP_MAX = 10_000


def _reap() -> None:
    """Collect dead children; bounded, so a swarm that keeps dying cannot hold it."""
    for _ in range(REAP_MAX):
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def clean_up(pristine: dict[Path, set[str]] | None = None) -> list[str]:
    """Kill everything but this worker, then empty the writable folders.

    Returns what could not be cleaned (empty: the sandbox is as the worker left it);
    ``pristine`` is each scratch folder's tree before the first child (see :func:`_tree`).
    """
    dirty = []
    for _ in range(KILL_ROUNDS):
        others = _others()
        if not others:
            break
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        _reap()
        time.sleep(0.005)
    else:
        dirty.append(f"{len(_others())} processes survived {KILL_ROUNDS} kill rounds")
    for folder in SCRATCH:
        for entry in list(folder.iterdir()) if folder.is_dir() else []:
            _remove(entry)
        if pristine is not None and _tree(folder) != pristine.get(folder):
            dirty.append(f"{folder} could not be emptied")
    return dirty


def _tree(folder: Path) -> set[str]:
    """Every path under ``folder``, not entering mount points.

    A scratch folder is not always empty when clean: a read-only bind that lands inside
    it (a virtual environment under /tmp) leaves the folders bwrap made to hold it.
    Cleanliness is therefore "the same tree as before the first child".
    """
    out: set[str] = set()
    for root, dirs, files in os.walk(folder):
        inside = []
        for name in dirs:
            path = os.path.join(root, name)
            out.add(path)
            if not os.path.ismount(path):
                inside.append(name)
        dirs[:] = inside
        out.update(os.path.join(root, name) for name in files)
    return out


#: Resource limits a same-user process can lower from outside (prlimit).
_RLIMITS = tuple(getattr(resource, name) for name in dir(resource)
                 if name.startswith("RLIMIT_"))


def attributes() -> dict[str, object]:
    """This process's attributes that another process of the same user may change, and
    that a forked child inherits."""
    def read(path: str) -> str:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            return f"unreadable: {exc.errno}"

    return {
        "rlimits": [resource.getrlimit(r) for r in sorted(_RLIMITS)],
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "scheduler": (os.sched_getscheduler(0), os.sched_getparam(0).sched_priority),
        "affinity": sorted(os.sched_getaffinity(0)),
        "oom_score_adj": read("/proc/self/oom_score_adj"),
        "comm": read("/proc/self/comm"),
        "autogroup_nice": read("/proc/self/autogroup").rpartition(" ")[2],
        "ioprio": _ioprio(),
    }


_IOPRIO_GET = {"x86_64": 252, "aarch64": 31}


def _ioprio() -> int | None:
    nr = _IOPRIO_GET.get(platform.machine())
    if nr is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.syscall(nr, 1, 0))  # IOPRIO_WHO_PROCESS, this process


def changed(before: dict[str, object]) -> list[str]:
    """The attributes that differ from ``before`` (a child changed them from outside)."""
    now = attributes()
    return [f"{key} changed" for key in before if now.get(key) != before[key]]


def _remove(path: Path) -> None:
    def loosen(func, p, exc):  # a submission may have taken its own write bits away
        parent = os.path.dirname(p)
        os.chmod(parent, stat.S_IRWXU)
        if os.path.isdir(p) and not os.path.islink(p):
            os.chmod(p, stat.S_IRWXU)
            shutil.rmtree(p, onerror=loosen)
        else:
            os.unlink(p)

    try:
        if path.is_dir() and not path.is_symlink():
            path.chmod(stat.S_IRWXU)
            shutil.rmtree(path, onerror=loosen)
        else:
            path.unlink()
    except OSError:
        pass


def serve(sock: socket.socket) -> None:
    """Answer jobs until the grader closes the socket."""
    import numpy  # noqa: F401  (warm the imports a submission will need)
    import torch  # noqa: F401

    from . import check, harvest, kinds, wire  # noqa: F401

    harvest.warm_imports()  # the same imports a cold run makes before its first cell
    shell = harvest.new_shell()
    _prctl(PR_SET_DUMPABLE, 0)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    # A child may send pid 1 only the signals it handles: handle none.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    clean_up()  # what warming up wrote (~/.ipython, torch caches): the first child starts clean too
    trees = {folder: _tree(folder) for folder in SCRATCH}
    pristine = attributes()
    sock.sendall(b"ready\n")
    while True:
        msg, fds, _, _ = socket.recv_fds(sock, 4096, 2)
        if not msg:
            return
        if not msg.startswith(b"job") or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            continue
        in_fd, out_fd = fds
        pid = os.fork()
        if pid == 0:
            _child(sock, in_fd, out_fd, shell)
        os.close(in_fd)
        os.close(out_fd)
        status = _wait(sock, pid)
        dirty = clean_up(trees) + changed(pristine)
        if dirty:  # cannot prove the next child would start clean: end this sandbox
            sock.sendall(f"exit {status} dirty {'; '.join(dirty)}\n".encode())
            return
        sock.sendall(f"exit {status}\n".encode())


def _wait(sock: socket.socket, pid: int) -> str:
    """Wait for the child, obeying ``kill``; returns its exit code (or ``killed``)."""
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return "unknown"
        if done:
            return str(os.waitstatus_to_exitcode(status))
        ready, _, _ = select.select([sock], [], [], 0.05)
        if ready:
            msg = sock.recv(64)
            if not msg or msg.startswith(b"kill"):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                if not msg:
                    clean_up()
                    os._exit(0)
                return "killed"


def main(argv: list[str]) -> int:
    sock = socket.socket(fileno=int(argv[1]))
    serve(sock)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
