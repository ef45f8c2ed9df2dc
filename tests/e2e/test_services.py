"""Union services on a phone in real Chromium: a worker takes the last place, a second is
waitlisted, the first cancels, and the second gets the offer and accepts it. Screenshots of
each page at 390×844 go to $YIZHAN_SHOTS when it is set (for looking at the layout)."""
import os
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.accounts.helpers import DEFAULT_PASSWORD

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
    expect(first.locator("#event-panel .notice")).to_contain_text("报名成功")
    expect(first.locator("#event-panel .places")).to_contain_text("已满")
    shoot(first, "event-zh")

    log_in(second, base, people["workers"][1])
    second.goto(f"{base}/services/{event}")
    second.get_by_role("button", name="English").click()  # her account's language is Chinese
    second.wait_for_load_state()
    second.locator("#dependant_name").fill("Lily")
    second.locator("#dependant_age").fill("6")
    second.get_by_role("button", name="Join the waiting list").click()
    expect(second.locator("#event-panel .notice")).to_contain_text("number 1 on the waiting list")
    shoot(second, "event-waitlisted-en")

    first.goto(f"{base}/services/mine")
    shoot(first, "mine-zh")
    first.get_by_role("button", name="取消报名").click()
    expect(first.locator(".registration .notice")).to_contain_text("已取消")

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
            accounts.create_account("+8613800009001", "工会干事 张", DEFAULT_PASSWORD, "staff",
                                    organisation)
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
