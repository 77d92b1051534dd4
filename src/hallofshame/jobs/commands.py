"""Commands for the jobs: each scheduled job is also a command for cron users."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hallofshame.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("hallofshame.cli")


def _factory() -> sessionmaker[Session]:
    # Imported here so that `--help` does not load the database layer.
    from hallofshame.db.engine import writer_factory

    return writer_factory()


def _interval(text: str) -> int:
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600}
    if text[-1:] in units:
        return int(text[:-1]) * units[text[-1]]
    return int(text)


@click.command()
@click.option(
    "--parks",
    "park_count",
    type=int,
    default=None,
    help="First N parks: the catalog's 48, then synthetic ones ('Synthetic Park 49', …).",
)
@click.option("--days", type=int, default=30, show_default=True, help="Days of history.")
@click.option("--interval", default="5m", show_default=True, help="Collection interval.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--rollups/--no-rollups", default=True, show_default=True)
def simulate(park_count: int | None, days: int, interval: str, seed: int, rollups: bool) -> None:
    """Fill the database with simulated history of the real catalog, and beyond its 48
    parks of synthetic ones (fast bulk path)."""
    from hallofshame.jobs.tasks import simulate_until_now

    started = time.perf_counter()
    stats = simulate_until_now(
        _factory(),
        days=days,
        interval_s=_interval(interval),
        park_count=park_count,
        seed=seed,
        rollups=rollups,
        progress=True,
    )
    elapsed = time.perf_counter() - started
    click.echo(
        f"{stats.cycles} cycles, {stats.observations} observations in {elapsed:.1f} s "
        f"({stats.observations / max(elapsed, 1e-9):.0f} observations/s)"
    )


@click.group()
def ingest() -> None:
    """Load recorded feeds."""


@ingest.command("replay")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--skip-bad",
    is_flag=True,
    help="Record a malformed line as a data-quality issue and load the rest.",
)
def ingest_replay(files: tuple[Path, ...], skip_bad: bool) -> None:
    """Replay recorded NDJSON(.gz) feeds (REPLAY.md) through the ingestion pipeline.

    Loads in any order and any number of times give the same figures; a load stopped
    part-way can simply be run again.
    """
    from hallofshame.jobs.tasks import replay_files
    from hallofshame.sources.replay import ReplayFormatError

    try:
        stats = replay_files(_factory(), list(files), progress=True, skip_bad=skip_bad)
    except ReplayFormatError as error:
        # What came before the line is loaded; the user needs the line, not a traceback.
        raise click.ClickException(
            f"{error} (the lines before it are loaded; fix the line, or load again with "
            "--skip-bad to record it as a data-quality issue and go on)"
        ) from None
    click.echo(stats.summary())


@ingest.command("archive")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--from",
    "from_",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First local date to load (inclusive).",
)
@click.option(
    "--to",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last local date to load (inclusive).",
)
@click.option(
    "--destination",
    default=None,
    help="Fetch this destination's files over HTTP first (HOS_ARCHIVE_URL or --url).",
)
@click.option("--url", default=None, help="Base URL of the archive (default HOS_ARCHIVE_URL).")
@click.option(
    "--dir",
    "into",
    type=click.Path(path_type=Path),
    default=None,
    help="Where fetched files are kept (default: var/archive).",
)
def ingest_archive(
    paths: tuple[Path, ...],
    from_: object,
    to: object,
    destination: str | None,
    url: str | None,
    into: Path | None,
) -> None:
    """Load the ThemeParks.wiki archive (REPLAY.md): local trees or files, or a
    destination's date range fetched over HTTP. Idempotent and resumable; the cycles it
    makes are marked as coming from the archive."""
    from hallofshame.jobs.tasks import import_archive
    from hallofshame.sources.archive import ArchiveFormatError, archive_base_url, fetch_archive

    first = from_.date() if from_ else None  # type: ignore[attr-defined]
    last = to.date() if to else None  # type: ignore[attr-defined]
    if first and last and last < first:
        raise click.BadParameter("--to is before --from")
    sources = list(paths)
    if destination:
        if not (first and last):
            raise click.UsageError("fetching a destination needs --from and --to")
        target = into or get_settings().data_dir / "archive"
        report = fetch_archive(archive_base_url(url), destination, first, last, target)
        click.echo(
            f"fetched {len(report.downloaded)} files ({len(report.unchanged)} already here, "
            f"{len(report.missing)} days without a file)"
        )
        sources.append(target)
    if not sources:
        raise click.UsageError("give archive folders or files, or --destination")
    try:
        stats = import_archive(_factory(), sources, from_date=first, to_date=last, progress=True)
    except ArchiveFormatError as error:
        raise click.ClickException(str(error)) from None
    click.echo(stats.summary())


@click.command()
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--parks", "park_ids", default="", help="Comma-separated park ids (default all).")
@click.option("--metrics-version", type=int, default=None, help="Default: HOS_METRICS_VERSION.")
@click.option("--due", is_flag=True, help="Only the days that have ended and lack a rollup.")
def rollup(
    start: object, end: object, park_ids: str, metrics_version: int | None, due: bool
) -> None:
    """Recompute daily rollups for a range of local dates (idempotent)."""
    from hallofshame.jobs.tasks import recompute, rollups_changed, scheduled_rollups

    if due:
        click.echo(f"{scheduled_rollups(_factory())} park-days rolled up")
        return
    if start is None or end is None:
        raise click.UsageError("give --start and --end, or --due")

    first, last = start.date(), end.date()  # type: ignore[attr-defined]
    if last < first:
        raise click.BadParameter("--end is before --start")
    ids = [int(x) for x in park_ids.split(",") if x.strip()] or None
    result = recompute(
        _factory(),
        first,
        last,
        park_ids=ids,
        version=metrics_version or get_settings().metrics_version,
        progress=True,
    )
    rollups_changed(_factory())  # the recomputed periods' answers may have changed
    click.echo(
        f"{result.park_days} park-days, {result.ride_days} ride-days, "
        f"{result.empty_days} days without data, "
        f"{result.kept_days} days kept (raw data purged)"
    )


@click.command()
@click.option("--apply/--show", default=False, help="Store the tiers (default: only show).")
def classify(apply: bool) -> None:
    """Show (or apply) every ride's tier with its provenance."""
    from hallofshame.jobs.tasks import classify_rides

    for line in classify_rides(_factory(), apply=apply):
        click.echo(line)


