"""Pages for riders: the finder (nearest list, filters, search by place, map) and a station's
own page. Each finder URL answers with the whole page, or with the fragment an htmx swap asks
for (pages.render_page_or_fragment)."""
from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from extensions import db
from pages import render_page_or_fragment
from rest_stations.display import (FILTERS, hours_badge, navigation_links, none_within_message,
                                   seats_of, station_panels)
from rest_stations.maps import stations_map
from rest_stations.models import Station
from regions import divisions
from rest_stations.place_lookup import Place, locate_place
from rest_stations.place_search import search_stations
from rest_stations.queries import NearbyStation, nearest_stations, station_hours
from rest_stations.search_params import (MAX_ID, BadParameter, amenities_param, flag_param,
                                         nearest_query, number)
from rest_stations.timetable import week_hours
from rest_stations.vocabulary import AMENITIES, KINDS, labels_now
from transactions import read_only

blueprint = Blueprint("stations", __name__, template_folder="templates")

LIST_LIMIT = 10
SEARCH_LIMIT = 20
QUERY_MAX_LENGTH = 50
# The chips shown at once; the other amenities sit behind "More filters".
MAIN_FILTERS = ("water", "charging", "toilet", "microwave", "battery_swap", "heating")
# Open stations offered instead of a closed one, or of a delisted one.
ALTERNATIVES_CLOSED, ALTERNATIVES_DELISTED = 1, 3


@dataclass
class Finder:
    """What the finder was asked and what it found, for the templates."""

    amenities: list[str] = field(default_factory=list)
    open_now: bool = False
    lat: float | None = None
    lon: float | None = None
    q: str | None = None
    place: Place | None = None  # where the geocoder put a typed place no station matched
    place_error: str | None = None
    results: list[NearbyStation] | None = None  # None: nothing asked yet
    error: str | None = None
    query_error: str | None = None
    _station_query: str | None = field(default=None, repr=False, compare=False)

    @property
    def filter_args(self) -> MultiDict:
        args = MultiDict([("amenity", code) for code in self.amenities])
        if self.open_now:
            args["open_now"] = "1"
        return args

    @property
    def filtered(self) -> bool:
        return bool(self.amenities or self.open_now)

    def url(self, endpoint: str = "stations.index", *, filters: bool = True, **values) -> str:
        """The URL of this search, to push into history, share, or ask for its map; station
        pages get it too, so their "All stations" link comes back to the same list."""
        args = self.filter_args if filters else MultiDict()
        if self.q is not None:
            args["q"] = self.q
        elif self.lat is not None:
            args["lat"] = f"{self.lat:.5f}"
            args["lon"] = f"{self.lon:.5f}"
        return url_for(endpoint, **values, **args.to_dict(flat=False))

    def station_url(self, station_id: int) -> str:
        """url("stations.detail", station_id=...) for a list's rows: the search's query
        string is encoded once per list rather than once per row."""
        if self._station_query is None:
            _path, _mark, self._station_query = self.url("stations.detail",
                                                         station_id=0).partition("?")
        path = url_for("stations.detail", station_id=station_id)
        return f"{path}?{self._station_query}" if self._station_query else path


def finder_from_link(args: MultiDict) -> Finder:
    """The list a station page was opened from (its link carries the search), without running
    it; anything unreadable is dropped, so the back link is at worst the plain finder."""
    finder = Finder()
    try:
        finder.amenities = amenities_param(args)
        finder.open_now = flag_param(args, "open_now")
    except BadParameter:
        finder.amenities, finder.open_now = [], False
    text = args.get("q", "").strip()
    if text and len(text) <= QUERY_MAX_LENGTH:
        finder.q = text
    elif args.get("lat") and args.get("lon"):
        try:
            finder.lat, finder.lon = number(args, "lat", -90, 90), number(args, "lon", -180, 180)
        except BadParameter:
            finder.lat = finder.lon = None
    return finder


def read_finder(args: MultiDict) -> tuple[Finder, int]:
    """Parse the query string and run the search it asks for; returns the finder and a status."""
    finder = Finder()
    try:
        finder.amenities = amenities_param(args)
        finder.open_now = flag_param(args, "open_now")
    except BadParameter as error:
        finder.error = error.message
        return finder, 400
    # One form sends everything: search text wins, then a position; an empty field is absent.
    text = args.get("q", "").strip()
    if text:
        finder.q = text
        if len(text) > QUERY_MAX_LENGTH:
            finder.query_error = _("Use at most %(num)d characters.", num=QUERY_MAX_LENGTH)
            return finder, 422
        finder.results = search_stations(text, limit=SEARCH_LIMIT, amenities=finder.amenities,
                                         open_now=finder.open_now)
        if not finder.results:
            nearest_to_typed_place(finder)
    elif args.get("lat", "").strip() or args.get("lon", "").strip():
        try:
            query = nearest_query(args, LIST_LIMIT, current_app.config["NEAREST_MAX_LIMIT"])
        except BadParameter:
            finder.error = _("We could not read that location. Try “Use my location” again, "
                             "or search by place.")
            return finder, 400
        finder.lat, finder.lon = query.lat, query.lon
        finder.results = nearest_stations(query.lat, query.lon, limit=query.limit,
                                          amenities=finder.amenities, open_now=finder.open_now)
    elif args.get("action") == "search":
        finder.query_error = _("Type a district, street or station name.")
        return finder, 422
    return finder, 200


