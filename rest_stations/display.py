"""How station facts read on a page, in the rider's language: distances, riding time,
open/closed badges, seats and clock times (registered as template filters by
rest_stations.views); and the extension points through which packages built on stations
(check-ins) add to the station pages without rest_stations importing them.
"""
import functools
import math
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from urllib.parse import quote

from flask import current_app

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import parse_pattern
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Integer, bindparam, literal, select

from extensions import db
from rest_stations.hours import HoursStatus, local_now
from rest_stations.models import Station

DEFAULT_RIDING_SPEED_KMH = 15.0
# Parsed once: format_decimal(format=...) parses its pattern on every call, ten rows a page.
WHOLE_NUMBER = parse_pattern("#,##0")
ONE_DECIMAL = parse_pattern("#,##0.0")
TENTHS = Decimal("0.1")


def distance_text(metres: float) -> str:
    """350 m / 1.2 km (350 米 / 1.2 公里)."""
    locale = str(get_locale())
    if metres < 1000:
        return _distance_text(locale, max(10, round(metres, -1)), False)
    # Rounded as Babel's pattern rounds (the float's decimal text, half to even), so that
    # the key is the text's number.
    kilometres = Decimal(str(metres / 1000)).quantize(TENTHS, rounding=ROUND_HALF_EVEN)
    return _distance_text(locale, kilometres, True)


@functools.lru_cache(maxsize=4096)
def _distance_text(locale: str, value, in_kilometres: bool) -> str:
    """Formatting and translating a number took ~19 µs (Babel's pattern, the catalogue),
    ten times a page; a hit here ~5 µs. Rounded distances are a few thousand texts."""
    if in_kilometres:
        return _("%(distance)s km", distance=ONE_DECIMAL.apply(value, locale))
    return _("%(distance)s m", distance=WHOLE_NUMBER.apply(value, locale))


def riding_minutes(metres: float, speed_kmh: float) -> int:
    """Whole minutes to ride `metres` at `speed_kmh`, at least 1."""
    return max(1, math.ceil(metres / (speed_kmh * 1000 / 60)))


def riding_text(metres: float) -> str:
    """About 4 min by bike (骑行约 4 分钟), at RIDING_SPEED_KMH: riders come on e-bikes."""
    speed = float(current_app.config.get("RIDING_SPEED_KMH", DEFAULT_RIDING_SPEED_KMH))
    return _riding_text(str(get_locale()), riding_minutes(metres, speed))


@functools.lru_cache(maxsize=1024)
def _riding_text(locale: str, minutes: int) -> str:
    return ngettext("about %(num)d min by bike", "about %(num)d min by bike", minutes)


def clock(moment: time | datetime) -> str:
    """A wall-clock time as the rider's locale writes it (22:00, 10:00 PM); no zone shifts."""
    if isinstance(moment, datetime):
        moment = moment.time()
    return _clock(str(get_locale()), moment)


@functools.lru_cache(maxsize=2048)
def _clock(locale: str, moment: time) -> str:
    return babel_format_time(moment, format="short", locale=locale)


def weekday(day: date, width: str = "abbreviated") -> str:
    return babel_format_date(day, format="EEEE" if width == "wide" else "EEE", locale=get_locale())


def short_date(day: date) -> str:
    return babel_format_date(day, format="medium", locale=get_locale())


@dataclass(frozen=True)
class Badge:
    state: str  # open | closed | unknown: a CSS class
    text: str


def hours_badge(station: Station, hours: HoursStatus, now: datetime | None = None) -> Badge:
    """Open · closes 22:00, Closed · opens Mon 08:00, Open 24 hours, Hours unknown..."""
    locale = str(get_locale())
    if station.status == "temporarily_closed":
        return _badge(locale, "temporarily_closed")
    if hours.open is None:
        return _badge(locale, "unknown")
    change = hours.closes_at if hours.open else hours.opens_at
    if change is None:
        return _badge(locale, "open" if hours.open else "closed")
    today = local_now(station.timezone, now).date()
    return _badge(locale, "open" if hours.open else "closed", change.time(),
                  None if change.date() == today else change.date())


@functools.lru_cache(maxsize=1024)
def _badge(locale: str, state: str, change: time | None = None, day: date | None = None) -> Badge:
    """A badge's words, formatted and translated once per locale and case: Babel's time and
    day formats cost ~40 µs a badge, ten badges a finder page."""
    if state == "temporarily_closed":
        return Badge("closed", _("Temporarily closed"))
    if state == "unknown":
        return Badge("unknown", _("Hours unknown"))
    if state == "open":
        if change is None:
            return Badge("open", _("Open 24 hours"))
        if day is None:
            return Badge("open", _("Open · closes %(time)s", time=clock(change)))
        return Badge("open", _("Open · closes %(day)s %(time)s", day=weekday(day),
                               time=clock(change)))
    if change is None:
        return Badge("closed", _("Closed"))
    if day is None:
        return Badge("closed", _("Closed · opens %(time)s", time=clock(change)))
    return Badge("closed", _("Closed · opens %(day)s %(time)s", day=weekday(day),
                             time=clock(change)))


