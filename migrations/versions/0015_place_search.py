"""place search: station text searchable without spaces (FTS5 trigram on SQLite, pg_trgm on PostgreSQL)

Chinese users type "天津市河东区大王庄" with no spaces, so word-based search finds nothing.
Both databases index the station's name, address, district and city by trigrams (three
characters): SQLite in an FTS5 table kept by triggers, PostgreSQL in a GIN index on one
expression. rest_stations/place_search.py ranks stations by how many of the query's
trigrams their text holds.

Like 0007's, the SQLite triggers live on the station table: a later migration that rebuilds
that table on SQLite must create them again (create_sqlite_search()); a test checks.

Revision ID: 0015
Revises: 0007
Create Date: 2026-12-02 08:00:00

"""
from alembic import op

revision = '0015'
down_revision = '0007'
branch_labels = None
depends_on = None

SEARCH_EXPRESSION = "(name || ' ' || address || ' ' || district || ' ' || city)"

SQLITE_SEARCH = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS station_search USING fts5(
         name, address, district, city, content='station', content_rowid='id',
         tokenize='trigram')""",
    """CREATE TRIGGER IF NOT EXISTS station_search_insert AFTER INSERT ON station BEGIN
         INSERT INTO station_search(rowid, name, address, district, city)
         VALUES (new.id, new.name, new.address, new.district, new.city);
       END""",
    """CREATE TRIGGER IF NOT EXISTS station_search_delete AFTER DELETE ON station BEGIN
         INSERT INTO station_search(station_search, rowid, name, address, district, city)
         VALUES ('delete', old.id, old.name, old.address, old.district, old.city);
       END""",
    """CREATE TRIGGER IF NOT EXISTS station_search_update AFTER UPDATE OF name, address, district, city
       ON station BEGIN
         INSERT INTO station_search(station_search, rowid, name, address, district, city)
         VALUES ('delete', old.id, old.name, old.address, old.district, old.city);
         INSERT INTO station_search(rowid, name, address, district, city)
         VALUES (new.id, new.name, new.address, new.district, new.city);
       END""",
]


def create_sqlite_search() -> None:
    for statement in SQLITE_SEARCH:
        op.execute(statement)
    op.execute("INSERT INTO station_search(station_search) VALUES ('rebuild')")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_station_search_text ON station USING gin "
                   f"({SEARCH_EXPRESSION} gin_trgm_ops)")
    else:
        create_sqlite_search()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_station_search_text")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS station_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS station_search")
