"""Jupyter kernels forked from one warm process, for the many ``otter run``s of the tests.

Each ``otter run`` starts a kernel, and a fresh kernel imports ipykernel, torch and otter
and, at the notebook's first optimiser, ``torch._dynamo`` (torch imports it lazily): 5 to
8 s of CPU per run before the notebook's own work, for about sixty runs on CI's two
cores.  Here one server imports them once, before any notebook runs, and every kernel is
a fresh fork of it: a process that has imported packages and run nothing else, so no
run sees another's state.  The kernel code (ipykernel) and everything the notebook runs
are the ones a plain kernel runs; nothing of this repository is imported by the server,
so the notebook imports ``autograder`` from the otter zip, as a student's kernel does.

Two roles, one file (stdlib only at import, so a launch costs a bare Python start):

``serve SOCKET``
    import, then fork one kernel per connection.  The child takes the launcher's working
    folder, environment, argv and standard streams, reseeds Python's and numpy's random
    generators (a fork shares its parent's), and runs ipykernel as
    ``python -m ipykernel_launcher`` would.  It ends when the kernel ends, or when its
    launcher is gone.
``launch SOCKET -f CONNECTION_FILE``
    the kernelspec's argv: asks the server for a kernel, passes on the signals jupyter
    sends it (interrupt, terminate), and exits when the kernel does, so jupyter_client
    sees one process that behaves like a kernel.

:func:`kernelspec` writes the spec; a run uses it by putting its folder first on
``JUPYTER_PATH`` (the spec is named ``python3``, the name our notebooks carry).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
from pathlib import Path

#: What a kernel for our notebooks imports before its first cell ends (otter's grading
#: cell imports otter; every notebook imports torch).
PRELOAD = ["ipykernel.kernelapp", "ipykernel.ipkernel", "numpy", "torch", "otter",
           "otter.check.notebook", "PIL.Image"]


def kernelspec(folder: Path, server: Path) -> Path:
    """Write a ``python3`` kernelspec under ``folder`` that launches through ``server``;
    returns the folder to put first on ``JUPYTER_PATH``."""
    spec = Path(folder) / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, str(Path(__file__).resolve()), "launch", str(server),
            "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({
        "argv": argv, "display_name": "Python 3 (forked)", "language": "python",
        "metadata": {"debugger": False}}))
    return Path(folder)


def _warm() -> None:
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    import torch

    # Constructing an optimiser imports torch._dynamo (seconds of CPU); constructing
    # only, so no OpenMP thread exists when the server forks.
    torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)


def _kernel(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the kernel the launcher asked for."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = request["argv"]
    del sys.path[0]  # this file's folder; ipykernel puts '' (the working folder) back
    import random

    import numpy
    import torch

    random.seed()
    numpy.random.seed()
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    conn.sendall(f"{os.getpid()}\n".encode())

    def orphaned() -> None:  # the launcher is gone (killed): so is the kernel
        while conn.recv(1):
            pass
        os._exit(1)

    threading.Thread(target=orphaned, daemon=True).start()
    status = 0
    try:
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 0
    except BaseException:  # noqa: BLE001 - the traceback is the kernel's stderr
        import traceback

        traceback.print_exc()
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def serve(path: Path) -> None:
    """Import, then fork a kernel per connection until killed."""
    _warm()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        msg, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
        request = json.loads(msg)
        if os.fork() == 0:
            listener.close()
            _kernel(conn, request, fds)
        conn.close()
        for fd in fds:
            os.close(fd)


def launch(path: Path, argv: list[str]) -> int:
    """Ask the server for a kernel; relay signals to it; return when it ends."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(str(path))
    request = {"argv": ["ipykernel_launcher", *argv], "env": dict(os.environ),
               "cwd": os.getcwd()}
    socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
    pid = int(conn.makefile().readline())

    def relay(signum: int, _frame: object) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(signum, relay)
    while conn.recv(1):  # the kernel never writes again: this waits for it to end
        pass
    return 0


if __name__ == "__main__":
    role, where, *rest = sys.argv[1:]
    if role == "serve":
        serve(Path(where))
    else:
        sys.exit(launch(Path(where), rest))
