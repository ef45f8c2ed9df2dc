"""wishes: wishes with their history, the notification inbox, and the volunteer role

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:40:32

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


ROLES_BEFORE = "role IN ('worker', 'staff', 'admin')"
ROLES_AFTER = "role IN ('worker', 'staff', 'admin', 'volunteer')"


def _role_check(condition):
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_account_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_user_account_role_known'), condition)


def upgrade():
    _role_check(ROLES_AFTER)
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('wish',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('district', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=40), nullable=False),
    sa.Column('details', sa.String(length=500), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('urgency', sa.String(length=20), nullable=False),
    sa.Column('tags', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decline_reason', sa.String(length=300), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=True),
    sa.Column('handover_place', sa.String(length=100), nullable=False),
    sa.Column('fulfil_note', sa.String(length=500), nullable=False),
    sa.Column('thanks_note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fulfilled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status IN ('claimed', 'fulfilled', 'confirmed')) = (claimant_id IS NOT NULL)", name=op.f('ck_wish_claimant_iff_claimed')),
    sa.CheckConstraint("category IN ('goods', 'family', 'legal', 'skills', 'health', 'other')", name=op.f('ck_wish_category_known')),
    sa.CheckConstraint("status IN ('submitted', 'published', 'declined', 'withdrawn', 'claimed', 'fulfilled', 'confirmed')", name=op.f('ck_wish_status_known')),
    sa.CheckConstraint("urgency IN ('week', 'month', 'any')", name=op.f('ck_wish_urgency_known')),
    sa.ForeignKeyConstraint(['claimant_id'], ['user_account.id'], name=op.f('fk_wish_claimant_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_wish_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_wish_station_id_station'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['worker_id'], ['user_account.id'], name=op.f('fk_wish_worker_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wish'))
    )
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.create_index('ix_wish_claimant_id', ['claimant_id'], unique=False)
        batch_op.create_index('ix_wish_organisation_id_status', ['organisation_id', 'status'], unique=False)
        batch_op.create_index('ix_wish_status_published_at', ['status', 'published_at'], unique=False)
        batch_op.create_index('ix_wish_worker_id_status', ['worker_id', 'status'], unique=False)

    op.create_table('wish_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wish_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_wish_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['wish_id'], ['wish.id'], name=op.f('fk_wish_event_wish_id_wish'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wish_event'))
    )
    with op.batch_alter_table('wish_event', schema=None) as batch_op:
        batch_op.create_index('ix_wish_event_wish_id', ['wish_id'], unique=False)



def downgrade():
    with op.batch_alter_table('wish_event', schema=None) as batch_op:
        batch_op.drop_index('ix_wish_event_wish_id')

    op.drop_table('wish_event')
    with op.batch_alter_table('wish', schema=None) as batch_op:
        batch_op.drop_index('ix_wish_worker_id_status')
        batch_op.drop_index('ix_wish_status_published_at')
        batch_op.drop_index('ix_wish_organisation_id_status')
        batch_op.drop_index('ix_wish_claimant_id')

    op.drop_table('wish')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_id_read_at')

    op.drop_table('notification')
    op.execute("UPDATE user_account SET role = 'worker' WHERE role = 'volunteer'")
    _role_check(ROLES_BEFORE)
