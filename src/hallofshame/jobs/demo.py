"""``hallofshame run``: everything in one process, for a newcomer's first look.

Builds the database, loads the catalog, simulates the last day or two (sim mode) unless
they are there, starts the scheduler (collector fed by the simulator or the real feeds)
and serves the dashboard and API until Ctrl-C, while the rest of the simulated history
is filled behind it, newest day first (a stopped fill goes on at the next run).
Production runs the scheduler and the API workers as separate processes (``deploy/``).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import date
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

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


#: Days simulated before the demo serves (and the one it is in): today in every park's
#: time zone and yesterday, what the dashboard opens on. The rest of ``--days`` is filled
#: behind it, newest day first, while it serves.
FIRST_DAYS = 1
#: How often the history fill says how far it got.
REPORT_EVERY_DAYS = 7


def _fill_history(
    factory: sessionmaker[Session], days: int, interval_s: int, stopping: threading.Event
) -> None:
    def progress(day: date, done: int, total: int) -> None:
        if done % REPORT_EVERY_DAYS == 0 or done == total:
            click.echo(f"history: {done} of {total} days filled (back to {day})")

    try:
        stats = tasks.simulate_backfill(
            factory, days=days, interval_s=interval_s, stop=stopping.is_set, on_day=progress
        )
    except Exception:  # the demo keeps serving what it has; the next run goes on
        log.exception("filling the simulated history failed")
        return
    if stats.days and not stopping.is_set():
        click.echo(f"history: {days} days in place, rolled up")


#: What a newcomer's terminal does not need line by line (each job run, each park's
#: cycle, each request): their problems still show, and ``-v`` shows everything; every
#: run is in ``job_runs`` and ``/api/health``.
CHATTY = ("apscheduler", "hallofshame.jobs", "hallofshame.collect", "werkzeug")


def run_product(*, source: str, days: int, reset: bool, host: str, port: int) -> None:
    settings = get_settings()
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for name in CHATTY:
            logging.getLogger(name).setLevel(logging.WARNING)
        # "skipped: maximum number of running instances" is the design (a job never
        # overlaps itself; on SQLite one waits for another's write), not a problem.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    click.echo(f"database: {settings.effective_database_url}")
    prepare_database(reset=reset)
    factory = writer_factory()
    stopping = threading.Event()
    if source == "sim":
        first = min(days, FIRST_DAYS)
        click.echo(f"simulating the last {first + 1} days, then serving…")
        tasks.simulate_until_now(
            factory, days=first, interval_s=settings.collect_interval, progress=True
        )
    live = tasks.make_source(source)
    tasks.schedules_job(factory, live, only_missing=True)
    tasks.collect_cycle(factory, live)
    scheduler = build_scheduler(factory, live)
    scheduler.start()
    if source == "sim" and days > FIRST_DAYS:
        threading.Thread(
            target=_fill_history,
            args=(factory, days, settings.collect_interval, stopping),
            name="history",
            daemon=True,  # Ctrl-C does not wait: a day not committed is simulated again
        ).start()

    from hallofshame.api.app import create_app

    app = create_app()
    url = f"http://{host}:{port}/"
    click.echo(
        f"Hall of Shame is up: {url}  (clock {clock.now():%Y-%m-%d %H:%M} UTC; Ctrl-C stops)"
    )

    def stop(*_: Any) -> None:
        stopping.set()
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
        stopping.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)
