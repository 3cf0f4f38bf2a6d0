"""SP4N-LAPOR! "Laporan Ringkas" export (XLSX as downloaded, or the same table as CSV).

Layout: an optional title block (Judul Laporan, Nama Instansi, Tanggal Generate, Periode Masuk,
Pengelola; labels in column A, values further right), then the header row, anywhere in the first
30 rows. ``Waktu Laporan Masuk`` is UTC in this export (the real file's hourly counts bottom out
at 18-21, i.e. 01-04 WIB). The export has no stage timestamps: stages are estimated from
snapshots by analytics.importers.ingest.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.config import DEFAULT_TZ
from analytics.importers.errors import RefusedFile
from analytics.importers.parsed import ParsedFile, constant_text, empty_canonical, text_or_na
from analytics.importers.reading import frame_under_header, normalise_header, refuse_repeated_columns
from analytics.importers.statuses import map_statuses
from analytics.importers.timeparse import local_datetimes_to_utc, parse_day_month_year, parse_sp4n_received

FORMAT = "sp4n-ringkas"
SOURCE = "sp4n-lapor"
REQUIRED = ["Tracking ID", "Tanggal Laporan Masuk", "Status Laporan"]
EXPECTED = [
    "Tracking ID",
    "Tanggal Laporan Masuk",
    "Waktu Laporan Masuk",
    "Klasifikasi Laporan",
    "Kategori",
    "Tipe Laporan (Anonim/Rahasia)",
    "Sumber Laporan",
    "Instansi Induk",
    "Instansi Terdisposisi",
    "Status Laporan",
]
OPTIONAL = ["Kecamatan", "Kelurahan", "Isi Laporan Awal"]  # read when present


def title_block(grid: pd.DataFrame, header_row: int) -> dict[str, str]:
    """Label -> value pairs found above the header (``nama instansi`` -> ``Pemerintah ...``)."""
    found: dict[str, str] = {}
    for i in range(header_row):
        cells = [v for v in grid.iloc[i].tolist() if isinstance(v, str) and v.strip()]
        if len(cells) >= 2:
            found[normalise_header(cells[0])] = cells[1].strip()
    return found


def snapshot_from_title(value: str | None, tz: str) -> pd.Timestamp | None:
    """``Tanggal Generate``: a date (``2025-11-14`` or ``14 Nov 2025``) or a date and time.

    A date without a time is taken as the end of that day in the regency's zone: the export was
    made some time that day, and a status seen in it was reached by then at the latest.
    """
    if not value:
        return None
    day = parse_day_month_year(value)
    if day is not None and len(value.strip()) <= 20 and ":" not in value:
        naive = pd.Series([pd.Timestamp(day) + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)])
        return local_datetimes_to_utc(naive, tz).iloc[0]
    ts = pd.to_datetime(value, errors="coerce")
    if pd.isna(ts):
        return None
    if ts.tzinfo is None:
        return local_datetimes_to_utc(pd.Series([ts]), tz).iloc[0]
    return ts.tz_convert("UTC")


def parse(path: Path, grid: pd.DataFrame, header_row: int, tz: str = DEFAULT_TZ) -> ParsedFile:
    meta = title_block(grid, header_row)
    refuse_repeated_columns(path, grid, header_row, [*EXPECTED, *OPTIONAL])
    body, lines = frame_under_header(grid, header_row)
    missing = [c for c in REQUIRED if normalise_header(c) not in body.columns]
    if missing:
        raise RefusedFile(path, "missing required column(s): " + ", ".join(missing), EXPECTED)
    n = len(body)
    col = lambda name: body.get(normalise_header(name))  # noqa: E731 - local shorthand
    out = empty_canonical(n)
    out["source"] = constant_text(SOURCE, n)
    out["source_id"] = text_or_na(col("Tracking ID"), n)
    time_col = col("Waktu Laporan Masuk")
    out["received_at"] = parse_sp4n_received(
        col("Tanggal Laporan Masuk"), time_col if time_col is not None else pd.Series(pd.NA, index=body.index)
    ).reset_index(drop=True)
    out["status_raw"] = text_or_na(col("Status Laporan"), n)
    out["status"] = map_statuses(out["status_raw"])
    out["classification"] = text_or_na(col("Klasifikasi Laporan"), n)
    out["category"] = text_or_na(col("Kategori"), n)
    out["channel"] = text_or_na(col("Sumber Laporan"), n)
    agency_title = meta.get("nama instansi")
    induk = col("Instansi Induk")
    out["agency"] = text_or_na(induk, n).fillna(agency_title) if agency_title else text_or_na(induk, n)
    out["unit_raw"] = text_or_na(col("Instansi Terdisposisi"), n)
    out["kecamatan_raw"] = text_or_na(col("Kecamatan"), n)
    out["desa_raw"] = text_or_na(col("Kelurahan"), n)
    tipe = text_or_na(col("Tipe Laporan (Anonim/Rahasia)"), n).fillna("").str.lower()
    out["anonymous"] = tipe.str.contains("anonim")
    out["confidential"] = tipe.str.contains("rahasia")
    out["text"] = text_or_na(col("Isi Laporan Awal"), n)
    raw_received = (
        text_or_na(col("Tanggal Laporan Masuk"), n).fillna("")
        + " "
        + text_or_na(time_col, n).fillna("")
    ).str.strip()
    return ParsedFile(
        path=path,
        format=FORMAT,
        source=SOURCE,
        frame=out,
        raw=body,
        line_numbers=lines,
        raw_values={"received_at": raw_received.replace("", pd.NA)},
        snapshot_at=snapshot_from_title(meta.get("tanggal generate"), tz),
        agency=agency_title or (induk.dropna().mode().iloc[0] if induk is not None and induk.notna().any() else None),
        timezone=tz,
    )
