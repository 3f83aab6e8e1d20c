"""The coordinator: find the works, skip the ones already stored, fan the rest out, store results.

Work flows one way: the coordinator hashes files and sends `Task`s to workers (a local process
pool or a Dask cluster); workers send back rows; only the coordinator writes to DuckDB, in one
transaction per batch. At most a few tasks per worker are in flight, so memory stays flat
however large the corpus is, and a kill loses at most the uncommitted batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

from fabula import __version__, ingest
from fabula.corpus.store import Known, Source, Store
from fabula.corpus.tables import WorkRows
from fabula.corpus.worker import Task, analyse_work, exit_with_parent
from fabula.errors import FabulaError, InputError
from fabula.pipeline import PipelineConfig, get_stage
from fabula.story import SCHEMA_VERSION

IN_FLIGHT_PER_WORKER = 4
MAX_FAILURES_LISTED = 10
_POLL_S = 0.5


class WorkerCrashError(FabulaError):
    """A worker process died outright (killed, out of memory): not one work's fault, so not recorded."""


@dataclass(slots=True)
class RunStats:
    """Counts of one run; `bugs` are failures that were not `FabulaError`s (see works.traceback);
    `failures` lists the first few (path, error), the database has them all."""

    found: int = 0
    analysed: int = 0
    failed: int = 0
    bugs: int = 0
    skipped: int = 0
    duplicates: int = 0
    unreadable: int = 0
    stored: int = 0
    tokens: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def note_failure(self, path: str, error: str) -> None:
        if len(self.failures) < MAX_FAILURES_LISTED:
            self.failures.append((path, error))

    @property
    def done(self) -> int:
        return self.analysed + self.skipped + self.duplicates + self.unreadable


class Progress(Protocol):
    """Told about every finished or skipped work, and every commit."""

    def start(self, total: int) -> None: ...
    def advance(self, stats: RunStats) -> None: ...
    def committed(self, stats: RunStats) -> None: ...
    def stop(self) -> None: ...


def pipeline_fingerprint(stages: Iterable[str]) -> str:
    """Results are reused only for the same stages, Fabula version and schema version."""
    key = json.dumps({"stages": list(stages), "fabula": __version__, "schema": SCHEMA_VERSION})
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def discover(root: Path, suffixes: Iterable[str] | None = None) -> list[Path]:
    """Every supported file under `root`, nested folders included, hidden ones skipped, in a
    stable order. AO3 bulk downloads are folders of .html/.epub files, found like any other."""
    if not root.is_dir():
        raise InputError(root, "not a folder; give the folder that holds the works")
    wanted = {s.lower() if s.startswith(".") else f".{s.lower()}" for s in suffixes or ingest.SUFFIXES}
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in wanted:
                found.append(Path(folder) / name)
    return sorted(found)


def content_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


Executor = Callable[[Iterator[Task]], Iterator[list[WorkRows]]]


def _fill(tasks: Iterator[Task], in_flight: int, limit: int, submit: Callable[[Task], None]) -> bool:
    """Submit tasks until `limit` are in flight; False once `tasks` is exhausted."""
    for _ in range(limit - in_flight):
        task = next(tasks, None)
        if task is None:
            return False
        submit(task)
    return True


def local_executor(workers: int) -> Executor:
    """A process pool (spawned, so no DuckDB state is forked); `workers=0` runs inline, for debugging."""

    def run(tasks: Iterator[Task]) -> Iterator[list[WorkRows]]:
        if workers == 0:
            for task in tasks:
                yield [analyse_work(task)]
            return
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=exit_with_parent,
            initargs=(os.getpid(),),
        )
        try:
            futures: set[Future[WorkRows]] = set()

            def submit(task: Task) -> None:
                futures.add(pool.submit(analyse_work, task))

            more = True
            while more or futures:
                if more:
                    more = _fill(tasks, len(futures), workers * IN_FLIGHT_PER_WORKER, submit)
                if futures:
                    done = wait(futures, timeout=_POLL_S, return_when=FIRST_COMPLETED).done
                    futures -= done
                    yield [f.result() for f in done]
        finally:
            # Do not wait for works in flight when interrupted: the next run redoes them.
            pool.shutdown(wait=False, cancel_futures=True)

    return run


def dask_executor(address: str) -> Executor:
    """Tasks on a Dask distributed cluster; a work the cluster loses (a worker killed more often
    than Dask's allowed failures) is recorded as failed with the cluster's error."""

    def run(tasks: Iterator[Task]) -> Iterator[list[WorkRows]]:
        from distributed import Client
        from distributed import wait as dask_wait

        try:
            client = Client(address, timeout="30s")  # type: ignore[no-untyped-call]
        except OSError as err:
            raise InputError(None, f"cannot reach the Dask scheduler at {address}: {err}") from None
        with client:
            threads = sum(client.nthreads().values())  # type: ignore[no-untyped-call]
            futures: dict[Any, Task] = {}

            def submit(task: Task) -> None:
                futures[client.submit(analyse_work, task, pure=False)] = task

            more = True
            while more or futures:
                if more:
                    more = _fill(tasks, len(futures), max(1, threads) * IN_FLIGHT_PER_WORKER, submit)
                if futures:
                    try:
                        done = dask_wait(list(futures), timeout=_POLL_S, return_when="FIRST_COMPLETED").done  # type: ignore[no-untyped-call]
                    except TimeoutError:
                        done = set()
                    yield [_collect(future, futures.pop(future)) for future in done]

    return run


