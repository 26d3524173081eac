"""What a sandboxed notebook can see and do, observed from inside; and the sandbox's flags."""

from __future__ import annotations

import os
import sys

import nbformat
import pytest

from autograder import sandbox
from autograder.runner import Limits, execute_and_harvest
from autograder.sandbox import SandboxOptions

from .conftest import MASTER, ROOT, notebook_with, run_cli

PROBE = '''
import glob, json, os, socket, sys, resource

def probe():
    seen = {}
    def can_read(path):
        try:
            with open(path, "rb") as fh:
                fh.read(1)
            return True
        except OSError:
            return False
    def can_write(path):
        try:
            with open(path, "w") as fh:
                fh.write("x")
            return True
        except OSError:
            return False
    root = ROOT_PATH
    seen["read_solutions"] = can_read(root + "/solutions/ch03_basics/questions.py")
    seen["read_reference"] = can_read(root + "/reference_impl/ch03_basics.py")
    seen["read_grader"] = can_read(root + "/autograder/grade.py")
    seen["engine_here"] = sorted(os.listdir("/opt/d2l/autograder")) \
        if os.path.isdir("/opt/d2l/autograder") else None
    try:
        import reference_impl  # noqa: F401
        seen["import_reference"] = True
    except ImportError:
        seen["import_reference"] = False
    try:
        import autograder.grade  # noqa: F401
        seen["import_grade"] = True
    except ImportError:
        seen["import_grade"] = False
    seen["write_system"] = can_write("/usr/lib/d2l-test") or can_write(sys.prefix + "/x")
    seen["write_inputs"] = can_write("/in/plan.json")
    seen["write_home"] = can_write(os.path.expanduser("~/ok"))
    seen["write_tmp"] = can_write("/tmp/ok")
    seen["environ"] = sorted(os.environ)
    try:
        seen["init_environ"] = open("/proc/1/environ", "rb").read().decode(errors="replace")
    except OSError:
        seen["init_environ"] = None
    seen["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    seen["uid"] = os.getuid()
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1)
        seen["network"] = True
    except OSError:
        seen["network"] = False
    seen["rlimit_as"] = resource.getrlimit(resource.RLIMIT_AS)[0]
    seen["rlimit_fsize"] = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    seen["cwd"] = os.getcwd()
    return seen
'''.replace("ROOT_PATH", repr(str(ROOT)))

PLAN = {"assignment": "ch03_basics", "notebook": "linear_softmax", "questions": [{
    "name": "probe", "object": "probe", "points": 1.0, "judge": "close", "tolerance": None,
    "kind": {"kind": "call", "harvest": ["return"], "collect": False}, "isolate": {},
    "cases": [{"id": "p1", "public": True, "seed": 0, "args": [], "kwargs": {}}]}]}


def _observe(tmp_path, options: SandboxOptions) -> dict:
    nb_path = tmp_path / "probe.ipynb"
    nbformat.write(notebook_with([PROBE]), nb_path)
    p1 = execute_and_harvest(nb_path, PLAN, Limits(sandbox=options))
    assert p1.status == "completed", (p1.detail, p1.stdio)
    result = p1.results["probe/p1"]
    assert result["status"] == "ok", result
    return result["value"]


@pytest.fixture(scope="module")
def inside(tmp_path_factory):
    return _observe(tmp_path_factory.mktemp("probe"), SandboxOptions())


def test_no_view_of_the_answer_key_or_the_grader(inside):
    assert inside["read_solutions"] is False
    assert inside["read_reference"] is False
    assert inside["read_grader"] is False
    assert inside["import_reference"] is False
    assert inside["import_grade"] is False
    assert inside["engine_here"] == sorted(sandbox.STUDENT_RUNTIME)


def test_read_only_system_and_inputs_private_writable_scratch(inside):
    assert inside["write_system"] is False
    assert inside["write_inputs"] is False
    assert inside["write_home"] is True and inside["write_tmp"] is True
    assert inside["cwd"] == sandbox.SANDBOX_HOME


def test_no_network_no_secrets_own_pids(inside):
    assert inside["network"] is False
    assert inside["init_environ"] == ""  # bwrap itself runs with an empty environment
    assert "D2L_COURSE_ROOT" not in inside["environ"] and "PATH" in inside["environ"]
    assert all(pid < 20 for pid in inside["pids"])  # its own pid namespace
    assert inside["uid"] == 65534


