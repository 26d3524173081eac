"""GPU grading, the parts a CPU machine can check: where cases run, the precision policy
that undoes a notebook's TF32, and which tolerance judges a case run on a GPU."""

from __future__ import annotations

import pytest
import torch

from autograder.compare import Tolerance, compare
from autograder.device import case_device, grading_precision, tf32_allowed, to_cpu
from autograder.grade import grade_batch
from autograder.judge import judge_case
from autograder.kinds import Builder, Construct, new, run_case
from autograder.runner import Limits
from autograder.sandbox import SandboxOptions

from .conftest import MASTER


def test_cases_run_on_cuda_only_when_asked_allowed_and_visible(monkeypatch):
    asked = {"device": "cuda"}
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert case_device({}, asked) == "cuda"
    assert case_device({"cpu_only": True}, asked) == "cpu"
    assert case_device({}, {"device": "cpu"}) == case_device({}, {}) == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert case_device({}, asked) == "cpu"  # asked for, not visible: the CPU, no error


def test_a_case_builds_its_tensors_and_modules_on_the_case_device():
    """``meta`` stands in for ``cuda`` here: same code path, no GPU needed."""
    builder = Builder({}, device="meta")
    x, net = builder.build([torch.ones(2, 3), new("torch.nn.Linear", 3, 4)])
    assert x.device.type == "meta" and net.weight.device.type == "meta"
    kind = Construct(init=(3, 4), harvest=("state", "num_params")).to_data()
    got = run_case(torch.nn.Linear, {"seed": 1, "args": [torch.ones(2, 3)],
                                     "kwargs": {"fill": True}}, kind, {}, device="meta")
    assert got["num_params"] == 16
    assert {k: v.device.type for k, v in got["state"].items()} == {"weight": "meta",
                                                                   "bias": "meta"}
    t = torch.zeros(1)
    nested = to_cpu({"a": [t, (t, 3, "s")]})
    assert nested == {"a": [t, (t, 3, "s")]} and nested["a"][0] is t  # CPU values stay put
    assert type(nested["a"][1]) is tuple


def test_grading_precision_undoes_what_a_notebook_turned_on():
    matmul, conv = torch.backends.cuda.matmul, torch.backends.cudnn.conv
    saved = (matmul.fp32_precision, conv.fp32_precision, torch.backends.cudnn.benchmark,
             torch.backends.cudnn.deterministic, torch.are_deterministic_algorithms_enabled())
    try:
        matmul.fp32_precision = "tf32"  # what a student's cell may do
        torch.backends.cudnn.benchmark = True
        assert tf32_allowed()
        grading_precision()
        assert not tf32_allowed()
        assert matmul.fp32_precision == conv.fp32_precision == "ieee"
        assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
        assert torch.are_deterministic_algorithms_enabled()
    finally:
        matmul.fp32_precision, conv.fp32_precision = saved[0], saved[1]
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = saved[2:4]
        torch.use_deterministic_algorithms(saved[4])


QPLAN = {"name": "q", "object": "q", "judge": "close", "tolerance": None, "cases": []}
CASE = {"id": "h1", "public": False, "seed": 1, "args": [], "kwargs": {}}


def _judge(value, expected, *, device=None, gpu=False, **plan):
    result = {"status": "ok", "value": value, **({"device": device} if device else {})}
    return judge_case({**QPLAN, **plan}, CASE, result, expected, None, 10.0, gpu).passed


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_the_gpu_tolerance_applies_only_to_a_gpu_run_of_float32(dtype):
    expected = torch.linspace(1, 2, 8, dtype=dtype)
    off = expected * (1 + 5e-5)  # GPU-sized summation noise, beyond float32's CPU rtol
    float32 = dtype == torch.float32
    assert not _judge(off, expected)
    assert _judge(off, expected, device="cuda", gpu=True) is float32
    # A report of "cuda" is believed only when the grader asked for a GPU.
    assert not _judge(off, expected, device="cuda", gpu=False)
    # A question kept on the CPU keeps its CPU tolerance.
    assert not _judge(off, expected, device="cuda", gpu=True, cpu_only=True)
    # A question's own GPU tolerance wins; a wrong answer fails on any device.
    assert not _judge(off, expected, device="cuda", gpu=True, gpu_tolerance=[1e-6, 0.0])
    assert not _judge(expected * 1.01, expected, device="cuda", gpu=True)


def test_gpu_floors_raise_a_questions_tolerance_but_never_lower_it():
    e = torch.ones(4)
    assert compare(e * (1 + 5e-5), e, Tolerance(1e-5, 1e-6), gpu=True) == []
    assert compare(e * (1 + 5e-3), e, Tolerance(1e-2, 0.0), gpu=True) == []
    assert compare(e * (1 + 5e-3), e, Tolerance(1e-2, 0.0)) == []
    assert compare(1.00005, 1.0, gpu=True) == [] and compare(1.00005, 1.0) != []


def test_grading_with_gpu_on_a_machine_without_one_gives_the_cpu_verdicts(course):
    cpu, = grade_batch(course, [MASTER], workers=1, warm=False)
    gpu, = grade_batch(course, [MASTER], workers=1, warm=False,
                       limits=Limits(sandbox=SandboxOptions(gpu=True)))
    assert gpu.score == cpu.score == cpu.max_score
    assert [n["en"] for n in gpu.notes] == [
        "note: a GPU was asked for (--gpu), but the grading process saw none; graded on the CPU"]
    assert not cpu.notes


def test_a_verdict_says_how_close_it_came_to_the_tolerance():
    """What scripts/gpu_check.sh reports per question: the largest error ÷ tolerance."""
    e = torch.ones(4)
    plan = {**QPLAN, "tolerance": [1e-5, 0.0]}
    ok = judge_case(plan, CASE, {"status": "ok", "value": e * (1 + 5e-6)}, e, None, 10.0)
    assert ok.passed and ok.margin == pytest.approx(0.5, rel=1e-2)
    bad = judge_case(plan, CASE, {"status": "ok", "value": e * (1 + 3e-5)}, e, None, 10.0)
    assert not bad.passed and bad.margin == pytest.approx(3.0, rel=1e-2)
    exact = judge_case(QPLAN, CASE, {"status": "ok", "value": [1, "a"]}, [1, "a"], None, 10.0)
    assert exact.passed and exact.margin is None


def test_the_gpu_check_script_compares_every_verdict(course, tmp_path):
    """bench/gpu_check.py (what scripts/gpu_check.sh runs on the GPU machine), on a CPU."""
    import subprocess
    import sys

    from .conftest import ROOT

    script = [sys.executable, str(ROOT / "bench" / "gpu_check.py")]
    refused = subprocess.run([*script, "ch01_intro"], capture_output=True, text=True)
    assert refused.returncode == 2 and "no CUDA device" in refused.stderr
    out = tmp_path / "gpu.md"
    proc = subprocess.run([*script, "--allow-cpu", "--write", str(out), "ch01_intro"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    spec = course.spec("ch01_intro").notebook("reading_quiz")
    mistakes = len(list((ROOT / "tests" / "notebooks" / "ch01_intro").glob("mistake_*.ipynb")))
    pairs = (1 + mistakes) * len(spec.questions)
    report = out.read_text()
    assert f"**{pairs} of {pairs} verdicts equal on CPU and GPU" in report
    rows = [line for line in report.splitlines() if line.startswith("| ch01_intro/")]
    assert len(rows) == pairs and all("| yes |" in r for r in rows)
    # Each mistake's lost question shows as 0 on both devices.
    assert "| mistake_successes_chess | successes_game | 0/1 | 0/1 | yes |" in report
