"""The geocoder against a local server that speaks Nominatim's JSON, through geopy's real
Nominatim client (domain and scheme point at it): found, nothing, timeout, malformed."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

import geocoding
from china_datums import bd09_to_wgs84

FOUND = [{"place_id": 1, "lat": "39.1203400", "lon": "117.2351000",
          "display_name": "万达广场, 津塘路, 河东区, 天津市, 中国"},
         {"place_id": 2, "lat": "39.1301", "lon": "117.2402",
          "display_name": "津塘路, 河东区, 天津市, 中国"}]


class NominatimHandler(BaseHTTPRequestHandler):
    release: threading.Event

    def do_GET(self):
        query = parse_qs(urlsplit(self.path).query)
        self.server.requests.append(query)
        text = query.get("q", [""])[0]
        if "slow" in text:
            self.server.release.wait(10)  # held until the test is over: the client times out
            body = b"[]"
        elif "broken" in text:
            body = b"<html>502 Bad Gateway"
        elif "odd" in text:
            body = json.dumps([{"lat": "north", "lon": "x"}]).encode()
        elif "nowhere" in text:
            body = b"[]"
        else:
            body = json.dumps(FOUND, ensure_ascii=False).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def english(app):
    """Messages are localised; read them in English, as a request from an English browser."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def nominatim():
    server = ThreadingHTTPServer(("127.0.0.1", 0), NominatimHandler)
    server.requests = []
    server.release = threading.Event()
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True,
                              kwargs={"poll_interval": 0.05})  # a quick shutdown()
    thread.start()
    geocoding.cache.clear()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(app, nominatim):
    return {**app.config, "GEOCODER": "nominatim",
            "GEOCODER_DOMAIN": f"127.0.0.1:{nominatim.server_port}", "GEOCODER_SCHEME": "http",
            "GEOCODER_TIMEOUT_SECONDS": 0.5, "GEOCODER_MIN_DELAY_SECONDS": 0.0}


def test_a_found_address_gives_candidates_to_choose_from(config, nominatim):
    result = geocoding.geocode("天津市 河东区 津塘路", config)
    assert result.error is None
    assert [(c.lat, c.lon) for c in result.candidates] == [(39.12034, 117.2351),
                                                           (39.1301, 117.2402)]
    assert result.candidates[0].label.startswith("万达广场")
    sent = nominatim.requests[0]
    assert sent["format"] == ["json"] and sent["countrycodes"] == ["cn"]


def test_answers_are_cached(config, nominatim):
    geocoding.geocode("津塘路", config)
    geocoding.geocode("津塘路", config)
    assert len(nominatim.requests) == 1


def test_no_result_is_an_empty_list_not_an_error(config):
    result = geocoding.geocode("nowhere at all", config)
    assert result.candidates == [] and result.error is None


def test_a_timeout_is_a_message_for_the_form(config):
    result = geocoding.geocode("slow street", config)
    assert result.candidates == [] and "too long" in result.error


@pytest.mark.parametrize("address", ["broken gateway", "odd reply"])
def test_a_malformed_reply_is_a_message_for_the_form(config, address):
    result = geocoding.geocode(address, config)
    assert result.candidates == [] and "not available" in result.error


def test_an_unreachable_geocoder_is_a_message_for_the_form(app):
    config = {**app.config, "GEOCODER": "nominatim", "GEOCODER_DOMAIN": "127.0.0.1:9",
              "GEOCODER_SCHEME": "http", "GEOCODER_TIMEOUT_SECONDS": 0.5}
    result = geocoding.geocode("津塘路", config)
    assert result.candidates == [] and "not available" in result.error


def test_without_a_geocoder_the_form_says_to_use_the_map(app):
    assert "Drag the pin" in geocoding.geocode("津塘路").error


def test_the_geocode_page_never_fails(staff_client, app, nominatim):
    app.config.update(GEOCODER="nominatim", GEOCODER_DOMAIN=f"127.0.0.1:{nominatim.server_port}",
                      GEOCODER_SCHEME="http", GEOCODER_TIMEOUT_SECONDS=0.5)
    try:
        for address in ("津塘路", "slow street", "broken gateway"):
            response = staff_client.get(f"/staff/stations/geocode?address={address}",
                                        headers={"HX-Request": "true"})
            assert response.status_code == 200
        assert 'data-lat="39.120340"' in staff_client.get(
            "/staff/stations/geocode?address=津塘路").get_data(as_text=True)
    finally:
        app.config.update(GEOCODER="none")


def test_baidu_coordinates_are_converted_to_gps():
    # Baidu's BD-09 point for Tiananmen; WGS-84 is about 39.9075, 116.3913.
    lat, lon = bd09_to_wgs84(39.915119, 116.403963)
    assert abs(lat - 39.9075) < 0.0005 and abs(lon - 116.3913) < 0.0005
