"""Link five programs' beneficiary lists of a synthetic Klaten, through the product's own path.

    python -m benchmarks.linkage [--per-program 100000] [--seed 20261207] [--households N]

**The population.** ``--households`` households (default: twice ``--per-program``) in Klaten's
real villages (Kemendagri codes of regency 33.10, weighted so villages differ in size). Each has
a family card number (the kecamatan's six digits, the card's issue date ``DDMMYY``, a serial)
and 1-6 members: a head (a man, or a woman alone), a wife, children, sometimes a grandparent,
with birth dates that fit their roles, and Javanese names drawn by generation (the old one-word
names, *Suparmi*, *Paimin*; two- and three-word names later, *Sri Wahyuni*, *Muhammad Ridwan*,
*Dwi Puji Lestari*; *Sri*, *Siti* or *Muhammad* begin one in ten of those, the commonest name
after them one in thirty). Every member has a
NIK: the six digits of the kecamatan where they were first registered (their own for 88 %,
another Klaten kecamatan for 8 %, somewhere else in Indonesia for 4 %), the birth date with 40
added to a woman's day, and a serial counted per region and date, so NIKs are unique.

**The lists.** Five programs of ``--per-program`` rows each, drawn from the households by a
poverty score (and a house-condition score for the two house programmes): PKH lists the mother,
BPNT the head or his wife, BSPS the head, RTLH the head or (a fifth) his wife, a CSR programme
old people and pupils of any poor household. So people sit in several lists, and so do their
households through different members. Every listed row is a clerk's copy, corrupted
independently: the name 15 % (half a typo: one letter changed, dropped or doubled; half a
variant: a title added, *Moh.*/*M.* for *Muhammad*, a word dropped or cut to its initial, a longer
or shorter form as *Wahyuni*/*Wahyuningsih*, *-iy-*/*-i-* as *Sumiyati*/*Sumiati*, the old
spelling *oe*/*dj*/*tj*/*j* for the older generation, capitals), the day and month of the birth
date swapped in 3 % of the rows where the day is 12 or less and not the month (1.1 % of all),
the NIK left empty 10 % and typed with one wrong digit 2 % (any position, drawn again until the
NIK still passes ``identity.nik_problem`` against Indonesia's kecamatan, so it is not refused:
40 % land in the birth date, 38 % in the serial, 22 % in the region; some of them are another
person's NIK), the KK left empty 10 %. *Sri*/*Siti* are not made variants of each other: they are
different names.

**The product's path**, per list: CSV bytes in memory (never on disk), each programme with its
clerk's headers, delimiter, date format (``05-03-1975``, ``5 Maret 1975``, ``5/3/1975``, ``05 Mar
1975``), sexes (*L/P*, *Laki-laki/Perempuan*, *LK/PR*, *Pria/Wanita*), title rows and blanks;
``read_table`` and ``clear_rows`` (timed as *read*; any problem reported is a bug of this
generator or of the reader, and printed), ``encode_rows`` under one linkage key (*encode*), then
``Linkable`` records (the kecamatan resolved from the row's kecamatan and village by this
generator's own table: the database's place resolution is not measured here) and ``link`` over
the five lists, every pair of lists allowed (*link*). The total is read + encode + link; making
the data and writing the CSV are not counted.

**The measure.** The planted truth: pairs of listed rows (in two lists) that are one person, and
pairs that are two people of one household. Person level: precision and recall of the links of
strength ``nik`` or ``person`` against the first, beside the baseline of exact NIK-hash equality
alone. Household level: the ``kk`` links against the second. With the stage times, peak RSS
(``ru_maxrss``), the machine and its load average, and a ``targets`` block: precision >= 0.99,
recall >= 0.95, recall at least 10 points (the missing-NIK share) above the baseline's, total
< 2 minutes, peak RSS < 2 GB.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import heapq
import io
import itertools
import os
import platform
import re
import resource
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from random import Random

from titiktemu.beneficiaries import identity, linkage
from titiktemu.beneficiaries.clk import deserialise
from titiktemu.beneficiaries.encoding import LinkageKey, encode_rows
from titiktemu.beneficiaries.reading import EncodedRow, clear_rows, read_table
from titiktemu.places.kemendagri import list_wilayah
from titiktemu.runtime import tune_collector

KLATEN = "33.10"
SEED = 20261207
TODAY = dt.date(2026, 12, 7)
#: A key as ``titiktemu beneficiaries new-key`` makes one (fixed: the run is deterministic).
KEY_TEXT = "benchmark-linkage-key-0123456789abcdefghijklmnopqrstuvwxyz"

NAME_CORRUPTED = 0.15
DATE_SWAPPED = 0.03
NIK_MISSING = 0.10
NIK_WRONG_DIGIT = 0.02
KK_MISSING = 0.10

TARGET_PRECISION = 0.99
TARGET_RECALL = 0.95
TARGET_GAIN = NIK_MISSING
TARGET_TOTAL_S = 120.0
TARGET_RSS_MB = 2048.0


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Names, most common first in each list (drawn with Zipf-like weights).
#: The older generation's one-word names.
MALE_OLD = _words(
    "Slamet Sukardi Paimin Sumarno Suparman Sutrisno Suwarno Sukirno Suroso Sugiyono Sarno "
    "Parjo Tukiman Tukiyo Wagimin Wagiyo Marno Giyono Ngatimin Ngadiman Ngadino Sugeng Sunardi "
    "Sunarto Supardi Suprapto Suratno Darmanto Kuswanto Margono Mulyadi Widodo Haryanto "
    "Harjono Sumardi Sudarno Sukimin Sadimin Jumadi Kasmin Samidi Tarno Warsito Wardoyo "
    "Sutarno Suyatno Sumadi Sujadi Sukadi Tugiman Poniman Paiman Dalimin Jumari Kardi Katiman "
    "Ngatijo Pardi Sarjono Subagyo Sudarmo Sugito Suhadi Sukino Sumarto Sunaryo Supriyadi "
    "Suranto Susilo Sutopo Suwandi Tukimin Wakidi Wiyono Yatno Karyono Kasiman Marjuki Muhadi "
    "Ngadimin Parman Rejo Sakimin Sastro Siswanto Sudiyono Sukamto Sumanto Tumiran Wiyadi"
)
FEMALE_OLD = _words(
    "Suparmi Sumarni Sulastri Suwarni Sumiyati Tumini Painem Tukinem Sukinah Partini Sutarmi "
    "Wagiyem Ngatinem Ngadiyem Paijem Sarinah Marni Parmi Tuminah Sukarmi Sumini Suyatmi Warsini "
    "Jumiyem Kasiyem Mujiyem Ngatini Poniyem Rubinem Saminem Sakinem Samirah Sariyem Sugiyem "
    "Sukiyem Sumarmi Sumirah Surati Tarmi Tugiyem Wartini Wasini Yatmi Giyem Darmi Kasmini "
    "Lasmi Marsini Parinem Rukmini Sainem Sarmi Siyam Sujinah Sulami Suminah Sunarti Supiyah "
    "Suratmi Sutini Tukiyem Umiyati Yatinah Jumirah Karsini Kartini Mariyem Ngatiyem Pariyem "
    "Rusmini Sartini Sumiati Sunarsih Supartini Suprihatin Tuginem Wagini Warsiyah"
)
#: First words of two- and three-word names.
MALE_FIRST = _words(
    "Muhammad Agus Eko Tri Budi Dwi Ahmad Joko Bambang Heru Hadi Nur Bagus Dedi Andi Arif "
    "Wahyu Sigit Teguh Puji Yusuf Ari Adi Rudi Edi Hendro Anton Dimas Bayu Fajar Rizky Yoga "
    "Aditya Galih Danang Ilham Reza Bagas Fikri Slamet Abdul Ali Iwan Gunawan Indra Yudi Dani"
)
FEMALE_FIRST = _words(
    "Sri Siti Dwi Tri Endang Puji Dewi Nur Umi Eni Yuli Rina Ani Ning Indah Ayu Putri Dian "
    "Fitri Novi Ratna Nanik Eka Retno Wulan Tutik Anik Erna Lilik Nabila Aulia Anisa Salsabila "
    "Zahra Alya Dinda Tiara Amelia Aisyah Riska Yuni Heni Wiwik Sulis Endah Rini Murni Tatik"
)
#: Last words of two- and three-word names.
MALE_LAST = _words(
    "Santoso Setiawan Wibowo Nugroho Prasetyo Pratama Saputra Hidayat Kurniawan Susanto "
    "Purnomo Riyadi Wahyudi Ridwan Hartono Susilo Raharjo Widodo Subekti Utomo Sulistyo "
    "Setyawan Ardiansyah Firmansyah Maulana Hakim Fauzi Rohman Nurhadi Haryadi Triyono "
    "Suryanto Priyanto Wijaya Darmawan Gunawan Sumantri Mulyono Hermawan Budiman Ramadhan "
    "Prabowo Kuncoro Hidayatullah Sutrisno Cahyono Yulianto Aryanto Wicaksono Pamungkas"
)
FEMALE_LAST = _words(
    "Wahyuni Lestari Rahayu Aminah Wahyuningsih Wulandari Safitri Handayani Susanti "
    "Puspitasari Rahmawati Anggraini Kusumawati Fatimah Khotimah Mulyani Sulistyowati "
    "Setyaningsih Purwanti Suryani Hartati Yuliani Kurniasih Pratiwi Utami Astuti Hidayah "
    "Nuraini Maryani Sumarsih Haryati Winarsih Rejeki Mulyaningsih Nurhayati Ningsih Fitriani "
    "Andriani Oktaviani Nurjanah Suparmi Sumarni Purwaningsih Rahmadani Permatasari Agustina"
)
#: Longer and shorter forms of one name, and spellings that follow the clerk.
FORMS: dict[str, tuple[str, ...]] = {
    "Wahyuni": ("Wahyuningsih",),
    "Wahyuningsih": ("Wahyuni",),
    "Suparmi": ("Suparmi Ningsih", "Suparminingsih"),
    "Sumarni": ("Sumarningsih",),
    "Mulyani": ("Mulyaningsih",),
    "Mulyaningsih": ("Mulyani",),
    "Rahayu": ("Rahayuningsih",),
    "Purwanti": ("Purwaningsih",),
    "Purwaningsih": ("Purwanti",),
    "Lestari": ("Lestariningsih",),
    "Santoso": ("Santosa",),
    "Nugroho": ("Nugraha",),
    "Prasetyo": ("Prasetya",),
    "Wibowo": ("Wibawa",),
    "Raharjo": ("Rahardjo",),
    "Hidayat": ("Hidayatullah",),
    "Hidayatullah": ("Hidayat",),
    "Rohman": ("Rahman", "Abdurrohman"),
    "Ramadhan": ("Ramadan",),
    "Fatimah": ("Fatma",),
    "Khotimah": ("Hotimah", "Chotimah"),
    "Aisyah": ("Aisah",),
}
MALE_TITLES = ("Bpk. ", "Bp. ", "Pak ", "Bapak ", "H. ", "Sdr. ")
FEMALE_TITLES = ("Ibu ", "Ny. ", "Bu ", "Hj. ", "Sdri. ", "Mbok ")
DEGREES = (", S.Pd.", ", S.Ag.", " S.E.", ", A.Md.")
MUHAMMAD_FORMS = ("Moh.", "Muh.", "Mochammad", "Mohammad", "Muhamad", "Mohamad")
MONTHS = _words(
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
)
MONTHS_SHORT = _words("Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des")
_CONSONANT_Y = re.compile(r"([bcdfghjklmnpqrstvwxz])y([aeiou])")


# --- the population ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    kecamatan_code: str  # "33.10.01"
    kecamatan: str
    village: str


@dataclass
class Population:
    places: list[Place]
    #: per household: place index, family card number, first member, member count, scores
    hh_place: list[int]
    hh_kk: list[str]
    hh_first: list[int]
    hh_size: list[int]
    hh_poverty: list[float]
    hh_house: list[float]
    #: per person: household, role (0 head, 1 wife, 2 child, 3 grandparent), name, birth, sex, NIK
    household: list[int]
    role: list[int]
    name: list[str]
    born: list[dt.date]
    sex: list[str]
    nik: list[str]


def _cum_weights(count: int, power: float) -> list[float]:
    """Zipf-like: the i-th word weighs 1 / (i + 3) ** power."""
    return list(itertools.accumulate(1 / (i + 3) ** power for i in range(count)))


class Names:
    """Javanese names by sex and generation."""

    def __init__(self) -> None:
        # A few first words are very common (Sri, Siti, Muhammad: about one in ten); the names
        # after them far less (the most common about one in thirty).
        self.lists = {
            key: (words, _cum_weights(len(words), 1.0 if key.endswith("first") else 0.5))
            for key, words in {
                "L_old": MALE_OLD,
                "P_old": FEMALE_OLD,
                "L_first": MALE_FIRST,
                "P_first": FEMALE_FIRST,
                "L_last": MALE_LAST,
                "P_last": FEMALE_LAST,
            }.items()
        }

    def _pick(self, rng: Random, key: str) -> str:
        words, weights = self.lists[key]
        return rng.choices(words, cum_weights=weights)[0]

    def draw(self, rng: Random, sex: str, year: int) -> str:
        shares = (  # one, two, three words
            (0.70, 0.98)
            if year < 1965
            else (0.35, 0.90)
            if year < 1985
            else (0.10, 0.75)
            if year < 2000
            else (0.03, 0.58)
        )
        r = rng.random()
        if r < shares[0]:
            return self._pick(rng, f"{sex}_old")
        first = self._pick(rng, f"{sex}_first")
        old_last = 0.25 if year < 1985 else 0.03  # "Sri Suparmi", rarely for the young
        last = self._pick(rng, f"{sex}_old" if rng.random() < old_last else f"{sex}_last")
        if r < shares[1]:
            return f"{first} {last}" if last != first else last
        middle = self._pick(rng, f"{sex}_first")
        words = dict.fromkeys((first, middle, last))  # no word twice
        return " ".join(words)


def _places() -> list[Place]:
    return [
        Place(kec.code, kec.name, village.name)
        for kec in list_wilayah(KLATEN)
        for village in list_wilayah(kec.code)
    ]


def _birth(rng: Random, age: int) -> dt.date:
    year = TODAY.year - age
    last = TODAY if year == TODAY.year else dt.date(year, 12, 31)
    first = dt.date(year, 1, 1)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def populate(rng: Random, households: int) -> Population:
    """Households in Klaten's villages, their members, names, birth dates and NIKs."""
    places = _places()
    klaten_kec = sorted({p.kecamatan_code.replace(".", "") for p in places})
    elsewhere = sorted(identity.national_kecamatan() - set(klaten_kec))
    village_weights = list(itertools.accumulate(rng.uniform(0.3, 1.7) for _ in places))
    names = Names()
    nik_serials: Counter[str] = Counter()
    kk_serials: Counter[str] = Counter()
    pop = Population(places, [], [], [], [], [], [], [], [], [], [], [], [])
    first_issue = dt.date(2005, 1, 1)
    issue_days = (dt.date(2026, 6, 30) - first_issue).days

    def add_person(hh: int, role: int, sex: str, age: int, kec6: str) -> None:
        born = _birth(rng, max(age, 0))
        if role != 2 and age >= 17:  # an adult may have been registered elsewhere first
            r = rng.random()
            if r < 0.08:
                kec6 = rng.choice(klaten_kec)
            elif r < 0.12:
                kec6 = rng.choice(elsewhere)
        day = born.day + (40 if sex == "P" else 0)
        prefix = f"{kec6}{day:02d}{born.month:02d}{born.year % 100:02d}"
        nik_serials[prefix] += 1
        pop.household.append(hh)
        pop.role.append(role)
        pop.name.append(names.draw(rng, sex, born.year))
        pop.born.append(born)
        pop.sex.append(sex)
        pop.nik.append(f"{prefix}{nik_serials[prefix]:04d}")

    for hh in range(households):
        place = rng.choices(range(len(places)), cum_weights=village_weights)[0]
        kec6 = places[place].kecamatan_code.replace(".", "")
        issued = first_issue + dt.timedelta(days=rng.randrange(issue_days))
        kk_prefix = f"{kec6}{issued:%d%m%y}"
        kk_serials[kk_prefix] += 1
        pop.hh_place.append(place)
        pop.hh_kk.append(f"{kk_prefix}{kk_serials[kk_prefix]:04d}")
        pop.hh_first.append(len(pop.name))
        pop.hh_poverty.append(rng.random())
        pop.hh_house.append(rng.random())
        size = rng.choices((1, 2, 3, 4, 5, 6), weights=(10, 18, 24, 24, 15, 9))[0]
        if size == 1:
            head_sex = "P" if rng.random() < 0.55 else "L"
            head_age = rng.randint(45, 92)
        else:
            head_sex = "P" if rng.random() < 0.12 else "L"
            head_age = int(rng.triangular(22, 80, 42))
        add_person(hh, 0, head_sex, head_age, kec6)
        mother_age = head_age
        left = size - 1
        if left and head_sex == "L" and rng.random() < 0.92:
            mother_age = max(18, head_age - rng.randint(-2, 8))
            add_person(hh, 1, "P", mother_age, kec6)
            left -= 1
        if left >= 2 and rng.random() < 0.25 and head_age < 65:
            add_person(
                hh, 3, "P" if rng.random() < 0.65 else "L", head_age + rng.randint(22, 30), kec6
            )
            left -= 1
        for _ in range(left):
            oldest = mother_age - 17
            age = oldest - rng.randint(1, 22) if oldest > 1 else 0
            add_person(hh, 2, rng.choice("LP"), max(0, min(age, oldest)), kec6)
        pop.hh_size.append(len(pop.name) - pop.hh_first[hh])
    return pop


