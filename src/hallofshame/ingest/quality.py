"""Data-quality issues: every poll that produced nothing usable leaves one record.

Each issue is stored and logged. A bulk load (simulated history, a recorded feed) can
record hundreds in a minute; inside ``summarised()`` they are logged at debug level and
counted, and one warning names the counts when the load ends, so a terminal shows what
happened without scrolling it away (every issue stays in ``/api/audit/data-quality``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import DataQualityIssue
from hallofshame.sources.base import SourceError
from hallofshame.sources.replay import ReplayFormatError

log = logging.getLogger("hallofshame.quality")

#: The counts of the innermost ``summarised()`` scope of this thread or task, if any.
_summary: ContextVar[Counter[tuple[str, str]] | None] = ContextVar("quality_summary", default=None)


@contextmanager
def summarised(what: str) -> Iterator[Counter[tuple[str, str]]]:
    """Within: issues are logged at debug level and counted by (source, kind); on leaving
    (also by an error), one warning gives the counts of ``what`` (e.g. "simulated
    history"). The scope is the calling thread's (or task's) only, and always restored."""
    counts: Counter[tuple[str, str]] = Counter()
    token = _summary.set(counts)
    try:
        yield counts
    finally:
        _summary.reset(token)
        if counts:
            parts = ", ".join(f"{n} {source} {kind}" for (source, kind), n in counts.most_common())
            log.warning(
                "data quality: %d issues in %s (%s); each is in /api/audit/data-quality",
                sum(counts.values()),
                what,
                parts,
            )


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
    counts = _summary.get()
    if counts is not None:
        counts[source, kind] += 1
    log.log(
        logging.DEBUG if counts is not None else logging.WARNING,
        "data quality: %s %s %s: %s",
        source,
        upstream_park_id,
        kind,
        message,
    )
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
