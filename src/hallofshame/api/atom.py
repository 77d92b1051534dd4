"""Breakdown entries → an Atom 1.0 document (RFC 4287).

Built with ElementTree so every name is escaped; figures are rounded here, at the edge,
like every JSON figure. Entry ids (``breakdown_entries.entry_id``) stay the same when an
entry is updated with its end.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hallofshame import __version__
from hallofshame.domain.localtime import zone
from hallofshame.domain.rounding import round_minutes
from hallofshame.metrics.breakdown_entries import (
    BreakdownEntry,
    entry_id,
    local_text,
    utc_text,
)

ATOM = "http://www.w3.org/2005/Atom"
#: Our extension elements (machine-readable start, end, duration …); readers that do not
#: know them ignore them, as RFC 4287 §6 asks.
HOS = "urn:x-hallofshame:breakdowns:1"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"

ET.register_namespace("", ATOM)
ET.register_namespace("hos", HOS)


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def tier_text(tier: int | None) -> str:
    return f"tier {tier}" if tier is not None else "unclassified"


@dataclass(frozen=True)
class FeedInfo:
    feed_id: str
    title: str
    self_url: str
    alternate_url: str
    updated: datetime


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def title_of(e: BreakdownEntry) -> str:
    if e.ended:
        minutes = round_minutes(e.duration_s / 60.0)
        return f"{e.ride_name} at {e.park_name} was down {minutes} min"
    return f"{e.ride_name} at {e.park_name} is down"


def summary_of(e: BreakdownEntry) -> str:
    start = e.start.astimezone(zone(e.timezone))
    text = (
        f"{e.ride_name} ({tier_text(e.tier)}) at {e.park_name} went down at "
        f"{start:%H:%M} local time on {start:%Y-%m-%d} ({e.timezone})."
    )
    if e.closed_at is not None:
        end = e.end.astimezone(zone(e.timezone))
        text += (
            f" Last seen down at {end:%H:%M}; down for "
            f"{round_minutes(e.duration_s / 60.0)} minutes."
        )
    else:
        text += " Still down."
    return text


def _entry(feed: ET.Element, authority: str, root_url: str, e: BreakdownEntry) -> None:
    el = _sub(feed, f"{{{ATOM}}}entry")
    _sub(el, f"{{{ATOM}}}id", entry_id(authority, e))
    _sub(el, f"{{{ATOM}}}title", title_of(e), type="text")
    _sub(el, f"{{{ATOM}}}updated", utc_text(e.updated))
    _sub(el, f"{{{ATOM}}}published", utc_text(e.first_ts))
    _sub(
        el,
        f"{{{ATOM}}}link",
        rel="alternate",
        type="application/json",
        href=f"{root_url}api/rides/{e.ride_id}",
    )
    _sub(el, f"{{{ATOM}}}category", term=f"tier-{e.tier}" if e.tier else "unclassified")
    _sub(el, f"{{{ATOM}}}summary", summary_of(e), type="text")
    _sub(el, f"{{{HOS}}}status", "ended" if e.ended else "ongoing")
    _sub(el, f"{{{HOS}}}ride_id", str(e.ride_id))
    _sub(el, f"{{{HOS}}}ride", e.ride_name)
    _sub(el, f"{{{HOS}}}park_id", str(e.park_id))
    _sub(el, f"{{{HOS}}}park", e.park_name)
    _sub(el, f"{{{HOS}}}tier", str(e.tier) if e.tier is not None else "")
    _sub(el, f"{{{HOS}}}timezone", e.timezone)
    _sub(el, f"{{{HOS}}}start", utc_text(e.start))
    _sub(el, f"{{{HOS}}}start_local", local_text(e.start, e.timezone))
    if e.closed_at is not None:
        _sub(el, f"{{{HOS}}}end", utc_text(e.end))
        _sub(el, f"{{{HOS}}}end_local", local_text(e.end, e.timezone))
        _sub(el, f"{{{HOS}}}duration_minutes", str(round_minutes(e.duration_s / 60.0)))


def render(
    info: FeedInfo, entries: Sequence[BreakdownEntry], *, authority: str, root_url: str
) -> bytes:
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, f"{{{ATOM}}}id", info.feed_id)
    _sub(feed, f"{{{ATOM}}}title", info.title, type="text")
    _sub(feed, f"{{{ATOM}}}updated", utc_text(info.updated))
    _sub(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=info.self_url)
    _sub(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=info.alternate_url)
    author = _sub(feed, f"{{{ATOM}}}author")
    _sub(author, f"{{{ATOM}}}name", "Theme Park Hall of Shame")
    _sub(feed, f"{{{ATOM}}}generator", "Theme Park Hall of Shame", version=__version__)
    for e in entries:
        _entry(feed, authority, root_url, e)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
