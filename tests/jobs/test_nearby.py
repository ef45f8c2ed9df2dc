"""附近的活 held to a brute-force geodesic ranking on both databases (PostGIS's KNN on
PostgreSQL, a scan on SQLite), and migration 0017's geography column on PostgreSQL: in step
with every write path, searched through its index, and there and back again."""
import importlib.util
import os
import random
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, insert, inspect, select, text, update

from extensions import db
from jobs.models import JobPost
from jobs.queries import nearby_posts
from rest_stations.geo import geodesic_m, position_columns
from rest_stations.models import Station
from tests.jobs.conftest import NOW, TIANJIN

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostGIS is PostgreSQL's")


def post_rows(employer, places: list[dict], rng: random.Random) -> list[dict]:
    """Published posts of `employer`, one per place, half gigs (a few start times, so that
    posts at one station tie on distance and sometimes on time), half jobs."""
    rows = []
    for number, place in enumerate(places):
        gig = rng.random() < 0.5
        starts = NOW + timedelta(hours=rng.choice([2, 5, 26])) if gig else None
        rows.append({
            "organisation_id": employer.organisation_id, "employer_id": employer.id,
            "kind": "gig" if gig else "job", "title": f"附近 {number}",
            "category": rng.choice(["catering", "cleaning", "security"]),
            "region_code": "120102", "pay_min": 100, "pay_max": rng.choice([150, 250]),
            "pay_unit": "day" if gig else "month", "starts_at": starts,
            "ends_at": starts + timedelta(hours=8) if gig else None, "paid_daily": gig,
            "headcount": 3, "places_taken": 0, "expires_at": NOW + timedelta(days=10),
            "state": "published", "station_id": None, "lat": None, "lon": None, **place})
    return rows


def brute_force(near, *, limit, within_km=None, category="") -> list[tuple[int, float]]:
    """Every open post, its geodesic distance one pair at a time, the documented order:
    nearest first; at one distance the soonest gig, then jobs; then by id."""
    found = []
    for post in db.session.scalars(select(JobPost)):
        if post.state != "published" or post.expires_at <= NOW:
            continue
        if post.kind == "gig" and post.starts_at <= NOW:
            continue
        if category and post.category != category:
            continue
        distance = geodesic_m(near[0], near[1], *post.position)
        if within_km is None or distance <= within_km * 1000:
            found.append(((distance, post.starts_at is None,
                           post.starts_at.timestamp() if post.starts_at else 0, post.id),
                          post.id, distance))
    return [(post_id, distance) for _key, post_id, distance in sorted(found)[:limit]]


def assert_same(found, expected):
    assert [hit.post.id for hit in found] == [post_id for post_id, _d in expected]
    assert all(abs(hit.distance_m - distance) < 1e-6
               for hit, (_id, distance) in zip(found, expected))


