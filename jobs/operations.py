"""What happens to employers, posts, applications and wage cases.

Every function takes `now` where time matters and only flushes: the view or CLI command
wraps the call in `transactions.transaction()`, which owns the commit.

No over-hiring (the pretix pattern, as services' events): an application locks its post's
row (`lock_row`: FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE already holds SQLite's write
lock), reads the places taken, and writes the application and the new count together. The
CHECK on `places_taken` and the partial unique index on live applications are the backstop.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

import clock
from accounts.models import Organisation, User
from accounts.policy import has_permission
from extensions import db
from jobs import rules
from jobs.models import (HOLDS_PLACE, Application, ApplicationEvent, Employer, EmployerMember,
                         JobPost, PostEvent, WageCase, valid_region_code)
from notifications.inbox import notify, path_for, register_kinds
from rest_stations.geo import geodesic_m
from transactions import lock_row

WAGE_QUESTION_AFTER = timedelta(hours=24)
# A gig's check-in opens this long before its start.
CHECK_IN_OPENS_BEFORE = timedelta(hours=2)

register_kinds({
    "job_wage_question": _l("Has your pay for “%(title)s” arrived? Please answer: paid or not "
                            "received."),
    "job_wage_case_opened": _l("We passed your unpaid wages for “%(title)s” to the union's legal "
                               "aid (%(organisation)s). They will call you."),
    "job_promoted": _l("A place came free: you are now hired for “%(title)s”."),
    # Kept for notices sent before the two below existed (their params hold the raw action).
    "job_application_changed": _l("Your application for “%(title)s”: %(state)s."),
    "job_application_accepted": _l("You are hired for “%(title)s”. Be there on time, and "
                                   "check in when you arrive."),
    "job_application_declined": _l("Your application for “%(title)s” was not taken this "
                                   "time."),
    "job_post_refused": _l("Your post “%(title)s” was not published: %(reason)s"),
    "job_recommended": _l("Union staff recommend a job to you: “%(title)s”."),
})

# The notice an employer's answer sends, one kind per answer.
APPLICATION_NOTICES = {"accept": "job_application_accepted", "decline": "job_application_declined"}


class JobError(ValueError):
    """A rule was broken; the message is for the person who tried."""


class NotAllowed(JobError):
    pass


# Employers ------------------------------------------------------------------------------------

def register_employer(user: User | None, *, name: str, credit_code: str, contact_name: str,
                      contact_phone: str, region_code: str, organisation_id: int) -> Employer:
    """A new, unverified employer; `user` (when given) becomes its first member."""
    credit_code = credit_code.strip().upper()
    if not rules.valid_credit_code(credit_code):
        raise JobError(_("This unified social credit code is not valid: check the 18 characters."))
    if not valid_region_code(region_code):
        raise JobError(_("The region code has six digits, e.g. 120102."))
    if db.session.scalar(select(Employer.id).where(Employer.credit_code == credit_code)):
        raise JobError(_("An employer with this credit code is already registered."))
    employer = Employer(name=name.strip(), credit_code=credit_code, contact_name=contact_name.strip(),
                        contact_phone=contact_phone.strip(), region_code=region_code,
                        organisation_id=organisation_id)
    db.session.add(employer)
    db.session.flush()
    if user is not None:
        db.session.add(EmployerMember(employer_id=employer.id, user_id=user.id))
        db.session.flush()
    return employer


def verify_employer(employer: Employer, staff: User, note: str, *, now: datetime) -> Employer:
    """Staff checked the employer by hand (licence, phone call): its posts may go public."""
    if not employer.is_managed_by(staff):
        raise NotAllowed(_("Only staff of the employer's union branch can verify it."))
    employer.verified_at = now
    employer.verified_by_id = staff.id
    employer.verification_note = note.strip()
    db.session.flush()
    return employer


def is_member(user, employer_id: int) -> bool:
    """Whether `user` posts for this employer."""
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(EmployerMember.id).where(
        EmployerMember.employer_id == employer_id, EmployerMember.user_id == user.id)) is not None


def employers_of(user: User) -> list[Employer]:
    return list(db.session.scalars(select(Employer).join(EmployerMember).where(
        EmployerMember.user_id == user.id).order_by(Employer.name)))


def open_case_count(employer_id: int) -> int:
    return db.session.scalar(select(func.count(WageCase.id)).where(
        WageCase.employer_id == employer_id, WageCase.state == "open")) or 0


# Posts ----------------------------------------------------------------------------------------

@dataclass
class PostDraft:
    """What an employer or staff enters for a post; times are aware datetimes."""

    kind: str
    title: str
    category: str
    pay_min: int
    pay_max: int
    pay_unit: str
    expires_at: datetime
    region_code: str
    description: str = ""
    station_id: int | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    hours: str = ""
    benefits: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    paid_daily: bool = False
    headcount: int = 1
    skills: str = ""
    certificates: str = ""
    age_min: int | None = None
    age_max: int | None = None
    insured: bool = False
    problems: list[str] = field(default_factory=list, repr=False)


def gender_refusal(draft_or_post) -> str | None:
    """The refusal reason when a post asks for one gender, else None."""
    words = rules.gender_requirement(draft_or_post.title, draft_or_post.description,
                                     draft_or_post.skills, draft_or_post.certificates)
    if words is None:
        return None
    return _("Posts may not ask for one gender (“%(words)s”): the Employment Promotion Law "
             "forbids it. Describe the work instead, e.g. “lifting up to 25 kg”.", words=words)


def draft_problems(draft: PostDraft) -> list[str]:
    """Everything wrong with a draft, in the author's language (empty when fine)."""
    problems = []
    refusal = gender_refusal(draft)
    if refusal:
        problems.append(refusal)
    if draft.kind == "gig" and (draft.starts_at is None or draft.ends_at is None
                                or draft.ends_at <= draft.starts_at):
        problems.append(_("A day gig needs a start and an end time, the end after the start."))
    if draft.pay_max < draft.pay_min:
        problems.append(_("The highest pay cannot be below the lowest."))
    if draft.age_min is not None and draft.age_min < 16:
        problems.append(_("Nobody under 16 may be hired."))
    if draft.station_id is None and (draft.lat is None or draft.lon is None):
        problems.append(_("Choose a station, or give the place's address with its position."))
    if not valid_region_code(draft.region_code):
        problems.append(_("The region code has six digits, e.g. 120102."))
    return problems


