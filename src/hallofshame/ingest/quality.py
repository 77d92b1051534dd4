"""Data-quality issues: every poll that produced nothing usable leaves one record."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import DataQualityIssue
from hallofshame.sources.base import SourceError
from hallofshame.sources.replay import ReplayFormatError

log = logging.getLogger("hallofshame.quality")


def record_issue(
    session: Session,
    *,
    source: str,
    kind: str,
    message: str,
    detected_at: datetime,
    upstream_park_id: str | None = None,
    park_id: int | None = None,
    sample: str | None = None,
) -> DataQualityIssue:
    """Store one issue; the same problem at the same instant is stored once."""
    detected_at = detected_at.replace(microsecond=0)
    existing = session.scalars(
        select(DataQualityIssue).where(
            DataQualityIssue.source == source,
            DataQualityIssue.upstream_park_id == upstream_park_id,
            DataQualityIssue.kind == kind,
            DataQualityIssue.detected_at == detected_at,
        )
    ).first()
    if existing is not None:
        return existing
    issue = DataQualityIssue(
        source=source,
        kind=kind,
        message=message[:500],
        detected_at=detected_at,
        upstream_park_id=upstream_park_id,
        park_id=park_id,
        sample=sample[:2000] if sample else None,
    )
    session.add(issue)
    session.flush()
    log.warning("data quality: %s %s %s: %s", source, upstream_park_id, kind, message)
    return issue


def record_source_error(
    session: Session,
    error: SourceError,
    *,
    source: str,
    detected_at: datetime,
    upstream_park_id: str | None,
    park_id: int | None = None,
) -> DataQualityIssue:
    return record_issue(
        session,
        source=source,
        kind=error.kind,
        message=error.message,
        detected_at=detected_at,
        upstream_park_id=upstream_park_id,
        park_id=park_id,
        sample=error.sample,
    )


def record_bad_line(
    session: Session, error: ReplayFormatError, near: datetime | None
) -> DataQualityIssue:
    """A recorded-feed line that is not in the REPLAY.md format, skipped by the load.

    Its own instant may be what is unreadable, so it is dated by the feed line before it
    (``near``; the epoch for a first line) and keyed by file name and line number: a
    second load of the same file records it once.
    """
    return record_issue(
        session,
        source="replay",
        kind="malformed_line",
        message=str(error)[:500],
        detected_at=near or datetime(1970, 1, 1, tzinfo=UTC),
        upstream_park_id=f"{error.path.name}:{error.line_no}"[-64:],
    )
