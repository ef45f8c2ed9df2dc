"""Give rows written without a region code the code their names describe.

Models that carry a code declare `region_names = (city attribute or None, district attribute,
code attribute)`. When a row without a code is added, or its names change while it has none,
the code is matched from the names; a row that matches no district, or several, keeps NULL
and shows on the review list. A code that is set (by the picker, an admin or a match) is
never overwritten from names: forms that edit the place carry the picker, whose choice wins.
So the CSV import, the staff upload and `flask users create --create-org` give codes without
knowing about regions.
"""
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from regions.divisions import match


def _changed(state, name: str) -> bool:
    return bool(name) and state.attrs[name].history.has_changes()


def _sync(row) -> None:
    city, district, code = type(row).region_names
    if getattr(row, code) is not None:
        return  # the picker (or an admin) chose it: names never override a chosen code
    state = inspect(row)
    if state.pending or state.transient or _changed(state, city) or _changed(state, district):
        setattr(row, code, match(getattr(row, city) if city else "", getattr(row, district)))


def _before_flush(session: Session, _context, _instances) -> None:
    for row in list(session.new) + list(session.dirty):
        if getattr(type(row), "region_names", None):
            _sync(row)


def init_app(_app) -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
