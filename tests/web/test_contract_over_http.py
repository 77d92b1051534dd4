"""The documented Schemathesis run (docs/testing.md), as part of the suite.

``st run …/api/openapi.json --checks all`` over real HTTP against the app serving the
dashboard's simulated history, with an API key so that the admin operations (POST and
DELETE included) are exercised, and with the repository's ``schemathesis.toml`` and its
hooks: every phase (coverage, fuzzing, stateful) and every check must find nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from hallofshame.config import get_settings
from tests.web.conftest import serving

ROOT = Path(__file__).resolve().parents[2]
ST = Path(sys.executable).with_name("st")
KEY = "contract-admin-key"


@pytest.mark.slow
def test_st_run_checks_all_finds_nothing(server: str) -> None:
    # The dashboard's data (``server`` built it), served again with an admin key and no
    # rate limit: 3,000 requests in a minute are the point, not an abuse.
    settings = get_settings().model_copy(update={"api_keys": KEY, "rate_limit": ""})
    with serving(settings) as url:
        document = httpx.get(f"{url}/api/openapi.json", timeout=30).json()
        operations = sum(len(item) for item in document["paths"].values())
        done = subprocess.run(
            [
                str(ST),
                "run",
                f"{url}/api/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                "30",
                "--seed",
                "20261206",
                "-H",
                f"X-API-Key: {KEY}",
            ],
            cwd=ROOT,  # where schemathesis.toml names the hooks
            capture_output=True,
            text=True,
            timeout=900,
        )
    report = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    assert "No issues found" in done.stdout, report
    # Every operation of the document was tested, none left out.
    tested = re.search(r"Tested: (\d+)", done.stdout)
    assert tested is not None and int(tested.group(1)) == operations, report
