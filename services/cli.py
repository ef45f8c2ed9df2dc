"""`flask services tick` (run it every few minutes: lapses overdue offers, passes places on,
sends the day-before reminders) and the demo events for `flask seed-demo`, including both
periods of a childcare class, so the 70% attendance rule can be tried end to end."""
from datetime import datetime, timedelta, timezone

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

import clock
from accounts import services as accounts
from accounts.cli import DEMO_PASSWORD, DEMO_STAFF, DEMO_WORKERS
from extensions import db
from i18n import in_cli_locale
from rest_stations.models import Station
from scheduler import register_job, run_job
from services import operations, rules
from services.models import Registration, ServiceEvent
from transactions import transaction

services_cli = AppGroup("services", help="Union services and events.")


# The periodic jobs `flask worker` runs (scheduler/), each under its lock.

@register_job("services.lapse_offers", every="WORKER_TICK_SECONDS")
def lapse_offers(now: datetime) -> int:
    """Offers not taken in time lapse; the place goes to the next in line."""
    return operations.sweep_all_offers(now=now)


@register_job("services.reminders", every="WORKER_TICK_SECONDS")
def send_reminders(now: datetime) -> int:
    """Everyone with a place at an event in the next 24 h gets one reminder."""
    return operations.send_reminders(now=now)


@services_cli.command("tick")
@in_cli_locale
def tick() -> None:
    """Lapse overdue offers (the next in line gets the place) and send tomorrow's reminders:
    `flask worker`'s two jobs once, under the same locks, so a tick from cron beside a
    running worker never sends a reminder twice."""
    now = clock.now()
    lapsed = run_job("services.lapse_offers", now)
    reminded = run_job("services.reminders", now)
    if lapsed is False or reminded is False:
        click.echo(_("A worker is running these jobs right now; nothing was done twice."))
    click.echo(_("%(lapsed)d offers lapsed, %(reminded)d reminders sent.",
                 lapsed=lapsed or 0, reminded=reminded or 0))


# The childcare class (Guangdong's rule: 30 children, first come first served; a child who
# attended less than 70% of one period may not sign up for the next). Six Saturday mornings
# a period: the first is over, the second starts on a Saturday at least five days from now
# and names the first as its previous period.
CHILDCARE_TITLE = "骑手子女假期托管班"
CHILDCARE_TEXT = ("为新就业形态劳动者子女提供假期托管：作业辅导、阅读和手工课，含午餐。每期30名，"
                  "先到先得；上一期出勤率低于70%的孩子不能报名下一期。")
CHILDCARE_WEEKS, CHILDCARE_PLACES, CHILDCARE_MIN_PCT = 6, 30, 70
SECOND_PERIOD_IN_DAYS, FIRST_PERIOD_WEEKS_EARLIER = 5, 9
# (parent's phone, child, age, the sessions of the first period the child missed)
DEMO_CHILDREN = (
    ("+8613800000101", "张小宇", 8, (1, 3, 4)),  # 3 of 6 = 50%: refused for the second period
    ("+8613800000101", "张小雨", 6, ()),
    ("+8613800000102", "李乐乐", 9, (2,)),       # 5 of 6 = 83%
    ("+8613800000103", "赵子涵", 7, (0, 5)),     # 4 of 6 = 66%: also refused
    ("+8613800000104", "刘一诺", 10, ()),
    ("+8613800000105", "马思远", 5, (4,)),
)
# Children whose parents already signed them up for the second period.
SIGNED_UP_AGAIN = ("张小雨", "刘一诺", "马思远")
DEMO_PARENTS = {phone: (name, platform, district) for phone, name, platform, district in (
    *DEMO_WORKERS,
    ("+8613800000103", "骑手 小赵", "eleme", "河东区"),
    ("+8613800000104", "网约车司机 老刘", "didi", "河东区"),
    ("+8613800000105", "外卖骑手 阿强", "meituan", "河东区"))}

