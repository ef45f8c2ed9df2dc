"""Distances on the WGS-84 ellipsoid, and the grid cells that are sure to cover a circle.

The nearest search ranks by exact geodesic distance (Karney's algorithm, as geopy does), but
pre-sorts candidates with the much cheaper spherical distance. On the mean-radius sphere the
two differ by at most 0.56 % (short north-south hops at the equator, where the ellipsoid is
flattest, and near the poles); the bounds below leave a little room beyond that, and
tests/rest_stations/test_geo.py checks them.
"""
import functools
import math
from array import array
from collections.abc import Sequence

from pyproj import Geod

EARTH_MEAN_RADIUS_M = 6_371_008.8
# SPHERE_LOWER_BOUND * spherical <= geodesic <= SPHERE_UPPER_BOUND * spherical, for any
# two points on the WGS-84 ellipsoid.
SPHERE_LOWER_BOUND = 0.994
SPHERE_UPPER_BOUND = 1.006
HALF_EQUATOR_M = 20_037_509.0

# WGS-84's semi-major axis and squared eccentricity, for the meridional radius of curvature
# (migration 0018 and postgis.py compute Earth-centred positions and bounds in SQL from the
# same constants).
WGS84_A = 6_378_137.0
WGS84_E2 = 0.0066943799901413165
WGS84_B = WGS84_A * math.sqrt(1 - WGS84_E2)  # the semi-minor axis
MERIDIONAL_RADIUS_AT_EQUATOR_M = WGS84_A * (1 - WGS84_E2)
# What the bound gives up for floating-point rounding.
SPHERE_BOUND_SLACK = 1e-9


def sphere_lower_bound(lat: float, within_m: float) -> float:
    """A factor f such that geodesic >= f x spherical distance between (lat, any lon) and
    any point less than within_m away on the ellipsoid: tighter than SPHERE_LOWER_BOUND away
    from the equator (0.9977 instead of 0.994 in Beijing), so fewer candidates prove a search.

    Treating the sphere's lat/lon as the ellipsoid's, lengths stretch by at least M/R, M
    the meridional radius of curvature, which grows away from the equator. A path shorter
    than within_m stays within within_m / M(0) radians of latitude of its start."""
    band = within_m / MERIDIONAL_RADIUS_AT_EQUATOR_M
    nearest_to_equator = max(0.0, abs(math.radians(lat)) - band)
    sin_lat = math.sin(nearest_to_equator)
    meridional = MERIDIONAL_RADIUS_AT_EQUATOR_M / (1 - WGS84_E2 * sin_lat * sin_lat) ** 1.5
    return meridional / EARTH_MEAN_RADIUS_M * (1 - SPHERE_BOUND_SLACK)


def ecef_m(lat: float, lon: float) -> tuple[float, float, float]:
    """The point's Earth-centred position on the WGS-84 ellipsoid (EPSG:4978), in metres;
    migration 0018 computes `station.ecef` with the same formula. The straight line between
    two such positions (the chord) is never longer than the geodesic between them."""
    phi, lam = math.radians(lat), math.radians(lon)
    prime_vertical = WGS84_A / math.sqrt(1 - WGS84_E2 * math.sin(phi) ** 2)
    return (prime_vertical * math.cos(phi) * math.cos(lam),
            prime_vertical * math.cos(phi) * math.sin(lam),
            prime_vertical * (1 - WGS84_E2) * math.sin(phi))


def geodesic_at_least_m(chord_m: float) -> float:
    """The shortest geodesic between two points of the WGS-84 ellipsoid whose straight-line
    distance is chord_m. The straight line is never longer; and every point of the
    ellipsoid lies between the spheres of radius b and a, so a path on it, pushed radially
    onto the inner sphere (which only shortens it), spans the central angle 2 asin(c / 2a)
    at least. The second bound takes over beyond a few hundred kilometres, where the chord
    cuts deep under the surface (a third short at the far side of the Earth)."""
    return max(chord_m, 2 * WGS84_B * math.asin(min(1.0, chord_m / (2 * WGS84_A))))


