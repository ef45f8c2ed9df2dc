"""QR posters: a signed check-in URL per station, and the QR code that carries it.

A token names the station and the poster version, and is signed with the app's SECRET_KEY
salted with both, so a token cannot be moved to another station or version. Rotating the
station's code (checkins.rules.rotate_poster) bumps the version: older posters then fail
with "replaced", which we can say because the version inside an old token still verifies
under its own salt. A token that verifies under no salt is "not valid".
"""
import enum
import io
from dataclasses import dataclass

import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from checkins.rules import poster_version
from pages import absolute_url_for


# Ids are 32-bit integers on PostgreSQL; a larger one would fail the query, not match.
MAX_ID = 2**31 - 1


class PosterCheck(enum.Enum):
    VALID = "valid"
    REPLACED = "replaced"  # signed by us, for an older version of the station's code
    INVALID = "invalid"


@dataclass(frozen=True)
class ScannedPoster:
    check: PosterCheck
    station_id: int | None = None


def _serializer(station_id: int, version: int) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"],
                             salt=f"checkins.poster:{station_id}:{version}")


def poster_token(station_id: int, version: int) -> str:
    return _serializer(station_id, version).dumps([station_id, version])


def poster_url(station_id: int) -> str:
    """The absolute URL a station's current poster encodes."""
    token = poster_token(station_id, poster_version(station_id))
    return absolute_url_for("checkins.scan", token=token)


def read_poster_token(token: str) -> ScannedPoster:
    """Whether a scanned token is the station's current code, an old one, or not ours."""
    _signed, claimed = URLSafeSerializer(current_app.config["SECRET_KEY"]).loads_unsafe(token)
    station_id, version = _claimed_ids(claimed)
    if station_id is None:
        return ScannedPoster(PosterCheck.INVALID)
    current = poster_version(station_id)
    try:
        _serializer(station_id, version).loads(token)
    except BadSignature:
        return ScannedPoster(PosterCheck.INVALID)
    if version == current:
        return ScannedPoster(PosterCheck.VALID, station_id)
    if version < current:
        return ScannedPoster(PosterCheck.REPLACED, station_id)
    return ScannedPoster(PosterCheck.INVALID)


def _claimed_ids(claimed) -> tuple[int | None, int | None]:
    """The (station id, version) an unverified payload claims, when both are whole numbers a
    database id can hold; anything else ([1e400, 1], [2147483648, 1], "x") claims nothing."""
    if not isinstance(claimed, list) or len(claimed) != 2:
        return None, None
    if not all(type(part) is int and 1 <= part <= MAX_ID for part in claimed):
        return None, None
    return claimed[0], claimed[1]


def qr_png(url: str, scale: int = 12) -> bytes:
    """The URL as a PNG QR code, error correction Q so a scuffed poster still scans."""
    buffer = io.BytesIO()
    segno.make(url, error="q", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
