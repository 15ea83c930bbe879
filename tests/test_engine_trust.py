"""Matches people trust (issue 11): each failure seen in the demo, as a scenario that fails on the
engine as it was.

What a need asks for comes first; words only guess when nothing was chosen; resources match by
what they are; far is a gap that says how far; reasons fit the case; what was shown stays unless
its facts changed or a clearly better option came; the owner of a full offer is not proposed as
a person for the same skill.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from graph.config import EngineConfig
from graph.engine import NEED_OFFER, NEED_PERSON, Engine, Result
from graph.records import Incumbent, Kecamatan, Need, Offer, Person

from .test_engine_scenarios import (
    BUDI,
    CUCUKAN,
    GANTIWARNO,
    GENTAN,
    JOKO,
    P3MD,
    PEDAN,
    PEOPLE,
    PRAMBANAN,
    RINA,
    SENGON,
    SRI,
    TEMUWANGI,
    WATI,
    klaten,
    matches,
    pairs,
    reason,
    said,
)

Y2027 = (dt.date(2027, 1, 1), dt.date(2027, 12, 31))


def only(result: Result, need_id: int) -> list[int | None]:
    """The offers (or people) proposed to a need, primary first."""
    return [p.offer_id if p.kind == NEED_OFFER else p.person_id for p in matches(result, need_id)]


# -- what a need asks for comes first --------------------------------------------------------
def test_a_word_in_the_title_does_not_overrule_the_skill_the_need_chose() -> None:
    """ "Butuh pendamping pembukuan BUMDes" asked for bookkeeping: the BUMDes word does not make
    a village-regulation offer about BUMDes a match, nearer or not."""
    bookkeeping = need_for(1, BUDI, SENGON, "bookkeeping", "Butuh pendamping pembukuan BUMDes")
    regulation = Offer(
        1,
        WATI,
        "Bantu menyusun Perdes tentang BUMDes",
        ("village_regulation", "bumdes_development"),
        villages=(SENGON,),
    )
    books = Offer(2, JOKO, "Pelatihan pembukuan kelompok", ("bookkeeping",), kecamatan=(PRAMBANAN,))
    result = Engine(klaten(offers=(regulation, books), needs=(bookkeeping,))).run()
    assert only(result, 1) == [2]
    # Without the bookkeeping offer there is no proposal at all: a gap, not the regulation.
    alone = Engine(klaten(offers=(regulation,), needs=(bookkeeping,))).run()
    assert pairs(alone) == [] and [g.need_id for g in alone.gaps] == [1]


def test_the_words_around_a_need_match_nothing_the_need_did_not_ask_for() -> None:
    """A latrine-design offer for a triggering need (jamban), a house-budget offer for a house-
    supervision need (Dana Desa): other skills, whatever words they share."""
    triggering = need_for(
        1,
        BUDI,
        SENGON,
        "sanitation_hygiene",
        "Pemicuan STBM, warga masih BAB sembarangan",
        "Rencana jambanisasi tahun depan",
    )
    design = Offer(
        1, WATI, "Desain jamban sehat dan RAB", ("technical_design",), villages=(SENGON,)
    )
    supervision = need_for(
        2, SRI, CUCUKAN, "construction_supervision", "Pengawas bedah rumah dari Dana Desa"
    )
    budget = Offer(
        2, JOKO, "Fasilitasi penganggaran Dana Desa", ("village_budgeting",), villages=(CUCUKAN,)
    )
    result = Engine(klaten(offers=(design, budget), needs=(triggering, supervision))).run()
    assert pairs(result) == []
    assert sorted(g.need_id for g in result.gaps) == [1, 2]


def test_a_resource_matches_only_the_same_resource() -> None:
    """A sound system for the meeting in the balai desa is not met by the balai desa itself."""
    sound = need_for(
        1, BUDI, SENGON, "sound_system", "Pinjam sound system", "Untuk rapat di balai desa"
    )
    hall = Offer(1, WATI, "Balai desa untuk pertemuan", ("meeting_venue",), villages=(SENGON,))
    result = Engine(klaten(offers=(hall,), needs=(sound,))).run()
    assert pairs(result) == []
    speakers = Offer(2, JOKO, "Sound system dan mic", ("sound_system",), kecamatan=(PRAMBANAN,))
    result = Engine(klaten(offers=(hall, speakers), needs=(sound,))).run()
    assert only(result, 1) == [2]


def test_a_same_field_skill_counts_only_close_by_and_never_above_a_direct_match() -> None:
    """Woven-cloth marketing and food-safety certification are both "enterprise": far apart
    that is no match; in the same village it is one, but a direct match anywhere in reach
    comes first."""
    weaving = need_for(1, BUDI, SENGON, "product_marketing", "Pemasaran kain tenun lurik")
    certification = Offer(
        1,
        WATI,
        "Pendampingan PIRT dan sertifikat halal",
        ("product_certification",),
        villages=(CUCUKAN,),
    )
    result = Engine(klaten(offers=(certification,), needs=(weaving,))).run()
    assert pairs(result) == []  # same field, another village: no
    here = replace(certification, villages=(SENGON,))
    result = Engine(klaten(offers=(here,), needs=(weaving,))).run()
    assert only(result, 1) == [1]
    assert reason(matches(result, 1)[0], "skill").code == "skill.field"
    marketing = Offer(
        2, JOKO, "Pemasaran online UMKM", ("product_marketing",), kecamatan=(PRAMBANAN,)
    )
    result = Engine(klaten(offers=(here, marketing), needs=(weaving,))).run()
    assert only(result, 1)[0] == 2  # the direct match, though less close


def test_words_guess_a_skill_only_when_the_need_chose_none() -> None:
    worded = Need(1, SRI, "Butuh pelatihan pembukuan", (), PRAMBANAN, SENGON)
    books = Offer(1, WATI, "Kelas buku kas", ("bookkeeping",), villages=(SENGON,))
    result = Engine(klaten(offers=(books,), needs=(worded,))).run()
    assert (
        said(reason(matches(result, 1)[0], "skill"))[0] == "keahlian ditebak dari judul: Pembukuan"
    )
    chose = replace(worded, skills=("legal_aid",))
    assert pairs(Engine(klaten(offers=(books,), needs=(chose,))).run()) == []


def test_words_break_a_near_tie_between_offers_of_the_chosen_skill() -> None:
    """Two bookkeeping offers alike in all else: the one about BUMDes wins for a BUMDes need."""
    need = need_for(1, BUDI, SENGON, "bookkeeping", "Pembukuan untuk BUMDes Sengon")
    plain = Offer(1, WATI, "Pembukuan kelompok", ("bookkeeping",), villages=(SENGON,))
    bumdes = Offer(2, JOKO, "Pembukuan unit usaha BUMDes", ("bookkeeping",), villages=(SENGON,))
    result = Engine(klaten(offers=(plain, bumdes), needs=(need,))).run()
    assert only(result, 1) == [2, 1]
    first, second = matches(result, 1)
    assert first.score == second.score  # the words rank, they do not score


# -- a floor, and honest gaps --------------------------------------------------------------------
def test_far_is_a_gap_with_the_distance_in_words() -> None:
    kecamatan = (
        Kecamatan(PRAMBANAN, "Prambanan", -7.7406, 110.4924),
        Kecamatan(GANTIWARNO, "Gantiwarno", -7.7553, 110.5430),
        Kecamatan(PEDAN, "Pedan", -7.6967, 110.7073),
    )
    gis = need_for(1, BUDI, SENGON, "gis", "Butuh peta digital desa")
    far = Offer(1, JOKO, "Pemetaan GIS", ("gis",), villages=(TEMUWANGI,))
    world = replace(klaten(offers=(far,), needs=(gis,)), kecamatan=kecamatan)
    [gap] = Engine(world).run().gaps
    assert gap.reason.code == "gap.far"
    assert said(gap.reason)[1] == (
        "nobody offers GIS and digital mapping in Kecamatan Prambanan or next to it yet; "
        f"the nearest is {gap.reason.param('km')} km away in Kecamatan Pedan"
    )
    distance = gap.reason.param("km")
    assert isinstance(distance, int) and 20 <= distance <= 30


def test_a_person_with_the_skill_nearby_answers_a_need_no_offer_meets() -> None:
    mapping = need_for(1, BUDI, SENGON, "participatory_mapping", "Pemetaan swadaya RT 03")
    people = tuple(
        replace(p, skills=("participatory_mapping",)) if p.id == WATI else p for p in PEOPLE
    )
    result = Engine(klaten(people=people, needs=(mapping,))).run()
    assert pairs(result) == [(NEED_PERSON, 1, WATI, 1)]


def test_the_owner_of_a_full_offer_is_not_proposed_as_a_person_for_that_skill() -> None:
    first = need_for(1, BUDI, SENGON, "poor_household_data", "Data calon penerima RTLH")
    second = need_for(2, WATI + 10, CUCUKAN, "poor_household_data", "Data KPM Cucukan")
    people = tuple(
        replace(p, skills=("poor_household_data",)) if p.id == SRI else p for p in PEOPLE
    )
    offer = Offer(1, SRI, "Data KPM PKH", ("poor_household_data",), kecamatan=(PRAMBANAN,))
    result = Engine(klaten(people=people, offers=(offer,), needs=(first, second))).run()
    assert (NEED_PERSON, 2, SRI, 1) not in pairs(result)
    assert [g.need_id for g in result.gaps] == [2]


# -- reasons that fit ----------------------------------------------------------------------------
def test_program_complementarity_is_a_reason_only_for_the_work_at_hand() -> None:
    """PKH (cash) and STBM (health) complement each other on stunting: not on bookkeeping."""
    pkh_person, stbm_person = SRI, JOKO
    books = need_for(1, pkh_person, SENGON, "bookkeeping", "Pembukuan KUBE")
    offer = Offer(1, stbm_person, "Pembukuan kader", ("bookkeeping",), villages=(SENGON,))
    programs = reason(
        matches(Engine(klaten(offers=(offer,), needs=(books,))).run(), 1)[0], "programs"
    )
    assert programs.code == "programs.different"
    stunting = need_for(2, pkh_person, SENGON, "stunting_nutrition", "Kelas gizi balita")
    nutrition = Offer(2, stbm_person, "Kelas gizi", ("stunting_nutrition",), villages=(SENGON,))
    result = Engine(klaten(offers=(nutrition,), needs=(stunting,))).run()
    assert reason(matches(result, 2)[0], "programs").code == "programs.complement"


# -- stability -----------------------------------------------------------------------------------
def test_what_was_shown_stays_unless_a_clearly_better_option_appears() -> None:
    held = need_for(1, BUDI, SENGON, "gis", "Peta digital Sengon")
    shown = Offer(1, WATI, "Peta digital", ("gis",), kecamatan=(PRAMBANAN,))
    world = klaten(offers=(shown,), needs=(held,))
    first = Engine(world)
    first.run()
    # A slightly better offer (same kecamatan, also covers Sengon by name): not enough to switch.
    close = Offer(2, JOKO, "Peta digital", ("gis",), villages=(SENGON, CUCUKAN), kecamatan=())
    again = Engine(replace(world, offers=(shown, close), incumbents=first.incumbents())).run()
    assert only(again, 1)[0] == 1 and again.retired == {}
    # With a margin of zero the better one wins, and the one that goes says why.
    eager = EngineConfig(switch_margin=0.0)
    moved = Engine(
        replace(world, offers=(shown, close), incumbents=first.incumbents()), eager
    ).run()
    assert only(moved, 1)[0] == 2
    assert moved.retired["need_offer:1:1"].code == "retired.better_option"


def test_a_shown_proposal_goes_when_its_facts_change_and_says_why() -> None:
    held = need_for(1, BUDI, SENGON, "gis", "Peta digital Sengon")
    offer = Offer(
        1, WATI, "Peta digital", ("gis",), kecamatan=(PRAMBANAN,), end=dt.date(2027, 12, 31)
    )
    world = klaten(offers=(offer,), needs=(held,))
    first = Engine(world)
    first.run()
    shown = first.incumbents()
    assert shown == (Incumbent(1, "offer", 1, 1, shown[0].score),)
    gone = Engine(replace(world, offers=(), incumbents=shown)).run()
    assert gone.retired["need_offer:1:1"].code == "retired.offer_gone"
    full = Engine(replace(world, offers=(replace(offer, used=1),), incumbents=shown)).run()
    assert full.retired["need_offer:1:1"].code == "retired.side_full"
    later = replace(held, start=dt.date(2028, 1, 1))
    expired = Engine(replace(world, needs=(later,), incumbents=shown)).run()
    assert expired.retired["need_offer:1:1"].code == "retired.out_of_window"


def test_an_unrelated_change_elsewhere_changes_nothing_shown() -> None:
    """A full pass after someone else's import keeps every proposal already shown."""
    needs = tuple(
        need_for(i, BUDI if i % 2 else SRI, SENGON if i % 3 else CUCUKAN, "bookkeeping", f"N{i}")
        for i in range(1, 7)
    )
    offers = (
        Offer(1, WATI, "A", ("bookkeeping",), kecamatan=(PRAMBANAN,), capacity=2),
        Offer(2, JOKO, "B", ("bookkeeping",), villages=(SENGON,), capacity=2),
        Offer(3, RINA, "C", ("bookkeeping",), villages=(CUCUKAN,), capacity=1),
    )
    world = klaten(offers=offers, needs=needs)
    first = Engine(world)
    before = first.run()
    elsewhere = Offer(4, WATI + 20, "D", ("bookkeeping",), villages=(GENTAN,), capacity=5)
    people = (*PEOPLE, Person(WATI + 20, "Dewi", "33.10", GENTAN, (GENTAN,), (), (P3MD,)))
    after = Engine(
        replace(world, people=people, offers=(*offers, elsewhere), incumbents=first.incumbents())
    ).run()
    keys = sorted(p.key for p in before.proposals)
    assert sorted(p.key for p in after.proposals) == keys
    assert after.retired == {}


def need_for(
    ident: int, person: int, village: str, skill: str, title: str, description: str = ""
) -> Need:
    return Need(ident, person, title, (skill,), village[:8], village, *Y2027, description)
