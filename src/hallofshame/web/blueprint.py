"""Routes of the dashboard: page shells, the methodology page and the charting bundle.

Pages are shells: every figure on them is fetched by the browser from ``/api/...``, so
the dashboard can never show a number the API does not. Nothing here opens a session.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from hallofshame import __version__
from hallofshame.config import get_settings

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    # The API app owns /static (its own, empty) route, so the dashboard serves /assets.
    static_url_path="/assets",
)

#: The API's policy, except that plotly.js writes its own <style> rules at run time;
#: scripts stay same-origin only.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: The bundle's URL carries its version, so a year of caching never serves a stale one.
VENDOR_MAX_AGE = 365 * 24 * 3600
MAX_ID = 2**31 - 1


@lru_cache(maxsize=1)
def plotly_bundle() -> bytes | None:
    """plotly.js as shipped inside the installed ``plotly`` wheel (no CDN, no copy)."""
    try:
        path = resources.files("plotly") / "package_data" / "plotly.min.js"
        return path.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def plotly_version() -> str:
    try:
        return version("plotly")
    except PackageNotFoundError:
        return "0"


def _page(template: str, **context: Any) -> str:
    return render_template(
        template,
        app_version=__version__,
        plotly_src=f"/assets/vendor/plotly.min.js?v={plotly_version()}",
        refresh_seconds=get_settings().collect_interval,
        **context,
    )


@bp.after_request
def _page_headers(response: Response) -> Response:
    if not request.path.startswith("/api/"):
        response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


@bp.get("/")
def index() -> str:
    return _page("index.html", page="home")


@bp.get("/parks/<int:park_id>")
def park_page(park_id: int) -> str:
    if not 1 <= park_id <= MAX_ID:
        abort(404)
    return _page("park.html", page="park", entity_id=park_id)


@bp.get("/rides/<int:ride_id>")
def ride_page(ride_id: int) -> str:
    if not 1 <= ride_id <= MAX_ID:
        abort(404)
    return _page("ride.html", page="ride", entity_id=ride_id)


@bp.get("/methodology")
def methodology() -> str:
    return _page("methodology.html", page="methodology")


@bp.get("/assets/vendor/plotly.min.js")
def plotly_js() -> Response:
    body = plotly_bundle()
    if body is None:
        abort(404)
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = f"public, max-age={VENDOR_MAX_AGE}, immutable"
    return response
