"""memo epoch: a random number in freshness_stamps that the memory shared between
processes (core.memo, through Redis) namespaces its keys with, so that a database made
again never meets the entries of the one before (issue 22)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 16:30:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

stamps = sa.table('freshness_stamps', sa.column('key', sa.String), sa.column('version', sa.BigInteger))


def upgrade():
    op.execute(stamps.delete().where(stamps.c.key == 'epoch'))
    op.execute(stamps.insert().values(key='epoch', version=secrets.randbits(62)))


def downgrade():
    op.execute(stamps.delete().where(stamps.c.key == 'epoch'))
