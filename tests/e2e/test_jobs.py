"""Jobs on a phone in real Chromium, in Chinese at 390×844: a worker finds a gig 1 km away,
applies with one tap, checks in with the post's QR code, is marked done by union staff,
answers 没收到 to the wage question, and the case appears on the legal-aid staff page.
Screenshots go to $YIZHAN_SHOTS when it is set."""
import os
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

import clock
from tests.accounts.helpers import DEFAULT_PASSWORD
from tests.e2e.test_services import log_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("YIZHAN_SHOTS")
GIG_PLACE = (39.1203, 117.2580)
WORKER_AT = (39.1113, 117.2580)  # 1.0 km south of the gig


def shoot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"jobs-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def gig(live_server):
    """A verified employer's 餐饮帮工 gig starting in an hour, a worker and union staff."""
    from accounts import services as accounts
    from extensions import db
    from jobs import operations
    from jobs.models import Employer
    from tests.jobs.conftest import credit_code
    from transactions import transaction

    with live_server.app_context(), live_server.app.test_request_context():
        organisation = accounts.ensure_organisation("河东区总工会(招聘测试)", "天津市", "河东区")
        now = datetime.now(timezone.utc)
        for phone, name, role in (("+8613800007001", "打零工 老周", "worker"),
                                  ("+8613800007002", "工会干事 刘", "staff")):
            if not accounts.phone_is_taken(phone):
                if role == "worker":
                    accounts.register_worker(phone, name, DEFAULT_PASSWORD, home_district="河东区",
                                             consented_at=now)
                else:
                    accounts.create_account(phone, name, DEFAULT_PASSWORD, role, organisation)
        staff = accounts.user_by_phone("+8613800007002")
        with transaction():
            employer = Employer(organisation_id=organisation.id, name="河东区好滋味餐饮店",
                                credit_code=credit_code(77), region_code="120102",
                                contact_name="陈老板", contact_phone="+8613812345678",
                                verified_at=now)
            db.session.add(employer)
            db.session.flush()
            post = operations.create_post(employer, operations.PostDraft(
                kind="gig", title="餐饮帮工（日结）", category="catering", pay_min=200,
                pay_max=242, pay_unit="day", paid_daily=True, headcount=3, insured=True,
                region_code="120102", address="津塘路 88 号", lat=GIG_PLACE[0], lon=GIG_PLACE[1],
                starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=9),
                expires_at=now + timedelta(days=1)), staff, now=now)
            operations.transition_post(post.id, "submit", staff, now=now)
            operations.transition_post(post.id, "publish", staff, now=now)
            # The branch runs its own legal-aid session, so the wage case is routed to it
            # whatever other branches' sessions other test files left on this server.
            from rest_stations.models import Station
            from services import operations as services

            place = db.session.scalars(db.select(Station).order_by(Station.id)).first()
            services.create_events(organisation.id, services.EventDraft(
                title="农民工欠薪法律援助", description="带上工资凭证。", category="legal",
                starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=2),
                capacity=20, registration_opens_at=now - timedelta(hours=1),
                registration_closes_at=now + timedelta(days=2), station_id=place.id), now=now)
        from jobs.posters import check_in_token

        found = {"post": post.id, "token": check_in_token(post.id), "ends_at": post.ends_at}
        db.session.remove()
        return found


