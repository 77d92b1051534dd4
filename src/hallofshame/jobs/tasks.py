"""The jobs: each opens its own sessions, is recorded in ``job_runs`` and never overlaps."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from hallofshame import clock
from hallofshame.catalog import BundledPark
from hallofshame.config import get_settings
from hallofshame.db.dialects import (
    begin_writing,
    is_write_conflict,
    parallel_writers,
    refresh_statistics,
    replace_range_isolation,
)
from hallofshame.db.models import ArchiveEvent as ArchiveEventRow
from hallofshame.db.models import Cycle, Park, ParkDayRollup, Ride, StaleDay, table_of
from hallofshame.domain.spans import week_of
from hallofshame.ingest.archive import ArchiveStats
from hallofshame.ingest.collector import CollectReport, LiveSource
from hallofshame.ingest.pipeline import IngestStats, ingest_lines
from hallofshame.ingest.quality import record_bad_line, summarised
from hallofshame.ingest.simulate import (
    SimulationStats,
    choose_parks,
    earliest_cycle,
    grown_tables,
    latest_cycle,
    prepare_simulation,
    simulate_day,
)
from hallofshame.ingest.tiers import apply_tiers, prepare_tiers
from hallofshame.jobs.collect import (
    collect_once,
    refresh_catalog,
    refresh_schedules,
    refresh_weather,
)
from hallofshame.jobs.runs import (
    JobBusy,
    JobContext,
    NotQueued,
    job_run,
    lease_for,
    next_queued,
    queue_run,
    run_job,
    set_progress,
)

if TYPE_CHECKING:
    from hallofshame.api.warming import WarmReport
from hallofshame.rollups.daily import RollupResult, last_complete_day, rollup_park_days
from hallofshame.sources.replay import ReplayFormatError, ReplayLine, batched, read_replay
from hallofshame.sources.simulator import POLL_OFFSET_S, Simulator

log = logging.getLogger("hallofshame.jobs")

Factory = sessionmaker[Session]

RECOMPUTE_ATTEMPTS = 5


def make_source(kind: str) -> LiveSource:
    from hallofshame.ingest.live_sources import SimulatedSource, UpstreamSource

    if kind == "sim":
        return SimulatedSource()
    settings = get_settings()
    return UpstreamSource(
        wiki_url=settings.wiki_url or None,
        queue_times_url=settings.queue_times_url or None,
        weather_url=settings.weather_url or None,
    )


def collect_cycle(
    factory: Factory, source: str | LiveSource, *, interval_s: int | None = None
) -> CollectReport:
    """One collection cycle as the recorded job ``collect``, every ``interval_s``
    (``HOS_COLLECT_INTERVAL``): its lock's lease follows from it (``lease_for``), so that
    a run whose process died is taken over within two intervals."""
    src = _source(source)
    interval = interval_s or get_settings().collect_interval
    report = CollectReport()

    def body(ctx: JobContext) -> None:
        nonlocal report
        report = collect_once(factory, src, interval_s=interval)
        ctx.rows = report.cycles
        ctx.message = report.tiers_refused

    lease = lease_for(timedelta(seconds=interval))
    if run_job(factory, "collect", body, lease=lease) and report.cycles:
        outages_now_job(factory)  # the live listings' stay-or-go answers, once per cycle
        answers_changed(factory)  # live and today just changed
    return report


def outages_now_job(factory: Factory) -> int:
    """Store the stay-or-go answers of every ride down now (``rollups.outages_now``), in
    the job's own transaction."""
    from hallofshame.rollups.outages_now import refresh_outages_now

    settings = get_settings()
    stored = 0

    def body(ctx: JobContext) -> None:
        nonlocal stored
        stored = refresh_outages_now(
            ctx.session,
            now=clock.now(),
            cap_s=settings.span_cap_s,
            version=settings.metrics_version,
        )
        ctx.rows = stored

    run_job(factory, "outages-now", body)
    return stored


