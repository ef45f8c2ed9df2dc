"""The CLI import, the staff upload and the editor check stations with one schema: a value
refused by one is refused by the others with the same message, and a value one accepts
(full-width, Chinese labels) the others accept too."""
import csv
import io

import pytest
from markupsafe import escape
from sqlalchemy import select

from extensions import db
from rest_stations.models import Station
from rest_stations.schema import COLUMNS, check_station
from tests.accounts.helpers import csrf_token

GOOD = {"name": "万达驿站", "address": "津塘路 35 号", "city": "天津市", "district": "河东区",
        "lat": "39.12034", "lon": "117.2351", "kind": "union", "amenities": "water",
        "opening_hours": "24/7", "capacity": "4", "phone": "022-2431 5678"}


def _csv(values: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerow([values[column] for column in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def _cli(runner, tmp_path, values: dict) -> str:
    path = tmp_path / "stations.csv"
    path.write_bytes(_csv(values))
    return runner.invoke(args=["stations", "import", str(path)],
                         env={"LANG": "en_US.UTF-8"}).output


def _upload(client, values: dict) -> str:
    return client.post("/staff/stations/upload", data={
        "csrf_token": csrf_token(client, "/staff/stations/upload"),
        "file": (io.BytesIO(_csv(values)), "s.csv")},
        content_type="multipart/form-data").get_data(as_text=True)


def _editor(client, values: dict):
    form = {**values, "amenities": values["amenities"].split(";")}
    return client.post("/staff/stations/new", data={
        "csrf_token": csrf_token(client, "/staff/stations/new"), **form})


@pytest.mark.parametrize("column, value", [
    ("address", "长" * 301),  # the importer used to cut this to 300 silently
    ("capacity", "20000"),  # the importer used to accept any number of seats
    ("phone", "12345"),
    ("lat", "95"),
    ("kind", "castle"),
    ("opening_hours", "whenever"),
])
def test_the_cli_the_upload_and_the_editor_refuse_alike(runner, tmp_path, staff_client, column,
                                                        value):
    bad = {**GOOD, column: value}
    with staff_client.application.test_request_context(headers={"Accept-Language": "en"}):
        message = check_station(bad).errors[column]
    cli = _cli(runner, tmp_path, bad)
    upload = _upload(staff_client, bad)
    response = _editor(staff_client, bad)
    editor = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in cli
    assert str(escape(message)) in upload
    assert str(escape(message)) in editor
    assert db.session.scalar(select(Station)) is None


def test_every_problem_of_a_row_is_listed(staff_client):
    page = _upload(staff_client, {**GOOD, "lat": "95", "capacity": "many", "phone": "12",
                                  "kind": "castle"})
    for column in ("纬度 (lat)", "座位数 (capacity)", "电话 (phone)", "类型 (kind)"):
        assert column in page
    assert "Errors: 1" in page


def test_full_width_and_chinese_labels_are_read_alike_everywhere(runner, tmp_path, staff_client):
    clerk = {**GOOD, "lat": "３９．１２０３４", "lon": "１１７．２３５１", "kind": "工会驿站",
             "amenities": "饮水；充电，卫生间", "opening_hours": "每天8：00-20：00",
             "capacity": "１２"}
    checked = check_station(clerk)
    assert checked.valid, checked.errors
    assert checked.values["kind"] == "union"
    assert checked.values["amenities"] == ["charging", "water", "toilet"]
    assert checked.values["opening_hours"] == "Mo-Su 08:00-20:00"
    assert (checked.values["lat"], checked.values["capacity"]) == (39.12034, 12)
    assert "1 stations created" in _cli(runner, tmp_path, clerk)
    station = db.session.scalar(select(Station))
    assert (station.kind, station.amenities, station.opening_hours) == (
        "union", ["charging", "water", "toilet"], "Mo-Su 08:00-20:00")
    editor = {**clerk, "name": "另一个驿站", "lat": "39.2", "amenities": "water"}
    assert _editor(staff_client, editor).status_code == 303
