"""Reading search parameters from a query string, with errors that name the field.

The JSON API and the HTML finder share these, so both refuse the same input the same way.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from rest_stations.vocabulary import AMENITIES, KINDS


# Ids are 32-bit integers on PostgreSQL: a larger one is not found rather than an error.
MAX_ID = 2**31 - 1


class BadParameter(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class NearestQuery:
    lat: float
    lon: float
    limit: int
    amenities: list[str] = field(default_factory=list)
    open_now: bool = False
    kind: str | None = None


def number(args: MultiDict, name: str, low: float, high: float) -> float:
    text = args.get(name, "").strip()
    if not text:
        raise BadParameter(name, _("%(field)s is required", field=name))
    try:
        value = float(text)
    except ValueError:
        raise BadParameter(name, _("%(field)s must be a number", field=name)) from None
    if not (low <= value <= high):  # also refuses nan
        raise BadParameter(name, _("%(field)s must be between %(low)s and %(high)s",
                                   field=name, low=low, high=high))
    return value


def limit_param(args: MultiDict, default: int, maximum: int) -> int:
    text = args.get("limit", "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise BadParameter("limit", _("limit must be a whole number from 1 to %(max)d",
                                      max=maximum))
    return int(text)


def amenities_param(args: MultiDict) -> list[str]:
    codes = [code.strip() for code in args.getlist("amenity") if code.strip()]
    for code in codes:
        if code not in AMENITIES:
            raise BadParameter("amenity", _("amenity %(code)r is not one of: %(codes)s",
                                            code=code, codes=", ".join(AMENITIES)))
    return list(dict.fromkeys(codes))


def flag_param(args: MultiDict, name: str) -> bool:
    text = args.get(name, "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise BadParameter(name, _("%(field)s must be 1 or 0", field=name))


def kind_param(args: MultiDict) -> str | None:
    kind = args.get("kind", "").strip()
    if kind and kind not in KINDS:
        raise BadParameter("kind", _("kind %(kind)r is not one of: %(kinds)s",
                                     kind=kind, kinds=", ".join(KINDS)))
    return kind or None


def nearest_query(args: MultiDict, default_limit: int, max_limit: int) -> NearestQuery:
    """A checked nearest-station query; raises BadParameter on the first bad field."""
    return NearestQuery(
        lat=number(args, "lat", -90, 90),
        lon=number(args, "lon", -180, 180),
        limit=limit_param(args, default_limit, max_limit),
        amenities=amenities_param(args),
        open_now=flag_param(args, "open_now"),
        kind=kind_param(args),
    )


def bbox_param(args: MultiDict) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) from bbox=minlon,minlat,maxlon,maxlat."""
    parts = args.get("bbox", "").split(",")
    if len(parts) != 4:
        raise BadParameter("bbox", _("bbox must be minlon,minlat,maxlon,maxlat"))
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
    except ValueError:
        raise BadParameter("bbox", _("bbox must be four numbers: minlon,minlat,maxlon,maxlat")) from None
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise BadParameter("bbox", _("bbox longitudes must be between -180 and 180"))
    if not (-90 <= min_lat <= max_lat <= 90):
        raise BadParameter("bbox", _("bbox latitudes must be between -90 and 90, minimum first"))
    return min_lon, min_lat, max_lon, max_lat
