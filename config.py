"""Settings, read from the environment when the app is created, so the same code runs on a
laptop, in CI and in production. YIZHAN_ENV picks development, testing or production (the
default: a server started without it fails closed, `make run` chooses development)."""
import os
from datetime import timedelta
from pathlib import Path

import clock

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
ENVIRONMENTS = ("development", "testing", "production")


def settings_for(name: str | None = None) -> dict:
    """The settings of an environment, with values from os.environ where they are set."""
    env = os.environ
    name = name or env.get("YIZHAN_ENV", "production")
    if name not in ENVIRONMENTS:
        raise RuntimeError(f"YIZHAN_ENV={name!r} is not one of {', '.join(ENVIRONMENTS)}")
    settings = {
        "ENV_NAME": name,
        "SECRET_KEY": env.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": env.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'yizhan.sqlite3'}"),
        # No pool_pre_ping: connections.py checks a pooled connection without a round trip.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # Slow on purpose: a stolen table should take years to crack. Tests use a cheap one.
        "PASSWORD_HASH_METHOD": "scrypt",
        "PREFERRED_URL_SCHEME": env.get("PREFERRED_URL_SCHEME", "http"),
        # Where the public reaches the site, e.g. https://yizhan.example.cn: absolute URLs
        # (posters, calendar files) use it instead of the request's Host header.
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", ""),
        "BABEL_DEFAULT_LOCALE": "zh_Hans",
        "BABEL_DEFAULT_TIMEZONE": clock.DEFAULT_ZONE_NAME,
        "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "translations"),
        "LANGUAGES": ("zh_Hans", "en"),
        **map_settings(env, name),
        # Riders come on e-bikes: the finder shows riding time at this speed.
        "RIDING_SPEED_KMH": float(env.get("RIDING_SPEED_KMH", "15")),
        # A tap check-in counts toward free seats only with a browser location this near
        # the station (a poster scan always counts); docs/checkins.md.
        "CHECK_IN_PRESENCE_RADIUS_M": float(env.get("CHECK_IN_PRESENCE_RADIUS_M", "300")),
        "NEAREST_DEFAULT_LIMIT": 5,
        "NEAREST_MAX_LIMIT": 50,
        # The nearest search looks no further: a point far from every station (a failed
        # geolocation sends 0,0) is answered "no station within N km" at the cost of a
        # city search. "inf" searches the whole globe.
        "NEAREST_MAX_DISTANCE_KM": float(env.get("NEAREST_MAX_DISTANCE_KM", "1000")),
        "BBOX_MAX_FEATURES": 500,
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,  # static URLs are fingerprinted
        # Offline copies of the results list and station pages (offline.py, the service worker)
        "OFFLINE_MAX_AGE_HOURS": int(env.get("OFFLINE_MAX_AGE_HOURS", "24")),
        "OFFLINE_NETWORK_TIMEOUT_MS": int(env.get("OFFLINE_NETWORK_TIMEOUT_MS", "6000")),
        **account_security_settings(env),
        **sms_settings(env, name),
        **geocoder_settings(env),
        **serving_settings(env, name),
        # Station bulk upload (station_admin.uploads)
        "STATION_UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
        "STATION_UPLOAD_MAX_ROWS": 5000,
        # How long an open check-in counts when nobody checks out (checkins.rules).
        "CHECK_IN_STAY_MINUTES": 90,
    }
    settings.update(environment_overrides(env, settings))
    if name == "development":
        settings["SECRET_KEY"] = settings["SECRET_KEY"] or "dev-only-not-secret"
    if name == "testing":
        settings.update(
            TESTING=True,
            SECRET_KEY="testing-not-secret",
            # One iteration: hashing is what a test's log_in would spend its time on.
            PASSWORD_HASH_METHOD="pbkdf2:sha256:1",
            SQLALCHEMY_DATABASE_URI=env.get("TEST_DATABASE_URL", "sqlite://"),
            # Tests choose Redis explicitly (tests/test_rate_limits.py); CSRF stays on.
            RATELIMIT_STORAGE_URI="memory://",
            RATELIMIT_KEY_PREFIX="yizhan-test",
            # Tests point a geocoder at a local server when they want one; never the internet.
            GEOCODER="none",
            GEOCODER_MIN_DELAY_SECONDS=0.0,
        )
    return settings


