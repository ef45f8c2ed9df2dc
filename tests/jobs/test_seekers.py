"""Job seekers (求职登记): who sees a registration, the 1131 record, recommendations with
their notice, matching, the monthly board and its formula-safe exports, and deletion."""
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

import clock
from extensions import db
from jobs import seekers
from jobs.models import SeekerService
from jobs.operations import JobError
from notifications.inbox import text_of
from notifications.models import Notification
from tests.accounts.helpers import log_in, post
from tests.jobs.conftest import NOW, TIANJIN


def test_staff_of_the_station_see_a_registration_and_other_branches_do_not(
        make_seeker, staff, make_user, make_organisation):
    profile = make_seeker()
    other = make_user("staff", organisation_id=make_organisation("朝阳区总工会",
                                                                 district="朝阳区").id)
    assert seekers.seeker_or_none(profile.id, staff) is not None
    assert seekers.seeker_or_none(profile.id, other) is None
    assert seekers.seeker_or_none(profile.id, make_user("worker")) is None
    assert seekers.seeker_or_none(profile.id, make_user("admin")) is not None


def test_without_a_station_the_staff_of_the_workers_district_still_see_them(make_seeker, staff):
    profile = make_seeker(station_id=None)
    assert profile.organisation_id is None
    assert seekers.seeker_or_none(profile.id, staff) is not None
    elsewhere = make_seeker(name="李师傅", station_id=None, home_district="南开区")
    assert seekers.seeker_or_none(elsewhere.id, staff) is None


def test_1131_is_complete_after_one_talk_one_guidance_three_recommendations_one_training(
        make_seeker, staff, make_post, in_request):
    profile = make_seeker()
    with clock.travel_to(NOW):
        for kind in ("policy", "guidance", "training"):
            seekers.record_service(profile, kind, staff, "", now=NOW)
        for _ in range(2):
            seekers.recommend(profile, make_post(), staff, now=NOW)
        assert not seekers.tally(profile).complete
        seekers.recommend(profile, make_post(), staff, now=NOW)
    tally = seekers.tally(profile)
    assert tally.complete and tally.of("recommendation") == 3


def test_a_follow_up_call_needs_a_note_and_counts_towards_nothing(make_seeker, staff, in_request):
    profile = make_seeker()
    with pytest.raises(JobError, match="follow-up"):
        seekers.record_service(profile, "follow_up", staff, "", now=NOW)
    seekers.record_service(profile, "follow_up", staff, "已在餐馆上班，满意", now=NOW)
    assert seekers.tally(profile).of("follow_up") == 1 and not seekers.tally(profile).complete


def test_a_recommendation_notifies_the_worker_once_and_only_for_an_open_post(
        make_seeker, staff, make_post, in_request):
    profile = make_seeker()
    gig = make_post(title="餐饮帮工（日结）")
    with clock.travel_to(NOW):
        seekers.recommend(profile, gig, staff, now=NOW)
        with pytest.raises(JobError, match="already"):
            seekers.recommend(profile, gig, staff, now=NOW)
        with pytest.raises(JobError, match="no longer open"):
            seekers.recommend(profile, make_post(state="filled"), staff, now=NOW)
    notices = db.session.scalars(select(Notification).where(
        Notification.user_id == profile.user_id)).all()
    assert [n.kind for n in notices] == ["job_recommended"]
    assert notices[0].link == f"/jobs/{gig.id}" and "餐饮帮工（日结）" in text_of(notices[0])


def test_matching_ranks_the_wanted_work_and_shared_skills_first_then_the_nearer(
        make_seeker, make_post):
    profile = make_seeker(categories=["catering"], skills="切配", certificates="健康证")
    far_fit = make_post(title="后厨帮工", category="catering", skills="切配",
                        lat=TIANJIN[0] + 0.1, lon=TIANJIN[1])
    near_fit = make_post(title="餐饮帮工", category="catering", skills="切配、健康证")
    other_work = make_post(title="保安", category="security")
    with clock.travel_to(NOW):
        ranked = [m.post.id for m in seekers.posts_for(profile, now=NOW)]
    assert ranked == [near_fit.id, far_fit.id, other_work.id]
    best = seekers.match(profile, near_fit)
    assert best.category and best.shared == {"切配", "健康证"} and best.distance_m < 10


def test_seekers_for_a_post_leave_out_the_hired(make_seeker, staff, make_post):
    cook = make_seeker(name="王厨师", categories=["cook"])
    helper = make_seeker(name="赵帮工")
    hired = make_seeker(name="已就业")
    seekers.record_outcome(hired, "好滋味餐饮店", date(2026, 12, 1))
    db.session.commit()
    ranked = [m.profile.id for m in seekers.seekers_for(make_post(category="catering"), staff)]
    assert ranked == [helper.id, cook.id]


def test_an_outcome_needs_both_where_and_when(make_seeker, in_request):
    with pytest.raises(JobError):
        seekers.record_outcome(make_seeker(), "好滋味餐饮店", None)


