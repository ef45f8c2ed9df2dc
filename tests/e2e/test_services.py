"""Union services on a phone in real Chromium: a worker takes the last place, a second is
waitlisted, the first cancels, and the second gets the offer and accepts it. Screenshots of
each page at 390×844 go to $YIZHAN_SHOTS when it is set (for looking at the layout)."""
import os
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import DEFAULT_PASSWORD
from transactions import transaction

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("YIZHAN_SHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def people(live_server):
    """An organisation with a station, its staff, two workers and a one-place childcare class."""
    from accounts import services as accounts
    from extensions import db
    from rest_stations.models import Station
    from services import operations

    with live_server.app_context():
        organisation = accounts.ensure_organisation("河东区总工会(测试)", "天津市", "河东区")
        station = db.session.scalars(db.select(Station).order_by(Station.id)).first()
        station.organisation_id = organisation.id
        db.session.commit()
        stamp = datetime.now(timezone.utc)
        workers = []
        for number, name in ((1, "王师傅"), (2, "李女士")):
            phone = f"+861380000{number:04d}"
            if not accounts.phone_is_taken(phone):
                accounts.register_worker(phone, name, DEFAULT_PASSWORD, home_district="河东区",
                                         consented_at=stamp)
            workers.append(phone[3:])
        start = stamp + timedelta(days=4)
        draft = operations.EventDraft(
            title="骑手子女寒假托管班", description="作业辅导、阅读和手工课,含午餐。",
            category="childcare", starts_at=start, ends_at=start + timedelta(hours=3), capacity=1,
            registration_opens_at=stamp - timedelta(hours=1),
            registration_closes_at=start - timedelta(hours=12), station_id=station.id,
            allows_dependants=True)
        with transaction():
            (event,) = operations.create_events(organisation.id, draft, now=stamp)
        event_id = event.id
        db.session.remove()
        return {"workers": workers, "event": event_id}


def log_in(page, base: str, phone_number: str) -> None:
    page.goto(f"{base}/account/login")
    page.locator("#phone").fill(phone_number)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_load_state()


def test_a_freed_place_is_offered_to_the_waiting_worker_who_accepts_it(phone, people, live_server):
    first = phone(locale="zh-CN").page
    second = phone(locale="en").page
    base, event = live_server.url, people["event"]

    log_in(first, base, people["workers"][0])
    first.goto(f"{base}/services")
    shoot(first, "catalogue-zh")
    first.get_by_role("link", name="骑手子女寒假托管班").click()
    first.locator("#dependant_name").fill("小明")
    first.locator("#dependant_age").fill("8")
    first.get_by_role("button", name="我要报名").click()
    expect(first.locator("#event-panel .notice")).to_contain_text("小明 已报上")
    expect(first.locator("#event-panel .places")).to_contain_text("已满")
    shoot(first, "event-zh")

    log_in(second, base, people["workers"][1])
    second.goto(f"{base}/services/{event}")
    second.get_by_role("button", name="English").click()  # her account's language is Chinese
    second.wait_for_load_state()
    second.locator("#dependant_name").fill("Lily")
    second.locator("#dependant_age").fill("6")
    second.get_by_role("button", name="Join the waiting list").click()
    expect(second.locator("#event-panel .notice")).to_contain_text("Lily is number 1 on the waiting list")
    shoot(second, "event-waitlisted-en")

    first.goto(f"{base}/services/mine")
    shoot(first, "mine-zh")
    first.get_by_role("link", name="取消报名").click()
    first.get_by_role("button", name="确定放弃名额").click()
    expect(first.locator(".registration .notice")).to_contain_text("您的名额已取消。名额已让给候补名单上的下一位。")

    second.goto(f"{base}/services/mine")
    expect(second.locator(".offer")).to_contain_text("A place is free for you")
    shoot(second, "mine-offer-en")
    second.get_by_role("button", name="Accept the place").click()
    expect(second.locator(".registration .state").first).to_have_text("Place confirmed")
    second.get_by_role("link", name="Show my ticket").click()
    expect(second.locator(".ticket img")).to_be_visible()
    shoot(second, "ticket-en")


def test_staff_mark_attendance_with_one_tap(phone, people, live_server):
    from accounts import services as accounts
    from extensions import db
    from services.models import ServiceEvent

    with live_server.app_context():
        event = db.session.get(ServiceEvent, people["event"])
        organisation = db.session.get(type(event.organisation), event.organisation_id)
        if not accounts.phone_is_taken("+8613800009001"):
            with transaction():
                accounts.create_account("+8613800009001", "工会干事 张", DEFAULT_PASSWORD,
                                        "staff", organisation)
        db.session.remove()
    page = phone(locale="zh-CN").page
    log_in(page, live_server.url, "13800009001")
    page.goto(f"{live_server.url}/staff/services/{people['event']}/roster")
    shoot(page, "roster-zh")
    row = page.locator(".roster-table tbody tr").first
    row.get_by_role("button", name="到场").click()
    expect(page.locator(".roster-table tbody tr").first).to_contain_text("已参加")
    shoot(page, "roster-marked-zh")
    page.goto(f"{live_server.url}/staff/services/new")
    expect(page.locator("#event-form")).to_be_visible()
    shoot(page, "staff-new-zh")


# Staff tools on the roster: camera scanning, showing a phone, editing a series ---------------

STAFF_PHONE = "+8613800009001"


def _staff_of(live_server, event_id: int) -> str:
    """The organisation's staff account (made once); returns the number to log in with."""
    from accounts import services as accounts
    from extensions import db
    from services.models import ServiceEvent

    with live_server.app_context():
        event = db.session.get(ServiceEvent, event_id)
        if not accounts.phone_is_taken(STAFF_PHONE):
            with transaction():
                accounts.create_account(STAFF_PHONE, "工会干事 张", DEFAULT_PASSWORD, "staff",
                                        event.organisation)
        db.session.remove()
    return STAFF_PHONE[3:]


@pytest.fixture(scope="module")
def roster(live_server, people):
    """A 10-place legal-aid session of the same organisation: seven workers signed up, the
    sixth of whom cancelled."""
    from accounts import services as accounts
    from extensions import db
    from services import operations
    from services.models import ServiceEvent

    with live_server.app_context():
        template = db.session.get(ServiceEvent, people["event"])
        stamp = datetime.now(timezone.utc)
        start = stamp + timedelta(days=2)
        draft = operations.EventDraft(
            title="欠薪维权法律咨询", description="律师现场解答。", category="legal", starts_at=start,
            ends_at=start + timedelta(hours=2), capacity=10,
            registration_opens_at=stamp - timedelta(hours=1),
            registration_closes_at=start - timedelta(hours=1), station_id=template.station_id)
        with transaction():
            (event,) = operations.create_events(template.organisation_id, draft, now=stamp)
        registrations, workers = [], []
        for number, name in enumerate(("赵师傅", "钱女士", "孙师傅", "周女士", "吴师傅", "郑师傅", "王女士"), start=1):
            phone = f"+86138000010{number:02d}"
            workers.append(accounts.user_by_phone(phone) or accounts.register_worker(
                phone, name, DEFAULT_PASSWORD, home_district="南开区", consented_at=stamp))
            with transaction():
                registrations.append(operations.register(event.id, workers[-1], now=stamp).id)
        with transaction():
            operations.act(registrations[5], "cancel", workers[5], now=stamp)  # 郑师傅 cannot come
        event_id = event.id
        db.session.remove()
    return {"event": event_id, "registrations": registrations, "staff": _staff_of(live_server, event_id)}


def fits_the_phone(page) -> bool:
    """Nothing sticks out sideways: no horizontal scrolling at 390 px."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _state(live_server, registration_id: int) -> str:
    from extensions import db
    from services.models import Registration

    with live_server.app_context():
        state = db.session.get(Registration, registration_id).state
        db.session.remove()
    return state


def _ticket_code(live_server, registration_id: int) -> str:
    from services.tickets import ticket_code

    with live_server.app_context():
        return ticket_code(registration_id)


def ticket_video(code: str, path, width: int = 640, height: int = 480):
    """A .y4m clip (two identical frames; Chromium loops it) of the worker's QR ticket, as the
    ticket page draws it (services.tickets.ticket_qr), black on white in the middle."""
    from services.tickets import ticket_qr

    modules = [list(row) for row in ticket_qr(code).matrix_iter(scale=1, border=4)]
    scale = min(width, height) * 3 // 4 // len(modules)
    left, top = (width - len(modules) * scale) // 2, (height - len(modules) * scale) // 2
    luma = bytearray(b"\xeb" * (width * height))  # video white (235); black is 16
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                for line in range(top + y * scale, top + (y + 1) * scale):
                    start = line * width + left + x * scale
                    luma[start:start + scale] = b"\x10" * scale
    chroma = b"\x80" * (width // 2 * height // 2)  # no colour
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 2)
    return path


@pytest.fixture
def camera_browser(browser):
    """A factory: another Chromium whose camera is a fake device (playing `video`, or a
    test pattern); `prompt_answered=True` grants the camera prompt by itself."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    launched = []

    def launch(video=None, prompt_answered: bool = True):
        args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream"]
        if video is not None:
            args.append(f"--use-file-for-fake-video-capture={video}")
        if prompt_answered:
            args.append("--use-fake-ui-for-media-stream")
        launched.append(browser.browser_type.launch(executable_path=CHROMIUM, args=args))
        return launched[-1]

    yield launch
    for other in launched:
        other.close()


def _phone_page(chromium, live_server, locale: str, *, permissions=(), javascript: bool = True):
    """A 390×844 page like the `phone` fixture's, in another Chromium; only 127.0.0.1."""
    from tests.e2e.conftest import PHONE_VIEWPORT, Traffic

    context = chromium.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale=locale, permissions=list(permissions),
                                   java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    traffic = Traffic(tile_host="tiles.invalid")
    context.route("**/*", traffic.route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, traffic, errors


def _language(page, locale: str) -> None:
    """Accounts made in Chinese start in Chinese; switch with the header's button like a
    person (an account already in English shows the page in English)."""
    if locale == "en" and page.get_by_role("button", name="English").count():
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
    if locale == "en":
        expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("locale, which", [("zh-CN", 0), ("en", 1)])
def test_staff_scan_a_ticket_with_the_camera_and_the_roster_updates(
        camera_browser, roster, live_server, tmp_path, locale, which):
    registration = roster["registrations"][which]
    video = ticket_video(_ticket_code(live_server, registration), tmp_path / "ticket.y4m")
    page, traffic, errors = _phone_page(camera_browser(video), live_server, locale,
                                        permissions=["camera"])
    base = live_server.url
    log_in(page, base, roster["staff"])
    page.goto(f"{base}/staff/services/{roster['event']}/roster")
    _language(page, locale)
    zh = locale == "zh-CN"
    row = page.locator(f"#row-{registration}")
    expect(row).to_contain_text("报名成功" if zh else "Place confirmed")
    assert not [url for url in traffic.urls if "jsQR" in url]  # nothing loaded before the press
    shoot(page, f"roster-scan-button-{'zh' if zh else 'en'}")
    page.get_by_role("button", name="用摄像头扫码" if zh else "Scan with camera").click()
    expect(page.locator("#ticket-scanner video")).to_be_visible()
    expect(row).to_contain_text("已参加" if zh else "Attended")
    expect(page.locator("#roster .notice")).to_contain_text("已签到" if zh else "attendance recorded")
    assert _state(live_server, registration) == "attended"
    # BarcodeDetector is missing in Linux Chromium, so the vendored decoder did the reading.
    assert [url for url in traffic.urls if "/static/vendor/jsqr-1.4.0/jsQR.js" in url]
    # The camera survived the roster's swap and goes on to the next ticket.
    expect(page.locator("#ticket-scanner .scanner-status")).to_have_text(
        "请把劳动者的入场券二维码对准摄像头。" if zh else "Hold the worker's QR ticket in front of the camera.")
    assert page.locator("#ticket-scanner video").evaluate("video => !video.paused && video.srcObject.active")
    assert fits_the_phone(page)
    shoot(page, f"roster-scanned-{'zh' if zh else 'en'}")
    page.get_by_role("button", name="关闭摄像头" if zh else "Stop the camera").click()
    expect(page.locator("#ticket-scanner video")).to_be_hidden()
    assert page.locator("#ticket-scanner video").evaluate("video => video.srcObject === null")
    assert not errors and not traffic.foreign


def test_without_a_camera_the_page_says_so_and_the_typed_code_still_works(phone, roster, live_server):
    registration = roster["registrations"][2]
    page = phone(locale="zh-CN").page  # the session's Chromium has no camera at all
    log_in(page, live_server.url, roster["staff"])
    page.goto(f"{live_server.url}/staff/services/{roster['event']}/roster")
    status = page.locator("#ticket-scanner .scanner-status")
    expect(status).to_have_text("无法扫码：这台设备上没有找到摄像头。请直接输入入场券号码。")
    expect(page.get_by_role("button", name="用摄像头扫码")).to_be_hidden()
    shoot(page, "roster-no-camera-zh")
    page.locator("#code").fill(_ticket_code(live_server, registration))
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.locator(f"#row-{registration}")).to_contain_text("已参加")
    assert _state(live_server, registration) == "attended"
    expect(status).to_have_text("无法扫码：这台设备上没有找到摄像头。请直接输入入场券号码。")
    # A cancelled place's ticket answers 409; the roster shows why instead of staying still.
    page.locator("#code").fill(_ticket_code(live_server, roster["registrations"][5]))
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.locator("#roster .notice-error")).to_have_text("这个报名现在不能这样修改。")
    assert _state(live_server, roster["registrations"][5]) == "cancelled_by_worker"


