"""Addresses to candidate coordinates, through geopy: for the station editor and uploads, and
for the finder when a typed place matches no station.

The geocoder is configuration (config.geocoder_settings): Nominatim by default, called
through geopy's RateLimiter so we keep to its one-request-a-second policy, or BaiduV3 when
a key is set. Answers are cached in the process. Whatever goes wrong (no network, a timeout,
a reply we cannot read) comes back as an error message for the form, never an exception:
staff then drag the pin or type the coordinates.
"""
import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from geopy.exc import GeocoderTimedOut, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import BaiduV3, Nominatim

from china_datums import bd09_to_wgs84

log = logging.getLogger(__name__)

CACHE_SIZE = 2048
MAX_CANDIDATES = 5


@dataclass(frozen=True)
class Candidate:
    label: str
    lat: float
    lon: float


@dataclass(frozen=True)
class GeocodeResult:
    candidates: list[Candidate] = field(default_factory=list)
    error: str | None = None  # localised, for the form; None when the lookup worked


class _Cache:
    """A small thread-safe LRU of successful lookups (including "nothing found")."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


cache = _Cache(CACHE_SIZE)
_limiters: dict[tuple, RateLimiter] = {}
_limiters_lock = threading.Lock()


def _settings(config) -> tuple:
    domain = config["BAIDU_MAP_DOMAIN"] if config["GEOCODER"] == "baidu" else config["GEOCODER_DOMAIN"]
    return (config["GEOCODER"], domain, config["GEOCODER_SCHEME"],
            config["GEOCODER_USER_AGENT"], config["GEOCODER_TIMEOUT_SECONDS"],
            config["GEOCODER_MIN_DELAY_SECONDS"], config["BAIDU_MAP_KEY"],
            config["GEOCODER_COUNTRY_CODES"])


def geocoder_configured(config=None) -> bool:
    config = config or current_app.config
    kind = config["GEOCODER"]
    return kind == "nominatim" or (kind == "baidu" and bool(config["BAIDU_MAP_KEY"]))


def _limited_geocode(settings: tuple) -> RateLimiter:
    """One rate-limited geocode function per configuration, shared by all requests, so
    the minimum delay holds across them."""
    with _limiters_lock:
        if settings not in _limiters:
            kind, domain, scheme, agent, timeout, delay, key, _countries = settings
            if kind == "baidu":
                geocoder = BaiduV3(api_key=key, scheme=scheme, timeout=timeout, user_agent=agent)
                # geopy fixes Baidu's host; the setting points it elsewhere (a test server).
                geocoder.api = f"{scheme}://{domain}{geocoder.api_path}"
            else:
                geocoder = Nominatim(user_agent=agent, domain=domain, scheme=scheme,
                                     timeout=timeout)
            # No retries: staff are waiting, and the map is the fallback.
            _limiters[settings] = RateLimiter(geocoder.geocode, min_delay_seconds=delay,
                                              max_retries=0, swallow_exceptions=False)
        return _limiters[settings]


def geocode(address: str, config=None) -> GeocodeResult:
    """Candidate coordinates for an address, or an error message; never raises."""
    config = config or current_app.config
    address = " ".join(address.split())[:300]
    if not address:
        return GeocodeResult(error=_("Type an address first."))
    if not geocoder_configured(config):
        return GeocodeResult(error=_("Address lookup is not set up. Drag the pin on the map "
                                     "or type the latitude and longitude."))
    settings = _settings(config)
    key = (settings[0], settings[1], settings[6], address)
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        candidates = _lookup(settings, address)
    except GeopyError as error:
        # geopy's requests adapter reports a read timeout as "unavailable: ... timed out".
        if not (isinstance(error, GeocoderTimedOut) or "timed out" in str(error).lower()):
            log.warning("geocoding %r failed: %r", address, error)
            return GeocodeResult(error=_unavailable())
        return GeocodeResult(error=_("The address lookup took too long. Drag the pin on the "
                                     "map or type the latitude and longitude."))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        # A reply we cannot read (unreachable, refused and quota are GeopyErrors above).
        log.warning("geocoding %r failed: %r", address, error)
        return GeocodeResult(error=_unavailable())
    result = GeocodeResult(candidates=candidates)
    cache.put(key, result)
    return result


def _unavailable() -> str:
    return _("The address lookup is not available right now. Drag the pin on the map or type "
             "the latitude and longitude.")


def _lookup(settings: tuple, address: str) -> list[Candidate]:
    kind, countries = settings[0], settings[7]
    limited = _limited_geocode(settings)
    if kind == "baidu":
        found = limited(address, exactly_one=True)
        locations = [found] if found else []
    else:
        locations = limited(address, exactly_one=False, limit=MAX_CANDIDATES,
                            country_codes=countries or None, language="zh-CN") or []
    candidates = []
    for location in locations[:MAX_CANDIDATES]:
        lat, lon = float(location.latitude), float(location.longitude)
        if kind == "baidu":
            lat, lon = bd09_to_wgs84(lat, lon)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat + lon):
            raise ValueError("coordinates out of range")
        candidates.append(Candidate(str(location.address or address), round(lat, 6),
                                    round(lon, 6)))
    return candidates