def test_the_board_counts_one_station_and_one_month(make_seeker, staff, make_post, station,
                                                    in_request):
    make_post(station_id=station.id, created_at=NOW)
    make_post(station_id=station.id, created_at=NOW - timedelta(days=20))  # November
    done = make_seeker(name="甲")
    make_seeker(name="乙")
    make_seeker(name="丙", at=NOW - timedelta(days=20))
    with clock.travel_to(NOW):
        for kind in ("policy", "guidance", "training"):
            seekers.record_service(done, kind, staff, "", now=NOW)
        for _ in range(3):
            seekers.recommend(done, make_post(), staff, now=NOW)
    seekers.record_outcome(done, "好滋味餐饮店", date(2026, 12, 2))
    db.session.commit()
    [row] = [r for r in seekers.board(staff, date(2026, 12, 1)) if r.station is not None]
    assert (row.posts, row.seekers_registered, row.recommendations, row.hires) == (1, 2, 3, 1)
    assert (row.complete, row.seekers_total) == (1, 3)
    [november] = [r for r in seekers.board(staff, date(2026, 11, 1)) if r.station is not None]
    assert (november.posts, november.seekers_registered, november.complete) == (1, 1, 0)


def test_exports_keep_a_formula_name_as_text(client, make_seeker, staff):
    make_seeker(name="=HYPERLINK(\"http://evil\")")
    log_in(client, staff)
    text = client.get("/staff/jobs/seekers.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    response = client.get("/staff/jobs/seekers.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A2"].value.startswith("'=") and sheet["A2"].data_type == "s"
    assert "139****" in sheet["B2"].value
    board = client.get("/staff/jobs/board.csv?month=2026-12")
    assert board.status_code == 200 and "河东区就业驿站" in board.get_data(as_text=True)
    assert client.get("/staff/jobs/board.pdf").status_code == 404


def test_a_worker_registers_sees_the_record_and_deletes_it(client, make_user, station, staff,
                                                           make_post):
    worker = make_user("worker", display_name="孙师傅")
    log_in(client, worker)
    empty = client.get("/jobs/profile").get_data(as_text=True)
    assert 'name="categories"' in empty and "/jobs/profile/delete" not in empty
    bad = post(client, "/jobs/profile", {"categories": "astronaut"})
    assert bad.status_code == 422
    saved = post(client, "/jobs/profile", {"categories": ["catering", "cook"], "skills": "切配",
                                           "station_id": str(station.id)})
    assert saved.status_code == 303
    profile = seekers.profile_of(worker.id)
    assert profile.categories == ["catering", "cook"] and profile.organisation_id == staff.organisation_id
    db.session.add(SeekerService(profile_id=profile.id, kind="policy", staff_id=staff.id))
    db.session.commit()
    assert post(client, "/jobs/profile/delete").status_code == 303
    db.session.expire_all()
    assert seekers.profile_of(worker.id) is None
    assert db.session.scalar(select(func.count(SeekerService.id))) == 0


def test_staff_record_recommend_and_see_the_phone_masked(client, make_seeker, staff, make_post):
    profile = make_seeker(name="周师傅")
    gig = make_post(title="餐饮帮工")
    log_in(client, staff)
    with clock.travel_to(NOW):
        page = client.get(f"/staff/jobs/seekers/{profile.id}").get_data(as_text=True)
        assert "周师傅" in page and "****" in page and profile.user.phone not in page
        assert post(client, f"/staff/jobs/seekers/{profile.id}/services",
                    {"kind": "follow_up", "note": ""}).status_code == 422
        assert post(client, f"/staff/jobs/seekers/{profile.id}/recommend",
                    {"post_id": gig.id}).status_code == 303
        again = post(client, f"/staff/jobs/seekers/{profile.id}/recommend", {"post_id": gig.id})
        assert again.status_code == 409
        matching = client.get(f"/staff/jobs/matching?post={gig.id}").get_data(as_text=True)
    assert "周师傅" in matching


@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example", "https://evil.example/"])
def test_job_actions_never_send_staff_off_the_site(client, staff, make_post, make_seeker, target):
    """Both job forms that carry `next` go through the one safe_next (a tab in "/\t/" is
    dropped by browsers, which would read "//evil.example")."""
    gig = make_post(title="餐饮帮工")
    profile = make_seeker(name="周师傅")
    log_in(client, staff)
    with clock.travel_to(NOW):
        withdrawn = post(client, f"/jobs/posts/{gig.id}/withdraw", {"next": target})
        recommended = post(client, f"/staff/jobs/seekers/{profile.id}/recommend",
                           {"post_id": make_post(title="保洁").id, "next": target})
    assert withdrawn.status_code == 303
    assert withdrawn.headers["Location"] == f"/jobs/posts/{gig.id}/roster"
    assert recommended.status_code == 303
    assert recommended.headers["Location"] == f"/staff/jobs/seekers/{profile.id}"
