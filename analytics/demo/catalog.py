"""The demo regency's vocabulary: channels, categories and which unit handles them, unit speeds.

Pure data, no randomness. analytics/demo.py turns these tables into a synthetic complaint log;
docs/demo-data.md describes them for people. Units are found in the region's units.csv by code
first and by words in their name second, so a renamed OPD still gets its complaints; a category
whose unit the region does not have is dropped (its share goes to the others).
"""

from __future__ import annotations

from dataclasses import dataclass

# Channel -> share of complaints. "office" channels only run in working hours on working days.
CHANNELS: dict[str, float] = {
    "WhatsApp": 0.60,
    "SP4N-LAPOR!": 0.15,
    "Call Center": 0.08,
    "Instagram": 0.07,
    "Website": 0.05,
    "Tatap Muka": 0.05,
}
OFFICE_CHANNELS: frozenset[str] = frozenset({"Call Center", "Tatap Muka"})
# Probability that a complaint on this channel carries a map point (shared location, photo EXIF).
COORD_SHARE: dict[str, float] = {
    "WhatsApp": 0.93,
    "SP4N-LAPOR!": 0.80,
    "Call Center": 0.55,
    "Instagram": 0.80,
    "Website": 0.85,
    "Tatap Muka": 0.60,
}
# Verification speed by channel (multiplier on the verifier's delay).
CHANNEL_VERIFY: dict[str, float] = {
    "WhatsApp": 1.0,
    "SP4N-LAPOR!": 2.2,
    "Call Center": 0.6,
    "Instagram": 1.3,
    "Website": 1.2,
    "Tatap Muka": 0.1,
}

# Hour-of-day weights (0..23, WIB) for when complaints arrive.
HOURS_DIGITAL: tuple[float, ...] = (
    0.35, 0.2, 0.15, 0.1, 0.2, 0.5, 1.2, 2.6, 5.0, 7.0, 7.4, 7.0,
    5.4, 6.4, 6.4, 5.6, 4.6, 3.6, 3.2, 3.8, 4.3, 3.8, 2.4, 1.0,
)  # fmt: skip
HOURS_OFFICE: tuple[float, ...] = (
    0, 0, 0, 0, 0, 0, 0, 0.5, 6.0, 9.0, 9.0, 8.0,
    4.0, 7.0, 7.0, 5.0, 2.0, 0, 0, 0, 0, 0, 0, 0,
)  # fmt: skip
HOURS_HOLIDAY: tuple[float, ...] = (
    0.6, 0.4, 0.25, 0.2, 0.3, 0.6, 1.2, 2.2, 3.6, 4.6, 5.0, 5.0,
    4.6, 4.6, 4.6, 4.4, 4.2, 4.0, 4.0, 4.6, 5.0, 4.6, 3.0, 1.4,
)  # fmt: skip

CLASSIFICATIONS: tuple[str, ...] = ("Pengaduan", "Aspirasi", "Permintaan Informasi")
# Resolution multiplier and neglect multiplier per classification (same order).
CLASS_RESOLVE: tuple[float, ...] = (1.0, 1.6, 0.35)
CLASS_NEGLECT: tuple[float, ...] = (1.0, 2.5, 0.3)

# Unit targets: key -> (codes, words in the full name). "CAMAT" is the complaint's own kecamatan
# office; "OTHER" spreads over every OPD/lainnya unit no category names.
UNIT_TARGETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "roads": (("DSDABMBK", "DPUPR", "PUPR", "DBMSDA"), ("bina marga", "pekerjaan umum")),
    "dlh": (("DLH",), ("lingkungan hidup",)),
    "dukcapil": (("DISDUKCAPIL", "DUKCAPIL"), ("kependudukan",)),
    "disdik": (("DISDIK",), ("dinas pendidikan",)),
    "dinkes": (("DINKES",), ("dinas kesehatan",)),
    "dinsos": (("DINSOS",), ("dinas sosial",)),
    "bpbd": (("BPBD",), ("penanggulangan bencana",)),
    "dishub": (("DISHUB",), ("perhubungan",)),
    "satpolpp": (("SATPOLPP",), ("polisi pamong praja",)),
    "dpmptsp": (("DPMPTSP",), ("penanaman modal",)),
    "dcktr": (("DCKTR",), ("tata ruang",)),
    "perkim": (("DISPERKIMTAN", "DISPERKIM"), ("permukiman",)),
    "disnaker": (("DISNAKER",), ("tenaga kerja",)),
    "bapenda": (("BAPENDA",), ("pendapatan daerah",)),
    "pdam": (("PDAM",), ("air minum",)),
    "rsud": (("RSUD",), ("rumah sakit",)),
    "disdag": (("DISDAG", "DISPERINDAG"), ("perdagangan",)),
    "damkar": (("DAMKAR",), ("pemadam kebakaran",)),
    "dp3a": (("DP3A",), ("perlindungan anak",)),
    "inspektorat": (("INSPEKTORAT",), ("inspektorat",)),
}


@dataclass(frozen=True)
class Category:
    name: str
    unit: str  # a UNIT_TARGETS key, "CAMAT" or "OTHER"
    weight: float
    info: float = 0.07  # share classified "Permintaan Informasi"
    aspirasi: float = 0.10  # share classified "Aspirasi"
    difficulty: float = 1.0  # multiplier on resolution time
    rainy: float = 1.0  # multiplier in the rainy season (Nov-Mar)
    school: float = 1.0  # multiplier in PPDB season (Jun-Jul)
    flood: float = 1.0  # multiplier in flood-prone kecamatan


