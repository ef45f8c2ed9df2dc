"""Scheduled jobs that run exactly once however many workers run them: `flask worker`.

- jobs.py: the registry (`register_job`) and `run_job`. Each package registers its own jobs
  in its cli.py, which the app imports to register its commands: services (lapsed offers,
  reminders), checkins (closing expired check-ins), jobs (the 24-hour wage question, post
  expiry). The scheduler imports no domain package, so a package may run its jobs by hand
  (`flask services tick`) without a cycle.
- locks.py: one lock per job, held while it runs: a Redis lock when REDIS_URL is set, a
  PostgreSQL advisory lock on PostgreSQL, an exclusive file lock beside a SQLite database.
- cli.py: `flask worker` (APScheduler runs each job at its interval) and `flask worker --once`.

Jobs are idempotent as well (reminders mark their event, offers lapse by state), so a job
that runs again after a crash changes nothing that is already done."""
from scheduler.jobs import Job, register_job, run_job  # noqa: F401
