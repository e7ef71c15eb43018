"""paid park events through the benefits checkout (a generic payable subject on payments,
the park's event income account), event cover images, held registrations

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 19:00:00

"""
import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('park_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ledger_accounts_park_id'), ['park_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ledger_accounts_park_id_parks'), 'parks', ['park_id'], ['id'])

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payee_account_id', sa.Integer(), nullable=True))
        batch_op.alter_column('booking_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('provider_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_payments_payee_account_id_ledger_accounts'), 'ledger_accounts', ['payee_account_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_payments_subject_kind_subject_id'), ['subject_kind', 'subject_id'])
        batch_op.create_check_constraint(batch_op.f('ck_payments_one_subject'), '(booking_id IS NULL) <> (subject_kind IS NULL)')
        batch_op.create_check_constraint(batch_op.f('ck_payments_booking_has_provider'), 'booking_id IS NULL OR provider_id IS NOT NULL')
        batch_op.create_check_constraint(batch_op.f('ck_payments_subject_has_payee'), 'subject_kind IS NULL OR (subject_id IS NOT NULL AND payee_account_id IS NOT NULL)')

    with op.batch_alter_table('park_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_minor', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_park_events_price_not_negative'), 'price_minor >= 0')

    with op.batch_alter_table('park_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_expires_at', core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_park_registrations_live_key_matches_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_park_registrations_live_key_matches_status'), "(status IN ('confirmed', 'held', 'offered', 'waiting')) = (live_key IS NOT NULL)")
        batch_op.create_check_constraint(batch_op.f('ck_park_registrations_hold_only_while_held'), "hold_expires_at IS NULL OR status = 'held'")

    op.create_table('park_event_covers',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('byte_size > 0', name=op.f('ck_park_event_covers_not_empty')),
    sa.ForeignKeyConstraint(['event_id'], ['park_events.id'], name=op.f('fk_park_event_covers_event_id_park_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_park_event_covers'))
    )


def downgrade():
    op.drop_table('park_event_covers')

    with op.batch_alter_table('park_registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_park_registrations_hold_only_while_held'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_park_registrations_live_key_matches_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_park_registrations_live_key_matches_status'), "(status IN ('confirmed', 'offered', 'waiting')) = (live_key IS NOT NULL)")
        batch_op.drop_column('hold_expires_at')

    with op.batch_alter_table('park_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_park_events_price_not_negative'), type_='check')
        batch_op.drop_column('currency')
        batch_op.drop_column('price_minor')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_payments_subject_has_payee'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_payments_booking_has_provider'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_payments_one_subject'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_payments_subject_kind_subject_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_payments_payee_account_id_ledger_accounts'), type_='foreignkey')
        batch_op.alter_column('provider_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('booking_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('payee_account_id')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_kind')

    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ledger_accounts_park_id_parks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_park_id'))
        batch_op.drop_column('park_id')
