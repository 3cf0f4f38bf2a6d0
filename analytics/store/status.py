"""What the Data page shows about the store itself: imports, quarantine, unknown names, freshness.

Pure: a DuckDB connection (or cursor) in, a frame or a small dataclass out; never imports
Streamlit. Values are bound (``$name``); no SQL is built from user input. Every list has a row
cap, fetched as ``limit + 1`` so the caller can say "showing the first N" (``Capped``).

Personal data never leaves this module: quarantined rows carry the file's raw row, so
``mask_raw`` hides reporter names, contacts and complaint text before the row is returned, and
masks phone numbers, NIK and e-mails in every other cell and in the reasons (which quote the value
that failed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.rules.model import REASONS, reason_code
from analytics.security.privacy import MASK, is_personal_key, mask_text

# The page reads the history on a phone; a store imported daily for years has thousands of
# batches and nobody scrolls past the first couple of hundred.
HISTORY_LIMIT = 200
# Quarantine can hold a whole bad file (tens of thousands of rows); the page shows a sample
# large enough to see the pattern. The CLI report has the full counts per reason.
QUARANTINE_LIMIT = 500
# Unknown names per level: the most frequent ones are the ones worth an alias.
UNKNOWN_LIMIT = 200

@dataclass(frozen=True)
class Capped:
    """Rows of a capped list; ``truncated`` when the store holds more than ``limit``."""

    rows: pd.DataFrame
    limit: int
    truncated: bool


@dataclass(frozen=True)
class Freshness:
    """How current the store is. Times are UTC instants (None on an empty store)."""

    latest_snapshot_at: pd.Timestamp | None
    latest_received_at: pd.Timestamp | None
    latest_imported_at: pd.Timestamp | None
    complaints: int
    batches: int


def _capped(frame: pd.DataFrame, limit: int) -> Capped:
    return Capped(rows=frame.head(limit).reset_index(drop=True), limit=limit, truncated=len(frame) > limit)


def _ts(value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_convert("UTC") if ts.tzinfo else ts.tz_localize("UTC")


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """A key that changes whenever an import (or a demo clear) changes the store.

    Cached views take it as an argument so their cache entries go stale after an import.
    """
    n_batches, max_batch, n_complaints = con.execute(
        "SELECT (SELECT count(*) FROM import_batches), (SELECT coalesce(max(batch_id), 0) FROM import_batches), "
        "(SELECT count(*) FROM complaints)"
    ).fetchall()[0]
    return f"{max_batch}:{n_batches}:{n_complaints}"


def freshness(con: duckdb.DuckDBPyConnection) -> Freshness:
    """Latest snapshot (when the newest export was taken), latest complaint received, counts."""
    snap, imported, batches = con.execute(
        "SELECT max(snapshot_at), max(imported_at), count(*) FROM import_batches"
    ).fetchall()[0]
    received, complaints = con.execute("SELECT max(received_at), count(*) FROM complaints").fetchall()[0]
    return Freshness(
        latest_snapshot_at=_ts(snap),
        latest_received_at=_ts(received),
        latest_imported_at=_ts(imported),
        complaints=int(complaints),
        batches=int(batches),
    )


INBOX_LIMIT = 10  # the inbox's latest files: what the Data page shows under "Kotak masuk"


def inbox_imports(con: duckdb.DuckDBPyConnection, limit: int = INBOX_LIMIT) -> pd.DataFrame:
    """The newest files the inbox watcher handled (its audit rows: role ``inbox``), newest first.

    Columns: occurred_at (UTC), file, batch (None when refused or already imported), rows_read,
    rows_new, refused (the reason, None when imported).
    """
    return con.execute(
        "SELECT occurred_at, json_extract_string(detail, '$.file') AS file, "
        "TRY_CAST(json_extract_string(detail, '$.batch') AS BIGINT) AS batch, "
        "TRY_CAST(json_extract_string(detail, '$.rows_read') AS BIGINT) AS rows_read, "
        "TRY_CAST(json_extract_string(detail, '$.rows_new') AS BIGINT) AS rows_new, "
        "json_extract_string(detail, '$.refused') AS refused "
        "FROM audit_log WHERE action = 'import' AND role = 'inbox' ORDER BY id DESC LIMIT $n",
        {"n": int(limit)},
    ).df()


def import_history(con: duckdb.DuckDBPyConnection, limit: int = HISTORY_LIMIT) -> Capped:
    """Imports, newest first.

    Columns: batch_id, imported_at, snapshot_at (UTC), file_name, format, source, rows_read,
    rows_new, rows_updated, rows_unchanged, rows_quarantined, rows_duplicate.
    """
    frame = con.execute(
        "SELECT batch_id, imported_at, snapshot_at, file_name, format, source, rows_read, rows_new, "
        "rows_updated, rows_unchanged, rows_quarantined, rows_duplicate "
        "FROM import_batches ORDER BY batch_id DESC LIMIT $n",
        {"n": limit + 1},
    ).df()
    return _capped(frame, limit)


def mask_raw(raw_json: str | None) -> str:
    """The quarantined raw row as JSON with personal data masked, by column name and by content.

    A column whose name is personal (``is_personal_key``) shows ``MASK``; every other text cell
    has its phone numbers, NIK and e-mails masked (``mask_text``): exports put them in columns
    with any name (``keterangan``). Empty personal values stay empty (so an analyst sees the
    field was blank). A row that is not a JSON object cannot be checked, so it is masked whole.
    """
    if raw_json is None:
        return ""
    try:
        row = json.loads(raw_json)
    except (TypeError, ValueError):
        return MASK
    if not isinstance(row, dict):
        return MASK
    masked = {
        k: (MASK if v not in (None, "") else v) if is_personal_key(k) else mask_text(v) for k, v in row.items()
    }
    return json.dumps(masked, ensure_ascii=False)


def label_reasons(reasons: str | None, lang: str = "id") -> str:
    """``"missing_id; bad_time:resolved_at=31/02"`` -> ``"ID aduan kosong; waktu tidak terbaca
    (resolved_at=31/02)"``: each code in plain words, the detail kept in brackets."""
    if not reasons:
        return ""
    i = 0 if lang == "id" else 1
    out = []
    for part in str(reasons).split("; "):
        code = reason_code(part)
        label = REASONS.get(code, (code, code))[i]
        detail = part[len(code):].lstrip(":=").strip()
        out.append(f"{label} ({detail})" if detail else label)
    return "; ".join(out)


