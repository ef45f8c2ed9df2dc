"""QR tickets: a short signed code naming one registration ("123-K7QX2M9A"), shown by the
worker as a QR code and scanned or typed by staff. The signature is an HMAC with the app's
SECRET_KEY (as checkins posters are signed), short enough to read out and type."""
import base64
import hashlib
import hmac
import io
import re

import segno
from flask import current_app


SIGNATURE_LENGTH = 8


def _signature(registration_id: int) -> str:
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(),
                      f"services.ticket:{registration_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:SIGNATURE_LENGTH]


def ticket_code(registration_id: int) -> str:
    return f"{registration_id}-{_signature(registration_id)}"


# The registration number, an optional dash (people typing a code often leave it out, or
# type a space), then the 8-character signature: the last 8 characters, so a signature that
# begins with a digit cannot be mistaken for part of the number.
TYPED_CODE = re.compile(r"(\d+)[-\s]*([A-Z2-7]{%d})" % SIGNATURE_LENGTH)


def registration_for_code(code: str) -> int | None:
    """The registration a code names, or None if it is not one of ours. "123-K7QX2M9A",
    "123K7QX2M9A" and "123 k7qx2m9a" all name registration 123."""
    found = TYPED_CODE.fullmatch(code.strip().upper())
    if found is None or len(found.group(1)) > 12:
        return None
    number, signature = found.groups()
    if not hmac.compare_digest(signature, _signature(int(number))):
        return None
    return int(number)


def ticket_qr(code: str) -> segno.QRCode:
    """The QR code a worker shows: the plain-text code, so any scanner reads it."""
    return segno.make(code, error="m", micro=False)


def ticket_png(code: str) -> bytes:
    buffer = io.BytesIO()
    ticket_qr(code).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
