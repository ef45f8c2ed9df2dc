"""The life of a wish as one table: (state, action) -> (next state, who may do it).

Nothing else decides which changes are legal. `parties()` says which roles a person plays
for one wish; an action is allowed when its state row exists and the person plays one of
its roles. tests/wishes/test_rules.py walks every (state, action) pair.
"""
from accounts.policy import has_permission
from state_tables import Step, step as _step

# The parts a person can play for one wish.
OWNER = "owner"          # the worker who made the wish
MODERATOR = "moderator"  # staff of the wish's organisation, or an admin
CLAIMER = "claimer"      # anyone allowed to claim who is not the owner
CLAIMANT = "claimant"    # the one person holding the claim


TRANSITIONS: dict[tuple[str, str], Step] = {
    ("submitted", "edit"): _step("submitted", MODERATOR),
    ("submitted", "publish"): _step("published", MODERATOR),
    ("submitted", "decline"): _step("declined", MODERATOR, note_required=True),
    ("submitted", "withdraw"): _step("withdrawn", OWNER),
    ("published", "edit"): _step("published", MODERATOR),
    ("published", "withdraw"): _step("withdrawn", OWNER),
    ("published", "claim"): _step("claimed", CLAIMER),
    ("claimed", "release"): _step("published", MODERATOR, CLAIMANT),
    ("claimed", "fulfil"): _step("fulfilled", CLAIMANT),
    ("fulfilled", "confirm"): _step("confirmed", OWNER),
    # "还没收到": the worker says the hand-over did not reach them; the claim stays with the
    # claimant, who hands it over again (the claimant and the branch's staff are told).
    ("fulfilled", "not_received"): _step("claimed", OWNER),
}
ACTIONS = ("edit", "publish", "decline", "withdraw", "claim", "release", "fulfil", "confirm",
           "not_received")
FINAL_STATES = ("declined", "withdrawn", "confirmed")


def parties(user, wish) -> frozenset[str]:
    """The roles `user` plays for `wish` (empty for anonymous visitors and strangers)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    found = set()
    if wish.worker_id == user.id:
        found.add(OWNER)
    elif has_permission(user, "claim_wish"):
        found.add(CLAIMER)
    if wish.claimant_id is not None and wish.claimant_id == user.id:
        found.add(CLAIMANT)
    if wish.is_managed_by(user):
        found.add(MODERATOR)
    return frozenset(found)


def step_for(state: str, action: str) -> Step | None:
    """The legal step for this action in this state, or None."""
    return TRANSITIONS.get((state, action))


def may(user, wish, action: str) -> bool:
    """Whether `user` may take `action` on `wish` as it stands."""
    step = step_for(wish.status, action)
    return step is not None and bool(step.parties & parties(user, wish))


def ever_open_to(user, wish, action: str) -> bool:
    """Whether the person's part for this wish could take `action` in some state: a refusal
    is then about the state (409), not about who they are (403)."""
    mine = parties(user, wish)
    return any(step.parties & mine for (_, act), step in TRANSITIONS.items() if act == action)


def actions_for(user, wish) -> list[str]:
    """The actions open to `user` now, in table order."""
    return [action for action in ACTIONS if may(user, wish, action)]
