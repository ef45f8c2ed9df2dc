"""A recommendation (推荐) texts the job seeker who agreed to be contacted, once, after the
recommendation has committed; a provider that fails leaves the recommendation and its in-app
notice in place. The provider is the real SDK against a local server (tests/accounts)."""
import logging

import pytest
from sqlalchemy import func, select

import clock
from accounts import sms
from extensions import db
from jobs import seekers
from jobs.models import SeekerService
from notifications.models import Notification
from tests.accounts.helpers import log_in, post
from tests.accounts.sms_stubs import OK_REPLIES, notice_sent, provider, stub  # noqa: F401
from tests.jobs.conftest import NOW


def recommend(client, staff, profile, gig):
    log_in(client, staff)
    with clock.travel_to(NOW):
        return post(client, f"/staff/jobs/seekers/{profile.id}/recommend", {"post_id": gig.id},
                    follow_redirects=True)


def recorded(profile) -> tuple[int, int]:
    """(recommendations, notices) the job seeker has."""
    db.session.expire_all()
    return (db.session.scalar(select(func.count(SeekerService.id)).where(
                SeekerService.profile_id == profile.id, SeekerService.kind == "recommendation")),
            db.session.scalar(select(func.count(Notification.id)).where(
                Notification.user_id == profile.user_id, Notification.kind == "job_recommended")))


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
def test_a_recommendation_sends_exactly_one_text_in_the_recommendation_template(
        client, staff, make_seeker, make_post, station, stub, provider, backend):
    server = stub(lambda request: (200, OK_REPLIES[backend]))
    provider(backend, server.endpoint)
    profile = make_seeker()
    gig = make_post(title="餐饮帮工（日结）", station_id=station.id, lat=None, lon=None)
    page = recommend(client, staff, profile, gig).get_data(as_text=True)
    assert "已收到岗位通知和短信" in page
    again = recommend(client, staff, profile, gig)  # refused: already recommended
    assert again.status_code == 409
    [request] = server.requests
    template, phone, params = notice_sent(backend, request)
    assert template == "SMS_2" and phone.endswith(profile.user.phone[-11:])
    assert params == ["餐饮帮工（日结）", "河东区就业驿站"]
    assert recorded(profile) == (1, 1)


def test_no_text_when_the_job_seeker_declined_contact(client, staff, make_seeker, make_post,
                                                      stub, provider):
    server = stub(lambda request: (200, OK_REPLIES["aliyun"]))
    provider("aliyun", server.endpoint)
    profile = make_seeker(wants_calls=False)
    page = recommend(client, staff, profile, make_post()).get_data(as_text=True)
    assert "已收到岗位通知。" in page and "短信" not in page
    assert server.requests == [] and recorded(profile) == (1, 1)


@pytest.mark.parametrize("backend", ["aliyun", "tencent"])
def test_a_failing_provider_leaves_the_recommendation_and_its_notice(
        client, staff, make_seeker, make_post, stub, provider, backend, caplog):
    server = stub(lambda request: (500, {"Code": "ServiceUnavailable", "Message": "down",
                                         "Response": {"Error": {"Code": "InternalError",
                                                                "Message": "down"}}}))
    provider(backend, server.endpoint)
    profile = make_seeker()
    with caplog.at_level(logging.WARNING, logger="yizhan.jobs"):
        response = recommend(client, staff, profile, make_post())
    assert response.status_code == 200  # the seeker's page, after the 303
    assert "短信没有发出去" in response.get_data(as_text=True)
    assert len(server.requests) == 1 and recorded(profile) == (1, 1)
    [logged] = [r for r in caplog.records if r.name == "yizhan.jobs"]
    assert "not sent" in logged.getMessage() and profile.user.phone not in logged.getMessage()


def test_the_console_sender_gets_the_text_in_development(make_seeker, make_post, staff,
                                                        in_request):
    profile = make_seeker()
    gig = make_post(title="保洁员")
    before = len(sms.notices_to(profile.user.phone))
    with clock.travel_to(NOW):
        seekers.recommend(profile, gig, staff, now=NOW)
    db.session.commit()
    assert seekers.text_recommendation(profile, gig) is True
    assert sms.notices_to(profile.user.phone)[before:] == [
        ("recommendation", {"title": "保洁员", "place": "津塘路 88 号"})]


def test_the_text_is_never_sent_inside_the_transaction(make_seeker, make_post, staff,
                                                       in_request):
    from transactions import transaction

    profile = make_seeker()
    gig = make_post()
    before = len(sms.notices_to(profile.user.phone))
    with pytest.raises(RuntimeError, match="committed"):
        with transaction():
            seekers.recommend(profile, gig, staff, now=NOW)
            seekers.text_recommendation(profile, gig)
    assert sms.notices_to(profile.user.phone)[before:] == [] and recorded(profile) == (0, 0)
