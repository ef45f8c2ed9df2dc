"""`make loadtest`: Locust, headless, against two gunicorn instances (as `make serve` runs
them) on one PostgreSQL database and one Redis, all on 127.0.0.1.

    .venv/bin/python bench/loadtest.py [--seconds 60] [--users 100] [--mix mix|checkins|nearest]
                                        [--healthz-seconds 15] [--stations 10000]
                                        [--fail-on-error] [--drop-database]

1. Seeds a database of its own (LOADTEST_DATABASE_URL, default
   postgresql://postgres@127.0.0.1:5432/yizhan_loadtest; dropped and rebuilt): 10,000
   generated stations, the demo data, and a worker account per simulated user (at least
   200) and a volunteer per twenty (at least 10). --drop-database drops it at the end.
2. Starts two gunicorn instances (ports 8001 and 8002, gunicorn.conf.py, production
   settings; rate limits out of reach: every simulated user comes from 127.0.0.1).
3. Runs the mix (bench/loadtest_locustfile.py) for --seconds, then bare /healthz on the
   same servers for --healthz-seconds, so the ratio means something on a noisy machine.
4. Prints requests a second, p50/p95/p99 and errors per route and writes Locust's CSVs to
   bench/out/loadtest_*.csv, and keeps the servers' own logs (tracebacks) in
   bench/out/loadtest_gunicorn_<port>.log. --fail-on-error exits 1 on any error, or any
   error line in those logs (CI's short run).
"""
import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PORTS = (8001, 8002)
PASSWORD = "loadtest-password"


