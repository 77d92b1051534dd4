"""Small, strict helpers shared by the payload parsers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, tzinfo
from typing import Any


def sample_of(raw: Any) -> str:
    """A short text sample of a body for the data-quality log."""
    try:
        text = json.dumps(raw, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(raw)
    return text[:2000]


def parse_instant(value: Any, *, local: tzinfo | None = None) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime; None when absent or unreadable.

    A value without an offset is read in ``local`` (UTC when not given): upstreams that
    omit offsets mean their park's wall clock.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local or UTC)
    return parsed.astimezone(UTC)


def parse_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def as_int(value: Any) -> int | None:
    """A whole number from a JSON number; booleans and non-numbers are None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    return round(value)


def as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None
