"""One-time codes that prove a phone number: issue, send, verify.

Six digits, valid for five minutes, five attempts each. A number gets at most one code a
minute and ten a day, whichever purpose asks (a per-address limit sits on the views,
accounts.rate_limits). The number and the code are stored only as HMACs keyed with the app's
SECRET_KEY, and whether a number has an account never changes what is said or sent: the
code goes out either way, and only a proven number learns more.
"""
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from accounts import sms
from accounts.models import SmsCode
from extensions import db

PURPOSES = ("signup", "reset", "login")
LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
PER_DAY = 10


class CodeRefused(ValueError):
    """No code now; the message says why and when to try again."""


@dataclass
class Issued:
    code_id: int
    code: str


def _keyed(*parts: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def phone_digest(phone: str) -> str:
    """What sms_code stores instead of the number."""
    return _keyed("sms.phone", phone)


def _code_hash(code_id_salt: str, code: str) -> str:
    return _keyed("sms.code", code_id_salt, code)


def issue(phone: str, purpose: str, *, now: datetime) -> Issued:
    """Create a code for `phone` (the caller's transaction commits it); CodeRefused when the
    number asked too recently or too often today."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    digest = phone_digest(phone)
    recent = db.session.scalars(
        select(SmsCode.created_at).where(SmsCode.phone_digest == digest,
                                         SmsCode.created_at > now - timedelta(days=1))
        .order_by(SmsCode.created_at.desc())).all()
    if recent and now - recent[0] < RESEND_AFTER:
        wait = max(1, math.ceil((RESEND_AFTER - (now - recent[0])).total_seconds()))
        raise CodeRefused(_("A code was sent a moment ago. You can ask for a new one in "
                            "%(seconds)d seconds.", seconds=wait))
    if len(recent) >= PER_DAY:
        raise CodeRefused(_("This number has asked for too many codes today. Please try "
                            "again tomorrow."))
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(8)
    row = SmsCode(phone_digest=digest, purpose=purpose, code_hash=f"{salt}${_code_hash(salt, code)}",
                  created_at=now, expires_at=now + LIFETIME)
    db.session.add(row)
    db.session.flush()
    return Issued(row.id, code)


def send(phone: str, issued: Issued) -> None:
    """Hand the code to the configured SMS provider; raises sms.SmsError."""
    sms.sender().send_code(phone, issued.code)


def verify(phone: str, purpose: str, code: str, *, now: datetime) -> bool:
    """Whether `code` is the live code for this number and purpose; uses it up if so. A wrong
    guess uses one of its five attempts (the caller's transaction must commit either way)."""
    code = (code or "").strip()
    row = db.session.scalars(
        select(SmsCode).where(SmsCode.phone_digest == phone_digest(phone),
                              SmsCode.purpose == purpose, SmsCode.used_at.is_(None),
                              SmsCode.expires_at > now, SmsCode.attempts < MAX_ATTEMPTS)
        .order_by(SmsCode.created_at.desc(), SmsCode.id.desc()).limit(1)).first()
    if row is None:
        return False
    salt, _dollar, expected = row.code_hash.partition("$")
    matches = len(code) == 6 and hmac.compare_digest(expected, _code_hash(salt, code))
    # A conditional update: two guesses racing cannot both use the last attempt or the code.
    values = {"used_at": now} if matches else {"attempts": SmsCode.attempts + 1}
    changed = db.session.execute(
        update(SmsCode).where(SmsCode.id == row.id, SmsCode.used_at.is_(None),
                              SmsCode.attempts < MAX_ATTEMPTS).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    return matches and changed == 1


def forget_number(phone: str) -> int:
    """Delete every code row for this number (account deletion)."""
    return db.session.execute(
        SmsCode.__table__.delete().where(SmsCode.phone_digest == phone_digest(phone))).rowcount


def codes_sent_today(phone: str, *, now: datetime) -> int:
    return db.session.scalar(select(func.count(SmsCode.id)).where(
        SmsCode.phone_digest == phone_digest(phone),
        SmsCode.created_at > now - timedelta(days=1))) or 0
