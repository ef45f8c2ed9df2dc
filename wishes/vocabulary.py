"""Labels of the fixed choices: categories, urgencies, states and history actions."""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "goods": _l("Goods"),
    "family": _l("Child and family"),
    "legal": _l("Legal help"),
    "skills": _l("Skills or jobs"),
    "health": _l("Health"),
    "other": _l("Other"),
}
URGENCY_LABELS = {"week": _l("This week"), "month": _l("This month"), "any": _l("Any time")}
STATE_LABELS = {
    "submitted": _l("Waiting for review"),
    "published": _l("On the wall"),
    "declined": _l("Not published"),
    "withdrawn": _l("Withdrawn"),
    "claimed": _l("Claimed"),
    "fulfilled": _l("Handed over"),
    "confirmed": _l("Received"),
}
ACTION_LABELS = {
    "submit": _l("Wish made"),
    "edit": _l("Wording edited by staff"),
    "publish": _l("Published on the wall"),
    "decline": _l("Not published"),
    "withdraw": _l("Withdrawn"),
    "claim": _l("Claimed"),
    "release": _l("Claim released, back on the wall"),
    "fulfil": _l("Handed over"),
    "confirm": _l("Receipt confirmed"),
    "not_received": _l("Not received yet: back to the claimant"),
}
