"""``hallofshame serve``: the API (and dashboard) under gunicorn, or Flask's dev server.

Settings come from the environment as everywhere else: ``HOS_DATABASE_URL`` picks the
database and ``HOS_NOW`` pins the clock (a replay can be served as of its instant).
Each gunicorn worker builds its own app after forking, so no connection is shared; the
modules are imported once, in the master, before the workers fork (0.8 s a worker
otherwise, during which the first requests sent to it waited).
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from hallofshame.config import get_settings

#: A request that takes longer than this is killed and its worker replaced.
DEFAULT_TIMEOUT_S = 60


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from hallofshame.api.app import create_app

        return create_app()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--timeout", default=DEFAULT_TIMEOUT_S, show_default=True, type=int, help="Request timeout."
)
@click.option("--dev", is_flag=True, help="Flask's reloading development server instead.")
def serve(host: str, port: int, workers: int, timeout: int, dev: bool) -> None:
    """Serve the HTTP API and the dashboard."""
    settings = get_settings()
    click.echo(
        f"serving {settings.effective_database_url.split('@')[-1]} on http://{host}:{port}"
        + (f" (clock pinned at {settings.now})" if settings.now else "")
    )
    if dev:
        from hallofshame.api.app import create_app

        create_app().run(host=host, port=port, debug=True, use_reloader=True)
        return
    import hallofshame.api.app  # noqa: F401 - imported before the fork, shared by the workers

    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "timeout": timeout,
            "graceful_timeout": timeout,
            "accesslog": "-",
            "errorlog": "-",
        }
    ).run()
