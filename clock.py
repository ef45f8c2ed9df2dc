"""The one clock: what time it is, which zone people live in, and how a time reads to them.

The database stores UTC (`UTCDateTime` columns, always read back aware). People see their
station's or organisation's zone, Asia/Shanghai unless a row names another. Domain functions
take `now` as a parameter where time matters; views and CLI commands pass `clock.now()`.

Tests move time with `clock.travel_to(moment)`, the one hook: it is process-wide, so a
threaded test server sees the same moment as the test.
"""
from contextlib import contextmanager
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_skeleton
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

DEFAULT_ZONE_NAME = "Asia/Shanghai"
_fixed_now: datetime | None = None


def now() -> datetime:
    """The current moment, aware and in UTC (or the moment a test travelled to)."""
    return _fixed_now if _fixed_now is not None else datetime.now(timezone.utc)


@contextmanager
def travel_to(moment: datetime):
    """Make `now()` answer `moment` until the block ends (tests only)."""
    global _fixed_now
    if moment.tzinfo is None:
        raise ValueError("travel_to needs an aware datetime")
    previous, _fixed_now = _fixed_now, moment.astimezone(timezone.utc)
    try:
        yield moment
    finally:
        _fixed_now = previous


@lru_cache(maxsize=64)
def zone(name: str | None = None) -> ZoneInfo:
    """A time zone by IANA name; an unknown or empty name means the default zone."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE_NAME)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE_NAME)


DEFAULT_ZONE = zone()


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already (as SQLite returns it)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def local(moment: datetime, zone_name: str | None = None) -> datetime:
    """`moment` on the wall clocks of `zone_name` (the default zone when None)."""
    return as_utc(moment).astimezone(zone(zone_name))


def today(zone_name: str | None = None, *, at: datetime | None = None) -> date:
    """The local date in `zone_name` now (or at `at`), never the server's own zone's date."""
    return local(at or now(), zone_name).date()


def _locale(locale) -> str:
    if locale is not None:
        return str(locale)
    from flask import has_request_context

    if has_request_context():
        from flask_babel import get_locale

        return str(get_locale() or "zh_Hans")
    return "zh_Hans"


def format_time(moment: datetime, zone_name: str | None = None) -> str:
    """The local wall-clock time: 10:47."""
    return f"{local(moment, zone_name):%H:%M}"


def format_day(moment: datetime | date, zone_name: str | None = None, *, locale=None,
               weekday: bool = False) -> str:
    """A local day in the reader's language: 12月2日 (周三), Dec 2 (Wed, Dec 2)."""
    day = local(moment, zone_name) if isinstance(moment, datetime) else moment
    return format_skeleton("MMMEd" if weekday else "MMMd", day, locale=_locale(locale))


def format_moment(moment: datetime, zone_name: str | None = None, *, locale=None,
                  weekday: bool = False) -> str:
    """Day then time, as people write it: 12月2日 10:47 (Dec 2 10:47)."""
    return (f"{format_day(moment, zone_name, locale=locale, weekday=weekday)} "
            f"{format_time(moment, zone_name)}")


def format_stamp(moment: datetime, zone_name: str | None = None) -> str:
    """A language-neutral local time for exports and stored notices: 2026-12-02 10:47."""
    return f"{local(moment, zone_name):%Y-%m-%d %H:%M}"


class UTCDateTime(TypeDecorator):
    """Stored as UTC; always read back aware (SQLite would otherwise return naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


def init_app(app) -> None:
    """Templates format times with the same functions as the code."""
    app.jinja_env.globals.update(format_moment=format_moment, format_day=format_day,
                                 format_time=format_time)
