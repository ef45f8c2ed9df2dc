"""Pooled connections are checked on their socket, not with a statement (connections.py)."""
import socket
import time

import psycopg
import pytest
from sqlalchemy import create_engine, text

from connections import has_news


def test_a_socket_has_news_when_the_peer_wrote_or_hung_up():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        assert not has_news(ours.fileno())
        theirs.sendall(b"E")  # what PostgreSQL sends before closing: an error message
        assert has_news(ours.fileno())
        ours.recv(1)
        assert not has_news(ours.fileno())
        theirs.close()
        assert has_news(ours.fileno())


@pytest.fixture
def pooled(app):
    """An engine with the app's options and one pooled connection, and a bystander's
    connection to the same server that sees what the pooled one does."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL closes connections; an SQLite file does not")
    engine = create_engine(url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"], pool_size=1,
                           max_overflow=0)
    bystander = psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(
        hide_password=False), autocommit=True)
    yield engine, bystander
    bystander.close()
    engine.dispose()


def _backend(connection) -> int:
    return connection.scalar(text("SELECT pg_backend_pid()"))


def test_a_healthy_pooled_connection_is_used_without_a_statement_first(pooled):
    engine, bystander = pooled
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        pid = _backend(connection)
        connection.execute(text("SELECT 'the last statement'"))
    with engine.connect() as connection:
        # What the server last heard from it is still the caller's statement: no ping.
        last = bystander.execute("SELECT query FROM pg_stat_activity WHERE pid = %s",
                                 (pid,)).fetchone()[0]
        assert last == "SELECT 'the last statement'"
        assert _backend(connection) == pid


def test_a_connection_the_server_closed_is_replaced_before_it_is_used(pooled):
    engine, bystander = pooled
    with engine.connect() as connection:
        pid = _backend(connection)
        socket_fd = connection.connection.dbapi_connection.pgconn.socket
    bystander.execute("SELECT pg_terminate_backend(%s)", (pid,))
    deadline = time.monotonic() + 5
    while not has_news(socket_fd) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert has_news(socket_fd)
    with engine.connect() as connection:  # would raise "terminating connection" unchecked
        assert _backend(connection) != pid
        assert connection.scalar(text("SELECT 1")) == 1
