"""Households and budget of an intervention may be unknown (NULL), which is not zero.

Agencies' recaps leave the cell blank or write "-" where they do not know; reading that as 0 would
make an overlap look cheap and a reflection's sums look exact. Existing rows keep their numbers.

Revision ID: 3f1c2a9d8e01
Revises: 79c6fd424a83
Create Date: 2026-12-06 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1c2a9d8e01'
down_revision = '79c6fd424a83'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.alter_column('households', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('budget_idr', existing_type=sa.BigInteger(), nullable=True)


def downgrade():
    op.execute("UPDATE interventions SET households = 0 WHERE households IS NULL")
    op.execute("UPDATE interventions SET budget_idr = 0 WHERE budget_idr IS NULL")
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.alter_column('budget_idr', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('households', existing_type=sa.Integer(), nullable=False)
