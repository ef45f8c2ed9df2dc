"""The facts the nearest engine leans on: geodesic distances, sphere vs ellipsoid, the nested
grid, and the bounds on distances to its cells."""
import math
import random
from types import SimpleNamespace

import pytest
from geographiclib.geodesic import Geodesic
from geopy.distance import geodesic as geopy_geodesic
from pyproj import Geod

from rest_stations import postgis
from rest_stations.geo import (
    CELL_LEVELS,
    EARTH_MEAN_RADIUS_M,
    SPHERE_LOWER_BOUND,
    SPHERE_UPPER_BOUND,
    cell_bounds,
    cell_id,
    cell_size_deg,
    cells_covering,
    ecef_m,
    finest_cells_per_cell,
    geodesic_at_least_m,
    geodesic_m,
    geodesic_many_m,
    spherical_beyond_cell_m,
    spherical_m,
    spherical_to_cell_m,
    sphere_lower_bound,
)
from tests.rest_stations.test_queries import brute_force

SPHERE = Geodesic(EARTH_MEAN_RADIUS_M, 0)
SPHERE_GEOD = Geod(a=EARTH_MEAN_RADIUS_M, f=0)


def point_pairs(count, seed):
    rng = random.Random(seed)
    # The extremes: north-south hops at the equator and near the poles, and near-antipodes.
    yield 0.0, 10.0, 0.01, 10.0
    yield 89.9, 10.0, 89.99, 10.0
    yield -0.005, 0.0, 0.005, 0.0
    yield 0.0, 0.0, 0.5, 179.7
    yield 30.0, 120.0, -30.0, -60.0
    for _ in range(count):
        lat1, lon1 = rng.uniform(-90, 90), rng.uniform(-180, 180)
        lat2, lon2 = rng.uniform(-90, 90), rng.uniform(-180, 180)
        if rng.random() < 0.5:  # many short hops too
            lat2, lon2 = lat1 + rng.uniform(-0.5, 0.5), lon1 + rng.uniform(-0.5, 0.5)
            lat2 = max(-90, min(90, lat2))
        yield lat1, lon1, lat2, lon2


def test_geodesic_is_the_distance_geopy_gives():
    for lat1, lon1, lat2, lon2 in point_pairs(5000, seed=10):
        expected = geopy_geodesic((lat1, lon1), (lat2, lon2)).meters
        assert geodesic_m(lat1, lon1, lat2, lon2) == pytest.approx(expected, abs=1e-6)


def test_many_geodesics_at_once_are_the_distances_geopy_gives():
    pairs = list(point_pairs(2000, seed=12))
    for lat, lon in [(39.1335, 117.2081), (-89.9, 0.0), (0.0, -179.99)]:
        found = geodesic_many_m(lat, lon, [p[2] for p in pairs], [p[3] for p in pairs])
        for (_, _, lat2, lon2), distance in zip(pairs, found):
            assert distance == pytest.approx(geopy_geodesic((lat, lon), (lat2, lon2)).meters,
                                             abs=1e-6)
    assert geodesic_many_m(0.0, 0.0, [], []) == []


def test_the_brute_force_oracle_ranks_as_geopy_does():
    """test_queries.py's vectorised oracle, held to a plain geopy loop."""
    rng = random.Random(13)
    stations = [SimpleNamespace(id=number, lat=rng.uniform(-90, 90), lon=rng.uniform(-180, 180))
                for number in range(600)]
    stations += [SimpleNamespace(id=1000 + number, lat=39.9 + rng.gauss(0, 0.05),
                                 lon=116.4 + rng.gauss(0, 0.05)) for number in range(200)]
    for lat, lon in [(39.9, 116.4), (-89.9, 0.0), (0.0, -179.99), (30.0, -40.0)]:
        for within_m in (math.inf, 3_000_000.0):
            expected = sorted((geopy_geodesic((lat, lon), (s.lat, s.lon)).meters, s.id)
                              for s in stations)
            expected = [pair for pair in expected if pair[0] <= within_m][:25]
            found = brute_force(stations, lat, lon, 25, within_m=within_m)
            assert [station_id for _, station_id in found] == [i for _, i in expected]
            assert [d for d, _ in found] == pytest.approx([d for d, _ in expected], abs=1e-6)
    odd = brute_force(stations, 39.9, 116.4, 5, accept=lambda s: s.id % 2)
    assert odd and all(station_id % 2 for _, station_id in odd)


