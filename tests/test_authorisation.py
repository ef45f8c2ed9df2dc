"""Who may do what, endpoint by endpoint.

ENDPOINTS must name every endpoint in app.url_map: a new endpoint without a row fails
test_every_endpoint_is_in_the_table, so nobody adds a page without deciding who may use it.

Each row gives the request (method and URL, built from a scenario: organisation A owns the
worker "subject" (same district) and a station; organisation B is another branch) and the
outcome for the five kinds of visitor:
  anonymous, worker (not the subject), other_staff (staff of B), own_staff (staff of A), admin.
Outcomes: a status code, or LOGIN (redirected to the login page). POSTs carry a valid CSRF
token and the smallest valid form, so a 303 means the write happened.
"""
from dataclasses import dataclass, field
from typing import Callable

import pytest

from tests.accounts.helpers import DEFAULT_PASSWORD, csrf_token, log_in

LOGIN = "login"
VISITORS = ("anonymous", "worker", "other_staff", "own_staff", "admin")


@dataclass
class Row:
    method: str
    url: Callable[[dict], str]
    outcomes: dict  # visitor -> expected outcome
    form: Callable[[dict], dict] = field(default=lambda s: {})


def everyone(outcome):
    return dict.fromkeys(VISITORS, outcome)


def signed_in(outcome):
    return {"anonymous": LOGIN, **dict.fromkeys(VISITORS[1:], outcome)}


STAFF_ONLY = {"anonymous": LOGIN, "worker": 403, "other_staff": 200, "own_staff": 200, "admin": 200}
ADMIN_ONLY = {"anonymous": LOGIN, "worker": 403, "other_staff": 403, "own_staff": 403, "admin": 200}
# A record a visitor may not see answers 404, so its existence is not confirmed.
SUBJECT_RECORD = {"anonymous": LOGIN, "worker": 404, "other_staff": 404, "own_staff": 200,
                  "admin": 200}

def _poster_token(s) -> str:
    from checkins.posters import poster_token

    return poster_token(s["station"], 1)


def _open_report(s) -> int:
    """A problem report about organisation A's station, for the resolve row."""
    from datetime import datetime, timezone

    from checkins.rules import file_report
    from extensions import db
    from rest_stations.models import Station

    station = db.session.get(Station, s["station"])
    return file_report(station, None, "water_empty", now=datetime.now(timezone.utc)).id


# Station-scoped staff pages: organisation A's staff and admins; others get 404.
OWN_STATION = {"anonymous": LOGIN, "worker": 404, "other_staff": 404, "own_staff": 200,
               "admin": 200}

def _wish(s, status: str = "published") -> int:
    """A wish of the subject worker, moderated by organisation A; claimed ones by a volunteer."""
    from accounts.models import User
    from extensions import db
    from tests.accounts.factories import _hash
    from wishes.models import Wish

    claimant = None
    if status == "claimed":
        claimant = User(phone="+8613700009999", display_name="志愿者", role="volunteer",
                        password_hash=_hash(DEFAULT_PASSWORD))
        db.session.add(claimant)
        db.session.flush()
    wish = Wish(worker_id=s["subject"], organisation_id=s["org_a"], title="护膝", category="goods",
                urgency="week", district="河东区", status=status,
                claimant_id=claimant.id if claimant else None)
    db.session.add(wish)
    db.session.commit()
    return wish.id


def _unmatched_person(s) -> int:
    """A worker whose typed district matched no region code: on the admin's review list."""
    from accounts.models import User
    from extensions import db
    from tests.accounts.factories import _hash

    person = User(phone="+8613700008888", display_name="开发区骑手", role="worker",
                  home_district="经济技术开发区", password_hash=_hash(DEFAULT_PASSWORD))
    db.session.add(person)
    db.session.commit()
    _unmatched_person.last = person.id  # the row's form field names carry its id
    return person.id


def _subjects_notice(s) -> int:
    from extensions import db
    from notifications.inbox import notify

    with_notice = notify(s["subject"], "wish_published", link="/wishes", title="护膝")
    db.session.commit()
    return with_notice.id


# Wishes: the wall is public; workers make wishes, staff and volunteers claim, the wish's
# organisation moderates. A wish a visitor may not act on answers 404 (or 403 when they may
# see it but it is not theirs to change).
WORKERS_ONLY = {"anonymous": LOGIN, "worker": 200, "other_staff": 403, "own_staff": 403,
                "admin": 403}
