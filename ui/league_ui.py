"""Display helpers for the Peringkat, Pelanggaran and Tinjauan pages: league tables and breach
lists in, labelled text frames, funnel figures and download bytes out.

Pure pandas/plotly/openpyxl (no Streamlit), so everything here is unit-tested. Column headers
come from analytics.metrics.registry.METRICS; numbers and dates are formatted as text with ui.fmt so the
screen does not follow the phone's locale.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from analytics.metrics.ranking import funnel_limits
from analytics.metrics.registry import METRICS
from analytics.rules.periods import iso_week
from analytics.screens import best_and_worst
from ui import export
from ui.charts import plot_text
from ui.fmt import MISSING, fmt_date, fmt_delta, fmt_int, fmt_pct, is_missing, metric_text
from ui.i18n import t
from ui.quality_ui import UNFLAGGED

# League columns, in reading order (the downloads and "all columns" show them so).
LEAGUE_METRICS = ("rank", "short", "tier", "score", "on_time_rate", "adjusted_on_time_rate", "decided",
                  "open_overdue", "median_response_days", "rank_change", "uncertain")
PHONE_COLUMNS = 5
# What a 390 px phone shows of the table, in this order: the compact list's columns.
PHONE_ORDER = ("rank", "short", "on_time_rate", "open_overdue", "tier")
COMPACT_N = 3  # worst and best units in Peringkat's compact list
STAGES = ("semua", "verifikasi", "tindak_lanjut", "penyelesaian")
BREACH_STATES = ("open_overdue", "at_risk", "late")


def label(name: str, lang: str) -> str:
    """The registry label of a metric; "short" is the unit name column."""
    return t("league.col.name", lang=lang) if name == "short" else METRICS[name].label(lang)


def fmt_rank_change(value: object, lang: str = "id") -> str:
    """▲ 3 (up three places), ▼ 2, = (unchanged), – (not ranked before)."""
    if is_missing(value):
        return MISSING
    n = int(value)  # type: ignore[call-overload]
    if n == 0:
        return "="
    return ("▲ " if n > 0 else "▼ ") + fmt_int(abs(n), lang=lang)


def _names(table: pd.DataFrame, short_names: dict[str, str] | None) -> pd.Series:
    """Phone names: the table's ``short``, else the registry's, else the name as given."""
    short = table["short"] if "short" in table else table["group_code"].map(short_names or {})
    return short.astype("object").fillna(table["group"].astype("object")).astype("str")


def display_frame(table: pd.DataFrame, lang: str, short_names: dict[str, str] | None = None) -> pd.DataFrame:
    """A league table (League.table) as text columns labelled from the registry, same row order.

    ``short_names`` (unit code -> phone name) fills the name when the table has no ``short``.
    Unranked rows (volume kecil) keep an empty rank.
    """
    short = _names(table, short_names)
    out = {}
    for name in LEAGUE_METRICS:
        if name == "short":
            out[label(name, lang)] = short.to_list()
        elif name == "rank":
            out[label(name, lang)] = ["" if is_missing(v) else fmt_int(v, lang=lang) for v in table["rank"]]
        elif name == "tier":
            out[t("league.col.tier", lang=lang)] = ["" if is_missing(v) else str(v) for v in table["tier"]]
        elif name == "rank_change":
            out[label(name, lang)] = [fmt_rank_change(v, lang) for v in table["rank_change"]]
        else:
            out[label(name, lang)] = [metric_text(name, v, lang) for v in table[name]]
    return pd.DataFrame(out)


def numeric_columns(frame: pd.DataFrame, lang: str) -> list[str]:
    """The display columns holding numbers (right-aligned by the page)."""
    texts = {label("short", lang), t("league.col.tier", lang=lang), t("breach.col.id", lang=lang),
             t("breach.col.unit", lang=lang), t("breach.col.stage", lang=lang), t("breach.col.state", lang=lang),
             t("breach.col.deadline", lang=lang), t("breach.col.started", lang=lang)}
    return [c for c in frame.columns if c not in texts]


def column_widths(lang: str) -> dict[str, int]:
    """Pixel widths for the short league columns, so PHONE_ORDER fits a 390 px phone (with the
    row-selection boxes: 33 + 92 + 36 + 72 + 64 + 48 = 345 of 358 px)."""
    return {label("short", lang): 92, label("rank", lang): 36, t("league.col.tier", lang=lang): 48,
            label("score", lang): 60, label("on_time_rate", lang): 72, label("open_overdue", lang): 64,
            label(UNFLAGGED, lang): 84}


def column_heads(lang: str) -> dict[str, str]:
    """Short headers for the narrow phone columns (display column -> header); the full name is
    the header's tooltip."""
    return {label("rank", lang): "#", label("on_time_rate", lang): t("league.head.on_time", lang=lang),
            label("open_overdue", lang): t("league.head.overdue", lang=lang),
            label(UNFLAGGED, lang): t("league.head.unflagged", lang=lang)}


