"""accounts: forced password change, agency self sign-up with e-mail verification

Revision ID: 0015_accounts
Revises: 0016_inbox
Create Date: 2026-12-02 13:05:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0015_accounts'
down_revision = '0016_inbox'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    op.create_table('agency_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('agency_name', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_agency_signup_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_signup')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_agency_signup_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_agency_signup_user_id'))
    )
    with op.batch_alter_table('agency_signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_signup_credit_code'), ['credit_code'], unique=False)


def downgrade():
    with op.batch_alter_table('agency_signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_signup_credit_code'))
    op.drop_table('agency_signup')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