CLAIMERS = {"anonymous": LOGIN, "worker": 403, "other_staff": 200, "own_staff": 200, "admin": 200}
OWN_WISH = {"anonymous": LOGIN, "worker": 404, "other_staff": 404, "own_staff": 303, "admin": 303}


def _service_event(s) -> int:
    """An open event of organisation A at its station."""
    from datetime import datetime, timedelta, timezone

    from extensions import db
    from services.models import ServiceEvent

    now = datetime.now(timezone.utc)
    event = ServiceEvent(organisation_id=s["org_a"], station_id=s["station"], title="法律讲座",
                         category="legal", starts_at=now + timedelta(days=3),
                         ends_at=now + timedelta(days=3, hours=2), capacity=10, places_held=0,
                         registration_opens_at=now - timedelta(days=1),
                         registration_closes_at=now + timedelta(days=2), status="scheduled")
    db.session.add(event)
    db.session.commit()
    return event.id


def _subjects_registration(s) -> int:
    """The subject worker's confirmed place at an event of organisation A."""
    from datetime import datetime, timezone

    from extensions import db
    from services.models import Registration, ServiceEvent

    event = db.session.get(ServiceEvent, _service_event(s))
    now = datetime.now(timezone.utc)
    registration = Registration(event_id=event.id, worker_id=s["subject"], person_key="",
                                state="confirmed", queued_at=now, changed_at=now)
    event.places_held = 1
    db.session.add(registration)
    db.session.commit()
    return registration.id


def _roster_url(s, suffix: str) -> str:
    from services.models import Registration
    from extensions import db

    registration = db.session.get(Registration, _subjects_registration(s))
    return f"/staff/services/{registration.event_id}" + suffix.format(r=registration.id)


def _ticket_form(s) -> dict:
    from services.models import Registration
    from services.tickets import ticket_code
    from extensions import db

    registration = db.session.scalars(db.select(Registration).order_by(Registration.id.desc())).first()
    return {"code": ticket_code(registration.id)}


# Union services: the catalogue is public; anyone signed in signs up; a registration is its
# worker's alone (others get 404); staff of the event's organisation (and admins) run it.
OWN_EVENT_WRITE = {**OWN_STATION, "own_staff": 303, "admin": 303}


def _station_form(s) -> dict:
    """A valid editor form, far from the scenario's station (no duplicate warning)."""
    return {"name": "新驿站", "lat": "39.2", "lon": "117.3", "kind": "union", "capacity": "3",
            "opening_hours": "24/7", "verified": "1"}


def _own_staff_upload(s) -> str:
    """An upload of organisation A's staff member, waiting for "Import"."""
    from datetime import datetime, timezone

    from rest_stations.schema import COLUMNS
    from station_admin.uploads import store_upload
    from transactions import transaction

    row = ["上传驿站", "", "", "", "39.3", "117.4", "union", "", "", "0", ""]
    with transaction():  # store_upload only flushes, as operations do
        return store_upload(s["visitors"]["own_staff"], "a.csv", [list(COLUMNS), row], None,
                            datetime.now(timezone.utc)).token


def _station_csv(s) -> dict:
    import io

    text = "name,address,city,district,lat,lon,kind,amenities,opening_hours,capacity,phone\n" \
           "表格驿站,,,,39.4,117.5,union,water,24/7,2,\n"
    return {"file": (io.BytesIO(text.encode()), "stations.csv")}


# Station management: staff of the owning organisation and admins; others get 404 for a
# station, and a staff member's upload is theirs alone.
OWN_STATION_WRITE = {**OWN_STATION, "own_staff": 303, "admin": 303}
STAFF_WRITE = {"anonymous": LOGIN, "worker": 403, "other_staff": 303, "own_staff": 303,
               "admin": 303}


# Jobs: an employer of organisation A (verified, its boss a separate account), its gig, and
# the subject worker's place on it. Staff act on organisation A's posts; nobody but the boss
# (not a visitor here) may post for the employer, so those rows answer 404.
def _employer(s, verified: bool = True) -> int:
    from datetime import datetime, timezone

    from accounts.models import User
    from extensions import db
    from jobs.models import Employer, EmployerMember
    from tests.accounts.factories import _hash
    from tests.jobs.conftest import credit_code

    boss = User(phone="+8613700008888", display_name="王老板", role="worker",
                password_hash=_hash(DEFAULT_PASSWORD))
    employer = Employer(organisation_id=s["org_a"], name="天津某餐饮有限公司",
                        credit_code=credit_code(1), region_code="120102",
                        verified_at=datetime.now(timezone.utc) if verified else None)
    db.session.add_all([boss, employer])
    db.session.flush()
    db.session.add(EmployerMember(employer_id=employer.id, user_id=boss.id))
    db.session.commit()
    return employer.id


