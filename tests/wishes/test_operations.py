"""Submitting wishes: the open-wish limit, history and notices, without a browser."""
import pytest

from extensions import db
from notifications.models import Notification
from transactions import transaction
from wishes import operations
from wishes.models import MAX_OPEN_WISHES, Wish, WishEvent


def _submit(worker, title="护膝"):
    with transaction():  # as the view does: submit locks the worker's row, so it needs one
        return operations.submit(worker, title=title, details="", category="goods", urgency="week")


def test_a_worker_can_have_at_most_three_open_wishes(make_user, union, in_request):
    worker = make_user("worker")
    wishes = [_submit(worker, f"心愿 {n}") for n in range(MAX_OPEN_WISHES)]
    with pytest.raises(operations.TooManyOpenWishes):
        _submit(worker, "第四个")
    operations.transition(wishes[0], "withdraw", worker)
    assert _submit(worker, "第四个").status == "submitted"


def test_a_new_wish_goes_to_the_union_of_its_district_and_has_a_history(make_user, union, in_request):
    wish = _submit(make_user("worker", home_district="河东区"))
    assert wish.organisation_id == union.id and wish.district == "河东区"
    assert [(e.action, e.from_state, e.to_state) for e in wish.events] == [("submit", None, "submitted")]


def test_each_step_by_someone_else_notifies_the_worker(make_user, union, in_request):
    worker = make_user("worker")
    staff = make_user("staff", organisation_id=union.id)
    volunteer = make_user("volunteer")
    wish = _submit(worker)
    operations.transition(wish, "publish", staff)
    operations.transition(wish, "claim", volunteer)
    operations.transition(wish, "fulfil", volunteer, "放在前台", handover_place="十一经路驿站")
    operations.transition(wish, "confirm", worker, "谢谢!")
    kinds = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == worker.id)
                               .order_by(Notification.id)).all()
    assert kinds == ["wish_published", "wish_claimed", "wish_fulfilled"]
    assert db.session.scalars(db.select(Notification.kind).where(
        Notification.user_id == volunteer.id)).all() == ["wish_confirmed"]
    assert [e.action for e in db.session.get(Wish, wish.id).events] == \
        ["submit", "publish", "claim", "fulfil", "confirm"]


def test_declining_needs_a_reason_and_the_worker_sees_it(make_user, union, in_request):
    worker, staff = make_user("worker"), make_user("staff", organisation_id=union.id)
    wish = _submit(worker)
    with pytest.raises(operations.WishError):
        operations.transition(wish, "decline", staff, "")
    operations.transition(wish, "decline", staff, "请去掉电话号码")
    assert db.session.get(Wish, wish.id).decline_reason == "请去掉电话号码"


def test_a_stale_claim_loses_with_the_friendly_message(make_wish, make_user, in_request):
    wish = make_wish("published")
    first, second = make_user("volunteer"), make_user("volunteer")
    stale = db.session.get(Wish, wish.id)
    operations.transition(wish, "claim", first)
    stale.status = "published"  # what the second claimant read before the first one won
    db.session.expunge(stale)
    with pytest.raises(operations.WishConflict, match="认领|claimed"):
        operations.transition(stale, "claim", second)
    assert db.session.get(Wish, wish.id).claimant_id == first.id
    assert db.session.scalar(db.select(db.func.count(WishEvent.id)).where(
        WishEvent.wish_id == wish.id, WishEvent.action == "claim")) == 1
