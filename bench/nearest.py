"""Benchmark of the nearest-station engines (run by `make bench`; prints figures, asserts nothing).

Part 1, engines side by side: 150,000 synthetic stations (`flask stations generate`'s
distribution), loaded into SQLite (the cell engine), PostgreSQL at head (the PostGIS engine)
and, when a server answers, a second PostgreSQL database stopped at migration 0007 (the cell
engine on PostgreSQL, as before PostGIS). Each times nearest_stations() in-process (k = 5)
over the same random points, 10 % of them remote, with the usual filters; beside them a
bare PostGIS KNN query (the standard pattern: `<->` over 20 candidates re-ranked by
ST_Distance on the spheroid, returning the five rows) on the same PostgreSQL data.
Part 2, bounded search: 1,000,000 stations in SQLite and PostgreSQL; p99 at city points,
at (0, 0) (what a failed geolocation sends), mid-ocean and remote inland points.
Each part checks a few answers against a brute-force geodesic over all stations.
docs/performance.md records the figures.
"""
import argparse
import csv
import functools
import math
import os
import platform
import random
import sys
import tempfile
import time
from array import array
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from pyproj import Geod  # noqa: E402
from sqlalchemy import create_engine, insert, inspect, text  # noqa: E402

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from rest_stations.display import SeatsAt  # noqa: E402
from rest_stations import queries  # noqa: E402
from rest_stations.geo import position_columns  # noqa: E402
from rest_stations.importer import COLUMNS  # noqa: E402
from rest_stations.models import Station  # noqa: E402
from rest_stations.queries import nearest_stations  # noqa: E402
from rest_stations.synthetic import CITY_CENTRES, write_synthetic_csv  # noqa: E402
from rest_stations.vocabulary import amenity_mask  # noqa: E402

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Databases the bench creates (and empties) on that server.
DATABASE_PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "yizhan_bench")
WGS84 = Geod(ellps="WGS84")
LOAD_COLUMNS = ("name", "address", "lat", "lon", "x", "y", "z", "cell", "kind", "amenity_mask",
                "opening_hours", "capacity")

# "Open now" at a fixed moment, so that runs compare: 14:00 on a Tuesday in Beijing, when
# most stations are open, and 03:00, when few are (the filter then rejects most candidates).
AFTERNOON = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)
NIGHT = datetime(2026, 11, 30, 19, 0, tzinfo=timezone.utc)
FILTERS = {
    "no filter": {},
    "amenity=charging": {"amenities": ["charging"]},
    "charging, open at 14:00": {"amenities": ["charging"], "open_now": True, "now": AFTERNOON},
    "charging, open at 03:00": {"amenities": ["charging"], "open_now": True, "now": NIGHT},
}

# The standard PostGIS pattern, as issue 17 measured it: KNN over 20 candidates, re-ranked
# by spheroid distance, the five stations' rows returned.
BARE_KNN = text("""
    SELECT * FROM (
        SELECT * FROM station
        WHERE status != 'delisted' AND amenity_mask & :mask = :mask
        ORDER BY geog <-> ST_MakePoint(:lon, :lat)::geography LIMIT 20) AS candidates
    ORDER BY ST_Distance(geog, ST_MakePoint(:lon, :lat)::geography) LIMIT 5""")


def write_rows(path: Path, count: int, seed: int) -> None:
    """The synthetic stations as load-ready CSV (derived columns included), streamed."""
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as source, \
            path.open("w", newline="", encoding="utf-8") as out:
        write_synthetic_csv(source, count, seed)
        source.seek(0)
        reader = csv.reader(source)
        next(reader)
        writer = csv.writer(out)
        for record in reader:
            row = dict(zip(COLUMNS, record))
            lat, lon = round(float(row["lat"]), 6), round(float(row["lon"]), 6)
            derived = position_columns(lat, lon)
            writer.writerow([row["name"], row["address"], lat, lon, derived["x"], derived["y"],
                             derived["z"], derived["cell"], row["kind"],
                             amenity_mask(row["amenities"].split(";") if row["amenities"] else []),
                             row["opening_hours"], row["capacity"]])


