"""Where each domain declares the personal data it keeps, so export and deletion are complete
without accounts importing any domain.

Each domain registers its part from its own `<domain>/personal_data.py` (app.py calls their
`register_personal_data()` while assembling the app):

    personal_data.register("wishes", export=export_wishes, erase=erase_wishes)

`export(user) -> JSON-able value` lists what the domain holds about the person; `erase(user,
now)` removes or anonymises it, flushing only (the caller's `transaction()` commits the whole
deletion at once). A new domain that stores anything about a person (job applications, when
jobs exist) adds its own module the same way; tests/accounts/test_personal_data.py then finds
its data in the export and nothing of it after deletion.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Part:
    name: str
    title: Any  # a lazy string: the heading on the readable export page
    export: Callable[[Any], Any]
    erase: Callable[[Any, datetime], None]
    order: int


_PARTS: dict[str, Part] = {}


def register(name: str, *, export: Callable[[Any], Any], erase: Callable[[Any, datetime], None],
             title=None, order: int = 100) -> None:
    """Declare one part of a person's data. Registering a name again replaces it (an app
    factory may run more than once in a process)."""
    _PARTS[name] = Part(name, title or name, export, erase, order)


def parts() -> list[Part]:
    """The registered parts, in the order they are exported and erased."""
    return sorted(_PARTS.values(), key=lambda part: (part.order, part.name))


def export_all(user) -> dict[str, Any]:
    return {part.name: part.export(user) for part in parts()}


def erase_all(user, now: datetime) -> None:
    for part in parts():
        part.erase(user, now)


def titles() -> dict[str, Any]:
    """Headings for the readable export page, by part name."""
    return {"account": _l("Account and consent"), "access_log": _l("Who looked at your number"),
            **{part.name: part.title for part in parts()}}
