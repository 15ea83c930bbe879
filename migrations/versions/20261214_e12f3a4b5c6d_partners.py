"""Partners (donors, CSR, Baznas) as a role, and a regency's switch for its public prospectus.

Revision ID: e12f3a4b5c6d
Revises: d01f2a3b4c5d
Create Date: 2026-12-14 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e12f3a4b5c6d'
down_revision = 'd01f2a3b4c5d'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('facilitator', 'coordinator', 'admin')"
ROLES_AFTER = "role IN ('facilitator', 'coordinator', 'admin', 'partner')"


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_people_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_people_role'), ROLES_AFTER)
    op.add_column(
        'regency_settings',
        sa.Column('prospectus_public', sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    op.drop_column('regency_settings', 'prospectus_public')
    op.execute("DELETE FROM people WHERE role = 'partner'")
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_people_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_people_role'), ROLES_BEFORE)