# Tile providers (MAP_TILES). Each URL names one host, since the CSP allows exactly the tile
# origin (security.tile_origin). Tianditu is CGCS2000, which matches WGS-84 at map scale;
# Amap is drawn in GCJ-02, so markers are shifted for display (china_datums).
MAP_PROVIDERS = {
    "osm": {
        "MAP_TILES_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "MAP_TILES_LABELS_URL": "",
        "MAP_TILES_ATTRIBUTION":
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        "MAP_COORDINATES": "wgs84",
    },
    "tianditu": {
        "MAP_TILES_URL": "https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                         "&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                         "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
        "MAP_TILES_LABELS_URL": "https://t0.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                                "&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w"
                                "&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
        "MAP_TILES_ATTRIBUTION":
            '&copy; <a href="https://www.tianditu.gov.cn/">天地图</a> 国家地理信息公共服务平台',
        "MAP_COORDINATES": "wgs84",
    },
    "amap": {
        "MAP_TILES_URL": "https://webrd01.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                         "&style=8&x={x}&y={y}&z={z}",
        "MAP_TILES_LABELS_URL": "",
        "MAP_TILES_ATTRIBUTION": '&copy; <a href="https://www.amap.com/">高德地图</a>',
        "MAP_COORDINATES": "gcj02",
    },
}


def map_settings(env, environment: str) -> dict:
    """MAP_TILES = osm (default) | tianditu (needs MAP_TILES_KEY) | amap. MAP_TILES_URL and
    MAP_TILES_ATTRIBUTION, when set, replace the provider's (a tile mirror, the bench)."""
    provider = env.get("MAP_TILES", "osm").strip().lower()
    if provider not in MAP_PROVIDERS:
        raise RuntimeError(f"MAP_TILES={provider!r} is not one of {', '.join(MAP_PROVIDERS)}")
    key = env.get("MAP_TILES_KEY", "")
    if provider == "tianditu" and not key and environment == "production":
        raise RuntimeError("MAP_TILES=tianditu needs MAP_TILES_KEY (a 天地图 browser key "
                           "from https://console.tianditu.gov.cn/)")
    settings = {"MAP_TILES": provider, "MAP_TILES_KEY": key, **MAP_PROVIDERS[provider]}
    for name in ("MAP_TILES_URL", "MAP_TILES_LABELS_URL"):
        settings[name] = settings[name].replace("{key}", key)
    for name in ("MAP_TILES_URL", "MAP_TILES_ATTRIBUTION"):
        if env.get(name):
            settings[name] = env[name]
    return settings


def account_security_settings(env) -> dict:
    """Cookies, sessions and rate limits; docs/security.md explains each choice."""
    secure = env.get("PREFERRED_URL_SCHEME", "http") == "https"
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        # Riders should not have to log in every day.
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        # Memory storage counts per process: several gunicorn workers would multiply every
        # limit, so production sets REDIS_URL.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": "yizhan",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_DEFAULT": "60 per 10 minutes",
        # Login failures: per number from anywhere (then a growing delay, never a lockout),
        # and per (number, address), which does lock that address out for the window.
        "RATELIMIT_LOGIN_PER_PHONE": "5 per 15 minutes",
        "RATELIMIT_LOGIN_PER_PAIR": "5 per 15 minutes",
        "LOGIN_FAILURES_BEFORE_DELAY": 5,
        "LOGIN_FIRST_DELAY_SECONDS": 1,
        "LOGIN_MAX_DELAY_SECONDS": 60,
        # Asking for SMS codes, per address (each number also has its own limits: accounts.otp).
        "RATELIMIT_SMS_PER_IP": "20 per hour",
        # Every signed-in write counts per user; this ceiling per address is for all of them
        # together: 200 workers on one station's Wi-Fi, ten writes each.
        "RATELIMIT_WRITES_PER_ADDRESS": "2000 per 10 minutes",
        "RATELIMIT_LOGIN_PER_IP": "30 per 15 minutes",
        "RATELIMIT_REGISTER_PER_IP": "10 per hour",
        "RATELIMIT_WRITES_PER_USER": "60 per 10 minutes",
    }