def _collect(future: Any, task: Task) -> WorkRows:
    """A Dask future's rows, or a failed row when the cluster itself lost the work."""
    try:
        rows: WorkRows = future.result()
    except Exception as error:
        kind = type(error)
        rows = WorkRows(
            work={
                "id": task.work_id,
                "path": task.path,
                "bytes": task.size,
                "pipeline": task.pipeline,
                "stages": list(task.stages),
                "fabula_version": __version__,
                "status": "failed",
                "error_type": f"{kind.__module__}.{kind.__qualname__}",
                "error": str(error) or kind.__name__,
            }
        )
    return rows


@dataclass(slots=True)
class _Plan:
    """Turns paths into tasks lazily, so hashing a million files overlaps with analysing them."""

    paths: list[Path]
    known: dict[str, Known]
    cache: dict[str, Source]
    stages: tuple[str, ...]
    pipeline: str
    redo: Callable[[Known], bool]
    stats: RunStats
    progress: Progress | None
    new_sources: list[Source] = field(default_factory=list)
    replace: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)

    def _work_id(self, path: Path) -> tuple[str, os.stat_result]:
        stat = path.stat()
        cached = self.cache.get(str(path))
        if cached and cached.size == stat.st_size and cached.mtime_ns == stat.st_mtime_ns:
            return cached.work_id, stat
        work_id = content_hash(path)
        self.new_sources.append(Source(str(path), stat.st_size, stat.st_mtime_ns, work_id))
        return work_id, stat

    def tasks(self) -> Iterator[Task]:
        for path in self.paths:
            task = self._task(path)
            if task is not None:
                yield task
            elif self.progress:
                self.progress.advance(self.stats)

    def _task(self, path: Path) -> Task | None:
        """The task for `path`, or None (and counted) when it is unreadable, a copy of a work
        seen earlier in this run, or already stored by this pipeline."""
        try:
            work_id, stat = self._work_id(path)
        except OSError as err:  # vanished or unreadable since discovery: no content, no id
            self.stats.unreadable += 1
            self.stats.note_failure(str(path), f"unreadable: {err.strerror or err}")
            return None
        if work_id in self.seen:
            self.stats.duplicates += 1
            return None
        self.seen.add(work_id)
        known = self.known.get(work_id)
        if known is not None and not self.redo(known):
            self.stats.skipped += 1
            return None
        if known is not None:
            self.replace.add(work_id)
        return Task(work_id, str(path), stat.st_size, self.stages, self.pipeline)


def run_corpus(
    root: Path,
    db: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    config: PipelineConfig | None = None,
    batch_size: int = 32,
    commit_every_s: float = 2.0,
    force: bool = False,
    retry_failed: bool = False,
    suffixes: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> RunStats:
    """Analyse every work under `root` not yet stored in `db` with this pipeline, and store it.

    A batch is committed when it holds `batch_size` works or its oldest result is
    `commit_every_s` old. `force` re-analyses everything; `retry_failed` retries failed works.
    """
    started = time.perf_counter()
    root = root.resolve()
    stages = tuple((config or PipelineConfig.default()).stages)
    for name in stages:  # an unknown stage is the config's error, not every work's
        get_stage(name)
    fingerprint = pipeline_fingerprint(stages)
    paths = discover(root, suffixes)
    stats = RunStats(found=len(paths))
    store = Store(db)
    try:
        plan = _Plan(
            paths=paths,
            known=store.known_works(),
            cache={} if force else store.sources(),
            stages=stages,
            pipeline=fingerprint,
            redo=lambda k: force or k.pipeline != fingerprint or (retry_failed and k.status != "ok"),
            stats=stats,
            progress=progress,
        )
        executor = dask_executor(scheduler) if scheduler else local_executor(_default_workers(workers))
        pending: list[WorkRows] = []
        oldest = 0.0

        def commit() -> None:
            store.write(pending, plan.new_sources, plan.replace)
            stats.stored += len(pending)
            pending.clear()
            plan.new_sources.clear()
            if progress:
                progress.committed(stats)

        if progress:
            progress.start(len(paths))
        try:
            for finished in executor(plan.tasks()):
                for rows in finished:
                    _count(stats, rows)
                    if not pending:
                        oldest = time.monotonic()
                    pending.append(rows)
                    if progress:
                        progress.advance(stats)
                if pending and (len(pending) >= batch_size or time.monotonic() - oldest >= commit_every_s):
                    commit()
        except KeyboardInterrupt:
            commit()
            raise
        except BrokenProcessPool:
            commit()
            raise WorkerCrashError(
                "a worker process died (out of memory?); the finished works are stored: "
                "run again to resume, with fewer --workers if memory is short"
            ) from None
        if pending or plan.new_sources:
            commit()
    finally:
        store.close()
        if progress:
            progress.stop()
    stats.seconds = time.perf_counter() - started
    return stats


def _default_workers(workers: int | None) -> int:
    if workers is not None:
        if workers < 0:
            raise InputError(None, f"--workers must be 0 (inline) or more, not {workers}")
        return workers
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _count(stats: RunStats, rows: WorkRows) -> None:
    work = rows.work
    stats.analysed += 1
    if work.get("status") == "ok":
        stats.tokens += int(work.get("n_tokens") or 0)
        return
    stats.failed += 1
    if work.get("traceback"):
        stats.bugs += 1
    stats.note_failure(str(work["path"]), f"{work.get('error_type')}: {work.get('error')}")
