"""Small builders for test files and store fingerprints."""

from __future__ import annotations

from pathlib import Path

HEADER = (
    "id,received_at,verified_at,dispatched_at,first_response_at,resolved_at,status,opd,kecamatan,desa,"
    "category,classification,channel,lat,lon,rating,redispatch_count"
)


def template_csv(path: Path, rows: list[str], header: str = HEADER, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def fingerprint(con) -> tuple:
    """Row counts and a content checksum of every table: equal before and after means untouched."""
    out = []
    for table in ("complaints", "status_history", "import_batches", "quarantine", "meta"):
        n, digest = con.execute("SELECT count(*), sum(hash(t)) FROM " + table + " t").fetchall()[0]
        out.append((table, n, digest))
    return tuple(out)
