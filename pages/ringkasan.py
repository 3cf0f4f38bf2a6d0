"""Ringkasan: the regency at a glance, for the Bupati's phone.

The first phone screen (390x844) answers without scrolling: the sentence to read aloud, the on-time
rate and Lewat batas now, and the worst units (tap to open the Unit page); when the units' stages
cannot be judged, the complaints unanswered past the limit per unit instead. The controls are one
row (period buttons, a settings button for the SLA policy). Below: the other two KPI cards, the
breaches expected in the next five working days with the units most at risk (the breach
forecast; one line when nothing can be forecast), the best units, the units with the most open
overdue stages and the weekly on-time trend, drawn as server-side SVG so the page needs no chart
library (ui.charts).
"""

import streamlit as st

from analytics import screens
from analytics.metrics.registry import METRICS
from ui import charts, fmt
from ui import league_ui as lu
from ui.fmt import md_escape
from ui.frame import page_frame, panel
from ui.i18n import option_labels
from ui.nav import page_file
from ui.widgets import coded, filter_row, period_label

ctx = page_frame("nav.ringkasan")
t, lang = ctx.t, ctx.lang
UNIT_PAGE = page_file("unit")
LEAGUES = ("opd", "camat")  # shown one at a time: ranks of the two leagues do not compare
FIRST_KPIS = ("on_time_rate", "open_overdue")  # the answers, on the first screen
MORE_KPIS = ("complaints", "median_response_days")  # below it (the sentence already says the volume)
# KPI -> (decimals of its change, fmt_delta kind, st.metric delta_color)
DELTAS = {"complaints": (0, "number", "off"), "on_time_rate": (1, "points", "normal"),
          "open_overdue": (0, "number", "inverse"), "median_response_days": (1, "number", "inverse")}
CHART_WIDTH = 420  # px: the SVG charts fill a phone's column and stay about their drawn size on a desktop

period, policy, _ = filter_row(ctx.today, lang=lang)


def overview() -> screens.Overview:
    return ctx.query(screens.overview, period, ctx.as_of, policy)


def kpi_cards(metrics: tuple[str, ...], min_width: int) -> None:
    cards = st.grid(2, min_column_width=min_width)
    kpis = {k.metric: k for k in overview().kpis}
    for name in metrics:
        kpi, m, (decimals, kind, color) = kpis[name], METRICS[name], DELTAS[name]
        delta = None if kpi.change is None else fmt.fmt_delta(kpi.change, decimals, kind=kind, lang=lang)
        flat = delta is not None and not delta.startswith(("+", "-"))  # rounds to zero: no arrow, no colour
        cards.metric(m.label(lang), fmt.metric_text(name, kpi.value, lang), help=m.description(lang),
                     delta=delta, delta_color="off" if flat else color, delta_arrow="off" if flat else "auto",
                     border=True)


def league_links(rows) -> None:
    if rows.empty:
        st.info(t("ringkasan.league.empty"))
    for row in rows.itertuples():
        move = charts.rank_move(row.rank_change, new=t("ringkasan.move.new"), same=t("ringkasan.move.same"), lang=lang)
        label = t("ringkasan.league.row", rank=fmt.fmt_int(row.rank, lang=lang), unit=md_escape(row.short),
                  score=fmt.fmt_num(row.score, 1, lang=lang), tier=row.tier, move=move)
        st.page_link(UNIT_PAGE, label=label, query_params={"unit": row.group_code}, help=md_escape(row.group),
                     icon=":material/chevron_right:", icon_position="right")


def count_links(units, key: str) -> None:
    """One link per unit with its count: ``DSDABMBK: 206 lewat batas``."""
    for row in units.itertuples():
        st.page_link(UNIT_PAGE, label=t(key, unit=md_escape(row.short), n=fmt.fmt_int(row.open_overdue, lang=lang)),
                     query_params={"unit": row.group_code}, help=md_escape(row.group),
                     icon=":material/chevron_right:", icon_position="right")