# Published in this repository, so never a secret: refused outside development and testing.
KNOWN_SECRET_KEYS = frozenset({"dev-only-not-secret", "testing-not-secret", "change-me",
                               "changeme", "secret", "dev", "development"})


def check_secret_key(settings: dict) -> None:
    """Fail closed: outside development and testing, a missing, short or published
    SECRET_KEY stops the app before it signs a single cookie."""
    key = settings.get("SECRET_KEY") or ""
    if settings.get("ENV_NAME") in ("development", "testing") and key:
        return
    if not key or key in KNOWN_SECRET_KEYS or len(key) < 16:
        raise RuntimeError(
            "SECRET_KEY is missing, too short or a published default. Set the SECRET_KEY "
            "environment variable to a long random string (python -c 'import secrets; "
            "print(secrets.token_hex(32))'); for a laptop, run `make run` (YIZHAN_ENV=development).")


def sms_settings(env, name: str) -> dict:
    """Text messages (accounts.sms), one-time codes and notices: console in development and
    testing, aliyun or tencent in production, which refuses to start without one, its keys
    and its templates."""
    return {
        "SMS_BACKEND": env.get("SMS_BACKEND", "console" if name in ("development", "testing") else ""),
        "SMS_SIGN_NAME": env.get("SMS_SIGN_NAME", ""),
        "SMS_TEMPLATE": env.get("SMS_TEMPLATE", ""),
        # The approved template for a job recommendation (jobs.seekers): ${title}, ${place}.
        "SMS_RECOMMENDATION_TEMPLATE": env.get("SMS_RECOMMENDATION_TEMPLATE", ""),
        "SMS_ENDPOINT": env.get("SMS_ENDPOINT", ""),
        "SMS_PROTOCOL": env.get("SMS_PROTOCOL", "https"),
        "SMS_TIMEOUT_SECONDS": float(env.get("SMS_TIMEOUT_SECONDS", "5")),
        "ALIYUN_ACCESS_KEY_ID": env.get("ALIYUN_ACCESS_KEY_ID", ""),
        "ALIYUN_ACCESS_KEY_SECRET": env.get("ALIYUN_ACCESS_KEY_SECRET", ""),
        "TENCENT_SECRET_ID": env.get("TENCENT_SECRET_ID", ""),
        "TENCENT_SECRET_KEY": env.get("TENCENT_SECRET_KEY", ""),
        "TENCENT_SMS_APP_ID": env.get("TENCENT_SMS_APP_ID", ""),
        "TENCENT_SMS_REGION": env.get("TENCENT_SMS_REGION", "ap-guangzhou"),
    }


def geocoder_settings(env) -> dict:
    """Address lookup for the station editor (station_admin.geocoding): "nominatim" (the
    default; its usage policy asks for one request a second and a real user agent), "baidu"
    when BAIDU_MAP_KEY is set (better coverage of China), or "none"."""
    baidu_key = env.get("BAIDU_MAP_KEY", "")
    return {
        "GEOCODER": env.get("GEOCODER", "baidu" if baidu_key else "nominatim"),
        "GEOCODER_USER_AGENT": env.get("GEOCODER_USER_AGENT",
                                       "yizhan-station-admin/1.0 (+https://yizhan.example.cn)"),
        "GEOCODER_DOMAIN": env.get("GEOCODER_DOMAIN", "nominatim.openstreetmap.org"),
        "GEOCODER_SCHEME": env.get("GEOCODER_SCHEME", "https"),
        # Both read from the environment by environment_overrides().
        "GEOCODER_TIMEOUT_SECONDS": 4.0,
        "GEOCODER_MIN_DELAY_SECONDS": 1.0,
        "GEOCODER_COUNTRY_CODES": env.get("GEOCODER_COUNTRY_CODES", "cn"),
        "BAIDU_MAP_KEY": baidu_key,
        "BAIDU_MAP_DOMAIN": env.get("BAIDU_MAP_DOMAIN", "api.map.baidu.com"),
    }