def rider_city() -> str:
    """The city of the signed-in rider's home district, to scope place lookups; else ""."""
    code = getattr(current_user, "home_region_code", None) if current_user else None
    district = divisions.district(code) if code else None
    return district.city.name if district else ""


def nearest_to_typed_place(finder: Finder) -> None:
    """No station's text matched: ask the geocoder where the place is and list the stations
    nearest to it ("距 南京路 最近的驿站"). An outage leaves a message, never an error page."""
    lookup = locate_place(finder.q, city=rider_city())
    if lookup.error:
        finder.place_error = _("Looking up places is not available right now. Try a station "
                               "name, or use your location.")
        return
    if lookup.place is None:
        return
    finder.place = lookup.place
    finder.results = nearest_stations(lookup.place.lat, lookup.place.lon, limit=LIST_LIMIT,
                                      amenities=finder.amenities, open_now=finder.open_now)


def finder_context(finder: Finder) -> dict:
    taken = {hit.station.id: hit.seats_taken for hit in finder.results or []}
    return {"finder": finder, "amenities": labels_now(AMENITIES), "main_filters": MAIN_FILTERS,
            "seats": lambda station: seats_of(station, taken),
            "none_within_message": none_within_message}


@blueprint.get("/")
@read_only
def index():
    finder, status = read_finder(request.args)
    response = render_page_or_fragment("rest_stations/index.html", "rest_stations/_results.html",
                                       status=status, **finder_context(finder))
    # The form sends every field; history keeps only the ones that mean something.
    response.headers["HX-Push-Url"] = finder.url() if status == 200 else "false"
    return response


@blueprint.get("/map")
def finder_map():
    finder, status = read_finder(request.args)
    stations = [hit.station for hit in finder.results or []]
    user = (finder.lat, finder.lon) if finder.lat is not None else None
    parts = stations_map(stations, user, numbered=True) if stations or user else None
    return render_page_or_fragment("rest_stations/map.html", "rest_stations/_map.html",
                                   status=status, map=parts, back_url=finder.url())


def station_or_404(station_id: int) -> Station:
    """The station by id; ids no database column can hold are simply not found."""
    station = db.session.get(Station, station_id) if 1 <= station_id <= MAX_ID else None
    if station is None:
        abort(404)
    return station


def open_alternatives(station: Station, count: int) -> list[NearbyStation]:
    """The open stations nearest to `station` (open now if any are, else merely active)."""
    for open_now in (True, False):
        found = [hit for hit in nearest_stations(station.lat, station.lon, limit=count + 1,
                                                 open_now=open_now)
                 if hit.station.id != station.id and hit.station.status == "active"]
        if found:
            return found[:count]
    return []


@blueprint.get("/stations/<int:station_id>")
@read_only
def detail(station_id: int):
    station = station_or_404(station_id)
    came_from = finder_from_link(request.args)
    if station.status == "delisted":
        return render_template(
            "rest_stations/delisted.html", station=station, back_url=came_from.url(),
            alternatives=open_alternatives(station, ALTERNATIVES_DELISTED)), 410
    closed = station.status == "temporarily_closed"
    return render_template(
        "rest_stations/detail.html", station=station, hours=station_hours(station),
        week=week_hours(station), amenities=AMENITIES, navigation=navigation_links(station),
        kinds=KINDS, back_url=came_from.url(), panels=station_panels(),
        alternatives=open_alternatives(station, ALTERNATIVES_CLOSED) if closed else [])


@blueprint.get("/stations/<int:station_id>/map")
def detail_map(station_id: int):
    station = station_or_404(station_id)
    return render_page_or_fragment(
        "rest_stations/map.html", "rest_stations/_map.html", map=stations_map([station], zoom=16),
        back_url=url_for("stations.detail", station_id=station.id))


blueprint.add_app_template_global(hours_badge)
for _name, _filter in FILTERS.items():
    blueprint.add_app_template_filter(_filter, _name)
