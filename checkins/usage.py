"""Usage of stations for their staff: check-ins per day and per hour of the week, average
stay, open reports, a CSV export and a heat map. Charts are SVG drawn here, on the server,
so the pages need no chart library and no third-party origin."""
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_date, gettext as _
from markupsafe import Markup, escape
from sqlalchemy import Select, func

import clock
from checkins.models import CheckIn, StationReport
from extensions import db
from rest_stations.models import Station
from spreadsheets import csv_text

DEFAULT_DAYS = 28
CSV_MAX_DAYS = 366


@dataclass(frozen=True)
class Visit:
    station_id: int
    station_name: str
    start: datetime  # at the station's wall clock
    end: datetime | None
    expired: bool  # never checked out: ended by the configured stay
    source: str
    remote: bool = False  # neither poster nor a location near the station

    @property
    def stay(self) -> timedelta | None:
        return None if self.end is None or self.expired else self.end - self.start


@dataclass(frozen=True)
class Usage:
    first_day: date
    per_day: list[tuple[date, int]]
    # week[weekday][hour], Monday = 0, at the station's wall clock
    week: list[list[int]]
    total: int  # check-ins that count; remote ones are apart
    average_stay: timedelta | None
    open_reports: int
    remote: int = 0


def visits(station_ids: Select, *, since: datetime, until: datetime) -> list[Visit]:
    """Check-ins at the stations `station_ids` selects, started in [since, until)."""
    rows = db.session.execute(
        db.select(CheckIn.station_id, Station.name, Station.timezone, CheckIn.checked_in_at,
                  CheckIn.checked_out_at, CheckIn.expires_at, CheckIn.source, CheckIn.remote)
        .join(Station, Station.id == CheckIn.station_id)
        .where(CheckIn.station_id.in_(station_ids.scalar_subquery()),
               CheckIn.checked_in_at >= clock.as_utc(since),
               CheckIn.checked_in_at < clock.as_utc(until))
        .order_by(CheckIn.checked_in_at))
    found = []
    for station_id, name, zone_name, start, end, expires, source, remote in rows:
        expired = end is None or end >= expires
        if end is None and expires <= until:
            end = expires
        found.append(Visit(station_id, name, clock.local(start, zone_name),
                           clock.local(end, zone_name) if end else None, expired, source,
                           remote))
    return found


def open_report_count(station_ids: Select) -> int:
    return db.session.scalar(
        db.select(func.count(StationReport.id))
        .where(StationReport.station_id.in_(station_ids.scalar_subquery()),
               StationReport.resolved_at.is_(None))) or 0


def usage_of(station_ids: Select, *, now: datetime, days: int = DEFAULT_DAYS) -> Usage:
    """The statistics of the staff usage page over the last `days` days."""
    since = now - timedelta(days=days)
    every = visits(station_ids, since=since, until=now)
    # Remote check-ins would let a few accounts inflate the figures: counted apart.
    found = [visit for visit in every if not visit.remote]
    today = clock.today(at=now)
    first_day = today - timedelta(days=days - 1)
    by_day = Counter(visit.start.date() for visit in found)
    week = [[0] * 24 for _day in range(7)]
    for visit in found:
        week[visit.start.weekday()][visit.start.hour] += 1
    stays = [visit.stay for visit in found if visit.stay is not None]
    average = sum(stays, timedelta()) / len(stays) if stays else None
    return Usage(first_day=first_day,
                 per_day=[(first_day + timedelta(days=n), by_day.get(first_day + timedelta(days=n), 0))
                          for n in range(days)],
                 week=week, total=len(found), average_stay=average,
                 open_reports=open_report_count(station_ids), remote=len(every) - len(found))


def visits_csv(found: Sequence[Visit]) -> str:
    """One row per check-in, with a BOM; no worker is named, the counts are what staff need.
    Station names are typed by staff, so every cell goes through spreadsheets.safe_cell."""
    header = ["station_id", "station", "checked_in_at", "checked_out_at", "ended_by_expiry",
              "stay_minutes", "source", "remote"]
    return csv_text([header] + [
        [visit.station_id, visit.station_name, visit.start.isoformat(timespec="minutes"),
         visit.end.isoformat(timespec="minutes") if visit.end else "",
         "yes" if visit.expired else "no",
         round(visit.stay.total_seconds() / 60) if visit.stay else "", visit.source,
         "yes" if visit.remote else "no"]
        for visit in found])


