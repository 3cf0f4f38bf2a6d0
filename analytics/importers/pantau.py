"""The Pantau template: the CSV/XLSX a local app (a WhatsApp bot, a web form) should export.

docs/import-template.md is the contract. Header names are exact (case-insensitive); only ``id``
and ``received_at`` are required. Times are ISO 8601; without an offset they are wall-clock times
in the import's zone (``--tz``, default Asia/Jakarta).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from analytics.config import DEFAULT_TZ
from analytics.importers.errors import RefusedFile
from analytics.importers.parsed import ParsedFile, constant_text, empty_canonical, text_or_na, to_float, to_int
from analytics.importers.reading import frame_under_header, refuse_repeated_columns
from analytics.importers.statuses import map_statuses
from analytics.importers.timeparse import parse_iso

FORMAT = "pantau"
DEFAULT_SOURCE = "pantau"
COLUMNS = [
    "id",
    "received_at",
    "verified_at",
    "dispatched_at",
    "first_response_at",
    "resolved_at",
    "status",
    "opd",
    "kecamatan",
    "desa",
    "category",
    "classification",
    "channel",
    "lat",
    "lon",
    "rating",
    "redispatch_count",
]
# Optional extras a channel may carry; personal data, stored but never shown by default.
EXTRA_COLUMNS = ["anonymous", "confidential", "reporter_name", "reporter_contact", "text"]
REQUIRED = ["id", "received_at"]
_TIMES = ["received_at", "verified_at", "dispatched_at", "first_response_at", "resolved_at"]
_TRUE = {"1", "true", "ya", "y", "yes", "t"}


def parse(
    path: Path, grid: pd.DataFrame, header_row: int, tz: str = DEFAULT_TZ, source: str = DEFAULT_SOURCE
) -> ParsedFile:
    refuse_repeated_columns(path, grid, header_row, COLUMNS + EXTRA_COLUMNS)
    body, lines = frame_under_header(grid, header_row)
    missing = [c for c in REQUIRED if c not in body.columns]
    if missing:
        raise RefusedFile(path, "missing required column(s): " + ", ".join(missing), COLUMNS)
    n = len(body)
    out = empty_canonical(n)
    out["source"] = constant_text(source, n)
    out["source_id"] = text_or_na(body["id"], n)
    raw_values: dict[str, pd.Series] = {}
    # Times and numbers are parsed on two threads: the work is Arrow kernels, which release the
    # GIL (1M rows: ~0.9 s of CPU for the five times and four numbers).
    pool = ThreadPoolExecutor(max_workers=2)
    parsing: dict[str, Future] = {}
    try:
        for field in _TIMES:
            if field in body.columns:
                text = text_or_na(body[field], n)
                parsing[field] = pool.submit(parse_iso, text, tz)
                raw_values[field] = text
        for field, conv in [("lat", to_float), ("lon", to_float), ("rating", to_int), ("redispatch_count", to_int)]:
            if field in body.columns:
                text = text_or_na(body[field], n)
                parsing[field] = pool.submit(conv, text)
                raw_values[field] = text
        if "status" in body.columns:
            out["status_raw"] = text_or_na(body["status"], n)
            out["status"] = map_statuses(out["status_raw"])
        for src, dst in [
            ("opd", "unit_raw"),
            ("kecamatan", "kecamatan_raw"),
            ("desa", "desa_raw"),
            ("category", "category"),
            ("classification", "classification"),
            ("channel", "channel"),
            ("reporter_name", "reporter_name"),
            ("reporter_contact", "reporter_contact"),
            ("text", "text"),
        ]:
            if src in body.columns:
                out[dst] = text_or_na(body[src], n)
        for field, result in parsing.items():
            out[field] = result.result()
    finally:
        pool.shutdown()
    for flag in ("anonymous", "confidential"):
        if flag in body.columns:
            out[flag] = text_or_na(body[flag], n).fillna("").str.lower().isin(_TRUE)
    return ParsedFile(
        path=path,
        format=FORMAT,
        source=source,
        frame=out,
        raw=body,
        line_numbers=lines,
        raw_values=raw_values,
        timezone=tz,
    )
