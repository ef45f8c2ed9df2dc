"""station table

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 11:44:01.720682

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('city', sa.String(length=50), nullable=False),
    sa.Column('district', sa.String(length=50), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.Column('z', sa.Float(), nullable=False),
    sa.Column('cell_fine', sa.Integer(), nullable=False),
    sa.Column('cell_mid', sa.Integer(), nullable=False),
    sa.Column('cell_coarse', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amenity_mask', sa.Integer(), nullable=False),
    sa.Column('opening_hours', sa.String(length=500), nullable=False),
    sa.Column('timezone', sa.String(length=50), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_station_capacity_not_negative')),
    sa.UniqueConstraint('name', 'lat', 'lon', name=op.f('uq_station_name_lat_lon'))
    )
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.create_index('ix_station_cell_fine', ['cell_fine', 'x', 'y', 'z'], unique=False)
        batch_op.create_index('ix_station_cell_mid', ['cell_mid', 'x', 'y', 'z'], unique=False)
        batch_op.create_index('ix_station_cell_coarse', ['cell_coarse', 'x', 'y', 'z'], unique=False)



def downgrade():
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_index('ix_station_cell_coarse')
        batch_op.drop_index('ix_station_cell_mid')
        batch_op.drop_index('ix_station_cell_fine')

    op.drop_table('station')
