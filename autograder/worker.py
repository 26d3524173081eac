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
namespace (whatever the submission left behind), empties the writable folders, and
answers ``exit <status>``.  The worker is not dumpable, so a child running as the same
user cannot ptrace it or read its memory.
"""

from __future__ import annotations

import ctypes
import json
import os
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
SCRATCH = (Path.home(), Path("/tmp"))


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


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def clean_up() -> None:
    """Kill everything but this worker, then empty the writable folders."""
    for _ in range(200):
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
    for folder in SCRATCH:
        for entry in list(folder.iterdir()) if folder.is_dir() else []:
            _remove(entry)


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
    import torch

    from . import check, harvest, kinds, wire  # noqa: F401

    # Warm what the first case would otherwise import lazily (torch.optim pulls in
    # torch._dynamo: about 1.4 s).  Construct only: running any torch op here would start
    # OpenMP threads, and a process forked after that may hang in its first parallel op.
    torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(1, 1)).state_dict()
    torch.nn.CrossEntropyLoss(reduction="none")
    shell = harvest.new_shell()
    _prctl(PR_SET_DUMPABLE, 0)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    clean_up()  # what warming up wrote (~/.ipython, torch caches): the first child starts clean too
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
        clean_up()
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
