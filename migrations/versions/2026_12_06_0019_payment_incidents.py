"""payment_incidents: webhook amounts or currencies that disagree with the payment, refunds
made on Stripe's side and disputes, recorded for a person to look at (issue 17)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('amount_mismatch', 'currency_mismatch', 'refunded_on_stripe',
                              'refund_not_posted', 'dispute_opened', 'dispute_closed',
                              name='incidentkind', native_enum=False, length=24),
              nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('stripe_object_id', sa.String(length=100), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_incidents_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_incidents')),
    sa.UniqueConstraint('kind', 'stripe_object_id', 'amount_minor', name=op.f('uq_payment_incidents_kind_stripe_object_id_amount_minor'))
    )
    with op.batch_alter_table('payment_incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_incidents_payment_id'), ['payment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_incidents_payment_id'))
    op.drop_table('payment_incidents')
