"""budget usage: a running summary per employee budget account and category, kept by
ledger postings, so that enterprise reports stop summing every entry (issue 10)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_usage',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('period_key', sa.String(length=10), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('allocated_minor', sa.BigInteger(), nullable=False),
    sa.Column('allocations', sa.Integer(), nullable=False),
    sa.Column('spent_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_budget_usage_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['programme_id'], ['budget_programmes.id'], name=op.f('fk_budget_usage_programme_id_budget_programmes')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_budget_usage_user_id_users')),
    sa.PrimaryKeyConstraint('account_id', 'category', name=op.f('pk_budget_usage'))
    )
    op.create_index('ix_budget_usage_programme_period', 'budget_usage', ['programme_id', 'period_key', 'user_id'], unique=False)
    # The summary of the ledger as it stands (benefits.usage.derived_from_entries).
    op.execute("""
        INSERT INTO budget_usage (account_id, category, programme_id, period_key, user_id,
                                  allocated_minor, allocations, spent_minor)
        SELECT * FROM (
            SELECT e.account_id, coalesce(t.category, '') AS category,
                   min(a.programme_id), min(a.period_key), min(a.user_id),
                   coalesce(sum(CASE WHEN t.kind = 'allocation' AND e.amount_minor > 0
                                     THEN e.amount_minor ELSE 0 END), 0) AS allocated_minor,
                   coalesce(sum(CASE WHEN t.kind = 'allocation' AND e.amount_minor > 0
                                     THEN 1 ELSE 0 END), 0) AS allocations,
                   coalesce(sum(CASE WHEN t.kind IN ('hold', 'release', 'refund', 'reversal')
                                     THEN -e.amount_minor ELSE 0 END), 0) AS spent_minor
            FROM ledger_entries e
            JOIN ledger_transactions t ON t.id = e.transaction_id
            JOIN ledger_accounts a ON a.id = e.account_id
            WHERE a.kind = 'employee_budget'
              AND t.kind IN ('allocation', 'hold', 'release', 'refund', 'reversal')
            GROUP BY e.account_id, coalesce(t.category, '')
        ) AS derived
        WHERE allocated_minor <> 0 OR allocations <> 0 OR spent_minor <> 0
    """)


def downgrade():
    op.drop_index('ix_budget_usage_programme_period', table_name='budget_usage')
    op.drop_table('budget_usage')