def test_nearby_equals_a_brute_force_geodesic_ranking(make_station, make_employer, union):
    rng = random.Random(17)
    stations = [make_station(lat=TIANJIN[0] + rng.uniform(-0.3, 0.3),
                             lon=TIANJIN[1] + rng.uniform(-0.3, 0.3), organisation_id=union.id)
                for _ in range(8)]
    stations += [make_station(lat=-17.0, lon=179.99), make_station(lat=89.7, lon=10.0)]
    places = [{"station_id": rng.choice(stations).id} for _ in range(120)]
    # More gigs at one station than a first KNN round fetches, all tied on distance, each
    # starting at its own time, written latest first: the soonest must still come first.
    places += [{"kind": "gig", "starts_at": NOW + timedelta(minutes=10 * (60 - number)),
                "ends_at": NOW + timedelta(hours=12), "station_id": stations[0].id}
               for number in range(60)]
    places += [{"lat": TIANJIN[0] + rng.uniform(-0.5, 0.5), "lon": TIANJIN[1] + rng.uniform(-0.5, 0.5),
                "address": "地址"} for _ in range(150)]
    places += [{"lat": rng.uniform(-17.5, -16.5), "lon": rng.choice([-1, 1]) * rng.uniform(179.5, 180),
                "address": "斐济"} for _ in range(15)]
    places += [{"lat": rng.uniform(89, 90), "lon": rng.uniform(-180, 180), "address": "北极"}
               for _ in range(10)]
    employer = make_employer()
    db.session.execute(insert(JobPost), post_rows(employer, places, rng))
    # Posts no search may show: a draft, an expired one, a gig that has started.
    db.session.execute(insert(JobPost), post_rows(employer, [
        {"lat": TIANJIN[0], "lon": TIANJIN[1], "state": "draft"},
        {"lat": TIANJIN[0], "lon": TIANJIN[1], "expires_at": NOW - timedelta(hours=1)},
        {"lat": TIANJIN[0], "lon": TIANJIN[1], "kind": "gig", "starts_at": NOW - timedelta(hours=1),
         "ends_at": NOW + timedelta(hours=1)}], rng))
    db.session.commit()

    points = [(TIANJIN[0] + rng.uniform(-0.4, 0.4), TIANJIN[1] + rng.uniform(-0.4, 0.4))
              for _ in range(12)]
    points += [(stations[0].lat, stations[0].lon), (-17.0, -179.9), (-17.2, 179.8), (90.0, 0.0),
               (0.0, 0.0), (-89.0, 45.0)]
    for near in points:
        for limit, within_km, category in [(1, None, ""), (5, None, ""), (50, None, ""),
                                           (20, 5, ""), (50, 20, "catering"), (300, None, ""),
                                           (10, 100, "security")]:
            found = nearby_posts(now=NOW, near=near, limit=limit, within_km=within_km,
                                 category=category)
            expected = brute_force(near, limit=limit, within_km=within_km, category=category)
            assert_same(found, expected)

    # The posts held at a station follow it when it moves.
    moved = stations[1]
    db.session.execute(update(Station).where(Station.id == moved.id).values(
        lat=TIANJIN[0] + 0.6, lon=TIANJIN[1] - 0.6, **position_columns(TIANJIN[0] + 0.6,
                                                                        TIANJIN[1] - 0.6)))
    db.session.commit()
    db.session.expire_all()
    near = (TIANJIN[0] + 0.6, TIANJIN[1] - 0.6)
    assert_same(nearby_posts(now=NOW, near=near, limit=10), brute_force(near, limit=10))
    assert nearby_posts(now=NOW, near=near, limit=1)[0].post.station_id == moved.id


def geog_of(post_id: int) -> tuple[float, float] | None:
    row = db.session.execute(text("SELECT ST_Y(geog::geometry), ST_X(geog::geometry) "
                                  "FROM job_post WHERE id = :id"), {"id": post_id}).one()
    return None if row[0] is None else (row[0], row[1])


def test_the_geography_column_follows_every_write_path(postgresql, make_post, make_station):
    station = make_station(lat=39.2, lon=117.1)
    at_address = make_post(lat=39.05, lon=117.3)
    at_station = make_post(station_id=station.id, lat=None, lon=None)
    employer = at_address.employer
    db.session.execute(insert(JobPost), post_rows(employer, [{"lat": -17.0, "lon": 179.5}],
                                                  random.Random(1)))
    db.session.commit()
    by_core = db.session.scalar(select(JobPost.id).where(JobPost.lat == -17.0))
    assert geog_of(at_address.id) == (39.05, 117.3) and geog_of(by_core) == (-17.0, 179.5)
    assert geog_of(at_station.id) == (39.2, 117.1)

    # The post moves: by the ORM, by a hand-written UPDATE, to a station and back off it.
    at_address.lat, at_address.lon = 39.1, 117.25
    db.session.execute(text("UPDATE job_post SET lon = -179.5 WHERE id = :id"), {"id": by_core})
    db.session.commit()
    assert geog_of(at_address.id) == (39.1, 117.25) and geog_of(by_core) == (-17.0, -179.5)
    at_address.station_id = station.id
    db.session.commit()
    assert geog_of(at_address.id) == (39.2, 117.1)  # a station's position wins, as on the page
    at_address.station_id = None
    db.session.commit()
    assert geog_of(at_address.id) == (39.1, 117.25)

    # The station moves (the ORM, then SQL); a write that does not move it changes nothing.
    station.lat, station.lon = 39.3, 117.0
    db.session.commit()
    assert geog_of(at_station.id) == (39.3, 117.0)
    db.session.execute(text("UPDATE station SET lat = 38.9 WHERE id = :id"), {"id": station.id})
    db.session.commit()
    assert geog_of(at_station.id) == (38.9, 117.0)

    # A value written by hand is replaced by the place.
    db.session.execute(text("UPDATE job_post SET geog = 'POINT(0 0)' WHERE id = :id"),
                       {"id": at_station.id})
    db.session.commit()
    assert geog_of(at_station.id) == (38.9, 117.0)

    # The station is deleted: the post keeps its own address's position.
    db.session.execute(update(JobPost).where(JobPost.id == at_station.id).values(lat=39.0, lon=117.0))
    db.session.execute(delete(Station).where(Station.id == station.id))
    db.session.commit()
    assert geog_of(at_station.id) == (39.0, 117.0)


