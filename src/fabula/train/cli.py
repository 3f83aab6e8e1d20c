"""`fabula train NAME --data DIR`: rebuild a shipped model (or run the comparison candidate)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from fabula.errors import InputError


class Recipe(StrEnum):
    all = "all"
    core = "core"
    entities = "entities"
    entities_cnn = "entities-cnn"
    coref = "coref"
    quotes = "quotes"
    parser = "parser"


def register(app: typer.Typer) -> None:
    """Add this package's commands to the top-level `fabula` app."""

    @app.command("train")
    def train_command(
        name: Annotated[
            Recipe,
            typer.Argument(
                help="all (parser, entities, coref, quotes), one of them, or a candidate: core, entities-cnn."
            ),
        ],
        data: Annotated[Path, typer.Option(help="The annotated data directory (../shared/data).")],
        work: Annotated[Path, typer.Option(help="Where corpora and checkpoints go.")] = Path("models-work"),
        device: Annotated[
            str, typer.Option(help="Where the entity branch trains: cpu, or cuda where a GPU is present.")
        ] = "cpu",
    ) -> None:
        """Train from ../shared/data and install the weights into the package."""
        if not data.is_dir():
            raise InputError(data, "no such directory; pass the annotated data, e.g. --data ../shared/data")
        from fabula.characters.train import train as train_coref
        from fabula.train.entities import Settings
        from fabula.train.entities import train as train_entities
        from fabula.train.parser import train as train_parser
        from fabula.train.recipes import train

        if name in (Recipe.core, Recipe.entities_cnn):
            typer.echo(f"trained (not shipped) {train(name.value, data, work)}")
        # The entity branch reads the parser's encoder, so it is trained after it.
        if name in (Recipe.all, Recipe.parser):
            typer.echo(f"installed {train_parser(data, work)}")
        if name in (Recipe.all, Recipe.entities):
            typer.echo(f"installed {train_entities(data, work, settings=Settings(device=device))}")
        if name in (Recipe.all, Recipe.coref):
            typer.echo(f"installed {train_coref(data / 'litbank')}")
        if name in (Recipe.all, Recipe.quotes):
            from fabula.quotes.train import train as train_quotes

            typer.echo(f"installed {train_quotes(data / 'pdnc')}")
