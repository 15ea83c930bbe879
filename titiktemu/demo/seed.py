"""Demo data for one regency: programs, facilitators, offers, needs and a 3W with planted overlaps.

The seed is planned as a pure function of the regency's places (sorted by code) and a fixed
random seed, as the importer's CSV files: shipped for Klaten in ``titiktemu/data/demo/33.10/``,
generated for any other regency. They go through the importer's own checks and writes by natural
keys (``titiktemu.imports.bundled``), which add only what is missing. So a second run finds every
row and adds or changes nothing, and two fresh databases get the same rows in the same order.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from titiktemu.accounts.signin import hash_password
from titiktemu.imports.bundled import add_missing
from titiktemu.imports.columns import COLUMNS, KINDS
from titiktemu.imports.reading import Upload
from titiktemu.models import (
    Base,
    FundingSource,
    Kecamatan,
    Language,
    NotifyPreference,
    Person,
    Program,
    Role,
    Village,
    VillageKind,
)
from titiktemu.models.places import under
from titiktemu.places.regions import load_regions, resolve_codes
from titiktemu.vocabulary.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

DEMO_REGENCY = "33.10"
DEMO_PASSWORD = "titiktemu-demo"  # noqa: S105 - published on purpose, refused in production
DEMO_COORDINATOR = "koordinator@example.org"
DEMO_FACILITATOR = "pendamping@example.org"
#: 31 December 2020, the day of the forum in the seed article.
SEED = 20201231

FACILITATORS = 60
OFFERS = 75
NEEDS = 75
LAST_DAY = dt.date(2027, 12, 31)


class DemoRefused(RuntimeError):  # noqa: N818 - the name the callers know
    """Demo accounts with a published password must never reach a production database."""


class RegionsNotLoadedError(LookupError):
    """The regency has no villages in the database yet."""


@dataclass
class DemoReport:
    """Rows the demo consists of, and how many of them this run created or found."""

    programs: int
    people: int
    offers: int
    needs: int
    interventions: int
    added: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    @property
    def total_added(self) -> int:
        return sum(self.added.values())


# --- Programs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Activity:
    """One kind of intervention a program runs; households and cost per household are ranges."""

    category: str
    title: str  # formatted with {place} and {year}
    households: tuple[int, int]
    idr_per_household: tuple[int, int]
    months: tuple[int, int]  # 12 = the whole budget year, from 1 January


@dataclass(frozen=True)
class _ProgramSpec:
    code: str
    name: str
    agency: str
    funding: FundingSource
    description: str
    categories: tuple[str, ...]
    staff_title: str
    staff: int  # demo facilitators whose main program this is
    skills: tuple[str, ...]  # what its facilitators typically know or hold
    activities: tuple[_Activity, ...]
    interventions: int  # random ones, besides the planted overlaps
    where: str = "any"  # "any", "desa" (Dana Desa: no kelurahan), "urban", "merapi"


def _a(
    category: str,
    title: str,
    households: tuple[int, int],
    idr: tuple[int, int],
    months: tuple[int, int],
) -> _Activity:
    return _Activity(category, title, households, idr, months)


# Data tables below are laid out by hand, one record per block, so the formatter leaves them be.
# fmt: off
PROGRAMS: tuple[_ProgramSpec, ...] = (
    _ProgramSpec(
        "PKH", "Program Keluarga Harapan", "Kementerian Sosial RI", FundingSource.APBN,
        "Bantuan sosial bersyarat untuk keluarga miskin, dengan pertemuan peningkatan kemampuan "
        "keluarga (P2K2) setiap bulan.",
        ("education", "health_nutrition", "livelihood_training", "social_assistance"),
        "Pendamping PKH", 13,
        ("poor_household_data", "financial_literacy", "civil_documents", "community_organising",
         "stunting_nutrition", "data_entry"),
        (
            _a("social_assistance", "Penyaluran bansos PKH {place} {year}",
               (60, 320), (2_000_000, 3_500_000), (12, 12)),
            _a("health_nutrition", "P2K2 modul kesehatan dan gizi KPM PKH {place}",
               (25, 60), (50_000, 150_000), (2, 4)),
            _a("education", "Verifikasi komitmen pendidikan anak KPM PKH {place}",
               (40, 150), (50_000, 100_000), (1, 3)),
        ),
        24,
    ),
    _ProgramSpec(
        "KOTAKU", "Kota Tanpa Kumuh (Kotaku)",
        "Kementerian PUPR, Direktorat Jenderal Cipta Karya (dukungan Bank Dunia)",
        FundingSource.APBN,
        "Peningkatan kualitas permukiman kumuh: jalan, drainase, sanitasi, air bersih dan rumah, "
        "bersama BKM/LKM. APBN dengan pinjaman Bank Dunia.",
        ("clean_water", "drainage_roads", "house_renovation", "sanitation", "waste_management"),
        "Fasilitator Kelurahan Kotaku", 4,
        ("participatory_mapping", "gis", "community_organising", "construction_supervision",
         "technical_design"),
        (
            _a("drainage_roads", "Drainase dan jalan lingkungan {place}",
               (80, 260), (2_500_000, 4_500_000), (3, 6)),
            _a("sanitation", "IPAL komunal dan jamban sehat {place}",
               (30, 120), (3_000_000, 6_000_000), (3, 5)),
            _a("clean_water", "Jaringan perpipaan air bersih {place}",
               (50, 150), (1_500_000, 3_000_000), (3, 5)),
            _a("house_renovation", "Peningkatan kualitas rumah kawasan kumuh {place}",
               (10, 30), (15_000_000, 20_000_000), (3, 6)),
            _a("waste_management", "TPS3R dan bank sampah {place}",
               (100, 300), (800_000, 1_500_000), (3, 6)),
        ),
        14, "urban",
    ),
    _ProgramSpec(
        "P3MD", "Program Pembangunan dan Pemberdayaan Masyarakat Desa (Pendamping Desa)",
        "Kementerian Desa dan Pembangunan Daerah Tertinggal", FundingSource.APBN,
        "Pendamping Desa dan Pendamping Lokal Desa membantu desa merencanakan dan membelanjakan "
        "Dana Desa serta mengembangkan BUMDes.",
        ("drainage_roads", "livelihood_training", "village_governance"),
        "Pendamping Desa", 14,
        ("village_planning", "village_budgeting", "village_finance_admin", "bumdes_development",
         "bookkeeping", "village_regulation", "proposal_writing", "reporting"),
        (
            _a("village_governance", "Fasilitasi penyusunan RKPDes {place} {year}",
               (20, 60), (250_000, 600_000), (1, 3)),
            _a("livelihood_training", "Pelatihan pengelolaan BUMDes {place}",
               (15, 40), (400_000, 900_000), (1, 2)),
            _a("drainage_roads", "Rabat beton jalan desa {place} (Dana Desa)",
               (40, 180), (800_000, 2_000_000), (2, 4)),
        ),
        28, "desa",
    ),
    _ProgramSpec(
        "RTLH", "Rehabilitasi Rumah Tidak Layak Huni",
        "Dinas Perumahan dan Kawasan Permukiman (Disperkim) Kabupaten Klaten", FundingSource.APBD,
        "Bantuan rehabilitasi rumah tidak layak huni dari APBD kabupaten, dikerjakan swadaya "
        "bersama tukang setempat.",
        ("house_renovation",),
        "Tenaga Teknis RTLH", 5,
        ("housing_data", "construction_supervision", "technical_design", "data_entry"),
        (
            _a("house_renovation", "Rehab RTLH {place} {year}",
               (5, 20), (12_500_000, 17_500_000), (3, 5)),
        ),
        20,
    ),
    _ProgramSpec(
        "BSPS", "Bantuan Stimulan Perumahan Swadaya",
        "Kementerian PUPR (kini Kementerian Perumahan dan Kawasan Permukiman)", FundingSource.APBN,
        "Stimulan Rp 20 juta per rumah untuk peningkatan kualitas rumah swadaya, didampingi "
        "Tenaga Fasilitator Lapangan (TFL).",
        ("house_renovation",),
        "TFL BSPS", 4,
        ("construction_supervision", "technical_design", "housing_data", "community_organising"),
        (
            _a("house_renovation", "BSPS peningkatan kualitas rumah swadaya {place}",
               (10, 30), (20_000_000, 20_000_000), (4, 6)),
        ),
        14,
    ),
    _ProgramSpec(
        "PAMSIMAS", "Penyediaan Air Minum dan Sanitasi Berbasis Masyarakat",
        "Kementerian PUPR, Direktorat Jenderal Cipta Karya (dukungan Bank Dunia)",
        FundingSource.APBN,
        "Sarana air minum perpipaan desa dan sanitasi sekolah, dikelola BPSPAMS.",
        ("clean_water", "sanitation"),
        "Fasilitator Pamsimas", 4,
        ("technical_design", "community_organising", "construction_supervision",
         "sanitation_hygiene"),
        (
            _a("clean_water", "SPAM perpipaan Pamsimas {place}",
               (120, 400), (700_000, 1_200_000), (4, 7)),
            _a("sanitation", "Sanitasi sekolah dan CTPS Pamsimas {place}",
               (40, 120), (150_000, 400_000), (2, 4)),
        ),
        12, "desa",
    ),
    _ProgramSpec(
        "STBM", "Sanitasi Total Berbasis Masyarakat",
        "Dinas Kesehatan Kabupaten Klaten (Puskesmas)", FundingSource.APBD,
        "Pemicuan lima pilar STBM oleh sanitarian puskesmas: stop BABS, CTPS, air minum, "
        "sampah dan limbah rumah tangga.",
        ("health_nutrition", "sanitation"),
        "Sanitarian Puskesmas", 7,
        ("sanitation_hygiene", "stunting_nutrition", "training_facilitation", "data_entry"),
        (
            _a("sanitation", "Pemicuan STBM dan arisan jamban {place}",
               (30, 150), (100_000, 300_000), (2, 6)),
            _a("health_nutrition", "Kelas gizi dan PMT balita {place}",
               (20, 80), (150_000, 400_000), (3, 6)),
        ),
        18,
    ),
    _ProgramSpec(
        "BLT-DD", "Bantuan Langsung Tunai Dana Desa", "Pemerintah Desa (Dana Desa)",
        FundingSource.APBDES,
        "Rp 300.000 per bulan untuk keluarga miskin ekstrem, ditetapkan lewat musyawarah desa.",
        ("social_assistance",),
        "Pendamping Desa", 0,  # run by the village, accompanied by the P3MD facilitators
        ("village_budgeting", "poor_household_data"),
        (
            _a("social_assistance", "BLT Dana Desa {place} {year}",
               (15, 60), (3_600_000, 3_600_000), (12, 12)),
        ),
        16, "desa",
    ),
    _ProgramSpec(
        "BPNT", "Bantuan Pangan Non Tunai (Program Sembako)", "Kementerian Sosial RI",
        FundingSource.APBN,
        "Rp 200.000 per bulan per keluarga untuk bahan pangan di e-warong.",
        ("social_assistance",),
        "TKSK / Pendamping Sosial", 2,
        ("poor_household_data", "data_entry", "civil_documents"),
        (
            _a("social_assistance", "Penyaluran BPNT {place} {year}",
               (90, 380), (2_400_000, 2_400_000), (12, 12)),
        ),
        12,
    ),
    _ProgramSpec(
        "CSR-BEDAH-RUMAH", "CSR Bedah Rumah Griya Sejahtera",
        "Yayasan Griya Sejahtera Nusantara (CSR PT Sentosa Jaya Makmur, fiktif)",
        FundingSource.CSR,
        "Program tanggung jawab sosial perusahaan (contoh fiktif): bedah rumah dan jamban untuk "
        "keluarga miskin di sekitar wilayah usaha.",
        ("education", "house_renovation", "sanitation"),
        "Staf CSR Griya Sejahtera", 2,
        ("proposal_writing", "reporting", "construction_supervision", "vehicle"),
        (
            _a("house_renovation", "Bedah rumah CSR Griya Sejahtera {place}",
               (2, 8), (25_000_000, 40_000_000), (2, 4)),
            _a("sanitation", "Jamban sehat CSR untuk warga {place}",
               (10, 40), (2_500_000, 4_000_000), (2, 3)),
        ),
        8,
    ),
    _ProgramSpec(
        "SIAGA-MERAPI", "Siaga Merapi: kesiapsiagaan bencana berbasis komunitas",
        "Konsorsium LSM Lereng Merapi (hibah donor internasional, fiktif)", FundingSource.DONOR,
        "Desa tangguh bencana di lereng Merapi: kajian risiko, jalur evakuasi, rencana "
        "kontinjensi dan penghidupan tahan bencana.",
        ("disaster_preparedness", "livelihood_training"),
        "Fasilitator Siaga Merapi", 2,
        ("disaster_risk_reduction", "participatory_mapping", "gis", "training_facilitation",
         "proposal_writing"),
        (
            _a("disaster_preparedness", "Pembentukan Desa Tangguh Bencana {place}",
               (80, 300), (300_000, 700_000), (4, 8)),
            _a("livelihood_training", "Pelatihan usaha tani dan ternak tahan bencana {place}",
               (20, 50), (1_000_000, 2_500_000), (2, 4)),
        ),
        8, "merapi",
    ),
    _ProgramSpec(
        "BAZNAS-KLATEN", "Zakat Produktif dan Bedah Rumah Baznas",
        "Badan Amil Zakat Nasional (Baznas) Kabupaten Klaten", FundingSource.BAZNAS,
        "Dana zakat, infak dan sedekah untuk modal usaha mustahik, bedah rumah, santunan dan "
        "beasiswa.",
        ("education", "house_renovation", "livelihood_training", "social_assistance"),
        "Amil Baznas", 3,
        ("poor_household_data", "bookkeeping", "financial_literacy", "product_marketing"),
        (
            _a("house_renovation", "Bedah rumah Baznas {place}",
               (2, 6), (15_000_000, 25_000_000), (2, 3)),
            _a("livelihood_training", "Zakat produktif dan pelatihan usaha mustahik {place}",
               (10, 30), (2_000_000, 5_000_000), (1, 3)),
            _a("social_assistance", "Santunan fakir miskin Baznas {place}",
               (20, 60), (500_000, 1_000_000), (1, 2)),
            _a("education", "Beasiswa pelajar Baznas {place}",
               (10, 40), (1_000_000, 2_500_000), (6, 10)),
        ),
        10,
    ),
)

MERAPI_KECAMATAN = ("Kemalang", "Manisrenggo", "Karangnongko")
#: Programs whose facilitators work only their own villages (the rest serve the whole regency).
VILLAGE_BOUND = ("PKH", "P3MD", "BLT-DD", "STBM", "PAMSIMAS")
GENERAL_SKILLS = (
    "community_organising", "data_entry", "meeting_venue", "projector", "proposal_writing",
    "sound_system", "training_facilitation", "vehicle",
)

# --- People -------------------------------------------------------------------------------------

FEMALE_FIRST = (
    "Sri", "Dwi", "Endang", "Siti", "Rina", "Yuli", "Dewi", "Retno", "Ratna", "Wulan", "Puji",
    "Fitri", "Indah", "Anik", "Titik", "Wiwik", "Sumarni", "Suparmi", "Lilis", "Nur",
)
FEMALE_LAST = (
    "Wahyuni", "Lestari", "Rahayu", "Handayani", "Utami", "Anggraini", "Suryani", "Mulyani",
    "Pratiwi", "Ningsih", "Astuti", "Setyowati", "Purwanti", "Maryati", "Yulianti", "Kusumawati",
    "Susilowati", "Rahmawati", "Wulandari", "Hastuti",
)
MALE_FIRST = (
    "Budi", "Slamet", "Eko", "Agus", "Bambang", "Joko", "Heru", "Wahyu", "Teguh", "Arif",
    "Sigit", "Hadi", "Rudi", "Bayu", "Fajar", "Yusuf", "Nanang", "Priyo", "Wawan", "Tri",
    "Dimas", "Galih",
)
MALE_LAST = (
    "Santoso", "Riyadi", "Prasetyo", "Susanto", "Hartono", "Setiawan", "Purnomo", "Nugroho",
    "Wibowo", "Kurniawan", "Sulistyo", "Saputra", "Widodo", "Hidayat", "Haryanto", "Sudarsono",
    "Hermawan", "Pamungkas", "Wicaksono", "Raharjo",
)
PHONE_PREFIXES = (
    "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0856", "0857", "0858", "0877",
    "0878", "0881", "0895", "0896", "0898",
)
COORDINATOR_NAME = "Hendra Kurniawan"
FACILITATOR_NAME = "Sri Wahyuni"

# --- Offers and needs: (Indonesian title, English title, skills) --------------------------------

_Template = tuple[str, str, tuple[str, ...]]

# The meeting points the forum talks about, planted around the demo facilitator.
PKH_DATA_FOR_RTLH: _Template = (
    "Data KPM PKH {place} untuk seleksi RTLH",
    "PKH beneficiary data for {place} to select RTLH recipients",
    ("poor_household_data",),
)
RTLH_NEEDS_POOR_DATA: _Template = (
    "Butuh data keluarga miskin {place} untuk calon penerima RTLH",
    "Need poor-household data for {place} to select house renovation recipients",
    ("poor_household_data",),
)
PKH_NEEDS_BOOKKEEPING: _Template = (
    "Butuh pelatihan pembukuan untuk KUBE PKH {place}",
    "Need bookkeeping training for the PKH business group in {place}",
    ("bookkeeping", "financial_literacy"),
)
BOOKKEEPING_TRAINING: _Template = (
    "Pelatihan pembukuan sederhana untuk BUMDes dan kelompok usaha",
    "Simple bookkeeping training for BUMDes and business groups",
    ("bookkeeping", "training_facilitation"),
)

OFFER_TEMPLATES: tuple[_Template, ...] = (
    ("Data KPM PKH {place} untuk seleksi penerima bantuan",
     "PKH beneficiary data for {place} to select aid recipients", ("poor_household_data",)),
    ("Data DTKS Kecamatan {kec} untuk verifikasi calon penerima",
     "DTKS poverty data for Kecamatan {kec} to verify candidates",
     ("data_entry", "poor_household_data")),
    ("Data RTLH hasil verifikasi lapangan {place}",
     "Field-verified substandard housing data for {place}", ("housing_data",)),
    BOOKKEEPING_TRAINING,
    ("Kelas literasi keuangan keluarga untuk ibu-ibu KPM",
     "Household financial literacy sessions for beneficiary mothers", ("financial_literacy",)),
    ("Pendampingan penyusunan RKPDes {year} dan usulan Musdes",
     "Support drafting the {year} RKPDes and village deliberation proposals",
     ("village_planning",)),
    ("Bantu input APBDes dan laporan di Siskeudes",
     "Help entering the APBDes and reports in Siskeudes",
     ("village_budgeting", "village_finance_admin")),
    ("Pemetaan partisipatif kawasan kumuh bersama warga",
     "Participatory slum mapping with residents",
     ("community_organising", "participatory_mapping")),
    ("Peta digital QGIS sebaran RTLH dan jamban {place}",
     "QGIS map of substandard houses and latrines in {place}", ("gis", "housing_data")),
    ("Pengawasan teknis bedah rumah dan jamban",
     "Technical supervision of house and latrine works", ("construction_supervision",)),
    ("Penyusunan RAB dan gambar kerja rumah dan jamban",
     "Cost estimates (RAB) and drawings for houses and latrines", ("technical_design",)),
    ("Pemicuan STBM dan promosi cuci tangan pakai sabun",
     "CLTS triggering and handwashing promotion", ("sanitation_hygiene",)),
    ("Kelas gizi dan pencegahan stunting untuk kader posyandu",
     "Nutrition and stunting prevention classes for posyandu volunteers",
     ("stunting_nutrition", "training_facilitation")),
    ("Pendampingan pengurusan KTP, KK dan akta kelahiran warga",
     "Help residents obtain ID cards, family cards and birth certificates",
     ("civil_documents",)),
    ("Konsultasi hukum gratis oleh paralegal", "Free legal advice from a paralegal",
     ("legal_aid",)),
    ("Pinjam pendopo untuk pertemuan warga di {kec}",
     "Hall available for community meetings in {kec}", ("meeting_venue",)),
    ("Mobil operasional untuk survei lapangan dan distribusi bantuan",
     "Car available for field surveys and aid distribution", ("vehicle",)),
    ("Proyektor dan layar untuk sosialisasi dan pelatihan",
     "Projector and screen for briefings and training", ("projector",)),
    ("Pengeras suara untuk rembug warga", "Sound system for community meetings",
     ("sound_system",)),
    ("Pendampingan penulisan proposal ke CSR dan Baznas",
     "Help writing proposals to CSR sponsors and Baznas", ("proposal_writing",)),
    ("Fasilitator ToT untuk kader desa", "Training-of-trainers facilitation for village cadres",
     ("training_facilitation",)),
    ("Pendampingan pembentukan dan penguatan KSM",
     "Forming and strengthening community self-help groups (KSM)", ("community_organising",)),
    ("Operator entri data survei rumah tangga", "Data entry for household surveys",
     ("data_entry",)),
    ("Penyusunan rencana usaha BUMDes", "BUMDes business planning", ("bumdes_development",)),
    ("Pelatihan pemasaran online produk UMKM", "Online marketing training for small producers",
     ("product_marketing",)),
    ("Penyusunan LPJ dan SPJ kegiatan", "Drafting activity accountability reports (LPJ/SPJ)",
     ("reporting",)),
    ("Pendampingan penyusunan Perdes BUMDes",
     "Help drafting the village regulation on BUMDes",
     ("bumdes_development", "village_regulation")),
    ("Kajian risiko bencana dan rencana kontinjensi desa",
     "Village disaster risk assessment and contingency plan", ("disaster_risk_reduction",)),
    ("Data profil desa dan IDM {place}", "Village profile and index data for {place}",
     ("village_data",)),
)

NEED_TEMPLATES: tuple[_Template, ...] = (
    RTLH_NEEDS_POOR_DATA,
    ("Butuh pelatihan pembukuan BUMDes {place}",
     "Need bookkeeping training for the BUMDes of {place}", ("bookkeeping",)),
    ("Butuh pendamping penyusunan proposal ke CSR",
     "Need help writing a proposal to a CSR sponsor", ("proposal_writing",)),
    ("Butuh pemetaan sebaran jamban {place}", "Need a map of latrines in {place}",
     ("participatory_mapping", "sanitation_hygiene")),
    ("Butuh tempat pertemuan untuk rembug warga {place}",
     "Need a venue for a community meeting in {place}", ("meeting_venue",)),
    ("Butuh kendaraan untuk distribusi bantuan {place}",
     "Need a vehicle to distribute aid in {place}", ("vehicle",)),
    ("Butuh proyektor untuk sosialisasi program", "Need a projector for a programme briefing",
     ("projector",)),
    ("Butuh fasilitator pelatihan kader posyandu {place}",
     "Need a trainer for posyandu volunteers in {place}",
     ("stunting_nutrition", "training_facilitation")),
    ("Butuh bantuan pengurusan KTP dan KK warga lansia {place}",
     "Need help with ID and family cards for elderly residents of {place}",
     ("civil_documents",)),
    ("Butuh pengawas konstruksi untuk bedah rumah {place}",
     "Need a construction supervisor for house renovation in {place}",
     ("construction_supervision",)),
    ("Butuh operator entri data penerima bantuan",
     "Need a data-entry operator for beneficiary lists", ("data_entry",)),
    ("Butuh peta GIS kawasan rawan banjir {place}",
     "Need a GIS map of flood-prone areas in {place}", ("disaster_risk_reduction", "gis")),
    ("Butuh bantuan hukum sengketa lahan untuk lokasi MCK {place}",
     "Need legal help with a land dispute over a toilet site in {place}", ("legal_aid",)),
    ("Butuh kelas literasi keuangan untuk kelompok KPM {place}",
     "Need financial literacy sessions for beneficiary groups in {place}",
     ("financial_literacy",)),
    ("Butuh pendampingan penyusunan Perdes BUMDes {place}",
     "Need help drafting the BUMDes village regulation of {place}", ("village_regulation",)),
    ("Butuh pemicuan STBM {place}", "Need CLTS triggering in {place}",
     ("sanitation_hygiene",)),
    ("Butuh pendamping rencana usaha BUMDes {place}",
     "Need help with the BUMDes business plan of {place}", ("bumdes_development",)),
    ("Butuh RAB rehab rumah untuk usulan ke Baznas",
     "Need a cost estimate (RAB) for a house renovation proposal to Baznas",
     ("proposal_writing", "technical_design")),
    ("Butuh data RTLH {place} untuk sinkronisasi penerima",
     "Need substandard housing data for {place} to reconcile recipient lists",
     ("housing_data",)),
    ("Butuh pelatihan pemasaran produk KWT {place}",
     "Need marketing training for the women farmers' group in {place}",
     ("product_marketing",)),
    ("Butuh pendamping penyusunan LPJ kegiatan", "Need help with activity accountability reports",
     ("reporting",)),
    ("Butuh pengeras suara untuk simulasi bencana {place}",
     "Need a sound system for a disaster drill in {place}",
     ("disaster_risk_reduction", "sound_system")),
    ("Butuh data profil desa {place} untuk perencanaan",
     "Need village profile data for {place} for planning", ("village_data",)),
    ("Butuh narasumber pengorganisasian kelompok perempuan",
     "Need a resource person on organising women's groups",
     ("community_organising", "training_facilitation")),
    ("Butuh fasilitator Musdes penetapan penerima BLT-DD {place}",
     "Need a facilitator for the village meeting choosing BLT-DD recipients in {place}",
     ("poor_household_data", "village_planning")),
)
# fmt: on


# --- The plan: plain records, no database ---------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    code: str
    name: str
    kecamatan_code: str
    kelurahan: bool

    @property
    def label(self) -> str:
        return f"{'Kelurahan' if self.kelurahan else 'Desa'} {self.name}"


@dataclass
class _PersonPlan:
    email: str
    name: str
    phone: str
    role: Role
    language: Language
    notify: NotifyPreference
    kecamatan_code: str | None
    home_village: str | None
    villages: list[str]
    programs: list[str]
    skills: list[str]
    skills_note: str
    login: bool = False


@dataclass(frozen=True)
class _OfferPlan:
    email: str
    title: str
    description: str
    skills: tuple[str, ...]
    villages: tuple[str, ...]
    kecamatan: tuple[str, ...]
    start: dt.date
    until: dt.date
    capacity: int


@dataclass(frozen=True)
class _NeedPlan:
    email: str
    title: str
    description: str
    skills: tuple[str, ...]
    kecamatan_code: str
    village_code: str | None
    start: dt.date
    until: dt.date


@dataclass(frozen=True)
class _InterventionPlan:
    program: str
    village: str
    category: str
    title: str
    start: dt.date
    end: dt.date
    households: int
    budget_idr: int
    facilitator: str | None

    @property
    def key(self) -> tuple[str, str, str, dt.date]:
        return (self.program, self.village, self.category, self.start)


_Row = TypeVar("_Row", _OfferPlan, _NeedPlan)


@dataclass
class _Plan:
    people: list[_PersonPlan] = field(default_factory=list)
    offers: list[_OfferPlan] = field(default_factory=list)
    needs: list[_NeedPlan] = field(default_factory=list)
    interventions: list[_InterventionPlan] = field(default_factory=list)


class _Planner:
    """Builds the whole demo from the places alone; every choice goes through one seeded RNG."""

    def __init__(
        self, regency_code: str, kecamatan: Sequence[tuple[str, str]], villages: Sequence[_Place]
    ) -> None:
        self.regency = regency_code
        self.rng = random.Random(f"{SEED}:{regency_code}")  # noqa: S311 - repeatable, not secret
        self.kecamatan = sorted(kecamatan)
        self.kec_name = dict(self.kecamatan)
        self.kec_codes = [code for code, _ in self.kecamatan]
        self.villages = sorted(villages, key=lambda v: v.code)
        self.place = {v.code: v for v in self.villages}
        self.in_kec: dict[str, list[_Place]] = {code: [] for code in self.kec_codes}
        for village in self.villages:
            self.in_kec[village.kecamatan_code].append(village)
        self.kec_codes = [code for code in self.kec_codes if self.in_kec[code]]
        self.programs = {p.code: p for p in PROGRAMS}
        self.plan = _Plan()
        self.used_names = {COORDINATOR_NAME, FACILITATOR_NAME}
        self.used_emails: set[str] = set()

    # Regions of the regency -----------------------------------------------------------------

    def _areas(self) -> None:
        rng = self.rng
        urban = [k for k in self.kec_codes if any(v.kelurahan for v in self.in_kec[k])]
        self.urban = urban or sorted(rng.sample(self.kec_codes, min(3, len(self.kec_codes))))
        merapi = [k for k in self.kec_codes if self.kec_name[k] in MERAPI_KECAMATAN]
        self.merapi = merapi or sorted(rng.sample(self.kec_codes, min(3, len(self.kec_codes))))
        rural = [k for k in self.kec_codes if k not in self.urban and k not in self.merapi]
        rural = [k for k in rural if len(self.in_kec[k]) >= 6] or self.kec_codes
        # The planted stories: K1 is the demo facilitator's kecamatan.
        self.k1 = rng.choice(rural)
        h1, b1 = rng.sample(self._desa(self.k1), 2)
        self.h1, self.b1 = h1.code, b1.code
        kelurahan = [v for k in self.urban for v in self.in_kec[k] if v.kelurahan]
        h2 = rng.choice(kelurahan or [v for k in self.urban for v in self.in_kec[k]])
        self.h2 = h2.code
        near = [v for v in self.in_kec[h2.kecamatan_code] if v != h2 and not v.kelurahan]
        near = near or [v for k in self.urban for v in self.in_kec[k] if v != h2]
        self.l1 = rng.choice(near).code
        others = [v for v in self.villages if v.kecamatan_code not in (self.k1, *self.urban)]
        self.h3 = rng.choice([v for v in others if not v.kelurahan] or self.villages).code

    def _desa(self, kec: str) -> list[_Place]:
        return [v for v in self.in_kec[kec] if not v.kelurahan] or self.in_kec[kec]

    def _allowed(self, spec: _ProgramSpec) -> list[_Place]:
        if spec.where == "urban":
            return [v for k in self.urban for v in self.in_kec[k]]
        if spec.where == "merapi":
            return [v for k in self.merapi for v in self.in_kec[k]]
        if spec.where == "desa":
            return [v for v in self.villages if not v.kelurahan] or self.villages
        return self.villages

    # People ---------------------------------------------------------------------------------

    def _email(self, local: str) -> str:
        suffix = "" if self.regency == DEMO_REGENCY else "." + self.regency.replace(".", "")
        base = f"{local}{suffix}"
        email, n = f"{base}@example.org", 2
        while email in self.used_emails:
            email, n = f"{base}{n}@example.org", n + 1
        self.used_emails.add(email)
        return email

    def _name(self) -> str:
        while True:
            if self.rng.random() < 0.5:
                name = f"{self.rng.choice(FEMALE_FIRST)} {self.rng.choice(FEMALE_LAST)}"
            else:
                name = f"{self.rng.choice(MALE_FIRST)} {self.rng.choice(MALE_LAST)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def _phone(self) -> str:
        digits = "".join(str(self.rng.randrange(10)) for _ in range(8))
        return self.rng.choice(PHONE_PREFIXES) + digits

    def _coverage(self, kec: str, must: Sequence[str] = ()) -> tuple[str, list[str]]:
        """Home village and covered villages: some of the home kecamatan, maybe a neighbour's."""
        rng = self.rng
        own = self.in_kec[kec]
        picked = rng.sample(own, min(len(own), rng.randint(3, 8)))
        index = self.kec_codes.index(kec)
        if rng.random() < 0.4 and len(self.kec_codes) > 1:
            side = self.kec_codes[(index + rng.choice((-1, 1))) % len(self.kec_codes)]
            theirs = self.in_kec[side]
            picked += rng.sample(theirs, min(len(theirs), rng.randint(1, 3)))
        codes = sorted({v.code for v in picked} | set(must))
        home = rng.choice([c for c in codes if self.place[c].kecamatan_code == kec] or codes)
        return home, codes

    def _person(
        self,
        program: str,
        kec: str,
        *,
        email: str | None = None,
        name: str | None = None,
        must: Sequence[str] = (),
        skills: Sequence[str] = (),
    ) -> _PersonPlan:
        rng = self.rng
        spec = self.programs[program]
        name = name or self._name()
        if email is None:
            local = ".".join(part.lower() for part in name.split())
            email = self._email(local)
        home, villages = self._coverage(kec, must)
        programs = [program]
        if program == "P3MD" and rng.random() < 0.6:
            programs.append("BLT-DD")
        if program == "PKH" and rng.random() < 0.3:
            programs.append("BPNT")
        if not skills:
            pool = list(spec.skills)
            chosen = set(rng.sample(pool, min(len(pool), rng.randint(2, 4))))
            if rng.random() < 0.35:
                chosen.add(rng.choice(GENERAL_SKILLS))
            skills = sorted(chosen)
        language = Language.EN if program == "SIAGA-MERAPI" else Language.ID
        note = (
            f"{spec.staff_title} di Kecamatan {self.kec_name[kec]} sejak {rng.randint(2012, 2023)}."
        )
        return _PersonPlan(
            email=email,
            name=name,
            phone=self._phone(),
            role=Role.FACILITATOR,
            language=language,
            notify=NotifyPreference.DAILY if rng.random() < 0.2 else NotifyPreference.IMMEDIATE,
            kecamatan_code=kec,
            home_village=home,
            villages=villages,
            programs=sorted(programs),
            skills=sorted(skills),
            skills_note=note,
        )

    def _people(self) -> None:
        rng = self.rng
        n = len(self.kec_codes)
        slots = [k for _ in range(FACILITATORS // n) for k in self.kec_codes]
        slots += sorted(rng.sample(self.kec_codes, FACILITATORS % n))
        # The planted stories need three people in K1: PKH (the demo login), RTLH and P3MD.
        for _ in range(3):
            slots.remove(self.k1 if self.k1 in slots else slots[-1])
        people = self.plan.people
        demo = self._person(
            "PKH",
            self.k1,
            email=self._demo_email(DEMO_FACILITATOR),
            name=FACILITATOR_NAME,
            must=(self.h1, self.b1),
            skills=(
                "civil_documents",
                "community_organising",
                "financial_literacy",
                "poor_household_data",
            ),
        )
        demo.login = True
        people.append(demo)
        people.append(self._person("RTLH", self.k1, must=(self.h1,)))
        people.append(self._person("P3MD", self.k1, must=(self.b1,)))
        staff: list[str] = []
        for spec in PROGRAMS:
            planted = {"PKH": 1, "RTLH": 1, "P3MD": 1}.get(spec.code, 0)
            staff += [spec.code] * (spec.staff - planted)
        # Kotaku works in the towns, Siaga Merapi on the volcano's slope: seat them there first.
        restricted = {"KOTAKU": self.urban, "SIAGA-MERAPI": self.merapi}
        for index, program in enumerate(staff):
            area = restricted.get(program)
            if area is None:
                continue
            fits = [s for s in slots if s in area] or slots
            if program == "KOTAKU" and index == staff.index(program):
                fits = [s for s in fits if s == self.place[self.h2].kecamatan_code] or fits
            kec = rng.choice(fits)
            slots.remove(kec)
            must = (
                (self.h2, self.l1) if program == "KOTAKU" and index == staff.index(program) else ()
            )
            people.append(self._person(program, kec, must=must))
        rest = [p for p in staff if p not in restricted]
        rng.shuffle(rest)
        for program, kec in zip(rest, slots, strict=True):
            people.append(self._person(program, kec))
        for person in rng.sample(people[3:], 2):
            person.language = Language.EN
        coordinator = _PersonPlan(
            email=self._demo_email(DEMO_COORDINATOR),
            name=COORDINATOR_NAME,
            phone=self._phone(),
            role=Role.COORDINATOR,
            language=Language.ID,
            notify=NotifyPreference.DAILY,
            kecamatan_code=None,
            home_village=None,
            villages=[],
            programs=[],
            skills=["community_organising", "training_facilitation"],
            skills_note="Koordinator forum pendamping pembangunan lintas program.",
            login=True,
        )
        people.append(coordinator)

    def _demo_email(self, email: str) -> str:
        if self.regency == DEMO_REGENCY:
            self.used_emails.add(email)
            return email
        return self._email(email.split("@")[0])

    # Offers and needs -------------------------------------------------------------------------

    def _window(
        self, first: dt.date, months: int, days: tuple[int, int]
    ) -> tuple[dt.date, dt.date]:
        start = first + dt.timedelta(
            days=30 * self.rng.randrange(months) + self.rng.choice((0, 14))
        )
        until = min(start + dt.timedelta(days=self.rng.randint(*days)), LAST_DAY)
        return start, until

    def _fill(self, template: str, person: _PersonPlan, village: str | None) -> str:
        kec = self.kec_name[person.kecamatan_code or ""]
        place = self.place[village].label if village else f"Kecamatan {kec}"
        return template.format(place=place, kec=kec, year=self.rng.choice((2026, 2027)))

    def _offer(
        self,
        person: _PersonPlan,
        template: _Template,
        village: str | None = None,
        window: tuple[dt.date, dt.date] | None = None,
    ) -> _OfferPlan:
        rng = self.rng
        title_id, title_en, skills = template
        village = village or rng.choice(person.villages)
        english = person.language is Language.EN
        title = self._fill(title_en if english else title_id, person, village)
        # Offered in the village it names and a few more of the person's, or its whole kecamatan.
        kec = self.place[village].kecamatan_code
        villages: tuple[str, ...] = ()
        kecamatan: tuple[str, ...] = ()
        if rng.random() < 0.5:
            others = [v for v in person.villages if v != village]
            more = rng.sample(others, min(2, len(others)))
            villages = tuple(sorted({village, *more}))
        else:
            kecamatan = (kec,)
        start, until = window or self._window(dt.date(2026, 1, 1), 12, (90, 365))
        where = f"Kecamatan {self.kec_name[kec]}"
        description = (
            f"Available to colleagues of other programs in {where}; message me in Titik Temu."
            if english
            else f"Bisa dibagi ke pendamping program lain di {where}. Hubungi saya di Titik Temu."
        )
        return _OfferPlan(
            email=person.email,
            title=title,
            description=description,
            skills=tuple(sorted(skills)),
            villages=villages,
            kecamatan=kecamatan,
            start=start,
            until=until,
            capacity=rng.randint(1, 4),
        )

    def _need(
        self,
        person: _PersonPlan,
        template: _Template,
        village: str | None = None,
        window: tuple[dt.date, dt.date] | None = None,
    ) -> _NeedPlan:
        rng = self.rng
        title_id, title_en, skills = template
        if village is None and rng.random() < 0.7:
            village = rng.choice(person.villages)
        english = person.language is Language.EN
        title = self._fill(title_en if english else title_id, person, village)
        kec = self.place[village].kecamatan_code if village else person.kecamatan_code or ""
        start, until = window or self._window(dt.date(2026, 1, 1), 18, (30, 180))
        description = (
            "Looking for a colleague from another program who can help."
            if english
            else "Mencari rekan pendamping dari program lain yang bisa membantu."
        )
        return _NeedPlan(
            email=person.email,
            title=title,
            description=description,
            skills=tuple(sorted(skills)),
            kecamatan_code=kec,
            village_code=village,
            start=start,
            until=until,
        )

    def _exchange(self) -> None:
        people = self.plan.people
        demo, rtlh, p3md = people[0], people[1], people[2]
        kotaku = next(p for p in people if "KOTAKU" in p.programs)
        d = dt.date
        offers, needs = self.plan.offers, self.plan.needs
        # The PKH facilitator holds the list the RTLH team is looking for, before its works start.
        offers.append(self._offer(demo, PKH_DATA_FOR_RTLH, self.h1, (d(2026, 1, 5), LAST_DAY)))
        needs.append(
            self._need(rtlh, RTLH_NEEDS_POOR_DATA, self.h1, (d(2026, 2, 2), d(2026, 5, 29)))
        )
        # A fourth bookkeeping course for the same group, or one the Pendamping Desa already gives.
        window = (d(2026, 1, 12), d(2026, 6, 30))
        needs.append(self._need(demo, PKH_NEEDS_BOOKKEEPING, self.b1, window))
        offers.append(self._offer(p3md, BOOKKEEPING_TRAINING, self.b1, (d(2026, 1, 5), LAST_DAY)))
        # The Kotaku latrine plan belongs in next year's village plan, drafted mid-year.
        l1 = self.place[self.l1]
        forum = "Musrenbang Kelurahan 2027" if l1.kelurahan else "RKPDes 2027"
        latrines: _Template = (
            f"Usulan jamban Kotaku masuk {forum} {{place}}",
            f"Get the Kotaku latrine plan into the {forum} of {{place}}",
            ("village_budgeting", "village_planning"),
        )
        needs.append(self._need(kotaku, latrines, self.l1, (d(2026, 6, 1), d(2026, 9, 30))))
        self._fill_up(
            offers,
            OFFERS,
            lambda person: self._offer(person, self._template(person, OFFER_TEMPLATES, own=True)),
        )
        self._fill_up(
            needs,
            NEEDS,
            lambda person: self._need(person, self._template(person, NEED_TEMPLATES, own=False)),
        )

    def _template(
        self, person: _PersonPlan, templates: tuple[_Template, ...], *, own: bool
    ) -> _Template:
        """Offers draw on the person's own skills, needs on what they lack."""
        skills = set(person.skills)
        fitting = [t for t in templates if bool(skills & set(t[2])) == own] or list(templates)
        return self.rng.choice(fitting)

    def _fill_up(self, rows: list[_Row], target: int, make: Callable[[_PersonPlan], _Row]) -> None:
        """Deal rows out to the facilitators in a shuffled round until ``target``; titles unique."""
        order = [p for p in self.plan.people if p.role is Role.FACILITATOR]
        self.rng.shuffle(order)
        taken = {(row.email, row.title) for row in rows}
        for turn in range(target * 20):
            if len(rows) >= target:
                break
            row = make(order[turn % len(order)])
            if (row.email, row.title) not in taken:
                taken.add((row.email, row.title))
                rows.append(row)

    # Interventions ----------------------------------------------------------------------------

    def _intervention(
        self,
        program: str,
        village: str,
        activity: _Activity,
        start: dt.date | None = None,
        end: dt.date | None = None,
        title: str | None = None,
    ) -> _InterventionPlan:
        rng = self.rng
        if start is None or end is None:
            year = rng.choice((2025, 2026, 2026, 2027))
            months = rng.randint(*activity.months)
            if months == 12:  # yearly transfers run the whole budget year
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            else:
                start = dt.date(year, rng.randint(1, 12 - months), rng.choice((1, 15)))
                end = min(start + dt.timedelta(days=30 * months), dt.date(year, 12, 31))
        households = rng.randint(*activity.households)
        low, high = activity.idr_per_household
        per_household = rng.randint(low // 50_000, high // 50_000) * 50_000
        place = self.place[village]
        return _InterventionPlan(
            program=program,
            village=village,
            category=activity.category,
            title=title or activity.title.format(place=place.label, year=start.year),
            start=start,
            end=end,
            households=households,
            budget_idr=households * per_household,
            facilitator=self._facilitator(program, place),
        )

    def _facilitator(self, program: str, place: _Place) -> str | None:
        """The facilitator accompanying an intervention, nearest first; None if nobody fits."""
        # Regency-wide programs send anyone; a village-bound one's field worker there is simply
        # not on Titik Temu yet, as in real life.
        staff = [p for p in self.plan.people if program in p.programs]
        near = [p for p in staff if place.code in p.villages]
        near = near or [p for p in staff if p.kecamatan_code == place.kecamatan_code]
        if not near and program not in VILLAGE_BOUND:
            near = staff
        return self.rng.choice(near).email if near else None

    def _interventions(self) -> None:
        d = dt.date
        group = "KWT Ngudi Rejeki"  # one women's group, trained in bookkeeping three times
        # fmt: off
        planted: list[tuple[str, str, str, dt.date, dt.date, str | None]] = [
            # Four programs renovating houses in one desa in 2026, each with its own list.
            ("RTLH", self.h1, "house_renovation", d(2026, 4, 1), d(2026, 8, 31), None),
            ("BSPS", self.h1, "house_renovation", d(2026, 5, 4), d(2026, 10, 30), None),
            ("CSR-BEDAH-RUMAH", self.h1, "house_renovation", d(2026, 6, 15), d(2026, 9, 15), None),
            ("BAZNAS-KLATEN", self.h1, "house_renovation", d(2026, 7, 1), d(2026, 8, 31), None),
            # Kotaku's slum upgrading with RTLH, BSPS and Baznas in one urban village.
            ("KOTAKU", self.h2, "house_renovation", d(2026, 3, 2), d(2026, 8, 31), None),
            ("RTLH", self.h2, "house_renovation", d(2026, 7, 1), d(2026, 10, 30), None),
            ("BSPS", self.h2, "house_renovation", d(2026, 6, 1), d(2026, 11, 30), None),
            ("BAZNAS-KLATEN", self.h2, "house_renovation", d(2026, 8, 3), d(2026, 9, 30), None),
            # A CSR sponsor arriving where RTLH already works, a year later.
            ("RTLH", self.h3, "house_renovation", d(2027, 3, 1), d(2027, 7, 30), None),
            ("CSR-BEDAH-RUMAH", self.h3, "house_renovation", d(2027, 5, 3), d(2027, 7, 30), None),
            # Three programs training the same women's group in bookkeeping.
            ("P3MD", self.b1, "livelihood_training", d(2026, 2, 9), d(2026, 3, 20),
             f"Pelatihan pembukuan BUMDes dan {group} {{place}}"),
            ("BAZNAS-KLATEN", self.b1, "livelihood_training", d(2026, 3, 2), d(2026, 4, 30),
             f"Pelatihan pembukuan usaha mustahik {group} {{place}}"),
            ("PKH", self.b1, "livelihood_training", d(2026, 3, 16), d(2026, 5, 29),
             f"P2K2 pengelolaan keuangan untuk KUBE dan {group} {{place}}"),
            # Kotaku and STBM both building latrines in one village.
            ("KOTAKU", self.l1, "sanitation", d(2026, 4, 1), d(2026, 9, 30), None),
            ("STBM", self.l1, "sanitation", d(2026, 3, 2), d(2026, 8, 31), None),
        ]
        # fmt: on
        rows = self.plan.interventions
        keys: set[tuple[str, str, str, dt.date]] = set()
        for program, village, category, start, end, title in planted:
            activity = next(
                (a for a in self.programs[program].activities if a.category == category),
                _Activity(category, "", (15, 35), (300_000, 800_000), (1, 3)),
            )
            label = self.place[village].label
            text = title.format(place=label) if title else None
            row = self._intervention(program, village, activity, start, end, text)
            keys.add(row.key)
            rows.append(row)
        for spec in PROGRAMS:
            allowed = self._allowed(spec)
            covered = sorted(
                {c for p in self.plan.people if spec.code in p.programs for c in p.villages}
                & {v.code for v in allowed}
            )
            made = 0
            for _ in range(spec.interventions * 20):
                if made == spec.interventions:
                    break
                if covered and self.rng.random() < 0.7:
                    village = self.rng.choice(covered)
                else:
                    village = self.rng.choice(allowed).code
                row = self._intervention(spec.code, village, self.rng.choice(spec.activities))
                if row.key not in keys:
                    keys.add(row.key)
                    rows.append(row)
                    made += 1

    def build(self) -> _Plan:
        self._areas()
        self._people()
        self._exchange()
        self._interventions()
        return self.plan


def _plan_demo(
    regency_code: str, kecamatan: Sequence[tuple[str, str]], villages: Sequence[_Place]
) -> _Plan:
    """The demo as plain records: the same places always give the same plan."""
    return _Planner(regency_code, kecamatan, villages).build()


# --- Writing it: as spreadsheets, through the importer ----------------------------------------

#: The files the importer reads, one per kind (``titiktemu.imports.KINDS``), shipped for the
#: demo regency (regenerate: ``python -m titiktemu.demo.seed``); other regencies get theirs
#: generated from their places. Columns past the importer's are the demo's own (a program's
#: description; a person's notification preference, note and demo login).
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_COLUMNS: dict[str, tuple[str, ...]] = {
    "programs": ("description",),
    "people": ("notify", "skills_note", "demo_login"),
}


def seed_demo(
    session: Session, regency_code: str = DEMO_REGENCY, *, production: bool = False
) -> DemoReport:
    """Seed (or complete) the demo of one regency; a second run adds and changes nothing."""
    if production:
        raise DemoRefused(
            "refusing to seed demo data in production: it creates accounts with the published "
            f"password {DEMO_PASSWORD!r}"
        )
    load_taxonomy(session)
    if (
        session.scalar(sa.select(Village.code).where(under(Village.code.expression, regency_code)))
        is None
    ):
        raise RegionsNotLoadedError(
            f"no villages under {regency_code} in the database: "
            f"run `titiktemu regions load {regency_code}` first"
        )
    files = shipped_files(regency_code) or demo_files(session, regency_code)
    plan = add_missing(
        session, [Upload(f"{kind}.csv", data) for kind, data in files.items()], regency_code
    )
    added = {kind: [c.record.values for c in plan[kind] if c.status == "new"] for kind in KINDS}
    _demo_columns(session, files, added)
    session.commit()
    report = DemoReport(
        programs=len(plan["programs"]),
        people=len(plan["people"]),
        offers=len(plan["offers"]),
        needs=len(plan["needs"]),
        interventions=len(plan["interventions"]),
        added={kind: len(added[kind]) for kind in KINDS},
        existing={kind: len(plan[kind]) - len(added[kind]) for kind in KINDS},
    )
    log.info(
        "demo seeded for %s: %s added, %s existing", regency_code, report.added, report.existing
    )
    return report


def shipped_files(regency_code: str) -> dict[str, bytes] | None:
    """The demo's files for ``regency_code`` as shipped in the package, if it has them."""
    folder = DATA_DIR / regency_code
    if not folder.is_dir():
        return None
    return {kind: (folder / f"{kind}.csv").read_bytes() for kind in KINDS}


def demo_files(session: Session, regency_code: str) -> dict[str, bytes]:
    """The demo of ``regency_code`` as the importer's CSV files (kind -> UTF-8 bytes), planned
    from the regency's places: the same places always give the same bytes."""
    villages = session.scalars(
        sa.select(Village)
        .where(under(Village.code.expression, regency_code))
        .order_by(Village.code)
    ).all()
    kecamatan = session.scalars(
        sa.select(Kecamatan).where(Kecamatan.regency_code == regency_code).order_by(Kecamatan.code)
    ).all()
    places = [
        _Place(v.code, v.name, v.kecamatan_code, v.kind is VillageKind.KELURAHAN) for v in villages
    ]
    plan = _plan_demo(regency_code, [(k.code, k.name) for k in kecamatan], places)
    listed = ";".join
    rows: dict[str, list[list[object]]] = {
        "programs": [
            [p.code, p.name, p.agency, p.funding.value, listed(p.categories), p.description]
            for p in PROGRAMS
        ],
        "people": [
            [
                p.email,
                p.name,
                p.phone,
                p.role.value,
                listed(p.programs),
                p.home_village or "",
                listed(p.villages),
                listed(p.skills),
                p.language.value,
                p.notify.value,
                p.skills_note,
                "yes" if p.login else "",
            ]
            for p in plan.people
        ],
        "interventions": [
            [
                i.program,
                i.village,
                i.category,
                i.start.isoformat(),
                i.end.isoformat(),
                i.households,
                i.budget_idr,
                i.facilitator or "",
                i.title,
            ]
            for i in plan.interventions
        ],
        "offers": [
            [
                o.email,
                o.title,
                listed(o.skills),
                listed(o.villages + o.kecamatan),
                o.start.isoformat(),
                o.until.isoformat(),
                o.capacity,
                o.description,
            ]
            for o in plan.offers
        ],
        "needs": [
            [
                n.email,
                n.title,
                listed(n.skills),
                n.village_code or n.kecamatan_code,
                n.start.isoformat(),
                n.until.isoformat(),
                n.description,
            ]
            for n in plan.needs
        ],
    }
    files: dict[str, bytes] = {}
    for kind in KINDS:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow((*COLUMNS[kind], *DEMO_COLUMNS.get(kind, ())))
        writer.writerows(rows[kind])
        files[kind] = out.getvalue().encode("utf-8")
    return files


def _demo_columns(
    session: Session, files: dict[str, bytes], added: dict[str, list[dict[str, object]]]
) -> None:
    """What only the demo has, for the rows it just added: programs' descriptions; people's
    preference, note, demo flag and, for the two demo logins, the published password."""
    extra = {
        kind: _by_key(files[kind], key) for kind, key in (("programs", "code"), ("people", "email"))
    }
    codes = [str(values["code"]) for values in added["programs"]]
    for program in session.scalars(sa.select(Program).where(Program.code.in_(codes))):
        program.description = extra["programs"][program.code]["description"]
    emails = [str(values["email"]) for values in added["people"]]
    for person in session.scalars(sa.select(Person).where(Person.email.in_(emails))):
        row = extra["people"][person.email]
        person.notify = NotifyPreference(row["notify"])
        person.skills_note = row["skills_note"]
        person.is_demo = True
        if row["demo_login"]:
            person.password_hash = hash_password(DEMO_PASSWORD)
    session.flush()


def _by_key(data: bytes, key: str) -> dict[str, dict[str, str]]:
    return {row[key]: row for row in csv.DictReader(io.StringIO(data.decode("utf-8")))}


def main() -> None:
    """Write the shipped demo files of the demo regency, planned from its shipped places."""
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        load_regions(session, resolve_codes([DEMO_REGENCY]))
        load_taxonomy(session)
        folder = DATA_DIR / DEMO_REGENCY
        folder.mkdir(parents=True, exist_ok=True)
        for kind, data in demo_files(session, DEMO_REGENCY).items():
            (folder / f"{kind}.csv").write_bytes(data)
            rows = len(data.splitlines()) - 1
            print(f"{folder / kind}.csv: {rows} rows")


if __name__ == "__main__":
    main()
