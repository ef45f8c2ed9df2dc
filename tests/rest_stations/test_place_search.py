"""Search by place finds Chinese places typed without spaces, on SQLite (FTS5 trigram) and
PostgreSQL (pg_trgm), and keeps to the filters."""
import pytest

from extensions import db
from rest_stations.place_search import parse, search_stations


@pytest.fixture
def tianjin(make_station):
    return {
        "dawangzhuang": make_station(name="大王庄街道驿站", address="天津市河东区大王庄街道十一经路 8 号",
                                     district="河东区", city="天津市"),
        "liuwei": make_station(name="海河驿站", address="天津市河东区六纬路 1 号", district="河东区",
                               city="天津市", amenities=["water", "microwave"]),
        "nanjing": make_station(name="南京路服务站", address="天津市和平区南京路 189 号",
                                district="和平区", city="天津市", lat=39.12, lon=117.19),
        "hangzhou": make_station(name="西湖驿站", address="杭州市西湖区", district="西湖区",
                                 city="杭州市", lat=30.25, lon=120.15),
    }


def _names(found):
    return [item.station.name for item in found]


def test_a_full_address_typed_without_spaces_finds_its_station(tianjin):
    assert _names(search_stations("天津市河东区大王庄")) == ["大王庄街道驿站"]


def test_a_street_name_alone_finds_the_stations_on_it(tianjin):
    assert _names(search_stations("南京路")) == ["南京路服务站"]


def test_the_best_covered_station_comes_first(tianjin):
    names = _names(search_stations("河东区六纬路"))
    assert names[0] == "海河驿站"


def test_spaces_and_full_width_punctuation_separate_pieces(tianjin):
    assert _names(search_stations("大王庄 驿站")) == ["大王庄街道驿站"]
    assert _names(search_stations("河东区，大王庄")) == ["大王庄街道驿站"]


def test_short_pieces_must_each_appear(tianjin):
    assert set(_names(search_stations("河东"))) == {"大王庄街道驿站", "海河驿站"}
    assert _names(search_stations("杭州 西湖")) == ["西湖驿站"]


def test_a_place_we_have_no_station_for_finds_nothing(tianjin):
    assert search_stations("滨江道") == []
    assert search_stations("北京市朝阳区") == []


def test_amenity_filter_and_delisted_stations(tianjin):
    assert _names(search_stations("河东区", amenities=["microwave"])) == ["海河驿站"]
    tianjin["liuwei"].status = "delisted"
    db.session.commit()
    assert search_stations("六纬路") == []


def test_search_follows_renames(tianjin):
    tianjin["hangzhou"].name = "断桥驿站"
    db.session.commit()
    assert _names(search_stations("断桥驿站")) == ["断桥驿站"]
    assert search_stations("西湖驿站") == []


def test_latin_letters_match_without_case(make_station):
    make_station(name="CBD Rider Hub", address="Jianguo Road 1")
    assert _names(search_stations("cbd rider")) == ["CBD Rider Hub"]


def test_parse_cuts_pieces_into_trigrams():
    query = parse("天津市，河东 大王庄")
    assert query.trigrams == ("天津市", "大王庄")
    assert query.short_pieces == ("河东",)
    assert parse("").trigrams == ()
