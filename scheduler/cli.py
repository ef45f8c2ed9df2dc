"""`flask worker`: run the scheduled jobs (scheduler.jobs) until stopped."""
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from scheduler.jobs import JOBS, interval_seconds, run_job

log = logging.getLogger("scheduler")


@click.command("worker")
@click.option("--once", is_flag=True, help="Run every job once now, then exit (cron, tests).")
@click.option("--job", "only", multiple=True, help="Only this job (repeatable).")
@with_appcontext
def worker(once: bool, only: tuple[str, ...]) -> None:
    """Run the periodic jobs: lapsed offers, reminders, check-in housekeeping and any job
    another package registered. Several workers may run: each job runs in one at a time."""
    unknown = set(only) - JOBS.keys()
    if unknown:
        raise click.BadParameter(f"unknown job(s): {', '.join(sorted(unknown))}; "
                                 f"known: {', '.join(sorted(JOBS))}")
    names = list(only) or sorted(JOBS)
    if once:
        for name in names:
            result = run_job(name)
            click.echo(f"{name}: {'skipped (locked)' if result is False else result}")
        return
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone="UTC", job_defaults={
        # A late run is still worth doing once; runs missed while busy are not stacked up.
        "coalesce": True, "max_instances": 1, "misfire_grace_time": None})

    def in_app_context(name: str) -> None:
        with app.app_context():
            try:
                run_job(name)
            except Exception:  # noqa: BLE001: logged by run_job; the next run tries again
                pass

    for name in names:
        seconds = interval_seconds(JOBS[name], app.config)
        # The first run straight away: a restarted worker catches up at once.
        scheduler.add_job(in_app_context, "interval", seconds=seconds, args=[name], id=name,
                          next_run_time=_now())
        log.info("job scheduled", extra={"job": name, "every_seconds": seconds})
    click.echo(f"worker: {len(names)} jobs scheduled; Ctrl-C stops")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


def _now():
    import clock

    return clock.now()
