"""Opening hours: judged in the station's zone, past midnight, 24/7, unknown and invalid."""
from datetime import datetime, timezone

import pytest

from rest_stations.hours import InvalidHours, check_hours, hours_status

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
