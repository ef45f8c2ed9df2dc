"""Demo wishes for `flask seed-demo`: about twenty, in every state, from the demo workers
of 河东区, moderated by the demo staff and claimed by a demo volunteer."""
from datetime import timedelta

from flask_babel import gettext as _

import clock
from accounts import services
from accounts.cli import DEMO_PASSWORD, DEMO_REGION, DEMO_STAFF, DEMO_WORKERS
from accounts.models import User
from extensions import db
from rest_stations.models import Station
from transactions import transaction
from wishes import operations
from wishes.models import Wish

DEMO_VOLUNTEER = ("+8613800000201", "爱心企业 顺和物流", "volunteer")
MORE_WORKERS = (("+8613800000103", "骑手 小赵", "eleme", "河东区"),
                ("+8613800000104", "网约车司机 老刘", "didi", "河东区"),
                ("+8613800000105", "外卖骑手 阿强", "meituan", "河东区"),
                ("+8613800000106", "货车司机 王师傅", "huolala", "河东区"),
                ("+8613800000107", "快递员 小周", "sf", "河东区"))
# (title, details, category, urgency, path through the states, days ago it was made)
DEMO_WISHES = (
    ("冬天骑车用的护膝", "天冷了,早上送单膝盖疼,想要一副防风护膝。", "goods", "week", "published", 3),
    ("手机防摔钢化膜", "跑单时手机摔过两次,屏幕有裂纹,想换一张钢化膜。", "goods", "month", "published", 5),
    ("孩子的新书包", "孩子上二年级,书包带子断了,想要一个结实的双肩书包。", "family", "month", "published", 8),
    ("暑期托管班名额", "暑假跑单没人照看孩子,想了解工会的暑期托管班。", "family", "any", "published", 12),
    ("帮忙讨要欠薪", "站点拖欠两个月工资,不知道该找哪里,想请法律援助站帮忙。", "legal", "week", "published", 2),
    ("学考叉车证", "想转行做仓储,希望有人介绍叉车证培训。", "skills", "any", "published", 20),
    ("免费体检一次", "常年腰疼,想参加一次工会组织的免费体检。", "health", "month", "published", 9),
    ("电动车头盔", "原来的头盔扣坏了,想要一个合格的新头盔。", "goods", "week", "claimed", 15),
    ("冬季防寒手套", "骑车手冻裂了,想要一副防水保暖手套。", "goods", "week", "claimed", 25),
    ("给老人买助听器", "家里老人听力下降,想问问有没有爱心企业能帮忙。", "family", "any", "fulfilled", 30),
    ("充电宝一个", "电量不够常常断单,想要一个大容量充电宝。", "goods", "month", "fulfilled", 35),
    ("雨衣一套", "下雨天送餐全身湿透,想要一套分体雨衣。", "goods", "week", "confirmed", 40),
    ("孩子的课外读物", "孩子喜欢看书,想要几本适合十岁孩子的课外书。", "family", "any", "confirmed", 45),
    ("劳动合同咨询", "签了个体工商户协议,想问问算不算劳动关系。", "legal", "month", "confirmed", 60),
    ("学做电商直播", "想学直播带货,有没有免费的技能培训。", "skills", "any", "confirmed", 70),
    ("保温餐箱", "餐箱保温层坏了,冬天饭菜容易凉。", "goods", "month", "submitted", 1),
    ("颈椎按摩一次", "长期低头看导航,脖子很僵,想在驿站做一次理疗。", "health", "any", "submitted", 0),
    ("请联系我 13812345678", "私下联系。", "other", "any", "declined", 6),
    ("换一个电动车电池", "电池续航只剩一半,想换新电池。", "goods", "month", "withdrawn", 10),
    ("找一份白天的工作", "想在家附近找份白天的兼职,方便接孩子。", "skills", "month", "published", 4),
)
PATHS = {
    "submitted": (), "published": ("publish",), "declined": ("decline",),
    "withdrawn": ("withdraw",), "claimed": ("publish", "claim"),
    "fulfilled": ("publish", "claim", "fulfil"), "confirmed": ("publish", "claim", "fulfil", "confirm"),
}


def _account(phone: str, name: str, role: str, platform: str = "", district: str = "") -> User:
    user = services.user_by_phone(phone)
    if user is None:
        if role == "worker":
            user = services.register_worker(phone, name, DEMO_PASSWORD, platform=platform,
                                            home_district=district, home_region_code=DEMO_REGION,
                                            consented_at=clock.now())
        else:
            user = services.create_account(phone, name, DEMO_PASSWORD, role)
    return user


def seed_demo_wishes() -> str:
    """Create the demo wishes once; a second run finds them and changes nothing."""
    if db.session.scalar(db.select(db.func.count(Wish.id))):
        return _("Demo wishes: already there.")
    with transaction():
        _seed()
    count = db.session.scalar(db.select(db.func.count(Wish.id)))
    return _("Demo wishes: %(count)d. Volunteer: %(phone)s / %(password)s", count=count,
             phone=DEMO_VOLUNTEER[0][3:], password=DEMO_PASSWORD)


def _seed() -> None:
    staff = services.user_by_phone(DEMO_STAFF[0])
    volunteer = _account(*DEMO_VOLUNTEER)
    workers = [_account(p, n, "worker", pl, d) for p, n, pl, d in DEMO_WORKERS + MORE_WORKERS]
    station = db.session.scalar(db.select(Station).where(Station.region_code == DEMO_REGION)
                                .order_by(Station.id).limit(1))
    now = clock.now()
    notes = {"decline": "请不要在心愿里留电话,工会会安排交接。", "withdraw": "已经自己买了。",
             "fulfil": "已放在驿站前台,报心愿编号领取。", "confirm": "谢谢好心人,冬天不冷了!"}
    for number, (title, details, category, urgency, state, days) in enumerate(DEMO_WISHES):
        worker = workers[number % len(workers)]
        made = now - timedelta(days=days, hours=number)
        wish = operations.submit(worker, title=title, details=details, category=category,
                                 urgency=urgency, station=station if number % 3 == 0 else None,
                                 region_code=DEMO_REGION, at=made)
        for step, action in enumerate(PATHS[state], start=1):
            actor = {"claim": volunteer, "fulfil": volunteer, "withdraw": worker,
                     "confirm": worker}.get(action, staff)
            extra = {"handover_place": "河东区十一经路工会驿站"} if action == "fulfil" else {}
            operations.transition(wish, action, actor, notes.get(action, ""),
                                  at=made + timedelta(days=step * min(days, 8) / 5), **extra)