def test_geodesic_stays_within_the_spherical_bounds():
    for lat1, lon1, lat2, lon2 in point_pairs(20000, seed=11):
        spherical = spherical_m(lat1, lon1, lat2, lon2)
        geodesic = geodesic_m(lat1, lon1, lat2, lon2)
        assert SPHERE_LOWER_BOUND * spherical - 1e-6 <= geodesic <= SPHERE_UPPER_BOUND * spherical + 1e-6


def test_the_local_sphere_bound_holds_and_is_tighter_away_from_the_equator():
    for lat1, lon1, lat2, lon2 in point_pairs(20000, seed=14):
        spherical = spherical_m(lat1, lon1, lat2, lon2)
        geodesic = geodesic_m(lat1, lon1, lat2, lon2)
        # Any bound from at least the true distance must hold.
        for within in (geodesic, geodesic * 1.5 + 1):
            assert geodesic >= sphere_lower_bound(lat1, within) * spherical - 1e-6
    assert sphere_lower_bound(0.0, 1.0) == pytest.approx(0.99441, abs=1e-5)
    assert sphere_lower_bound(39.9, 10_000) > 0.9977
    assert sphere_lower_bound(39.9, 20_000_000) == sphere_lower_bound(0.0, 1.0)
    assert SPHERE_LOWER_BOUND <= sphere_lower_bound(0.0, 0.0)


def test_the_chord_bounds_the_geodesic_from_below_and_closely():
    # The PostgreSQL search's proof (postgis.CHORD_SLACK_M): no station whose straight-line
    # distance is beyond the last one fetched can be nearer on the ellipsoid.
    from pyproj import Transformer

    to_ecef = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    for lat1, lon1, lat2, lon2 in point_pairs(20000, seed=23):
        first, second = ecef_m(lat1, lon1), ecef_m(lat2, lon2)
        chord = math.dist(first, second)
        geodesic = geodesic_m(lat1, lon1, lat2, lon2)
        assert chord <= geodesic_at_least_m(chord) <= geodesic + postgis.CHORD_SLACK_M
        if geodesic <= 1_000_000:  # the search's bound: g - c is about g³/24R², at most
            # a kilometre (R the smallest radius of curvature, 6,335 km).
            assert geodesic - chord <= geodesic ** 3 / (24 * 6_335_000 ** 2) * 1.01 + 1e-6
        elif geodesic <= 5_000_000:  # beyond it, the inner sphere's bound: within 0.4 %
            assert geodesic_at_least_m(chord) >= 0.996 * geodesic
        else:  # and within 5 % up to the antipodes (an unbounded search)
            assert geodesic_at_least_m(chord) >= 0.95 * geodesic
    # The same positions PROJ gives for EPSG:4978 (WGS-84 geocentric).
    for lat, lon in [(39.9, 116.4), (-17.0, 179.5), (0.0, 0.0), (89.99, -45.0)]:
        assert ecef_m(lat, lon) == pytest.approx(to_ecef.transform(lon, lat, 0.0), abs=1e-6)


def _inside(bounds, lat, lon):
    south, north, west, east = bounds
    return south - 1e-9 <= lat <= north + 1e-9 and west - 1e-9 <= lon <= east + 1e-9


def random_positions(count, seed):
    rng = random.Random(seed)
    # Cell edges, the equator, 0° and ±180° too, where rounding and negative numbers bite.
    yield from [(0.0, 0.0), (-0.02, -0.02), (-2.5, -2.5), (2.5, 177.5), (-89.99, -180.0),
                (89.99, 179.999999), (39.1335, 117.2081), (-0.000001, -0.000001)]
    for _ in range(count):
        yield round(rng.uniform(-89.99, 89.99), 6), round(rng.uniform(-180, 179.999999), 6)


def test_every_cell_holds_its_positions_and_its_finest_cells_are_one_range():
    for lat, lon in random_positions(20000, seed=3):
        finest = cell_id(lat, lon)
        for level in CELL_LEVELS:
            cell = cell_id(lat, lon, level)
            assert _inside(cell_bounds(cell, level), lat, lon), (lat, lon, level)
            span = finest_cells_per_cell(level)
            assert cell * span <= finest < (cell + 1) * span, (lat, lon, level)


