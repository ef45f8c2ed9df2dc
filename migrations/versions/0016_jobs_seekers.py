"""jobs: job seekers served by a station, recruitment fairs (employment events)

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-02 08:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None

CATEGORIES_BEFORE = ("category IN ('legal', 'childcare', 'health', 'skills', 'phone_care', "
                     "'advice', 'other')")
CATEGORIES_AFTER = ("category IN ('legal', 'childcare', 'health', 'skills', 'phone_care', "
                    "'advice', 'employment', 'other')")


def _category_check(condition):
    if op.get_bind().dialect.name == "sqlite":
        _rewrite_sqlite_check(condition)
        return
    with op.batch_alter_table('service_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_service_event_category_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_service_event_category_known'), condition)


def _rewrite_sqlite_check(condition):
    """Swap the CHECK's text in SQLite's schema instead of rebuilding service_event: a
    rebuild drops the old table, and with foreign keys on, SQLite's implicit DELETE would
    cascade to every registration. Changing a CHECK's text is one of the schema edits SQLite
    documents for PRAGMA writable_schema (the rows already satisfy both conditions)."""
    bind = op.get_bind()
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'service_event'").scalar()
    old = CATEGORIES_BEFORE if condition == CATEGORIES_AFTER else CATEGORIES_AFTER
    if old not in table_sql:
        raise RuntimeError("service_event's category CHECK is not the one this migration expects")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'service_event'",
                         (table_sql.replace(old, condition),))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    _category_check(CATEGORIES_AFTER)
    with op.batch_alter_table('seeker_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station_id', sa.Integer(), nullable=True))
        batch_op.alter_column('region_code', existing_type=sa.String(length=6), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_seeker_profile_station_id_station'),
                                    'station', ['station_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_seeker_profile_station_id', ['station_id'], unique=False)

    op.create_table('job_fair_employer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('booth', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_job_fair_employer_employer_id_employer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['service_event.id'], name=op.f('fk_job_fair_employer_event_id_service_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_fair_employer')),
    sa.UniqueConstraint('event_id', 'employer_id', name=op.f('uq_job_fair_employer_event_id_employer_id'))
    )
    with op.batch_alter_table('job_fair_employer', schema=None) as batch_op:
        batch_op.create_index('ix_job_fair_employer_employer_id', ['employer_id'], unique=False)

    op.create_table('job_fair_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['service_event.id'], name=op.f('fk_job_fair_post_event_id_service_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['job_post.id'], name=op.f('fk_job_fair_post_post_id_job_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_fair_post')),
    sa.UniqueConstraint('event_id', 'post_id', name=op.f('uq_job_fair_post_event_id_post_id'))
    )
    with op.batch_alter_table('job_fair_post', schema=None) as batch_op:
        batch_op.create_index('ix_job_fair_post_post_id', ['post_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job_fair_post', schema=None) as batch_op:
        batch_op.drop_index('ix_job_fair_post_post_id')
    op.drop_table('job_fair_post')
    with op.batch_alter_table('job_fair_employer', schema=None) as batch_op:
        batch_op.drop_index('ix_job_fair_employer_employer_id')
    op.drop_table('job_fair_employer')

    # Profiles without a region code cannot go back to the older NOT NULL column.
    op.execute("DELETE FROM seeker_profile WHERE region_code IS NULL")
    with op.batch_alter_table('seeker_profile', schema=None) as batch_op:
        batch_op.drop_index('ix_seeker_profile_station_id')
        batch_op.drop_constraint(batch_op.f('fk_seeker_profile_station_id_station'),
                                 type_='foreignkey')
        batch_op.alter_column('region_code', existing_type=sa.String(length=6), nullable=False)
        batch_op.drop_column('station_id')

    # Fairs become "jobs and policy advice" events again rather than disappearing.
    op.execute("UPDATE service_event SET category = 'advice' WHERE category = 'employment'")
    _category_check(CATEGORIES_BEFORE)