def test_the_knn_search_is_an_index_scan_with_its_filters(postgresql, make_employer):
    rows = post_rows(make_employer(), [{"lat": 39 + number / 1000, "lon": 117.2}
                                       for number in range(2000)], random.Random(2))
    db.session.execute(insert(JobPost), rows)
    db.session.execute(text("ANALYZE job_post"))
    # The index must be able to serve the search in distance order (with few rows the
    # planner may rightly prefer a bitmap scan and a sort; this asks what the index offers).
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    plan = "\n".join(db.session.execute(text("""
        EXPLAIN SELECT id FROM job_post
        WHERE state = 'published' AND category = 'catering'
          AND ST_DWithin(geog, ST_MakePoint(117.2, 39.1)::geography, 20000, false)
        ORDER BY geog <-> ST_MakePoint(117.2, 39.1)::geography LIMIT 16""")).scalars())
    assert "Index Scan using ix_job_post_geog" in plan and "Order By" in plan, plan


def load_migration_0017():
    path = os.path.join(MIGRATIONS, "versions", "0017_job_post_geog.py")
    spec = importlib.util.spec_from_file_location("migration_0017", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_goes_down_and_up_and_fills_the_column(app, make_post, make_station):
    station = make_station(lat=39.2, lon=117.1)
    at_station = make_post(station_id=station.id, lat=None, lon=None)
    at_address = make_post(lat=39.05, lon=117.3)
    columns_before = {c["name"] for c in inspect(db.engine).get_columns("job_post")}
    ids = {"station": station.id, "at_station": at_station.id, "at_address": at_address.id}
    db.session.commit()
    downgrade(directory=MIGRATIONS, revision=load_migration_0017().down_revision)
    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("job_post")}
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("job_post")}
        assert "geog" not in columns and "ix_job_post_station_id" not in indexes
        assert columns == columns_before - {"geog"}  # SQLite: nothing else changed either
        if db.engine.dialect.name == "postgresql":
            triggers = db.session.execute(text(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname IN "
                "('job_post_place_before_write', 'station_moves_job_posts')")).scalars().all()
            assert triggers == []
            # A move while the column is gone: the upgrade's backfill must see it.
            db.session.execute(text("UPDATE station SET lat = 39.4 WHERE id = :id"),
                               {"id": ids["station"]})
            db.session.commit()
    finally:
        db.session.remove()
        upgrade(directory=MIGRATIONS)
    if db.engine.dialect.name == "postgresql":
        assert geog_of(ids["at_station"]) == (39.4, 117.1)
        assert geog_of(ids["at_address"]) == (39.05, 117.3)
        assert "ix_job_post_geog" in {i["name"] for i in inspect(db.engine).get_indexes("job_post")}
    else:
        assert {c["name"] for c in inspect(db.engine).get_columns("job_post")} == columns_before
    assert {hit.post.id for hit in nearby_posts(now=NOW, near=(39.1, 117.2))} == {
        ids["at_station"], ids["at_address"]}
