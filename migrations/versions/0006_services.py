"""services: events, series and registrations with capacity and a waiting list

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 12:52:29.360070

"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('min_attendance_pct', sa.SmallInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('min_attendance_pct IS NULL OR (min_attendance_pct BETWEEN 1 AND 100)', name=op.f('ck_service_series_attendance_pct_range')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_service_series_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['previous_id'], ['service_series.id'], name=op.f('fk_service_series_previous_id_service_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_series'))
    )
    op.create_table('service_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('places_held', sa.Integer(), nullable=False),
    sa.Column('registration_opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('allows_dependants', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('cancel_reason', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("category IN ('legal', 'childcare', 'health', 'skills', 'phone_care', 'advice', 'other')", name=op.f('ck_service_event_category_known')),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name=op.f('ck_service_event_status_known')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_service_event_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_service_event_ends_after_start')),
    sa.CheckConstraint('places_held >= 0 AND places_held <= capacity', name=op.f('ck_service_event_never_overbooked')),
    sa.CheckConstraint('registration_closes_at > registration_opens_at', name=op.f('ck_service_event_window_ordered')),
    sa.CheckConstraint('station_id IS NOT NULL OR (lat IS NOT NULL AND lon IS NOT NULL)', name=op.f('ck_service_event_has_a_place')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_service_event_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_service_event_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['series_id'], ['service_series.id'], name=op.f('fk_service_event_series_id_service_series'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_service_event_station_id_station'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_event'))
    )
    with op.batch_alter_table('service_event', schema=None) as batch_op:
        batch_op.create_index('ix_service_event_organisation_id_starts_at', ['organisation_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_service_event_series_id', ['series_id'], unique=False)
        batch_op.create_index('ix_service_event_starts_at', ['starts_at'], unique=False)

    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('person_key', sa.String(length=30), nullable=False),
    sa.Column('dependant_name', sa.String(length=30), nullable=False),
    sa.Column('dependant_age', sa.SmallInteger(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(state = 'offered') = (offer_expires_at IS NOT NULL)", name=op.f('ck_registration_offer_iff_offered')),
    sa.CheckConstraint("state IN ('confirmed', 'waitlisted', 'offered', 'offer_lapsed', 'cancelled_by_worker', 'cancelled_by_staff', 'attended', 'no_show')", name=op.f('ck_registration_state_known')),
    sa.CheckConstraint('dependant_age IS NULL OR (dependant_age BETWEEN 0 AND 17)', name=op.f('ck_registration_dependant_is_a_child')),
    sa.CheckConstraint('rating IS NULL OR (rating BETWEEN 1 AND 5)', name=op.f('ck_registration_rating_range')),
    sa.ForeignKeyConstraint(['event_id'], ['service_event.id'], name=op.f('fk_registration_event_id_service_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['user_account.id'], name=op.f('fk_registration_worker_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_event_id_state_queued', ['event_id', 'state', 'queued_at'], unique=False)
        batch_op.create_index('ix_registration_worker_id', ['worker_id'], unique=False)
        batch_op.create_index('uq_registration_live_per_person', ['event_id', 'worker_id', 'person_key'], unique=True, sqlite_where=sa.text("state IN ('confirmed', 'waitlisted', 'offered', 'attended', 'no_show')"), postgresql_where=sa.text("state IN ('confirmed', 'waitlisted', 'offered', 'attended', 'no_show')"))



def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_live_per_person', sqlite_where=sa.text("state IN ('confirmed', 'waitlisted', 'offered', 'attended', 'no_show')"), postgresql_where=sa.text("state IN ('confirmed', 'waitlisted', 'offered', 'attended', 'no_show')"))
        batch_op.drop_index('ix_registration_worker_id')
        batch_op.drop_index('ix_registration_event_id_state_queued')

    op.drop_table('registration')
    with op.batch_alter_table('service_event', schema=None) as batch_op:
        batch_op.drop_index('ix_service_event_starts_at')
        batch_op.drop_index('ix_service_event_series_id')
        batch_op.drop_index('ix_service_event_organisation_id_starts_at')

    op.drop_table('service_event')
    op.drop_table('service_series')
