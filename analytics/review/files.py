"""The pack's files, named and built in memory: the CLI writes them, the dashboard zips them.

Everything is rendered before anything is written, so a failure leaves no half pack behind.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

from analytics.review.digest import bupati_digest, unit_digests
from analytics.review.pack import ReviewPack
from analytics.review.pdf import pdf_bytes
from analytics.review.workbook import workbook_bytes
from analytics.security.cells import safe_cell

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    """A unit code as a file name: ``KEC-321601`` stays, ``Dinas X/Y`` becomes ``Dinas_X_Y``."""
    return _UNSAFE.sub("_", text).strip("._") or "unit"


def names(week: str) -> dict[str, str]:
    stem = f"tinjauan-{week}"
    return {"pdf": f"{stem}.pdf", "xlsx": f"{stem}.xlsx", "bupati": f"{stem}-bupati.txt", "units": f"{stem}-unit"}


def pack_files(pack: ReviewPack, *, unit: str | None = None) -> dict[str, bytes]:
    """Relative path -> bytes: the PDF, the workbook, the Bupati digest and one digest per unit
    (only ``unit``'s, a code, when given). Texts are UTF-8, without control characters (the one
    rule for cells written to files, analytics.security.cells)."""
    n = names(pack.week)
    out = {n["pdf"]: pdf_bytes(pack), n["xlsx"]: workbook_bytes(pack),
           n["bupati"]: _text_bytes(bupati_digest(pack))}
    for code, text in unit_digests(pack).items():
        if unit is None or code == unit:
            out[f"{n['units']}/{safe_name(code)}.txt"] = _text_bytes(text)
    return out


def _text_bytes(text: str) -> bytes:
    return str(safe_cell(text, "txt")).encode("utf-8")


def write_files(files: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Write each file through a temporary name, so a reader never sees a partial file."""
    written = []
    for rel, data in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        written.append(path)
    return written


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for rel, data in files.items():
            z.writestr(zipfile.ZipInfo(rel, date_time=(2000, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)  # fixed time: the same pack zips the same
    return buf.getvalue()
