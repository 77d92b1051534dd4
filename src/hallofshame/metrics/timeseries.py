"""Analytics over any window from raw observations, in buckets of the park's local time.

The sums of METRICS.md §3 are taken per (bucket, ride) in one grouped query: each
classified row is assigned its bucket by a CASE over the bucket edges, so the database
does the work and no observation row ever reaches Python. Each bucket then becomes the
same ``ParkFigures``/``RideFigures`` the rankings use, so a bucket's shame score is the
shame formula applied to that bucket's sums, and the buckets of a day add up to the day.

A cycle belongs to the bucket of its own instant ``t`` (METRICS.md §1), exactly as it
belongs to the local day of ``t``; its span is not split across bucket edges.

A daily bucket that is a whole complete local day already rolled up (with its observed
time, revision 0004 on) is read from the rollups instead: the same sums, proven equal to
raw by the consistency tests, and still there after raw observations are purged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from hallofshame.db.models import Cycle, Park
from hallofshame.domain.localtime import (
    date_of_day_number,
    day_bounds,
    day_number,
    local_date_of,
    require_aware,
    zone,
)
from hallofshame.domain.periods import Bucket, PeriodError, bucket_edges, parse_bucket
from hallofshame.domain.rounding import (
    round_half_up,
    round_hours,
    round_minutes,
    round_percent,
    round_shame,
    round_wait,
)
from hallofshame.metrics.classify import Scope, bound, classified, shaped
from hallofshame.metrics.figures import ParkFigures, RideFigures, ride_figures
from hallofshame.metrics.sums import (
    SUM_WIDTH,
    ParkOpen,
    RideSums,
    as_int,
    rollup_park_day_open,
    rollup_ride_day_sums,
    sum_columns,
    sums_from,
)
from hallofshame.metrics.windows import RideInfo, build_figures, days_with_cycles, ride_tiers

#: One request may ask for at most this many buckets (a year of hours is 8,784).
MAX_BUCKETS = 2000


@dataclass(frozen=True)
class Series:
    """Per-bucket sums of one park (or one of its rides) over ``edges``."""

    park: Park
    bucket: Bucket
    edges: list[datetime]
    rides: list[dict[int, RideSums]]
    opens: list[ParkOpen]
    tiers: dict[int, RideInfo]

    def __len__(self) -> int:
        return len(self.edges) - 1

    def start(self, i: int) -> datetime:
        return self.edges[i]

    def local_start(self, i: int) -> datetime:
        return self.edges[i].astimezone(zone(self.park.timezone))

    def park_figures(self, i: int) -> ParkFigures:
        return build_figures(self.park.id, self.rides[i].values(), self.tiers, self.opens[i])

    def ride_figures(self, i: int, ride_id: int) -> RideFigures:
        sums = self.rides[i].get(ride_id) or RideSums(ride_id=ride_id, park_id=self.park.id)
        return ride_figures(sums, self.tiers[ride_id].tier if ride_id in self.tiers else None)

    def park_open_fraction(self, i: int) -> float | None:
        """Share of the bucket's recorded time (Σ cycle spans) during which the park was open."""
        return open_fraction(self.opens[i].open_s, self.opens[i].span_s)


def open_fraction(open_s: int, span_s: int | None) -> float | None:
    return None if span_s is None or span_s <= 0 else open_s / span_s


def ride_other_s(sums: RideSums) -> int | None:
    """Seconds of a ride's observed time that were neither up nor down (closed, unknown…)."""
    seen = sums.observed_s
    return None if seen is None else max(0, seen - sums.up_s - sums.down_s)


def _share(part: int | None, whole: int | None) -> float | None:
    return None if part is None or whole is None or whole <= 0 else part / whole


