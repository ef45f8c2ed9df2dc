"""Station staff at a desk in real Chromium: upload a sheet, preview it, import it, and the
new stations appear in a courier's nearest list; the editor previews hours as staff type.
Screenshots go to $YIZHAN_SCREENSHOTS when it is set."""
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from accounts.models import Organisation, User
from extensions import db
from rest_stations.models import Station
from tests.e2e.conftest import BLANK_TILE

pytestmark = pytest.mark.browser

PASSWORD = "browser test password"
SHOTS = os.environ.get("YIZHAN_SCREENSHOTS")
DESK = {"width": 1280, "height": 900}
# 沙依巴克区, Urumqi: far from the demo stations, so the new ones are the nearest.
SHEET = ("名称,地址,城市,区县,纬度,经度,类型,设施,开放时间,座位数,电话\n"
         "{a},友好南路 1 号,乌鲁木齐市,沙依巴克区,43.79001,87.58002,union,water;charging,24/7,6,\n"
         "{b},友好南路 99 号,乌鲁木齐市,沙依巴克区,43.79301,87.58302,partner,toilet,,0,\n"
         "坏行,,,,north,87.5,,,,,\n")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def staff_member(live_server, request):
    suffix = request.node.name[-60:]
    language = "en" if "en" in request.node.callspec.params["locale"] else "zh_Hans"
    number = f"1370000{abs(hash(suffix)) % 10000:04d}"
    with live_server.app_context():
        organisation = Organisation(name=f"沙依巴克区总工会 {suffix}", city="乌鲁木齐市",
                                    district="沙依巴克区")
        db.session.add(organisation)
        db.session.flush()
        db.session.add(User(phone="+86" + number, display_name="staff", role="staff",
                            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"),
                            language=language, organisation_id=organisation.id,
                            consent_at=datetime.now(timezone.utc)))
        db.session.commit()
        db.session.remove()
    return number


@pytest.fixture
def desk(browser, live_server):
    contexts = []

    def open_desk(locale: str, viewport=DESK):
        context = browser.new_context(viewport=viewport, locale=locale)
        context.set_default_timeout(10_000)
        context.route("**/tile.openstreetmap.org/**", lambda route: route.fulfill(
            status=200, content_type="image/png", body=BLANK_TILE))
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield open_desk
    for context in contexts:
        context.close()


def log_in(page, base_url: str, number: str) -> None:
    page.goto(base_url + "/account/login")
    page.locator("input[name=phone]").fill(number)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.account-form button[type=submit]").click()


@pytest.mark.parametrize("locale, texts", [
    ("en", {"new": "New: 2", "errors": "Errors: 1", "import": "Import these stations",
            "imported": "Imported: 2 new stations", "open": "Open 24 hours"}),
    ("zh-CN", {"new": "新增：2", "errors": "错误：1", "import": "导入这些驿站",
               "imported": "新增 2 个驿站", "open": "24 小时开放"}),
])
def test_staff_upload_preview_import_and_couriers_find_the_stations(
        desk, phone, live_server, staff_member, tmp_path, locale, texts):
    names = {"a": f"友好驿站 {locale}", "b": f"合作驿站 {locale}"}
    sheet = tmp_path / "stations.csv"
    sheet.write_text(SHEET.format(**names), encoding="utf-8-sig")
    page = desk(locale)
    log_in(page, live_server.url, staff_member)
    page.goto(live_server.url + "/staff/stations/upload")
    shoot(page, f"station-admin-upload-{locale}")
    page.locator("input[name=file]").set_input_files(str(sheet))
    page.locator("form.upload-form button[type=submit]").click()
    expect(page.locator(".preview-counts")).to_contain_text(texts["new"])
    expect(page.locator(".preview-counts")).to_contain_text(texts["errors"])
    shoot(page, f"station-admin-preview-{locale}")
    with live_server.app_context():
        assert db.session.scalar(db.select(Station).where(Station.name == names["a"])) is None
    page.get_by_role("button", name=texts["import"]).click()
    expect(page.locator(".notice")).to_contain_text(texts["imported"])

    rider = phone(locale=locale, geolocation=(43.7901, 87.5801))
    rider.goto("/?lat=43.79&lon=87.58")
    results = rider.page.locator("main")
    expect(results).to_contain_text(names["a"])
    expect(results).to_contain_text(names["b"])
    assert not page.errors


