"""Logging many workers in through a real server, as their browsers would: the one helper of
the burst tests (services, check-ins, gigs).

Each worker posts the login form with a CSRF token that a page gave it, then reads a fresh
token from a page seen after logging in (login starts a new session). The page before login
is fetched once per server and its session cookie shared: Flask's session is a signed cookie,
so every worker still ends up with a session of its own, minted by its own login.
"""
import re
from concurrent.futures import ThreadPoolExecutor

import requests

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
# The smallest page that a signed-in worker can open (its token is the session's, like any
# other page's); the login page is the smallest one before.
PAGE_AFTER_LOGIN = "/account/password"


def page_token(session: requests.Session, url: str) -> str:
    return TOKEN.search(session.get(url, timeout=30).text).group(1)


def log_in_everyone(bases: list[str], phones: list[str], password: str,
                    threads: int = 32) -> list[requests.Session]:
    """A signed-in `requests.Session` per phone; worker n uses server n % len(bases). Each
    session's `csrf_token` attribute holds the token its pages give."""
    before_login = {}
    for base in bases:
        anonymous = requests.Session()
        before_login[base] = (page_token(anonymous, f"{base}/account/login"), anonymous.cookies)

    def log_in(n: int) -> requests.Session:
        base = bases[n % len(bases)]
        token, cookies = before_login[base]
        session = requests.Session()
        session.cookies.update(cookies)  # a jar: the cookie keeps its domain, so login replaces it
        response = session.post(f"{base}/account/login", allow_redirects=False, timeout=30,
                                data={"csrf_token": token, "phone": phones[n], "password": password})
        assert response.status_code == 303, response.text[:300]
        session.csrf_token = page_token(session, base + PAGE_AFTER_LOGIN)
        return session

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(log_in, range(len(phones))))
