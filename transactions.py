"""The unit of work: one transaction per request or CLI command, owned here.

Domain operations only add and `flush`; the view or command that calls them wraps the call in
`transaction()`, which commits once at the end and rolls back on any exception, so a crash
never leaves half a change. This is indico's split (operations flush, the handler commits)
with pretix's locking:

- On SQLite, `transaction()` starts with BEGIN IMMEDIATE: the database's one write lock is
  taken before anything is read, so two writers run one after the other (the connection's
  busy_timeout queues the second) and each reads what the other committed.
- On PostgreSQL, `lock_rows(Model, ids)` takes row locks (SELECT ... FOR UPDATE) in sorted
  id order, so two transactions that lock the same rows never deadlock, and re-reads them.

`db.session.commit()` appears nowhere else in the application (a test checks).

A request that only read ends its transaction with COMMIT (`end_read_only_transaction`):
psycopg forgets every prepared statement at a ROLLBACK, so ending reads that way made
PostgreSQL parse and plan each request's statements afresh. A view that only ever reads and
is called often (the nearest API) can go further: `@read_only` runs its statements with no
transaction at all, sparing the BEGIN and COMMIT round trips, and refuses any write.
"""
import functools
import logging
from collections.abc import Iterable
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Select, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from extensions import db

log = logging.getLogger(__name__)
_DEPTH = "unit_of_work_depth"
# On a connection's info: it ran something other than a plain SELECT since its transaction
# began (engine events below keep it).
_WROTE = "unit_of_work_wrote"
# An execution option of a connection that runs without a transaction, for reads only.
_READ_ONLY = "unit_of_work_read_only"


def in_transaction() -> bool:
    """Whether a `transaction()` block is open on this session."""
    return db.session.info.get(_DEPTH, 0) > 0


def _dialect() -> str:
    return db.session.get_bind().dialect.name


@contextmanager
def transaction():
    """Run the block as one transaction: commit at the end, roll back on any exception.

    A block inside another joins it: only the outermost one commits."""
    session = db.session
    depth = session.info.get(_DEPTH, 0)
    if depth:
        session.info[_DEPTH] = depth + 1
        try:
            yield session
        finally:
            session.info[_DEPTH] = depth
        return
    if session().in_transaction() and session.connection().get_execution_options().get(_READ_ONLY):
        raise WriteInReadOnlyView("transaction() in a @read_only view")
    if _dialect() == "sqlite":
        connection = session.connection()
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # Rows read before the lock may be stale: read them again on next access.
        session.expire_all()
    session.info[_DEPTH] = 1
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info[_DEPTH] = 0


def lock_rows(model, ids: Iterable[int]) -> list:
    """Lock these rows of `model` until the transaction ends and return them freshly read,
    in id order. Missing ids are simply absent from the result."""
    if not in_transaction():
        raise RuntimeError("lock_rows() needs an open transaction(): a lock outside one "
                           "would end at the next statement")
    wanted = sorted(set(ids))
    if not wanted:
        return []
    query = (select(model).where(model.id.in_(wanted)).order_by(model.id)
             .execution_options(populate_existing=True))
    if _dialect() == "postgresql":
        query = query.with_for_update(of=model)
    # SQLite: transaction() already holds the database's write lock.
    return list(db.session.scalars(query))


def lock_row(model, id_: int):
    """Lock one row (see lock_rows) and return it, or None when it does not exist."""
    rows = lock_rows(model, [id_])
    return rows[0] if rows else None


def read_only(view):
    """Run the view's statements without a transaction (the connection in autocommit): each
    statement reads its own snapshot, and the request costs no BEGIN and no COMMIT round
    trip. For a view whose answer is one statement, or whose statements need not agree
    with each other. A write, or a transaction() block, in such a view raises: it would be
    committed statement by statement.

    When something earlier in the request has already begun a transaction (a signed-in
    user was loaded), the view reads in that one, as any other."""
    @functools.wraps(view)
    def run_without_transaction(*args, **kwargs):
        session = db.session()
        if not session.in_transaction():
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT",
                                                  _READ_ONLY: True})
        return view(*args, **kwargs)
    return run_without_transaction


class WriteInReadOnlyView(RuntimeError):
    pass


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_writes_without_transaction(connection, cursor, statement, parameters, context,
                                       executemany) -> None:
    if (context is not None and context.execution_options.get(_READ_ONLY)
            and not _only_reads(context, statement)):
        raise WriteInReadOnlyView(f"a @read_only view tried to write: {statement[:80]!r}")


def end_read_only_transaction(exception: BaseException | None = None) -> None:
    """At the end of a request: end a transaction that only read with COMMIT rather than
    the ROLLBACK of Flask-SQLAlchemy's session.remove(), which runs next.

    For a transaction that read and nothing else the two are the same to the database, but
    not to psycopg: at a ROLLBACK it forgets every prepared statement (it cannot tell what
    the transaction created), so every request parsed and planned its statements again,
    half the database's time for the nearest search. Anything else (an error, unflushed
    changes, a statement that was not a plain SELECT, an open transaction() block) is left
    to the rollback."""
    if exception is not None or not db.session.registry.has():
        return
    session = db.session()
    if (in_transaction() or not session.in_transaction()
            or session.new or session.dirty or session.deleted):
        return
    if session.connection().info.get(_WROTE):
        return
    try:
        session.commit()
    except SQLAlchemyError:
        # The response has been made and nothing was to be kept: a connection that failed
        # here is the session's removal's to clean up, not a reason to fail the request.
        log.warning("ending a read-only transaction failed", exc_info=True)


@event.listens_for(Engine, "after_cursor_execute")
def _note_writes(connection, cursor, statement, parameters, context, executemany) -> None:
    if not _only_reads(context, statement):
        connection.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_writes(connection) -> None:
    connection.info.pop(_WROTE, None)


def _only_reads(context, statement: str) -> bool:
    """A compiled SELECT without FOR UPDATE, or SQL text that starts with SELECT."""
    compiled = getattr(context, "compiled", None)
    query = getattr(compiled, "statement", None)
    if isinstance(query, Select):
        return query._for_update_arg is None
    return statement.lstrip()[:6].upper() == "SELECT" and "FOR UPDATE" not in statement.upper()


def init_app(app: Flask) -> None:
    """After db.init_app: teardown functions run in reverse order, so this one runs before
    the session is removed."""
    app.teardown_appcontext(end_read_only_transaction)
