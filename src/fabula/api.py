"""The Python API: `fabula.analyze(path_or_text) -> Story`."""

from __future__ import annotations

from pathlib import Path

from fabula import ingest
from fabula.errors import InputError
from fabula.pipeline import PipelineConfig, ProgressSink, run_pipeline
from fabula.story import Story

_LONGEST_PATH = 4096


def _as_path(source: str | Path) -> Path | None:
    """A `Path` is always a file; a `str` is a file only when it plausibly names one."""
    if isinstance(source, Path):
        return source
    if "\n" in source or len(source) > _LONGEST_PATH:
        return None
    candidate = Path(source)
    try:
        exists = candidate.exists()
    except OSError:
        return None
    if exists:
        return candidate
    if candidate.suffix.lower() in ingest.SUFFIXES and " " not in candidate.name:
        raise InputError(candidate, "no such file")
    return None


def read(source: str | Path) -> Story:
    """Ingest only: the text, metadata and structure of a file or a string, unanalysed."""
    path = _as_path(source)
    if path is not None:
        return ingest.load(path)
    return ingest.from_text(str(source))


def analyze(
    source: str | Path,
    *,
    config: PipelineConfig | None = None,
    progress: ProgressSink | None = None,
) -> Story:
    """Read a story (a path, or the text itself) and run the configured stages on it."""
    return run_pipeline(read(source), config=config, progress=progress)
