"""Fixed choices of the account forms: roles, platforms, languages, with their labels."""
from flask_babel import lazy_gettext as _l

# Roles are a string column with a CHECK constraint, so a new role (e.g. "volunteer" for
# wishes) is a migration that rewrites the constraint, not a new type.
ROLES = ("worker", "volunteer", "staff", "admin")
ROLE_LABELS = {"worker": _l("Worker"), "volunteer": _l("Volunteer"), "staff": _l("Union staff"),
               "admin": _l("Administrator")}

PLATFORMS = ("meituan", "eleme", "sf", "didi", "huolala", "other")
PLATFORM_LABELS = {
    "meituan": _l("Meituan"),
    "eleme": _l("Ele.me"),
    "sf": _l("SF Express"),
    "didi": _l("DiDi"),
    "huolala": _l("Lalamove (Huolala)"),
    "other": _l("Other"),
}

LANGUAGE_LABELS = {"zh_Hans": "中文", "en": "English"}
