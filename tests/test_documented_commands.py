"""Every command the README, docs/ and deploy/ tell someone to type, run as they would.

The commands are read from the documents themselves (inline code, shell blocks, the
crontab, the unit files), so a command that is renamed, removed or given a new option
in the docs without the code following makes this test fail. Each runs as a real process
against a database of its own on every database; the live feeds are a local fake
upstream serving the recorded fixtures (this machine cannot reach the real ones).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from werkzeug import Request, Response

from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Cycle, Park
from tests.conftest import SHARED, sibling_url, worker_redis_url
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
HALLOFSHAME = Path(sys.executable).with_name("hallofshame")
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "deploy" / "crontab",
    *sorted((ROOT / "deploy").glob("*.service")),
]
#: Place-holders the documents use, and what a reader would put there.
PLACEHOLDERS = {
    "archive-*.ndjson.gz": str(
        SHARED / "scenarios" / "01_basic_day_reporting_park" / "feed.ndjson.gz"
    ),
    "REV": "0002",
    "ARCHIVE_DIR": str(SHARED / "data" / "archive" / "dca_2021-08"),
}
#: Commands that serve until stopped (Ctrl-C / SIGINT).
SERVING = {"run", "serve", "scheduler"}
FIXTURES = SHARED / "data" / "fixtures"
MK_WIKI = "75ea578a-adc8-4116-a54d-dccb60765ef9"
# The clock the commands run at: a minute after the newest record of the Disneyland
# payload, so that Queue-Times feed is fresh (the same instant as the collector tests).
NOW = "2024-12-14T21:51:00Z"

_COMMAND = re.compile(r"^(?:\S*/)?hallofshame\s+(?P<args>[a-z][^#]*)")


def _candidates(path: Path) -> Iterator[str]:
    text = path.read_text()
    if path.suffix == ".md":
        for block in re.findall(r"```(?:sh|bash)\n(.*?)```", text, re.S):
            yield from block.splitlines()
        yield from re.findall(r"`([^`\n]+)`", text)
    elif path.name == "crontab":
        for line in text.splitlines():
            if "$HOS " in line and not line.startswith("#"):
                yield "hallofshame " + line.split("$HOS ", 1)[1]
            yield from re.findall(r"`([^`\n]+)`", line)
    else:  # systemd units
        for line in text.splitlines():
            if line.startswith("ExecStart="):
                yield line.removeprefix("ExecStart=")


def documented_commands() -> dict[str, list[str]]:
    """Each distinct documented ``hallofshame`` command line → the documents naming it."""
    found: dict[str, list[str]] = {}
    for path in DOCUMENTS:
        for candidate in _candidates(path):
            match = _COMMAND.match(candidate.strip())
            if match:
                args = " ".join(match["args"].split())
                found.setdefault(args, []).append(str(path.relative_to(ROOT)))
    return found


def test_the_documents_name_commands() -> None:
    commands = documented_commands()
    # The operator's path through the docs, at least; more is fine.
    for expected in ("db upgrade", "run --source live", "scheduler --source live", "purge"):
        assert expected in commands, sorted(commands)


def _concrete(args: str, port: int) -> list[str]:
    words = [PLACEHOLDERS.get(w, w) for w in shlex.split(args)]
    if words[0] in ("run", "serve"):
        if "--port" in words:
            words[words.index("--port") + 1] = str(port)
        else:
            words += ["--port", str(port)]
        if "--workers" in words:  # two are enough to prove the pre-fork server works
            words[words.index("--workers") + 1] = "2"
    return words


def _fixture(name: str) -> bytes:
    return next(FIXTURES.rglob(name)).read_bytes()


def _upstream_handler(request: Request) -> Response:
    """ThemeParks.wiki, Queue-Times and Open-Meteo as the recorded payloads show them."""
    path = request.path
    body: bytes | None = None
    if path == f"/v1/entity/{MK_WIKI}/live":
        body = _fixture("live_magic_kingdom_full_official_sdk_2026-04-14.json")
    elif path == f"/v1/entity/{MK_WIKI}/schedule":
        body = _fixture("schedule_magic_kingdom_full_official_sdk_2026-04-14.json")
    elif path == f"/v1/entity/{MK_WIKI}/children":
        body = _fixture("children_magic_kingdom_full_official_sdk_2026-04-14.json")
    elif path == "/parks/16/queue_times.json":
        body = _fixture("park16_disneyland_lands_2024-12-14.json")
    elif path.startswith("/meteo/"):
        body = _fixture("forecast_new_jersey_336h_pi-inky.json")
    if body is None:
        return Response(json.dumps({"error": "not found"}), 404, content_type="application/json")
    return Response(body, 200, content_type="application/json")


@pytest.fixture(scope="module")
def fake_upstream() -> Iterator[str]:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.expect_request(re.compile(".*")).respond_with_handler(_upstream_handler)
    server.start()
    yield server.url_for("").rstrip("/")
    server.clear()
    server.stop()


@pytest.fixture(scope="module")
def docs_env(
    db_url: str, fake_upstream: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    url = sibling_url(db_url, "docs")
    recreate_database(url)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("HOS_") or k.startswith("HOS_TEST")
    }
    env.update(
        HOS_DATABASE_URL=url,
        HOS_DATA_DIR=str(tmp_path_factory.mktemp("data")),
        HOS_NOW=NOW,
        # The demo's history kept short (the option is --days): from midnight of its day only.
        HOS_RUN_DAYS="0",
        HOS_WIKI_URL=fake_upstream + "/v1",
        HOS_QUEUE_TIMES_URL=fake_upstream,
        HOS_WEATHER_URL=fake_upstream + "/meteo",
        HOS_RATE_LIMIT="",
    )
    return env


#: The commands given the shared cache (Redis), for which it is the point: `warm` fills
#: it. The rest run without one, as the demo does (with one, each `run` and `scheduler`
#: would also warm 48 parks' answers after its first cycle: CI time, and tested by
#: ``tests/api/test_shared_cache.py``).
SHARED_CACHE = ("warm",)


def _env_of(args: str, env: dict[str, str]) -> dict[str, str]:
    if args.startswith(SHARED_CACHE) and worker_redis_url():
        return {**env, "HOS_CACHE_URL": worker_redis_url()}
    return env


def _wait_serving(proc: subprocess.Popen[str], port: int | None, lines: list[str]) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"exited early with {proc.returncode}:\n{''.join(lines)}"
        if port is None:  # the scheduler says so once its jobs are scheduled
            if any("scheduler running" in line for line in lines):
                return
        else:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    raise AssertionError(f"not serving after 600 s:\n{''.join(lines)}")


# What a terminal gives a program: Ctrl-C's SIGINT at its default disposition. A test run
# started in the background (as CI may be) inherits SIGINT *ignored*, and Python then
# installs no KeyboardInterrupt handler; the reset survives the exec.
_WITH_CTRL_C = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])",
]


def _run(words: list[str], env: dict[str, str], port: int) -> None:
    command = [str(HALLOFSHAME), *words]
    if words[0] not in SERVING:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{shlex.join(words)}:\n{done.stdout}\n{done.stderr}"
        return
    proc = subprocess.Popen(
        [*_WITH_CTRL_C, *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")))  # type: ignore[union-attr]
    reader.start()
    try:
        _wait_serving(proc, None if words[0] == "scheduler" else port, lines)
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join()
    out = "".join(lines)
    assert proc.returncode == 0, f"{shlex.join(words)} stopped with {proc.returncode}:\n{out}"


# The order a reader meets them in matters: the schema first, then data, then the rest.
_ORDER = ["db upgrade", "run", "schedules", "collect", "weather", "ingest", "classify"]


#: Last but one, after every command that reads what is there: the 300-park simulation
#: (a cache warm over 300 parks costs half a minute more on each database); last, the
#: downgrades (the final upgrade below puts the schema back).
_LAST = ["simulate", "db downgrade"]


def _order(args: str) -> tuple[int, str]:
    last = [i for i, prefix in enumerate(_LAST) if args.startswith(prefix)]
    if last:
        return (len(_ORDER) + 1 + last[0], args)
    first = [i for i, prefix in enumerate(_ORDER) if args.startswith(prefix)]
    return (first[0] if first else len(_ORDER), args)


def test_every_documented_command_runs(docs_env: dict[str, str]) -> None:
    commands = sorted(documented_commands(), key=_order)
    for args in [*commands, "db upgrade"]:
        port = free_port()
        _run(_concrete(args, port), _env_of(args, docs_env), port)
    engine = make_engine(docs_env["HOS_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            # The demo loaded the catalog and the collectors stored cycles.
            assert (conn.scalar(select(func.count()).select_from(Park)) or 0) >= 48
            assert conn.scalar(select(func.count()).select_from(Cycle))
    finally:
        engine.dispose()
