"""The fixed vocabularies of station data: amenities, kinds and statuses, with their labels.

An amenity's position in AMENITIES is its bit in Station.amenity_mask, so codes may be
appended but never reordered or removed.
"""
from collections.abc import Iterable

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

AMENITIES: dict[str, object] = {
    "charging": _l("Phone charging"),
    "battery_swap": _l("E-bike battery swap"),
    "water": _l("Drinking water"),
    "rest": _l("Rest seats"),
    "toilet": _l("Toilet"),
    "microwave": _l("Microwave"),
    "heating": _l("Heating"),
    "cooling": _l("Air conditioning"),
    "first_aid": _l("First aid kit"),
    "wifi": _l("Wi-Fi"),
    "books": _l("Books"),
    "shower": _l("Shower"),
    "laundry": _l("Laundry"),
    "parking": _l("Parking"),
}
AMENITY_BITS = {code: 1 << position for position, code in enumerate(AMENITIES)}

KINDS: dict[str, object] = {
    "union": _l("Union station"),
    "partner": _l("Community or merchant partner"),
    "driver_home": _l("Truck drivers' home"),
}

STATUSES: dict[str, object] = {
    "active": _l("Open as usual"),
    "temporarily_closed": _l("Temporarily closed"),
    "delisted": _l("Delisted"),
}


def labels_now(vocabulary: dict[str, object]) -> dict[str, str]:
    """The vocabulary's labels in the current locale, looked up once per locale and process:
    a lazy label looks up the catalogue again each time a template shows it (a finder page
    shows ~60), and the catalogues do not change while the app runs."""
    cache = current_app.extensions.setdefault("vocabulary_labels", {})
    key = (id(vocabulary), str(get_locale()))
    if key not in cache:
        cache[key] = {code: str(label) for code, label in vocabulary.items()}
    return cache[key]


class UnknownAmenity(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def amenity_mask(codes: Iterable[str]) -> int:
    """Bitmask for a set of amenity codes; raises UnknownAmenity for a code not in the vocabulary."""
    mask = 0
    for code in codes:
        try:
            mask |= AMENITY_BITS[code]
        except KeyError:
            raise UnknownAmenity(code) from None
    return mask


def amenity_codes(mask: int) -> list[str]:
    """Amenity codes in a mask, in vocabulary order."""
    return [code for code, bit in AMENITY_BITS.items() if mask & bit]


# What clerks type in a spreadsheet, besides the codes: the Chinese labels of the template's
# dropdown and the everyday words for each thing. Keys are compared after NFKC folding and
# lower-casing (so full-width letters and 'Union' work too).
KIND_ALIASES: dict[str, str] = {
    "工会驿站": "union", "工会": "union", "户外劳动者服务站": "union", "爱心驿站": "union",
    "合作驿站": "partner", "合作点": "partner", "社区或商户合作点": "partner", "商户": "partner",
    "社区": "partner", "合作": "partner",
    "司机之家": "driver_home", "货车司机之家": "driver_home",
}
KIND_LABELS_ZH: dict[str, str] = {"union": "工会驿站", "partner": "合作驿站",
                                  "driver_home": "司机之家"}

AMENITY_ALIASES: dict[str, str] = {
    "充电": "charging", "手机充电": "charging", "充电宝": "charging",
    "换电": "battery_swap", "电动车换电": "battery_swap", "换电池": "battery_swap",
    "饮水": "water", "饮用水": "water", "喝水": "water", "热水": "water", "开水": "water",
    "休息": "rest", "休息座椅": "rest", "座椅": "rest", "歇脚": "rest",
    "卫生间": "toilet", "厕所": "toilet", "洗手间": "toilet",
    "微波炉": "microwave", "热饭": "microwave",
    "取暖": "heating", "暖气": "heating",
    "空调": "cooling", "空调降温": "cooling", "纳凉": "cooling", "降温": "cooling",
    "急救": "first_aid", "急救药箱": "first_aid", "药箱": "first_aid", "医药箱": "first_aid",
    "无线网": "wifi", "无线网络": "wifi", "网络": "wifi", "wi-fi": "wifi",
    "图书": "books", "书籍": "books", "书报": "books", "阅读": "books",
    "淋浴": "shower", "洗澡": "shower",
    "洗衣": "laundry", "洗衣机": "laundry",
    "停车": "parking", "停车位": "parking", "停车场": "parking",
}
AMENITY_LABELS_ZH: dict[str, str] = {
    "charging": "充电", "battery_swap": "换电", "water": "饮水", "rest": "休息",
    "toilet": "卫生间", "microwave": "微波炉", "heating": "取暖", "cooling": "空调",
    "first_aid": "急救药箱", "wifi": "无线网", "books": "图书", "shower": "淋浴",
    "laundry": "洗衣", "parking": "停车",
}


def kind_code(text: str) -> str | None:
    """The kind code for a code or a label a clerk typed; None when it is neither."""
    folded = text.strip().lower()
    if folded in KINDS:
        return folded
    return KIND_ALIASES.get(folded)


def amenity_code(text: str) -> str | None:
    """The amenity code for a code or a word a clerk typed; None when it is neither."""
    folded = text.strip().lower()
    if folded in AMENITIES:
        return folded
    return AMENITY_ALIASES.get(folded)