def create_post(employer: Employer, draft: PostDraft, actor: User | None, *,
                now: datetime) -> JobPost:
    """A draft post of `employer`; refuses a draft with problems (see draft_problems)."""
    problems = draft_problems(draft)
    if problems:
        raise JobError(" ".join(problems))
    fields = {k: v for k, v in vars(draft).items() if k != "problems"}
    if draft.kind == "job":
        fields.update(starts_at=None, ends_at=None, paid_daily=False)
    post = JobPost(employer_id=employer.id, organisation_id=employer.organisation_id,
                   state="draft", places_taken=0, created_by_id=actor.id if actor else None,
                   created_at=now, **fields)
    db.session.add(post)
    db.session.flush()
    db.session.add(PostEvent(post_id=post.id, actor_id=actor.id if actor else None,
                             action="create", from_state=None, to_state="draft", created_at=now))
    db.session.flush()
    return post


def post_parties(user, post: JobPost) -> frozenset[str]:
    """The roles `user` plays for `post`."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    found = set()
    if is_member(user, post.employer_id):
        found.add(rules.EMPLOYER)
    if post.is_managed_by(user):
        found.add(rules.STAFF)
    return frozenset(found)


def may_manage_post(user, post: JobPost) -> bool:
    return bool(post_parties(user, post))


def transition_post(post_id: int, action: str, actor: User | None, note: str = "", *,
                    now: datetime) -> JobPost:
    """Move a post one step (rules.POST_TRANSITIONS) and record it; `actor` None is the
    system. Publishing needs a verified employer without open wage cases (for gigs)."""
    post = lock_row(JobPost, post_id)
    if post is None:
        raise NotAllowed(_("This post does not exist."))
    step = rules.post_step(post.state, action)
    parties = frozenset({rules.SYSTEM}) if actor is None else post_parties(actor, post)
    if step is None or not step.parties & parties:
        raise NotAllowed(_("This post cannot be changed that way now."))
    if step.note_required and not note.strip():
        raise JobError(_("Please give the reason."))
    if action in ("submit", "publish"):
        refusal = gender_refusal(post)
        if refusal:
            raise JobError(refusal)
        if post.expires_at <= now:
            raise JobError(_("The post has expired; set a later expiry date first."))
    if action == "publish":
        if not post.employer.verified:
            raise JobError(_("Verify the employer first (check the licence and call them)."))
        if post.kind == "gig" and open_case_count(post.employer_id):
            raise JobError(_("This employer has an open wage case: no new gigs until staff "
                             "clear it."))
    from_state = post.state
    post.state = step.to_state
    db.session.add(PostEvent(post_id=post.id, actor_id=actor.id if actor else None, action=action,
                             from_state=from_state, to_state=step.to_state, note=note.strip(),
                             created_at=now))
    if action == "refuse" and post.created_by_id:
        notify(post.created_by_id, "job_post_refused", link=path_for("jobs.employer_home"),
               title=post.title, reason=note.strip())
    db.session.flush()
    return post


def expire_posts(*, now: datetime) -> int:
    """Published posts past their expiry become expired; returns how many."""
    ids = db.session.scalars(select(JobPost.id).where(JobPost.state == "published",
                                                      JobPost.expires_at <= now)).all()
    for post_id in ids:
        transition_post(post_id, "expire", None, now=now)
    return len(ids)


def post_open_for_applications(post: JobPost, now: datetime) -> str | None:
    """Why nobody can apply now, or None."""
    if post.state != "published" or post.expires_at <= now:
        return _("This post is no longer open.")
    if post.kind == "gig" and post.starts_at <= now:
        return _("This gig has started.")
    return None


# Applications -----------------------------------------------------------------------------

def _record(application: Application, action: str, from_state: str | None, actor: User | None,
            now: datetime) -> None:
    db.session.add(ApplicationEvent(application_id=application.id, action=action,
                                    from_state=from_state, to_state=application.state,
                                    actor_id=actor.id if actor else None, created_at=now))


def apply(post_id: int, worker: User, *, now: datetime) -> Application:
    """One tap: a gig's place while places remain (else the waiting list); a job's
    application for the employer to answer."""
    post = lock_row(JobPost, post_id)
    if post is None:
        raise JobError(_("This post does not exist."))
    problem = post_open_for_applications(post, now)
    if problem:
        raise JobError(problem)
    if db.session.scalar(select(Application.id).where(
            Application.post_id == post_id, Application.worker_id == worker.id,
            Application.state.in_(HOLDS_PLACE | {"applied", "waitlisted"}))):
        raise JobError(_("You have already applied."))
    if post.kind == "job":
        state = "applied"
    else:
        state = "accepted" if post.places_taken < post.headcount else "waitlisted"
    application = Application(post_id=post_id, worker_id=worker.id, state=state,
                              applied_at=now, changed_at=now)
    db.session.add(application)
    if state in HOLDS_PLACE:
        post.places_taken += 1
    try:
        db.session.flush()
    except IntegrityError:
        # The same worker's second tap, racing on a connection the lock did not order.
        raise JobError(_("You have already applied.")) from None
    _record(application, "apply", None, worker, now)
    db.session.flush()
    return application


def application_parties(user, application: Application) -> frozenset[str]:
    found = set(post_parties(user, application.post))
    if getattr(user, "is_authenticated", False) and application.worker_id == user.id:
        found.add(rules.WORKER)
    return frozenset(found)


def _promote_waiting(post: JobPost, now: datetime) -> None:
    """Give freed places of a gig that has not started to the first in line."""
    while post.kind == "gig" and post.places_taken < post.headcount and post.starts_at > now:
        first = db.session.scalars(select(Application).where(
            Application.post_id == post.id, Application.state == "waitlisted")
            .order_by(Application.applied_at, Application.id).limit(1)).first()
        if first is None:
            return
        first.state = "accepted"
        first.changed_at = now
        post.places_taken += 1
        _record(first, "accept", "waitlisted", None, now)
        notify(first.worker_id, "job_promoted", link=path_for("jobs.mine"), title=post.title)


def act(application_id: int, action: str, actor: User, *, now: datetime,
        note: str = "") -> Application:
    """Take `action` on an application as `actor` (the worker, the employer or staff)."""
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotAllowed(_("This application does not exist."))
    post = lock_row(JobPost, application.post_id)
    db.session.refresh(application)
    step = rules.application_step(application.state, action)
    if step is None or not step.parties & application_parties(actor, application):
        raise NotAllowed(_("This application cannot be changed that way now."))
    if action in ("confirm_paid", "report_unpaid") and application.state == "done" \
            and post.ends_at is not None and now < post.ends_at:
        raise NotAllowed(_("The gig has not ended yet."))
    from_state = application.state
    post.places_taken += rules.place_change(from_state, step.to_state)
    application.state = step.to_state
    application.changed_at = now
    if action == "mark_done":
        application.done_at = now
    if action in ("confirm_paid", "report_unpaid") and application.first_wage_answer is None:
        application.first_wage_answer = step.to_state
        application.wage_answered_at = now
    _record(application, action, from_state, actor, now)
    if action == "report_unpaid":
        open_wage_case(application, note, now=now)
    if action in ("accept", "decline") and rules.WORKER not in application_parties(actor, application):
        # One kind per outcome, so the reader's language words the whole sentence.
        notify(application.worker_id, APPLICATION_NOTICES[action], link=path_for("jobs.mine"),
               title=post.title)
    _promote_waiting(post, now)
    db.session.flush()
    return application


def check_in(application_id: int, worker: User, *, now: datetime, post_token_ok: bool = False,
             lat: float | None = None, lon: float | None = None) -> Application:
    """The worker is at the gig: by the post's QR code (the caller checked the token) or by
    a position within CHECK_IN_RADIUS_M of the place, from 2 h before the start to the end."""
    application = db.session.get(Application, application_id)
    if application is None or application.worker_id != worker.id:
        raise NotAllowed(_("This application does not exist."))
    post = application.post
    if post.kind == "gig" and not (post.starts_at - CHECK_IN_OPENS_BEFORE <= now <= post.ends_at):
        raise JobError(_("Check-in opens two hours before the start and closes at the end."))
    method = "qr" if post_token_ok else "location"
    if not post_token_ok:
        place = post.position
        if lat is None or lon is None or place is None:
            raise JobError(_("Scan the QR code at the place, or share your location."))
        if geodesic_m(lat, lon, *place) > rules.CHECK_IN_RADIUS_M:
            raise JobError(_("You seem to be more than %(metres)d m from the place. Scan the QR "
                             "code there instead.", metres=rules.CHECK_IN_RADIUS_M))
    application = act(application_id, "check_in", worker, now=now)
    application.checked_in_at = now
    application.check_in_method = method
    db.session.flush()
    return application


# Wages ------------------------------------------------------------------------------------

def ask_wage_questions(now: datetime) -> int:
    """Ask "工资到账了吗?" of every worker whose gig ended 24 h ago and was marked done;
    running it again asks nobody twice (the conditional update claims each row once)."""
    due = db.session.scalars(
        select(Application.id).join(JobPost).where(
            Application.state == "done", Application.wage_asked_at.is_(None),
            or_(JobPost.ends_at <= now - WAGE_QUESTION_AFTER,
                (JobPost.ends_at.is_(None)) & (Application.done_at <= now - WAGE_QUESTION_AFTER))
        ).order_by(Application.id)).all()
    asked = 0
    for application_id in due:
        claimed = db.session.execute(
            update(Application).where(Application.id == application_id,
                                      Application.wage_asked_at.is_(None))
            .values(wage_asked_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        application = db.session.get(Application, application_id)
        notify(application.worker_id, "job_wage_question", link=path_for("jobs.mine"),
               title=application.post.title)
        asked += 1
    db.session.flush()
    return asked


def legal_aid_for(post: JobPost, now: datetime):
    """(organisation, next legal-aid event or None) that takes an unpaid-wage case: the
    post's own organisation when it runs legal aid, else the branch in the same city whose
    legal-aid session comes first, else the post's organisation without a session."""
    from services.models import ServiceEvent

    upcoming = (select(ServiceEvent).join(Organisation)
                .where(ServiceEvent.category == "legal", ServiceEvent.status == "scheduled",
                       ServiceEvent.starts_at > now)
                .order_by(ServiceEvent.starts_at, ServiceEvent.id).limit(1))
    own = db.session.scalars(upcoming.where(
        ServiceEvent.organisation_id == post.organisation_id)).first()
    if own is not None:
        return post.organisation, own
    city = db.session.scalars(upcoming.where(Organisation.city == post.organisation.city)).first()
    if city is not None and post.organisation.city:
        return city.organisation, city
    return post.organisation, None


