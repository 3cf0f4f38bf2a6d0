"""The national registry: every kab/kota of Indonesia as a region (docs/regions.md).

Read from data/regions/national/ (built by scripts/build_national.py from wilayah-indonesia,
Kepmendagri 300.2.2-2430/2025; MIT, attribution in data/regions/ATTRIBUTION.md). A kab/kota is
named by a slug ("kota-bekasi", "kab-bandung-barat"), its Kemendagri code ("32.75", "3275") or its
name ("Kota Bekasi", "Kab. Bekasi", "Kabupaten Bekasi"); ``resolve`` turns any of them into the
slug. Loading one regency reads only its rows of the Parquet files.

Pure Python and pandas; never imports streamlit.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from analytics.rules.names import normalise_name

NATIONAL_DIR = Path(__file__).resolve().parents[2] / "data" / "regions" / "national"
OPD_FILE = Path(__file__).resolve().parents[2] / "data" / "opd" / "perangkat_daerah.csv"
_PREFIX = {"Kabupaten": "kab", "Kota": "kota"}
# The zone of each province (Kemendagri province codes): WIB unless listed.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


def timezone_of(kode: str) -> tuple[str, str]:
    """(IANA zone, label) of a kab/kota by its province: WIB, WITA or WIT."""
    prov = kode[:2]
    if prov in _WIT:
        return "Asia/Jayapura", "WIT"
    if prov in _WITA:
        return "Asia/Makassar", "WITA"
    return ("Asia/Pontianak" if prov in {"61", "62"} else "Asia/Jakarta"), "WIB"


def short_name(nama: str) -> str:
    """The name without its kind: ``Kota Administrasi Jakarta Pusat`` -> ``Jakarta Pusat``."""
    return re.sub(r"^(Kabupaten|Kota)( Administrasi)?\s+", "", nama.strip())


def slug_of(nama: str, jenis: str) -> str:
    """``Kabupaten Bandung Barat`` -> ``kab-bandung-barat``; ``Kota Administrasi Jakarta Pusat`` ->
    ``kota-jakarta-pusat``."""
    words = re.sub(r"[^a-z0-9]+", "-", short_name(nama).lower()).strip("-")
    return f"{_PREFIX[jenis]}-{words}"


@cache
def kabkota() -> pd.DataFrame:
    """Every kab/kota: kode, nama, nama_pendek, jenis, kode_prov, nama_prov, counts, centroid, slug."""
    t = pq.read_table(NATIONAL_DIR / "kabupaten_kota.parquet").to_pandas()
    t["slug"] = [slug_of(n, j) for n, j in zip(t["nama"], t["jenis"], strict=True)]
    if t["slug"].duplicated().any():  # the registry is the authority: a clash must be seen, not guessed
        raise ValueError(f"duplicate region slugs: {sorted(t.loc[t['slug'].duplicated(), 'slug'])}")
    return t


@cache
def _names() -> dict[str, str]:
    """normalise_name(any way of writing a kab/kota) -> slug."""
    out: dict[str, str] = {}
    for row in kabkota().itertuples():
        short = short_name(row.nama)
        kinds = ("KABUPATEN", "KAB", "KAB.") if row.jenis == "Kabupaten" else ("KOTA", "KOTA ADMINISTRASI", "KOTA ADM")
        for kind in kinds:
            out[normalise_name(f"{kind} {short}")] = row.slug
        out[normalise_name(row.nama)] = row.slug
    return out


def resolve(text: str | None) -> str | None:
    """The slug of the kab/kota ``text`` names (slug, Kemendagri code with or without dots, or
    name with its kind), else None. A bare name ("Bekasi") is ambiguous and gives None."""
    if not text or not text.strip():
        return None
    t = kabkota()
    value = text.strip()
    if value in set(t["slug"]):
        return value
    digits = value.replace(".", "")
    if digits.isdigit() and len(digits) == 4:
        hit = t.loc[t["kode"] == f"{digits[:2]}.{digits[2:]}", "slug"]
        return str(hit.iloc[0]) if len(hit) else None
    return _names().get(normalise_name(value))


def _read(name: str, kode_kab: str, column: str = "kode_kab") -> pd.DataFrame:
    return ds.dataset(NATIONAL_DIR / name).to_table(filter=pc.field(column) == kode_kab).to_pandas()


@lru_cache(maxsize=8)
def tables(kode_kab: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(kecamatan, desa) of one kab/kota in the registry's column names (regions.Region's)."""
    kec = _read("kecamatan.parquet", kode_kab)
    kec = pd.DataFrame({"kode": kec["kode"], "nama": kec["nama"], "kode_bps": pd.Series(pd.NA, index=kec.index, dtype="str"),
                        "centroid_lat": kec["centroid_lat"], "centroid_lng": kec["centroid_lng"]})
    desa = _read("desa.parquet", kode_kab)[["kode", "nama", "jenis", "kode_kec", "centroid_lat", "centroid_lng"]]
    return kec.reset_index(drop=True), desa.reset_index(drop=True)


