"""service ratings: each service's visible reviews counted on one row, kept as reviews are
written and hidden, so that the catalogue stops summing every review per search (issue 10)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_ratings',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('stars_sum', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_ratings_service_id_services')),
    sa.PrimaryKeyConstraint('service_id', name=op.f('pk_service_ratings'))
    )
    op.execute("""
        INSERT INTO service_ratings (service_id, reviews, stars_sum)
        SELECT service_id, count(id), sum(stars) FROM reviews
        WHERE hidden_at IS NULL GROUP BY service_id
    """)


def downgrade():
    op.drop_table('service_ratings')
