"""Stages behind a registry, and the config that says which of them run.

A stage is a function `Story -> Story` registered by name. Stages read what earlier stages
wrote and add their own fields; none re-reads the file. Built-in stages live in their own
subpackages and are imported only when a config names them, so `import fabula` stays light.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from fabula.errors import ConfigError
from fabula.story import Story

StageFn = Callable[[Story], Story]

_REGISTRY: dict[str, StageFn] = {}

# Where each built-in stage registers itself; imported on first use.
BUILTIN_STAGES: dict[str, str] = {
    "language": "fabula.language",
    "characters": "fabula.characters",
    "quotes": "fabula.quotes",
    "narrative": "fabula.narrative",
    "relations": "fabula.relations",
}


def stage(name: str) -> Callable[[StageFn], StageFn]:
    """Register `fn` as the stage called `name`."""

    def register(fn: StageFn) -> StageFn:
        _REGISTRY[name] = fn
        return fn

    return register


def get_stage(name: str) -> StageFn:
    if name not in _REGISTRY and name in BUILTIN_STAGES:
        importlib.import_module(BUILTIN_STAGES[name])
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(set(_REGISTRY) | set(BUILTIN_STAGES)))
        raise ConfigError(f"unknown stage {name!r}; known stages: {known}") from None


class PipelineConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stages: list[str]

    @classmethod
    def default(cls) -> PipelineConfig:
        text = resources.files("fabula").joinpath("default.toml").read_text(encoding="utf-8")
        return cls._parse(tomllib.loads(text), "default.toml")

    @classmethod
    def from_file(cls, path: str | Path) -> PipelineConfig:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"{path}: cannot read the pipeline config: {err}") from None
        return cls._parse(data, str(path))

    @classmethod
    def _parse(cls, data: dict[str, object], origin: str) -> PipelineConfig:
        try:
            return cls.model_validate(data.get("pipeline", {}))
        except ValidationError as err:
            raise ConfigError(f"{origin}: invalid [pipeline] table: {err.errors()[0]['msg']}") from None


class ProgressSink(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


_progress: ContextVar[tuple[str, ProgressSink] | None] = ContextVar("fabula_progress", default=None)


def report_progress(done: int, total: int) -> None:
    """Called by long-running stages; a no-op unless the caller asked for progress."""
    current = _progress.get()
    if current is not None:
        name, sink = current
        sink(name, done, total)


@contextmanager
def _reporting(name: str, sink: ProgressSink | None) -> Iterator[None]:
    token = _progress.set((name, sink) if sink else None)
    try:
        yield
    finally:
        _progress.reset(token)


def run_pipeline(
    story: Story, config: PipelineConfig | None = None, progress: ProgressSink | None = None
) -> Story:
    config = config or PipelineConfig.default()
    stages = [(name, get_stage(name)) for name in config.stages]
    for name, fn in stages:
        with _reporting(name, progress):
            report_progress(0, 1)
            story = fn(story)
            report_progress(1, 1)
    return story
