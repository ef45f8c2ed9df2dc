"""`flask stations import`: all or nothing, line-numbered errors, and re-imports that update."""
import pytest

from extensions import db
from rest_stations.models import Station

HEADER = "name,address,city,district,lat,lon,kind,amenities,opening_hours,capacity,phone\n"
GOOD = [
    "天津站后广场驿站,河北区天津站后广场,天津市,河北区,39.1352,117.2079,union,charging;water;rest,24/7,12,022-55501234\n",
    "大王庄驿站,河东区大王庄,天津市,河东区,39.1201,117.2270,partner,water,Mo-Su 08:00-20:00,6,\n",
]


@pytest.fixture
def write_csv(tmp_path):
    def write(*lines, header=HEADER, bom=False, name="stations.csv"):
        path = tmp_path / name
        path.write_bytes((("\ufeff" if bom else "") + header + "".join(lines)).encode("utf-8"))
        return str(path)

    return write


def station_count():
    return db.session.scalar(db.select(db.func.count(Station.id)))


def test_import_loads_every_field(runner, write_csv):
    result = runner.invoke(args=["stations", "import", write_csv(*GOOD, bom=True)])
    assert result.exit_code == 0, result.output
    station = db.session.scalar(db.select(Station).filter_by(name="天津站后广场驿站"))
    assert (station.lat, station.lon, station.city, station.district) == (39.1352, 117.2079, "天津市", "河北区")
    assert station.amenities == ["charging", "water", "rest"]
    assert (station.opening_hours, station.capacity, station.phone) == ("24/7", 12, "022-55501234")
    assert station.kind == "union" and station.status == "active"


@pytest.mark.parametrize(("bad_row", "reason"), [
    ("坏驿站,,,,91,117,union,,,,\n", "lat"),
    ("坏驿站,,,,39,abc,union,,,,\n", "lon"),
    ("坏驿站,,,,39,117,shop,,,,\n", "shop"),
    ("坏驿站,,,,39,117,union,water;sauna,,,\n", "sauna"),
    ("坏驿站,,,,39,117,union,,Mo-Zz 08:00-20:00,,\n", "opening_hours"),
    ("坏驿站,,,,39,117,union,,,-3,\n", "capacity"),
    ("坏驿站,,,,39,117,union,,,,12\n", "phone"),
    (",,,,39,117,union,,,,\n", "name"),
])
def test_one_bad_row_writes_nothing_and_names_its_line(runner, write_csv, bad_row, reason):
    result = runner.invoke(args=["stations", "import", write_csv(GOOD[0], bad_row, GOOD[1])],
                           env={"LANG": "en_US.UTF-8"})
    assert result.exit_code == 1
    assert f"line 3: " in result.output and reason in result.output
    assert station_count() == 0


def test_every_bad_row_is_reported(runner, write_csv):
    result = runner.invoke(args=["stations", "import", write_csv(
        "a,,,,99,0,union,,,,\n", GOOD[0], "b,,,,0,0,union,,nonsense,,\n")],
        env={"LANG": "en_US.UTF-8"})
    assert "line 2: " in result.output and "line 4: " in result.output
    assert "2 bad rows; nothing was imported." in result.output


def test_skip_invalid_imports_the_good_rows(runner, write_csv):
    result = runner.invoke(args=["stations", "import", "--skip-invalid",
                                 write_csv(GOOD[0], "坏,,,,99,0,union,,,,\n", GOOD[1])],
                           env={"LANG": "en_US.UTF-8"})
    assert result.exit_code == 0
    assert "line 3: " in result.output
    assert "2 stations created, 0 updated, 1 rows skipped." in result.output
    assert station_count() == 2


def test_reimport_updates_instead_of_duplicating(runner, write_csv):
    runner.invoke(args=["stations", "import", write_csv(*GOOD)])
    changed = GOOD[1].replace(",6,", ",9,")
    result = runner.invoke(args=["stations", "import", write_csv(GOOD[0], changed)],
                           env={"LANG": "en_US.UTF-8"})
    assert "0 stations created, 2 updated" in result.output
    assert station_count() == 2
    assert db.session.scalar(db.select(Station.capacity).filter_by(name="大王庄驿站")) == 9


def test_duplicate_within_the_file_is_an_error(runner, write_csv):
    result = runner.invoke(args=["stations", "import", write_csv(GOOD[0], GOOD[0])],
                           env={"LANG": "en_US.UTF-8"})
    assert result.exit_code == 1
    assert "line 3: same name and coordinates as line 2" in result.output


def test_missing_column_is_reported_on_line_1(runner, write_csv):
    result = runner.invoke(args=["stations", "import", write_csv(
        GOOD[0], header=HEADER.replace(",phone", ""))], env={"LANG": "en_US.UTF-8"})
    assert result.exit_code == 1 and "line 1: missing columns: phone" in result.output


def test_non_utf8_file_is_refused(runner, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + GOOD[0]).encode("gbk"))
    result = runner.invoke(args=["stations", "import", str(path)], env={"LANG": "en_US.UTF-8"})
    assert result.exit_code == 1 and "not UTF-8" in result.output


def test_errors_are_in_chinese_by_default(runner, write_csv):
    result = runner.invoke(args=["stations", "import", write_csv("坏,,,,99,0,union,,,,\n")],
                           env={"LANG": "C.UTF-8", "LANGUAGE": ""})
    assert "第 2 行" in result.output


def test_generate_writes_importable_rows(runner, tmp_path):
    out = tmp_path / "synthetic.csv"
    result = runner.invoke(args=["stations", "generate", "--count", "300", "--seed", "3",
                                 "--output", str(out)])
    assert result.exit_code == 0
    result = runner.invoke(args=["stations", "import", str(out)], env={"LANG": "en_US.UTF-8"})
    assert "300 stations created" in result.output
    # Synthetic stations cluster in China.
    lats = db.session.scalars(db.select(Station.lat)).all()
    assert all(15 < lat < 50 for lat in lats)


def test_generate_is_repeatable_for_a_seed(runner, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    runner.invoke(args=["stations", "generate", "--count", "50", "--seed", "9", "-o", str(first)])
    runner.invoke(args=["stations", "generate", "--count", "50", "--seed", "9", "-o", str(second)])
    assert first.read_bytes() == second.read_bytes()


def test_seed_demo_loads_at_least_60_stations_once(runner):
    runner.invoke(args=["seed-demo"])
    count = station_count()
    assert count >= 60
    runner.invoke(args=["seed-demo"])
    assert station_count() == count