FILTERS = {
    "distance": distance_text,
    "riding": riding_text,
    "clock": clock,
    "weekday": weekday,
    "short_date": short_date,
}


@dataclass(frozen=True)
class NavigationLinks:
    amap: str  # 高德: opens the app when installed, the web page otherwise
    geo: str  # Android's map chooser
    apple: str


def navigation_links(station: Station) -> NavigationLinks:
    """Links that hand the station's position to the phone's map app, for riding there."""
    lat, lon = f"{station.lat:.6f}", f"{station.lon:.6f}"
    name = quote(station.name, safe="")
    return NavigationLinks(
        amap=(f"https://uri.amap.com/navigation?to={lon},{lat},{name}"
              "&mode=ride&coordinate=wgs84&callnative=1"),
        geo=f"geo:{lat},{lon}?q={lat},{lon}({name})",
        apple=f"https://maps.apple.com/?daddr={lat},{lon}",
    )


# --- Extension points ----------------------------------------------------------------------
# Packages built on stations register here from their init_app; rest_stations asks, and works
# (no seat counts, no panels) when nobody registered.

# counter(station_id, now) -> an SQL count of the seats taken at the station whose id is the
# column `station_id`, correlated to it: a search selects it beside each station it loads.
SeatsCounter = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Seats:
    """Seats taken against capacity; capacity 0 means the station did not say."""

    taken: int
    capacity: int

    @property
    def full(self) -> bool:
        return self.capacity > 0 and self.taken >= self.capacity

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


@dataclass(frozen=True)
class StationPanel:
    """A piece of the station page served by another package as an htmx fragment.

    The page asks `endpoint` (with station_id) on load; without JavaScript it shows a link to
    `fallback_endpoint` labelled `label`, or, when `needs_open_station` and the station is
    not open, the label as a disabled button."""

    endpoint: str
    fallback_endpoint: str
    label: str
    needs_open_station: bool = False
    stylesheet: str | None = None  # under static/
    script: str | None = None


def _extensions(app=None) -> dict:
    return (app or current_app).extensions.setdefault(
        "station_pages", {"seats": [], "panels": []})


def register_seats(app, counter: SeatsCounter) -> None:
    """Count seats taken at stations. The count is SQL, so that the nearest search loads it
    with the stations, in the same statement, rather than in one more round trip per page;
    register a module-level function (searches cache their statements per counter)."""
    _extensions(app)["seats"].append(counter)


def seat_counters() -> tuple[SeatsCounter, ...]:
    return tuple(_extensions()["seats"])


def seats_sql(station_id, now, counters: tuple[SeatsCounter, ...]):
    """The seats taken at the station `station_id` (a column) at `now` (a moment or a bind
    parameter), as the counters count them together; 0 when nobody registered."""
    if not counters:
        return literal(0, Integer)
    return functools.reduce(operator.add, (counter(station_id, now) for counter in counters))


def register_station_panel(app, panel: StationPanel) -> None:
    _extensions(app)["panels"].append(panel)


def station_panels() -> list[StationPanel]:
    return list(_extensions()["panels"])


@dataclass(frozen=True)
class SeatsAt:
    """What a search needs to load seats taken with its stations: the counters and the
    moment. `column` goes into a cached statement; `parameters` into each execution."""

    counters: tuple[SeatsCounter, ...]
    now: datetime

    @staticmethod
    def column(counters: tuple[SeatsCounter, ...]):
        return seats_sql(Station.id, bindparam("seats_at"), counters).label("seats_taken")

    @property
    def parameters(self) -> dict:
        return {"seats_at": self.now}


def seats_taken(station_ids: Iterable[int], now: datetime) -> dict[int, int]:
    """Seats taken per station, as the registered counters count them, in one query (absent:
    none). The nearest search needs no call: its hits carry their seats."""
    ids = sorted(set(station_ids))
    counters = seat_counters()
    if not ids or not counters:
        return {}
    rows = db.session.execute(select(Station.id, seats_sql(Station.id, now, counters))
                              .where(Station.id.in_(ids)))
    return {station_id: taken for station_id, taken in rows if taken}


def seats_of(station: Station, taken: dict[int, int]) -> Seats:
    return Seats(taken.get(station.id, 0), station.capacity or 0)


def none_within_message(max_distance_km: float) -> str:
    """What the finder and the API say when the search stopped at its distance bound."""
    from flask_babel import format_decimal, gettext

    return gettext("No station within %(km)s km of this point. Search by place instead.",
                   km=format_decimal(round(max_distance_km)))
