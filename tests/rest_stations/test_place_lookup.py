"""A typed place that matches no station is looked up through the real geopy clients,
against local servers speaking Nominatim's and Baidu's protocols."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

import geocoding
from rest_stations.place_lookup import locate_place, scoped_query
from tests.station_admin.test_geocoding import nominatim  # noqa: F401 (fixture)

# 天津 南京路 in Baidu's BD-09 datum, as its geocoding v3 API answers.
BAIDU_ANSWER = {"status": 0, "result": {"location": {"lng": 117.20836, "lat": 39.12528},
                                         "precise": 1, "confidence": 80, "level": "道路"}}


class BaiduHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query)
        self.server.requests.append((urlsplit(self.path).path, query))
        if query.get("ak") != ["test-key"]:
            body = {"status": 200, "message": "APP不存在，AK有误请检查再重试"}
        elif "不存在" in query.get("address", [""])[0]:
            body = {"status": 1, "msg": "Internal Service Error:无相关结果", "results": []}
        else:
            body = BAIDU_ANSWER
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def baidu():
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaiduHandler)
    server.requests = []
    server.daemon_threads = True
    # A short poll, so that shutdown() returns at once rather than after half a second.
    threading.Thread(target=server.serve_forever, daemon=True,
                     kwargs={"poll_interval": 0.05}).start()
    geocoding.cache.clear()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _nominatim_config(app, server):
    return {**app.config, "GEOCODER": "nominatim", "GEOCODER_SCHEME": "http",
            "GEOCODER_DOMAIN": f"127.0.0.1:{server.server_port}", "GEOCODER_MIN_DELAY_SECONDS": 0,
            "GEOCODER_TIMEOUT_SECONDS": 1}


def _baidu_config(app, server, key="test-key"):
    return {**app.config, "GEOCODER": "baidu", "GEOCODER_SCHEME": "http", "BAIDU_MAP_KEY": key,
            "BAIDU_MAP_DOMAIN": f"127.0.0.1:{server.server_port}",
            "GEOCODER_MIN_DELAY_SECONDS": 0, "GEOCODER_TIMEOUT_SECONDS": 1}


def test_the_riders_city_scopes_the_lookup_unless_the_text_names_it():
    assert scoped_query("南京路", "天津市") == "天津市 南京路"
    assert scoped_query("天津南京路", "天津市") == "天津南京路"
    assert scoped_query(" 南京路 ", "") == "南京路"


def test_nominatim_finds_the_place_in_the_riders_city(app, english, nominatim):
    found = locate_place("万达广场", city="天津市", config=_nominatim_config(app, nominatim))
    assert found.place.label == "万达广场"
    assert (found.place.lat, found.place.lon) == (39.12034, 117.2351)
    assert nominatim.requests[-1]["q"] == ["天津市 万达广场"]


def test_nominatim_nothing_found_and_outage(app, english, nominatim):
    config = _nominatim_config(app, nominatim)
    assert locate_place("nowhere", config=config).place is None
    broken = locate_place("broken", config=config)
    assert broken.place is None and "not available" in broken.error


def test_baidu_answers_are_converted_from_bd09_to_wgs84(app, english, baidu):
    found = locate_place("南京路", city="天津市", config=_baidu_config(app, baidu))
    path, query = baidu.requests[-1]
    assert path == "/geocoding/v3/" and query["address"] == ["天津市 南京路"]
    # BD-09 → WGS-84 moves a Tianjin point about 1.2 km south-west.
    assert 39.118 < found.place.lat < 39.120 and 117.195 < found.place.lon < 117.197


def test_baidu_errors_never_raise(app, english, baidu):
    assert locate_place("不存在的路", config=_baidu_config(app, baidu)).place is None
    refused = locate_place("南京路", config=_baidu_config(app, baidu, key="wrong"))
    assert refused.place is None and refused.error


def test_no_geocoder_configured_means_no_lookup(app):
    assert locate_place("南京路", config={**app.config, "GEOCODER": "none"}).place is None


@pytest.fixture
def nominatim_finder(app, nominatim, monkeypatch):
    for key, value in _nominatim_config(app, nominatim).items():
        monkeypatch.setitem(app.config, key, value)
    return nominatim


def test_a_place_no_station_names_lists_the_stations_nearest_to_it(client, make_station,
                                                                   nominatim_finder):
    # The local Nominatim puts "南京路" at 万达广场, 河东区 (39.12034, 117.2351).
    near = make_station(name="近处驿站", lat=39.1210, lon=117.2360)
    make_station(name="远处驿站", lat=39.20, lon=117.40)
    page = client.get("/?q=南京路", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "距 南京路 最近的驿站" in page
    assert page.index("近处驿站") < page.index("远处驿站")
    assert "骑行约" in page
    english = client.get("/?q=南京路", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Stations nearest to 南京路" in english
    assert f"/stations/{near.id}" in english


def test_station_text_matches_win_over_the_geocoder(client, make_station, nominatim_finder):
    make_station(name="南京路服务站", address="天津市和平区南京路 189 号")
    page = client.get("/?q=南京路", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Stations matching “南京路”" in page
    assert nominatim_finder.requests == []


def test_a_geocoder_outage_still_answers_with_a_clear_message(client, make_station,
                                                              nominatim_finder):
    make_station(name="海河驿站")
    response = client.get("/?q=broken", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "暂时无法查找地点" in page and "没有找到与“broken”相符的驿站" in page