# --- the programmes' lists -----------------------------------------------------------------


def _choose(rng: Random, weights: Sequence[float], k: int) -> list[int]:
    """``k`` indices drawn without replacement, with probabilities by weight (Efraimidis and
    Spirakis: the k largest of u ** (1 / w))."""
    keyed = ((rng.random() ** (1 / w), i) for i, w in enumerate(weights) if w > 0)
    return [i for _key, i in heapq.nlargest(k, keyed)]


def _age(pop: Population, person: int) -> int:
    born = pop.born[person]
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


def _members(pop: Population, hh: int) -> range:
    return range(pop.hh_first[hh], pop.hh_first[hh] + pop.hh_size[hh])


def _wife(pop: Population, hh: int) -> int | None:
    return next((p for p in _members(pop, hh) if pop.role[p] == 1), None)


def draw_lists(pop: Population, rng: Random, per_program: int) -> list[list[int]]:
    """The persons each programme lists, by poverty (and house condition for BSPS and RTLH)."""
    hh_count = len(pop.hh_kk)
    hhs = range(hh_count)

    def has_dependants(hh: int) -> bool:
        return any(_age(pop, p) < 18 or _age(pop, p) >= 65 for p in _members(pop, hh))

    poverty = pop.hh_poverty
    pkh = _choose(
        rng,
        [poverty[h] ** 3 * (1.0 if has_dependants(h) else 0.1) for h in hhs],
        per_program,
    )
    bpnt = _choose(rng, [poverty[h] ** 3 for h in hhs], per_program)
    bsps = _choose(rng, [(poverty[h] * pop.hh_house[h]) ** 2 for h in hhs], per_program)
    rtlh = _choose(rng, [(poverty[h] * pop.hh_house[h]) ** 2 + 0.01 for h in hhs], per_program)
    people = range(len(pop.name))
    csr = _choose(
        rng,
        [
            poverty[pop.household[p]] ** 2 if (a := _age(pop, p)) >= 60 or 6 <= a <= 22 else 0.0
            for p in people
        ],
        per_program,
    )

    def head(hh: int) -> int:
        return pop.hh_first[hh]

    def mother(hh: int) -> int:
        wife = _wife(pop, hh)
        return head(hh) if wife is None else wife

    def head_or_wife(share_wife: float) -> Callable[[int], int]:
        def pick(hh: int) -> int:
            wife = _wife(pop, hh)
            return wife if wife is not None and rng.random() < share_wife else head(hh)

        return pick

    lists = [
        [mother(h) for h in pkh],
        [head_or_wife(0.35)(h) for h in bpnt],
        [head(h) for h in bsps],
        [head_or_wife(0.2)(h) for h in rtlh],
        csr,
    ]
    for persons in lists:  # as a list is kept: by kecamatan and village
        persons.sort(key=lambda p: (pop.hh_place[pop.household[p]], p))
    return lists


