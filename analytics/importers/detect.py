"""Choosing the importer: by ``--format``, or by the header row the file carries."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from analytics.importers import mapping as mapping_fmt
from analytics.importers import pantau, sp4n
from analytics.importers.errors import RefusedFile
from analytics.importers.parsed import ParsedFile
from analytics.importers.reading import find_header, read_grid_cleaned

FORMATS = ("sp4n-ringkas", "pantau", "mapping")


def read_export(
    path: str | Path,
    *,
    fmt: str | None = None,
    mapping_path: str | Path | None = None,
    tz: str | None = None,
    source: str | None = None,
) -> ParsedFile:
    """Read one export file into a ParsedFile, or raise RefusedFile saying why not. Its
    ``control_cells`` counts the cells that had control characters removed (reading.py)."""
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise RefusedFile(path, f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    m = None
    if mapping_path is not None and fmt in (None, "mapping"):
        try:
            m = mapping_fmt.load_mapping(mapping_path)
        except ValueError as exc:
            raise RefusedFile(path, str(exc)) from exc
    elif fmt == "mapping":
        raise RefusedFile(path, "--format mapping needs --mapping FILE")
    grid, cleaned = read_grid_cleaned(path)
    parsed = _parse(path, grid, fmt, m, tz, source)
    return replace(parsed, control_cells=cleaned) if cleaned else parsed


def _parse(
    path: Path, grid: pd.DataFrame, fmt: str | None, m: mapping_fmt.Mapping | None, tz: str | None, source: str | None,
) -> ParsedFile:
    if m is not None:
        row = find_header(grid, mapping_fmt.required_headers(m))
        if row is None:
            raise RefusedFile(
                path,
                f"no header row with the columns {m.path.name} maps (looked in the first 30 rows)",
                m.headers(),
            )
        return mapping_fmt.parse(path, grid, row, m, tz)
    tz = tz or "Asia/Jakarta"
    if fmt in (None, "sp4n-ringkas"):
        row = find_header(grid, sp4n.REQUIRED)
        if row is not None:
            return sp4n.parse(path, grid, row, tz)
        if fmt == "sp4n-ringkas":
            raise RefusedFile(path, "no SP4N-LAPOR! header row in the first 30 rows", sp4n.EXPECTED)
    if fmt in (None, "pantau"):
        row = find_header(grid, pantau.REQUIRED)
        if row is not None:
            return pantau.parse(path, grid, row, tz, source or pantau.DEFAULT_SOURCE)
        if fmt == "pantau":
            raise RefusedFile(path, "no Pantau template header row (id, received_at, ...)", pantau.COLUMNS)
    raise RefusedFile(
        path,
        "not a known export format: no SP4N-LAPOR! 'Laporan Ringkas' header and no Pantau template "
        "header in the first 30 rows (for other layouts pass --mapping FILE)",
        sorted(set(sp4n.REQUIRED) | set(pantau.REQUIRED)),
    )
