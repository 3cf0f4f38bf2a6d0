"""The review pack as an XLSX workbook: summary, each league, the breaches, the complaints.

Numbers stay numbers (an analyst sorts and sums them); times are the regency's local time, the
zone named in the header. Every cell goes through the one rule for spreadsheet cells
(analytics.security.cells.safe_cell): control characters are removed and text that looks like a
formula is stored as text, because unit names, categories and commitment texts come from outside.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from analytics.metrics.breaches import BREACH_COLUMNS
from analytics.metrics.clock import STAGE_LABELS
from analytics.metrics.groups_sql import VERIFIER_LABEL
from analytics.metrics.league import LEAGUE_COLUMNS
from analytics.metrics.registry import METRICS
from analytics.review.pack import ReviewPack, data_age_clause, data_moment, stale_warning, week_title
from analytics.security.cells import keep_as_text, safe_cell
from analytics.textfmt import is_missing, round_half_up, tz_label

SHEETS = ("Ringkasan", "Peringkat OPD", "Peringkat Camat", "Pelanggaran", "Pelanggaran baru",
          "Terbuka tertua", "Aduan minggu ini", "Catatan unit", "Komitmen", "Kualitas penutupan",
          "Aduan bertanda")
QUALITY_HEADERS = {"unit": "Unit", "unit_code": "Kode unit", "resolved": METRICS["resolved"].label_id
                   if "resolved" in METRICS else "Selesai",
                   **{c: METRICS[c].label_id for c in ("reopened", "bulk_closed", "at_deadline", "ping_pong",
                                                      "low_rating_after_close", "on_time_pct_unflagged")},
                   "on_time_pct": METRICS["on_time_rate"].label_id}
# Header of each league column: the registry label where the metric has one.
LEAGUE_HEADERS = {
    "unit": "Unit", "unit_code": "Kode unit", "tier": "Kelas", "funnel": "Posisi funnel",
    "on_time_pct": METRICS["on_time_rate"].label_id, "adjusted_on_time_pct": METRICS["adjusted_on_time_rate"].label_id,
    "completion_pct": METRICS["completion_rate"].label_id, "open": "Berjalan",
    **{c: METRICS[c].label_id for c in LEAGUE_COLUMNS if c in METRICS},
}
BREACH_HEADERS = {"id": "ID aduan", "source": "Sumber", "stage": "Tahap", "unit": "Unit", "started_at": "Mulai",
                  "deadline": "Batas waktu", "ended_at": "Selesai", "state": "Status SLA",
                  "working_days_over": "Hari kerja lewat"}


def _cell(v: object, tz: str) -> object:
    """A value openpyxl can write: local naive datetimes, plain Python numbers, text (through
    the cell rule)."""
    if is_missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        # Whole seconds: Excel keeps milliseconds and openpyxl rounds, so a deadline at
        # 23:59:59.999999 would show as the next day.
        return (v.tz_convert(tz) if v.tzinfo else v).tz_localize(None).floor("s").to_pydatetime()
    if isinstance(v, str):
        return safe_cell(v, "xlsx")
    if isinstance(v, (datetime, date, bool, int, float)):
        return v
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return safe_cell(str(v), "xlsx")


def _append(ws, values: list) -> None:  # noqa: ANN001 - an openpyxl worksheet
    ws.append([safe_cell(v, "xlsx") for v in values])


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, headers: dict[str, str], tz: str,
           note: str | None = None) -> None:
    ws = wb.create_sheet(title)
    if note:
        _append(ws, [note])
    cols = list(headers)
    zone = tz_label(tz)
    names = [headers[c] + (f" ({zone})" if c in frame and isinstance(frame[c].dtype, pd.DatetimeTZDtype) else "")
             for c in cols]
    _append(ws, names)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in frame[cols].itertuples(index=False):
        ws.append([_cell(v, tz) for v in row])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)  # the header stays on screen while scrolling
    for i, h in enumerate(names, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(48, len(h) + 2))
    if frame.empty:
        ws.append(["(tidak ada)"])


def _summary(wb: Workbook, pack: ReviewPack) -> None:
    ws = wb.active
    ws.title = SHEETS[0]
    rows = [
        ("Tinjauan kinerja pengaduan", pack.region_name or "-"),
        ("Minggu", f"{pack.week} ({week_title(pack.period)})"),
        ("Aturan SLA", pack.policy_label),
        ("Data per", data_moment(pack) + data_age_clause(pack)),
        *((("Peringatan", stale_warning(pack)),) if stale_warning(pack) else ()),
        ("Minggu lengkap", "ya" if pack.complete else "belum: minggu berjalan"),
        ("Data demo", "ya (sintetis)" if pack.is_demo else "tidak"),
        (),
        ("Angka utama", "Minggu ini", "Minggu lalu", "Perubahan"),
    ]
    for r in rows:
        _append(ws, list(r))
    ws.cell(row=len(rows), column=1).font = Font(bold=True)
    for k in pack.kpis:
        m = METRICS[k.metric]
        scale, nd = (100, 1) if m.unit == "pct" else (1, 1 if m.unit == "days" else 0)

        def num(x: float | None, scale: int = scale, nd: int = nd) -> float | None:
            return None if x is None else round_half_up(scale * x, nd)

        label = m.label_id + (" (poin untuk perubahan)" if m.unit == "pct" else "")
        change = None if k.change is None else num(k.change)
        _append(ws, [label, num(k.value), num(k.previous), change])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 60


def readable_breaches(frame: pd.DataFrame) -> pd.DataFrame:
    """Breach rows as the sheets show them: the verifier owns verification stages (never the unit
    the complaint went to), stages and states in words, never raw codes."""
    out = frame.copy()
    if "owner_kind" in out:
        out["unit"] = out["unit"].where(out["owner_kind"].astype("str") == "unit", VERIFIER_LABEL)
    out["stage"] = [STAGE_LABELS.get(str(v), str(v)) for v in out["stage"]]
    out["state"] = [METRICS[str(v)].label_id if str(v) in METRICS else str(v) for v in out["state"]]
    return out


def workbook_bytes(pack: ReviewPack) -> bytes:
    wb = Workbook()
    _summary(wb, pack)
    league_headers = {c: LEAGUE_HEADERS[c] for c in LEAGUE_COLUMNS}
    v = pack.verdicts
    for title, kind, rows in ((SHEETS[1], "opd", pack.opd_rows), (SHEETS[2], "camat", pack.camat_rows)):
        notes = v[v["kind"] == kind].set_index("unit")["text"]
        frame = rows.assign(verdict=rows["unit"].map(notes))
        _sheet(wb, title, frame, {**league_headers, "verdict": "Catatan"}, pack.tz)
    b = {c: BREACH_HEADERS[c] for c in BREACH_COLUMNS}
    _sheet(wb, SHEETS[3], readable_breaches(pack.breaches), b, pack.tz,
           note=f"Tahap yang lewat batas atau hampir jatuh tempo per {data_moment(pack)} (apa pun tanggal masuknya), "
                f"dan tahap yang jatuh tempo pada {week_title(pack.period)} lalu selesai terlambat.")
    new = readable_breaches(pack.review.new_breaches.rename(columns={"source_id": "id"}))
    _sheet(wb, SHEETS[4], new, {c: BREACH_HEADERS[c] for c in ("id", "source", "stage", "unit", "deadline", "state",
                                                              "working_days_over")},
           pack.tz, note="Tahap yang batas waktunya jatuh pada minggu ini dan terlewati.")
    old = pack.review.oldest_open.rename(columns={"source_id": "id"})
    _sheet(wb, SHEETS[5], old, {"id": "ID aduan", "source": "Sumber", "unit": "Unit", "stage": "Tahap",
                                "started_at": "Mulai", "working_days_elapsed": "Hari kerja terbuka"}, pack.tz)
    _sheet(wb, SHEETS[6], pack.complaints, {"source_id": "ID aduan", "source": "Sumber", "received_at": "Diterima",
                                            "status": "Status", "unit_code": "Kode unit", "unit": "Unit",
                                            "kecamatan": "Kecamatan", "category": "Kategori",
                                            "classification": "Klasifikasi", "channel": "Kanal"}, pack.tz)
    _sheet(wb, SHEETS[7], v, {"kind": "Jenis", "unit": "Unit", "unit_code": "Kode unit", "level": "Tingkat",
                              "text": "Catatan"}, pack.tz)
    c = pack.commitments
    if c is not None:
        both = pd.concat([c.overdue.assign(state="lewat tenggat"), c.due.assign(state="jatuh tempo minggu depan"),
                          c.done.assign(state="selesai minggu ini")], ignore_index=True)
    else:
        both = pd.DataFrame(columns=["id", "state", "unit", "text", "due_on", "made_week", "done_on", "done_note"])
    _sheet(wb, SHEETS[8], both, {"id": "No.", "state": "Keadaan", "unit": "Unit", "text": "Komitmen",
                                 "due_on": "Tenggat", "made_week": "Dibuat pada tinjauan", "done_on": "Selesai",
                                 "done_note": "Catatan selesai"}, pack.tz)
    if pack.quality_units is not None:
        _sheet(wb, SHEETS[9], pack.quality_units, QUALITY_HEADERS, pack.tz,
               note="Tanda adalah pertanyaan untuk rapat, bukan pengurang nilai (docs/metrics.md, Kualitas penutupan).")
        cases = pack.quality_cases.assign(signals=pack.quality_cases["signals"].map(lambda s: ", ".join(s)))
        _sheet(wb, SHEETS[10], cases, {"id": "ID aduan", "source": "Sumber", "unit": "Unit", "unit_code": "Kode unit",
                                       "signals": "Tanda"}, pack.tz)
    for ws in wb.worksheets:
        keep_as_text(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
