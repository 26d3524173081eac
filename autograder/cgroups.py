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

    def _kill_all(self) -> None:
        """Stop every process inside at once (cgroup.kill, or freeze), then SIGKILL."""
        any_folder = next(iter(self.folders.values()), None)
        if any_folder is not None and _write(any_folder / "cgroup.kill", "1"):
            return  # cgroup v2: the kernel kills them all, forks included
        freezer = self.folders.get("freezer")
        if freezer is None or not _write(freezer / "freezer.state", "FROZEN"):
            return
        for _ in range(100):  # freezing takes a moment; a frozen task cannot fork
            if (freezer / "freezer.state").read_text().strip() == "FROZEN":
                break
            time.sleep(0.01)
        try:
            for pid in (freezer / "cgroup.procs").read_text().split():
                try:
                    os.kill(int(pid), signal.SIGKILL)  # takes effect when thawed
                except ProcessLookupError:
                    pass
        finally:
            _write(freezer / "freezer.state", "THAWED")

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
        """Kill whatever is still inside, then remove the folders.

        Through the kernel where it can (``cgroup.kill`` on cgroup v2, or freezing the
        cgroup v1 freezer first), so a process that forks as fast as it is killed cannot
        outrun the loop; the loop below then only collects what is left.
        """
        self._kill_all()
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
        for folder in set(self.folders.values()):
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.02)


#: The kernels' default CPU weights: every sandbox gets an equal share under contention.
CPU_SHARES_V1 = 1024
CPU_WEIGHT_V2 = 100


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False


def create(max_processes: int, memory_bytes: int, cpus: int = 0) -> Cgroup:
    """A new cgroup limiting processes and memory, as far as this machine allows.

    ``cpus`` > 0 (several sandboxes at once) also puts the sandbox in a CPU group of its
    own with the default weight: the scheduler then shares the cores between *sandboxes*,
    not between processes, so one notebook running 256 busy processes (a fork bomb) gets
    the same share as the notebook beside it with one, which cannot be starved into its
    time limits.  A weight, not a cap: a sandbox alone on the machine uses every core.
    Returns a :class:`Cgroup` whose ``enforces`` says which limits hold (possibly none).
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
                (folder / "cpu.weight").write_text(str(CPU_WEIGHT_V2))
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
        ("cpu", {"cpu.shares": str(CPU_SHARES_V1)} if cpus > 0 else None),
        ("freezer", {}),  # so that destroy() can stop every process before killing it
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
