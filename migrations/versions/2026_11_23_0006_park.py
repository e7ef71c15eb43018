"""park: venues, events and their sessions (with the enterprises they are open to),
registrations (tickets and waitlists), announcements and feedback

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:30:00

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('park_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('festival_week', 'talk', 'workshop', 'sports', 'course', 'social', 'volunteering', name='eventkind', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'completed', 'cancelled', name='eventstatus', native_enum=False, length=24), nullable=False),
    sa.Column('family_places', sa.Integer(), nullable=False),
    sa.Column('registration_opens_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('registration_closes_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.CheckConstraint('family_places >= 0 AND family_places <= 5', name=op.f('ck_park_events_family_places')),
    sa.CheckConstraint('registration_closes_at > registration_opens_at', name=op.f('ck_park_events_registration_window')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_park_events_created_by_id_users')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_park_events_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_events'))
    )
    with op.batch_alter_table('park_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_park_events_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_park_events_status'), ['status'], unique=False)

    op.create_table('park_venues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_park_venues_capacity_positive')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_park_venues_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_venues')),
    sa.UniqueConstraint('park_id', 'name_en', name=op.f('uq_park_venues_park_id_name_en'))
    )
    with op.batch_alter_table('park_venues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_park_venues_park_id'), ['park_id'], unique=False)

    op.create_table('park_announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_park_announcements_created_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['park_events.id'], name=op.f('fk_park_announcements_event_id_park_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_park_announcements_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_announcements'))
    )
    with op.batch_alter_table('park_announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_park_announcements_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_park_announcements_park_id'), ['park_id'], unique=False)

    op.create_table('park_event_audience',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_park_event_audience_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['event_id'], ['park_events.id'], name=op.f('fk_park_event_audience_event_id_park_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'enterprise_id', name=op.f('pk_park_event_audience'))
    )
    op.create_table('park_event_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('starts_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('places_taken', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_park_event_sessions_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_park_event_sessions_ends_after_start')),
    sa.CheckConstraint('places_taken >= 0 AND places_taken <= capacity', name=op.f('ck_park_event_sessions_places_within_capacity')),
    sa.ForeignKeyConstraint(['event_id'], ['park_events.id'], name=op.f('fk_park_event_sessions_event_id_park_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['venue_id'], ['park_venues.id'], name=op.f('fk_park_event_sessions_venue_id_park_venues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_event_sessions'))
    )
    with op.batch_alter_table('park_event_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_park_event_sessions_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_park_event_sessions_venue_time', ['venue_id', 'starts_at'], unique=False)

    op.create_table('park_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_park_feedback_rating_range')),
    sa.ForeignKeyConstraint(['event_id'], ['park_events.id'], name=op.f('fk_park_feedback_event_id_park_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_park_feedback_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_feedback')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_park_feedback_event_id_user_id'))
    )
    with op.batch_alter_table('park_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_park_feedback_event_id'), ['event_id'], unique=False)

    op.create_table('park_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('dependant_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('confirmed', 'offered', 'waiting', 'cancelled', 'lapsed', name='registrationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('live_key', sa.String(length=40), nullable=True),
    sa.Column('ticket_code', sa.String(length=40), nullable=False),
    sa.Column('offer_expires_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status IN ('confirmed', 'offered', 'waiting')) = (live_key IS NOT NULL)", name=op.f('ck_park_registrations_live_key_matches_status')),
    sa.CheckConstraint("checked_in_at IS NULL OR status = 'confirmed'", name=op.f('ck_park_registrations_checked_in_only_confirmed')),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_park_registrations_checked_in_by_id_users')),
    sa.ForeignKeyConstraint(['dependant_id'], ['health_dependants.id'], name=op.f('fk_park_registrations_dependant_id_health_dependants')),
    sa.ForeignKeyConstraint(['session_id'], ['park_event_sessions.id'], name=op.f('fk_park_registrations_session_id_park_event_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_park_registrations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_registrations')),
    sa.UniqueConstraint('session_id', 'live_key', name=op.f('uq_park_registrations_session_id_live_key')),
    sa.UniqueConstraint('ticket_code', name=op.f('uq_park_registrations_ticket_code'))
    )
    with op.batch_alter_table('park_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_park_registrations_session_status', ['session_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_park_registrations_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('park_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_park_registrations_user_id'))
        batch_op.drop_index('ix_park_registrations_session_status')

    op.drop_table('park_registrations')
    with op.batch_alter_table('park_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_park_feedback_event_id'))

    op.drop_table('park_feedback')
    with op.batch_alter_table('park_event_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_park_event_sessions_venue_time')
        batch_op.drop_index(batch_op.f('ix_park_event_sessions_event_id'))

    op.drop_table('park_event_sessions')
    op.drop_table('park_event_audience')
    with op.batch_alter_table('park_announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_park_announcements_park_id'))
        batch_op.drop_index(batch_op.f('ix_park_announcements_created_at'))

    op.drop_table('park_announcements')
    with op.batch_alter_table('park_venues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_park_venues_park_id'))

    op.drop_table('park_venues')
    with op.batch_alter_table('park_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_park_events_status'))
        batch_op.drop_index(batch_op.f('ix_park_events_park_id'))

    op.drop_table('park_events')
