"""The park's holiday calendar: years the operator entered from the State Council's notice
(holiday_years) and their holidays and make-up working days (holiday_days), for years the
chinese-calendar library does not know yet (issue 19)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'holiday_years',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('notice', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_holiday_years_updated_by_id_users')),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_holiday_years')),
    )
    op.create_table(
        'holiday_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('holiday', 'makeup_workday', name='holidaykind',
                                  native_enum=False, length=24), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['year'], ['holiday_years.year'],
                                name=op.f('fk_holiday_days_year_holiday_years'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_holiday_days')),
    )
    with op.batch_alter_table('holiday_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holiday_days_year'), ['year'], unique=False)


def downgrade():
    with op.batch_alter_table('holiday_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holiday_days_year'))
    op.drop_table('holiday_days')
    op.drop_table('holiday_years')
