"""200 sign-ups for 30 places at the same instant, against a real server: the werkzeug server
in a thread (one thread per connection) serving the `app` fixture, so this runs on a SQLite
file (WAL, BEGIN IMMEDIATE) and on PostgreSQL (SELECT ... FOR UPDATE) when TEST_DATABASE_URL
is set. The workers are created directly in the database with a one-iteration password hash,
then log in for real through the server. tests/services/test_two_processes.py runs the same
burst against two app processes sharing one PostgreSQL database.
"""
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests
from werkzeug.security import generate_password_hash

from accounts.models import User
from extensions import db
from services import operations
from services.models import Registration, ServiceEvent
from tests.http_login import log_in_everyone
from tests.services.conftest import places_held_count

WORKERS = 200
PLACES = 30
PASSWORD = "concurrency test password"
TOLD = re.compile(r"候补第 (\d+) 位")  # "you are number N on the waiting list"



def make_workers(count: int) -> list[str]:
    """`count` workers straight into the database; returns their phone numbers."""
    cheap_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    phones = [f"+8613{n:09d}" for n in range(count)]
    db.session.add_all(User(phone=phone, display_name=f"骑手{n}", password_hash=cheap_hash,
                            role="worker", consent_at=datetime.now(timezone.utc))
                       for n, phone in enumerate(phones))
    db.session.commit()
    return phones


def open_event(organisation_id: int, station_id: int, capacity: int) -> int:
    now = datetime.now(timezone.utc)
    event = ServiceEvent(organisation_id=organisation_id, station_id=station_id, title="暑期托管班",
                         category="childcare", starts_at=now + timedelta(days=3),
                         ends_at=now + timedelta(days=3, hours=3), capacity=capacity, places_held=0,
                         registration_opens_at=now - timedelta(hours=1),
                         registration_closes_at=now + timedelta(days=2), status="scheduled")
    db.session.add(event)
    db.session.commit()
    return event.id


def sign_up_all_at_once(bases: list[str], event_id: int, phones: list[str]) -> list[tuple[int, str]]:
    """Log everyone in, then release all sign-ups together; worker n uses server n % len(bases)."""
    sessions = [(session.cookies.get_dict(), session.csrf_token)
                for session in log_in_everyone(bases, phones, PASSWORD)]
    start = threading.Barrier(len(phones))

    def sign_up(n: int):
        cookies, token = sessions[n]
        start.wait()
        response = requests.post(f"{bases[n % len(bases)]}/services/{event_id}/register",
                                 cookies=cookies, data={"csrf_token": token},
                                 allow_redirects=False, timeout=120)
        return response, {**cookies, **response.cookies.get_dict()}

    with ThreadPoolExecutor(len(phones)) as pool:
        answers = list(pool.map(sign_up, range(len(phones))))

    def told(n: int) -> int | None:
        """What worker n was told: the message the sign-up left for the page it redirects
        to (read after the burst, so the burst itself is only sign-ups)."""
        response, cookies = answers[n]
        if response.status_code != 303:
            return None
        page = requests.get(bases[n % len(bases)] + response.headers["Location"],
                            cookies=cookies, timeout=120).text
        found = TOLD.search(page)
        return int(found.group(1)) if found else None

    with ThreadPoolExecutor(16) as pool:
        positions = list(pool.map(told, range(len(phones))))
    return [(response.status_code, response.text, phones[n], positions[n])
            for n, (response, _cookies) in enumerate(answers)]


def assert_exactly_filled(event_id: int, results, workers: int, places: int) -> None:
    failures = [(status, text[:200]) for status, text, _phone, _told in results if status != 303]
    assert failures == []
    db.session.rollback()  # read what the server committed
    states = db.session.execute(db.select(Registration.state, Registration.worker_id)
                                .where(Registration.event_id == event_id)).all()
    assert len(states) == workers and len({w for _, w in states}) == workers  # none lost
    assert sorted(s for s, _ in states).count("confirmed") == places
    assert sorted(s for s, _ in states).count("waitlisted") == workers - places
    event = db.session.get(ServiceEvent, event_id)
    db.session.refresh(event)
    assert event.places_held == places == places_held_count(event_id)
    queued = db.session.scalars(db.select(Registration).where(
        Registration.event_id == event_id, Registration.state == "waitlisted")).all()
    final = {r.worker.phone: operations.waitlist_position(r) for r in queued}
    assert sorted(final.values()) == list(range(1, workers - places + 1))
    # The position each worker was told at sign-up is the one they really have: no number
    # told twice, none told wrong (the order is taken under the lock).
    told = {phone: position for _status, _text, phone, position in results if position is not None}
    assert told == final


def test_200_simultaneous_sign_ups_fill_exactly_30_places_and_waitlist_the_rest(
        server, make_organisation, make_station):
    organisation = make_organisation("河东区总工会")
    event_id = open_event(organisation.id, make_station(organisation_id=organisation.id).id, PLACES)
    results = sign_up_all_at_once([server], event_id, make_workers(WORKERS))
    assert not any("database is locked" in text for _, text, _phone, _told in results)
    assert_exactly_filled(event_id, results, WORKERS, PLACES)
