"""`flask stations import` streams: bounded memory for any file size, and the same answers as
the ORM would give (derived columns, region codes, updates, every bad row by line)."""
import csv
import io
import json
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

import clock
from extensions import db
from regions.divisions import match
from rest_stations import importer
from rest_stations.geo import position_columns
from rest_stations.models import Station
from rest_stations.queries import nearest_stations
from rest_stations.schema import COLUMNS
from rest_stations.synthetic import write_synthetic_csv
from rest_stations.vocabulary import amenity_mask
from station_admin.exports import csv_rows

ROOT = Path(__file__).resolve().parents[2]
EN = {"LANG": "en_US.UTF-8"}


def generated_lines(count: int, seed: int = 5) -> list[str]:
    buffer = io.StringIO()
    write_synthetic_csv(buffer, count, seed)
    return buffer.getvalue().splitlines(keepends=True)


def write_lines(path: Path, lines: list[str]) -> str:
    path.write_text("".join(lines), encoding="utf-8")
    return str(path)


def station_count() -> int:
    return db.session.scalar(db.select(db.func.count(Station.id)))


def test_importing_50000_rows_grows_peak_memory_by_less_than_50_mb(app, tmp_path):
    """The import runs in its own process; its peak RSS (VmHWM) is read before and after.
    Before streaming the same import grew the peak by about 330 MB (451 MB in all)."""
    big = write_lines(tmp_path / "big.csv", generated_lines(50_000))
    small = write_lines(tmp_path / "small.csv", generated_lines(20, seed=6))
    db.session.rollback()  # no transaction of ours may hold SQLite's write lock
    # ru_maxrss of a child would include the pytest process it was forked from, so the
    # child reads its own high-water mark from /proc.
    script = textwrap.dedent(f"""
        import json, re, sys
        sys.path.insert(0, {str(ROOT)!r})
        from app import create_app

        def peak_mb():
            status = open("/proc/self/status").read()
            return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) / 1024

        app = create_app("testing", SQLALCHEMY_DATABASE_URI={app.config["SQLALCHEMY_DATABASE_URI"]!r})
        runner = app.test_cli_runner()
        warm = runner.invoke(args=["stations", "import", {small!r}])  # loads what an import uses
        before = peak_mb()
        result = runner.invoke(args=["stations", "import", {big!r}], env={{"LANG": "en_US.UTF-8"}})
        print(json.dumps({{"before": before, "after": peak_mb(), "output": warm.output + result.output,
                           "code": result.exit_code}}))
    """)
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           timeout=600, cwd=ROOT)
    assert child.returncode == 0, child.stderr
    measured = json.loads(child.stdout.splitlines()[-1])
    assert measured["code"] == 0, measured["output"]
    assert "50000 stations created" in measured["output"]
    assert station_count() == 50_020
    growth = measured["after"] - measured["before"]
    assert growth < 50, f"peak RSS grew by {growth:.0f} MB to {measured['after']:.0f} MB"


def test_imported_rows_carry_what_the_model_derives(runner, tmp_path):
    lines = generated_lines(30) + [
        "河东区驿站,十一经路 8 号,天津市,河东区,39.1272,117.2185,partner,water;rest,,6,\n"]
    runner.invoke(args=["stations", "import", write_lines(tmp_path / "s.csv", lines)])
    before = clock.now()
    stations = db.session.scalars(db.select(Station)).all()
    assert len(stations) == 31
    for station in stations:
        derived = position_columns(station.lat, station.lon)
        assert (station.x, station.y, station.z, station.cell) == (
            derived["x"], derived["y"], derived["z"], derived["cell"])
        assert station.status == "active" and station.timezone == "Asia/Shanghai"
        assert station.created_at <= before and station.updated_at <= before
    hedong = db.session.scalar(db.select(Station).filter_by(name="河东区驿站"))
    assert hedong.region_code == match("天津市", "河东区") is not None
    assert hedong.amenity_mask == amenity_mask(["water", "rest"])
    # The search index saw every row (SQLite: the cell triggers; PostgreSQL: the generated
    # geography column): the nearest search finds the new station.
    assert nearest_stations(39.1272, 117.2185, limit=1)[0].station.name == "河东区驿站"


def test_every_station_column_is_written_or_left_to_its_default():
    """A new column on Station must be taken from the file, derived in the importer
    (rest_stations/importer.py _staged_values), or have a default; otherwise the streaming
    import, which makes no ORM objects, would leave it empty."""
    left_empty = {"id", "organisation_id", "reopens_on", "last_verified_on"}
    for column in Station.__table__.columns:
        if column.name in importer.STAGED or column.name in left_empty:
            continue
        assert column.default is not None, f"{column.name}: the importer does not set it"


