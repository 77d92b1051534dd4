"""Private MariaDB and PostgreSQL servers that a test may stop and start at will.

The shared servers serve every other test, so stopping them would break the run; a fault
test gets its own server process on its own data directory and port instead, made with
the same binaries (``mariadb-install-db``/``mariadbd``, ``initdb``/``postgres``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def available(kind: str) -> bool:
    if kind == "mariadb":
        return bool(shutil.which("mariadb-install-db")) and Path("/usr/sbin/mariadbd").exists()
    return PG_BIN is not None and (PG_BIN / "initdb").exists()


@dataclass
class PrivateServer:
    kind: str  # "mariadb" or "postgres"
    root: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    database: str = "hos_faults"
    #: More server options, e.g. a replication setup's binary log and server id.
    args: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        if self.kind == "mariadb":
            return f"mysql+pymysql://root@127.0.0.1:{self.port}/{self.database}"
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _as_postgres(self, cmd: list[str]) -> list[str]:
        # PostgreSQL refuses to run as root; CI runs as root.
        return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        log = open(self.root / "init.log", "wb")  # noqa: SIM115 (kept for the server's life)
        if self.kind == "mariadb":
            # A temporary directory of its own: two bootstraps at once in the shared /tmp
            # can collide on a temporary table's name (one then aborts).
            (self.root / "tmp").mkdir(exist_ok=True)
            cmd = ["mariadb-install-db", "--no-defaults", f"--datadir={self.data}"]
            cmd += ["--auth-root-authentication-method=normal", "--skip-test-db", "--user=root"]
            cmd += [f"--tmpdir={self.root / 'tmp'}"]
        else:
            if os.geteuid() == 0:
                shutil.chown(self.root, "postgres")
            assert PG_BIN is not None
            cmd = self._as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"]
            )
        subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> None:
        log = open(self.root / "server.log", "ab")  # noqa: SIM115 (kept for the server's life)
        if self.kind == "mariadb":
            cmd = [
                "/usr/sbin/mariadbd",
                "--no-defaults",
                f"--datadir={self.data}",
                f"--port={self.port}",
                f"--socket={self.root / 'mysql.sock'}",
                "--bind-address=127.0.0.1",
                f"--tmpdir={self.root / 'tmp'}",
                "--user=root",
                "--innodb-buffer-pool-size=64M",
                *self.args,
            ]
        else:
            assert PG_BIN is not None
            cmd = self._as_postgres(
                [
                    str(PG_BIN / "postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.root),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                    *self.args,
                ]
            )
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.root / "server.log").read_text()[-2000:]
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                time.sleep(0.3)  # the port opens a moment before logins are accepted
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"{self.kind} did not start")

    def stop(self) -> None:
        """A fast shutdown, as an operator's ``systemctl stop``: clients are cut off."""
        assert self.proc is not None
        if self.kind == "mariadb":
            self.proc.send_signal(signal.SIGTERM)
        else:  # the postmaster's pid, behind runuser
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGINT)
        self.proc.wait(timeout=60)
        self.proc = None

    def kill(self) -> None:
        """A crash: MariaDB gets SIGKILL; PostgreSQL an immediate shutdown (SIGQUIT, no
        checkpoint, crash recovery at the next start), since a SIGKILLed postmaster
        leaves its backends holding the shared memory a restart needs."""
        assert self.proc is not None
        if self.kind == "mariadb":
            self.proc.kill()
        else:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGQUIT)
        self.proc.wait(timeout=60)
        self.proc = None

    def close(self) -> None:
        if self.proc is not None:
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
