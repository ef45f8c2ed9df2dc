"""Maps drawn with folium, reduced to what our pages use.

A stock folium page loads Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from
CDNs. We keep only Leaflet, served from static/vendor (copied from npm by `make vendor`),
and never render folium's page shell: the template takes the map's <div> and its script,
and gives the script the response's CSP nonce. Only circle markers and tooltips are used,
because folium's HTML popups need jQuery and its marker icons need Font Awesome.
"""
from collections.abc import Sequence
from dataclasses import dataclass

import folium
from flask import current_app
from markupsafe import Markup, escape

from rest_stations.models import Station

STATION_COLOUR = "#0b6b3a"
USER_COLOUR = "#0b4fb3"


@dataclass(frozen=True)
class MapParts:
    html: Markup  # the map's container <div>
    script: Markup  # JavaScript that draws it; needs Leaflet loaded first


def _tooltip_text(text: str) -> str:
    # folium puts tooltips inside a JavaScript template literal without escaping it.
    return str(escape(text)).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def stations_map(stations: Sequence[Station], user_position: tuple[float, float] | None = None,
                 *, zoom: int = 15) -> MapParts:
    """A map of the stations, and of the rider's position when known, fitted to show them all."""
    points = [(station.lat, station.lon) for station in stations]
    if user_position:
        points.append(user_position)
    centre = points[0] if points else (39.9042, 116.4074)
    fmap = folium.Map(location=centre, zoom_start=zoom, tiles=None, control_scale=False,
                      prefer_canvas=False)
    # The class attributes point at CDNs; an empty list per instance drops them all.
    fmap.default_js = []
    fmap.default_css = []
    folium.TileLayer(tiles=current_app.config["MAP_TILES_URL"],
                     attr=current_app.config["MAP_TILES_ATTRIBUTION"],
                     max_zoom=19).add_to(fmap)
    for station in stations:
        folium.CircleMarker(
            (station.lat, station.lon), radius=9, color="#ffffff", weight=2, fill=True,
            fill_color=STATION_COLOUR, fill_opacity=1.0,
            tooltip=folium.Tooltip(_tooltip_text(station.name), sticky=False),
        ).add_to(fmap)
    if user_position:
        folium.CircleMarker(user_position, radius=8, color="#ffffff", weight=3, fill=True,
                            fill_color=USER_COLOUR, fill_opacity=1.0).add_to(fmap)
    if len(points) > 1:
        south, west = min(p[0] for p in points), min(p[1] for p in points)
        north, east = max(p[0] for p in points), max(p[1] for p in points)
        fmap.fit_bounds([[south, west], [north, east]], padding=(24, 24), max_zoom=zoom + 2)
    figure = fmap.get_root()
    figure.render()
    return MapParts(html=Markup(figure.html.render().strip()),
                    script=Markup(figure.script.render().strip()))
