"""What accounts do: register, authenticate, edit, export, delete, reveal a phone, manage
staff. Plain functions that tests call without a request; views only parse and choose."""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from accounts import otp, personal_data
from accounts.models import AuditEvent, Organisation, User, new_session_version
from accounts.phones import masked
from accounts.vocabulary import ROLES
from extensions import db

MIN_PASSWORD_LENGTH = 8


def password_method() -> str:
    """The hash for new passwords: scrypt, except in tests (config PASSWORD_HASH_METHOD)."""
    return current_app.config["PASSWORD_HASH_METHOD"]


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    # Checked when the phone is unknown, so a wrong number takes as long as a wrong password
    # and response times do not tell which numbers have accounts.
    return generate_password_hash("not a real password", method=method)


class AccountError(ValueError):
    """A rule about accounts was broken; the message is for the person who broke it."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Passwords have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))
    return generate_password_hash(password, method=password_method())


def user_by_phone(phone: str) -> User | None:
    """The live account with this E.164 number, if any."""
    return db.session.scalar(db.select(User).where(User.phone == phone, User.deleted_at.is_(None)))


def phone_is_taken(phone: str) -> bool:
    return db.session.scalar(db.select(User.id).where(User.phone == phone)) is not None


def register_worker(phone: str, display_name: str, password: str, *, platform: str = "",
                    home_district: str = "", home_region_code: str | None = None,
                    language: str = "zh_Hans", consented_at: datetime | None = None) -> User:
    """Create a worker account; the caller has shown the privacy statement and got consent.
    `home_region_code` is the picker's county code, `home_district` its name."""
    if consented_at is None:
        raise AccountError(_("Please agree to the privacy statement."))
    user = User(phone=phone, display_name=display_name.strip(), password_hash=hash_password(password),
                role="worker", platform=platform, home_district=(home_district or "").strip(),
                home_region_code=home_region_code or None,
                language=language, consent_at=consented_at)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(phone: str | None, password: str) -> User | None:
    """The account these credentials open, or None; deleted accounts never authenticate."""
    user = user_by_phone(phone) if phone else None
    if user is None:
        check_password_hash(_dummy_hash(password_method()), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def update_profile(user: User, *, display_name: str, platform: str, home_district: str,
                   language: str, home_region_code: str | None = None) -> None:
    user.display_name = display_name.strip()
    user.platform = platform
    user.home_district = (home_district or "").strip()
    user.home_region_code = home_region_code or None
    user.language = language
    db.session.flush()


def end_sessions(user: User) -> None:
    """Every session and remember-me cookie issued to `user` so far stops working."""
    user.session_version = new_session_version()
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; ends every other session."""
    if not check_password_hash(user.password_hash or _dummy_hash(password_method()), current):
        raise AccountError(_("That password is not right."))
    user.password_hash = hash_password(new)
    end_sessions(user)


def reset_password(phone: str, code: str, new: str, *, now: datetime) -> User:
    """Set a new password for the account behind `phone`, proven by a fresh SMS code; ends
    every session. The same error whether the code is wrong or the number has no account."""
    proven = otp.verify(phone, "reset", code, now=now)
    user = user_by_phone(phone) if proven else None
    if user is None:
        raise AccountError(_("That code is not right or has expired. Ask for a new one."))
    user.password_hash = hash_password(new)
    end_sessions(user)
    return user


def log_in_with_code(phone: str, code: str, *, now: datetime) -> User | None:
    """The account behind `phone` when `code` proves the number, else None."""
    if not otp.verify(phone, "login", code, now=now):
        return None
    return user_by_phone(phone)


def account_data(user: User) -> dict:
    """The account part of a person's export: the row and staff actions that touched it."""
    reveals = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.subject_id == user.id).order_by(AuditEvent.id))
    return {
        "account": {
            "id": user.id,
            "phone": user.phone,
            "display_name": user.display_name,
            "role": user.role,
            "organisation": user.organisation.name if user.organisation else None,
            "platform": user.platform,
            "home_district": user.home_district,
            "home_region_code": user.home_region_code,
            "language": user.language,
            # The moment the person agreed to the privacy statement shown at sign-up.
            "consent_at": _iso(user.consent_at),
            "created_at": _iso(user.created_at),
        },
        # Staff actions that touched this account, e.g. who saw the full phone number.
        "access_log": [
            {"action": event.action, "at": _iso(event.created_at),
             "by": event.actor.display_name if event.actor else None}
            for event in reveals
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def exported_data(user: User) -> dict:
    """Everything we hold about a person, for the JSON download and its page: the account,
    then every part a domain registered (accounts.personal_data)."""
    return {**account_data(user), **personal_data.export_all(user)}


def delete_account(user: User, *, now: datetime) -> None:
    """Erase the person (the caller's transaction makes it all or nothing): every domain
    erases its part first (accounts.personal_data), then the account row becomes a tombstone
    with no name and no number, so counts that reference it still add up."""
    personal_data.erase_all(user, now)
    if user.phone:
        otp.forget_number(user.phone)
    user.phone = None
    user.display_name = ""
    user.password_hash = None
    user.platform = ""
    user.home_district = ""
    user.home_region_code = None
    user.consent_at = None
    user.language = "zh_Hans"
    user.deleted_at = now
    user.session_version = new_session_version()
    # Audit rows stay (they record what staff did) but lose the masked number.
    db.session.execute(update(AuditEvent).where(AuditEvent.subject_id == user.id).values(detail=""))
    db.session.add(AuditEvent(actor_id=user.id, subject_id=user.id, action="delete_account"))
    db.session.flush()


def reveal_phone(staff: User, person: User) -> str:
    """The person's full number, with an audit row saying who saw it and when."""
    db.session.add(AuditEvent(actor_id=staff.id, subject_id=person.id, action="reveal_phone",
                              detail=masked(person.phone)))
    db.session.flush()
    return person.phone or ""


def phone_reveals(person: User) -> list[AuditEvent]:
    return list(db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.subject_id == person.id,
                                    AuditEvent.action == "reveal_phone")
        .order_by(AuditEvent.id.desc())))