def audit_job(factory: Factory) -> bool:
    """Keep the audit of the default date ready (``rollups.stored_audit``), in the job's
    own transaction; whether it was computed (else it still held, or the date is not
    over everywhere yet)."""
    from hallofshame.rollups.stored_audit import refresh_audit

    version = get_settings().metrics_version
    computed = False

    def body(ctx: JobContext) -> None:
        nonlocal computed
        computed = refresh_audit(ctx.session, now=clock.now(), version=version)
        ctx.rows = int(computed)

    run_job(factory, "audit", body)
    return computed


def rollups_changed(factory: Factory) -> None:
    """Rollups were written: the audit of the default date rests on them (kept after
    rollups only: a collection does not change a day that is over), then every answer
    kept after a change of data."""
    audit_job(factory)
    answers_changed(factory)


def answers_changed(factory: Factory) -> None:
    """The data behind the answers changed: keep the rankings ready again (a job of its
    own), then fill the shared cache, which then reads them."""
    rankings_job(factory)
    warm_cache(factory)


def rankings_job(factory: Factory) -> int:
    """Keep every named period's rankings ready (``rollups.stored_rankings``), in the
    job's own transaction; the number of periods computed."""
    from hallofshame.rollups.stored_rankings import refresh_rankings

    version = get_settings().metrics_version
    computed = 0

    def body(ctx: JobContext) -> None:
        nonlocal computed
        computed = refresh_rankings(ctx.session, now=clock.now(), version=version)
        ctx.rows = computed

    run_job(factory, "rankings", body)
    return computed


def warm_cache(factory: Factory) -> WarmReport:
    """Compute the dashboard's answers into the shared cache (nothing without one)."""
    from hallofshame.api import warming

    settings = get_settings()
    report = warming.WarmReport()
    if not warming.shared_cache(settings):
        return report

    def body(ctx: JobContext) -> None:
        nonlocal report
        report = warming.warm(factory, settings=settings)
        ctx.rows = report.computed
        ctx.message = report.summary()

    run_job(factory, "warm-cache", body)
    return report


def _counted_job(factory: Factory, name: str, work: Callable[[], int]) -> int:
    """Run ``work`` as a recorded, non-overlapping job; its count is the job's rows."""
    count = 0

    def body(ctx: JobContext) -> None:
        nonlocal count
        count = work()
        ctx.rows = count

    run_job(factory, name, body)
    return count


def _source(source: str | LiveSource) -> LiveSource:
    return make_source(source) if isinstance(source, str) else source


def schedules_job(factory: Factory, source: str | LiveSource, *, only_missing: bool = False) -> int:
    src = _source(source)
    return _counted_job(
        factory, "schedules", lambda: refresh_schedules(factory, src, only_missing=only_missing)
    )


def weather_job(factory: Factory, source: str | LiveSource) -> int:
    src = _source(source)
    return _counted_job(factory, "weather", lambda: refresh_weather(factory, src))


def catalog_job(factory: Factory, source: str | LiveSource) -> int:
    """Rides no longer listed by their park's directory (now inactive)."""
    src = _source(source)
    return _counted_job(factory, "catalog", lambda: refresh_catalog(factory, src))


#: Lines a replay applies per transaction: big enough that a commit is a small share of
#: the cost, small enough that a load stopped part-way loses little and locks briefly.
REPLAY_BATCH_LINES = 2000


