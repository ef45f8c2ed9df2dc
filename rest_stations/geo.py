"""Distances on the WGS-84 ellipsoid, and the boxes that are sure to contain a circle.

The nearest search ranks by exact geodesic distance (geographiclib, as geopy does), but
pre-sorts candidates with the much cheaper spherical distance. The two never differ by more
than about 0.56 %, so the 1 % slack below keeps every bound on the safe side.
"""
import math
from dataclasses import dataclass

from geographiclib.geodesic import Geodesic

EARTH_MEAN_RADIUS_M = 6_371_008.8
# geodesic >= SPHERE_LOWER_BOUND * spherical for any two points on the WGS-84 ellipsoid.
SPHERE_LOWER_BOUND = 0.99
HALF_EQUATOR_M = 20_037_509.0

_WGS84 = Geodesic.WGS84


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres; the same number geopy.distance.geodesic gives."""
    return _WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"]


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
