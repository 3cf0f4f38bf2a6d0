"""The review pack as an A4 PDF in Bahasa Indonesia (reportlab; offline, no browser).

Built-in Helvetica (not embedded), so a pack is a few tens of kilobytes and goes through
WhatsApp; reportlab's invariant mode makes the same pack give the same bytes. The on-time trend
is drawn with reportlab's own charts: plotly's static export needs a browser.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import pandas as pd
from reportlab import rl_config
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analytics.metrics.registry import METRICS
from analytics.review.digest import STAGE_LABELS, rank_move
from analytics.review.pack import ReviewPack, data_age_clause, data_moment, stale_warning, week_title
from analytics.textfmt import fmt_date, fmt_delta, fmt_int, fmt_num, fmt_pct, is_missing

BREACH_ROWS = 40  # new breaches listed in the PDF; the workbook has them all
INK, GREY, LINE = colors.HexColor("#1b2631"), colors.HexColor("#5d6d7e"), colors.HexColor("#d5dbdb")
LEVEL_COLOURS = {"perhatian": colors.HexColor("#c0392b"), "baik": colors.HexColor("#1e8449"),
                 "kecil": GREY, "stabil": INK}
STATE_LABELS = {"late": "terlambat", "open_overdue": "lewat batas", "at_risk": "hampir jatuh tempo"}
WIDTH = A4[0] - 30 * mm  # text width between 15 mm margins

_base = getSampleStyleSheet()
H1 = ParagraphStyle("h1", parent=_base["Title"], fontSize=16, leading=19, alignment=TA_LEFT, spaceAfter=2, textColor=INK)
H2 = ParagraphStyle("h2", parent=_base["Heading2"], fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=3, textColor=INK)
BODY = ParagraphStyle("body", parent=_base["BodyText"], fontSize=8.5, leading=11, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9.5, textColor=GREY)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=7.5, leading=9)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
HEAD_R = ParagraphStyle("head_r", parent=HEAD, alignment=TA_RIGHT)
# The stale-data warning under the data line: bold and red, on page one before any figure.
WARN = ParagraphStyle("warn", parent=BODY, fontName="Helvetica-Bold", textColor=colors.HexColor("#c0392b"),
                      spaceBefore=2)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(header: list[str], rows: list[list[object]], widths: list[float], right: set[int] = frozenset(),
           colour_rows: dict[int, colors.Color] | None = None) -> Table:
    # Header cells wrap (two short lines beat overlapping labels in a narrow column).
    head = [Paragraph(escape(h), HEAD_R if i in right else HEAD) for i, h in enumerate(header)]
    data = [head] + [[c if isinstance(c, Paragraph) else str(c) for c in r] for r in rows]
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 7.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i in right]
    for i, c in (colour_rows or {}).items():
        style.append(("TEXTCOLOR", (0, i + 1), (-1, i + 1), c))
    t.setStyle(TableStyle(style))
    return t


def _kpis(pack: ReviewPack) -> Table:
    rows = []
    for k in pack.kpis:
        m = METRICS[k.metric]
        if m.unit == "pct":
            now, before, delta = fmt_pct(k.value), fmt_pct(k.previous), fmt_delta(k.change, kind="points")
        elif m.unit == "days":
            now, before, delta = fmt_num(k.value, 1), fmt_num(k.previous, 1), fmt_delta(k.change, 1, kind="number")
        else:
            now, before, delta = fmt_int(k.value), fmt_int(k.previous), fmt_delta(k.change, 0, kind="number")
        rows.append([m.label_id, now, before, delta])
    return _table(["Angka utama", "Minggu ini", "Minggu lalu", "Perubahan"], rows,
                  [70 * mm, 30 * mm, 30 * mm, 30 * mm], right={1, 2, 3})


def trend_chart(trend: pd.DataFrame, width: float = WIDTH, height: float = 55 * mm) -> Drawing:
    """On-time rate (%) per week of receipt, the reviewed week last."""
    d = Drawing(width, height)
    if trend.empty or trend["on_time_rate"].isna().all():
        d.add(String(0, height / 2, "Belum ada tahap terukur untuk digambar.", fontName="Helvetica", fontSize=8))
        return d
    values = [None if is_missing(v) else round(100 * float(v), 1) for v in trend["on_time_rate"]]
    c = HorizontalLineChart()
    c.x, c.y, c.width, c.height = 28, 22, width - 40, height - 34
    c.data = [values]
    c.categoryAxis.categoryNames = [fmt_date(pd.Timestamp(w)).rsplit(" ", 1)[0] for w in trend["week"]]
    c.categoryAxis.labels.fontName, c.categoryAxis.labels.fontSize = "Helvetica", 6.5
    c.categoryAxis.labels.angle, c.categoryAxis.labels.dy = 0, -2
    present = [v for v in values if v is not None]
    c.valueAxis.valueMin = max(0, (min(present) // 10) * 10 - 10) if present else 0
    c.valueAxis.valueMax = 100
    c.valueAxis.valueStep = 10
    c.valueAxis.labels.fontName, c.valueAxis.labels.fontSize = "Helvetica", 6.5
    c.valueAxis.labelTextFormat = lambda v: f"{v:.0f}%"
    c.valueAxis.visibleGrid, c.valueAxis.gridStrokeColor = True, LINE
    c.lines[0].strokeColor, c.lines[0].strokeWidth = colors.HexColor("#1f77b4"), 1.6
    c.lines.symbol = None
    c.joinedLines = 1
    d.add(c)
    d.add(String(0, height - 8, "Tepat waktu (%) per minggu penerimaan", fontName="Helvetica", fontSize=7, fillColor=GREY))
    return d


def _league(pack: ReviewPack, rows: pd.DataFrame) -> list:
    if rows.empty:
        return [_p("Belum ada aduan minggu ini.")]
    header = ["Peringkat", "Unit", "Kelas", "Skor", "Tepat waktu", "Tahap terukur", "Lewat batas",
              "Median respons (hk)", "Perubahan"]
    body = []
    for r in rows.itertuples():
        body.append([
            "" if is_missing(r.rank) else fmt_int(r.rank), pack.name(r.unit_code, r.unit),
            "" if is_missing(r.tier) else r.tier, fmt_num(r.score, 1),
            "–" if is_missing(r.on_time_pct) else fmt_num(r.on_time_pct, 1) + "%", fmt_int(r.decided),
            fmt_int(r.open_overdue), fmt_num(r.median_response_days, 1),
            "–" if is_missing(r.rank) else rank_move(r.rank_change),
        ])
    w = [16 * mm, 40 * mm, 11 * mm, 13 * mm, 17 * mm, 17 * mm, 16 * mm, 20 * mm, 30 * mm]
    note = (f"Peringkat hanya untuk unit dengan minimal {pack.min_decided} tahap terukur; "
            "perubahan dibanding minggu sebelumnya. Median respons dalam hari kerja.")
    return [_table(header, body, w, right={0, 3, 4, 5, 6, 7}), _p(note, SMALL)]


QUALITY_WORDS = (("reopened", "dibuka lagi"), ("bulk_closed", "tutup massal"), ("at_deadline", "mepet tenggat"),
                 ("ping_pong", "dilempar"), ("low_rating_after_close", "rating rendah"))
QUALITY_ROWS = 15  # units listed in the PDF; the workbook has them all, with the flagged complaints


def _quality(pack: ReviewPack) -> list:
    """Units whose closures carry a signal (docs/metrics.md, "Closure quality"): their on-time rate
    beside the rate without the flagged complaints, and how many of each signal."""
    q = pack.quality_units
    if q is None or q.empty:
        return [_p("Tidak ada penutupan bertanda minggu ini.")]
    header = ["Unit", "Tepat waktu", "Tanpa bertanda", *[w for _, w in QUALITY_WORDS]]
    body = [[pack.name(r.unit_code, r.unit),
             "–" if is_missing(r.on_time_pct) else fmt_num(r.on_time_pct, 1) + "%",
             "–" if is_missing(r.on_time_pct_unflagged) else fmt_num(r.on_time_pct_unflagged, 1) + "%",
             *[fmt_int(getattr(r, k)) for k, _ in QUALITY_WORDS]] for r in q.head(QUALITY_ROWS).itertuples()]
    w = [44 * mm, 18 * mm, 20 * mm, 17 * mm, 18 * mm, 19 * mm, 15 * mm, 19 * mm]
    note = ("Tanda adalah pertanyaan untuk rapat, bukan pengurang nilai: penutupan massal, jawaban yang menumpuk di "
            "hari tenggat, aduan yang dilempar antarunit, aduan yang dibuka lagi, rating 1-2 setelah selesai. "
            "Tanpa bertanda: tepat waktu tanpa tahap dari aduan bertanda. Daftar aduannya di lembar kerja.")
    more = [] if len(q) <= QUALITY_ROWS else [_p(f"Dan {fmt_int(len(q) - QUALITY_ROWS)} unit lagi di lembar kerja.", SMALL)]
    return [_table(header, body, w, right={1, 2, 3, 4, 5, 6, 7}), _p(note, SMALL), *more]


def _verdicts(pack: ReviewPack) -> Table:
    v = pack.verdicts
    rows = [[r.short, Paragraph(escape(r.text), CELL)] for r in v.itertuples()]
    colours = {i: LEVEL_COLOURS.get(level, INK) for i, level in enumerate(v["level"])}
    return _table(["Unit", "Catatan"], rows, [40 * mm, WIDTH - 40 * mm], colour_rows=colours)


def _new_breaches(pack: ReviewPack) -> list:
    b = pack.review.new_breaches
    if b.empty:
        return [_p("Tidak ada batas waktu yang terlewati minggu ini.")]
    rows = [[r.source_id, "Verifikator" if r.owner_kind != "unit" else pack.name(r.unit_code, r.unit),
             STAGE_LABELS.get(r.stage, r.stage), STATE_LABELS.get(r.state, r.state), fmt_date(r.deadline, pack.tz),
             fmt_int(r.working_days_over)] for r in b.head(BREACH_ROWS).itertuples()]
    out = [_table(["ID aduan", "Unit", "Tahap", "Status", "Batas waktu", "Hari kerja lewat"], rows,
                  [34 * mm, 46 * mm, 24 * mm, 24 * mm, 24 * mm, 24 * mm], right={5})]
    more = len(b) - BREACH_ROWS
    out.append(_p(f"{fmt_int(len(b))} tahap" + (f"; {fmt_int(more)} lainnya ada di XLSX (lembar Pelanggaran baru)."
                                                 if more > 0 else "."), SMALL))
    return out


def _oldest(pack: ReviewPack) -> list:
    o = pack.review.oldest_open
    if o.empty:
        return [_p("Tidak ada aduan yang masih terbuka di unit.")]
    rows = [[r.source_id, pack.name(r.unit_code, r.unit), STAGE_LABELS.get(r.stage, r.stage),
             fmt_date(r.started_at, pack.tz), fmt_int(r.working_days_elapsed)] for r in o.itertuples()]
    return [_table(["ID aduan", "Unit", "Tahap", "Sejak", "Hari kerja terbuka"], rows,
                   [34 * mm, 56 * mm, 30 * mm, 30 * mm, 26 * mm], right={4})]


def _commitments(pack: ReviewPack) -> list:
    c = pack.commitments
    if c is None or c.empty:
        return [_p("Tidak ada komitmen yang jatuh tempo, lewat tenggat, atau selesai minggu ini.")]
    rows, colours = [], {}
    for label, frame, colour in (("Lewat tenggat", c.overdue, LEVEL_COLOURS["perhatian"]),
                                 ("Jatuh tempo minggu depan", c.due, INK), ("Selesai minggu ini", c.done, LEVEL_COLOURS["baik"])):
        for r in frame.itertuples():
            colours[len(rows)] = colour
            rows.append([label, pack.name(r.unit_code, r.unit), Paragraph(escape(str(r.text)), CELL),
                         fmt_date(r.due_on), r.made_week])
    return [_table(["Keadaan", "Unit", "Komitmen", "Tenggat", "Dibuat"], rows,
                   [30 * mm, 30 * mm, WIDTH - 102 * mm, 22 * mm, 20 * mm], colour_rows=colours)]


def _page_footer(pack: ReviewPack):  # noqa: ANN202 - reportlab's onPage callback
    text = f"Pantau · {pack.region_name or 'Tinjauan'} · {pack.week} · aturan {pack.policy}"

    def draw(canvas, doc) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(GREY)
        canvas.drawString(15 * mm, 9 * mm, text)
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, f"Halaman {doc.page}")
        canvas.restoreState()

    return draw


def story(pack: ReviewPack) -> list:
    """The flowables, in reading order (the Bupati reads page one; the analyst the rest)."""
    region = pack.region_name or "Wilayah tanpa registri"
    prev = pack.period.previous()
    out = [
        _p(f"Tinjauan Kinerja Pengaduan · {region}", H1),
        _p(f"{week_title(pack.period)} ({pack.week}), dibanding {week_title(prev)}", BODY),
        _p(f"Aturan SLA: {pack.policy_label}. Data per {data_moment(pack)}{data_age_clause(pack)}."
           + ("" if pack.complete else " Minggu berjalan: angka dapat berubah.")
           + (" Data demo (sintetis)." if pack.is_demo else ""), SMALL),
        *([_p(stale_warning(pack), WARN)] if stale_warning(pack) else []),
        Spacer(1, 4),
        _kpis(pack),
        _p("Aduan: yang masuk minggu ini. Tepat waktu: tahap yang jatuh tempo minggu ini, dinilai pada akhir "
           f"minggu. Lewat batas: tahap yang masih terbuka melewati batas per {data_moment(pack)}, apa pun "
           "minggu masuknya; milik verifikator termasuk.", SMALL),
        Spacer(1, 6),
        trend_chart(pack.trend),
        _p("Tepat waktu per minggu jatuh tempo, dinilai pada akhir minggu yang ditinjau; minggu yang belum "
           "selesai masih sementara.", SMALL),
        _p("Peringkat OPD", H2), *_league(pack, pack.opd_rows),
        _p("Peringkat camat", H2), *_league(pack, pack.camat_rows),
        _p("Catatan per unit", H2), _verdicts(pack),
        _p("Kualitas penutupan", H2), *_quality(pack),
        _p("Pelanggaran baru minggu ini", H2),
        _p("Tahap yang batas waktunya jatuh minggu ini dan terlewati, milik unit maupun verifikator, dari aduan "
           "yang masuk sampai 90 hari sebelumnya.", SMALL),
        *_new_breaches(pack),
        KeepTogether([_p("Sepuluh aduan terbuka tertua", H2), *_oldest(pack)]),
        KeepTogether([_p("Komitmen", H2), *_commitments(pack)]),
        Spacer(1, 6),
        _p("Isi paket tanpa data pribadi pelapor: hanya nomor aduan, unit, tahap dan hari kerja. Angka sama dengan "
           "keluaran perintah league dan breaches untuk minggu dan aturan yang sama.", SMALL),
    ]
    return out


def pdf_bytes(pack: ReviewPack) -> bytes:
    rl_config.invariant = 1  # no creation date or random id: the same pack gives the same file
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=f"Tinjauan Kinerja {pack.region_name} {pack.week}",
                            author="Pantau", lang="id")
    footer = _page_footer(pack)
    doc.build(story(pack), onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


