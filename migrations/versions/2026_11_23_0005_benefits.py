"""benefits: rosters, budget programmes, the double-entry ledger, payments and top-ups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:10:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stripe_events',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('received_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events'))
    )
    op.create_table('ledger_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('funding', 'allocation', 'hold', 'capture', 'release', 'refund', 'expiry', 'return', 'card_payment', 'fee', 'reversal', name='transactionkind', native_enum=False, length=24), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('memo', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ledger_transactions_actor_id_users')),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_transactions.id'], name=op.f('fk_ledger_transactions_reverses_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transactions')),
    sa.UniqueConstraint('reference', name=op.f('uq_ledger_transactions_reference')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_ledger_transactions_reverses_id'))
    )
    with op.batch_alter_table('ledger_transactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_transactions_created_at'), ['created_at'], unique=False)

    op.create_table('budget_programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('period', sa.Enum('monthly', 'quarterly', 'yearly', name='budgetperiod', native_enum=False, length=24), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('dependants_allowed', sa.Boolean(), nullable=False),
    sa.Column('rollover_limit_minor', sa.BigInteger(), nullable=False),
    sa.Column('expiry_days', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_minor >= 0', name=op.f('ck_budget_programmes_amount_not_negative')),
    sa.CheckConstraint('expiry_days >= 0', name=op.f('ck_budget_programmes_expiry_not_negative')),
    sa.CheckConstraint('rollover_limit_minor >= 0', name=op.f('ck_budget_programmes_rollover_not_negative')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_budget_programmes_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_programmes'))
    )
    with op.batch_alter_table('budget_programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_programmes_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('roster_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('employee_no', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('mobile', sa.String(length=20), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('grade', sa.String(length=40), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('left_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_roster_entries_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roster_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entries')),
    sa.UniqueConstraint('enterprise_id', 'employee_no', name=op.f('uq_roster_entries_enterprise_id_employee_no'))
    )
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entries_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entries_user_id'), ['user_id'], unique=False)

    op.create_table('category_caps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('cap_basis_points', sa.Integer(), nullable=True),
    sa.Column('pot_amount_minor', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('cap_basis_points IS NOT NULL OR pot_amount_minor IS NOT NULL', name=op.f('ck_category_caps_cap_or_pot')),
    sa.CheckConstraint('cap_basis_points IS NULL OR (cap_basis_points >= 0 AND cap_basis_points <= 10000)', name=op.f('ck_category_caps_cap_is_a_share')),
    sa.CheckConstraint('pot_amount_minor IS NULL OR pot_amount_minor >= 0', name=op.f('ck_category_caps_pot_not_negative')),
    sa.ForeignKeyConstraint(['programme_id'], ['budget_programmes.id'], name=op.f('fk_category_caps_programme_id_budget_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category_caps')),
    sa.UniqueConstraint('programme_id', 'category', name=op.f('uq_category_caps_programme_id_category'))
    )
    with op.batch_alter_table('category_caps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_category_caps_programme_id'), ['programme_id'], unique=False)

    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('external_funding', 'stripe_clearing', 'programme_funds', 'employee_budget', 'budget_hold', 'provider_payable', 'platform_fees', name='accountkind', native_enum=False, length=24), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('period_key', sa.String(length=10), nullable=True),
    sa.Column('pot', sa.String(length=24), nullable=True),
    sa.Column('allows_negative', sa.Boolean(), nullable=False),
    sa.Column('balance_minor', sa.BigInteger(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('allows_negative OR balance_minor >= 0', name=op.f('ck_ledger_accounts_balance_not_negative')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_ledger_accounts_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['programme_id'], ['budget_programmes.id'], name=op.f('fk_ledger_accounts_programme_id_budget_programmes')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_ledger_accounts_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ledger_accounts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('key', name=op.f('uq_ledger_accounts_key'))
    )
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_accounts_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_accounts_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_accounts_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_accounts_user_id'), ['user_id'], unique=False)

    op.create_table('programme_amount_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=40), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount_minor >= 0', name=op.f('ck_programme_amount_rules_amount_not_negative')),
    sa.CheckConstraint('grade IS NOT NULL OR department IS NOT NULL', name=op.f('ck_programme_amount_rules_has_condition')),
    sa.ForeignKeyConstraint(['programme_id'], ['budget_programmes.id'], name=op.f('fk_programme_amount_rules_programme_id_budget_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_amount_rules'))
    )
    with op.batch_alter_table('programme_amount_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_amount_rules_programme_id'), ['programme_id'], unique=False)

    op.create_table('programme_top_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('stripe_payment_intent_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.Enum('pending', 'paid', 'released', 'refunded', name='paymentstatus', native_enum=False, length=24), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_programme_top_ups_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programme_top_ups_created_by_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['budget_programmes.id'], name=op.f('fk_programme_top_ups_programme_id_budget_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_top_ups')),
    sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_programme_top_ups_stripe_payment_intent_id'))
    )
    with op.batch_alter_table('programme_top_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_top_ups_programme_id'), ['programme_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint('amount_minor <> 0', name=op.f('ck_ledger_entries_amount_not_zero')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_entries_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transactions.id'], name=op.f('fk_ledger_entries_transaction_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_minor', sa.BigInteger(), nullable=False),
    sa.Column('budget_minor', sa.BigInteger(), nullable=False),
    sa.Column('card_minor', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'paid', 'released', 'refunded', name='paymentstatus', native_enum=False, length=24), nullable=False),
    sa.Column('stripe_payment_intent_id', sa.String(length=100), nullable=True),
    sa.Column('refunded_budget_minor', sa.BigInteger(), nullable=False),
    sa.Column('refunded_card_minor', sa.BigInteger(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('budget_minor + card_minor = price_minor', name=op.f('ck_payments_shares_add_up')),
    sa.CheckConstraint('budget_minor >= 0 AND card_minor >= 0', name=op.f('ck_payments_shares_not_negative')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_payments_booking_id_bookings')),
    sa.ForeignKeyConstraint(['programme_id'], ['budget_programmes.id'], name=op.f('fk_payments_programme_id_budget_programmes')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_payments_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_payments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_payments_booking_id')),
    sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_payments_stripe_payment_intent_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_user_id'))
        batch_op.drop_index(batch_op.f('ix_payments_provider_id'))

    op.drop_table('payments')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_account_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('programme_top_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_top_ups_programme_id'))

    op.drop_table('programme_top_ups')
    with op.batch_alter_table('programme_amount_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_amount_rules_programme_id'))

    op.drop_table('programme_amount_rules')
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_user_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_provider_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_programme_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_accounts_enterprise_id'))

    op.drop_table('ledger_accounts')
    with op.batch_alter_table('category_caps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_category_caps_programme_id'))

    op.drop_table('category_caps')
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_entries_user_id'))
        batch_op.drop_index(batch_op.f('ix_roster_entries_enterprise_id'))

    op.drop_table('roster_entries')
    with op.batch_alter_table('budget_programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_programmes_enterprise_id'))

    op.drop_table('budget_programmes')
    with op.batch_alter_table('ledger_transactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_transactions_created_at'))

    op.drop_table('ledger_transactions')
    op.drop_table('stripe_events')
