"""A rider's phone: the finder, the station page and the language switch in real Chromium."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from extensions import db
from rest_stations.models import Station

pytestmark = pytest.mark.browser

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
