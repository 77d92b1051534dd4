"""Recent breakdowns as the feeds and the webhooks show them: METRICS.md §4 episodes.

One list for both, built on ``episodes.episode_states`` (the one episode definition), so
a feed entry, a webhook event and the ride's details give the same start, end and
duration. An entry is named for good by its ride and its first down cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import Park, Ride
from hallofshame.domain.localtime import day_number, local_date_of, zone
from hallofshame.metrics.classify import Scope
from hallofshame.metrics.episodes import episode_states

#: How far back the feeds look: the local days this reaches, up to today. Two days keep
#: last evening's breakdowns in a morning's feed, in every time zone.
LOOKBACK = timedelta(days=2)


@dataclass(frozen=True)
class BreakdownEntry:
    ride_id: int
    ride_name: str
    tier: int | None
    park_id: int
    park_name: str
    timezone: str
    #: The first down cycle's instant: with the ride, the entry's permanent name.
    first_ts: datetime
    #: The true start (the first down cycle's span reaches back), as the ride's details.
    start: datetime
    #: The last down cycle's instant so far, as the ride's details.
    end: datetime
    duration_s: int
    #: When it ended (the cycle where the ride was up or the park closed, or the local
    #: midnight that cut it); None while the ride is still down.
    closed_at: datetime | None

    @property
    def ended(self) -> bool:
        return self.closed_at is not None

    @property
    def updated(self) -> datetime:
        """When the entry last changed: seen starting, then seen ended."""
        return self.closed_at or self.first_ts

    @property
    def key(self) -> str:
        """A short, permanent name: ride id and first down cycle (UTC, seconds)."""
        return f"ride-{self.ride_id}-{self.first_ts.strftime('%Y%m%dT%H%M%SZ')}"


#: The date in every tag: URI (the year the ids were first minted); never changes.
TAG_DATE = "2026"


def tag_uri(authority: str, specific: str) -> str:
    """A tag: URI (RFC 4151) under ``authority`` (``HOS_FEED_AUTHORITY``)."""
    return f"tag:{authority},{TAG_DATE}:{specific}"


def entry_id(authority: str, entry: BreakdownEntry) -> str:
    """The entry's permanent id: its Atom id, and the ``entry_id`` of its webhook events."""
    return tag_uri(authority, f"breakdown/{entry.key}")


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def local_text(value: datetime, tz: str) -> str:
    """The instant in the park's own time, with its offset (RFC 3339)."""
    return value.astimezone(zone(tz)).isoformat(timespec="seconds")


def recent_breakdowns(
    session: Session,
    *,
    now: datetime,
    park_ids: Sequence[int] | None = None,
    ride_id: int | None = None,
    ride_ids: tuple[int, ...] | None = None,
    tier: int | None = None,
    lookback: timedelta = LOOKBACK,
    limit: int | None = None,
) -> list[BreakdownEntry]:
    """The episodes of the active parks' local days from ``now - lookback`` to today, by
    ``now``, most recently changed first (``limit`` of them)."""
    stmt = select(Park).where(Park.active.is_(True))
    if park_ids is not None:
        stmt = stmt.where(Park.id.in_(park_ids))
    parks = {p.id: p for p in session.scalars(stmt)}
    if not parks:
        return []
    days = {
        p.id: tuple(
            range(
                day_number(local_date_of(now - lookback, p.timezone)),
                day_number(local_date_of(now, p.timezone)) + 1,
            )
        )
        for p in parks.values()
    }
    zones = {p.id: p.timezone for p in parks.values()}
    scope = Scope(days=days, until=now, ride_id=ride_id, ride_ids=ride_ids)
    states = episode_states(session, scope, now, zones)
    # Asked even when there is no episode: a fixed number of statements per call.
    rides = {
        r.id: r
        for r in session.scalars(
            select(Ride).where(Ride.id.in_(sorted({s.episode.ride_id for s in states})))
        )
    }
    out = []
    for s in states:
        ride, park = rides[s.episode.ride_id], parks[s.park_id]
        if tier is not None and ride.tier != tier:
            continue
        out.append(
            BreakdownEntry(
                ride_id=ride.id,
                ride_name=ride.name,
                tier=ride.tier,
                park_id=park.id,
                park_name=park.name,
                timezone=park.timezone,
                first_ts=s.first_ts,
                start=s.episode.start,
                end=s.episode.end,
                duration_s=s.episode.duration_s,
                closed_at=s.closed_at,
            )
        )
    out.sort(key=lambda e: (e.updated, e.ride_id), reverse=True)
    return out[:limit] if limit is not None else out
