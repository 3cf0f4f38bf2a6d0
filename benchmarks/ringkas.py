"""A synthetic SP4N-LAPOR! "Laporan Ringkas" workbook, in the real export's layout, from demo data.

The layout copies ../shared/data/real/sp4n-lapor-kab-bandung/laporan_ringkas_kab_bandung_2021_2024.xlsx
(see its SOURCE.md): one sheet "Laporan Ringkas"; a title block in rows 1-9 (labels in merged
A:B cells, values in merged C cells, each over two rows: Judul Laporan, Nama Instansi, Tanggal
Generate, Periode Masuk, Pengelola; the last pair ends on row 10); the 17-column header on row 11; then one row
per report, every cell text (the Tracking ID, the date and the time too). The date is written like
``29 May 2023`` and the time ``04:05:34``, both in UTC as the real export's hour counts suggest.

The complaints are the demo regency's (analytics.demo.generate.demo_table): the Ringkas columns are filled
from the template columns, with SP4N-LAPOR!'s own vocabulary for statuses, classifications and
channels. The free-text columns get short invented sentences so the cells weigh what real ones do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SHEET = "Laporan Ringkas"
HEADER_ROW = 11
HEADER = (
    "Tracking ID", "Tanggal Laporan Masuk", "Waktu Laporan Masuk", "Klasifikasi Laporan", "ID Kategori",
    "Kategori", "Judul Laporan", "Isi Laporan Awal", "Isi Laporan Akhir", "Tipe Laporan (Anonim/Rahasia)",
    "Sumber Laporan", "Instansi Induk", "Instansi Terdisposisi", "Status Laporan", "Alasan Tunda/Arsip",
    "Provinsi", "Kota/Kabupaten",
)  # fmt: skip
INSTANSI = "Pemerintah Kabupaten Bekasi"
FIRST_TRACKING_ID = 5_000_000
# Canonical status -> (SP4N-LAPOR! status strings, weights). Closed ones follow the real export's
# mix (Kab. Bandung 2021-2024: Ditutup oleh Sistem 1479, Admin 263, Pelapor 96; Diarsipkan oleh
# Admin 97, Sistem 59, Pelapor 32); open ones use the admin console's words the importer accepts.
STATUS_TEXT: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "menunggu_verifikasi": (("Belum Terverifikasi",), (1,)),
    "menunggu_kelengkapan": (("Menunggu Kelengkapan Informasi",), (1,)),
    "terverifikasi": (("Terverifikasi",), (1,)),
    "didisposisi": (("Didisposisi",), (1,)),
    "ditindaklanjuti": (("Diproses",), (1,)),
    "selesai": (("Ditutup oleh Sistem", "Ditutup oleh Admin", "Ditutup oleh Pelapor"), (1479, 263, 96)),
    "diarsipkan": (("Diarsipkan oleh Admin", "Diarsipkan oleh Sistem", "Diarsipkan oleh Pelapor"), (97, 59, 32)),
    "ditolak": (("Konten Terblokir",), (1,)),
}
CLASSIFICATION_TEXT: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "Pengaduan": (("Pengaduan Tidak Berkadar Pengawasan", "Pengaduan Berkadar Pengawasan"), (0.7, 0.3)),
    "Aspirasi": (("Aspirasi",), (1,)),
    "Permintaan Informasi": (("Permintaan Informasi",), (1,)),
}
CHANNEL_TEXT = {"WhatsApp": "Android", "SP4N-LAPOR!": "Website", "Call Center": "Hotline Service",
                "Instagram": "Instagram", "Website": "Website - pemerintah-kabupaten-Bekasi",
                "Tatap Muka": "Tatap Muka"}
TIPE_TEXT = (("Anonim", "Rahasia", "Anonim|Rahasia", ""), (0.35, 0.15, 0.10, 0.40))
ARCHIVE_REASON = "Laporan tidak dapat ditindaklanjuti karena informasi tidak lengkap"
DISPATCHED = ("didisposisi", "ditindaklanjuti", "selesai")


def _pick_text(rng: np.random.Generator, keys: pd.Series, table: dict) -> np.ndarray:
    """Per row, one of the strings ``table[key]`` offers, drawn with its weights."""
    out = np.empty(len(keys), dtype=object)
    for key, (texts, weights) in table.items():
        rows = np.flatnonzero((keys == key).to_numpy())
        p = np.asarray(weights, dtype=float)
        out[rows] = np.asarray(texts, dtype=object)[rng.choice(len(texts), size=len(rows), p=p / p.sum())]
    rest = np.flatnonzero(pd.isna(out))
    out[rest] = keys.to_numpy(dtype=object)[rest]  # anything unmapped keeps its own word
    return out


def ringkas_rows(demo: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The Ringkas columns (HEADER) for demo complaints (analytics.demo.generate.generate_demo's frame)."""
    rng = np.random.default_rng(seed)
    n = len(demo)
    received = pd.to_datetime(demo["received_at"], format="ISO8601", utc=True)
    status = demo["status"]
    dispatched = status.isin(DISPATCHED).to_numpy()
    category_codes, categories = pd.factorize(demo["category"], sort=True)
    where = demo["desa"].where(demo["desa"] != "", demo["kecamatan"])
    judul = demo["category"] + " di " + where
    isi = ("Mohon ditindaklanjuti: " + demo["category"].str.lower() + " di " + where + ", Kecamatan "
           + demo["kecamatan"] + ". Sudah berlangsung beberapa hari dan mengganggu warga sekitar.")
    done = (status == "selesai").to_numpy()
    return pd.DataFrame({
        "Tracking ID": (FIRST_TRACKING_ID + np.arange(n)).astype(str),
        "Tanggal Laporan Masuk": received.dt.strftime("%d %b %Y"),
        "Waktu Laporan Masuk": received.dt.strftime("%H:%M:%S"),
        "Klasifikasi Laporan": _pick_text(rng, demo["classification"], CLASSIFICATION_TEXT),
        "ID Kategori": (900 + category_codes).astype(str),
        "Kategori": np.asarray(categories, dtype=object)[category_codes],
        "Judul Laporan": judul.to_numpy(dtype=object),
        "Isi Laporan Awal": isi.to_numpy(dtype=object),
        "Isi Laporan Akhir": np.where(done, "Terima kasih, laporan Anda sudah kami tindak lanjuti di lokasi.", ""),
        "Tipe Laporan (Anonim/Rahasia)": np.asarray(TIPE_TEXT[0], dtype=object)[
            rng.choice(len(TIPE_TEXT[0]), size=n, p=TIPE_TEXT[1])],
        "Sumber Laporan": demo["channel"].map(CHANNEL_TEXT).fillna(demo["channel"]).to_numpy(dtype=object),
        "Instansi Induk": INSTANSI,
        "Instansi Terdisposisi": np.where(dispatched, demo["opd"].to_numpy(dtype=object), ""),
        "Status Laporan": _pick_text(rng, status, STATUS_TEXT),
        "Alasan Tunda/Arsip": np.where((status == "diarsipkan").to_numpy(), ARCHIVE_REASON, ""),
        "Provinsi": "Jawa Barat",
        "Kota/Kabupaten": "Bekasi",
    })[list(HEADER)]


