"""The city → district picker: htmx swaps in a city's districts; without JavaScript the
"Show districts" button posts the form back with them."""
from accounts.models import User
from extensions import db
from tests.accounts.helpers import post


def test_sign_up_offers_cities_grouped_by_province_not_a_text_box(client):
    page = client.get("/account/register").get_data(as_text=True)
    assert 'name="home_region_code-city"' in page and '<optgroup label="山东省">' in page
    assert '<option value="12">天津市</option>' in page
    assert 'name="home_region_code"' in page and 'type="text" name="home_region_code"' not in page


def test_choosing_a_city_gives_its_districts_as_a_fragment(client):
    response = client.get("/regions/districts?field=home_region_code&home_region_code-city=12",
                          headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert '<option value="120102">河东区</option>' in body
    assert "371312" not in body  # Linyi's 河东区 is in another city


def test_the_district_list_refuses_unknown_cities_and_field_names(client):
    assert client.get("/regions/districts?field=x&x-city=9999").status_code == 400
    assert client.get("/regions/districts?field=<script>&x-city=12").status_code == 400


def test_without_javascript_show_districts_posts_back_with_the_districts(client):
    response = post(client, "/account/register", {
        "phone": "138 1234 5678", "display_name": "老张", "password": "long enough 1",
        "home_region_code-city": "3713", "home_region_code-pick": "1", "consent": "y"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<option value="371312">河东区</option>' in body
    assert db.session.scalar(db.select(User)) is None  # nothing saved yet


def test_a_district_from_another_city_is_refused(client):
    response = post(client, "/account/register", {
        "phone": "138 1234 5678", "display_name": "老张", "password": "long enough 1",
        "home_region_code-city": "12", "home_region_code": "371312", "consent": "y"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(User)) is None


def test_sign_up_stores_the_code_and_its_name(client):
    from tests.accounts.helpers import sign_up

    response = sign_up(client, {
        "phone": "138 1234 5678", "display_name": "老张", "password": "long enough 1",
        "home_region_code-city": "3713", "home_region_code": "371312", "consent": "y"})
    assert response.status_code == 303
    user = db.session.scalar(db.select(User))
    assert (user.home_region_code, user.home_district) == ("371312", "河东区")


def test_station_editor_picks_the_district_and_the_names_follow(app, client, make_user,
                                                                 make_station):
    from tests.accounts.helpers import log_in
    station = make_station(name="开发区驿站", city="天津市", district="经济技术开发区")
    assert station.region_code is None
    log_in(client, make_user("admin"))
    form = {"name": station.name, "address": "", "city": "天津市", "district": "经济技术开发区",
            "lat": f"{station.lat:.6f}", "lon": f"{station.lon:.6f}", "kind": "union",
            "capacity": "0", "phone": "", "opening_hours": "", "organisation_id": "",
            "region_code-city": "12", "region_code": "120116"}
    response = post(client, f"/staff/stations/{station.id}/edit", form)
    assert response.status_code == 303
    db.session.refresh(station)
    assert (station.region_code, station.city, station.district) == ("120116", "天津市", "滨海新区")
