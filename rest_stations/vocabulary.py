"""The fixed vocabularies of station data: amenities, kinds and statuses, with their labels.

An amenity's position in AMENITIES is its bit in Station.amenity_mask, so codes may be
appended but never reordered or removed.
"""
from collections.abc import Iterable

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
