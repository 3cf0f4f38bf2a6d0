"""Spreadsheet cells that are safe to open: the one rule for a value Pantau writes to a CSV or XLSX.

Every writer goes through ``safe_cell`` (or ``safe_frame``, the same per column): the dashboard's
downloads (ui/export.py), the weekly review workbook (analytics/review/workbook.py) and the text
digests beside it in the pack and its ZIP (analytics/review/files.py), and the CLI's
``--format csv`` (analytics/cli/league.py, audit.py).

- Formula injection: text whose first visible character is ``=``, ``+``, ``-`` or ``@`` is run as a
  formula by Excel and LibreOffice. The check is NFKC-aware (full-width ``＝＋－＠`` and the small
  and super/subscript forms count) and looks past leading spaces, tabs, line breaks, control and
  invisible format characters; a cell starting with a tab or carriage return is risky in itself
  (the OWASP list). In a CSV such a cell gets a leading apostrophe (CSV has no types); in an XLSX
  it keeps its value and is stored as text (``keep_as_text``).
- Control characters: C0 characters other than tab, line feed and carriage return, and the two
  non-characters U+FFFE/U+FFFF (and lone surrogates), are removed from text: openpyxl refuses the
  C0 ones (IllegalCharacterError, so no file at all) and writes the others into XML no reader
  opens. The import removes C0 characters and DEL from the cells it reads (``CONTROL_PATTERN``,
  analytics/importers/reading.py), so a store filled since holds none; the writers remove them
  anyway.
- Numbers, dates and missing values are never touched.

Pure (no Streamlit), level 0: importers, review and the CLI use it alike.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

# What the import removes from every cell it reads: C0 control characters but tab, line feed and
# carriage return, and DEL. A regex both for Python and for Arrow's RE2.
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
# What no XLSX may hold (and no CSV needs): the C0 set above without DEL (legal in XML), plus the
# XML non-characters.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA = frozenset("=+-@")
_RISKY_ALONE = ("\t", "\r")  # risky as the very first character, whatever follows (OWASP)
FORMATS = ("csv", "xlsx", "txt")


def _first_visible(text: str) -> str:
    """The first character of ``text`` a spreadsheet would read, NFKC-normalised ("" if none)."""
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        return ch if ch < "\x80" else unicodedata.normalize("NFKC", ch)[:1]
    return ""


def is_risky(value: object) -> bool:
    """Whether a spreadsheet would run ``value`` as a formula (or a DDE command)."""
    if not isinstance(value, str) or not value:
        return False
    first = value[0]
    if first < "\x80" and first.isalnum():  # most cells: a letter or a digit first, nothing to look past
        return False
    return first in _RISKY_ALONE or _first_visible(value) in _FORMULA


def safe_cell(value: object, fmt: str) -> object:
    """The one rule for a cell written to a file of format ``fmt`` ("csv", "xlsx" or "txt").

    Text loses the characters no spreadsheet may hold (C0 controls but tab and line breaks;
    U+FFFE, U+FFFF). Then, in a CSV, formula-looking text gets a leading apostrophe; in an XLSX
    it is returned as it is and the writer stores it as text (``keep_as_text``), so the value
    stays exact; a plain text file (the review's WhatsApp digests) is no spreadsheet, so only the
    removal applies there. Anything that is not text is returned unchanged."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown file format {fmt!r}; formats: {', '.join(FORMATS)}")
    if not isinstance(value, str):
        return value
    text = _UNWRITABLE.sub("", value)
    if fmt == "csv" and is_risky(text):
        return "'" + text
    return text


# The cells safe_cell may change: not an ASCII letter or digit first, or an unwritable character
# somewhere. Every other cell it returns as it is, so safe_frame skips them (a vectorised search
# instead of a Python call per cell). One pattern for Arrow's RE2 (whose UTF-8 strings cannot
# hold a lone surrogate), one for Python's re (object columns, which can).
_MAY_CHANGE = r"^[^A-Za-z0-9]|[\x00-\x08\x0b\x0c\x0e-\x1f" + "\ufffe\uffff" + "]"
_MAY_CHANGE_PY = r"^[^A-Za-z0-9]|[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"


def _safe_column(col: pd.Series, fmt: str) -> pd.Series:
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    probe = col
    if col.dtype == object:
        # Searched as pandas' str (Arrow when pyarrow is there: 4x faster than re on objects).
        # Numbers become text here only to be looked at; safe_cell leaves them as they are.
        try:
            probe = col.astype("str")
        except (TypeError, ValueError, UnicodeError):  # a lone surrogate: Python's re below
            probe = col
    python = probe.dtype == object or getattr(probe.dtype, "storage", None) == "python"
    try:
        may_change = probe.str.contains(_MAY_CHANGE_PY if python else _MAY_CHANGE, regex=True,
                                        na=False).to_numpy(dtype=bool)
    except (AttributeError, TypeError):  # an object column of other values: cell by cell
        return col.map(lambda v: safe_cell(v, fmt), na_action="ignore")
    if not may_change.any():
        return col
    out = col.copy()
    out.iloc[may_change] = col.iloc[may_change].map(lambda v: safe_cell(v, fmt), na_action="ignore").to_numpy()
    return out


def safe_frame(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """``frame`` with ``safe_cell`` applied to every text cell and column name (a copy; number,
    date and boolean columns as they were)."""
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col) or isinstance(col.dtype, pd.CategoricalDtype):
            out[c] = _safe_column(col, fmt).array  # by position: an index may repeat labels
    out.columns = [safe_cell(c, fmt) for c in out.columns]
    return out


def keep_as_text(ws) -> int:  # noqa: ANN001 - an openpyxl worksheet
    """Store every risky text cell of ``ws`` as text, unchanged (string type plus the "quote
    prefix" style, so editing the cell in Excel keeps it text). Returns how many were marked.
    The values must have gone through ``safe_cell(value, "xlsx")`` before they were written."""
    n = 0
    for row in ws.iter_rows():
        for cell in row:
            if is_risky(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
                n += 1
    return n

