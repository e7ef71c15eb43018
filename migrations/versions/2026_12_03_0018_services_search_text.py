"""services.search_text: the catalogue's search text stored as a generated column, and the
trigram index on it instead of on the expression, so that a search that scans (two-character
Chinese words have no trigram) compares a stored column (issue 10)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

#: providers.models.SEARCH_TEXT_SQL as it was when this migration was written.
SEARCH_TEXT = ("lower((((((((title_zh || ' ') || title_en) || ' ') || description_zh) || ' ') "
               "|| description_en) || ' ') || CAST(health_needs AS TEXT))")


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_services_search_trgm')
        op.execute(f'ALTER TABLE services ADD COLUMN search_text TEXT '
                   f'GENERATED ALWAYS AS ({SEARCH_TEXT}) STORED')
        op.execute('CREATE INDEX ix_services_search_trgm ON services USING gin '
                   '(search_text gin_trgm_ops)')
        return
    # SQLite adds a stored generated column only by building the table again.
    with op.batch_alter_table('services', recreate='always') as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(),
                                      sa.Computed(SEARCH_TEXT, persisted=True), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_services_search_trgm')
        op.execute('ALTER TABLE services DROP COLUMN search_text')
        op.execute(f'CREATE INDEX ix_services_search_trgm ON services USING gin '
                   f'(({SEARCH_TEXT}) gin_trgm_ops)')
        return
    with op.batch_alter_table('services', recreate='always') as batch_op:
        batch_op.drop_column('search_text')
