"""one check-up model: a family member's check-up is a row of health_checkups with its
dependant_id (issue 23), and a campaign check-up points at it with one column

Rows of health_dependant_checkups move into health_checkups (the encrypted ``data`` is
copied as it is: the cipher binds no table), and prevention_checkups.dependant_checkup_id
becomes health_checkup_id pointing at the moved row. The downgrade moves them back.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 13:00:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

checkups = sa.table('health_checkups', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                    sa.column('dependant_id', sa.Integer), sa.column('measured_on', sa.Date),
                    sa.column('data', sa.Text), sa.column('created_at', core.db.UTCDateTime()))
family = sa.table('health_dependant_checkups', sa.column('id', sa.Integer),
                  sa.column('user_id', sa.Integer), sa.column('dependant_id', sa.Integer),
                  sa.column('measured_on', sa.Date), sa.column('data', sa.Text),
                  sa.column('created_at', core.db.UTCDateTime()))
campaign = sa.table('prevention_checkups', sa.column('id', sa.Integer),
                    sa.column('dependant_id', sa.Integer),
                    sa.column('health_checkup_id', sa.Integer),
                    sa.column('dependant_checkup_id', sa.Integer))


def _move_family_into_checkups(bind) -> None:
    for row in bind.execute(sa.select(family).order_by(family.c.id)).mappings().all():
        new_id = bind.execute(checkups.insert().values(
            user_id=row['user_id'], dependant_id=row['dependant_id'],
            measured_on=row['measured_on'], data=row['data'],
            created_at=row['created_at']).returning(checkups.c.id)).scalar_one()
        bind.execute(campaign.update().where(campaign.c.dependant_id.is_not(None),
                                             campaign.c.dependant_checkup_id == row['id'])
                     .values(health_checkup_id=new_id))


def upgrade():
    with op.batch_alter_table('health_checkups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dependant_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_health_checkups_dependant_id_health_dependants'),
            'health_dependants', ['dependant_id'], ['id'])
        batch_op.create_index('ix_health_checkups_dependant_measured',
                              ['dependant_id', 'measured_on'], unique=False)

    _move_family_into_checkups(op.get_bind())

    with op.batch_alter_table('prevention_checkups', schema=None) as batch_op:
        batch_op.drop_column('dependant_checkup_id')

    with op.batch_alter_table('health_dependant_checkups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_dependant_checkups_user_id'))
        batch_op.drop_index('ix_health_dependant_checkups_dependant_measured')
    op.drop_table('health_dependant_checkups')


def downgrade():
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

    with op.batch_alter_table('prevention_checkups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dependant_checkup_id', sa.Integer(), nullable=True))

    # A family member's row keeps its id in its own table again; the campaign check-up's
    # pointer moves to the old column.
    bind = op.get_bind()
    bind.execute(family.insert().from_select(
        ['id', 'user_id', 'dependant_id', 'measured_on', 'data', 'created_at'],
        sa.select(checkups.c.id, checkups.c.user_id, checkups.c.dependant_id,
                  checkups.c.measured_on, checkups.c.data, checkups.c.created_at)
        .where(checkups.c.dependant_id.is_not(None))))
    bind.execute(campaign.update().where(campaign.c.dependant_id.is_not(None))
                 .values(dependant_checkup_id=campaign.c.health_checkup_id,
                         health_checkup_id=None))
    bind.execute(checkups.delete().where(checkups.c.dependant_id.is_not(None)))
    if bind.dialect.name == 'postgresql':
        bind.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('health_dependant_checkups', 'id'), "
            "COALESCE((SELECT MAX(id) FROM health_dependant_checkups), 0) + 1, false)"))

    with op.batch_alter_table('health_checkups', schema=None) as batch_op:
        batch_op.drop_index('ix_health_checkups_dependant_measured')
        batch_op.drop_constraint(batch_op.f('fk_health_checkups_dependant_id_health_dependants'),
                                 type_='foreignkey')
        batch_op.drop_column('dependant_id')
