"""Benchmark of the nearest-station engine (run by `make bench`; prints figures, asserts nothing).

It loads 150,000 synthetic stations, then times nearest_stations() in-process over random
query points, 10 % of them remote, on SQLite and, when a server answers, on PostgreSQL. A
brute-force geopy.distance.geodesic loop over the same stations is timed on a few points
as the baseline, and its answers are checked against the engine's.
"""
import argparse
import io
import csv
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from geopy.distance import geodesic  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from rest_stations.importer import read_csv  # noqa: E402
from rest_stations.geo import position_columns  # noqa: E402
from rest_stations.models import Station  # noqa: E402
from rest_stations.queries import nearest_stations  # noqa: E402
from rest_stations.synthetic import CITY_CENTRES, write_synthetic_csv  # noqa: E402
from rest_stations.vocabulary import amenity_mask  # noqa: E402

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def synthetic_rows(count: int, seed: int) -> list[dict]:
    buffer = io.StringIO()
    write_synthetic_csv(buffer, count, seed)
    parsed = read_csv(buffer.getvalue().encode("utf-8"))
    assert not parsed.errors, parsed.errors[:3]
    rows = []
    for row in parsed.rows:
        values = dict(row.values)
        values["amenity_mask"] = amenity_mask(values.pop("amenities"))
        values.update(position_columns(values["lat"], values["lon"]))
        rows.append(values)
    return rows


def query_points(count: int, seed: int) -> list[tuple[float, float, bool]]:
    """(lat, lon, remote): 90 % near city centres, 10 % in deserts, plateaus and sea."""
    rng = random.Random(seed)
    points = []
    for number in range(count):
        if number % 10 == 0:
            if rng.random() < 0.7:
                points.append((rng.uniform(31, 40), rng.uniform(78, 95), True))  # Tibet, Qinghai, Taklamakan
            else:
                points.append((rng.uniform(10, 17), rng.uniform(111, 118), True))  # South China Sea
        else:
            lat, lon, _, spread = rng.choice(CITY_CENTRES)
            points.append((lat + rng.gauss(0, spread * 1.5), lon + rng.gauss(0, spread * 1.5), False))
    return points


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def load(app, rows: list[dict]) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # a database of its own: start afresh
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade(directory=MIGRATIONS)
        db.session.execute(text("DELETE FROM station"))
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Station), rows[start:start + 5000])
        db.session.commit()
        db.session.commit()
    # Statistics as a live database would have them (autovacuum, or PRAGMA optimize).
    with app.app_context(), db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("VACUUM ANALYZE station" if db.engine.dialect.name == "postgresql"
                                else "ANALYZE"))


# "Open now" at a fixed moment, so that runs compare: 14:00 on a Tuesday in Beijing, when
# most stations are open, and 03:00, when few are (the filter then rejects most candidates).
AFTERNOON = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)
NIGHT = datetime(2026, 11, 30, 19, 0, tzinfo=timezone.utc)


def time_engine(app, points, **filters) -> dict[str, list[float]]:
    timings = {"all": [], "near": [], "remote": []}
    with app.app_context():
        for lat, lon, _ in points[:20]:  # warm caches and the statement cache
            nearest_stations(lat, lon, limit=5, **filters)
        for lat, lon, remote in points:
            started = time.perf_counter()
            nearest_stations(lat, lon, limit=5, **filters)
            elapsed = (time.perf_counter() - started) * 1000
            timings["all"].append(elapsed)
            timings["remote" if remote else "near"].append(elapsed)
    return timings


def brute_force(rows, lat, lon, mask=0):
    return sorted(
        (geodesic((lat, lon), (row["lat"], row["lon"])).meters, index)
        for index, row in enumerate(rows) if row["amenity_mask"] & mask == mask
    )[:5]


def report(label: str, timings: dict[str, list[float]]) -> None:
    print(f"  {label:<34} p50 {percentile(timings['all'], .5):6.2f} ms   "
          f"p95 {percentile(timings['all'], .95):6.2f} ms   "
          f"near p95 {percentile(timings['near'], .95):6.2f} ms   "
          f"remote p50 {percentile(timings['remote'], .5):6.2f} ms  "
          f"remote p95 {percentile(timings['remote'], .95):6.2f} ms")


def postgres_url() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = 'yizhan_bench'")).scalar()
            if not exists:
                connection.execute(text("CREATE DATABASE yizhan_bench"))
        engine.dispose()
    except Exception as error:  # no server here: SQLite only
        print(f"PostgreSQL skipped: {error.__class__.__name__}")
        return None
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/yizhan_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stations", type=int, default=150_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--baseline-queries", type=int, default=3)
    args = parser.parse_args()

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    started = time.perf_counter()
    rows = synthetic_rows(args.stations, seed=42)
    print(f"Generated {len(rows):,} synthetic stations in {time.perf_counter() - started:.1f} s")
    points = query_points(args.queries, seed=7)
    charging = amenity_mask(["charging"])

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        databases = {"SQLite": f"sqlite:///{folder}/bench.sqlite3"}
        pg = postgres_url()
        if pg:
            databases["PostgreSQL"] = pg
        for name, url in databases.items():
            app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
            started = time.perf_counter()
            load(app, rows)
            print(f"\n{name}: loaded in {time.perf_counter() - started:.1f} s; "
                  f"k=5 over {len(points)} points ({sum(p[2] for p in points)} remote)")
            results[name] = time_engine(app, points)
            report("no filter", results[name])
            report("amenity=charging", time_engine(app, points, amenities=["charging"]))
            report("amenity=charging, open at 14:00", time_engine(
                app, points, amenities=["charging"], open_now=True, now=AFTERNOON))
            report("amenity=charging, open at 03:00", time_engine(
                app, points, amenities=["charging"], open_now=True, now=NIGHT))
            with app.app_context():
                db.engine.dispose()

    print(f"\nBrute-force geopy.distance.geodesic over all {len(rows):,} stations "
          f"({args.baseline_queries} points, amenity=charging):")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    baseline = []
    for lat, lon, _ in points[1:1 + args.baseline_queries]:
        started = time.perf_counter()
        expected = brute_force(rows, lat, lon, charging)
        baseline.append((time.perf_counter() - started) * 1000)
        print(f"  ({lat:.3f}, {lon:.3f}): {baseline[-1]:,.0f} ms; nearest {expected[0][0]:,.0f} m")
    engine_p50 = percentile(results["SQLite"]["all"], .5)
    print(f"  mean {statistics.mean(baseline):,.0f} ms per query; "
          f"the engine's SQLite p50 is {statistics.mean(baseline) / engine_p50:,.0f}x faster")


if __name__ == "__main__":
    main()
