"""The transition table, walked in full: every (state, action) pair, tried by every kind of
person. A step happens exactly when the table has the pair and names the person's part; it
then writes one history row. Everything else is refused and changes nothing."""
import pytest

from extensions import db
from wishes import operations, rules
from wishes.models import STATES, Wish, WishEvent

PEOPLE = ("owner", "moderator", "admin", "claimant", "volunteer", "other_staff", "other_worker")


@pytest.fixture
def people(make_user, make_organisation, union):
    elsewhere = make_organisation("朝阳区总工会", district="朝阳区")
    return {
        "owner": make_user("worker"),
        "moderator": make_user("staff", organisation_id=union.id),
        "admin": make_user("admin"),
        "claimant": make_user("volunteer"),
        "volunteer": make_user("volunteer"),
        "other_staff": make_user("staff", organisation_id=elsewhere.id),
        "other_worker": make_user("worker"),
    }


def expected_parts(person: str) -> set[str]:
    """Who each person is for a wish made by 'owner' and (if claimed) held by 'claimant'."""
    return {"owner": {rules.OWNER}, "moderator": {rules.MODERATOR, rules.CLAIMER},
            "admin": {rules.MODERATOR, rules.CLAIMER}, "claimant": {rules.CLAIMANT, rules.CLAIMER},
            "volunteer": {rules.CLAIMER}, "other_staff": {rules.CLAIMER},
            "other_worker": set()}[person]


def test_the_table_only_names_known_states_actions_and_parts():
    parts = {rules.OWNER, rules.MODERATOR, rules.CLAIMER, rules.CLAIMANT}
    for (state, action), step in rules.TRANSITIONS.items():
        assert state in STATES and step.to_state in STATES and action in rules.ACTIONS
        assert step.parties <= parts
    assert all(not any(s == final for s, _ in rules.TRANSITIONS) for final in rules.FINAL_STATES)


@pytest.mark.parametrize("action", rules.ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_each_state_and_action_is_allowed_exactly_as_the_table_says(make_wish, people, in_request,
                                                                    state, action):
    step = rules.step_for(state, action)
    for person in PEOPLE:
        claimant = people["claimant"] if state in ("claimed", "fulfilled", "confirmed") else None
        wish = make_wish(state, worker=people["owner"], claimant=claimant)
        actor = people[person]
        parts = expected_parts(person) if claimant or person != "claimant" else {rules.CLAIMER}
        assert rules.parties(actor, wish) == parts, person
        allowed = step is not None and bool(step.parties & parts)
        assert rules.may(actor, wish, action) == allowed
        extra = {"handover_place": "驿站前台"} if action == "fulfil" else {}
        if allowed:
            operations.transition(wish, action, actor, "理由", **extra)
            stored = db.session.get(Wish, wish.id)
            assert stored.status == step.to_state, (person, state, action)
            history = db.session.scalars(db.select(WishEvent).where(
                WishEvent.wish_id == wish.id, WishEvent.action == action)).all()
            assert [(h.from_state, h.to_state, h.actor_id) for h in history] == \
                [(state, step.to_state, actor.id)]
        else:
            with pytest.raises(operations.NotAllowed):
                operations.transition(wish, action, actor, "理由", **extra)
            db.session.expire_all()
            assert db.session.get(Wish, wish.id).status == state
            assert db.session.scalar(db.select(db.func.count(WishEvent.id))
                                     .where(WishEvent.wish_id == wish.id)) == 1


def test_anonymous_visitors_play_no_part(make_wish):
    from flask_login import AnonymousUserMixin

    assert rules.parties(AnonymousUserMixin(), make_wish()) == frozenset()
