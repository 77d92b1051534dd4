"""Several schedulers against one database: each job runs once per due time, by a claim
of the due time; when a scheduler dies mid-run, another takes over within two intervals.

The schedulers are real processes with engines of their own; the upstream is a local
fake serving the recorded Disneyland payload (with no ``last_updated``, so it is fresh
at any instant).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug import Request, Response

from hallofshame import clock
from hallofshame.db.dialects import WRITER_OPTION
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Cycle, JobClaim, JobLock, JobRun
from hallofshame.ingest.live_sources import UpstreamSource
from hallofshame.jobs import tasks
from hallofshame.jobs.due import CLAIMS_KEPT, Cadence, claim, run_due
from hallofshame.sources.http import HttpClient
from tests.conftest import SHARED
from tests.ingest.test_collector import disneyland

HALLOFSHAME = Path(sys.executable).with_name("hallofshame")
DL_PATH = "/parks/16/queue_times.json"
_DL_RECORDED = json.loads(
    (SHARED / "data/fixtures/queue_times/park16_disneyland_lands_2024-12-14.json").read_text()
)
#: Disneyland's live body, fresh whenever it is polled (a record without a timestamp is).
DL_LIVE = {
    **_DL_RECORDED,
    "lands": [
        {
            **land,
            "rides": [{k: v for k, v in r.items() if k != "last_updated"} for r in land["rides"]],
        }
        for land in _DL_RECORDED["lands"]
    ],
}

#: The simulated cycles: 20 due times a minute apart, on a pinned application clock.
ROUNDS = 20
SIM_EVERY = timedelta(seconds=60)
SIM_START = datetime(2026, 7, 4, 15, 0, tzinfo=UTC)


def _writer_factory(url: str) -> sessionmaker[Session]:
    """As the jobs get their sessions (``db.engine.writer_factory``), for ``url``."""
    return sessionmaker(
        bind=make_engine(url).execution_options(**{WRITER_OPTION: True}), expire_on_commit=False
    )


def _url_of(factory: sessionmaker[Session]) -> str:
    return str(factory.kw["bind"].url.render_as_string(hide_password=False))


def _add_disneyland(factory: sessionmaker[Session]) -> None:
    with factory() as s, s.begin():
        s.add(disneyland())


def _serve(
    upstream: HTTPServer, *, delay_s: float = 0.0, arrivals: list[float] | None = None
) -> None:
    """Disneyland's live body (after ``delay_s``: a poll that takes a while; each poll's
    arrival noted in ``arrivals``), and a 404 for anything else a scheduler may ask
    (schedules, weather on the hour)."""

    def live(request: Request) -> Response:
        if arrivals is not None:
            arrivals.append(time.monotonic())
        time.sleep(delay_s)
        return Response(json.dumps(DL_LIVE), content_type="application/json")

    upstream.expect_request(DL_PATH).respond_with_handler(live)
    upstream.expect_request(re.compile("^/.*")).respond_with_data("", status=404)


# -- due times and claims -----------------------------------------------------------------


def test_due_times_are_the_boundaries_every_scheduler_agrees_on() -> None:
    five = Cadence(timedelta(minutes=5))
    at = datetime(2026, 7, 4, 15, 0, tzinfo=UTC)
    assert five.due_at(at) == at  # a due time belongs to itself
    assert five.due_at(at + timedelta(minutes=4, seconds=59.999)) == at
    assert five.due_at(at + timedelta(minutes=5)) == at + timedelta(minutes=5)
    daily = Cadence(timedelta(days=1), timedelta(hours=3, minutes=30))
    assert daily.due_at(datetime(2026, 7, 4, 3, 29, 59, tzinfo=UTC)) == datetime(
        2026, 7, 3, 3, 30, tzinfo=UTC
    )
    assert daily.due_at(datetime(2026, 7, 4, 17, 0, tzinfo=UTC)) == datetime(
        2026, 7, 4, 3, 30, tzinfo=UTC
    )
    # The scheduler fires at exactly those instants, on every host.
    trigger = five.trigger()
    assert trigger.get_next_fire_time(None, at + timedelta(seconds=1)) == at + timedelta(minutes=5)
    assert daily.trigger().get_next_fire_time(None, at) == datetime(2026, 7, 5, 3, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        Cadence(timedelta(seconds=1.5))
    with pytest.raises(ValueError):
        Cadence(timedelta(hours=1), timedelta(hours=1))


def test_a_due_time_is_claimed_once_and_old_claims_go(session: Session) -> None:
    # Each claim's transaction is a savepoint of the test's own, rolled back at the end.
    factory = sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    due = datetime(2026, 7, 4, 15, 0, tzinfo=UTC)
    long_ago = due - CLAIMS_KEPT - timedelta(minutes=5)
    assert claim(factory, "collect", long_ago)
    assert claim(factory, "weather", long_ago)
    assert claim(factory, "collect", due)
    assert not claim(factory, "collect", due)  # the second scheduler stands down
    ran: list[str] = []
    assert not run_due(factory, "collect", due, lambda: ran.append("twice"))
    assert run_due(factory, "collect", due + timedelta(minutes=5), lambda: ran.append("next"))
    assert ran == ["next"]
    with factory() as s:
        kept = sorted((c.job, c.due_at) for c in s.scalars(select(JobClaim)))
    # The collect claims of more than a day before went with the next claim of collect.
    assert kept == [
        ("collect", due),
        ("collect", due + timedelta(minutes=5)),
        ("weather", long_ago),
    ]


# -- two schedulers, 20 simulated cycles --------------------------------------------------


def _scheduler(url: str, base: str, start: Any, results: Any) -> None:
    """One scheduler process: at each simulated due time (the application clock pinned to
    it), race the other for it as the scheduler's trigger does (``run_on_time``, given the
    due time instead of reading it from the real clock)."""
    factory = _writer_factory(url)
    http = HttpClient(read_timeout=5, connect_timeout=5, max_attempts=1)
    source = UpstreamSource(http, queue_times_url=base.rstrip("/"))
    try:
        for k in range(ROUNDS):
            due = SIM_START + k * SIM_EVERY
            clock.set_now(due)  # the cycle is stamped with its due time
            start.wait(timeout=60)
            ran = run_due(
                factory,
                "collect",
                due,
                lambda: tasks.collect_cycle(factory, source, interval_s=int(SIM_EVERY.seconds)),
            )
            results.put((k, os.getpid(), ran))
    finally:
        clock.set_now(None)
        factory.kw["bind"].dispose()


@pytest.mark.slow
def test_two_schedulers_collect_each_of_20_cycles_once(
    committed_factory: sessionmaker[Session], upstream: HTTPServer
) -> None:
    _add_disneyland(committed_factory)
    _serve(upstream)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    results = ctx.Queue()
    url = _url_of(committed_factory)
    procs = [
        ctx.Process(target=_scheduler, args=(url, upstream.url_for("/"), start, results))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    outcomes = [results.get(timeout=5) for _ in range(2 * ROUNDS)]
    runs_per_round = Counter(k for k, _, ran in outcomes if ran)
    assert runs_per_round == {k: 1 for k in range(ROUNDS)}  # one of the two, every time
    dues = [SIM_START + k * SIM_EVERY for k in range(ROUNDS)]
    with committed_factory() as s:
        cycles = Counter(s.scalars(select(Cycle.ts)))
        claims = {due: h for due, h in s.execute(select(JobClaim.due_at, JobClaim.holder))}
        collects = list(s.scalars(select(JobRun.outcome).where(JobRun.job == "collect")))
        assert s.scalars(select(JobLock)).all() == []
    assert cycles == {due: 1 for due in dues}  # every cycle collected exactly once
    assert sorted(claims) == dues
    winners = {pid for _, pid, ran in outcomes if ran}
    assert {holder.rpartition(":")[2] for holder in claims.values()} == {str(p) for p in winners}
    assert collects == ["ok"] * ROUNDS


# -- a scheduler killed mid-run -----------------------------------------------------------

#: The real interval of the scheduler processes, and how long each poll takes: a run
#: holds the collection lock for about a second of every four. After its poll, a run
#: stores the cycle and keeps the live answers ready (outages, every period's rankings):
#: on a busy CI machine that took more than the 1.2 s a two-second interval left, so the
#: next due time fired while the run still held its slot and was skipped, by design
#: (a run never overlaps itself), which the test read as a lost cycle.
EVERY_S = 4
POLL_S = 0.8


def _start_scheduler(url: str, base: str, name: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOS_")}
    env.update(
        HOS_DATABASE_URL=url,
        HOS_QUEUE_TIMES_URL=base.rstrip("/"),
        HOS_WIKI_URL=base + "v1",
        HOS_WEATHER_URL=base + "meteo",
        # Named apart, as schedulers on two hosts are: neither may take the other's lock on
        # the grounds that its pid is gone here, only once its lease has run out.
        HOS_INSTANCE=name,
        PYTHONUNBUFFERED="1",
    )
    cmd = [str(HALLOFSHAME), "scheduler", "--source", "live", "--collect-every", str(EVERY_S)]
    return subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _wait_for(what: str, check: Any, timeout_s: float) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _due_of(ts: datetime) -> int:
    """The due time (epoch seconds) of a cycle stamped ``ts``."""
    seconds = int(ts.timestamp())
    return seconds - seconds % EVERY_S


@pytest.mark.slow
def test_a_scheduler_killed_mid_run_is_replaced_within_two_intervals(
    committed_factory: sessionmaker[Session], upstream: HTTPServer, tmp_path: Path
) -> None:
    _add_disneyland(committed_factory)
    arrivals: list[float] = []
    _serve(upstream, delay_s=POLL_S, arrivals=arrivals)
    url, base = _url_of(committed_factory), upstream.url_for("/")
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b")}
    procs = {name: _start_scheduler(url, base, f"sched-{name}", log) for name, log in logs.items()}
    by_pid = {str(p.pid): name for name, p in procs.items()}

    def cycles() -> list[datetime]:
        with committed_factory() as s:
            return list(s.scalars(select(Cycle.ts).order_by(Cycle.ts)))

    def collecting() -> tuple[str, int] | None:
        with committed_factory() as s:
            lock = s.execute(
                select(JobLock.holder, JobLock.run_id).where(JobLock.name == "collect")
            ).first()
        return (lock[0], lock[1]) if lock else None

    try:
        _wait_for(
            "both schedulers to start",
            lambda: all(b"scheduler running" in log.read_bytes() for log in logs.values()),
            30,
        )
        # The leader: whichever holds the collection lock, in the middle of its poll (which
        # has just reached the upstream and takes POLL_S).
        since = time.monotonic()
        _wait_for("a poll", lambda: arrivals and arrivals[-1] > since, 3 * EVERY_S)
        holder, killed_run = _wait_for("the collection lock", collecting, 1)
        killed = by_pid[holder.rpartition(":")[2]]
        procs[killed].send_signal(signal.SIGKILL)
        killed_at = time.time()
        procs[killed].wait(timeout=10)
        survivor = procs["b" if killed == "a" else "a"]

        def two_after() -> list[datetime]:
            later = [ts for ts in cycles() if ts.timestamp() > killed_at]
            return later if len(later) >= 2 else []

        after = _wait_for("two cycles after the kill", two_after, 6 * EVERY_S)
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            p.wait(timeout=30)
    assert survivor.returncode == 0, logs["a" if survivor is procs["a"] else "b"].read_text()
    with committed_factory() as s:
        claims = {
            due: h
            for due, h in s.execute(
                select(JobClaim.due_at, JobClaim.holder).where(JobClaim.job == "collect")
            )
        }
        abandoned = s.execute(
            select(JobRun.outcome, JobRun.message).where(JobRun.id == killed_run)
        ).one()
        assert s.scalar(select(func.count()).select_from(JobLock)) == 0
    # The due time the killed scheduler claimed last, and was collecting when it died.
    last_of_killed = max(
        int(due.timestamp()) for due, h in claims.items() if h.startswith(f"sched-{killed}:")
    )
    # Its run was taken over by the survivor (the lease ran out) and recorded as failed.
    assert abandoned[0] == "failed" and "abandoned" in (abandoned[1] or "")
    # Collection went on within two intervals of the due time the killed one held.
    first_after = _due_of(after[0])
    assert last_of_killed < first_after <= last_of_killed + 2 * EVERY_S
    # No due time collected twice, before or after the kill; none lost after the
    # takeover; every claim is one scheduler's.
    per_due = Counter(_due_of(ts) for ts in cycles())
    assert set(per_due.values()) == {1}
    assert sorted(d for d in per_due if d >= first_after) == list(
        range(first_after, max(per_due) + 1, EVERY_S)
    )
    assert all(h.startswith(("sched-a:", "sched-b:")) for h in claims.values())
