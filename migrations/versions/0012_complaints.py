"""complaints: complaints and reports from the public (投诉举报)

Revision ID: 0012_complaints
Revises: 0011_reports
Create Date: 2026-12-02 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_complaints'
down_revision = '0011_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('agency_named', sa.String(length=128), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=True),
    sa.Column('contact', sa.String(length=64), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('tracking_code', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('referred_to', sa.String(length=128), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('unfounded', 'interview', 'blacklist', 'referred_elsewhere')", name=op.f('ck_complaint_outcome')),
    sa.CheckConstraint("status IN ('received', 'investigating', 'closed')", name=op.f('ck_complaint_status')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_complaint_agency_id_agency')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_complaint_case_id_case')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_complaint_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('case_id', name=op.f('uq_complaint_case_id')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_complaint_tracking_code'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_agency_id'), ['agency_id'], unique=False)


def downgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_agency_id'))
    op.drop_table('complaint')
