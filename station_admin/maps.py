"""The pick-a-point map of the station editor: folium on our vendored Leaflet, on the same
tiles as rest_stations.maps, with one draggable marker. static/js/station_admin.js keeps the
marker and the latitude/longitude fields in step. On Amap's tiles (MAP_COORDINATES =
"gcj02") the map and the pin are drawn in GCJ-02, like the finder's markers, and the script
turns a dragged pin back into WGS-84 before it fills the fields: what is stored stays GPS."""
import folium

from rest_stations.maps import MapParts, display_position, map_parts, new_map

# Where a new station's pin starts when nothing is known yet: Tianjin's centre.
DEFAULT_CENTRE = (39.1335, 117.2081)


def pick_map(lat: float | None, lon: float | None) -> MapParts:
    known = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
    centre = (lat, lon) if known else DEFAULT_CENTRE
    fmap = new_map(centre, zoom=17 if known else 11)
    fmap.control_scale = True  # staff judge the distance to the door
    folium.Marker(display_position(*centre), draggable=True).add_to(fmap)
    return map_parts(fmap, pin=True)
