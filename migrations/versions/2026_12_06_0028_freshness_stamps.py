"""freshness stamps: counters bumped in the same transaction as the catalogue (services,
providers, practitioners, ratings) or a practitioner's availability (bookings, schedules)
change, on which the catalogue's caches key their entries (issue 22)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'freshness_stamps',
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_freshness_stamps')),
    )


def downgrade():
    op.drop_table('freshness_stamps')
