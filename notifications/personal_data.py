"""The notices a person received, for their export and their deletion (registered with
accounts.personal_data)."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

import clock
from accounts import personal_data
from extensions import db
from notifications.inbox import text_of
from notifications.models import Notification


def export_notifications(user) -> list[dict]:
    notices = db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                 .order_by(Notification.id))
    return [{"text": text_of(n), "link": n.link, "created_at": clock.format_stamp(n.created_at),
             "read": n.read_at is not None} for n in notices]


def erase(user, now: datetime) -> None:
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.flush()


def register_personal_data() -> None:
    personal_data.register("notifications", title=_l("Notices"), export=export_notifications,
                           erase=erase, order=40)
