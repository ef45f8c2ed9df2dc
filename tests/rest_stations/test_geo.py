"""The bounds the nearest engine leans on: sphere vs ellipsoid, and boxes around circles."""
import random

from geographiclib.geodesic import Geodesic

from rest_stations.geo import EARTH_MEAN_RADIUS_M

from rest_stations.geo import (
    SPHERE_LOWER_BOUND,
    SPHERE_UPPER_BOUND,
    CELL_LEVELS,
    cell_id,
    cells_covering,
    box_around,
    LAMBERT_RELATIVE_ERROR,
    LAMBERT_TRUSTED_BELOW_M,
    geodesic_m,
    lambert_m,
    spherical_m,
)


SPHERE = Geodesic(EARTH_MEAN_RADIUS_M, 0)


def point_pairs(count, seed):
    rng = random.Random(seed)
    # The extremes: north-south hops at the equator and near the poles.
    yield 0.0, 10.0, 0.01, 10.0
    yield 89.9, 10.0, 89.99, 10.0
    yield -0.005, 0.0, 0.005, 0.0
    for _ in range(count):
        lat1, lon1 = rng.uniform(-90, 90), rng.uniform(-180, 180)
        lat2, lon2 = rng.uniform(-90, 90), rng.uniform(-180, 180)
        if rng.random() < 0.5:  # many short hops too
            lat2, lon2 = lat1 + rng.uniform(-0.5, 0.5), lon1 + rng.uniform(-0.5, 0.5)
            lat2 = max(-90, min(90, lat2))
        yield lat1, lon1, lat2, lon2


def test_geodesic_stays_within_the_spherical_bounds():
    for lat1, lon1, lat2, lon2 in point_pairs(20000, seed=11):
        spherical = spherical_m(lat1, lon1, lat2, lon2)
        geodesic = geodesic_m(lat1, lon1, lat2, lon2)
        assert SPHERE_LOWER_BOUND * spherical - 1e-6 <= geodesic <= SPHERE_UPPER_BOUND * spherical + 1e-6


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


def test_cells_cover_every_point_on_their_circle():
    rng = random.Random(6)
    for _ in range(400):
        lat, lon = rng.uniform(-89, 89), rng.uniform(-180, 180)
        radius = 10 ** rng.uniform(2, 7.3)
        for cells_per_degree in CELL_LEVELS.values():
            cells = cells_covering(lat, lon, radius, cells_per_degree, max_cells=20000)
            if cells is None:
                continue
            cells = set(cells)
            for azimuth in range(0, 360, 5):
                # A point at this spherical distance, found on a sphere-sized ellipsoid.
                end = SPHERE.Direct(lat, lon, azimuth, radius)
                assert cell_id(end["lat2"], end["lon2"], cells_per_degree) in cells, (
                    lat, lon, radius, azimuth, cells_per_degree)


def test_lambert_distance_stays_within_its_stated_error():
    for lat1, lon1, lat2, lon2 in point_pairs(20000, seed=12):
        geodesic = geodesic_m(lat1, lon1, lat2, lon2)
        rough = lambert_m(lat1, lon1, lat2, lon2)
        if rough < LAMBERT_TRUSTED_BELOW_M:
            assert abs(rough - geodesic) <= LAMBERT_RELATIVE_ERROR * geodesic + 1e-6
