"""Commands of the web package: `fabula serve`, the local viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def serve(
    directory: Annotated[Path, typer.Argument(help="A directory of analysed works (Fabula JSON files).")],
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on; 0 picks a free one.")
    ] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to listen on; keep 127.0.0.1 unless you mean to share.")
    ] = ("127.0.0.1"),
) -> None:
    """Browse analysed works in a local web viewer: a searchable list and each work's report."""
    from fabula.web.server import make_server

    server = make_server(directory, host=host, port=port)
    works = len(server.library.works())
    typer.echo(f"Fabula viewer: {server.url} ({works:,} works from {directory}; Ctrl-C stops it)")
    try:
        server.serve_forever()
    finally:
        server.server_close()


def register(app: typer.Typer) -> None:
    """Add this package's commands to the top-level `fabula` app."""
    app.command(name="serve")(serve)
