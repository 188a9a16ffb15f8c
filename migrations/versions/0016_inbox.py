"""inbox: saved filters; inbox ordering indexes on open_task

Revision ID: 0016_inbox
Revises: 0014_changes
Create Date: 2026-12-02 13:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_inbox'
down_revision = '0014_changes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_filter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('query', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("page IN ('inbox', 'cases')", name=op.f('ck_saved_filter_page')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_saved_filter_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filter')),
    sa.UniqueConstraint('user_id', 'page', 'name', name='uq_saved_filter_name')
    )
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_filter_user_id'), ['user_id'], unique=False)
    # the inbox is ordered by due date then arrival within a role and unit; unclaimed rows get their own index
    op.create_index('ix_open_task_inbox_order', 'open_task', ['role', 'unit_code', 'due_at', 'created_at'])
    op.create_index('ix_open_task_unclaimed', 'open_task', ['role', 'unit_code', 'due_at', 'created_at'],
                    postgresql_where=sa.text('assignee_id IS NULL'), sqlite_where=sa.text('assignee_id IS NULL'))


def downgrade():
    op.drop_index('ix_open_task_unclaimed', table_name='open_task')
    op.drop_index('ix_open_task_inbox_order', table_name='open_task')
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_filter_user_id'))
    op.drop_table('saved_filter')
