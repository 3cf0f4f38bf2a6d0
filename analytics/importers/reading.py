"""Reading CSV and XLSX files into all-text frames, whatever encoding or layout Excel left.

Everything is read as text: types are decided by each format's own parser, so a ticket number
like ``0012`` keeps its zeros and a date is never guessed by a spreadsheet library.

Control characters (C0 but tab, line feed and carriage return, and DEL;
analytics.security.cells.CONTROL_PATTERN) are removed from every cell and the cells that held one
are counted for the import report: a NUL past the binary check's first 4 KB used to reach the
store and break every XLSX that held it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analytics.importers.errors import RefusedFile
from analytics.importers.workbook import read_workbook
from analytics.security.cells import CONTROL_PATTERN

HEADER_SEARCH_ROWS = 30  # SP4N-LAPOR! puts its header under a title block of ~10 rows
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
_XLSX_MAGIC = b"PK\x03\x04"


def decode_text(path: Path, data: bytes) -> str:
    """Bytes of a CSV to text: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RefusedFile(path, f"the file says UTF-16 but does not decode ({exc})") from exc
    if b"\x00" in data[:4096]:
        raise RefusedFile(path, "the file is binary, not a CSV or XLSX export")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" as Windows-1252; it decodes any byte but 5 unused ones.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise RefusedFile(path, "the text encoding is neither UTF-8 nor Windows-1252") from exc


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(",;\t|", key=first.count)


def read_grid(path: str | Path) -> pd.DataFrame:
    """The file's cells as a text frame with no header row chosen yet (columns 0..n-1).

    Empty cells are NA. Raises RefusedFile for a missing, empty or unreadable file.
    """
    return read_grid_cleaned(path)[0]


def read_grid_cleaned(path: str | Path) -> tuple[pd.DataFrame, int]:
    """``read_grid``'s frame, and how many of its cells had control characters removed."""
    path = Path(path)
    if not path.exists():
        raise RefusedFile(path, "file not found")
    # Only the head is read here: the common UTF-8 CSV streams from the file into Arrow's parser,
    # which saves holding (and copying) the whole file as bytes; other cases read it whole.
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head or head.isspace():
        data = path.read_bytes()
        if not data or data.isspace():  # data.strip() would copy the whole file to find out
            raise RefusedFile(path, "the file is empty")
    if head.startswith(_XLSX_MAGIC) or path.suffix.lower() in XLSX_SUFFIXES:
        # In a child process, within the limits of analytics.importers.workbook: an XLSX is a zip
        # and may unpack to gigabytes.
        grid, cleaned = read_workbook(path, _read_xlsx)
    else:
        read = _read_csv_utf8(path, head)
        grid, cleaned = read if read is not None else _read_csv_text(path, decode_text(path, path.read_bytes()))
    grid = grid.dropna(how="all")
    if grid.empty:
        raise RefusedFile(path, "the file has no rows")
    return grid, cleaned


def _read_xlsx(path: Path, data: bytes) -> tuple[pd.DataFrame, int]:
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="calamine")
        # The first sheet that has cells: SP4N-LAPOR! calls it "Laporan Ringkas".
        for sheet in book.sheet_names:
            grid = pd.read_excel(book, sheet_name=sheet, header=None, dtype=str)
            if not grid.dropna(how="all").empty:
                return _clean(grid)
    except Exception as exc:  # calamine raises several types for damaged workbooks
        raise RefusedFile(path, f"the workbook cannot be read ({exc.__class__.__name__}: {exc})") from exc
    raise RefusedFile(path, "the workbook has no sheet with data")


# Missing cells become NA; pandas 3's default string dtype, as _clean gives.
_STR = pd.StringDtype(na_value=float("nan"))
_UTF8_BOM = b"\xef\xbb\xbf"
_HEAD_BYTES = 80000  # enough for the encoding checks and the delimiter sniffer's sample


