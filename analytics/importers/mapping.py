"""Any other CSV/XLSX, described by a mapping file (TOML). docs/mapping-files.md is the guide.

    [source]   name (required), timezone, region (a data/regions slug), unit_kind
    [columns]  canonical field = "source column", or ["date column", "time column"] (joined
               with a space)   (source_id and received_at required)
    [formats]  datetime = ["strptime pattern", ...]   (ISO 8601 is tried last)
    [extract]  canonical field = "regex with one group"   (e.g. text before a comma)
    [status]   "raw value" = "canonical status"
    [units]    "alias" = "canonical unit name"
    [areas]    "alias" = "canonical kecamatan or desa name"   (a name cut short, a local spelling)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics.importers.errors import RefusedFile
from analytics.importers.parsed import ParsedFile, constant_text, empty_canonical, text_or_na, to_float, to_int
from analytics.importers.reading import frame_under_header, normalise_header, refuse_repeated_columns
from analytics.importers.statuses import map_statuses, status_key
from analytics.importers.timeparse import parse_iso, parse_with_patterns
from analytics.rules.model import STATUSES

FORMAT = "mapping"
TIME_FIELDS = ("received_at", "verified_at", "dispatched_at", "first_response_at", "resolved_at", "due_at")
TEXT_TARGETS = {
    "status": "status_raw",
    "unit": "unit_raw",
    "kecamatan": "kecamatan_raw",
    "desa": "desa_raw",
    "category": "category",
    "classification": "classification",
    "channel": "channel",
    "agency": "agency",
    "reporter_name": "reporter_name",
    "reporter_contact": "reporter_contact",
    "text": "text",
}
NUMBER_TARGETS = {"lat": to_float, "lon": to_float, "rating": to_int, "redispatch_count": to_int}
FLAG_TARGETS = ("anonymous", "confidential")
# The source's own verdict: yes / no / unknown (an empty or unreadable cell stays unknown).
VERDICT_TARGETS = ("source_on_time",)
ALLOWED_FIELDS = ("source_id", *TIME_FIELDS, *TEXT_TARGETS, *NUMBER_TARGETS, *FLAG_TARGETS, *VERDICT_TARGETS)
_TRUE = {"1", "true", "ya", "y", "yes", "t"}
_FALSE = {"0", "false", "tidak", "no", "n", "f", "late", "terlambat"}


@dataclass(frozen=True)
class Mapping:
    path: Path
    source: str
    timezone: str
    region: str | None
    unit_kind: str | None
    columns: dict[str, tuple[str, ...]]  # field -> the source column(s) it reads, joined with a space
    datetime_formats: list[str]
    extract: dict[str, re.Pattern[str]]
    status: dict[str, str]
    units: dict[str, str] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)

    def headers(self) -> list[str]:
        """Every source column the mapping reads."""
        return [c for cols in self.columns.values() for c in cols]


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; a mistake raises ValueError naming the file and the key."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"mapping file {path} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"mapping file {path} is not valid TOML: {exc}") from exc
    src = doc.get("source", {})
    name = str(src.get("name", "")).strip()
    if not name:
        raise ValueError(f"mapping file {path}: [source] name is required")
    columns: dict[str, tuple[str, ...]] = {}
    for k, v in doc.get("columns", {}).items():
        cols = (v,) if isinstance(v, str) else tuple(v) if isinstance(v, list) else ()
        if not cols or not all(isinstance(c, str) and c.strip() for c in cols):
            raise ValueError(f'mapping file {path}: [columns] {k} must be a column name ("Created Date") or a list '
                             f'of them (["CREATION DATE", "CREATION TIME"]), got {v!r}')
        columns[str(k)] = cols
    unknown = sorted(set(columns) - set(ALLOWED_FIELDS))
    if unknown:
        raise ValueError(
            f"mapping file {path}: [columns] has unknown field(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(ALLOWED_FIELDS)}"
        )
    for need in ("source_id", "received_at"):
        if need not in columns:
            raise ValueError(f"mapping file {path}: [columns] must map {need}")
    statuses = {str(k): str(v) for k, v in doc.get("status", {}).items()}
    bad = sorted({v for v in statuses.values() if v not in STATUSES})
    if bad:
        raise ValueError(
            f"mapping file {path}: [status] uses unknown canonical status(es) {', '.join(bad)}; "
            f"allowed: {', '.join(STATUSES)}"
        )
    extract = {}
    for k, pattern in doc.get("extract", {}).items():
        try:
            rx = re.compile(str(pattern))
        except re.error as exc:
            raise ValueError(f"mapping file {path}: [extract] {k} is not a valid regex: {exc}") from exc
        if rx.groups != 1:
            raise ValueError(f"mapping file {path}: [extract] {k} must have exactly one group")
        extract[str(k)] = rx
    formats = doc.get("formats", {}).get("datetime", [])
    if isinstance(formats, str):
        formats = [formats]
    return Mapping(
        path=path,
        source=name,
        timezone=str(src.get("timezone", "Asia/Jakarta")),
        region=(str(src["region"]) if src.get("region") else None),
        unit_kind=(str(src["unit_kind"]) if src.get("unit_kind") else None),
        columns=columns,
        datetime_formats=[str(f) for f in formats],
        extract=extract,
        status=statuses,
        units={status_key(k): str(v) for k, v in doc.get("units", {}).items()},
        areas={status_key(k): str(v) for k, v in doc.get("areas", {}).items()},
    )


def required_headers(mapping: Mapping) -> list[str]:
    return [*mapping.columns["source_id"], *mapping.columns["received_at"]]


def parse(path: Path, grid: pd.DataFrame, header_row: int, mapping: Mapping, tz: str | None = None) -> ParsedFile:
    refuse_repeated_columns(path, grid, header_row, mapping.headers())
    body, lines = frame_under_header(grid, header_row)
    wanted = {f: tuple(normalise_header(c) for c in cols) for f, cols in mapping.columns.items()}
    # Name the mapping key that failed: "[columns] received_at = 'CREATION TIME'".
    missing = [f"[columns] {f} = {raw!r}" for f, cols in mapping.columns.items()
               for raw, c in zip(cols, wanted[f], strict=True) if c not in body.columns]
    if missing:
        raise RefusedFile(
            path,
            f"column(s) named in {mapping.path.name} are not in the file: " + ", ".join(missing),
            mapping.headers(),
        )
    tz = tz or mapping.timezone
    n = len(body)
    out = empty_canonical(n)
    out["source"] = constant_text(mapping.source, n)

    def column(field_name: str) -> pd.Series:
        parts = [text_or_na(body[c], n) for c in wanted[field_name]]
        text = parts[0]
        for more in parts[1:]:  # a date column and a time column make one time
            text = (text.fillna("") + " " + more.fillna("")).str.strip().replace("", pd.NA)
        rx = mapping.extract.get(field_name)
        if rx is not None:
            text = text.str.extract(rx, expand=False).str.strip().replace("", pd.NA)
        return text

    raw_values: dict[str, pd.Series] = {}
    for f in mapping.columns:
        text = column(f)
        if f == "source_id":
            out["source_id"] = text
        elif f in TIME_FIELDS:
            parsed = parse_with_patterns(text, mapping.datetime_formats, tz)
            missing_parse = parsed.isna() & text.notna()
            if missing_parse.any():
                parsed = parsed.where(~missing_parse, parse_iso(text.where(missing_parse), tz))
            out[f] = parsed
            raw_values[f] = text
        elif f in TEXT_TARGETS:
            out[TEXT_TARGETS[f]] = text
        elif f in NUMBER_TARGETS:
            out[f] = NUMBER_TARGETS[f](text)
            raw_values[f] = text
        elif f in FLAG_TARGETS:
            out[f] = text.fillna("").str.lower().isin(_TRUE)
        elif f in VERDICT_TARGETS:
            word = text.fillna("").str.strip().str.lower()
            out[f] = pd.Series(pd.NA, index=word.index, dtype="boolean").mask(word.isin(_TRUE), True).mask(
                word.isin(_FALSE), False)
    if "status" in mapping.columns:
        out["status"] = map_statuses(out["status_raw"], mapping.status)
    return ParsedFile(
        path=path,
        format=FORMAT,
        source=mapping.source,
        frame=out,
        raw=body,
        line_numbers=lines,
        raw_values=raw_values,
        region_hint=mapping.region,
        timezone=tz,
        default_unit_kind=mapping.unit_kind,
        unit_aliases=mapping.units,
        area_aliases=mapping.areas,
        identity_columns=tuple(c for f in ("reporter_name", "reporter_contact") if f in wanted for c in wanted[f]),
    )