def test_a_refused_camera_permission_is_explained(camera_browser, roster, live_server):
    page, _traffic, errors = _phone_page(camera_browser(prompt_answered=False), live_server, "en")
    log_in(page, live_server.url, roster["staff"])
    page.goto(f"{live_server.url}/staff/services/{roster['event']}/roster")
    _language(page, "en")
    page.get_by_role("button", name="Scan with camera").click()
    expect(page.locator("#ticket-scanner .scanner-status")).to_contain_text(
        "Camera scanning is unavailable: permission to use the camera was refused.")
    expect(page.get_by_role("button", name="Scan with camera")).to_be_hidden()
    expect(page.locator("#code")).to_be_editable()
    shoot(page, "roster-camera-refused-en")
    assert not errors


def test_without_javascript_the_page_says_why_and_the_typed_code_works(browser, roster, live_server):
    registration = roster["registrations"][3]
    page, _traffic, _errors = _phone_page(browser, live_server, "zh-CN", javascript=False)
    log_in(page, live_server.url, roster["staff"])
    page.goto(f"{live_server.url}/staff/services/{roster['event']}/roster")
    # (Playwright's text of an element leaves <noscript> out, so read the paragraph itself.)
    why = page.locator("#ticket-scanner noscript p")
    expect(why).to_be_visible()
    expect(why).to_contain_text("扫码需要浏览器开启 JavaScript")
    shoot(page, "roster-no-javascript-zh")
    expect(page.get_by_role("button", name="用摄像头扫码")).to_be_hidden()
    page.locator("#code").fill(_ticket_code(live_server, registration))
    page.get_by_role("button", name="签到", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator(f"#row-{registration}")).to_contain_text("已参加")
    assert _state(live_server, registration) == "attended"
    page.context.close()


