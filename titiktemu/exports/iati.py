"""IATI activity XML (standard 2.03) of one program's interventions in a regency.

One ``<iati-activity>`` per intervention, so donors and Bappeda can load the 3W into IATI tools.
Element order follows the 2.03 schema's sequence (the XSD rejects any other order).

The village sits in ``location/location-id`` as its Kemendagri code. IATI's GeographicVocabulary
codelist (2.03, non-embedded) lists only global gazetteers - A1 GAUL, A2 UN SALB, A3 GADM,
A4 ISO country, G1 GeoNames, G2 OpenStreetMap - and none of them issues Kemendagri codes, so
claiming any of them would be false. We declare ``99``, the code IATI's sibling vocabularies
(RegionVocabulary, SectorVocabulary, ...) give to "Reporting Organisation", with the code also in
``location/@ref``: the schema accepts it, and IATI's codelist check will warn until a national
gazetteer code is added to that codelist (non-embedded lists change without a new standard).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from titiktemu.models import FundingSource, Intervention, Program, Province, Regency, Village
from titiktemu.models.places import under

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
COUNTRY = "ID"
CURRENCY = "IDR"
#: location-id / administrative vocabulary of Kemendagri codes (see the module docstring).
KEMENDAGRI_VOCABULARY = "99"

#: Our activity categories as OECD DAC 5-digit purpose codes (IATI SectorVocabulary 1).
DAC_SECTORS: dict[str, str] = {
    "house_renovation": "16040",  # Low-cost housing
    "sanitation": "14032",  # Basic sanitation
    "clean_water": "14031",  # Basic drinking water supply
    "drainage_roads": "21020",  # Road transport
    "social_assistance": "16010",  # Social protection
    "livelihood_training": "11330",  # Vocational training
    "health_nutrition": "12240",  # Basic nutrition
    "education": "11120",  # Education facilities and training
    "village_governance": "15112",  # Decentralisation and support to subnational government
    "disaster_preparedness": "43060",  # Disaster risk reduction
    "waste_management": "14050",  # Waste management/disposal
    "agriculture": "31120",  # Agricultural development
    "social_inclusion": "16010",  # Social protection
}
#: When a category is missing above: 43010 Multisector aid.
DAC_FALLBACK = "43010"

#: IATI OrganisationType of whoever funds each source.
ORG_TYPES: dict[FundingSource, str] = {
    FundingSource.APBN: "10",  # Government
    FundingSource.APBD: "10",
    FundingSource.APBDES: "10",
    FundingSource.BAZNAS: "15",  # Other public sector
    FundingSource.CSR: "70",  # Private sector
    FundingSource.DONOR: "90",  # Other: a multilateral bank or an NGO, we cannot tell which
    FundingSource.OTHER: "90",
}
FUNDING_NAMES: dict[FundingSource, str] = {
    FundingSource.APBN: "APBN (Anggaran Pendapatan dan Belanja Negara)",
    FundingSource.APBD: "APBD (Anggaran Pendapatan dan Belanja Daerah)",
    FundingSource.APBDES: "APBDes / Dana Desa",
    FundingSource.BAZNAS: "Baznas",
    FundingSource.CSR: "CSR",
    FundingSource.DONOR: "Donor",
    FundingSource.OTHER: "Lainnya",
}

# ActivityStatus and ActivityDateType codes.
PIPELINE, IMPLEMENTATION, FINALISATION = "1", "2", "3"
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"


def default_reporting_ref(program: Program) -> str:
    """``XI-TITIKTEMU-<program code>``: an identifier shaped like IATI's (agency prefix - id).

    Programs here rarely hold a registered IATI organisation identifier, and inventing one in a
    real registry's prefix (XM-DAC, ID-...) would be false; ``XI-`` is the prefix IATI keeps for
    its own identifier agencies, so this reads as "not a registered id" to anyone who checks.
    Pass ``reporting_ref`` to :func:`activities_xml` once an agency has its real identifier.
    """
    return f"XI-TITIKTEMU-{program.code}"


@dataclass(frozen=True)
class Places:
    """The province and regency every exported village lies in."""

    province: Province
    regency: Regency


def program_interventions(
    session: Session, program: Program, regency_code: str
) -> list[Intervention]:
    """The program's interventions in the regency, with their village, kecamatan and category."""
    return list(
        session.scalars(
            sa.select(Intervention)
            .where(
                Intervention.program_id == program.id,
                under(Intervention.village_code, regency_code),
            )
            .options(
                selectinload(Intervention.village).selectinload(Village.kecamatan),
                selectinload(Intervention.category),
            )
            .order_by(Intervention.id)
        )
    )


def _narrative(parent: ET.Element, text: str, lang: str | None = None) -> None:
    node = ET.SubElement(parent, "narrative")
    if lang:
        node.set(XML_LANG, lang)
    node.text = text


def _texts(parent: ET.Element, tag: str, indonesian: str, english: str) -> ET.Element:
    node = ET.SubElement(parent, tag)
    _narrative(node, indonesian)
    if english and english != indonesian:
        _narrative(node, english, "en")
    return node


def _status(item: Intervention, today: dt.date) -> str:
    if today < item.start_date:
        return PIPELINE
    return IMPLEMENTATION if today <= item.end_date else FINALISATION


