"""Coverage: villages against programs and activities; village, program, person and graph pages.

Every signed-in person of the regency may look (facilitators too); contact details only to the
person themself and their regency's coordinators. Another regency's village or person is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from titiktemu.extensions import db
from titiktemu.models import Person, Program, Village
from titiktemu.models.places import is_village_code, regency_of
from titiktemu.overlaps.review import severity_level
from titiktemu.places import coverage as cov
from titiktemu.places import graph_view
from web.access import is_coordinator, login_required, me, my_regency
from web.pages import lang
from web.params import arg_int, db_int
from web.places import matrix
from web.places.graph_svg import render_svg
from web.places.links import page_url, template_helpers

blueprint = Blueprint("places", __name__)
blueprint.context_processor(template_helpers)

GRAPH_KINDS = ("village", "person", "program")


@blueprint.route("/coverage")
@login_required
def coverage() -> ResponseReturnValue:
    """Which program (or activity) works in which village, with gaps and overlaps; the counts per
    kecamatan always, one kecamatan's villages when ``?kecamatan=`` names it."""
    regency = my_regency()
    year = arg_int("year", low=1, high=9999)
    data = cov.coverage(
        db.session(),
        regency,
        by=request.args.get("by", "program"),
        kecamatan=request.args.get("kecamatan") or None,
        year=year,
        language=lang(),
    )
    return render_template(
        "places/coverage.html",
        cov=data,
        links=matrix.kecamatan_links(data),
        kecamatan_cells=matrix.kecamatan_cells,
        village_cells=matrix.village_cells,
    )


def _village_or_404(code: str) -> Village:
    village = db.session.get(Village, code)
    if village is None or not cov.can_see(me(), regency_of(code)):
        abort(404)
    return village


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or not cov.can_see(me(), person.regency_code):
        abort(404)
    return person


def _program_or_404(program_id: int) -> Program:
    program = db.session.get(Program, program_id)
    if program is None:
        abort(404)
    return program


@blueprint.route("/villages/<village:code>")
@login_required
def village(code: str) -> ResponseReturnValue:
    """Who does what in one village: interventions, open needs and offers, flags, people."""
    view = cov.village_view(db.session(), _village_or_404(code))
    return render_template(
        "places/village.html",
        v=view,
        coordinator=is_coordinator(me()),
        language=lang(),
        level=severity_level,
    )


@blueprint.route("/programs/<int:program_id>")
@login_required
def program(program_id: int) -> ResponseReturnValue:
    """Where a program works in my regency, its people, interventions and synergy proposals."""
    view = cov.program_view(db.session(), _program_or_404(program_id), my_regency())
    return render_template(
        "places/program.html", v=view, coordinator=is_coordinator(me()), language=lang()
    )


@blueprint.route("/people/<int:person_id>")
@login_required
def person(person_id: int) -> ResponseReturnValue:
    """A person's programs, villages, skills and open needs and offers; contact when allowed."""
    found = _person_or_404(person_id)
    view = cov.person_view(db.session(), found)
    return render_template(
        "places/person.html",
        v=view,
        show_contact=cov.may_see_contact(me(), found),
        language=lang(),
    )


@blueprint.route("/graph/<kind>/<ident>")
@login_required
def graph(kind: str, ident: str) -> ResponseReturnValue:
    """The neighbourhood of a village, person or program in the engine's graph, as an SVG."""
    if kind not in GRAPH_KINDS:
        abort(404)
    number = db_int(ident, low=1)
    if kind == "village":
        if not is_village_code(ident):
            abort(404)
        centre = _village_or_404(ident)
        regency, name = regency_of(centre.code), centre.name
    elif kind == "person":
        if number is None:
            abort(404)
        person_ = _person_or_404(number)
        regency, name = person_.regency_code or my_regency(), person_.name
    else:
        if number is None:
            abort(404)
        regency, name = my_regency(), _program_or_404(number).code
    radius = 2 if request.args.get("r") == "2" else 1
    # The engine (NumPy, SciPy, NetworkX) loads with the first graph shown, not with the app.
    from titiktemu.matching.incremental import regency_engine

    g = regency_engine(db.session(), regency).graph(regency)  # with the regency's settings
    node = graph_view.node_id(kind, ident)
    if node not in g:
        abort(404)
    lay = graph_view.layout(g, node, radius)
    svg = render_svg(
        lay,
        href=lambda n: page_url(n.kind, n.id[1:]),
        heading_text=_heading,
        title=_("Neighbourhood of %(name)s", name=name),
        more_text=_more(lay.hidden_total),
    )
    return render_template(
        "places/graph.html",
        svg=svg,
        lay=lay,
        kind=kind,
        ident=ident,
        name=name,
        radius=radius,
        kinds=_kind_names(),
        own_page=page_url(kind, ident),
    )


def _kind_names() -> dict[str, str]:
    """Each node kind's name, plural, in the page's language."""
    return {
        "person": _("People"),
        "program": _("Programs"),
        "village": _("Villages"),
        "kecamatan": _("Kecamatan"),
        "intervention": _("Interventions"),
        "need": _("Needs"),
        "offer": _("Offers"),
        "skill": _("Skills"),
        "category": _("Activities"),
    }


def _heading(h: graph_view.Heading) -> str:
    if h.kind is None:
        return str(_("One step away") if h.ring == 1 else _("Two steps away"))
    return f"{_kind_names().get(h.kind, h.kind)} · {h.count}"


def _more(hidden: int) -> str:
    if not hidden:
        return ""
    return str(ngettext("+%(num)d more, not drawn", "+%(num)d more, not drawn", hidden))
