"""Fingerprinted static URLs: every url_for('static', ...) gets ?v=<hash of the file's content>.

Static files are served with a one-year cache lifetime (SEND_FILE_MAX_AGE_DEFAULT, and nginx
in deploy/), so a changed file must get a new URL; hashing the content does that without a
build step. Static files change only with a deploy, which restarts the processes, so each
file is hashed once per process: a finder page builds ~70 static URLs, and a stat() for each
cost more than the rest of the URL building. In debug mode (the dev server), a file's hash
follows its modification time, so an edited stylesheet shows at the next reload.
"""
import hashlib
import os
from functools import lru_cache

from flask import Flask, current_app


def _hash_of(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()[:12]
    except OSError:
        return None


@lru_cache(maxsize=2048)
def _fingerprint_once(static_folder: str, filename: str) -> str | None:
    return _hash_of(os.path.join(static_folder, filename))


@lru_cache(maxsize=512)
def _fingerprint_at(path: str, mtime_ns: int) -> str | None:
    return _hash_of(path)


def file_fingerprint(filename: str) -> str | None:
    """A short hash of a static file's content, None when the file does not exist."""
    folder = current_app.static_folder
    if not current_app.debug:
        return _fingerprint_once(folder, filename)
    path = os.path.join(folder, filename)
    try:
        return _fingerprint_at(path, os.stat(path).st_mtime_ns)
    except OSError:
        return None


def add_fingerprint(endpoint: str, values: dict) -> None:
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    fingerprint = file_fingerprint(values["filename"])
    if fingerprint:
        values["v"] = fingerprint


def init_app(app: Flask) -> None:
    app.url_defaults(add_fingerprint)
