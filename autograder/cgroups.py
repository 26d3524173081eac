"""Process-count and memory limits through cgroups, where this machine lets us make them.

rlimits cannot stop a fork bomb when the grader runs as root (the kernel does not apply
``RLIMIT_NPROC`` to root), and ``RLIMIT_AS`` limits each process, not a family of them.
A cgroup holding the whole sandbox does both.  We create one per submission when the
cgroup file system is writable (root on a VM or a container with delegation; cgroup v2 or
v1), and say plainly which limits hold when it is not.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def _own_path(controller: str) -> str | None:
    """This process's cgroup path for a v1 controller ('' for v2 with controller None)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller is None and controllers == "":
            return path
        if controller in controllers.split(","):
            return path
    return None


@dataclass
class Cgroup:
    """One cgroup (a folder per controller) holding one sandbox."""

    folders: dict[str, Path] = field(default_factory=dict)  # "pids"/"memory"/"cpu" -> folder
    procs_files: list[Path] = field(default_factory=list)

    @property
    def enforces(self) -> set[str]:
        return set(self.folders)

    def join(self) -> None:
        """Move the calling process into the cgroup (used between fork and exec)."""
        pid = str(os.getpid()).encode()
        for procs in self.procs_files:
            fd = os.open(procs, os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)

    def memory_events(self) -> int:
        """How many times the memory limit was hit (an OOM kill usually follows)."""
        folder = self.folders.get("memory")
        if folder is None:
            return 0
        for name in ("memory.events", "memory.failcnt"):
            path = folder / name
            if path.exists():
                text = path.read_text()
                if name == "memory.failcnt":
                    return int(text.strip() or 0)
                for line in text.splitlines():
                    key, _, value = line.partition(" ")
                    if key in ("max", "oom_kill") and int(value):
                        return int(value)
                return 0
        return 0

    def destroy(self) -> None:
        """Kill whatever is still inside, then remove the folders."""
        for _ in range(50):
            pids = set()
            for procs in self.procs_files:
                try:
                    pids |= {int(p) for p in procs.read_text().split()}
                except OSError:
                    pass
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)
        for folder in self.folders.values():
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)


CPU_PERIOD_US = 100_000


def create(max_processes: int, memory_bytes: int, cpus: int = 0) -> Cgroup:
    """A new cgroup limiting processes and memory, as far as this machine allows.

    ``cpus`` > 0 also caps the CPU time of the whole sandbox at that many cores, so that
    one notebook (a fork bomb, a busy loop in many threads) cannot starve the notebooks
    graded beside it into their time limits.  Returns a :class:`Cgroup` whose
    ``enforces`` says which limits hold (possibly none).
    """
    cg = Cgroup()
    name = f"d2l-sandbox-{uuid.uuid4().hex[:12]}"
    v2_path = _own_path(None)
    v2_base = ROOT / v2_path.lstrip("/") if v2_path is not None else None
    if v2_base is not None and (ROOT / "cgroup.controllers").exists():
        # Pure cgroup v2: one folder for both controllers.
        enabled = (v2_base / "cgroup.subtree_control")
        try:
            available = enabled.read_text().split()
            folder = v2_base / name
            folder.mkdir()
            if "pids" in available:
                (folder / "pids.max").write_text(str(max_processes))
                cg.folders["pids"] = folder
            if "memory" in available:
                (folder / "memory.max").write_text(str(memory_bytes))
                if (folder / "memory.swap.max").exists():
                    (folder / "memory.swap.max").write_text("0")
                cg.folders["memory"] = folder
            if cpus > 0 and "cpu" in available:
                (folder / "cpu.max").write_text(f"{cpus * CPU_PERIOD_US} {CPU_PERIOD_US}")
                cg.folders["cpu"] = folder
            if cg.folders:
                cg.procs_files.append(folder / "cgroup.procs")
            else:
                folder.rmdir()
        except OSError:
            pass
        return cg
    for controller, settings in (
        ("pids", {"pids.max": str(max_processes)}),
        ("memory", {"memory.limit_in_bytes": str(memory_bytes),
                    "memory.memsw.limit_in_bytes": str(memory_bytes)}),
        ("cpu", {"cpu.cfs_period_us": str(CPU_PERIOD_US),
                 "cpu.cfs_quota_us": str(cpus * CPU_PERIOD_US)} if cpus > 0 else None),
    ):
        if settings is None:
            continue
        own = _own_path(controller)
        if own is None:
            continue
        folder = ROOT / controller / own.lstrip("/") / name
        try:
            folder.mkdir()
        except OSError:
            continue
        try:
            for key, value in settings.items():
                if (folder / key).exists():
                    (folder / key).write_text(value)
        except OSError:
            folder.rmdir()
            continue
        cg.folders[controller] = folder
        cg.procs_files.append(folder / "cgroup.procs")
    return cg
