"""`flask jobs tick` (the 24-hour wage question and post expiry) and the demo seeder:
Tianjin 就业驿站 jobs, Yuhang-style 餐饮帮工 day gigs, one gig confirmed paid, one wage case,
a Yanggu 零工招聘会 with its employers and posts, and a job seeker with part of the 1131."""
from datetime import datetime, timedelta

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import func, select

import clock
import i18n
from accounts import services as accounts
from accounts.cli import DEMO_ADMIN, DEMO_STAFF, DEMO_WORKERS
from extensions import db
from jobs import operations, rules
from jobs.models import Employer, JobPost
from scheduler import register_job, run_job
from transactions import transaction

jobs_cli = AppGroup("jobs", help="Jobs and day gigs.")


# The periodic jobs `flask worker` runs (scheduler/), each under its lock.

@register_job("jobs.wage_questions", every="WORKER_TICK_SECONDS")
def ask_wage_questions(now: datetime) -> int:
    """The 24-hour "工资到账了吗?" question after each finished gig (asks nobody twice)."""
    return operations.ask_wage_questions(now)


@register_job("jobs.expire_posts", every="WORKER_HOUSEKEEPING_SECONDS")
def expire_job_posts(now: datetime) -> int:
    """Published job posts past their expiry become expired."""
    return operations.expire_posts(now=now)


@jobs_cli.command("tick")
@i18n.in_cli_locale
def tick() -> None:
    """Ask the wage question 24 h after each gig, expire old posts: `flask worker`'s two jobs
    once, under the same locks, so it is safe to run any time, beside a worker too."""
    now = clock.now()
    asked = run_job("jobs.wage_questions", now)
    expired = run_job("jobs.expire_posts", now)
    if asked is False or expired is False:
        click.echo(_("A worker is running these jobs right now; nothing was done twice."))
    click.echo(_("%(asked)d wage questions asked, %(expired)d posts expired.",
                 asked=asked or 0, expired=expired or 0))


def _code(seventeen: str) -> str:
    return seventeen + rules.credit_code_check_char(seventeen)


EMPLOYERS = (  # name, first 17 characters of the credit code, contact
    ("天津津东物业服务有限公司", "91120102MA05JQ8R0", "王经理"),
    ("天津海河家政服务有限公司", "91120102MA06RW7N3", "刘女士"),
    ("天津捷运物流有限公司", "91120116MA07BD2P4", "赵队长"),
    ("天津恒升机械有限公司", "91120105MA06RW7N4", "孙主管"),
    ("河东区好滋味餐饮店", "92120102MA05TQ0X0", "陈老板"),
)
JOBS = (  # employer index, title, category, pay min/max per month, hours, benefits
    (0, "小区保安", "security", 4200, 5000, "两班倒，每班12小时", "五险、包住"),
    (0, "写字楼保洁员", "cleaning", 3200, 3800, "7:00–15:00，月休4天", "五险、工作餐"),
    (1, "住家保姆", "housekeeping", 5500, 7000, "住家，月休4天", "节日福利"),
    (2, "货车司机（C1/B2）", "truck_driver", 7000, 9000, "市内配送，早8晚6", "五险一金"),
    (4, "炒菜师傅", "cook", 6500, 8000, "10:00–14:00，16:30–21:00", "包吃住"),
    (3, "电梯配件包装工", "equipment_install", 4500, 5500, "长白班，8:00–17:00", "五险、班车"),
)