def organisation_named(name: str) -> Organisation | None:
    return db.session.scalar(db.select(Organisation).where(Organisation.name == name.strip()))


def ensure_organisation(name: str, city: str = "", district: str = "") -> Organisation:
    """The organisation with this name, created if it does not exist yet."""
    organisation = organisation_named(name)
    if organisation is None:
        organisation = Organisation(name=name.strip(), city=city, district=district)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(db.select(Organisation).order_by(Organisation.name)))


@dataclass
class RoleChange:
    role: str
    organisation: Organisation | None


def _checked_role(role: str, organisation: Organisation | None) -> RoleChange:
    if role not in ROLES:
        raise AccountError(_("Unknown role: %(role)s", role=role))
    if role == "staff" and organisation is None:
        raise AccountError(_("Staff must belong to an organisation."))
    return RoleChange(role, organisation if role != "worker" else None)


def create_account(phone: str, display_name: str, password: str, role: str,
                   organisation: Organisation | None = None, *, actor: User | None = None) -> User:
    """Create an account of any role (CLI and admin page); staff need an organisation."""
    change = _checked_role(role, organisation)
    if phone_is_taken(phone):
        raise AccountError(_("This phone number already has an account."))
    user = User(phone=phone, display_name=display_name.strip(), password_hash=hash_password(password),
                role=change.role, organisation=change.organisation)
    db.session.add(user)
    db.session.flush()
    db.session.add(AuditEvent(actor_id=actor.id if actor else None, subject_id=user.id,
                              action="create_account", detail=role))
    db.session.flush()
    return user


def set_role(user: User, role: str, organisation: Organisation | None = None, *,
             actor: User | None = None) -> None:
    """Change a live account's role; workers lose their organisation, staff must have one."""
    if user.deleted_at is not None:
        raise AccountError(_("This account has been deleted."))
    change = _checked_role(role, organisation or user.organisation)
    user.role = change.role
    user.organisation = change.organisation
    db.session.add(AuditEvent(actor_id=actor.id if actor else None, subject_id=user.id,
                              action="set_role",
                              detail=f"{role} {change.organisation.name if change.organisation else ''}".strip()))
    db.session.flush()


def staff_accounts() -> list[User]:
    return list(db.session.scalars(
        db.select(User).where(User.role.in_(("staff", "admin")), User.deleted_at.is_(None))
        .order_by(User.role, User.id)))
