"""Send and read in-app notifications. Domains register the message of each kind once,
then call `notify()` inside their own transaction, so a step and its notice commit together."""
from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import update

import clock
from extensions import db
from notifications.models import Notification

# kind -> lazily translated message with %(name)s placeholders, filled from Notification.params
_MESSAGES: dict[str, object] = {}
INBOX_SIZE = 50


def register_kinds(messages: dict[str, object]) -> None:
    """Declare the message of each kind a domain sends (lazy_gettext strings)."""
    _MESSAGES.update(messages)


def path_for(endpoint: str, **values) -> str:
    """A site path for a notice's link; works in a request, the CLI and tests alike."""
    if has_request_context():
        return url_for(endpoint, **values)
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    return current_app.url_map.bind("localhost", script_name=root).build(endpoint, values)


def notify(user_id: int, kind: str, link: str = "", **params) -> Notification:
    """Queue a notice for `user_id` in the current transaction; the caller commits."""
    if kind not in _MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}; register_kinds() it first")
    notification = Notification(user_id=user_id, kind=kind, link=link, params=params)
    db.session.add(notification)
    return notification


def text_of(notification: Notification) -> str:
    """The notice in the reader's language; params are plain text, escaped by templates."""
    message = _MESSAGES.get(notification.kind)
    if message is None:
        return _("You have a new notice.")
    return str(message) % {**notification.params} if notification.params else str(message)


def unread_count(user_id: int) -> int:
    return db.session.scalar(db.select(unread_sql(user_id))) or 0


def unread_sql(user_id):
    """The unread notices of `user_id` (an id or a column the count is correlated to)."""
    return (db.select(db.func.count(Notification.id))
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .correlate_except(Notification).scalar_subquery())


def recent(user_id: int, limit: int = INBOX_SIZE) -> list[Notification]:
    """The newest notices of one person, unread or not."""
    return list(db.session.scalars(
        db.select(Notification).where(Notification.user_id == user_id)
        .order_by(Notification.id.desc()).limit(limit)))


def mark_read(user_id: int, notification_id: int | None = None) -> Notification | None:
    """Mark one notice (or all, with no id) read; returns the one notice, if it is theirs.
    Flushes; the caller's transaction() commits."""
    now = clock.now()
    query = update(Notification).where(Notification.user_id == user_id,
                                       Notification.read_at.is_(None))
    found = None
    if notification_id is not None:
        found = db.session.scalar(db.select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id))
        if found is None:
            return None
        query = query.where(Notification.id == notification_id)
    db.session.execute(query.values(read_at=now))
    db.session.flush()
    return found
