"""Keep every named period's ranking lists ready, after the data they rest on changed.

Run after each collection, rollup and recompute, in the caller's transaction. A period
whose stored lists still hold (``metrics.stored_rankings.holding``, the rule requests
use) is only re-stamped with the cycles it has been checked against; any other is
computed once for every active park, by the code a request would run, and stored whole:
each listed item once, with its place in every sort order of its list.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.orm import Session

from hallofshame.db.models import (
    Cycle,
    RankingAnswer,
    RankingRow,
    table_of,
)
from hallofshame.domain.localtime import next_local_midnight
from hallofshame.metrics import live, park_details, rankings
from hallofshame.metrics.ranking_lists import LISTS, MAX_SORTS, RankingList, park_parts, unranked
from hallofshame.metrics.rankings import LIVE, Snapshot
from hallofshame.metrics.stored_rankings import (
    LIVE_STATES,
    PARK_DETAILS,
    PERIODS,
    held,
    lists_of,
    part_to_json,
)
from hallofshame.metrics.windows import LIVE_MAX_AGE
from hallofshame.rollups.stored_answers import active_zones, forget, header, rests_on


def refresh_rankings(
    session: Session, *, now: datetime, version: int, periods: tuple[str, ...] = PERIODS
) -> int:
    """Make the stored lists of ``periods`` the answers at ``now``; the number of periods
    computed (the others still held). The caller owns the transaction."""
    rests = rests_on(session)  # before anything is computed
    top = rests["cycle_id"]
    due = session.scalar(select(func.min(Cycle.ts)).where(Cycle.ts > now))
    zones = active_zones(session)
    rolls_over = next_local_midnight(zones, now)
    computed = 0
    for period in periods:
        names = lists_of(period)
        still = held(session, names, period, version, now)
        if len(still) == len(names):
            _restamp(session, [a.id for a in still.values()], top, due)
            continue
        snap = rankings.compute(session, period, now=now, version=version)
        ends = [t for t in (rolls_over, due, _stale_at(snap)) if t is not None]
        stamp = {
            "period": period,
            "metrics_version": version,
            **rests,
            "as_of": now,
            "valid_until": min(ends, default=now),  # nothing bounds it: never valid
            "window_end": _window_end(snap),
            "parks": json.dumps({p: part_to_json(v) for p, v in park_parts(snap).items()}),
        }
        forget(
            session, and_(RankingAnswer.period == period, RankingAnswer.metrics_version == version)
        )
        for ranking in LISTS:
            _store(session, ranking, snap, stamp)
        if PARK_DETAILS in names:
            _store_details(session, snap, stamp, now=now, version=version)
        if period == LIVE:
            _store_live_states(session, stamp, now)
        computed += 1
    return computed


def _restamp(session: Session, ids: list[int], top: int, due: datetime | None) -> None:
    """Still the answers: checked against every cycle up to ``top``, so a request looks at
    later ones only; a cycle already stored beyond the clock ends them when it comes due."""
    session.execute(update(RankingAnswer).where(RankingAnswer.id.in_(ids)).values(cycle_id=top))
    if due is not None:
        session.execute(
            update(RankingAnswer)
            .where(RankingAnswer.id.in_(ids), RankingAnswer.valid_until > due)
            .values(valid_until=due)
        )


def _stale_at(snap: Snapshot) -> datetime | None:
    """A live answer lasts while each of its live cycles is live (METRICS.md §5)."""
    if snap.period != LIVE:
        return None
    return min(
        (r.live_cycle.ts + LIVE_MAX_AGE for r in snap.parks if r.live_cycle is not None),
        default=None,
    )


def _window_end(snap: Snapshot) -> datetime | None:
    """The last instant the windows reach; None while one of them is still running."""
    windows = [r.period.window for r in snap.parks]
    if snap.period == LIVE or not all(w.is_complete for w in windows):
        return None
    return max((w.end for w in windows), default=None)


def _store_live_states(session: Session, stamp: dict[str, object], now: datetime) -> None:
    """Each active park's counts of attractions by state now, as the live panel counts."""
    parks = rankings.selected_parks(session)
    states = live.ride_states(session, parks, now)
    by_park: dict[int, dict[int, live.RideNow]] = {p.id: {} for p in parks}
    for ride_id, state in states.items():
        by_park[state.park_id][ride_id] = state
    answer = header(session, LIVE_STATES, stamp)
    values = [
        {
            "answer_id": answer.id,
            "entity_id": park.id,
            "park_id": park.id,
            "body": json.dumps(live.state_counts(by_park[park.id])),
            "pos0": place,
        }
        for place, park in enumerate(parks)
    ]
    if values:
        session.execute(insert(table_of(RankingRow)), values)


def _store_details(
    session: Session, snap: Snapshot, stamp: dict[str, object], *, now: datetime, version: int
) -> None:
    """Every active park's details of the period, from the rankings' own snapshot (a
    park's row is the row a request's snapshot of that park alone computes)."""
    parks = rankings.selected_parks(session)
    rows = {r.park.id: r for r in snap.parks}
    answer = header(session, PARK_DETAILS, stamp)
    values = [
        {
            "answer_id": answer.id,
            "entity_id": park.id,
            "park_id": park.id,
            "body": json.dumps(
                park_details.body(
                    session,
                    park,
                    rows.get(park.id),
                    snap.period,
                    now=now,
                    version=version,
                )
            ),
            "pos0": place,
        }
        for place, park in enumerate(parks)
    ]
    if values:
        session.execute(insert(table_of(RankingRow)), values)


def _store(
    session: Session, ranking: RankingList, snap: Snapshot, stamp: dict[str, object]
) -> None:
    answer = header(session, ranking.name, stamp)
    orders = [ranking.order(snap, s) for s in ranking.sorts]
    places: dict[int, list[int | None]] = {}
    rows = {}
    for i, order in enumerate(orders):
        for place, row in enumerate(order):
            key = ranking.entity(row)
            if key not in rows:
                rows[key] = row
                places[key] = [None] * MAX_SORTS
            places[key][i] = place
    values = [
        {
            "answer_id": answer.id,
            "entity_id": key,
            "park_id": row.park.id,
            "body": json.dumps(unranked(ranking.show(0, row, snap.period))),
            **{f"pos{i}": p for i, p in enumerate(places[key])},
        }
        for key, row in rows.items()
    ]
    if values:
        session.execute(insert(table_of(RankingRow)), values)
