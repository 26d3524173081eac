"""The grader's side of a warm worker (see :mod:`autograder.worker` for the sandbox side).

A :class:`WarmWorker` starts one bubblewrap sandbox running ``autograder.worker`` (which
imports torch once) and sends it one submission at a time.  Each submission gets two
fresh pipes, handed over as file descriptors: one carrying its inputs, one on which the
grader reads its progress and harvest, exactly as in a cold run.  The outcome is built by
the same function as a cold run's, so both paths give the same verdicts.  A worker that
dies, hangs or is killed is replaced before the next submission.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import wire
from .runner import Drain, Limits, Phase1Result, child_limits, outcome, phase_times
from .sandbox import Launch, prepare_worker

START_TIMEOUT = 180.0  # importing torch on a loaded 2-core machine can take a while
KILL_GRACE = 10.0


class WorkerFailed(RuntimeError):
    """The worker could not be started."""


class WarmWorker:
    """One warm sandbox; not thread-safe (give each grading thread its own)."""

    def __init__(self, limits: Limits, data_root: Path | None = None,
                 hidden: list[Path] | None = None) -> None:
        self.limits = limits
        self.data_root = data_root
        self.hidden = hidden
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.launch: Launch | None = None
        self.stdio: Drain | None = None
        self.starts = 0
        #: Why earlier sandboxes were given up after a child (one entry per replacement).
        self.dirty: list[str] = []
        self._buffer = b""

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        ours, theirs = socket.socketpair()
        work = Path(tempfile.gettempdir())
        launch = prepare_worker(self.limits.sandbox, work, self.data_root, theirs.fileno(),
                                self.hidden, cpus=self.limits.threads)
        stdio_r, stdio_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                launch.argv, cwd=launch.cwd, env=launch.env, stdin=subprocess.DEVNULL,
                stdout=stdio_w, stderr=stdio_w, pass_fds=(theirs.fileno(),),
                start_new_session=True, preexec_fn=launch.preexec)
        except BaseException:
            launch.cleanup()
            os.close(stdio_r)
            raise
        finally:
            os.close(stdio_w)
            theirs.close()
        self.launch, self.sock = launch, ours
        self.stdio = Drain(stdio_r, 64 * 1024)  # kept only to explain a failed start
        self.stdio.start()
        self.starts += 1
        self._buffer = b""
        if self._read_line(START_TIMEOUT) != b"ready":
            tail = bytes(self.stdio.data).decode(errors="replace")[-500:]
            self.close()
            raise WorkerFailed(f"the warm worker did not start: {tail.strip()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            self.proc = None
        if self.launch is not None:
            self.launch.cleanup()
            self.launch = None

    def __enter__(self) -> WarmWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- one submission ------------------------------------------------------------------

    def _read_line(self, timeout: float) -> bytes | None:
        """The next line from the worker, or None on EOF/timeout."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or self.sock is None:
                return None
            try:
                ready, _, _ = select.select([self.sock], [], [], left)
                if not ready:
                    return None
                chunk = self.sock.recv(4096)
            except OSError:  # the worker is gone
                return None
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.strip()

    def run(self, notebook: bytes, plan_bytes: tuple[bytes, bytes], limits: Limits,
            data_dir: str | None = None) -> Phase1Result:
        """Grade one submission's phase 1 in a child forked from the warm worker.

        If the worker itself dies or hangs (not the submission: the worker is pid 1 of its
        sandbox and cannot be signalled from inside), the submission is run once more on
        a fresh worker, so an infrastructure failure never becomes a student's zero.
        """
        result, worker_failed = self._attempt(notebook, plan_bytes, limits, data_dir)
        if worker_failed:
            result, _ = self._attempt(notebook, plan_bytes, limits, data_dir)
        return result

    def _attempt(self, notebook: bytes, plan_bytes: tuple[bytes, bytes], limits: Limits,
                 data_dir: str | None) -> tuple[Phase1Result, bool]:
        if not self.alive():
            self.close()
            self.start()
        assert self.sock is not None and self.launch is not None
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        started = time.monotonic()
        enforced = self.launch.enforced
        cgroup = self.launch.cgroup
        memory_before = cgroup.memory_events()
        try:
            socket.send_fds(self.sock, [b"job\n"], [in_r, out_w])
        except OSError:  # the worker died between two submissions
            for fd in (out_r, in_w):
                os.close(fd)
            self.close()
            return Phase1Result("died", detail={"cell": "0", "how": "worker lost"}), True
        finally:
            os.close(in_r)
            os.close(out_w)
        limits_json = json.dumps(child_limits(limits, data_dir=data_dir)).encode()
        header = (f"inputs {len(limits_json)} {len(notebook)} {len(plan_bytes[0])} "
                  f"{len(plan_bytes[1])}\n").encode()
        writer = threading.Thread(target=_write_all, daemon=True,
                                  args=(in_w, [header, limits_json, notebook, *plan_bytes]))
        writer.start()
        control = Drain(out_r, limits.max_harvest_bytes + 16 * 1024 * 1024)
        control.start()
        replaced = len(self.dirty)
        status = self._wait_exit(limits.notebook_timeout)
        timed_out = status == "timeout"
        code = int(status) if status not in (None, "timeout", "killed", "unknown") else None
        if status is None:  # the worker itself died or hung: replace it
            self.close()
        control.join(timeout=KILL_GRACE)
        writer.join(timeout=1)
        memory_events = cgroup.memory_events() - memory_before if status else 0
        result = outcome(bytes(control.data), control.dropped, code, timed_out, memory_events,
                         limits, seconds=time.monotonic() - started, sandbox="bwrap",
                         enforced=enforced, stdio="", phases=phase_times(started, control.seen))
        if len(self.dirty) > replaced:
            self.close()  # the worker ended itself; the next job starts a fresh sandbox
        return result, status is None and result.status != "completed"

    def _wait_exit(self, timeout: float) -> str | None:
        """The child's exit status, ``timeout``, or None when the worker itself failed.

        A worker that could not prove its sandbox clean after the child says so on the
        same line (``exit STATUS dirty WHAT``); that is recorded in :attr:`dirty`.
        """
        line = self._read_line(timeout)
        timed_out = False
        if line is None and self.alive():
            # Past the notebook's time: ask the worker to stop the submission.
            try:
                self.sock.sendall(b"kill\n")
            except OSError:
                return None
            line = self._read_line(KILL_GRACE)
            timed_out = True
        if line is None or not line.startswith(b"exit "):
            return None
        status, _, dirty = line[5:].decode(errors="replace").partition(" dirty ")
        if dirty:
            self.dirty.append(dirty)
        return "timeout" if timed_out else status


def _write_all(fd: int, parts: list[bytes]) -> None:
    try:
        for part in parts:
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view):]
    except OSError:
        pass  # the child stopped reading (it died); its outcome says so
    finally:
        os.close(fd)


def plan_bytes(plan: dict[str, Any]) -> tuple[bytes, bytes]:
    """A plan serialised once per batch, for every submission of that notebook."""
    return wire.dumps(plan)
