"""hr programme editor: whether joiners get a prorated budget (issue 19 part 4, issue 18
part 7)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budget_programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prorate_joiners', sa.Boolean(),
                                      server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('budget_programmes', schema=None) as batch_op:
        batch_op.drop_column('prorate_joiners')
