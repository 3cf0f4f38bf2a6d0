"""Derive the committed region files in data/regions/<slug>/ from the staged boundary data.

Run from the project root:

    .venv/bin/python scripts/build_regions.py [--source /work/shared/data/real/boundaries]

For every regency in ``REGIONS`` it writes region.toml, kecamatan.csv, desa.csv,
kecamatan.geojson, desa.geojson and units.csv. ``aliases.toml`` is only *seeded* when it does not
exist yet, because admins edit it by hand (docs/regions.md). The app reads only the committed
outputs, never the source folder, so this script is needed only to rebuild or add a regency.

Provenance: polygons, codes and names from cahyadsn/wilayah_boundaries (MIT), BPS codes from
zakiego/Kode-Wilayah-Administrasi-Indonesia-Relasi-BPS-Kemendagri; see data/regions/ATTRIBUTION.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "regions"
DEFAULT_SOURCE = Path("/work/shared/data/real/boundaries")


@dataclass(frozen=True)
class RegionSpec:
    slug: str
    name: str
    short_name: str
    kode: str
    name_tokens: tuple[str, ...]
    # (code, name, short_name, kind); camat offices are added from the kecamatan list.
    units: tuple[tuple[str, str, str, str], ...]
    # Extra unit aliases seeded into aliases.toml (alias text -> unit code).
    unit_aliases: tuple[tuple[str, str], ...] = ()
    timezone: str = "Asia/Jakarta"
    tz_label: str = "WIB"


def _opd(code: str, name: str, short: str, kind: str = "opd") -> tuple[str, str, str, str]:
    return (code, name, short, kind)


# Kabupaten Bekasi: the OPD list of the Pemerintah Kabupaten Bekasi (Perda perangkat daerah).
BEKASI_UNITS = (
    _opd("PEMKAB", "Pemerintah Kabupaten Bekasi", "Pemkab Bekasi", "lainnya"),
    _opd("SETDA", "Sekretariat Daerah Kabupaten Bekasi", "Setda", "lainnya"),
    _opd("SETWAN", "Sekretariat DPRD Kabupaten Bekasi", "Setwan", "lainnya"),
    _opd("INSPEKTORAT", "Inspektorat Daerah Kabupaten Bekasi", "Inspektorat"),
    _opd("DISDIK", "Dinas Pendidikan Kabupaten Bekasi", "Disdik"),
    _opd("DINKES", "Dinas Kesehatan Kabupaten Bekasi", "Dinkes"),
    _opd("DINSOS", "Dinas Sosial Kabupaten Bekasi", "Dinsos"),
    _opd("DCKTR", "Dinas Cipta Karya dan Tata Ruang Kabupaten Bekasi", "DCKTR"),
    _opd(
        "DSDABMBK",
        "Dinas Sumber Daya Air, Bina Marga dan Bina Konstruksi Kabupaten Bekasi",
        "DSDABMBK",
    ),
    _opd("DLH", "Dinas Lingkungan Hidup Kabupaten Bekasi", "DLH"),
    _opd("DISHUB", "Dinas Perhubungan Kabupaten Bekasi", "Dishub"),
    _opd(
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bekasi",
        "Disdukcapil",
    ),
    _opd("SATPOLPP", "Satuan Polisi Pamong Praja Kabupaten Bekasi", "Satpol PP"),
    _opd("BPBD", "Badan Penanggulangan Bencana Daerah Kabupaten Bekasi", "BPBD"),
    _opd("DISNAKER", "Dinas Tenaga Kerja Kabupaten Bekasi", "Disnaker"),
    _opd(
        "DISPERKIMTAN",
        "Dinas Perumahan Rakyat, Kawasan Permukiman dan Pertanahan Kabupaten Bekasi",
        "Disperkimtan",
    ),
    _opd(
        "DISKOMINFOSANTIK",
        "Dinas Komunikasi, Informatika, Persandian dan Statistik Kabupaten Bekasi",
        "Diskominfosantik",
    ),
    _opd("DAMKAR", "Dinas Pemadam Kebakaran Kabupaten Bekasi", "Damkar"),
    _opd(
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Bekasi",
        "DPMPTSP",
    ),
    _opd("DISDAG", "Dinas Perdagangan Kabupaten Bekasi", "Disdag"),
    _opd("DISPERIN", "Dinas Perindustrian Kabupaten Bekasi", "Disperin"),
    _opd("DISKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah Kabupaten Bekasi", "Diskopukm"),
    _opd("DISTAN", "Dinas Pertanian Kabupaten Bekasi", "Distan"),
    _opd("DISPORA", "Dinas Pemuda dan Olahraga Kabupaten Bekasi", "Dispora"),
    _opd("DPMD", "Dinas Pemberdayaan Masyarakat Desa Kabupaten Bekasi", "DPMD"),
    _opd(
        "DPPKB",
        "Dinas Pengendalian Penduduk dan Keluarga Berencana Kabupaten Bekasi",
        "DPPKB",
    ),
    _opd(
        "DP3A",
        "Dinas Pemberdayaan Perempuan dan Perlindungan Anak Kabupaten Bekasi",
        "DP3A",
    ),
    _opd("DISARPUS", "Dinas Arsip dan Perpustakaan Kabupaten Bekasi", "Disarpus"),
    _opd("RSUD", "Rumah Sakit Umum Daerah Kabupaten Bekasi", "RSUD"),
    _opd("BAPENDA", "Badan Pendapatan Daerah Kabupaten Bekasi", "Bapenda"),
    _opd("BAPPEDA", "Badan Perencanaan Pembangunan Daerah Kabupaten Bekasi", "Bappeda"),
    _opd("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah Kabupaten Bekasi", "BPKAD"),
    _opd(
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kabupaten Bekasi",
        "BKPSDM",
    ),
    _opd("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik Kabupaten Bekasi", "Kesbangpol"),
    _opd(
        "PDAM",
        "Perumda Air Minum Tirta Bhagasasi",
        "Tirta Bhagasasi",
        "lainnya",
    ),
)
BEKASI_ALIASES = (
    ("PDAM Tirta Bhagasasi", "PDAM"),
    ("PDAM Kabupaten Bekasi", "PDAM"),
    ("Dinas SDA Bina Marga dan Bina Konstruksi", "DSDABMBK"),
    ("Dinas Bina Marga dan Sumber Daya Air", "DSDABMBK"),
    ("Diskominfo", "DISKOMINFOSANTIK"),
)

# Kabupaten Bandung: every unit that appears in the real SP4N-LAPOR! `Instansi Terdisposisi`
# column (names copied as published, "Kabupaten" spelled out), plus a few standard OPDs.
BANDUNG_UNITS = (
    _opd("PEMKAB", "Pemerintah Kabupaten Bandung", "Pemkab Bandung", "lainnya"),
    _opd("SETDA", "Sekretariat Daerah Kabupaten Bandung", "Setda", "lainnya"),
    _opd(
        "SETDA-HUKUM",
        "Bagian Hukum Sekretariat Daerah Kabupaten Bandung",
        "Bag. Hukum",
        "lainnya",
    ),
    _opd(
        "SETDA-EKONOMI",
        "Bagian Perekonomian Sekretariat Daerah Kabupaten Bandung",
        "Bag. Perekonomian",
        "lainnya",
    ),
    _opd(
        "SETDA-PROKOPIM",
        "Bagian Protokol dan Komunikasi Pimpinan",
        "Prokopim",
        "lainnya",
    ),
    _opd("SETWAN", "Sekretariat DPRD Kabupaten Bandung", "Setwan", "lainnya"),
    _opd("INSPEKTORAT", "Inspektorat Daerah Kabupaten Bandung", "Inspektorat"),
    _opd(
        "BAPPERIDA",
        "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
        "Bapperida",
    ),
    _opd(
        "BKPSDM",
        "Badan Kepegawaian dan Sumber Daya Manusia Kabupaten Bandung",
        "BKPSDM",
    ),
    _opd("BKAD", "Badan Keuangan dan Aset Daerah Kabupaten Bandung", "BKAD"),
    _opd("BPBD", "Badan Penanggulangan Bencana Daerah Kabupaten Bandung", "BPBD"),
    _opd("BAPENDA", "Badan Pendapatan Daerah", "Bapenda"),
    _opd("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik Kabupaten Bandung", "Kesbangpol"),
    _opd("DISDIK", "Dinas Pendidikan Kabupaten Bandung", "Disdik"),
    _opd("DINKES", "Dinas Kesehatan Kabupaten Bandung", "Dinkes"),
    _opd("DINSOS", "Dinas Sosial Kabupaten Bandung", "Dinsos"),
    _opd("DPUTR", "Dinas Pekerjaan Umum dan Tata Ruang Kabupaten Bandung", "DPUTR"),
    _opd("DLH", "Dinas Lingkungan Hidup Kabupaten Bandung", "DLH"),
    _opd("DISHUB", "Dinas Perhubungan Kabupaten Bandung", "Dishub"),
    _opd(
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bandung",
        "Disdukcapil",
    ),
    _opd("SATPOLPP", "Satuan Polisi Pamong Praja Kabupaten Bandung", "Satpol PP"),
    _opd("DISNAKER", "Dinas Ketenagakerjaan Kabupaten Bandung", "Disnaker"),
    _opd(
        "DISKOMINFO",
        "Dinas Komunikasi dan Informatika, Statistik dan Persandian Kabupaten Bandung",
        "Diskominfo",
    ),
    _opd("DISKOPUKM", "Dinas Koperasi, Usaha Kecil dan Menengah Kabupaten Bandung", "Diskopukm"),
    _opd("DISPAKAN", "Dinas Pangan dan Perikanan Kabupaten Bandung", "Dispakan"),
    _opd("DISPARBUD", "Dinas Pariwisata dan Kebudayaan Kabupaten Bandung", "Disparbud"),
    _opd("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa Kabupaten Bandung", "DPMD"),
    _opd("DISPORA", "Dinas Pemuda dan Olah Raga Kabupaten Bandung", "Dispora"),
    _opd(
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Bandung",
        "DPMPTSP",
    ),
    _opd("DISDAGIN", "Dinas Perdagangan dan Perindustrian Kabupaten Bandung", "Disdagin"),
    _opd("DISPUSIP", "Dinas Perpustakaan dan Arsip Kabupaten Bandung", "Dispusip"),
    _opd("DISTAN", "Dinas Pertanian Kabupaten Bandung", "Distan"),
    _opd(
        "DISPERKIMTAN",
        "Dinas Perumahan dan Kawasan Permukiman dan Pertanahan Kabupaten Bandung",
        "Disperkimtan",
    ),
    _opd(
        "DALDUKPPA",
        "Dinas Pengendalian Penduduk, Keluarga Berencana, Pemberdayaan Perempuan dan "
        "Perlindungan Anak Kabupaten Bandung",
        "DALDUKPPA",
    ),
    _opd(
        "DAMKAR",
        "Dinas Pemadam Kebakaran dan Penyelamatan Kabupaten Bandung",
        "Damkar",
    ),
    _opd("RSUD-OTISTA", "Rumah Sakit Umum Daerah Oto Iskandar Di Nata", "RSUD Otista"),
    _opd("RSUD-MAJALAYA", "Rumah Sakit Umum Daerah Majalaya", "RSUD Majalaya"),
    _opd("RSUD-CICALENGKA", "Rumah Sakit Umum Daerah Cicalengka", "RSUD Cicalengka"),
    # Not a unit of the regency, but LAPOR! can dispatch to it; keeping it as a named external
    # body is more honest than an "unknown" bucket.
    _opd("OMBUDSMAN", "Ombudsman Republik Indonesia", "Ombudsman RI", "lainnya"),
)
BANDUNG_ALIASES = (
    # The same dinas under its older acronym (DP2KBP3A) and its newer one (DALDUKPPA).
    ("DP2KBP3A", "DALDUKPPA"),
    (
        "Dinas Pengendalian Penduduk dan Keluarga Berencana serta Pemberdayaan Perempuan dan "
        "Perlindungan Anak",
        "DALDUKPPA",
    ),
    # Predecessor name of the planning agency (renamed Bapperida).
    ("Badan Perencanaan, Penelitian dan Pengembangan Daerah", "BAPPERIDA"),
    ("Bappelitbangda", "BAPPERIDA"),
    ("Bappeda", "BAPPERIDA"),
    ("RSUD Otto Iskandar Dinata", "RSUD-OTISTA"),
    ("RSUD Soreang", "RSUD-OTISTA"),
    ("Dinas PUTR", "DPUTR"),
)

# Kabupaten Bandung Barat: a standard OPD list (plausible, for demo data).
BANDUNG_BARAT_UNITS = (
    _opd("PEMKAB", "Pemerintah Kabupaten Bandung Barat", "Pemkab Bandung Barat", "lainnya"),
    _opd("SETDA", "Sekretariat Daerah Kabupaten Bandung Barat", "Setda", "lainnya"),
    _opd("INSPEKTORAT", "Inspektorat Daerah Kabupaten Bandung Barat", "Inspektorat"),
    _opd("DISDIK", "Dinas Pendidikan Kabupaten Bandung Barat", "Disdik"),
    _opd("DINKES", "Dinas Kesehatan Kabupaten Bandung Barat", "Dinkes"),
    _opd("DINSOS", "Dinas Sosial Kabupaten Bandung Barat", "Dinsos"),
    _opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Bandung Barat", "DPUPR"),
    _opd("DLH", "Dinas Lingkungan Hidup Kabupaten Bandung Barat", "DLH"),
    _opd("DISHUB", "Dinas Perhubungan Kabupaten Bandung Barat", "Dishub"),
    _opd(
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bandung Barat",
        "Disdukcapil",
    ),
    _opd("SATPOLPP", "Satuan Polisi Pamong Praja Kabupaten Bandung Barat", "Satpol PP"),
    _opd("BPBD", "Badan Penanggulangan Bencana Daerah Kabupaten Bandung Barat", "BPBD"),
    _opd("DISNAKER", "Dinas Tenaga Kerja Kabupaten Bandung Barat", "Disnaker"),
    _opd(
        "DISPERKIM",
        "Dinas Perumahan dan Kawasan Permukiman Kabupaten Bandung Barat",
        "Disperkim",
    ),
    _opd(
        "DISKOMINFOTIK",
        "Dinas Komunikasi Informatika dan Statistik Kabupaten Bandung Barat",
        "Diskominfotik",
    ),
    _opd(
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Bandung Barat",
        "DPMPTSP",
    ),
    _opd(
        "DISPERINDAG",
        "Dinas Perindustrian dan Perdagangan Kabupaten Bandung Barat",
        "Disperindag",
    ),
    _opd("DPKP", "Dinas Pertanian dan Ketahanan Pangan Kabupaten Bandung Barat", "DPKP"),
    _opd("DISPARBUD", "Dinas Pariwisata dan Kebudayaan Kabupaten Bandung Barat", "Disparbud"),
    _opd("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa Kabupaten Bandung Barat", "DPMD"),
    _opd("BAPPEDA", "Badan Perencanaan Pembangunan Daerah Kabupaten Bandung Barat", "Bappeda"),
    _opd("BAPENDA", "Badan Pendapatan Daerah Kabupaten Bandung Barat", "Bapenda"),
    _opd("RSUD", "Rumah Sakit Umum Daerah Cililin", "RSUD Cililin"),
)

# Kabupaten Ogan Komering Ilir: a standard OPD list (plausible, for demo data).
OKI_UNITS = (
    _opd("PEMKAB", "Pemerintah Kabupaten Ogan Komering Ilir", "Pemkab OKI", "lainnya"),
    _opd("SETDA", "Sekretariat Daerah Kabupaten Ogan Komering Ilir", "Setda", "lainnya"),
    _opd("INSPEKTORAT", "Inspektorat Daerah Kabupaten Ogan Komering Ilir", "Inspektorat"),
    _opd("DISDIKBUD", "Dinas Pendidikan dan Kebudayaan Kabupaten Ogan Komering Ilir", "Disdikbud"),
    _opd("DINKES", "Dinas Kesehatan Kabupaten Ogan Komering Ilir", "Dinkes"),
    _opd("DINSOS", "Dinas Sosial Kabupaten Ogan Komering Ilir", "Dinsos"),
    _opd(
        "DPUPR",
        "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Ogan Komering Ilir",
        "DPUPR",
    ),
    _opd("DLH", "Dinas Lingkungan Hidup Kabupaten Ogan Komering Ilir", "DLH"),
    _opd("DISHUB", "Dinas Perhubungan Kabupaten Ogan Komering Ilir", "Dishub"),
    _opd(
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Ogan Komering Ilir",
        "Disdukcapil",
    ),
    _opd("SATPOLPP", "Satuan Polisi Pamong Praja Kabupaten Ogan Komering Ilir", "Satpol PP"),
    _opd("BPBD", "Badan Penanggulangan Bencana Daerah Kabupaten Ogan Komering Ilir", "BPBD"),
    _opd(
        "DISNAKERTRANS",
        "Dinas Tenaga Kerja dan Transmigrasi Kabupaten Ogan Komering Ilir",
        "Disnakertrans",
    ),
    _opd(
        "DPRKP",
        "Dinas Perumahan Rakyat dan Kawasan Permukiman Kabupaten Ogan Komering Ilir",
        "DPRKP",
    ),
    _opd(
        "DISKOMINFO",
        "Dinas Komunikasi dan Informatika Kabupaten Ogan Komering Ilir",
        "Diskominfo",
    ),
    _opd(
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Ogan Komering Ilir",
        "DPMPTSP",
    ),
    _opd(
        "DISPERINDAG",
        "Dinas Perindustrian dan Perdagangan Kabupaten Ogan Komering Ilir",
        "Disperindag",
    ),
    _opd("DISTAN", "Dinas Pertanian Kabupaten Ogan Komering Ilir", "Distan"),
    _opd(
        "DPMD",
        "Dinas Pemberdayaan Masyarakat dan Desa Kabupaten Ogan Komering Ilir",
        "DPMD",
    ),
    _opd("BAPPEDA", "Badan Perencanaan Pembangunan Daerah Kabupaten Ogan Komering Ilir", "Bappeda"),
    _opd("BAPENDA", "Badan Pendapatan Daerah Kabupaten Ogan Komering Ilir", "Bapenda"),
    _opd("RSUD", "Rumah Sakit Umum Daerah Kayuagung", "RSUD Kayuagung"),
)

REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec(
        "kab-bekasi", "Kabupaten Bekasi", "Kab. Bekasi", "32.16", ("BEKASI",),
        BEKASI_UNITS, BEKASI_ALIASES,
    ),
    RegionSpec(
        "kab-bandung-barat", "Kabupaten Bandung Barat", "Kab. Bandung Barat", "32.17",
        ("BANDUNG BARAT", "KBB"), BANDUNG_BARAT_UNITS,
    ),
    RegionSpec(
        "kab-oki", "Kabupaten Ogan Komering Ilir", "Kab. OKI", "16.02",
        ("OGAN KOMERING ILIR", "OKI"), OKI_UNITS,
    ),
    RegionSpec(
        "kab-bandung", "Kabupaten Bandung", "Kab. Bandung", "32.04", ("BANDUNG",),
        BANDUNG_UNITS, BANDUNG_ALIASES,
    ),
)


def _compact(s: str) -> str:
    # Same rule as analytics.rules.names.compact_key for plain names: letters and digits only.
    return re.sub(r"[^A-Z0-9]", "", s.upper())


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _write_geojson(path: Path, features: list[dict], keep: tuple[str, ...]) -> None:
    out = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {k: f["properties"][k] for k in keep},
                "geometry": f["geometry"],
            }
            for f in sorted(features, key=lambda f: f["properties"]["kode"])
        ],
    }
    # Coordinates were rounded to 7 decimals upstream; json writes the shortest repr, unchanged.
    path.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")


def _units_frame(spec: RegionSpec, kec: pd.DataFrame) -> pd.DataFrame:
    rows = [
        {"code": c, "name": n, "short_name": s, "kind": k, "kecamatan_code": ""}
        for c, n, s, k in spec.units
    ]
    for kode, nama in zip(kec["kode"], kec["nama"]):
        rows.append(
            {
                "code": "KEC-" + kode.replace(".", ""),
                "name": f"Kecamatan {nama}",
                "short_name": f"Kec. {nama}",
                "kind": "camat",
                "kecamatan_code": kode,
            }
        )
    units = pd.DataFrame(rows)
    dup = units["code"][units["code"].duplicated()]
    if not dup.empty:
        raise SystemExit(f"{spec.slug}: duplicate unit codes {sorted(dup)}")
    if not units["code"].str.fullmatch(r"[A-Z0-9-]+").all():
        raise SystemExit(f"{spec.slug}: unit codes must be uppercase URL-safe")
    return units


def _aliases_toml(spec: RegionSpec, kec: pd.DataFrame) -> str:
    lines = [
        f"# Name aliases for {spec.name}. Admins may edit this file (see docs/regions.md).",
        "# Keys are matched after normalisation (case, punctuation and spaces do not matter),",
        "# so list only spellings that normalisation cannot reconcile.",
        "",
        "[units]",
        '# "text as it appears in source data" = "UNIT_CODE" (a code from units.csv)',
    ]
    lines += [f"{_toml_str(a)} = {_toml_str(c)}" for a, c in spec.unit_aliases]
    lines += ["", "[kecamatan]", '# "alias" = "kode" (Kemendagri, e.g. 32.04.34)']
    # BPS spellings that differ from Kemendagri ones (most only by a space, kept for clarity).
    for kode, nama, bps in zip(kec["kode"], kec["nama"], kec["nama_bps"]):
        if bps and bps != nama.upper():
            lines.append(f"{_toml_str(bps)} = {_toml_str(kode)}")
    lines += ["", "[desa]", '# "alias" = "kode" (Kemendagri, e.g. 32.04.34.2001)', ""]
    return "\n".join(lines)


def build_region(
    spec: RegionSpec,
    kec_all: pd.DataFrame,
    desa_all: pd.DataFrame,
    kec_geo: list[dict],
    desa_geo: list[dict],
) -> None:
    """Write every file of one region folder (aliases.toml only if it is missing)."""
    out = OUT_DIR / spec.slug
    out.mkdir(parents=True, exist_ok=True)

    kec = kec_all[kec_all["kode_kab"] == spec.kode].sort_values("kode_kemendagri")
    kec = pd.DataFrame(
        {
            "kode": kec["kode_kemendagri"],
            "nama": kec["nama_kecamatan"],
            "kode_bps": kec["kode_bps_2020"],
            "centroid_lat": kec["centroid_lat"].astype(float).round(7),
            "centroid_lng": kec["centroid_lng"].astype(float).round(7),
            "nama_bps": kec["nama_bps_2020"],
        }
    )
    desa = desa_all[desa_all["kode_kab"] == spec.kode].sort_values("kode_kemendagri")
    desa = pd.DataFrame(
        {
            "kode": desa["kode_kemendagri"],
            "nama": desa["nama"],
            "jenis": desa["jenis"],
            "kode_kec": desa["kode_kec"],
            "centroid_lat": desa["centroid_lat"].astype(float).round(7),
            "centroid_lng": desa["centroid_lng"].astype(float).round(7),
        }
    )
    # Matching relies on kecamatan names being distinct within a regency after compaction.
    if kec["nama"].map(_compact).duplicated().any():
        raise SystemExit(f"{spec.slug}: two kecamatan share a compact name")

    kec.drop(columns="nama_bps").to_csv(out / "kecamatan.csv", index=False)
    desa.to_csv(out / "desa.csv", index=False)
    _units_frame(spec, kec).to_csv(out / "units.csv", index=False, quoting=csv.QUOTE_MINIMAL)

    kf = [f for f in kec_geo if f["properties"]["kode_kab"] == spec.kode]
    for f in kf:  # one name for the BPS code across csv and geojson
        f["properties"]["kode_bps"] = f["properties"]["kode_bps_2020"]
    _write_geojson(out / "kecamatan.geojson", kf,
                   ("kode", "nama", "kode_bps", "centroid_lat", "centroid_lng"))
    df = [f for f in desa_geo if f["properties"]["kode_kab"] == spec.kode]
    _write_geojson(out / "desa.geojson", df, ("kode", "nama", "jenis", "kode_kec"))

    toml = "\n".join(
        [
            f"# {spec.name}. Generated by scripts/build_regions.py; see docs/regions.md.",
            f"slug = {_toml_str(spec.slug)}",
            f"name = {_toml_str(spec.name)}",
            f"short_name = {_toml_str(spec.short_name)}",
            f"kode = {_toml_str(spec.kode)}",
            f"timezone = {_toml_str(spec.timezone)}",
            f"tz_label = {_toml_str(spec.tz_label)}",
            "# Uppercase words naming the regency inside unit names; stripped when matching.",
            "name_tokens = [" + ", ".join(_toml_str(t) for t in spec.name_tokens) + "]",
            "",
        ]
    )
    (out / "region.toml").write_text(toml)

    aliases = out / "aliases.toml"
    if not aliases.exists():  # admin-owned after the first build: never overwrite
        aliases.write_text(_aliases_toml(spec, kec))
    print(f"{spec.slug}: {len(kec)} kecamatan, {len(desa)} desa/kelurahan, "
          f"{len(spec.units) + len(kec)} units -> {out.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--only", nargs="*", help="slugs to rebuild (default: all)")
    args = ap.parse_args(argv)
    src: Path = args.source
    if not (src / "kecamatan_codes.csv").exists():
        print(f"source folder {src} not found or incomplete", file=sys.stderr)
        return 1
    kec_all = pd.read_csv(src / "kecamatan_codes.csv", dtype=str, keep_default_na=False)
    desa_all = pd.read_csv(src / "desa_kelurahan_codes.csv", dtype=str, keep_default_na=False)
    kec_geo = json.loads((src / "kecamatan.geojson").read_text())["features"]
    desa_geo = json.loads((src / "desa_kelurahan.geojson").read_text())["features"]
    for spec in REGIONS:
        if args.only and spec.slug not in args.only:
            continue
        build_region(spec, kec_all, desa_all, kec_geo, desa_geo)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