# (title, description, category, days from today, local start hour, hours, capacity,
#  children?, weeks)  Drawn from union services in the news: wage-arrears legal aid,
# mobile health checks, "技能照亮前程" skills training, screen-protector days.
DEMO_EVENTS = (
    ("欠薪维权法律咨询", "工会法律援助站律师现场解答欠薪、劳动关系认定、工伤问题,可帮忙准备仲裁材料。", "legal", 2, 14, 2, 20, False, 1),
    ("《劳动合同》与平台协议解读讲座", "讲清楚外卖、快递、网约车平台协议里的权利义务,现场答疑。", "legal", 9, 19, 1, 40, False, 1),
    ("流动体检车免费体检", "血压、血糖、心电图、颈腰椎检查,现场出报告。请空腹前来。", "health", 3, 8, 4, 60, False, 1),
    ("颈腰椎理疗与健康讲座", "针对长期骑行、久坐的职业病,康复医生讲解并现场理疗。", "health", 12, 15, 2, 25, False, 1),
    ("养老护理员技能培训", "“技能照亮前程”培训行动:养老护理基础课程,结业可参加职业技能等级认定。", "skills", 7, 9, 6, 30, False, 1),
    ("电商直播带货入门", "手机拍摄、直播间搭建、选品与合规,适合想转行或兼职的骑手。", "skills", 10, 14, 3, 30, False, 1),
    ("电动车安全驾驶与交通法规培训", "交警讲解交通法规,演示头盔佩戴和冬季雨雪天骑行安全。", "skills", 4, 10, 2, 50, False, 1),
    ("手机贴膜、清洁免费日", "志愿者免费贴钢化膜、清洁手机和充电口,检查电池健康。", "phone_care", 1, 11, 5, 80, False, 1),
    ("就业驿站岗位对接会", "快递分拣、仓储、网约车、家政等岗位现场对接,带好身份证。", "employment", 6, 9, 4, 100, False, 1),
    ("社保与灵活就业政策咨询", "灵活就业人员参保、职业伤害保障、个税问题一对一咨询。", "advice", 8, 14, 3, 30, False, 1),
    ("骑手子女周末亲子阅读", "周末亲子阅读和绘本手工,孩子4至12岁,家长可陪同。", "childcare", 6, 15, 2, 20, True, 1),
    ("暖心驿站冬至包饺子", "冬至一起包饺子,新就业形态劳动者和家人都欢迎。", "other", 28, 17, 2, 40, False, 1),
)


def _parent(phone: str):
    """A demo worker (the accounts and wishes demos make the same people), made if missing."""
    user = accounts.user_by_phone(phone)
    if user is None:
        name, platform, district = DEMO_PARENTS[phone]
        user = accounts.register_worker(phone, name, DEMO_PASSWORD, platform=platform,
                                        home_district=district, consented_at=clock.now())
    return user


def _childcare_draft(station: Station, starts_at: datetime, opens_at: datetime) -> operations.EventDraft:
    return operations.EventDraft(
        title=CHILDCARE_TITLE, description=CHILDCARE_TEXT, category="childcare",
        starts_at=starts_at.astimezone(timezone.utc),
        ends_at=(starts_at + timedelta(hours=3)).astimezone(timezone.utc),
        capacity=CHILDCARE_PLACES, registration_opens_at=opens_at,
        registration_closes_at=(starts_at - timedelta(hours=12)).astimezone(timezone.utc),
        station_id=station.id, allows_dependants=True)


