"""China's map datums: WGS-84 (GPS, what we store) → GCJ-02, the offset coordinates that maps
published in China (Amap) are drawn in, and Baidu's BD-09 → WGS-84 for its geocoder.

GCJ-02 is for display only: a marker on Amap tiles must be shifted by the same few hundred
metres as the tiles, or it lands beside the street. Stored positions stay WGS-84. This is the
published algorithm (as in eviltransform and coordtransform), checked against their
reference points in tests/rest_stations/test_gcj02.py. Outside China it changes nothing.
"""
import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the algorithm has it
_EE = 0.00669342162296594323  # its eccentricity squared


def outside_china(lat: float, lon: float) -> bool:
    """The algorithm's own rough box: outside it, GCJ-02 equals WGS-84."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return shift


def _shift_lon(x: float, y: float) -> float:
    shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return shift


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in WGS-84 as GCJ-02 (lat, lon)."""
    if outside_china(lat, lon):
        return lat, lon
    x, y = lon - 105.0, lat - 35.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = _shift_lat(x, y) * 180.0 / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = _shift_lon(x, y) * 180.0 / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lon + d_lon


_X_PI = math.pi * 3000.0 / 180.0


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 back to WGS-84 by subtracting the shift at that point (about 1–2 m off)."""
    shifted_lat, shifted_lon = wgs84_to_gcj02(lat, lon)
    return 2 * lat - shifted_lat, 2 * lon - shifted_lon


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Baidu's BD-09 (its geocoder's answers) as WGS-84, through GCJ-02."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return gcj02_to_wgs84(z * math.sin(theta), z * math.cos(theta))
