"""Scheduled jobs run exactly once, however many workers run them (issue 17, item 5)."""
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

import clock
from extensions import db
from scheduler.jobs import JOBS, register_job, run_job
from scheduler.locks import job_lock

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/5")


def _redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        if "REDIS_URL_FOR_TESTS" in os.environ:
            raise
        return False


@pytest.fixture(params=["database", "redis"])
def lock_backend(request, app):
    """Each test runs with the database's own lock, then with Redis."""
    if request.param == "redis":
        if not _redis_available():
            pytest.skip("no Redis on 127.0.0.1:6379")
        app.config["REDIS_URL"] = REDIS_URL
    yield request.param
    app.config["REDIS_URL"] = ""


@pytest.fixture
def event_tomorrow(make_organisation, make_user, make_station):
    """An event starting in ten hours (real time: workers are other processes) with three
    workers holding places."""
    from services.models import Registration, ServiceEvent

    union = make_organisation()
    starts = datetime.now(timezone.utc) + timedelta(hours=10)
    event = ServiceEvent(organisation_id=union.id, title="流动体检车免费体检", description="体检",
                         category="health", starts_at=starts, ends_at=starts + timedelta(hours=2),
                         capacity=10, places_held=3, station_id=make_station(
                             organisation_id=union.id).id,
                         registration_opens_at=starts - timedelta(days=3),
                         registration_closes_at=starts - timedelta(hours=1), status="scheduled")
    db.session.add(event)
    db.session.flush()
    workers = [make_user("worker") for _ in range(3)]
    for worker in workers:
        db.session.add(Registration(event_id=event.id, worker_id=worker.id, person_key="",
                                    state="confirmed"))
    db.session.commit()
    return event


def _reminders() -> int:
    from notifications.models import Notification

    db.session.rollback()
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "service_reminder"))


def test_the_worker_runs_offers_reminders_and_housekeeping(app):
    # Each package registers its jobs as the app registers its commands (services/cli.py,
    # checkins/cli.py, jobs/cli.py); the scheduler itself knows none of them.
    assert {"services.lapse_offers", "services.reminders", "checkins.close_expired",
            "jobs.wage_questions", "jobs.expire_posts"} <= JOBS.keys()


def test_every_job_runs_once_in_a_worker_on_an_empty_database(runner):
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert sorted(line.split(":")[0] for line in result.output.splitlines()) == sorted(JOBS)


def test_reminders_are_sent_once_and_a_second_run_sends_none(event_tomorrow, lock_backend):
    assert run_job("services.reminders") == 3
    assert run_job("services.reminders") == 0
    assert _reminders() == 3


def test_a_job_whose_lock_is_held_elsewhere_is_skipped(event_tomorrow, lock_backend):
    with job_lock("services.reminders") as held:
        assert held
        assert run_job("services.reminders") is False
        assert _reminders() == 0
    assert run_job("services.reminders") == 3


def test_the_cli_ticks_take_the_workers_locks(runner, event_tomorrow, lock_backend):
    # `flask services tick` from cron beside a running worker: the reminders the worker is
    # sending are not sent a second time; the next tick sends them once.
    with job_lock("services.reminders") as held:
        assert held
        result = runner.invoke(args=["services", "tick"], env={"LANG": "en_US.UTF-8"})
        assert result.exit_code == 0, result.output
        assert "A worker is running these jobs right now" in result.output
        assert _reminders() == 0
    result = runner.invoke(args=["services", "tick"], env={"LANG": "en_US.UTF-8"})
    assert "3 reminders sent" in result.output and _reminders() == 3
    with job_lock("jobs.wage_questions"):
        result = runner.invoke(args=["jobs", "tick"], env={"LANG": "en_US.UTF-8"})
        assert result.exit_code == 0 and "A worker is running these jobs" in result.output
    assert "A worker" not in runner.invoke(args=["jobs", "tick"]).output


def test_locks_of_different_jobs_do_not_block_each_other(app, lock_backend):
    with job_lock("services.reminders") as first, job_lock("checkins.close_expired") as second:
        assert first and second


def test_expired_check_ins_are_closed_when_they_expired(make_user, make_station):
    from checkins.models import CheckIn

    station = make_station()
    now = datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc)
    expired = CheckIn(user_id=make_user().id, station_id=station.id, checked_in_at=now - timedelta(hours=3),
                      expires_at=now - timedelta(hours=1, minutes=30))
    running = CheckIn(user_id=make_user().id, station_id=station.id, checked_in_at=now - timedelta(minutes=10),
                      expires_at=now + timedelta(minutes=80))
    db.session.add_all([expired, running])
    db.session.commit()
    with clock.travel_to(now):
        assert run_job("checkins.close_expired") == 1
        assert run_job("checkins.close_expired") == 0
    db.session.refresh(expired)
    db.session.refresh(running)
    assert clock.as_utc(expired.checked_out_at) == now - timedelta(hours=1, minutes=30)
    assert running.checked_out_at is None


def test_another_package_registers_a_job_that_the_worker_runs(app, runner):
    calls = []

    @register_job("tests.wage_question", every=3600)
    def ask(now):
        calls.append(now)
        return 1

    try:
        result = runner.invoke(args=["worker", "--once", "--job", "tests.wage_question"])
        assert result.exit_code == 0, result.output
        assert "tests.wage_question: 1" in result.output and len(calls) == 1
    finally:
        del JOBS["tests.wage_question"]


def test_an_unknown_job_is_refused_with_the_known_names(runner):
    result = runner.invoke(args=["worker", "--once", "--job", "nope"])
    assert result.exit_code != 0 and "services.reminders" in result.output


def _worker_env(app, lock_backend) -> dict:
    env = {**os.environ, "YIZHAN_ENV": "development",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "LOG_FORMAT": "json"}
    env.pop("REDIS_URL", None)
    if lock_backend == "redis":
        env["REDIS_URL"] = REDIS_URL
    return env


def test_two_workers_started_at_once_send_each_reminder_exactly_once(app, event_tomorrow,
                                                                    lock_backend):
    env = _worker_env(app, lock_backend)
    command = [sys.executable, "-m", "flask", "--app", "app", "worker", "--once",
               "--job", "services.reminders"]
    workers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    results = [out.strip().splitlines()[-1] for out, _ in outputs]
    # One sent all three; the other found the job locked, or ran after it and found none.
    assert results.count("services.reminders: 3") == 1, results
    other = next(result for result in results if result != "services.reminders: 3")
    assert other in ("services.reminders: 0", "services.reminders: skipped (locked)"), results
    assert _reminders() == 3
