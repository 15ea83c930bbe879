"""Split one run's records by regency in one pass, so per-regency work never rescans the nation.

An offer or person whose coverage crosses a regency border lands in every regency it reaches.
"""

from __future__ import annotations

from collections import defaultdict

from graph.records import Inputs, Intervention, Kecamatan, Need, Offer, Person, Village


def partition(inputs: Inputs) -> dict[str, Inputs]:
    villages: dict[str, list[Village]] = defaultdict(list)
    kecamatan: dict[str, list[Kecamatan]] = defaultdict(list)
    people: dict[str, list[Person]] = defaultdict(list)
    offers: dict[str, list[Offer]] = defaultdict(list)
    needs: dict[str, list[Need]] = defaultdict(list)
    interventions: dict[str, list[Intervention]] = defaultdict(list)
    for v in inputs.villages:
        villages[v.code[:5]].append(v)
    for k in inputs.kecamatan:
        kecamatan[k.code[:5]].append(k)
    for p in inputs.people:
        reach = {c[:5] for c in p.villages} | ({p.home_village[:5]} if p.home_village else set())
        if p.regency:
            reach.add(p.regency)
        for r in reach:
            people[r].append(p)
    for o in inputs.offers:
        for r in {c[:5] for c in (*o.villages, *o.kecamatan)}:
            offers[r].append(o)
    for n in inputs.needs:
        needs[n.kecamatan[:5]].append(n)
    for i in inputs.interventions:
        interventions[i.village[:5]].append(i)
    regencies = sorted(set(villages) | set(kecamatan) | set(needs) | set(interventions))
    return {
        r: Inputs(
            villages=tuple(villages[r]),
            kecamatan=tuple(kecamatan[r]),
            skills=inputs.skills,
            categories=inputs.categories,
            programs=inputs.programs,
            people=tuple(people[r]),
            offers=tuple(offers[r]),
            needs=tuple(needs[r]),
            interventions=tuple(interventions[r]),
        )
        for r in regencies
    }
