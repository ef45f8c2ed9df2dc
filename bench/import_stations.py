"""Benchmark of the streaming station import (run by `make bench`; prints figures, asserts
nothing).

It generates 1,000,000 synthetic stations (`flask stations generate`), then, on SQLite and,
when a server answers, on PostgreSQL, migrates an empty database and runs
`flask stations import` twice: into the empty table (every row created) and again (every
row matched, nothing changed). Each command runs in a process of its own and reports its
own peak RSS (VmHWM): getrusage's ru_maxrss of a child would include whatever process it
was forked from.

PostgreSQL: BENCH_IMPORT_POSTGRES_URL names a database this script may empty (its schema is
dropped); by default yizhan_bench_import on the local server, created when missing.
"""
import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCH_IMPORT_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/yizhan_bench_import")


def run_flask(args: list[str], database_url: str) -> tuple[float, float, str]:
    """Run `flask <args>` in a process of its own: (seconds, peak RSS in MB, output)."""
    peak_file = tempfile.NamedTemporaryFile(prefix="peak-", delete=False)
    peak_file.close()
    env = {**os.environ, "DATABASE_URL": database_url, "BENCH_PEAK_FILE": peak_file.name,
           "LANG": "en_US.UTF-8", "PYTHONPATH": str(ROOT), "YIZHAN_ENV": "development"}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    peak_mb = int(Path(peak_file.name).read_text()) / 1024
    os.unlink(peak_file.name)
    return seconds, peak_mb, result.stdout.strip()


def child(args: list[str]) -> None:
    """The flask command line, then this process's peak RSS (kB) into BENCH_PEAK_FILE."""
    from flask.cli import main

    sys.argv = ["flask", "--app", "app", *args]
    try:
        main()
    finally:
        status = Path("/proc/self/status").read_text()
        Path(os.environ["BENCH_PEAK_FILE"]).write_text(
            re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def fresh_postgres(url: str) -> bool:
    """Create the database when missing and empty its schema; False when no server answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    target = make_url(url)
    try:
        server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                     {"name": target.database}):
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
        server.dispose()
    except OperationalError as error:
        print(f"PostgreSQL at {url}: not reachable ({error.orig}); skipped")
        return False
    engine = create_engine(target)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return True


def row(label: str, seconds: float, peak_mb: float, count: int) -> str:
    return (f"  {label:<28} {seconds:7.1f} s  {count / seconds:8,.0f} rows/s  "
            f"peak RSS {peak_mb:6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    options = parser.parse_args()
    count = options.count
    print(f"Streaming station import: {count:,} synthetic stations "
          f"(Python {platform.python_version()}, {os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        csv_file = Path(folder) / "stations.csv"
        sqlite_url = f"sqlite:///{folder}/bench.sqlite3"
        seconds, peak, _ = run_flask(["stations", "generate", "--count", str(count),
                                      "--output", str(csv_file)], sqlite_url)
        print(row(f"generate ({csv_file.stat().st_size / 2**20:.0f} MB CSV)", seconds, peak,
                  count))
        # Python and the app alone, for scale: what every command costs before any row.
        seconds, peak, _ = run_flask(["stations", "--help"], sqlite_url)
        print(f"  {'(app start-up only)':<28} {seconds:7.1f} s  {'':>14}  peak RSS {peak:6.0f} MB")
        databases = [("SQLite", sqlite_url)]
        if not options.skip_postgres and fresh_postgres(POSTGRES_URL):
            databases.append(("PostgreSQL", POSTGRES_URL))
        for name, url in databases:
            print(f"{name}:")
            run_flask(["db", "upgrade"], url)
            for label in ("import, all new", "import again, all matched"):
                seconds, peak, output = run_flask(["stations", "import", str(csv_file)], url)
                print(row(label, seconds, peak, count))
                print(f"  {'':<28} {output}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
    else:
        main()
