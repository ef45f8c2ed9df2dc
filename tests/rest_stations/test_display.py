"""Badges and clock times read in the rider's language, whatever was formatted before."""
from datetime import datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from rest_stations.display import clock, hours_badge
from rest_stations.hours import HoursStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 1 December 2026, 10:47 in Shanghai.
NOW = datetime(2026, 12, 1, 2, 47, tzinfo=timezone.utc)
STATION = SimpleNamespace(status="active", timezone="Asia/Shanghai")


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=SHANGHAI)


CASES = [
    (STATION, HoursStatus(open=True, closes_at=_at(1, 22)),
     ("open", "开放中 · 22:00 关门", "Open · closes 10:00 PM")),
    (STATION, HoursStatus(open=True, closes_at=_at(2, 2)),
     ("open", "开放中 · 周三 02:00 关门", "Open · closes Wed 2:00 AM")),
    (STATION, HoursStatus(open=False, opens_at=_at(1, 14)),
     ("closed", "未开放 · 14:00 开门", "Closed · opens 2:00 PM")),
    (STATION, HoursStatus(open=False, opens_at=_at(7, 8)),
     ("closed", "未开放 · 周一 08:00 开门", "Closed · opens Mon 8:00 AM")),
    (STATION, HoursStatus(open=True), ("open", "24 小时开放", "Open 24 hours")),
    (STATION, HoursStatus(open=None), ("unknown", "营业时间未知", "Hours unknown")),
    (SimpleNamespace(status="temporarily_closed", timezone="Asia/Shanghai"),
     HoursStatus(open=True), ("closed", "暂停开放", "Temporarily closed")),
]


@pytest.mark.parametrize("station, hours, expected", CASES)
def test_a_badge_reads_in_each_language_in_turn(app, station, hours, expected):
    """Each case twice in each language, alternating: the texts are kept per locale."""
    state, chinese, english = expected
    with app.test_request_context():
        for _round in range(2):
            for locale, text in (("zh_Hans", chinese), ("en", english)):
                with force_locale(locale):
                    badge = hours_badge(station, hours, NOW)
                    assert (badge.state, badge.text.replace("\u202f", " ")) == (state, text)


def test_clock_times_follow_the_locale(app):
    with app.test_request_context():
        for _round in range(2):
            with force_locale("zh_Hans"):
                assert clock(_at(1, 22)) == "22:00"
            with force_locale("en"):
                assert clock(_at(1, 22)).replace("\u202f", " ") == "10:00 PM"
