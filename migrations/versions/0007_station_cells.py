"""nearest engine: one nested 0.02° cell with a covering index, and the occupied cells kept by triggers

The three grid columns (0.1°, 0.5°, 2.5°, each with its own index) become one: the 0.02°
cell, numbered so that every coarser cell is one range of its ids (rest_stations/geo.py).
Its index also carries the columns the search reads. station_cell lists the occupied cells
of every level; the triggers below add a row whenever a station is written into a new cell.

Any later migration that rebuilds the station table on SQLite (batch mode "move and copy")
drops these triggers with the old table and must create them again, as
create_station_cell_triggers() here does; tests/rest_stations/test_station_cells.py fails
when they are missing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00

"""
import math

from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Finest cells (of 25 per parent) in a cell of each level, as rest_stations/geo.py has them.
LEVELS = {"micro": 1, "fine": 25, "mid": 625, "coarse": 15625}
CELL_INDEX_COLUMNS = ["cell", "x", "y", "z", "lat", "lon", "status", "amenity_mask", "kind", "id"]
OLD_LEVELS = {"fine": 10, "mid": 2, "coarse": 0.4}  # cells per degree, row stride 10,000


def _nested_cell(lat: float, lon: float) -> int:
    """rest_stations.geo.cell_id() as of this revision."""
    row, column = math.floor(lat * 50), math.floor(lon * 50)
    cell = (row // 125 + 36) * 144 + (column // 125 + 72) % 144
    for below in (25, 5, 1):
        cell = cell * 25 + (row // below) % 5 * 5 + (column // below) % 5
    return cell


def _rewrite(columns, values_of) -> None:
    station = sa.table('station', sa.column('id'), sa.column('lat'), sa.column('lon'),
                       *(sa.column(name) for name in columns))
    connection = op.get_bind()
    rows = connection.execute(sa.select(station.c.id, station.c.lat, station.c.lon)).all()
    update = (station.update().where(station.c.id == sa.bindparam('station_id'))
              .values({name: sa.bindparam(f'new_{name}') for name in columns}))
    for start in range(0, len(rows), 5000):
        connection.execute(update, [
            {'station_id': row.id,
             **{f'new_{name}': value for name, value in values_of(row.lat, row.lon).items()}}
            for row in rows[start:start + 5000]])


_NOTE_CELLS = ("INSERT INTO station_cell (level, cell) VALUES "
               + ", ".join(f"('{level}', NEW.cell / {size})" for level, size in LEVELS.items())
               + " ON CONFLICT DO NOTHING;")


def create_station_cell_triggers() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""
            CREATE FUNCTION note_station_cells() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_NOTE_CELLS}
                RETURN NULL;
            END
            $$""")
        op.execute("""
            CREATE TRIGGER station_cell_after_write AFTER INSERT OR UPDATE OF cell ON station
            FOR EACH ROW EXECUTE FUNCTION note_station_cells()""")
    else:
        op.execute(f"CREATE TRIGGER station_cell_after_insert AFTER INSERT ON station "
                   f"BEGIN {_NOTE_CELLS} END")
        op.execute(f"CREATE TRIGGER station_cell_after_move AFTER UPDATE OF cell ON station "
                   f"BEGIN {_NOTE_CELLS} END")


def drop_station_cell_triggers() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER station_cell_after_write ON station")
        op.execute("DROP FUNCTION note_station_cells()")
    else:
        op.execute("DROP TRIGGER station_cell_after_insert")
        op.execute("DROP TRIGGER station_cell_after_move")


def upgrade():
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cell', sa.Integer(), nullable=True))
    _rewrite(['cell'], lambda lat, lon: {'cell': _nested_cell(lat, lon)})
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.alter_column('cell', existing_type=sa.Integer(), nullable=False)
        for level in OLD_LEVELS:
            batch_op.drop_index(f'ix_station_cell_{level}')
            batch_op.drop_column(f'cell_{level}')
        batch_op.create_index('ix_station_cell', CELL_INDEX_COLUMNS, unique=False)

    op.create_table('station_cell',
    sa.Column('level', sa.String(length=6), nullable=False),
    sa.Column('cell', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('level', 'cell', name=op.f('pk_station_cell'))
    )
    for level, size in LEVELS.items():
        op.execute(f"INSERT INTO station_cell (level, cell) "
                   f"SELECT DISTINCT '{level}', cell / {size} FROM station")
    create_station_cell_triggers()


def downgrade():
    drop_station_cell_triggers()
    op.drop_table('station_cell')
    with op.batch_alter_table('station', schema=None) as batch_op:
        for level in OLD_LEVELS:
            batch_op.add_column(sa.Column(f'cell_{level}', sa.Integer(), nullable=True))
    _rewrite([f'cell_{level}' for level in OLD_LEVELS], lambda lat, lon: {
        f'cell_{level}': math.floor(lat * per_degree) * 10_000 + math.floor(lon * per_degree)
        for level, per_degree in OLD_LEVELS.items()})
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_index('ix_station_cell')
        batch_op.drop_column('cell')
        for level in OLD_LEVELS:
            batch_op.alter_column(f'cell_{level}', existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(f'ix_station_cell_{level}', [f'cell_{level}', 'x', 'y', 'z'],
                                  unique=False)
