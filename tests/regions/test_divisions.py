"""The division table as shipped, and matching names to one district (or to none)."""
import pytest

from regions import divisions


def test_the_table_has_every_county_level_district_with_its_city():
    table = divisions.table()
    assert len(table.districts) > 2900 and len(table.cities) > 330
    assert divisions.district("120102").label == "天津市河东区"
    assert divisions.district("371312").label == "临沂市河东区"
    # Municipalities are one city, however the source splits them (重庆's 市辖区 and 县).
    assert {d.city.key for d in table.districts.values() if d.code.startswith("50")} == {"50"}
    assert divisions.district("441900").label == "东莞市"  # a city without districts


@pytest.mark.parametrize(("city", "district", "code"), [
    ("天津市", "河东区", "120102"),
    ("临沂市", "河东区", "371312"),
    ("北京市", "朝阳区", "110105"),
    ("长春市", "朝阳区", "220104"),
    ("北京", "朝阳区", "110105"),
    ("威海市", "经济技术开发区", "371072"),
    ("威海市", "威海经济技术开发区", "371072"),
    ("", "滨海新区", "120116"),
    ("", "120102", "120102"),
    (" 天津市 ", " 河 东 区", "120102"),
    ("东莞市", "沙田镇", "441900"),  # a city without districts: its towns are the city's
])
def test_names_that_describe_one_district_give_its_code(city, district, code):
    assert divisions.match(city, district) == code


@pytest.mark.parametrize(("city", "district"), [
    ("天津市", "经济技术开发区"),  # no such district in Tianjin: not Weihai's
    ("", "朝阳区"),                # Beijing or Changchun
    ("", "河东区"),                # Tianjin or Linyi
    ("", "经济技术开发区"),
    ("天津市", "朝阳区"),
    ("天津市", ""),
    ("", "999999"),
])
def test_names_that_describe_no_district_or_several_give_none(city, district):
    assert divisions.match(city, district) is None
