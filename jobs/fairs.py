"""Recruitment fairs (零工招聘会): services events in the `employment` category, linked to
the employers taking part and the posts they bring. services/ knows nothing of jobs; its
event page loads the fair's list from jobs.views.fair."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select

from extensions import db
from jobs.models import Employer, FairEmployer, FairPost, JobPost
from jobs.operations import JobError


@dataclass(frozen=True)
class Stand:
    taking_part: FairEmployer
    posts: list[JobPost]


def stands(event_id: int, *, now: datetime) -> list[Stand]:
    """The fair's employers, by name, each with its linked posts that are still open."""
    taking_part = db.session.scalars(
        select(FairEmployer).join(Employer).where(FairEmployer.event_id == event_id)
        .order_by(FairEmployer.booth, Employer.name)).all()
    posts = db.session.scalars(
        select(JobPost).join(FairPost, FairPost.post_id == JobPost.id)
        .where(FairPost.event_id == event_id, JobPost.state == "published",
               JobPost.expires_at > now).order_by(JobPost.id)).all()
    return [Stand(part, [p for p in posts if p.employer_id == part.employer_id])
            for part in taking_part]


def add_employer(event, employer: Employer, booth: str = "", *, now: datetime) -> FairEmployer:
    """An employer takes part, bringing all its current published posts."""
    if event.category != "employment":
        raise JobError(_("Only recruitment fairs take employers."))
    if not employer.verified:
        raise JobError(_("Verify the employer before it takes part in a fair."))
    taking_part = db.session.scalar(select(FairEmployer).where(
        FairEmployer.event_id == event.id, FairEmployer.employer_id == employer.id))
    if taking_part is None:
        taking_part = FairEmployer(event_id=event.id, employer_id=employer.id)
        db.session.add(taking_part)
    taking_part.booth = booth
    linked = set(db.session.scalars(select(FairPost.post_id).where(FairPost.event_id == event.id)))
    for post in db.session.scalars(select(JobPost).where(
            JobPost.employer_id == employer.id, JobPost.state == "published",
            JobPost.expires_at > now)):
        if post.id not in linked:
            db.session.add(FairPost(event_id=event.id, post_id=post.id))
    db.session.flush()
    return taking_part


def remove_employer(event_id: int, employer_id: int) -> None:
    """The employer no longer takes part; its posts leave the fair with it."""
    post_ids = select(JobPost.id).where(JobPost.employer_id == employer_id)
    db.session.execute(delete(FairPost).where(FairPost.event_id == event_id,
                                              FairPost.post_id.in_(post_ids)))
    db.session.execute(delete(FairEmployer).where(FairEmployer.event_id == event_id,
                                                  FairEmployer.employer_id == employer_id))
    db.session.flush()
