"""A badge of a park without any data today says so (its own module: it writes to the
database, which the scenario of test_badges holds open on SQLite)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hallofshame.db.models import Park
from tests.api.test_badges import badge


def test_no_data_is_said_and_names_are_escaped(session: Session, empty_client: FlaskClient) -> None:
    park = Park(
        name='<Fun & "Games"> Park',
        timezone="America/New_York",
        reports_down=False,
        is_disney=False,
        is_universal=False,
    )
    session.add(park)
    session.flush()
    value, label, title = badge(empty_client, f"/badges/parks/{park.id}.svg")
    assert value == "no data"
    assert label.startswith('<Fun & "Games"> Park')  # the XML parser undid the escaping
    assert '<Fun & "Games"> Park' in title
    assert "0.0" not in title
