"""`fabula corpus ...`: run a corpus into DuckDB, export it, ask it questions, write BookNLP files."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from fabula.errors import InputError

corpus = typer.Typer(
    help="Analyse thousands of works into a DuckDB database and query them.", no_args_is_help=True
)

DbOption = Annotated[Path, typer.Option("--db", help="The corpus database (DuckDB).")]


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@corpus.command("run")
def run(
    input_dir: Annotated[
        Path, typer.Argument(help="A folder of works (.txt .md .html .epub), nested or not.")
    ],
    db: DbOption = Path("corpus.duckdb"),
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: one per core; 0: inline).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="A Dask scheduler address (tcp://host:8786): run on that cluster.")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="A pipeline config (TOML) choosing the stages.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Works per database transaction.")] = 32,
    force: Annotated[bool, typer.Option(help="Re-analyse every work, even unchanged ones.")] = False,
    retry_failed: Annotated[bool, typer.Option(help="Analyse again the works that failed before.")] = False,
    suffix: Annotated[
        list[str] | None, typer.Option(help="Only files with this suffix (repeatable), e.g. --suffix html.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")] = False,
) -> None:
    """Analyse every work under INPUT_DIR and store the results; rerun to resume or update."""
    from fabula.corpus.progress import RunProgress
    from fabula.corpus.runner import run_corpus
    from fabula.pipeline import PipelineConfig

    stats = run_corpus(
        input_dir,
        db,
        workers=workers,
        scheduler=scheduler,
        config=PipelineConfig.from_file(config) if config else None,
        batch_size=batch_size,
        force=force,
        retry_failed=retry_failed,
        suffixes=suffix,
        progress=None if quiet else RunProgress(),
    )
    if quiet:
        return
    rate = f", {stats.tokens / stats.seconds:,.0f} tokens/s" if stats.tokens and stats.seconds else ""
    typer.echo(
        f"{stats.found} works found: {stats.analysed} analysed ({stats.failed} failed), "
        f"{stats.skipped} unchanged, {stats.duplicates} duplicates"
        + (f", {stats.unreadable} unreadable" if stats.unreadable else "")
        + f"; {stats.seconds:.1f}s{rate} -> {db}"
    )
    for path, error in stats.failures[:10]:
        typer.echo(f"  failed: {error if path in error else f'{path}: {error}'}", err=True)
    if stats.bugs:
        typer.echo(
            f"  {stats.bugs} failures are bugs in Fabula, not bad input: "
            f"fabula corpus query --db {db} failures (tracebacks in works.traceback)",
            err=True,
        )


@corpus.command("export")
def export(
    db: DbOption = Path("corpus.duckdb"),
    parquet: Annotated[Path, typer.Option(help="Write one Parquet file per table into this folder.")] = Path(
        "parquet"
    ),
) -> None:
    """Export every table to Parquet."""
    from fabula.corpus.store import export_parquet

    for path in export_parquet(db, parquet):
        typer.echo(f"wrote {path}", err=True)


@corpus.command("query")
def query(
    name: Annotated[str, typer.Argument(help="characters | pairs | interactions A B | failures | sql SQL")],
    args: Annotated[list[str] | None, typer.Argument(help="The query's arguments.")] = None,
    db: DbOption = Path("corpus.duckdb"),
    output_format: Annotated[QueryFormat, typer.Option("--format", "-f")] = QueryFormat.table,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows (ready queries).")] = 50,
) -> None:
    """Ask a ready question of the corpus, or run read-only SQL."""
    from fabula.corpus.queries import run_query

    columns, rows = run_query(db, name, args or [], limit)
    if output_format is QueryFormat.json:
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, indent=2, default=str, ensure_ascii=False) + "\n")
    elif output_format is QueryFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_plain(value) for value in row] for row in rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*(str(_plain(value)) for value in row), style=None)
        Console(markup=False, highlight=False).print(table)


def _plain(value: Any) -> Any:
    """Lists as JSON in CSV cells and tables, None as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, default=str, ensure_ascii=False)
    return value


@corpus.command("booknlp")
def booknlp(
    source: Annotated[
        str, typer.Argument(help="A story file, a Fabula JSON file, or with --db a work id (or its prefix).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the BookNLP files.")],
    db: Annotated[Path | None, typer.Option("--db", help="Take the work from this corpus database.")] = None,
    book_id: Annotated[str | None, typer.Option(help="File name stem (default: from the source).")] = None,
    config: Annotated[Path | None, typer.Option(help="A pipeline config for analysing a story file.")] = None,
) -> None:
    """Write BookNLP-compatible .tokens, .entities, .quotes and .book files."""
    from fabula.export.booknlp import ensure_tokens, write_booknlp

    story, stem = _booknlp_source(source, db, config)
    ensure_tokens(story)
    for path in write_booknlp(story, output, book_id or stem):
        typer.echo(f"wrote {path}", err=True)


def _booknlp_source(source: str, db: Path | None, config: Path | None) -> tuple[Any, str]:
    from fabula.story import Story

    if db is not None:
        from fabula.corpus.store import fetch

        _, rows = fetch(
            db, "SELECT id, story FROM works WHERE starts_with(id, ?) AND status = 'ok' LIMIT 2", [source]
        )
        if len(rows) != 1:
            problem = "no analysed work has" if not rows else "several works have"
            raise InputError(db, f"{problem} an id starting with {source!r}")
        return Story.from_json(rows[0][1]), rows[0][0][:16]
    path = Path(source)
    if not path.is_file():
        raise InputError(path, "no such file")
    if path.suffix.lower() == ".json":
        try:
            return Story.load(path), path.stem
        except ValueError as err:
            raise InputError(path, f"not a Fabula JSON file: {str(err).splitlines()[0]}") from None
    from fabula.api import analyze
    from fabula.pipeline import PipelineConfig

    return analyze(path, config=PipelineConfig.from_file(config) if config else None), path.stem


def register(app: typer.Typer) -> None:
    """Add `fabula corpus ...` to the top-level `fabula` app."""
    app.add_typer(corpus, name="corpus")
