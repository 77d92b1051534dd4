"""Paths to the shared real payloads and scenario feeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

try:
    from tests.conftest import SHARED
except ModuleNotFoundError:
    # Without tests/__init__.py pytest imports the root conftest under its bare name; this
    # finds that already-loaded module rather than loading it a second time.
    from conftest import SHARED  # type: ignore[no-redef]

FIXTURES = SHARED / "data" / "fixtures"
SCENARIOS = SHARED / "scenarios"


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def scenario_feed(name: str) -> Path:
    return SCENARIOS / name / "feed.ndjson.gz"
