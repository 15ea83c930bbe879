"""Obstacles (kendala) met in a village or on an intervention, and their lessons (pelajaran).

Revision ID: c90e1f2a3b4c
Revises: b89d0e1f2a3b
Create Date: 2026-12-12 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c90e1f2a3b4c'
down_revision = 'b89d0e1f2a3b'
branch_labels = None
depends_on = None

KINDS = (
    'community_refusal', 'village_stakeholders', 'regency_politics', 'data', 'budget',
    'weather_disaster', 'other',
)


def upgrade():
    op.create_table(
        'obstacles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('regency_code', sa.String(), nullable=False),
        sa.Column('village_code', sa.String(), nullable=False),
        sa.Column('intervention_id', sa.Integer(), nullable=True),
        sa.Column('program_id', sa.Integer(), nullable=True),
        sa.Column('category_code', sa.String(), nullable=True),
        sa.Column(
            'kind',
            sa.Enum(*KINDS, name='obstacle_kind', native_enum=False, create_constraint=True,
                    length=20),
            nullable=False,
        ),
        sa.Column('happened_on', sa.Date(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column(
            'status',
            sa.Enum('open', 'resolved', name='obstacle_status', native_enum=False,
                    create_constraint=True, length=8),
            nullable=False,
        ),
        sa.Column('lesson', sa.Text(), nullable=False),
        sa.Column('reported_by', sa.Integer(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['category_code'], ['activity_categories.code'],
                                name=op.f('fk_obstacles_category_code_activity_categories')),
        sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], ondelete='SET NULL',
                                name=op.f('fk_obstacles_intervention_id_interventions')),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'],
                                name=op.f('fk_obstacles_program_id_programs')),
        sa.ForeignKeyConstraint(['regency_code'], ['regencies.code'],
                                name=op.f('fk_obstacles_regency_code_regencies')),
        sa.ForeignKeyConstraint(['reported_by'], ['people.id'], ondelete='SET NULL',
                                name=op.f('fk_obstacles_reported_by_people')),
        sa.ForeignKeyConstraint(['village_code'], ['villages.code'],
                                name=op.f('fk_obstacles_village_code_villages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_obstacles')),
    )
    op.create_index('ix_obstacles_regency_status', 'obstacles', ['regency_code', 'status'])
    op.create_index(op.f('ix_obstacles_village_code'), 'obstacles', ['village_code'])
    op.create_index(op.f('ix_obstacles_intervention_id'), 'obstacles', ['intervention_id'])


def downgrade():
    op.drop_table('obstacles')
