"""The bounds the nearest engine leans on: sphere vs ellipsoid, and boxes around circles."""
import random

from geographiclib.geodesic import Geodesic

from rest_stations.geo import SPHERE_LOWER_BOUND, box_around, geodesic_m, spherical_m


def test_geodesic_is_never_below_the_spherical_lower_bound():
    rng = random.Random(11)
    for _ in range(5000):
        lat1, lon1 = rng.uniform(-90, 90), rng.uniform(-180, 180)
        lat2, lon2 = rng.uniform(-90, 90), rng.uniform(-180, 180)
        if rng.random() < 0.5:  # many short hops too
            lat2, lon2 = lat1 + rng.uniform(-0.5, 0.5), lon1 + rng.uniform(-0.5, 0.5)
            lat2 = max(-90, min(90, lat2))
        assert geodesic_m(lat1, lon1, lat2, lon2) >= SPHERE_LOWER_BOUND * spherical_m(lat1, lon1, lat2, lon2) - 1e-6


def _inside(box, lat, lon):
    if not box.min_lat - 1e-9 <= lat <= box.max_lat + 1e-9:
        return False
    return any(west - 1e-9 <= lon <= east + 1e-9 for west, east in box.lon_ranges)


def test_box_holds_every_point_on_its_circle():
    rng = random.Random(5)
    for _ in range(300):
        lat, lon = rng.uniform(-89, 89), rng.uniform(-180, 180)
        radius = 10 ** rng.uniform(2, 7)
        box = box_around(lat, lon, radius)
        for azimuth in range(0, 360, 10):
            end = Geodesic.WGS84.Direct(lat, lon, azimuth, radius)
            assert _inside(box, end["lat2"], end["lon2"]), (lat, lon, radius, azimuth)