def _seed_childcare(station: Station, staff, now: datetime, today) -> tuple[int, str]:
    """Both periods of the childcare class; returns (events made, a line on how to try it)."""
    # Saturdays at 09:00: the first Saturday at least SECOND_PERIOD_IN_DAYS away.
    ahead = SECOND_PERIOD_IN_DAYS + (5 - (today + timedelta(days=SECOND_PERIOD_IN_DAYS)).weekday()) % 7
    second_start = datetime(today.year, today.month, today.day, 9, tzinfo=clock.DEFAULT_ZONE) + timedelta(days=ahead)
    first_start = second_start - timedelta(weeks=FIRST_PERIOD_WEEKS_EARLIER)
    first_draft = _childcare_draft(station, first_start, (first_start - timedelta(days=14))
                                   .astimezone(timezone.utc))
    first_draft.title = f"{CHILDCARE_TITLE}（第一期）"
    # Both periods are terms: a parent signs a child up once for all six Saturdays.
    first = operations.create_events(station.organisation_id, first_draft, creator=staff,
                                     weeks=CHILDCARE_WEEKS, as_term=True,
                                     now=first_draft.registration_opens_at)
    for phone, child, age, _missed in DEMO_CHILDREN:
        operations.register(first[0].id, _parent(phone),
                            now=first_draft.registration_opens_at + timedelta(hours=1),
                            dependant_name=child, dependant_age=age)
    for number, event in enumerate(first):
        for registration in db.session.scalars(db.select(Registration).where(
                Registration.event_id == event.id).order_by(Registration.id)):
            missed = next(m for _p, c, _a, m in DEMO_CHILDREN if c == registration.dependant_name)
            operations.act(registration.id, "mark_no_show" if number in missed else "mark_attended",
                           staff, now=event.ends_at)
    second_draft = _childcare_draft(station, second_start, now - timedelta(days=2))
    second_draft.title = f"{CHILDCARE_TITLE}（第二期）"
    second = operations.create_events(station.organisation_id, second_draft, creator=staff,
                                      weeks=CHILDCARE_WEEKS, min_attendance_pct=CHILDCARE_MIN_PCT,
                                      previous_series_id=first[0].series_id, as_term=True, now=now)
    for phone, child, age, _missed in DEMO_CHILDREN:
        if child in SIGNED_UP_AGAIN:
            operations.register(second[0].id, _parent(phone), now=now, dependant_name=child,
                                dependant_age=age)
    phone, child, _age, missed = DEMO_CHILDREN[0]
    pct = rules.attendance_pct(CHILDCARE_WEEKS - len(missed), CHILDCARE_WEEKS)
    return len(first) + len(second), _(
        "  childcare rule: worker %(phone)s / %(password)s cannot sign %(child)s up for the second "
        "period (%(pct)d%% attendance in the first); staff %(staff)s / %(password)s see both rosters.",
        phone=phone[3:], password=DEMO_PASSWORD, child=child, pct=pct, staff=DEMO_STAFF[0][3:])


def seed_demo_events() -> str:
    """Twelve one-off events at the demo stations and both periods of the childcare class:
    six past Saturdays with attendance taken, and six coming ones under the 70% rule (18
    upcoming events in all). The class needs the demo staff (accounts' seeder), who took the
    first period's attendance; once any event exists, nothing is added."""
    if db.session.scalar(db.select(db.func.count(ServiceEvent.id))):
        return _("Demo events: already loaded.")
    with transaction():
        return _seed_demo_events()


def _seed_demo_events() -> str:
    stations = db.session.scalars(db.select(Station).where(Station.organisation_id.is_not(None))
                                  .order_by(Station.id).limit(len(DEMO_EVENTS))).all()
    if not stations:
        return _("Demo events: no stations of a union branch, none created.")
    now = clock.now()
    today = clock.today(at=now)
    created = 0
    for number, (title, description, category, days, hour, hours, capacity, children, weeks) \
            in enumerate(DEMO_EVENTS):
        station = stations[number % len(stations)]
        starts_at = datetime(today.year, today.month, today.day, hour, tzinfo=clock.DEFAULT_ZONE) + timedelta(days=days)
        draft = operations.EventDraft(
            title=title, description=description, category=category,
            starts_at=starts_at.astimezone(timezone.utc),
            ends_at=(starts_at + timedelta(hours=hours)).astimezone(timezone.utc), capacity=capacity,
            registration_opens_at=now - timedelta(days=2),
            registration_closes_at=(starts_at - timedelta(hours=12)).astimezone(timezone.utc),
            station_id=station.id, allows_dependants=children)
        created += len(operations.create_events(station.organisation_id, draft, weeks=weeks,
                                                now=now))
    lines = []
    staff = accounts.user_by_phone(DEMO_STAFF[0])
    childcare_station = db.session.scalar(
        db.select(Station).where(Station.organisation_id == staff.organisation_id)
        .order_by(Station.id).limit(1)) if staff is not None and staff.organisation_id else None
    if childcare_station is None:
        lines.append(_("Demo events: no demo staff with a station, so no childcare class."))
    else:
        count, how_to = _seed_childcare(childcare_station, staff, now, today)
        created += count
        lines.append(how_to)
    return "\n".join([_("Demo events: %(count)d created.", count=created), *lines])