def park_bucket_item(s: Series, i: int) -> dict[str, Any]:
    """One park bucket with the API's field names, rounded once (METRICS.md §4)."""
    f = s.park_figures(i)
    return {
        "start": iso_utc(s.start(i)),
        "end": iso_utc(s.edges[i + 1]),
        "local_start": s.local_start(i).isoformat(),
        "shame_score": round_shame(f.shame_score),
        "downtime_hours": round_hours(f.total_downtime_hours),
        "total_downtime_hours": round_hours(f.total_downtime_hours),
        "weighted_downtime_hours": round_hours(f.weighted_downtime_hours),
        "operating_hours": round_hours(f.operating_hours),
        "uptime_percentage": round_percent(f.uptime_percentage),
        "rides_down": f.rides_down,
        "avg_wait_minutes": round_wait(f.avg_wait_minutes),
        "peak_wait_minutes": round_wait(f.peak_wait_minutes),
        "park_open_fraction": _fraction(s.park_open_fraction(i)),
        "cycles": f.open.cycles,
    }


def ride_bucket_item(s: Series, i: int, ride_id: int) -> dict[str, Any]:
    """One ride bucket: how its observed time split between up, down and other."""
    f = s.ride_figures(i, ride_id)
    seen = f.sums.observed_s
    other = ride_other_s(f.sums)
    return {
        "start": iso_utc(s.start(i)),
        "end": iso_utc(s.edges[i + 1]),
        "local_start": s.local_start(i).isoformat(),
        "status": {
            "up_seconds": f.sums.up_s,
            "down_seconds": f.sums.down_s,
            "other_seconds": other,
            "up_share": _fraction(_share(f.sums.up_s, seen)),
            "down_share": _fraction(_share(f.sums.down_s, seen)),
            "other_share": _fraction(_share(other, seen)),
        },
        "downtime_minutes": round_minutes(f.downtime_hours * 60.0),
        "uptime_percentage": round_percent(f.uptime_percentage),
        "avg_wait_minutes": round_wait(f.avg_wait_minutes),
        "peak_wait_minutes": round_wait(f.peak_wait_minutes),
    }


def _fraction(value: float | None) -> float | None:
    # A share in [0, 1]: three decimals keep 0.1 % resolution.
    return round_half_up(value, 3)


def iso_utc(instant: datetime) -> str:
    return require_aware(instant).isoformat().replace("+00:00", "Z")


# --- window parsing ----------------------------------------------------------------