def seed(database_url: str, stations: int, users: int) -> dict:
    """A fresh database with stations, demo data and the simulated people; their ids."""
    from datetime import timedelta

    from flask_migrate import upgrade
    from sqlalchemy import select, text
    from werkzeug.security import generate_password_hash

    sys.path.insert(0, str(ROOT))
    from app import create_app
    from extensions import db

    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade(directory=str(ROOT / "migrations"))
        runner = app.test_cli_runner()
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "stations.csv"
            for args in (["stations", "generate", "--count", str(stations), "--seed", "7",
                          "-o", str(path)], ["stations", "import", str(path)], ["seed-demo"]):
                result = runner.invoke(args=args)
                assert result.exit_code == 0, result.output
        from accounts.models import User
        from rest_stations.models import Station
        from services.models import ServiceEvent
        from wishes.models import Wish

        # A cheap hash: the load test measures serving, not scrypt (production's default).
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        # One account per simulated user: a worker's taps never queue behind their own.
        people = {"workers": [f"+86135{n:08d}" for n in range(max(users, 200))],
                  "volunteers": [f"+86136{n:08d}" for n in range(max(users // 20 + 1, 10))]}
        for role, phones in (("worker", people["workers"]), ("volunteer", people["volunteers"])):
            db.session.add_all(User(phone=phone, display_name=f"压测{role}{n}", role=role,
                                    password_hash=hashed, home_district="河东区",
                                    consent_at=db.func.now()) for n, phone in enumerate(phones))
        db.session.commit()
        import clock

        now = clock.now()
        return {
            "password": PASSWORD,
            **people,
            "stations": list(db.session.scalars(select(Station.id).where(
                Station.status == "active").order_by(Station.id).limit(2000))),
            "events": list(db.session.scalars(select(ServiceEvent.id).where(
                ServiceEvent.status == "scheduled", ServiceEvent.starts_at > now + timedelta(hours=3),
                ServiceEvent.registration_opens_at <= now))) or [0],
            "wishes": list(db.session.scalars(select(Wish.id))) or [0],
        }


def start_servers(database_url: str, redis_url: str) -> list[subprocess.Popen]:
    import secrets

    # SMS is never sent in the load test; production only insists that a provider is set.
    sms = {"SMS_BACKEND": "aliyun", "ALIYUN_ACCESS_KEY_ID": "loadtest",
           "ALIYUN_ACCESS_KEY_SECRET": "loadtest", "SMS_SIGN_NAME": "驿站", "SMS_TEMPLATE": "SMS_0",
           "SMS_RECOMMENDATION_TEMPLATE": "SMS_1"}
    env = {**os.environ, **sms, "YIZHAN_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           # Limits stay on (as in production) but out of reach: every user is 127.0.0.1.
           # (RATELIMIT_ENABLED=false makes every login a 500: accounts.rate_limits.login_wait
           # needs the limiter's storage.)
           **dict.fromkeys(("RATELIMIT_DEFAULT", "RATELIMIT_LOGIN_PER_IP", "RATELIMIT_LOGIN_PER_PHONE",
                            "RATELIMIT_LOGIN_PER_PAIR", "RATELIMIT_WRITES_PER_USER",
                            "RATELIMIT_WRITES_PER_ADDRESS"), "1000000 per minute"),
           "LOGIN_FAILURES_BEFORE_DELAY": "1000000",
           "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"), "LOG_LEVEL": "INFO"}
    servers = []
    OUT.mkdir(parents=True, exist_ok=True)
    for port in PORTS:
        # The servers' own lines (gunicorn's error log, the app's JSON log with tracebacks)
        # are kept, so an error seen by Locust can be read afterwards.
        log_path = OUT / f"loadtest_gunicorn_{port}.log"
        log = log_path.open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind",
             f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "app:create_app()"],
            cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        servers.append(server)
        _wait_until_listening(server, log_path)
    return servers


def _wait_until_listening(server: subprocess.Popen, log_path: Path, timeout: float = 120) -> None:
    """The master binds before it forks its workers: "Listening at" means it is ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "Listening at" in log_path.read_text(errors="replace"):
            return
        if server.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start; its log: {log_path}")


def stop_servers(servers: list[subprocess.Popen]) -> None:
    """Stop each server and its workers, however the run ended: a graceful stop (SIGTERM to
    the master, which stops its workers), then SIGKILL to the whole process group."""
    for server in servers:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def server_errors() -> list[str]:
    """Error lines the servers logged during the run (tracebacks are in the same lines)."""
    lines = []
    for port in PORTS:
        path = OUT / f"loadtest_gunicorn_{port}.log"
        if path.exists():
            lines += [f"{port}: {line[:300]}" for line in path.read_text(errors="replace").splitlines()
                      if '"level": "ERROR"' in line or '"level": "CRITICAL"' in line
                      or "[ERROR]" in line or "[CRITICAL]" in line]
    return lines


def run_locust(mix: str, seconds: int, users: int, seed_file: str, prefix: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "LOADTEST_MIX": mix, "LOADTEST_SEED_FILE": seed_file,
           "LOADTEST_HOSTS": ",".join(f"http://127.0.0.1:{port}" for port in PORTS)}
    subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "loadtest_locustfile.py"),
                    "--headless", "--users", str(users), "--spawn-rate", str(max(users // 2, 1)),
                    "--run-time", f"{seconds}s", "--stop-timeout", "5", "--only-summary",
                    "--csv", str(OUT / prefix), "--host", f"http://127.0.0.1:{PORTS[0]}"],
                   cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
    return OUT / f"{prefix}_stats.csv"


def summarise(path: Path, title: str) -> tuple[float, int]:
    """Print the table; return (total requests a second, total errors)."""
    rows = list(csv.DictReader(path.open()))
    print(f"\n{title}")
    print(f"{'route':42} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>7}")
    total = (0.0, 0)
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        line = (f"{name[:42]:42} {float(row['Requests/s']):8.1f} {row['50%']:>6} {row['95%']:>6} "
                f"{row['99%']:>6} {row['Failure Count']:>7}")
        print(line)
        if row["Name"] == "Aggregated":
            total = (float(row["Requests/s"]), int(row["Failure Count"]))
    failures = path.with_name(path.name.replace("_stats.csv", "_failures.csv"))
    if failures.exists():
        for row in csv.DictReader(failures.open()):
            print(f"  error: {row['Method']} {row['Name']}: {row['Error'][:100]} x{row['Occurrences']}")
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--healthz-seconds", type=int, default=15)
    parser.add_argument("--mix", choices=("mix", "checkins", "nearest"), default="mix")
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--fail-on-error", action="store_true")
    parser.add_argument("--drop-database", action="store_true",
                        help="drop the load test's database at the end (CI)")
    args = parser.parse_args()
    database_url = os.environ.get("LOADTEST_DATABASE_URL",
                                  "postgresql://postgres@127.0.0.1:5432/yizhan_loadtest")
    # Number 6: the test suite's numbers count down from 15 (one per xdist worker).
    redis_url = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/6")
    # A CI timeout sends SIGTERM: unwind through the finally blocks, which stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers, seed_path = [], None
    try:
        _empty_redis(redis_url)  # limiter counters and locks of an earlier run
        _ensure_database(database_url)
        started = time.monotonic()
        ids = seed(database_url, args.stations, args.users)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as seed_file:
            json.dump(ids, seed_file)
            seed_path = seed_file.name
        print(f"seeded {args.stations} stations in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        servers = start_servers(database_url, redis_url)
        print(f"two servers listening after {time.monotonic() - started:.1f} s")
        mix_rate, errors = summarise(run_locust(args.mix, args.seconds, args.users, seed_path,
                                                f"loadtest_{args.mix}"),
                                     f"{args.mix}: {args.users} users, {args.seconds} s")
        if args.healthz_seconds:
            _health_rate, health_errors = summarise(
                run_locust("healthz", args.healthz_seconds, min(args.users, 50), seed_path,
                           "loadtest_healthz"), f"bare /healthz, same servers, {args.healthz_seconds} s")
            errors += health_errors
    finally:
        stop_servers(servers)
        if seed_path:
            os.unlink(seed_path)
        if args.drop_database:
            _drop_database(database_url)
            _empty_redis(redis_url)
    logged = server_errors()
    for line in logged[:20]:
        print(f"  server error: {line}")
    print(f"\nCSV: {OUT}/loadtest_{args.mix}_stats.csv; servers' logs: "
          f"{OUT}/loadtest_gunicorn_*.log; errors: {errors}, error lines logged: {len(logged)}")
    return 1 if args.fail_on_error and (errors or logged) else 0


def _ensure_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": parsed.database}).scalar():
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()



def _empty_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


if __name__ == "__main__":
    sys.exit(main())