def test_neighbouring_cells_have_distinct_ids_at_every_level():
    for level in CELL_LEVELS:
        size = cell_size_deg(level)
        seen = {}
        for row in range(-3, 3):
            for column in list(range(-3, 3)) + list(range(round(180 / size) - 3, round(180 / size))):
                lat, lon = (row + 0.5) * size, (column + 0.5) * size
                cell = cell_id(lat, lon, level)
                assert seen.setdefault(cell, (row, column)) == (row, column), (level, row, column)


def test_cells_cover_every_point_on_their_circle():
    rng = random.Random(6)
    azimuths = list(range(0, 360, 5))
    for _ in range(400):
        lat, lon = rng.uniform(-89, 89), rng.uniform(-180, 180)
        radius = 10 ** rng.uniform(2, 7.3)
        # The points at this spherical distance, found on a sphere-sized ellipsoid (PROJ's
        # geodesic, checked against geographiclib's in test_sphere_geod_is_geographiclibs).
        end_lons, end_lats, _ = SPHERE_GEOD.fwd([lon] * len(azimuths), [lat] * len(azimuths),
                                                azimuths, [radius] * len(azimuths))
        for level in CELL_LEVELS:
            cells = cells_covering(lat, lon, radius, level, max_cells=20000)
            if cells is None:
                continue
            cells = set(cells)
            for azimuth, end_lat, end_lon in zip(azimuths, end_lats, end_lons):
                assert cell_id(end_lat, end_lon, level) in cells, (
                    lat, lon, radius, azimuth, level)


def test_sphere_geod_is_geographiclibs():
    rng = random.Random(7)
    for _ in range(200):
        lat, lon = rng.uniform(-89, 89), rng.uniform(-180, 180)
        azimuth, radius = rng.uniform(0, 360), 10 ** rng.uniform(2, 7.3)
        end = SPHERE.Direct(lat, lon, azimuth, radius)
        end_lon, end_lat, _ = SPHERE_GEOD.fwd(lon, lat, azimuth, radius)
        assert end_lat == pytest.approx(end["lat2"], abs=1e-9)
        assert math.remainder(end_lon - end["lon2"], 360) == pytest.approx(0, abs=1e-9)


def _points_in(bounds, rng, count):
    south, north, west, east = bounds
    corners = [(south, west), (south, east), (north, west), (north, east)]
    edges = [(south, rng.uniform(west, east)), (north, rng.uniform(west, east)),
             (rng.uniform(south, north), west), (rng.uniform(south, north), east)]
    inside = [(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(count)]
    return [(lat, lon) for lat, lon in corners + edges + inside if -90 <= lat <= 90]


def test_distance_bounds_hold_for_every_point_of_a_cell():
    rng = random.Random(8)
    for _ in range(3000):
        lat, lon = rng.uniform(-89.9, 89.9), rng.uniform(-180, 180)
        level = rng.choice(CELL_LEVELS)
        # Cells nearby, far away and around the globe.
        spread = rng.choice([0.05, 1.0, 20.0, 180.0])
        cell = cell_id(max(-89.99, min(89.99, lat + rng.uniform(-spread, spread))),
                       (lon + rng.uniform(-spread, spread) + 180) % 360 - 180, level)
        nearest = spherical_to_cell_m(lat, lon, cell, level)
        furthest = spherical_beyond_cell_m(lat, lon, cell, level)
        distances = [spherical_m(lat, lon, *point)
                     for point in _points_in(cell_bounds(cell, level), rng, 20)]
        assert nearest <= min(distances), (lat, lon, cell, level)
        assert furthest >= max(distances), (lat, lon, cell, level)


def test_distance_to_a_cell_is_tight():
    """The lower bound is the true distance (less 1 m), not merely a safe one."""
    rng = random.Random(9)
    for _ in range(500):
        lat, lon = rng.uniform(-60, 60), rng.uniform(-180, 180)
        cell = cell_id(lat + rng.uniform(-3, 3), lon + rng.uniform(-3, 3), "fine")
        south, north, west, east = cell_bounds(cell, "fine")
        samples = [(south + (north - south) * i / 200, west + (east - west) * j / 200)
                   for i in range(201) for j in range(201) if i in (0, 200) or j in (0, 200)]
        closest = min(spherical_m(lat, lon, *point) for point in samples)
        if _inside((south, north, west, east), lat, lon):
            closest = 0.0
        assert spherical_to_cell_m(lat, lon, cell, "fine") == pytest.approx(
            max(0.0, closest - 1.0), abs=5.0)
