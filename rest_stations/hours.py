"""Opening hours in OpenStreetMap syntax, judged in the station's own time zone; the
Chinese phrases clerks write (每天8:00-20:00, 周一至周五 9:00-18:00, 24小时, 节假日休息)
turned into that syntax; and the weekly table of the station editor.

An empty string means nobody has told us the hours: that is "unknown", never "closed".
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import opening_hours

import clock


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


def local_now(tz_name: str, now: datetime | None = None) -> datetime:
    """Naive wall-clock time at the station, which is what opening_hours expects."""
    return clock.local(now or clock.now(), tz_name).replace(tzinfo=None)


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



# Chinese phrases -> OpenStreetMap syntax ------------------------------------------------

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_DIGITS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
               "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_DAY = r"(?:周|星期|礼拜)([一二三四五六日天七1-7])"
_DAY_RANGE = re.compile(_DAY + r"\s*(?:至|到|-|~)\s*(?:周|星期|礼拜)?([一二三四五六日天七1-7])")
_DAY_ONE = re.compile(_DAY)
_DAY_WORDS = (
    (re.compile(r"每天|每日|天天|全年无休|全年|全周|一周七天|周一至周日|周一到周日"), list(range(7))),
    (re.compile(r"工作日"), list(range(5))),
    (re.compile(r"周末|双休日|休息日"), [5, 6]),
)
_HOLIDAYS = re.compile(r"(?:法定)?(?:节假日|节日|假日|假期)")
_OFF = re.compile(r"^(?:休息|关闭|闭馆|不开放|不营业|停止服务|暂停服务|闭站|关门)$")
_ALL_DAY = re.compile(r"^(?:全天候?(?:24小时|二十四小时|24h)?|24小时|二十四小时|24h)"
                      r"(?:开放|营业|服务|不打烊)?$")
_TIME = r"(上午|早上|中午|下午|晚上)?\s*(\d{1,2})(?:\s*(?::|点|时)\s*(半|\d{1,2})?\s*分?)?"
_TIME_RANGE = re.compile(_TIME + r"\s*(?:-|~|至|到)\s*" + _TIME)
_DASHES = str.maketrans({"—": "-", "–": "-", "〜": "~", "－": "-"})


def osm_hours(text: str) -> str:
    """OpenStreetMap syntax for hours as a clerk wrote them: the syntax itself (full-width
    punctuation allowed) or common Chinese phrases. Raises InvalidHours otherwise."""
    text = text.strip()
    if not text:
        return ""
    try:
        return check_hours(text)
    except InvalidHours:
        pass
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    try:
        return check_hours(folded)
    except InvalidHours:
        pass
    converted = _from_chinese(folded)
    if not converted:
        raise InvalidHours(text)
    return check_hours(converted)


def _day_spec(clause: str) -> tuple[list[int], bool, str]:
    """Days named at the start of a clause (indices, holidays?) and the rest of it."""
    days: list[int] = []
    holidays = False
    rest = clause
    while True:
        rest = rest.lstrip(" ,、和及与")
        for pattern, indices in _DAY_WORDS:
            match = pattern.match(rest)
            if match:
                days += indices
                break
        else:
            match = _DAY_RANGE.match(rest)
            if match:
                first, last = _DAY_DIGITS[match[1]], _DAY_DIGITS[match[2]]
                days += list(range(first, last + 1)) if first <= last else \
                    list(range(first, 7)) + list(range(0, last + 1))
            else:
                match = _DAY_ONE.match(rest)
                if match:
                    days.append(_DAY_DIGITS[match[1]])
                else:
                    match = _HOLIDAYS.match(rest)
                    if not match:
                        return sorted(set(days)), holidays, rest.strip(" :")
                    holidays = True
        rest = rest[match.end():]


def _clock_time(part: str | None, hour: str, minute: str | None) -> str | None:
    hours = int(hour)
    minutes = 30 if minute == "半" else int(minute or 0)
    if part in ("下午", "晚上") and hours < 12:
        hours += 12
    if part == "中午" and hours < 6:
        hours += 12
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        return None
    return f"{hours:02d}:{minutes:02d}"


def _time_ranges(text: str) -> list[str] | None:
    ranges, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TIME_RANGE.match(text, position)
        if not match:
            return None
        start = _clock_time(match[1], match[2], match[3])
        end = _clock_time(match[4], match[5], match[6])
        if start is None or end is None:
            return None
        ranges.append(f"{start}-{end}")
        position = match.end()
        while position < len(text) and text[position] in " ,、和及":
            position += 1
    return ranges or None


def _osm_days(days: list[int]) -> str:
    """0..6 as OSM weekdays with ranges: [0,1,2,3,4,6] -> Mo-Fr,Su."""
    groups: list[list[int]] = []
    for day in days:
        if groups and day == groups[-1][-1] + 1:
            groups[-1].append(day)
        else:
            groups.append([day])
    return ",".join(OSM_DAYS[g[0]] if len(g) == 1 else
                    f"{OSM_DAYS[g[0]]}{'-' if len(g) > 2 else ','}{OSM_DAYS[g[-1]]}"
                    for g in groups)


def _from_chinese(text: str) -> str | None:
    rules: list[tuple[list[int], bool, str]] = []
    for clause in re.split(r"[;。\n]|,(?=\s*(?:周|星期|礼拜|每|工作日|节|法定|假|全|天天))", text):
        clause = clause.strip(" ,")
        if not clause:
            continue
        days, holidays, rest = _day_spec(clause)
        if not days and not holidays and rules and not rules[-1][1]:
            days = rules[-1][0]  # "8:00-12:00, 13:30-17:30": more times for the same days
        if _OFF.match(rest):
            times = "off"
        elif _ALL_DAY.match(rest.replace(" ", "")):
            times = "00:00-24:00"
        else:
            ranges = _time_ranges(rest)
            if ranges is None:
                return None
            times = ",".join(ranges)
        if not days and not holidays:
            days = list(range(7))
        rules.append((days, holidays, times))
    merged: list[str] = []
    for days, holidays, times in rules:
        selector = ",".join(filter(None, [_osm_days(days), "PH" if holidays else ""]))
        rule = f"{selector} {times}"
        if merged and merged[-1].startswith(selector + " ") and times != "off" \
                and not merged[-1].endswith("off"):
            merged[-1] += "," + times
        else:
            merged.append(rule)
    result = "; ".join(merged)
    return "24/7" if result == "Mo-Su 00:00-24:00" else result


# The editor's weekly table -----------------------------------------------------------------

# A Monday with no public holiday anywhere, to read a week of hours from.
_REFERENCE_MONDAY = datetime(2025, 6, 9)


def week_from_hours(text: str) -> list[tuple[str, str] | None] | None:
    """The hours as one (open, close) per weekday, None for a closed day; None when the
    hours need more than the table can say (two ranges a day, holidays, unknown)."""
    try:
        hours = parse_hours(text)
    except InvalidHours:
        return None
    if hours is None:
        return [None] * 7
    if "PH" in text or "SH" in text:
        return None
    week: list[tuple[str, str] | None] = []
    for offset in range(7):
        start = _REFERENCE_MONDAY + timedelta(days=offset)
        spans = [(a, b) for a, b, state, _ in hours.intervals(start, start + timedelta(days=1))
                 if state == opening_hours.State.OPEN]
        if any(state == opening_hours.State.UNKNOWN for *_, state, _ in
               hours.intervals(start, start + timedelta(days=1))) or len(spans) > 1:
            return None
        if not spans:
            week.append(None)
            continue
        opens, closes = spans[0]
        end = "24:00" if closes == start + timedelta(days=1) else f"{closes:%H:%M}"
        week.append((f"{opens:%H:%M}", end))
    if hours_from_week(week) and parse_hours(hours_from_week(week)) is not None:
        return week
    return None


def hours_from_week(week: list[tuple[str, str] | None]) -> str:
    """OSM syntax for one (open, close) per weekday; "" when every day is empty (unknown)."""
    if not any(week):
        return ""
    rules: list[tuple[list[int], tuple[str, str] | None]] = []
    for day, span in enumerate(week):
        if rules and rules[-1][1] == span and rules[-1][0][-1] == day - 1:
            rules[-1][0].append(day)
        else:
            rules.append(([day], span))
    text = "; ".join(f"{_osm_days(days)} {span[0]}-{span[1]}"
                     for days, span in rules if span is not None)
    return "24/7" if text == "Mo-Su 00:00-24:00" else text


@dataclass(frozen=True)
class DayHours:
    """One day of the week preview: open spans in local time, or closed, or unknown."""

    day: date
    spans: tuple[tuple[str, str], ...]  # ("08:00", "20:00"); a close at midnight is "24:00"
    unknown: bool = False


def week_schedule(text: str, first_day: date) -> list[DayHours] | None:
    """Seven days of hours from `first_day` (station-local), None when the text is invalid."""
    try:
        hours = parse_hours(text)
    except InvalidHours:
        return None
    days = []
    for offset in range(7):
        day = first_day + timedelta(days=offset)
        if hours is None:
            days.append(DayHours(day, (), unknown=True))
            continue
        start = datetime.combine(day, time())
        intervals = list(hours.intervals(start, start + timedelta(days=1)))
        spans = tuple((f"{a:%H:%M}", "24:00" if b.date() > day else f"{b:%H:%M}")
                      for a, b, state, _ in intervals if state == opening_hours.State.OPEN)
        unknown = not spans and any(state == opening_hours.State.UNKNOWN for *_, state, _ in intervals)
        days.append(DayHours(day, spans, unknown))
    return days
