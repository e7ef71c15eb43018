"""care: family health physicians — physician teams and their members, enterprise
sponsorships, service agreements, care plans, home measurements, alerts, follow-ups and
messages. Health values (plans, measurements, messages) live in Text columns holding Fernet
tokens (health.crypto.EncryptedJSON).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 18:35:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('general_practice', 'tcm', name='teamkind', native_enum=False, length=24), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('period_days', sa.Integer(), nullable=False),
    sa.Column('terms_zh', sa.Text(), nullable=False),
    sa.Column('terms_en', sa.Text(), nullable=False),
    sa.Column('terms_version', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_days BETWEEN 30 AND 366', name=op.f('ck_care_teams_period_days_range')),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_care_teams_price_not_negative')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_care_teams_provider_id_provider_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_teams')),
    sa.UniqueConstraint('provider_id', 'name_en', name=op.f('uq_care_teams_provider_id_name_en'))
    )
    with op.batch_alter_table('care_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_teams_provider_id'), ['provider_id'], unique=False)

    op.create_table('care_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'cancelled', name='agreementstatus', native_enum=False, length=24), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('starts_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('terms_version', sa.Integer(), nullable=False),
    sa.Column('terms_sha256', sa.String(length=64), nullable=False),
    sa.Column('terms_locale', sa.String(length=10), nullable=False),
    sa.Column('accepted_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('share_fields', sa.String(length=200), nullable=False),
    sa.Column('dependant_ids', sa.JSON(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('budget_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('sponsored', sa.Boolean(), nullable=False),
    sa.Column('ledger_reference', sa.String(length=64), nullable=True),
    sa.Column('cancelled_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_care_agreements_period_not_empty')),
    sa.CheckConstraint('price_minor >= 0 AND budget_minor >= 0 AND budget_minor <= price_minor', name=op.f('ck_care_agreements_amounts_valid')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_care_agreements_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_care_agreements_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['team_id'], ['care_teams.id'], name=op.f('fk_care_agreements_team_id_care_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_care_agreements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_agreements'))
    )
    with op.batch_alter_table('care_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_agreements_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_agreements_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_agreements_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_care_agreements_user_period', ['user_id', 'starts_at'], unique=False)

    op.create_table('care_sponsorships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_care_sponsorships_created_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_care_sponsorships_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['team_id'], ['care_teams.id'], name=op.f('fk_care_sponsorships_team_id_care_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_sponsorships')),
    sa.UniqueConstraint('enterprise_id', 'team_id', name=op.f('uq_care_sponsorships_enterprise_id_team_id'))
    )
    with op.batch_alter_table('care_sponsorships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_sponsorships_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('care_team_members',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'], name=op.f('fk_care_team_members_practitioner_id_practitioners')),
    sa.ForeignKeyConstraint(['team_id'], ['care_teams.id'], name=op.f('fk_care_team_members_team_id_care_teams')),
    sa.PrimaryKeyConstraint('team_id', 'practitioner_id', name=op.f('pk_care_team_members'))
    )
    op.create_table('care_measurements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('blood_pressure', 'weight', 'glucose', 'activity', name='measurementkind', native_enum=False, length=24), nullable=False),
    sa.Column('measured_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['care_agreements.id'], name=op.f('fk_care_measurements_agreement_id_care_agreements')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_care_measurements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_measurements'))
    )
    with op.batch_alter_table('care_measurements', schema=None) as batch_op:
        batch_op.create_index('ix_care_measurements_agreement_at', ['agreement_id', 'measured_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_measurements_user_id'), ['user_id'], unique=False)

    op.create_table('care_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['care_agreements.id'], name=op.f('fk_care_messages_agreement_id_care_agreements')),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_care_messages_sender_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_messages'))
    )
    with op.batch_alter_table('care_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_messages_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('care_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['care_agreements.id'], name=op.f('fk_care_plans_agreement_id_care_agreements')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_care_plans_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plans')),
    sa.UniqueConstraint('agreement_id', name=op.f('uq_care_plans_agreement_id'))
    )
    op.create_table('care_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('measurement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('blood_pressure', 'weight', 'glucose', 'activity', name='measurementkind', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_care_alerts_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['agreement_id'], ['care_agreements.id'], name=op.f('fk_care_alerts_agreement_id_care_agreements')),
    sa.ForeignKeyConstraint(['measurement_id'], ['care_measurements.id'], name=op.f('fk_care_alerts_measurement_id_care_measurements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_alerts'))
    )
    with op.batch_alter_table('care_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_alerts_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('care_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('visit', 'phone', 'video', name='followupmode', native_enum=False, length=24), nullable=False),
    sa.Column('starts_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('cancelled_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('duration_minutes BETWEEN 5 AND 240', name=op.f('ck_care_follow_ups_duration_range')),
    sa.ForeignKeyConstraint(['agreement_id'], ['care_agreements.id'], name=op.f('fk_care_follow_ups_agreement_id_care_agreements')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_care_follow_ups_booking_id_bookings')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_care_follow_ups_created_by_id_users')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'], name=op.f('fk_care_follow_ups_practitioner_id_practitioners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_follow_ups'))
    )
    with op.batch_alter_table('care_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_follow_ups_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_follow_ups_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_follow_ups_starts_at'), ['starts_at'], unique=False)



def downgrade():
    with op.batch_alter_table('care_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_follow_ups_starts_at'))
        batch_op.drop_index(batch_op.f('ix_care_follow_ups_practitioner_id'))
        batch_op.drop_index(batch_op.f('ix_care_follow_ups_agreement_id'))

    op.drop_table('care_follow_ups')
    with op.batch_alter_table('care_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_alerts_agreement_id'))

    op.drop_table('care_alerts')
    op.drop_table('care_plans')
    with op.batch_alter_table('care_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_messages_agreement_id'))

    op.drop_table('care_messages')
    with op.batch_alter_table('care_measurements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_measurements_user_id'))
        batch_op.drop_index('ix_care_measurements_agreement_at')

    op.drop_table('care_measurements')
    op.drop_table('care_team_members')
    with op.batch_alter_table('care_sponsorships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_sponsorships_enterprise_id'))

    op.drop_table('care_sponsorships')
    with op.batch_alter_table('care_agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_care_agreements_user_period')
        batch_op.drop_index(batch_op.f('ix_care_agreements_team_id'))
        batch_op.drop_index(batch_op.f('ix_care_agreements_provider_id'))
        batch_op.drop_index(batch_op.f('ix_care_agreements_enterprise_id'))

    op.drop_table('care_agreements')
    with op.batch_alter_table('care_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_teams_provider_id'))

    op.drop_table('care_teams')