# PROJ's C implementation of the same algorithm geographiclib (and so geopy) runs in Python:
# the same distances to a nanometre, 60 times faster, which is most of a nearby search's cost.
_WGS84 = Geod(ellps="WGS84")


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres; the same number geopy.distance.geodesic gives."""
    return _WGS84.inv(lon1, lat1, lon2, lat2)[2]


def geodesic_many_m(lat: float, lon: float, lats: Sequence[float],
                    lons: Sequence[float]) -> list[float]:
    """Geodesic distances in metres from one point to many, in one call into PROJ."""
    if not lats:
        return []
    count = len(lats)
    return list(_WGS84.inv(array("d", [lon]) * count, array("d", [lat]) * count,
                           array("d", lons), array("d", lats))[2])


def spherical_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres on the mean-radius sphere."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# The grid of the spatial index. Its finest cells are 0.02° (about 2 km) on a side; five by
# five of them make a 0.1° cell, five by five of those a 0.5° cell, and those a 2.5° cell
# (about 280 km), the top level. A cell's id is its parent's id times 25 plus its place
# inside the parent, so the finest cells inside any cell have consecutive ids: one index
# on the finest cell serves every level.
CELL_LEVELS = ("micro", "fine", "mid", "coarse")  # finest first
FINEST = CELL_LEVELS[0]
SPLIT = 5  # cells along a side of the parent
MICRO_CELLS_PER_DEGREE = 50
_TOP_ROWS_BELOW_EQUATOR = 36  # 90° / 2.5°
_TOP_COLUMNS = 144  # 360° / 2.5°


def _depth(level: str) -> int:
    """Steps below the top level: 3 for the finest cells, 0 for the top."""
    return len(CELL_LEVELS) - 1 - CELL_LEVELS.index(level)


def cell_size_deg(level: str) -> float:
    return SPLIT ** CELL_LEVELS.index(level) / MICRO_CELLS_PER_DEGREE


def finest_cells_per_cell(level: str) -> int:
    """How many finest cells a cell of this level holds: its id times this is the first."""
    return (SPLIT * SPLIT) ** CELL_LEVELS.index(level)


def _grid_index(degrees: float, level: str) -> int:
    """The row (of a latitude) or column (of a longitude) of a level's grid."""
    return math.floor(degrees * MICRO_CELLS_PER_DEGREE) // SPLIT ** CELL_LEVELS.index(level)