def read_rows(path: Path):
    with path.open(newline="", encoding="utf-8") as rows:
        for record in csv.reader(rows):
            station = dict(zip(LOAD_COLUMNS, record))
            for column in ("lat", "lon", "x", "y", "z"):
                station[column] = float(station[column])
            for column in ("cell", "amenity_mask", "capacity"):
                station[column] = int(station[column])
            yield station


def load(app, path: Path, revision: str = "head") -> float:
    """Load the stations (SQLite: batched inserts; PostgreSQL: COPY); returns seconds."""
    started = time.perf_counter()
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
        if postgresql:  # a database of its own: start afresh
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade(directory=MIGRATIONS, revision=revision)
        if revision != "head":
            # The model has grown since that revision: add its later columns, empty, so
            # that the ORM can load stations (the cell engine reads none of them).
            existing = {column["name"] for column in inspect(db.engine).get_columns("station")}
            for column in Station.__table__.columns:
                if column.name not in existing:
                    db.session.execute(text(
                        f"ALTER TABLE station ADD COLUMN {column.name} "
                        f"{column.type.compile(db.engine.dialect)}"))
            db.session.commit()
        if postgresql:
            connection = db.session.connection().connection.driver_connection
            with connection.cursor() as cursor, cursor.copy(
                    f"COPY station ({', '.join(LOAD_COLUMNS)}, city, district, timezone, phone, "
                    f"status, closed_reason, created_at, updated_at) FROM STDIN") as copy:
                now = datetime.now(timezone.utc)
                for row in read_rows(path):
                    copy.write_row([*row.values(), "", "", "Asia/Shanghai", "", "active", "",
                                    now, now])
            db.session.commit()
        else:
            batch = []
            for row in read_rows(path):
                batch.append(row)
                if len(batch) == 10_000:
                    db.session.execute(insert(Station), batch)
                    batch = []
            if batch:
                db.session.execute(insert(Station), batch)
            db.session.commit()
    # Statistics as a live database would have them (autovacuum, or PRAGMA optimize).
    with app.app_context(), db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("VACUUM ANALYZE station" if db.engine.dialect.name == "postgresql"
                                else "ANALYZE"))
    return time.perf_counter() - started


def city_points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    points = []
    for _ in range(count):
        lat, lon, _, spread = rng.choice(CITY_CENTRES)
        points.append((lat + rng.gauss(0, spread * 1.5), lon + rng.gauss(0, spread * 1.5)))
    return points


def remote_points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    """Deserts, plateaus and sea, hundreds of kilometres from any station."""
    points = []
    for _ in range(count):
        if rng.random() < 0.7:
            points.append((rng.uniform(31, 40), rng.uniform(78, 95)))  # Tibet, Qinghai, Taklamakan
        else:
            points.append((rng.uniform(10, 17), rng.uniform(111, 118)))  # South China Sea
    return points


def ocean_points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    """Mid-Pacific, Indian Ocean and South Atlantic: thousands of km from any station."""
    boxes = [(-30, 30, -170, -120), (-40, -10, 60, 95), (-45, -5, -30, 0)]
    return [(rng.uniform(south, north), rng.uniform(west, east))
            for south, north, west, east in (rng.choice(boxes) for _ in range(count))]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_calls(app, calls: dict, points) -> dict[str, list[float]]:
    """Milliseconds per call and point. Calls on one database take turns point by point,
    so that a busy moment of a shared machine falls on all of them alike."""
    timings = {label: [] for label in calls}
    with app.app_context():
        for lat, lon in points[:20]:  # warm caches and the statement cache
            for call in calls.values():
                call(lat, lon)
        for number, (lat, lon) in enumerate(points):
            labels = list(calls)
            shift = number % len(labels)
            for label in labels[shift:] + labels[:shift]:
                started = time.perf_counter()
                calls[label](lat, lon)
                timings[label].append((time.perf_counter() - started) * 1000)
    return timings


def engine(**filters):
    return lambda lat, lon: nearest_stations(lat, lon, limit=5, **filters)