# --- a clerk's copy ------------------------------------------------------------------------


def typo(rng: Random, name: str) -> str:
    """One letter changed, dropped or doubled."""
    positions = [i for i, c in enumerate(name) if c.isalpha()]
    i = rng.choice(positions)
    c = name[i]
    kind = rng.randrange(3)
    if kind == 0:
        new = rng.choice([x for x in "abcdefghijklmnopqrstuvwxyz" if x != c.lower()])
        return name[:i] + (new.upper() if c.isupper() else new) + name[i + 1 :]
    if kind == 1 and len(positions) > 4:
        return name[:i] + name[i + 1 :]
    return name[:i] + c + name[i:]


def old_spelling(name: str) -> str:
    """As written before the 1972 reform (or copied from a document of then)."""
    for new, old in (("j", "dj"), ("J", "Dj"), ("y", "j"), ("Y", "J"), ("c", "tj"), ("C", "Tj")):
        name = name.replace(new, old)
    return name.replace("u", "oe").replace("U", "Oe").replace("Kh", "Ch").replace("kh", "ch")


def variant(rng: Random, name: str, sex: str, year: int) -> str:
    """The same name as another clerk writes it."""
    words = name.split()
    kinds = ["title", "title", "capitals"]
    if "Muhammad" in words:
        kinds += ["muhammad", "muhammad"]
    if len(words) > 1:
        kinds += ["drop", "initial"]
    if any(w in FORMS for w in words):
        kinds += ["form", "form"]
    lower = name.casefold()
    if "iy" in lower or _CONSONANT_Y.search(lower):
        kinds.append("iy")
    if year < 1975 and any(c in lower for c in "ujcy"):
        kinds += ["old", "old"]
    kind = rng.choice(kinds)
    if kind == "title":
        if rng.random() < 0.15:
            return name + rng.choice(DEGREES)
        return rng.choice(MALE_TITLES if sex == "L" else FEMALE_TITLES) + name
    if kind == "capitals":
        return name.upper()
    if kind == "muhammad":
        i = words.index("Muhammad")
        forms = (*MUHAMMAD_FORMS, "M.") if i == 0 else MUHAMMAD_FORMS
        words[i] = rng.choice(forms)
    elif kind == "drop":  # the leading Sri / Muhammad / Tri, or the middle of three
        del words[1 if len(words) == 3 and rng.random() < 0.5 else 0]
    elif kind == "initial":
        i = rng.randrange(len(words) - 1)
        words[i] = words[i][0] + "."
    elif kind == "form":
        i = next(i for i, w in enumerate(words) if w in FORMS)
        words[i] = rng.choice(FORMS[words[i]])
    elif kind == "iy":
        if "iy" in lower:
            at = lower.index("iy")
            return name[:at] + "i" + name[at + 2 :]
        return _CONSONANT_Y.sub(r"\1i\2", name, count=1)
    elif kind == "old":
        return old_spelling(name)
    return " ".join(words)