def minutes(stay: timedelta | None) -> int | None:
    return None if stay is None else round(stay.total_seconds() / 60)


# --- SVG charts --------------------------------------------------------------------------

def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(body) + "</svg>")


def per_day_svg(per_day: list[tuple[date, int]]) -> Markup:
    """Bars, one per day, with the highest count and the first and last dates labelled."""
    width, height, bottom, left = 340, 150, 22, 4
    peak = max((count for _day, count in per_day), default=0) or 1
    step = (width - left) / max(len(per_day), 1)
    body = []
    for n, (day, count) in enumerate(per_day):
        bar = (height - bottom - 14) * count / peak
        x = left + n * step
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{height - bottom - bar:.1f}" '
            f'width="{max(step - 2, 1):.1f}" height="{bar:.1f}">'
            f'<title>{escape(format_date(day, "medium"))}: {count}</title></rect>')
    body.append(f'<line class="axis" x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}"/>')
    if per_day:
        body.append(f'<text x="{left}" y="{height - 6}">{escape(format_date(per_day[0][0], "MMMd"))}</text>')
        body.append(f'<text x="{width}" y="{height - 6}" text-anchor="end">'
                    f'{escape(format_date(per_day[-1][0], "MMMd"))}</text>')
    most = _("Most in a day: %(num)d", num=max((count for _day, count in per_day), default=0))
    body.append(f'<text x="{left}" y="11">{escape(most)}</text>')
    total = sum(count for _day, count in per_day)
    return _svg(width, height, _("Check-ins per day: %(total)d in %(days)d days",
                                 total=total, days=len(per_day)), body)


def week_svg(week: list[list[int]], weekday_names: list[str]) -> Markup:
    """A 7 × 24 grid: darker cells are busier hours of the week."""
    cell, left, top = 13, 34, 14
    width, height = left + 24 * cell, top + 7 * cell + 2
    peak = max((max(row) for row in week), default=0) or 1
    body = [f'<text x="{left + h * cell}" y="10" class="small">{h}</text>' for h in (0, 6, 12, 18)]
    for day, row in enumerate(week):
        body.append(f'<text x="0" y="{top + day * cell + 10}" class="small">{escape(weekday_names[day])}</text>')
        for hour, count in enumerate(row):
            level = 0 if count == 0 else 1 + min(4, int(4 * count / peak))
            body.append(
                f'<rect class="cell level-{level}" x="{left + hour * cell}" y="{top + day * cell}" '
                f'width="{cell - 1}" height="{cell - 1}">'
                f'<title>{escape(weekday_names[day])} {hour:02d}:00: {count}</title></rect>')
    busiest = max(((count, day, hour) for day, row in enumerate(week) for hour, count in enumerate(row)),
                  default=(0, 0, 0))
    label = _("Check-ins by hour of the week; busiest: %(day)s %(hour)02d:00 (%(num)d)",
              day=weekday_names[busiest[1]], hour=busiest[2], num=busiest[0])
    return _svg(width, height, label, body)


def heat_map(found: Sequence[Visit], stations: Sequence[Station]):
    """A folium heat map of check-ins over the stations, drawn the way rest_stations.maps
    draws its maps (configured tiles, positions shifted for Amap): Leaflet and leaflet.heat
    come from static/vendor, not folium's CDNs."""
    import folium
    from folium.plugins import HeatMap

    from rest_stations.maps import display_position, map_parts, new_map

    if not stations:
        return None
    counts = Counter(visit.station_id for visit in found)
    peak = max(counts.values(), default=0) or 1
    lats, lons = [s.lat for s in stations], [s.lon for s in stations]
    fmap = new_map((sum(lats) / len(lats), sum(lons) / len(lons)), 12)
    heat = HeatMap([(*display_position(s.lat, s.lon), counts[s.id] / peak)
                    for s in stations if counts.get(s.id)],
                   radius=30, blur=20, min_opacity=0.3)
    heat.default_js = []
    heat.add_to(fmap)
    for station in stations:
        folium.CircleMarker(display_position(station.lat, station.lon), radius=4,
                            color="#0b6b3a", weight=1, fill=True, fill_opacity=0.8).add_to(fmap)
    if len(stations) > 1:
        south, west = display_position(min(lats), min(lons))
        north, east = display_position(max(lats), max(lons))
        fmap.fit_bounds([[south, west], [north, east]], padding=(16, 16))
    return map_parts(fmap)
