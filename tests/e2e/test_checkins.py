"""A worker's phone at a station door, in real Chromium: scan the poster while logged out,
log in, confirm once, see the seat count rise, check out with a "water empty" report; then
the station's staff see the report. Screenshots go to $YIZHAN_SCREENSHOTS when it is set."""
import os
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from accounts.models import Organisation, User
from checkins.posters import poster_token
from extensions import db
from rest_stations.models import Station

pytestmark = pytest.mark.browser

PASSWORD = "browser test password"
SHOTS = os.environ.get("YIZHAN_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def station_with_people(live_server, request):
    """A station of a fresh organisation, a worker and that organisation's staff member."""
    suffix = request.node.name[-12:]
    language = "en" if request.node.callspec.params["locale"] == "en" else "zh_Hans"
    with live_server.app_context():
        organisation = Organisation(name=f"测试工会 {suffix}", city="天津市", district="河东区")
        db.session.add(organisation)
        db.session.flush()
        station = db.session.scalars(db.select(Station).where(Station.organisation_id.is_(None))
                                     .order_by(Station.id)).first()
        station.organisation_id = organisation.id
        station.capacity = 8
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        numbers = {"worker": f"1390000{len(suffix) % 10}{abs(hash(suffix)) % 1000:03d}"}
        numbers["staff"] = numbers["worker"][:-4] + "9" + numbers["worker"][-3:]
        for role, number in numbers.items():
            db.session.add(User(phone="+86" + number, display_name=role, password_hash=cheap,
                                role=role, language=language, organisation_id=organisation.id if role == "staff" else None,
                                consent_at=datetime.now(timezone.utc)))
        db.session.commit()
        result = {"station": station.id, "name": station.name, "token": poster_token(station.id, 1),
                  **numbers}
        db.session.remove()
    return result


def log_in(page, phone_number: str) -> None:
    page.locator("input[name=phone]").fill(phone_number)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.account-form button[type=submit]").click()


@pytest.mark.parametrize("locale, texts", [
    ("en", {"check_in": "Check in", "checked_in": r"Checked in \d", "taken": "7 of 8 seats free",
            "report": "Check out and tell us how it was", "water": "Water empty",
            "send": "Check out and send"}),
    ("zh-CN", {"check_in": "签到", "checked_in": r"\d\d:\d\d 已签到", "taken": "空位 7 / 共 8",
               "report": "签退并反馈驿站情况", "water": "没有饮用水", "send": "签退并提交"}),
])
def test_poster_scan_login_confirm_check_out_with_report_reaches_staff(phone, live_server,
                                                                       station_with_people,
                                                                       locale, texts):
    s = station_with_people
    lang = locale[:2]
    worker = phone(locale=locale)
    page = worker.page
    page.context.add_cookies([{"name": "lang", "value": "en" if lang == "en" else "zh_Hans",
                               "url": live_server.url}])
    worker.goto(f"/check-in/{s['token']}")
    expect(page).to_have_url(re.compile(r"/account/login\?next="))
    log_in(page, s["worker"])
    expect(page).to_have_url(re.compile(rf"/check-in/{re.escape(s['token'])}$"))
    page.wait_for_load_state("load")  # htmx ready before the tap, or it goes the plain way
    panel = page.locator(".check-in")
    shoot(page, f"{lang}-1-confirm")
    panel.get_by_role("button", name=texts["check_in"], exact=True).click()
    expect(panel.locator(".check-in-line")).to_contain_text(re.compile(texts["checked_in"]))
    expect(panel.locator(".check-in-line")).to_contain_text(texts["taken"])
    shoot(page, f"{lang}-2-checked-in")

    page.get_by_text(texts["report"]).click()
    page.get_by_label(texts["water"]).check()
    page.locator("textarea[name=note]").fill("饮水机没水了")
    shoot(page, f"{lang}-3-report")
    page.get_by_role("button", name=texts["send"]).click()
    expect(page.locator(".check-in .notice")).to_be_visible()
    expect(panel.get_by_role("button", name=texts["check_in"], exact=True)).to_be_visible()
    shoot(page, f"{lang}-4-checked-out")
    assert not worker.console_errors, worker.console_errors

    staff = phone(locale=locale)
    staff.page.context.add_cookies([{"name": "lang", "value": "en" if lang == "en" else "zh_Hans",
                                     "url": live_server.url}])
    staff.goto("/account/login")
    log_in(staff.page, s["staff"])
    staff.goto("/staff/reports")
    item = staff.page.locator(".report-item", has_text=s["name"])
    expect(item).to_contain_text(texts["water"])
    expect(item).to_contain_text("饮水机没水了")
    shoot(staff.page, f"{lang}-5-staff-reports")
    staff.goto(f"/staff/stations/{s['station']}/usage")
    expect(staff.page.locator("svg.chart").first).to_be_visible()
    shoot(staff.page, f"{lang}-6-usage")
    staff.goto(f"/staff/stations/{s['station']}/poster")
    expect(staff.page.locator("img.poster-qr")).to_be_visible()
    shoot(staff.page, f"{lang}-7-poster")
    assert not staff.console_errors, staff.console_errors


def _station_in(live_server, district: str, offset: int, **changes) -> dict:
    """A demo station of `district` (away from the other tests' stations), with `changes`
    applied; returns what the test needs and what to put back."""
    with live_server.app_context():
        station = db.session.scalars(db.select(Station).where(Station.district == district)
                                     .order_by(Station.id).offset(offset)).first()
        before = {name: getattr(station, name) for name in changes}
        for name, value in changes.items():
            setattr(station, name, value)
        db.session.commit()
        found = {"id": station.id, "name": station.name, "lat": station.lat, "lon": station.lon,
                 "before": before}
        db.session.remove()
    return found


def _restore(live_server, station: dict) -> None:
    with live_server.app_context():
        row = db.session.get(Station, station["id"])
        for name, value in station["before"].items():
            setattr(row, name, value)
        db.session.commit()
        db.session.remove()


def _worker(live_server, language: str, number: str) -> str:
    with live_server.app_context():
        db.session.add(User(phone="+86" + number, display_name="骑手", role="worker",
                            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"),
                            language=language, consent_at=datetime.now(timezone.utc)))
        db.session.commit()
        db.session.remove()
    return number


@pytest.mark.parametrize("locale, texts", [
    ("en", {"check_in": "Check in", "free_after": "4 of 5 seats free", "free": "5 of 5 seats free",
            "remote": "not counted in the free seats"}),
    ("zh-CN", {"check_in": "签到", "free_after": "空位 4 / 共 5", "free": "空位 5 / 共 5",
               "remote": "未计入空位统计"}),
])
def test_a_tap_at_the_station_counts_and_a_tap_from_afar_is_kept_as_remote(phone, live_server,
                                                                           locale, texts):
    lang = locale[:2]
    station = _station_in(live_server, "余杭区", 0 if lang == "en" else 1, capacity=5)
    language = "en" if lang == "en" else "zh_Hans"
    try:
        for where, number, expected in (
                ((station["lat"] + 0.001, station["lon"]), "13700010000" if lang == "en" else "13700020000",
                 texts["free_after"]),
                ((station["lat"] + 0.02, station["lon"]), "13700010001" if lang == "en" else "13700020001",
                 texts["free_after"])):
            rider = phone(locale=locale, geolocation=where)
            page = rider.page
            page.context.add_cookies([{"name": "lang", "value": language, "url": live_server.url}])
            _worker(live_server, language, number)
            rider.goto(f"/account/login?next=/stations/{station['id']}")
            log_in(page, number)
            expect(page).to_have_url(re.compile(rf"/stations/{station['id']}$"))
            page.wait_for_load_state("load")
            panel = page.locator(".check-in")  # loaded by the station page (hx-trigger=load)
            expect(panel).to_contain_text(texts["free"] if number.endswith("0000") else texts["free_after"])
            panel.get_by_role("button", name=texts["check_in"], exact=True).click()
            expect(panel.locator(".check-in-line")).to_contain_text(expected)
            if number.endswith("0001"):  # 2 km away: recorded, told, not counted
                expect(panel.locator(".remote-note")).to_contain_text(texts["remote"])
                shoot(page, f"{lang}-8-remote")
            else:
                expect(panel.locator(".remote-note")).to_have_count(0)
                shoot(page, f"{lang}-8-counted")
            assert not rider.console_errors, rider.console_errors
    finally:
        _restore(live_server, station)


@pytest.mark.parametrize("locale, texts", [
    ("en", {"closed": "Temporarily closed", "reopens": "It reopens on", "nearest": "Nearest open station",
            "check_in": "Check in"}),
    ("zh-CN", {"closed": "暂停开放", "reopens": "恢复开放", "nearest": "最近的开放驿站",
               "check_in": "签到"}),
])
def test_a_closed_station_says_so_first_disables_check_in_and_offers_an_open_one(
        phone, live_server, locale, texts):
    lang = locale[:2]
    station = _station_in(live_server, "沙依巴克区", 0, status="temporarily_closed",
                          closed_reason="供暖管道维修", reopens_on=date(2026, 12, 20))
    try:
        rider = phone(locale=locale)
        page = rider.page
        page.context.add_cookies([{"name": "lang", "value": "en" if lang == "en" else "zh_Hans",
                                   "url": live_server.url}])
        rider.goto(f"/stations/{station['id']}")
        notice = page.locator(".closed-notice")
        expect(notice).to_contain_text(texts["closed"])
        expect(notice).to_contain_text("供暖管道维修")
        expect(notice).to_contain_text(texts["reopens"])
        expect(notice).to_contain_text(texts["nearest"])
        page.wait_for_load_state("load")
        button = page.locator(".check-in").get_by_role("button", name=texts["check_in"], exact=True)
        expect(button).to_be_disabled()
        # The notice comes before the check-in panel and the navigate button.
        notice_box, panel_box = notice.bounding_box(), page.locator(".check-in").bounding_box()
        assert notice_box["y"] < panel_box["y"]
        shoot(page, f"{lang}-9-closed")
        notice.get_by_role("link").first.click()
        expect(page.locator(".closed-notice")).to_have_count(0)
        expect(page.locator(".check-in").get_by_role("link", name=texts["check_in"], exact=True)).to_be_visible()
        assert not rider.console_errors, rider.console_errors
    finally:
        _restore(live_server, station)
