"""Ringkasan: the regency at a glance, for the Bupati's phone.

Period and SLA policy, one sentence to read aloud, four KPI cards with their change, the best and
worst five units (tap to open the Unit page), the units with the most open overdue stages, the
weekly on-time trend.
"""

import streamlit as st

from analytics import screens
from analytics.metrics.registry import METRICS
from ui import charts, fmt
from ui.fmt import md_escape
from ui.frame import page_frame, panel
from ui.i18n import option_labels
from ui.nav import page_file
from ui.widgets import coded, period_label, period_picker, policy_selector

ctx = page_frame("nav.ringkasan")
t, lang = ctx.t, ctx.lang
UNIT_PAGE = page_file("unit")
LEAGUES = ("opd", "camat")  # shown one at a time: ranks of the two leagues do not compare
# KPI -> (decimals of its change, fmt_delta kind, st.metric delta_color)
DELTAS = {"complaints": (0, "number", "off"), "on_time_rate": (1, "points", "normal"),
          "open_overdue": (0, "number", "inverse"), "median_response_days": (1, "number", "inverse")}

period = period_picker(ctx.today, lang=lang)
with st.expander(t("ringkasan.settings"), icon=":material/tune:"):
    policy = policy_selector(lang=lang)
st.caption(t("ringkasan.policy", label=policy.label))


def overview() -> screens.Overview:
    return ctx.query(screens.overview, period, ctx.as_of, policy)


def league_links(rows) -> None:
    if rows.empty:
        st.info(t("ringkasan.league.empty"))
    for row in rows.itertuples():
        move = charts.rank_move(row.rank_change, new=t("ringkasan.move.new"), same=t("ringkasan.move.same"), lang=lang)
        label = t("ringkasan.league.row", rank=fmt.fmt_int(row.rank, lang=lang), unit=md_escape(row.short),
                  score=fmt.fmt_num(row.score, 1, lang=lang), tier=row.tier, move=move)
        st.page_link(UNIT_PAGE, label=label, query_params={"unit": row.group_code}, help=md_escape(row.group),
                     icon=":material/chevron_right:", icon_position="right")


def respons_panel(respons: screens.ResponsNow) -> None:
    """Without dispatch times the units' own stages cannot be judged: the complaints still
    unanswered past the end-to-end limit can, exactly, from one export."""
    limit, moment = fmt.fmt_limit(respons.limit_days, respons.limit_hours, lang=lang), ctx.fmt_datetime(ctx.as_of)
    st.caption(t("ringkasan.respons.caption", limit=limit, moment=moment))
    if respons.total == 0:
        st.info(t("ringkasan.respons.none", limit=limit, moment=moment), icon=":material/check_circle:")
    if not respons.units.empty:
        st.plotly_chart(charts.unit_bar(respons.units, label="short", value="open_overdue", code="group_code",
                                        value_label=t("ringkasan.respons.label", limit=limit), lang=lang),
                        config=charts.CHART_CONFIG)
        for row in respons.units.itertuples():
            st.page_link(UNIT_PAGE, label=t("ringkasan.respons.link", unit=md_escape(row.short),
                                            n=fmt.fmt_int(row.open_overdue, lang=lang)),
                         query_params={"unit": row.group_code}, help=md_escape(row.group),
                         icon=":material/chevron_right:", icon_position="right")
    if respons.verifier:
        st.caption(t("ringkasan.respons.verifier", n=fmt.fmt_int(respons.verifier, lang=lang)))


with panel(t("ringkasan.panel.sentence")):
    ov = overview()
    if ov.kpis[0].value in (None, 0):
        st.info(t("ringkasan.empty", period=period_label(period, lang)), icon=":material/event_busy:")
        st.stop()
    st.markdown(f"**{md_escape(ov.sentence_id if lang == 'id' else ov.sentence_en)}**")
    if ov.coverage and ov.coverage.note(lang):  # a rate that cannot be computed says why, never 100% or 0
        st.warning(md_escape(ov.coverage.note(lang)), icon=":material/info:")

with panel(t("ringkasan.panel.kpi")):
    cards = st.grid(2, min_column_width=140)
    for kpi in overview().kpis:
        m, (decimals, kind, color) = METRICS[kpi.metric], DELTAS[kpi.metric]
        delta = None if kpi.change is None else fmt.fmt_delta(kpi.change, decimals, kind=kind, lang=lang)
        flat = delta is not None and not delta.startswith(("+", "-"))  # rounds to zero: no arrow, no colour
        cards.metric(m.label(lang), fmt.metric_text(kpi.metric, kpi.value, lang), help=m.description(lang),
                     delta=delta, delta_color="off" if flat else color, delta_arrow="off" if flat else "auto",
                     border=True)
    before = period.previous()
    st.caption(t("ringkasan.kpi.vs", period=f"{fmt.fmt_date(before.start, lang=lang)} – "
                                            f"{fmt.fmt_date(before.end, lang=lang)}")
               + " " + t("ringkasan.kpi.lenses", moment=ctx.fmt_datetime(ctx.as_of)))
    if overview().now and overview().now.overdue_verifier:
        st.caption(t("ringkasan.overdue.verifier", n=fmt.fmt_int(overview().now.overdue_verifier, lang=lang)))

if overview().respons is not None:
    # No unit can be ranked without its stage times: the figure that can be judged comes first,
    # instead of empty best/worst lists that would read as "too few complaints".
    with panel(t("ringkasan.panel.respons"), title=True):
        respons_panel(overview().respons)
else:
    league = coded(st.segmented_control, t("ringkasan.league.which"), LEAGUES, key="liga", default="opd",
                   format_func=option_labels("ringkasan.league.", lang), required=True)
    best_col, worst_col = st.columns(2)
    with best_col, panel(t("ringkasan.panel.best"), title=True):
        st.caption(t("ringkasan.league.legend"))
        league_links(overview().best[league])
    with worst_col, panel(t("ringkasan.panel.worst"), title=True):
        league_links(overview().worst[league])

# The units' own stages overdue now; without their times (respons shown above) there is nothing
# to list, and "none" would read as all well.
if overview().respons is None:
    with panel(t("ringkasan.panel.overdue"), title=True):
        overdue, moment = overview().most_overdue, ctx.fmt_datetime(ctx.as_of)
        if overdue.empty:
            st.info(t("ringkasan.overdue.none", moment=moment), icon=":material/check_circle:")
        else:
            st.caption(t("ringkasan.overdue.caption", moment=moment))
            fig = charts.unit_bar(overdue, label="short", value="open_overdue", code="group_code",
                                  value_label=METRICS["open_overdue"].label(lang), lang=lang)
            st.plotly_chart(fig, config=charts.CHART_CONFIG)
            for row in overdue.itertuples():  # a tap on a plotly bar does not select on phones: links do
                st.page_link(UNIT_PAGE, label=t("ringkasan.overdue.link", unit=md_escape(row.short),
                                                n=fmt.fmt_int(row.open_overdue, lang=lang)),
                             query_params={"unit": row.group_code}, help=md_escape(row.group),
                             icon=":material/chevron_right:", icon_position="right")

with panel(t("ringkasan.panel.trend"), title=True):
    trend = overview().trend
    if trend.empty or not trend["on_time_rate"].notna().any():  # no week with a decided stage: no line
        st.info(t("ringkasan.trend.empty"))
    else:
        st.caption(t("ringkasan.trend.caption"))
        st.plotly_chart(charts.trend_figure(trend, rate_label=METRICS["on_time_rate"].label(lang),
                                            week_label=t("ringkasan.trend.week"), lang=lang),
                        config=charts.CHART_CONFIG)