def phone_columns(lang: str) -> list[str]:
    """The display columns of PHONE_ORDER (for ``column_order``)."""
    return [t("league.col.tier", lang=lang) if name == "tier" else label(name, lang) for name in PHONE_ORDER]


def short_sentence(sentence: str, table: pd.DataFrame) -> str:
    """The headline with each unit it names by its short name, as the cards and lists below name
    it ("Terlambat terbanyak: DSDABMBK, 81 aduan." instead of a three-line official name)."""
    if "short" not in table:
        return sentence
    for full, short in zip(table["group"], table["short"]):
        if isinstance(full, str) and isinstance(short, str) and short and full in sentence:
            sentence = sentence.replace(full, short)
    return sentence


def compact_rows(table: pd.DataFrame, n: int = COMPACT_N) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(worst first, best first): the ``n`` lowest and highest ranked rows of a league table,
    never one unit in both (a short league is split in two halves)."""
    ranked = table[table["ranked"]].sort_values("rank", kind="stable")
    best, worst = best_and_worst(ranked, n)
    return worst.reset_index(drop=True), best.reset_index(drop=True)


def compact_label(row: pd.Series, lang: str, short_names: dict[str, str] | None = None) -> str:
    """``18. DSDABMBK · 72,9% · 29 terlambat · kelas B``: rank, short name, on-time rate, the
    late stages behind it (ended late or still open past the deadline, among the stages due in
    the period: the rate's own count, not Ringkasan's "Lewat batas" now), tier."""
    name = row.get("short")
    if is_missing(name):
        name = (short_names or {}).get(str(row.get("group_code")), row.get("group"))
    return t("league.compact.row", lang=lang, rank=fmt_int(row["rank"], lang=lang), unit=name,
             rate=metric_text("on_time_rate", row["on_time_rate"], lang),
             late=fmt_int(int(row["late"]) + int(row["open_overdue"]), lang=lang), tier=MISSING if is_missing(row["tier"]) else row["tier"])


def unit_code_for(row: pd.Series, by: str, camat_of_kecamatan: dict[str, str]) -> str | None:
    """The Unit page's ?unit= code for a league row: the unit itself, or for an area row the
    camat unit of that kecamatan (None when the registry has none)."""
    code = row.get("group_code")
    if is_missing(code):
        return None
    return camat_of_kecamatan.get(str(code)) if by == "kecamatan" else str(code)


def camat_codes(units: pd.DataFrame | None) -> dict[str, str]:
    """kecamatan kode -> camat unit code, from a Region's units table."""
    if units is None or "kecamatan_code" not in units:
        return {}
    camat = units[units["kecamatan_code"].notna()]
    return dict(zip(camat["kecamatan_code"].astype("str"), camat["code"].astype("str")))