def bars(units, title: str) -> None:
    svg = charts.bars_svg(units, label="short", value="open_overdue", title=title, lang=lang)
    with st.container(width=CHART_WIDTH):
        st.image(svg, width="stretch", alt=title)


def respons_limit(respons: screens.ResponsNow) -> str:
    return fmt.fmt_limit(respons.limit_days, respons.limit_hours, lang=lang)


def respons_answer(respons: screens.ResponsNow) -> None:
    """Without dispatch times the units' own stages cannot be judged: the complaints still
    unanswered past the end-to-end limit can, exactly, from one export. Their units come first."""
    limit, moment = respons_limit(respons), ctx.fmt_datetime(ctx.as_of)
    if respons.total == 0:
        st.info(t("ringkasan.respons.none", limit=limit, moment=moment), icon=":material/check_circle:")
    count_links(respons.units, "ringkasan.respons.link")
    if respons.verifier:
        st.caption(t("ringkasan.respons.verifier", n=fmt.fmt_int(respons.verifier, lang=lang)))


def respons_details(respons: screens.ResponsNow) -> None:
    limit, moment = respons_limit(respons), ctx.fmt_datetime(ctx.as_of)
    st.caption(t("ringkasan.respons.caption", limit=limit, moment=moment))
    if not respons.units.empty:
        bars(respons.units, t("ringkasan.respons.label", limit=limit))


def forecast_answer(outlook: screens.BreachOutlook) -> None:
    """The regency's expected breaches in the next working days and the units most at risk; one
    line when nothing can be forecast (never a 0 that would read as all well)."""
    until = ctx.fmt_date(outlook.forecast.window_end)
    days = fmt.fmt_int(outlook.forecast.days, lang=lang)
    if outlook.state == "none":
        st.caption(t("ringkasan.forecast.none"))
        return
    if outlook.state == "quiet":
        st.caption(t("ringkasan.forecast.quiet", days=days, until=until))
        return
    cards = st.grid(2, min_column_width=140)
    cards.metric(t("ringkasan.forecast.total"), fmt.fmt_num(outlook.expected, 1, lang=lang),
                 help=t("ringkasan.forecast.total_help"), border=True)
    cards.metric(t("ringkasan.forecast.due"), fmt.fmt_int(outlook.due_soon, lang=lang),
                 help=t("ringkasan.forecast.due_help", days=days, until=until), border=True)
    st.caption(t("ringkasan.forecast.caption", days=days, until=until))
    for row in outlook.most_at_risk.itertuples():
        st.page_link(UNIT_PAGE, label=t("ringkasan.forecast.link", unit=md_escape(row.short),
                                        n=fmt.fmt_num(row.expected_breaches, 1, lang=lang)),
                     query_params={"unit": row.group_code}, help=md_escape(row.group),
                     icon=":material/chevron_right:", icon_position="right")
    notes = []
    if outlook.verifier_expected >= 0.05:  # below, it would read "0,0"
        notes.append(t("ringkasan.forecast.verifier", n=fmt.fmt_num(outlook.verifier_expected, 1, lang=lang)))
    if outlook.unscored_due:
        notes.append(t("ringkasan.forecast.unscored", n=fmt.fmt_int(outlook.unscored_due, lang=lang)))
    if notes:
        st.caption(" ".join(notes))


# --- the first screen -------------------------------------------------------------------------

with panel(t("ringkasan.panel.sentence")):
    ov = overview()
    if ov.kpis[0].value in (None, 0):
        st.info(t("ringkasan.empty", period=period_label(period, lang)), icon=":material/event_busy:")
        st.stop()
    sentence = lu.short_sentence(ov.sentence_id if lang == "id" else ov.sentence_en, ov.league.table)
    st.markdown(f"**{md_escape(sentence)}**")