def replay_files(
    factory: Factory,
    files: Sequence[Path],
    *,
    progress: bool = False,
    interval_s: int | None = None,
    skip_bad: bool = False,
    batch_lines: int = REPLAY_BATCH_LINES,
) -> IngestStats:
    """Load recorded feeds, a batch of lines per transaction, then roll up the days they
    completed or made stale.

    Each batch commits on its own, and a line already stored changes nothing, so a load
    stopped anywhere and run again ends with the rows of a load never stopped. A malformed
    line stops the load (``ReplayFormatError``, with file and line) after the batches
    before it are committed, or with ``skip_bad`` is recorded as a data-quality issue.
    """
    interval = interval_s or get_settings().collect_interval
    version = get_settings().metrics_version
    stats = IngestStats()
    near: datetime | None = None
    batches = 0
    with job_run(factory, "replay", exclusive=False) as ctx, summarised("the replayed feeds"):
        for path in files:
            lines = read_replay(path, errors=skip_bad)
            bar = tqdm(desc=path.name, unit=" lines", disable=not progress)
            for batch in batched(lines, batch_lines):
                with factory() as session, session.begin():
                    begin_writing(session)
                    prepare_tiers(session)  # a changed file is in force from this batch
                    good: list[ReplayLine] = []
                    for item in batch:
                        if isinstance(item, ReplayFormatError):
                            record_bad_line(session, item, near=good[-1].ts if good else near)
                            stats.issues += 1
                        else:
                            good.append(item)
                    near = good[-1].ts if good else near
                    ingest_lines(session, good, interval_s=interval, version=version, stats=stats)
                bar.update(len(batch))
                batches += 1
                if _doubled(batches):
                    _analyse(factory, grown_tables())
            bar.close()
        # The rollups that follow, and the first reads, plan on what is there now (a
        # month's feed read with the statistics of empty tables: 116 s of PostgreSQL
        # outage queries instead of 2 s).
        _analyse(factory, grown_tables())
        ctx.rows = stats.cycles
        ctx.message = stats.summary()
    rollup_due(factory)
    return stats


def import_archive(
    factory: Factory,
    paths: Sequence[Path],
    *,
    from_date: date | None = None,
    to_date: date | None = None,
    interval_s: int | None = None,
    progress: bool = False,
) -> ArchiveStats:
    """Load ThemeParks.wiki archive trees or files: a park's events a UTC day per
    transaction (a load stopped part-way and run again ends with the same rows), then
    roll up the days completed or made stale."""
    from hallofshame.ingest.archive import archive_park, day_chunks, import_events
    from hallofshame.sources.archive import read_archive

    interval = interval_s or get_settings().collect_interval
    archive = read_archive(paths, from_date=from_date, to_date=to_date)
    total = ArchiveStats()
    types = dict(archive.entity_types)
    grown = [*grown_tables(), table_of(ArchiveEventRow)]
    done = 0
    with job_run(factory, "archive", exclusive=False) as ctx:
        bar = tqdm(total=len(archive.events), unit=" events", disable=not progress)
        for upstream in archive.park_ids():
            for chunk in day_chunks(archive.events_of(upstream)):
                with factory() as session, session.begin():
                    begin_writing(session)
                    prepare_tiers(session)
                    park = archive_park(session, archive, upstream)
                    total.add(
                        import_events(session, park, chunk, entity_types=types, interval_s=interval)
                    )
                bar.update(len(chunk))
                done += 1
                if _doubled(done):
                    _analyse(factory, grown)
        bar.close()
        _analyse(factory, grown)  # the rollups that follow plan on what is there now
        ctx.rows = total.cycles
        ctx.message = total.summary()
    rollup_due(factory)
    return total


def _doubled(units: int) -> bool:
    """After units 1, 2, 4, 8 … of a load: the tables it grows have doubled since the
    last refresh of their statistics (so a load refreshes them log2(n) times, not n)."""
    return units & (units - 1) == 0


def _analyse(factory: Factory, tables: Sequence[Table]) -> None:
    """Refresh the planner's statistics of tables a load grows (a plan made when they were
    nearly empty reads everything: 4.4 of 7 s of a PostgreSQL archive import)."""
    with factory() as session, session.begin():
        refresh_statistics(session, tables)


#: Local days rolled up per statement and transaction. A week bounds the work, the locks
#: and the plan: rolling a park's 90 days up in one statement made MariaDB read every
#: ride's whole history through the (ride, instant) index (46 s instead of 1 s a week).
CHUNK_DAYS = 7


def weeks(first: date, last: date) -> list[tuple[date, date]]:
    """first..last cut at the kept weeks' edges (Sunday–Saturday, ``domain.spans``): runs
    of at most ``CHUNK_DAYS`` days, each rewriting one kept week and its month(s)."""
    runs = []
    d = first
    while d <= last:
        end = min(week_of(d).last, last)
        runs.append((d, end))
        d = end + timedelta(days=1)
    return runs


