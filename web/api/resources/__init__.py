"""One module per resource; importing this package registers every operation on the API
blueprint, which it hands to the app."""

from web.api.blueprint import blueprint
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

__all__ = ["blueprint"]