@pytest.mark.parametrize("locale, texts", [
    ("en", {"open": "Open 24 hours", "invalid": "Not valid yet"}),
    ("zh-CN", {"open": "24 小时开放", "invalid": "格式还不正确"}),
])
def test_the_editor_previews_hours_as_staff_type(desk, live_server, staff_member, locale, texts):
    page = desk(locale)
    log_in(page, live_server.url, staff_member)
    page.goto(live_server.url + "/staff/stations/new")
    expect(page.locator(".pick-map .leaflet-marker-icon")).to_be_visible()
    hours = page.locator("#f-opening_hours")
    hours.fill("nonsense")
    expect(page.locator("#hours-preview")).to_contain_text(texts["invalid"])
    hours.fill("24/7")
    expect(page.locator("#hours-preview")).to_contain_text(texts["open"])
    page.locator("#f-lat").fill("43.79501")
    page.locator("#f-lat").dispatch_event("change")
    shoot(page, f"station-admin-editor-desk-{locale}")
    small = desk(locale, viewport={"width": 390, "height": 844})
    log_in(small, live_server.url, staff_member)
    small.goto(live_server.url + "/staff/stations/new")
    shoot(small, f"station-admin-editor-phone-{locale}")
    assert not page.errors and not small.errors


@pytest.mark.parametrize("locale", ["zh-CN"])
def test_on_amap_tiles_the_pin_is_drawn_shifted_and_stored_in_gps(desk, live_server, staff_member,
                                                                    locale):
    """MAP_COORDINATES = "gcj02" (Amap's tiles): the editor's map and pin are drawn in GCJ-02,
    as the tiles are, and a tap on the map fills the fields with the WGS-84 position under it.
    Without the conversion, the fields would take the drawn position, 267 m off here."""
    from china_datums import wgs84_to_gcj02
    from rest_stations.geo import geodesic_m

    with live_server.app_context():
        organisation_id = db.session.scalar(db.select(User.organisation_id).where(
            User.phone == "+86" + staff_member))
        station = Station(name="乌鲁木齐友好驿站", address="友好南路 1 号", lat=43.79001,
                          lon=87.58002, organisation_id=organisation_id)
        db.session.add(station)
        db.session.commit()
        station_id = station.id
        db.session.remove()
    live_server.app.config["MAP_COORDINATES"] = "gcj02"
    try:
        page = desk(locale)
        log_in(page, live_server.url, staff_member)
        page.goto(f"{live_server.url}/staff/stations/{station_id}/edit")
        expect(page.locator(".pick-map .leaflet-marker-icon")).to_be_visible()
        # The script's datum functions are the Python module's.
        for lat, lon in [(43.79001, 87.58002), (39.12034, 117.2351), (22.5431, 114.0579)]:
            shown = page.evaluate("([lat, lon]) => YizhanDatums.wgs84ToGcj02(lat, lon)", [lat, lon])
            assert shown == pytest.approx(wgs84_to_gcj02(lat, lon), abs=1e-9)
            back = page.evaluate("([lat, lon]) => YizhanDatums.gcj02ToWgs84(lat, lon)", shown)
            assert geodesic_m(*back, lat, lon) < 0.01
        # The map is centred on the pin; a tap there must give the station's own position.
        page.locator(".pick-map .folium-map").click()
        stored = (float(page.locator("#f-lat").input_value()),
                  float(page.locator("#f-lon").input_value()))
        assert geodesic_m(*stored, 43.79001, 87.58002) < 5
        assert not page.errors
    finally:
        live_server.app.config["MAP_COORDINATES"] = "wgs84"


