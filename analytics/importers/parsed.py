"""What every importer hands to analytics.importers.ingest: canonical columns plus what is needed to explain
rows it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.rules.model import CANONICAL_COLUMNS


@dataclass(frozen=True)
class ParsedFile:
    """An export read and translated, not yet validated or stored.

    ``frame`` has every column of ``CANONICAL_COLUMNS`` (absent fields are NA), ``raw`` the file's
    rows as text (for quarantine), ``line_numbers`` each row's line in the file. ``raw_values``
    holds, per canonical field that needed parsing (times, numbers), the text it came from, so a
    value that did not parse can be named in the report. ``status_raw`` text that mapped to no
    status leaves ``status`` NA.
    """

    path: Path
    format: str
    source: str
    frame: pd.DataFrame
    raw: pd.DataFrame
    line_numbers: pd.Series
    raw_values: dict[str, pd.Series] = field(default_factory=dict)
    snapshot_at: pd.Timestamp | None = None
    agency: str | None = None
    region_hint: str | None = None
    timezone: str = "Asia/Jakarta"
    default_unit_kind: str | None = None
    # Mapping files may name units' canonical names: normalised raw text -> name.
    unit_aliases: dict[str, str] = field(default_factory=dict)
    # ... and kecamatan/desa names ([areas]): normalised raw text -> the name to match.
    area_aliases: dict[str, str] = field(default_factory=dict)
    # Columns of ``raw`` the layout maps to reporter_name / reporter_contact, whatever they are
    # called ("Pengirim"): emptied with the identity of an Anonim row before quarantine.
    identity_columns: tuple[str, ...] = ()
    # Cells whose control characters reading removed (analytics.importers.reading), for the report.
    control_cells: int = 0


_STR = pd.StringDtype(na_value=float("nan"))  # pandas 3's default str dtype


def empty_canonical(n: int) -> pd.DataFrame:
    """A frame of ``n`` rows with every canonical column, all NA, in the stored dtypes."""
    from analytics.rules.model import ESTIMATED_AFTER, ESTIMATED_FLAGS, STAGE_TIMES

    # One all-missing column per type, shared (copy-on-write keeps them apart once written):
    # building thirty million-row columns one by one took 0.4 s per import.
    nat = pd.Series(np.full(n, np.datetime64("NaT", "us"))).dt.tz_localize("UTC")
    false = pd.Series(np.zeros(n, dtype=bool))
    nan = pd.Series(np.full(n, np.nan))
    int_na = pd.Series(pd.array(np.zeros(n, dtype=np.int64), dtype="Int64", copy=False)).where(false)
    text_na = pd.Series(pa.nulls(n, pa.large_string()).to_pandas(types_mapper={pa.large_string(): _STR}.get))
    cols: dict[str, object] = {}
    for c in CANONICAL_COLUMNS:
        if c in STAGE_TIMES or c in ESTIMATED_AFTER.values() or c == "due_at":
            cols[c] = nat
        elif c == "source_on_time":  # unknown unless the source says
            cols[c] = pd.Series(pd.array(np.zeros(n, dtype=bool), dtype="boolean")).where(false)
        elif c in ESTIMATED_FLAGS.values() or c in ("anonymous", "confidential"):
            cols[c] = false
        elif c in ("lat", "lon"):
            cols[c] = nan
        elif c in ("rating", "redispatch_count"):
            cols[c] = int_na
        else:
            cols[c] = text_na
    return pd.DataFrame(cols)


def to_float(text: pd.Series) -> pd.Series:
    """Numbers as exports write them: ``-6.2345`` or ``-6,2345`` (Indonesian decimal comma)."""
    cleaned = text.str.strip().str.replace(",", ".", regex=False)
    try:
        # Arrow's cast is several times faster than to_numeric; any value it cannot read fails
        # the whole cast, and to_numeric then decides value by value.
        fast = pc.cast(pa.array(cleaned.array, type=pa.string()), pa.float64())
        return pd.Series(fast.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return pd.to_numeric(cleaned, errors="coerce").astype("float64")


# Integers beyond this are not ratings or counts, and past 2**63 the cast to Int64 fails.
_INT_LIMIT = 2.0**53


def to_int(text: pd.Series) -> pd.Series:
    """Whole numbers; fractions, infinities and absurdly large values give NA (the row's
    original text is kept, so validation quarantines it as ``bad_number``)."""
    num = to_float(text)
    whole = num.where(num.isna() | ((num == num.round()) & (num.abs() < _INT_LIMIT)))
    return whole.astype("Int64")


def constant_text(value: str, n: int) -> pd.Series:
    """``n`` copies of one text (the source column) in the str dtype. Built in Arrow: a Python
    list of a million strings took 0.1 s to convert."""
    return pd.Series(pa.repeat(pa.scalar(value, pa.large_string()), n).to_pandas(types_mapper={pa.large_string(): _STR}.get))


def text_or_na(col: pd.Series | None, n: int) -> pd.Series:
    if col is None:
        return pd.Series(pd.NA, index=range(n), dtype="str")
    return col.astype("str").reset_index(drop=True)
