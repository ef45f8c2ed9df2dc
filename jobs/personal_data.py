"""What jobs holds about a person, for the account's data export and deletion (PIPL).

accounts/ imports no domain, so the lead's deletion hook calls `erase(user_id)` and the
export calls `exported(user_id)`; both only flush, inside the caller's transaction.
Applications stay as anonymous rows (the account is a tombstone), so places and paid rates
still add up; the job-seeker profile and the worker's own words in wage cases go.
"""
from sqlalchemy import delete, select, update

from extensions import db
from jobs.models import Application, SeekerProfile, WageCase


def exported(user_id: int) -> dict:
    """The person's applications and job-seeker profile, for the JSON download."""
    applications = db.session.scalars(select(Application).where(
        Application.worker_id == user_id).order_by(Application.id)).all()
    profile = db.session.scalar(select(SeekerProfile).where(SeekerProfile.user_id == user_id))
    return {
        "job_applications": [
            {"post": a.post.title, "employer": a.post.employer.name, "state": a.state,
             "applied_at": a.applied_at.isoformat(),
             "checked_in_at": a.checked_in_at.isoformat() if a.checked_in_at else None}
            for a in applications],
        "job_seeker_profile": None if profile is None else {
            "categories": profile.categories, "areas": profile.areas,
            "earliest_start": profile.earliest_start.isoformat() if profile.earliest_start
            else None,
            "skills": profile.skills, "certificates": profile.certificates,
            "wants_calls": profile.wants_calls, "region_code": profile.region_code,
            "station": profile.station.name if profile.station else None,
            "hired_where": profile.hired_where,
            "hired_at": profile.hired_at.isoformat() if profile.hired_at else None,
            # The 1131 record: what union staff did for the person, and when.
            "services": [{"kind": s.kind, "post": s.post.title if s.post else None,
                          "note": s.note, "at": s.created_at.isoformat()}
                         for s in profile.services]},
    }


def erase(user_id: int) -> None:
    """Delete the job-seeker profile (with its 1131 record) and the worker's case notes."""
    db.session.execute(delete(SeekerProfile).where(SeekerProfile.user_id == user_id))
    case_ids = select(WageCase.id).join(Application).where(Application.worker_id == user_id)
    db.session.execute(update(WageCase).where(WageCase.id.in_(case_ids)).values(worker_note="")
                       .execution_options(synchronize_session=False))
    db.session.flush()


def register_personal_data() -> None:
    """Join the account's export and deletion (accounts.personal_data)."""
    from flask_babel import lazy_gettext as _l

    from accounts import personal_data

    personal_data.register("jobs", title=_l("Job applications and job-seeker profile"),
                           export=lambda user: exported(user.id),
                           erase=lambda user, now: erase(user.id), order=50)
