"""Shared fixtures: an app per database, a clean database per test, and data factories.

Every test that uses `app` runs on SQLite, and again on PostgreSQL when TEST_DATABASE_URL
is set (CI sets it). A set but unreachable TEST_DATABASE_URL fails the run; it never skips.

`make test` runs the suite on every core (pytest-xdist). Each worker gets its own
PostgreSQL database (the configured one for the first worker, `<name>_gw1` and so on,
created when missing) and its own Redis database number, so workers never see each
other's rows or counters.
"""
import os

from sqlalchemy.engine import make_url


def _isolate_xdist_worker() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    number = int(worker[2:]) if worker.startswith("gw") else 0
    if not number:
        return
    if os.environ.get("TEST_DATABASE_URL"):
        url = make_url(os.environ["TEST_DATABASE_URL"])
        own = url.set(database=f"{url.database}_gw{number}")
        _create_database_if_missing(url, own.database)
        os.environ["TEST_DATABASE_URL"] = own.render_as_string(hide_password=False)
    if not os.environ.get("REDIS_URL_FOR_TESTS"):
        return  # without it, the Redis tests skip
    redis_url = make_url(os.environ["REDIS_URL_FOR_TESTS"])
    database = int(redis_url.database or 0)
    os.environ["REDIS_URL_FOR_TESTS"] = redis_url.set(
        database=str((database - number) % 16)).render_as_string(hide_password=False)


def _create_database_if_missing(server_url, name: str) -> None:
    from sqlalchemy import create_engine, text as sql

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(sql("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": name}).first()
        if not exists:
            connection.execute(sql(f'CREATE DATABASE "{name}"'))
    engine.dispose()


_isolate_xdist_worker()

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from extensions import db
from rest_stations.models import Station
from rest_stations.postgis import exists_on
from tests.accounts.factories import make_organisation, make_user  # noqa: F401 (fixtures)

DATABASES = {"sqlite": "sqlite:///{tmp}/test.sqlite3"}
if os.environ.get("TEST_DATABASE_URL"):
    DATABASES["postgresql"] = os.environ["TEST_DATABASE_URL"]


@pytest.hookimpl(optionalhook=True)  # `-p no:xdist` runs the suite in one process
def pytest_xdist_make_scheduler(config, log):
    """`make test`'s scheduler (`--dist loadscope`): tests are dealt in runs of 20, in
    collection order, to whichever worker is free, so the longest files (the endpoint table,
    the route walk) are shared by the workers instead of holding one (a test at a time kept
    a worker waiting on the controller). The browser tests are one unit, run on one worker
    in file order as they run alone, because they share a live server and its data, and
    some build module-wide worlds on it. (xdist's own `loadgroup` would group them by
    marks, but xdist 3.8 cannot rename pytest 9's node ids, so it ignores the marks.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class RunsOfTestsBrowsersTogether(LoadScopeScheduling):
        run_length = 20

        def __init__(self, config, log=None):
            super().__init__(config, log)
            self.runs: dict[str, str] = {}

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/e2e/"):
                return "browser tests"
            # Called over the collection in order: consecutive tests share a run.
            return self.runs.setdefault(nodeid, f"run {len(self.runs) // self.run_length}")

    return RunsOfTestsBrowsersTogether(config, log)


def _reset_schema(url: str) -> None:
    """Drop every table, so migrations build the schema from nothing."""
    if url.startswith("postgresql"):
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    Tests keep an app context pushed for calling domain functions; without this, requests
    would share its `g`, and with it the cached locale and logged-in user.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session", params=list(DATABASES))
def app(request, tmp_path_factory):
    url = DATABASES[request.param].format(tmp=tmp_path_factory.mktemp("db"))
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    app.test_client_class = IsolatedClient
    with app.app_context():
        _reset_schema(url)
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _app_context_and_clean_tables(request):
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        _delete_all_rows()


def _delete_all_rows() -> None:
    # DELETE, children first: TRUNCATE costs PostgreSQL ~180 ms a test on these small tables.
    # Ids are not reset, so tests never rely on them.
    db.session.rollback()
    dialect = db.engine.dialect.name
    tables = [table for table in reversed(db.metadata.sorted_tables)
              if exists_on(table, dialect)]  # station_cell is SQLite's only
    if dialect == "postgresql":
        # One round trip for every table: 4 ms a test instead of 15.
        db.session.execute(text(";".join(f'DELETE FROM "{table.name}"' for table in tables)))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_station(app):
    """A factory: make_station(lat=..., lon=..., **fields) adds and commits one station."""
    counter = iter(range(1, 10**9))

    def make(lat: float = 39.1335, lon: float = 117.2081, **fields) -> Station:
        number = next(counter)
        station = Station(
            name=fields.pop("name", f"测试驿站 {number}"),
            address=fields.pop("address", f"测试路 {number} 号"),
            lat=lat,
            lon=lon,
            amenities=fields.pop("amenities", ["water", "rest", "charging"]),
            opening_hours=fields.pop("opening_hours", "24/7"),
            capacity=fields.pop("capacity", 10),
            **fields,
        )
        db.session.add(station)
        db.session.commit()
        return station

    return make


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit counters start at zero in every test, in the test app's own storage.

    The limiter is one object per process and binds to the last app that called init_app
    (some tests create other apps), so rebind it; for memory storage that also empties it.
    """
    if "app" in request.fixturenames:
        from extensions import limiter

        limiter.init_app(request.getfixturevalue("app"))
    yield


@pytest.fixture
def server(app):
    """The app served by a real threaded server on 127.0.0.1, for concurrency tests.

    Rate limits are off: a burst of hundreds of logins comes from one address."""
    from extensions import limiter
    from tests.e2e.conftest import serve

    url, stop = serve(app, backlog=512)
    limiter.enabled = False
    yield url
    limiter.enabled = True
    stop()
