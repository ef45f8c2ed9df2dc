"""Check-ins under concurrent load, against a real server: the werkzeug server in a thread
(threaded, one thread per connection, as in production with several workers) serving the
`app` fixture, so this runs on a SQLite *file* (WAL, busy timeout) and on PostgreSQL.

The 200 workers are created directly in the database, with a one-iteration password hash so
that logging them in is fast, and then log in for real: each posts the login form through
the server and reads its CSRF token from a page, as a browser would. Nothing is mocked.
"""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import requests
from werkzeug.security import generate_password_hash

from accounts.models import User
from checkins import rules
from checkins.models import CheckIn
from extensions import db
from tests.http_login import log_in_everyone

WORKERS = 200
REPEAT_WORKERS = 20
REPEAT_TAPS = 5
PASSWORD = "concurrency test password"



def test_concurrent_check_ins_are_each_recorded_exactly_once(server, make_station):
    stations = [make_station(capacity=150), make_station(capacity=150)]
    station_ids = [station.id for station in stations]
    cheap_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    db.session.add_all(User(phone=f"+8613{n:09d}", display_name=f"骑手{n}", password_hash=cheap_hash,
                            role="worker", consent_at=datetime.now(timezone.utc))
                       for n in range(WORKERS))
    db.session.commit()
    phones = [f"+8613{n:09d}" for n in range(WORKERS)]
    sessions = log_in_everyone([server], phones, PASSWORD)

    # Every worker taps once; twenty of them tap five more times at the same moment.
    taps = [(n, station_ids[n % 2]) for n in range(WORKERS)]
    taps += [(n, station_ids[n % 2]) for n in range(REPEAT_WORKERS) for _ in range(REPEAT_TAPS)]
    start = threading.Barrier(len(taps))

    def tap(job):
        n, station_id = job
        session = sessions[n]
        token = session.csrf_token
        copy = requests.Session()  # a session per connection, sharing the worker's cookies
        copy.cookies.update(session.cookies)
        start.wait()
        response = copy.post(f"{server}/stations/{station_id}/check-in", allow_redirects=False,
                             data={"csrf_token": token}, timeout=60)
        return response.status_code, response.text

    with ThreadPoolExecutor(len(taps)) as pool:
        results = list(pool.map(tap, taps))

    failures = [(status, text[:200]) for status, text in results if status != 303]
    assert failures == []
    assert not any("database is locked" in text for _status, text in results)
    db.session.rollback()  # read what the server committed
    rows = db.session.execute(db.select(CheckIn.user_id, CheckIn.checked_out_at)).all()
    assert len(rows) == WORKERS
    assert len({user_id for user_id, _ in rows}) == WORKERS
    assert all(checked_out_at is None for _, checked_out_at in rows)
    assert rules.occupancy_by_station(station_ids, now=datetime.now(timezone.utc)) == {
        station_ids[0]: WORKERS // 2, station_ids[1]: WORKERS // 2}


DEVICES = 8
ROUNDS = 5


def test_one_worker_tapping_at_many_stations_from_many_devices_at_once(server, make_station):
    """The load test's shape: one account on several phones (or a retrying client), each tap
    at a different station, all at once, five rounds each. Each tap answers 303 (a check
    constraint made some 500 on PostgreSQL: see rules._ordered_after) and the worker ends
    with exactly one open check-in; every other one is closed."""
    stations = [make_station(capacity=50).id for _ in range(DEVICES)]
    cheap_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    db.session.add(User(phone="+8613900000001", display_name="骑手", password_hash=cheap_hash,
                        role="worker", consent_at=datetime.now(timezone.utc)))
    db.session.commit()
    devices = log_in_everyone([server], ["+8613900000001"] * DEVICES, PASSWORD)
    start = threading.Barrier(DEVICES)

    def taps(n):
        session = devices[n]
        token = session.csrf_token
        start.wait(timeout=60)
        results = []
        for round_ in range(ROUNDS):  # each round at another station
            station_id = stations[(n + round_) % DEVICES]
            response = session.post(f"{server}/stations/{station_id}/check-in",
                                    allow_redirects=False, data={"csrf_token": token}, timeout=60)
            results.append((response.status_code, response.text[:200]))
        return results

    with ThreadPoolExecutor(DEVICES) as pool:
        results = [result for device in pool.map(taps, range(DEVICES)) for result in device]

    assert [result for result in results if result[0] != 303] == []
    db.session.rollback()
    rows = db.session.execute(db.select(CheckIn.checked_out_at)).all()
    assert sum(checked_out_at is None for (checked_out_at,) in rows) == 1
