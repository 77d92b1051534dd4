"""Downtime episodes (METRICS.md §4) as the product computes them, against a reference.

The product states the episode rule twice: once in SQL (``metrics.episodes.keyed``, read
by ``list_episodes`` and by the raw day sums behind rollups and past periods) and once in
Python (``rollups.running._step``, today's running sums advanced cycle by cycle). Here
both are driven through their real entry points with cycles and observations stored by
the product's models, and compared with a reference written in this file from METRICS.md
§2 (which cycles are up or down) and the oracle in ``episode_oracle`` (§4, which down
cycles form one episode). Neither reference imports product code.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import Cycle, Observation, OperatedDay, Park, Ride, RideDayRunning
from hallofshame.metrics.classify import Scope
from hallofshame.metrics.episodes import list_episodes
from hallofshame.metrics.sums import raw_ride_day_sums
from hallofshame.rollups import running
from tests.domain.episode_oracle import EpisodeCycle, merge_episodes, summarise

TZ = ZoneInfo("America/New_York")
INTERVAL = 300
CAP = 2 * INTERVAL  # METRICS.md §1, restated here rather than read from the product
#: 23:00 in New York: an hour of five-minute polls crosses local midnight.
START = datetime(2026, 7, 21, 23, 0, tzinfo=TZ).astimezone(UTC)
EPOCH = date(1970, 1, 1)

OPERATING, DOWN, CLOSED, REFURB, UNKNOWN = "OPERATING", "DOWN", "CLOSED", "REFURBISHMENT", "UNKNOWN"


# --- the world a test describes -------------------------------------------------------


@dataclass(frozen=True)
class RideSpec:
    category: str = "ATTRACTION"
    active: bool = True
    #: It operated this many local days before the first poll's day (None: never).
    history: int | None = 1


@dataclass(frozen=True)
class Poll:
    ts: datetime
    park_open: bool
    #: One status per ride; None = the ride is not in this poll's feed.
    statuses: tuple[str | None, ...]
    #: The posted wait per ride (the product must count it only while the ride is up).
    waits: tuple[int | None, ...] = ()

    def wait(self, i: int) -> int | None:
        return self.waits[i] if self.waits else None


@dataclass(frozen=True)
class World:
    reports_down: bool
    rides: tuple[RideSpec, ...]
    polls: tuple[Poll, ...]
    #: How many polls each ingest batch carries to ``running.advance`` (sums to polls).
    batches: tuple[int, ...]


def day_of(ts: datetime) -> int:
    return (ts.astimezone(TZ).date() - EPOCH).days


def spans(polls: Iterable[Poll]) -> list[int]:
    out: list[int] = []
    prev: datetime | None = None
    for p in polls:
        out.append(INTERVAL if prev is None else min(int((p.ts - prev).total_seconds()), CAP))
        prev = p.ts
    return out


# --- the reference: METRICS.md §2 per cycle, the oracle for §4 -------------------------


@dataclass(frozen=True)
class Row:
    """One observation of a counted ride, as §2 classifies it."""

    ts: datetime
    span: int
    day: int
    up: bool
    down: bool
    cap: bool
    open: bool
    wait: int | None = None

    @property
    def state(self) -> str:
        if self.down:
            return "down"
        if self.up:
            return "up"
        return "neutral" if self.open else "park_closed"


def reference_rows(world: World) -> dict[int, list[Row]]:
    """Each counted ride's classified observations, by ride index, in time order."""
    first_day = day_of(world.polls[0].ts) if world.polls else 0
    operated: dict[int, dict[int, datetime]] = defaultdict(dict)  # ride → day → first op
    for i, spec in enumerate(world.rides):
        if spec.history is not None:
            operated[i][first_day - spec.history] = datetime.min.replace(tzinfo=UTC)
    rows: dict[int, list[Row]] = defaultdict(list)
    for poll, span in zip(world.polls, spans(world.polls), strict=True):
        d = day_of(poll.ts)
        for i, (spec, status) in enumerate(zip(world.rides, poll.statuses, strict=True)):
            if status is None:
                continue
            if poll.park_open and status == OPERATING:
                operated[i].setdefault(d, poll.ts)
            if spec.category != "ATTRACTION" or not spec.active:
                continue
            today = d in operated[i] and operated[i][d] <= poll.ts
            eligible = today or any(d - k in operated[i] for k in range(1, 7))
            closed_after_operating = status == CLOSED and not world.reports_down and today
            down = poll.park_open and eligible and (status == DOWN or closed_after_operating)
            up = poll.park_open and status == OPERATING
            rows[i].append(
                Row(
                    ts=poll.ts,
                    span=span,
                    day=d,
                    up=up,
                    down=down,
                    cap=poll.park_open and eligible and status != UNKNOWN,
                    open=poll.park_open,
                    wait=poll.wait(i) if up else None,
                )
            )
    return rows


