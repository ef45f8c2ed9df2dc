"""The 200-for-30 burst split across two app processes that share one PostgreSQL database,
as production runs several gunicorn workers: the row lock, not anything in one process's
memory, keeps the count right. PostgreSQL only (SQLite is one file on one machine)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extensions import db
from tests.services.test_concurrency import (PLACES, WORKERS, assert_exactly_filled, make_workers,
                                             open_event, sign_up_all_at_once)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_servers(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two app processes share a PostgreSQL database (set TEST_DATABASE_URL)")
    url = db.engine.url.render_as_string(hide_password=False)
    processes = [subprocess.Popen([sys.executable, "-m", "tests.services.serve_app", url], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT)})
                 for _ in range(2)]
    try:
        yield [f"http://127.0.0.1:{int(p.stdout.readline())}" for p in processes]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def test_two_app_processes_on_one_postgresql_never_overbook(two_servers, make_organisation,
                                                            make_station):
    organisation = make_organisation("河东区总工会")
    event_id = open_event(organisation.id, make_station(organisation_id=organisation.id).id, PLACES)
    results = sign_up_all_at_once(two_servers, event_id, make_workers(WORKERS))
    assert_exactly_filled(event_id, results, WORKERS, PLACES)
