"""The unit of work: one commit at the end, a rollback on any error, sorted row locks."""
import sqlite3
import threading
from contextlib import contextmanager

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import bindparam, event, select, text, update

from extensions import db
from rest_stations.models import Station
from transactions import (WriteInReadOnlyView, end_read_only_transaction, in_transaction,
                          lock_row, lock_rows, read_only, transaction)

pytestmark = pytest.mark.usefixtures("app")


def _names():
    return set(db.session.scalars(select(Station.name)))


def test_a_block_commits_once_at_the_end(make_station):
    with transaction():
        db.session.add(Station(name="新驿站", address="路", lat=39.1, lon=117.2))
        db.session.flush()
        assert in_transaction()
    db.session.rollback()  # nothing left to roll back: it was committed
    assert "新驿站" in _names()
    assert not in_transaction()


def test_an_exception_rolls_back_everything():
    with pytest.raises(RuntimeError):
        with transaction():
            db.session.add(Station(name="半截驿站", address="路", lat=39.1, lon=117.2))
            db.session.flush()
            raise RuntimeError("crash half way")
    assert "半截驿站" not in _names()


def test_an_inner_block_joins_the_outer_one():
    with pytest.raises(RuntimeError):
        with transaction():
            with transaction():
                db.session.add(Station(name="内层驿站", address="路", lat=39.1, lon=117.2))
            assert in_transaction()  # the inner block did not commit or close it
            raise RuntimeError("outer fails")
    assert "内层驿站" not in _names()


def test_lock_rows_needs_a_transaction(make_station):
    station = make_station()
    with pytest.raises(RuntimeError):
        lock_rows(Station, [station.id])


def test_lock_rows_returns_fresh_rows_in_id_order(make_station):
    first, second = make_station(), make_station()
    with transaction():
        rows = lock_rows(Station, [second.id, first.id, second.id, 10**9])
        assert [row.id for row in rows] == [first.id, second.id]
        assert lock_row(Station, 10**9) is None


def test_a_second_writer_waits_for_the_first(app, make_station):
    """Two units of work on one row run one after the other, and the second sees the first's
    write: the lock is held from the start of the block to its commit."""
    station = make_station(capacity=10)
    locked = threading.Event()
    release = threading.Event()
    seen = []

    def first_writer():
        with app.app_context():
            with transaction():
                row = lock_row(Station, station.id)
                locked.set()
                release.wait(10)
                row.capacity += 1

    def second_writer():
        with app.app_context():
            locked.wait(10)
            with transaction():
                row = lock_row(Station, station.id)
                seen.append(row.capacity)
                row.capacity += 1

    threads = [threading.Thread(target=first_writer), threading.Thread(target=second_writer)]
    for thread in threads:
        thread.start()
    locked.wait(10)
    release.set()
    for thread in threads:
        thread.join(20)
    db.session.expire_all()
    assert seen == [11]
    assert db.session.get(Station, station.id).capacity == 12


