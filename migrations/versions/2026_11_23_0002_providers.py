"""providers: profiles, practitioners, services, availability rules, date exceptions,
imported busy time and credentials

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:25:38.229377

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practitioners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('title_zh', sa.String(length=100), nullable=False),
    sa.Column('title_en', sa.String(length=100), nullable=False),
    sa.Column('bio_zh', sa.Text(), nullable=False),
    sa.Column('bio_en', sa.Text(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'verified', 'suspended', name='verificationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('observes_public_holidays', sa.Boolean(), nullable=False),
    sa.Column('feed_token_hash', sa.String(length=64), nullable=True),
    sa.Column('busy_calendar_url', sa.String(length=500), nullable=True),
    sa.Column('busy_calendar_synced_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('busy_calendar_error', sa.String(length=300), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_practitioners_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_practitioners_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practitioners')),
    sa.UniqueConstraint('feed_token_hash', name=op.f('uq_practitioners_feed_token_hash')),
    sa.UniqueConstraint('provider_id', 'name_en', name=op.f('uq_practitioners_provider_id_name_en'))
    )

    with op.batch_alter_table('practitioners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practitioners_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practitioners_user_id'), ['user_id'], unique=False)

    op.create_table('provider_profiles',
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('venues', sa.JSON(), nullable=False),
    sa.Column('address_zh', sa.String(length=300), nullable=False),
    sa.Column('address_en', sa.String(length=300), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('photo_urls', sa.JSON(), nullable=False),
    sa.Column('feed_token_hash', sa.String(length=64), nullable=True),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_provider_profiles_provider_id_provider_organisations')),
    sa.PrimaryKeyConstraint('provider_id', name=op.f('pk_provider_profiles')),
    sa.UniqueConstraint('feed_token_hash', name=op.f('uq_provider_profiles_feed_token_hash'))
    )

    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('tcm', 'rehabilitation', 'counselling', 'culture', 'travel_wellness', 'childcare', 'eldercare', name='providercategory', native_enum=False, length=24), nullable=False),
    sa.Column('delivery_mode', sa.Enum('park_station', 'premises', 'online', 'trip', name='deliverymode', native_enum=False, length=24), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('buffer_before_minutes', sa.Integer(), nullable=False),
    sa.Column('buffer_after_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('free_cancel_hours', sa.Integer(), nullable=False),
    sa.Column('late_cancel_fee_percent', sa.Integer(), nullable=False),
    sa.Column('min_notice_minutes', sa.Integer(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('health_needs', sa.JSON(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('max_age', sa.Integer(), nullable=True),
    sa.Column('allows_dependants', sa.Boolean(), nullable=False),
    sa.Column('screening_questionnaire', sa.String(length=64), nullable=True),
    sa.Column('contraindications', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('buffer_before_minutes >= 0 AND buffer_after_minutes >= 0', name=op.f('ck_services_buffers_not_negative')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_services_capacity_positive')),
    sa.CheckConstraint('duration_minutes >= 5', name=op.f('ck_services_duration_positive')),
    sa.CheckConstraint('late_cancel_fee_percent BETWEEN 0 AND 100', name=op.f('ck_services_fee_is_percent')),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_services_price_not_negative')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_services_provider_id_provider_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )

    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_provider_id'), ['provider_id'], unique=False)

    op.create_table('availability_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('rrule', sa.String(length=300), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_availability_rules_ends_after_start')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'], name=op.f('fk_availability_rules_practitioner_id_practitioners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_rules'))
    )

    with op.batch_alter_table('availability_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_rules_practitioner_id'), ['practitioner_id'], unique=False)

    op.create_table('busy_times',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('imported_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_busy_times_ends_after_start')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'], name=op.f('fk_busy_times_practitioner_id_practitioners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_busy_times'))
    )

    with op.batch_alter_table('busy_times', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_busy_times_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_busy_times_starts_at'), ['starts_at'], unique=False)

    op.create_table('credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=True),
    sa.Column('licence_type', sa.String(length=100), nullable=False),
    sa.Column('licence_number', sa.String(length=100), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('document', sa.LargeBinary(), nullable=False),
    sa.Column('document_type', sa.String(length=40), nullable=False),
    sa.Column('document_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', 'expired', name='credentialstatus', native_enum=False, length=24), nullable=False),
    sa.Column('review_reason', sa.String(length=500), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminder_sent_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'], name=op.f('fk_credentials_practitioner_id_practitioners')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_credentials_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_credentials_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credentials'))
    )

    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credentials_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_credentials_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credentials_provider_id'), ['provider_id'], unique=False)

    op.create_table('schedule_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('closed', 'extra', name='exceptionkind', native_enum=False, length=24), nullable=False),
    sa.Column('happens_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(start_time IS NULL AND end_time IS NULL) OR (start_time IS NOT NULL AND end_time IS NOT NULL AND end_time > start_time)', name=op.f('ck_schedule_exceptions_times_complete')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'], name=op.f('fk_schedule_exceptions_practitioner_id_practitioners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_exceptions'))
    )

    with op.batch_alter_table('schedule_exceptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_exceptions_happens_on'), ['happens_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_exceptions_practitioner_id'), ['practitioner_id'], unique=False)

    op.create_table('service_practitioners',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'], name=op.f('fk_service_practitioners_practitioner_id_practitioners')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_practitioners_service_id_services')),
    sa.PrimaryKeyConstraint('service_id', 'practitioner_id', name=op.f('pk_service_practitioners'))
    )

    with op.batch_alter_table('service_practitioners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_practitioners_practitioner_id'), ['practitioner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('service_practitioners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_practitioners_practitioner_id'))

    op.drop_table('service_practitioners')

    with op.batch_alter_table('schedule_exceptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_exceptions_practitioner_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_exceptions_happens_on'))

    op.drop_table('schedule_exceptions')

    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credentials_provider_id'))
        batch_op.drop_index(batch_op.f('ix_credentials_practitioner_id'))
        batch_op.drop_index(batch_op.f('ix_credentials_expires_on'))

    op.drop_table('credentials')

    with op.batch_alter_table('busy_times', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_busy_times_starts_at'))
        batch_op.drop_index(batch_op.f('ix_busy_times_practitioner_id'))

    op.drop_table('busy_times')

    with op.batch_alter_table('availability_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_rules_practitioner_id'))

    op.drop_table('availability_rules')

    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_provider_id'))

    op.drop_table('services')

    op.drop_table('provider_profiles')

    with op.batch_alter_table('practitioners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practitioners_user_id'))
        batch_op.drop_index(batch_op.f('ix_practitioners_provider_id'))

    op.drop_table('practitioners')
