"""This week's opening hours of a station, day by day, for the station page."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import opening_hours

from rest_stations.hours import InvalidHours, local_now, parse_hours
from rest_stations.models import Station


@dataclass(frozen=True)
class DayHours:
    day: date
    is_today: bool
    # (opens, closes) station-local; closes is None when the span runs past midnight.
    spans: list[tuple[time, time | None]] = field(default_factory=list)
    all_day: bool = False


def week_hours(station: Station, now: datetime | None = None) -> list[DayHours] | None:
    """Monday to Sunday of the station's current week; None when the hours are unknown."""
    try:
        hours = parse_hours(station.opening_hours)
    except InvalidHours:
        return None
    if hours is None:
        return None
    today = local_now(station.timezone, now).date()
    monday = today - timedelta(days=today.weekday())
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        start = datetime.combine(day, time())
        end = start + timedelta(days=1)
        spans = []
        for opens, closes, state, _comment in hours.intervals(start, end):
            if state != opening_hours.State.OPEN:
                continue
            opens = max(opens, start)
            closes = min(closes, end) if closes else end
            spans.append((opens.time(), None if closes >= end else closes.time()))
        all_day = spans == [(time(0, 0), None)]
        days.append(DayHours(day=day, is_today=day == today, spans=spans, all_day=all_day))
    return days