def _read_csv_utf8(path: Path, head: bytes) -> tuple[pd.DataFrame, int] | None:
    """The fast path for the common case, a well-formed UTF-8 CSV: Arrow's multi-threaded reader
    (about 8x faster than pandas at a million rows). Returns None for anything else (another
    encoding, rows of uneven length, a NUL byte) so that _read_csv_text handles it as before;
    the cells come out exactly as _read_csv_text + _clean give them. ``head`` is the file's
    first bytes, for the encoding checks and the delimiter.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        return None
    body = head[len(_UTF8_BOM) :] if head.startswith(_UTF8_BOM) else head
    sample = body.decode("utf-8", errors="ignore")[:20000]
    try:
        # An OSFile, not the path: given a name, Arrow would unpack a .gz or .bz2 by its suffix.
        # Arrow's reader skips a UTF-8 byte-order mark itself.
        with pa.OSFile(str(path)) as source:
            table = pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 20),
                parse_options=pacsv.ParseOptions(
                    delimiter=_sniff_delimiter(sample), quote_char='"', double_quote=True,
                    escape_char=False, newlines_in_values=True, ignore_empty_lines=True,
                ),
                # Every cell as text (invalid UTF-8 raises, and the caller falls back); a generous
                # list of names because the width is unknown until the file is read.
                convert_options=pacsv.ConvertOptions(
                    column_types={f"f{i}": pa.large_string() for i in range(4096)},
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                ),
            )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_columns == 0 or table.num_rows == 0:
        return None
    # Arrow's kernels release the GIL and run on one core each: clean the columns on two threads
    # (1M rows: the cleaning took ~0.9 s of wall time on one).
    with ThreadPoolExecutor(max_workers=2) as pool:
        cleaned = list(pool.map(_clean_arrow_column, table.columns))
    cols = {i: col for i, (col, _) in enumerate(cleaned)}
    return pd.DataFrame(cols, copy=False), sum(n for _, n in cleaned)


_BLANK = pa.scalar(None, pa.large_string())
_MASKED = pa.array(["", "nan", "NaN"], pa.large_string())  # what _clean masks, after stripping


def _may_hold_control(col: pa.ChunkedArray) -> bool:
    """False when no cell of ``col`` can hold a control character: a look at the bytes, a few ms
    per million cells where the exact regex takes 0.1 s. Tabs and line breaks (free text) make it
    say True; the regex then decides."""
    for chunk in col.chunks:
        data = chunk.buffers()[2]
        if data is None or data.size == 0:
            continue
        b = np.frombuffer(data, np.uint8)
        # UTF-8 never uses bytes below 0x20 or 0x7f inside a multi-byte character.
        if b.min() < 0x20 or (b.max() >= 0x7F and bool((b == 0x7F).any())):
            return True
    return False


def _clean_arrow_column(col: pa.ChunkedArray) -> tuple[pd.Series, int]:
    """One column as _clean leaves it: control characters removed, stripped, empty and "nan"
    cells missing; and how many cells lost a control character. Large strings are what pandas
    keeps, so the column converts without a copy."""
    cleaned = 0
    if _may_hold_control(col):
        cleaned = pc.sum(pc.match_substring_regex(col, CONTROL_PATTERN)).as_py() or 0
        if cleaned:
            col = pc.replace_substring_regex(col, CONTROL_PATTERN, "")
    col = pc.utf8_trim_whitespace(col)
    empty = pc.is_in(col, value_set=_MASKED)
    if pc.any(empty).as_py():  # a full column (ids, received times) skips this pass
        col = pc.if_else(empty, _BLANK, col)
    return pd.Series(col.to_pandas(types_mapper={pa.large_string(): _STR}.get), copy=False), int(cleaned)


def _read_csv_text(path: Path, text: str) -> tuple[pd.DataFrame, int]:
    sample = text[:20000]
    delim = _sniff_delimiter(sample)
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            engine="c",
            on_bad_lines="error",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        # Rows of uneven length (a title block above the header) trip the C parser; the python
        # engine pads short rows instead.
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delim))
        except csv.Error as exc2:
            raise RefusedFile(path, f"the CSV cannot be parsed ({exc2})") from exc
        width = max((len(r) for r in rows), default=0)
        if width == 0:
            raise RefusedFile(path, "the file has no rows") from exc
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
    except pd.errors.EmptyDataError as exc:
        raise RefusedFile(path, "the file has no rows") from exc
    return _clean(grid)


def _arrow_of(col: pd.Series) -> pa.ChunkedArray:
    data = pa.array(col.array)  # no copy: pandas' str columns are Arrow arrays
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


def _clean(grid: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Cells as text, control characters removed, stripped, empty and "nan" cells missing; and
    how many cells lost a control character."""
    grid = grid.astype("str") if len(grid) else grid
    cleaned = 0
    for c in grid.columns if len(grid) else []:
        col = grid[c]
        if _may_hold_control(_arrow_of(col)):
            held = int(col.str.contains(CONTROL_PATTERN, regex=True, na=False).sum())
            if held:
                cleaned += held
                grid[c] = col.str.replace(CONTROL_PATTERN, "", regex=True)
    grid = grid.apply(lambda col: col.str.strip())
    grid = grid.mask(grid.isin(["", "nan", "NaN"]) | grid.isna())
    grid.columns = range(grid.shape[1])
    return grid.reset_index(drop=True), cleaned


