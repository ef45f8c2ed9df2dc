"""A job seeker's data: exported with the account, and erased when the account is deleted."""
from sqlalchemy import select

from extensions import db
from jobs import personal_data
from jobs.models import Application, SeekerProfile, SeekerService, WageCase
from tests.jobs.conftest import NOW
from transactions import transaction


def test_deleting_a_job_seeker_removes_the_profile_record_and_case_notes_but_keeps_counts(
        make_user, make_post, union):
    worker = make_user("worker")
    post = make_post()
    profile = SeekerProfile(user_id=worker.id, organisation_id=union.id, region_code="120102",
                            categories=["catering"], skills="切配")
    application = Application(post_id=post.id, worker_id=worker.id, state="not_paid",
                              applied_at=NOW, changed_at=NOW)
    db.session.add_all([profile, application])
    db.session.flush()
    db.session.add_all([SeekerService(profile_id=profile.id, kind="policy"),
                        WageCase(application_id=application.id, organisation_id=union.id,
                                 employer_id=post.employer_id, agreed_pay="200 元/天",
                                 worker_note="老板电话 138…", state="open", opened_at=NOW)])
    db.session.commit()
    exported = personal_data.exported(worker.id)["job_seeker_profile"]
    assert exported["skills"] == "切配"
    assert [s["kind"] for s in exported["services"]] == ["policy"]
    with transaction():
        personal_data.erase(worker.id)
    assert db.session.scalar(select(SeekerProfile.id)) is None
    assert db.session.scalar(select(SeekerService.id)) is None
    assert db.session.scalar(select(WageCase.worker_note)) == ""
    assert db.session.scalar(select(Application.state)) == "not_paid"
