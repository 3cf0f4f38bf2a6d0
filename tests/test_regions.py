"""The region registry: committed files, counts from boundaries/SOURCE.md, detection, geojson."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from any directory without installing the package
    sys.path.insert(0, str(ROOT))

from analytics.rules.regions import (  # noqa: E402
    REGIONS_DIR,
    curated_regions,
    detect_region,
    list_regions,
    load_region,
    region_geojson,
)

# (kode, kecamatan, desa+kelurahan, kelurahan) from boundaries/SOURCE.md
COUNTS = {
    "kab-bekasi": ("32.16", 23, 187, 8),
    "kab-bandung-barat": ("32.17", 16, 165, 0),
    "kab-oki": ("16.02", 18, 327, 13),
    "kab-bandung": ("32.04", 31, 280, 10),
}


def test_list_regions() -> None:
    assert curated_regions() == tuple(sorted(COUNTS))
    every = list_regions()
    assert len(every) == 514 and set(COUNTS) <= set(every)  # every kab/kota, the hand-made under their slug
    assert "kab-ogan-komering-ilir" not in every and "kota-bekasi" in every


@pytest.mark.parametrize("slug", sorted(COUNTS))
def test_counts_and_codes(slug: str) -> None:
    kode, n_kec, n_desa, n_kel = COUNTS[slug]
    r = load_region(slug)
    assert (r.slug, r.kode, r.timezone, r.tz_label) == (slug, kode, "Asia/Jakarta", "WIB")
    assert len(r.kecamatan) == n_kec and len(r.desa) == n_desa
    assert (r.desa["jenis"] == "kelurahan").sum() == n_kel
    assert r.kecamatan["kode"].str.startswith(kode + ".").all()
    assert r.desa["kode_kec"].isin(r.kecamatan["kode"]).all()
    assert r.kecamatan["kode"].is_unique and r.desa["kode"].is_unique


@pytest.mark.parametrize("slug", sorted(COUNTS))
def test_units_have_one_camat_office_per_kecamatan(slug: str) -> None:
    r = load_region(slug)
    u = r.units
    assert u["code"].is_unique
    assert u["code"].str.fullmatch(r"[A-Z0-9-]+").all()
    assert set(u["kind"]) <= {"opd", "camat", "lainnya"}
    camat = u[u["kind"] == "camat"]
    assert sorted(camat["kecamatan_code"]) == sorted(r.kecamatan["kode"])
    first = camat.iloc[0]
    kode = first["kecamatan_code"]
    nama = r.kecamatan.set_index("kode").loc[kode, "nama"]
    assert first["code"] == "KEC-" + kode.replace(".", "")
    assert (first["name"], first["short_name"]) == (f"Kecamatan {nama}", f"Kec. {nama}")
    assert u.loc[u["kind"] != "camat", "kecamatan_code"].isna().all()


def test_bekasi_example_rows() -> None:
    r = load_region("kab-bekasi")
    assert r.name == "Kabupaten Bekasi" and r.short_name == "Kab. Bekasi"
    assert r.name_tokens == ("BEKASI",)
    assert "KEC-321609" in set(r.units["code"])
    assert {"DISDIK", "DINKES", "DCKTR", "DSDABMBK", "SATPOLPP", "BPBD"} <= set(r.units["code"])


def test_name_tokens_do_not_confuse_bandung_and_bandung_barat() -> None:
    assert load_region("kab-bandung").name_tokens == ("BANDUNG",)
    assert load_region("kab-bandung-barat").name_tokens[0] == "BANDUNG BARAT"


def test_aliases_are_normalised_and_point_to_real_codes() -> None:
    r = load_region("kab-oki")
    assert r.kecamatan_aliases["KOTA KAYU AGUNG"] == "16.02.05"
    assert load_region("kab-bandung").kecamatan_aliases["SOLOKAN JERUK"] == "32.04.34"


def test_unknown_region_says_how_regions_are_named() -> None:
    with pytest.raises(ValueError, match=r"'kab-bogorr'.*32\.75"):
        load_region("kab-bogorr")
    with pytest.raises(ValueError, match=r"'Bekasi'"):  # Kab. or Kota Bekasi: the kind is needed
        load_region("Bekasi")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Pemerintah Kabupaten Bandung", "kab-bandung"),
        ("Pemkab Bekasi", "kab-bekasi"),
        ("Kabupaten Bekasi", "kab-bekasi"),
        ("Kab. Bandung Barat", "kab-bandung-barat"),
        ("Pemerintah Kabupaten Bandung Barat", "kab-bandung-barat"),
        ("Ogan Komering Ilir", "kab-oki"),
        ("Pemkab OKI", "kab-oki"),
        # Cities are regions too now (the national registry), never the regency of the same name.
        ("Pemerintah Kota Bekasi", "kota-bekasi"),
        ("Kota Bandung", "kota-bandung"),
        ("Pemerintah Kota Administrasi Jakarta Pusat", "kota-jakarta-pusat"),
        ("Dinas Kesehatan Kabupaten Cilacap", "kab-cilacap"),
        ("Pemerintah Provinsi DKI Jakarta", None),
        ("Kota Bekasi dan Kabupaten Bogor", None),  # two regions named: ask
        ("", None),
    ],
)
def test_detect_region(text: str, slug: str | None) -> None:
    assert detect_region(text) == slug


@pytest.mark.parametrize("level", ["kecamatan", "desa"])
def test_region_geojson(level: str) -> None:
    g = region_geojson("kab-bekasi", level)
    assert g["type"] == "FeatureCollection"
    assert len(g["features"]) == (23 if level == "kecamatan" else 187)
    props = g["features"][0]["properties"]
    assert {"kode", "nama"} <= set(props)
    if level == "desa":
        assert props["kode_kec"] == props["kode"][:8]
    g["features"].clear()  # callers get a fresh dict
    assert len(region_geojson("kab-bekasi", level)["features"]) > 0


def test_region_geojson_rejects_bad_level() -> None:
    with pytest.raises(ValueError):
        region_geojson("kab-bekasi", "provinsi")  # type: ignore[arg-type]


def test_regions_module_does_not_import_streamlit() -> None:
    code = "import sys, analytics.rules.regions, analytics.rules.names; print('streamlit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_regions_dir_is_inside_project() -> None:
    assert REGIONS_DIR == ROOT / "data" / "regions"
