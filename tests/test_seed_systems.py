"""The five systems Pantau was started from, end to end, each on a realistic file written from the
documented facts (Pantau template or SP4N-LAPOR! layout; invented ids, no real person's data):
the file imports, finds its region, and gives non-empty OPD and camat leagues and a map."""

from __future__ import annotations

import pandas as pd

from analytics.importers.ingest import import_file
from analytics.rules.periods import Period
from analytics.rules.policy import load_policy
from analytics.rules.regions import load_region
from analytics.screens import league_for, map_view

JUNE = Period(pd.Timestamp("2025-06-01").date(), pd.Timestamp("2025-06-30").date())
AS_OF = pd.Timestamp("2025-07-15 12:00", tz="Asia/Jakarta").tz_convert("UTC")


def _template(path, rows: list[tuple[str, str, str, str]]) -> None:
    """Pantau template rows (unit, kecamatan, desa, category); times spread over June 2025."""
    lines = ["id,received_at,verified_at,dispatched_at,first_response_at,resolved_at,status,opd,kecamatan,desa,"
             "category,channel"]
    for i, (unit, kec, desa, cat) in enumerate(rows):
        day = 2 + i % 20
        lines.append(f"T-{i:04d},2025-06-{day:02d}T08:00:00+07:00,2025-06-{day:02d}T10:00:00+07:00,"
                     f"2025-06-{day:02d}T11:00:00+07:00,2025-06-{day + 1 + i % 4:02d}T09:00:00+07:00,,"
                     f"ditindaklanjuti,{unit},{kec},{desa},{cat},WhatsApp")
    path.write_text("\n".join(lines) + "\n")


def _sp4n(path, agency: str, rows: list[tuple[str, str, str, str]]) -> None:
    """A "Laporan Ringkas" CSV with its title block (agency, generate date) and the optional
    Kecamatan/Kelurahan columns."""
    lines = [f"Nama Instansi,{agency}", "Tanggal Generate,14 Jul 2025", "",
             "Tracking ID,Tanggal Laporan Masuk,Waktu Laporan Masuk,Kategori,Instansi Terdisposisi,Status Laporan,"
             "Kecamatan,Kelurahan"]
    for i, (unit, kec, desa, status) in enumerate(rows):
        lines.append(f"{5100000 + i},{2 + i % 20} Jun 2025,09:{i % 60:02d}:00,Infrastruktur,{unit},{status},{kec},{desa}")
    path.write_text("\n".join(lines) + "\n")


def _leagues_and_map(con, policy: str) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    pol = load_policy(policy)
    opd = league_for(con, by="opd", period=JUNE, as_of=AS_OF, policy=pol).table
    camat = league_for(con, by="camat", period=JUNE, as_of=AS_OF, policy=pol).table
    return opd, camat, len(map_view(con, JUNE, AS_OF, pol).kecamatan)


def test_lapor_aa_bupati_kab_bekasi(con, tmp_path) -> None:
    """WhatsApp bot, "respons cepat 24 jam": a template file without --region."""
    places = [("Cikarang Barat", "Telaga Asih"), ("Tambun Selatan", "Jatimulya"), ("Cibitung", "Wanasari"),
              ("Babelan", "Babelan Kota"), ("Cikarang Utara", "Karangasih")]
    rows = [(unit, kec, desa, cat) for kec, desa in places
            for unit, cat in (("Dinas Lingkungan Hidup", "Sampah"), (f"Kecamatan {kec}", "Jalan Rusak"),
                              ("Dinas Perhubungan", "PJU"))] * 2
    _template(tmp_path / "lapor-aa.csv", rows)
    report = import_file(con, tmp_path / "lapor-aa.csv")
    assert report.region == "kab-bekasi" and report.region_note
    opd, camat, kec = _leagues_and_map(con, "lapor-aa-bekasi")
    assert len(opd) >= 2 and len(camat) == 5 and kec == 5
    respons = load_policy("lapor-aa-bekasi").stage("respons")
    assert respons is not None and respons.default.hours == 24  # from receipt, as promised


