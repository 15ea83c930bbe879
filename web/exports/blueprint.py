"""Downloads: CSV/XLSX tables, the sync report, IATI XML and HXL CSV.

Each download is filtered like the page it comes from (the page's query string passes through)
and scoped to the viewer's regency; a global admin may name another with ``?regency=``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from titiktemu import visibility
from titiktemu.exports import hxl, iati, reflection, sync_report
from titiktemu.exports.import_format import BUILDERS
from titiktemu.exports.tables import (
    Table,
    flags_table,
    gaps_table,
    interventions_table,
    proposals_table,
)
from titiktemu.exports.writers import Sheet, table_xlsx, to_csv, to_xlsx
from titiktemu.extensions import db
from titiktemu.models import Program, ProposalStatus, Regency
from web.access import coordinator_required, login_required, me, my_regency
from web.exports.charts import bar_chart
from web.exports.report_page import LABELS, SECTIONS, page_table, paginate, show_value
from web.overlaps.blueprint import SHOW
from web.pages import lang
from web.params import link_args, year_arg
from web.review.forms import QueueFilterForm

blueprint = Blueprint("exports", __name__)


KECAMATAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
#: Program codes come from spreadsheets: keep file names to plain characters.
UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")
FORMATS = "any(csv, xlsx)"
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xml": "application/xml; charset=utf-8",
}
#: Each table's name as people read it (sheet names, headings); file names keep ``Table.name``.
TITLES = {
    "3w": _l("3W registry"),
    "proposals": _l("Proposals"),
    "overlaps": _l("Overlaps"),
    "gaps": _l("Gaps"),
    "programs": _l("Programs"),
    "people": _l("People"),
    "offers": _l("Offers"),
    "needs": _l("Needs"),
    "summary_kecamatan": _l("Per kecamatan"),
    "summary_programs": _l("Per program"),
}


@blueprint.app_context_processor
def _export_links() -> dict[str, object]:
    """``export_url`` for the pages that offer downloads of what they show."""
    return {"export_url": export_url}


def export_url(endpoint: str, **values: Any) -> str:
    """A download URL with the current page's filters (not its page number) carried over."""
    return url_for(endpoint, **{**link_args("page"), **values})


def _regency() -> str:
    """My regency; a global admin may ask for another with ``?regency=``."""
    person = me()
    asked = request.args.get("regency", "")
    if asked and visibility.sees_everything(person):
        if db.session.get(Regency, asked) is None:
            abort(404)
        return asked
    return my_regency()


def _kecamatan(regency: str) -> str | None:
    """The page's ``?kecamatan=`` when it names one of this regency's, else None (all)."""
    code = request.args.get("kecamatan", "")
    return code if KECAMATAN_CODE.match(code) and code.startswith(regency + ".") else None


