"""Browser tests: the real app in a thread, driven by Debian's headless Chromium.

`live_server` serves the app on 127.0.0.1 (random port) from a temporary SQLite file,
migrated and loaded with the demo data. `browser` is one Chromium for the session, and
`phone` opens 390×844 phone pages with a chosen locale and geolocation. Every phone page
blocks map tiles (answered with a blank image: this machine has no internet) and fails the
test if any other request leaves 127.0.0.1.

These fixtures do not use the `app` fixture of tests/conftest.py, so the per-test app
context and table cleaning there stay out of the way.
"""
import base64
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_migrate import upgrade
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE_VIEWPORT = {"width": 390, "height": 844}
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
# A 1×1 transparent PNG stands in for every map tile.
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def require_chromium() -> None:
    """Skip (or fail, in CI: YIZHAN_REQUIRE_BROWSER=1) when Chromium is not installed."""
    if os.path.exists(CHROMIUM):
        return
    reason = f"{CHROMIUM} not found: install it with `apt-get install chromium` to run browser tests"
    if os.environ.get("YIZHAN_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (YIZHAN_REQUIRE_BROWSER=1 makes this an error)", pytrace=False)
    pytest.skip(reason)


@dataclass
class LiveServer:
    app: Flask
    url: str

    @contextmanager
    def app_context(self):
        """Reach the server's database from a test, e.g. to read or create rows."""
        with self.app.app_context():
            yield


def serve(app: Flask, backlog: int | None = None):
    """Start `app` on 127.0.0.1 at a free port in a thread; returns (url, stop).

    `backlog` widens the listen queue for tests whose whole burst connects at once."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    if backlog:
        server.socket.listen(backlog)
    thread = threading.Thread(target=server.serve_forever, daemon=True,
                              kwargs={"poll_interval": 0.05})  # a quick shutdown()
    thread.start()

    def stop():
        server.shutdown()
        thread.join(timeout=10)

    return f"http://127.0.0.1:{server.server_port}", stop


def create_live_app(database_path: Path, **overrides) -> Flask:
    """The testing app on a migrated SQLite file holding the demo stations."""
    from app import create_app
    from extensions import db
    from rest_stations.cli import seed_demo_stations

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{database_path}", **overrides)
    with app.app_context(), force_locale("en"):
        upgrade(directory=str(MIGRATIONS))
        seed_demo_stations()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    app = create_live_app(tmp_path_factory.mktemp("e2e") / "e2e.sqlite3")
    url, stop = serve(app)
    yield LiveServer(app=app, url=url)
    stop()
    with app.app_context():
        from extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Traffic:
    """What a page asked for: every URL, and those that went somewhere they should not."""

    tile_host: str
    urls: list[str] = field(default_factory=list)
    tiles: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        self.urls.append(url)
        if parts.scheme in ("data", "blob") or parts.hostname == "127.0.0.1":
            route.continue_()
        elif parts.hostname == self.tile_host:
            self.tiles.append(url)
            route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            self.foreign.append(url)
            route.abort()


@dataclass
class Phone:
    page: object  # playwright Page
    traffic: Traffic
    console_errors: list[str]
    base_url: str

    def goto(self, path: str = "/"):
        return self.page.goto(self.base_url + path)


@pytest.fixture
def phone(browser, live_server) -> Callable[..., Phone]:
    """A factory: phone(locale="zh-CN", geolocation=(lat, lon) or None, allow_location=True)."""
    contexts = []
    tile_host = urlsplit(live_server.app.config["MAP_TILES_URL"].replace("{s}", "a")).hostname

    def open_phone(locale: str = "zh-CN", geolocation: tuple[float, float] | None = None,
                   allow_location: bool = True) -> Phone:
        context = browser.new_context(
            viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True,
            locale=locale,
            geolocation={"latitude": geolocation[0], "longitude": geolocation[1]} if geolocation else None,
            permissions=["geolocation"] if geolocation and allow_location else [],
        )
        context.set_default_timeout(10_000)
        traffic = Traffic(tile_host=tile_host)
        context.route("**/*", traffic.route)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        contexts.append((context, traffic))
        return Phone(page=page, traffic=traffic, console_errors=errors, base_url=live_server.url)

    yield open_phone
    for context, traffic in contexts:
        context.close()
        assert not traffic.foreign, f"requests left 127.0.0.1 (not tiles): {traffic.foreign}"


@pytest.fixture
def phone_page(phone):
    """A Chinese-language phone page with no location permission."""
    return phone().page

