"""family: a service's sex restriction, and the authorised pick-up persons of a booking
(childcare, elder care), encrypted like other personal details (issue 18 part 6); the
last run of each periodic job of the worker, its heartbeat (issue 19 part 3)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('periodic_job_runs',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('started_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('succeeded', sa.Boolean(), nullable=True),
    sa.Column('handled', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_periodic_job_runs'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'sex', sa.Enum('any', 'female', 'male', name='servicesex', native_enum=False,
                           length=10), server_default='any', nullable=False))

    op.create_table('booking_pickups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'],
                            name=op.f('fk_booking_pickups_booking_id_bookings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_pickups'))
    )
    with op.batch_alter_table('booking_pickups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_pickups_booking_id'), ['booking_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('booking_pickups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_pickups_booking_id'))
    op.drop_table('booking_pickups')
    # A plain DROP COLUMN (SQLite 3.35+ has it too): a batch copy of ``services`` would have
    # to re-create its generated ``search_text`` column, which SQLite cannot add that way.
    op.drop_column('services', 'sex')
    op.drop_table('periodic_job_runs')
