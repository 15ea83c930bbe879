"""A regency's engine configuration: the defaults plus what its coordinators changed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from graph.config import EngineConfig
from titiktemu.models import AllowedCombination, KecamatanAdjacency, Program, RegencySettings


def load_config(session: Session, regency_code: str) -> EngineConfig:
    """Defaults, then the regency's overrides, neighbours and allowed combinations."""
    config = EngineConfig()
    stored = session.get(RegencySettings, regency_code)
    if stored is not None and stored.engine_overrides:
        config = config.with_overrides(stored.engine_overrides)
    adjacency = tuple(
        (a, b)
        for a, b in session.execute(
            sa.select(KecamatanAdjacency.kecamatan_a, KecamatanAdjacency.kecamatan_b)
            .where(
                sa.or_(
                    KecamatanAdjacency.kecamatan_a.startswith(regency_code + "."),
                    KecamatanAdjacency.kecamatan_b.startswith(regency_code + "."),
                )
            )
            .order_by(KecamatanAdjacency.kecamatan_a, KecamatanAdjacency.kecamatan_b)
        )
    )
    a, b = aliased(Program), aliased(Program)
    allowed = tuple(
        (x, y)
        for x, y in session.execute(
            sa.select(a.code, b.code)
            .select_from(AllowedCombination)
            .join(a, AllowedCombination.program_a_id == a.id)
            .join(b, AllowedCombination.program_b_id == b.id)
            .where(AllowedCombination.regency_code == regency_code)
            .order_by(a.code, b.code)
        )
    )
    return config.with_overrides(
        {
            "adjacency": config.adjacency + adjacency,
            "allowed": config.allowed + allowed,
        }
    )
