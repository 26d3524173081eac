"""A real PostgreSQL server for the gradebook tests.

``D2L_TEST_POSTGRES`` names a server to use (an SQLAlchemy URL whose user may create
databases; ``.ci/run`` starts Debian's cluster and sets it).  Without it, a private
server is started in a temporary folder from the PostgreSQL binaries on this machine, on
a loopback port, as an unprivileged user when we are root (PostgreSQL refuses root).
Each test gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "D2L_TEST_POSTGRES"


class NoPostgres(Exception):
    """Neither a server URL nor PostgreSQL's binaries are available."""


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def private_server() -> Iterator[str]:
    """Start ``postgres`` in a temporary folder; yields its admin URL."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise NoPostgres("PostgreSQL's initdb/pg_ctl are not installed "
                         "(Debian: apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="d2l-pg-"))
    data, port = folder / "data", _free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = next((u for u in ("postgres", "nobody") if _has_user(u)), None)
        if user is None:
            raise NoPostgres("running as root and no unprivileged user to run PostgreSQL")
        shutil.chown(folder, user)
        as_user = ["runuser", "-u", user, "--"]
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "d2l", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    log = folder / "server.log"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(log), "-w", "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                    "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg2://d2l@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@contextmanager
def server() -> Iterator[str]:
    """The admin URL of ``D2L_TEST_POSTGRES``, or of a private server."""
    url = os.environ.get(ENV)
    if url:
        yield url
        return
    with private_server() as url:
        yield url


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server; yields its URL and drops it afterwards."""
    import sqlalchemy

    name = f"d2l_test_{uuid.uuid4().hex[:10]}"
    engine = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    url = sqlalchemy.make_url(admin_url).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        for _ in range(20):  # a closing nbgrader process may still hold a connection
            try:
                with engine.connect() as conn:
                    conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}"'))
                break
            except sqlalchemy.exc.OperationalError:
                time.sleep(0.5)
        engine.dispose()