def normalise_header(value: object) -> str:
    """Header text compared case- and space-insensitively."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return " ".join(str(value).replace("\ufeff", "").split()).lower()


def find_header(grid: pd.DataFrame, required: list[str]) -> int | None:
    """Index of the first of the top rows that holds every required column name, or None."""
    wanted = {normalise_header(c) for c in required}
    for i in range(min(HEADER_SEARCH_ROWS, len(grid))):
        cells = {normalise_header(v) for v in grid.iloc[i].tolist()}
        if wanted <= cells:
            return i
    return None


def _column_letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: a column as a spreadsheet names it."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def refuse_repeated_columns(path: Path, grid: pd.DataFrame, header_row: int, names: Iterable[str]) -> None:
    """Refuse a header row in which a column the importer reads (one of ``names``, compared as
    normalise_header does) appears twice: ``id`` and ``ID``, two ``opd``. Which one holds the
    data cannot be told, and taking the first would import the other's values nowhere."""
    header = [normalise_header(v) for v in grid.iloc[header_row].tolist()]
    for name in dict.fromkeys(normalise_header(n) for n in names):
        at = [i for i, h in enumerate(header) if h == name]
        if len(at) > 1:
            shown = str(grid.iloc[header_row, at[0]]).strip()
            cols = [_column_letters(i) for i in at]
            listed_id = ", ".join(cols[:-1]) + " dan " + cols[-1]
            listed_en = ", ".join(cols[:-1]) + " and " + cols[-1]
            raise RefusedFile(
                path,
                f"kolom '{shown}' muncul {len(at)} kali di baris judul (kolom {listed_id}); hapus atau ganti nama "
                f"yang berlebih / the column '{shown}' appears {len(at)} times in the header row (columns "
                f"{listed_en}): which one holds the data cannot be told; remove or rename the extra one",
            )


def frame_under_header(grid: pd.DataFrame, header_row: int) -> tuple[pd.DataFrame, pd.Series]:
    """The rows below the header as a frame with named columns, and each row's line number
    in the file (1-based, as a spreadsheet shows it) for the import report."""
    header = [normalise_header(v) for v in grid.iloc[header_row].tolist()]
    body = grid.iloc[header_row + 1 :].copy()
    # Unnamed or repeated header cells get positional names so no data is lost.
    seen: dict[str, int] = {}
    names = []
    for i, h in enumerate(header):
        name = h or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        names.append(name)
    body.columns = names
    body = body.dropna(how="all")
    line_numbers = pd.Series(body.index.to_numpy() + 1, index=body.index)
    return body.reset_index(drop=True), line_numbers.reset_index(drop=True)
