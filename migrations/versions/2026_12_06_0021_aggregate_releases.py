"""aggregate_releases: reports for employers released once per period over an adopted
cohort, and the cohorts themselves, written once (issue 20)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 05:40:00

"""
import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('aggregate_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('released_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aggregate_releases')),
    sa.UniqueConstraint('subject', 'period', name=op.f('uq_aggregate_releases_subject_period'))
    )
    with op.batch_alter_table('aggregate_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aggregate_releases_subject'), ['subject'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('aggregate_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aggregate_releases_subject'))
    op.drop_table('aggregate_releases')