def open_wage_case(application: Application, note: str, *, now: datetime) -> WageCase:
    """A 没收到 answer becomes a case for legal aid, with the evidence we hold."""
    post = application.post
    organisation, event = legal_aid_for(post, now)
    case = WageCase(application_id=application.id, organisation_id=organisation.id,
                    employer_id=post.employer_id, legal_event_id=event.id if event else None,
                    agreed_pay=pay_text(post, locale="zh_Hans"), worked_from=post.starts_at,
                    worked_until=post.ends_at, checked_in_at=application.checked_in_at,
                    check_in_method=application.check_in_method, worker_note=note.strip()[:500],
                    state="open", opened_at=now)
    db.session.add(case)
    db.session.flush()
    notify(application.worker_id, "job_wage_case_opened",
           link=path_for("services.detail", event_id=event.id) if event else path_for("jobs.mine"),
           title=post.title, organisation=organisation.name)
    return case


def add_case_note(case: WageCase, worker: User, note: str) -> WageCase:
    """The worker adds to their case (what was promised, who they spoke to)."""
    if case.application.worker_id != worker.id:
        raise NotAllowed(_("This case does not exist."))
    joined = f"{case.worker_note}\n{note.strip()}".strip()
    case.worker_note = joined[:500]
    db.session.flush()
    return case


