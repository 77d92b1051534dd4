"""Badges: a small SVG of a park's shame score or a ride's uptime today, to embed anywhere.

``/badges/parks/{id}.svg`` and ``/badges/rides/{id}.svg``. The figure is today's (local
to the park), the same as the details for ``period=today`` (it is read by
``metrics.days`` for the one day), rounded at the edge like every figure. A day without
a figure says "no data", or "closed" when the park (or, for a ride, the ride) never ran:
never an invented zero. The SVG is a hand-written shields-style template; every text in
it is escaped.
"""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

from flask import Blueprint, Response, request
from werkzeug.wrappers import Response as BaseResponse

from hallofshame.api.common import db, now, settings
from hallofshame.api.lookups import get_park, get_ride
from hallofshame.db.models import Park
from hallofshame.domain.localtime import local_date_of
from hallofshame.domain.rounding import round_percent, round_shame
from hallofshame.metrics.days import (
    BAD,
    CLOSED,
    FAIR,
    GOOD,
    NO_DATA,
    POOR,
    ParkDay,
    park_days,
    park_status,
    ride_status,
)
from hallofshame.metrics.windows import ride_info

bp = Blueprint("badges", __name__, url_prefix="/badges")

#: Background of the figure by the day's class (white text stays readable on each).
COLOURS = {
    GOOD: "#007A5A",
    FAIR: "#7A6F00",
    POOR: "#B35900",
    BAD: "#C0392B",
    CLOSED: "#767676",
    NO_DATA: "#767676",
}
WORDS = {NO_DATA: "no data", CLOSED: "closed"}
MAX_NAME = 40
#: Rough advance of a character of 11 px Verdana, enough to size the two boxes.
CHAR_PX = 6.8
PAD_PX = 10

_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" '
    'aria-label="{title}">'
    "<title>{title}</title>"
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
    'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
    '<clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath>'
    '<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/>'
    '<rect x="{lw}" width="{vw}" height="20" fill="{colour}"/>'
    '<rect width="{w}" height="20" fill="url(#s)"/></g>'
    '<g fill="#fff" text-anchor="middle" '
    'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
    '<text x="{lx}" y="14" class="label">{label}</text>'
    '<text x="{vx}" y="14" class="value" data-status="{status}">{value}</text></g></svg>'
)


def _width(text: str) -> int:
    return int(len(text) * CHAR_PX) + PAD_PX


def render(label: str, value: str, status: str, title: str) -> str:
    lw, vw = _width(label), _width(value)
    return _SVG.format(
        w=lw + vw,
        lw=lw,
        vw=vw,
        lx=lw / 2,
        vx=lw + vw / 2,
        colour=COLOURS.get(status, COLOURS[NO_DATA]),
        label=escape(label),
        value=escape(value),
        status=escape(status),
        title=escape(title, {'"': "&quot;"}),
    )


def _name(text: str) -> str:
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"


def _today(park: Park) -> ParkDay:
    today = local_date_of(now(), park.timezone)
    return park_days(db(), park, today, today, now(), settings().metrics_version)[0]


def _answer(svg: str) -> BaseResponse:
    body = svg.encode("utf-8")
    etag = hashlib.sha256(body).hexdigest()[:32]
    response = Response(body, mimetype="image/svg+xml")
    response.set_etag(etag)
    # As fresh as the data: a new cycle comes every collection interval.
    response.headers["Cache-Control"] = f"public, max-age={settings().collect_interval}"
    return response.make_conditional(request)


@bp.get("/parks/<int:park_id>.svg")
def park_badge(park_id: int) -> BaseResponse:
    park = get_park(db(), park_id)
    day = _today(park)
    status = park_status(day)
    figure = round_shame(day.figures.shame_score)
    value = WORDS.get(status) or f"{figure:.1f}"
    label = f"{_name(park.name)} · shame today"
    title = f"{park.name}: shame score today ({day.date.isoformat()}, {park.timezone}): {value}"
    return _answer(render(label, value, status, title))


@bp.get("/rides/<int:ride_id>.svg")
def ride_badge(ride_id: int) -> BaseResponse:
    ride = get_ride(db(), ride_id)
    park = get_park(db(), ride.park_id)
    day = _today(park)
    figures = day.ride(ride_info(ride))
    status = ride_status(day, figures)
    figure = round_percent(figures.uptime_percentage)
    value = WORDS.get(status) or ("no data" if figure is None else f"{figure:.1f}%")
    label = f"{_name(ride.name)} · uptime today"
    title = f"{ride.name}: uptime today ({day.date.isoformat()}, {park.timezone}): {value}"
    return _answer(render(label, value, status, title))
