"""The serving stack: health checks, request ids, JSON logs and gunicorn (issue 17, item 4)."""
import io
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from app import create_app
from logs import configure_logging

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/5")


def test_healthz_answers_anyone_without_touching_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_checks_the_database_and_the_schema(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "migrations": "ok"}


def test_readyz_is_unavailable_before_migrations(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/empty.sqlite3")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["migrations"].startswith("at nothing, head is ")


def test_readyz_is_unavailable_when_the_database_is_not_there():
    app = create_app("testing",
                     SQLALCHEMY_DATABASE_URI="postgresql://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("unreachable")


def test_readyz_checks_redis_when_configured(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["redis"].startswith("unreachable")
        app.config["REDIS_URL"] = REDIS_URL
        response = client.get("/readyz")
        if response.json["checks"].get("redis") != "ok" and "REDIS_URL_FOR_TESTS" not in os.environ:
            pytest.skip("no Redis on 127.0.0.1:6379")
        assert response.status_code == 200 and response.json["checks"]["redis"] == "ok"
    finally:
        app.config["REDIS_URL"] = ""


def test_production_health_answers_carry_no_detail(monkeypatch, tmp_path):
    from tests.test_config import PRODUCTION_SMS

    for name, value in PRODUCTION_SMS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    app = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite3")
    client = app.test_client()
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    response = client.get("/readyz")
    assert (response.status_code, response.get_data(as_text=True)) == (503, "unavailable")


def test_every_response_returns_a_request_id_and_keeps_a_sane_one_offered(client):
    fresh = client.get("/healthz").headers["X-Request-ID"]
    assert len(fresh) == 32 and fresh != client.get("/healthz").headers["X-Request-ID"]
    offered = "nginx-0123456789abcdef"
    assert client.get("/", headers={"X-Request-ID": offered}).headers["X-Request-ID"] == offered
    hostile = client.get("/", headers={"X-Request-ID": "a b\" <script>"})
    assert hostile.headers["X-Request-ID"] != "a b\" <script>"


def test_log_lines_are_json_with_the_request_id():
    from accounts.policy import public

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")

    @public
    def probe():
        app.logger.info("probe", extra={"station_id": 7})
        return "ok"

    app.add_url_rule("/__log_probe", "probe", probe)
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure_logging("json", "INFO", stream)
    try:
        response = app.test_client().get("/__log_probe", headers={"X-Request-ID": "probe-request-0001"})
    finally:
        for handler in [h for h in root.handlers if getattr(h, "yizhan", False)]:
            root.removeHandler(handler)
        root.setLevel(level)
    assert response.status_code == 200
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    probe_line = next(line for line in lines if line["message"] == "probe")
    assert probe_line["request_id"] == "probe-request-0001"
    assert probe_line["station_id"] == 7 and probe_line["level"] == "INFO"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_app_with_json_access_lines(tmp_path):
    port = _free_port()
    database = tmp_path / "serve.sqlite3"
    from tests.test_config import PRODUCTION_SMS

    env = {**os.environ, **PRODUCTION_SMS, "YIZHAN_ENV": "production",
           "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": f"sqlite:///{database}", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2", "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                               "app:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Once the master says it listens, connections queue until a worker takes them.
        started = []
        for line in server.stderr:
            started.append(line)
            if "Listening at" in line:
                break
        assert any("Listening at" in line for line in started), "".join(started)
        response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30,
                                headers={"X-Request-ID": "gunicorn-test-0001",
                                         "Connection": "close"})
        assert (response.status_code, response.text) == (200, "ok")
    finally:
        server.send_signal(signal.SIGINT)  # quick shutdown; the line is already written
        out, err = server.communicate(timeout=30)
    access = [json.loads(line) for line in out.splitlines() if '"gunicorn.access"' in line]
    assert access and access[0]["path"] == "/healthz" and access[0]["status"] == 200
    assert access[0]["request_id"] == "gunicorn-test-0001"


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "2")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "20000")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (settings["workers"], settings["threads"]) == (3, 2)
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (20000, 2000)
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS")
    # A worker is not replaced every few seconds at full speed (it was, at 5,000).
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["max_requests"] == 50000
