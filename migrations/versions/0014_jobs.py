"""jobs: employers, posts, applications, wage cases, job seekers

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-02 07:37:29.708383

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('employer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('contact_name', sa.String(length=30), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verification_note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(credit_code) = 18', name=op.f('ck_employer_credit_code_length')),
    sa.CheckConstraint('length(region_code) = 6', name=op.f('ck_employer_region_code_six_digits')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_employer_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_employer_verified_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_employer_credit_code'))
    )
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.create_index('ix_employer_organisation_id', ['organisation_id'], unique=False)

    op.create_table('job_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('records', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_job_upload_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_job_upload_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_job_upload_token'))
    )
    with op.batch_alter_table('job_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_upload_user_id'), ['user_id'], unique=False)

    op.create_table('seeker_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('areas', sa.String(length=200), nullable=False),
    sa.Column('earliest_start', sa.Date(), nullable=True),
    sa.Column('skills', sa.String(length=200), nullable=False),
    sa.Column('certificates', sa.String(length=200), nullable=False),
    sa.Column('wants_calls', sa.Boolean(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('hired_at', sa.Date(), nullable=True),
    sa.Column('hired_where', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(region_code) = 6', name=op.f('ck_seeker_profile_region_code_six_digits')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_seeker_profile_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_seeker_profile_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seeker_profile')),
    sa.UniqueConstraint('user_id', name=op.f('uq_seeker_profile_user_id'))
    )
    with op.batch_alter_table('seeker_profile', schema=None) as batch_op:
        batch_op.create_index('ix_seeker_profile_organisation_id', ['organisation_id'], unique=False)

    op.create_table('employer_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_employer_member_employer_id_employer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_employer_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_member')),
    sa.UniqueConstraint('employer_id', 'user_id', name=op.f('uq_employer_member_employer_id_user_id'))
    )
    with op.batch_alter_table('employer_member', schema=None) as batch_op:
        batch_op.create_index('ix_employer_member_user_id', ['user_id'], unique=False)

    op.create_table('job_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('pay_min', sa.Integer(), nullable=False),
    sa.Column('pay_max', sa.Integer(), nullable=False),
    sa.Column('pay_unit', sa.String(length=10), nullable=False),
    sa.Column('hours', sa.String(length=100), nullable=False),
    sa.Column('benefits', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_daily', sa.Boolean(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('places_taken', sa.Integer(), nullable=False),
    sa.Column('skills', sa.String(length=200), nullable=False),
    sa.Column('certificates', sa.String(length=200), nullable=False),
    sa.Column('age_min', sa.Integer(), nullable=True),
    sa.Column('age_max', sa.Integer(), nullable=True),
    sa.Column('insured', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("category IN ('security', 'cleaning', 'housekeeping', 'catering', 'parcel_sorting', 'loading', 'truck_driver', 'cook', 'sales', 'equipment_install', 'other')", name=op.f('ck_job_post_category_known')),
    sa.CheckConstraint("kind = 'job' OR (starts_at IS NOT NULL AND ends_at IS NOT NULL AND ends_at > starts_at)", name=op.f('ck_job_post_gig_has_times')),
    sa.CheckConstraint("kind IN ('job', 'gig')", name=op.f('ck_job_post_kind_known')),
    sa.CheckConstraint("pay_unit IN ('month', 'day', 'hour')", name=op.f('ck_job_post_pay_unit_known')),
    sa.CheckConstraint("state IN ('draft', 'pending', 'published', 'filled', 'expired', 'withdrawn')", name=op.f('ck_job_post_state_known')),
    sa.CheckConstraint('age_min IS NULL OR age_max IS NULL OR age_max >= age_min', name=op.f('ck_job_post_age_range')),
    sa.CheckConstraint('age_min IS NULL OR age_min >= 16', name=op.f('ck_job_post_legal_working_age')),
    sa.CheckConstraint('headcount >= 1', name=op.f('ck_job_post_headcount_positive')),
    sa.CheckConstraint('length(region_code) = 6', name=op.f('ck_job_post_region_code_six_digits')),
    sa.CheckConstraint('pay_min >= 0 AND pay_max >= pay_min', name=op.f('ck_job_post_pay_range')),
    sa.CheckConstraint('places_taken >= 0 AND places_taken <= headcount', name=op.f('ck_job_post_never_overfilled')),
    sa.CheckConstraint('station_id IS NOT NULL OR (lat IS NOT NULL AND lon IS NOT NULL)', name=op.f('ck_job_post_has_a_place')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_job_post_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_job_post_employer_id_employer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_job_post_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_job_post_station_id_station'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_post'))
    )
    with op.batch_alter_table('job_post', schema=None) as batch_op:
        batch_op.create_index('ix_job_post_employer_id', ['employer_id'], unique=False)
        batch_op.create_index('ix_job_post_organisation_id_state', ['organisation_id', 'state'], unique=False)
        batch_op.create_index('ix_job_post_state_kind', ['state', 'kind'], unique=False)

    op.create_table('job_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('check_in_method', sa.String(length=10), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('wage_asked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_wage_answer', sa.String(length=10), nullable=True),
    sa.Column('wage_answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("first_wage_answer IS NULL OR first_wage_answer IN ('paid', 'not_paid')", name=op.f('ck_job_application_wage_answer_known')),
    sa.CheckConstraint("state IN ('applied', 'accepted', 'declined', 'waitlisted', 'withdrawn', 'showed_up', 'done', 'paid', 'not_paid')", name=op.f('ck_job_application_state_known')),
    sa.ForeignKeyConstraint(['post_id'], ['job_post.id'], name=op.f('fk_job_application_post_id_job_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['user_account.id'], name=op.f('fk_job_application_worker_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_application'))
    )
    with op.batch_alter_table('job_application', schema=None) as batch_op:
        batch_op.create_index('ix_job_application_post_id_state', ['post_id', 'state'], unique=False)
        batch_op.create_index('ix_job_application_worker_id', ['worker_id'], unique=False)
        batch_op.create_index('uq_job_application_live', ['post_id', 'worker_id'], unique=True, sqlite_where=sa.text("state IN ('applied', 'accepted', 'waitlisted', 'showed_up', 'done', 'paid', 'not_paid')"), postgresql_where=sa.text("state IN ('applied', 'accepted', 'waitlisted', 'showed_up', 'done', 'paid', 'not_paid')"))

    op.create_table('job_post_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_job_post_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['job_post.id'], name=op.f('fk_job_post_event_post_id_job_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_post_event'))
    )
    with op.batch_alter_table('job_post_event', schema=None) as batch_op:
        batch_op.create_index('ix_job_post_event_post_id', ['post_id'], unique=False)

    op.create_table('seeker_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('policy', 'guidance', 'recommendation', 'training', 'follow_up')", name=op.f('ck_seeker_service_kind_known')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_seeker_service_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['job_post.id'], name=op.f('fk_seeker_service_post_id_job_post'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['profile_id'], ['seeker_profile.id'], name=op.f('fk_seeker_service_profile_id_seeker_profile'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['user_account.id'], name=op.f('fk_seeker_service_staff_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seeker_service'))
    )
    with op.batch_alter_table('seeker_service', schema=None) as batch_op:
        batch_op.create_index('ix_seeker_service_profile_id', ['profile_id'], unique=False)

    op.create_table('job_application_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_job_application_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['job_application.id'], name=op.f('fk_job_application_event_application_id_job_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_application_event'))
    )
    with op.batch_alter_table('job_application_event', schema=None) as batch_op:
        batch_op.create_index('ix_job_application_event_application_id', ['application_id'], unique=False)

    op.create_table('wage_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('legal_event_id', sa.Integer(), nullable=True),
    sa.Column('agreed_pay', sa.String(length=60), nullable=False),
    sa.Column('worked_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('worked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('check_in_method', sa.String(length=10), nullable=False),
    sa.Column('worker_note', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cleared_by_id', sa.Integer(), nullable=True),
    sa.Column('clearing_note', sa.String(length=300), nullable=False),
    sa.CheckConstraint("state IN ('open', 'cleared')", name=op.f('ck_wage_case_state_known')),
    sa.ForeignKeyConstraint(['application_id'], ['job_application.id'], name=op.f('fk_wage_case_application_id_job_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['user_account.id'], name=op.f('fk_wage_case_cleared_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_wage_case_employer_id_employer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['legal_event_id'], ['service_event.id'], name=op.f('fk_wage_case_legal_event_id_service_event'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_wage_case_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wage_case')),
    sa.UniqueConstraint('application_id', name=op.f('uq_wage_case_application_id'))
    )
    with op.batch_alter_table('wage_case', schema=None) as batch_op:
        batch_op.create_index('ix_wage_case_employer_id_state', ['employer_id', 'state'], unique=False)
        batch_op.create_index('ix_wage_case_organisation_id_state', ['organisation_id', 'state'], unique=False)



def downgrade():
    with op.batch_alter_table('wage_case', schema=None) as batch_op:
        batch_op.drop_index('ix_wage_case_organisation_id_state')
        batch_op.drop_index('ix_wage_case_employer_id_state')

    op.drop_table('wage_case')
    with op.batch_alter_table('job_application_event', schema=None) as batch_op:
        batch_op.drop_index('ix_job_application_event_application_id')

    op.drop_table('job_application_event')
    with op.batch_alter_table('seeker_service', schema=None) as batch_op:
        batch_op.drop_index('ix_seeker_service_profile_id')

    op.drop_table('seeker_service')
    with op.batch_alter_table('job_post_event', schema=None) as batch_op:
        batch_op.drop_index('ix_job_post_event_post_id')

    op.drop_table('job_post_event')
    with op.batch_alter_table('job_application', schema=None) as batch_op:
        batch_op.drop_index('uq_job_application_live', sqlite_where=sa.text("state IN ('applied', 'accepted', 'waitlisted', 'showed_up', 'done', 'paid', 'not_paid')"), postgresql_where=sa.text("state IN ('applied', 'accepted', 'waitlisted', 'showed_up', 'done', 'paid', 'not_paid')"))
        batch_op.drop_index('ix_job_application_worker_id')
        batch_op.drop_index('ix_job_application_post_id_state')

    op.drop_table('job_application')
    with op.batch_alter_table('job_post', schema=None) as batch_op:
        batch_op.drop_index('ix_job_post_state_kind')
        batch_op.drop_index('ix_job_post_organisation_id_state')
        batch_op.drop_index('ix_job_post_employer_id')

    op.drop_table('job_post')
    with op.batch_alter_table('employer_member', schema=None) as batch_op:
        batch_op.drop_index('ix_employer_member_user_id')

    op.drop_table('employer_member')
    with op.batch_alter_table('seeker_profile', schema=None) as batch_op:
        batch_op.drop_index('ix_seeker_profile_organisation_id')

    op.drop_table('seeker_profile')
    with op.batch_alter_table('job_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_upload_user_id'))

    op.drop_table('job_upload')
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_index('ix_employer_organisation_id')

    op.drop_table('employer')
