"""The WGS-84 → GCJ-02 display transform against published reference points."""
import pytest

from china_datums import wgs84_to_gcj02

# (WGS-84 lat, lon) → (GCJ-02 lat, lon): the test points of googollee/eviltransform (Shanghai,
# Shenzhen, Beijing) and the README example of wandergis/coordtransform (Beijing).
REFERENCE_POINTS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
    ((39.915, 116.404), (39.91640428150164, 116.41024449916938)),
]


@pytest.mark.parametrize("wgs, gcj", REFERENCE_POINTS)
def test_the_transform_matches_the_published_reference_points(wgs, gcj):
    # 1e-7 degrees is about a centimetre.
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-7)


def test_the_shift_in_china_is_hundreds_of_metres_and_none_outside():
    lat, lon = wgs84_to_gcj02(39.1335, 117.2081)  # Tianjin
    assert 0.001 < abs(lat - 39.1335) < 0.01 and 0.003 < abs(lon - 117.2081) < 0.01
    assert wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)  # Paris
    assert wgs84_to_gcj02(35.6762, 139.6503) == (35.6762, 139.6503)  # Tokyo, east of the box
