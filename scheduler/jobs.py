"""The periodic jobs and their registry."""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

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