@click.command()
@click.option("--source", type=click.Choice(["live", "sim"]), default="live", show_default=True)
def collect(source: str) -> None:
    """Run one collection cycle for every active park."""
    from hallofshame.jobs.tasks import collect_cycle

    report = collect_cycle(_factory(), source)
    click.echo(f"{report.cycles} cycles, {report.issues} issues in {report.seconds:.1f} s")


@click.command()
def webhooks() -> None:
    """Send the breakdown events due to webhook subscriptions, once (for cron users; the
    scheduler does this every few seconds)."""
    from hallofshame.jobs.webhooks import webhooks_job

    click.echo(webhooks_job(_factory()).summary())


@click.command()
def warm() -> None:
    """Keep the stay-or-go answers of the rides down now, the rankings of every named
    period and the audit of yesterday ready in the database, then compute the dashboard's
    standard answers into the shared cache (HOS_CACHE_URL), as the scheduler does after
    each cycle and rollup."""
    from hallofshame.api.warming import shared_cache
    from hallofshame.jobs.tasks import audit_job, outages_now_job, rankings_job, warm_cache

    started = time.perf_counter()
    down = outages_now_job(_factory())
    took = time.perf_counter() - started
    click.echo(f"stay-or-go answers kept ready: {down} rides down now ({took:.1f} s)")
    started = time.perf_counter()
    periods = rankings_job(_factory())
    took = time.perf_counter() - started
    click.echo(f"rankings kept ready: {periods} periods computed, the others held ({took:.1f} s)")
    started = time.perf_counter()
    audited = audit_job(_factory())
    took = time.perf_counter() - started
    click.echo(
        f"audit of yesterday kept ready: {'computed' if audited else 'held or not over yet'} "
        f"({took:.1f} s)"
    )
    if not shared_cache(get_settings()):
        # Not an error: each API worker then keeps its own cache, which no other process
        # can fill (the scheduler skips warming the same way).
        click.echo("nothing to warm: the cache is per worker (set HOS_CACHE_URL to share one)")
        return
    click.echo(warm_cache(_factory()).summary())


