"""One module per resource; importing this package registers every operation."""

from web.api.resources import (  # noqa: F401
    docs,
    flags,
    gaps,
    imports,
    interventions,
    needs,
    offers,
    people,
    programs,
    proposals,
    regions,
)
