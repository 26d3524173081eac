"""Where a case runs, and the floating-point settings it runs under.

With ``--gpu`` the harvest runs each case's call on ``cuda`` when the machine has one and
the question allows it (a question marked ``cpu_only`` never moves); the grader then
judges that case with the question's GPU tolerance (:mod:`autograder.judge`).  Expected
outputs are always made on the CPU.

On a GPU, results also depend on settings a notebook can change: TF32 matmuls and
convolutions (about 1e-3 relative error instead of 1e-6) and non-deterministic kernels.
:func:`grading_precision` puts them back before every case, so a student who turns TF32
on in a cell does not change what the grader sees; the seed is reset before every case by
:func:`autograder.kinds.seed_everything` in any case.  This module runs in the sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch


def case_device(question: Mapping[str, Any], limits: Mapping[str, Any]) -> str:
    """``"cuda"`` if this case should run on the GPU, else ``"cpu"``.

    A GPU that was asked for but is not visible (a CPU machine, a worker that only
    declares one) means the CPU: the verdicts are then the CPU's, never an error.
    """
    if limits.get("device") != "cuda" or question.get("cpu_only"):
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"


def grading_precision() -> None:
    """IEEE float32 everywhere and deterministic kernels, whatever the notebook set."""
    for backend in (getattr(torch.backends.cuda, "matmul", None),
                    getattr(getattr(torch.backends, "cudnn", None), "conv", None),
                    getattr(getattr(torch.backends, "cudnn", None), "rnn", None)):
        if backend is not None and hasattr(backend, "fp32_precision"):
            backend.fp32_precision = "ieee"
    if not hasattr(torch.backends.cuda.matmul, "fp32_precision"):  # before torch 2.9
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.set_float32_matmul_precision("highest")
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True, warn_only=True)


def tf32_allowed() -> bool:
    """Whether matmuls or convolutions may use TF32 right now (for tests and reports)."""
    matmul = torch.backends.cuda.matmul
    conv = getattr(torch.backends.cudnn, "conv", None)
    if hasattr(matmul, "fp32_precision"):
        return "tf32" in (matmul.fp32_precision, getattr(conv, "fp32_precision", None))
    return bool(matmul.allow_tf32 or torch.backends.cudnn.allow_tf32)


def to_cpu(value: Any) -> Any:
    """A harvested value with every tensor moved to the CPU (the wire carries CPU data)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu() if value.device.type != "cpu" else value
    if type(value) is list:
        return [to_cpu(v) for v in value]
    if type(value) is tuple:
        return tuple(to_cpu(v) for v in value)
    if type(value) is dict:
        return {k: to_cpu(v) for k, v in value.items()}
    return value
