"""A rich progress bar on stderr, shown only for long inputs and only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fabula.pipeline import ProgressSink

LONG_INPUT_BYTES = 200_000


@contextmanager
def progress_for(path: Path) -> Iterator[ProgressSink | None]:
    try:
        long_input = path.is_file() and path.stat().st_size >= LONG_INPUT_BYTES
    except OSError:
        long_input = False
    if not (long_input and sys.stderr.isatty()):
        yield None
        return

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def sink(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield sink
