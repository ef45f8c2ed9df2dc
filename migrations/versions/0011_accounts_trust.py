"""accounts people can trust: session versions on users, one-time SMS codes

Every user gets a session version (Flask-Login's alternative id): a new one ends every
session and remember-me cookie issued before it. sms_code keeps an HMAC of the phone number
and of the code, never either in clear.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-03 10:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('session_version', sa.String(length=32), nullable=True))
    users = sa.table('user_account', sa.column('id', sa.Integer),
                     sa.column('session_version', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_version=secrets.token_urlsafe(12)))
    with op.batch_alter_table('user_account') as batch:
        batch.alter_column('session_version', existing_type=sa.String(length=32), nullable=False)

    op.create_table('sms_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_digest', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('code_hash', sa.String(length=100), nullable=False),
    sa.Column('attempts', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('signup', 'reset', 'login')", name=op.f('ck_sms_code_purpose_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_code'))
    )
    op.create_index('ix_sms_code_phone_digest_created_at', 'sms_code',
                    ['phone_digest', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_sms_code_phone_digest_created_at', table_name='sms_code')
    op.drop_table('sms_code')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('session_version')
