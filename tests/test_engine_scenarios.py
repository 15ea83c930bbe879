"""The engine on a small hand-made Klaten set whose answers are known: meeting points, gaps,
fallbacks, overlap flags, synergies, the graph and the incremental questions.

Places are real Kemendagri codes (Prambanan 33.10.01, Gantiwarno 33.10.02, Pedan 33.10.12); the
taxonomy is the shipped ``titiktemu/data/taxonomy.toml``, so its labels and synonyms are what
facilitators will actually type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from graph.config import EngineConfig
from graph.engine import NEED_OFFER, NEED_PERSON, PROGRAM_SYNERGY, Engine, Proposal, Result
from graph.reasons import Reason
from graph.records import (
    Inputs,
    Intervention,
    Kecamatan,
    Label,
    Need,
    Offer,
    Person,
    Program,
    Village,
)
from titiktemu.matching.reason_text import Labels, render
from titiktemu.vocabulary.taxonomy import read_taxonomy

PRAMBANAN, GANTIWARNO, PEDAN = "33.10.01", "33.10.02", "33.10.12"
SENGON, CUCUKAN = "33.10.01.2001", "33.10.01.2002"
GENTAN = "33.10.02.2001"
TEMUWANGI, BEJI = "33.10.12.2001", "33.10.12.2002"

KECAMATAN = (
    Kecamatan(PRAMBANAN, "Prambanan"),
    Kecamatan(GANTIWARNO, "Gantiwarno"),
    Kecamatan(PEDAN, "Pedan"),
)
VILLAGES = (
    Village(SENGON, "Sengon"),
    Village(CUCUKAN, "Cucukan"),
    Village(GENTAN, "Gentan"),
    Village(TEMUWANGI, "Temuwangi"),
    Village(BEJI, "Beji"),
)


def _labels(section: str) -> tuple[Label, ...]:
    return tuple(
        Label(
            e.code,
            e.parent_code,
            e.label_id,
            e.label_en,
            (*e.synonyms_id, *e.synonyms_en),
            e.kind.value if e.kind is not None else "category",
        )
        for e in read_taxonomy()[section]
    )


SKILLS = _labels("skills")
CATEGORIES = _labels("activity_categories")

PKH, RTLH, BSPS, CSR, BPNT, P3MD, STBM = 1, 2, 3, 4, 5, 6, 7
PROGRAMS = (
    Program(PKH, "PKH", "Program Keluarga Harapan", ("social_assistance",)),
    Program(RTLH, "RTLH", "Rumah Tidak Layak Huni", ("house_renovation",)),
    Program(BSPS, "BSPS", "Bantuan Stimulan Perumahan Swadaya", ("house_renovation",)),
    Program(CSR, "CSR", "CSR Bank Jateng bedah rumah", ("house_renovation",)),
    Program(BPNT, "BPNT", "Bantuan Pangan Non Tunai", ("social_assistance",)),
    Program(P3MD, "P3MD", "Pendamping Desa", ("village_governance",)),
    Program(STBM, "STBM", "Sanitasi Total Berbasis Masyarakat", ("sanitation", "health_nutrition")),
)

# People: profile skills are empty unless a scenario gives some, so fallbacks are deliberate.
SRI, BUDI, WATI, ANI, JOKO, RINA = 1, 2, 3, 4, 5, 6
PEOPLE = (
    Person(SRI, "Sri Wahyuni (PKH)", "33.10", SENGON, (SENGON,), (), (PKH,)),
    Person(BUDI, "Budi Santoso (RTLH)", "33.10", SENGON, (SENGON, CUCUKAN), (), (RTLH,)),
    Person(WATI, "Wati (TFL BSPS)", "33.10", CUCUKAN, (CUCUKAN,), (), (BSPS,)),
    Person(ANI, "Ani (Pendamping Desa)", "33.10", GENTAN, (GENTAN,), (), (P3MD,)),
    Person(JOKO, "Joko (sanitarian)", "33.10", TEMUWANGI, (TEMUWANGI,), (), (STBM,)),
    Person(RINA, "Rina (sanitarian)", "33.10", GENTAN, (GENTAN,), (), (STBM,)),
)

Y2024 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def klaten(
    *,
    people: tuple[Person, ...] = PEOPLE,
    offers: tuple[Offer, ...] = (),
    needs: tuple[Need, ...] = (),
    interventions: tuple[Intervention, ...] = (),
) -> Inputs:
    return Inputs(
        villages=VILLAGES,
        kecamatan=KECAMATAN,
        skills=SKILLS,
        categories=CATEGORIES,
        programs=PROGRAMS,
        people=people,
        offers=offers,
        needs=needs,
        interventions=interventions,
    )


def with_skills(person_id: int, *skills: str) -> tuple[Person, ...]:
    return tuple(replace(p, skills=skills) if p.id == person_id else p for p in PEOPLE)


def need(ident: int, person_id: int, village: str | None, *skills: str, title: str = "") -> Need:
    kecamatan = village[:8] if village else PRAMBANAN
    return Need(ident, person_id, title or f"Kebutuhan {ident}", skills, kecamatan, village)


def house(ident: int, program_id: int, village: str, households: int, budget: int) -> Intervention:
    return Intervention(
        ident, program_id, village, "house_renovation", *Y2024, "Bedah rumah", households, budget
    )


def matches(result: Result, need_id: int) -> list[Proposal]:
    return [p for p in result.proposals if p.need_id == need_id]


def reason(proposal: Proposal, name: str) -> Reason:
    return next(r for r in proposal.reasons if r.name == name)


LABELS = Labels(
    {e.code: (e.label_id, e.label_en) for part in read_taxonomy().values() for e in part}
)


def said(r: Reason) -> tuple[str, str]:
    """The reason in Indonesian and English, as pages and emails show it."""
    params = r.as_dict()["params"]
    return render(r.code, params, "id", LABELS), render(r.code, params, "en", LABELS)


def pairs(result: Result) -> list[tuple[str, int | None, int | None, int | None]]:
    """(kind, need, offer or person, rank) of every need proposal, in result order."""
    return [
        (p.kind, p.need_id, p.offer_id if p.kind == NEED_OFFER else p.person_id, p.rank)
        for p in result.proposals
        if p.kind in (NEED_OFFER, NEED_PERSON)
    ]


POOR_DATA_OFFER = Offer(
    1, SRI, "Data KPM PKH Desa Sengon", ("poor_household_data",), villages=(SENGON,), capacity=2
)


# -- meeting points ------------------------------------------------------------------------------
def test_pkh_poor_household_data_meets_the_rtlh_need_in_the_same_village() -> None:
    rtlh_need = need(1, BUDI, SENGON, "poor_household_data", title="Calon penerima RTLH Sengon")
    result = Engine(klaten(offers=(POOR_DATA_OFFER,), needs=(rtlh_need,))).run()

    assert pairs(result) == [(NEED_OFFER, 1, 1, 1)]
    [proposal] = matches(result, 1)
    assert proposal.person_id == SRI
    assert proposal.regency == "33.10"
    assert proposal.score == pytest.approx(1.0)  # same skill, village, open time, complement, free
    assert said(reason(proposal, "skill")) == (
        "keahlian yang sama: Data keluarga miskin",
        "the same skill: Poor-household data",
    )
    assert said(reason(proposal, "place")) == (
        "di desa yang sama (Sengon)",
        "in the same village (Sengon)",
    )
    programs = reason(proposal, "programs")
    assert programs.value == 1.0
    # The complement concerns the work at hand: poor-household lists for house renovation.
    assert (programs.code, programs.param("complement")) == (
        "programs.complement",
        "poor_lists_for_renovation",
    )
    assert said(programs)[1].startswith("complementary programs: holds the poor-household lists")
    assert result.gaps == []


def test_an_offer_of_capacity_one_goes_to_the_better_need_and_the_other_waits() -> None:
    offer = replace(POOR_DATA_OFFER, capacity=1)
    # The weaker need (Cucukan: same kecamatan only) has the lower id, so id order cannot win.
    weaker = need(1, WATI, CUCUKAN, "poor_household_data")
    better = need(2, BUDI, SENGON, "poor_household_data")
    result = Engine(klaten(offers=(offer,), needs=(weaker, better))).run()

    assert pairs(result) == [(NEED_OFFER, 2, 1, 1)]
    [gap] = result.gaps
    assert (gap.need_id, gap.reason.code) == (1, "gap.taken")
    assert (gap.kecamatan, gap.village, gap.skills) == (
        PRAMBANAN,
        CUCUKAN,
        ("poor_household_data",),
    )


def test_the_need_that_loses_an_offer_gets_one_in_reach_not_a_far_one() -> None:
    offer = replace(POOR_DATA_OFFER, capacity=1)
    far = Offer(2, JOKO, "Data DTKS Pedan", ("poor_household_data",), villages=(TEMUWANGI,))
    near = Offer(3, WATI, "Data DTKS Prambanan", ("poor_household_data",), kecamatan=(PRAMBANAN,))
    weaker = need(1, WATI + 10, CUCUKAN, "poor_household_data")
    better = need(2, BUDI, SENGON, "poor_household_data")
    result = Engine(klaten(offers=(offer, far, near), needs=(weaker, better))).run()

    # Sengon takes the village offer, Cucukan the kecamatan-wide one (no room left for
    # alternatives); Pedan is too far for either.
    assert pairs(result) == [(NEED_OFFER, 1, 3, 1), (NEED_OFFER, 2, 1, 1)]
    assert reason(matches(result, 1)[0], "place").code == "place.whole_kecamatan"
    assert result.gaps == []


def test_a_far_offer_is_no_proposal_but_the_gap_names_it() -> None:
    far = Offer(2, JOKO, "Data DTKS Pedan", ("poor_household_data",), villages=(TEMUWANGI,))
    waiting = need(1, WATI, CUCUKAN, "poor_household_data")
    result = Engine(klaten(offers=(far,), needs=(waiting,))).run()

    assert pairs(result) == []
    [gap] = result.gaps
    assert gap.reason.code == "gap.far"
    assert (gap.reason.param("nearest"), gap.reason.param("kecamatan")) == ("Pedan", "Prambanan")
    assert said(gap.reason)[1] == (
        "nobody offers Poor-household data in Kecamatan Prambanan or next to it yet; "
        "the nearest is in Kecamatan Pedan"
    )


def test_a_need_nobody_can_meet_is_a_skill_gap() -> None:
    legal = need(1, BUDI, CUCUKAN, "legal_aid", title="Sengketa batas tanah warga")
    result = Engine(klaten(offers=(POOR_DATA_OFFER,), needs=(legal,))).run()

    assert pairs(result) == []
    [gap] = result.gaps
    assert gap.reason.code == "gap.none"
    assert said(gap.reason) == (
        "belum ada yang menawarkan Bantuan hukum di kabupaten ini",
        "nobody in the regency offers Legal aid yet",
    )


def test_a_facilitators_profile_meets_a_need_no_offer_fits() -> None:
    bookkeeping = Offer(1, WATI, "Kelas pembukuan", ("bookkeeping",), villages=(BEJI,))
    latrines = need(1, ANI, BEJI, "sanitation_hygiene", title="Pemicuan di Beji")
    people = with_skills(JOKO, "sanitation_hygiene")
    people = tuple(replace(p, villages=(TEMUWANGI, BEJI)) if p.id == JOKO else p for p in people)
    result = Engine(klaten(people=people, offers=(bookkeeping,), needs=(latrines,))).run()

    assert pairs(result) == [(NEED_PERSON, 1, JOKO, 1)]
    [proposal] = matches(result, 1)
    assert proposal.offer_id is None
    assert said(reason(proposal, "place"))[1] == "in the same village (Beji)"
    assert said(reason(proposal, "programs"))[1] == (
        "complementary programs: can put the sanitation plan into the village budget (APBDes)"
    )
    assert said(reason(proposal, "capacity"))[1] == "has room for 5 of 5 commitments"
    assert result.gaps == []


def test_a_need_that_chose_no_skill_is_read_from_its_title() -> None:
    bookkeeping = Offer(1, WATI, "Kelas untuk KUBE", ("bookkeeping",), villages=(SENGON,))
    worded = Need(1, SRI, "Butuh pelatihan pembukuan", (), PRAMBANAN, SENGON)
    result = Engine(klaten(offers=(bookkeeping,), needs=(worded,))).run()

    [proposal] = matches(result, 1)
    assert (proposal.kind, proposal.offer_id, proposal.rank) == (NEED_OFFER, 1, 1)
    skill = reason(proposal, "skill")
    assert skill.value == EngineConfig().skill_values["guessed"]
    assert said(skill) == (
        "keahlian ditebak dari judul: Pembukuan",
        "skill guessed from the title: Bookkeeping",
    )

    # Without a taxonomy word the same need finds nothing.
    vague = replace(worded, title="Butuh bantuan untuk kelompok")
    result = Engine(klaten(offers=(bookkeeping,), needs=(vague,))).run()
    assert pairs(result) == []
    assert [g.reason.code for g in result.gaps] == ["gap.none"]


def test_a_neighbouring_kecamatan_is_in_reach_and_the_rest_of_the_regency_is_not() -> None:
    pedan = Offer(1, JOKO, "Peta digital", ("gis",), villages=(TEMUWANGI,))
    gantiwarno = Offer(2, RINA, "Peta digital", ("gis",), villages=(GENTAN,))
    mapping = need(1, BUDI, SENGON, "gis")
    world = klaten(offers=(pedan, gantiwarno), needs=(mapping,))

    # Without neighbours known, both are far: a gap naming the nearest (by code, with no map).
    plain = Engine(world).run()
    assert pairs(plain) == []
    [gap] = plain.gaps
    assert (gap.reason.code, gap.reason.param("nearest")) == ("gap.far", "Gantiwarno")

    config = EngineConfig(adjacency=((PRAMBANAN, GANTIWARNO),))
    near = Engine(world, config).run()
    assert pairs(near) == [(NEED_OFFER, 1, 2, 1)]
    [first] = matches(near, 1)
    assert said(reason(first, "place"))[1] == (
        "from a neighbouring kecamatan (Gantiwarno), next to Prambanan"
    )


# -- overlaps and synergies ----------------------------------------------------------------------
def test_three_house_programs_in_one_desa_in_one_year_are_one_flag() -> None:
    interventions = (
        house(1, RTLH, CUCUKAN, 20, 500_000_000),
        house(2, BSPS, CUCUKAN, 15, 300_000_000),
        house(3, CSR, CUCUKAN, 10, 400_000_000),
        # Cash assistance in the same desa is another activity: not part of the flag.
        Intervention(4, PKH, CUCUKAN, "social_assistance", *Y2024, "PKH", 120, 900_000_000),
        # The same renovation next door in Sengon is not Cucukan's overlap.
        house(5, RTLH, SENGON, 8, 200_000_000),
    )
    result = Engine(klaten(interventions=interventions)).run()

    [flag] = result.flags
    assert flag.intervention_ids == (1, 2, 3)
    assert (flag.village, flag.regency, flag.key) == (CUCUKAN, "33.10", "1,2,3")
    assert flag.severity == pytest.approx(0.7323, abs=1e-3)
    assert flag.level == "high"
    programs = next(r for r in flag.reasons if r.name == "programs")
    assert said(programs)[1] == "3 programs in Cucukan: BSPS, CSR, RTLH"
    households = next(r for r in flag.reasons if r.name == "households")
    assert said(households) == ("45 rumah tangga tercakup", "45 households involved")


def test_pkh_with_bpnt_is_allowed_by_default() -> None:
    interventions = (
        Intervention(1, PKH, SENGON, "social_assistance", *Y2024, "PKH", 100),
        Intervention(2, BPNT, SENGON, "social_assistance", *Y2024, "BPNT", 100),
    )
    world = klaten(interventions=interventions)
    assert Engine(world).run().flags == []
    [flag] = Engine(world, EngineConfig(allowed=())).run().flags
    assert flag.intervention_ids == (1, 2)


def test_pkh_and_rtlh_in_shared_villages_are_told_to_plan_together() -> None:
    interventions = (
        Intervention(1, PKH, SENGON, "social_assistance", *Y2024, "PKH Sengon"),
        Intervention(2, PKH, CUCUKAN, "social_assistance", *Y2024, "PKH Cucukan"),
        Intervention(
            3, RTLH, SENGON, "house_renovation", dt.date(2024, 3, 1), dt.date(2024, 10, 31)
        ),
        Intervention(
            4, RTLH, CUCUKAN, "house_renovation", dt.date(2024, 3, 1), dt.date(2024, 10, 31)
        ),
        # PKH and RTLH in different villages share nothing.
        Intervention(5, RTLH, BEJI, "house_renovation", *Y2024),
    )
    result = Engine(klaten(interventions=interventions)).run()

    assert result.flags == []
    [synergy] = [p for p in result.proposals if p.kind == PROGRAM_SYNERGY]
    assert (synergy.program_a, synergy.program_b) == (PKH, RTLH)
    assert synergy.villages == (SENGON, CUCUKAN)
    assert synergy.key == f"program_synergy:33.10:{PKH}:{RTLH}"
    complement = reason(synergy, "complement")
    assert said(complement)[1].startswith("PKH and RTLH: holds the poor-household lists")
    assert said(reason(synergy, "villages"))[1] == "both work in 2 villages: Sengon, Cucukan"
    assert 0.0 < synergy.score <= 1.0


# -- the graph -----------------------------------------------------------------------------------
def test_the_regency_graph_has_typed_nodes_and_edges() -> None:
    people = with_skills(SRI, "poor_household_data")
    world = klaten(
        people=people,
        offers=(POOR_DATA_OFFER,),
        needs=(
            need(1, BUDI, SENGON, "poor_household_data", title="Calon penerima RTLH"),
            Need(2, ANI, "Peta partisipatif", ("participatory_mapping",), GANTIWARNO),
        ),
        interventions=(house(1, RTLH, SENGON, 10, 100_000_000),),
    )
    g = Engine(world).graph("33.10")

    node_kinds = {data["kind"] for _, data in g.nodes(data=True)}
    assert node_kinds == {
        "kecamatan",
        "village",
        "program",
        "person",
        "offer",
        "need",
        "intervention",
        "skill",
        "category",
    }
    edge_kinds = {data["kind"] for _, _, data in g.edges(data=True)}
    assert edge_kinds == {
        "located_in",
        "works_in_category",
        "member_of",
        "covers",
        "has_skill",
        "offers",
        "needs",
        "requires",
        "carried_out_by",
    }
    assert g.nodes["n1"] == {"kind": "need", "label": "Calon penerima RTLH"}
    assert g.edges["n1", "spoor_household_data"]["kind"] == "requires"
    assert g.edges["n1", f"v{SENGON}"]["kind"] == "located_in"
    assert g.edges["u2", "n1"]["kind"] == "needs"
    assert g.nodes["spoor_household_data"]["kind"] == "skill"
    assert g.edges["n2", f"k{GANTIWARNO}"]["kind"] == "located_in"  # no village: its kecamatan
    assert g.edges["o1", "u1"]["kind"] == "offers"
    assert g.edges["i1", f"g{RTLH}"]["kind"] == "carried_out_by"


# -- incremental questions -----------------------------------------------------------------------
def test_check_intervention_flags_a_new_overlap_against_the_current_3w() -> None:
    engine = Engine(klaten(interventions=(house(1, RTLH, CUCUKAN, 20, 500_000_000),)))
    engine.run()

    later = replace(
        house(9, BSPS, CUCUKAN, 5, 0), start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30)
    )
    assert engine.check_intervention(later) == []
    cash = Intervention(10, PKH, CUCUKAN, "social_assistance", *Y2024)
    assert engine.check_intervention(cash) == []

    [flag] = engine.check_intervention(house(11, BSPS, CUCUKAN, 5, 50_000_000))
    assert flag.intervention_ids == (1, 11)
    # Latrines overlap house renovation; the new flag joins what is there now.
    latrines = Intervention(
        12, STBM, CUCUKAN, "sanitation", dt.date(2024, 6, 1), dt.date(2024, 8, 31)
    )
    [flag] = engine.check_intervention(latrines)
    assert flag.intervention_ids == (1, 11, 12)


def test_a_new_offer_gives_a_waiting_need_its_primary() -> None:
    near = need(1, BUDI, CUCUKAN, "legal_aid")
    far = Need(2, ANI, "Sengketa tanah", ("legal_aid",), GANTIWARNO, GENTAN)
    engine = Engine(klaten(needs=(near, far)))
    result = engine.run()
    assert sorted((g.need_id, g.reason.code) for g in result.gaps) == [
        (1, "gap.none"),
        (2, "gap.none"),
    ]

    paralegal = Offer(7, WATI, "Paralegal desa", ("legal_aid",), villages=(CUCUKAN,), capacity=1)
    [proposal] = engine.propose_for_offer(paralegal)
    assert (proposal.kind, proposal.need_id, proposal.offer_id, proposal.rank) == (
        NEED_OFFER,
        1,
        7,
        1,
    )
    assert said(reason(proposal, "place"))[1] == "in the same village (Cucukan)"


def test_an_edited_need_keeps_the_offer_it_held() -> None:
    offer = replace(POOR_DATA_OFFER, capacity=1)
    held = need(1, BUDI, SENGON, "poor_household_data")
    engine = Engine(klaten(offers=(offer,), needs=(held,)))
    engine.run()
    [proposal] = engine.propose_for_need(replace(held, title="Calon penerima RTLH 2025"))
    assert (proposal.offer_id, proposal.rank) == (1, 1)


def test_an_offer_edited_below_what_it_holds_gets_no_more_needs() -> None:
    offer = replace(POOR_DATA_OFFER, capacity=2)
    needs = tuple(need(i, BUDI, SENGON, "poor_household_data") for i in range(1, 5))
    engine = Engine(klaten(offers=(offer,), needs=needs))
    result = engine.run()
    assert len([p for p in result.proposals if p.rank == 1]) == 2
    assert len(result.gaps) == 2

    # The facilitator cuts the offer to one need: it already holds two, so none more.
    assert engine.propose_for_offer(replace(offer, capacity=1)) == []


def test_room_a_switch_frees_goes_on_in_the_same_answer() -> None:
    """A new offer takes a need off an older offer; the room that frees goes, in the same
    answer, to the need it suits better than what that need was just given, so a full pass over
    what was shown changes nothing (found by the property
    ``test_a_full_pass_after_incremental_matches_changes_nothing``)."""
    people = tuple(replace(p, available=False) for p in PEOPLE)  # offers only
    literacy = Offer(1, SRI, "Literasi keuangan", ("financial_literacy",), villages=(SENGON,))
    books = need(1000, BUDI, SENGON, "bookkeeping")
    savings = need(1001, BUDI, CUCUKAN, "financial_literacy")
    bookkeeping = Offer(1002, SRI, "Pembukuan", ("bookkeeping",), villages=(CUCUKAN,), capacity=2)
    engine = Engine(klaten(people=people, offers=(literacy,)))
    engine.run(build_graphs=False)
    engine.propose_for_need(books)  # takes the literacy offer's one place (a sibling skill)
    engine.propose_for_need(savings)  # its exact match is taken: an alternative only
    engine.propose_for_offer(bookkeeping)  # books moves to its exact match, freeing literacy

    shown = sorted((i.need_id, i.side_id, i.rank) for i in engine.incumbents())
    assert (1000, 1002, 1) in shown and (1001, 1, 1) in shown
    again = Engine(
        replace(
            klaten(people=people, offers=(literacy, bookkeeping), needs=(books, savings)),
            incumbents=engine.incumbents(),
        )
    ).run(build_graphs=False)
    assert sorted((p.need_id, p.offer_id, p.rank) for p in again.proposals) == shown
    assert again.retired == {}
