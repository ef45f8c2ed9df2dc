"""The one clock: UTC inside, the station's zone for people, one hook for tests."""
from datetime import date, datetime, timezone

import pytest

import clock


def test_now_is_aware_utc():
    moment = clock.now()
    assert moment.tzinfo is not None and moment.utcoffset().total_seconds() == 0


def test_travel_to_moves_now_and_comes_back():
    moment = datetime(2026, 12, 2, 2, 47, tzinfo=timezone.utc)
    with clock.travel_to(moment):
        assert clock.now() == moment
    assert clock.now() != moment


def test_travel_to_refuses_a_naive_moment():
    with pytest.raises(ValueError):
        with clock.travel_to(datetime(2026, 12, 2)):
            pass


def test_today_is_the_local_date_not_the_servers():
    # 17:30 UTC on 1 December is already 2 December in Beijing.
    late = datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc)
    assert clock.today(at=late) == date(2026, 12, 2)
    assert clock.today("Europe/London", at=late) == date(2026, 12, 1)


def test_unknown_zone_falls_back_to_beijing():
    assert clock.zone("Not/AZone").key == "Asia/Shanghai"
    assert clock.zone(None).key == "Asia/Shanghai"


@pytest.mark.parametrize("locale, expected", [("zh_Hans", "12月2日 10:47"), ("en", "Dec 2 10:47")])
def test_moments_read_day_then_time_in_the_readers_language(locale, expected):
    moment = datetime(2026, 12, 2, 2, 47, tzinfo=timezone.utc)
    assert clock.format_moment(moment, locale=locale) == expected


def test_naive_values_are_taken_as_utc():
    assert clock.local(datetime(2026, 12, 2, 2, 47)).hour == 10
    assert clock.format_stamp(datetime(2026, 12, 2, 2, 47, tzinfo=timezone.utc)) == "2026-12-02 10:47"


def test_utc_column_refuses_naive_datetimes():
    column = clock.UTCDateTime()
    with pytest.raises(ValueError):
        column.process_bind_param(datetime(2026, 12, 2), None)
    assert column.process_result_value(datetime(2026, 12, 2), None).tzinfo == timezone.utc
