"""The finder and station pages through the test client: page or fragment, filters in the
query string, search by place, station page contents, language switch and errors."""
import re
from datetime import date

import pytest

from rest_stations.views import Finder

HX = {"HX-Request": "true"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def test_home_without_a_position_asks_for_one(client):
    page = client.get("/", headers=ZH).get_data(as_text=True)
    assert "使用我的位置" in page and "按地点搜索" in page
    assert 'class="station-row"' not in page


def test_a_position_in_the_url_renders_the_whole_page_with_the_nearest_list(client, make_station):
    make_station(name="近站", lat=39.1340, lon=117.2081)
    make_station(name="远站", lat=39.2000, lon=117.2081)
    response = client.get("/?lat=39.1335&lon=117.2081", headers=ZH)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page and 'id="results"' in page
    assert page.index("近站") < page.index("远站")
    assert "60 米" in page and "7.4 公里" in page
    assert "骑行约 1 分钟" in page and "步行" not in page  # riders come on e-bikes
    assert "HX-Request" in response.headers["Vary"]


def test_an_htmx_request_gets_only_the_list_fragment_and_a_clean_url_to_push(client, make_station):
    make_station(name="近站", lat=39.1340, lon=117.2081)
    response = client.get("/?q=&lat=39.1335&lon=117.2081&amenity=water", headers=HX | ZH)
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "近站" in fragment
    assert response.headers["HX-Push-Url"] == "/?amenity=water&lat=39.13350&lon=117.20810"
    assert "HX-Request" in response.headers["Vary"]


def test_the_list_speaks_each_visitors_language_in_turn(client, make_station):
    # Amenity labels are looked up once per language and process, and distances formatted
    # with patterns parsed once: neither may carry one visitor's language to the next.
    make_station(name="近站", lat=39.1340, lon=117.2081, amenities=["water", "charging"])
    for headers, words in [(ZH, ["饮用水", "60 米", '<use href="/static/icons/amenities.svg']),
                           (EN, ["Drinking water", "60 m", "about 1 min by bike"]),
                           (ZH, ["饮用水", "手机充电", "骑行约 1 分钟"])]:
        page = client.get("/?lat=39.1335&lon=117.2081", headers=headers).get_data(as_text=True)
        assert all(word in page for word in words), (headers, words)
    english = client.get("/?lat=39.1335&lon=117.2081", headers=EN).get_data(as_text=True)
    assert "饮用水" not in english


@pytest.mark.parametrize("headers", [HX | {"HX-Boosted": "true"}, HX | {"HX-History-Restore-Request": "true"}])
def test_boosted_and_history_restore_requests_get_the_whole_page(client, headers):
    assert "<html" in client.get("/?lat=39.1335&lon=117.2081", headers=headers).get_data(as_text=True)


def test_filters_in_the_query_string_narrow_the_list_and_stay_checked(client, make_station):
    make_station(name="有热水", amenities=["water", "heating"])
    make_station(name="无热水", amenities=["charging"], lat=39.1336)
    page = client.get("/?lat=39.1335&lon=117.2081&amenity=water", headers=ZH).get_data(as_text=True)
    assert "有热水" in page and "无热水" not in page
    assert re.search(r'value="water" checked', page)


def test_open_now_filter_drops_closed_stations(client, make_station):
    make_station(name="通宵站", opening_hours="24/7")
    make_station(name="停业站", status="temporarily_closed", lat=39.1336)
    page = client.get("/?lat=39.1335&lon=117.2081&open_now=1", headers=ZH).get_data(as_text=True)
    assert "通宵站" in page and "停业站" not in page


def test_an_unknown_amenity_is_refused_with_400(client):
    assert client.get("/?lat=39.1&lon=117.2&amenity=spa", headers=ZH).status_code == 400


@pytest.mark.parametrize("query", ["lat=abc&lon=117.2", "lat=95&lon=117.2", "lat=39.1&lon="])
def test_a_bad_position_says_so_in_the_readers_language_with_400(client, query):
    zh = client.get(f"/?{query}", headers=ZH)
    assert zh.status_code == 400
    assert "无法识别这个位置" in zh.get_data(as_text=True)
    en = client.get(f"/?{query}", headers=EN)
    assert "We could not read that location" in en.get_data(as_text=True)


def test_search_by_place_matches_names_addresses_districts_and_cities(client, make_station):
    make_station(name="海河驿站", address="天津市河东区六纬路 1 号", district="河东区", city="天津市")
    make_station(name="西湖驿站", address="杭州市西湖区", district="西湖区", city="杭州市", lat=30.25, lon=120.15)
    assert "海河驿站" in client.get("/?q=六纬路").get_data(as_text=True)
    page = client.get("/?q=天津 河东").get_data(as_text=True)
    assert "海河驿站" in page and "西湖驿站" not in page
    assert "西湖驿站" in client.get("/?q=杭州市").get_data(as_text=True)


def test_search_treats_percent_and_underscore_literally(client, make_station):
    make_station(name="驿站甲")
    assert "驿站甲" not in client.get("/?q=%25").get_data(as_text=True)
    assert "驿站甲" not in client.get("/?q=_").get_data(as_text=True)


def test_a_search_that_finds_nothing_says_so(client, make_station):
    make_station(name="海河驿站")
    page = client.get("/?q=不存在的地方", headers=ZH).get_data(as_text=True)
    assert "没有找到与“不存在的地方”相符的驿站" in page


def test_an_empty_search_comes_back_422_with_the_form_and_message(client):
    response = client.get("/?q=&action=search", headers=ZH)
    assert response.status_code == 422
    assert "请输入区名、街道或驿站名称" in response.get_data(as_text=True)
    fragment = client.get("/?q=&action=search", headers=HX | ZH).get_data(as_text=True)
    assert 'id="q-error"' in fragment and 'hx-swap-oob="true"' in fragment


def test_station_page_shows_address_hours_phone_verification_and_navigation(client, make_station):
    station = make_station(name="天津站驿站", address="天津市河东区站前路 1 号", lat=39.1335,
                           lon=117.2081, phone="022-5550 0101", opening_hours="Mo-Su 08:00-22:00",
                           last_verified_on=date(2026, 11, 1))
    page = client.get(f"/stations/{station.id}", headers=ZH).get_data(as_text=True)
    assert "天津市河东区站前路 1 号" in page
    assert 'href="tel:02255500101"' in page
    assert "2026年11月1日" in page
    assert page.count('class="today"') == 1
    assert "08:00–22:00" in page
    assert ("https://uri.amap.com/navigation?to=117.208100,39.133500,"
            "%E5%A4%A9%E6%B4%A5%E7%AB%99%E9%A9%BF%E7%AB%99&amp;mode=ride&amp;coordinate=wgs84"
            "&amp;callnative=1") in page
    assert "geo:39.133500,117.208100?q=39.133500,117.208100(%E5%A4%A9" in page
    assert "https://maps.apple.com/?daddr=39.133500,117.208100" in page
    assert f"/stations/{station.id}/map" in page


def test_station_page_in_english_localises_amenities_and_hours(client, make_station):
    station = make_station(amenities=["water"], opening_hours="Mo-Su 08:00-22:00")
    page = client.get(f"/stations/{station.id}", headers=EN).get_data(as_text=True)
    assert "Drinking water" in page and re.search(r"8:00\s?AM", page)


def test_unknown_station_gets_a_friendly_404(client):
    response = client.get("/stations/999999", headers=ZH)
    assert response.status_code == 404
    assert "查找最近的驿站" in response.get_data(as_text=True) or "找不到" in response.get_data(as_text=True)


def test_the_map_fragment_uses_only_our_leaflet_and_the_configured_tiles(client, make_station):
    make_station(name="地图站")
    response = client.get("/map?lat=39.1335&lon=117.2081", headers=HX)
    fragment = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'<script type="module" nonce="{nonce}">' in fragment
    assert "/static/vendor/leaflet-1.9.4/leaflet.css" in fragment
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in fragment
    for cdn in ("jsdelivr", "jquery", "bootstrap", "cloudflare", "fontawesome", "$("):
        assert cdn not in fragment


def test_station_names_cannot_break_out_of_the_map_script(client, make_station):
    make_station(name="`${alert(1)}`</script>")
    fragment = client.get("/map?lat=39.1335&lon=117.2081", headers=HX).get_data(as_text=True)
    script = fragment.split("<script", 1)[1]
    assert "</script>" not in script.split("</script>", 1)[0]
    assert "`${alert" not in script


def test_static_urls_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', page).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_pages_link_a_manifest_with_icons(client):
    page = client.get("/").get_data(as_text=True)
    manifest_url = re.search(r'rel="manifest" href="([^"]+)"', page).group(1)
    manifest = client.get(manifest_url).get_json(force=True)
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_responses_are_compressed(client, make_station):
    for number in range(10):
        make_station(lat=39.1335 + number / 1000)
    response = client.get("/?lat=39.1335&lon=117.2081", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") in ("gzip", "br", "zstd")


def test_language_switch_sets_a_year_long_cookie_and_goes_back(client):
    token_page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    response = client.post("/language", data={"lang": "en", "next": "/?q=河东", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] in ("/?q=河东", "/?q=%E6%B2%B3%E4%B8%9C")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en") and "Max-Age=31536000" in cookie
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", ""])
def test_language_switch_never_redirects_off_site(client, target):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    response = client.post("/language", data={"lang": "zh_Hans", "next": target, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_language_switch_refuses_an_unknown_language_and_a_missing_token(client):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    assert client.post("/language", data={"lang": "fr", "csrf_token": token}).status_code == 400
    assert client.post("/language", data={"lang": "en"}).status_code == 400


def test_the_finder_says_when_no_station_is_within_the_bound(client, make_station):
    make_station(lat=39.13, lon=117.2)
    page = client.get("/?lat=0&lon=0", headers=ZH).get_data(as_text=True)
    assert "这个位置 1,000 公里内没有驿站。请按地点搜索。" in page


@pytest.mark.parametrize("fields", [
    {},
    {"lat": 39.1335, "lon": 117.2081},
    {"lat": 39.1335, "lon": 117.2081, "amenities": ["water", "charging"], "open_now": True},
    {"q": "南京路 & 100%", "amenities": ["toilet"]},
])
def test_a_rows_station_link_is_the_searchs_link_to_that_station(app, fields):
    finder = Finder(**fields)
    with app.test_request_context("/"):
        for station_id in (1, 42, 10**6):
            assert finder.station_url(station_id) == finder.url("stations.detail",
                                                                station_id=station_id)