@click.command()
@click.option("--source", type=click.Choice(["live", "sim"]), default="live", show_default=True)
def schedules(source: str) -> None:
    """Refresh every park's schedule."""
    from hallofshame.jobs.tasks import schedules_job

    click.echo(f"{schedules_job(_factory(), source)} schedule windows stored")


@click.command()
@click.option("--source", type=click.Choice(["live", "sim"]), default="live", show_default=True)
def weather(source: str) -> None:
    """Fetch the weather forecast for every park."""
    from hallofshame.jobs.tasks import weather_job

    click.echo(f"{weather_job(_factory(), source)} forecast hours stored")


@click.command()
@click.option("--source", type=click.Choice(["live", "sim"]), default="live", show_default=True)
def catalog(source: str) -> None:
    """Sync every park's rides with its upstream directory (gone rides become inactive)."""
    from hallofshame.jobs.tasks import catalog_job

    click.echo(f"{catalog_job(_factory(), source)} rides no longer listed, now inactive")


@click.group()
def jobs() -> None:
    """Jobs queued over the API (``POST /api/admin/recompute``)."""


@jobs.command("run-queued")
def jobs_run_queued() -> None:
    """Run the queued recomputes, oldest first, one at a time (for cron users; the
    scheduler does this every few seconds)."""
    from hallofshame.jobs.tasks import run_queued

    click.echo(f"{run_queued(_factory())} queued jobs run")


@click.command()
def purge() -> None:
    """Delete raw data older than HOS_RAW_RETENTION_DAYS and what was derived from it
    (rollups, span sums and operated days are kept)."""
    from hallofshame.jobs.tasks import purge_raw

    click.echo(f"{purge_raw(_factory())} observations deleted")


@click.command()
@click.option("--source", type=click.Choice(["sim", "live"]), default="sim", show_default=True)
@click.option("--days", type=int, default=35, show_default=True, help="Simulated history.")
@click.option("--reset", is_flag=True, help="Start from an empty database.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
def run(source: str, days: int, reset: bool, host: str, port: int) -> None:
    """Run everything: database, history (sim), collector, scheduler, dashboard and API."""
    from hallofshame.jobs.demo import run_product

    run_product(source=source, days=days, reset=reset, host=host, port=port)


@click.command()
@click.option("--source", type=click.Choice(["live", "sim"]), default="live", show_default=True)
@click.option(
    "--collect-every",
    type=click.IntRange(min=1),
    default=None,
    hidden=True,
    help="Seconds between collection cycles, below HOS_COLLECT_INTERVAL's floor (tests).",
)
def scheduler(source: str, collect_every: int | None) -> None:
    """Run only the scheduled jobs (production: a process apart from the API workers).
    Several may run against one database: each job runs once per due time."""
    import signal
    import threading

    from hallofshame.jobs.scheduler import build_scheduler
    from hallofshame.jobs.tasks import make_source

    sched = build_scheduler(_factory(), make_source(source), collect_every_s=collect_every)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sched.start()
    click.echo(f"scheduler running ({source}); Ctrl-C stops")
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sched.shutdown(wait=True)


COMMANDS: list[click.Command] = [
    scheduler,
    simulate,
    ingest,
    rollup,
    classify,
    collect,
    webhooks,
    warm,
    schedules,
    weather,
    purge,
    catalog,
    jobs,
    run,
]
