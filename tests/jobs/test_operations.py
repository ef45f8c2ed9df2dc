"""Employers, the post machine with its history, applying under the lock, gig day, wage
questions, wage cases routed to legal aid, and the employer block."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from jobs import operations
from jobs.models import Application, JobPost, PostEvent, WageCase
from notifications.models import Notification
from services.models import ServiceEvent
from tests.jobs.conftest import NOW, TIANJIN, credit_code
from transactions import transaction


def _draft(**fields) -> operations.PostDraft:
    values = dict(kind="gig", title="餐饮帮工", category="catering", pay_min=200, pay_max=242,
                  pay_unit="day", expires_at=NOW + timedelta(days=7), region_code="120102",
                  lat=TIANJIN[0], lon=TIANJIN[1], address="津塘路 88 号",
                  starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=10),
                  paid_daily=True, headcount=3)
    values.update(fields)
    return operations.PostDraft(**values)


def test_registering_an_employer_checks_the_credit_code(in_request, make_user, union):
    boss = make_user("worker")
    with pytest.raises(operations.JobError, match="not valid"):
        with transaction():
            operations.register_employer(boss, name="天津某物业", credit_code="91120102MA05JQ8R0X",
                                         contact_name="王", contact_phone="+8613812345678",
                                         region_code="120102", organisation_id=union.id)
    with transaction():
        employer = operations.register_employer(
            boss, name="天津某物业", credit_code=credit_code(7), contact_name="王",
            contact_phone="+8613812345678", region_code="120102", organisation_id=union.id)
    assert not employer.verified and operations.is_member(boss, employer.id)


def test_a_region_code_must_be_six_digits(in_request, make_employer):
    with pytest.raises(ValueError):
        make_employer(region_code="12010")


def test_a_post_asking_for_one_gender_is_refused_with_the_reason(in_request, make_employer, staff):
    employer = make_employer()
    with pytest.raises(operations.JobError, match="Employment Promotion Law"):
        with transaction():
            operations.create_post(employer, _draft(description="限男性，能吃苦"), staff, now=NOW)
    assert db.session.scalar(select(JobPost.id)) is None


def test_a_post_goes_draft_pending_published_with_a_history(in_request, make_employer, make_user,
                                                           staff):
    boss = make_user("worker")
    employer = make_employer(member=boss)
    with transaction():
        post = operations.create_post(employer, _draft(), boss, now=NOW)
        operations.transition_post(post.id, "submit", boss, now=NOW)
    with pytest.raises(operations.NotAllowed):
        with transaction():
            operations.transition_post(post.id, "publish", boss, now=NOW)  # only staff publish
    with transaction():
        operations.transition_post(post.id, "publish", staff, now=NOW)
    steps = db.session.execute(select(PostEvent.action, PostEvent.to_state)
                               .where(PostEvent.post_id == post.id).order_by(PostEvent.id)).all()
    assert steps == [("create", "draft"), ("submit", "pending"), ("publish", "published")]


def test_refusing_needs_a_reason_and_tells_the_author(in_request, make_employer, make_user, staff):
    boss = make_user("worker")
    employer = make_employer(member=boss)
    with transaction():
        post = operations.create_post(employer, _draft(), boss, now=NOW)
        operations.transition_post(post.id, "submit", boss, now=NOW)
    with pytest.raises(operations.JobError, match="reason"):
        with transaction():
            operations.transition_post(post.id, "refuse", staff, now=NOW)
    with transaction():
        operations.transition_post(post.id, "refuse", staff, "工资低于最低标准", now=NOW)
    assert db.session.get(JobPost, post.id).state == "draft"
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == boss.id)) \
        == "job_post_refused"


def test_an_unverified_employer_cannot_be_published(in_request, make_employer, make_post, staff):
    post = make_post(make_employer(verified=False), state="pending")
    with pytest.raises(operations.JobError, match="Verify the employer"):
        with transaction():
            operations.transition_post(post.id, "publish", staff, now=NOW)


def test_staff_of_another_branch_cannot_publish(in_request, make_post, make_user,
                                                make_organisation):
    other = make_user("staff", organisation_id=make_organisation("朝阳区总工会").id)
    post = make_post(state="pending")
    with pytest.raises(operations.NotAllowed):
        with transaction():
            operations.transition_post(post.id, "publish", other, now=NOW)


def test_a_gig_takes_places_then_waitlists_and_a_withdrawal_promotes_the_next(
        in_request, make_post, make_user):
    post = make_post(headcount=2)
    workers = [make_user("worker") for _ in range(3)]
    states = []
    for worker in workers:
        with transaction():
            states.append(operations.apply(post.id, worker, now=NOW).state)
    assert states == ["accepted", "accepted", "waitlisted"]
    first = db.session.scalar(select(Application).where(Application.worker_id == workers[0].id))
    with transaction():
        operations.act(first.id, "withdraw", workers[0], now=NOW)
    third = db.session.scalar(select(Application).where(Application.worker_id == workers[2].id))
    assert third.state == "accepted"
    assert db.session.get(JobPost, post.id).places_taken == 2 == operations.places_taken_count(post.id)


def test_applying_twice_is_refused(in_request, make_post, make_user):
    post, worker = make_post(), make_user("worker")
    with transaction():
        operations.apply(post.id, worker, now=NOW)
    with pytest.raises(operations.JobError, match="already applied"):
        with transaction():
            operations.apply(post.id, worker, now=NOW)


def test_a_job_application_waits_for_the_employers_answer(in_request, make_post, make_user,
                                                          make_employer):
    boss = make_user("worker")
    post = make_post(make_employer(member=boss), kind="job", pay_min=5000, pay_max=6500)
    worker = make_user("worker")
    with transaction():
        application = operations.apply(post.id, worker, now=NOW)
    assert application.state == "applied"
    with transaction():
        operations.act(application.id, "accept", boss, now=NOW)
    assert application.state == "accepted"
    assert db.session.get(JobPost, post.id).places_taken == 1


def _worked_gig(make_post, make_user, employer=None, **fields):
    """A gig a worker took, checked in to and was marked done on; returns (post, application)."""
    post = make_post(employer, **fields)
    worker = make_user("worker")
    with transaction():
        application = operations.apply(post.id, worker, now=NOW)
    on_the_day = post.starts_at + timedelta(minutes=5)
    with transaction():
        operations.check_in(application.id, worker, now=on_the_day, lat=TIANJIN[0] + 0.001,
                            lon=TIANJIN[1])
    with transaction():
        operations.act(application.id, "mark_done", post.employer.members[0].user
                       if post.employer.members else _staff_of(post), now=post.ends_at)
    return post, application


def _staff_of(post):
    from accounts.models import User

    return db.session.scalar(select(User).where(User.organisation_id == post.organisation_id,
                                                User.role == "staff"))


def test_check_in_by_location_must_be_near_the_place_and_on_the_day(in_request, make_post,
                                                                     make_user):
    post, worker = make_post(), make_user("worker")
    with transaction():
        application = operations.apply(post.id, worker, now=NOW)
    with pytest.raises(operations.JobError, match="two hours"):
        with transaction():
            operations.check_in(application.id, worker, now=NOW, lat=TIANJIN[0], lon=TIANJIN[1])
    with pytest.raises(operations.JobError, match="500 m"):
        with transaction():
            operations.check_in(application.id, worker, now=post.starts_at,
                                lat=TIANJIN[0] + 0.02, lon=TIANJIN[1])
    with transaction():
        operations.check_in(application.id, worker, now=post.starts_at, post_token_ok=True)
    assert (application.state, application.check_in_method) == ("showed_up", "qr")


def test_the_wage_question_comes_24_hours_after_the_end_once(in_request, make_post, make_user,
                                                            staff):
    post, application = _worked_gig(make_post, make_user)
    with transaction():
        assert operations.ask_wage_questions(post.ends_at + timedelta(hours=23)) == 0
    with transaction():
        assert operations.ask_wage_questions(post.ends_at + timedelta(hours=24)) == 1
    with transaction():
        assert operations.ask_wage_questions(post.ends_at + timedelta(hours=30)) == 0
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == application.worker_id)).all()
    assert kinds.count("job_wage_question") == 1


def test_not_received_opens_a_case_at_the_legal_aid_that_runs_sessions(
        in_request, make_post, make_user, make_organisation, staff):
    city_legal = make_organisation("天津市总工会法律援助中心", district="和平区")
    event = ServiceEvent(organisation_id=city_legal.id, title="欠薪法律咨询", category="legal",
                         starts_at=NOW + timedelta(days=5), ends_at=NOW + timedelta(days=5, hours=2),
                         capacity=20, places_held=0, lat=39.12, lon=117.20,
                         registration_opens_at=NOW - timedelta(days=1),
                         registration_closes_at=NOW + timedelta(days=4), status="scheduled")
    db.session.add(event)
    db.session.commit()
    post, application = _worked_gig(make_post, make_user)
    later = post.ends_at + timedelta(hours=24)
    with transaction():
        operations.act(application.id, "report_unpaid", application.worker, now=later,
                       note="老板说下周再给")
    case = db.session.scalar(select(WageCase))
    assert (case.organisation_id, case.legal_event_id) == (city_legal.id, event.id)
    assert case.agreed_pay == "200–242 元/天"
    assert case.checked_in_at is not None and case.worker_note == "老板说下周再给"
    assert application.first_wage_answer == "not_paid"


def test_an_employer_with_an_open_case_cannot_publish_gigs_until_staff_clear_it(
        in_request, make_post, make_user, make_employer, staff):
    employer = make_employer()
    post, application = _worked_gig(make_post, make_user, employer)
    with transaction():
        operations.act(application.id, "report_unpaid", application.worker,
                       now=post.ends_at + timedelta(hours=24))
    new_gig = make_post(employer, state="pending")
    with pytest.raises(operations.JobError, match="open wage case"):
        with transaction():
            operations.transition_post(new_gig.id, "publish", staff, now=NOW)
    case = db.session.scalar(select(WageCase))
    with transaction():
        operations.clear_case(case.id, staff, "已协调支付", now=NOW)
    with transaction():
        operations.transition_post(new_gig.id, "publish", staff, now=NOW)
    assert db.session.get(JobPost, new_gig.id).state == "published"


def test_the_24_hour_paid_rate_counts_first_answers(in_request, make_post, make_user,
                                                   make_employer, staff):
    employer = make_employer()
    answers = []
    for action in ("confirm_paid", "confirm_paid", "report_unpaid"):
        post, application = _worked_gig(make_post, make_user, employer)
        with transaction():
            operations.act(application.id, action, application.worker,
                           now=post.ends_at + timedelta(hours=24))
        answers.append(application)
    with transaction():  # paid late: the rate does not change
        operations.act(answers[2].id, "confirm_paid", answers[2].worker, now=NOW + timedelta(days=5))
    assert operations.paid_rates([employer.id]) == {employer.id: (2, 3)}


def test_posts_past_their_expiry_expire(in_request, make_post):
    post = make_post(expires_at=NOW + timedelta(hours=1))
    with transaction():
        assert operations.expire_posts(now=NOW + timedelta(hours=2)) == 1
    assert db.session.get(JobPost, post.id).state == "expired"
