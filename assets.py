"""Fingerprinted static URLs: every url_for('static', ...) gets ?v=<hash of the file's content>.

Static files are served with a one-year cache lifetime (SEND_FILE_MAX_AGE_DEFAULT), so a
changed file must get a new URL; hashing the content does that without a build step.
"""
import hashlib
import os
from functools import lru_cache

from flask import Flask, current_app


@lru_cache(maxsize=512)
def _content_hash(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def file_fingerprint(filename: str) -> str | None:
    """A short hash of a static file's content, None when the file does not exist."""
    path = os.path.join(current_app.static_folder, filename)
    try:
        mtime_ns = os.stat(path).st_mtime_ns
    except OSError:
        return None
    return _content_hash(path, mtime_ns)


def add_fingerprint(endpoint: str, values: dict) -> None:
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    fingerprint = file_fingerprint(values["filename"])
    if fingerprint:
        values["v"] = fingerprint


def init_app(app: Flask) -> None:
    app.url_defaults(add_fingerprint)
