"""check-in presence: a check-in made with neither the poster code nor a location near the
station is "remote", kept for staff and left out of occupancy

Existing check-ins were all counted when they were made, so they stay counted (false).

Revision ID: 0010
Revises: 0011
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('check_in', sa.Column('remote', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))


def downgrade():
    # Plain ALTER TABLE on both databases (SQLite 3.35+): a batch "move and copy" would
    # have to rebuild the partial indexes of check_in.
    op.drop_column('check_in', 'remote')
