"""The four ranking lists: which rows, in which order for each sort, each shown how, and
what the parks of a snapshot add to the answer's meta (their window, the summary).

One definition for the answers computed per request and for those kept ready
(``rollups.stored_rankings``), so that the two can never differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hallofshame.domain.rounding import round_hours
from hallofshame.metrics import present, rankings
from hallofshame.metrics.figures import hours
from hallofshame.metrics.rankings import LIVE, ParkRow, RideRow, Snapshot

Row = ParkRow | RideRow


@dataclass(frozen=True)
class RankingList:
    name: str
    sorts: tuple[str, ...]
    order: Callable[[Snapshot, str], Sequence[Any]]
    show: Callable[[int, Any, object], dict[str, Any]]  # rank, row, period → item
    of_parks: bool

    def entity(self, row: Row) -> int:
        return row.park.id if isinstance(row, ParkRow) else row.ride.id

    def items(self, snapshot: Snapshot, sort_by: str, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` items in the order of ``sort_by``, ranked from 1."""
        rows = self.order(snapshot, sort_by)[:limit]
        return [self.show(i, r, snapshot.period) for i, r in enumerate(rows, 1)]


PARK_DOWNTIME = RankingList(
    "park_downtime",
    rankings.PARK_DOWNTIME_SORTS,
    rankings.park_downtime,
    present.park_downtime_item,
    of_parks=True,
)
PARK_WAITS = RankingList(
    "park_waits",
    rankings.WAIT_SORTS,
    rankings.park_waits,
    lambda rank, row, _period: present.park_wait_item(rank, row),
    of_parks=True,
)
RIDE_DOWNTIME = RankingList(
    "ride_downtime",
    rankings.RIDE_DOWNTIME_SORTS,
    rankings.ride_downtime,
    present.ride_downtime_item,
    of_parks=False,
)
RIDE_WAITS = RankingList(
    "ride_waits",
    rankings.WAIT_SORTS,
    rankings.ride_waits,
    lambda rank, row, _period: present.ride_wait_item(rank, row),
    of_parks=False,
)
LISTS = (PARK_DOWNTIME, PARK_WAITS, RIDE_DOWNTIME, RIDE_WAITS)
#: A stored row has a place per sort; the widest list has this many sorts.
MAX_SORTS = max(len(x.sorts) for x in LISTS)


def ranked(rank: int, body: dict[str, Any]) -> dict[str, Any]:
    """An item as listed: its rank first, as ``metrics.present`` writes it."""
    return {"rank": rank, **body}


def unranked(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "rank"}


@dataclass(frozen=True)
class ParkPart:
    """What one park of a snapshot adds to a ranking's meta: its window's local dates and
    its share of the park ranking's summary."""

    start: date
    end: date
    open: bool
    operating: int
    down: int
    down_s: int


def park_parts(snapshot: Snapshot) -> dict[int, ParkPart]:
    """Live counts describe the live cycles (open parks, rides up or down now); hours are
    today's, as on every live view. Other periods count over the window."""
    is_live = snapshot.period == LIVE
    out = {}
    for row in snapshot.parks:
        shown = row.today if (is_live and row.today is not None) else row.figures
        window = row.period.window
        out[row.park.id] = ParkPart(
            start=window.start_date,
            end=window.end_date,
            open=bool(row.park_is_open if is_live else row.figures.open.open_s > 0),
            operating=sum(1 for r in row.figures.rides if r.sums.up_s > 0),
            down=row.figures.rides_down,
            down_s=shown.down_s,
        )
    return out


def summary(parts: Iterable[ParkPart]) -> dict[str, Any]:
    """``meta.summary`` of the park ranking: totals over every park of the snapshot."""
    parts = list(parts)
    return {
        "parks_tracked": len(parts),
        "parks_open": sum(1 for p in parts if p.open),
        "rides_operating": sum(p.operating for p in parts),
        "rides_down": sum(p.down for p in parts),
        "total_downtime_hours": round_hours(hours(sum(p.down_s for p in parts))),
    }


def window_meta(parts: Iterable[ParkPart]) -> dict[str, Any]:
    """``start_date``/``end_date`` when every park shares the window's local dates.

    Parks in different time zones can be on different local days (``today``); then the
    items carry their own ``local_date`` instead.
    """
    spans = {(p.start, p.end) for p in parts}
    if len(spans) == 1:
        first, last = spans.pop()
        return {"start_date": first.isoformat(), "end_date": last.isoformat()}
    return {}
