"""The `fabula` command: parse arguments, call the library, print. Nothing else lives here."""

from __future__ import annotations

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fabula.errors import FabulaError

if TYPE_CHECKING:
    from fabula.story import Story

app = typer.Typer(
    help="Fabula reads fiction and recovers its structure, cast, dialogue and relationships.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class OutputFormat(StrEnum):
    json = "json"
    text = "text"
    html = "html"
    gexf = "gexf"
    graphml = "graphml"


def write_atomically(path: Path, content: str) -> None:
    """Write via a temporary file and rename, so an interrupted run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        umask = os.umask(0)
        os.umask(umask)
        Path(tmp).chmod(0o666 & ~umask)  # mkstemp's 0600 would hide reports from other users
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _render(story: Story, fmt: OutputFormat) -> str:
    from fabula.export import render

    return render(story, fmt.value)


def _format_of(target: Path) -> OutputFormat:
    from fabula.export import SUFFIX_FORMATS

    return OutputFormat(SUFFIX_FORMATS.get(target.suffix.lower(), "text"))


@app.command()
def analyze(
    path: Annotated[Path, typer.Argument(help="A story: .txt, .md, .html (AO3, FFN), .epub.")],
    output_format: Annotated[
        OutputFormat | None,
        typer.Option("--format", "-f", help="Output format; by default inferred from -o, else json."),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here; repeatable; format from the suffix (.json .html .txt .gexf .graphml).",
        ),
    ] = None,
    config: Annotated[Path | None, typer.Option(help="A pipeline config (TOML).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing when writing files.")] = False,
) -> None:
    """Analyse one story and print or write the result."""
    from fabula.api import analyze as analyze_story
    from fabula.cli_progress import progress_for
    from fabula.pipeline import PipelineConfig

    pipeline = PipelineConfig.from_file(config) if config else None
    with progress_for(path) as sink:
        story = analyze_story(path, config=pipeline, progress=sink)
    if not output:
        sys.stdout.write(_render(story, output_format or OutputFormat.json))
        sys.stdout.write("\n")
        return
    for target in output:
        fmt = output_format or _format_of(target)
        write_atomically(target, _render(story, fmt))
    if not quiet:
        sys.stdout.write(_render(story, OutputFormat.text))
        sys.stdout.write("\n")
        for target in output:
            typer.echo(f"wrote {target}", err=True)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the schema here.")] = None,
) -> None:
    """Print the JSON Schema of Fabula's output."""
    import json

    from fabula.story import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if output:
        write_atomically(output, text)
    else:
        sys.stdout.write(text)


def _add_subcommands() -> None:
    """Each stage that has commands of its own keeps them beside its code."""
    from fabula.corpus import cli as corpus_cli
    from fabula.eval.cli import app as eval_app
    from fabula.train import cli as train_cli
    from fabula.web import cli as web_cli

    app.add_typer(eval_app, name="eval", help="Score Fabula against annotated corpora.")
    for package in (train_cli, corpus_cli, web_cli):
        package.register(app)


_add_subcommands()


def main() -> None:
    try:
        app()
    except FabulaError as err:
        typer.echo(f"fabula: error: {err}", err=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        typer.echo("fabula: interrupted", err=True)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
