"""Opening hours: judged in the station's zone, past midnight, 24/7, unknown and invalid."""
from datetime import date, datetime, timezone

import pytest

from rest_stations.hours import (InvalidHours, check_hours, hours_from_week, hours_status,
                                 osm_hours, week_from_hours, week_schedule)

SHANGHAI = "Asia/Shanghai"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_open_in_the_stations_time_zone_not_utc():
    # 01:30 UTC is 09:30 in Shanghai.
    status = hours_status("Mo-Su 08:00-20:00", SHANGHAI, utc(2026, 11, 23, 1, 30))
    assert status.open is True
    assert status.closes_at == datetime(2026, 11, 23, 20, 0)


def test_closed_station_reports_when_it_opens():
    status = hours_status("Mo-Su 08:00-20:00", SHANGHAI, utc(2026, 11, 23, 13, 0))  # 21:00
    assert status.open is False
    assert status.opens_at == datetime(2026, 11, 24, 8, 0)


@pytest.mark.parametrize(("local_hour", "expected"), [(23, True), (1, True), (3, False), (12, False)])
def test_hours_past_midnight(local_hour, expected):
    # Monday 2026-11-23, Shanghai = UTC+8
    now = utc(2026, 11, 23, (local_hour - 8) % 24)
    assert hours_status("Mo-Su 18:00-02:00", SHANGHAI, now).open is expected


def test_past_midnight_closing_time_is_the_next_morning():
    status = hours_status("Mo-Su 18:00-02:00", SHANGHAI, utc(2026, 11, 23, 15, 0))  # 23:00
    assert status.closes_at == datetime(2026, 11, 24, 2, 0)


def test_24_7_is_open_with_no_closing_time():
    status = hours_status("24/7", SHANGHAI, utc(2026, 11, 23, 19, 0))
    assert status.open is True and status.closes_at is None


def test_empty_hours_are_unknown_not_closed():
    assert hours_status("", SHANGHAI, utc(2026, 11, 23, 3, 0)).open is None


def test_weekday_rules():
    saturday_noon = utc(2026, 11, 28, 4, 0)
    assert hours_status("Mo-Fr 09:00-18:00", SHANGHAI, saturday_noon).open is False
    assert hours_status("Mo-Fr 09:00-18:00; Sa 10:00-16:00", SHANGHAI, saturday_noon).open is True


def test_other_time_zone_is_respected():
    # 09:30 in Shanghai is 07:30 in Urumqi local solar practice (Asia/Urumqi is UTC+6).
    now = utc(2026, 11, 23, 1, 30)
    assert hours_status("Mo-Su 08:00-20:00", "Asia/Urumqi", now).open is False


@pytest.mark.parametrize("text", ["Mo-Zz 08:00-20:00", "every day", "Mo-Fr 25:00-26:00x"])
def test_invalid_syntax_is_refused(text):
    with pytest.raises(InvalidHours):
        check_hours(text)


@pytest.mark.parametrize(("written", "osm"), [
    ("每天8:00-20:00", "Mo-Su 08:00-20:00"),
    ("每日 8：00—20：00", "Mo-Su 08:00-20:00"),
    ("周一至周五 9:00-18:00", "Mo-Fr 09:00-18:00"),
    ("周一至周五 9:00-18:00；周六、周日 10:00-16:00", "Mo-Fr 09:00-18:00; Sa,Su 10:00-16:00"),
    ("周一至周五 8:30-12:00，13:30-17:30", "Mo-Fr 08:30-12:00,13:30-17:30"),
    ("24小时", "24/7"),
    ("全天24小时开放", "24/7"),
    ("每天8:00-20:00，节假日休息", "Mo-Su 08:00-20:00; PH off"),
    ("周一到周六8:00~20:00，周日休息", "Mo-Sa 08:00-20:00; Su off"),
    ("工作日 上午9点-下午5点半", "Mo-Fr 09:00-17:30"),
    ("Mo-Fr 08:00-18:00；Sa 09:00-12:00", "Mo-Fr 08:00-18:00;Sa 09:00-12:00"),
    ("Mo-Fr 08:00-18:00", "Mo-Fr 08:00-18:00"),  # already OSM: kept exactly
    ("", ""),
])
def test_chinese_hours_phrases_become_openstreetmap_syntax(written, osm):
    assert osm_hours(written) == osm
    assert check_hours(osm) == osm


@pytest.mark.parametrize("written", ["随时", "开放", "周一至周五 25:00-26:00", "周八 9:00-18:00"])
def test_phrases_we_cannot_read_stay_invalid(written):
    with pytest.raises(InvalidHours):
        osm_hours(written)


def test_the_weekly_table_round_trips_through_osm_syntax():
    week = [("09:00", "18:00")] * 5 + [("10:00", "16:00"), None]
    assert hours_from_week(week) == "Mo-Fr 09:00-18:00; Sa 10:00-16:00"
    assert week_from_hours("Mo-Fr 09:00-18:00; Sa 10:00-16:00") == week
    assert hours_from_week([("00:00", "24:00")] * 7) == "24/7"
    assert hours_from_week([None] * 7) == ""
    # What the table cannot say (two spans a day, holidays) is left to the text field.
    assert week_from_hours("Mo-Fr 08:30-12:00,13:30-17:30") is None
    assert week_from_hours("Mo-Su 08:00-20:00; PH off") is None


def test_the_week_schedule_lists_seven_days_from_today():
    days = week_schedule("Mo-Fr 09:00-18:00", date(2026, 11, 27))  # a Friday
    assert [d.day.weekday() for d in days] == [4, 5, 6, 0, 1, 2, 3]
    assert days[0].spans == (("09:00", "18:00"),) and days[1].spans == ()
    assert week_schedule("24/7", date(2026, 11, 27))[0].spans == (("00:00", "24:00"),)
    assert all(d.unknown for d in week_schedule("", date(2026, 11, 27)))
