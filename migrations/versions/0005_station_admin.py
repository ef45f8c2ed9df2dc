"""station admin: delisted status, closure reason and reopen date, station change log, uploads

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_reason', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('reopens_on', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            'status_known', "status IN ('active', 'temporarily_closed', 'delisted')")

    op.create_table('station_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_station_change_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_station_change_station_id_station'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_change'))
    )
    with op.batch_alter_table('station_change', schema=None) as batch_op:
        batch_op.create_index('ix_station_change_station_time', ['station_id', 'created_at'], unique=False)

    op.create_table('station_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('records', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_station_upload_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_station_upload_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_station_upload_token'))
    )
    with op.batch_alter_table('station_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_upload_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('station_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_upload_user_id'))
    op.drop_table('station_upload')
    with op.batch_alter_table('station_change', schema=None) as batch_op:
        batch_op.drop_index('ix_station_change_station_time')
    op.drop_table('station_change')
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_constraint('status_known', type_='check')
        batch_op.drop_column('reopens_on')
        batch_op.drop_column('closed_reason')