def seed_demo_jobs() -> str:
    """Create the demo employers and posts once; a second run changes nothing."""
    if db.session.scalar(select(func.count(Employer.id))):
        return _("Demo jobs: already there.")
    staff = accounts.user_by_phone(DEMO_STAFF[0])
    if staff is None or staff.organisation_id is None:
        return _("Demo jobs: skipped (no demo staff).")
    from rest_stations.models import Station

    station = db.session.scalar(select(Station).where(Station.district == "河东区").limit(1))
    place = dict(station_id=station.id) if station else dict(
        address="天津市河东区津塘路 88 号", lat=39.1203, lon=117.2580)
    now = clock.now()
    with transaction():
        employers = []
        for name, code, contact in EMPLOYERS:
            employer = operations.register_employer(
                None, name=name, credit_code=_code(code), contact_name=contact,
                contact_phone="+8613812345678", region_code="120102",
                organisation_id=staff.organisation_id)
            operations.verify_employer(employer, staff, "营业执照已核对，电话回访确认", now=now)
            employers.append(employer)

        def publish(employer, **fields) -> JobPost:
            draft = operations.PostDraft(region_code="120102", expires_at=now + timedelta(days=30),
                                         insured=True, **place, **fields)
            post = operations.create_post(employer, draft, staff, now=now)
            operations.transition_post(post.id, "submit", staff, now=now)
            operations.transition_post(post.id, "publish", staff, now=now)
            return post

        for index, title, category, low, high, hours, benefits in JOBS:
            publish(employers[index], kind="job", title=title, category=category, pay_min=low,
                    pay_max=high, pay_unit="month", hours=hours, benefits=benefits,
                    description="就业驿站工作人员已电话核实岗位信息。")
        tomorrow = clock.local(now).replace(hour=10, minute=0, second=0, microsecond=0) \
            + timedelta(days=1)
        for day in range(3):
            publish(employers[4], kind="gig", title="餐饮帮工（日结）", category="catering",
                    pay_min=200, pay_max=242, pay_unit="day", paid_daily=True, headcount=6,
                    starts_at=tomorrow + timedelta(days=day),
                    ends_at=tomorrow + timedelta(days=day, hours=10),
                    description="后厨洗切配、传菜，当天结算，提供工作餐。")
        publish(employers[2], kind="gig", title="快递分拣（夜班）", category="parcel_sorting",
                pay_min=25, pay_max=28, pay_unit="hour", paid_daily=True, headcount=10,
                starts_at=tomorrow + timedelta(hours=10), ends_at=tomorrow + timedelta(hours=18),
                description="双十二高峰，分拣装车。")
        # Two gigs of last week, for the wage loop: one paid, one not.
        workers = [accounts.user_by_phone(phone) for phone, *_rest in DEMO_WORKERS]
        last_week = tomorrow - timedelta(days=8)
        for worker, answer in zip(workers, ("confirm_paid", "report_unpaid")):
            if worker is None:
                continue
            gig = operations.create_post(employers[4], operations.PostDraft(
                kind="gig", title="餐饮帮工（日结）", category="catering", pay_min=200,
                pay_max=242, pay_unit="day", paid_daily=True, headcount=2,
                region_code="120102", expires_at=last_week, starts_at=last_week,
                ends_at=last_week + timedelta(hours=10), insured=True, **place),
                staff, now=last_week - timedelta(days=2))
            operations.transition_post(gig.id, "submit", staff, now=last_week - timedelta(days=2))
            operations.transition_post(gig.id, "publish", staff, now=last_week - timedelta(days=2))
            application = operations.apply(gig.id, worker, now=last_week - timedelta(days=1))
            operations.check_in(application.id, worker, now=last_week, post_token_ok=True)
            operations.act(application.id, "mark_done", staff, now=gig.ends_at)
            operations.ask_wage_questions(gig.ends_at + timedelta(hours=24))
            operations.act(application.id, answer, worker, now=gig.ends_at + timedelta(hours=25),
                           note="老板说月底一起结" if answer == "report_unpaid" else "")
        _seed_yanggu_fair(now)
        _seed_job_seeker(staff, station, now)
    count = db.session.scalar(select(func.count(JobPost.id)))
    return _("Demo jobs: %(count)d posts.", count=count)


