"""A closed month of the Tukin ledger as the BKPSDM's report: an A4 PDF and an XLSX workbook.

One version of one month, as ``read.ledger_month`` gives it (a unit account's report holds its own
unit only). Page one says which version it is, who closed it and when, the data moment, the policy
and the content sha256 a printed copy is checked against, and in one paragraph what is counted and
what is not; then every unit's figures; then, per unit, the cases behind them with their appeals
(docs/ledger.md). The PDF has the review pack's look: its styles and table
(analytics/review/pdf.py; ledger/ sits above review/).
The workbook follows the review workbook: numbers stay numbers, times are the regency's local time
with the zone in the header, and every text cell goes through the one cell rule
(analytics.security.cells), because ids and appeal texts come from outside. The ledger holds no
personal data and nothing else is joined in.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analytics import config, store
from analytics.ledger.model import UNIT_KINDS, VERIFIER_CODE, Case, LedgerError, UnitFigures, month_period, reason_label
from analytics.ledger.read import LedgerMonth, LedgerVersion, ledger_month
from analytics.review.files import write_files
from analytics.review.pdf import BODY, CELL, GREY, H1, H2, LINE, SMALL, WIDTH, _table
from analytics.security.access import Viewer
from analytics.security.cells import keep_as_text, safe_cell
from analytics.textfmt import MISSING, fmt_date, fmt_datetime, fmt_int, fmt_num, is_missing, tz_label

SHEETS = ("Ringkasan", "Kasus")  # fixed in both languages: a BKPSDM workbook may refer to them
MONTH_NAMES = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
# Words, as (Indonesian, English).
STAGES = {"verifikasi": ("Verifikasi", "Verification"), "tindak_lanjut": ("Tindak lanjut", "Follow-up"),
          "penyelesaian": ("Penyelesaian", "Resolution")}
STATES = {"late": ("Terlambat", "Late"), "open_overdue": ("Terbuka lewat batas", "Open past the deadline"),
          "uncertain": ("Tidak pasti — tidak dihitung", "Uncertain — not counted")}
DECISIONS = {"accepted": ("Diterima", "Accepted"), "rejected": ("Ditolak", "Rejected"),
             None: ("Menunggu keputusan", "Awaiting decision")}
KINDS = {"opd": ("OPD", "OPD"), "camat": ("Camat", "Camat office"), "verifikator": ("Verifikator", "Verifier")}
BASIS = {"reported": ("dilaporkan sumber", "reported by the source"),
         "estimated": ("diperkirakan dari snapshot", "estimated from snapshots"),
         "open": ("masih terbuka", "still open")}
W = {
    "title": ("Buku Catatan Kinerja Penanganan Aduan", "Record of Complaint Handling Performance"),
    "no_region": ("Wilayah tanpa registri", "Region without a registry"),
    "old": ("VERSI LAMA", "OLD VERSION"), "reopened_mark": ("DIBUKA KEMBALI", "REOPENED"),
    "month": ("Bulan", "Month"), "version": ("Versi", "Version"), "of": ("dari", "of"),
    "closed": ("Ditutup", "Closed"), "by": ("oleh", "by"), "as_of": ("Saat data", "Data moment"),
    "policy": ("Aturan SLA", "SLA policy"), "content": ("sha256 isi", "Content sha256"),
    "appeal_until": ("Masa keberatan", "Appeal window"),
    "appeal_ends": ("Masa keberatan berakhir", "Appeal window ends"), "appeals": ("Keberatan", "Appeals"),
    "scope": ("Cakupan", "Scope"), "demo": ("Data demo (sintetis)", "Demo data (synthetic)"),
    "status": ("Status versi", "Version status"), "current": ("berlaku", "current"),
    "page": ("Halaman", "Page"), "summary": ("Ringkasan per unit", "Summary per unit"),
    "reading": ("Cara membaca", "How to read this"), "check": ("Memeriksa laporan cetak", "Checking a printed copy"),
    "unit": ("Unit", "Unit"), "kind": ("Jenis", "Kind"), "code": ("Kode unit", "Unit code"),
    "due": ("Jatuh tempo", "Due"), "on_time": ("Tepat waktu", "On time"), "late": ("Terlambat", "Late"),
    "open_overdue": ("Terbuka lewat batas", "Open past the deadline"), "counted": ("Dihitung", "Counted"),
    "uncertain": ("Tidak pasti", "Uncertain"), "unknown": ("Waktu tidak diketahui", "Time unknown"),
    "appealed": ("Keberatan", "Appealed"), "appeal": ("Keberatan", "Appeal"), "accepted": ("Diterima", "Accepted"),
    "final": ("Dihitung akhir", "Final count"), "final_pct": ("Tepat waktu akhir", "Final on-time rate"),
    "tier": ("Kelas", "Tier"), "id": ("ID aduan", "Complaint id"), "source": ("Sumber", "Source"),
    "stage": ("Tahap", "Stage"), "deadline": ("Batas waktu", "Deadline"), "ended": ("Selesai", "Ended"),
    "state": ("Keadaan", "State"), "wd_over": ("Hari kerja lewat", "Working days over"),
    "basis": ("Asal waktu", "How the time is known"), "after": ("Diperkirakan setelah", "Estimated after"),
    "appeal_no": ("No. keberatan", "Appeal no."), "reason": ("Alasan", "Reason"),
    "appeal_text": ("Isi keberatan", "Appeal text"), "filed_by": ("Diajukan oleh", "Filed by"),
    "filed_at": ("Diajukan pada", "Filed at"), "decision": ("Keputusan", "Decision"),
    "decided_by": ("Diputus oleh", "Decided by"), "decided_at": ("Diputus pada", "Decided at"),
    "note": ("Catatan keputusan", "Decision note"), "final_case": ("Dihitung akhir", "Counted in the end"),
    "yes": ("ya", "yes"), "no": ("tidak", "no"), "none_case": ("(tidak ada kasus)", "(no cases)"),
    "region": ("Wilayah", "Region"), "reopened": ("Dibuka kembali", "Reopened"),
    "reopen_reason": ("Alasan dibuka kembali", "Reason for reopening"),
    "policy_sha": ("sha256 aturan", "Policy sha256"), "explain": ("Penjelasan", "Explanation"),
}


def _w(key: str, lang: str) -> str:
    return W[key][0 if lang == "id" else 1]


def _pick(table: dict, key: object, lang: str) -> str:
    pair = table.get(key)
    return str(key) if pair is None else pair[0 if lang == "id" else 1]


def _txt(value: object) -> str:
    """Text from the store for the PDF: without the characters no file may hold."""
    return "" if is_missing(value) else str(safe_cell(str(value), "txt"))


def month_title(month: str, lang: str = "id") -> str:
    """``2025-10`` -> ``Oktober 2025`` / ``October 2025``."""
    first = month_period(month).start
    return f"{MONTH_NAMES['id' if lang == 'id' else 'en'][first.month - 1]} {first.year}"


def file_names(month: str, version: int) -> dict[str, str]:
    stem = f"buku-tukin-{month}-v{version}"
    return {"pdf": f"{stem}.pdf", "xlsx": f"{stem}.xlsx"}


def ordered_units(m: LedgerMonth) -> list[UnitFigures]:
    """OPD first, then camat offices, then the verifier; by name within each."""
    rank = {k: i for i, k in enumerate(UNIT_KINDS)}
    return sorted(m.units, key=lambda u: (rank.get(u.unit_kind, len(rank)), u.unit.casefold(), u.unit_code))


def newer_version(m: LedgerMonth) -> LedgerVersion | None:
    """The newest version of the month when it is newer than the one reported."""
    latest = m.versions[-1] if m.versions else m.version
    return latest if latest.version > m.version.version else None


def appeal_counts(m: LedgerMonth) -> dict[str, object]:
    appeals = [c.appeal for u in m.units for c in u.cases if c.counted and c.appeal is not None]
    decided = [a.decided_at for a in appeals if a.decision is not None and not is_missing(a.decided_at)]
    return {"filed": len(appeals), "accepted": sum(a.decision == "accepted" for a in appeals),
            "rejected": sum(a.decision == "rejected" for a in appeals),
            "pending": sum(a.decision is None for a in appeals), "last_decided": max(decided, default=None)}


def report_setting(con: duckdb.DuckDBPyConnection, m: LedgerMonth, viewer: Viewer | None = None) -> dict[str, object]:
    """What ``report_bytes`` takes from the store besides the month: the zone (the regency's, else
    the policy's), the regency's name, the policy's label, whether the store is the demo, and the
    unit a unit account's report is limited to."""
    from analytics.rules.policy import load_policy
    from analytics.rules.regions import load_region

    tz, region = None, ""
    slug = store.get_meta(con, "region")
    if slug:
        try:
            r = load_region(slug)
            tz, region = r.timezone, r.name
        except ValueError:
            region = slug
    try:
        policy = load_policy(m.version.policy)
        label = policy.label
        tz = tz or policy.timezone
    except ValueError:  # the policy is gone from this installation: its name and sha256 still say which
        label = ""
    return {"tz": tz or config.DEFAULT_TZ, "region": region, "policy_label": label,
            "is_demo": store.get_meta(con, "is_demo") == "1",
            "unit_only": viewer.unit if viewer is not None and viewer.role == "unit" else None}


def report_bytes(month_obj: LedgerMonth, tz: str, lang: str = "id", *, region: str = "", policy_label: str = "",
                 is_demo: bool = False, unit_only: str | None = None) -> dict[str, bytes]:
    """File name -> bytes: the PDF and the workbook of ``month_obj`` (nothing written to disk).
    ``report_setting(con, month_obj, viewer)`` gives the keywords from the store."""
    lang = "id" if lang != "en" else "en"
    ctx = {"region": region, "policy_label": policy_label, "is_demo": is_demo, "unit_only": unit_only}
    names = file_names(month_obj.version.month, month_obj.version.version)
    return {names["pdf"]: pdf_bytes(month_obj, tz, lang, **ctx), names["xlsx"]: workbook_bytes(month_obj, tz, lang, **ctx)}


def write_report(con: duckdb.DuckDBPyConnection, month: str, out_dir: Path, *, version: int | None = None,
                 viewer: Viewer | None = None, lang: str = "id") -> list[Path]:
    """Write ``buku-tukin-YYYY-MM-vN.pdf`` and ``.xlsx`` into ``out_dir`` (created if missing);
    returns their paths. Both are rendered before either is written. LedgerError for a month never
    closed or a version it does not have."""
    if viewer is not None and viewer.role == "unit" and not viewer.unit:
        raise LedgerError("akun unit tanpa kode unit / a unit account without a unit code")
    m = ledger_month(con, month, viewer=viewer, version=version)
    files = report_bytes(m, lang=lang, **report_setting(con, m, viewer))
    return write_files(files, Path(out_dir))  # through a temporary name: never a partial file


# --- words shared by both files ---------------------------------------------------------------------------

def _pct(value: float | None, lang: str) -> str:
    return MISSING if value is None else fmt_num(value, 1, lang=lang) + "%"


def _days(value: float | None, lang: str) -> str:
    if value is None:
        return MISSING
    return fmt_int(value, lang=lang) if float(value).is_integer() else fmt_num(value, 1, lang=lang)


def basis_words(c: Case, tz: str, lang: str) -> str:
    """How the case's end time is known, in words (the PDF's column)."""
    words = _pick(BASIS, c.time_basis, lang)
    if c.time_basis == "estimated" and not is_missing(c.ended_after):
        words += (", setelah " if lang == "id" else ", after ") + fmt_datetime(c.ended_after, tz, lang=lang)
    return words


def status_words(m: LedgerMonth, tz: str, lang: str) -> list[str]:
    """The version's standing, loudest first: an old version, a reopened one; empty for a current one."""
    v, newer, out = m.version, newer_version(m), []
    if newer is not None:
        out.append(f"VERSI LAMA — sudah ada versi {newer.version} (ditutup "
                   f"{fmt_datetime(newer.closed_at, tz, lang=lang)}). Untuk Tukin gunakan versi terbaru."
                   if lang == "id" else
                   f"OLD VERSION — version {newer.version} exists (closed {fmt_datetime(newer.closed_at, tz, lang=lang)})."
                   " Use the newest version for Tukin.")
    if not v.current:
        reason = _txt(v.reopen_reason)
        if lang == "id":
            text = (f"Versi ini dibuka kembali pada {fmt_datetime(v.reopened_at, tz, lang=lang)} oleh "
                    f"{_txt(v.reopened_by)}. Alasan: {reason}.")
            text += "" if newer is not None else f" Versi {v.version + 1} belum ditutup; angka ini belum final."
        else:
            text = (f"This version was reopened on {fmt_datetime(v.reopened_at, tz, lang=lang)} by "
                    f"{_txt(v.reopened_by)}. Reason: {reason}.")
            text += "" if newer is not None else f" Version {v.version + 1} is not closed yet; these figures are not final."
        out.append(text)
    return out


def appeal_window(v: LedgerVersion, tz: str, lang: str) -> str:
    """``sampai akhir 13 Nov 2025 (batas 14 Nov 2025 00.00 WIB)``: the window ends at local midnight."""
    last_day = fmt_date(pd.Timestamp(v.appeal_until) - pd.Timedelta(microseconds=1), tz, lang=lang)
    exact = fmt_datetime(v.appeal_until, tz, lang=lang)
    return (f"sampai akhir {last_day} (batas {exact})" if lang == "id" else f"until the end of {last_day} ({exact})")


def appeals_line(m: LedgerMonth, tz: str, lang: str) -> str:
    a = appeal_counts(m)
    if lang == "id":
        text = (f"{fmt_int(a['filed'])} diajukan: {fmt_int(a['accepted'])} diterima, {fmt_int(a['rejected'])} "
                f"ditolak, {fmt_int(a['pending'])} menunggu keputusan")
        last = f"; keputusan terakhir {fmt_datetime(a['last_decided'], tz)}" if a["last_decided"] is not None else ""
        warn = ". Selama ada yang menunggu, angka akhir dapat berubah" if a["pending"] else ""
    else:
        text = (f"{fmt_int(a['filed'], lang=lang)} filed: {fmt_int(a['accepted'], lang=lang)} accepted, "
                f"{fmt_int(a['rejected'], lang=lang)} rejected, {fmt_int(a['pending'], lang=lang)} awaiting a decision")
        last = (f"; last decision {fmt_datetime(a['last_decided'], tz, lang=lang)}"
                if a["last_decided"] is not None else "")
        warn = ". While any awaits a decision, the final figures may change" if a["pending"] else ""
    return text + last + warn + "."


def explanation(m: LedgerMonth, lang: str) -> str:
    tiers = sorted(m.tiers, key=lambda kv: -kv[1])
    if lang == "id":
        tier_text = ", ".join(f"{name} bila minimal {fmt_num(floor, 0)}%" for name, floor in tiers) + ", C di bawahnya"
        return (
            "Buku ini mencatat, untuk setiap unit (OPD, kantor camat, dan verifikator), tahap penanganan aduan yang "
            "batas waktunya jatuh pada bulan ini, dinilai dalam hari kerja dengan aturan SLA di atas pada saat data "
            "di atas. Dihitung terhadap unit: tahap yang selesai setelah batas waktu (terlambat) dan tahap yang masih "
            "terbuka melewati batas waktu pada saat penutupan. Tidak dihitung: kasus tidak pasti (waktu selesainya "
            "diperkirakan dari dua snapshot dan batas waktunya jatuh di antara keduanya, sehingga tepat waktu atau "
            "terlambat tidak dapat dipastikan; dicantumkan, tetapi tidak dihitung untuk maupun terhadap unit), tahap "
            "yang waktunya tidak diketahui, dan kasus yang keberatannya diterima. Dihitung akhir = dihitung - "
            "keberatan diterima. Tepat waktu akhir = tepat waktu ÷ (tepat waktu + dihitung akhir): kasus yang "
            f"keberatannya diterima tidak masuk pembilang maupun penyebut. Kelas: {tier_text}; "
            f"tanpa kelas bila tahap yang dinilai kurang dari {m.min_judged}."
        )
    tier_text = ", ".join(f"{name} from {fmt_num(floor, 0, lang='en')}%" for name, floor in tiers) + ", C below"
    return (
        "This record lists, for every unit (OPD, camat office and the verifier), the complaint-handling stages whose "
        "deadline falls in the month, judged in working days under the SLA policy above at the data moment above. "
        "Counted against the unit: stages ended after their deadline (late) and stages still open past their "
        "deadline at the close. Not counted: uncertain cases (the end time is estimated from two snapshots and the "
        "deadline falls between them, so on time and late cannot be told apart; listed, counted neither for nor "
        "against the unit), stages whose time is unknown, and cases whose appeal was accepted. Final count = counted "
        "- accepted appeals. Final on-time rate = on time ÷ (on time + final count): a case whose appeal was "
        f"accepted is in neither the numerator nor the denominator. Tier: {tier_text}; "
        f"no tier with fewer than {m.min_judged} judged stages."
    )


def check_command(v: LedgerVersion) -> str:
    return f"python -m analytics ledger show --month {v.month} --version {v.version} --format json"


def check_text(v: LedgerVersion, lang: str) -> str:
    if lang == "id":
        return ("Pada komputer yang memegang basis data Pantau (tambahkan --db bila bukan basis data bawaan), "
                "jalankan perintah di bawah. Nilai content_sha256 yang dicetaknya harus sama persis dengan sha256 isi "
                "di halaman ini, dan 12 huruf pertamanya dengan kaki setiap halaman. Sidik ini mencakup angka dan kasus "
                "yang dibekukan saat penutupan; keputusan keberatan dicatat terpisah dan tampil di bagian \"appeal\" "
                "keluaran yang sama.")
    return ("On the computer holding the Pantau database (add --db if it is not the default one), run the command "
            "below. The content_sha256 it prints must equal the content sha256 on this page exactly, and its first 12 "
            "characters the footer of every page. The hash covers the figures and cases frozen at the close; appeal "
            "decisions are recorded apart and shown under \"appeal\" in the same output.")


def scope_words(m: LedgerMonth, unit_only: str | None, lang: str) -> str:
    if unit_only:
        return (f"hanya unit {unit_only} (laporan akun unit)" if lang == "id"
                else f"unit {unit_only} only (a unit account's report)")
    n = fmt_int(len(m.units), lang=lang)
    return f"semua unit ({n})" if lang == "id" else f"every unit ({n})"


# --- the PDF ------------------------------------------------------------------------------------------------

# The review pack's look (analytics/review/pdf.py): the BKPSDM gets both documents.
GOOD, BAD = colors.HexColor("#1e8449"), colors.HexColor("#c0392b")
BANNER = ParagraphStyle("banner", parent=BODY, fontName="Helvetica-Bold", textColor=BAD, fontSize=10, leading=13,
                        spaceBefore=4, spaceAfter=2)
MONO = ParagraphStyle("mono", parent=CELL, fontName="Courier", fontSize=7.5, leading=9)
KEY = ParagraphStyle("key", parent=CELL, fontName="Helvetica-Bold")
APPEAL_BG = colors.HexColor("#f2f4f4")
KEEP_WHOLE = 20  # a unit with this many cases or fewer is never split across pages


def _para(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def _meta_table(m: LedgerMonth, tz: str, lang: str, policy_label: str, unit_only: str | None,
                is_demo: bool) -> Table:
    v, period = m.version, month_period(m.version.month)
    newer = newer_version(m)
    standing = _w("old", lang) if newer is not None else _w("reopened_mark", lang) if not v.current else _w("current", lang)
    policy = Paragraph(escape(f"{v.policy}" + (f" — {policy_label}" if policy_label else "")) + "<br/>"
                       + f'<font face="Courier">sha256 {escape(v.policy_sha256)}</font>', CELL)
    rows = [
        (_w("month", lang), f"{month_title(v.month, lang)} ({fmt_date(period.start, lang=lang)} – "
                            f"{fmt_date(period.end, lang=lang)})"),
        (_w("version", lang), f"{v.version} {_w('of', lang)} {len(m.versions)} · {standing}"),
        (_w("closed", lang), f"{fmt_datetime(v.closed_at, tz, lang=lang)} {_w('by', lang)} {_txt(v.closed_by)}"),
        (_w("as_of", lang), fmt_datetime(v.as_of, tz, lang=lang)),
        (_w("policy", lang), policy),
        (_w("content", lang), Paragraph(escape(v.content_sha256), MONO)),
        (_w("appeal_until", lang), appeal_window(v, tz, lang)),
        (_w("appeals", lang), appeals_line(m, tz, lang)),
        (_w("scope", lang), scope_words(m, unit_only, lang)),
    ]
    if is_demo:
        rows.append(("Data", _w("demo", lang)))
    data = [[_para(k, KEY), val if isinstance(val, Paragraph) else _para(val)] for k, val in rows]
    t = Table(data, colWidths=[32 * mm, WIDTH - 32 * mm], hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
                           ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                           ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return t


def _summary_table(m: LedgerMonth, lang: str) -> list:
    units = ordered_units(m)
    if not units:
        return [_para("Tidak ada unit di buku ini." if lang == "id" else "No unit in this record.", BODY)]
    header = [_w(k, lang) for k in ("unit", "due", "on_time", "counted", "uncertain", "appealed", "accepted", "final",
                                    "final_pct", "tier")]
    rows = []
    for u in units:
        name = Paragraph(f"{escape(_txt(u.unit))}<br/><font color='#5d6d7e'>{escape(_unit_tag(u, lang))}</font>", CELL)
        rows.append([name, fmt_int(u.due, lang=lang), fmt_int(u.on_time, lang=lang), fmt_int(u.counted, lang=lang),
                     fmt_int(u.uncertain, lang=lang), fmt_int(u.appealed, lang=lang), fmt_int(u.accepted, lang=lang),
                     fmt_int(u.final_counted, lang=lang), _pct(u.final_on_time_pct, lang), m.tier(u) or MISSING])
    # Count columns wide enough for their one-word headers ("Keberatan", "Uncertain" on one line).
    counts = [12 * mm, 13 * mm, 14 * mm, 17 * mm, 16 * mm, 16 * mm, 14 * mm, 18 * mm, 10 * mm]
    out = [_table(header, rows, [WIDTH - sum(counts), *counts], right=set(range(1, 10)))]
    unknown = sum(u.unknown for u in units)
    if unknown:
        out.append(_para(f"{fmt_int(unknown, lang=lang)} tahap jatuh tempo tanpa waktu yang diketahui tidak dinilai "
                         "(tidak tepat waktu, tidak dihitung); jumlahnya per unit ada di XLSX." if lang == "id" else
                         f"{fmt_int(unknown, lang=lang)} due stages whose time is unknown are not judged (neither on "
                         "time nor counted); the XLSX has them per unit.", SMALL))
    return out


def _unit_tag(u: UnitFigures, lang: str) -> str:
    """``DINKES · OPD``; the verifier is its own kind and code, so just ``Verifikator``."""
    kind = _pick(KINDS, u.unit_kind, lang)
    return kind if u.unit_code == VERIFIER_CODE else f"{_txt(u.unit_code)} · {kind}"


def _figures_line(m: LedgerMonth, u: UnitFigures, lang: str) -> str:
    i = lambda v: fmt_int(v, lang=lang)  # noqa: E731
    if lang == "id":
        return (f"Jatuh tempo {i(u.due)} · tepat waktu {i(u.on_time)} · dihitung {i(u.counted)} (terlambat {i(u.late)}, "
                f"terbuka lewat batas {i(u.open_overdue)}) · tidak pasti {i(u.uncertain)}"
                + (f" · waktu tidak diketahui {i(u.unknown)}" if u.unknown else "")
                + f" · keberatan {i(u.appealed)}, diterima {i(u.accepted)} · dihitung akhir {i(u.final_counted)} · "
                f"tepat waktu akhir {_pct(u.final_on_time_pct, lang)} · Kelas {m.tier(u) or MISSING}")
    return (f"Due {i(u.due)} · on time {i(u.on_time)} · counted {i(u.counted)} (late {i(u.late)}, open past the "
            f"deadline {i(u.open_overdue)}) · uncertain {i(u.uncertain)}"
            + (f" · time unknown {i(u.unknown)}" if u.unknown else "")
            + f" · appealed {i(u.appealed)}, accepted {i(u.accepted)} · final count {i(u.final_counted)} · "
            f"final on-time rate {_pct(u.final_on_time_pct, lang)} · Tier {m.tier(u) or MISSING}")


def _appeal_markup(c: Case, tz: str, lang: str) -> str:
    a = c.appeal
    filed = (f"diajukan oleh {escape(_txt(a.filed_by))} pada {fmt_datetime(a.filed_at, tz, lang=lang)}" if lang == "id"
             else f"filed by {escape(_txt(a.filed_by))} on {fmt_datetime(a.filed_at, tz, lang=lang)}")
    head = (f"<b>{_w('appeal', lang)} #{a.appeal_id}</b> · {escape(reason_label(a.reason, lang))} · {filed}: "
            f"“{escape(_txt(a.text))}”")
    colour = {"accepted": GOOD, "rejected": BAD}.get(a.decision, GREY)
    decision = f"<font color='#{colour.hexval()[2:]}'><b>{escape(_pick(DECISIONS, a.decision, lang))}</b></font>"
    if a.decision is None:
        return f"{head}<br/>{_w('decision', lang)}: {decision}"
    by = (f"oleh {escape(_txt(a.decided_by))} pada {fmt_datetime(a.decided_at, tz, lang=lang)}" if lang == "id"
          else f"by {escape(_txt(a.decided_by))} on {fmt_datetime(a.decided_at, tz, lang=lang)}")
    note = f": “{escape(_txt(a.note))}”" if _txt(a.note) else ""
    return f"{head}<br/>{_w('decision', lang)}: {decision} {by}{note}"


def _cases_table(u: UnitFigures, tz: str, lang: str) -> Table:
    zone = tz_label(tz)
    header = [_w("id", lang), _w("stage", lang), f"{_w('deadline', lang)} ({zone})", f"{_w('ended', lang)} ({zone})",
              _w("state", lang), _w("wd_over", lang), _w("basis", lang)]
    rows, spans = [], []
    for c in u.cases:
        ended = fmt_datetime(c.ended_at, tz, lang=lang, zone=False) if c.ended_at is not None else _pick(BASIS, "open", lang)
        rows.append([_para(_txt(c.id)), _pick(STAGES, c.stage, lang), fmt_datetime(c.deadline, tz, lang=lang, zone=False),
                     ended, _para(_pick(STATES, c.state, lang)), _days(c.working_days_over, lang),
                     _para(basis_words(c, tz, lang))])
        if c.appeal is not None:
            spans.append(len(rows))
            rows.append([Paragraph(_appeal_markup(c, tz, lang), CELL), "", "", "", "", "", ""])
    t = _table(header, rows, [30 * mm, 19 * mm, 25 * mm, 25 * mm, 27 * mm, 15 * mm, WIDTH - 141 * mm], right={5})
    extra = []
    for i in spans:  # table row i + 1 (the header is row 0)
        extra += [("SPAN", (0, i + 1), (-1, i + 1)), ("BACKGROUND", (0, i + 1), (-1, i + 1), APPEAL_BG),
                  ("LEFTPADDING", (0, i + 1), (-1, i + 1), 10)]
    if extra:
        t.setStyle(TableStyle(extra))
    return t


def _unit_sections(m: LedgerMonth, tz: str, lang: str) -> list:
    out: list = []
    units = ordered_units(m)
    with_cases = [u for u in units if u.cases]
    for u in with_cases:
        head = _txt(u.unit) if u.unit_code == VERIFIER_CODE else f"{_txt(u.unit)} · {_unit_tag(u, lang)}"
        block = [_para(head, H2), _para(_figures_line(m, u, lang), BODY), Spacer(1, 2), _cases_table(u, tz, lang)]
        # A heading never ends a page without its cases: a short unit moves whole to the next page, a
        # long one starts where a few of its rows still fit and splits (the header row repeats).
        out += [KeepTogether(block)] if len(u.cases) <= KEEP_WHOLE else [CondPageBreak(45 * mm), *block]
    quiet = len(units) - len(with_cases)
    if quiet:
        out.append(Spacer(1, 6))
        out.append(_para(f"{fmt_int(quiet)} unit lain tidak punya kasus yang dihitung atau tidak pasti; angkanya ada di "
                         "ringkasan." if lang == "id" else
                         f"{fmt_int(quiet, lang=lang)} other units have no counted or uncertain case; their figures "
                         "are in the summary.", SMALL))
    return out


def story(m: LedgerMonth, tz: str, lang: str = "id", *, region: str = "", policy_label: str = "",
          is_demo: bool = False, unit_only: str | None = None) -> list:
    """The PDF's flowables in reading order (tests read their text)."""
    v = m.version
    out: list = [
        _para(f"{_w('title', lang)} — {month_title(v.month, lang)}", H1),
        _para(region or _w("no_region", lang), BODY),
        *[_para(text, BANNER) for text in status_words(m, tz, lang)],
        Spacer(1, 4),
        _meta_table(m, tz, lang, policy_label, unit_only, is_demo),
        _para(_w("reading", lang), H2), _para(explanation(m, lang), BODY),
        _para(_w("check", lang), H2), _para(check_text(v, lang), BODY), Spacer(1, 2),
        _para(check_command(v), MONO),
        _para(_w("summary", lang), H2), *_summary_table(m, lang),
    ]
    out += _unit_sections(m, tz, lang)
    return out


def footer_text(m: LedgerMonth, lang: str, unit_only: str | None = None) -> str:
    v = m.version
    mark = (f" · {_w('old', lang)}" if newer_version(m) is not None
            else f" · {_w('reopened_mark', lang)}" if not v.current else "")
    scope = f" · unit {unit_only}" if unit_only else ""
    return (f"Pantau · Buku Tukin {month_title(v.month, lang)} · {_w('version', lang).lower()} {v.version}{mark}{scope}"
            f" · sha256 {v.content_sha256[:12]}")


def _numbered_canvas(left: str, lang: str) -> type[Canvas]:
    """A canvas that draws, on every page, the footer with "page n of m" (m known only at the end)."""
    page, of = _w("page", lang), _w("of", lang)

    class Numbered(Canvas):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - reportlab's own
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.saveState()
                self.setFont("Helvetica", 7)
                self.setFillColor(GREY)
                self.drawString(15 * mm, 9 * mm, left)
                self.drawRightString(A4[0] - 15 * mm, 9 * mm, f"{page} {self._pageNumber} {of} {total}")
                self.restoreState()
                super().showPage()
            super().save()

    return Numbered


def pdf_bytes(m: LedgerMonth, tz: str, lang: str = "id", *, region: str = "", policy_label: str = "",
              is_demo: bool = False, unit_only: str | None = None) -> bytes:
    rl_config.invariant = 1  # no creation date or random id: the same month gives the same file
    buf = io.BytesIO()
    v = m.version
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=f"{_w('title', lang)} {month_title(v.month, lang)} v{v.version}",
                            author="Pantau", lang=lang)
    flow = story(m, tz, lang, region=region, policy_label=policy_label, is_demo=is_demo, unit_only=unit_only)
    doc.build(flow, canvasmaker=_numbered_canvas(footer_text(m, lang, unit_only), lang))
    return buf.getvalue()


# --- the workbook -------------------------------------------------------------------------------------------

def _cell(value: object, tz: str) -> object:
    """A value openpyxl can write: local naive datetimes (whole seconds), numbers, text through the cell rule."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        # Whole seconds: a deadline at 23:59:59.999999 would otherwise round to the next day.
        return (value.tz_convert(tz) if value.tzinfo else value).tz_localize(None).floor("s").to_pydatetime()
    if isinstance(value, str):
        return safe_cell(value, "xlsx")
    if isinstance(value, (bool, int, float)):
        return value
    return safe_cell(str(value), "xlsx")


def _write(ws, values: list, tz: str, *, bold: bool = False) -> None:  # noqa: ANN001 - an openpyxl worksheet
    ws.append([_cell(v, tz) for v in values])
    if bold:
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)


def _widths(ws, widths: list[int]) -> None:  # noqa: ANN001
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


UNIT_COLUMNS = ("kind", "code", "unit", "due", "on_time", "late", "open_overdue", "counted", "uncertain", "unknown",
                "appealed", "accepted", "final", "final_pct", "tier")
CASE_COLUMNS = ("kind", "code", "unit", "source", "id", "stage", "deadline", "ended", "state", "counted", "wd_over",
                "basis", "after", "appeal_no", "reason", "appeal_text", "filed_by", "filed_at", "decision",
                "decided_by", "decided_at", "note", "final_case")
_TIMED = {"deadline", "ended", "after", "filed_at", "decided_at"}


def _summary_sheet(wb: Workbook, m: LedgerMonth, tz: str, lang: str, region: str, policy_label: str, is_demo: bool,
                   unit_only: str | None) -> None:
    ws = wb.active
    ws.title = SHEETS[0]
    v, zone = m.version, tz_label(tz)
    newer = newer_version(m)
    standing = _w("old", lang) if newer is not None else _w("reopened_mark", lang) if not v.current else _w("current", lang)
    _write(ws, [_w("title", lang), month_title(v.month, lang)], tz, bold=True)
    rows: list[list] = [
        [_w("region", lang), region or _w("no_region", lang)],
        [_w("month", lang), v.month],
        [_w("version", lang), v.version],
        [_w("status", lang), standing],
        *[[_w("status", lang), text] for text in status_words(m, tz, lang)],
        [f"{_w('closed', lang)} ({zone})", v.closed_at], [f"{_w('closed', lang)} {_w('by', lang)}", v.closed_by],
        [f"{_w('as_of', lang)} ({zone})", v.as_of],
        [_w("policy", lang), v.policy + (f" — {policy_label}" if policy_label else "")],
        [_w("policy_sha", lang), v.policy_sha256],
        [_w("content", lang), v.content_sha256],
        [f"{_w('appeal_ends', lang)} ({zone})", v.appeal_until],
        [_w("appeals", lang), appeals_line(m, tz, lang)],
        [_w("scope", lang), scope_words(m, unit_only, lang)],
    ]
    if not v.current:
        rows += [[f"{_w('reopened', lang)} ({zone})", v.reopened_at],
                 [f"{_w('reopened', lang)} {_w('by', lang)}", v.reopened_by],
                 [_w("reopen_reason", lang), v.reopen_reason]]
    if is_demo:
        rows.append(["Data", _w("demo", lang)])
    rows += [[_w("check", lang), check_command(v)], [_w("explain", lang), explanation(m, lang)]]
    for r in rows:
        _write(ws, r, tz)
    ws.append([])
    header = [_w(k, lang) + (" (%)" if k == "final_pct" else "") for k in UNIT_COLUMNS]
    _write(ws, header, tz, bold=True)
    for u in ordered_units(m):
        _write(ws, [_pick(KINDS, u.unit_kind, lang), u.unit_code, u.unit, u.due, u.on_time, u.late, u.open_overdue,
                    u.counted, u.uncertain, u.unknown, u.appealed, u.accepted, u.final_counted, u.final_on_time_pct,
                    m.tier(u)], tz)
    if not m.units:
        _write(ws, [_w("none_case", lang)], tz)
    _widths(ws, [28, 44, 40, *[12] * (len(UNIT_COLUMNS) - 3)])


def _case_row(u: UnitFigures, c: Case, lang: str) -> list:
    a = c.appeal
    yes, no = _w("yes", lang), _w("no", lang)
    appeal = ([a.appeal_id, reason_label(a.reason, lang), a.text, a.filed_by, a.filed_at,
               _pick(DECISIONS, a.decision, lang), a.decided_by, a.decided_at, a.note]
              if a is not None else [None] * 9)
    return [_pick(KINDS, u.unit_kind, lang), u.unit_code, u.unit, c.source, c.id, _pick(STAGES, c.stage, lang),
            c.deadline, c.ended_at, _pick(STATES, c.state, lang), yes if c.counted else no, c.working_days_over,
            _pick(BASIS, c.time_basis, lang), c.ended_after, *appeal,
            yes if c.counted and not c.accepted else no]


def _cases_sheet(wb: Workbook, m: LedgerMonth, tz: str, lang: str) -> None:
    ws = wb.create_sheet(SHEETS[1])
    zone = tz_label(tz)
    _write(ws, [_w(k, lang) + (f" ({zone})" if k in _TIMED else "") for k in CASE_COLUMNS], tz, bold=True)
    ws.freeze_panes = "A2"
    n = 0
    for u in ordered_units(m):
        for c in u.cases:
            _write(ws, _case_row(u, c, lang), tz)
            n += 1
    if not n:
        _write(ws, [_w("none_case", lang)], tz)
    _widths(ws, [12, 14, 36, 10, 18, 14, 18, 18, 26, 10, 10, 22, 18, 10, 30, 40, 24, 18, 18, 24, 18, 40, 12])


def workbook_bytes(m: LedgerMonth, tz: str, lang: str = "id", *, region: str = "", policy_label: str = "",
                   is_demo: bool = False, unit_only: str | None = None) -> bytes:
    wb = Workbook()
    _summary_sheet(wb, m, tz, lang, region, policy_label, is_demo, unit_only)
    _cases_sheet(wb, m, tz, lang)
    for ws in wb.worksheets:
        keep_as_text(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
