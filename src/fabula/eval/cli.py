"""`fabula eval ...`: each scorer module adds its own command to this group."""

from __future__ import annotations

import typer

from fabula.eval import coref, entities, parse, quotes

app = typer.Typer(no_args_is_help=True)
for scorer in (entities, parse, coref, quotes):
    scorer.register(app)