def bare_knn(mask: int):
    def call(lat, lon):
        return db.session.connection().execute(
            BARE_KNN, {"lat": lat, "lon": lon, "mask": mask}).all()
    return call


@contextmanager
def cell_engine_on_postgresql():
    """nearest_stations() with the cell engine on PostgreSQL (a database stopped at 0007,
    before check-ins: it loads no seats)."""
    knn = queries.nearest_by_knn
    queries.nearest_by_knn = lambda lat, lon, **kw: queries._load(queries._nearest_by_cells(
        lat, lon, kw["limit"], kw["mask"], kw["kind"], kw["open_filter"], kw["max_distance_m"]),
        SeatsAt((), kw["seats"].now))
    try:
        yield
    finally:
        queries.nearest_by_knn = knn


def row(label: str, near: list[float], remote: list[float]) -> dict[str, float]:
    figures = {"near p50": percentile(near, .5), "near p95": percentile(near, .95),
               "remote p50": percentile(remote, .5), "remote p95": percentile(remote, .95),
               "all p95": percentile(near + remote, .95)}
    print(f"  {label:<44}" + "".join(f"{name} {value:7.2f}   " for name, value in figures.items()))
    return figures


@functools.cache
def positions(path: Path) -> tuple[array, array, array]:
    lats, lons, masks = array("d"), array("d"), array("q")
    for station in read_rows(path):
        lats.append(station["lat"])
        lons.append(station["lon"])
        masks.append(station["amenity_mask"])
    return lats, lons, masks


def brute_force(path: Path, lat: float, lon: float, mask: int = 0, within_m: float = math.inf):
    """The five nearest geodesic distances, PROJ over every station at once."""
    lats, lons, masks = positions(path)
    distances = WGS84.inv(array("d", [lon]) * len(lats), array("d", [lat]) * len(lats),
                          lons, lats)[2]
    return sorted(distance for distance, station_mask in zip(distances, masks)
                  if station_mask & mask == mask and distance <= within_m)[:5]


def check(apps: dict, path: Path, points, **filters) -> str:
    """Do the engines return the brute-force top five (to the centimetre) on these points?"""
    agree = 0
    for lat, lon in points:
        expected = brute_force(path, lat, lon, amenity_mask(filters.get("amenities", [])),
                               filters.get("max_distance_km", math.inf) * 1000)
        answers = []
        for name, app in apps.items():
            with app.app_context(), (cell_engine_on_postgresql() if "0007" in name
                                     else nullcontext()):
                answers.append([hit.distance_m
                                for hit in nearest_stations(lat, lon, limit=5, **filters)])
        agree += all(len(found) == len(expected)
                     and all(abs(a - b) < 0.01 for a, b in zip(found, expected))
                     for found in answers)
    return f"{agree}/{len(points)}"