def _gig(s, state: str = "published") -> int:
    from datetime import datetime, timedelta, timezone

    from extensions import db
    from jobs.models import JobPost

    now = datetime.now(timezone.utc)
    post = JobPost(organisation_id=s["org_a"], employer_id=_employer(s), kind="gig",
                   title="餐饮帮工", category="catering", station_id=s["station"],
                   region_code="120102", pay_min=200, pay_max=242, pay_unit="day",
                   starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=8),
                   headcount=5, places_taken=0, expires_at=now + timedelta(days=2), state=state)
    db.session.add(post)
    db.session.commit()
    return post.id


def _subjects_application(s) -> int:
    from datetime import datetime, timezone

    from extensions import db
    from jobs.models import Application, JobPost

    post = db.session.get(JobPost, _gig(s))
    now = datetime.now(timezone.utc)
    application = Application(post_id=post.id, worker_id=s["subject"], state="accepted",
                              applied_at=now, changed_at=now)
    post.places_taken = 1
    db.session.add(application)
    db.session.commit()
    return application.id


def _gig_check_in_url(s) -> str:
    from jobs.posters import check_in_token

    post_id = _gig(s)
    return f"/jobs/{post_id}/check-in/{check_in_token(post_id)}"


def _wage_case(s) -> int:
    from datetime import datetime, timezone

    from extensions import db
    from jobs.models import Application, WageCase

    application = db.session.get(Application, _subjects_application(s))
    application.state = "not_paid"
    case = WageCase(application_id=application.id, organisation_id=s["org_a"],
                    employer_id=application.post.employer_id, agreed_pay="200–242 元/天",
                    state="open", opened_at=datetime.now(timezone.utc))
    db.session.add(case)
    db.session.commit()
    return case.id


def _own_staff_job_upload(s) -> str:
    from extensions import db
    from jobs.uploads import store_upload

    upload = store_upload(s["visitors"]["own_staff"], "a.csv", [], s["org_a"])
    db.session.commit()
    return upload.token


def _seeker(s) -> int:
    """The subject worker's job-seeker registration at organisation A's station."""
    from extensions import db
    from jobs.models import SeekerProfile

    profile = SeekerProfile(user_id=s["subject"], organisation_id=s["org_a"],
                            station_id=s["station"], categories=["catering"])
    db.session.add(profile)
    db.session.commit()
    return profile.id


def _fair(s) -> int:
    """A recruitment fair (an `employment` services event) of organisation A."""
    from extensions import db
    from services.models import ServiceEvent

    event = db.session.get(ServiceEvent, _service_event(s))
    event.category, event.title = "employment", "零工招聘会"
    db.session.commit()
    return event.id


OWN_JOB_WRITE = {**OWN_STATION, "own_staff": 303, "admin": 303}
# A staff URL with a variable part (a file format): a worker gets 404, not 403.
STAFF_DOWNLOAD = {**STAFF_ONLY, "worker": 404}
NOT_A_MEMBER = {"anonymous": LOGIN, "worker": 404, "other_staff": 404, "own_staff": 404,
                "admin": 404}
STAFF_INVALID_FORM = {"anonymous": LOGIN, "worker": 403, "other_staff": 422, "own_staff": 422,
                      "admin": 422}


