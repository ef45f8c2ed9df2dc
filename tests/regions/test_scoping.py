"""Staff see workers, and wishes reach branches, by region code, never by district name."""
import pytest

from extensions import db
from tests.accounts.helpers import log_in


@pytest.fixture
def branches(make_organisation, make_user):
    weihai = make_organisation("威海经济技术开发区总工会", city="威海市", district="经济技术开发区")
    hedong = make_organisation("天津市河东区总工会", city="天津市", district="河东区")
    linyi = make_organisation("临沂市河东区总工会", city="临沂市", district="河东区")
    beijing = make_organisation("北京市朝阳区总工会", city="北京市", district="朝阳区")
    changchun = make_organisation("长春市朝阳区总工会", city="长春市", district="朝阳区")
    return {"weihai": weihai, "hedong": hedong, "linyi": linyi, "beijing": beijing,
            "changchun": changchun,
            "staff": {name: make_user("staff", organisation_id=org.id)
                      for name, org in (("weihai", weihai), ("hedong", hedong), ("linyi", linyi),
                                        ("beijing", beijing), ("changchun", changchun))}}


def _people_page(app, staff) -> str:
    client = app.test_client()
    log_in(client, staff)
    return client.get("/staff/people").get_data(as_text=True)


def test_organisations_get_their_codes_from_city_and_district(branches):
    assert [branches[n].region_code for n in ("weihai", "hedong", "linyi", "beijing", "changchun")] \
        == ["371072", "120102", "371312", "110105", "220104"]


def test_a_tianjin_development_zone_worker_is_not_shown_to_weihai_staff(app, branches, make_user):
    typed = make_user(home_district="经济技术开发区", home_city="天津市", display_name="天津开发区骑手")
    picked = make_user(home_district="滨海新区", home_region_code="120116", display_name="滨海骑手")
    weihai = make_user(home_district="威海经济技术开发区", home_region_code="371072",
                       display_name="威海骑手")
    assert typed.home_region_code is None  # on the review list, in no branch
    page = _people_page(app, branches["staff"]["weihai"])
    assert "威海骑手" in page
    assert "天津开发区骑手" not in page and "滨海骑手" not in page
    client = app.test_client()
    log_in(client, branches["staff"]["weihai"])
    assert client.get(f"/staff/people/{typed.id}").status_code == 404


@pytest.mark.parametrize(("district", "first", "second"), [
    ("河东区", ("天津市", "hedong"), ("临沂市", "linyi")),
    ("朝阳区", ("北京市", "beijing"), ("长春市", "changchun")),
])
def test_same_district_names_in_two_cities_no_longer_clash(app, branches, make_user, district,
                                                         first, second):
    make_user(home_district=district, home_city=first[0], display_name="甲城骑手")
    make_user(home_district=district, home_city=second[0], display_name="乙城骑手")
    make_user(home_district=district, home_city="", display_name="不知哪城骑手")
    first_page = _people_page(app, branches["staff"][first[1]])
    second_page = _people_page(app, branches["staff"][second[1]])
    assert "甲城骑手" in first_page and "乙城骑手" not in first_page
    assert "乙城骑手" in second_page and "甲城骑手" not in second_page
    assert "不知哪城骑手" not in first_page + second_page


def test_staff_of_an_organisation_without_a_code_see_no_one(app, make_organisation, make_user):
    nowhere = make_organisation("某某工会", city="天津市", district="经济技术开发区")
    assert nowhere.region_code is None
    make_user(home_district="经济技术开发区", display_name="某骑手")
    assert "某骑手" not in _people_page(app, make_user("staff", organisation_id=nowhere.id))


def test_a_chosen_code_is_not_overwritten_by_names(app, branches):
    organisation = branches["hedong"]
    organisation.district = "河东"  # a typo in the name does not move the branch
    db.session.commit()
    assert organisation.region_code == "120102"
