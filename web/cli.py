"""``serve``: run the web app under waitress (pure Python; also on Windows office PCs)."""

from __future__ import annotations

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for the whole office network).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Serve the web app until interrupted."""
    import waitress

    from web import create_app, storage

    app = create_app()
    click.echo(f"http://{host}:{port}/")
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="nhiemvu")
    finally:
        storage.close(app)
