"""What runs on a worker: analyse one work and return its rows; never touches the database.

Workers may be local processes or Dask workers on other machines, so the task and the
result are plain picklable values, and models load in the worker, on first use.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from fabula import __version__
from fabula.api import analyze
from fabula.corpus.tables import WorkRows, story_rows
from fabula.errors import FabulaError
from fabula.pipeline import PipelineConfig


@dataclass(frozen=True, slots=True)
class Task:
    """One work to analyse: its content hash (the work id), where it is, and the stages to run."""

    work_id: str
    path: str
    size: int
    stages: tuple[str, ...]
    pipeline: str


def exit_with_parent(parent: int) -> None:
    """Pool initializer: a worker whose coordinator was killed exits within a second instead of
    lingering with its models in memory (a SIGKILL gives the coordinator no chance to stop it)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _failure(error: BaseException, *, bug: bool) -> dict[str, object]:
    kind = type(error)
    return {
        "status": "failed",
        "error_type": kind.__name__ if not bug else f"{kind.__module__}.{kind.__qualname__}",
        "error": str(error) or kind.__name__,
        "traceback": "".join(traceback.format_exception(error)) if bug else None,
    }


def analyse_work(task: Task) -> WorkRows:
    """Analyse one file. A `FabulaError` (bad input) or any other exception (a bug, recorded
    with its full type and traceback) becomes a failed row: one work never stops a run."""
    stage_started: dict[str, float] = {}
    stage_s: dict[str, float] = {}

    def sink(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if done == 0:
            stage_started.setdefault(stage, now)
        elif done >= total and stage in stage_started:
            stage_s[stage] = round(now - stage_started[stage], 6)

    started = time.perf_counter()
    try:
        story = analyze(Path(task.path), config=PipelineConfig(stages=list(task.stages)), progress=sink)
        rows = story_rows(task.work_id, story)
        rows.work["status"] = "ok"
    except FabulaError as error:
        rows = WorkRows(work=_failure(error, bug=False))
    except Exception as error:
        rows = WorkRows(work=_failure(error, bug=True))
    total = time.perf_counter() - started
    first_stage = min(stage_started.values(), default=None)
    read_s = (first_stage - started) if first_stage is not None else total
    rows.work.update(
        id=task.work_id,
        path=task.path,
        bytes=task.size,
        pipeline=task.pipeline,
        stages=list(task.stages),
        fabula_version=__version__,
        read_s=round(read_s, 6),
        analyse_s=round(total, 6),
        stage_s=json.dumps(stage_s),
        worker=f"{socket.gethostname()}:{os.getpid()}",
        worker_rss_mb=round(psutil.Process().memory_info().rss / 2**20, 1),
        analysed_at=datetime.now(UTC).replace(tzinfo=None),
    )
    return rows
