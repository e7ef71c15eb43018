"""scale: indexes for the catalogue search and the enterprise reports (issue 10)

The catalogue matches words with ``LIKE '%word%'`` against the services' search text
(``providers.models.search_text``): on PostgreSQL a pg_trgm GIN index on that expression
lets words of three characters or more find their services without reading the whole
catalogue (SQLite keeps scanning). Reports sum the entries of thousands of budget accounts:
an index on the entries' account with their transaction and amount answers them from the
index alone, and replaces the plain index on the account.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

#: providers.models.SEARCH_TEXT_SQL as it was when this migration was written.
SEARCH_TEXT = ("lower((((((((title_zh || ' ') || title_en) || ' ') || description_zh) || ' ') "
               "|| description_en) || ' ') || CAST(health_needs AS TEXT))")


def upgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_account_amounts',
                              ['account_id', 'transaction_id', 'amount_minor'], unique=False)
        batch_op.drop_index('ix_ledger_entries_account_id')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute(f'CREATE INDEX ix_services_search_trgm ON services USING gin '
                   f'(({SEARCH_TEXT}) gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_services_search_trgm')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_account_id', ['account_id'], unique=False)
        batch_op.drop_index('ix_ledger_entries_account_amounts')
