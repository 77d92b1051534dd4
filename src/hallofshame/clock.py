"""The application clock: the real UTC clock unless ``HOS_NOW`` pins it.

Everything that asks "what time is it" (periods, live freshness, replays) asks here,
so a replay or a test can stand at any instant.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hallofshame.config import get_settings

_override: datetime | None = None


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a value without an offset is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def now() -> datetime:
    if _override is not None:
        return _override
    pinned = get_settings().now
    if pinned:
        return parse_instant(pinned)
    return datetime.now(UTC)


def set_now(value: datetime | None) -> None:
    """Pin (or with None, release) the clock in-process, e.g. while replaying a feed."""
    global _override
    _override = value.astimezone(UTC) if value is not None else None