def funnel_figure(table: pd.DataFrame, regency_rate: float, lang: str, short_names: dict[str, str] | None = None) -> go.Figure:
    """On-time rate against decided stages, with the regency rate and its 95% / 99.8% limits."""
    pts = table[table["decided"] > 0]
    fig = go.Figure()
    if pts.empty or is_missing(regency_rate):
        return fig
    lim = funnel_limits(float(regency_rate), int(pts["decided"].max()))
    bands = (("lo998", "hi998", "99,8%" if lang == "id" else "99.8%", "#c0392b", "dot"),
             ("lo95", "hi95", "95%", "#e67e22", "dash"))
    for lo, hi, name, colour, dash in bands:
        for col, show in ((lo, True), (hi, False)):
            fig.add_trace(go.Scatter(x=lim["n"], y=100 * lim[col], mode="lines", name=t("league.funnel.limit", lang=lang, level=name),
                                     line={"color": colour, "dash": dash, "width": 1}, hoverinfo="skip",
                                     legendgroup=name, showlegend=show))
    fig.add_hline(y=100 * float(regency_rate), line={"color": "#7f8c8d", "width": 1})
    names = _names(pts, short_names)
    text = [f"{plot_text(n)}: {fmt_pct(r, lang=lang)} · {fmt_int(d, lang=lang)} {METRICS['decided'].label(lang).lower()}"
            for n, r, d in zip(names.astype("str"), pts["on_time_rate"], pts["decided"])]
    fig.add_trace(go.Scatter(x=pts["decided"], y=100 * pts["on_time_rate"], mode="markers", name=t("league.funnel.units", lang=lang),
                             marker={"size": 9, "color": "#1f77b4", "line": {"width": 1, "color": "white"}},
                             text=text, hovertemplate="%{text}<extra></extra>"))
    fig.update_layout(
        dragmode=False, height=360, margin={"l": 8, "r": 8, "t": 8, "b": 8},
        legend={"orientation": "h", "y": -0.25, "x": 0},
        xaxis={"title": METRICS["decided"].label(lang), "type": "log", "fixedrange": True},
        yaxis={"title": METRICS["on_time_rate"].label(lang), "ticksuffix": "%", "fixedrange": True,
               "range": [max(0, 100 * float(lim["lo998"].min()) - 5), 102]},
        separators=",." if lang == "id" else ".,",
    )
    return fig


# --- breaches --------------------------------------------------------------------------------