def title_block(generated: pd.Timestamp, first_day: str, last_day: str) -> list[tuple[str, str | None]]:
    """(label, value) pairs of the title block, as the real export writes them."""
    return [
        ("Judul Laporan", "Laporan Ringkas"),
        ("Nama Instansi", INSTANSI),
        ("Tanggal Generate", generated.strftime("%Y-%m-%d")),
        ("Periode Masuk", f"({first_day}) - ({last_day})"),
        ("Pengelola", None),
    ]


def write_ringkas_xlsx(path: Path | str, *, seed: int, months: int, rows: int, end: pd.Timestamp) -> Path:
    """Write ``rows`` demo complaints (same generator and arguments as the template CSV) as a
    Laporan Ringkas workbook at ``path``; returns the path. Empty cells are left empty."""
    import openpyxl

    from analytics.demo.generate import generate_demo

    demo = generate_demo(seed=seed, months=months, rows=rows, end=end)
    table = ringkas_rows(demo, seed)
    local_end = pd.Timestamp(end).tz_convert("Asia/Jakarta")
    first_day = (local_end - pd.DateOffset(months=months)).strftime("%Y-%m-%d")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook(write_only=True)  # streams rows: 100k rows stay a few MB of memory
    ws = wb.create_sheet(SHEET)
    for i, (label, value) in enumerate(title_block(local_end, first_day, local_end.strftime("%Y-%m-%d"))):
        top = 2 * i + 1
        ws.append([label, None, value])
        ws.append([])
        ws.merged_cells.add(f"A{top}:B{top + 1}")
        ws.merged_cells.add(f"C{top}:C{top + 1}")
    ws.append(list(HEADER))  # row 11: the title block's five merged pairs fill rows 1-10
    for values in table.itertuples(index=False, name=None):
        ws.append([v if v != "" else None for v in values])
    wb.save(path)
    return path
