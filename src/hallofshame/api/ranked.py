"""A ranking's answer: read from the rankings kept ready while they hold, else computed.

Both paths list with ``metrics.ranking_lists``, so they give the same items; what only
the request can know (the state now of the listed rides, a filter of the parks) is added
here to either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g
from sqlalchemy import select

from hallofshame.api.common import db, metric_period, now, settings, snapshot
from hallofshame.db.models import Park
from hallofshame.domain.periods import Period, PeriodKind
from hallofshame.metrics import rankings, stored_rankings
from hallofshame.metrics.ranking_lists import ParkPart, RankingList, park_parts
from hallofshame.metrics.rankings import STATE_NOW


@dataclass(frozen=True)
class Ranked:
    items: list[dict[str, Any]]
    parts: list[ParkPart]  # every park of the answer, listed or not
    parks: list[Park]  # the parks of the listed items (live and today: what adds the state now)


def ranked(
    ranking: RankingList, period: Period, filter_: str, fidelity: str, sort_by: str, limit: int
) -> Ranked:
    """The first ``limit`` items of the ranking of the parks of ``filter_``/``fidelity``."""
    if period.kind is not PeriodKind.CUSTOM:
        answer = stored_rankings.holding(
            db(), ranking.name, str(metric_period(period)), settings().metrics_version, now()
        )
        if answer is not None:
            g.hos_ranking = "stored"
            ids = rankings.selected_park_ids(db(), filter_, fidelity)
            items = stored_rankings.items(db(), answer, ranking, sort_by, ids, limit)
            listed = {i["park_id"] for i in items}
            # Only the live and today rankings add the state now, which needs the parks.
            wanted = listed if period.kind in STATE_NOW else set()
            parks = list(db().scalars(select(Park).where(Park.id.in_(wanted)))) if wanted else []
            return Ranked(items, stored_rankings.parts(answer, ids), parks)
    g.hos_ranking = "computed"
    snap = snapshot(period, filter_, fidelity=fidelity)
    items = ranking.items(snap, sort_by, limit)
    listed = {i["park_id"] for i in items}
    parks = [r.park for r in snap.parks if r.park.id in listed]
    return Ranked(items, list(park_parts(snap).values()), parks)
