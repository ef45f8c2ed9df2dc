"""A post's check-in QR code: a signed URL the employer prints or shows at the place.

Signed like the station posters (checkins.posters), with the app's SECRET_KEY salted with the
post's id, so a code cannot be moved to another post; the QR image comes from the same
`qr_png`.
"""
import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from checkins.posters import qr_png  # noqa: F401 (one QR style for every poster)
from pages import absolute_url_for


def _serializer(post_id: int) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"jobs.post:{post_id}")


def check_in_token(post_id: int) -> str:
    return _serializer(post_id).dumps(post_id)


def check_in_url(post_id: int) -> str:
    """The absolute URL the post's check-in code encodes."""
    return absolute_url_for("jobs.scan", post_id=post_id, token=check_in_token(post_id))


def token_is_valid(post_id: int, token: str) -> bool:
    try:
        return _serializer(post_id).loads(token or "") == post_id
    except BadSignature:
        return False


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (for printed pages: sharp at any size)."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=3, border=2)
