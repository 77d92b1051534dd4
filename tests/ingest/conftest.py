from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture
def upstream() -> Iterator[HTTPServer]:
    """A fake upstream on loopback; threaded, so one slow answer does not stall the rest."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()