def breach_frame(b: pd.DataFrame, lang: str, tz: str, short_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Breach rows (breaches.breaches_for / WeeklyReview.new_breaches) for reading, order kept."""
    ids = b["id"] if "id" in b else b["source_id"]
    names = b["unit_code"].map(short_names or {}).where(b["owner_kind"] == "unit")
    unit = names.fillna(b["unit"]).fillna(MISSING).astype("str")
    unit = unit.where(b["owner_kind"] == "unit", t("breach.verifier", lang=lang))
    return pd.DataFrame({
        t("breach.col.id", lang=lang): ids.astype("str").to_list(),
        t("breach.col.unit", lang=lang): unit.to_list(),
        t("breach.col.over", lang=lang): [fmt_int(v, lang=lang) for v in b["working_days_over"]],
        t("breach.col.deadline", lang=lang): [fmt_date(d, tz, lang=lang) for d in b["deadline"]],
        t("breach.col.state", lang=lang): [METRICS[s].label(lang) if s in METRICS else s for s in b["state"].astype("str")],
        t("breach.col.stage", lang=lang): [t(f"breach.stage.{s}", lang=lang) for s in b["stage"].astype("str")],
    })


def oldest_frame(o: pd.DataFrame, lang: str, tz: str, short_names: dict[str, str] | None = None) -> pd.DataFrame:
    """The oldest open stages (WeeklyReview.oldest_open): id, unit, since, working days open."""
    unit = o["unit_code"].map(short_names or {}).fillna(o["unit"]).fillna(MISSING).astype("str")
    return pd.DataFrame({
        t("breach.col.id", lang=lang): o["source_id"].astype("str").to_list(),
        t("breach.col.unit", lang=lang): unit.to_list(),
        t("breach.col.started", lang=lang): [fmt_date(d, tz, lang=lang) for d in o["started_at"]],
        t("breach.col.age", lang=lang): [fmt_int(v, lang=lang) for v in o["working_days_elapsed"]],
    })


def state_counts(b: pd.DataFrame) -> dict[str, int]:
    """How many breach rows per state, in BREACH_STATES order (zeros included)."""
    counts = b["state"].astype("str").value_counts() if len(b) else pd.Series(dtype="int64")
    return {s: int(counts.get(s, 0)) for s in BREACH_STATES}


# --- weeks -----------------------------------------------------------------------------------


def iso_label(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def recent_weeks(last_day: date, n: int = 12) -> list[str]:
    """ISO weeks (``2025-W46``) from the one holding ``last_day`` back ``n`` weeks, newest first."""
    return [iso_label(last_day - timedelta(weeks=i)) for i in range(n)]


def week_choices(wanted: str | None, last_day: date, n: int = 12) -> tuple[list[str], str | None]:
    """The week options (recent_weeks, plus an older ``wanted`` week from a link) and what is
    wrong with ``wanted``: None, "not_iso" or "future" (after the week holding ``last_day``)."""
    options = recent_weeks(last_day, n)
    if not wanted or wanted.upper() in options:
        return options, None
    try:
        start = iso_week(wanted).start
    except ValueError:
        return options, "not_iso"
    if start > last_day:
        return options, "future"
    return [*options, wanted.upper()], None


def default_week(options: list[str], last_day: date) -> str:
    """The week the review opens on: the last complete week. The week still running (it holds
    ``last_day`` and has days left) is judged before most of its stages are due, so it is offered
    but not chosen for the meeting."""
    current = options[0]
    if len(options) > 1 and iso_week(current).end > last_day:
        return options[1]
    return current


def week_label(week: str, lang: str = "id") -> str:
    """``2025-W46`` -> ``Minggu 46 · 10–16 Nov 2025`` (months/years shown where they differ)."""
    p = iso_week(week)
    a, b = fmt_date(p.start, lang=lang), fmt_date(p.end, lang=lang)
    if p.start.year == p.end.year and p.start.month == p.end.month:
        a = str(p.start.day)
    elif p.start.year == p.end.year:
        a = a.rsplit(" ", 1)[0]
    return t("week.label", lang=lang, n=int(week.upper().split("-W")[1]), start=a, end=b)


def complaints_in(*leagues) -> int:
    """Complaints received in the leagues' period (0 when their regency row is empty)."""
    n = [league.regency.get("complaints") for league in leagues]
    return sum(int(v) for v in n if not is_missing(v))


def kpi_cards(kpis, lang: str) -> list[tuple[str, str, str, str, str]]:  # noqa: ANN001 - list[Kpi]
    """(label, value, change, delta_color, delta_arrow) for the headline KPIs (screens'
    WeeklyReview.kpis: rates due in the week, Lewat batas now), this period against the last; no
    arrow when the change rounds to zero or is unknown."""
    out = []
    for k in kpis:
        m = METRICS[k.metric]
        diff = k.change
        if m.unit == "pct":
            delta = fmt_delta(diff, kind="points", lang=lang)
        else:
            delta = fmt_delta(diff, 1 if m.unit == "days" else 0, kind="number", lang=lang)
        colour = "off" if m.higher_is_better is None else ("normal" if m.higher_is_better else "inverse")
        arrow = "auto" if delta.startswith(("+", "-")) else "off"
        out.append((m.label(lang), metric_text(k.metric, k.value, lang), delta, colour, arrow))
    return out


# --- downloads -------------------------------------------------------------------------------


def csv_bytes(frame: pd.DataFrame, tz: str | None = None) -> bytes:
    """The one CSV writer (ui.export.csv_bytes): formula-looking cells escaped, no personal data."""
    return export.csv_bytes(frame, tz)


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "Pantau", tz: str | None = None) -> bytes:
    """The one XLSX writer (ui.export.xlsx_bytes): formula-looking text stored as text."""
    return export.xlsx_bytes(frame, sheet, tz)
