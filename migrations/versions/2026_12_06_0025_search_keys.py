"""services.search_keys: each service's Chinese title in pinyin, full and initials, so that
``xinli``, ``kangfu`` and ``am`` find 心理咨询, 康复 and 按摩 (issue 18); written by the
application when a title changes (the database cannot compute pinyin), filled here for the
services that exist, with a trigram index on PostgreSQL like ``search_text``'s

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 09:00:00

"""
import sqlalchemy as sa
from alembic import op

from providers.search_keys import keys_for

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('services', sa.Column('search_keys', sa.Text(), server_default='',
                                        nullable=False))
    bind = op.get_bind()
    services = sa.table('services', sa.column('id', sa.Integer),
                        sa.column('title_zh', sa.String), sa.column('search_keys', sa.Text))
    rows = bind.execute(sa.select(services.c.id, services.c.title_zh)).all()
    update = (services.update().where(services.c.id == sa.bindparam('service_id'))
              .values(search_keys=sa.bindparam('keys')))
    for start in range(0, len(rows), 1000):
        chunk = [{'service_id': id_, 'keys': keys_for(title)}
                 for id_, title in rows[start:start + 1000]]
        bind.execute(update, chunk)
    if bind.dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_services_search_keys_trgm ON services USING gin '
                   '(search_keys gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_services_search_keys_trgm')
    # Not a batch: SQLite would copy the table, generated search_text included, and fail.
    op.execute('ALTER TABLE services DROP COLUMN search_keys')
