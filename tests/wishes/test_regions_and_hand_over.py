"""Wishes by region code, claims that leak nothing, messages that say what happened, the
"not received" answer, the hand-over stations and the formula-safe figures."""
import pathlib
from datetime import datetime, timedelta, timezone

import pytest

from extensions import db
from notifications.models import Notification
from tests.accounts.helpers import log_in, post
from transactions import transaction
from wishes import operations
from wishes.models import Wish, WishEvent

HTMX = {"HX-Request": "true"}


def _stored(wish_id: int) -> Wish:
    db.session.expire_all()
    return db.session.get(Wish, wish_id)


def test_a_wish_goes_to_the_branch_with_its_region_code_not_its_district_name(
        make_organisation, make_user, union, in_request):
    linyi = make_organisation("临沂市河东区总工会", city="临沂市", district="河东区")
    worker = make_user("worker", home_district="河东区", home_city="临沂市")
    with transaction():
        wish = operations.submit(worker, title="护膝", details="", category="goods", urgency="week")
    assert (wish.region_code, wish.district, wish.organisation_id) == ("371312", "河东区", linyi.id)
    tianjin = make_user("worker", home_district="河东区")
    with transaction():
        other = operations.submit(tianjin, title="手套", details="", category="goods", urgency="week")
    assert other.organisation_id == union.id


def test_a_chosen_district_routes_the_wish(client, make_organisation, make_user, union):
    beijing = make_organisation("北京市朝阳区总工会", city="北京市", district="朝阳区")
    log_in(client, make_user("worker"))
    response = post(client, "/wishes/new", {
        "title": "书包", "details": "", "category": "family", "urgency": "week", "station_id": "0",
        "region_code-city": "11", "region_code": "110105"})
    assert response.status_code == 303
    wish = db.session.scalar(db.select(Wish))
    assert (wish.region_code, wish.organisation_id) == ("110105", beijing.id)


@pytest.mark.parametrize("state", ["submitted", "declined", "withdrawn", "fulfilled", "confirmed"])
def test_a_claim_on_a_wish_off_the_wall_is_the_same_404_as_its_page(client, make_user, make_wish,
                                                                    state):
    wish = make_wish(state, title="秘密心愿标题")
    log_in(client, make_user("volunteer"))
    assert client.get(f"/wishes/{wish.id}").status_code == 404
    for headers in ({}, {**HTMX, "HX-Target": f"card-{wish.id}"}):
        response = post(client, f"/wishes/{wish.id}/claim", headers=headers)
        assert response.status_code == 404
        assert "秘密心愿标题" not in response.get_data(as_text=True)
    assert _stored(wish.id).status == state


def test_a_claim_long_after_someone_else_claimed_is_404_and_a_lost_race_shows_no_wish(
        client, make_user, make_wish):
    old = make_wish("claimed", title="早被认领")
    old.claimed_at = datetime.now(timezone.utc) - timedelta(hours=2)
    db.session.commit()
    fresh = make_wish("claimed", title="刚被认领")
    log_in(client, make_user("volunteer"))
    assert post(client, f"/wishes/{old.id}/claim").status_code == 404
    lost = post(client, f"/wishes/{fresh.id}/claim", headers={**HTMX, "HX-Target": f"card-{fresh.id}"})
    assert lost.status_code == 409 and "刚被认领" not in lost.get_data(as_text=True)


@pytest.mark.parametrize(("state", "action", "actor", "said"), [
    ("published", "claim", "volunteer", "You claimed this wish"),
    ("claimed", "release", "claimant", "You gave the claim back"),
    ("published", "withdraw", "owner", "Your wish is withdrawn"),
    ("fulfilled", "confirm", "owner", "Thank you for confirming"),
    ("fulfilled", "not-received", "owner", "The claimant and union staff have been told"),
])
def test_each_action_says_what_happened(client, make_user, make_wish, state, action, actor, said):
    owner, claimant = make_user("worker"), make_user("volunteer")
    wish = make_wish(state, worker=owner, claimant=claimant if state != "published" else None)
    people = {"owner": owner, "claimant": claimant, "volunteer": make_user("volunteer")}
    log_in(client, people[actor])
    client.set_cookie("lang", "en")
    body = post(client, f"/wishes/{wish.id}/{action}", headers=HTMX).get_data(as_text=True)
    assert said in body and "The worker has been told." not in body
    plain = post(client, f"/wishes/{wish.id}/{action}")  # the same again: now refused
    assert plain.status_code in (403, 404, 409)


