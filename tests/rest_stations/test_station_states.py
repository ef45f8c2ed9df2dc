"""Closed, delisted and full stations in the finder and on station pages; riding time; the
way back to the same list; and rest_stations' independence from the check-in package."""
import ast
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from checkins import rules
from rest_stations.display import riding_minutes

HX = {"HX-Request": "true"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
ROOT = Path(__file__).resolve().parents[2]
HERE = (39.1335, 117.2081)


def test_rest_stations_imports_nothing_from_checkins():
    """checkins builds on stations, never the other way round (no import cycle)."""
    offenders = []
    for path in (ROOT / "rest_stations").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {name}" for name in names
                          if name == "checkins" or name.startswith("checkins.")]
    for path in (ROOT / "rest_stations" / "templates").rglob("*.html"):
        if re.search(r"""(include|import|extends)\s+["']checkins/""", path.read_text(encoding="utf-8")):
            offenders.append(f"{path.name}: includes a checkins template")
    assert offenders == []


def test_the_list_says_free_seats_and_marks_full_stations(client, make_user, make_station):
    roomy = make_station(name="宽敞驿站", capacity=10, lat=39.1336)
    full = make_station(name="满员驿站", capacity=1, lat=39.1337)
    now = datetime.now(timezone.utc)
    for _ in range(4):
        rules.check_in(make_user().id, roomy.id, now=now, stay=rules.configured_stay())
    rules.check_in(make_user().id, full.id, now=now, stay=rules.configured_stay())
    page = client.get("/?lat=39.1335&lon=117.2081", headers=ZH).get_data(as_text=True)
    assert "空位 6 / 共 10" in page and "座位空余" not in page
    row = page[page.index("满员驿站"):]
    assert "满员" in row[:600] and "空位 0 / 共 1" in row[:600]
    english = client.get("/?lat=39.1335&lon=117.2081", headers=EN).get_data(as_text=True)
    assert "6 of 10 seats free" in english


def test_remote_check_ins_are_not_seats_in_the_list_or_the_api(client, make_user, make_station):
    station = make_station(capacity=3)
    rules.check_in(make_user().id, station.id, now=datetime.now(timezone.utc),
                   stay=rules.configured_stay(), remote=True)
    assert "3 of 3 seats free" in client.get("/?lat=39.1335&lon=117.2081", headers=EN).get_data(as_text=True)
    feature = client.get("/api/stations/nearest?lat=39.1335&lon=117.2081").get_json()["features"][0]
    assert feature["properties"]["occupancy"] == 0


def test_the_list_shows_a_closed_station_as_closed_without_seat_counts(client, make_station):
    make_station(name="暂停驿站", capacity=16, status="temporarily_closed")
    page = client.get("/?lat=39.1335&lon=117.2081", headers=ZH).get_data(as_text=True)
    row = page[page.index("暂停驿站"):page.index("</li>", page.index("暂停驿站"))]
    assert "暂停开放" in row
    assert "空位" not in row and "座位" not in row


def test_a_closed_station_page_says_why_and_until_when_first_and_offers_an_open_one(client,
                                                                                  make_station):
    closed = make_station(name="装修驿站", status="temporarily_closed", closed_reason="内部装修",
                          reopens_on=date(2026, 12, 20))
    make_station(name="隔壁驿站", lat=39.1345)
    make_station(name="更远驿站", lat=39.1500)
    page = client.get(f"/stations/{closed.id}", headers=ZH).get_data(as_text=True)
    notice = page.index('class="closed-notice"')
    assert notice < page.index('class="panel-slot"') < page.index("导航前往")
    top = page[notice:page.index('class="panel-slot"')]
    assert "暂停开放" in top and "内部装修" in top and "12月20日" in top
    assert "隔壁驿站" in top and "更远驿站" not in top
    # Without JavaScript, the check-in button is there but disabled.
    slot = page[page.index('class="panel-slot"'):page.index("</div>", page.index('class="panel-slot"'))]
    assert "disabled" in slot and "签到" in slot