def oracle_cycles(rows: list[Row]) -> list[EpisodeCycle]:
    return [EpisodeCycle(r.ts, r.span, r.day, r.state) for r in rows]


@dataclass(frozen=True)
class DayFigures:
    episodes: int
    longest_s: int | None
    open_episode_s: int | None
    up_s: int
    down_s: int
    capacity_s: int
    wait_sum: int = 0
    wait_n: int = 0
    wait_max: int | None = None


def reference_days(rows: list[Row]) -> dict[int, DayFigures]:
    """Per local day: what the sums and the day's episodes must be."""
    out = {}
    for d in sorted({r.day for r in rows}):
        day_rows = [r for r in rows if r.day == d]
        eps = merge_episodes(oracle_cycles(day_rows))
        count, longest = summarise(eps)
        still_open = eps[-1].duration_s if eps and eps[-1].ongoing else None
        waits = [r.wait for r in day_rows if r.wait is not None]
        out[d] = DayFigures(
            episodes=count,
            longest_s=None if longest is None else int(longest),
            open_episode_s=None if still_open is None else int(still_open),
            up_s=sum(r.span for r in day_rows if r.up),
            down_s=sum(r.span for r in day_rows if r.down),
            capacity_s=sum(r.span for r in day_rows if r.cap),
            wait_sum=sum(waits),
            wait_n=len(waits),
            wait_max=max(waits, default=None),
        )
    return out


# --- the product: store as ingest does, read through the real entry points ------------


def store(session: Session, world: World) -> tuple[int, list[int]]:
    """Write the world with the product's models and advance today's running sums per
    batch, as ingest does after storing a batch of cycles. Returns (park id, ride ids)."""
    park = Park(
        name="Episode Park",
        timezone=TZ.key,
        reports_down=world.reports_down,
        is_disney=False,
        is_universal=False,
    )
    session.add(park)
    session.flush()
    rides = [
        Ride(park_id=park.id, name=f"Ride {i}", tier=1, category=s.category, active=s.active)
        for i, s in enumerate(world.rides)
    ]
    session.add_all(rides)
    session.flush()
    first_day = day_of(world.polls[0].ts) if world.polls else 0
    for ride, spec in zip(rides, world.rides, strict=True):
        if spec.history is not None:
            past = first_day - spec.history
            noon = datetime.combine(EPOCH + timedelta(days=past), datetime.min.time(), TZ)
            at = (noon + timedelta(hours=12)).astimezone(UTC)
            session.add(OperatedDay(ride_id=ride.id, local_day=past, first_operated_at=at))
    session.flush()
    operated: set[tuple[int, int]] = set()
    polls = list(zip(world.polls, spans(world.polls), strict=True))
    pos = 0
    for size in world.batches:
        batch = []
        for poll, span in polls[pos : pos + size]:
            d = day_of(poll.ts)
            cycle = Cycle(
                park_id=park.id,
                ts=poll.ts,
                span_s=span,
                source="themeparks.wiki",
                local_date=EPOCH + timedelta(days=d),
                local_day=d,
                park_open=poll.park_open,
                open_basis="schedule",
                rides_seen=sum(s is not None for s in poll.statuses),
            )
            session.add(cycle)
            session.flush()
            for i, (ride, status) in enumerate(zip(rides, poll.statuses, strict=True)):
                if status is None:
                    continue
                session.add(
                    Observation(
                        cycle_id=cycle.id,
                        ride_id=ride.id,
                        park_id=park.id,
                        ts=poll.ts,
                        status=status,
                        raw_status=status,
                        wait_minutes=poll.wait(i),
                    )
                )
                if poll.park_open and status == OPERATING and (ride.id, d) not in operated:
                    operated.add((ride.id, d))
                    session.add(
                        OperatedDay(ride_id=ride.id, local_day=d, first_operated_at=poll.ts)
                    )
            session.flush()
            batch.append((cycle.id, poll.ts, span, d, poll.park_open))
        pos += size
        running.advance(session, park.id, batch, latest_day=max(c[3] for c in batch), version=1)
    return park.id, [r.id for r in rides]