# 阳谷景阳零工市场驿站, at the county bus station: 阳谷县总工会 holds 零工招聘会 there.
YANGGU = dict(address="山东省聊城市阳谷县汽车站 景阳零工市场驿站", lat=36.1146, lon=115.7921)
YANGGU_EMPLOYERS = (  # name, first 17 characters of the credit code, contact
    ("阳谷县景阳电缆有限公司", "91371521MA3CJ8K21", "孟主管"),
    ("阳谷县鲜果蔬菜合作社", "93371521MA3D4R7L5", "杜社长"),
)


def _seed_yanggu_fair(now) -> None:
    """A 零工招聘会 of 阳谷县总工会 (a services event in `employment`), with two employers
    and their posts, checked by the demo admin (the branch has no demo staff)."""
    from accounts.models import Organisation
    from jobs import fairs
    from services.models import ServiceEvent

    staff = accounts.user_by_phone(DEMO_ADMIN[0])
    if staff is None:
        return

    union = Organisation(name="阳谷县总工会", city="聊城市", district="阳谷县")
    db.session.add(union)
    db.session.flush()
    start = clock.local(now).replace(hour=9, minute=0, second=0, microsecond=0) \
        + timedelta(days=6)
    fair = ServiceEvent(
        organisation_id=union.id, title="景阳零工市场驿站 零工招聘会", category="employment",
        description="用工企业现场招聘，装卸、包装、采摘等日结零工和长期岗位。带好身份证；"
                    "现场可做求职登记。",
        starts_at=start, ends_at=start + timedelta(hours=3), capacity=300, places_held=0,
        registration_opens_at=now, registration_closes_at=start, status="scheduled", **YANGGU)
    db.session.add(fair)
    db.session.flush()
    employers = []
    for name, code, contact in YANGGU_EMPLOYERS:
        employer = operations.register_employer(
            None, name=name, credit_code=_code(code), contact_name=contact,
            contact_phone="+8613912345678", region_code="371521", organisation_id=union.id)
        operations.verify_employer(employer, staff, "县总工会现场核对营业执照", now=now)
        employers.append(employer)
    posts = (
        (0, "job", "线缆包装工", "other", 4200, 5000, "month", {}),
        (0, "gig", "装卸搬运（日结）", "loading", 180, 220, "day", {"headcount": 8}),
        (1, "gig", "大棚蔬菜采摘（日结）", "other", 120, 150, "day", {"headcount": 12}),
    )
    for index, kind, title, category, low, high, unit, extra in posts:
        times = dict(starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=1, hours=8),
                     paid_daily=True) if kind == "gig" else dict(hours="长白班，8:00–17:00")
        post = operations.create_post(employers[index], operations.PostDraft(
            kind=kind, title=title, category=category, pay_min=low, pay_max=high, pay_unit=unit,
            region_code="371521", expires_at=now + timedelta(days=20), insured=True,
            description="阳谷县总工会零工招聘会岗位，现场报名。", **YANGGU, **times, **extra),
            staff, now=now)
        operations.transition_post(post.id, "submit", staff, now=now)
        operations.transition_post(post.id, "publish", staff, now=now)
    for employer in employers:
        fairs.add_employer(fair, employer, booth=f"A{employer.id % 10}", now=now)


def _seed_job_seeker(staff, station, now) -> None:
    """The first demo worker registered as a job seeker, with part of the 1131 done."""
    from jobs import seekers

    worker = accounts.user_by_phone(DEMO_WORKERS[0][0])
    if worker is None:
        return
    profile = seekers.save_profile(worker, seekers.SeekerDraft(
        categories=["catering", "cook"], areas="河东区、河北区", skills="切配，炒菜",
        certificates="健康证", wants_calls=True, station_id=station.id if station else None),
        now=now)
    seekers.record_service(profile, "policy", staff, "灵活就业社保补贴政策", now=now)
    seekers.record_service(profile, "guidance", staff, "建议先做日结帮工，再考厨师证", now=now)
    gig = db.session.scalar(select(JobPost).where(JobPost.category == "catering",
                                                  JobPost.state == "published").limit(1))
    if gig is not None:
        seekers.recommend(profile, gig, staff, now=now)
