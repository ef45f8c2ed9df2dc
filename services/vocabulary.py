"""Labels of the fixed choices: service categories and registration states, in zh and en."""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "legal": _l("Legal aid"),
    "childcare": _l("Childcare"),
    "health": _l("Health checks"),
    "skills": _l("Skills training"),
    "phone_care": _l("Phone care"),
    "advice": _l("Jobs and policy advice"),
    "employment": _l("Recruitment fairs"),
    "other": _l("Other services"),
}
STATE_LABELS = {
    "confirmed": _l("Place confirmed"),
    "waitlisted": _l("On the waiting list"),
    "offered": _l("Place offered"),
    "offer_lapsed": _l("Offer lapsed"),
    "cancelled_by_worker": _l("Cancelled by the worker"),
    "cancelled_by_staff": _l("Cancelled by the union"),
    "attended": _l("Attended"),
    "no_show": _l("Did not attend"),
}
