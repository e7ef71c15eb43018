"""foundation accounts and tenancy

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 16:05:32.370820

"""
from alembic import op
import sqlalchemy as sa

import core.db


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('parks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('committee_name_zh', sa.String(length=200), nullable=False),
    sa.Column('committee_name_en', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('default_locale', sa.String(length=10), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parks')),
    sa.UniqueConstraint('code', name=op.f('uq_parks_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('mobile', sa.String(length=20), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('email IS NOT NULL OR mobile IS NOT NULL', name=op.f('ck_users_has_login')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('mobile', name=op.f('uq_users_mobile'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('scopes', sa.String(length=100), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('invite_code', sa.String(length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_enterprises_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprises')),
    sa.UniqueConstraint('invite_code', name=op.f('uq_enterprises_invite_code')),
    sa.UniqueConstraint('park_id', 'name_en', name=op.f('uq_enterprises_park_id_name_en'))
    )
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprises_park_id'), ['park_id'], unique=False)

    op.create_table('provider_organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('pending', 'verified', 'suspended', name='providerstatus', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_provider_organisations_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_organisations')),
    sa.UniqueConstraint('park_id', 'name_en', name=op.f('uq_provider_organisations_park_id_name_en'))
    )
    with op.batch_alter_table('provider_organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_organisations_park_id'), ['park_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('mobile', sa.String(length=20), nullable=True),
    sa.Column('role', sa.Enum('employee', 'enterprise_admin', 'provider_staff', 'committee_member', 'platform_admin', name='role', native_enum=False, length=24), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('provider_level', sa.Enum('owner', 'staff', name='providerlevel', native_enum=False, length=24), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_invitations_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_invitations_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_invitations_park_id_parks')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_invitations_provider_id_provider_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('employee', 'enterprise_admin', 'provider_staff', 'committee_member', 'platform_admin', name='role', native_enum=False, length=24), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('provider_level', sa.Enum('owner', 'staff', name='providerlevel', native_enum=False, length=24), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(role IN ('employee', 'enterprise_admin') AND enterprise_id IS NOT NULL AND provider_id IS NULL) OR (role = 'provider_staff' AND provider_id IS NOT NULL AND enterprise_id IS NULL AND provider_level IS NOT NULL) OR (role = 'committee_member' AND park_id IS NOT NULL AND enterprise_id IS NULL AND provider_id IS NULL) OR (role = 'platform_admin' AND enterprise_id IS NULL AND provider_id IS NULL)", name=op.f('ck_memberships_scope_matches_role')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_memberships_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_memberships_park_id_parks')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_memberships_provider_id_provider_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('provider_categories',
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('tcm', 'rehabilitation', 'counselling', 'culture', 'travel_wellness', 'childcare', 'eldercare', name='providercategory', native_enum=False, length=24), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider_organisations.id'], name=op.f('fk_provider_categories_provider_id_provider_organisations')),
    sa.PrimaryKeyConstraint('provider_id', 'category', name=op.f('pk_provider_categories'))
    )


def downgrade():
    op.drop_table('provider_categories')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_provider_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_park_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_enterprise_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_enterprise_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('provider_organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_organisations_park_id'))

    op.drop_table('provider_organisations')
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_park_id'))

    op.drop_table('enterprises')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('parks')