def quarantine_rows(con: duckdb.DuckDBPyConnection, limit: int = QUARANTINE_LIMIT) -> Capped:
    """Quarantined rows, newest import first, personal values masked.

    Columns: batch_id, file_name, row_number, source_id, reasons (codes with details, as stored
    but with personal numbers masked, since a detail quotes the value that failed;
    ``label_reasons`` puts them in words), raw (the file's row as JSON, masked by ``mask_raw``).
    """
    frame = con.execute(
        "SELECT q.batch_id, b.file_name, q.row_number, q.source_id, q.reasons, q.raw_json "
        "FROM quarantine q LEFT JOIN import_batches b USING (batch_id) "
        "ORDER BY q.batch_id DESC, q.row_number LIMIT $n",
        {"n": limit + 1},
    ).df()
    frame["raw"] = [mask_raw(r) for r in frame["raw_json"]]
    frame["reasons"] = frame["reasons"].map(mask_text)
    return _capped(frame.drop(columns="raw_json"), limit)


def quarantine_reason_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """How many quarantined rows failed each check, across the store (a row can fail several).

    Columns: code, rows. Sorted by rows, most first.
    """
    frame = con.execute("SELECT reasons FROM quarantine").df()
    if frame.empty:
        return pd.DataFrame({"code": pd.Series(dtype="str"), "rows": pd.Series(dtype="int64")})
    codes = frame["reasons"].str.split("; ").explode().map(reason_code)
    counts = codes.value_counts()
    return pd.DataFrame({"code": counts.index.astype("str"), "rows": counts.to_numpy(dtype="int64")})


def _unknown_sql(raw: str, code: str) -> str:
    return (
        "SELECT trim(" + raw + ") AS name, count(*) AS complaints FROM complaints "
        "WHERE " + code + " IS NULL AND " + raw + " IS NOT NULL AND trim(" + raw + ") <> '' "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $n"
    )


# level -> query; the column names are fixed here, never taken from input.
_UNKNOWN_SQL: dict[str, str] = {
    "unit": _unknown_sql("unit_raw", "unit_code"),
    "kecamatan": _unknown_sql("kecamatan_raw", "kecamatan_code"),
    "desa": _unknown_sql("desa_raw", "desa_code"),
}


def unknown_names(con: duckdb.DuckDBPyConnection, limit: int = UNKNOWN_LIMIT) -> dict[str, Capped]:
    """Names in the store that matched nothing in the region registry, per level.

    Returns {"unit"|"kecamatan"|"desa": Capped(rows with columns name, complaints)}, each sorted
    by complaints, most first. A name listed here needs an alias in data/regions/<slug>/aliases.toml
    (or, for a regency without a registry, it is simply how the file spells it).
    """
    return {level: _capped(con.execute(sql, {"n": limit + 1}).df(), limit) for level, sql in _UNKNOWN_SQL.items()}
