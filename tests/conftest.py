"""Fixtures shared by every test directory.

``postgres_server``: a real, throwaway PostgreSQL server from Debian's package, started once per session
(initdb + pg_ctl in a temporary directory, trust authentication, a free port on 127.0.0.1) and stopped at
the end. Running as root, the server runs as the ``postgres`` user through ``runuser`` (initdb refuses
root). Without the binaries the tests that need it are skipped with the reason printed; ``make test``
installs them (scripts/system-deps.sh), and with ``CI=true`` a server that cannot start is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str = "postgres"
    dbname: str = "postgres"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={self.dbname}"


def _pg_bindir() -> Path | None:
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True):
        if Path(d, "initdb").exists() and Path(d, "pg_ctl").exists():
            return Path(d)
    found = shutil.which("pg_ctl")
    if found and Path(found).with_name("initdb").exists():
        return Path(found).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _skip(reason: str):
    """Skip with the reason printed; in CI (CI=true), where make test installs the server, fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    print(f"\nPostgreSQL tests skipped: {reason}", file=sys.stderr)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server():
    bindir = _pg_bindir()
    if bindir is None:
        _skip("PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql package "
              "(make system-deps)")
    as_user: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="salesfocus-pg-"))
    if os.geteuid() == 0:  # initdb cannot run as root
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(workdir, ignore_errors=True)
            _skip("running as root and there is no 'postgres' user to run the server as")
        os.chown(workdir, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log = workdir / "data", workdir / "log"
    port = _free_port()
    pg_ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                        "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True, timeout=120)
        subprocess.run([*pg_ctl, "-l", str(log), "-w", "-t", "60", "-o",
                        f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        detail = getattr(e, "stderr", b"") or b""
        tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
        shutil.rmtree(workdir, ignore_errors=True)
        _skip(f"could not start a throwaway PostgreSQL server: {e}; {detail.decode(errors='replace')[-500:]} {tail}")
    try:
        yield PostgresServer("127.0.0.1", port)
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def ws(tmp_path):
    """An empty workspace file in the test's own folder, closed afterwards."""
    from salesfocus.workspace import Workspace

    w = Workspace(tmp_path / "salesfocus.duckdb")
    yield w
    w.close()