with panel(t("ringkasan.panel.kpi")):
    kpi_cards(FIRST_KPIS, 140)

league = "opd"
if overview().respons is not None:
    # No unit can be ranked without its stage times: the figure that can be judged comes first,
    # instead of empty best/worst lists that would read as "too few complaints".
    with panel(t("ringkasan.panel.respons")):
        st.markdown(f"**{t('ringkasan.panel.respons')}**")  # a short heading: the answer stays on the first screen
        respons_answer(overview().respons)
else:
    with panel(t("ringkasan.panel.worst")):
        with st.container(horizontal=True, vertical_alignment="center", horizontal_alignment="distribute"):
            st.markdown(f"**{t('ringkasan.panel.worst')}**")
            league = coded(st.segmented_control, t("ringkasan.league.which"), LEAGUES, key="liga", default="opd",
                           format_func=option_labels("ringkasan.league.", lang), required=True,
                           label_visibility="collapsed")
        league_links(overview().worst[league])

if overview().coverage and overview().coverage.note(lang):
    # A rate that cannot be computed says why (never 100% or 0), right under the answers.
    st.warning(md_escape(overview().coverage.note(lang)), icon=":material/info:")

# --- below it ---------------------------------------------------------------------------------

with panel(t("ringkasan.panel.more")):
    kpi_cards(MORE_KPIS, 220)  # one card a row on a phone: "Median respons (hari kerja)" is not cut
    before = period.previous()
    st.caption(t("ringkasan.kpi.vs", period=f"{fmt.fmt_date(before.start, lang=lang)} – "
                                            f"{fmt.fmt_date(before.end, lang=lang)}")
               + " " + t("ringkasan.kpi.lenses", moment=ctx.fmt_datetime(ctx.as_of)))
    if overview().now and overview().now.overdue_verifier:
        st.caption(t("ringkasan.overdue.verifier", n=fmt.fmt_int(overview().now.overdue_verifier, lang=lang)))

with panel(t("ringkasan.panel.forecast")):
    # The stages open now that will probably miss their deadline this week (docs/forecast.md):
    # computed once per import (the data version keys the cache), whatever the period.
    outlook = ctx.query(screens.breach_forecast, ctx.as_of, policy, unit_scope=ctx.viewer.row_scope)
    st.markdown(f"**{t('ringkasan.panel.forecast')}**")
    forecast_answer(outlook)

if overview().respons is not None:
    with panel(t("ringkasan.panel.respons_why"), title=True):
        respons_details(overview().respons)
else:
    with panel(t("ringkasan.panel.best"), title=True):
        st.caption(t("ringkasan.league.legend", league=t(f"ringkasan.league.{league}")))
        league_links(overview().best[league])

    # The units' own stages overdue now; without their times (respons shown above) there is
    # nothing to list, and "none" would read as all well.
    with panel(t("ringkasan.panel.overdue"), title=True):
        overdue, moment = overview().most_overdue, ctx.fmt_datetime(ctx.as_of)
        if overdue.empty:
            st.info(t("ringkasan.overdue.none", moment=moment), icon=":material/check_circle:")
        else:
            st.caption(t("ringkasan.overdue.caption", moment=moment))
            bars(overdue, METRICS["open_overdue"].label(lang))
            count_links(overdue, "ringkasan.overdue.link")

with panel(t("ringkasan.panel.trend"), title=True):
    trend = overview().trend
    if trend.empty or not trend["on_time_rate"].notna().any():  # no week with a decided stage: no line
        st.info(t("ringkasan.trend.empty"))
    else:
        st.caption(t("ringkasan.trend.caption"))
        title = t("ringkasan.trend.alt", rate=fmt.fmt_pct(trend["on_time_rate"].dropna().iloc[-1], 0, lang=lang))
        with st.container(width=CHART_WIDTH):
            st.image(charts.trend_svg(trend, title=title, lang=lang), width="stretch", alt=title)