def _place_parts(depth: int) -> tuple[list[int], list[int]]:
    """What a row and a column inside a top-level cell add to a cell's id, for cells `depth`
    levels down: the id's base-25 digits are 5 x row digit + column digit, which separate."""
    side = SPLIT ** depth
    rows, columns = [0] * side, [0] * side
    for index in range(side):
        for step in range(depth):
            digit = (index // SPLIT ** step) % SPLIT
            rows[index] += digit * SPLIT * (SPLIT * SPLIT) ** step
            columns[index] += digit * (SPLIT * SPLIT) ** step
    return rows, columns


_PLACE_PARTS = {level: _place_parts(_depth(level)) for level in CELL_LEVELS}


def cell_at(row: int, column: int, level: str) -> int:
    """The id of the cell in this row and column of a level's grid."""
    depth = _depth(level)
    side = SPLIT ** depth
    top = ((row // side + _TOP_ROWS_BELOW_EQUATOR) * _TOP_COLUMNS
           + (column // side + _TOP_COLUMNS // 2) % _TOP_COLUMNS)
    row_parts, column_parts = _PLACE_PARTS[level]
    return top * side * side + row_parts[row % side] + column_parts[column % side]


def cell_id(lat: float, lon: float, level: str = FINEST) -> int:
    return cell_at(_grid_index(lat, level), _grid_index(lon, level), level)


def cell_row_column(cell: int, level: str) -> tuple[int, int]:
    """The row and column of a cell in its level's grid (row 0 starts at the equator,
    column 0 at 0°)."""
    row = column = 0
    depth = _depth(level)
    for step in range(depth):
        cell, place = divmod(cell, SPLIT * SPLIT)
        row += place // SPLIT * SPLIT ** step
        column += place % SPLIT * SPLIT ** step
    top_row, top_column = divmod(cell, _TOP_COLUMNS)
    side = SPLIT ** depth
    return ((top_row - _TOP_ROWS_BELOW_EQUATOR) * side + row,
            (top_column - _TOP_COLUMNS // 2) * side + column)


@functools.lru_cache(maxsize=65536)
def cell_bounds(cell: int, level: str) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a cell, in degrees."""
    row, column = cell_row_column(cell, level)
    size = cell_size_deg(level)
    return row * size, (row + 1) * size, column * size, (column + 1) * size


def position_columns(lat: float, lon: float) -> dict[str, float | int]:
    """The derived columns the spatial index stores for a position: a unit vector on the
    sphere (for exact spherical distances in SQL) and the finest grid cell."""
    phi, lmb = math.radians(lat), math.radians(lon)
    columns: dict[str, float | int] = {
        "x": math.cos(phi) * math.cos(lmb),
        "y": math.cos(phi) * math.sin(lmb),
        "z": math.sin(phi),
    }
    columns["cell"] = cell_id(lat, lon)
    return columns


# Bounds on distances to cells keep this much to spare for floating-point rounding.
_CELL_BOUND_SLACK_M = 1.0


def spherical_to_cell_m(lat: float, lon: float, cell: int, level: str) -> float:
    """At most the great-circle distance from a point to the nearest point of a cell."""
    south, north, west, east = cell_bounds(cell, level)
    east_of_west_edge = (lon - west) % 360.0
    width = east - west
    if east_of_west_edge <= width:  # within the cell's longitudes
        nearest = EARTH_MEAN_RADIUS_M * math.radians(max(south - lat, lat - north, 0.0))
    else:
        # The nearest point lies on the meridian edge fewer degrees of longitude away:
        # at any latitude, the distance grows with the difference in longitude.
        edge = east if east_of_west_edge - width < 360.0 - east_of_west_edge else west
        nearest = _spherical_to_meridian_m(lat, lon, edge, south, north)
    return max(0.0, nearest - _CELL_BOUND_SLACK_M)


def _spherical_to_meridian_m(lat: float, lon: float, meridian: float,
                             south: float, north: float) -> float:
    phi, dlmb = math.radians(lat), math.radians(lon - meridian)
    sin_phi, cos_phi_cos_dlmb = math.sin(phi), math.cos(phi) * math.cos(dlmb)
    # cos(distance) = sin(phi) sin(t) + cos(phi) cos(t) cos(dlmb) peaks once in the
    # latitude t of the meridian point, so the nearest point is that peak or an end.
    peak = math.degrees(math.atan2(sin_phi, cos_phi_cos_dlmb))
    best = max(sin_phi * math.sin(t) + cos_phi_cos_dlmb * math.cos(t)
               for t in map(math.radians, (south, north, min(max(peak, south), north))))
    return EARTH_MEAN_RADIUS_M * math.acos(max(-1.0, min(1.0, best)))


def spherical_beyond_cell_m(lat: float, lon: float, cell: int, level: str) -> float:
    """At least the great-circle distance from a point to the furthest point of a cell."""
    south, north, west, east = cell_bounds(cell, level)
    centre_lat, centre_lon = (south + north) / 2, (west + east) / 2
    # The corners on the equator side are the furthest from the centre.
    corner_lat = south if abs(south) < abs(north) else north
    return (spherical_m(lat, lon, centre_lat, centre_lon)
            + spherical_m(centre_lat, centre_lon, corner_lat, west) + _CELL_BOUND_SLACK_M)


def chord_squared(spherical_radius_m: float) -> float:
    """Squared straight-line distance between unit vectors that are this far apart."""
    angle = min(math.pi, spherical_radius_m / EARTH_MEAN_RADIUS_M)
    return (2 * math.sin(angle / 2)) ** 2


def spherical_from_chord_squared(value: float) -> float:
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(max(0.0, value)) / 2))


def cells_covering(lat: float, lon: float, spherical_radius_m: float,
                   level: str, max_cells: int | None = None) -> list[int] | None:
    """Ids of the cells, at one grid level, that a spherical circle touches; None when
    there would be more than max_cells."""
    size = cell_size_deg(level)
    cells_per_degree = 1 / size
    angular = spherical_radius_m / EARTH_MEAN_RADIUS_M
    south = max(-90.0, lat - math.degrees(angular))
    north = min(90.0, lat + math.degrees(angular))
    if max_cells is not None:
        # Cheap early refusal: a circle spans at least its height in cells each way.
        span = (north - south) * cells_per_degree
        if (span - 1) * (span - 1) * 0.7 > max_cells:
            return None
    first_row = _grid_index(south, level)
    last_row = _grid_index(min(north, 89.999999), level)
    phi0 = math.radians(lat)
    widest = (math.asin(max(-1.0, min(1.0, math.sin(phi0) / math.cos(angular))))
              if math.cos(angular) > 1e-12 else phi0)
    columns_around = round(360 * cells_per_degree)
    cells = []
    for row in range(first_row, last_row + 1):
        low = math.radians(max(south, row * size))
        high = math.radians(min(north, (row + 1) * size))
        # The span is largest at the widest latitude if the row holds it, else at an edge.
        half = max(_half_width_deg(phi0, angular, phi)
                   for phi in (low, high, min(max(widest, low), high))) + 1e-7
        if half >= 180.0:
            columns = range(columns_around)
        else:
            # cell_at() wraps columns beyond ±180° onto the ones that exist.
            columns = range(_grid_index(lon - half, level),
                            min(_grid_index(lon + half, level) + 1,
                                _grid_index(lon - half, level) + columns_around))
        if max_cells is not None and len(cells) + len(columns) > max_cells:
            return None
        cells.extend(cell_at(row, column, level) for column in columns)
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
