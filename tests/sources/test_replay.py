from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hallofshame.domain.statuses import RideStatus, Source
from hallofshame.sources.base import FetchError, PayloadError, SourceError, StaleFeedError
from hallofshame.sources.replay import (
    ReplayFormatError,
    ReplayLine,
    parks_from_line,
    read_replay,
    schedule_from_line,
    snapshot_from_line,
)

from ._fixtures import SCENARIOS, scenario_feed

FAILED = "15_failed_and_stale_polls"
MAGNOLIA = "d15af017-c68d-4639-8616-524bb708f67c"


def _failures(path: Path) -> list[tuple[int, str, str, str]]:
    out = []
    for line in read_replay(path):
        try:
            if line.kind == "live":
                snapshot_from_line(line)
            elif line.kind == "schedule":
                schedule_from_line(line)
            elif line.kind in ("parks", "destinations"):
                parks_from_line(line)
        except SourceError as exc:
            out.append((line.line_no, line.ts.isoformat(), exc.kind, exc.message))
    return out


def test_scenario_15_failed_and_stale_polls() -> None:
    assert _failures(scenario_feed(FAILED)) == [
        # 11:00:02 EDT: every Queue-Times record is 34½ minutes old.
        (45, "2026-07-21T15:00:02+00:00", "stale_feed", "stale for the whole park"),
        # 12:00:02 CDT: recorded HTTP 503.
        (94, "2026-07-21T17:00:02+00:00", "http_error", "http 503"),
        # 12:30:02 CDT: HTTP 200 with an error object instead of a live body.
        (106, "2026-07-21T17:30:02+00:00", "malformed_payload", "malformed live body"),
    ]


def test_scenario_15_good_lines() -> None:
    lines = list(read_replay(scenario_feed(FAILED)))
    assert len(lines) == 164
    assert lines[0].kind == "schedule" and lines[0].park_id == MAGNOLIA
    fetch = schedule_from_line(lines[0])
    assert fetch.covered == (date(2026, 7, 21), date(2026, 7, 27))
    assert len(fetch.windows) == 7
    assert fetch.windows[0].opening_at == datetime(2026, 7, 21, 14, 0, tzinfo=UTC)
    assert fetch.windows[0].closing_at == datetime(2026, 7, 22, 2, 0, tzinfo=UTC)
    assert fetch.fetched_at == datetime(2026, 7, 21, 12, 0, tzinfo=UTC)

    (park,) = parks_from_line(lines[1])
    assert lines[1].park_id is None
    assert (park.source, park.upstream_id, park.name, park.timezone) == (
        Source.QUEUE_TIMES,
        "9015",
        "Bluegrass Coaster Park",
        "America/New_York",
    )

    down_at = []
    for line in lines:
        if (
            line.source is Source.THEMEPARKS_WIKI
            and line.kind == "live"
            and line.line_no not in (94, 106)
        ):
            snap = snapshot_from_line(line)
            assert snap.fetched_at == line.ts
            assert len(snap.rides) == 3
            if any(r.name == "Bayou Blaster" and r.status is RideStatus.DOWN for r in snap.rides):
                down_at.append(line.ts.strftime("%H:%M:%S"))
    assert down_at == ["17:35:02", "17:40:02", "17:45:02"]

    qt = next(line for line in lines if line.source is Source.QUEUE_TIMES and line.kind == "live")
    assert qt.park_id == "9015"  # an integer in the file
    snap = snapshot_from_line(qt)
    assert snap.park_upstream_id == "9015"
    assert [r.land for r in snap.rides] == ["Derby Row"] * len(snap.rides)


OTHER_SCENARIOS = sorted(
    p.name for p in SCENARIOS.iterdir() if (p / "feed.ndjson.gz").exists() and p.name != FAILED
)


@pytest.mark.parametrize("scenario", OTHER_SCENARIOS)
def test_every_other_scenario_line_parses(scenario: str) -> None:
    assert _failures(scenario_feed(scenario)) == []


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_plain_ndjson_defaults(tmp_path: Path) -> None:
    raw = {"id": "p", "liveData": []}
    path = _write(
        tmp_path / "feed.ndjson",
        [
            json.dumps(
                {
                    "ts": "2026-07-21T00:16:02Z",
                    "source": "themeparks.wiki",
                    "park_id": "p",
                    "raw": raw,
                }
            ),
            "",
        ],
    )
    (line,) = list(read_replay(path))
    assert line == ReplayLine(
        ts=datetime(2026, 7, 21, 0, 16, 2, tzinfo=UTC),
        source=Source.THEMEPARKS_WIKI,
        park_id="p",
        kind="live",
        http_status=None,
        raw=raw,
        line_no=1,
    )


def test_gzip_and_errors_name_file_and_line(tmp_path: Path) -> None:
    good = json.dumps(
        {"ts": "2026-07-21T00:16:02Z", "source": "queue-times", "park_id": 1, "raw": {}}
    )
    path = tmp_path / "feed.ndjson.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(good + "\n" + "{not json\n")
    with pytest.raises(ReplayFormatError, match=r"feed\.ndjson\.gz:2: not JSON") as info:
        list(read_replay(path))
    assert info.value.line_no == 2

    no_ts = _write(tmp_path / "a.ndjson", [good, json.dumps({"source": "queue-times", "raw": {}})])
    with pytest.raises(ReplayFormatError, match=r"a\.ndjson:2: missing or unreadable 'ts'"):
        list(read_replay(no_ts))
    no_source = _write(
        tmp_path / "b.ndjson", [json.dumps({"ts": "2026-07-21T00:16:02Z", "raw": {}})]
    )
    with pytest.raises(ReplayFormatError, match=r"b\.ndjson:1: missing or unknown 'source'"):
        list(read_replay(no_source))


def test_failed_status_wins_over_body() -> None:
    line = ReplayLine(
        ts=datetime(2026, 7, 21, tzinfo=UTC),
        source=Source.QUEUE_TIMES,
        park_id="1",
        kind="live",
        http_status=429,
        raw={"rides": []},
        line_no=7,
    )
    with pytest.raises(FetchError, match="http 429"):
        snapshot_from_line(line)
    ok = ReplayLine(line.ts, Source.QUEUE_TIMES, None, "live", 200, {"rides": []}, 8)
    with pytest.raises(PayloadError, match="without park_id"):
        snapshot_from_line(ok)
    stale = ReplayLine(
        line.ts,
        Source.QUEUE_TIMES,
        "1",
        "live",
        None,
        {
            "rides": [
                {
                    "id": 1,
                    "name": "A",
                    "is_open": True,
                    "wait_time": 5,
                    "last_updated": "2026-07-20T00:00:00Z",
                }
            ]
        },
        9,
    )
    with pytest.raises(StaleFeedError):
        snapshot_from_line(stale)
