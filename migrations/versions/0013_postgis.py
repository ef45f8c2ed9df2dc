"""PostGIS on PostgreSQL: a geography column with a GiST index replaces the cell tables there

On PostgreSQL the nearest search is PostGIS's KNN index scan (rest_stations/postgis.py), so
stations get `geog geography(Point, 4326)`, generated from lon/lat by the database itself
(no write path, ORM or COPY, can leave it behind), and a GiST index on it. The cell
engine's objects are not needed there any more: the station_cell table, its trigger and
function, and the covering index ix_station_cell are dropped. SQLite keeps all of them and
this revision changes nothing there.

The models do not declare geog (SQLite has no such type), so rest_stations/postgis.py
names the objects that exist on one database only, for autogenerate and for
tests/test_migrations.py. The downgrade restores the cell objects and leaves the postgis
extension installed (other tables may come to use it; dropping it needs the superuser).

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0010'
branch_labels = None
depends_on = None

POSTGIS_PACKAGE = "postgresql-15-postgis-3"
# As migration 0007 has them.
LEVELS = {"micro": 1, "fine": 25, "mid": 625, "coarse": 15625}
CELL_INDEX_COLUMNS = ["cell", "x", "y", "z", "lat", "lon", "status", "amenity_mask", "kind", "id"]


def create_extension(connection, name: str = "postgis") -> None:
    """CREATE EXTENSION, or a RuntimeError that says which package the server lacks."""
    available = connection.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = :name"),
        {"name": name}).scalar()
    if not available:
        raise RuntimeError(
            f"The PostgreSQL server has no {name} extension. Install the Debian package "
            f"{POSTGIS_PACKAGE} on the database server (apt-get install {POSTGIS_PACKAGE}), "
            f"then run the migrations again.")
    try:
        with connection.begin_nested():
            connection.execute(sa.text(f'CREATE EXTENSION IF NOT EXISTS "{name}"'))
    except sa.exc.DBAPIError as error:
        raise RuntimeError(
            f"Could not create the {name} extension ({error.orig}). The package "
            f"{POSTGIS_PACKAGE} is installed; ask a superuser to run "
            f"CREATE EXTENSION {name}; in this database, then run the migrations again."
        ) from error


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite keeps the cell engine
    create_extension(op.get_bind())
    op.execute("DROP TRIGGER station_cell_after_write ON station")
    op.execute("DROP FUNCTION note_station_cells()")
    op.drop_table('station_cell')
    op.drop_index('ix_station_cell', table_name='station')
    op.execute("""
        ALTER TABLE station ADD COLUMN geog geography(Point, 4326) NOT NULL
        GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED""")
    op.execute("CREATE INDEX ix_station_geog ON station USING gist (geog)")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_station_geog', table_name='station')
    op.drop_column('station', 'geog')
    op.create_index('ix_station_cell', 'station', CELL_INDEX_COLUMNS, unique=False)
    op.create_table('station_cell',
    sa.Column('level', sa.String(length=6), nullable=False),
    sa.Column('cell', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('level', 'cell', name=op.f('pk_station_cell'))
    )
    for level, size in LEVELS.items():
        op.execute(f"INSERT INTO station_cell (level, cell) "
                   f"SELECT DISTINCT '{level}', cell / {size} FROM station")
    note_cells = ("INSERT INTO station_cell (level, cell) VALUES "
                  + ", ".join(f"('{level}', NEW.cell / {size})" for level, size in LEVELS.items())
                  + " ON CONFLICT DO NOTHING;")
    op.execute(f"""
        CREATE FUNCTION note_station_cells() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {note_cells}
            RETURN NULL;
        END
        $$""")
    op.execute("""
        CREATE TRIGGER station_cell_after_write AFTER INSERT OR UPDATE OF cell ON station
        FOR EACH ROW EXECUTE FUNCTION note_station_cells()""")