def running_rows(session: Session, park_id: int) -> dict[tuple[int, int], DayFigures]:
    r = RideDayRunning
    stmt = select(
        r.ride_id,
        r.local_date,
        r.episodes,
        r.longest_outage_s,
        r.open_episode_s,
        r.up_s,
        r.down_s,
        r.capacity_s,
        r.wait_sum,
        r.wait_n,
        r.wait_max,
    ).where(r.park_id == park_id)
    return {
        (ride, (local_date - EPOCH).days): DayFigures(
            *(None if v is None else int(v) for v in vals)
        )
        for ride, local_date, *vals in session.execute(stmt)
    }


def days_with_running_rows(world: World) -> set[int]:
    """Days whose running rows ``advance`` keeps: a day first seen in a batch that also
    holds a later day is not the park's latest day then, and is left to the raw path."""
    kept: set[int] = set()
    seen: set[int] = set()
    pos = 0
    for size in world.batches:
        days = [day_of(p.ts) for p in world.polls[pos : pos + size]]
        pos += size
        for d in set(days) - seen:
            if d == max(days):
                kept.add(d)
        seen |= set(days)
    return kept


def check_world(session: Session, world: World) -> None:
    """Every product path gives what the reference gives, and so each other's figures."""
    park_id, ride_ids = store(session, world)
    rows = reference_rows(world)
    all_days = tuple(sorted({day_of(p.ts) for p in world.polls}))
    scope = Scope(days={park_id: all_days})

    # SQL: the ride page's outage list (list_episodes), whole episodes with their start.
    expected_episodes = sorted(
        (ride_ids[i], e.start, e.end, int(e.duration_s), e.cycles)
        for i, ride_rows in rows.items()
        for e in merge_episodes(oracle_cycles(ride_rows))
    )
    got_episodes = sorted(
        (e.ride_id, e.start, e.end, e.duration_s, e.cycles) for e in list_episodes(session, scope)
    )
    assert got_episodes == expected_episodes

    # SQL: the per-day sums that rollups and past periods read (episodes via ``keyed``).
    expected = {
        (ride_ids[i], d): fig
        for i, ride_rows in rows.items()
        for d, fig in reference_days(ride_rows).items()
    }
    sums = raw_ride_day_sums(session, scope)
    got_sums = {
        key: DayFigures(
            s.episodes,
            s.longest_s,
            None,  # an episode still open is the running sums' state only
            s.up_s,
            s.down_s,
            s.capacity_s,
            s.wait_sum,
            s.wait_n,
            s.wait_max,
        )
        for key, s in sums.items()
    }
    assert got_sums == {
        key: dataclasses.replace(f, open_episode_s=None) for key, f in expected.items()
    }

    # Python: today's running rows, advanced batch by batch (and the episode still open).
    kept = days_with_running_rows(world)
    assert running_rows(session, park_id) == {k: f for k, f in expected.items() if k[1] in kept}


# --- examples a reader can check by hand ----------------------------------------------


