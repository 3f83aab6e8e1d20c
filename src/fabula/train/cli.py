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
    coref = "coref"
    parser = "parser"
    minilm_spans = "minilm-spans"


def register(app: typer.Typer) -> None:
    """Add this package's commands to the top-level `fabula` app."""

    @app.command("train")
    def train_command(
        name: Annotated[
            Recipe,
            typer.Argument(
                help="all (parser + entities + coref), one of them, or a candidate: core, minilm-spans."
            ),
        ],
        data: Annotated[Path, typer.Option(help="The annotated data directory (../shared/data).")],
        work: Annotated[Path, typer.Option(help="Where corpora and checkpoints go.")] = Path("models-work"),
    ) -> None:
        """Train from ../shared/data and install the weights into the package."""
        if not data.is_dir():
            raise InputError(data, "no such directory; pass the annotated data, e.g. --data ../shared/data")
        if name is Recipe.minilm_spans:
            from fabula.train.minilm_spans import train_and_score

            for key, value in train_and_score(data).items():
                typer.echo(f"{key}: {value:.4f}")
            return
        from fabula.characters.train import train as train_coref
        from fabula.train.parser import train as train_parser
        from fabula.train.recipes import train

        if name in (Recipe.all, Recipe.entities, Recipe.core):
            recipe = Recipe.entities if name is Recipe.all else name
            verb = "trained (not shipped)" if recipe is Recipe.core else "installed"
            typer.echo(f"{verb} {train(recipe.value, data, work)}")
        if name in (Recipe.all, Recipe.coref):
            typer.echo(f"installed {train_coref(data / 'litbank')}")
        if name in (Recipe.all, Recipe.parser):
            typer.echo(f"installed {train_parser(data, work)}")
