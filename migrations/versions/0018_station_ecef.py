"""PostGIS search: stations carry their Earth-centred position (ECEF) with an n-D GiST index

The nearest search (rest_stations/postgis.py) walks the KNN index in order of straight-line
distance through the Earth between the ellipsoid positions (WGS-84 geocentric, EPSG:4978).
That chord is never longer than the geodesic and, within the search bound (1,000 km), short
of it by at most about a kilometre (g³/24R²: 130 m at 500 km): the first 16-32 rows prove the
answer far from cities too, where geog's sphere distance (0.2-0.6 % off the ellipsoid) needs
hundreds. The column is generated from lat/lon by the database (the formula is
geo.ecef_m's), so every write path keeps it in step, as `geog` (migration 0013). SQLite
keeps the cell engine and this revision changes nothing there.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 08:40:00

"""
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# WGS-84: semi-major axis, squared eccentricity (rest_stations/geo.py has the same).
PRIME_VERTICAL = "6378137.0 / sqrt(1 - 0.0066943799901413165 * sin(radians(lat)) ^ 2)"


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(f"""
        ALTER TABLE station ADD COLUMN ecef geometry(PointZ, 4978) GENERATED ALWAYS AS (
            ST_SetSRID(ST_MakePoint(
                {PRIME_VERTICAL} * cos(radians(lat)) * cos(radians(lon)),
                {PRIME_VERTICAL} * cos(radians(lat)) * sin(radians(lon)),
                {PRIME_VERTICAL} * (1 - 0.0066943799901413165) * sin(radians(lat))), 4978)
        ) STORED""")
    op.execute("CREATE INDEX ix_station_ecef ON station USING gist (ecef gist_geometry_ops_nd)")
    op.execute("ANALYZE station")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_station_ecef', table_name='station')
    op.drop_column('station', 'ecef')