def world(
    *cells: str,
    reports_down: bool = True,
    history: int | None = 1,
    step: int = INTERVAL,
    start: datetime = START - timedelta(hours=12),
) -> World:
    """One ride per string, one poll per cell: O operating, D down, C closed, R
    refurbishment, U unknown, - not in the feed, x park closed (ride CLOSED), | next
    local day (the park is closed, or the day changes, for every ride at once)."""
    codes = {"O": OPERATING, "D": DOWN, "C": CLOSED, "R": REFURB, "U": UNKNOWN, "-": None}
    polls, t = [], start
    for column in zip(*(c.replace(" ", "") for c in cells), strict=True):
        if column[0] == "|":
            t += timedelta(days=1)
            continue
        is_open = column[0] != "x"
        statuses = tuple(CLOSED if cell == "x" else codes[cell] for cell in column)
        polls.append(Poll(t, is_open, statuses))
        t += timedelta(seconds=step)
    rides = tuple(RideSpec(history=history) for _ in cells)
    return World(reports_down, rides, tuple(polls), (1,) * len(polls))


EXAMPLES = [
    # (world, durations of its episodes in seconds, in order)
    pytest.param(world("O D D D O"), [900], id="one-run"),
    pytest.param(world("D U U D O"), [600], id="unknown-neither-extends-nor-ends"),
    pytest.param(world("D R D O"), [600], id="refurbishment-neither-extends-nor-ends"),
    pytest.param(world("D - - D O"), [600], id="missing-from-feed-neither-extends-nor-ends"),
    pytest.param(world("D D x D"), [600, 300], id="park-closed-ends"),
    pytest.param(world("D O D D"), [300, 600], id="up-ends"),
    # The first poll of the next day follows a long gap, so it stands for the cap.
    pytest.param(world("D D | D O"), [600, CAP], id="local-day-ends"),
    # A two-hour gap: the down cycle after it stands for the cap only, and does not end it.
    pytest.param(world("D D O", step=7200), [300 + CAP], id="gap-is-capped-not-an-end"),
    # A park that does not report DOWN: CLOSED is down only after operating that day.
    pytest.param(world("C O C C O", reports_down=False), [600], id="closed-after-operating"),
    pytest.param(world("O C C O", reports_down=True), [], id="closed-is-planned-if-down-reported"),
    # Eligibility (§2): operated on one of D-6 … D by t.
    pytest.param(world("D D O D", history=None), [300], id="not-eligible-before-operating"),
    pytest.param(world("D D O", history=6), [600], id="operated-six-days-ago-is-eligible"),
    pytest.param(world("D D O", history=7), [], id="operated-seven-days-ago-is-not"),
    # Each ride has its own episodes: another ride's up cycles neither end nor split them,
    # and runs of two rides that line up are not one episode.
    pytest.param(world("O O O", "D D D"), [900], id="another-ride-up-does-not-split"),
    pytest.param(world("D D O", "D O D"), [600, 300, 300], id="rides-are-not-merged"),
]


@pytest.mark.parametrize(("w", "durations"), EXAMPLES)
def test_episode_examples(session: Session, w: World, durations: list[int]) -> None:
    park_id, _ = store(session, w)
    days = tuple(sorted({day_of(p.ts) for p in w.polls}))
    scope = Scope(days={park_id: days})
    assert sorted(e.duration_s for e in list_episodes(session, scope)) == sorted(durations)
    by_day = raw_ride_day_sums(session, scope)
    assert sum(s.episodes for s in by_day.values()) == len(durations)
    assert sum(s.down_s for s in by_day.values()) == sum(durations)
    running_ = running_rows(session, park_id)
    assert sum(f.episodes for f in running_.values()) == len(durations)
    longest = [f.longest_s for f in running_.values() if f.longest_s is not None]
    assert max(longest, default=None) == max(durations, default=None)
    check_world(session, w)


def test_an_episode_starts_where_its_first_down_span_begins(session: Session) -> None:
    w = world("O D D O")
    park_id, (ride_id,) = store(session, w)
    (episode,) = list_episodes(session, Scope(days={park_id: (day_of(w.polls[0].ts),)}))
    # The first down poll is the second; its span reaches back to the first poll.
    assert (episode.ride_id, episode.start, episode.end) == (ride_id, w.polls[0].ts, w.polls[2].ts)
    assert (episode.duration_s, episode.cycles) == (600, 2)


