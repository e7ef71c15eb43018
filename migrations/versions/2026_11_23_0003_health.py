"""health: profiles, check-ups, questionnaires, dependants, consents and the access log

Health values live in Text columns holding Fernet tokens (health.crypto.EncryptedJSON).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:20:29.095321

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('health_checkups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_health_checkups_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_checkups'))
    )
    with op.batch_alter_table('health_checkups', schema=None) as batch_op:
        batch_op.create_index('ix_health_checkups_user_measured', ['user_id', 'measured_on'], unique=False)

    op.create_table('health_dependants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_health_dependants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_dependants'))
    )
    with op.batch_alter_table('health_dependants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_dependants_user_id'), ['user_id'], unique=False)

    op.create_table('health_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_health_profiles_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_health_profiles_user_id'))
    )
    op.create_table('health_questionnaire_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('phq9', 'gad7', 'isi', name='questionnairekind', native_enum=False, length=10), nullable=False),
    sa.Column('answered_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_health_questionnaire_responses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_questionnaire_responses'))
    )
    with op.batch_alter_table('health_questionnaire_responses', schema=None) as batch_op:
        batch_op.create_index('ix_health_questionnaire_responses_user_kind', ['user_id', 'kind'], unique=False)

    op.create_table('health_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('fields', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.String(length=64), nullable=True),
    sa.Column('valid_from', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('valid_until > valid_from', name=op.f('ck_health_consents_window_not_empty')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_health_consents_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_health_consents_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_consents'))
    )
    with op.batch_alter_table('health_consents', schema=None) as batch_op:
        batch_op.create_index('ix_health_consents_provider_user', ['provider_id', 'user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_health_consents_user_id'), ['user_id'], unique=False)

    op.create_table('health_access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('accessor_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('consent_id', sa.Integer(), nullable=True),
    sa.Column('fields', sa.String(length=200), nullable=False),
    sa.Column('accessed_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['accessor_id'], ['users.id'], name=op.f('fk_health_access_log_accessor_id_users')),
    sa.ForeignKeyConstraint(['consent_id'], ['health_consents.id'], name=op.f('fk_health_access_log_consent_id_health_consents')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_health_access_log_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_health_access_log_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_access_log'))
    )
    with op.batch_alter_table('health_access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_access_log_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('health_access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_access_log_user_id'))

    op.drop_table('health_access_log')
    with op.batch_alter_table('health_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_consents_user_id'))
        batch_op.drop_index('ix_health_consents_provider_user')

    op.drop_table('health_consents')
    with op.batch_alter_table('health_questionnaire_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_health_questionnaire_responses_user_kind')

    op.drop_table('health_questionnaire_responses')
    op.drop_table('health_profiles')
    with op.batch_alter_table('health_dependants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_dependants_user_id'))

    op.drop_table('health_dependants')
    with op.batch_alter_table('health_checkups', schema=None) as batch_op:
        batch_op.drop_index('ix_health_checkups_user_measured')

    op.drop_table('health_checkups')
