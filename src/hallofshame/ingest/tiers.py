"""Tiers, in priority order: the manual overrides file, then keyword rules, else none.

The provenance (manual / rule / default) and the reason are stored with the ride, so
the methodology page and the park explanation can say why a ride weighs what it does.

The overrides file (``HOS_TIER_OVERRIDES``, else the bundled one) is the first source of
tiers. Every job that may create or re-key rides calls :func:`prepare_tiers` first, in
its own transaction: the stored overrides then equal the file as it is now, so a ride
that appears during the job gets the file's tier, and an edited file takes effect at the
next job. Figures weigh every period by the ride's current tier (METRICS.md §1), so a
changed tier moves past figures too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from hallofshame.catalog import data_path
from hallofshame.config import get_settings
from hallofshame.db.models import Ride, TierOverride
from hallofshame.domain.statuses import Source, TierSource
from hallofshame.domain.tiers import classify_by_rules, parse_overrides
from hallofshame.ingest.derived import facts_changed

log = logging.getLogger("hallofshame.tiers")

#: Upstream ids per ``IN (…)`` list: well under every database's parameter limit.
_CHUNK = 500

Key = tuple[str, str]  # (source, upstream ride id)


def overrides_path() -> Path:
    configured = get_settings().tier_overrides
    return Path(configured) if configured else data_path("tier_overrides.csv")


@dataclass(frozen=True)
class OverrideSync:
    """What :func:`sync_overrides` did: the file's row count and what moved."""

    file: Path
    overrides: int  #: rows in the file, and so stored after the sync
    added: int = 0
    changed: int = 0  #: tier or reason
    removed: int = 0
    rides: int = 0  #: known rides whose tier was applied again

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def summary(self) -> str:
        if self.unchanged:
            return f"tier overrides {self.file}: {self.overrides} rows, unchanged"
        return (
            f"tier overrides {self.file}: {self.added} added, {self.changed} changed, "
            f"{self.removed} removed; tiers applied again to {self.rides} rides"
        )


def sync_overrides(session: Session, path: Path | None = None) -> OverrideSync:
    """Make the stored overrides equal the file, and re-apply the tiers they move.

    A bad file raises :class:`~hallofshame.domain.tiers.TierFileError` naming the file
    and every bad line before anything is written: the stored overrides and every
    ride's tier stay as they were. An unchanged file costs one read of the table and
    writes nothing. Only rides whose override appeared, changed or disappeared are
    touched; one that lost its override falls back to the rules (``HOS_TIER_RULES``) or
    unclassified. Flushes, never commits: the caller owns the transaction.
    """
    file = path or overrides_path()
    wanted: dict[Key, tuple[int, str | None]] = {
        (r.source.value, r.upstream_ride_id): (r.tier, r.reason) for r in parse_overrides(file)
    }
    stored = {(o.source, o.upstream_ride_id): o for o in session.scalars(select(TierOverride))}
    added = [k for k in wanted if k not in stored]
    removed = [k for k in stored if k not in wanted]
    changed = [k for k, o in stored.items() if k in wanted and wanted[k] != (o.tier, o.reason)]
    if not (added or removed or changed):
        return OverrideSync(file, len(wanted))
    if removed:
        session.execute(
            delete(TierOverride).where(TierOverride.id.in_([stored[k].id for k in removed]))
        )
    for key in changed:
        stored[key].tier, stored[key].reason = wanted[key]
    session.add_all(
        TierOverride(source=k[0], upstream_ride_id=k[1], tier=wanted[k][0], reason=wanted[k][1])
        for k in added
    )
    session.flush()
    rides = rides_keyed_by(session, [*added, *changed, *removed])
    apply_tiers(session, rides)
    if rides:
        # Past figures move with the tiers (METRICS.md §1): no cached answer may outlive it.
        facts_changed(session)
    result = OverrideSync(file, len(wanted), len(added), len(changed), len(removed), len(rides))
    log.info(result.summary())
    return result


def prepare_tiers(session: Session) -> OverrideSync:
    """What every job that may create or re-key rides does first, in its transaction:
    bring the configured tiers file into force (:func:`sync_overrides`)."""
    return sync_overrides(session)


def load_overrides(session: Session, path: Path | None = None) -> int:
    """Store the file's overrides (as :func:`sync_overrides`), then apply tiers to every
    ride whatever changed; returns the number of overrides."""
    result = sync_overrides(session, path)
    apply_tiers(session, session.scalars(select(Ride)).all())
    return result.overrides


def rides_keyed_by(session: Session, keys: Sequence[Key]) -> list[Ride]:
    """The known rides whose upstream id is one of ``keys``."""
    wiki = sorted({rid for source, rid in keys if source == Source.THEMEPARKS_WIKI.value})
    queue_times = sorted(
        {int(rid) for source, rid in keys if source == Source.QUEUE_TIMES.value and rid.isdigit()}
    )
    found: dict[int, Ride] = {}
    for i in range(0, max(len(wiki), len(queue_times)), _CHUNK):
        w, q = wiki[i : i + _CHUNK], queue_times[i : i + _CHUNK]
        stmt = select(Ride).where(
            or_(
                *([Ride.wiki_id.in_(w)] if w else []),
                *([Ride.queue_times_id.in_(q)] if q else []),
            )
        )
        found.update((r.id, r) for r in session.scalars(stmt))
    return list(found.values())


def upstream_key(ride: Ride) -> list[Key]:
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
