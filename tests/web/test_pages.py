"""The dashboard's routes without a browser: pages, assets, the charting bundle."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hallofshame.web.blueprint import bp, plotly_bundle


@pytest.fixture
def client() -> Iterator[FlaskClient]:
    app = Flask(__name__)
    app.register_blueprint(bp)
    yield app.test_client()


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/", b'data-page="home"'),
        ("/parks/3", b'data-entity-id="3"'),
        ("/rides/7", b'data-entity-id="7"'),
        ("/methodology", b"7-day eligibility rule"),
    ],
)
def test_pages_are_shells_that_load_their_module(
    client: FlaskClient, path: str, marker: bytes
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert marker in response.data
    assert b"/assets/js/" in response.data
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_plotly_comes_from_the_installed_wheel_with_a_long_cache(client: FlaskClient) -> None:
    response = client.get("/assets/vendor/plotly.min.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "immutable" in response.headers["Cache-Control"]
    assert response.data == plotly_bundle()
    assert b"plotly.js v" in response.data[:200]


def test_assets_are_served(client: FlaskClient) -> None:
    for path in ("/assets/js/home.js", "/assets/js/api.js", "/assets/css/app.css"):
        assert client.get(path).status_code == 200, path


def test_methodology_states_the_weights_and_sources(client: FlaskClient) -> None:
    text = client.get("/methodology").get_data(as_text=True)
    for fact in ("ThemeParks.wiki", "Queue-Times", "Open-Meteo", "Unclassified", "Sunday–Saturday"):
        assert fact in text
    assert "10 × 7 ÷ 60" in text
