"""Claims and submits racing for real: the app serves from a threaded werkzeug server on the
test database (a SQLite file, and PostgreSQL when TEST_DATABASE_URL is set), and many
logged-in people post at the same instant from their own threads."""
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from extensions import db
from tests.accounts.helpers import DEFAULT_PASSWORD
from wishes.models import MAX_OPEN_WISHES, Wish, WishEvent

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
CLAIMANTS = 24
SUBMITS = 8


def signed_in(url: str, user) -> tuple[requests.Session, str]:
    """A browser-like session logged in as `user`, and its CSRF token."""
    session = requests.Session()
    token = TOKEN.search(session.get(f"{url}/account/login").text).group(1)
    response = session.post(f"{url}/account/login", allow_redirects=False, data={
        "csrf_token": token, "phone": user.phone, "password": DEFAULT_PASSWORD})
    assert response.status_code == 303, response.text[:300]
    return session, TOKEN.search(session.get(f"{url}/wishes").text).group(1)


def all_at_once(calls) -> list[requests.Response]:
    """Run the calls in threads released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_a_wish_is_claimed_exactly_once_when_many_tap_at_the_same_moment(server, make_user, make_wish):
    wish_id = make_wish("published").id
    sessions = [signed_in(server, make_user("volunteer")) for _ in range(CLAIMANTS)]
    responses = all_at_once([
        (lambda s=s, t=t: s.post(f"{server}/wishes/{wish_id}/claim", data={"csrf_token": t},
                                 headers={"Accept-Language": "en"}, allow_redirects=False))
        for s, t in sessions])
    codes = sorted(r.status_code for r in responses)
    assert codes == [303] + [409] * (CLAIMANTS - 1), codes
    assert all("database is locked" not in r.text for r in responses)
    losers = [r for r in responses if r.status_code == 409]
    assert all("就在刚才，有人认领了这个心愿" in r.text or "Someone just claimed" in r.text
               for r in losers), losers[0].text[:500]
    db.session.expire_all()
    stored = db.session.get(Wish, wish_id)
    assert stored.status == "claimed" and stored.claimant_id is not None
    claims = db.session.scalars(db.select(WishEvent).where(
        WishEvent.wish_id == wish_id, WishEvent.action == "claim")).all()
    assert [(c.actor_id, c.to_state) for c in claims] == [(stored.claimant_id, "claimed")]


def test_simultaneous_submits_never_give_a_worker_more_than_three_open_wishes(server, make_user, union):
    worker = make_user("worker")
    session, token = signed_in(server, worker)
    cookies = session.cookies.get_dict()

    def submit(n: int):
        return lambda: requests.post(f"{server}/wishes/new", cookies=cookies, allow_redirects=False,
                                     data={"csrf_token": token, "title": f"心愿 {n}", "details": "",
                                           "category": "goods", "urgency": "any",
                                           "station_id": "0", "district": ""})

    codes = sorted(r.status_code for r in all_at_once([submit(n) for n in range(SUBMITS)]))
    assert codes == [303] * MAX_OPEN_WISHES + [422] * (SUBMITS - MAX_OPEN_WISHES), codes
    assert db.session.scalar(db.select(db.func.count(Wish.id)).where(
        Wish.worker_id == worker.id)) == MAX_OPEN_WISHES
