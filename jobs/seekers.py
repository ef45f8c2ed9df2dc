"""Job seekers (求职登记) and the staff's side of them: the "1131" record, matching seekers
with open posts, recommendations (推荐), the outcome, and the monthly board per station.

Chongqing's promise to every registered job seeker is 1-1-3-1: at least one policy talk, one
career guidance session, three job recommendations and one training offer. Each is a
SeekerService row; follow-up calls (回访) are rows too, with a note, but count towards
nothing. Functions only flush; the caller's `transaction()` commits.

A recommendation is an in-app notice, in the same transaction, and a text message to a job
seeker who agreed to be contacted (`wants_calls`), sent by `text_recommendation` once the
transaction has committed: a rollback cannot take a message back, and a provider that fails
must not undo the recommendation (it is logged, and the staff member told).
"""
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import selectinload

import clock
from accounts import sms
from accounts.models import User
from accounts.phones import masked
from accounts.policy import has_permission, people_visible_to
from extensions import db
from jobs import operations, queries
from jobs.models import CATEGORIES, JobPost, SeekerProfile, SeekerService
from notifications.inbox import notify, path_for
from rest_stations.geo import geodesic_m
from rest_stations.models import Station
from transactions import in_transaction

log = logging.getLogger("yizhan.jobs")

# The 1131 promise: kind -> how many.
PROMISE = {"policy": 1, "guidance": 1, "recommendation": 3, "training": 1}
# What staff record by hand (a recommendation goes through `recommend`, with its post).
RECORDED_BY_HAND = ("policy", "guidance", "training", "follow_up")
MATCH_LIST_SIZE = 20


@dataclass
class SeekerDraft:
    categories: list[str] = field(default_factory=list)
    areas: str = ""
    earliest_start: date | None = None
    skills: str = ""
    certificates: str = ""
    wants_calls: bool = False
    station_id: int | None = None


def profile_of(user_id: int) -> SeekerProfile | None:
    return db.session.scalar(select(SeekerProfile).where(SeekerProfile.user_id == user_id))


def save_profile(user: User, draft: SeekerDraft, *, now: datetime) -> SeekerProfile:
    """Register the worker as a job seeker, or update their registration."""
    unknown = set(draft.categories) - set(CATEGORIES)
    if unknown:
        raise operations.JobError(_("Choose the kinds of work from the list."))
    station = db.session.get(Station, draft.station_id) if draft.station_id else None
    if draft.station_id and station is None:
        raise operations.JobError(_("This station does not exist."))
    profile = profile_of(user.id)
    if profile is None:
        profile = SeekerProfile(user_id=user.id, created_at=now)
        db.session.add(profile)
    profile.categories = [c for c in CATEGORIES if c in draft.categories]
    profile.areas, profile.skills = draft.areas, draft.skills
    profile.certificates, profile.wants_calls = draft.certificates, draft.wants_calls
    profile.earliest_start = draft.earliest_start
    profile.station_id = station.id if station else None
    # The station's branch serves them; without a station, the branch of their home region
    # (accounts.policy.people_visible_to) still sees them.
    profile.organisation_id = station.organisation_id if station else None
    db.session.flush()
    return profile


def delete_profile(user_id: int) -> bool:
    """Withdraw the registration, with its 1131 record (PIPL: the person's own choice)."""
    profile = profile_of(user_id)
    if profile is None:
        return False
    db.session.delete(profile)
    db.session.flush()
    return True


# Who sees a job seeker -------------------------------------------------------------------------

def seekers_visible_to(user) -> Select:
    """Profiles a staff member may see (masked, like the people list): admins all; staff
    those served by their branch's stations, and the people of their region code
    (accounts.policy.people_visible_to)."""
    query = select(SeekerProfile).join(User, SeekerProfile.user_id == User.id).where(
        User.deleted_at.is_(None))
    if has_permission(user, "manage_all_jobs"):
        return query
    if not has_permission(user, "manage_org_jobs") or user.organisation_id is None:
        return query.where(false())
    district_people = people_visible_to(user).with_only_columns(User.id)
    return query.where(or_(SeekerProfile.organisation_id == user.organisation_id,
                           SeekerProfile.user_id.in_(district_people)))


def seeker_or_none(profile_id: int, user) -> SeekerProfile | None:
    return db.session.scalar(seekers_visible_to(user).where(SeekerProfile.id == profile_id))