def test_a_delisted_station_answers_410_with_the_nearest_open_stations(client, make_station):
    gone = make_station(name="撤销驿站", status="delisted")
    make_station(name="开放一", lat=39.1345)
    make_station(name="开放二", lat=39.1355)
    make_station(name="暂停中", lat=39.1340, status="temporarily_closed")
    response = client.get(f"/stations/{gone.id}", headers=ZH)
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "撤销驿站" in page and "不再列出" in page
    assert "开放一" in page and "开放二" in page and "暂停中" not in page
    assert "panel-slot" not in page and "check-in" not in page and "导航前往" not in page


@pytest.mark.parametrize("metres, minutes", [(10, 1), (250, 1), (251, 2), (1000, 4), (7400, 30)])
def test_riding_time_is_at_15_km_an_hour(metres, minutes):
    assert riding_minutes(metres, 15) == minutes


def test_distances_read_in_metres_under_a_kilometre_with_riding_time(app, client, make_station):
    make_station(name="近站", lat=39.1362)  # about 300 m
    make_station(name="远站", lat=39.1700)  # about 4 km
    page = re.sub(r"<[^>]+>", "", client.get("/?lat=39.1335&lon=117.2081", headers=ZH)
                  .get_data(as_text=True))
    assert "300 米 · 骑行约 2 分钟" in page
    assert re.search(r"4\.\d 公里 · 骑行约 17 分钟", page)
    assert "步行" not in page
    app.config["RIDING_SPEED_KMH"] = 20
    try:
        page = client.get("/?lat=39.1335&lon=117.2081", headers=EN).get_data(as_text=True)
    finally:
        app.config["RIDING_SPEED_KMH"] = 15
    assert "about 13 min by bike" in page and "walk" not in page


def test_all_stations_goes_back_to_the_same_location_and_filters(client, make_station):
    station = make_station(name="饮水驿站", amenities=["water", "toilet"])
    page = client.get("/?lat=39.1335&lon=117.2081&amenity=water&open_now=1",
                      headers=ZH).get_data(as_text=True)
    link = re.search(r'class="station-link" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link.startswith(f"/stations/{station.id}?")
    for part in ("amenity=water", "open_now=1", "lat=39.13350", "lon=117.20810"):
        assert part in link
    detail = client.get(link, headers=ZH).get_data(as_text=True)
    back = re.search(r'<a class="back" href="([^"]+)">全部驿站</a>', detail).group(1)
    back = back.replace("&amp;", "&")
    assert back.startswith("/?")
    for part in ("amenity=water", "open_now=1", "lat=39.13350", "lon=117.20810"):
        assert part in back
    search = client.get(f"/stations/{station.id}?q=河东区&amenity=toilet", headers=ZH).get_data(as_text=True)
    assert re.search(r'<a class="back" href="/\?[^"]*q=%E6%B2%B3%E4%B8%9C%E5%8C%BA', search)
    plain = client.get(f"/stations/{station.id}?lat=999&amenity=nonsense", headers=ZH).get_data(as_text=True)
    assert '<a class="back" href="/">' in plain


def test_an_empty_filtered_list_offers_clear_filters_keeping_the_location(client, make_station):
    make_station(amenities=["water"])
    fragment = client.get("/?lat=39.1335&lon=117.2081&amenity=shower", headers={**ZH, **HX})
    body = fragment.get_data(as_text=True)
    assert "清除筛选" in body
    href = re.search(r'class="button clear-filters" href="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert "amenity" not in href and "lat=39.13350" in href and "lon=117.20810" in href
    assert 'class="station-row"' in client.get(href, headers=ZH).get_data(as_text=True)
    unfiltered = client.get("/?lat=10&lon=10", headers=ZH).get_data(as_text=True)
    assert "清除筛选" not in unfiltered