def wrong_digit(rng: Random, nik: str) -> str:
    """The NIK with one digit typed wrong, still a NIK a reader accepts."""
    while True:
        at = rng.randrange(16)
        digit = rng.choice([d for d in "0123456789" if d != nik[at]])
        typed = nik[:at] + digit + nik[at + 1 :]
        if identity.nik_problem(typed, identity.is_national_kecamatan) is None:
            return typed


@dataclass(frozen=True)
class Copy:
    """One listed row as the clerk wrote it, and who it really is."""

    person: int
    nik: str
    kk: str
    name: str
    born: dt.date
    sex: str
    place: int


@dataclass
class Tally:
    names: Counter[str]
    dates_swapped: int = 0
    nik_missing: int = 0
    nik_wrong: int = 0
    kk_missing: int = 0


def copy_row(rng: Random, pop: Population, person: int, tally: Tally) -> Copy:
    name, born, sex = pop.name[person], pop.born[person], pop.sex[person]
    if rng.random() < NAME_CORRUPTED:
        if rng.random() < 0.5:
            name = typo(rng, name)
            tally.names["typo"] += 1
        else:
            name = variant(rng, name, sex, born.year)
            tally.names["variant"] += 1
    if rng.random() < DATE_SWAPPED and born.day <= 12 and born.day != born.month:
        born = dt.date(born.year, born.day, born.month)
        tally.dates_swapped += 1
    nik = pop.nik[person]
    r = rng.random()
    if r < NIK_MISSING:
        nik = ""
        tally.nik_missing += 1
    elif r < NIK_MISSING + NIK_WRONG_DIGIT:
        nik = wrong_digit(rng, nik)
        tally.nik_wrong += 1
    hh = pop.household[person]
    kk = pop.hh_kk[hh]
    if rng.random() < KK_MISSING:
        kk = ""
        tally.kk_missing += 1
    return Copy(person, nik, kk, name, born, sex, pop.hh_place[hh])


