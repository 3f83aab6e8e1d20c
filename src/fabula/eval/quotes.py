"""`fabula eval quotes`. PLACEHOLDER: adds no command yet."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this scorer's command to the `fabula eval` group."""
