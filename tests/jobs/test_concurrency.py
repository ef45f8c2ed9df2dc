"""60 workers tap 我要报名 at the same instant for a gig with 10 places, against a real
server (SQLite file with BEGIN IMMEDIATE; PostgreSQL with FOR UPDATE when TEST_DATABASE_URL
is set), and on PostgreSQL against two app processes sharing the database."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import requests

from extensions import db
from jobs import operations
from jobs.models import Application, JobPost
from tests.http_login import log_in_everyone
from tests.services.test_concurrency import PASSWORD, make_workers
from tests.services.test_two_processes import two_servers  # noqa: F401 (fixture)

WORKERS = 60
PLACES = 10


def open_gig(make_post) -> int:
    now = datetime.now(timezone.utc)
    return make_post(headcount=PLACES, starts_at=now + timedelta(days=1),
                     expires_at=now + timedelta(days=2)).id


def apply_all_at_once(bases: list[str], post_id: int, phones: list[str]) -> list[int]:
    sessions = [(session.cookies.get_dict(), session.csrf_token)
                for session in log_in_everyone(bases, phones, PASSWORD, threads=16)]
    start = threading.Barrier(len(phones))

    def apply(n: int) -> int:
        cookies, token = sessions[n]
        start.wait()
        return requests.post(f"{bases[n % len(bases)]}/jobs/{post_id}/apply", cookies=cookies,
                             data={"csrf_token": token}, allow_redirects=False,
                             timeout=120).status_code

    with ThreadPoolExecutor(len(phones)) as pool:
        return list(pool.map(apply, range(len(phones))))


def assert_exactly_filled(post_id: int, statuses: list[int]) -> None:
    assert statuses == [303] * WORKERS
    db.session.rollback()  # read what the servers committed
    states = db.session.scalars(select_states(post_id)).all()
    assert len(states) == WORKERS
    assert states.count("accepted") == PLACES and states.count("waitlisted") == WORKERS - PLACES
    post = db.session.get(JobPost, post_id)
    db.session.refresh(post)
    assert post.places_taken == PLACES == operations.places_taken_count(post_id)


def select_states(post_id: int):
    return db.select(Application.state).where(Application.post_id == post_id)


def test_60_simultaneous_applications_take_exactly_10_places(server, make_post):
    post_id = open_gig(make_post)
    assert_exactly_filled(post_id, apply_all_at_once([server], post_id, make_workers(WORKERS)))


def test_two_app_processes_on_postgresql_never_over_hire(two_servers, make_post):  # noqa: F811
    post_id = open_gig(make_post)
    assert_exactly_filled(post_id, apply_all_at_once(two_servers, post_id, make_workers(WORKERS)))
