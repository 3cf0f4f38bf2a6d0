"""Build data/regions/national/ from ../shared/data/real/wilayah-indonesia/ (docs/regions.md).

The national registry: every provinsi, kab/kota, kecamatan and desa/kelurahan of Indonesia with
its Kemendagri code (Kepmendagri 300.2.2-2430/2025), kab/kota and kecamatan polygons for the
whole country, and desa/kelurahan polygons where the source ships them. Written as zstd Parquet
(names and codes as text; polygons as GeoJSON geometry text, one row per area) so that loading
one regency reads only its rows. Run from the repository root:

    python scripts/build_national.py [--source ../shared/data/real/wilayah-indonesia]

Nothing is simplified or renamed: the source's own transformations are in its SOURCE.md, and
data/regions/ATTRIBUTION.md keeps its licence line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "regions" / "national"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "real" / "wilayah-indonesia"


def _csv(path: Path, keep: list[str]) -> pd.DataFrame:
    text = [c for c in keep if not c.startswith(("centroid_", "jumlah_", "luas", "penduduk"))]
    return pd.read_csv(path, dtype={c: "str" for c in text}, keep_default_na=False,
                       na_values={c: [""] for c in keep})[keep]


def _shapes(path: Path, keep: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    with path.open(encoding="utf-8") as f:
        doc = json.load(f)
    for feat in doc["features"]:
        p = feat["properties"]
        rows.append({**{k: str(p[k]) for k in keep}, "geometry": json.dumps(feat["geometry"], separators=(",", ":"))})
    return pd.DataFrame(rows)


def _write(frame: pd.DataFrame, name: str, sort: list[str]) -> None:
    table = pa.Table.from_pandas(frame.sort_values(sort).reset_index(drop=True), preserve_index=False)
    # Row groups by kab/kota order keep a regency's rows together: a filtered read touches few.
    pq.write_table(table, OUT / name, compression="zstd", compression_level=19, row_group_size=20_000)
    print(f"{name}: {len(frame):,} rows, {(OUT / name).stat().st_size / 1e6:.2f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    src = ap.parse_args().source
    OUT.mkdir(parents=True, exist_ok=True)
    _write(_csv(src / "provinsi.csv", ["kode", "nama"]), "provinsi.parquet", ["kode"])
    _write(_csv(src / "kabupaten_kota.csv", ["kode", "nama", "nama_pendek", "jenis", "kode_prov", "nama_prov",
                                              "jumlah_kecamatan", "jumlah_kelurahan", "jumlah_desa",
                                              "centroid_lat", "centroid_lng"]), "kabupaten_kota.parquet", ["kode"])
    _write(_csv(src / "kecamatan.csv", ["kode", "nama", "kode_kab", "centroid_lat", "centroid_lng"]),
           "kecamatan.parquet", ["kode"])
    desa = _csv(src / "desa_kelurahan.csv", ["kode", "nama", "jenis", "kode_kec", "kode_kab", "centroid_lat",
                                             "centroid_lng"])
    _write(desa, "desa.parquet", ["kode"])
    _write(_shapes(src / "kabupaten_kota.geojson", ("kode",)), "kabupaten_kota_shapes.parquet", ["kode"])
    _write(_shapes(src / "kecamatan.geojson", ("kode", "kode_kab")), "kecamatan_shapes.parquet", ["kode"])
    parts = [_shapes(p, ("kode", "kode_kec", "kode_kab")) for p in sorted((src / "desa").glob("*.geojson"))]
    _write(pd.concat(parts, ignore_index=True), "desa_shapes.parquet", ["kode"])


if __name__ == "__main__":
    main()
