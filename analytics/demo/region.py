"""The demo regency's places and units, read straight from data/regions/<slug>/.

Reads kecamatan.csv, desa.csv, units.csv and the two GeoJSON files with pandas/json only (no
dependency on analytics/regions.py) and resolves the catalogue's unit targets to rows of units.csv.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.demo import catalog as cat
from analytics.demo.geo import GridSampler, Polygons, build_grid_sampler, load_polygons

DEFAULT_REGION_DIR = Path(__file__).resolve().parents[2] / "data" / "regions" / "kab-bekasi"


@dataclass(frozen=True)
class Region:
    kec_names: tuple[str, ...]
    kec_weight: np.ndarray  # population-ish
    kec_flood: np.ndarray  # bool, flood-prone
    kec_poly: np.ndarray  # index into kec_polys, -1 when the kecamatan has no polygon
    desa_names: tuple[str, ...]
    desa_kec: np.ndarray  # kecamatan index of each desa
    desa_urban: np.ndarray  # bool, kelurahan
    desa_poly: np.ndarray  # index into desa_polys, -1 when the desa has no polygon
    kec_polys: Polygons
    desa_polys: Polygons
    unit_names: tuple[str, ...]
    unit_speed_key: tuple[str, ...]  # UNIT_SPEED / CAMAT_SPEED key, '' for none
    target_unit: dict[str, int]  # UNIT_TARGETS key -> unit index (only those found)
    camat_unit: np.ndarray  # per kecamatan: unit index of its camat office (-1 if none)
    other_units: np.ndarray  # unit indices for the "OTHER" category
    fallback_unit: int  # for a kecamatan without a camat office: the first OPD
    desa_sampler: GridSampler  # points inside a desa polygon and its kecamatan's polygon


def _find_unit(units: pd.DataFrame, codes: tuple[str, ...], words: tuple[str, ...]) -> int:
    code = units["code"].str.upper()
    for c in codes:
        hit = np.flatnonzero((code == c.upper()).to_numpy())
        if len(hit):
            return int(hit[0])
    candidates = units["kind"].isin(["opd", "lainnya"]).to_numpy()
    name = units["name"].str.lower()
    for w in words:
        hit = np.flatnonzero(name.str.contains(w, regex=False).to_numpy() & candidates)
        if len(hit):
            return int(hit[0])
    return -1


def load_region(region_dir: Path | str | None = None) -> Region:
    path = Path(region_dir) if region_dir is not None else DEFAULT_REGION_DIR
    files = ("kecamatan.csv", "desa.csv", "units.csv", "kecamatan.geojson", "desa.geojson")
    stamp = tuple((path / f).stat().st_mtime_ns for f in files)
    return _load_region(str(path.resolve()), stamp)


@lru_cache(maxsize=4)
def _load_region(path_text: str, _stamp: tuple) -> Region:
    path = Path(path_text)
    read = lambda f: pd.read_csv(path / f, dtype=str, keep_default_na=False)  # noqa: E731
    kec, desa, units = read("kecamatan.csv"), read("desa.csv"), read("units.csv")
    kec_polys = load_polygons(path / "kecamatan.geojson", key="kode")
    desa_polys = load_polygons(path / "desa.geojson", key="kode")

    kec_codes = kec["kode"].tolist()
    kec_keys = [cat.name_key(n) for n in kec["nama"]]
    kec_index = {k: i for i, k in enumerate(kec_codes)}
    kpoly, dpoly = kec_polys.index(), desa_polys.index()
    desa = desa[desa["kode_kec"].isin(kec_index)].reset_index(drop=True)

    unit_keys = [""] * len(units)
    target_unit: dict[str, int] = {}
    for key, (codes, words) in cat.UNIT_TARGETS.items():
        i = _find_unit(units, codes, words)
        if i >= 0:
            target_unit[key] = i
            unit_keys[i] = unit_keys[i] or key

    camat_unit = np.full(len(kec), -1, dtype=np.int64)
    kind = units["kind"].to_numpy()
    kc = units["kecamatan_code"].to_numpy()
    ucode = units["code"].str.upper().to_numpy()
    uname = [cat.name_key(n) for n in units["name"]]
    for i, (code, key) in enumerate(zip(kec_codes, kec_keys)):
        digits = "".join(ch for ch in code if ch.isdigit())
        hits = np.flatnonzero((kind == "camat") & (kc == code))
        if not len(hits):
            hits = np.flatnonzero(ucode == f"KEC-{digits}")
        if not len(hits):
            hits = np.flatnonzero(np.array(uname) == "kecamatan" + key)
        if len(hits):
            camat_unit[i] = hits[0]
            unit_keys[hits[0]] = key if key in cat.CAMAT_SPEED else unit_keys[hits[0]]

    used = set(target_unit.values()) | set(camat_unit[camat_unit >= 0].tolist())
    other = [i for i in range(len(units)) if kind[i] in ("opd", "lainnya") and i not in used]

    # The kecamatan polygon of each desa *feature* (desa.geojson order), for the point sampler.
    kec_of_kode = dict(zip(desa["kode"], desa["kode_kec"]))
    also_of = np.array(
        [kpoly.get(kec_of_kode.get(k, ""), -1) for k in desa_polys.keys], dtype=np.int64
    )
    return Region(
        kec_names=tuple(kec["nama"]),
        kec_weight=np.array([cat.KECAMATAN_WEIGHT.get(k, cat.DEFAULT_KEC_WEIGHT) for k in kec_keys]),
        kec_flood=np.array([k in cat.FLOOD_PRONE for k in kec_keys]),
        kec_poly=np.array([kpoly.get(c, -1) for c in kec_codes], dtype=np.int64),
        desa_names=tuple(desa["nama"]),
        desa_kec=desa["kode_kec"].map(kec_index).to_numpy(dtype=np.int64),
        desa_urban=(desa["jenis"].str.lower() == "kelurahan").to_numpy(),
        desa_poly=np.array([dpoly.get(c, -1) for c in desa["kode"]], dtype=np.int64),
        kec_polys=kec_polys,
        desa_polys=desa_polys,
        unit_names=tuple(units["name"]),
        unit_speed_key=tuple(unit_keys),
        target_unit=target_unit,
        camat_unit=camat_unit,
        other_units=np.array(other, dtype=np.int64),
        fallback_unit=int(np.flatnonzero(kind == "opd")[0]) if (kind == "opd").any() else 0,
        desa_sampler=build_grid_sampler(desa_polys, kec_polys, also_of),
    )
