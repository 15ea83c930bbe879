"""A person's needs and offers are unique by title: a normalised ``title_key`` (case, spacing and
Unicode form folded, ``titiktemu.models.exchange.title_key``) and a unique index on
(person_id, title_key).

Duplicates already stored (two imports applied at once, a double tap on Save) are merged first:
the oldest row of each (person, title) stays and takes over the others' links - skills, villages,
kecamatan and the proposals that name them; a proposal that would then repeat one the oldest row
already has is dropped, the more decided of the two kept. Gaps of merged needs are dropped (the
next rebuild finds them again). How many rows were merged is said per table, on Alembic's log
beside its "Running upgrade" line (what ``titiktemu db upgrade`` shows).

SQLite: the column is added with ALTER TABLE (NOT NULL DEFAULT '', which SQLite keeps) and the
key is a unique index, so neither table is rebuilt - a rebuild would cascade the deletes of the
old table into the link tables while foreign keys are enforced.

Revision ID: a12e0c1d2b3f
Revises: d7e2f9a1c3b4
Create Date: 2026-12-06 14:00:00.000000

"""
import logging
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from titiktemu.models.exchange import TITLE_KEY_LENGTH, title_key


# revision identifiers, used by Alembic.
revision = 'a12e0c1d2b3f'
down_revision = 'd7e2f9a1c3b4'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

#: Which of two proposals for the same pair survives a merge: the more decided one.
_DECIDED = {"accepted": 4, "convene": 3, "declined": 2, "proposed": 1, "obsolete": 0}


def _table(name, *columns):
    return sa.table(name, *(sa.column(c) for c in columns))


_PROPOSALS = _table(
    "proposals", "id", "key", "kind", "need_id", "offer_id", "person_id", "status"
)
_GAPS = _table("gaps", "need_id")
#: table -> (owner column in proposals, link tables as (table, owner column, target column))
_TABLES = {
    "needs": ("need_id", (("need_skills", "need_id", "skill_code"),)),
    "offers": (
        "offer_id",
        (
            ("offer_skills", "offer_id", "skill_code"),
            ("offer_villages", "offer_id", "village_code"),
            ("offer_kecamatan", "offer_id", "kecamatan_code"),
        ),
    ),
}


def upgrade():
    for table in _TABLES:
        op.add_column(
            table,
            sa.Column(
                'title_key', sa.String(length=TITLE_KEY_LENGTH), nullable=False, server_default=''
            ),
        )
    bind = op.get_bind()
    for table in _TABLES:
        merged, kept, moved, dropped = _merge(bind, table)
        message = (
            f"{table}: merged {merged} duplicate row(s) into {kept} "
            f"(same person and title; proposals moved {moved}, dropped {dropped})"
        )
        log.info(message)
    if bind.dialect.name != "sqlite":
        for table in _TABLES:
            op.alter_column(table, 'title_key', server_default=None)
    op.create_index('uq_needs_person_id_title_key', 'needs', ['person_id', 'title_key'], unique=True)
    op.create_index(
        'uq_offers_person_id_title_key', 'offers', ['person_id', 'title_key'], unique=True
    )


def downgrade():
    op.drop_index('uq_offers_person_id_title_key', table_name='offers')
    op.drop_index('uq_needs_person_id_title_key', table_name='needs')
    # Merged duplicates are not brought back.
    for table in _TABLES:
        op.drop_column(table, 'title_key')


def _merge(bind, name):
    """Fill ``title_key``, then fold each (person, key) group into its oldest row.

    Returns (rows merged away, rows that took them in, proposals moved, proposals dropped)."""
    owner, links = _TABLES[name]
    table = _table(name, "id", "person_id", "title", "title_key", "created_at")
    rows = bind.execute(
        sa.select(table.c.id, table.c.person_id, table.c.title).order_by(
            table.c.created_at, table.c.id
        )
    ).all()
    if rows:
        bind.execute(
            table.update()
            .where(table.c.id == sa.bindparam("oid"))
            .values(title_key=sa.bindparam("key")),
            [{"key": title_key(title), "oid": oid} for oid, _person, title in rows],
        )
    groups = defaultdict(list)
    for oid, person, title in rows:
        groups[(person, title_key(title))].append(oid)
    merged = kept = moved = dropped = 0
    for ids in groups.values():
        if len(ids) < 2:
            continue
        keep, extra = ids[0], ids[1:]
        kept += 1
        merged += len(extra)
        for link_name, link_owner, target in links:
            link = _table(link_name, link_owner, target)
            of = link.c[link_owner]
            have = set(bind.execute(sa.select(link.c[target]).where(of == keep)).scalars())
            for code in bind.execute(sa.select(link.c[target]).where(of.in_(extra))).scalars():
                if code not in have:
                    have.add(code)
                    bind.execute(link.insert().values({link_owner: keep, target: code}))
            bind.execute(link.delete().where(of.in_(extra)))
        for oid in extra:
            m, d = _move_proposals(bind, owner, oid, keep)
            moved += m
            dropped += d
        if name == "needs":
            # Engine output: the next rebuild finds the kept need's gap again.
            bind.execute(_GAPS.delete().where(_GAPS.c.need_id.in_(extra)))
        bind.execute(table.delete().where(table.c.id.in_(extra)))
    return merged, kept, moved, dropped


def _move_proposals(bind, owner, old, new):
    """Point the proposals of ``old`` at ``new`` under their new key; (moved, dropped)."""
    p = _PROPOSALS
    moved = dropped = 0
    proposals = bind.execute(
        sa.select(p.c.id, p.c.kind, p.c.need_id, p.c.offer_id, p.c.person_id, p.c.status)
        .where(p.c[owner] == old)
        .order_by(p.c.id)
    ).all()
    for pid, kind, need_id, offer_id, person_id, status in proposals:
        need_id = new if owner == "need_id" else need_id
        offer_id = new if owner == "offer_id" else offer_id
        # The engine's key (graph.engine.proposal_key): what the proposal joins.
        key = f"{kind}:{need_id}:{offer_id if kind == 'need_offer' else person_id}"
        clash = bind.execute(
            sa.select(p.c.id, p.c.status).where(p.c.key == key, p.c.id != pid)
        ).first()
        if clash is not None:
            dropped += 1
            if _DECIDED.get(clash.status, 0) >= _DECIDED.get(status, 0):
                bind.execute(p.delete().where(p.c.id == pid))
                continue
            bind.execute(p.delete().where(p.c.id == clash.id))
        bind.execute(p.update().where(p.c.id == pid).values({owner: new, "key": key}))
        moved += 1
    return moved, dropped