def seekers(user, *, include_hired: bool = True) -> list[SeekerProfile]:
    query = seekers_visible_to(user).options(
        selectinload(SeekerProfile.services), selectinload(SeekerProfile.user),
        selectinload(SeekerProfile.station)).order_by(SeekerProfile.created_at.desc())
    if not include_hired:
        query = query.where(SeekerProfile.hired_at.is_(None))
    return list(db.session.scalars(query))


# The 1131 record -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tally:
    """How much of the 1131 promise a job seeker has had."""

    counts: dict

    @property
    def complete(self) -> bool:
        return all(self.counts.get(kind, 0) >= needed for kind, needed in PROMISE.items())

    def of(self, kind: str) -> int:
        return self.counts.get(kind, 0)


def tally(profile: SeekerProfile, *, until: datetime | None = None) -> Tally:
    """The 1131 counts of a profile (of services before `until`, when given)."""
    return Tally(dict(Counter(s.kind for s in profile.services
                              if until is None or s.created_at < until)))


def record_service(profile: SeekerProfile, kind: str, staff: User, note: str, *,
                   now: datetime) -> SeekerService:
    """A policy talk, guidance session, training offer or follow-up call (回访)."""
    if kind not in RECORDED_BY_HAND:
        raise operations.JobError(_("Choose what you did."))
    if kind == "follow_up" and not note:
        raise operations.JobError(_("Note what the follow-up call found."))
    service = SeekerService(profile_id=profile.id, kind=kind, staff_id=staff.id,
                            organisation_id=staff.organisation_id, note=note, created_at=now)
    db.session.add(service)
    db.session.flush()
    db.session.refresh(profile)
    return service


def recommend(profile: SeekerProfile, post: JobPost, staff: User, *,
              now: datetime) -> SeekerService:
    """Recommend an open post to the job seeker (推荐): it counts towards 1131 and the worker
    gets an in-app notice with a link to the post."""
    closed = operations.post_open_for_applications(post, now)
    if closed:
        raise operations.JobError(closed)
    already = db.session.scalar(select(SeekerService.id).where(
        SeekerService.profile_id == profile.id, SeekerService.kind == "recommendation",
        SeekerService.post_id == post.id))
    if already:
        raise operations.JobError(_("You already recommended this post to them."))
    service = SeekerService(profile_id=profile.id, kind="recommendation", post_id=post.id,
                            staff_id=staff.id, organisation_id=staff.organisation_id,
                            created_at=now)
    db.session.add(service)
    notify(profile.user_id, "job_recommended", link=path_for("jobs.detail", post_id=post.id),
           title=post.title)
    db.session.flush()
    db.session.refresh(profile)
    return service


def text_recommendation(profile: SeekerProfile, post: JobPost) -> bool | None:
    """Text the job seeker about a recommendation `recommend` made and its transaction
    committed, if they agreed to be contacted: True sent, False the provider failed (logged;
    the recommendation and its notice stand), None not wanted (or no number to send to)."""
    if in_transaction():
        raise RuntimeError("text_recommendation() runs after the recommendation's "
                           "transaction() has committed")
    user = profile.user
    if not profile.wants_calls or not user.is_active or not user.phone:
        return None
    try:
        sms.send_notice(user.phone, "recommendation",
                        {"title": post.title, "place": post.place_name or post.employer.name})
    except sms.SmsError as error:
        log.warning("Recommendation text to %s (post %s) not sent: %s",
                    masked(user.phone), post.id, error)
        return False
    return True


def recommended(profile: SeekerProfile) -> set[int]:
    """The posts already recommended to the job seeker."""
    return {s.post_id for s in profile.services if s.kind == "recommendation" and s.post_id}


def record_outcome(profile: SeekerProfile, hired_where: str, hired_on: date | None) -> None:
    """The outcome: hired where and when (both empty: not hired, or not yet)."""
    if bool(hired_where) != bool(hired_on):
        raise operations.JobError(_("Give both where they were hired and the date."))
    profile.hired_where, profile.hired_at = hired_where, hired_on
    db.session.flush()


# Matching --------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s,，、;；/|]+")


def words(text: str) -> set[str]:
    """'叉车证，电工证 / 会开车' -> {'叉车证', '电工证', '会开车'}."""
    return {w.lower() for w in _SEPARATORS.split(text or "") if w}