def test_a_tap_on_a_place_cancelled_meanwhile_says_why(phone, roster, live_server):
    from accounts.models import User
    from extensions import db
    from services import operations
    from services.models import Registration

    registration = roster["registrations"][6]
    page = phone(locale="zh-CN").page
    log_in(page, live_server.url, roster["staff"])
    page.goto(f"{live_server.url}/staff/services/{roster['event']}/roster")
    row = page.locator(f"#row-{registration}")
    expect(row.get_by_role("button", name="到场")).to_be_visible()
    with live_server.app_context():  # 王女士 cancels on her phone while the roster is open
        worker = db.session.get(User, db.session.get(Registration, registration).worker_id)
        with transaction():
            operations.act(registration, "cancel", worker, now=datetime.now(timezone.utc))
        db.session.remove()
    row.get_by_role("button", name="到场").click()
    expect(row).to_contain_text("这个报名现在不能这样修改。")
    expect(row).to_contain_text("本人已取消")
    expect(row.get_by_role("button", name="到场")).to_have_count(0)
    assert _state(live_server, registration) == "cancelled_by_worker"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_staff_show_one_phone_on_the_roster_and_the_reveal_is_audited(phone, roster, live_server, locale):
    from accounts.models import AuditEvent
    from extensions import db
    from services.models import Registration

    registration = roster["registrations"][4]
    page = phone(locale=locale).page
    log_in(page, live_server.url, roster["staff"])
    page.goto(f"{live_server.url}/staff/services/{roster['event']}/roster")
    _language(page, locale)
    row = page.locator(f"#row-{registration}")
    expect(row).to_contain_text("138****1005")
    row.get_by_role("button", name="查看号码" if locale == "zh-CN" else "Show number").click()
    number = row.get_by_role("link", name="138 0000 1005")
    expect(number).to_have_attribute("href", "tel:+8613800001005")
    expect(row).to_contain_text("本次查看已记录" if locale == "zh-CN" else "this was logged")
    # Only that cell changed: the other rows keep their masks.
    expect(page.locator(f"#row-{roster['registrations'][0]}")).to_contain_text("138****1001")
    assert fits_the_phone(page)
    shoot(page, f"roster-phone-{'zh' if locale == 'zh-CN' else 'en'}")
    with live_server.app_context():
        worker_id = db.session.get(Registration, registration).worker_id
        reveals = db.session.scalars(db.select(AuditEvent).where(
            AuditEvent.subject_id == worker_id, AuditEvent.action == "reveal_phone")).all()
        db.session.remove()
    assert len(reveals) == (1 if locale == "zh-CN" else 2)