def _dates(activity: ET.Element, item: Intervention, today: dt.date) -> None:
    """Actual dates once they have passed (IATI refuses actual dates in the future)."""
    start = ACTUAL_START if item.start_date <= today else PLANNED_START
    end = ACTUAL_END if item.end_date <= today else PLANNED_END
    for kind, day in ((start, item.start_date), (end, item.end_date)):
        ET.SubElement(activity, "activity-date", {"type": kind, "iso-date": day.isoformat()})


def _location(activity: ET.Element, item: Intervention, places: Places) -> None:
    village = item.village
    location = ET.SubElement(activity, "location", {"ref": village.code})
    ET.SubElement(location, "location-reach", {"code": "1"})  # where the activity happens
    ET.SubElement(
        location, "location-id", {"vocabulary": KEMENDAGRI_VOCABULARY, "code": village.code}
    )
    _texts(location, "name", village.name, "")
    kecamatan = village.kecamatan
    _texts(
        location,
        "description",
        f"Desa/Kelurahan {village.name}, Kecamatan {kecamatan.name}, {places.regency.name}, "
        f"{places.province.name}",
        "",
    )
    for level, code in (
        ("1", places.province.code),
        ("2", places.regency.code),
        ("3", kecamatan.code),
        ("4", village.code),
    ):
        ET.SubElement(
            location,
            "administrative",
            {"vocabulary": KEMENDAGRI_VOCABULARY, "level": level, "code": code},
        )
    ET.SubElement(location, "exactness", {"code": "1"})  # exact: the village itself
    ET.SubElement(location, "location-class", {"code": "1"})  # administrative region


def _budget(activity: ET.Element, item: Intervention) -> None:
    """The budget within its budget year (IATI wants budget periods of a year at most)."""
    first, last = dt.date(item.budget_year, 1, 1), dt.date(item.budget_year, 12, 31)
    start = max(item.start_date, first) if item.start_date <= last else first
    end = min(item.end_date, last) if item.end_date >= start else last
    budget = ET.SubElement(activity, "budget", {"type": "1", "status": "1"})  # original, indicative
    ET.SubElement(budget, "period-start", {"iso-date": start.isoformat()})
    ET.SubElement(budget, "period-end", {"iso-date": end.isoformat()})
    value = ET.SubElement(budget, "value", {"currency": CURRENCY, "value-date": start.isoformat()})
    value.text = str(item.budget_idr)


def _activity(
    root: ET.Element, program: Program, ref: str, item: Intervention, places: Places, today: dt.date
) -> None:
    activity = ET.SubElement(
        root,
        "iati-activity",
        {
            XML_LANG: "id",
            "default-currency": CURRENCY,
            "last-updated-datetime": item.updated_at.replace(microsecond=0).isoformat() + "Z",
        },
    )
    ET.SubElement(activity, "iati-identifier").text = f"{ref}-{item.id}"
    org_type = ORG_TYPES.get(program.funding_source, "90")
    reporting = ET.SubElement(activity, "reporting-org", {"ref": ref, "type": org_type})
    _narrative(reporting, program.agency)
    _texts(activity, "title", item.title, "")
    category = item.category
    village = item.village
    _texts(
        activity,
        "description",
        f"{program.code} ({program.name}): {category.label_id} di {village.name}, "
        f"Kecamatan {village.kecamatan.name}"
        + ("." if item.households is None else f"; {item.households} rumah tangga."),
        f"{program.code} ({program.name}): {category.label_en} in {village.name}, "
        f"Kecamatan {village.kecamatan.name}"
        + ("." if item.households is None else f"; {item.households} households."),
    ).set("type", "1")
    funding = ET.SubElement(activity, "participating-org", {"role": "1", "type": org_type})
    _narrative(funding, FUNDING_NAMES.get(program.funding_source, program.funding_source.value))
    implementing = ET.SubElement(
        activity, "participating-org", {"role": "4", "ref": ref, "type": org_type}
    )
    _narrative(implementing, program.agency)
    ET.SubElement(activity, "activity-status", {"code": _status(item, today)})
    _dates(activity, item, today)
    ET.SubElement(activity, "activity-scope", {"code": "8"})  # a single location: one village
    ET.SubElement(activity, "recipient-country", {"code": COUNTRY, "percentage": "100"})
    _location(activity, item, places)
    sector = ET.SubElement(
        activity,
        "sector",
        {"vocabulary": "1", "code": DAC_SECTORS.get(category.code, DAC_FALLBACK)},
    )
    _narrative(sector, category.label_id)
    if item.budget_idr:
        _budget(activity, item)


def activities_xml(
    session: Session,
    program: Program,
    regency_code: str,
    items: Sequence[Intervention],
    *,
    today: dt.date,
    generated: dt.datetime,
    reporting_ref: Callable[[Program], str] = default_reporting_ref,
) -> bytes:
    """The ``<iati-activities version="2.03">`` document of these interventions (at least one)."""
    regency = session.get(Regency, regency_code)
    assert regency is not None
    places = Places(province=regency.province, regency=regency)
    root = ET.Element(
        "iati-activities",
        {"version": "2.03", "generated-datetime": generated.replace(microsecond=0).isoformat()},
    )
    ref = reporting_ref(program)
    for item in items:
        _activity(root, program, ref, item, places, today)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
