"""The pick-a-point map of the station editor: folium on our vendored Leaflet, like
rest_stations.maps, with one draggable marker. static/js/station_admin.js keeps the marker
and the latitude/longitude fields in step."""
import folium
from flask import current_app

from rest_stations.maps import MapParts
from markupsafe import Markup

# Where a new station's pin starts when nothing is known yet: Tianjin's centre.
DEFAULT_CENTRE = (39.1335, 117.2081)


def pick_map(lat: float | None, lon: float | None) -> MapParts:
    known = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
    centre = (lat, lon) if known else DEFAULT_CENTRE
    fmap = folium.Map(location=centre, zoom_start=17 if known else 11, tiles=None,
                      control_scale=True)
    fmap.default_js = []
    fmap.default_css = []
    folium.TileLayer(tiles=current_app.config["MAP_TILES_URL"],
                     attr=current_app.config["MAP_TILES_ATTRIBUTION"], max_zoom=19).add_to(fmap)
    folium.Marker(centre, draggable=True).add_to(fmap)
    figure = fmap.get_root()
    figure.render()
    return MapParts(html=Markup(figure.html.render().strip()),
                    script=Markup(figure.script.render().strip()))