def test_rlimits_are_applied(inside):
    options = SandboxOptions()
    assert inside["rlimit_as"] == options.memory_bytes
    assert inside["rlimit_fsize"] == options.max_file_bytes


def test_without_sandbox_the_same_probe_sees_everything(tmp_path):
    outside = _observe(tmp_path, SandboxOptions(kind="none"))
    assert outside["read_solutions"] is True  # which is why none must be asked for
    assert outside["import_reference"] is True


def test_missing_bubblewrap_refuses_with_one_clear_line(tmp_path):
    env_path = os.path.dirname(sys.executable)  # a PATH without bwrap
    proc = run_cli_env(["grade", str(MASTER)], {"PATH": env_path})
    assert proc.returncode == 1
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "bubblewrap (bwrap) is not installed" in lines[0]
    assert "--sandbox=none" in lines[0]


def test_sandbox_none_grades_and_says_so(tmp_path):
    out = tmp_path / "r.json"
    proc = run_cli_env(["grade", str(MASTER), "--sandbox", "none", "--lang", "en",
                        "--json", str(out)], {"PATH": os.path.dirname(sys.executable)})
    assert proc.returncode == 0, proc.stderr
    assert "graded WITHOUT a sandbox" in proc.stdout
    import json

    data = json.loads(out.read_text())
    assert data["score"] == 18 and data["extra_data"]["sandbox"] == "none"
    assert "WITHOUT a sandbox" in data["output"]


def test_gpu_flag_binds_nvidia_devices_only_when_asked(tmp_path, monkeypatch):
    fake = ["/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-uvm"]
    monkeypatch.setattr(sandbox.glob, "glob",
                        lambda pattern: fake if pattern == "/dev/nvidia*" else [])
    with_gpu = sandbox.prepare(SandboxOptions(gpu=True), tmp_path, tmp_path, None, 9)
    without = sandbox.prepare(SandboxOptions(), tmp_path, tmp_path, None, 9)
    try:
        for dev in fake:
            assert ["--dev-bind", dev, dev] == with_gpu.argv[
                with_gpu.argv.index(dev) - 1: with_gpu.argv.index(dev) + 2]
            assert dev not in without.argv
        assert "--unshare-net" in without.argv or "--unshare-all" in without.argv
    finally:
        with_gpu.cleanup()
        without.cleanup()


def test_limit_flags_reach_the_sandbox(tmp_path):
    options = SandboxOptions(memory_bytes=3 * 1024**3, max_file_bytes=1024**2)
    seen = _observe(tmp_path, options)
    assert seen["rlimit_as"] == 3 * 1024**3 and seen["rlimit_fsize"] == 1024**2


def test_bad_limit_values_are_usage_errors():
    proc = run_cli("grade", str(MASTER), "--memory", "lots")
    assert proc.returncode == 2 and "not a size" in proc.stderr


def run_cli_env(args, env_overrides):
    import subprocess

    env = dict(os.environ, **env_overrides)
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_course_folders_inside_the_python_environment_are_masked(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "elsewhere").mkdir()
    masks = sandbox._masks([tmp_path.resolve()], [tmp_path / "solutions",
                                                  tmp_path.parent / "not-bound"])
    assert masks == [(tmp_path / "solutions").resolve()]


def test_a_sandbox_graded_beside_others_gets_a_cpu_group_of_its_own():
    """With N notebooks at once each sandbox is one CPU group of default weight: the cores
    are shared between sandboxes, so a fork bomb in one cannot starve its neighbour."""
    from autograder import cgroups

    cg = cgroups.create(16, 1 << 30, cpus=1)
    try:
        if "cpu" not in cg.enforces:
            pytest.skip("no writable cpu cgroup controller here")
        folder = cg.folders["cpu"]
        weight = folder / "cpu.weight"
        if weight.exists():
            assert int(weight.read_text()) == cgroups.CPU_WEIGHT_V2
        else:
            assert int((folder / "cpu.shares").read_text()) == cgroups.CPU_SHARES_V1
            assert int((folder / "cpu.cfs_quota_us").read_text()) == -1  # a share, no cap
    finally:
        cg.destroy()
    uncapped = cgroups.create(16, 1 << 30)
    try:
        assert "cpu" not in uncapped.enforces
    finally:
        uncapped.destroy()
