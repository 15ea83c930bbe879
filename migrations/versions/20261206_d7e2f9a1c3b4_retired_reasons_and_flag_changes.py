"""A proposal the engine no longer makes keeps why (shown to the facilitator); a flag keeps the
last change of its members (an intervention joined, and whether that reopened a decision).

Stored reasons gain their code and values beside their texts: existing rows keep their texts and
are rewritten by the next rebuild.

Revision ID: d7e2f9a1c3b4
Revises: c4a1d2e3f5b6
Create Date: 2026-12-06 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e2f9a1c3b4'
down_revision = 'c4a1d2e3f5b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_reason', sa.JSON(), nullable=True))
    with op.batch_alter_table('overlap_flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_note', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('overlap_flags', schema=None) as batch_op:
        batch_op.drop_column('change_note')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('retired_reason')
