"""Pooled PostgreSQL connections are checked before use without a round trip.

SQLAlchemy's pool_pre_ping sends a statement on every checkout, one per request: about a
tenth of the nearest API's time on this server. A connection the server has closed
(a restart, pg_terminate_backend, an idle timeout) is told so on its socket: PostgreSQL
sends a FATAL message and closes it, so the socket reads as ready, or in error, while the
connection sits idle in the pool. Only then is it worth asking: a connection with news on
its socket is pinged (a NOTICE or a parameter change also arrives this way, and such a
connection is kept), and one whose ping fails is replaced before the request sees it.

What this cannot see is a peer that vanished without a word (a cable cut, no FIN): the
pre-ping could not either, as its statement would wait for the TCP timeout.
"""
import select

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

_UNREAD = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP


def has_news(socket_fd: int) -> bool:
    """Whether an idle connection's socket holds something unread, or is closed."""
    poll = select.poll()
    poll.register(socket_fd, _UNREAD)
    return bool(poll.poll(0))


@event.listens_for(Pool, "checkout")
def _replace_closed_connection(dbapi_connection, _record, _proxy) -> None:
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return  # SQLite: a file, which never hangs up
    if dbapi_connection.closed:
        raise DisconnectionError("the connection is closed")
    try:
        news = has_news(pgconn.socket)
    except Exception as error:  # noqa: BLE001: no socket to read means no connection
        raise DisconnectionError(str(error)) from error
    if news:
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:  # noqa: BLE001: any failure here means "replace it"
            # The pool closes this one and connects afresh (up to three times).
            raise DisconnectionError(str(error)) from error
