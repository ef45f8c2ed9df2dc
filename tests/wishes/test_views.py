"""Wish pages through the test client: submitting with inline errors, the anonymous wall,
moderation, claiming, the hand-over, my wishes and the inbox."""
import pytest

from extensions import db
from notifications.models import Notification
from tests.accounts.helpers import log_in, post
from wishes.models import Wish

HTMX = {"HX-Request": "true"}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _stored(wish_id: int) -> Wish:
    """The wish as the database has it now (the requests used their own sessions)."""
    db.session.expire_all()
    return db.session.get(Wish, wish_id)


def _form(**fields):
    return {"title": "冬天的护膝", "details": "膝盖怕冷。", "category": "goods", "urgency": "week",
            "station_id": "0", "district": "", **fields}


def test_a_worker_submits_a_wish_and_sees_it_in_my_wishes(client, make_user, union):
    worker = make_user("worker", display_name="骑手老张")
    log_in(client, worker)
    response = post(client, "/wishes/new", _form())
    assert response.status_code == 303 and response.headers["Location"] == "/wishes/mine"
    page = client.get("/wishes/mine").get_data(as_text=True)
    assert "冬天的护膝" in page and "Waiting for review" in page or "等待审核" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": ""}, "This field is required."),
    ({"title": "长" * 41}, "Field cannot be longer than 40 characters."),
    ({"details": "字" * 501}, "Field cannot be longer than 500 characters."),
    ({"details": "打我电话 138 1234 5678"}, "phone numbers"),
    ({"category": "cars"}, "Not a valid choice"),
])
def test_invalid_wishes_come_back_inline_with_422(client, make_user, union, fields, message):
    log_in(client, make_user("worker"))
    client.set_cookie("lang", "en")
    response = post(client, "/wishes/new", _form(**fields), headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.lstrip().startswith("<form") and message in body
    assert db.session.scalar(db.select(db.func.count(Wish.id))) == 0


def test_the_fourth_open_wish_is_refused_with_a_clear_message(client, make_user, make_wish):
    worker = make_user("worker")
    for _ in range(3):
        make_wish("submitted", worker=worker)
    log_in(client, worker)
    client.set_cookie("lang", "en")
    response = post(client, "/wishes/new", _form(), headers=HTMX)
    assert response.status_code == 422 and "You already have 3 open wishes" in response.get_data(as_text=True)


def test_script_in_a_wish_is_shown_as_text_everywhere(client, make_user, make_wish):
    wish = make_wish("published", title=XSS[:40], details=XSS)
    staff = make_user("staff", organisation_id=wish.organisation_id)
    log_in(client, staff)
    for url in ("/wishes", f"/wishes/{wish.id}", "/staff/wishes/board", f"/staff/wishes/{wish.id}"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body, url
        assert "&lt;script&gt;" in body, url


def test_the_wall_and_the_claimant_never_see_the_workers_name_or_phone(client, make_user, make_wish):
    worker = make_user("worker", display_name="骑手王大明", phone="+8613912345678")
    published = make_wish("published", worker=worker)
    claimed = make_wish("claimed", worker=worker)
    secrets = ("王大明", "13912345678", "139****5678", "+8613912345678")
    pages = [client.get("/wishes"), client.get(f"/wishes/{published.id}")]
    log_in(client, claimed.claimant)
    pages += [client.get("/wishes"), client.get(f"/wishes/{claimed.id}"), client.get("/wishes/claims")]
    for response in pages:
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert not [s for s in secrets if s in body]


def test_only_published_wishes_are_on_the_wall(client, make_wish):
    titles = {state: make_wish(state, title=f"{state} 心愿").title
              for state in ("submitted", "published", "declined", "withdrawn", "claimed", "confirmed")}
    body = client.get("/wishes").get_data(as_text=True)
    assert [s for s, title in titles.items() if title in body] == ["published"]
    assert client.get(f"/wishes/{db.session.scalar(db.select(Wish.id).where(Wish.status == 'submitted'))}").status_code == 404


def test_the_wall_filters_by_category_district_and_urgency(client, make_wish):
    make_wish(title="护膝", category="goods", urgency="week")
    make_wish(title="法律咨询", category="legal", urgency="any", district="朝阳区",
              region_code="110105")
    body = client.get("/wishes?category=legal", headers=HTMX).get_data(as_text=True)
    assert "法律咨询" in body and "护膝" not in body and body.lstrip().startswith("<section")
    assert "护膝" in client.get("/wishes?district=120102&urgency=week").get_data(as_text=True)
    assert "法律咨询" not in client.get("/wishes?district=120102").get_data(as_text=True)


def test_staff_edit_the_wording_and_publish(client, make_user, make_wish):
    wish = make_wish("submitted", details="我叫王大明,住幸福小区3号楼")
    staff = make_user("staff", organisation_id=wish.organisation_id)
    log_in(client, staff)
    assert wish.title in client.get("/staff/wishes").get_data(as_text=True)
    response = post(client, f"/staff/wishes/{wish.id}", {
        "title": wish.title, "details": "想要一副护膝", "tags": "冬季, 护具", "reason": "",
        "decision": "publish"})
    assert response.status_code == 303
    stored = _stored(wish.id)
    assert (stored.status, stored.details, stored.tags) == ("published", "想要一副护膝", "冬季,护具")
    assert [e.action for e in stored.events] == ["submit", "edit", "publish"]


def test_declining_without_a_reason_is_refused_inline(client, make_user, make_wish):
    wish = make_wish("submitted")
    log_in(client, make_user("staff", organisation_id=wish.organisation_id))
    form = {"title": wish.title, "details": "", "tags": "", "reason": "", "decision": "decline"}
    response = post(client, f"/staff/wishes/{wish.id}", form, headers=HTMX)
    assert response.status_code == 422 and _stored(wish.id).status == "submitted"
    assert post(client, f"/staff/wishes/{wish.id}", {**form, "reason": "重复了"}).status_code == 303
    assert _stored(wish.id).decline_reason == "重复了"


def test_a_claim_that_loses_the_race_says_someone_just_claimed_it(client, make_user, make_wish):
    wish = make_wish("claimed")
    log_in(client, make_user("volunteer"))
    client.set_cookie("lang", "en")
    response = post(client, f"/wishes/{wish.id}/claim", headers={**HTMX, "HX-Target": f"card-{wish.id}"})
    assert response.status_code == 409
    assert "Someone just claimed this wish" in response.get_data(as_text=True)
    plain = post(client, f"/wishes/{wish.id}/claim")
    assert plain.status_code == 409 and "Someone just claimed this wish" in plain.get_data(as_text=True)


def test_the_whole_hand_over_through_the_pages(client, app, make_user, make_wish):
    worker = make_user("worker")
    wish = make_wish("published", worker=worker)
    volunteer = make_user("volunteer")
    log_in(client, volunteer)
    assert post(client, f"/wishes/{wish.id}/claim").status_code == 303
    bad = post(client, f"/wishes/{wish.id}/fulfil", {"handover_place": "", "note": ""}, headers=HTMX)
    assert bad.status_code == 422
    assert post(client, f"/wishes/{wish.id}/fulfil",
                {"handover_place": "十一经路驿站", "note": "放在前台"}).status_code == 303
    worker_client = app.test_client()
    log_in(worker_client, worker)
    assert post(worker_client, f"/wishes/{wish.id}/confirm", {"note": "谢谢"}).status_code == 303
    page = worker_client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert _stored(wish.id).status == "confirmed"
    assert "谢谢" in page and "放在前台" in page


def test_the_worker_withdraws_before_a_claim_but_not_after(client, make_user, make_wish):
    worker = make_user("worker")
    open_wish, claimed = make_wish("published", worker=worker), make_wish("claimed", worker=worker)
    log_in(client, worker)
    assert post(client, f"/wishes/{open_wish.id}/withdraw").status_code == 303
    assert post(client, f"/wishes/{claimed.id}/withdraw").status_code == 409
    assert _stored(claimed.id).status == "claimed"


def test_the_inbox_marks_a_notice_read_when_opened(client, make_user, make_wish):
    worker = make_user("worker")
    wish = make_wish("submitted", worker=worker)
    staff = make_user("staff", organisation_id=wish.organisation_id)
    log_in(client, staff)
    post(client, f"/staff/wishes/{wish.id}", {"title": wish.title, "details": wish.details,
                                               "tags": "", "reason": "", "decision": "publish"})
    with client.session_transaction() as session:
        session.clear()
    log_in(client, worker)
    client.set_cookie("lang", "en")
    page = client.get("/wishes").get_data(as_text=True)
    assert "1 unread" in page, page[page.find("<nav"):page.find("</nav>")]
    inbox = client.get("/notifications").get_data(as_text=True)
    assert f"Your wish “{wish.title}” is on the wish wall now." in inbox
    notice = db.session.scalar(db.select(Notification))
    response = post(client, f"/notifications/{notice.id}")
    assert response.status_code == 303 and response.headers["Location"] == f"/wishes/{wish.id}"
    assert "unread" not in client.get("/wishes").get_data(as_text=True)


def test_the_board_shows_columns_figures_and_a_csv(client, make_user, make_wish):
    make_wish("submitted", title="保温餐箱")
    wish = make_wish("confirmed", title="雨衣", fulfilled_at=None)
    staff = make_user("staff", organisation_id=wish.organisation_id)
    log_in(client, staff)
    board = client.get("/staff/wishes/board").get_data(as_text=True)
    assert "保温餐箱" in board and "雨衣" in board
    csv = client.get("/staff/wishes/figures.csv")
    assert csv.mimetype == "text/csv" and "reached_wall" in csv.get_data(as_text=True)
