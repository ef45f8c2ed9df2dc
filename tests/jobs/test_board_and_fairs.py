"""The printable job board (岗位信息发布栏), recruitment fairs (零工招聘会), and the worker's
notice when an employer answers an application."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

import clock
from extensions import db
from jobs import fairs, operations
from jobs.models import Application, FairPost
from notifications.inbox import text_of
from notifications.models import Notification
from services.models import ServiceEvent
from tests.accounts.helpers import log_in, post
from tests.jobs.conftest import NOW, TIANJIN
from transactions import transaction


@pytest.fixture
def fair(union, station):
    event = ServiceEvent(
        organisation_id=union.id, station_id=station.id, title="阳谷零工招聘会",
        category="employment", starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=3, hours=3), capacity=200, places_held=0,
        registration_opens_at=NOW - timedelta(days=1),
        registration_closes_at=NOW + timedelta(days=3), status="scheduled")
    db.session.add(event)
    db.session.commit()
    return event


def test_the_job_board_prints_current_posts_near_the_station_with_a_qr_code_each(
        client, station, make_post):
    open_gig = make_post(title="餐饮帮工（日结）", station_id=station.id)
    make_post(title="已招满", station_id=station.id, state="filled")
    make_post(title="远方的活", lat=TIANJIN[0] + 1, lon=TIANJIN[1])
    with clock.travel_to(NOW):
        page = client.get(f"/jobs/board/{station.id}").get_data(as_text=True)
    assert "餐饮帮工（日结）" in page and "已招满" not in page and "远方的活" not in page
    assert page.count('class="segno"') == 1 and "js-print" in page
    assert client.get("/jobs/board/999999").status_code == 404


def test_the_board_qr_code_leads_to_the_post_page(app, station, make_post):
    from jobs.posters import qr_svg

    with app.test_request_context("/"):
        svg = qr_svg("http://localhost/jobs/1")
    assert svg.startswith("<svg") and "path" in svg


def test_a_fair_lists_its_employers_and_their_open_posts(client, fair, make_employer, make_post,
                                                        staff):
    employer = make_employer(name="阳谷县某食品厂")
    gig = make_post(employer, title="包装工（日结）")
    make_post(employer, title="已下架", state="withdrawn")
    log_in(client, staff)
    with clock.travel_to(NOW):
        assert post(client, f"/staff/jobs/fairs/{fair.id}/employers",
                    {"employer_id": employer.id, "booth": "A3"}).status_code == 303
        page = client.get(f"/jobs/fairs/{fair.id}").get_data(as_text=True)
    assert "阳谷县某食品厂" in page and "包装工（日结）" in page and "已下架" not in page
    assert "A3" in page
    assert [p.post_id for p in db.session.scalars(select(FairPost))] == [gig.id]
    services_page = client.get(f"/services/{fair.id}").get_data(as_text=True)
    assert f"/jobs/fairs/{fair.id}" in services_page
    with clock.travel_to(NOW):
        assert post(client, f"/staff/jobs/fairs/{fair.id}/employers/{employer.id}/remove"
                    ).status_code == 303
        assert "阳谷县某食品厂" not in client.get(f"/jobs/fairs/{fair.id}").get_data(as_text=True)


def test_only_verified_employers_join_and_only_employment_events_are_fairs(
        client, fair, make_employer, in_request):
    with pytest.raises(operations.JobError, match="Verify"):
        fairs.add_employer(fair, make_employer(verified=False), now=NOW)
    fair.category = "legal"
    db.session.commit()
    with pytest.raises(operations.JobError, match="recruitment fairs"):
        fairs.add_employer(fair, make_employer(), now=NOW)
    assert client.get(f"/jobs/fairs/{fair.id}").status_code == 404


@pytest.mark.parametrize("action, english, chinese", [
    ("accept", "You are hired for", "录用"),
    ("decline", "was not taken", "未被录用"),
])
def test_the_answer_notice_words_the_answer_in_the_readers_language(
        app, make_post, make_user, staff, action, english, chinese):
    gig = make_post(title="餐饮帮工", headcount=2, state="published")
    worker = make_user("worker")
    with app.test_request_context("/"):
        application = Application(post_id=gig.id, worker_id=worker.id, state="applied")
        db.session.add(application)
        db.session.commit()
        with transaction():
            operations.act(application.id, action, staff, now=NOW)
    notice = db.session.scalar(select(Notification).where(Notification.user_id == worker.id))
    with app.test_request_context("/"), force_locale("en"):
        assert english in text_of(notice) and action not in text_of(notice)
    with app.test_request_context("/"), force_locale("zh_Hans"):
        assert chinese in text_of(notice) and "餐饮帮工" in text_of(notice)