def test_not_received_sends_the_wish_back_to_the_claimant_and_tells_them_and_staff(
        app, client, make_user, make_wish, union):
    owner, claimant = make_user("worker"), make_user("volunteer")
    staff = make_user("staff", organisation_id=union.id)
    wish = make_wish("fulfilled", worker=owner, claimant=claimant, handover_place="十一经路驿站")
    log_in(client, owner)
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert f"/wishes/{wish.id}/not-received" in page and f"/wishes/{wish.id}/confirm" in page
    response = post(client, f"/wishes/{wish.id}/not-received", {"not_received-note": "前台说没有这个包裹"})
    assert response.status_code == 303
    stored = _stored(wish.id)
    assert (stored.status, stored.claimant_id, stored.handover_place) == ("claimed", claimant.id, "")
    event = db.session.scalars(db.select(WishEvent).where(WishEvent.wish_id == wish.id)
                               .order_by(WishEvent.id.desc())).first()
    assert (event.action, event.from_state, event.to_state, event.note) == \
        ("not_received", "fulfilled", "claimed", "前台说没有这个包裹")
    told = set(db.session.scalars(db.select(Notification.user_id).where(
        Notification.kind == "wish_not_received")))
    assert told == {claimant.id, staff.id}
    # The claimant can record the hand-over again.
    claimant_client = app.test_client()
    log_in(claimant_client, claimant)
    assert post(claimant_client, f"/wishes/{wish.id}/fulfil",
                {"handover_place": "前台"}).status_code == 303


def test_hand_over_stations_list_the_workers_district_first_then_the_city(client, make_user,
                                                                           make_station):
    make_station(name="北京朝阳驿站", city="北京市", district="朝阳区", lat=39.92, lon=116.44)
    make_station(name="天津南开驿站", city="天津市", district="南开区", lat=39.12, lon=117.15)
    make_station(name="天津河东驿站", city="天津市", district="河东区", lat=39.13, lon=117.22)
    log_in(client, make_user("worker", home_district="河东区"))
    page = client.get("/wishes/new").get_data(as_text=True)
    positions = [page.index(name) for name in ("天津河东驿站", "天津南开驿站", "北京朝阳驿站")]
    assert positions == sorted(positions)


def test_a_worker_without_a_district_still_gets_every_station(app, make_user, make_station):
    make_station(name="天津河东驿站", city="天津市", district="河东区")
    client = app.test_client()
    log_in(client, make_user("worker", home_district="", home_region_code=None))
    assert "天津河东驿站" in client.get("/wishes/new").get_data(as_text=True)


def test_the_figures_csv_is_formula_safe_with_a_bom(client, make_user, make_wish, union):
    make_wish("published")
    log_in(client, make_user("staff", organisation_id=union.id))
    body = client.get("/staff/wishes/figures.csv").get_data(as_text=True)
    assert body.startswith("\ufeffmonth,submitted,published,fulfilled")
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in body.splitlines()[1:]
                   for cell in line.split(",") if not cell.lstrip("-").replace(".", "").isdigit())


@pytest.mark.parametrize("package", ["wishes", "notifications"])
def test_operations_never_commit_and_no_local_clock_remains(package):
    root = pathlib.Path(__file__).parents[2] / package
    for path in root.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "db.session.commit()" not in text, path
        assert "timezone(timedelta" not in text and "def now(" not in text, path
