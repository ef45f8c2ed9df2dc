"""A person's complete export, and a deletion after which nothing of them is left: every
domain's part (accounts.personal_data), built here one of each."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

import clock
from accounts import personal_data
from accounts.models import AuditEvent, User
from checkins.models import CheckIn, StationReport
from extensions import db
from notifications.inbox import notify
from services.models import Registration, ServiceEvent
from tests.services.conftest import places_held_count
from tests.accounts.helpers import DEFAULT_PASSWORD, log_in, post
from wishes.models import Wish, WishEvent

NAME, PHONE, CHILD = "独一无二的甲", "+8613987654321", "小宝贝乙"


@pytest.fixture
def everything(app, make_user, make_organisation, make_station):
    """A worker with one of everything we keep, and a waitlisted worker behind them."""
    now = clock.now()
    organisation = make_organisation()
    station = make_station(organisation_id=organisation.id)
    staff = make_user(role="staff", organisation=organisation)
    person = make_user(phone=PHONE, display_name=NAME, platform="meituan")
    waiting = make_user()
    helper = make_user(role="volunteer")

    def event(starts_at, capacity=1, held=0):
        row = ServiceEvent(organisation_id=organisation.id, title="托管班", category="childcare",
                           starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                           station_id=station.id, capacity=capacity, places_held=held,
                           registration_opens_at=now - timedelta(days=30),
                           registration_closes_at=starts_at, allows_dependants=True)
        db.session.add(row)
        db.session.flush()
        return row

    future, past = event(now + timedelta(days=3), held=1), event(now - timedelta(days=3), held=1)
    db.session.add_all([
        Registration(event_id=future.id, worker_id=person.id, person_key=CHILD,
                     dependant_name=CHILD, dependant_age=6, state="confirmed"),
        Registration(event_id=future.id, worker_id=waiting.id, state="waitlisted",
                     queued_at=now + timedelta(seconds=1)),
        Registration(event_id=past.id, worker_id=person.id, person_key=CHILD,
                     dependant_name=CHILD, dependant_age=6, state="attended", rating=5,
                     comment=f"{CHILD}很喜欢", rated_at=now - timedelta(days=2)),
    ])
    open_wish = Wish(worker_id=person.id, title="需要一个头盔", details=f"我是{NAME}",
                     category="goods", status="published", organisation_id=organisation.id,
                     published_at=now)
    done_wish = Wish(worker_id=person.id, title="想学电脑", details=f"联系{NAME}",
                     category="skills", status="fulfilled", claimant_id=helper.id,
                     fulfil_note=f"交给了{NAME}", claimed_at=now, fulfilled_at=now)
    claimed = Wish(worker_id=waiting.id, title="需要雨衣", category="goods", status="claimed",
                   claimant_id=person.id, claimed_at=now, handover_place=f"{NAME}在驿站等")
    db.session.add_all([open_wish, done_wish, claimed])
    db.session.flush()
    db.session.add(WishEvent(wish_id=open_wish.id, actor_id=person.id, action="edit",
                             from_state="submitted", to_state="submitted", note=f"{NAME}改了"))
    check_in = CheckIn(user_id=person.id, station_id=station.id, checked_in_at=now,
                       expires_at=now + timedelta(minutes=90))
    db.session.add(check_in)
    db.session.flush()
    db.session.add(StationReport(station_id=station.id, user_id=person.id, check_in_id=check_in.id,
                                 kind="other", note=f"{NAME}说人满了"))
    notify(person.id, "service_offer", link="/services/mine", title=f"{NAME}的活动",
           when="12月2日 10:47", until="12月2日 12:00")
    db.session.add(AuditEvent(actor_id=staff.id, subject_id=person.id, action="reveal_phone",
                              detail="139****4321"))
    db.session.commit()
    return {"person": person, "waiting": waiting, "future": future, "staff": staff,
            "claimed": claimed, "open_wish": open_wish, "done_wish": done_wish}


def test_export_holds_every_part_we_keep(client, everything):
    log_in(client, everything["person"])
    response = client.get("/account/export.json")
    data = json.loads(response.get_data(as_text=True))
    expected = {"account", "access_log", "registrations", "tickets", "attendance", "feedback",
                "wishes", "claims", "check_ins", "reports", "notifications"}
    assert expected <= set(data)
    assert all(data[part] for part in expected), {p: data[p] for p in expected if not data[p]}
    assert data["account"]["phone"] == PHONE and data["account"]["consent_at"]
    assert {r["dependant_name"] for r in data["registrations"]} == {CHILD}
    assert data["attendance"][0]["attended"] is True and data["feedback"][0]["rating"] == 5
    assert any(step["note"] for wish in data["wishes"] for step in wish["history"])
    assert data["claims"][0]["title"] == "需要雨衣"
    assert data["access_log"][0]["action"] == "reveal_phone"
    assert NAME in data["notifications"][0]["text"]


def test_every_registered_part_is_in_the_export(client, everything):
    log_in(client, everything["person"])
    data = client.get("/account/export.json").get_json()
    assert {part.name for part in personal_data.parts()} <= set(data)


def test_the_readable_export_shows_each_section(client, everything):
    log_in(client, everything["person"])
    page = client.get("/account/data").get_data(as_text=True)
    for part in ["account", "registrations", "tickets", "attendance", "feedback", "wishes",
                 "claims", "check_ins", "reports", "notifications", "access_log"]:
        assert f'id="data-{part}"' in page
    assert CHILD in page and "需要雨衣" in page


def _everything_stored() -> str:
    """Every value in every column of every table, as one text."""
    # station_cell exists on SQLite only (PostgreSQL searches with PostGIS); it holds no people.
    dialect = db.engine.dialect.name
    values = []
    for table in db.metadata.sorted_tables:
        if table.info.get("only_on", dialect) != dialect:
            continue
        for row in db.session.execute(select(table)).all():
            values.extend(json.dumps(v, ensure_ascii=False, default=str) for v in row)
    return "\n".join(values)


def test_deleting_leaves_nothing_of_the_person_in_any_table(client, everything):
    stored = _everything_stored()
    assert NAME in stored and PHONE in stored and CHILD in stored  # the search can find them
    log_in(client, everything["person"])
    response = post(client, "/account/delete", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 303
    db.session.expire_all()
    stored = _everything_stored()
    for trace in (NAME, PHONE, PHONE[3:], CHILD):
        assert trace not in stored


def test_deletion_frees_places_closes_check_ins_and_withdraws_wishes(client, everything):
    person = everything["person"]
    log_in(client, person)
    post(client, "/account/delete", {"password": DEFAULT_PASSWORD})
    db.session.expire_all()
    waiting = db.session.scalar(select(Registration).where(
        Registration.worker_id == everything["waiting"].id))
    assert waiting.state == "offered"  # the freed place went to the next in line
    future = db.session.get(ServiceEvent, everything["future"].id)
    # The offer holds the freed place, and the counter agrees with the rows.
    assert future.places_held == places_held_count(future.id) == 1
    mine = db.session.scalars(select(Registration).where(Registration.worker_id == person.id)).all()
    assert {r.state for r in mine} == {"cancelled_by_worker", "attended"}  # the count stays
    assert all(r.dependant_age is None and r.dependant_name == "" for r in mine)
    assert db.session.scalar(select(CheckIn).where(CheckIn.user_id == person.id)).checked_out_at
    assert db.session.get(Wish, everything["open_wish"].id).status == "withdrawn"
    assert db.session.get(Wish, everything["done_wish"].id).status == "fulfilled"
    assert db.session.get(Wish, everything["claimed"].id).status == "published"
    account = db.session.get(User, person.id)
    assert account.phone is None and account.display_name == "" and account.deleted_at


def test_the_audit_log_records_the_deletion_without_personal_data(client, everything):
    person = everything["person"]
    log_in(client, person)
    post(client, "/account/delete", {"password": DEFAULT_PASSWORD})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "delete_account"))
    assert event.subject_id == person.id and event.detail == ""


@pytest.mark.parametrize("began, stay, ends", [
    # A tap from the person's other phone read the clock later and took the lock first.
    (timedelta(seconds=5), timedelta(hours=2), timedelta(seconds=5)),
    # Expired long ago, never checked out: it ended when it expired, not at the erasure.
    (-timedelta(hours=3), timedelta(hours=2), -timedelta(hours=1)),
])
def test_erasure_closes_an_open_check_in_as_a_check_out_would(make_user, make_station,
                                                            began, stay, ends):
    from checkins import rules
    from transactions import transaction

    person, station = make_user(), make_station()
    now = clock.now()
    rules.check_in(person.id, station.id, now=now + began, stay=stay)
    with transaction():
        personal_data.erase_all(person, now)
    row = db.session.scalar(select(CheckIn).where(CheckIn.user_id == person.id))
    db.session.refresh(row)
    assert clock.as_utc(row.checked_out_at) == now + ends