CATEGORIES: tuple[Category, ...] = (
    Category("Jalan Rusak", "roads", 11, difficulty=2.0, rainy=1.5),
    Category("Drainase / Saluran Air", "roads", 5, difficulty=1.7, rainy=1.6, flood=1.5),
    Category("Banjir", "bpbd", 1.2, difficulty=0.9, rainy=3.0, flood=2.5),
    Category("Sampah", "dlh", 9, difficulty=0.9),
    Category("Sampah Liar", "dlh", 2, difficulty=1.1),  # POT Kota Bekasi's own words
    Category("Pencemaran Lingkungan", "dlh", 2, difficulty=1.6),
    Category("KTP-el / KK", "dukcapil", 7, info=0.30, difficulty=0.6),
    Category("Akta Kelahiran / Kematian", "dukcapil", 3, info=0.30, difficulty=0.6),
    Category("PPDB / Sekolah", "disdik", 4, info=0.30, difficulty=0.7, school=4.0),
    Category("Puskesmas", "dinkes", 3, difficulty=0.9),
    Category("BPJS Kesehatan / PBI", "dinkes", 3, info=0.30, difficulty=1.0),
    Category("Bansos / DTKS", "dinsos", 6, info=0.20, difficulty=1.3),
    Category("Penerangan Jalan Umum (PJU)", "dishub", 4, difficulty=1.3),
    Category("Angkutan Umum / Parkir", "dishub", 2, aspirasi=0.2),
    Category("Kemacetan Lalu Lintas", "dishub", 2, aspirasi=0.2, difficulty=1.2),
    Category("PKL / Ketertiban Umum", "satpolpp", 4, difficulty=1.1),
    Category("Perizinan Usaha", "dpmptsp", 2, info=0.35, difficulty=0.8),
    Category("Bangunan / PBG", "dcktr", 1.5, difficulty=1.5),
    Category("Administrasi Desa", "CAMAT", 9, info=0.15),
    Category("Pelayanan Kecamatan", "CAMAT", 6, info=0.15),
    Category("Jalan Lingkungan / Gang", "CAMAT", 3, difficulty=1.5, rainy=1.3),
    Category("Ketenagakerjaan", "disnaker", 2.5, info=0.20, difficulty=1.2),
    Category("Perumahan / PSU", "perkim", 2, difficulty=1.8),
    Category("Pajak Daerah / PBB", "bapenda", 2, info=0.40, difficulty=0.8),
    Category("Air Bersih", "pdam", 2.5, difficulty=1.1),
    Category("Layanan RSUD", "rsud", 1.5, difficulty=0.9),
    Category("Pasar", "disdag", 1, aspirasi=0.25),
    Category("Kebakaran", "damkar", 0.4, difficulty=0.5),
    Category("Perlindungan Perempuan dan Anak", "dp3a", 0.6, difficulty=1.2),
    Category("Pungli / Integritas Aparatur", "inspektorat", 0.8, difficulty=1.6),
    Category("Lainnya", "OTHER", 2.5, aspirasi=0.30, info=0.15),
)

# Response/resolution speed per unit target (multiplier: < 1 fast, > 1 slow). Units not listed
# draw a speed around 1. Fast and slow ends are steady so a league table separates them.
UNIT_SPEED: dict[str, float] = {
    "dukcapil": 0.35,
    "disdik": 0.45,
    "dpmptsp": 0.55,
    "bpbd": 0.6,
    "damkar": 0.5,
    "dinkes": 0.75,
    "rsud": 0.8,
    "dlh": 0.95,
    "satpolpp": 1.0,
    "pdam": 1.15,
    "dinsos": 1.3,
    "dishub": 1.45,
    "dcktr": 1.8,
    "perkim": 2.2,
    "roads": 2.6,
    "inspektorat": 1.6,
}
# Camat offices by kecamatan name_key(): a couple steadily slow, one fast; the rest vary around 1.
CAMAT_SPEED: dict[str, float] = {
    "muaragembong": 2.4,
    "sukakarya": 2.1,
    "cikarangpusat": 0.5,
}

# Population-ish weights (thousands, rounded 2020 census order of magnitude) by kecamatan name
# (lower case, spaces removed when matching). Unlisted kecamatan weigh DEFAULT_KEC_WEIGHT.
KECAMATAN_WEIGHT: dict[str, float] = {
    "tambunselatan": 520,
    "cikarangutara": 300,
    "babelan": 300,
    "cikarangbarat": 280,
    "cibitung": 250,
    "tarumajaya": 220,
    "tambunutara": 210,
    "cikarangselatan": 200,
    "setu": 160,
    "serangbaru": 150,
    "cikarangtimur": 115,
    "karangbahagia": 110,
    "cibarusah": 100,
    "pebayuran": 100,
    "sukatani": 90,
    "cikarangpusat": 75,
    "kedungwaringin": 70,
    "cabangbungin": 55,
    "sukawangi": 50,
    "sukakarya": 50,
    "tambelang": 40,
    "muaragembong": 40,
    "bojongmangu": 30,
}
DEFAULT_KEC_WEIGHT = 80.0
# Low-lying kecamatan along the Citarum/Bekasi rivers and the coast.
FLOOD_PRONE: frozenset[str] = frozenset(
    {
        "babelan",
        "muaragembong",
        "tarumajaya",
        "cabangbungin",
        "sukakarya",
        "sukawangi",
        "tambunutara",
        "pebayuran",
        "tambelang",
    }
)


def name_key(name: str) -> str:
    """Lower case, letters only: 'Muara Gembong' and 'Muaragembong' meet."""
    return "".join(ch for ch in str(name).lower() if ch.isalpha())
