"""A rider's phone: the finder, the station page and the language switch in real Chromium."""
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from extensions import db
from rest_stations.models import Station
from rest_stations.vocabulary import AMENITIES

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("YIZHAN_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)

TIANJIN_STATION = (39.1335, 117.2081)  # 天津站


def rows(page):
    return page.locator("#results .station-row")


def test_granted_location_lists_nearest_stations_and_a_chip_filter_stays_in_the_url(phone):
    rider = phone(geolocation=TIANJIN_STATION)
    page = rider.page
    rider.goto("/")
    page.get_by_role("button", name="使用我的位置").click()

    expect(rows(page).first).to_be_visible()
    first_distance = rows(page).first.locator(".distance").inner_text()
    assert re.search(r"\d+ 米|\d+(\.\d)? 公里", first_distance), first_distance
    assert "骑行约" in first_distance and "步行" not in first_distance
    names_before = rows(page).locator(".station-name").all_inner_texts()
    assert len(names_before) == 10
    assert "天津站后广场工会户外劳动者服务站" in names_before

    page.get_by_role("checkbox", name="电动车换电").click()
    expect(page).to_have_url(re.compile(r"amenity=battery_swap"))
    expect(rows(page).first).to_be_visible()
    filtered = rows(page).all()
    assert filtered and all("电动车换电" in row.locator(".amenities").inner_text() for row in filtered)
    names_after = rows(page).locator(".station-name").all_inner_texts()
    assert set(names_before) - set(names_after), "the filter should drop some stations"

    query = parse_qs(urlsplit(page.url).query)
    assert query["lat"] == ["39.13350"] and query["lon"] == ["117.20810"]

    # Refreshing, then going back, keeps the state each URL describes.
    page.reload()
    expect(page.locator("input[name=amenity][value=battery_swap]")).to_be_checked()
    assert rows(page).locator(".station-name").all_inner_texts() == names_after
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"amenity="))
    assert not rider.console_errors, rider.console_errors


def test_denied_location_offers_search_by_place(phone):
    rider = phone(geolocation=TIANJIN_STATION, allow_location=False)
    page = rider.page
    rider.goto("/")
    page.get_by_role("button", name="使用我的位置").click()
    expect(page.locator("#locate-status")).to_contain_text("定位权限已关闭")

    page.get_by_label("按地点搜索").fill("河北区")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(rows(page).first).to_be_visible()
    for row in rows(page).all():
        assert "河北区" in row.locator(".distance").inner_text()
    expect(page).to_have_url(re.compile(r"q=%E6%B2%B3%E5%8C%97%E5%8C%BA"))

    page.get_by_label("按地点搜索").fill("没有这个地方")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page.locator("#results")).to_contain_text("没有找到与“没有这个地方”相符的驿站")
    assert not rider.console_errors, rider.console_errors


def test_station_page_navigate_link_carries_the_station_coordinates(phone, live_server):
    with live_server.app_context():
        station = db.session.scalars(
            db.select(Station).where(Station.name == "天津站后广场工会户外劳动者服务站")).one()
        station_id, lat, lon = station.id, station.lat, station.lon
    rider = phone()
    rider.goto(f"/stations/{station_id}")
    page = rider.page

    navigate = page.get_by_role("link", name="导航前往")
    amap = urlsplit(navigate.get_attribute("href"))
    assert amap.netloc == "uri.amap.com" and amap.path == "/navigation"
    params = parse_qs(amap.query)
    to_lon, to_lat, to_name = params["to"][0].split(",", 2)
    assert (float(to_lat), float(to_lon)) == pytest.approx((lat, lon), abs=1e-6)
    assert to_name == "天津站后广场工会户外劳动者服务站"
    assert params["mode"] == ["ride"] and params["coordinate"] == ["wgs84"]

    geo = page.get_by_role("link", name="安卓地图应用").get_attribute("href")
    assert geo.startswith(f"geo:{lat:.6f},{lon:.6f}?q=")
    apple = page.get_by_role("link", name="苹果地图").get_attribute("href")
    assert parse_qs(urlsplit(apple).query)["daddr"] == [f"{lat:.6f},{lon:.6f}"]
    expect(page.locator("a[href^='tel:']")).to_have_attribute("href", "tel:02255500101")
    expect(page.locator("table.hours tr.today")).to_have_count(1)


def test_language_switch_shows_english_and_persists(phone):
    rider = phone(locale="zh-CN")
    page = rider.page
    rider.goto("/?q=河东区")
    expect(page.locator("h1")).to_have_text("查找最近的驿站")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Find the nearest rest station")
    expect(page).to_have_url(re.compile(r"/\?q="))  # back on the same page
    page.goto(rider.base_url + "/")
    expect(page.get_by_role("button", name="Use my location")).to_be_visible()

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


def test_english_browser_gets_english_distances_and_badges(phone):
    rider = phone(locale="en-US", geolocation=TIANJIN_STATION)
    page = rider.page
    rider.goto("/")
    page.get_by_role("button", name="Use my location").click()
    expect(rows(page).first).to_be_visible()
    assert re.search(r"\d+ m|\d+(\.\d)? km", rows(page).first.locator(".distance").inner_text())
    assert "min by bike" in rows(page).first.inner_text()