def _download(data: bytes, regency: str, name: str, fmt: str) -> Response:
    safe = UNSAFE_IN_FILENAME.sub("-", name)
    filename = f"titiktemu-{regency}-{safe}-{dt.date.today().isoformat()}.{fmt}"
    return Response(
        data,
        mimetype=MIME[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _send(table: Table, regency: str, fmt: str) -> Response:
    title = str(TITLES.get(table.name, table.name))
    data = to_csv(table) if fmt == "csv" else table_xlsx(table, title)
    return _download(data, regency, table.name, fmt)


@blueprint.route(f"/exports/interventions.<{FORMATS}:fmt>")
@login_required
def interventions(fmt: str) -> ResponseReturnValue:
    """The regency's 3W (``?kecamatan=`` narrows it), in the import's columns first."""
    regency = _regency()
    table = interventions_table(db.session(), me(), regency, _kecamatan(regency), language=lang())
    return _send(table, regency, fmt)


@blueprint.route("/exports/interventions.hxl.csv")
@login_required
def interventions_hxl() -> ResponseReturnValue:
    """The 3W as HXL-tagged CSV (``?kecamatan=`` narrows it)."""
    regency = _regency()
    table = hxl.hxl_table(db.session(), me(), regency, _kecamatan(regency), lang())
    return _download(hxl.to_hxl_csv(table), regency, "3w-hxl", "csv")


def _proposal_statuses(form: QueueFilterForm) -> tuple[ProposalStatus, ...]:
    """The queue's status, or what the export may add: a decided status, or ``all`` of them."""
    asked = request.args.get("status", "")
    if asked == "all":
        return tuple(s for s in ProposalStatus if s != ProposalStatus.OBSOLETE)
    if asked in ProposalStatus._value2member_map_:
        return (ProposalStatus(asked),)
    return (form.to_filter().status,)


@blueprint.route(f"/exports/proposals.<{FORMATS}:fmt>")
@coordinator_required
def proposals(fmt: str) -> ResponseReturnValue:
    """Proposals filtered like the review queue, with reasons and decisions."""
    regency = _regency()
    form = QueueFilterForm(formdata=request.args)
    table = proposals_table(
        db.session(), me(), regency, form.to_filter(), _proposal_statuses(form), lang()
    )
    return _send(table, regency, fmt)


@blueprint.route(f"/exports/overlaps.<{FORMATS}:fmt>")
@coordinator_required
def overlaps(fmt: str) -> ResponseReturnValue:
    """Overlap flags as the overlaps page shows them (``?show=open|resolved|allowed|all``)."""
    regency = _regency()
    statuses = SHOW.get(request.args.get("show", "open"), SHOW["open"])
    table = flags_table(db.session(), me(), regency, statuses, lang())
    return _send(table, regency, fmt)


@blueprint.route(f"/exports/gaps.<{FORMATS}:fmt>")
@coordinator_required
def gaps(fmt: str) -> ResponseReturnValue:
    """Open needs nobody can meet (``?kecamatan=`` narrows them), with why."""
    regency = _regency()
    table = gaps_table(db.session(), me(), regency, _kecamatan(regency), lang())
    return _send(table, regency, fmt)


@blueprint.route(f"/exports/<any(programs, people, offers, needs):kind>.<{FORMATS}:fmt>")
@coordinator_required
def import_format(kind: str, fmt: str) -> ResponseReturnValue:
    """Current programs, people, open offers or needs in the import's columns, to edit and upload."""
    regency = _regency()
    return _send(BUILDERS[kind](db.session(), me(), regency), regency, fmt)


def _report() -> sync_report.SyncReport:
    return sync_report.build(db.session(), me(), _regency(), lang())


def _page_number() -> int:
    """The page's ``?page=`` (1 without it); anything but a plain, sane number is a 404."""
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
        abort(404)
    return int(raw)


@blueprint.route("/reports/sync")
@coordinator_required
def sync() -> ResponseReturnValue:
    """The sync report as printable pages: the summary per kecamatan first, then each table
    (``?section=``) a page at a time (``?page=``), light enough for a phone; the workbook holds all."""
    section = request.args.get("section", SECTIONS[0])
    if section not in SECTIONS:
        abort(404)
    number = _page_number()
    report = _report()
    tables = {t.name: page_table(t) for t in (report.kecamatan, report.programs, *report.details)}
    labels = {column: str(label) for column, label in LABELS.items()}  # translated once a page
    shown = paginate(tables[section], number, labels)
    if shown is None:
        abort(404)
    args = {"regency": request.args["regency"]} if "regency" in request.args else {}
    return render_template(
        "exports/sync.html",
        report=report,
        sections=[tables[name] for name in SECTIONS],
        shown=shown,
        titles=TITLES,
        labels=labels,
        show=show_value,
        args=args,
    )


@blueprint.route("/reports/sync.xlsx")
@coordinator_required
def sync_xlsx() -> ResponseReturnValue:
    """The sync report as one workbook: a summary sheet, then one sheet per table."""
    report = _report()
    summary = Sheet(
        _("Summary"),
        [report.kecamatan, report.programs],
        headings=[str(TITLES["summary_kecamatan"]), str(TITLES["summary_programs"])],
    )
    details = [Sheet(str(TITLES[t.name]), [t]) for t in report.details]
    return _download(to_xlsx([summary, *details]), report.regency_code, "sync-report", "xlsx")


@blueprint.route("/programs/<int:program_id>/iati.xml")
@login_required
def iati_xml(program_id: int) -> ResponseReturnValue:
    """IATI 2.03 activities of a program's interventions in my regency (404 when it has none)."""
    program = db.session.get(Program, program_id)
    if program is None:
        abort(404)
    regency = _regency()
    items = iati.program_interventions(db.session(), program, regency)
    if not items:
        abort(404)
    now = dt.datetime.now(dt.UTC)
    data = iati.activities_xml(
        db.session(), program, regency, items, today=now.date(), generated=now
    )
    return _download(data, regency, f"iati-{program.code}", "xml")


#: The reflection's headings: its tables and the columns the sync report's labels lack.
REFLECTION_TITLES = {
    "programs": _l("Per program"),
    "kecamatan": _l("Per kecamatan"),
    "overlaps": _l("Overlaps raised in the year"),
    "collaborations": _l("Collaborations proposed in the year"),
    "obstacles": _l("Obstacles and lessons of the year"),
}
REFLECTION_LABELS = {
    "planned": _l("Planned"),
    "carried_out": _l("Carried out"),
    "households_planned": _l("Households planned"),
    "households_carried_out": _l("Households reached"),
    "budget_planned_idr": _l("Budget planned (Rp)"),
    "budget_carried_out_idr": _l("Budget spent (Rp)"),
    "overlaps_raised": _l("Overlaps raised"),
    "overlaps_settled": _l("Overlaps settled"),
    "gaps_open": _l("Gaps open"),
    "obstacles": _l("Obstacles"),
    "what": _l("What"),
    "count": _l("Number"),
    "date": _l("Date"),
    "village": _l("Village"),
    "kind": _l("Kind"),
    "status": _l("Status"),
    "lesson": _l("Lesson"),
}


def _reflection() -> reflection.Reflection:
    return reflection.build(db.session(), _regency(), year_arg(), dt.date.today(), lang())


@blueprint.route("/reports/reflection")
@coordinator_required
def reflection_page() -> ResponseReturnValue:
    """The year's reflection for the sarasehan: per program and kecamatan, overlaps,
    collaborations, gaps, obstacles and lessons, with bar charts drawn on the server."""
    report = _reflection()
    labels = {**{c: str(label) for c, label in LABELS.items()}, **REFLECTION_LABELS}
    args = {"regency": request.args["regency"]} if "regency" in request.args else {}
    return render_template(
        "exports/reflection.html",
        report=report,
        titles=REFLECTION_TITLES,
        labels={c: str(label) for c, label in labels.items()},
        show=show_value,
        chart=bar_chart(report.programs),
        years=range(dt.date.today().year, dt.date.today().year - 6, -1),
        args=args,
    )


@blueprint.route("/reports/reflection.xlsx")
@coordinator_required
def reflection_xlsx() -> ResponseReturnValue:
    """The reflection as a workbook: the same tables as the page, one sheet each."""
    report = _reflection()
    sheets = [Sheet(str(REFLECTION_TITLES[t.name]), [t]) for t in report.tables]
    return _download(to_xlsx(sheets), report.regency_code, f"reflection-{report.year}", "xlsx")
