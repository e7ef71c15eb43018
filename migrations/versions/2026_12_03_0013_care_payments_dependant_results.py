"""care payments and family members' check-up results: sponsored agreements paid from a
programme's pot, pending agreements paid at the checkout (budget and/or card) and refunded
pro rata when ended early; family members' check-up results in the employee's record

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import core.db

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('care_agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sponsor_minor', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('sponsor_programme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('refunded_minor', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('hold_expires_at', core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_care_agreements_sponsor_programme_id_budget_programmes'), 'budget_programmes', ['sponsor_programme_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_care_agreements_paid_amounts_valid'), 'sponsor_minor >= 0 AND refunded_minor >= 0 AND refunded_minor <= price_minor + sponsor_minor')
        batch_op.create_check_constraint(batch_op.f('ck_care_agreements_hold_only_while_pending'), "hold_expires_at IS NULL OR status = 'pending'")

    with op.batch_alter_table('care_sponsorships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_care_sponsorships_programme_id_budget_programmes'), 'budget_programmes', ['programme_id'], ['id'])

    with op.batch_alter_table('prevention_checkups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dependant_checkup_id', sa.Integer(), nullable=True))

    op.create_table('health_dependant_checkups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dependant_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dependant_id'], ['health_dependants.id'], name=op.f('fk_health_dependant_checkups_dependant_id_health_dependants')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_health_dependant_checkups_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_dependant_checkups'))
    )
    with op.batch_alter_table('health_dependant_checkups', schema=None) as batch_op:
        batch_op.create_index('ix_health_dependant_checkups_dependant_measured', ['dependant_id', 'measured_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_health_dependant_checkups_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('health_dependant_checkups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_dependant_checkups_user_id'))
        batch_op.drop_index('ix_health_dependant_checkups_dependant_measured')

    op.drop_table('health_dependant_checkups')

    with op.batch_alter_table('prevention_checkups', schema=None) as batch_op:
        batch_op.drop_column('dependant_checkup_id')

    with op.batch_alter_table('care_sponsorships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_care_sponsorships_programme_id_budget_programmes'), type_='foreignkey')
        batch_op.drop_column('programme_id')

    with op.batch_alter_table('care_agreements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_care_agreements_hold_only_while_pending'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_care_agreements_paid_amounts_valid'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_care_agreements_sponsor_programme_id_budget_programmes'), type_='foreignkey')
        batch_op.drop_column('hold_expires_at')
        batch_op.drop_column('refunded_minor')
        batch_op.drop_column('sponsor_programme_id')
        batch_op.drop_column('sponsor_minor')
