"""The database set-up of docs/operations.md, run as an operator would.

The SQL block for MariaDB and the shell line for PostgreSQL are read from the page, run
with the database and user names of this test, and then the product is pointed at the
result with the documented ``HOS_DATABASE_URL`` shape: ``db upgrade`` must build the
schema as that unprivileged user, and ``db current`` must report the head revision.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import DATABASES, sibling_url
from tests.test_migrations import HEAD

OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
HALLOFSHAME = Path(sys.executable).with_name("hallofshame")
PASSWORD = "guide-pw-1"


def _section(title: str) -> str:
    return OPERATIONS.read_text().split(f"### {title}", 1)[1].split("\n##", 1)[0]


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def _named(text: str, name: str) -> str:
    return text.replace("hallofshame", name).replace("…", PASSWORD)


def _hallofshame(url: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOS_")}
    env["HOS_DATABASE_URL"] = url
    done = subprocess.run(
        [str(HALLOFSHAME), *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _server(kind: str) -> str:
    if kind not in DATABASES:
        if os.environ.get("HOS_REQUIRE_ALL_DATABASES"):
            pytest.fail(f"no {kind} URL")
        pytest.skip(f"no {kind} server configured")
    return DATABASES[kind]


def _exported_url(section: str, name: str) -> str:
    (line,) = [x for x in section.splitlines() if x.startswith("export HOS_DATABASE_URL=")]
    return _named(line.split("=", 1)[1].strip("'\""), name)


def test_mariadb_setup_from_the_guide() -> None:
    admin = make_url(_server("mariadb"))
    name = make_url(sibling_url(str(admin.render_as_string(hide_password=False)), "guide")).database
    assert name
    section = _section("MariaDB")
    (sql,) = _blocks(section, "sql")
    host, port = admin.host or "127.0.0.1", str(admin.port or 3306)
    client = ["mariadb", "-h", host, "-P", port, "-u", admin.username or "root"]
    cleanup = f"DROP DATABASE IF EXISTS `{name}`; DROP USER IF EXISTS '{name}'@'127.0.0.1';"
    subprocess.run([*client, "-e", cleanup], check=True)
    try:
        subprocess.run(client, input=_named(sql, name), text=True, check=True)
        url = _exported_url(section, name)
        assert make_url(url).username == name  # the product runs as the new user
        _hallofshame(url, "db", "upgrade")
        assert _hallofshame(url, "db", "current").strip() == HEAD
    finally:
        subprocess.run([*client, "-e", cleanup], check=True)


def test_postgres_setup_from_the_guide() -> None:
    admin = make_url(_server("postgres"))
    name = make_url(sibling_url(str(admin.render_as_string(hide_password=False)), "guide")).database
    assert name
    section = _section("PostgreSQL")
    (block,) = _blocks(section, "sh")
    (setup,) = [x for x in block.splitlines() if x.startswith("createuser")]
    env = dict(os.environ)
    env.update(PGHOST=admin.host or "127.0.0.1", PGPORT=str(admin.port or 5432), PGUSER="postgres")
    cleanup = f"dropdb --if-exists {name}; dropuser --if-exists {name}"
    subprocess.run(["bash", "-c", cleanup], env=env, check=True)
    try:
        subprocess.run(["bash", "-c", _named(setup, name)], env=env, check=True)
        url = _exported_url(section, name)
        assert make_url(url).username == name
        _hallofshame(url, "db", "upgrade")
        assert _hallofshame(url, "db", "current").strip() == HEAD
    finally:
        subprocess.run(["bash", "-c", cleanup], env=env, check=True)