def _int(env, name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name}={value!r} is not a whole number") from None


def _list(env, name: str) -> list[str] | None:
    items = [item.strip() for item in env.get(name, "").split(",") if item.strip()]
    return items or None


def serving_settings(env, name: str) -> dict:
    """Request limits, proxies, hosts, logs, health and the worker; docs/operations.md."""
    return {
        # Every request body is refused beyond 64 KB (413), except at the upload endpoints
        # (security.UPLOAD_ENDPOINTS), which take up to 8 MB; the view checks its own limit.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 64 * 1024),
        "UPLOAD_MAX_CONTENT_LENGTH": _int(env, "UPLOAD_MAX_CONTENT_LENGTH", 8 * 1024 * 1024),
        # How many proxies (nginx, a load balancer) stand in front of the app and set
        # X-Forwarded-For/-Proto: 0 trusts none, 1 for nginx on the same host.
        "PROXY_FIX_HOPS": _int(env, "PROXY_FIX_HOPS", 0),
        # The Host headers the app answers (Flask refuses others with 400); unset allows any.
        "TRUSTED_HOSTS": _list(env, "TRUSTED_HOSTS"),
        # Sent with every https response: browsers then refuse plain http for a year.
        "HSTS_MAX_AGE": _int(env, "HSTS_MAX_AGE", 365 * 24 * 3600),
        # "json" (one object a line, for log collectors) or "text" (development).
        "LOG_FORMAT": env.get("LOG_FORMAT", "json" if name == "production" else "text"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "REDIS_URL": env.get("REDIS_URL", ""),
        # `flask worker`: how often the periodic jobs run (seconds).
        "WORKER_TICK_SECONDS": _int(env, "WORKER_TICK_SECONDS", 60),
        "WORKER_HOUSEKEEPING_SECONDS": _int(env, "WORKER_HOUSEKEEPING_SECONDS", 600),
        "BACKUP_DIR": env.get("BACKUP_DIR", str(INSTANCE_DIR / "backups")),
    }


# Set only in code: derived from other variables, structured, or not a deployment choice.
NOT_FROM_ENVIRONMENT = frozenset({"ENV_NAME", "SQLALCHEMY_DATABASE_URI", "LANGUAGES",
                                  "BABEL_TRANSLATION_DIRECTORIES", "SQLALCHEMY_ENGINE_OPTIONS",
                                  "TRUSTED_HOSTS", "MAP_COORDINATES"})


def environment_overrides(env, settings: dict) -> dict:
    """Every plain setting can be set from the environment under its own name
    (CHECK_IN_STAY_MINUTES=120), converted to the type of its default; README lists them."""
    overrides = {}
    for key, default in settings.items():
        if key in NOT_FROM_ENVIRONMENT or key not in env:
            continue
        raw = env[key].strip()
        if isinstance(default, bool):
            if raw.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise RuntimeError(f"{key}={raw!r} is not true or false")
            overrides[key] = raw.lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            overrides[key] = _int(env, key, default)
        elif isinstance(default, float):
            try:
                overrides[key] = float(raw)
            except ValueError:
                raise RuntimeError(f"{key}={raw!r} is not a number") from None
        elif isinstance(default, timedelta):
            overrides[key] = timedelta(seconds=_int(env, key, 0))
        elif isinstance(default, str) or default is None:
            overrides[key] = raw
    return overrides
