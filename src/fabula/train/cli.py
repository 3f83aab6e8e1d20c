"""Commands of the train package. PLACEHOLDER: adds no command yet."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this package's commands to the top-level `fabula` app."""
