"""Maps drawn with folium, reduced to what our pages use.

A stock folium page loads Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from
CDNs. We keep only Leaflet, served from static/vendor (copied from npm by `make vendor`),
and never render folium's page shell: the template takes the map's <div> and its script,
and gives the script the response's CSP nonce. Only circle markers, numbered div markers
and tooltips are used, because folium's HTML popups need jQuery and its marker icons need
Font Awesome.

Tiles come from MAP_TILES (config.MAP_PROVIDERS): OpenStreetMap, 天地图 (with its label
layer) or Amap. Amap draws in GCJ-02, so every marker and the rider's position are shifted
with china_datums for display; stored positions stay WGS-84. The attribution reads
"Leaflet | <provider>", with a plain "Leaflet" prefix (Leaflet's default carries a flag).
"""
from collections.abc import Sequence
from dataclasses import dataclass

import folium
from flask import current_app
from markupsafe import Markup, escape

from china_datums import wgs84_to_gcj02
from rest_stations.models import Station

STATION_COLOUR = "#0b6b3a"
USER_COLOUR = "#0b4fb3"
LEAFLET_PREFIX = '<a href="https://leafletjs.com/">Leaflet</a>'


@dataclass(frozen=True)
class MapParts:
    html: Markup  # the map's container <div>
    script: Markup  # JavaScript that draws it; needs Leaflet loaded first


def _tooltip_text(text: str) -> str:
    # folium puts tooltips inside a JavaScript template literal without escaping it.
    return str(escape(text)).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def display_position(lat: float, lon: float) -> tuple[float, float]:
    """Where a WGS-84 position is drawn on the configured tiles (shifted on Amap's GCJ-02)."""
    if current_app.config.get("MAP_COORDINATES") == "gcj02":
        return wgs84_to_gcj02(lat, lon)
    return lat, lon


def new_map(centre: tuple[float, float], zoom: int) -> folium.Map:
    """A folium map without CDN assets, on the configured tiles (and label layer)."""
    fmap = folium.Map(location=display_position(*centre), zoom_start=zoom, tiles=None,
                      control_scale=False, prefer_canvas=False)
    # The class attributes point at CDNs; an empty list per instance drops them all.
    fmap.default_js = []
    fmap.default_css = []
    config = current_app.config
    folium.TileLayer(tiles=config["MAP_TILES_URL"], attr=config["MAP_TILES_ATTRIBUTION"],
                     max_zoom=18 if config.get("MAP_TILES") != "osm" else 19).add_to(fmap)
    if config.get("MAP_TILES_LABELS_URL"):
        # The same attribution text: Leaflet shows it once.
        folium.TileLayer(tiles=config["MAP_TILES_LABELS_URL"],
                         attr=config["MAP_TILES_ATTRIBUTION"], overlay=True,
                         control=False, max_zoom=18).add_to(fmap)
    return fmap


def map_parts(fmap: folium.Map, pin: bool = False) -> MapParts:
    """The map's <div> and its script, with the plain "Leaflet" attribution prefix. `pin`
    keeps Leaflet's own marker image (the station editor's draggable pin)."""
    figure = fmap.get_root()
    figure.render()
    prefix = f"{fmap.get_name()}.attributionControl.setPrefix({LEAFLET_PREFIX!r});"
    # folium adds a marker with Leaflet's default image icon before it sets ours (a number,
    # a dot): markers start as (empty) div icons instead, except the editor's pin.
    no_images = "" if pin else \
        'L.Marker.prototype.options.icon = L.divIcon({className: "station-marker"});\n'
    return MapParts(html=Markup(figure.html.render().strip()),
                    script=Markup(no_images + figure.script.render().strip() + "\n" + prefix))


def _number_icon(number: int, station_id: int) -> folium.DivIcon:
    # A link to the list row with the same number: tapping the marker scrolls there.
    # 44 px to tap, a smaller disc to see (static/css/site.css).
    return folium.DivIcon(
        html=(f'<a class="marker-number" href="#station-row-{int(station_id)}">'
              f'<span>{int(number)}</span></a>'),
        icon_size=(44, 44), icon_anchor=(22, 22), class_name="station-marker")


def stations_map(stations: Sequence[Station], user_position: tuple[float, float] | None = None,
                 *, zoom: int = 15, numbered: bool = False) -> MapParts:
    """A map of the stations, and of the rider's position when known, fitted to show them all.
    `numbered` draws each station as its number in the list, linked to that row."""
    points = [display_position(station.lat, station.lon) for station in stations]
    user = display_position(*user_position) if user_position else None
    fmap = new_map((stations[0].lat, stations[0].lon) if stations
                   else user_position or (39.9042, 116.4074), zoom)
    for number, (station, point) in enumerate(zip(stations, points), start=1):
        tooltip = folium.Tooltip(_tooltip_text(f"{number}. {station.name}" if numbered
                                               else station.name), sticky=False)
        if numbered:
            folium.Marker(point, icon=_number_icon(number, station.id),
                          tooltip=tooltip).add_to(fmap)
        else:
            folium.CircleMarker(point, radius=9, color="#ffffff", weight=2, fill=True,
                                fill_color=STATION_COLOUR, fill_opacity=1.0,
                                tooltip=tooltip).add_to(fmap)
    if user:
        folium.CircleMarker(user, radius=8, color="#ffffff", weight=3, fill=True,
                            fill_color=USER_COLOUR, fill_opacity=1.0).add_to(fmap)
        points.append(user)
    if len(points) > 1:
        south, west = min(p[0] for p in points), min(p[1] for p in points)
        north, east = max(p[0] for p in points), max(p[1] for p in points)
        fmap.fit_bounds([[south, west], [north, east]], padding=(24, 24), max_zoom=zoom + 2)
    return map_parts(fmap)