ENDPOINTS: dict[str, Row] = {
    # Public: the station finder, its JSON API, static files, the language switch.
    "static": Row("GET", lambda s: "/static/css/accounts.css", everyone(200)),
    "stations.index": Row("GET", lambda s: "/", everyone(200)),
    "offline.service_worker": Row("GET", lambda s: "/sw.js", everyone(200)),
    "stations.detail": Row("GET", lambda s: f"/stations/{s['station']}", everyone(200)),
    "stations.detail_map": Row("GET", lambda s: f"/stations/{s['station']}/map", everyone(200)),
    "stations.finder_map": Row("GET", lambda s: "/map?lat=39.13&lon=117.2", everyone(200)),
    "stations_api.nearest": Row("GET", lambda s: "/api/stations/nearest?lat=39.13&lon=117.2",
                                everyone(200)),
    "stations_api.in_bbox": Row("GET", lambda s: "/api/stations?bbox=117,39,118,40", everyone(200)),
    # Health checks for load balancers: anyone, no detail in production (tests/ops).
    "health.alive": Row("GET", lambda s: "/healthz", everyone(200)),
    "health.ready": Row("GET", lambda s: "/readyz", everyone(200)),
    "language.update": Row("POST", lambda s: "/language", everyone(303),
                           form=lambda s: {"lang": "en", "next": "/"}),
    # Own account. Login and registration pages send signed-in users on to their account.
    "accounts.login": Row("GET", lambda s: "/account/login", {**everyone(303), "anonymous": 200}),
    "accounts.register": Row("GET", lambda s: "/account/register",
                             {**everyone(303), "anonymous": 200}),
    "accounts.code_login": Row("GET", lambda s: "/account/login/code",
                               {**everyone(303), "anonymous": 200}),
    # 忘记密码 works signed in too (a shared phone); the SMS code is what proves the number.
    "accounts.reset": Row("GET", lambda s: "/account/reset", everyone(200)),
    "accounts.logout": Row("POST", lambda s: "/account/logout", signed_in(303)),
    "accounts.end_sessions": Row("POST", lambda s: "/account/sessions/end", signed_in(303)),
    "accounts.change_password": Row("GET", lambda s: "/account/password", signed_in(200)),
    "accounts.data": Row("GET", lambda s: "/account/data", signed_in(200)),
    "accounts.profile": Row("GET", lambda s: "/account", signed_in(200)),
    "accounts.export": Row("GET", lambda s: "/account/export.json", signed_in(200)),
    "accounts.delete": Row("GET", lambda s: "/account/delete", signed_in(200)),
    # Staff pages: rows are scoped to the staff member's organisation.
    "accounts_staff.people": Row("GET", lambda s: "/staff/people", STAFF_ONLY),
    "stations_staff.index": Row("GET", lambda s: "/staff/stations/", STAFF_ONLY),
    "accounts_staff.person": Row("GET", lambda s: f"/staff/people/{s['subject']}", SUBJECT_RECORD),
    "accounts_staff.reveal_phone": Row("POST", lambda s: f"/staff/people/{s['subject']}/phone",
                              SUBJECT_RECORD),
    # Admin only: staff accounts and roles.
    "accounts_staff.accounts": Row("GET", lambda s: "/staff/accounts", ADMIN_ONLY),
    "accounts_staff.create_account": Row(
        "POST", lambda s: "/staff/accounts",
        {**ADMIN_ONLY, "admin": 303},
        form=lambda s: {"phone": "13700000001", "display_name": "新同事", "password": "a long password",
                        "role": "staff", "organisation_id": s["org_a"]}),
    "accounts_staff.set_role": Row(
        "POST", lambda s: f"/staff/people/{s['subject']}/role",
        {**SUBJECT_RECORD, "own_staff": 404, "admin": 303},
        form=lambda s: {"role": "staff", "organisation_id": s["org_a"]}),
    # Check-ins: any signed-in person checks in and reports; staff of the owning organisation
    # resolve its reports, print its posters and read its usage.
    "checkins.panel": Row("GET", lambda s: f"/stations/{s['station']}/check-in/panel",
                          everyone(200)),
    "checkins.confirm": Row("GET", lambda s: f"/stations/{s['station']}/check-in", signed_in(200)),
    "checkins.scan": Row("GET", lambda s: f"/check-in/{_poster_token(s)}", signed_in(200)),
    "checkins.create": Row("POST", lambda s: f"/stations/{s['station']}/check-in", signed_in(303)),
    "checkins.check_out": Row("POST", lambda s: "/check-out", signed_in(303)),
    "checkins.report": Row("GET", lambda s: f"/stations/{s['station']}/report", signed_in(200)),
    "checkins.details_correct": Row("POST", lambda s: f"/stations/{s['station']}/details-correct",
                                    signed_in(303)),
    "checkins_staff.reports": Row("GET", lambda s: "/staff/reports", STAFF_ONLY),
    "checkins_staff.resolve": Row("POST", lambda s: f"/staff/reports/{_open_report(s)}/resolve",
                                  {**OWN_STATION, "own_staff": 303, "admin": 303}),
    "checkins_staff.poster": Row("GET", lambda s: f"/staff/stations/{s['station']}/poster",
                                 OWN_STATION),
    "checkins_staff.all_posters": Row("GET", lambda s: "/staff/posters", STAFF_ONLY),
    "checkins_staff.poster_qr": Row("GET", lambda s: f"/staff/stations/{s['station']}/poster.png",
                                    OWN_STATION),
    "checkins_staff.rotate_poster": Row(
        "POST", lambda s: f"/staff/stations/{s['station']}/poster/rotate",
        {**OWN_STATION, "own_staff": 303, "admin": 303}),
    "checkins_staff.organisation_usage": Row("GET", lambda s: "/staff/usage", STAFF_ONLY),
    "checkins_staff.station_usage": Row("GET", lambda s: f"/staff/stations/{s['station']}/usage",
                                        OWN_STATION),
    "checkins_staff.usage_csv": Row("GET", lambda s: "/staff/usage.csv", STAFF_ONLY),
    # Wishes and the notification inbox.
    "wishes.index": Row("GET", lambda s: "/wishes?category=goods", everyone(200)),
    "wishes.detail": Row("GET", lambda s: f"/wishes/{_wish(s)}", everyone(200)),
    "wishes.create": Row("GET", lambda s: "/wishes/new", WORKERS_ONLY),
    "wishes.mine": Row("GET", lambda s: "/wishes/mine", WORKERS_ONLY),
    "wishes.claims": Row("GET", lambda s: "/wishes/claims", CLAIMERS),
    "wishes.claim": Row("POST", lambda s: f"/wishes/{_wish(s)}/claim",
                        {**CLAIMERS, "worker": 404, "other_staff": 303, "own_staff": 303,
                         "admin": 303}),
    "wishes.release": Row("POST", lambda s: f"/wishes/{_wish(s, 'claimed')}/release", OWN_WISH),
    "wishes.fulfil": Row("POST", lambda s: f"/wishes/{_wish(s, 'claimed')}/fulfil",
                         {**OWN_WISH, "own_staff": 403, "admin": 403},
                         form=lambda s: {"handover_place": "驿站前台"}),
    "wishes.withdraw": Row("POST", lambda s: f"/wishes/{_wish(s)}/withdraw",
                           {**OWN_WISH, "worker": 403, "own_staff": 404, "admin": 404}),
    "wishes.confirm": Row("POST", lambda s: f"/wishes/{_wish(s)}/confirm",
                          {**OWN_WISH, "worker": 403, "own_staff": 404, "admin": 404}),
    "wishes.not_received": Row("POST", lambda s: f"/wishes/{_wish(s)}/not-received",
                               {**OWN_WISH, "worker": 403, "own_staff": 404, "admin": 404}),
    "wishes_staff.queue": Row("GET", lambda s: "/staff/wishes", STAFF_ONLY),
    "wishes_staff.board": Row("GET", lambda s: "/staff/wishes/board", STAFF_ONLY),
    "wishes_staff.figures_csv": Row("GET", lambda s: "/staff/wishes/figures.csv", STAFF_ONLY),
    "wishes_staff.moderate": Row("GET", lambda s: f"/staff/wishes/{_wish(s, 'submitted')}",
                               SUBJECT_RECORD),
    "wishes_staff.release": Row("POST", lambda s: f"/staff/wishes/{_wish(s, 'claimed')}/release",
                              OWN_WISH),
    "notifications.index": Row("GET", lambda s: "/notifications", signed_in(200)),
    # Regions: the picker's district list is public (sign-up uses it); admins review rows
    # whose district matched no code.
    "regions.districts": Row("GET", lambda s: "/regions/districts?field=f&f-city=12",
                             everyone(200)),
    "regions_staff.review_list": Row("GET", lambda s: "/staff/regions/review", ADMIN_ONLY),
    "regions_staff.assign": Row(
        "POST", lambda s: f"/staff/regions/review/person/{_unmatched_person(s)}",
        {"anonymous": LOGIN, "worker": 404, "other_staff": 404, "own_staff": 404, "admin": 303},
        form=lambda s: {f"person-{_unmatched_person.last}-code": "120102"}),
    "notifications.read_all": Row("POST", lambda s: "/notifications/read", signed_in(303)),
    "notifications.open": Row("POST", lambda s: f"/notifications/{_subjects_notice(s)}",
                              {**everyone(404), "anonymous": LOGIN}),
    "services.index": Row("GET", lambda s: "/services?category=legal", everyone(200)),
    "services.detail": Row("GET", lambda s: f"/services/{_service_event(s)}", everyone(200)),
    "services.ics": Row("GET", lambda s: f"/services/{_service_event(s)}.ics", everyone(200)),
    "services.register": Row("POST", lambda s: f"/services/{_service_event(s)}/register",
                             signed_in(303)),
    "services.mine": Row("GET", lambda s: "/services/mine", signed_in(200)),
    "services.act": Row("POST", lambda s: f"/services/registrations/{_subjects_registration(s)}/cancel",
                        {**everyone(404), "anonymous": LOGIN}),
    "services.confirm_cancel": Row("GET", lambda s: f"/services/registrations/{_subjects_registration(s)}/cancel",
                                   {**everyone(404), "anonymous": LOGIN}),
    "services.ticket": Row("GET", lambda s: f"/services/registrations/{_subjects_registration(s)}/ticket",
                           {**everyone(404), "anonymous": LOGIN}),
    "services.ticket_png": Row("GET", lambda s: f"/services/registrations/{_subjects_registration(s)}/ticket.png",
                               {**everyone(404), "anonymous": LOGIN}),
    "services.feedback": Row("POST", lambda s: f"/services/registrations/{_subjects_registration(s)}/feedback",
                             {**everyone(404), "anonymous": LOGIN}, form=lambda s: {"rating": "5"}),
    "services_staff.index": Row("GET", lambda s: "/staff/services", STAFF_ONLY),
    "services_staff.create": Row("GET", lambda s: "/staff/services/new", STAFF_ONLY),
    "services_staff.edit": Row("GET", lambda s: f"/staff/services/{_service_event(s)}/edit", OWN_STATION),
    "services_staff.cancel": Row("POST", lambda s: f"/staff/services/{_service_event(s)}/cancel",
                                 OWN_EVENT_WRITE, form=lambda s: {"reason": "场地维修"}),
    "services_staff.roster": Row("GET", lambda s: f"/staff/services/{_service_event(s)}/roster", OWN_STATION),
    "services_staff.roster_csv": Row("GET", lambda s: f"/staff/services/{_service_event(s)}/roster.csv",
                                     OWN_STATION),
    "services_staff.roster_xlsx": Row("GET", lambda s: f"/staff/services/{_service_event(s)}/roster.xlsx",
                                      OWN_STATION),
    "services_staff.mark": Row("POST", lambda s: _roster_url(s, "/roster/{r}/mark_attended"),
                               OWN_EVENT_WRITE),
    "services_staff.scan": Row("POST", lambda s: _roster_url(s, "/scan"), OWN_EVENT_WRITE,
                               form=_ticket_form),
    # Showing a registered worker's full number: those who run the event and may reveal.
    "services_staff.reveal_phone": Row("POST", lambda s: _roster_url(s, "/roster/{r}/phone"),
                                       OWN_EVENT_WRITE),
    "stations_staff.new": Row("GET", lambda s: "/staff/stations/new", STAFF_ONLY),
    "stations_staff.create": Row("POST", lambda s: "/staff/stations/new", STAFF_WRITE,
                                form=_station_form),
    "stations_staff.edit": Row("GET", lambda s: f"/staff/stations/{s['station']}/edit", OWN_STATION),
    "stations_staff.update": Row("POST", lambda s: f"/staff/stations/{s['station']}/edit",
                                OWN_STATION_WRITE, form=_station_form),
    "stations_staff.close": Row("POST", lambda s: f"/staff/stations/{s['station']}/close",
                               OWN_STATION_WRITE, form=lambda s: {"closed_reason": "装修"}),
    "stations_staff.reopen": Row("POST", lambda s: f"/staff/stations/{s['station']}/reopen",
                                OWN_STATION_WRITE),
    "stations_staff.delist": Row("POST", lambda s: f"/staff/stations/{s['station']}/delist",
                                OWN_STATION_WRITE, form=lambda s: {"confirm": "1"}),
    "stations_staff.history": Row("GET", lambda s: f"/staff/stations/{s['station']}/history",
                                 OWN_STATION),
    "stations_staff.hours_preview": Row("GET", lambda s: "/staff/stations/hours-preview?opening_hours=24/7",
                                       STAFF_ONLY),
    "stations_staff.geocode": Row("GET", lambda s: "/staff/stations/geocode?address=津塘路",
                                 STAFF_ONLY),
    "stations_staff.upload": Row("GET", lambda s: "/staff/stations/upload", STAFF_ONLY),
    "stations_staff.preview_upload": Row("POST", lambda s: "/staff/stations/upload", STAFF_ONLY,
                                        form=_station_csv),
    "stations_staff.import_upload": Row(
        "POST", lambda s: f"/staff/stations/upload/{_own_staff_upload(s)}/import",
        {**OWN_STATION, "own_staff": 303, "admin": 404}),
    # The file type is part of the URL (a view argument), so refusals there are 404s.
    "stations_staff.template": Row("GET", lambda s: "/staff/stations/template.xlsx",
                                  {**STAFF_ONLY, "worker": 404}),
    "stations_staff.export": Row("GET", lambda s: "/staff/stations/export.geojson",
                                {**STAFF_ONLY, "worker": 404}),
    "stations_staff.quality_page": Row("GET", lambda s: "/staff/stations/quality", STAFF_ONLY),
    "jobs.index": Row("GET", lambda s: "/jobs", everyone(200)),
    "jobs.detail": Row("GET", lambda s: f"/jobs/{_gig(s)}", everyone(200)),
    "jobs.apply": Row("POST", lambda s: f"/jobs/{_gig(s)}/apply", signed_in(303)),
    "jobs.mine": Row("GET", lambda s: "/jobs/mine", signed_in(200)),
    # Staff of the post's organisation mark a gig done; nobody else sees the application.
    "jobs.application_action": Row(
        "POST", lambda s: f"/jobs/applications/{_subjects_application(s)}/mark_done",
        OWN_JOB_WRITE),
    "jobs.scan": Row("GET", _gig_check_in_url, signed_in(200)),
    # Only the worker of the application checks in (the subject is no visitor here).
    "jobs.check_in": Row("POST", lambda s: f"/jobs/applications/{_subjects_application(s)}/check-in",
                         {**NOT_A_MEMBER, "own_staff": 404}),
    "jobs.employer_new": Row("GET", lambda s: "/jobs/employers/new", signed_in(200)),
    "jobs.employer_create": Row("POST", lambda s: "/jobs/employers/new", signed_in(303),
                                form=lambda s: {"name": "天津某保洁公司", "contact_name": "李",
                                                "credit_code": "91350100M000100Y43",
                                                "contact_phone": "+8613812345678",
                                                "region_code": "120102",
                                                "organisation_id": s["org_a"]}),
    "jobs.employer_home": Row("GET", lambda s: "/jobs/employers", signed_in(200)),
    "jobs.post_new": Row("GET", lambda s: f"/jobs/employers/{_employer(s)}/posts/new", NOT_A_MEMBER),
    "jobs.post_create": Row("POST", lambda s: f"/jobs/employers/{_employer(s)}/posts/new",
                            NOT_A_MEMBER),
    "jobs.post_action": Row("POST", lambda s: f"/jobs/posts/{_gig(s, 'pending')}/publish",
                            OWN_JOB_WRITE),
    "jobs.roster": Row("GET", lambda s: f"/jobs/posts/{_gig(s)}/roster", OWN_STATION),
    "jobs.check_in_qr": Row("GET", lambda s: f"/jobs/posts/{_gig(s)}/check-in.png", OWN_STATION),
    "jobs_staff.index": Row("GET", lambda s: "/staff/jobs", STAFF_ONLY),
    "jobs_staff.verify": Row("POST", lambda s: f"/staff/jobs/employers/{_employer(s, False)}/verify",
                             OWN_JOB_WRITE, form=lambda s: {"note": "营业执照已核对，电话回访"}),
    "jobs_staff.new": Row("GET", lambda s: "/staff/jobs/posts/new", STAFF_ONLY),
    "jobs_staff.create": Row("POST", lambda s: "/staff/jobs/posts/new", STAFF_INVALID_FORM),
    "jobs_staff.upload": Row("GET", lambda s: "/staff/jobs/upload", STAFF_ONLY),
    "jobs_staff.preview_upload": Row("POST", lambda s: "/staff/jobs/upload", STAFF_INVALID_FORM),
    "jobs_staff.import_upload": Row(
        "POST", lambda s: f"/staff/jobs/upload/{_own_staff_job_upload(s)}/import",
        {**OWN_STATION, "own_staff": 303, "admin": 404}),
    "jobs_staff.template": Row("GET", lambda s: "/staff/jobs/template.xlsx", STAFF_ONLY),
    "jobs_staff.wage_cases": Row("GET", lambda s: "/staff/jobs/wage-cases", STAFF_ONLY),
    "jobs_staff.clear_case": Row("POST", lambda s: f"/staff/jobs/wage-cases/{_wage_case(s)}/clear",
                                 OWN_JOB_WRITE, form=lambda s: {"note": "已协调支付"}),
    "jobs.profile": Row("GET", lambda s: "/jobs/profile", signed_in(200)),
    "jobs.profile_save": Row("POST", lambda s: "/jobs/profile", signed_in(303),
                             form=lambda s: {"categories": "catering", "skills": "切配"}),
    "jobs.profile_delete": Row("POST", lambda s: "/jobs/profile/delete", signed_in(303)),
    "jobs.board": Row("GET", lambda s: f"/jobs/board/{s['station']}", everyone(200)),
    "jobs.fair": Row("GET", lambda s: f"/jobs/fairs/{_fair(s)}", everyone(200)),
    "jobs_staff.seeker_list": Row("GET", lambda s: "/staff/jobs/seekers", STAFF_ONLY),
    "jobs_staff.seeker": Row("GET", lambda s: f"/staff/jobs/seekers/{_seeker(s)}", SUBJECT_RECORD),
    "jobs_staff.record_service": Row("POST", lambda s: f"/staff/jobs/seekers/{_seeker(s)}/services",
                                     OWN_JOB_WRITE, form=lambda s: {"kind": "policy"}),
    "jobs_staff.recommend": Row("POST", lambda s: f"/staff/jobs/seekers/{_seeker(s)}/recommend",
                                OWN_JOB_WRITE, form=lambda s: {"post_id": _gig(s)}),
    "jobs_staff.record_outcome": Row("POST", lambda s: f"/staff/jobs/seekers/{_seeker(s)}/outcome",
                                     OWN_JOB_WRITE, form=lambda s: {"hired_where": "",
                                                                    "hired_on": ""}),
    "jobs_staff.matching": Row("GET", lambda s: "/staff/jobs/matching", STAFF_ONLY),
    "jobs_staff.board": Row("GET", lambda s: "/staff/jobs/board?month=2026-12", STAFF_ONLY),
    "jobs_staff.board_export": Row("GET", lambda s: "/staff/jobs/board.csv", STAFF_DOWNLOAD),
    "jobs_staff.seekers_export": Row("GET", lambda s: "/staff/jobs/seekers.xlsx", STAFF_DOWNLOAD),
    "jobs_staff.fair": Row("GET", lambda s: f"/staff/jobs/fairs/{_fair(s)}", OWN_STATION),
    "jobs_staff.fair_add": Row("POST", lambda s: f"/staff/jobs/fairs/{_fair(s)}/employers",
                               OWN_JOB_WRITE, form=lambda s: {"employer_id": _employer(s)}),
    "jobs_staff.fair_remove": Row(
        "POST", lambda s: f"/staff/jobs/fairs/{_fair(s)}/employers/{_employer(s)}/remove",
        OWN_JOB_WRITE),
    "open_data.stations_geojson": Row("GET", lambda s: "/open-data/stations.geojson",
                                      everyone(200)),
}