def test_a_worker_takes_a_gig_nearby_and_an_unpaid_wage_reaches_legal_aid(phone, gig,
                                                                         live_server):
    base = live_server.url
    worker = phone(locale="zh-CN", geolocation=WORKER_AT).page
    log_in(worker, base, "13800007001")
    worker.goto(f"{base}/jobs")
    worker.get_by_role("button", name="附近").click()
    card = worker.locator(".job-card", has_text="餐饮帮工（日结）")
    expect(card).to_contain_text("1.0 km")
    expect(card).to_contain_text("200–242 元/天")
    shoot(worker, "nearby-zh")
    card.get_by_role("link", name="餐饮帮工（日结）").click()
    expect(worker.locator("h1")).to_have_text("餐饮帮工（日结）")
    shoot(worker, "post-zh")
    worker.get_by_role("button", name="我要报名").click()
    expect(worker.locator(".flashes")).to_contain_text("您已被录用")

    worker.goto(f"{base}/jobs/{gig['post']}/check-in/{gig['token']}")
    worker.get_by_role("button", name="立即签到").click()
    expect(worker.locator(".application .state").first).to_have_text("已签到")
    shoot(worker, "checked-in-zh")

    staff = phone(locale="zh-CN").page
    log_in(staff, base, "13800007002")
    staff.goto(f"{base}/jobs/posts/{gig['post']}/roster")
    staff.get_by_role("button", name="标记完工").click()
    expect(staff.locator(".roster-table .state").first).to_have_text("已完工")

    with clock.travel_to(gig["ends_at"] + timedelta(hours=25)):
        from jobs import operations
        from transactions import transaction

        with live_server.app_context(), live_server.app.test_request_context():
            with transaction():
                assert operations.ask_wage_questions(clock.now()) == 1
        worker.goto(f"{base}/jobs/mine")
        expect(worker.locator(".wage-question")).to_contain_text("工资到账了吗")
        shoot(worker, "wage-question-zh")
        worker.locator(".unpaid-form textarea").fill("老板说月底再给")
        worker.get_by_role("button", name="没收到").click()
        expect(worker.locator(".flashes")).to_contain_text("法律援助")

        staff.goto(f"{base}/staff/jobs/wage-cases")
        case = staff.locator(".wage-case", has_text="餐饮帮工（日结）")
        expect(case).to_contain_text("老板说月底再给")
        expect(case).to_contain_text("200–242 元/天")
        shoot(staff, "wage-cases-zh")


def test_a_worker_registers_as_a_job_seeker_and_staff_recommend_the_gig(phone, gig, live_server):
    """求职登记 on a phone, then 人岗匹配: staff rank job seekers for the gig, recommend it
    (a notice and, since the worker agreed, a text), and the worker finds the recommendation
    in their notices; the board counts it."""
    from accounts import services as accounts
    from extensions import db

    with live_server.app_context():  # the worker lives where the branch serves (河东区)
        organisation = accounts.organisation_named("河东区总工会(招聘测试)")
        organisation.region_code = "120102"
        accounts.user_by_phone("+8613800007001").home_region_code = "120102"
        db.session.commit()
        db.session.remove()
    base = live_server.url
    worker = phone(locale="zh-CN").page
    log_in(worker, base, "13800007001")
    worker.goto(f"{base}/jobs/profile")
    worker.get_by_label("餐饮服务").check()
    worker.get_by_label("技能（用逗号分隔）").fill("切配，洗碗")
    worker.get_by_label("工会工作人员可以打电话或发短信给我介绍工作").check()
    shoot(worker, "seeker-profile-zh")
    worker.get_by_role("button", name="登记").click()
    expect(worker.locator(".flashes")).to_contain_text("为您寻找合适的工作")

    staff = phone(locale="zh-CN").page
    log_in(staff, base, "13800007002")
    staff.goto(f"{base}/staff/jobs/matching?post={gig['post']}")
    seeker = staff.locator(".matches .registration", has_text="打零工 老周")
    expect(seeker).to_contain_text("138****7001")
    expect(seeker).to_contain_text("意向工种")
    shoot(staff, "matching-zh")
    seeker.get_by_role("button", name="推荐").click()
    # The worker agreed to be contacted: a text too (the console sender in tests).
    expect(staff.locator(".flashes")).to_contain_text("已推荐，打零工 老周已收到岗位通知和短信")
    expect(staff.locator(".matches .registration", has_text="打零工 老周")).to_contain_text("已推荐")

    worker.goto(f"{base}/notifications")
    expect(worker.locator("main")).to_contain_text("工会工作人员向您推荐岗位：“餐饮帮工（日结）”")

    staff.goto(f"{base}/staff/jobs/board")
    expect(staff.locator(".job-board-figures tfoot")).to_contain_text("合计")
    shoot(staff, "board-zh")