@lru_cache(maxsize=16)
def geojson_text(kode_kab: str, level: str) -> str:
    """The kab/kota's kecamatan or desa polygons as a FeatureCollection (text). Desa polygons
    exist only where the registry ships them (docs/regions.md): elsewhere the collection is empty."""
    kec, desa = tables(kode_kab)
    if level == "kecamatan":
        shapes, props = _read("kecamatan_shapes.parquet", kode_kab), kec.set_index("kode")
        extra = ("kode_bps", "centroid_lat", "centroid_lng")
    else:
        shapes, props = _read("desa_shapes.parquet", kode_kab), desa.set_index("kode")
        extra = ("jenis", "kode_kec")
    features = []
    for kode, geometry in zip(shapes["kode"], shapes["geometry"], strict=True):
        p = props.loc[kode]
        features.append({"type": "Feature", "properties": {
            "kode": kode, "nama": p["nama"], **{k: (None if pd.isna(p[k]) else p[k]) for k in extra}},
            "geometry": json.loads(geometry)})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def has_desa_shapes(kode_kab: str) -> bool:
    """Whether the registry ships desa/kelurahan polygons for this kab/kota."""
    return len(_read("desa_shapes.parquet", kode_kab)) > 0


@cache
def _detector() -> tuple[re.Pattern[str], dict[str, str]]:
    names = _names()
    # Longest first, so "KOTA BANDUNG BARAT" (if it existed) beats "KOTA BANDUNG".
    keys = sorted((k for k in names if k.split(" ", 1)[0] in ("KABUPATEN", "KAB", "KOTA")), key=len, reverse=True)
    return re.compile("(?<![A-Z0-9])(" + "|".join(re.escape(k) for k in keys) + ")(?![A-Z0-9])"), names


def detect(text: str) -> str | None:
    """The kab/kota an agency or office text names with its kind ("Pemerintah Kota Bandung" ->
    kota-bandung), or None when it names none or two different ones."""
    pattern, names = _detector()
    found = {names[m.group(1)] for m in pattern.finditer(normalise_name(text))}
    return found.pop() if len(found) == 1 else None


@cache
def opd_vocabulary() -> pd.DataFrame:
    """The standard perangkat daerah (data/opd/perangkat_daerah.csv): code, name, short_name,
    kind (opd | lainnya), aliases (common names and abbreviations, ";"-separated)."""
    t = pd.read_csv(OPD_FILE, dtype="str", keep_default_na=False)
    if t["code"].duplicated().any():
        raise ValueError(f"{OPD_FILE}: duplicate codes {sorted(t.loc[t['code'].duplicated(), 'code'])}")
    return t


def opd_units(region_name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The standard perangkat daerah of one kab/kota as units ("Dinas Kesehatan Kota Bekasi",
    code DINKES) and their aliases (normalised alias -> code)."""
    t = opd_vocabulary()
    # The government itself ("Pemerintah Kota Bekasi", SP4N-LAPOR!'s agency for what it keeps).
    short = short_name(region_name)
    own = pd.DataFrame({"code": ["PEMDA"], "name": [f"Pemerintah {region_name}"],
                        "short_name": [("Pemkot " if region_name.startswith("Kota") else "Pemkab ") + short],
                        "kind": ["lainnya"], "aliases": [""]})
    t = pd.concat([own, t], ignore_index=True)
    units = pd.DataFrame({"code": t["code"], "name": t["name"].where(t["code"] == "PEMDA", t["name"] + " " + region_name),
                          "short_name": t["short_name"], "kind": t["kind"],
                          "kecamatan_code": pd.Series(pd.NA, index=t.index, dtype="str")})
    aliases: dict[str, str] = {}
    for code, names in zip(t["code"], t["aliases"], strict=True):
        for alias in filter(None, (a.strip() for a in names.split(";"))):
            aliases.setdefault(normalise_name(alias), code)
    return units, aliases