def test_reimport_updates_changed_rows_and_leaves_the_rest_untouched(runner, tmp_path):
    lines = generated_lines(2_500)  # more than one batch
    runner.invoke(args=["stations", "import", write_lines(tmp_path / "a.csv", lines)])
    then = datetime(2026, 1, 1, tzinfo=timezone.utc)
    db.session.execute(db.update(Station).values(updated_at=then, region_code="120102",
                                                 status="temporarily_closed"))
    db.session.commit()
    changed = lines[2100].split(",")
    changed[COLUMNS.index("capacity")] = "77"
    lines[2100] = ",".join(changed)
    result = runner.invoke(args=["stations", "import", write_lines(tmp_path / "b.csv", lines)],
                           env=EN)
    assert result.exit_code == 0, result.output
    assert "0 stations created, 2500 updated, 0 rows skipped." in result.output
    db.session.expire_all()
    station = db.session.scalar(db.select(Station).filter_by(name=changed[0]))
    assert station.capacity == 77 and station.updated_at > then
    # What the file does not hold (status, a chosen region code) is kept.
    assert station.status == "temporarily_closed" and station.region_code == "120102"
    assert db.session.scalar(db.select(db.func.count()).where(Station.updated_at == then)) == 2_499


def test_every_bad_row_of_a_large_file_is_reported_and_nothing_is_written(runner, tmp_path):
    lines = generated_lines(4_500)
    lines[10] = lines[10].replace(",union,", ",shop,").replace(",partner,", ",shop,") \
        .replace(",driver_home,", ",shop,")
    lines[3_000] = "坏驿站,,,,99,0,union,,,,\n"
    lines[4_200] = lines[5]  # a duplicate two batches later
    result = runner.invoke(args=["stations", "import", write_lines(tmp_path / "bad.csv", lines)],
                           env=EN)
    assert result.exit_code == 1
    reported = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in reported] == ["line 11", "line 3001", "line 4201"]
    assert "shop" in reported[0] and "lat" in reported[1]
    assert reported[2] == "line 4201: same name and coordinates as line 6"
    assert "3 bad rows; nothing was imported." in result.output
    assert station_count() == 0


def test_skip_invalid_keeps_the_first_of_duplicates_and_imports_the_good_rows(runner, tmp_path):
    lines = generated_lines(4_500)
    lines[3_000] = "坏驿站,,,,99,0,union,,,,\n"
    lines[4_200] = lines[5]
    result = runner.invoke(args=["stations", "import", "--skip-invalid",
                                 write_lines(tmp_path / "bad.csv", lines)], env=EN)
    assert result.exit_code == 0, result.output
    assert "line 3001: " in result.output
    assert "line 4201: same name and coordinates as line 6" in result.output
    assert "4498 stations created, 0 updated, 2 rows skipped." in result.output
    assert station_count() == 4_498
    first = db.session.scalar(db.select(Station).filter_by(name=lines[5].split(",")[0]))
    assert first.id == db.session.scalar(db.select(db.func.min(Station.id))) + 4  # file order


def test_text_that_is_not_utf8_is_reported_on_its_line(runner, tmp_path):
    lines = generated_lines(3_000)
    path = tmp_path / "mixed.csv"
    path.write_bytes("".join(lines[:2_500]).encode("utf-8") + lines[2_500].encode("gbk")
                     + "".join(lines[2_501:]).encode("utf-8"))
    result = runner.invoke(args=["stations", "import", str(path)], env=EN)
    assert result.exit_code == 1
    assert "line 2501: the file is not UTF-8 text" in result.output
    assert station_count() == 0


def test_exported_csv_imports_again_without_changes(runner, tmp_path):
    lines = generated_lines(2_100) + [
        '"=HYPERLINK(""http://x"")",合成路,天津市,河东区,39.1,117.2,union,water,,0,\n']
    runner.invoke(args=["stations", "import", write_lines(tmp_path / "in.csv", lines)])
    exported = "".join(csv_rows(db.select(Station)))
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8")
    stamps = dict(db.session.execute(db.select(Station.id, Station.updated_at)).all())
    result = runner.invoke(args=["stations", "import", str(path)], env=EN)
    assert "0 stations created, 2101 updated, 0 rows skipped." in result.output
    db.session.expire_all()
    assert "".join(csv_rows(db.select(Station))) == exported
    assert dict(db.session.execute(db.select(Station.id, Station.updated_at)).all()) == stamps
    assert db.session.scalar(db.select(Station).filter_by(name='=HYPERLINK("http://x")'))


def test_the_generator_streams_a_repeatable_file(runner, tmp_path):
    out = tmp_path / "g.csv"
    runner.invoke(args=["stations", "generate", "--count", "3000", "--seed", "4", "-o", str(out)])
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == list(COLUMNS) and len(rows) == 3_001
    assert "".join(generated_lines(3_000, seed=4)) == out.read_bytes().decode("utf-8")
