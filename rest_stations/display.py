"""How station facts read on a page, in the rider's language: distances, walking time,
open/closed badges and clock times. Registered as template filters by rest_stations.views."""
import math
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import quote

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from rest_stations.hours import HoursStatus, local_now
from rest_stations.models import Station

WALKING_M_PER_MIN = 80


def distance_text(metres: float) -> str:
    """350 m / 1.2 km (350 米 / 1.2 公里)."""
    if metres < 1000:
        return _("%(distance)s m", distance=format_decimal(max(10, round(metres, -1)), format="#,##0"))
    return _("%(distance)s km", distance=format_decimal(metres / 1000, format="#,##0.0"))


def walking_text(metres: float) -> str:
    minutes = max(1, math.ceil(metres / WALKING_M_PER_MIN))
    return ngettext("%(num)d min walk", "%(num)d min walk", minutes)


def clock(moment: time | datetime) -> str:
    """A wall-clock time as the rider's locale writes it (22:00, 10:00 PM); no zone shifts."""
    if isinstance(moment, datetime):
        moment = moment.time()
    return babel_format_time(moment, format="short", locale=get_locale())


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
    if station.status == "temporarily_closed":
        return Badge("closed", _("Temporarily closed"))
    if hours.open is None:
        return Badge("unknown", _("Hours unknown"))
    today = local_now(station.timezone, now).date()
    if hours.open:
        if hours.closes_at is None:
            return Badge("open", _("Open 24 hours"))
        if hours.closes_at.date() == today:
            return Badge("open", _("Open · closes %(time)s", time=clock(hours.closes_at)))
        return Badge("open", _("Open · closes %(day)s %(time)s", day=weekday(hours.closes_at.date()),
                               time=clock(hours.closes_at)))
    if hours.opens_at is None:
        return Badge("closed", _("Closed"))
    if hours.opens_at.date() == today:
        return Badge("closed", _("Closed · opens %(time)s", time=clock(hours.opens_at)))
    return Badge("closed", _("Closed · opens %(day)s %(time)s", day=weekday(hours.opens_at.date()),
                             time=clock(hours.opens_at)))


FILTERS = {
    "distance": distance_text,
    "walking": walking_text,
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