@pytest.fixture(scope="module")
def series(live_server, people):
    """A four-Saturday class of the same organisation; its third session is full already."""
    from accounts import services as accounts
    from extensions import db
    from services import operations
    from services.models import ServiceEvent

    with live_server.app_context():
        template = db.session.get(ServiceEvent, people["event"])
        stamp = datetime.now(timezone.utc)
        start = (stamp + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        draft = operations.EventDraft(
            title="电商直播带货入门", description="手机拍摄和直播间搭建。", category="skills",
            starts_at=start, ends_at=start + timedelta(hours=3), capacity=3,
            registration_opens_at=stamp - timedelta(hours=1),
            registration_closes_at=start - timedelta(hours=1), station_id=template.station_id)
        with transaction():
            events = operations.create_events(template.organisation_id, draft, weeks=4, now=stamp)
        for number in range(3):
            phone = f"+86138000020{number:02d}"
            worker = accounts.user_by_phone(phone) or accounts.register_worker(
                phone, f"学员{number}", DEFAULT_PASSWORD, home_district="河东区", consented_at=stamp)
            with transaction():
                operations.register(events[2].id, worker, now=events[2].registration_opens_at)
        ids = [e.id for e in events]
        db.session.remove()
    return {"events": ids, "staff": _staff_of(live_server, ids[0])}


def _capacities(live_server, ids) -> list[int]:
    from extensions import db
    from services.models import ServiceEvent

    with live_server.app_context():
        found = [db.session.get(ServiceEvent, number).capacity for number in ids]
        db.session.remove()
    return found


def test_staff_edit_a_series_and_a_full_session_refuses_a_smaller_capacity(phone, series, live_server):
    ids = series["events"]
    page = phone(locale="en").page
    log_in(page, live_server.url, series["staff"])
    page.goto(f"{live_server.url}/staff/services/{ids[0]}/edit")
    _language(page, "en")
    expect(page.get_by_label("Only this session")).to_be_checked()
    page.get_by_label("This and all later sessions of the series").check()
    page.locator("#capacity").fill("2")
    shoot(page, "series-edit-en")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#capacity-error")).to_contain_text("cannot be changed: 3 places are already taken")
    shoot(page, "series-edit-refused-en")
    assert _capacities(live_server, ids) == [3, 3, 3, 3]

    page.locator("#capacity").fill("12")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".notice").first).to_contain_text("Saved for this session and 3 later session(s).")
    assert _capacities(live_server, ids) == [12, 12, 12, 12]


