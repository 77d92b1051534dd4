"""The normalised ride statuses and the enumerations stored in the database."""

from __future__ import annotations

from enum import StrEnum


class RideStatus(StrEnum):
    OPERATING = "OPERATING"
    DOWN = "DOWN"
    CLOSED = "CLOSED"
    REFURBISHMENT = "REFURBISHMENT"
    UNKNOWN = "UNKNOWN"


class Source(StrEnum):
    THEMEPARKS_WIKI = "themeparks.wiki"
    QUEUE_TIMES = "queue-times"


class TierSource(StrEnum):
    MANUAL = "manual"
    RULE = "rule"
    DEFAULT = "default"


#: Only rides of this category count in downtime metrics (METRICS.md §1).
ATTRACTION = "ATTRACTION"
