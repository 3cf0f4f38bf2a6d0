"""The region registry (docs/regions.md): every kab/kota of Indonesia from the national registry
(analytics.rules.national), and, for the regencies Pantau started with, a hand-made folder under
data/regions/<slug>/ that adds their OPD list and aliases and takes precedence.

Pure Python and pandas; never imports streamlit. Everything is read from the committed files in
data/regions/, never from the staged source data.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analytics.rules import national
from analytics.rules.names import normalise_name

REGIONS_DIR = Path(__file__).resolve().parents[2] / "data" / "regions"


# eq=False: identity equality and hashing, so a Region can key the matchers' caches
# (the DataFrame fields are not hashable).
@dataclass(frozen=True, eq=False)
class Region:
    """A regency: metadata from region.toml, tables from the CSVs, aliases from aliases.toml.

    kecamatan columns: kode, nama, kode_bps, centroid_lat, centroid_lng.
    desa columns: kode, nama, jenis, kode_kec, centroid_lat, centroid_lng.
    units columns: code, name, short_name, kind, kecamatan_code (NA for non-camat units).
    The alias dicts map ``normalise_name(alias)`` to a unit code / kecamatan kode / desa kode.
    """

    slug: str
    name: str
    short_name: str
    kode: str
    timezone: str
    tz_label: str
    name_tokens: tuple[str, ...]
    kecamatan: pd.DataFrame
    desa: pd.DataFrame
    units: pd.DataFrame
    unit_aliases: dict[str, str]
    kecamatan_aliases: dict[str, str]
    desa_aliases: dict[str, str]
    # False for a regency from the national registry: no OPD list or aliases of its own, and
    # desa polygons only where the registry ships them (has_desa_shapes).
    curated: bool = True
    has_desa_shapes: bool = True


@cache
def curated_regions() -> tuple[str, ...]:
    """Slugs of the hand-made registries (folders holding a region.toml), sorted."""
    if not REGIONS_DIR.is_dir():
        return ()
    return tuple(sorted(p.parent.name for p in REGIONS_DIR.glob("*/region.toml")))


@cache
def _curated_by_kode() -> dict[str, str]:
    return {tomllib.loads((REGIONS_DIR / s / "region.toml").read_text(encoding="utf-8"))["kode"]: s
            for s in curated_regions()}


def list_regions() -> list[str]:
    """Slugs of every region: the hand-made ones, and every other kab/kota of the national
    registry (a kab/kota with a hand-made registry is listed once, under its hand-made slug)."""
    curated = _curated_by_kode()
    others = national.kabkota().loc[lambda t: ~t["kode"].isin(list(curated)), "slug"]
    return sorted([*curated.values(), *others])


def resolve_region(text: str | None) -> str | None:
    """The slug of the region ``text`` names: a slug, a Kemendagri code ("32.75", "3275") or a
    name with its kind ("Kota Bekasi", "Kab. Bekasi"); None when it names none (or is ambiguous,
    as "Bekasi" alone is)."""
    if text is None:
        return None
    if text.strip() in curated_regions():
        return text.strip()
    slug = national.resolve(text)
    if slug is None:
        return None
    kode = national.kabkota().set_index("slug").at[slug, "kode"]
    return _curated_by_kode().get(kode, slug)


def _read_csv(path: Path, text_cols: tuple[str, ...]) -> pd.DataFrame:
    # Codes stay text ("32.04.34" must not become a float); centroids are floats.
    return pd.read_csv(path, dtype={c: "str" for c in text_cols}, keep_default_na=False,
                       na_values={c: [""] for c in text_cols})


def _aliases(table: dict[str, Any], section: str, valid: set[str], path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for alias, code in table.get(section, {}).items():
        if code not in valid:
            raise ValueError(f"{path}: [{section}] alias {alias!r} points to unknown code {code!r}")
        out[normalise_name(alias)] = code
    return out


@cache
def load_region(slug: str) -> Region:
    """Load one region by slug (or by anything resolve_region reads). Unknown -> ValueError
    saying how regions are named."""
    found = resolve_region(slug)
    if found is None:
        raise ValueError(f"unknown region {slug!r}: give a kab/kota as a slug (kota-bekasi), a Kemendagri "
                         "code (32.75) or a name with its kind (\"Kota Bekasi\"); `python -m analytics regions` "
                         "lists them")
    if found not in curated_regions():
        return _national_region(found)
    slug = found
    folder = REGIONS_DIR / slug
    meta = tomllib.loads((folder / "region.toml").read_text(encoding="utf-8"))
    kecamatan = _read_csv(folder / "kecamatan.csv", ("kode", "nama", "kode_bps"))
    desa = _read_csv(folder / "desa.csv", ("kode", "nama", "jenis", "kode_kec"))
    units = _read_csv(
        folder / "units.csv", ("code", "name", "short_name", "kind", "kecamatan_code")
    )
    alias_path = folder / "aliases.toml"
    aliases = tomllib.loads(alias_path.read_text(encoding="utf-8")) if alias_path.is_file() else {}
    return Region(
        slug=meta["slug"],
        name=meta["name"],
        short_name=meta["short_name"],
        kode=meta["kode"],
        timezone=meta["timezone"],
        tz_label=meta["tz_label"],
        name_tokens=tuple(t.upper() for t in meta["name_tokens"]),
        kecamatan=kecamatan,
        desa=desa,
        units=units,
        unit_aliases=_aliases(aliases, "units", set(units["code"]), alias_path),
        kecamatan_aliases=_aliases(aliases, "kecamatan", set(kecamatan["kode"]), alias_path),
        desa_aliases=_aliases(aliases, "desa", set(desa["kode"]), alias_path),
    )


def _national_region(slug: str) -> Region:
    """A Region for a kab/kota of the national registry: its kecamatan and desa, and as its units
    the standard perangkat daerah (data/opd/, named "Dinas Kesehatan Kota X") and a camat office
    per kecamatan ("Kecamatan X", code KEC-<kode digits>)."""
    row = national.kabkota().set_index("slug").loc[slug]
    kecamatan, desa = national.tables(row["kode"])
    short = national.short_name(row["nama"])
    units = pd.DataFrame({
        "code": ["KEC-" + k.replace(".", "") for k in kecamatan["kode"]],
        "name": ["Kecamatan " + n for n in kecamatan["nama"]],
        "short_name": ["Kec. " + n for n in kecamatan["nama"]],
        "kind": "camat", "kecamatan_code": kecamatan["kode"],
    }).astype({"code": "str", "name": "str", "short_name": "str", "kind": "str", "kecamatan_code": "str"})
    opd, opd_aliases = national.opd_units(row["nama"])
    units = pd.concat([opd, units], ignore_index=True).astype({"code": "str", "name": "str", "short_name": "str",
                                                                "kind": "str", "kecamatan_code": "str"})
    tz, label = national.timezone_of(row["kode"])
    return Region(
        slug=slug, name=row["nama"], short_name=("Kab. " if row["jenis"] == "Kabupaten" else "Kota ") + short,
        kode=row["kode"], timezone=tz, tz_label=label, name_tokens=(normalise_name(short),),
        kecamatan=kecamatan, desa=desa, units=units, unit_aliases=opd_aliases, kecamatan_aliases={}, desa_aliases={},
        curated=False, has_desa_shapes=national.has_desa_shapes(row["kode"]),
    )


def detect_region(agency_text: str) -> str | None:
    """Slug of the regency named in an agency text, or None.

    "Pemerintah Kabupaten Bandung" -> "kab-bandung"; "Kab. Bandung Barat" -> "kab-bandung-barat".
    The longest matching name token wins (BANDUNG BARAT over BANDUNG). A token right after "KOTA"
    names the city, not the regency ("Kota Bekasi" -> None).
    """
    text = f" {normalise_name(agency_text)} "
    best: tuple[int, str] | None = None
    for slug in curated_regions():
        for token in load_region(slug).name_tokens:
            for m in re.finditer(rf"(?<= ){re.escape(normalise_name(token))}(?= )", text):
                if text[: m.start()].endswith(" KOTA "):
                    continue
                score = len(token)
                if best is None or score > best[0]:
                    best = (score, slug)
                elif score == best[0] and slug != best[1]:
                    best = (score, "")  # two regions tie: ambiguous
    if best:
        return best[1] or None
    return national.detect(agency_text)


@lru_cache(maxsize=16)
def _geojson_text(slug: str, level: str) -> str:
    return (REGIONS_DIR / slug / f"{level}.geojson").read_text(encoding="utf-8")


def region_geojson(slug: str, level: Literal["kecamatan", "desa"]) -> dict:
    """The region's FeatureCollection at that level (a fresh dict each call, safe to mutate).

    Feature properties: kode, nama (+ kode_bps, centroid_lat, centroid_lng for kecamatan;
    jenis, kode_kec for desa). A national region without shipped desa polygons has no desa
    features (Region.has_desa_shapes).
    """
    if level not in ("kecamatan", "desa"):
        raise ValueError(f"level must be 'kecamatan' or 'desa', not {level!r}")
    region = load_region(slug)  # validates the slug with a helpful message
    if not region.curated:
        return json.loads(national.geojson_text(region.kode, level))
    return json.loads(_geojson_text(region.slug, level))
