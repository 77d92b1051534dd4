"""Rankings kept ready: the stored answer of a ranking, read only while it is still the
answer to the request (the one rule, ``holding``).

Every visitor of a named period's ranking asks the same question until the data changes,
so the lists of every named period are computed after each change
(``rollups.stored_rankings``) by the same code a request would run
(``metrics.ranking_lists``). A stored answer stands for the data it was computed from; it
is used while that data is still the request's, and otherwise the request computes.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from hallofshame.db.models import Cycle, DataVersion, ParkDayRollup, RankingAnswer, RankingRow
from hallofshame.domain.periods import NAMED_PERIODS, PeriodKind
from hallofshame.metrics.ranking_lists import LISTS, ParkPart, RankingList, ranked
from hallofshame.metrics.rankings import LIVE

#: The periods kept ready: every named one (a custom range is computed per request).
PERIODS = NAMED_PERIODS
#: The live panel's counts of attractions by state now, kept with the live rankings:
#: one row per active park (its counts, ``metrics.live.state_counts``), summed per request.
LIVE_STATES = "live_states"
#: Each active park's details (``metrics.park_details.body``), one row per park.
PARK_DETAILS = "park_details"
#: The periods whose details are kept: the closed ones, which change with late data and
#: rollups only. A running period's would be computed again after every cycle, for every
#: park (2–3 s a cycle on 48 parks), for pages asked far less often than the rankings.
DETAILS_PERIODS = tuple(
    k.value for k in (PeriodKind.YESTERDAY, PeriodKind.LAST_WEEK, PeriodKind.LAST_MONTH)
)


def lists_of(period: str) -> list[str]:
    """The answers kept ready for a period: its four rankings, every park's details of a
    closed period, and for ``live`` the live panel's counts."""
    names = [x.name for x in LISTS]
    if period in DETAILS_PERIODS:
        names.append(PARK_DETAILS)
    return [*names, LIVE_STATES] if period == LIVE else names


def holding(
    session: Session, list_name: str, period: str, version: int, now: datetime
) -> RankingAnswer | None:
    """The stored answer of a list and period if it is still the answer at ``now``
    (``held``, for one list)."""
    return held(session, [list_name], period, version, now).get(list_name)


def held(
    session: Session, list_names: Collection[str], period: str, version: int, now: datetime
) -> dict[str, RankingAnswer]:
    """The stored answers of the lists of a period that are still the answers at ``now``,
    by list name, in one query.

    One holds while its data is the request's: the same metrics version, facts counter
    (late data, tiers, catalog) and latest rollup computation; no cycle stored after it
    was computed lies in its windows (a closed period's end, or ``now`` for a running
    one); and ``now`` is not before the clock it was computed by nor at or after the
    first instant a window rolls over, a live cycle grows stale or a cycle stored
    beyond that clock comes due (``valid_until``).
    """
    a = RankingAnswer
    latest = ParkDayRollup.latest_computation()
    newer = (
        select(Cycle.id)
        .where(
            Cycle.id > a.cycle_id,
            or_(
                and_(a.window_end.is_(None), Cycle.ts <= now),
                and_(a.window_end.is_not(None), Cycle.ts <= a.window_end),
            ),
        )
        .exists()
    )
    answers = session.scalars(
        select(a).where(
            a.list_name.in_(list_names),
            a.period == period,
            a.metrics_version == version,
            a.facts_version == DataVersion.current(),
            or_(a.computed_at == latest, and_(a.computed_at.is_(None), latest.is_(None))),
            a.as_of <= now,
            a.valid_until > now,
            ~newer,
        )
    )
    return {x.list_name: x for x in answers}


def position(ranking: RankingList, sort_by: str) -> object:
    """The column holding each row's place in the order of ``sort_by``."""
    return getattr(RankingRow, f"pos{ranking.sorts.index(sort_by)}")


def items(
    session: Session,
    answer: RankingAnswer,
    ranking: RankingList,
    sort_by: str,
    park_ids: Collection[int],
    limit: int,
) -> list[dict[str, object]]:
    """The first ``limit`` items of the stored answer among the parks asked for, ranked
    from 1 (filtering a ranking keeps its order: every row's place is its own)."""
    column = position(ranking, sort_by)
    rows = session.scalars(
        select(RankingRow.body)
        .where(RankingRow.answer_id == answer.id, RankingRow.park_id.in_(park_ids))
        .order_by(column)  # type: ignore[arg-type]
        .limit(limit)
    )
    return [ranked(i, json.loads(body)) for i, body in enumerate(rows, 1)]


def body_of(session: Session, answer: RankingAnswer, entity_id: int) -> dict[str, Any] | None:
    """The stored body of one entity of an answer (a park's details), None if absent."""
    found = session.scalar(
        select(RankingRow.body).where(
            RankingRow.answer_id == answer.id, RankingRow.entity_id == entity_id
        )
    )
    return None if found is None else dict(json.loads(found))


def parts(answer: RankingAnswer, park_ids: Collection[int]) -> list[ParkPart]:
    """What the parks asked for add to the answer's meta (window, summary)."""
    stored: dict[str, list[object]] = json.loads(answer.parks)
    return [part_of(v) for k, v in stored.items() if int(k) in park_ids]


def part_to_json(p: ParkPart) -> list[object]:
    return [p.start.isoformat(), p.end.isoformat(), p.open, p.operating, p.down, p.down_s]


def part_of(value: list[object]) -> ParkPart:
    start, end, open_, operating, down, down_s = value
    return ParkPart(
        start=date.fromisoformat(str(start)),
        end=date.fromisoformat(str(end)),
        open=bool(open_),
        operating=int(operating),  # type: ignore[call-overload]
        down=int(down),  # type: ignore[call-overload]
        down_s=int(down_s),  # type: ignore[call-overload]
    )


def state_counts(
    session: Session, answer: RankingAnswer, park_ids: Collection[int]
) -> dict[str, int]:
    """The live panel's counts of the parks asked for: each park's stored counts, added
    (every attraction belongs to one park and is counted once)."""
    out: dict[str, int] = {}
    for body in session.scalars(
        select(RankingRow.body).where(
            RankingRow.answer_id == answer.id, RankingRow.park_id.in_(park_ids)
        )
    ):
        for state, n in json.loads(body).items():
            out[state] = out.get(state, 0) + int(n)
    return out
