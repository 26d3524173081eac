"""Where a batch is graded: a local pool of warm sandboxes, or a Dask cluster.

Both backends take the same jobs and hand back the same thing, a *record* per notebook:
the plain-data form of :class:`autograder.grade.NotebookResult` that the course workflow
stores, turns into gradebook scores and feedback.  A record is JSON, so what crosses the
network from a Dask worker is text, never a pickled object built from student output.

The Dask backend sends each notebook's bytes with its task, so workers need the course
checkout (solutions and fixtures) but not the submissions' folder.  Tasks carry a ``GPU``
resource when grading on the GPU, so they run only on workers started with
``--resources GPU=1``.  A worker that dies mid-task has its tasks rerun elsewhere by the
scheduler; the record of a notebook is whatever the one finished run produced.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .course import Course, find_course
from .grade import Grader, GradingError, NotebookResult, grade_batch
from .runner import Limits
from .sandbox import SandboxOptions

Record = dict[str, Any]
OnRecord = Callable[["Job", Record], None]
Progress = Callable[[int, int, "Job"], None]


@dataclass(frozen=True)
class Job:
    """One notebook to grade; ``key`` is the caller's name for it (unique in a batch)."""

    key: str
    path: Path
    #: (assignment, notebook) the submission must be, from where it was handed in; a
    #: notebook whose metadata says otherwise scores 0 (None: trust the metadata).
    expect: tuple[str, str] | None = None


def record(result: NotebookResult) -> Record:
    """The stored, JSON-ready form of a result (what feedback and reports read)."""
    return {
        "score": result.score, "max_score": result.max_score, "seconds": result.seconds,
        "phase1": result.phase1, "error": result.error, "notes": result.notes,
        "questions": {q.name: {
            "score": q.score, "max_score": q.max_score, "status": q.status,
            "reasons": [r for c in q.cases if not c.passed for r in c.reasons][:3],
        } for q in result.questions},
    }


class Backend(Protocol):
    """Grades jobs, calling ``on_record`` (then ``progress``) as each one finishes."""

    def run(self, course: Course, jobs: list[Job], limits: Limits, warm: bool,
            on_record: OnRecord, progress: Progress | None = None) -> None: ...


@dataclass
class LocalPool:
    """Threads on this machine, each with its own warm sandbox (the default)."""

    workers: int = 1

    def run(self, course: Course, jobs: list[Job], limits: Limits, warm: bool,
            on_record: OnRecord, progress: Progress | None = None) -> None:
        by_path = {str(j.path): j for j in jobs}
        if len(by_path) != len(jobs):
            raise ValueError("two jobs name the same notebook file")
        done = 0

        def finished(result: NotebookResult) -> None:
            nonlocal done
            job = by_path[str(result.path)]
            on_record(job, record(result))
            done += 1
            if progress:
                progress(done, len(jobs), job)

        grade_batch(course, [j.path for j in jobs], limits, workers=self.workers, warm=warm,
                    on_result=finished, expect=[j.expect for j in jobs])


@dataclass
class DaskCluster:
    """Dask distributed: ``address`` is ``tcp://host:port`` or ``local`` (a LocalCluster
    of ``workers`` processes started here for the batch, and stopped after it)."""

    address: str
    workers: int = 1

    def run(self, course: Course, jobs: list[Job], limits: Limits, warm: bool,
            on_record: OnRecord, progress: Progress | None = None) -> None:
        from distributed import Client, LocalCluster, as_completed

        gpu = limits.sandbox.gpu
        resources = {"GPU": 1} if gpu else None
        cluster = None
        if self.address == "local":
            cluster = LocalCluster(n_workers=max(1, self.workers), threads_per_worker=1,
                                   processes=True, dashboard_address=None,
                                   resources=resources)
        try:
            client = Client(cluster if cluster is not None else self.address, timeout=10)
        except OSError as exc:
            raise GradingError(f"cannot reach the Dask scheduler at {self.address}: "
                               f"{exc}") from None
        try:
            if gpu:
                _require_gpu_workers(client)
            settings = json.dumps(limits_to_data(limits))
            futures = {}
            for job in jobs:
                future = client.submit(grade_on_worker, str(course.root), job.path.name,
                                       job.path.read_bytes(), settings, warm, job.expect,
                                       resources=resources, pure=False,
                                       key=f"d2l-grade-{job.key}-{os.urandom(4).hex()}")
                futures[future] = job
            done = 0
            for future in as_completed(futures):
                job = futures[future]
                try:
                    text = future.result()
                except GradingError:
                    raise
                except Exception as exc:
                    raise GradingError(f"{job.key}: grading failed on the Dask cluster "
                                       f"({type(exc).__name__}: {exc})") from None
                on_record(job, json.loads(text))
                done += 1
                if progress:
                    progress(done, len(jobs), job)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _require_gpu_workers(client: Any) -> None:
    workers = client.scheduler_info().get("workers", {})
    if not any(w.get("resources", {}).get("GPU") for w in workers.values()):
        raise GradingError("--gpu: no Dask worker declares a GPU resource (start workers "
                           "with `dask worker … --resources GPU=1`)")


def limits_to_data(limits: Limits) -> dict[str, Any]:
    return dataclasses.asdict(limits)


def limits_from_data(data: dict[str, Any]) -> Limits:
    data = dict(data)
    sandbox = SandboxOptions(**data.pop("sandbox"))
    return Limits(**data, sandbox=sandbox)


# ---- the worker's side -----------------------------------------------------------------

_graders: dict[tuple[str, str, bool], Grader] = {}
_graders_lock = threading.Lock()


def grade_on_worker(root: str, name: str, notebook: bytes, settings: str,
                    warm: bool, expect: tuple[str, str] | None = None) -> str:
    """Grade one notebook on a Dask worker; returns its record as JSON text.

    The worker keeps one :class:`Grader` per course and limits, so fixtures are loaded and
    torch is imported in the warm sandbox once per worker, not once per notebook.
    """
    limits = limits_from_data(json.loads(settings))
    if not limits.threads:
        limits = dataclasses.replace(limits, threads=max(1, (os.cpu_count() or 1)
                                                         // _worker_threads()))
    key = (root, json.dumps(limits_to_data(limits), sort_keys=True), warm)
    with _graders_lock:
        grader = _graders.get(key)
        if grader is None:
            grader = _graders[key] = Grader(find_course(Path(root)), limits, warm=warm)
    with tempfile.TemporaryDirectory(prefix="d2l-dask-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(notebook)
        result = grader.grade_or_record(path, tuple(expect) if expect else None)
    return json.dumps(dict(record(result), dask_worker=_worker_name()), ensure_ascii=False)


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        return max(1, get_worker().state.nthreads)
    except (ImportError, ValueError, AttributeError):
        return 1


def _worker_name() -> str:
    """Which Dask worker graded it (its --name, else its address), for the record."""
    try:
        from distributed import get_worker

        worker = get_worker()
        return str(worker.name if worker.name is not None else worker.address)
    except (ImportError, ValueError, AttributeError):
        return "?"


def make_backend(scheduler: str | None, workers: int) -> Backend:
    """The local pool, or Dask when a scheduler address (or ``local``) is given."""
    if scheduler is None:
        return LocalPool(workers)
    if scheduler != "local" and not scheduler.startswith(("tcp://", "tls://", "inproc://")):
        raise ValueError(f"--scheduler must be tcp://HOST:PORT, tls://HOST:PORT or local, "
                         f"not {scheduler!r}")
    return DaskCluster(scheduler, workers)
