"""Where is the place a rider typed? When no station's text matches ("南京路", "滨江道"), the
finder asks the configured geocoder (geocoding.py: Nominatim, or Baidu with its BD-09
answers converted to WGS-84), scoped to the rider's city, and lists the stations nearest to
the place it names. The geocoder caches answers; an outage falls back to a clear message.
"""
from dataclasses import dataclass

import geocoding


@dataclass(frozen=True)
class Place:
    label: str  # what the rider typed, for "距 南京路 最近的驿站"
    lat: float
    lon: float


@dataclass(frozen=True)
class PlaceLookup:
    place: Place | None = None
    error: str | None = None  # localised, when the geocoder could not answer


def scoped_query(text: str, city: str = "") -> str:
    """The text with the rider's city in front, unless the text already names it."""
    text = " ".join(text.split())
    city = (city or "").strip()
    bare_city = city.removesuffix("市")
    if not city or (bare_city and bare_city in text):
        return text
    return f"{city} {text}"


def locate_place(text: str, *, city: str = "", config=None) -> PlaceLookup:
    """The best match for `text` in `city`, or why there is none; never raises."""
    if not geocoding.geocoder_configured(config):
        return PlaceLookup()
    result = geocoding.geocode(scoped_query(text, city), config)
    if result.error:
        return PlaceLookup(error=result.error)
    if not result.candidates:
        return PlaceLookup()
    best = result.candidates[0]
    return PlaceLookup(place=Place(label=" ".join(text.split()), lat=best.lat, lon=best.lon))