def test_a_write_that_finds_sqlite_busy_past_its_timeout_is_told_to_try_again(
        app, client, make_station, make_user):
    """SQLite queues writers for busy_timeout (30 s); one still waiting after that gets a 503
    with Retry-After in the visitor's language, nothing half-written, and the same tap
    succeeds once the other writer is done."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the one-writer lock is SQLite's")
    from checkins.models import CheckIn
    from tests.accounts.helpers import csrf_token, log_in

    station_id = make_station().id
    log_in(client, make_user("worker"))
    token = csrf_token(client)
    db.session.remove()
    db.engine.dispose()
    with db.engine.connect() as connection:  # the one pooled connection the requests reuse
        connection.exec_driver_sql("PRAGMA busy_timeout = 50")
    holder = sqlite3.connect(db.engine.url.database, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another writer, mid-transaction
    try:
        response = client.post(f"/stations/{station_id}/check-in", data={"csrf_token": token},
                               headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 503
        # Its own few seconds, not the rate limiter's window (security.keep_retry_after_meaningful).
        assert response.headers["Retry-After"] == "5"
        assert "没有保存" in response.get_data(as_text=True)
    finally:
        holder.rollback()
        holder.close()
    assert db.session.scalar(db.select(db.func.count(CheckIn.id))) == 0
    response = client.post(f"/stations/{station_id}/check-in", data={"csrf_token": token})
    assert response.status_code == 303 and "Retry-After" not in response.headers
    assert "X-RateLimit-Remaining" in response.headers  # a limited route, all the same
    assert db.session.scalar(db.select(db.func.count(CheckIn.id))) == 1



def _transaction_ends(app, request):
    """How each transaction ended while `request()` ran: "commit" or "rollback"."""
    ends = []
    listeners = {name: (lambda connection, name=name: ends.append(name))
                 for name in ("commit", "rollback")}
    for name, listener in listeners.items():
        event.listen(db.engine, name, listener)
    try:
        request()
    finally:
        for name, listener in listeners.items():
            event.remove(db.engine, name, listener)
    return ends


def test_a_request_that_only_read_ends_with_commit(app, client, make_station):
    make_station()
    db.session.close()
    ends = _transaction_ends(app, lambda: client.get("/map?lat=39.1&lon=117.2"))
    assert ends[0] == "commit"


def test_a_request_that_raised_is_left_to_the_rollback(app, make_station):
    make_station()
    db.session.close()
    _names()
    ends = _transaction_ends(app, lambda: end_read_only_transaction(RuntimeError("boom")))
    assert ends == [] and db.session().in_transaction()


def test_a_write_outside_a_block_is_not_committed_at_the_end(make_station):
    station = make_station(name="旧名")
    db.session.execute(update(Station).where(Station.id == station.id).values(name="新名"))
    end_read_only_transaction()
    db.session.rollback()
    assert _names() == {"旧名"}


def test_unflushed_changes_are_not_committed_at_the_end(make_station):
    station = make_station(name="旧名")
    station.name = "新名"
    end_read_only_transaction()
    db.session.rollback()
    assert _names() == {"旧名"}


def test_a_write_in_sql_text_is_not_committed_at_the_end(make_station):
    station = make_station(name="旧名")
    db.session.execute(text("UPDATE station SET name = '新名' WHERE id = :id"), {"id": station.id})
    end_read_only_transaction()
    db.session.rollback()
    assert _names() == {"旧名"}


def test_prepared_statements_outlive_a_read_only_request_on_postgresql(app, make_station):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements")
    make_station()
    statement = select(Station.id).where(Station.name == bindparam("name"))

    def prepared_after(end) -> int:
        with db.engine.connect() as connection:
            for _ in range(6):  # psycopg prepares a statement the fifth time it runs
                connection.execute(statement, {"name": "x"}).all()
            end(connection)
            return connection.scalar(text("SELECT count(*) FROM pg_prepared_statements"))

    # Why: ROLLBACK makes psycopg deallocate them all; COMMIT keeps them.
    assert prepared_after(lambda connection: connection.rollback()) == 0
    assert prepared_after(lambda connection: connection.commit()) >= 1


def test_a_read_only_transaction_that_cannot_commit_does_not_fail_the_request(
        make_station, monkeypatch):
    from sqlalchemy.exc import OperationalError

    make_station()
    db.session.close()
    _names()

    def lost_connection():
        raise OperationalError("COMMIT", {}, RuntimeError("server closed the connection"))

    monkeypatch.setattr(db.session(), "commit", lost_connection)
    end_read_only_transaction()  # logged, not raised
    monkeypatch.undo()
    db.session.rollback()



@contextmanager
def _transaction_open_after_each_statement():
    """Whether the database connection was inside a transaction after each statement."""
    seen = []

    def note(connection, *_args):
        dbapi = connection.connection.dbapi_connection
        if connection.dialect.name == "postgresql":
            seen.append(dbapi.info.transaction_status != TransactionStatus.IDLE)
        else:
            seen.append(dbapi.in_transaction)

    event.listen(db.engine, "after_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "after_cursor_execute", note)


def test_a_read_only_view_reads_without_a_transaction(client, make_station):
    """No BEGIN before the nearest API's statement, so no COMMIT after it either; an
    ordinary view's statements run inside one on PostgreSQL (pysqlite begins only before a
    write)."""
    make_station()
    db.session.close()
    with _transaction_open_after_each_statement() as seen:
        response = client.get("/api/stations/nearest?lat=39.1&lon=117.2")
    assert response.status_code == 200 and len(response.get_json()["features"]) == 1
    assert seen and not any(seen)
    with _transaction_open_after_each_statement() as seen:
        assert client.get("/map?lat=39.1&lon=117.2").status_code == 200
    assert seen and all(seen) == (db.engine.dialect.name == "postgresql")


def test_a_read_only_view_that_writes_is_stopped_before_the_write(make_station):
    station_id = make_station(name="旧名").id
    db.session.close()

    @read_only
    def renames():
        db.session.execute(update(Station).where(Station.id == station_id).values(name="新名"))

    with pytest.raises(WriteInReadOnlyView):
        renames()
    db.session.close()
    assert _names() == {"旧名"}


def test_a_read_only_view_cannot_open_a_unit_of_work(make_station):
    make_station()
    db.session.close()

    @read_only
    def locks():
        _names()
        with transaction():
            pass

    with pytest.raises(WriteInReadOnlyView):
        locks()


def test_a_read_only_view_joins_a_transaction_already_begun(make_station):
    """A signed-in request loaded its user first: the view reads in that transaction."""
    make_station(name="旧名")
    db.session.close()
    _names()

    @read_only
    def reads():
        return _names()

    assert reads() == {"旧名"}
    assert db.session().in_transaction()
