"""The periodic jobs and their registry."""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

import clock
from scheduler.locks import job_lock
from transactions import transaction

log = logging.getLogger("scheduler")


@dataclass(frozen=True)
class Job:
    """`run(now)` does the work (and returns how many things it did, for the log) in one
    transaction; `every` is a setting name (seconds) or a number of seconds."""

    name: str
    run: Callable[[datetime], int | None]
    every: str | int


JOBS: dict[str, Job] = {}


def register_job(name: str, every: str | int):
    """Decorator: run the function every `every` seconds (or the setting of that name) in
    `flask worker`. Registering a name again replaces the job (module reloads in tests)."""

    def register(run: Callable[[datetime], int | None]):
        JOBS[name] = Job(name, run, every)
        return run

    return register


def interval_seconds(job: Job, config) -> int:
    return int(config[job.every]) if isinstance(job.every, str) else int(job.every)


def run_job(name: str, now: datetime | None = None) -> int | None | bool:
    """Run one job now if no other worker is running it: its result, or False if skipped."""
    job = JOBS[name]
    with job_lock(name) as held:
        if not held:
            log.info("job skipped: another worker holds its lock", extra={"job": name})
            return False
        started = time.perf_counter()
        try:
            with transaction():
                result = job.run(now or clock.now())
        except Exception:
            log.exception("job failed", extra={"job": name})
            raise
        log.info("job done", extra={"job": name, "result": result,
                                    "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
        return result


# The built-in jobs ---------------------------------------------------------------------------

@register_job("services.lapse_offers", every="WORKER_TICK_SECONDS")
def lapse_offers(now: datetime) -> int:
    """Offers not taken in time lapse; the place goes to the next in line."""
    from services import operations

    return operations.sweep_all_offers(now=now)


@register_job("services.reminders", every="WORKER_TICK_SECONDS")
def send_reminders(now: datetime) -> int:
    """Everyone with a place at an event in the next 24 h gets one reminder."""
    from services import operations

    return operations.send_reminders(now=now)


@register_job("checkins.close_expired", every="WORKER_HOUSEKEEPING_SECONDS")
def close_expired_check_ins(now: datetime) -> int:
    """Open check-ins past their expiry are closed at the moment they expired, as the next
    action of their worker would; occupancy already ignores them, this keeps the open set
    (and its partial index) small."""
    from checkins.models import CheckIn
    from extensions import db

    result = db.session.execute(
        update(CheckIn)
        .where(CheckIn.checked_out_at.is_(None), CheckIn.expires_at <= now)
        .values(checked_out_at=CheckIn.expires_at)
        .execution_options(synchronize_session=False))
    return result.rowcount


@register_job("jobs.wage_questions", every="WORKER_TICK_SECONDS")
def ask_wage_questions(now: datetime) -> int:
    """The 24-hour "工资到账了吗?" question after each finished gig (asks nobody twice)."""
    from jobs import operations

    return operations.ask_wage_questions(now)


@register_job("jobs.expire_posts", every="WORKER_HOUSEKEEPING_SECONDS")
def expire_job_posts(now: datetime) -> int:
    """Published job posts past their expiry become expired."""
    from jobs import operations

    return operations.expire_posts(now=now)
