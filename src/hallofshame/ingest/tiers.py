"""Tiers, in priority order: the manual overrides file, then keyword rules, else none.

The provenance (manual / rule / default) and the reason are stored with the ride, so
the methodology page and the park explanation can say why a ride weighs what it does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hallofshame.catalog import data_path
from hallofshame.config import get_settings
from hallofshame.db.models import Ride, TierOverride
from hallofshame.domain.statuses import Source, TierSource
from hallofshame.domain.tiers import classify_by_rules, parse_overrides


def overrides_path() -> Path:
    configured = get_settings().tier_overrides
    return Path(configured) if configured else data_path("tier_overrides.csv")


def load_overrides(session: Session, path: Path | None = None) -> int:
    """Replace the stored overrides with the file's rows (a bad file changes nothing)."""
    rows = parse_overrides((path or overrides_path()).read_text(encoding="utf-8"))
    session.execute(delete(TierOverride))
    session.add_all(
        TierOverride(
            source=r.source, upstream_ride_id=r.upstream_ride_id, tier=r.tier, reason=r.reason
        )
        for r in rows
    )
    session.flush()
    apply_tiers(session, session.scalars(select(Ride)).all())
    return len(rows)


def upstream_key(ride: Ride) -> list[tuple[str, str]]:
    keys = []
    if ride.wiki_id:
        keys.append((Source.THEMEPARKS_WIKI.value, ride.wiki_id))
    if ride.queue_times_id is not None:
        keys.append((Source.QUEUE_TIMES.value, str(ride.queue_times_id)))
    return keys


def apply_tiers(session: Session, rides: Iterable[Ride]) -> None:
    """Set each ride's tier from the overrides, else the rules; one query for all."""
    rides = list(rides)
    if not rides:
        return
    use_rules = get_settings().tier_rules
    manual = {
        (o.source, o.upstream_ride_id): o for o in session.scalars(select(TierOverride)).all()
    }
    for ride in rides:
        override = next((manual[k] for k in upstream_key(ride) if k in manual), None)
        if override is not None:
            ride.tier, ride.tier_source = override.tier, TierSource.MANUAL.value
            ride.tier_reason = override.reason or "manual override"
            continue
        tier, reason = (
            classify_by_rules(ride.name, ride.category, ride.land) if use_rules else (None, None)
        )
        ride.tier = tier
        ride.tier_source = (TierSource.RULE if tier is not None else TierSource.DEFAULT).value
        ride.tier_reason = reason or "unclassified"