def test_no_request_leaves_127_0_0_1_except_map_tiles(phone):
    rider = phone(geolocation=TIANJIN_STATION)
    page = rider.page
    rider.goto("/")
    page.get_by_role("button", name="使用我的位置").click()
    expect(rows(page).first).to_be_visible()
    page.locator(".map-section").scroll_into_view_if_needed()
    expect(page.locator(".leaflet-container")).to_be_visible()
    # A locator, not wait_for_function: polling a JS predicate needs eval, which our CSP forbids.
    expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()

    assert rider.traffic.tiles, "the map should have asked for tiles"
    assert not rider.traffic.foreign, rider.traffic.foreign
    for url in rider.traffic.urls:
        host = urlsplit(url).hostname
        assert host == "127.0.0.1" or url in rider.traffic.tiles, url
    assert not rider.console_errors, rider.console_errors


@pytest.mark.parametrize("locale, texts", [
    ("zh-CN", {"locate": "使用我的位置", "water": "饮用水", "back": "全部驿站", "ride": "骑行约",
               "clear": "清除筛选"}),
    ("en-US", {"locate": "Use my location", "water": "Drinking water", "back": "All stations",
               "ride": "min by bike", "clear": "Clear filters"}),
])
def test_all_stations_comes_back_to_the_same_list_and_an_empty_one_offers_clear_filters(
        phone, locale, texts):
    rider = phone(locale=locale, geolocation=TIANJIN_STATION)
    page = rider.page
    rider.goto("/")
    page.get_by_role("button", name=texts["locate"]).click()
    expect(rows(page).first).to_be_visible()
    page.get_by_role("checkbox", name=texts["water"]).click()
    expect(page).to_have_url(re.compile(r"amenity=water"))
    expect(rows(page).first).to_contain_text(texts["ride"])
    names = rows(page).locator(".station-name").all_inner_texts()

    rows(page).first.locator(".station-link").click()
    expect(page.locator("h1")).to_have_text(names[0])
    page.get_by_role("link", name=texts["back"]).click()
    expect(page).to_have_url(re.compile(r"amenity=water"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["lat"] == ["39.13350"] and query["lon"] == ["117.20810"]
    expect(page.locator("input[name=amenity][value=water]")).to_be_checked()
    assert rows(page).locator(".station-name").all_inner_texts() == names
    shoot(page, f"{locale[:2]}-finder-back")

    # Every amenity at once: nobody has them all.
    everything = "&".join(f"amenity={code}" for code in AMENITIES)
    rider.goto(f"/?lat=39.13350&lon=117.20810&{everything}")
    expect(rows(page)).to_have_count(0)
    page.get_by_role("link", name=texts["clear"]).click()
    expect(rows(page).first).to_be_visible()
    assert "amenity" not in page.url and "lat=39.13350" in page.url
    expect(page.locator("input[name=amenity]:checked")).to_have_count(0)
    assert not rider.console_errors, rider.console_errors


def test_the_list_shows_a_closed_station_as_closed_without_seats(phone, live_server):
    with live_server.app_context():
        station = db.session.scalars(
            db.select(Station).where(Station.name == "天津站后广场工会户外劳动者服务站")).one()
        station.status, station.capacity = "temporarily_closed", 16
        db.session.commit()
        station_id = station.id
        db.session.remove()
    try:
        rider = phone(geolocation=TIANJIN_STATION)
        page = rider.page
        rider.goto("/")
        page.get_by_role("button", name="使用我的位置").click()
        row = rows(page).filter(has_text="天津站后广场工会户外劳动者服务站")
        expect(row.locator(".badge")).to_have_text("暂停开放")
        expect(row.locator(".seats")).to_have_count(0)
        expect(rows(page).locator(".seats").first).to_have_text(re.compile(r"空位 \d+ / 共 \d+"))
        shoot(page, "zh-finder-closed")
    finally:
        with live_server.app_context():
            station = db.session.get(Station, station_id)
            station.status = "active"
            db.session.commit()
            db.session.remove()


@pytest.mark.parametrize("locale, texts", [
    ("zh-CN", {"locate": "使用我的位置", "map": "地图"}),
    ("en-US", {"locate": "Use my location", "map": "Map"}),
])
def test_the_map_toggle_shows_numbered_markers_that_lead_to_their_rows(phone, locale, texts):
    rider = phone(locale=locale, geolocation=TIANJIN_STATION)
    page = rider.page
    rider.goto("/")
    page.get_by_role("button", name=texts["locate"]).click()
    expect(rows(page).first).to_be_visible()
    page.locator(".view-toggle").get_by_role("link", name=texts["map"], exact=True).click()
    markers = page.locator(".station-marker .marker-number")
    expect(markers).to_have_count(10)
    assert markers.all_inner_texts() == [str(n) for n in range(1, 11)]
    attribution = page.locator(".leaflet-control-attribution")
    expect(attribution).to_contain_text("Leaflet")
    expect(attribution.locator("svg")).to_have_count(0)  # no flag
    shoot(page, f"{locale[:2]}-finder-map")

    third_row = rows(page).nth(2)
    # A loaded machine may still be animating Leaflet's zoom: tap once the markers are still.
    expect(page.locator(".leaflet-zoom-anim, .leaflet-pan-anim")).to_have_count(0)
    markers.nth(2).scroll_into_view_if_needed()
    markers.nth(2).click()
    expect(page).to_have_url(re.compile(r"#station-row-\d+$"))
    assert page.url.endswith("#" + third_row.get_attribute("id"))
    expect(third_row).to_be_in_viewport()
    shoot(page, f"{locale[:2]}-finder-marker-row")
    assert not rider.console_errors, rider.console_errors
