"""How far apart two kecamatan are: the great-circle distance between their centroids."""

from __future__ import annotations

import math

from graph.records import Kecamatan

EARTH_RADIUS_KM = 6371.0088


def km(a: Kecamatan | None, b: Kecamatan | None) -> float | None:
    """Kilometres between the centroids of ``a`` and ``b``; None when either has no centroid."""
    if a is None or b is None or a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
