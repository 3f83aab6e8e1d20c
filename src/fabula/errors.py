"""Errors a user can act on. The CLI prints them as one line and exits with code 2.

Anything that is not a `FabulaError` is a bug in Fabula and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class FabulaError(Exception):
    """An error caused by the input or the environment, not by Fabula."""


class InputError(FabulaError):
    """A file that cannot be read as a story: names the file and what is wrong with it."""

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


class ConfigError(FabulaError):
    """A pipeline configuration that names an unknown stage or is malformed."""


class ModelError(FabulaError):
    """Shipped model weights are missing or unreadable."""