def clear_case(case_id: int, staff: User, note: str, *, now: datetime) -> WageCase:
    """Staff settled the case (paid, or handed to arbitration): the employer may post again."""
    case = lock_row(WageCase, case_id)
    if case is None or not case.is_managed_by(staff):
        raise NotAllowed(_("This case does not exist."))
    if case.state != "open":
        raise JobError(_("This case is already cleared."))
    if not note.strip():
        raise JobError(_("Please say how the case was settled."))
    case.state = "cleared"
    case.cleared_at = now
    case.cleared_by_id = staff.id
    case.clearing_note = note.strip()[:300]
    db.session.flush()
    return case


def paid_rates(employer_ids) -> dict[int, tuple[int, int]]:
    """Per employer: (gigs whose first wage answer was "paid", gigs answered) — the 24-hour
    paid rate, since the question is asked 24 h after the end."""
    rows = db.session.execute(
        select(JobPost.employer_id, Application.first_wage_answer, func.count())
        .join(JobPost).where(JobPost.employer_id.in_(list(employer_ids)),
                             Application.first_wage_answer.is_not(None))
        .group_by(JobPost.employer_id, Application.first_wage_answer)).all()
    rates: dict[int, list[int]] = {}
    for employer_id, answer, count in rows:
        paid, answered = rates.setdefault(employer_id, [0, 0])
        rates[employer_id] = [paid + (count if answer == "paid" else 0), answered + count]
    return {employer_id: (paid, answered) for employer_id, (paid, answered) in rates.items()}


def pay_text(post: JobPost, locale: str | None = None) -> str:
    """200–242 元/天, or 5000–6500 元/月."""
    from flask_babel import force_locale

    units = {"month": _l("yuan/month"), "day": _l("yuan/day"), "hour": _l("yuan/hour")}
    amount = f"{post.pay_min}" if post.pay_min == post.pay_max else f"{post.pay_min}–{post.pay_max}"
    if locale:
        with force_locale(locale):
            return f"{amount} {units[post.pay_unit]}"
    return f"{amount} {units[post.pay_unit]}"


def places_taken_count(post_id: int) -> int:
    """Recount the places taken from the applications (tests compare it to the counter)."""
    return db.session.scalar(select(func.count(Application.id)).where(
        Application.post_id == post_id, Application.state.in_(HOLDS_PLACE))) or 0


def may_staff(user) -> bool:
    return has_permission(user, "manage_org_jobs")
