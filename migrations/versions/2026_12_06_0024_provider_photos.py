"""provider photos: uploaded by the provider, kept resized in two sizes as WebP and JPEG
(issue 18)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 09:10:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('alt_zh', sa.String(length=200), nullable=False),
    sa.Column('alt_en', sa.String(length=200), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('large_webp', sa.LargeBinary(), nullable=False),
    sa.Column('large_jpeg', sa.LargeBinary(), nullable=False),
    sa.Column('small_webp', sa.LargeBinary(), nullable=False),
    sa.Column('small_jpeg', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_provider_photos_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_provider_photos_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_photos'))
    )
    with op.batch_alter_table('provider_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_photos_provider_id'), ['provider_id'], unique=False)


def downgrade():
    with op.batch_alter_table('provider_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_photos_provider_id'))
    op.drop_table('provider_photos')