def postgres_url(name: str) -> str | None:
    try:
        engine_ = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine_.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine_.dispose()
    except Exception as error:  # no server here: SQLite only
        print(f"PostgreSQL skipped: {error.__class__.__name__}")
        return None
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def engines_side_by_side(folder: Path, count: int, queries_count: int) -> None:
    path = folder / "stations.csv"
    started = time.perf_counter()
    write_rows(path, count, seed=42)
    print(f"\n== Engines side by side: {count:,} stations (generated in "
          f"{time.perf_counter() - started:.1f} s), k = 5, times in ms ==")
    rng = random.Random(7)
    near, remote = city_points(rng, queries_count * 9 // 10), remote_points(rng, queries_count // 10)
    apps = {"SQLite, cell engine": create_app(
        "testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.sqlite3")}
    revisions = {"SQLite, cell engine": "head"}
    if (url := postgres_url(DATABASE_PREFIX)):
        apps["PostgreSQL, PostGIS engine"] = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        revisions["PostgreSQL, PostGIS engine"] = "head"
    if url and (url := postgres_url(f"{DATABASE_PREFIX}_cells")):
        apps["PostgreSQL at 0007, cell engine"] = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        revisions["PostgreSQL at 0007, cell engine"] = "0007"
    for name, app in apps.items():
        print(f"  {name}: loaded in {load(app, path, revisions[name]):.1f} s")
    print(f"  {len(near)} city points, {len(remote)} remote; 'unbounded' searches the whole "
          f"globe, the others stop at NEAREST_MAX_DISTANCE_KM = 1,000")
    for label, filters in FILTERS.items():
        print(f" {label}:")
        for name, app in apps.items():
            calls = {name: engine(**filters)}
            if "PostGIS" in name and not filters.get("open_now"):
                calls[f"{name}, unbounded"] = engine(max_distance_km=math.inf, **filters)
                calls["PostgreSQL, bare PostGIS KNN (20, spheroid)"] = bare_knn(
                    amenity_mask(filters.get("amenities", [])))
            with cell_engine_on_postgresql() if "0007" in name else nullcontext():
                timings = {group: time_calls(app, calls, points)
                           for group, points in (("near", near), ("remote", remote))}
            figures = {label: row(label, timings["near"][label], timings["remote"][label])
                       for label in calls}
            if len(calls) > 1:
                bare = figures["PostgreSQL, bare PostGIS KNN (20, spheroid)"]
                for label in list(calls)[:2]:
                    print(f"  {'  ' + label.split(', ', 1)[1] + ' / bare KNN':<44}"
                          f"near p95 {figures[label]['near p95'] / bare['near p95']:.2f}x   "
                          f"remote p95 {figures[label]['remote p95'] / bare['remote p95']:.2f}x")
    checked = near[:4] + remote[:4]
    print(f"  exact top five against brute force (every engine): "
          f"unbounded {check(apps, path, checked, max_distance_km=math.inf)}, "
          f"charging within 1,000 km "
          f"{check(apps, path, checked, amenities=['charging'], max_distance_km=1000.0)}")
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


def bounded_search(folder: Path, count: int, queries_count: int) -> None:
    path = folder / "million.csv"
    started = time.perf_counter()
    write_rows(path, count, seed=43)
    print(f"\n== Bounded search: {count:,} stations (generated in "
          f"{time.perf_counter() - started:.1f} s), k = 5, times in ms ==")
    rng = random.Random(8)
    groups = {"city": city_points(rng, queries_count),
              "(0, 0)": [(0.0, 0.0)] * queries_count,
              "mid-ocean": ocean_points(rng, queries_count),
              "remote inland": remote_points(rng, queries_count)}
    apps = {"SQLite, cell engine": create_app(
        "testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/million.sqlite3")}
    if (url := postgres_url(f"{DATABASE_PREFIX}_million")):
        apps["PostgreSQL, PostGIS engine"] = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    for name, app in apps.items():
        print(f"  {name}: loaded in {load(app, path):.1f} s")
    for name, app in apps.items():
        print(f" {name}:")
        city_p99 = None
        for group, points in groups.items():
            timings = time_calls(app, {group: engine()}, points)[group]
            p99 = percentile(timings, .99)
            city_p99 = city_p99 or p99
            print(f"  {group:<16} p50 {percentile(timings, .5):7.2f}   "
                  f"p95 {percentile(timings, .95):7.2f}   p99 {p99:7.2f}   "
                  f"max {max(timings):7.2f}   p99 / city p99 {p99 / city_p99:5.2f}x")
    checked = groups["city"][:2] + groups["remote inland"][:2] + [(0.0, 0.0)]
    print(f"  exact top five within 1,000 km against brute force (both databases): "
          f"{check(apps, path, checked, max_distance_km=1000.0)}")
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stations", type=int, default=150_000,
                        help="stations for the engines side by side (0 skips that part)")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--million", type=int, default=1_000_000,
                        help="stations for the bounded-search part (0 skips it)")
    parser.add_argument("--bound-queries", type=int, default=300)
    args = parser.parse_args()

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        if args.stations:
            engines_side_by_side(Path(folder), args.stations, args.queries)
        if args.million:
            bounded_search(Path(folder), args.million, args.bound_queries)
    print(f"\nBench ran for {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
