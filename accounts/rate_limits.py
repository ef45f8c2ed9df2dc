"""Rate limits: keys and limits read from config, so deployments and tests can tune them.
Counts live in the limiter's storage (Redis in production), shared by every worker.

Logins slow down rather than lock out (accounts.views.login calls `login_wait` before checking
a password and `login_failed` after a wrong one):
- per address: RATELIMIT_LOGIN_PER_IP failures, whatever the numbers, and the address waits;
- per (number, address): after RATELIMIT_LOGIN_PER_PAIR failures that address is refused for
  that number until the window ends; a guesser at one address stops there;
- per number, from anywhere: each failure beyond the first few makes the number wait a little
  longer (1 s, 2 s, 4 s ... at most LOGIN_MAX_DELAY_SECONDS), so guesses spread over many
  addresses crawl, while the owner with the right password from a new address waits seconds.
The number is read from the parsed form, so form and JSON logins share one key.

Signed-in writes count per user (extensions.limiter's key), under a per-address ceiling
(RATELIMIT_WRITES_PER_ADDRESS) high enough for a station's shared Wi-Fi.
"""
import math
import time

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import RateLimitItemPerSecond, parse

from extensions import limiter


def _configured(name: str):
    return lambda: current_app.config[name]


def user_or_address() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _pair_limit():
    return parse(current_app.config["RATELIMIT_LOGIN_PER_PAIR"])


def _address_limit():
    return parse(current_app.config["RATELIMIT_LOGIN_PER_IP"])


def _number_window():
    return parse(current_app.config["RATELIMIT_LOGIN_PER_PHONE"])


def _tally(window):
    return type(window)(10**6, window.multiples, window.namespace)


def _wait_item(seconds: int):
    return RateLimitItemPerSecond(1, seconds)


def _counting() -> bool:
    """Whether limits are counted (RATELIMIT_ENABLED, or a test server's limiter.enabled)."""
    return bool(limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True)
                and limiter.limiter is not None)


def login_wait(phone: str) -> int:
    """Seconds this number must wait before a password is checked from this address (0: go)."""
    if not _counting():
        return 0
    strategy, address = limiter.limiter, get_remote_address()
    waits = []
    for item, keys in ((_pair_limit(), ("login-pair", f"phone:{phone}", address)),
                       (_address_limit(), ("login-address", address))):
        if not strategy.test(item, *keys):
            waits.append(strategy.get_window_stats(item, *keys).reset_time)
    delay = current_app.config["LOGIN_MAX_DELAY_SECONDS"]
    for seconds in _delays(delay):
        item = _wait_item(seconds)
        if not strategy.test(item, "login-wait", f"phone:{phone}"):
            waits.append(strategy.get_window_stats(item, "login-wait", f"phone:{phone}").reset_time)
    if not waits:
        return 0
    return max(1, math.ceil(max(waits) - time.time()))


def _delays(cap: int) -> list[int]:
    """Every wait a number can be given: the first delay, doubled up to the cap."""
    delays, seconds = [], current_app.config["LOGIN_FIRST_DELAY_SECONDS"]
    while seconds < cap:
        delays.append(seconds)
        seconds *= 2
    return delays + [cap]


def login_failed(phone: str) -> None:
    """Count a wrong password for this number (and this address), and make the number wait."""
    if not _counting():
        return
    strategy, address = limiter.limiter, get_remote_address()
    strategy.hit(_pair_limit(), "login-pair", f"phone:{phone}", address)
    strategy.hit(_address_limit(), "login-address", address)
    window = _number_window()
    strategy.hit(window, f"phone:{phone}")
    # The same window with room to count past its limit: how long the number waits next.
    tally = _tally(window)
    strategy.hit(tally, "login-tally", f"phone:{phone}")
    failures = tally.amount - strategy.get_window_stats(tally, "login-tally", f"phone:{phone}").remaining
    free = current_app.config["LOGIN_FAILURES_BEFORE_DELAY"]
    if failures >= free:
        cap = current_app.config["LOGIN_MAX_DELAY_SECONDS"]
        first = current_app.config["LOGIN_FIRST_DELAY_SECONDS"]
        strategy.hit(_wait_item(min(first * 2 ** (failures - free), cap)), "login-wait",
                     f"phone:{phone}")


def login_succeeded(phone: str) -> None:
    """The owner is in: the number's delay and count start again (the guesser's pair stays)."""
    if not _counting():
        return
    strategy = limiter.limiter
    strategy.clear(_number_window(), f"phone:{phone}")
    strategy.clear(_tally(_number_window()), "login-tally", f"phone:{phone}")
    for seconds in _delays(current_app.config["LOGIN_MAX_DELAY_SECONDS"]):
        strategy.clear(_wait_item(seconds), "login-wait", f"phone:{phone}")


def _login_failed_response(response) -> bool:
    return response.status_code != 303


def _sending_code() -> bool:
    return "send_code" in request.form


def _not_sending_code() -> bool:
    return not _sending_code()


# The password login counts its own failures (login_wait/login_failed above), including the
# address's; it is exempt from the limiter's decorators so that its Retry-After is its own.
# Code login and reset: addresses trying many numbers; only failures count.
login_per_address = limiter.limit(_configured("RATELIMIT_LOGIN_PER_IP"), methods=["POST"],
                                  deduct_when=_login_failed_response)
registration = limiter.limit(_configured("RATELIMIT_REGISTER_PER_IP"), methods=["POST"],
                             exempt_when=_sending_code)
# Text messages cost money and annoy the recipient: each address may ask for a few.
sms_per_address = limiter.limit(_configured("RATELIMIT_SMS_PER_IP"), methods=["POST"],
                                exempt_when=_not_sending_code)
writes = limiter.limit(_configured("RATELIMIT_WRITES_PER_USER"), methods=["POST"],
                       key_func=user_or_address)
exempt = limiter.exempt
