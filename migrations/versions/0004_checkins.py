"""check-ins: check-ins with one open per worker, station reports, poster code versions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OPEN = sa.text("checked_out_at IS NULL")


def upgrade():
    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("source IN ('tap', 'poster')", name=op.f('ck_check_in_source_known')),
    sa.CheckConstraint('expires_at > checked_in_at', name=op.f('ck_check_in_expires_after_start')),
    sa.CheckConstraint('checked_out_at IS NULL OR checked_out_at >= checked_in_at', name=op.f('ck_check_in_ends_after_start')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_check_in_station_id_station'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_check_in_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index('uq_check_in_open_per_user', ['user_id'], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_check_in_open_by_station', ['station_id', 'expires_at'],
                              unique=False, sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_check_in_station_time', ['station_id', 'checked_in_at'], unique=False)

    op.create_table('poster_code',
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rotated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['rotated_by_id'], ['user_account.id'], name=op.f('fk_poster_code_rotated_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_poster_code_station_id_station'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('station_id', name=op.f('pk_poster_code'))
    )
    op.create_table('station_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('check_in_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=280), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('all_good', 'details_correct', 'closed_when_open', 'water_empty', 'charger_broken', 'microwave_broken', 'details_wrong', 'other')", name=op.f('ck_station_report_kind_known')),
    sa.ForeignKeyConstraint(['check_in_id'], ['check_in.id'], name=op.f('fk_station_report_check_in_id_check_in'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id'], name=op.f('fk_station_report_resolved_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_station_report_station_id_station'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_station_report_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_report'))
    )
    with op.batch_alter_table('station_report', schema=None) as batch_op:
        batch_op.create_index('ix_station_report_open', ['station_id', 'resolved_at'], unique=False)


def downgrade():
    op.drop_table('station_report')
    op.drop_table('poster_code')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index('ix_check_in_station_time')
        batch_op.drop_index('ix_check_in_open_by_station')
        batch_op.drop_index('uq_check_in_open_per_user')
    op.drop_table('check_in')
