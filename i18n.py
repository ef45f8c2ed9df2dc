"""Language choice: a saved preference wins, then the browser's Accept-Language, then Chinese."""
import os

from flask import current_app, request
from flask_babel import force_locale, get_locale

LANGUAGE_COOKIE = "lang"
HTML_LANG = {"zh_Hans": "zh-Hans", "en": "en"}


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
    return {"html_lang": HTML_LANG.get(str(get_locale()), "zh-Hans")}