def clerk_workbook(path: Path, suffix: str) -> dict:
    """The sheet a union clerk types in WPS: Chinese labels, full-width punctuation, hours
    in words. Returns the station names."""
    from openpyxl import Workbook

    names = {"union": f"友好工会驿站 {suffix}", "partner": f"友好合作驿站 {suffix}"}
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名称", "地址", "城市", "区县", "纬度", "经度", "类型", "设施", "开放时间", "座位数", "电话"])
    sheet.append([names["union"], "友好南路 5 号", "乌鲁木齐市", "沙依巴克区", 43.78801, 87.57802,
                  "工会驿站", "饮水；充电；卫生间", "每天8:00-20:00，节假日休息", "８", ""])
    sheet.append([names["partner"], "友好南路 7 号", "乌鲁木齐市", "沙依巴克区", "43.78601", "87.57602",
                  "合作驿站", "休息、微波炉", "周一至周五 9:00-18:00", 4, "0991-4512345"])
    workbook.save(path)
    return names


@pytest.mark.parametrize("locale, texts", [
    ("en", {"new": "New: 2", "errors": "Errors: 0", "import": "Import these stations",
            "read": "read as", "monday": "Monday"}),
    ("zh-CN", {"new": "新增：2", "errors": "错误：0", "import": "导入这些驿站",
               "read": "已识别为", "monday": "周一"}),
])
def test_a_chinese_clerks_spreadsheet_imports_first_time_on_a_phone(
        desk, live_server, staff_member, tmp_path, locale, texts):
    names = clerk_workbook(tmp_path / "驿站.xlsx", locale)
    page = desk(locale, viewport={"width": 390, "height": 844})
    log_in(page, live_server.url, staff_member)
    page.goto(live_server.url + "/staff/stations/upload")
    page.locator("input[name=file]").set_input_files(str(tmp_path / "驿站.xlsx"))
    page.locator("form.upload-form button[type=submit]").click()
    counts = page.locator(".preview-counts")
    expect(counts).to_contain_text(texts["new"])
    expect(counts).to_contain_text(texts["errors"])
    table = page.locator("table.preview")
    expect(table).to_contain_text("Mo-Su 08:00-20:00; PH off")
    expect(table).to_contain_text("Mo-Fr 09:00-18:00")
    expect(table).to_contain_text(texts["read"])
    # Nothing but the table's own scroller is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, f"station-admin-clerk-preview-phone-{locale}")
    page.get_by_role("button", name=texts["import"]).click()
    expect(page.locator(".staff-stations")).to_contain_text(names["union"])
    shoot(page, f"station-admin-our-stations-phone-{locale}")
    with live_server.app_context():
        station = db.session.scalar(db.select(Station).where(Station.name == names["partner"]))
        assert (station.kind, station.amenities, station.opening_hours) == (
            "partner", ["rest", "microwave"], "Mo-Fr 09:00-18:00")
        station_id = station.id

    # The editor shows those hours in the weekly table, and the whole week in the preview.
    page.goto(f"{live_server.url}/staff/stations/{station_id}/edit")
    expect(page.locator("input[name=hours_Mo_open]")).to_have_value("09:00")
    expect(page.locator("input[name=hours_Sa_open]")).to_have_value("")
    preview = page.locator("#hours-preview")
    expect(preview.locator("table.week-preview tr")).to_have_count(7)
    page.locator("input[name=hours_Sa_open]").fill("10:00")
    page.locator("input[name=hours_Sa_close]").fill("16:00")
    expect(preview).to_contain_text("10:00–16:00")
    page.locator("#hours-field").scroll_into_view_if_needed()
    shoot(page, f"station-admin-hours-table-phone-{locale}")
    page.locator("#station-form button[type=submit]").last.click()
    expect(page.locator(".notice")).to_be_visible()
    with live_server.app_context():
        assert db.session.get(Station, station_id).opening_hours == \
            "Mo-Fr 09:00-18:00; Sa 10:00-16:00"
    assert not page.errors