def recompute(
    factory: Factory,
    first: date,
    last: date,
    *,
    version: int,
    park_ids: Sequence[int] | None = None,
    progress: bool = False,
    workers: int | None = None,
) -> RollupResult:
    """Replace ``version``'s rollups of the range, one park-week per transaction.

    Park-weeks are independent (each deletes and writes only its own rows), so several
    run at once on a database server. A park-week is idempotent, so one that loses a write
    conflict (another recompute of the same days) is simply run again.
    """
    with job_run(factory, f"rollup-v{version}", exclusive=False) as ctx:
        total = recompute_range(
            factory,
            first,
            last,
            version=version,
            park_ids=park_ids,
            progress=progress,
            workers=workers,
        )
        ctx.rows = total.ride_days
    return total


def recompute_range(
    factory: Factory,
    first: date,
    last: date,
    *,
    version: int,
    park_ids: Sequence[int] | None = None,
    progress: bool = False,
    workers: int | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> RollupResult:
    """The work of ``recompute``, unrecorded; ``on_chunk(done, total)`` is called in this
    thread after each park-week's transaction has committed."""
    total = RollupResult()
    now = clock.now()
    cap = get_settings().span_cap_s
    with factory() as s:
        stmt = select(Park).where(Park.active.is_(True)).order_by(Park.id)
        if park_ids:
            stmt = stmt.where(Park.id.in_(park_ids))
        parks = list(s.scalars(stmt))
        threads = parallel_writers(s.get_bind(), workers or get_settings().recompute_workers)
    # Week-major: the workers busy at one time write different parks, so they seldom wait
    # for one another (a park's rollup writers take turns, ``rollups.daily``).
    chunks = [(park, start, end) for start, end in weeks(first, last) for park in parks]

    def one(chunk: tuple[Park, date, date]) -> RollupResult:
        park, start, end = chunk
        for attempt in range(1, RECOMPUTE_ATTEMPTS + 1):
            try:
                with factory() as session, session.begin():
                    replace_range_isolation(session)
                    return rollup_park_days(
                        session, park, start, end, version=version, now=now, cap_s=cap
                    )
            except DBAPIError as exc:  # e.g. a concurrent recompute of the same park-days
                if attempt == RECOMPUTE_ATTEMPTS or not is_write_conflict(exc):
                    raise
                log.info("%s %s: write conflict, running it again", park.name, start)
                time.sleep(random.uniform(0, 0.2 * attempt))  # noqa: S311 (jitter, not a secret)
        raise AssertionError("unreachable")

    days = len(parks) * ((last - first).days + 1)
    bar = tqdm(total=days, unit=" park-days", disable=not progress)
    if on_chunk is not None:
        on_chunk(0, len(chunks))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for done, ((_, start, end), r) in enumerate(
            zip(chunks, pool.map(one, chunks), strict=True), start=1
        ):
            total.add(r)
            bar.update((end - start).days + 1)
            if on_chunk is not None:
                on_chunk(done, len(chunks))
    bar.close()
    return total


#: The queued job a recompute asked for over the API is recorded as.
RECOMPUTE_JOB = "recompute"
#: Progress is written at most this often (and after the last park-week).
PROGRESS_EVERY_S = 1.0


def queue_recompute(session: Session, first: date, last: date, *, version: int) -> int:
    """Queue a recompute of ``first``..``last`` (in the caller's transaction); its run id."""
    params = {"start": first.isoformat(), "end": last.isoformat(), "metrics_version": version}
    return queue_run(session, RECOMPUTE_JOB, params)


def _run_recompute(factory: Factory, run_id: int, params: dict[str, Any]) -> None:
    """Run queued recompute ``run_id``, holding the recompute lock throughout."""
    with job_run(factory, RECOMPUTE_JOB, queued_id=run_id) as ctx:
        last_write = 0.0

        def on_chunk(done: int, total: int) -> None:
            nonlocal last_write
            if done in (0, total) or time.monotonic() - last_write >= PROGRESS_EVERY_S:
                set_progress(factory, run_id, done, total, "park-weeks")
                last_write = time.monotonic()

        result = recompute_range(
            factory,
            date.fromisoformat(params["start"]),
            date.fromisoformat(params["end"]),
            version=int(params["metrics_version"]),
            on_chunk=on_chunk,
        )
        ctx.rows = result.ride_days
        ctx.message = (
            f"{result.park_days} park-days, {result.ride_days} ride-days, "
            f"{result.empty_days} days without data, {result.kept_days} days kept"
        )


def run_queued(factory: Factory) -> int:
    """Run the queued recomputes, oldest first and one at a time across every process
    (the recompute lock); returns how many this call ran. Another process running one
    keeps the rest for itself: this call then stops."""
    ran = 0
    while (queued := next_queued(factory, RECOMPUTE_JOB)) is not None:
        run_id, params = queued
        try:
            _run_recompute(factory, run_id, params)
        except NotQueued:
            continue  # another process claimed it first
        except JobBusy:
            log.info("a recompute is running elsewhere; the queue waits for it")
            break
        except Exception:  # recorded as failed; the next queued one still runs
            log.exception("queued recompute %s failed", run_id)
        ran += 1
    if ran:
        rollups_changed(factory)  # the recomputed periods' answers changed
    return ran


def rollup_due(factory: Factory) -> int:
    """Roll up each park's days that have ended and have cycles but no rollup yet: the
    days after its latest rollup, and the days whose sums late data made stale.

    A recorded job that never overlaps itself: when another run holds it (the scheduler's,
    or the end of another load), this one does nothing and that one rolls the days up.
    """
    done = _counted_job(factory, "rollups", lambda: _rollup_due(factory))
    if done:
        warm_cache(factory)  # a day closed: yesterday, last week and last month moved on
    return done


def scheduled_rollups(factory: Factory) -> int:
    """``rollup_due`` as the scheduler (or cron, ``hallofshame rollup --due``) runs it:
    what it rolled up also moves the rankings kept ready, kept again here. A load of
    history leaves that to the next collection (or ``hallofshame warm``): nobody reads
    them meanwhile, and keeping them after every load would cost each one a ranking of
    every period."""
    done = _counted_job(factory, "rollups", lambda: _rollup_due(factory))
    if done:
        rollups_changed(factory)  # a day closed: yesterday, last week and last month moved on
    return done


def _rollup_due(factory: Factory) -> int:
    version = get_settings().metrics_version
    cap = get_settings().span_cap_s
    now = clock.now()
    done = 0
    with factory() as s:
        parks = list(s.scalars(select(Park).where(Park.active.is_(True))))
        stale: dict[int, list[date]] = {}
        for pid, d in s.execute(select(StaleDay.park_id, StaleDay.local_date)):
            stale.setdefault(pid, []).append(d)
        todo: list[tuple[Park, date, date]] = []
        for park in parks:
            last = last_complete_day(park, now)
            latest = s.scalar(
                select(ParkDayRollup.local_date)
                .where(ParkDayRollup.park_id == park.id, ParkDayRollup.metrics_version == version)
                .order_by(ParkDayRollup.local_date.desc())
                .limit(1)
            )
            first_cycle, last_cycle = s.execute(
                select(func.min(Cycle.local_date), func.max(Cycle.local_date)).where(
                    Cycle.park_id == park.id
                )
            ).one()
            if first_cycle is None:
                continue
            # Days after the park's latest cycle have nothing to roll up (yet).
            last = min(last, last_cycle)
            first = latest + timedelta(days=1) if latest else first_cycle
            todo.extend(
                (park, start, end)
                for start, end in runs(d for d in stale.get(park.id, []) if d < first and d <= last)
            )
            if first <= last:
                todo.append((park, first, last))
    for park, first, last in todo:
        for start, end in weeks(first, last):
            with factory() as session, session.begin():
                begin_writing(session)
                done += rollup_park_days(
                    session, park, start, end, version=version, now=now, cap_s=cap
                ).park_days
                session.execute(
                    delete(StaleDay).where(
                        StaleDay.park_id == park.id, StaleDay.local_date.between(start, end)
                    )
                )
    return done


def runs(dates: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted dates as runs of consecutive days (first, last)."""
    out: list[tuple[date, date]] = []
    for d in sorted(set(dates)):
        if out and out[-1][1] + timedelta(days=1) == d:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def classify_rides(factory: Factory, *, apply: bool) -> list[str]:
    with factory() as session, session.begin():
        prepare_tiers(session)
        rides = list(session.scalars(select(Ride).order_by(Ride.park_id, Ride.name)))
        apply_tiers(session, rides)
        lines = [
            f"{r.park_id:>4} {r.name[:48]:<48} tier={r.tier or '-'} "
            f"{r.tier_source}: {r.tier_reason}"
            for r in rides
        ]
        if not apply:
            session.rollback()
    return lines


def purge_raw(factory: Factory) -> int:
    """Delete what is older than the retention (``HOS_RAW_RETENTION_DAYS``): raw cycles and
    observations, and what was derived from them and is no use without them; returns the
    observations deleted. Rollups, span sums and operated days are kept forever."""
    return _counted_job(factory, "purge", lambda: purge_older(factory))


def purge_older(factory: Factory) -> int:
    from hallofshame.db.models import Observation

    cutoff = clock.now() - timedelta(days=get_settings().raw_retention_days)
    deleted = 0
    while True:
        with factory() as session, session.begin():
            begin_writing(session)
            ids = list(
                session.scalars(
                    select(Cycle.id).where(Cycle.ts < cutoff).order_by(Cycle.id).limit(500)
                )
            )
            if not ids:
                break
            result = session.execute(delete(Observation).where(Observation.cycle_id.in_(ids)))
            session.execute(delete(Cycle).where(Cycle.id.in_(ids)))
            deleted += result.rowcount or 0  # type: ignore[attr-defined]
    with factory() as session, session.begin():
        begin_writing(session)
        purge_derived(session, cutoff)
    return deleted


def purge_derived(session: Session, cutoff: datetime) -> None:
    """The derived rows of what the purge deleted, in the caller's transaction.

    Running sums of days wholly before the cutoff (a local day is at most a day off UTC),
    stale marks and kept polls of that time, and archive events except each entity's
    latest before the cutoff: the state the kept time starts from.
    """
    from hallofshame.db.models import ArchiveEvent, ParkDayRunning, PendingPoll, RideDayRunning

    day = cutoff.date() - timedelta(days=1)
    for model in (RideDayRunning, ParkDayRunning, StaleDay):
        session.execute(delete(model).where(model.local_date < day))
    session.execute(delete(PendingPoll).where(PendingPoll.ts < cutoff))
    e = ArchiveEvent
    latest = (
        select(e.park_id, e.entity_id, func.max(e.event_time).label("at"))
        .where(e.event_time < cutoff)
        .group_by(e.park_id, e.entity_id)
        .subquery()
    )
    for park_id, entity_id, at in session.execute(select(latest)).all():
        session.execute(
            delete(e).where(e.park_id == park_id, e.entity_id == entity_id, e.event_time < at)
        )


def simulate_history(
    factory: Factory,
    *,
    start: datetime,
    end: datetime,
    interval_s: int,
    parks: Sequence[BundledPark],
    seed: int = 42,
    on_day: Callable[[SimulationStats], None] | None = None,
) -> SimulationStats:
    """Simulate [start, end) into the database, one UTC day per transaction."""
    sim = Simulator(seed=seed, parks=parks)
    stats = SimulationStats()
    _prepare(factory, parks)
    day = start
    while day < end:
        day_end = min(day + timedelta(days=1), end)
        _simulate_day(factory, sim, parks, day, day_end, interval_s, stats)
        if on_day is not None:
            on_day(stats)
        day = day_end
    _refresh(factory)
    return stats


def _prepare(factory: Factory, parks: Sequence[BundledPark]) -> None:
    with factory() as session, session.begin():
        begin_writing(session)
        prepare_simulation(session, parks)


def _simulate_day(
    factory: Factory,
    sim: Simulator,
    parks: Sequence[BundledPark],
    day: datetime,
    day_end: datetime,
    interval_s: int,
    stats: SimulationStats,
) -> None:
    """[day, day_end) in a transaction of its own; the planner's statistics refreshed as
    the tables double."""
    version = get_settings().metrics_version
    with factory() as session, session.begin():
        begin_writing(session)
        simulate_day(session, sim, parks, day, day_end, interval_s, version, stats)
    if _doubled(stats.days):
        _refresh(factory)


def _refresh(factory: Factory) -> None:
    with factory() as session, session.begin():
        refresh_statistics(session, grown_tables())


def simulate_backfill(
    factory: Factory,
    *,
    days: int,
    interval_s: int,
    park_count: int | None = None,
    seed: int = 42,
    stop: Callable[[], bool] = lambda: False,
    on_day: Callable[[date, int, int], None] | None = None,
) -> SimulationStats:
    """Simulate the history missing below the earliest stored cycle, back to midnight
    (UTC) ``days`` ago: newest day first, a day per transaction, then roll up.

    What is stored is always one stretch ending now, so a run stopped between days (or
    killed in one) leaves no hole, and the next run goes on from the earliest cycle. Each
    day is simulated on its own (the same seed and day give the same polls), so a
    resumed fill ends with the cycles of one never stopped. ``on_day(day, done, total)``
    reports progress; ``stop()`` is asked between days.
    """
    now = clock.now()
    target = datetime.combine(now.date() - timedelta(days=days), datetime.min.time(), UTC)
    with factory() as s:
        earliest = earliest_cycle(s)
    stats = SimulationStats()
    if earliest is None:
        return stats
    # The windows keep the stored cycles' grid: the last one ends at the earliest poll's
    # tick (a simulated cycle is polled POLL_OFFSET_S after its tick).
    end = earliest - timedelta(seconds=POLL_OFFSET_S)
    windows: list[tuple[datetime, datetime]] = []
    while end > target:
        windows.append((max(target, end - timedelta(days=1)), end))
        end -= timedelta(days=1)
    parks = choose_parks(park_count)
    _prepare(factory, parks)
    with summarised("the simulated history"):
        for done, (start, stop_at) in enumerate(windows, 1):
            if stop():
                break
            # A simulator of its own per day: the day's polls do not depend on which days
            # were filled before it (a resumed fill equals one never stopped).
            sim = Simulator(seed=seed, parks=parks)
            _simulate_day(factory, sim, parks, start, stop_at, interval_s, stats)
            if on_day is not None:
                on_day(start.date(), done, len(windows))
    _refresh(factory)
    rollup_due(factory)
    return stats


def simulate_until_now(
    factory: Factory,
    *,
    days: int,
    interval_s: int,
    park_count: int | None = None,
    seed: int = 42,
    rollups: bool = True,
    progress: bool = False,
) -> SimulationStats:
    """Simulate history from ``days`` ago (or the latest cycle) up to now."""
    now = clock.now()
    end = now.replace(second=0, microsecond=0) - timedelta(minutes=now.minute % 5)
    with factory() as s:
        latest = latest_cycle(s)
    start = (
        latest + timedelta(seconds=interval_s)
        if latest
        else datetime.combine(now.date() - timedelta(days=days), datetime.min.time(), UTC)
    )
    start = start.replace(second=0, microsecond=0)
    parks = choose_parks(park_count)
    with factory() as session, session.begin():
        prepare_tiers(session)
    total_days = max(0, (end - start).days + 1)
    bar = tqdm(total=total_days, unit=" days", disable=not progress, desc="simulating")
    with summarised("the simulated history"):
        stats = simulate_history(
            factory,
            start=start,
            end=end,
            interval_s=interval_s,
            parks=parks,
            seed=seed,
            on_day=lambda st: bar.update(1),
        )
    bar.close()
    if rollups:
        # Also when nothing new was simulated: a run stopped during its rollups left days
        # to roll up, and this is the run that must finish them.
        rollup_due(factory)
    return stats
