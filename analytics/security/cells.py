"""Spreadsheet cells that are safe to open: the one definition of a formula-looking value.

Formula injection: a text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage
return) is run as a formula by Excel and LibreOffice. Pure (no Streamlit), so the dashboard's
downloads (ui/export.py) and the weekly review workbook (analytics/review/workbook.py) share it.
"""

from __future__ import annotations

RISKY_START = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value: object) -> bool:
    return isinstance(value, str) and value.startswith(RISKY_START)


def keep_as_text(ws) -> int:  # noqa: ANN001 - an openpyxl worksheet
    """Store every risky text cell of ``ws`` as text, unchanged (string type plus the "quote
    prefix" style, so editing the cell in Excel keeps it text). Returns how many were marked."""
    n = 0
    for row in ws.iter_rows():
        for cell in row:
            if is_risky(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
                n += 1
    return n
