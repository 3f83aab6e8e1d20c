"""Progress of a corpus run on stderr: a rich bar with rate and ETA on a terminal, and one
plain line per commit otherwise (logs, CI, a supervising script waiting for the first commit)."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from fabula.corpus.runner import RunStats


def _describe(stats: RunStats) -> str:
    parts = [f"{stats.analysed} analysed", f"{stats.skipped} unchanged"]
    if stats.failed:
        parts.append(f"{stats.failed} failed")
    if stats.duplicates:
        parts.append(f"{stats.duplicates} duplicates")
    if stats.unreadable:
        parts.append(f"{stats.unreadable} unreadable")
    return ", ".join(parts)


class RunProgress:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.live = self.console.is_terminal
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.total = 0
        self.started = 0.0

    def start(self, total: int) -> None:
        self.total = total
        self.started = time.perf_counter()
        if not self.live:
            return
        self.bar = Progress(
            TextColumn("[bold]corpus"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=self.console,
        )
        self.bar.start()
        self.task = self.bar.add_task("", total=total, rate="")

    def advance(self, stats: RunStats) -> None:
        if self.bar is None or self.task is None:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = f"{stats.analysed / elapsed * 3600:,.0f} works/h" if stats.analysed else ""
        self.bar.update(self.task, completed=stats.done, description=_describe(stats), rate=rate)

    def committed(self, stats: RunStats) -> None:
        if self.live:
            return
        elapsed = time.perf_counter() - self.started
        line = f"fabula corpus: {stats.done}/{self.total} done, {stats.stored} stored ({_describe(stats)})"
        print(f"{line} in {elapsed:.1f}s", file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
