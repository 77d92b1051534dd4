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


class Origin(StrEnum):
    """Where a cycle came from; every origin is a poll like any other for the figures."""

    LIVE = "live"
    REPLAY = "replay"
    ARCHIVE = "archive"
    SIMULATED = "simulated"


class TierSource(StrEnum):
    MANUAL = "manual"
    RULE = "rule"
    DEFAULT = "default"


#: Only rides of this category count in downtime metrics (METRICS.md §1).
ATTRACTION = "ATTRACTION"
