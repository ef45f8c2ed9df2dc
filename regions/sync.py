"""Keep a row's region code in step with its names.

Models that carry a code declare `region_names = (city attribute or None, district attribute,
code attribute)`. When a row is added, or its names change, and the same flush does not set
the code itself (the picker does), the code is matched from the names; a row that matches no
district, or several, gets NULL and shows on the review list. So the CSV import, the staff
upload and `flask users create --create-org` give codes without knowing about regions.
"""
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from regions.divisions import match


def _changed(state, name: str) -> bool:
    return bool(name) and state.attrs[name].history.has_changes()


def _sync(row) -> None:
    city, district, code = type(row).region_names
    state = inspect(row)
    if state.pending or state.transient:
        if getattr(row, code) is None:
            setattr(row, code, match(getattr(row, city) if city else "", getattr(row, district)))
        return
    if _changed(state, code) or not (_changed(state, city) or _changed(state, district)):
        return
    setattr(row, code, match(getattr(row, city) if city else "", getattr(row, district)))


def _before_flush(session: Session, _context, _instances) -> None:
    for row in list(session.new) + list(session.dirty):
        if getattr(type(row), "region_names", None):
            _sync(row)


def init_app(_app) -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