def test_every_endpoint_is_in_the_table(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert registered - ENDPOINTS.keys() == set(), "add these endpoints to ENDPOINTS"
    assert ENDPOINTS.keys() - registered == set(), "these endpoints no longer exist"


def test_every_endpoint_declares_an_access_rule(app):
    from accounts.policy import rule_for

    assert [e for e in ENDPOINTS if rule_for(e, app) is None] == []


def test_a_view_without_a_rule_is_refused_for_everyone():
    from app import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    app.add_url_rule("/unruled", "unruled", lambda: "secret")
    response = app.test_client().get("/unruled")
    assert response.status_code == 403 and b"secret" not in response.data


@pytest.fixture
def scenario(make_organisation, make_user, make_station):
    org_a = make_organisation("河东区总工会", district="河东区")
    org_b = make_organisation("朝阳区总工会", city="北京市", district="朝阳区")
    return {
        "org_a": org_a.id,
        "station": make_station(organisation_id=org_a.id).id,
        "subject": make_user("worker", home_district="河东区").id,
        "visitors": {
            "worker": make_user("worker", home_district="河东区"),
            "other_staff": make_user("staff", organisation_id=org_b.id),
            "own_staff": make_user("staff", organisation_id=org_a.id),
            "admin": make_user("admin"),
        },
    }


def _outcome(response):
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303) and location.startswith("/account/login"):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_endpoint_answers_each_visitor_as_the_table_says(client, scenario, endpoint, visitor):
    row = ENDPOINTS[endpoint]
    if visitor != "anonymous":
        log_in(client, scenario["visitors"][visitor], DEFAULT_PASSWORD)
    url = row.url(scenario)
    if row.method == "GET":
        response = client.get(url)
    else:
        data = {"csrf_token": csrf_token(client), **row.form(scenario)}
        response = client.post(url, data=data)
    assert _outcome(response) == row.outcomes[visitor], response.get_data(as_text=True)[:300]
