"""``hallofshame run``: everything in one process, for a newcomer's first look.

Builds the database, loads the catalog, simulates history (sim mode) unless it is
already there, starts the scheduler (collector fed by the simulator or the real feeds)
and serves the dashboard and API until Ctrl-C. Production runs the scheduler and the
API workers as separate processes (``deploy/``).
"""

from __future__ import annotations

import logging
import signal
import sys
from typing import Any

import click

from hallofshame import clock
from hallofshame.config import get_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import dispose_engine, get_engine, session_factory, writer_factory
from hallofshame.ingest.catalog_sync import load_bundled_catalog
from hallofshame.ingest.tiers import prepare_tiers
from hallofshame.jobs import tasks
from hallofshame.jobs.scheduler import build_scheduler

log = logging.getLogger("hallofshame.run")


def prepare_database(*, reset: bool) -> None:
    if reset:
        dispose_engine()
        recreate_database(get_settings().effective_database_url)
    migrate.upgrade(get_engine())
    with session_factory()() as session, session.begin():
        prepare_tiers(session)
        load_bundled_catalog(session)


def run_product(*, source: str, days: int, reset: bool, host: str, port: int) -> None:
    settings = get_settings()
    click.echo(f"database: {settings.effective_database_url}")
    prepare_database(reset=reset)
    factory = writer_factory()
    if source == "sim":
        click.echo(f"simulating history (up to {days} days, resumes where it stopped)…")
        tasks.simulate_until_now(
            factory, days=days, interval_s=settings.collect_interval, progress=True
        )
    live = tasks.make_source(source)
    tasks.schedules_job(factory, live, only_missing=True)
    tasks.collect_cycle(factory, live)
    scheduler = build_scheduler(factory, live)
    scheduler.start()

    from hallofshame.api.app import create_app

    app = create_app()
    url = f"http://{host}:{port}/"
    click.echo(
        f"Hall of Shame is up: {url}  (clock {clock.now():%Y-%m-%d %H:%M} UTC; Ctrl-C stops)"
    )

    def stop(*_: Any) -> None:
        scheduler.shutdown(wait=False)
        click.echo("stopped")
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        from werkzeug.serving import run_simple

        run_simple(host, port, app, threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
