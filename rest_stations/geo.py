"""Distances on the WGS-84 ellipsoid, and the boxes that are sure to contain a circle.

The nearest search ranks by exact geodesic distance (geographiclib, as geopy does), but
pre-sorts candidates with the much cheaper spherical distance. On the mean-radius sphere the
two differ by at most 0.56 % (short north-south hops at the equator, where the ellipsoid is
flattest, and near the poles); the bounds below leave a little room beyond that, and
tests/rest_stations/test_geo.py checks them.
"""
import math
from dataclasses import dataclass

from geographiclib.geodesic import Geodesic

EARTH_MEAN_RADIUS_M = 6_371_008.8
# SPHERE_LOWER_BOUND * spherical <= geodesic <= SPHERE_UPPER_BOUND * spherical, for any
# two points on the WGS-84 ellipsoid.
SPHERE_LOWER_BOUND = 0.994
SPHERE_UPPER_BOUND = 1.006
HALF_EQUATOR_M = 20_037_509.0

_WGS84 = Geodesic.WGS84


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres; the same number geopy.distance.geodesic gives."""
    return _WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]


WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
# Lambert's formula is within this fraction of the geodesic distance below
# LAMBERT_TRUSTED_BELOW_M (measured worst: 2.2e-5, near the antipode); tests check it.
LAMBERT_RELATIVE_ERROR = 1e-4
LAMBERT_TRUSTED_BELOW_M = 19_000_000.0


def lambert_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Lambert's ellipsoidal distance: 35 times cheaper than the geodesic, and close to it."""
    beta1 = math.atan((1 - WGS84_F) * math.tan(math.radians(lat1)))
    beta2 = math.atan((1 - WGS84_F) * math.tan(math.radians(lat2)))
    h = (math.sin((beta2 - beta1) / 2) ** 2
         + math.cos(beta1) * math.cos(beta2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    sigma = 2 * math.asin(min(1.0, math.sqrt(h)))
    if sigma == 0.0:
        return 0.0
    p, q = (beta1 + beta2) / 2, (beta2 - beta1) / 2
    x = (sigma - math.sin(sigma)) * (math.sin(p) * math.cos(q)) ** 2 / math.cos(sigma / 2) ** 2
    y = (sigma + math.sin(sigma)) * (math.cos(p) * math.sin(q)) ** 2 / math.sin(sigma / 2) ** 2
    return WGS84_A * (sigma - WGS84_F / 2 * (x + y))


def spherical_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres on the mean-radius sphere."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Box:
    """A latitude range with one or two longitude ranges (two when it crosses ±180°)."""

    min_lat: float
    max_lat: float
    lon_ranges: tuple[tuple[float, float], ...]

    @property
    def covers_all_longitudes(self) -> bool:
        return self.lon_ranges == ((-180.0, 180.0),)


def box_around(lat: float, lon: float, radius_m: float) -> Box:
    """A box holding every point within geodesic `radius_m` of (lat, lon)."""
    angular = radius_m / SPHERE_LOWER_BOUND / EARTH_MEAN_RADIUS_M
    if angular >= math.pi:
        return Box(-90.0, 90.0, ((-180.0, 180.0),))
    phi = math.radians(lat)
    min_phi, max_phi = phi - angular, phi + angular
    if min_phi <= -math.pi / 2 or max_phi >= math.pi / 2:
        # The circle holds a pole, so it spans every longitude.
        return Box(
            max(-90.0, math.degrees(min_phi)),
            min(90.0, math.degrees(max_phi)),
            ((-180.0, 180.0),),
        )
    dlon = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(phi))))
    min_lat, max_lat = math.degrees(min_phi), math.degrees(max_phi)
    west, east = lon - dlon, lon + dlon
    if dlon >= 180.0:
        return Box(min_lat, max_lat, ((-180.0, 180.0),))
    if west < -180.0:
        return Box(min_lat, max_lat, ((west + 360.0, 180.0), (-180.0, east)))
    if east > 180.0:
        return Box(min_lat, max_lat, ((west, 180.0), (-180.0, east - 360.0)))
    return Box(min_lat, max_lat, ((west, east),))



