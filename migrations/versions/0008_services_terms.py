"""services: a term sign-up for a whole series, a per-worker cap on places, waiting list in id order

- service_series.signup_as_term with the series' own sign-up window: one sign-up covers
  every session of the period.
- service_event.max_places_per_worker (3 for childcare events already there, else 1).
- The waiting list is ordered by registration id (taken inside the locked transaction), so
  its index is (event_id, state, id) instead of (event_id, state, queued_at).

The columns are added with ALTER TABLE ... ADD COLUMN on SQLite too (the CHECKs as column
constraints), never by copying a table: service_event is the parent of registration, and
dropping it in a batch copy with foreign keys on would cascade-delete every registration.

Revision ID: 0008
Revises: 0012
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0012'
branch_labels = None
depends_on = None

TERM_CHECK = ("NOT signup_as_term OR (registration_opens_at IS NOT NULL AND "
              "registration_closes_at > registration_opens_at)")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    op.add_column('service_series', sa.Column('registration_opens_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('service_series', sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=True))
    if _sqlite():
        op.execute("ALTER TABLE service_series ADD COLUMN signup_as_term BOOLEAN DEFAULT false NOT NULL "
                   f"CONSTRAINT ck_service_series_term_has_a_window CHECK ({TERM_CHECK})")
        op.execute("ALTER TABLE service_event ADD COLUMN max_places_per_worker SMALLINT DEFAULT 1 NOT NULL "
                   "CONSTRAINT ck_service_event_max_places_positive CHECK (max_places_per_worker >= 1)")
    else:
        op.add_column('service_series', sa.Column('signup_as_term', sa.Boolean(),
                                                  server_default=sa.text('false'), nullable=False))
        op.create_check_constraint(op.f('ck_service_series_term_has_a_window'), 'service_series', TERM_CHECK)
        op.add_column('service_event', sa.Column('max_places_per_worker', sa.SmallInteger(),
                                                 server_default=sa.text('1'), nullable=False))
        op.create_check_constraint(op.f('ck_service_event_max_places_positive'), 'service_event',
                                   'max_places_per_worker >= 1')
    op.execute("UPDATE service_event SET max_places_per_worker = 3 WHERE category = 'childcare'")
    op.drop_index('ix_registration_event_id_state_queued', table_name='registration')
    op.create_index('ix_registration_event_id_state_id', 'registration', ['event_id', 'state', 'id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_registration_event_id_state_id', table_name='registration')
    op.create_index('ix_registration_event_id_state_queued', 'registration',
                    ['event_id', 'state', 'queued_at'], unique=False)
    if _sqlite():
        # SQLite drops a column with its own column CHECK natively (3.35+); the window
        # columns go after signup_as_term, whose CHECK names them.
        op.execute("ALTER TABLE service_event DROP COLUMN max_places_per_worker")
        op.execute("ALTER TABLE service_series DROP COLUMN signup_as_term")
        op.execute("ALTER TABLE service_series DROP COLUMN registration_closes_at")
        op.execute("ALTER TABLE service_series DROP COLUMN registration_opens_at")
        return
    op.drop_constraint(op.f('ck_service_event_max_places_positive'), 'service_event', type_='check')
    op.drop_column('service_event', 'max_places_per_worker')
    op.drop_constraint(op.f('ck_service_series_term_has_a_window'), 'service_series', type_='check')
    op.drop_column('service_series', 'signup_as_term')
    op.drop_column('service_series', 'registration_closes_at')
    op.drop_column('service_series', 'registration_opens_at')
