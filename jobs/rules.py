"""The rules of jobs as plain functions and tables a test can call without a request.

- The life of a post and of an application, each as one table
  (state, action) -> (next state, who may do it). Nothing else decides which changes are
  legal; jobs.operations applies a step and writes the history row.
- The unified social credit code's check digit (GB 32100-2015).
- No gender requirement in a post (就业促进法 第二十七条, 妇女权益保障法 第四十三条).
"""
import math
import re

from jobs.models import HOLDS_PLACE
from state_tables import Step, step as _step

EMPLOYER = "employer"  # a member of the post's employer
STAFF = "staff"        # staff of the post's organisation, or an admin
WORKER = "worker"      # the worker who applied
SYSTEM = "system"      # the app itself: expiry, waiting-list promotion


POST_TRANSITIONS: dict[tuple[str, str], Step] = {
    ("draft", "submit"): _step("pending", EMPLOYER, STAFF),
    ("draft", "withdraw"): _step("withdrawn", EMPLOYER, STAFF),
    ("pending", "publish"): _step("published", STAFF),
    ("pending", "refuse"): _step("draft", STAFF, note_required=True),
    ("pending", "withdraw"): _step("withdrawn", EMPLOYER, STAFF),
    ("published", "fill"): _step("filled", EMPLOYER, STAFF),
    ("published", "withdraw"): _step("withdrawn", EMPLOYER, STAFF),
    ("published", "expire"): _step("expired", SYSTEM),
}
POST_ACTIONS = ("submit", "publish", "refuse", "fill", "withdraw", "expire")

APPLICATION_TRANSITIONS: dict[tuple[str, str], Step] = {
    ("applied", "accept"): _step("accepted", EMPLOYER, STAFF),
    ("applied", "decline"): _step("declined", EMPLOYER, STAFF),
    ("waitlisted", "accept"): _step("accepted", SYSTEM, EMPLOYER, STAFF),
    ("waitlisted", "decline"): _step("declined", EMPLOYER, STAFF),
    ("applied", "withdraw"): _step("withdrawn", WORKER),
    ("accepted", "withdraw"): _step("withdrawn", WORKER),
    ("waitlisted", "withdraw"): _step("withdrawn", WORKER),
    ("accepted", "check_in"): _step("showed_up", WORKER),
    ("accepted", "mark_done"): _step("done", EMPLOYER, STAFF),
    ("showed_up", "mark_done"): _step("done", EMPLOYER, STAFF),
    ("done", "confirm_paid"): _step("paid", WORKER),
    ("done", "report_unpaid"): _step("not_paid", WORKER),
    # Paid late: the case stays for staff to clear, the worker's record says paid.
    ("not_paid", "confirm_paid"): _step("paid", WORKER),
}
APPLICATION_ACTIONS = ("accept", "decline", "withdraw", "check_in", "mark_done", "confirm_paid",
                       "report_unpaid")


def post_step(state: str, action: str) -> Step | None:
    """The legal step for `action` on a post in `state`, or None."""
    return POST_TRANSITIONS.get((state, action))


def application_step(state: str, action: str) -> Step | None:
    """The legal step for `action` on an application in `state`, or None."""
    return APPLICATION_TRANSITIONS.get((state, action))


def place_change(from_state: str, to_state: str) -> int:
    """How a step changes the post's places taken: -1, 0 or +1."""
    return int(to_state in HOLDS_PLACE) - int(from_state in HOLDS_PLACE)


def post_actions_for(state: str, parties: frozenset[str]) -> list[str]:
    """What these parties may do to a post in this state, in table order."""
    return [a for a in POST_ACTIONS
            if (step := post_step(state, a)) and step.parties & parties]


def application_actions_for(state: str, parties: frozenset[str]) -> list[str]:
    """What these parties may do to an application in this state, in table order."""
    return [a for a in APPLICATION_ACTIONS
            if (step := application_step(state, a)) and step.parties & parties]


# The unified social credit code (统一社会信用代码) ----------------------------------------

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str | None:
    """The 18th character the first 17 call for, or None if one of them is not allowed."""
    try:
        total = sum(CREDIT_CODE_CHARS.index(char) * weight
                    for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    except ValueError:
        return None
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def valid_credit_code(code: str) -> bool:
    """Eighteen characters from the code's alphabet whose last is the check character."""
    code = (code or "").strip().upper()
    return (len(code) == 18 and all(char in CREDIT_CODE_CHARS for char in code)
            and credit_code_check_char(code[:17]) == code[17])


# No gender requirement ------------------------------------------------------------------------

_GENDER_REQUIREMENT = re.compile(
    r"(限|只招|只要|仅招|仅限|要求|招)\s*(男|女)(性|士|生|工)?(?!女|男)"
    r"|(男|女)(性|士|生)?\s*优先"
    r"|性别\s*(要求|限制)"
    r"|\b(men|women|male|female)s?\s+only\b|\bonly\s+(men|women|males?|females?)\b",
    re.IGNORECASE)


def gender_requirement(*texts: str) -> str | None:
    """The words in a post that restrict it to one gender, or None. "男女不限" is fine."""
    for text in texts:
        cleaned = (text or "").replace("男女不限", "").replace("不限男女", "")
        found = _GENDER_REQUIREMENT.search(cleaned)
        if found:
            return found.group(0).strip()
    return None


# Distance and riding time ------------------------------------------------------------------

RIDING_METRES_PER_MINUTE = 250  # an e-bike in town, 15 km/h, stops included


def riding_minutes(distance_m: float) -> int:
    """Minutes on an e-bike for a straight-line distance (roads add a third)."""
    return max(1, math.ceil(distance_m * 1.3 / RIDING_METRES_PER_MINUTE))


CHECK_IN_RADIUS_M = 500
