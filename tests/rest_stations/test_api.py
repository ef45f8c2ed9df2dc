"""The JSON API: GeoJSON output and a 400 naming the field for every bad parameter."""
from datetime import datetime, timezone

import pytest
from geopy.distance import geodesic

import clock
from extensions import db
from rest_stations.geojson import station_feature
from rest_stations.models import Station
from rest_stations.queries import station_hours

NEAREST = "/api/stations/nearest"


def test_nearest_returns_geojson_features_nearest_first(client, make_station):
    far = make_station(lat=39.20, lon=117.30, amenities=["charging"], opening_hours="")
    near = make_station(lat=39.1340, lon=117.2085, amenities=["charging", "water"], capacity=8)
    body = client.get(f"{NEAREST}?lat=39.1335&lon=117.2081&amenity=charging").get_json()
    assert body["type"] == "FeatureCollection"
    first, second = body["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": [117.2085, 39.134]}
    props = first["properties"]
    assert props["id"] == near.id and props["amenities"] == ["charging", "water"]
    assert props["capacity"] == 8 and props["open_now"] is True and props["kind"] == "union"
    assert props["distance_m"] == pytest.approx(geodesic((39.1335, 117.2081), (39.134, 117.2085)).m, abs=0.1)
    assert second["properties"]["id"] == far.id and second["properties"]["open_now"] is None


def test_nearest_reports_closing_and_opening_times(client, make_station):
    make_station(opening_hours="Mo-Su 00:00-23:59")
    props = client.get(f"{NEAREST}?lat=39.1335&lon=117.2081").get_json()["features"][0]["properties"]
    assert props["open_now"] is True and props["closes_at"].endswith("23:59")


def test_nearest_limit_defaults_to_5(client, make_station):
    for i in range(7):
        make_station(lat=39.13 + i / 1000)
    assert len(client.get(f"{NEAREST}?lat=39.13&lon=117.2").get_json()["features"]) == 5


def test_nearest_with_no_match_is_an_empty_collection(client, make_station):
    make_station(amenities=["water"])
    response = client.get(f"{NEAREST}?lat=39.13&lon=117.2&amenity=shower")
    assert response.status_code == 200 and response.get_json()["features"] == []


@pytest.mark.parametrize(("query", "field"), [
    ("lon=117", "lat"),
    ("lat=91&lon=117", "lat"),
    ("lat=-90.5&lon=117", "lat"),
    ("lat=abc&lon=117", "lat"),
    ("lat=nan&lon=117", "lat"),
    ("lat=39&lon=181", "lon"),
    ("lat=39&lon=", "lon"),
    ("lat=39&lon=117&limit=0", "limit"),
    ("lat=39&lon=117&limit=51", "limit"),
    ("lat=39&lon=117&limit=five", "limit"),
    ("lat=39&lon=117&amenity=sauna", "amenity"),
    ("lat=39&lon=117&open_now=maybe", "open_now"),
    ("lat=39&lon=117&kind=hotel", "kind"),
])
def test_nearest_bad_input_gets_400_naming_the_field(client, query, field):
    response = client.get(f"{NEAREST}?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == field and field in body["error"]


def test_error_message_is_in_chinese_by_default(client):
    body = client.get(f"{NEAREST}?lat=99&lon=117").get_json()
    assert "lat" in body["error"] and "之间" in body["error"]


def test_bbox_lists_stations_inside(client, make_station):
    inside = make_station(lat=39.13, lon=117.2)
    make_station(lat=31.2, lon=121.5)
    body = client.get("/api/stations?bbox=117,39,118,40").get_json()
    assert [f["properties"]["id"] for f in body["features"]] == [inside.id]
    assert body["truncated"] is False


def test_each_box_feature_is_the_feature_of_the_whole_station(client, make_station):
    """The box API loads thirteen columns as rows, its seats and hours with them: each
    feature is what the whole Station makes, for every kind of hours and status."""
    made = [make_station(lat=39.13, lon=117.2 + n / 100, opening_hours=hours, status=status,
                         amenities=amenities, capacity=n, kind=kind)
            for n, (hours, status, amenities, kind) in enumerate([
                ("24/7", "active", ["water"], "union"),
                ("Mo-Su 08:00-20:00", "active", [], "partner"),
                ("Mo-Su 20:00-04:00", "temporarily_closed", ["toilet", "rest"], "driver_home"),
                ("", "active", ["charging", "microwave"], "union")])]
    moment = datetime(2026, 12, 1, 2, 47, tzinfo=timezone.utc)  # 10:47 in Shanghai
    with clock.travel_to(moment):
        body = client.get("/api/stations?bbox=117,39,118,40").get_json()
    expected = [station_feature(station, station_hours(station, moment))
                for station in db.session.scalars(
                    db.select(Station).where(Station.id.in_([s.id for s in made]))
                    .order_by(Station.id))]
    assert body["features"] == expected


@pytest.mark.parametrize("bbox", ["", "1,2,3", "a,b,c,d", "117,40,118,39", "200,39,201,40", "117,-91,118,40"])
def test_bbox_bad_input_gets_400(client, bbox):
    response = client.get(f"/api/stations?bbox={bbox}")
    assert response.status_code == 400 and response.get_json()["field"] == "bbox"


def test_bbox_limit_is_capped(client):
    response = client.get("/api/stations?bbox=117,39,118,40&limit=501")
    assert response.status_code == 400 and response.get_json()["field"] == "limit"


def test_a_point_far_from_every_station_says_so_within_the_bound(client, make_station):
    make_station(lat=39.13, lon=117.2)
    body = client.get("/api/stations/nearest?lat=0&lon=0", headers={"Accept-Language": "en"}).get_json()
    assert body["features"] == [] and body["max_distance_km"] == 1000
    assert body["message"] == "No station within 1,000 km of this point. Search by place instead."
    near = client.get("/api/stations/nearest?lat=39.1&lon=117.2").get_json()
    assert len(near["features"]) == 1 and "message" not in near
