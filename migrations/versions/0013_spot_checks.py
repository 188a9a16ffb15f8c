"""spot_checks: half-year spot-check rounds and inspections

Revision ID: 0013_spot_checks
Revises: 0012_complaints
Create Date: 2026-12-02 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_spot_checks'
down_revision = '0012_complaints'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spot_check_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('ratio', sa.String(length=8), nullable=False),
    sa.Column('inspectors', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('report_note', sa.Text(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status != 'acknowledged' OR acknowledged_at IS NOT NULL", name=op.f('ck_spot_check_round_acknowledged_has_time')),
    sa.CheckConstraint("status = 'open' OR reported_at IS NOT NULL", name=op.f('ck_spot_check_round_reported_has_time')),
    sa.CheckConstraint("status IN ('open', 'reported', 'acknowledged')", name=op.f('ck_spot_check_round_status')),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['user_account.id'], name=op.f('fk_spot_check_round_acknowledged_by_id_user_account')),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_spot_check_round_started_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_round')),
    sa.UniqueConstraint('county_code', 'period', name=op.f('uq_spot_check_round_county_code'))
    )
    with op.batch_alter_table('spot_check_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_round_county_code'), ['county_code'], unique=False)
    op.create_table('spot_check_inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('project_total', sa.Integer(), nullable=False),
    sa.Column('contract_ids', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('conclusion', sa.String(length=16), nullable=True),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('growth_score', sa.Integer(), nullable=True),
    sa.Column('concluded_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("conclusion IS NULL OR conclusion IN ('no_problem', 'interview', 'blacklist')", name=op.f('ck_spot_check_inspection_conclusion')),
    sa.CheckConstraint("kind = 'unannounced' OR round_id IS NOT NULL", name=op.f('ck_spot_check_inspection_round_has_round')),
    sa.CheckConstraint("kind IN ('round', 'unannounced')", name=op.f('ck_spot_check_inspection_kind')),
    sa.CheckConstraint("status = 'open' OR (conclusion IS NOT NULL AND concluded_at IS NOT NULL)", name=op.f('ck_spot_check_inspection_concluded_has_conclusion')),
    sa.CheckConstraint("status IN ('open', 'concluded')", name=op.f('ck_spot_check_inspection_status')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_spot_check_inspection_agency_id_agency')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_spot_check_inspection_case_id_case')),
    sa.ForeignKeyConstraint(['round_id'], ['spot_check_round.id'], name=op.f('fk_spot_check_inspection_round_id_spot_check_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_inspection')),
    sa.UniqueConstraint('case_id', name=op.f('uq_spot_check_inspection_case_id'))
    )
    with op.batch_alter_table('spot_check_inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_inspection_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spot_check_inspection_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('spot_check_inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spot_check_inspection_round_id'))
        batch_op.drop_index(batch_op.f('ix_spot_check_inspection_agency_id'))
    op.drop_table('spot_check_inspection')
    with op.batch_alter_table('spot_check_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spot_check_round_county_code'))
    op.drop_table('spot_check_round')
