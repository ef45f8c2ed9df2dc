"""A lock per job name, taken without waiting: the second worker skips the job instead of
running it again or queueing behind the first."""
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from extensions import db

# A job that crashed without releasing its Redis lock frees it after this long.
REDIS_LOCK_SECONDS = 15 * 60


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock, derived from the job name."""
    return int.from_bytes(hashlib.sha256(f"yizhan-job:{name}".encode()).digest()[:8], "big",
                          signed=True)


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Yields True while this process holds the job's lock, False if another one does."""
    url = current_app.config.get("REDIS_URL")
    if url:
        with _redis_lock(url, name) as held:
            yield held
    elif db.engine.dialect.name == "postgresql":
        with _advisory_lock(name) as held:
            yield held
    else:
        with _file_lock(name) as held:
            yield held


@contextmanager
def _redis_lock(url: str, name: str) -> Iterator[bool]:
    import redis

    client = redis.Redis.from_url(url)
    lock = client.lock(f"{current_app.config['RATELIMIT_KEY_PREFIX']}:job:{name}",
                       timeout=REDIS_LOCK_SECONDS, blocking=False)
    held = lock.acquire()
    try:
        yield held
    finally:
        if held:
            lock.release()
        client.close()


@contextmanager
def _advisory_lock(name: str) -> Iterator[bool]:
    # A connection of its own: the session-level lock lives as long as it, whatever the
    # job's transactions do on the session's connection.
    key = advisory_key(name)
    with db.engine.connect() as connection:
        held = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
        connection.commit()
        try:
            yield bool(held)
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


def _lock_directory() -> Path:
    """Beside the SQLite file (every process that shares the database shares the directory)."""
    database = db.engine.url.database
    if database and database != ":memory:":
        return Path(database).resolve().parent
    return Path(tempfile.gettempdir())


@contextmanager
def _file_lock(name: str) -> Iterator[bool]:
    database = Path(db.engine.url.database or "memory").name
    path = _lock_directory() / f".{database}.job-{name}.lock"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
