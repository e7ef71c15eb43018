"""booking: bookings and their transition log, series, waitlists, idempotency records,
in-app notifications and calendar feeds

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:45:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booking_calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_booking_calendar_feeds_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_booking_calendar_feeds_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_booking_calendar_feeds_user_id'))
    )
    op.create_table('booking_idempotency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_booking_idempotency_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_idempotency')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_booking_idempotency_user_id_key'))
    )
    with op.batch_alter_table('booking_idempotency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_idempotency_created_at'), ['created_at'], unique=False)

    op.create_table('booking_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_booking_series_client_id_users')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_booking_series_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_series'))
    )
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_series_client_id'), ['client_id'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('dependant_id', sa.Integer(), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('held', 'confirmed', 'attended', 'no_show', 'cancelled_by_client', 'cancelled_by_provider', 'expired', name='bookingstatus', native_enum=False, length=24), nullable=False),
    sa.Column('starts_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('busy_from', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('busy_until', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('hold_expires_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payment_reference', sa.String(length=100), nullable=True),
    sa.Column('free_cancel_hours', sa.Integer(), nullable=False),
    sa.Column('late_cancel_fee_percent', sa.Integer(), nullable=False),
    sa.Column('refund_basis_points', sa.Integer(), nullable=True),
    sa.Column('late_fee_basis_points', sa.Integer(), nullable=True),
    sa.Column('reschedule_count', sa.Integer(), nullable=False),
    sa.Column('reminder_24h_sent_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminder_2h_sent_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'held' OR hold_expires_at IS NOT NULL", name=op.f('ck_bookings_held_has_expiry')),
    sa.CheckConstraint('busy_from <= starts_at AND busy_until >= ends_at', name=op.f('ck_bookings_busy_covers_booking')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_bookings_ends_after_start')),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_bookings_price_not_negative')),
    sa.CheckConstraint('refund_basis_points IS NULL OR refund_basis_points BETWEEN 0 AND 10000', name=op.f('ck_bookings_refund_is_fraction')),
    sa.CheckConstraint('seats >= 1', name=op.f('ck_bookings_seats_positive')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_bookings_client_id_users')),
    sa.ForeignKeyConstraint(['dependant_id'], ['health_dependants.id'], name=op.f('fk_bookings_dependant_id_health_dependants')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'], name=op.f('fk_bookings_practitioner_id_practitioners')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_bookings_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['series_id'], ['booking_series.id'], name=op.f('fk_bookings_series_id_booking_series')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_bookings_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_client_starts', ['client_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_bookings_practitioner_busy', ['practitioner_id', 'busy_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_service_id'), ['service_id'], unique=False)
        batch_op.create_index('ix_bookings_status_hold', ['status', 'hold_expires_at'], unique=False)

    op.create_table('booking_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('confirmed', 'changed', 'cancelled', 'reminder', 'offer', name='notificationkind', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_notifications_booking_id_bookings')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_booking_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_notifications'))
    )
    with op.batch_alter_table('booking_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_notifications_user_id'), ['user_id'], unique=False)

    op.create_table('booking_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('held', 'confirmed', 'attended', 'no_show', 'cancelled_by_client', 'cancelled_by_provider', 'expired', name='bookingstatus', native_enum=False, length=24), nullable=True),
    sa.Column('to_status', sa.Enum('held', 'confirmed', 'attended', 'no_show', 'cancelled_by_client', 'cancelled_by_provider', 'expired', name='bookingstatus', native_enum=False, length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_booking_transitions_actor_id_users')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_transitions_booking_id_bookings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_transitions'))
    )
    with op.batch_alter_table('booking_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_transitions_booking_id'), ['booking_id'], unique=False)

    op.create_table('booking_waitlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('dependant_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('waiting', 'offered', 'accepted', 'lapsed', 'left', name='waitliststatus', native_enum=False, length=24), nullable=False),
    sa.Column('offer_booking_id', sa.Integer(), nullable=True),
    sa.Column('offer_expires_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_booking_waitlist_client_id_users')),
    sa.ForeignKeyConstraint(['dependant_id'], ['health_dependants.id'], name=op.f('fk_booking_waitlist_dependant_id_health_dependants')),
    sa.ForeignKeyConstraint(['offer_booking_id'], ['bookings.id'], name=op.f('fk_booking_waitlist_offer_booking_id_bookings')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioners.id'], name=op.f('fk_booking_waitlist_practitioner_id_practitioners')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_booking_waitlist_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_waitlist'))
    )
    with op.batch_alter_table('booking_waitlist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_waitlist_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_booking_waitlist_slot', ['practitioner_id', 'service_id', 'starts_at', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('booking_waitlist', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_waitlist_slot')
        batch_op.drop_index(batch_op.f('ix_booking_waitlist_client_id'))

    op.drop_table('booking_waitlist')
    with op.batch_alter_table('booking_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_transitions_booking_id'))

    op.drop_table('booking_transitions')
    with op.batch_alter_table('booking_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_notifications_user_id'))

    op.drop_table('booking_notifications')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_status_hold')
        batch_op.drop_index(batch_op.f('ix_bookings_service_id'))
        batch_op.drop_index(batch_op.f('ix_bookings_series_id'))
        batch_op.drop_index(batch_op.f('ix_bookings_provider_id'))
        batch_op.drop_index('ix_bookings_practitioner_busy')
        batch_op.drop_index('ix_bookings_client_starts')

    op.drop_table('bookings')
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_series_client_id'))

    op.drop_table('booking_series')
    with op.batch_alter_table('booking_idempotency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_idempotency_created_at'))

    op.drop_table('booking_idempotency')
    op.drop_table('booking_calendar_feeds')