# Grid levels of the spatial index: cells of 0.1°, 0.5° and 2.5° (about 11, 55 and 280 km).
CELL_LEVELS = {"fine": 10, "mid": 2, "coarse": 0.4}  # cells per degree
_CELL_ROW_STRIDE = 10_000  # more than the 3,600 columns of the finest level


def cell_id(lat: float, lon: float, cells_per_degree: float) -> int:
    row = math.floor(lat * cells_per_degree)
    column = math.floor(lon * cells_per_degree)
    return row * _CELL_ROW_STRIDE + column


def position_columns(lat: float, lon: float) -> dict[str, float | int]:
    """The derived columns the spatial index stores for a position: a unit vector on the
    sphere (for exact spherical distances in SQL) and the cell at each grid level."""
    phi, lmb = math.radians(lat), math.radians(lon)
    columns: dict[str, float | int] = {
        "x": math.cos(phi) * math.cos(lmb),
        "y": math.cos(phi) * math.sin(lmb),
        "z": math.sin(phi),
    }
    for level, cells_per_degree in CELL_LEVELS.items():
        columns[f"cell_{level}"] = cell_id(lat, lon, cells_per_degree)
    return columns


def chord_squared(spherical_radius_m: float) -> float:
    """Squared straight-line distance between unit vectors that are this far apart."""
    angle = min(math.pi, spherical_radius_m / EARTH_MEAN_RADIUS_M)
    return (2 * math.sin(angle / 2)) ** 2


def spherical_from_chord_squared(value: float) -> float:
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(max(0.0, value)) / 2))


def cells_covering(lat: float, lon: float, spherical_radius_m: float,
                   cells_per_degree: float, max_cells: int | None = None) -> list[int] | None:
    """Ids of the cells, at one grid level, that a spherical circle touches; None when
    there would be more than max_cells."""
    angular = spherical_radius_m / EARTH_MEAN_RADIUS_M
    south = max(-90.0, lat - math.degrees(angular))
    north = min(90.0, lat + math.degrees(angular))
    if max_cells is not None:
        # Cheap early refusal: a circle spans at least its height in cells each way.
        span = (north - south) * cells_per_degree
        if (span - 1) * (span - 1) * 0.7 > max_cells:
            return None
    first_row = math.floor(south * cells_per_degree)
    last_row = math.floor(min(north, 89.999999) * cells_per_degree)
    phi0 = math.radians(lat)
    widest = (math.asin(max(-1.0, min(1.0, math.sin(phi0) / math.cos(angular))))
              if math.cos(angular) > 1e-12 else phi0)
    columns_around = round(360 * cells_per_degree)
    west_column = math.floor(-180 * cells_per_degree)
    cells = []
    for row in range(first_row, last_row + 1):
        low = math.radians(max(south, row / cells_per_degree))
        high = math.radians(min(north, (row + 1) / cells_per_degree))
        # The span is largest at the widest latitude if the row holds it, else at an edge.
        half = max(_half_width_deg(phi0, angular, phi)
                   for phi in (low, high, min(max(widest, low), high))) + 1e-7
        if half >= 180.0:
            columns = range(west_column, west_column + columns_around)
        else:
            columns = range(math.floor((lon - half) * cells_per_degree),
                            math.floor((lon + half) * cells_per_degree) + 1)
        if max_cells is not None and len(cells) + len(columns) > max_cells:
            return None
        for column in columns:
            # Wrap across ±180° onto the columns that exist.
            wrapped = (column - west_column) % columns_around + west_column
            cells.append(row * _CELL_ROW_STRIDE + wrapped)
    return sorted(set(cells))


def _half_width_deg(phi0: float, angular: float, phi: float) -> float:
    """Half the longitude span of a spherical cap at latitude phi (radians in, degrees out)."""
    denominator = math.cos(phi0) * math.cos(phi)
    if denominator <= 1e-12:
        return 180.0
    t = (math.cos(angular) - math.sin(phi0) * math.sin(phi)) / denominator
    if t <= -1.0:
        return 180.0
    if t >= 1.0:
        return 0.0
    return math.degrees(math.acos(t))
