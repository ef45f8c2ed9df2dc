"""Map tiles that work in China (MAP_TILES), positions shifted for Amap, numbered markers
that lead to their list rows, and a plain "Leaflet" attribution prefix."""
import json
import re
from pathlib import Path

import pytest

from app import create_app
from config import settings_for
from china_datums import wgs84_to_gcj02

HX = {"HX-Request": "true"}


def test_openstreetmap_is_the_default(monkeypatch):
    monkeypatch.delenv("MAP_TILES", raising=False)
    monkeypatch.delenv("MAP_TILES_URL", raising=False)
    settings = settings_for("testing")
    assert settings["MAP_TILES"] == "osm" and "openstreetmap.org" in settings["MAP_TILES_URL"]
    assert settings["MAP_COORDINATES"] == "wgs84"


def test_tianditu_needs_a_key_in_production(monkeypatch):
    monkeypatch.setenv("MAP_TILES", "tianditu")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("MAP_TILES_KEY", raising=False)
    with pytest.raises(RuntimeError, match="MAP_TILES_KEY"):
        settings_for("production")
    monkeypatch.setenv("MAP_TILES_KEY", "abc123")
    settings = settings_for("production")
    assert settings["MAP_TILES_URL"].startswith("https://t0.tianditu.gov.cn/vec_w/wmts?")
    assert settings["MAP_TILES_URL"].endswith("&tk=abc123")
    assert "cva_w" in settings["MAP_TILES_LABELS_URL"] and "tk=abc123" in settings["MAP_TILES_LABELS_URL"]
    assert "天地图" in settings["MAP_TILES_ATTRIBUTION"]


def test_an_unknown_tile_provider_is_a_startup_error(monkeypatch):
    monkeypatch.setenv("MAP_TILES", "google")
    with pytest.raises(RuntimeError, match="MAP_TILES='google'"):
        settings_for("testing")


def _map_script(app, client, url: str) -> str:
    fragment = client.get(url, headers=HX).get_data(as_text=True)
    return fragment.split('<script type="module"', 1)[1]


def test_the_finder_map_numbers_markers_like_the_list_and_links_them_to_rows(client, make_station):
    near = make_station(name="一号站", lat=39.1340)
    far = make_station(name="二号站", lat=39.1500)
    script = _map_script(None, client, "/map?lat=39.1335&lon=117.2081")
    first = script.index(f'href=\\"#station-row-{near.id}\\"')
    second = script.index(f'href=\\"#station-row-{far.id}\\"')
    assert first < second
    # The icon's HTML is a JSON string in the script, with < and > escaped.
    assert "\\u003cspan\\u003e1\\u003c/span\\u003e" in script
    assert "\\u003cspan\\u003e2\\u003c/span\\u003e" in script
    page = client.get("/?lat=39.1335&lon=117.2081").get_data(as_text=True)
    assert f'id="station-row-{near.id}"' in page and f'id="station-row-{far.id}"' in page
    assert re.search(r'<span class="row-number" aria-hidden="true">1</span>\s*<span class="station-name">一号站', page)


def test_the_attribution_prefix_is_a_plain_leaflet_link(client, make_station):
    make_station()
    script = _map_script(None, client, "/map?lat=39.1335&lon=117.2081")
    assert re.search(r"\.attributionControl\.setPrefix\('<a href=\"https://leafletjs.com/\">Leaflet</a>'\);", script)


def test_on_amap_markers_and_the_rider_are_drawn_in_gcj02(tmp_path, monkeypatch):
    monkeypatch.setenv("MAP_TILES", "amap")
    from extensions import db
    from rest_stations.models import Station

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/amap.sqlite3")
    assert app.config["MAP_COORDINATES"] == "gcj02"
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
        station = Station(name="高德站", lat=39.1340, lon=117.2081, capacity=1)
        db.session.add(station)
        db.session.commit()
        client = app.test_client()
        response = client.get("/map?lat=39.1335&lon=117.2081", headers=HX)
        fragment = response.get_data(as_text=True)
        assert "webrd01.is.autonavi.com" in fragment
        assert "webrd01.is.autonavi.com" in response.headers["Content-Security-Policy"]
        coordinates = [json.loads(match) for match in re.findall(r"L\.(?:marker|circleMarker)\(\s*(\[[^\]]+\])", fragment)]
        station_gcj, rider_gcj = wgs84_to_gcj02(39.1340, 117.2081), wgs84_to_gcj02(39.1335, 117.2081)
        assert [pytest.approx(list(station_gcj), abs=1e-9), pytest.approx(list(rider_gcj), abs=1e-9)] == coordinates
        # Stored data stays WGS-84.
        assert db.session.get(Station, station.id).lat == 39.1340
        db.engine.dispose()
