"""Name normalisation and matching against the committed region registry."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from any directory without installing the package
    sys.path.insert(0, str(ROOT))

from analytics.rules.names import (  # noqa: E402
    compact_key,
    match_desa,
    match_kecamatan,
    match_units,
    normalise_name,
)
from analytics.rules.regions import curated_regions, load_region  # noqa: E402

SP4N = Path("/work/shared/data/real/sp4n-lapor-kab-bandung")
needs_sp4n = pytest.mark.skipif(
    not SP4N.is_dir(), reason=f"real SP4N-LAPOR! reference data not available at {SP4N}"
)


@pytest.fixture(scope="module")
def bandung():
    return load_region("kab-bandung")


def _s(*values) -> pd.Series:
    return pd.Series(list(values), dtype="str")


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dinas Kesehatan Kab. Bandung", "DINAS KESEHATAN KABUPATEN BANDUNG"),
        ("  kec.  Solokan-Jeruk ", "KECAMATAN SOLOKAN JERUK"),
        ("Kel. Baleendah", "KELURAHAN BALEENDAH"),
        ("Ds. Cibiru Hilir", "DESA CIBIRU HILIR"),
        ("Pemkab Bekasi", "PEMERINTAH KABUPATEN BEKASI"),
        ("KABUPATEN", "KABUPATEN"),  # only whole words are expanded
        ("Kabayan", "KABAYAN"),
        (None, ""),
        (np.nan, ""),
        (pd.NA, ""),
        ("", ""),
    ],
)
def test_normalise_name(raw, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_compact_key_ignores_spaces() -> None:
    assert compact_key("SOLOKAN JERUK") == compact_key("Solokanjeruk") == "SOLOKANJERUK"


# ---------------------------------------------------------------- kecamatan


def test_bps_spelling_matches_kemendagri(bandung) -> None:
    out = match_kecamatan(_s("SOLOKAN JERUK", "Kec. Solokan Jeruk", "solokanjeruk"), bandung)
    assert out["kecamatan_code"].tolist() == ["32.04.34"] * 3
    assert out["kecamatan"].tolist() == ["Solokanjeruk"] * 3


@pytest.mark.parametrize(
    ("slug", "raw", "kode"),
    [
        ("kab-oki", "KOTA KAYU AGUNG", "16.02.05"),
        ("kab-oki", "PANGKALAN LAPAM", "16.02.19"),
        ("kab-bandung-barat", "CIKALONG WETAN", "32.17.04"),
        ("kab-bekasi", "MUARA GEMBONG", "32.16.17"),
    ],
)
def test_bps_aliases(slug: str, raw: str, kode: str) -> None:
    assert match_kecamatan(_s(raw), load_region(slug))["kecamatan_code"].tolist() == [kode]


def test_kecamatan_unknown_and_empty(bandung) -> None:
    raw = pd.Series([" CIHAMPELAS ", None, "", "BALEENDAH"], index=[10, 11, 12, 13], dtype="str")
    out = match_kecamatan(raw, bandung)
    assert list(out.columns) == ["kecamatan_code", "kecamatan"]
    assert out.index.tolist() == [10, 11, 12, 13]
    assert out["kecamatan_code"].isna().tolist() == [True, True, True, False]
    assert out.loc[10, "kecamatan"] == "CIHAMPELAS"  # kept as given, stripped
    assert out.loc[[11, 12], "kecamatan"].isna().all()
    assert out.loc[13, "kecamatan"] == "Baleendah"


# ---------------------------------------------------------------- units


def test_variant_spellings_resolve_to_one_unit(bandung) -> None:
    out = match_units(
        _s(
            "Dinas Pendidikan Bandung",
            "Dinas Pendidikan Kab. Bandung",
            "DINAS PENDIDIKAN KABUPATEN BANDUNG",
            "Disdik Kab. Bandung",
        ),
        bandung,
    )
    assert out["unit_code"].tolist() == ["DISDIK"] * 4
    assert out["unit"].nunique() == 1
    assert out["unit_kind"].tolist() == ["opd"] * 4


def test_kecamatan_office_resolves_to_camat_unit(bandung) -> None:
    out = match_units(
        _s(
            "Kecamatan Solokanjeruk",
            "Kec. Solokan Jeruk",
            "Kecamatan Pangalengan Kabupaten Bandung",
        ),
        bandung,
    )
    assert out["unit_code"].tolist() == ["KEC-320434", "KEC-320434", "KEC-320415"]
    assert out["unit"].tolist()[0] == "Kecamatan Solokanjeruk"
    assert (out["unit_kind"] == "camat").all()


def test_unknown_unit_is_kept_as_given(bandung) -> None:
    raw = pd.Series(["  Dinas Antah Berantah ", "Kecamatan Cihampelas", None, "  "], dtype="str")
    out = match_units(raw, bandung)
    assert list(out.columns) == ["unit_code", "unit", "unit_kind"]
    assert out["unit_code"].isna().all()
    assert out["unit"].tolist()[:2] == ["Dinas Antah Berantah", "Kecamatan Cihampelas"]
    assert out["unit_kind"].tolist()[:2] == ["tidak_dikenal", "camat"]
    assert out.iloc[2:].isna().all().all()


def test_other_regency_unit_is_not_absorbed(bandung) -> None:
    out = match_units(_s("Dinas Pendidikan Kab. Bandung Barat"), bandung)
    assert out["unit_code"].isna().all()


def test_alias_from_aliases_toml(bandung) -> None:
    out = match_units(_s("DP2KBP3A kab. Bandung", "DALDUKPPA Kab. Bandung"), bandung)
    assert out["unit_code"].tolist() == ["DALDUKPPA", "DALDUKPPA"]


@pytest.mark.parametrize("slug", ["kab-bekasi", "kab-bandung-barat", "kab-oki", "kab-bandung"])
def test_every_unit_matches_its_own_names(slug: str) -> None:
    r = load_region(slug)
    for col in ("name", "short_name"):
        out = match_units(r.units[col], r)
        assert out["unit_code"].tolist() == r.units["code"].tolist(), col


def test_output_is_aligned_and_str_typed(bandung) -> None:
    raw = pd.Series(["Dinas Sosial Kab. Bandung", None] * 3, index=list("abcdef"), dtype="str")
    out = match_units(raw, bandung)
    assert out.index.tolist() == list("abcdef")
    assert all(pd.api.types.is_string_dtype(t) for t in out.dtypes)
    assert out["unit_code"].tolist()[::2] == ["DINSOS"] * 3


def test_empty_input(bandung) -> None:
    assert match_units(pd.Series([], dtype="str"), bandung).shape == (0, 3)
    empty = pd.Series([], dtype="str")
    assert match_desa(empty, empty, bandung).shape == (0, 2)


# ---------------------------------------------------------------- desa


def test_desa_prefers_the_given_kecamatan(bandung) -> None:
    # MARGAASIH is a desa name in two kecamatan of Kab. Bandung.
    d = bandung.desa
    twins = d[d["nama"].str.upper() == "MARGAASIH"].sort_values("kode")
    assert len(twins) == 2
    raw = _s("Margaasih", "Margaasih", "Margaasih")
    kec = pd.Series([twins["kode_kec"].iloc[0], twins["kode_kec"].iloc[1], None], dtype="str")
    out = match_desa(raw, kec, bandung)
    assert out["desa_code"].tolist()[:2] == twins["kode"].tolist()
    assert pd.isna(out["desa_code"].iloc[2])  # ambiguous without a kecamatan
    assert out["desa"].iloc[2] == "Margaasih"


def test_desa_unique_name_matches_without_kecamatan(bandung) -> None:
    out = match_desa(_s("Ds. Cibiru Hilir", None), pd.Series([None, None], dtype="str"), bandung)
    assert out["desa_code"].iloc[0].startswith("32.04.")
    assert out["desa"].iloc[0] == "Cibiru Hilir"
    assert out.iloc[1].isna().all()


# ---------------------------------------------------------------- real Kab. Bandung export


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(SP4N / name, dtype="str", keep_default_na=False)


@needs_sp4n
def test_every_real_instansi_resolves_to_a_unit(bandung) -> None:
    full = _read("sp4n_lapor_kab_bandung_2021_2024.csv")["Instansi Terdisposisi"]
    y2024 = _read("sp4n_lapor_kab_bandung_2024_with_kecamatan.csv")["Instansi Terdisposisi"]
    distinct = pd.Series(sorted(v for v in set(full) | set(y2024) if v.strip()), dtype="str")
    # 69 in the 2021-2024 export; the 2024 export adds two older names of renamed OPDs.
    assert len(distinct) == 71
    out = match_units(distinct, bandung)
    assert out["unit_code"].isna().sum() == 0, distinct[out["unit_code"].isna()].tolist()
    camat = distinct.str.startswith("Kecamatan")
    assert (out.loc[camat, "unit_kind"] == "camat").all()
    assert camat.sum() == 28


@needs_sp4n
def test_real_2024_kecamatan_column(bandung) -> None:
    raw = _read("sp4n_lapor_kab_bandung_2024_with_kecamatan.csv")["Kecamatan"]
    non_empty = raw[raw.str.strip() != ""]
    assert len(non_empty) == 204
    out = match_kecamatan(non_empty, bandung)
    assert out["kecamatan_code"].notna().sum() == 191
    unknown = non_empty[out["kecamatan_code"].isna()]
    assert set(unknown) == {
        "CIHAMPELAS", "PARONGPONG", "NGAMPRAH", "CIPEUNDEUY", "BATUJAJAR", "LEMBANG",
        "PADALARANG", "MAJENANG", "MAJALENGKA",
    }
    assert (out.loc[unknown.index, "kecamatan"] == unknown).all()  # kept as given
    # The Bandung Barat ones do match their own regency.
    in_kbb = unknown[~unknown.isin(["MAJENANG", "MAJALENGKA"])]
    kbb = match_kecamatan(in_kbb, load_region("kab-bandung-barat"))
    assert kbb["kecamatan_code"].notna().all()
    others = [load_region(s) for s in curated_regions()]  # Majenang is a kecamatan of Kab. Cilacap
    for r in others:
        assert match_kecamatan(_s("MAJENANG", "MAJALENGKA"), r)["kecamatan_code"].isna().all()