def test_lapor_bup_kab_oki(con, tmp_path) -> None:
    """OPD and camat ranked as a performance indicator; its 18 kecamatan on the map."""
    r = load_region("kab-oki")
    assert len(r.kecamatan) == 18
    kec = list(r.kecamatan["nama"])
    rows = [(unit, k, "", "Jalan Rusak") for k in kec for unit in (f"Camat {k}", "Dinas PUPR")]
    _template(tmp_path / "lapor-bup.csv", rows)
    report = import_file(con, tmp_path / "lapor-bup.csv", region="16.02")
    assert report.region == "kab-oki"
    opd, camat, on_map = _leagues_and_map(con, "sp4n-lapor")
    assert len(opd) >= 1 and len(camat) == 18 and on_map == 18


def test_lapor_kang_hengky_kbb(con, tmp_path) -> None:
    """SP4N-LAPOR!-integrated; handled "selama proses 3-4 hari"."""
    kec = list(load_region("kab-bandung-barat").kecamatan["nama"])[:6]
    rows = [(unit, k, "", "Ditutup oleh Sistem") for k in kec
            for unit in (f"Kecamatan {k}", "Dinas Kesehatan Kabupaten Bandung Barat")] * 2
    _sp4n(tmp_path / "kbb.csv", "Pemerintah Kabupaten Bandung Barat", rows)
    report = import_file(con, tmp_path / "kbb.csv")
    assert report.region == "kab-bandung-barat"
    pol = load_policy("kbb-kang-hengky")
    assert pol.stage("respons").default.days == 4 and "3-4 hari" in pol.description
    # A Ringkas export without dispatch times: the units cannot be ranked yet, but they are listed.
    opd = league_for(con, by="opd", period=JUNE, as_of=AS_OF, policy=pol).table
    camat = league_for(con, by="camat", period=JUNE, as_of=AS_OF, policy=pol).table
    assert len(opd) >= 1 and len(camat) == 6


def test_lapor_kota_bandung(con, tmp_path) -> None:
    """SP4N-LAPOR! for "Pemerintah Kota Bandung": Kota Bandung, not Kab. Bandung."""
    r = load_region("kota-bandung")
    assert (len(r.kecamatan), (r.desa["jenis"] == "kelurahan").sum()) == (30, 151)
    pairs = list(zip(r.desa["kode_kec"], r.desa["nama"], strict=True))[::15]
    kec_name = dict(zip(r.kecamatan["kode"], r.kecamatan["nama"], strict=True))
    rows = [(unit, kec_name[k], d, "Didisposisi") for k, d in pairs
            for unit in (f"Kecamatan {kec_name[k]}", "Dinas Sumber Daya Air dan Bina Marga Kota Bandung")]
    _sp4n(tmp_path / "lapor-kota-bandung.csv", "Pemerintah Kota Bandung", rows)
    report = import_file(con, tmp_path / "lapor-kota-bandung.csv")
    assert report.region == "kota-bandung"
    stored = con.execute("SELECT count(DISTINCT kecamatan_code), count(desa_code), count(*) FROM complaints").fetchall()[0]
    assert stored[0] == len(pairs) and stored[1] == stored[2]
    opd, camat, on_map = _leagues_and_map(con, "kota-bandung")
    assert len(opd) >= 1 and len(camat) == len(pairs) and on_map == len(pairs)


def test_pot_kota_bekasi(con, tmp_path) -> None:
    """Pengaduan Online Terpadu, on the Patriot Operating Center's wall: KTP, traffic jams,
    illegal rubbish, street lights; 12 kecamatan and 56 kelurahan."""
    from analytics.demo.catalog import CATEGORIES

    words = " ".join(c.name.lower() for c in CATEGORIES)
    assert all(w in words for w in ("ktp", "kemacetan", "sampah liar", "pju"))
    r = load_region("kota-bekasi")
    assert (len(r.kecamatan), len(r.desa)) == (12, 56)
    kec_name = dict(zip(r.kecamatan["kode"], r.kecamatan["nama"], strict=True))
    rows = [(unit, kec_name[k], d, cat) for k, d in zip(r.desa["kode_kec"], r.desa["nama"], strict=True)
            for unit, cat in ((f"Kecamatan {kec_name[k]}", "Sampah Liar"), ("Dinas Perhubungan", "Kemacetan"))]
    _template(tmp_path / "pot.csv", rows)
    report = import_file(con, tmp_path / "pot.csv", region="Kota Bekasi")
    assert report.region == "kota-bekasi"
    opd, camat, on_map = _leagues_and_map(con, "sp4n-lapor")
    assert len(opd) >= 1 and len(camat) == 12 and on_map == 12
    assert set(opd["group_code"]) >= {"DISHUB"}
