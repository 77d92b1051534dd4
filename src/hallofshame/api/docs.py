"""``/api/docs``: the interactive API explorer, served entirely from this server.

The Swagger UI assets ship with flask-openapi3-swagger (no CDN, works offline). The
page is ours rather than the package's so that it needs no inline script, which the
Content-Security-Policy forbids.
"""

from __future__ import annotations

from flask import Blueprint, Response, url_for

bp = Blueprint("docs", __name__, url_prefix="/api/docs")

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
