"""The ThemeParks.wiki archive as a source (spec/REPLAY.md, "ThemeParks.wiki archive").

Three database-free steps, each usable alone:

* ``fetch_archive`` mirrors a date range of the published archive into a local tree;
* ``read_archive`` reads such trees (or single files) into typed events;
* ``polls_for_park`` (or ``Archive.polls``) turns one park's log of changes into the
  ``LiveSnapshot`` polls the REPLAY.md rule implies, which ingestion stores exactly like
  live ones.
"""

from hallofshame.sources.archive.fetch import FetchReport, archive_base_url, fetch_archive
from hallofshame.sources.archive.polls import GAP, polls_for_park, resolve_entity_types
from hallofshame.sources.archive.reader import (
    Archive,
    ArchiveEvent,
    ArchiveFormatError,
    ParkInfo,
    read_archive,
)

__all__ = [
    "GAP",
    "Archive",
    "ArchiveEvent",
    "ArchiveFormatError",
    "FetchReport",
    "ParkInfo",
    "archive_base_url",
    "fetch_archive",
    "polls_for_park",
    "read_archive",
    "resolve_entity_types",
]
