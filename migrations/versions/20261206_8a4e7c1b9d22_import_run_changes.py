"""Import runs list what would change or changed row by row, for the page and the command line.

Revision ID: 8a4e7c1b9d22
Revises: 3f1c2a9d8e01
Create Date: 2026-12-06 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a4e7c1b9d22'
down_revision = '3f1c2a9d8e01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changes', sa.JSON(), nullable=True))
    op.execute("UPDATE import_runs SET changes = '[]'")
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.alter_column('changes', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.drop_column('changes')