def test_series_edit_form_in_chinese(phone, series, live_server):
    ids = series["events"]
    page = phone(locale="zh-CN").page
    log_in(page, live_server.url, series["staff"])
    page.goto(f"{live_server.url}/staff/services/{ids[1]}/edit")
    expect(page.get_by_label("只改这一场")).to_be_checked()
    expect(page.locator(".series-scope")).to_contain_text("之后的场次：")
    page.get_by_label("这一场及本系列之后的所有场次").check()
    shoot(page, "series-edit-zh")
    page.locator("#title").fill("电商直播带货入门(进阶)")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".notice").first).to_contain_text("已保存：本场及之后 2 场。")


# Sign-up becomes the registration's state; cancelling asks first ------------------------------

@pytest.fixture(scope="module")
def sign_up_events(live_server, people):
    """Two 2-place legal-aid sessions (one per language) and a worker for each."""
    from accounts import services as accounts
    from extensions import db
    from services import operations
    from services.models import ServiceEvent

    with live_server.app_context():
        template = db.session.get(ServiceEvent, people["event"])
        stamp = datetime.now(timezone.utc)
        start = stamp + timedelta(days=5)
        found = {}
        for number, locale in enumerate(("zh-CN", "en")):
            draft = operations.EventDraft(
                title=f"社保政策咨询 {number + 1}", description="一对一解答灵活就业参保问题。",
                category="advice", starts_at=start, ends_at=start + timedelta(hours=2), capacity=2,
                registration_opens_at=stamp - timedelta(hours=1),
                registration_closes_at=start - timedelta(hours=1), station_id=template.station_id)
            with transaction():
                (event,) = operations.create_events(template.organisation_id, draft, now=stamp)
            phone = f"+86138000030{number:02d}"
            if not accounts.phone_is_taken(phone):
                with transaction():
                    accounts.register_worker(phone, f"骑手{number}", DEFAULT_PASSWORD,
                                             home_district="河东区", consented_at=stamp)
            found[locale] = (event.id, phone[3:])
        db.session.remove()
    return found


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_sign_up_shows_the_state_and_cancelling_asks_first(phone, sign_up_events, live_server, locale):
    zh = locale == "zh-CN"
    lang = "zh" if zh else "en"
    event_id, number = sign_up_events[locale]
    page = phone(locale=locale).page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, number)
    page.goto(f"{live_server.url}/services/{event_id}")
    _language(page, locale)
    places = page.locator(f"#places-{event_id}")
    expect(places).to_have_text("剩余 2 个名额（共 2 个）" if zh else "2 of 2 places left")
    page.get_by_role("button", name="我要报名" if zh else "Sign up for this").click()
    # The button is gone; the registration and its state are where it was.
    expect(page.locator("#event-panel .notice")).to_contain_text("您已报上" if zh else "You have a place at")
    expect(page.locator("#event-panel .registration .state")).to_have_text("报名成功" if zh else "Place confirmed")
    expect(page.get_by_role("button", name="我要报名" if zh else "Sign up for this")).to_have_count(0)
    expect(places).to_have_text("剩余 1 个名额（共 2 个）" if zh else "1 of 2 places left")
    assert fits_the_phone(page)
    shoot(page, f"sign-up-done-{lang}")

    page.get_by_role("link", name="取消报名" if zh else "Cancel my place").click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("确定要放弃名额吗？" if zh else "Give up your place?")
    expect(dialog).to_contain_text("候补名单上的下一位" if zh else "goes to the next person on the waiting list")
    assert fits_the_phone(page)
    shoot(page, f"cancel-confirm-{lang}")
    # "No" changes nothing.
    dialog.get_by_role("link", name="不，保留" if zh else "No, keep it").click()
    page.wait_for_load_state()
    expect(page.locator("#event-panel .registration .state")).to_have_text("报名成功" if zh else "Place confirmed")

    page.get_by_role("link", name="取消报名" if zh else "Cancel my place").click()
    page.get_by_role("button", name="确定放弃名额" if zh else "Yes, give up my place").click()
    # The whole panel changes in place, without a reload: the message, the count, and the
    # sign-up button back where the registration was, for a worker who changes their mind.
    expect(page.locator("#event-panel > .notice")).to_have_text(
        "您的名额已取消。名额已空出，其他人可以报名。" if zh else
        "Your place is cancelled. It is free again for someone else.")
    expect(page.locator("#event-panel .registration")).to_have_count(0)
    expect(places).to_have_text("剩余 2 个名额（共 2 个）" if zh else "2 of 2 places left")
    expect(page.get_by_role("button", name="我要报名" if zh else "Sign up for this")).to_be_visible()
    assert fits_the_phone(page)
    shoot(page, f"cancelled-{lang}")
    assert not errors
