"""`flask services tick` (run it every few minutes: lapses overdue offers, passes places on,
sends the day-before reminders) and the demo events for `flask seed-demo`."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from extensions import db
from i18n import in_cli_locale
from rest_stations.models import Station
from services import operations
from services.models import ServiceEvent

services_cli = AppGroup("services", help="Union services and events.")
LOCAL = ZoneInfo("Asia/Shanghai")


@services_cli.command("tick")
@in_cli_locale
def tick() -> None:
    """Lapse overdue offers (the next in line gets the place) and send tomorrow's reminders."""
    now = datetime.now(timezone.utc)
    lapsed = operations.sweep_all_offers(now=now)
    reminded = operations.send_reminders(now=now)
    click.echo(_("%(lapsed)d offers lapsed, %(reminded)d reminders sent.",
                 lapsed=lapsed, reminded=reminded))


# (title, description, category, days from today, local start hour, hours, capacity,
#  children?, weeks)  Drawn from union services in the news: Guangdong's childcare classes
# for riders' children (30 children, first come first served), wage-arrears legal aid,
# mobile health checks, "技能照亮前程" skills training, screen-protector days.
DEMO_EVENTS = (
    ("骑手子女寒假托管班(第一期)", "为新就业形态劳动者子女提供寒假托管:作业辅导、阅读和手工课,含午餐。每期30名,先到先得;出勤率低于70%的孩子不能报名下一期。",
     "childcare", 5, 9, 3, 30, True, 6),
    ("欠薪维权法律咨询", "工会法律援助站律师现场解答欠薪、劳动关系认定、工伤问题,可帮忙准备仲裁材料。", "legal", 2, 14, 2, 20, False, 1),
    ("《劳动合同》与平台协议解读讲座", "讲清楚外卖、快递、网约车平台协议里的权利义务,现场答疑。", "legal", 9, 19, 1, 40, False, 1),
    ("流动体检车免费体检", "血压、血糖、心电图、颈腰椎检查,现场出报告。请空腹前来。", "health", 3, 8, 4, 60, False, 1),
    ("颈腰椎理疗与健康讲座", "针对长期骑行、久坐的职业病,康复医生讲解并现场理疗。", "health", 12, 15, 2, 25, False, 1),
    ("养老护理员技能培训", "“技能照亮前程”培训行动:养老护理基础课程,结业可参加职业技能等级认定。", "skills", 7, 9, 6, 30, False, 1),
    ("电商直播带货入门", "手机拍摄、直播间搭建、选品与合规,适合想转行或兼职的骑手。", "skills", 10, 14, 3, 30, False, 1),
    ("电动车安全驾驶与交通法规培训", "交警讲解交通法规,演示头盔佩戴和冬季雨雪天骑行安全。", "skills", 4, 10, 2, 50, False, 1),
    ("手机贴膜、清洁免费日", "志愿者免费贴钢化膜、清洁手机和充电口,检查电池健康。", "phone_care", 1, 11, 5, 80, False, 1),
    ("就业驿站岗位对接会", "快递分拣、仓储、网约车、家政等岗位现场对接,带好身份证。", "advice", 6, 9, 4, 100, False, 1),
    ("社保与灵活就业政策咨询", "灵活就业人员参保、职业伤害保障、个税问题一对一咨询。", "advice", 8, 14, 3, 30, False, 1),
    ("骑手子女周末亲子阅读", "周末亲子阅读和绘本手工,孩子4至12岁,家长可陪同。", "childcare", 6, 15, 2, 20, True, 1),
    ("暖心驿站冬至包饺子", "冬至一起包饺子,新就业形态劳动者和家人都欢迎。", "other", 28, 17, 2, 40, False, 1),
)


def seed_demo_events() -> str:
    """About 18 upcoming events (one a six-week childcare series) at the demo stations."""
    if db.session.scalar(db.select(db.func.count(ServiceEvent.id))):
        return _("Demo events: already loaded.")
    stations = db.session.scalars(db.select(Station).where(Station.organisation_id.is_not(None))
                                  .order_by(Station.id).limit(len(DEMO_EVENTS))).all()
    if not stations:
        return _("Demo events: no stations of a union branch, none created.")
    now = datetime.now(timezone.utc)
    today = now.astimezone(LOCAL).date()
    created = 0
    for number, (title, description, category, days, hour, hours, capacity, children, weeks) \
            in enumerate(DEMO_EVENTS):
        station = stations[number % len(stations)]
        starts_at = datetime(today.year, today.month, today.day, hour, tzinfo=LOCAL) + timedelta(days=days)
        draft = operations.EventDraft(
            title=title, description=description, category=category,
            starts_at=starts_at.astimezone(timezone.utc),
            ends_at=(starts_at + timedelta(hours=hours)).astimezone(timezone.utc), capacity=capacity,
            registration_opens_at=now - timedelta(days=2),
            registration_closes_at=(starts_at - timedelta(hours=12)).astimezone(timezone.utc),
            station_id=station.id, allows_dependants=children)
        created += len(operations.create_events(station.organisation_id, draft, weeks=weeks,
                                                min_attendance_pct=70 if weeks > 1 else None,
                                                now=now))
    return _("Demo events: %(count)d created.", count=created)