def test_a_down_ride_at_the_last_poll_leaves_its_episode_open(session: Session) -> None:
    w = world("O D D")
    park_id, (ride_id,) = store(session, w)
    ((key, figures),) = running_rows(session, park_id).items()
    assert key == (ride_id, day_of(w.polls[0].ts))
    assert (figures.episodes, figures.longest_s, figures.open_episode_s) == (1, 600, 600)


# --- generated worlds -----------------------------------------------------------------

#: Mostly a poll every interval; sometimes a longer step, a gap beyond the cap, or most of
#: a day (so local days change, and eligibility moves with them).
STEPS = [INTERVAL] * 6 + [2 * INTERVAL, 3 * INTERVAL, 3600, 20 * 3600]
STATUS = st.sampled_from([OPERATING] * 3 + [DOWN] * 3 + [CLOSED] * 2 + [REFURB, UNKNOWN, None])
#: Posted waits, drawn for any status: a wait beside a ride that is not up must not count.
WAIT = st.sampled_from([None, 0, 5, 30, 45])


@st.composite
def worlds(draw: st.DrawFn, max_polls: int = 24) -> World:
    rides = tuple(
        RideSpec(
            category=draw(st.sampled_from(["ATTRACTION"] * 5 + ["SHOW"])),
            active=draw(st.sampled_from([True] * 5 + [False])),
            history=draw(st.sampled_from([None, 1, 3, 6, 7, 8])),
        )
        for _ in range(draw(st.integers(min_value=1, max_value=3)))
    )
    polls, t = [], START
    for n in range(draw(st.integers(min_value=0, max_value=max_polls))):
        if n:
            t += timedelta(seconds=draw(st.sampled_from(STEPS)))
        is_open = draw(st.sampled_from([True] * 4 + [False]))
        statuses = tuple(draw(STATUS) for _ in rides)
        waits = tuple(draw(WAIT) for _ in rides)
        polls.append(Poll(t, is_open, statuses, waits))
    batches, left = [], len(polls)
    while left:
        size = draw(st.integers(min_value=1, max_value=min(3, left)))
        batches.append(size)
        left -= size
    return World(draw(st.booleans()), rides, tuple(polls), tuple(batches))


def test_generated_worlds_through_sql_and_running_sums(session: Session) -> None:
    """Every product path against the reference, on each database (few examples: each
    one writes a park's cycles and advances the running sums batch by batch)."""

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        # No shrinking: each step would write a park again, for minutes. The failing world
        # is printed whole; the pure-Python twin below shrinks the same worlds cheaply.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    @given(worlds())
    def run(w: World) -> None:
        nested = session.begin_nested()
        try:
            check_world(session, w)
        finally:
            nested.rollback()

    run()


@settings(max_examples=400, deadline=None)
@given(worlds(max_polls=60))
def test_running_step_against_the_reference(w: World) -> None:
    """The one-cycle step of today's running sums, fed the §2 flags cycle by cycle with
    one row per local day, gives each day the reference's sums and episodes."""
    for ride_rows in reference_rows(w).values():
        rows: dict[int, running._Row] = {}
        for r in ride_rows:
            row = rows.setdefault(r.day, running._blank(1, 1, EPOCH + timedelta(days=r.day), 1))
            running._step(
                row,
                span=r.span,
                up=int(r.up),
                down=int(r.down),
                cap=int(r.cap),
                is_open=int(r.open),
                wait=r.wait,
            )
        got = {
            d: DayFigures(
                row.episodes,
                row.longest_outage_s,
                row.open_episode_s,
                row.up_s,
                row.down_s,
                row.capacity_s,
                row.wait_sum,
                row.wait_n,
                row.wait_max,
            )
            for d, row in rows.items()
        }
        assert got == reference_days(ride_rows)