# --- the files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How one programme's clerk keeps the list."""

    code: str
    delimiter: str
    title: tuple[str, ...]
    #: ref, NIK, KK, name, birth date, sex, village, kecamatan
    headers: tuple[str, str, str, str, str, str, str, str]
    date: Callable[[dt.date], str]
    sexes: dict[str, str]
    missing: str  # how an unknown NIK or KK is written
    capitals: bool  # names and places in capitals
    number_prefix: str  # "'" keeps Excel from writing 3.31E+15
    ref: Callable[[int], str]
    bom: bool


STYLES = (
    Style(
        "PKH",
        ";",
        (),
        ("No", "NIK", "No. KK", "Nama", "Tgl Lahir", "L/P", "Desa/Kelurahan", "Kecamatan"),
        lambda d: f"{d:%d-%m-%Y}",
        {"L": "L", "P": "P"},
        "",
        True,
        "",
        str,
        False,
    ),
    Style(
        "BPNT",
        ",",
        ("DAFTAR KPM BPNT KABUPATEN KLATEN TAHUN 2026", ""),
        (
            "NO",
            "NIK",
            "NO KK",
            "NAMA PENERIMA",
            "TANGGAL LAHIR",
            "JENIS KELAMIN",
            "DESA",
            "KECAMATAN",
        ),
        lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
        {"L": "Laki-laki", "P": "Perempuan"},
        "-",
        False,
        "'",
        str,
        True,
    ),
    Style(
        "BSPS",
        "\t",
        ("REKAP PENERIMA BANTUAN BSPS", "KABUPATEN KLATEN TAHUN ANGGARAN 2026", ""),
        (
            "No. Urut",
            "Nomor Induk Kependudukan",
            "Nomor Kartu Keluarga",
            "Nama Lengkap",
            "Tanggal Lahir (dd/mm/yyyy)",
            "JK",
            "Kelurahan",
            "Kec.",
        ),
        lambda d: f"{d:%d/%m/%Y}",
        {"L": "L", "P": "P"},
        "",
        False,
        "",
        str,
        False,
    ),
    Style(
        "RTLH",
        ";",
        ("Daftar calon penerima RTLH 2026",),
        ("No", "NIK", "KK", "Nama Kepala Keluarga", "Tgl Lhr", "Jenis Kelamin", "Desa/Kel", "Kec"),
        lambda d: f"{d.day}/{d.month}/{d.year}",
        {"L": "LK", "P": "PR"},
        "",
        True,
        "",
        str,
        False,
    ),
    Style(
        "CSR",
        ",",
        (),
        ("ID Penerima", "NIK KTP", "NKK", "Nama", "Tanggal Lahir", "Gender", "Kel/Desa", "Kec"),
        lambda d: f"{d.day:02d} {MONTHS_SHORT[d.month - 1]} {d.year}",
        {"L": "Pria", "P": "Wanita"},
        "",
        False,
        "",
        lambda i: f"CSR-{i:06d}",
        True,
    ),
)


