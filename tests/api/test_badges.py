"""Badges: an SVG that parses, whose figure is the API's figure for today, escaped text,
validators for caches, and "no data" (never a zero) when today has no figure."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flask.testing import FlaskClient

SVG = "{http://www.w3.org/2000/svg}"


def badge(client: FlaskClient, url: str) -> tuple[str, str, str]:
    """(value, label, title) of the badge at ``url``, parsed as XML."""
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert response.headers["ETag"]
    root = ET.fromstring(response.data)  # noqa: S314 - our own answer
    assert root.tag == f"{SVG}svg"
    texts = {t.get("class"): t.text or "" for t in root.iter(f"{SVG}text")}
    title = root.find(f"{SVG}title")
    assert title is not None and title.text
    return texts["value"], texts["label"], title.text


def test_park_badge_is_todays_shame_score(client: FlaskClient) -> None:
    park_id = client.get("/api/parks").json["data"][0]["park_id"]
    today = client.get(f"/api/parks/{park_id}/details?period=today").json["data"]
    assert today["operating_hours"] > 0, "the scenario's park is open today"
    value, label, title = badge(client, f"/badges/parks/{park_id}.svg")
    assert value == f"{today['shame_score']:.1f}"
    assert label.endswith("shame today")
    assert title.endswith(value)


def test_ride_badge_is_todays_uptime(client: FlaskClient) -> None:
    rides = client.get("/api/rides/downtime?period=today").json["data"]
    assert rides, "a ride was down today in the scenario"
    ride_id = rides[0]["ride_id"]
    summary = client.get(f"/api/rides/{ride_id}/details?period=today").json["data"]["summary"]
    value, label, _ = badge(client, f"/badges/rides/{ride_id}.svg")
    assert summary["uptime_percentage"] is not None
    assert value == f"{summary['uptime_percentage']:.1f}%"
    assert label.startswith(rides[0]["name"][:20])


def test_a_fresh_copy_is_not_sent_twice(client: FlaskClient) -> None:
    park_id = client.get("/api/parks").json["data"][0]["park_id"]
    first = client.get(f"/badges/parks/{park_id}.svg")
    again = client.get(
        f"/badges/parks/{park_id}.svg", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""


def test_unknown_ids_are_404(client: FlaskClient) -> None:
    for url in ("/badges/parks/999999.svg", "/badges/rides/999999.svg"):
        assert client.get(url).status_code == 404
