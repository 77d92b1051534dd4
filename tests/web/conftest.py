"""The dashboard served for real (werkzeug, loopback, a thread) over a simulated
history, and a headless Chromium that may talk to nobody but that server."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from hallofshame.config import Settings
from tests.web import simdata

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ENV_KEYS = ("HOS_DATABASE_URL", "HOS_NOW", "HOS_ENV", "HOS_COLLECT_INTERVAL", "HOS_SLOW_QUERY_MS")


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    reason = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("HOS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"HOS_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The whole app with ``settings``, served on a loopback port until the block ends."""
    from sqlalchemy.orm import sessionmaker
    from werkzeug.serving import make_server

    from hallofshame.api.app import create_app
    from hallofshame.db.engine import make_engine

    engine = make_engine(settings.effective_database_url, settings)
    app = create_app(settings, session_factory=sessionmaker(engine, expire_on_commit=False))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the database, pin the clock and serve the whole app on a loopback port."""
    from hallofshame.config import get_settings, reset_settings

    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    os.environ["HOS_SLOW_QUERY_MS"] = "600000"  # the simulator's big queries are expected
    db_path = tmp_path_factory.mktemp("web") / "dashboard.db"
    simdata.build(db_path)
    try:
        with serving(get_settings()) as url:
            yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_settings()


@pytest.fixture(scope="session")
def api(server: str) -> Iterator[httpx.Client]:
    """The same API the page reads, for comparing what is shown with what was sent."""
    with httpx.Client(base_url=f"{server}/api", timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole run (Playwright allows one driver per thread)."""
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def browser(server: str, chromium: Any) -> Any:
    """Chromium, once the dashboard is being served."""
    return chromium


@dataclass
class Watch:
    """What the page did wrong: console errors, uncaught exceptions, foreign requests."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    # Console messages a test provoked on purpose (e.g. the browser logging a 404 the test
    # served); matched as substrings. Ignoring them by pattern rather than clearing the list
    # keeps a late-arriving copy of the same message from failing the test.
    expected: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        unexpected = [e for e in self.errors if not any(x in e for x in self.expected)]
        assert not unexpected, f"console errors: {unexpected}"


def open_page(browser: Any, server: str, viewport: dict[str, int]) -> tuple[Any, Any, Watch]:
    watch = Watch()
    context = browser.new_context(viewport=viewport, timezone_id="America/New_York")
    own = urlparse(server).netloc

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).netloc == own:
            route.continue_()
        else:
            watch.foreign.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("console", lambda msg: watch.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: watch.errors.append(f"uncaught: {exc}"))
    return context, page, watch


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context, pg, watch = open_page(browser, server, DESKTOP)
    pg.watch = watch
    yield pg
    context.close()
    watch.assert_clean()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