def parse_instant_param(param: str, text: str, tz: tzinfo | str) -> datetime:
    """A UTC instant from ``2026-11-01T09:00:00Z`` (any offset), a local date-time
    without offset (the park's wall clock), or a bare local date (its midnight).

    A repeated wall time (DST fall back) is its first occurrence, as for local midnight.
    """
    value = text.strip()
    try:
        if len(value) == 10:
            parsed = datetime.combine(date.fromisoformat(value), time())
        else:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PeriodError(
            param, f"expected an ISO 8601 instant or local date-time, got {text!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(tz), fold=0)
    return parsed.astimezone(UTC)


def checked_edges(
    start: datetime, end: datetime, bucket: Bucket | str, tz: tzinfo | str
) -> list[datetime]:
    """Bucket edges for ``[start, end)``; the window's order and size are checked first."""
    b = bucket if isinstance(bucket, Bucket) else parse_bucket(bucket)
    start, end = require_aware(start, "start"), require_aware(end, "end")
    if end <= start:
        raise PeriodError("end", f"end ({end.isoformat()}) must be after start")
    # Estimated before building the grid, so an absurd window costs nothing. A DST day is
    # at most an hour longer, hence the small allowance.
    approx = math.ceil((end - start).total_seconds() / b.seconds)
    if approx > MAX_BUCKETS + 2:
        raise PeriodError(
            "bucket",
            f"{approx} buckets of {b.value} in this window; at most {MAX_BUCKETS}",
            tuple(x.value for x in Bucket),
        )
    # The first aligned edge at or after ``end`` closes the last bucket, so every
    # instant before ``end`` lies strictly before the last edge.
    edges = bucket_edges(start, end, b, tz)
    if len(edges) - 1 > MAX_BUCKETS:
        raise PeriodError("bucket", f"more than {MAX_BUCKETS} buckets; use a larger bucket")
    return edges


# --- the grouped queries -------------------------------------------------------------


def bucket_of(
    ts: ColumnElement[datetime] | InstrumentedAttribute[datetime], edge_count: int
) -> ColumnElement[int]:
    """The index of the bucket holding ``ts``, for rows already limited to the edges; the
    edges are parameters, bound by ``edge_values``.

    A balanced tree of CASE expressions (a binary search over the edges): each row costs
    about log2(buckets) comparisons instead of one per bucket, which matters for a month
    of 5-minute buckets. Plain comparisons keep it portable.
    """
    return _search(ts, 0, edge_count - 1).cast(Integer)


@lru_cache(maxsize=64)
def cycle_bucket(edge_count: int) -> ColumnElement[int]:
    """``bucket_of`` a cycle's instant, built once per number of edges (the tree of a
    day's hours took 1.6-1.9 ms to build, twice per series)."""
    return bucket_of(Cycle.ts, edge_count)


def edge_values(edges: Sequence[datetime]) -> dict[str, datetime]:
    """The values of ``bucket_of``'s parameters."""
    return {f"bucket_edge_{i}": edge for i, edge in enumerate(edges)}


def _search(
    ts: ColumnElement[datetime] | InstrumentedAttribute[datetime], lo: int, hi: int
) -> ColumnElement[int]:
    # Buckets lo … hi-1; bucket i is [edges[i], edges[i+1]).
    if hi - lo <= 1:
        return literal(lo, Integer)
    mid = (lo + hi) // 2
    edge: BindParameter[datetime] = bindparam(f"bucket_edge_{mid}", required=True)
    return case((ts < edge, _search(ts, lo, mid)), else_=_search(ts, mid, hi))


def _scope(park: Park, start: datetime, end: datetime, ride_id: int | None) -> Scope:
    tz = zone(park.timezone)
    first = day_number(local_date_of(start, tz))
    last = day_number(local_date_of(end - timedelta(microseconds=1), tz))
    return Scope(
        days={park.id: tuple(range(first, last + 1))}, start=start, end=end, ride_id=ride_id
    )


def series(
    session: Session,
    park: Park,
    start: datetime,
    end: datetime,
    bucket: Bucket | str,
    *,
    version: int,
    now: datetime,
    ride_id: int | None = None,
    tiers: dict[int, RideInfo] | None = None,
) -> Series:
    """Per-bucket sums of ``park`` (or only ``ride_id``) over cycles with start ≤ t < end;
    ``tiers``: the park's counted rides (``ride_tiers``), when the caller has read them."""
    edges = checked_edges(start, end, bucket, park.timezone)
    b = Bucket(bucket)
    n = len(edges) - 1
    start, end = require_aware(start), require_aware(end)
    rides: list[dict[int, RideSums]] = [{} for _ in range(n)]
    opens = [ParkOpen(park_id=park.id) for _ in range(n)]
    stored = _stored_days(session, park, edges, version, now) if b is Bucket.D1 else {}
    if stored:
        _read_stored(session, park, stored, version, ride_id, rides, opens)
    scope = _scope(park, start, end, ride_id)
    done = {day_number(d) for d, _ in stored.values()}
    raw = tuple(day for day in scope.days[park.id] if day not in done)
    if raw and stored:
        # A day without rollups may simply have had no cycle (a closed day).
        with_cycles = days_with_cycles(session, {park.id: [date_of_day_number(d) for d in raw]})
        raw = tuple(day_number(d) for d in with_cycles[park.id])
    if raw:
        scope = Scope(days={park.id: raw}, start=start, end=end, ride_id=ride_id)
        _read_raw(session, park, edges, scope, rides, opens)
    return Series(
        park=park,
        bucket=b,
        edges=edges,
        rides=rides,
        opens=opens,
        tiers=ride_tiers(session, [park.id]) if tiers is None else tiers,
    )


def _stored_days(
    session: Session, park: Park, edges: Sequence[datetime], version: int, now: datetime
) -> dict[int, tuple[date, ParkOpen]]:
    """Buckets that are a whole complete local day rolled up with its observed time,
    with the day's stored park sums."""
    tz = zone(park.timezone)
    today = local_date_of(now, tz)
    whole = {}
    for i in range(len(edges) - 1):
        d = local_date_of(edges[i], tz)
        if d < today and day_bounds(d, tz) == (edges[i], edges[i + 1]):
            whole[i] = d
    if not whole:
        return {}
    stored = rollup_park_day_open(session, {park.id: list(whole.values())}, version)
    return {
        i: (d, o)
        for i, d in whole.items()
        if (o := stored.get((park.id, d))) is not None and o.span_s is not None
    }


def _read_stored(
    session: Session,
    park: Park,
    stored: dict[int, tuple[date, ParkOpen]],
    version: int,
    ride_id: int | None,
    rides: list[dict[int, RideSums]],
    opens: list[ParkOpen],
) -> None:
    index = {d: i for i, (d, _) in stored.items()}
    for i, (_, o) in stored.items():
        opens[i] = o
    days = {park.id: list(index)}
    for (rid, d), sums in rollup_ride_day_sums(session, days, version).items():
        if ride_id is None or rid == ride_id:
            rides[index[d]][rid] = sums


def _bucket_sums(scope: Scope, edge_count: int) -> Select[Any]:
    """Each ride's sums per bucket (``bucket_of`` the edges, bound at execution)."""
    c = classified(scope)
    # Buckets are assigned per cycle (a few hundred rows a day) rather than per ride
    # observation, then joined by cycle id. DISTINCT keeps SQLite from inlining the CASE
    # back into the per-observation join. The grouped column comes from a subquery
    # because grouping by the CASE itself would repeat its parameters, which PostgreSQL
    # treats as another expression than the selected one.
    cb = (
        select(Cycle.id.label("cycle_id"), cycle_bucket(edge_count).label("bucket"))
        .where(scope.cycle_filter())
        .distinct()
        .subquery("cycle_buckets")
    )
    tagged = (
        select(c, cb.c.bucket).join_from(c, cb, cb.c.cycle_id == c.c.cycle_id).subquery("tagged")
    )
    t = tagged.c
    return select(t.bucket, t.ride_id, *sum_columns(t)).group_by(t.bucket, t.ride_id)


def _bucket_opens(scope: Scope, edge_count: int) -> Select[Any]:
    """The park's open seconds, cycles and latest cycle per bucket."""
    cyc = select(
        Cycle.span_s, Cycle.park_open, Cycle.ts, cycle_bucket(edge_count).label("bucket")
    ).where(scope.cycle_filter())
    cs = cyc.subquery("tagged_cycles")
    return select(
        cs.c.bucket,
        func.sum(cs.c.span_s * cs.c.park_open.cast(Integer)),
        func.count(),
        func.sum(cs.c.span_s),
        func.max(cs.c.ts),
    ).group_by(cs.c.bucket)


def _read_raw(
    session: Session,
    park: Park,
    edges: Sequence[datetime],
    scope: Scope,
    rides: list[dict[int, RideSums]],
    opens: list[ParkOpen],
) -> None:
    n = len(edges)
    stmt = shaped(scope, ("bucket sums", n), lambda: _bucket_sums(scope, n))
    for row in session.execute(bound(stmt, scope).params(edge_values(edges))):
        rides[int(row[0])][row[1]] = sums_from(row[1], park.id, row[2 : 2 + SUM_WIDTH])
    grouped = shaped(scope, ("bucket opens", n), lambda: _bucket_opens(scope, n))
    for row in session.execute(bound(grouped, scope).params(edge_values(edges))):
        opens[int(row[0])] = ParkOpen(
            park_id=park.id,
            open_s=as_int(row[1]),
            cycles=as_int(row[2]),
            latest_ts=row[4] if isinstance(row[4], datetime) else None,
            span_s=as_int(row[3]),
        )
