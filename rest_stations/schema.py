"""The one definition of a valid station, used by the CLI import, the staff upload and the
station editor: the same limits, the same messages and the same tolerance.

Tolerance: what a clerk types in Excel or WPS is accepted when its meaning is clear:
full-width digits and punctuation (３９．１２, “；”, “：”), the Chinese labels of kinds and
amenities (工会驿站, 饮水；充电), and common Chinese hours phrases (每天8:00-20:00). Names and
addresses are kept exactly as written, only trimmed.

Every field is checked, so a row or a form lists all its mistakes at once.
"""
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import phonenumbers
from flask_babel import gettext as _

from rest_stations.hours import InvalidHours, osm_hours
from rest_stations.vocabulary import AMENITIES, KIND_LABELS_ZH, amenity_code, kind_code

# The file layout of imports and exports, in order.
COLUMNS = ("name", "address", "city", "district", "lat", "lon", "kind", "amenities",
           "opening_hours", "capacity", "phone")
# The template's headers, in COLUMNS order. Files may use these or the English names.
CHINESE_HEADERS = {
    "name": "名称", "address": "地址", "city": "城市", "district": "区县", "lat": "纬度",
    "lon": "经度", "kind": "类型", "amenities": "设施", "opening_hours": "开放时间",
    "capacity": "座位数", "phone": "电话",
}
HEADER_ALIASES = {chinese: column for column, chinese in CHINESE_HEADERS.items()}
TEXT_LIMITS = {"name": 200, "address": 300, "city": 50, "district": 50}
HOURS_MAX = 500
MAX_CAPACITY = 10_000
COORDINATE_DECIMALS = 6  # about 11 cm; rounding makes re-imports match exactly
_LIST_SEPARATORS = re.compile(r"[;,、/|\s]+")


@dataclass
class CheckedStation:
    """Typed station values, every field's mistake, and what was read generously
    (field -> the clerk's text, e.g. hours written in Chinese)."""

    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    converted: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


def column_label(column: str) -> str:
    """How a row error names its column: the template's header and the English name."""
    return f"{CHINESE_HEADERS[column]} ({column})"


def column_of_header(header: str) -> str:
    """The column a header cell names (Chinese or English, any case or width)."""
    folded = unicodedata.normalize("NFKC", header).strip()
    return HEADER_ALIASES.get(folded, folded.lower())


def _folded(text: str) -> str:
    """Full-width digits, letters and punctuation as ASCII; spaces trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def check_station(raw: Mapping[str, object]) -> CheckedStation:
    """Check a station's fields as text (amenities as text or a list of codes) and give typed
    values, or a message for each field that is wrong."""
    checked = CheckedStation()
    values, errors = checked.values, checked.errors
    for name, limit in TEXT_LIMITS.items():
        text = str(raw.get(name) or "").strip()
        if len(text) > limit:
            errors[name] = _("Use at most %(num)d characters.", num=limit)
        values[name] = text
    if not values["name"]:
        errors["name"] = _("Give the station a name.")
    for name, bound in (("lat", 90), ("lon", 180)):
        text = _folded(str(raw.get(name) or ""))
        if not text:
            errors[name] = _("Missing: give the coordinates, or an address that can be found.")
            continue
        try:
            number = float(text)
            if not math.isfinite(number):
                raise ValueError
        except ValueError:
            errors[name] = _("Enter a number, e.g. %(example)s, or drag the pin on the map "
                             "(not “%(value)s”).", value=text,
                             example="39.13351" if name == "lat" else "117.20812")
            continue
        if not -bound <= number <= bound:
            errors[name] = _("%(value)s is outside the range: use a number between "
                             "-%(bound)d and %(bound)d.", value=text, bound=bound)
            continue
        values[name] = round(number, COORDINATE_DECIMALS)
    _check_kind(raw, checked)
    _check_amenities(raw, checked)
    _check_hours(raw, checked)
    capacity = _folded(str(raw.get("capacity") or "")) or "0"
    if not capacity.isdigit() or int(capacity) > MAX_CAPACITY:
        errors["capacity"] = _("Enter a whole number of seats, 0 or more (not “%(value)s”).",
                               value=capacity)
    else:
        values["capacity"] = int(capacity)
    phone = str(raw.get("phone") or "").strip()
    try:
        values["phone"] = clean_phone(phone)
    except ValueError:
        errors["phone"] = _("Enter a phone number, e.g. 022-2431 5678 or 138 1234 5678 "
                            "(not “%(value)s”).", value=phone)
    return checked


def _check_kind(raw: Mapping[str, object], checked: CheckedStation) -> None:
    text = _folded(str(raw.get("kind") or "")) or "union"
    code = kind_code(text)
    if code is None:
        checked.errors["kind"] = _("Choose a kind from the list: %(kinds)s (not “%(value)s”).",
                                   kinds="、".join(KIND_LABELS_ZH.values()), value=text)
    elif code != text:
        checked.converted["kind"] = text
    checked.values["kind"] = code or text


def _check_amenities(raw: Mapping[str, object], checked: CheckedStation) -> None:
    given = raw.get("amenities") or []
    words = [_folded(str(word)) for word in given] if isinstance(given, (list, tuple)) \
        else _LIST_SEPARATORS.split(_folded(str(given)))
    codes, unknown = [], []
    for word in filter(None, words):
        code = amenity_code(word)
        if code is None:
            unknown.append(word)
        else:
            codes.append(code)
            if code != word:
                checked.converted["amenities"] = str(given)
    if unknown:
        checked.errors["amenities"] = _("Unknown amenities: %(codes)s", codes=", ".join(unknown))
    checked.values["amenities"] = [code for code in AMENITIES if code in codes]


def _check_hours(raw: Mapping[str, object], checked: CheckedStation) -> None:
    text = str(raw.get("opening_hours") or "").strip()
    try:
        hours = osm_hours(text)
        if len(hours) > HOURS_MAX:
            raise InvalidHours(text)
    except InvalidHours:
        checked.errors["opening_hours"] = _(
            "These hours are not in OpenStreetMap syntax or a phrase we know, e.g. "
            "“每天8:00-20:00”, “周一至周五 9:00-18:00；周六 9:00-12:00”, “24小时” or "
            "“Mo-Fr 08:00-18:00”. Leave empty if you do not know.")
        checked.values["opening_hours"] = text
        return
    if hours != text:
        checked.converted["opening_hours"] = text
    checked.values["opening_hours"] = hours


def clean_phone(text: str) -> str:
    """A Chinese phone number as people write it (a landline with its area code, or a
    mobile), or "" for none; raises ValueError when it cannot be a real number."""
    if not text:
        return ""
    try:
        number = phonenumbers.parse(_folded(text), "CN")
    except phonenumbers.NumberParseException:
        raise ValueError(text) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(text)
    return text
