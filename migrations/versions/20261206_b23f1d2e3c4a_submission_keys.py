"""One-time submission keys: a form's hidden key or an API Idempotency-Key, unique per person,
so a create sent twice (a double tap on Save, a client's retry) makes one row.

Revision ID: b23f1d2e3c4a
Revises: a12e0c1d2b3f
Create Date: 2026-12-06 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b23f1d2e3c4a'
down_revision = 'a12e0c1d2b3f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submission_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=80), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('settled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_submission_keys_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_keys')),
    sa.UniqueConstraint('person_id', 'key', name=op.f('uq_submission_keys_person_id_key'))
    )
    op.create_index(op.f('ix_submission_keys_created_at'), 'submission_keys', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_submission_keys_created_at'), table_name='submission_keys')
    op.drop_table('submission_keys')
