"""Creating and restoring snapshots, for SQLite and PostgreSQL."""
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

import clock


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def snapshot_name(url: URL, moment: datetime) -> str:
    suffix = ".sqlite3" if url.get_backend_name() == "sqlite" else ".dump"
    database = Path(url.database or "memory").stem
    return f"{database}-{moment.strftime('%Y%m%dT%H%M%SZ')}{suffix}"


def create(database_url: str, directory: Path, keep: int | None = None) -> Path:
    """Write a snapshot of the database into `directory`; returns its path. With `keep`,
    only the newest `keep` snapshots of this database stay."""
    url = make_url(database_url)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / snapshot_name(url, clock.now())
    partial = target.with_name(target.name + ".partial")
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_path(url), partial)
    elif url.get_backend_name() == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(partial), *_libpq_args(url)], url)
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    # Renamed only once complete: a crash never leaves a file that looks like a backup.
    partial.rename(target)
    if keep:
        prune(directory, target, keep)
    return target


def restore(snapshot: Path, database_url: str) -> None:
    """Load `snapshot` into the database at `database_url`, which must have no tables."""
    if not snapshot.is_file():
        raise BackupError(f"{snapshot} does not exist")
    url = make_url(database_url)
    _require_empty(database_url)
    if url.get_backend_name() == "sqlite":
        if snapshot.suffix != ".sqlite3":
            raise BackupError(f"{snapshot.name} is not a SQLite snapshot")
        _sqlite_backup(snapshot, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        if snapshot.suffix != ".dump":
            raise BackupError(f"{snapshot.name} is not a pg_dump snapshot")
        _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", *_libpq_args(url, "--dbname"), str(snapshot)], url)
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")


def prune(directory: Path, newest: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest snapshots shaped like `newest`; returns the deleted."""
    stem = newest.name.rsplit("-", 1)[0]
    snapshots = sorted(directory.glob(f"{stem}-*{newest.suffix}"))
    doomed = snapshots[:-keep] if keep < len(snapshots) else []
    for path in doomed:
        path.unlink()
    return doomed


def _require_empty(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(f"the target database already has {len(tables)} tables "
                          f"({', '.join(sorted(tables)[:3])}, ...): restore needs an empty one")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_backup(source: Path, target: Path) -> None:
    # The online backup API copies page by page and restarts if a writer changes a page
    # already copied, so the copy is one consistent moment even while the app writes.
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    sqlite3.connect(target).close()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: install PostgreSQL's client tools "
                          f"(Debian: apt-get install postgresql-client) in the same major "
                          f"version as the server")
    return found


def _libpq_args(url: URL, database_flag: str = "--dbname") -> list[str]:
    arguments = []
    if url.host:
        arguments += ["--host", url.host]
    if url.port:
        arguments += ["--port", str(url.port)]
    if url.username:
        arguments += ["--username", url.username]
    return arguments + [database_flag, url.database or ""]


def _run(command: list[str], url: URL) -> None:
    # The password goes in the environment, never on the command line (ps shows that).
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[:2000]}")
