"""What the need and intervention forms say before saving: obstacles met in the chosen village,
and lessons of the same activity elsewhere (``titiktemu.obstacles.commands.warnings_for``)."""

from __future__ import annotations

from titiktemu.extensions import db
from titiktemu.obstacles.commands import Warning, warnings_for
from web.access import is_partner, me, my_regency


def obstacle_warnings(place: str | None, category: str | None = None) -> list[Warning]:
    """For a village code, or a kecamatan code (a need for a whole kecamatan); [] for anything
    outside the signed-in person's regency, and for a partner: obstacles (a community's refusal,
    politics) are the facilitators' own notes, not the prospectus."""
    if is_partner(me()):
        return []
    regency = my_regency()
    if not place or not place.startswith(regency + "."):
        return []
    if len(place) > len("33.10.01"):
        return warnings_for(db.session(), regency, place, category)
    return warnings_for(db.session(), regency, None, category, kecamatan_code=place)


def obstacle_warnings_for_places(places: list[str], limit: int = 5) -> list[Warning]:
    """For an offer reaching several villages and whole kecamatan: each obstacle once."""
    found: dict[int, Warning] = {}
    for place in places:
        for warning in obstacle_warnings(place):
            found.setdefault(warning.obstacle.id, warning)
            if len(found) >= limit:
                return list(found.values())
    return list(found.values())