@dataclass(frozen=True)
class Match:
    profile: SeekerProfile
    post: JobPost
    score: float
    distance_m: float | None
    category: bool
    shared: frozenset  # skills and certificates both name

    def reasons(self) -> list[str]:
        """Why the pair ranks where it does, for the staff member."""
        found = [_("Wanted work")] if self.category else []
        if self.shared:
            found.append(_("Shares: %(words)s", words="、".join(sorted(self.shared))))
        if self.distance_m is not None:
            found.append(f"{self.distance_m / 1000:.1f} km")
        return found


# A matching kind of work outweighs anything else; each shared skill or certificate adds one;
# every 5 km away takes one off, up to three.
CATEGORY_WEIGHT, KM_PER_POINT, MAX_DISTANCE_PENALTY = 3.0, 5.0, 3.0


def match(profile: SeekerProfile, post: JobPost) -> Match:
    """How well a post suits a job seeker: by kind of work, skills and distance."""
    category = post.category in (profile.categories or [])
    shared = frozenset((words(profile.skills) | words(profile.certificates))
                       & (words(post.skills) | words(post.certificates) | words(post.title)))
    distance = None
    if profile.position and post.position:
        distance = geodesic_m(*profile.position, *post.position)
    score = CATEGORY_WEIGHT * category + len(shared)
    if distance is not None:
        score -= min(distance / 1000 / KM_PER_POINT, MAX_DISTANCE_PENALTY)
    return Match(profile, post, round(score, 2), distance, category, shared)


def _ranked(matches: list[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (-m.score, m.distance_m is None, m.distance_m or 0,
                                          m.post.id, m.profile.id))[:MATCH_LIST_SIZE]


def open_posts(*, now: datetime) -> list[JobPost]:
    return [found.post for found in queries.nearby_posts(now=now, limit=500)]


def posts_for(profile: SeekerProfile, *, now: datetime) -> list[Match]:
    """Open posts ranked for one job seeker."""
    return _ranked([match(profile, post) for post in open_posts(now=now)])


def seekers_for(post: JobPost, user) -> list[Match]:
    """The job seekers `user` may see, not yet hired, ranked for one post."""
    return _ranked([match(profile, post) for profile in seekers(user, include_hired=False)])


# The board -------------------------------------------------------------------------------------

@dataclass
class BoardRow:
    station: Station | None
    posts: int = 0
    seekers_registered: int = 0
    recommendations: int = 0
    hires: int = 0
    seekers_total: int = 0
    complete: int = 0

    @property
    def complete_share(self) -> float | None:
        return None if not self.seekers_total else self.complete / self.seekers_total


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The local month as [start, end) in aware datetimes."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (datetime.combine(first, time.min, clock.DEFAULT_ZONE),
            datetime.combine(following, time.min, clock.DEFAULT_ZONE))


def board(user, month: date) -> list[BoardRow]:
    """Per station, one month: posts collected, job seekers registered, recommendations,
    hires, and of all the station's job seekers registered by the month's end, how many
    have had the whole 1131."""
    start, end = month_bounds(month)
    rows: dict[int | None, BoardRow] = {}

    def row(station_id):
        if station_id not in rows:
            rows[station_id] = BoardRow(db.session.get(Station, station_id)
                                        if station_id else None)
        return rows[station_id]

    for post in db.session.scalars(JobPost.managed_by(user).where(
            JobPost.created_at >= start, JobPost.created_at < end)):
        row(post.station_id).posts += 1
    for profile in seekers(user):
        if profile.created_at >= end:
            continue
        entry = row(profile.station_id)
        entry.seekers_total += 1
        entry.complete += tally(profile, until=end).complete
        entry.seekers_registered += profile.created_at >= start
        entry.recommendations += sum(1 for s in profile.services if s.kind == "recommendation"
                                     and start <= s.created_at < end)
        entry.hires += profile.hired_at is not None \
            and start.date() <= profile.hired_at < end.date()
    return sorted(rows.values(), key=lambda r: (r.station is None,
                                                r.station.name if r.station else ""))


def totals(rows: list[BoardRow]) -> dict:
    """Totals over the rows, for the board's last line."""
    total = defaultdict(int)
    for r in rows:
        for name in ("posts", "seekers_registered", "recommendations", "hires",
                     "seekers_total", "complete"):
            total[name] += getattr(r, name)
    return dict(total)
