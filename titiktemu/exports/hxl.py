"""HXL-tagged CSV of the 3W: the humanitarian exchange format OCHA's tools (HDX, HXL Proxy) read.

Row one is the header people read, row two the HXL hashtags (https://hxlstandard.org), then the
data. Places carry their Kemendagri codes at each admin level, so 3W sheets of other
organisations in Indonesia join on them.
"""

from __future__ import annotations

import re
from typing import Final

from sqlalchemy.orm import Session

from titiktemu.exports.tables import Table, Value, interventions_query
from titiktemu.exports.writers import to_csv
from titiktemu.models import Person, Province, Regency
from titiktemu.places.coverage import may_see_contact

#: (header, hashtag) of each column, in order.
COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("intervention_id", "#activity+code"),
    ("title", "#activity+name"),
    ("agency", "#org"),
    ("program_code", "#org+program+code"),
    ("program_name", "#org+program+name"),
    ("funding_source", "#org+funder+type"),
    ("activity", "#sector"),
    ("activity_code", "#sector+code"),
    ("country_code", "#country+code"),
    ("province_code", "#adm1+code"),
    ("province", "#adm1+name"),
    ("regency_code", "#adm2+code"),
    ("regency", "#adm2+name"),
    ("kecamatan_code", "#adm3+code"),
    ("kecamatan", "#adm3+name"),
    ("village_code", "#adm4+code"),
    ("village", "#adm4+name"),
    ("start_date", "#date+start"),
    ("end_date", "#date+end"),
    ("budget_year", "#date+year+budget"),
    ("households", "#targeted+households"),
    ("budget_idr", "#value+budget+idr"),
    ("facilitator_email", "#contact+email"),
)
#: A hashtag and its attributes, as the HXL standard spells them.
HASHTAG: Final = re.compile(r"^#[a-z][a-z0-9_]*(\s*\+[a-z][a-z0-9_]*)*$")


def hxl_table(
    session: Session,
    viewer: Person,
    regency_code: str,
    kecamatan: str | None = None,
    language: str = "id",
) -> Table:
    """The 3W with every place level spelled out; emails only where the viewer may see them."""
    regency = session.get(Regency, regency_code)
    province = session.get(Province, regency_code[:2])
    rows: list[tuple[Value, ...]] = []
    for i in session.scalars(interventions_query(viewer, regency_code, kecamatan)):
        who = i.facilitator
        rows.append(
            (
                i.id,
                i.title,
                i.program.agency,
                i.program.code,
                i.program.name,
                i.program.funding_source.value,
                i.category.label(language),
                i.category_code,
                "ID",
                regency_code[:2],
                province.name if province else "",
                regency_code,
                regency.name if regency else "",
                i.village.kecamatan_code,
                i.village.kecamatan.name,
                i.village_code,
                i.village.name,
                i.start_date,
                i.end_date,
                i.budget_year,
                i.households,
                i.budget_idr,
                who.email if who is not None and may_see_contact(viewer, who) else "",
            )
        )
    return Table("3w-hxl", tuple(h for h, _tag in COLUMNS), rows)


def to_hxl_csv(table: Table) -> bytes:
    """The table as CSV with the hashtag row under the header."""
    tags = Table(table.name, table.columns, [tuple(t for _h, t in COLUMNS), *table.rows])
    return to_csv(tags)
