"""Language choice: a saved preference wins, then the browser's Accept-Language, then Chinese."""
import os
from functools import lru_cache
from urllib.parse import urlsplit

from babel.support import Translations
from flask import Blueprint, Flask, abort, current_app, g, redirect, request, url_for
from flask_babel import force_locale, get_locale, get_translations
from wtforms.i18n import messages_path

LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
HTML_LANG = {"zh_Hans": "zh-Hans", "en": "en"}
# Each language is named in itself, so a reader who cannot read the page still finds theirs.
LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}

blueprint = Blueprint("language", __name__)


def request_translations():
    """The catalogue of this request's locale, looked up once per request and locale.

    Flask-Babel looks it up afresh for every string (its domain, context, locale and the
    locale's name: ~0.1 ms), and a finder page has ~400 strings. The memo is keyed on the
    locale object, so force_locale() (which swaps it) still gets its own catalogue."""
    ctx = getattr(g, "_flask_babel", None) if g else None
    if ctx is not None:
        memo = getattr(ctx, "yizhan_translations", None)
        if memo is not None and memo[0] is getattr(ctx, "babel_locale", None):
            return memo[1]
    translations = get_translations()
    ctx = getattr(g, "_flask_babel", None) if g else None
    locale = getattr(ctx, "babel_locale", None)
    if locale is not None:
        ctx.yizhan_translations = (locale, translations)
    return translations


@lru_cache(maxsize=8)
def _wtforms_catalogue(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class _RequestWTFormsCatalogue:
    """WTForms' own messages ("This field is required.") in the request's language, the
    catalogue parsed once per process and looked up only when a form asks: Flask-WTF reads
    the .mo file from disk again in every request that builds a form (~0.5 ms of each
    check-in) unless the request carries a catalogue, and most requests build none."""

    def ugettext(self, string: str) -> str:
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


_REQUEST_WTFORMS_CATALOGUE = _RequestWTFormsCatalogue()


def share_wtforms_catalogue() -> None:
    request.wtforms_translations = _REQUEST_WTFORMS_CATALOGUE


def init_app(app: Flask) -> None:
    """Templates' _() and friends through request_translations(); after Babel's init_app."""
    app.before_request(share_wtforms_catalogue)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    # `_` is gettext itself rather than Jinja's alias, which looks gettext up in the
    # template context at every call (~60 strings a page); no template overrides gettext.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"]


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    saved = request.cookies.get(LANGUAGE_COOKIE)
    if saved in languages:
        return saved
    # Accept-Language says "zh-CN" or "zh"; both mean simplified Chinese for us.
    offered = {"zh": "zh_Hans", "zh_Hans": "zh_Hans", "zh_CN": "zh_Hans", "en": "en"}
    best = request.accept_languages.best_match(
        ["zh-Hans", "zh-CN", "zh", "en"], default=None
    )
    if best:
        return offered.get(best.replace("-", "_"), current_app.config["BABEL_DEFAULT_LOCALE"])
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def cli_locale() -> str:
    """The terminal's language: English when LANG/LANGUAGE asks for it, else Chinese."""
    wanted = os.environ.get("LANGUAGE") or os.environ.get("LANG") or ""
    return "en" if wanted.lower().startswith("en") else "zh_Hans"


def in_cli_locale(func):
    """Run a CLI command with messages in the terminal's language."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with force_locale(cli_locale()):
            return func(*args, **kwargs)

    return wrapper


def language_context() -> dict:
    current = str(get_locale())
    return {
        "html_lang": HTML_LANG.get(current, "zh-Hans"),
        "other_languages": {code: name for code, name in LANGUAGE_NAMES.items() if code != current},
    }


def safe_next(target: str | None, default: str | None = None) -> str:
    """A path on this site to go back to; anything else becomes `default` (the home page).

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so
    "/\t/evil.example" would become "//evil.example": another site. Any control character,
    backslash or leading "//" therefore refuses the target outright."""
    fallback = default or url_for("stations.index")
    target = (target or "").strip()
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target) or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return fallback
    return target


@blueprint.post("/language")
def update():
    """Remember the chosen language for a year and go back to the page the form was on."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400, description="unknown language")
    response = redirect(safe_next(request.form.get("next")), code=303)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_MAX_AGE,
                        secure=request.is_secure, httponly=True, samesite="Lax")
    return response
