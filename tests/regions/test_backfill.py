"""Migration 0012 gives existing rows their codes by city and district; what it cannot match
waits on the admin's review list, in no branch."""
import importlib

import pytest
from sqlalchemy import insert

from accounts.models import Organisation, User
from extensions import db
from regions import review
from rest_stations.models import Station
from tests.accounts.helpers import log_in, post
from wishes.models import Wish

migration = importlib.import_module("migrations.versions.0012_region_codes")


@pytest.fixture
def legacy_rows(app, make_station):
    """Rows as they were before 0012: names only (written with Core, so nothing matches them)."""
    def organisation(name, city, district):
        return db.session.execute(insert(Organisation).values(
            name=name, city=city, district=district).returning(Organisation.id)).scalar_one()

    def worker(phone, name, district):
        return db.session.execute(insert(User).values(
            phone=phone, display_name=name, password_hash="x", role="worker",
            home_district=district).returning(User.id)).scalar_one()

    ids = {
        "weihai": organisation("威海经济技术开发区总工会", "威海市", "经济技术开发区"),
        "tianjin_zone": organisation("天津开发区工会", "天津市", "经济技术开发区"),
        "hedong": organisation("天津市河东区总工会", "天津市", "河东区"),
        "unique_worker": worker("+8613700000001", "滨海骑手", "滨海新区"),
        "hedong_worker": worker("+8613700000002", "河东骑手", "河东区"),
        "zone_worker": worker("+8613700000003", "开发区骑手", "经济技术开发区"),
    }
    station = make_station(name="河东驿站", city="天津市", district="河东区")
    db.session.execute(db.update(Station).values(region_code=None))
    ids["station"] = station.id
    ids["wish"] = db.session.execute(insert(Wish).values(
        worker_id=ids["hedong_worker"], title="护膝", category="goods", district="河东区",
        station_id=station.id, organisation_id=ids["hedong"]).returning(Wish.id)).scalar_one()
    db.session.commit()
    return ids


def _code(model, row_id, column="region_code"):
    return db.session.scalar(db.select(getattr(model, column)).where(model.id == row_id))


def test_backfill_matches_rows_by_city_and_district(legacy_rows):
    migration._backfill(db.session.connection())
    db.session.commit()
    assert _code(Organisation, legacy_rows["weihai"]) == "371072"
    assert _code(Organisation, legacy_rows["hedong"]) == "120102"
    assert _code(Station, legacy_rows["station"]) == "120102"
    assert _code(User, legacy_rows["unique_worker"], "home_region_code") == "120116"
    assert _code(Wish, legacy_rows["wish"]) == "120102"  # from its station


def test_rows_the_backfill_cannot_match_go_to_the_review_list_not_a_branch(legacy_rows):
    migration._backfill(db.session.connection())
    db.session.commit()
    assert _code(Organisation, legacy_rows["tianjin_zone"]) is None
    assert _code(User, legacy_rows["hedong_worker"], "home_region_code") is None  # Tianjin or Linyi?
    assert _code(User, legacy_rows["zone_worker"], "home_region_code") is None
    assert [o.id for o in review.unmatched_rows("organisation")] == [legacy_rows["tianjin_zone"]]
    assert {u.id for u in review.unmatched_rows("person")} == {legacy_rows["hedong_worker"],
                                                                legacy_rows["zone_worker"]}
    assert review.unmatched_rows("station") == []


def test_admin_sees_the_review_list_and_gives_a_row_its_district(app, client, legacy_rows,
                                                                  make_user):
    migration._backfill(db.session.connection())
    db.session.commit()
    log_in(client, make_user("admin"))
    page = client.get("/staff/regions/review").get_data(as_text=True)
    assert "开发区骑手" in page and "河东骑手" in page and "天津开发区工会" in page
    assert "滨海骑手" not in page
    worker = legacy_rows["hedong_worker"]
    response = post(client, f"/staff/regions/review/person/{worker}",
                    {f"person-{worker}-code-city": "12", f"person-{worker}-code": "120102",
                     f"person-{worker}-csrf_token": _token(page)})
    assert response.status_code == 303
    assert _code(User, worker, "home_region_code") == "120102"
    assert "河东骑手 现在属于天津市河东区" in client.get("/staff/regions/review").get_data(as_text=True)
    assert "河东骑手" not in client.get("/staff/regions/review").get_data(as_text=True)


def test_review_refuses_a_district_outside_the_chosen_city(app, client, legacy_rows, make_user):
    migration._backfill(db.session.connection())
    db.session.commit()
    log_in(client, make_user("admin"))
    page = client.get("/staff/regions/review").get_data(as_text=True)
    row = legacy_rows["tianjin_zone"]
    response = post(client, f"/staff/regions/review/organisation/{row}",
                    {f"organisation-{row}-code-city": "12", f"organisation-{row}-code": "371072",
                     f"organisation-{row}-csrf_token": _token(page)})
    assert response.status_code == 422
    assert "不在您选择的城市" in response.get_data(as_text=True)
    assert _code(Organisation, row) is None


def test_only_admins_review_regions(app, client, legacy_rows, make_user, make_organisation):
    staff = make_user("staff", organisation_id=make_organisation().id)
    log_in(client, staff)
    assert client.get("/staff/regions/review").status_code == 403
    assert post(client, f"/staff/regions/review/person/{legacy_rows['zone_worker']}",
                {}).status_code == 404


def test_the_match_command_gives_codes_to_rows_that_now_match(app, runner, legacy_rows):
    result = runner.invoke(args=["regions", "match"])
    assert result.exit_code == 0, result.output
    assert _code(Organisation, legacy_rows["hedong"]) == "120102"
    assert "3" in result.output  # 威海, 河东 and 滨海: matched; the rest wait for an admin


def _token(page: str) -> str:
    import re
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
