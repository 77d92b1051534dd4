"""Mirroring the published ThemeParks.wiki archive into a local tree.

The local tree has the archive's own layout, so ``read_archive`` reads a mirror and a
tree copied by hand alike. A fetch is resumable: a file already present with the
remote's size is not downloaded again (the current day's file grows during the day, so
presence alone is not enough), and files are written whole or not at all.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from hallofshame.sources.archive.reader import (
    CHILDREN_PREFIX,
    ArchiveFormatError,
    decode_day,
)
from hallofshame.sources.base import FetchError, PayloadError
from hallofshame.sources.http import HttpClient, decode_json
from hallofshame.sources.themeparks_wiki import parse_children


@dataclass(frozen=True)
class FetchReport:
    """What a fetch did, as paths relative to the destination folder."""

    downloaded: tuple[str, ...]
    unchanged: tuple[str, ...]  # present with the remote's size: not downloaded again
    missing: tuple[str, ...]  # 404: no file (a day without changes, or not published)


def archive_base_url(url: str | None = None) -> str:
    """The archive's base URL: ``url`` when given, else ``HOS_ARCHIVE_URL``.

    There is deliberately no built-in default (the public address is unverified).
    """
    from hallofshame.config import get_settings

    chosen = (url or get_settings().archive_url).strip().rstrip("/")
    if not chosen:
        raise ValueError("no archive URL: set HOS_ARCHIVE_URL or pass one explicitly")
    return chosen


_Check = Callable[[bytes, str], None]


def _day_path(destination_id: str, day: date) -> str:
    return f"{destination_id}/{day.year:04d}/{day.month:02d}/{day.day:02d}.json.gz"


def _check_day(body: bytes, url: str) -> None:
    decode_day(body, url)


def _check_children(body: bytes, url: str) -> None:
    try:
        parse_children(decode_json(body))
    except PayloadError as exc:
        raise ArchiveFormatError(url, exc.message) from exc


def _write_atomically(target: Path, body: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remote_size(client: HttpClient, url: str) -> int | None:
    try:
        declared = client.head(url).get("content-length")
    except FetchError as exc:
        if exc.status == 404:
            return None
        raise FetchError(f"{url}: {exc.message}", sample=exc.sample, status=exc.status) from exc
    return int(declared) if declared and declared.isdigit() else None


def _fetch_one(
    client: HttpClient, base_url: str, relative: str, dest_dir: Path, check: _Check
) -> str:
    """'downloaded', 'unchanged' or 'missing' for one file of the archive."""
    url = f"{base_url}/{relative}"
    target = dest_dir / relative
    if target.is_file():
        size = _remote_size(client, url)
        if size is not None and size == target.stat().st_size:
            return "unchanged"
    try:
        body = client.get_bytes(url, remember=False)
    except FetchError as exc:
        if exc.status == 404:
            return "missing"
        raise FetchError(f"{url}: {exc.message}", sample=exc.sample, status=exc.status) from exc
    # Never keep a body that is not an archive file (an HTML error page answered 200).
    check(body, url)
    _write_atomically(target, body)
    return "downloaded"


def fetch_archive(
    base_url: str,
    destination_id: str,
    from_date: date,
    to_date: date,
    dest_dir: str | Path,
    *,
    park_ids: Iterable[str] = (),
    client: HttpClient | None = None,
) -> FetchReport:
    """Download the day files of ``destination_id`` from ``from_date`` to ``to_date``
    (inclusive) into ``dest_dir`` with the archive's layout, plus ``children-<park>.json``
    for each of ``park_ids``.

    A 404 means "no file" and is reported, not raised; any other failure raises a
    ``FetchError`` naming the URL once the client's retries are spent, and a body that
    is not an archive file raises ``ArchiveFormatError`` before anything is written.
    """
    if from_date > to_date:
        raise ValueError(f"from_date {from_date} is after to_date {to_date}")
    base = base_url.rstrip("/")
    dest = Path(dest_dir)
    own_client = client is None
    http = client or HttpClient()
    dest_quoted = quote(destination_id, safe="")
    relatives: list[tuple[str, _Check]] = []
    day = from_date
    while day <= to_date:
        relatives.append((_day_path(dest_quoted, day), _check_day))
        day += timedelta(days=1)
    for park_id in park_ids:
        relatives.append((f"{CHILDREN_PREFIX}{quote(park_id, safe='')}.json", _check_children))
    outcomes: dict[str, list[str]] = {"downloaded": [], "unchanged": [], "missing": []}
    try:
        for relative, check in relatives:
            outcomes[_fetch_one(http, base, relative, dest, check)].append(relative)
    finally:
        if own_client:
            http.close()
    return FetchReport(
        downloaded=tuple(outcomes["downloaded"]),
        unchanged=tuple(outcomes["unchanged"]),
        missing=tuple(outcomes["missing"]),
    )
