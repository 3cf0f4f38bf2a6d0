"""The region registry: one folder per regency under data/regions/ (docs/regions.md).

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


def list_regions() -> list[str]:
    """Slugs of all regions (folders holding a region.toml), sorted."""
    if not REGIONS_DIR.is_dir():
        return []
    return sorted(p.parent.name for p in REGIONS_DIR.glob("*/region.toml"))


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
    """Load one region by slug. Unknown slug -> ValueError naming the valid ones."""
    folder = REGIONS_DIR / slug
    if not slug or "/" in slug or not (folder / "region.toml").is_file():
        raise ValueError(f"unknown region {slug!r}; valid regions: {', '.join(list_regions())}")
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


def detect_region(agency_text: str) -> str | None:
    """Slug of the regency named in an agency text, or None.

    "Pemerintah Kabupaten Bandung" -> "kab-bandung"; "Kab. Bandung Barat" -> "kab-bandung-barat".
    The longest matching name token wins (BANDUNG BARAT over BANDUNG). A token right after "KOTA"
    names the city, not the regency ("Kota Bekasi" -> None).
    """
    text = f" {normalise_name(agency_text)} "
    best: tuple[int, str] | None = None
    for slug in list_regions():
        for token in load_region(slug).name_tokens:
            for m in re.finditer(rf"(?<= ){re.escape(normalise_name(token))}(?= )", text):
                if text[: m.start()].endswith(" KOTA "):
                    continue
                score = len(token)
                if best is None or score > best[0]:
                    best = (score, slug)
                elif score == best[0] and slug != best[1]:
                    best = (score, "")  # two regions tie: ambiguous
    return (best[1] or None) if best else None


@lru_cache(maxsize=16)
def _geojson_text(slug: str, level: str) -> str:
    return (REGIONS_DIR / slug / f"{level}.geojson").read_text(encoding="utf-8")


def region_geojson(slug: str, level: Literal["kecamatan", "desa"]) -> dict:
    """The region's FeatureCollection at that level (a fresh dict each call, safe to mutate).

    Feature properties: kode, nama (+ kode_bps, centroid_lat, centroid_lng for kecamatan;
    jenis, kode_kec for desa).
    """
    if level not in ("kecamatan", "desa"):
        raise ValueError(f"level must be 'kecamatan' or 'desa', not {level!r}")
    load_region(slug)  # validates the slug with a helpful message
    return json.loads(_geojson_text(slug, level))
