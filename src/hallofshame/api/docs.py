"""``/api/docs``: the interactive API explorer, served entirely from this server.

The Swagger UI assets ship with flask-openapi3-swagger (no CDN, works offline). The
page is ours rather than the package's so that it needs no inline script, which the
Content-Security-Policy forbids.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, url_for

bp = Blueprint("docs", __name__, url_prefix="/api/docs")

#: OpenAPI links: where an answer's ids lead (a client, or a fuzzer, follows them).
#: Parks' links follow from the shared ``park_id`` name; a ride's id first appears in
#: lists, so those lists say so.
_RIDE_PAGES = ("/api/rides/{ride_id}", "/api/rides/{ride_id}/details")
RIDE_LINKS = {
    "/api/parks/{park_id}/rides": _RIDE_PAGES,
    "/api/rides/downtime": _RIDE_PAGES,
    "/api/rides/waittimes": _RIDE_PAGES,
}


def add_links(spec: dict[str, Any]) -> None:
    """Add ``RIDE_LINKS`` to a generated OpenAPI document, by the targets' operation ids."""
    paths = spec["paths"]
    for source, targets in RIDE_LINKS.items():
        ok = paths[source]["get"]["responses"]["200"]
        ok["links"] = {
            paths[target]["get"]["operationId"]: {
                "operationId": paths[target]["get"]["operationId"],
                "parameters": {"ride_id": "$response.body#/data/0/ride_id"},
                "description": "the first ride listed",
            }
            for target in targets
        }


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Theme Park Hall of Shame API</title>
<link rel="icon" href="{icon}">
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""

_INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: %s,
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: true
  });
});
"""


@bp.get("")
def page() -> Response:
    html = _PAGE.format(
        icon=url_for("swagger.static", filename="images/swagger.svg"),
        css=url_for("swagger.static", filename="css/swagger-ui.css"),
        bundle=url_for("swagger.static", filename="js/swagger-ui-bundle.js"),
        init=url_for("docs.init"),
    )
    return Response(html, mimetype="text/html")


@bp.get("/init.js")
def init() -> Response:
    spec = url_for("openapi.doc_url")
    return Response(_INIT % f'"{spec}"', mimetype="text/javascript")
