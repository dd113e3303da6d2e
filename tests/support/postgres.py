"""A throwaway PostgreSQL cluster on loopback, started for the test session and removed after.

``initdb`` refuses to run as root, so the cluster runs as the ``postgres`` system user when the
tests run as root. Each test gets a fresh database in that cluster.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from tests.support.packages import install_debian_packages


def _install_postgres() -> None:
    # A fresh machine may lack the server: install it from the distribution, as root only.
    install_debian_packages("postgresql")


def _bin_dir() -> str:
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not shutil.which("initdb"):
        _install_postgres()
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if os.environ.get("PG_BIN"):
        candidates.insert(0, os.environ["PG_BIN"])
    for path in candidates:
        if os.path.exists(os.path.join(path, "initdb")):
            return path
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(found)
    raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresCluster:
    """A running cluster: ``new_database()`` gives a fresh database URL."""

    root: str
    port: int
    bin_dir: str
    run_as: str | None
    _counter: itertools.count = None

    def _cmd(self, *args: str) -> list[str]:
        cmd = [os.path.join(self.bin_dir, args[0]), *args[1:]]
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *cmd]
        return cmd

    def start(self) -> None:
        """initdb and start the server; waits until it accepts connections."""
        data = os.path.join(self.root, "data")
        subprocess.run(self._cmd("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"),
                       check=True, capture_output=True)
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        subprocess.run(self._cmd("pg_ctl", "-D", data, "-o", options, "-l",
                                 os.path.join(self.root, "log"), "-w", "start"),
                       check=True, capture_output=True)

    def stop(self) -> None:
        """Stop the server and remove its files."""
        subprocess.run(self._cmd("pg_ctl", "-D", os.path.join(self.root, "data"), "-m", "immediate", "stop"),
                       capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    _migrated_template: str | None = None

    def _url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _create(self, name: str, template: str | None = None) -> None:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        conn.close()

    def _template(self) -> str:
        """A database every migration has run on, made once per session by ``agentdeck db
        upgrade`` in its own process (no connection stays open: a template must have none)."""
        if self._migrated_template is None:
            name = "migrated_template"
            self._drop(name)  # what a failed attempt left
            self._create(name)
            env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTDECK_")}
            env.update(DATABASE_URL=self._url(name), AGENTDECK_DATA_DIR=os.path.join(self.root, "template-data"),
                       AGENTDECK_LOG_LEVEL="WARNING")
            # Run outside the source tree, so the installed agentdeck is imported (as under tox),
            # not the repository's folders of the same names.
            done = subprocess.run([sys.executable, "-c", "from agentdeck.cli import main; main(['db', 'upgrade'])"],
                                  env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True)
            if done.returncode != 0:
                self._drop(name)
                raise RuntimeError(f"migrating the template database failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
            self._migrated_template = name
        return self._migrated_template

    def _drop(self, name: str) -> None:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.close()

    def new_database(self, migrated: bool = True) -> str:
        """Create a database and return its URL: a copy of the migrated template (copying one
        takes a few milliseconds, migrating a fresh one about 0.25 s), or an empty one."""
        name = f"t{next(self._counter)}"
        self._create(name, self._template() if migrated else None)
        return self._url(name)


def start_cluster() -> PostgresCluster:
    """Start a throwaway cluster (as the ``postgres`` user when running as root)."""
    run_as = "postgres" if os.geteuid() == 0 else None
    root = tempfile.mkdtemp(prefix="agentdeck-pg-")
    if run_as:
        user = pwd.getpwnam(run_as)
        os.chown(root, user.pw_uid, user.pw_gid)
    cluster = PostgresCluster(root, free_port(), _bin_dir(), run_as, itertools.count())
    cluster.start()
    return cluster
