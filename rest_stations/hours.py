"""Opening hours in OpenStreetMap syntax, judged in the station's own time zone.

An empty string means nobody has told us the hours: that is "unknown", never "closed".
"""
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours


class InvalidHours(ValueError):
    """The text is not valid opening_hours syntax."""


@lru_cache(maxsize=8192)
def parse_hours(text: str) -> opening_hours.OpeningHours | None:
    """Parsed hours, None when unknown (empty); raises InvalidHours on bad syntax."""
    text = text.strip()
    if not text:
        return None
    try:
        return opening_hours.OpeningHours(text)
    except (opening_hours.ParserError, ValueError) as error:
        raise InvalidHours(str(error)) from None


def check_hours(text: str) -> str:
    """The trimmed text if it parses; raises InvalidHours otherwise."""
    parse_hours(text)
    return text.strip()


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_now(tz_name: str, now: datetime | None = None) -> datetime:
    """Naive wall-clock time at the station, which is what opening_hours expects."""
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(_zone(tz_name)).replace(tzinfo=None)


@dataclass(frozen=True)
class HoursStatus:
    """Whether a station is open at a moment; open is None when the hours are unknown."""

    open: bool | None
    closes_at: datetime | None = None  # station-local, when open and a closing is known
    opens_at: datetime | None = None  # station-local, when closed and an opening is known


UNKNOWN = HoursStatus(open=None)


def hours_status(text: str, tz_name: str, now: datetime | None = None) -> HoursStatus:
    """Open, closed or unknown at `now` (UTC or aware), with the next change if there is one."""
    try:
        hours = parse_hours(text)
    except InvalidHours:
        return UNKNOWN
    if hours is None:
        return UNKNOWN
    local = local_now(tz_name, now)
    if hours.is_unknown(local):
        return UNKNOWN
    next_change = hours.next_change(local)
    if hours.is_open(local):
        return HoursStatus(open=True, closes_at=next_change)
    return HoursStatus(open=False, opens_at=next_change)


def is_open(text: str, tz_name: str, now: datetime | None = None) -> bool | None:
    return hours_status(text, tz_name, now).open