def csv_bytes(style: Style, rows: Sequence[Copy], places: Sequence[Place]) -> bytes:
    """The list as the clerk saves it, in memory."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=style.delimiter, lineterminator="\r\n")
    for line in style.title:
        writer.writerow([line] if line else [])
    writer.writerow(style.headers)
    for i, row in enumerate(rows, 1):
        place = places[row.place]
        name, village, kecamatan = row.name, place.village, place.kecamatan
        if style.capitals:
            name, village, kecamatan = name.upper(), village.upper(), kecamatan.upper()
        writer.writerow(
            (
                style.ref(i),
                style.number_prefix + row.nik if row.nik else style.missing,
                style.number_prefix + row.kk if row.kk else style.missing,
                name,
                style.date(row.born),
                style.sexes[row.sex],
                village,
                kecamatan,
            )
        )
    return out.getvalue().encode("utf-8-sig" if style.bom else "utf-8")


# --- the measure ---------------------------------------------------------------------------


def _pairs_of(groups: dict[object, list[int]], span: int, list_of: Sequence[int]) -> set[int]:
    """Every pair of ids of two lists that share a group, as ``a * span + b`` (a < b)."""
    found: set[int] = set()
    for ids in groups.values():
        for a, b in itertools.combinations(sorted(ids), 2):
            if list_of[a] != list_of[b]:
                found.add(a * span + b)
    return found


@dataclass(frozen=True)
class Score:
    links: int
    right: int
    truth: int

    @property
    def precision(self) -> float:
        return self.right / self.links if self.links else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.truth if self.truth else 1.0

    def text(self) -> str:
        return (
            f"{self.links:>9,} links, precision {self.precision:.4f}, "
            f"recall {self.recall:.4f} ({self.right:,} of {self.truth:,}; "
            f"{self.links - self.right:,} wrong, {self.truth - self.right:,} missed)"
        )


def score(found: set[int], truth: set[int]) -> Score:
    return Score(len(found), len(found & truth), len(truth))


def _verdict(ok: bool) -> str:
    return "met   " if ok else "MISSED"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--per-program", type=int, default=100_000, help="rows of each list")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--households", type=int, default=0, help="households of the population (default: 2x)"
    )
    args = parser.parse_args(argv)
    per_program = args.per_program
    households = args.households or 2 * per_program
    tune_collector()  # as a worker and the command line start
    rng = Random(args.seed)

    print("Titik Temu beneficiary-linkage benchmark: five lists of a synthetic Klaten linked")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}; load average {_load()}"
    )
    clock = time.perf_counter()
    pop = populate(rng, households)
    lists = draw_lists(pop, rng, per_program)
    tally = Tally(Counter())
    copies = [[copy_row(rng, pop, p, tally) for p in persons] for persons in lists]
    generated = time.perf_counter() - clock
    rss_generated = _rss_mb()
    rows_total = sum(len(c) for c in copies)
    print(
        f"population: {len(pop.hh_kk):,} households, {len(pop.name):,} people in "
        f"{len(pop.places)} villages; seed {args.seed}; made in {generated:.1f} s (not counted)"
    )
    in_lists = Counter(p for persons in lists for p in persons)
    spread = Counter(in_lists.values())
    print(
        f"lists: {len(lists)} x {per_program:,} = {rows_total:,} rows, "
        f"{len(in_lists):,} people; in 1/2/3/4/5 lists: "
        + " / ".join(f"{spread[k]:,}" for k in range(1, 6))
    )
    print(
        f"planted: names {tally.names['typo']:,} typos + {tally.names['variant']:,} variants, "
        f"{tally.dates_swapped:,} day/month swapped, NIK {tally.nik_missing:,} empty + "
        f"{tally.nik_wrong:,} one digit wrong, KK {tally.kk_missing:,} empty"
    )
    kecamatan_of = {
        (p.kecamatan.casefold(), p.village.casefold()): p.kecamatan_code for p in pop.places
    }
    key = LinkageKey.from_text(KEY_TEXT)

    # The product's path, list by list.
    times = {"read": 0.0, "encode": 0.0, "link": 0.0}
    written = 0.0
    encoded: list[list[EncodedRow]] = []
    problems_seen = 0
    for index, (style, rows) in enumerate(zip(STYLES, copies, strict=True)):
        clock = time.perf_counter()
        data = csv_bytes(style, rows, pop.places)
        written += time.perf_counter() - clock
        clock = time.perf_counter()
        table = read_table(f"{style.code}.csv", data)
        clear, problems = clear_rows(table, TODAY)
        times["read"] += time.perf_counter() - clock
        del data, table
        if problems or len(clear) != len(rows):
            problems_seen += len(problems)
            codes = Counter(p.code for p in problems)
            print(f"  {style.code}: {len(problems):,} problems reported: {dict(codes)}")
            for p in problems[:5]:
                print(f"    row {p.row} ref {p.ref}: {p.code} ({p.column})")
        clock = time.perf_counter()
        encoded.append(encode_rows(clear, key))
        times["encode"] += time.perf_counter() - clock
        print(
            f"  {style.code:5} list {index}: {len(clear):,} rows read "
            f"({style.headers[4]!r}, {style.headers[5]!r}, delimiter {style.delimiter!r})"
        )
        del clear

    # Ids: the lists' rows one after the other; what each really is (not timed).
    person_of: list[int] = []
    for index, (rows_encoded, rows) in enumerate(zip(encoded, copies, strict=True)):
        by_ref = {STYLES[index].ref(i): row.person for i, row in enumerate(rows, 1)}
        person_of += [by_ref[row.ref] for row in rows_encoded]
    household_of = [pop.household[person] for person in person_of]

    # The link job: the stored rows as Linkable records, then link.
    clock = time.perf_counter()
    rows_in: list[linkage.Linkable] = []
    unresolved = 0
    for index, rows_encoded in enumerate(encoded):
        for row in rows_encoded:
            kec = kecamatan_of.get((row.kecamatan.casefold(), row.village.casefold()), "")
            unresolved += not kec
            rows_in.append(
                linkage.Linkable(
                    len(rows_in),
                    index,
                    kec,
                    row.birth_year,
                    row.nik_hmac,
                    row.kk_hmac,
                    deserialise(row.clk),
                )
            )
    encoded.clear()  # stored by then: the link job reads Linkable records, not these
    links = linkage.link(rows_in, may_link=lambda a, b: a != b)
    times["link"] = time.perf_counter() - clock
    total = sum(times.values())
    rss = _rss_mb()
    if unresolved:
        print(f"  {unresolved:,} rows whose village was not resolved")

    # The truth and the figures.
    span = len(rows_in)
    by_person: dict[object, list[int]] = defaultdict(list)
    by_household: dict[object, list[int]] = defaultdict(list)
    by_nik: dict[object, list[int]] = defaultdict(list)
    for linkable in rows_in:
        by_person[person_of[linkable.id]].append(linkable.id)
        by_household[household_of[linkable.id]].append(linkable.id)
        if linkable.nik_hmac:
            by_nik[linkable.nik_hmac].append(linkable.id)
    list_of = [linkable.list_id for linkable in rows_in]
    same_person = _pairs_of(by_person, span, list_of)
    one_household = _pairs_of(by_household, span, list_of)
    two_people = one_household - same_person
    baseline = score(_pairs_of(by_nik, span, list_of), same_person)
    strengths = Counter(link.strength for link in links)
    person_links = {
        link.a * span + link.b for link in links if link.strength in (linkage.NIK, linkage.PERSON)
    }
    kk_links = {link.a * span + link.b for link in links if link.strength == linkage.KK}
    product = score(person_links, same_person)
    kk_right = len(kk_links & one_household)
    kk_found = len(kk_links & two_people)
    wrong = person_links - same_person
    wrong_nik = sum(1 for link in links if link.strength == linkage.NIK) - len(
        {link.a * span + link.b for link in links if link.strength == linkage.NIK} & same_person
    )
    wrong_same_household = len(wrong & two_people)
    missed = same_person - person_links
    missed_both_nik = sum(
        1 for pair in missed if rows_in[pair // span].nik_hmac and rows_in[pair % span].nik_hmac
    )

    print()
    print(
        f"links: {len(links):,} ("
        + ", ".join(f"{strengths[s]:,} {s}" for s in linkage.STRENGTHS)
        + f"); PERSON_THRESHOLD {linkage.PERSON_THRESHOLD}, "
        f"CONFLICT_THRESHOLD {linkage.CONFLICT_THRESHOLD}"
    )
    print(f"person level, baseline (NIK hash equal): {baseline.text()}")
    print(f"person level, product (nik + person):    {product.text()}")
    print(
        f"  wrong: {wrong_nik:,} nik links (a wrong digit giving another listed person's NIK), "
        f"{len(wrong) - wrong_nik:,} person links ({wrong_same_household:,} of them two people "
        f"of one household); missed: {missed_both_nik:,} of the pairs with a NIK on both rows "
        f"(one digit wrong, the CLKs below CONFLICT_THRESHOLD)"
    )
    print(
        f"household level (kk links): {len(kk_links):,} links, precision (one household) "
        f"{kk_right / len(kk_links) if kk_links else 1.0:.4f}; recall of the pairs of two people "
        f"of one household {kk_found / len(two_people) if two_people else 1.0:.4f} "
        f"({kk_found:,} of {len(two_people):,}; both KKs given: about "
        f"{(1 - KK_MISSING) ** 2:.2f})"
    )
    print()
    print(
        f"time: read {times['read']:.1f} s, encode {times['encode']:.1f} s, link "
        f"{times['link']:.1f} s; total {total:.1f} s ({rows_total / total:,.0f} rows/s); "
        f"writing the CSV {written:.1f} s (not counted)"
    )
    print(
        f"peak RSS {rss:,.0f} MB (the data made: {rss_generated:,.0f} MB); problems reported by "
        f"the reader: {problems_seen:,}"
    )
    print()
    print(f"targets (load average at the end: {_load()})")
    print(f"  {_verdict(problems_seen == 0)} the reader reports no problem: {problems_seen:,}")
    print(
        f"  {_verdict(product.precision >= TARGET_PRECISION)} precision >= {TARGET_PRECISION}: "
        f"{product.precision:.4f}"
    )
    print(
        f"  {_verdict(product.recall >= TARGET_RECALL)} recall >= {TARGET_RECALL}: "
        f"{product.recall:.4f}"
    )
    gain = product.recall - baseline.recall
    print(
        f"  {_verdict(gain >= TARGET_GAIN)} recall above the NIK baseline's by >= "
        f"{TARGET_GAIN * 100:.0f} points: {gain * 100:+.1f} ({baseline.recall:.4f} -> "
        f"{product.recall:.4f})"
    )
    print(
        f"  {_verdict(total < TARGET_TOTAL_S)} total < {TARGET_TOTAL_S:.0f} s for "
        f"{rows_total:,} rows: {total:.1f} s"
    )
    print(f"  {_verdict(rss < TARGET_RSS_MB)} peak RSS < 2 GB: {rss:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
