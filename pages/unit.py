"""Unit: one unit kerja against the regency. Deep link ``?unit=DISDIK`` / ``?unit=KEC-321601``.

Scorecard (rank, score, tier, unit vs regency), weekly trend, open overdue and at-risk stages,
its open stages by chance of breach (the forecast), closure quality (its on-time rate without
flagged complaints beside the league's, and the flagged cases), category and channel mix, and a
map of where its complaints are. Only complaint ids, stages, dates and units are shown: never
reporters or complaint text.
"""

import pandas as pd
import streamlit as st

from analytics import screens
from analytics.metrics.registry import METRICS
from analytics.rules.regions import region_geojson
from ui import charts, fmt
from ui import quality_ui as qu
from ui.complaints_ui import complaint_list
from ui.fmt import md_escape
from ui.frame import page_frame, panel
from ui.i18n import MESSAGES
from ui.widgets import ALL_UNITS, UNIT_KEY, period_label, period_picker, policy_label, policy_selector, unit_selector

ctx = page_frame("nav.unit")
t, lang = ctx.t, ctx.lang
SEEN_KEY = "unit_page_url_seen"  # the ?unit= this page last wrote; a different one came from a link
COMPARE = ("on_time_rate", "median_response_days", "p90_response_days", "completion_rate", "mean_rating", "complaints")
BREACH_ROWS = 50
LIST_ROWS = 10  # the forecast's stages and the flagged cases: the first ten, the rest on request

period = period_picker(ctx.today, lang=lang)
with st.expander(t("ringkasan.settings"), icon=":material/tune:"):
    policy = policy_selector(lang=lang)
st.caption(t("ringkasan.policy", label=policy_label(policy, lang)))

units = ctx.query(screens.units_in_store)
wanted = st.query_params.get(UNIT_KEY)
if wanted and wanted != ALL_UNITS and wanted not in set(units["code"]):
    st.warning(t("unit.unknown", code=md_escape(wanted)), icon=":material/help:")
    st.session_state[UNIT_KEY] = ALL_UNITS
elif wanted and wanted != st.session_state.get(SEEN_KEY):  # a link (Ringkasan, Peringkat) beats the last pick
    st.session_state[UNIT_KEY] = wanted
elif not wanted and ctx.viewer.row_scope and UNIT_KEY not in st.session_state:  # a unit account opens its own
    st.session_state[UNIT_KEY] = ctx.viewer.row_scope
code = unit_selector(units, lang=lang)
st.session_state[SEEN_KEY] = st.query_params.get(UNIT_KEY)
if code is None:
    st.info(t("unit.pick") if len(units) else t("unit.none_in_store"), icon=":material/apartment:")
    st.stop()


def unit() -> screens.UnitView:
    return ctx.query(screens.unit_view, code, period, ctx.as_of, policy, unit_scope=ctx.viewer.row_scope)


def breach_table(b: pd.DataFrame) -> pd.DataFrame:
    stages = MESSAGES[lang]
    b = b.sort_values("working_days_over", ascending=False).head(BREACH_ROWS)
    return pd.DataFrame({
        t("unit.col.id"): b["source_id"].astype("str"),
        t("unit.col.over"): [fmt.fmt_num(max(v, 0), 0, lang=lang) for v in b["working_days_over"]],
        t("unit.col.deadline"): [ctx.fmt_date(d) for d in b["deadline"]],
        t("unit.col.state"): [METRICS[s].label(lang) if s in METRICS else str(s) for s in b["state"]],
        t("unit.col.stage"): [stages.get(f"unit.stage.{s}", str(s)) for s in b["stage"]],
    })


def forecast_panel(outlook: screens.BreachOutlook) -> None:
    """The unit's open stages by chance of breach, highest first, and what it adds up to this week."""
    if outlook.state == "none":  # nothing timed to forecast from: never "0 expected"
        st.caption(t("ringkasan.forecast.none"))
        return
    mine, stages = outlook.of_unit(unit().unit)
    if mine is None or int(mine["open_stages"]) == 0:
        st.success(t("unit.forecast.empty"), icon=":material/check_circle:")
        return
    days, until = fmt.fmt_int(outlook.forecast.days, lang=lang), ctx.fmt_date(outlook.forecast.window_end)
    if int(mine["due_soon"]):
        st.markdown(t("unit.forecast.summary", n=fmt.fmt_num(mine["expected_breaches"], 1, lang=lang),
                      due=fmt.fmt_int(mine["due_soon"], lang=lang), days=days, until=until))
    else:
        st.markdown(t("unit.forecast.quiet", days=days, until=until))
    if bool(mine["fallback"]):
        st.caption(t("unit.forecast.fallback"))
    if unit().rows_hidden:
        st.info(t("access.rows.other_unit"), icon=":material/lock:")
        return
    st.caption(t("unit.forecast.caption"))
    show_all = len(stages) > LIST_ROWS and st.session_state.get("unit_risiko_semua", False)
    st.space(24)  # the table's toolbar floats above it on a phone: keep it off the caption
    st.dataframe(qu.risk_frame(stages if show_all else stages.head(LIST_ROWS), lang, ctx.tz), hide_index=True,
                 column_config={t("unit.col.id"): st.column_config.TextColumn(pinned=True),
                                t("unit.col.p_breach"): st.column_config.TextColumn(
                                    help=t("unit.col.p_breach_help"), alignment="right")})
    if len(stages) > LIST_ROWS:
        st.toggle(t("unit.forecast.all", n=fmt.fmt_int(len(stages), lang=lang)), key="unit_risiko_semua")


def quality_panel(quality: screens.Quality) -> None:
    """The unit's on-time rate without its flagged complaints beside the league's, and the
    flagged complaints for the meeting."""
    row = quality.units[quality.units["unit"] == unit().unit]
    if row.empty:
        st.info(t("unit.quality.empty", period=period_label(period, lang)))
        return
    row = row.iloc[0]
    cards = st.grid(2, min_column_width=140)
    cards.metric(METRICS["on_time_rate"].label(lang), fmt.fmt_pct(row["on_time_rate"], lang=lang),
                 help=METRICS["on_time_rate"].description(lang), border=True)
    unflagged = METRICS[qu.UNFLAGGED]  # its registry label is too long for a phone's card: the short head
    cards.metric(t("league.head.unflagged"), fmt.fmt_pct(row["on_time_rate_unflagged"], lang=lang),
                 help=f"{unflagged.label(lang)}: {unflagged.description(lang)}", border=True)
    st.caption(t("unit.quality.question", unflagged=t("league.head.unflagged")))
    if int(row["flagged"]) == 0:
        st.success(t("unit.quality.no_flags"), icon=":material/check_circle:")
        return
    st.markdown(t("unit.quality.counts", n=fmt.fmt_int(row["flagged"], lang=lang),
                  signals=qu.signal_counts(row, screens.SIGNALS, lang)))
    if unit().rows_hidden:
        st.info(t("access.rows.other_unit"), icon=":material/lock:")
        return
    cases = quality.cases[quality.cases["unit"] == unit().unit]
    show_all = len(cases) > LIST_ROWS and st.session_state.get("unit_tanda_semua", False)
    st.space(24)  # the table's toolbar floats above it on a phone
    st.dataframe(qu.cases_frame(cases if show_all else cases.head(LIST_ROWS), lang), hide_index=True,
                 column_config={t("unit.col.id"): st.column_config.TextColumn(pinned=True)})
    if len(cases) > LIST_ROWS:
        st.toggle(t("unit.quality.all", n=fmt.fmt_int(len(cases), lang=lang)), key="unit_tanda_semua")


with panel(t("unit.panel.score"), title=True):
    uv, row = unit(), unit().row
    st.markdown(f"**{md_escape(uv.unit)}**")
    if row is None:
        st.info(t("unit.empty", unit=md_escape(uv.unit), period=period_label(period, lang)), icon=":material/event_busy:")
        st.stop()
    ranked = bool(row["ranked"]) and not fmt.is_missing(row["rank"])
    cards = st.grid(2, min_column_width=140)
    move = None if not ranked or fmt.is_missing(row["rank_change"]) else int(row["rank_change"])
    cards.metric(t("unit.rank.label", label=METRICS["rank"].label(lang), n=fmt.fmt_int(uv.league_size, lang=lang)),
                 fmt.fmt_int(row["rank"], lang=lang) if ranked else t("unit.rank.unranked"),
                 help=METRICS["rank"].description(lang) + " " + t("unit.rank.help"),
                 delta=None if move is None else fmt.fmt_delta(move, 0, kind="number", lang=lang),
                 delta_arrow="off" if not move else "auto", delta_color="off" if not move else "normal", border=True)
    cards.metric(METRICS["score"].label(lang), fmt.metric_text("score", row["score"], lang),
                 help=METRICS["score"].description(lang), border=True)
    cards.metric(t("unit.tier"), row["tier"] if ranked else fmt.MISSING, border=True)
    if uv.respons is None:
        cards.metric(METRICS["open_overdue"].label(lang), fmt.metric_text("open_overdue", uv.overdue_now, lang),
                     help=METRICS["open_overdue"].description(lang), border=True)
    else:  # its own stages cannot be judged: "Lewat batas 0" would read as all well
        limit = fmt.fmt_limit(uv.respons.limit_days, uv.respons.limit_hours, lang=lang)
        cards.metric(t("unit.respons.label", limit=limit), fmt.fmt_int(uv.overdue_now, lang=lang),
                     help=t("unit.respons.help", limit=limit, moment=ctx.fmt_datetime(ctx.as_of)), border=True)
    if uv.coverage is not None and uv.coverage.note(lang):
        st.warning(md_escape(uv.coverage.note(lang)), icon=":material/info:")
    st.dataframe(pd.DataFrame({
        t("unit.col.metric"): [METRICS[m].label(lang) for m in COMPARE],
        t("unit.col.unit"): [fmt.metric_text(m, row[m], lang) for m in COMPARE],
        t("unit.col.regency"): [fmt.metric_text(m, uv.regency.get(m), lang) for m in COMPARE],
    }), hide_index=True, column_config={t("unit.col.unit"): st.column_config.TextColumn(alignment="right"),
                                        t("unit.col.regency"): st.column_config.TextColumn(alignment="right")})

with panel(t("unit.panel.trend"), title=True):
    if unit().trend.empty or not unit().trend["on_time_rate"].notna().any():  # no week has a judged stage
        st.info(t("ringkasan.trend.empty"))
    else:
        st.caption(t("unit.trend.caption"))
        st.plotly_chart(charts.trend_figure(
            unit().trend, rate_label=METRICS["on_time_rate"].label(lang), week_label=t("unit.trend.week"), lang=lang,
            reference=unit().regency.get("on_time_rate"), reference_label=t("unit.trend.regency")),
            config=charts.CHART_CONFIG)

with panel(t("unit.panel.breaches"), title=True):
    breaches = unit().open_breaches
    if unit().rows_hidden:
        st.info(t("access.rows.other_unit"), icon=":material/lock:")
    elif breaches.empty:
        st.success(t("unit.breaches.none"), icon=":material/check_circle:")
    else:
        st.dataframe(breach_table(breaches), hide_index=True, column_config={
            t("unit.col.id"): st.column_config.TextColumn(pinned=True),
            t("unit.col.over"): st.column_config.TextColumn(alignment="right")})
        if len(breaches) > BREACH_ROWS:
            st.caption(t("unit.breaches.more", shown=fmt.fmt_int(BREACH_ROWS, lang=lang),
                         n=fmt.fmt_int(len(breaches), lang=lang)))

with panel(t("unit.panel.forecast"), title=True):
    # The whole regency's forecast, computed once per import and shared with Ringkasan; the rows
    # are only the viewer's own unit's when the viewer is a unit account.
    forecast_panel(ctx.query(screens.breach_forecast, ctx.as_of, policy, unit_scope=ctx.viewer.row_scope))

with panel(t("unit.panel.quality"), title=True):
    # Every unit's figures for the period, computed once and shared with Peringkat.
    quality_panel(ctx.query(screens.closure_quality, period, ctx.as_of, policy, unit_scope=ctx.viewer.row_scope))

with panel(t("unit.panel.mix"), title=True):
    by_category, by_channel = st.tabs([t("unit.mix.category"), t("unit.mix.channel")])
    by_category.plotly_chart(charts.mix_bar(unit().categories, label="category", other_label=t("unit.mix.other"),
                                            lang=lang), config=charts.CHART_CONFIG)
    by_channel.plotly_chart(charts.mix_bar(unit().channels, label="channel", other_label=t("unit.mix.other"),
                                           lang=lang), config=charts.CHART_CONFIG)

with panel(t("access.list.title"), title=True):
    complaint_list(ctx, code, period)

with panel(t("unit.panel.map"), title=True):
    points = unit().points
    if unit().rows_hidden:
        st.info(t("access.rows.other_unit"), icon=":material/lock:")
    elif points.empty:
        st.info(t("unit.map.none"))
    else:
        breaches = unit().open_breaches
        overdue = breaches.loc[breaches["state"] == "open_overdue", "source_id"]
        outlines = region_geojson(ctx.region.slug, "kecamatan") if ctx.region else None
        st.pydeck_chart(charts.unit_map(points, outlines, overdue_ids=overdue), height=charts.MAP_HEIGHT)
        st.caption(t("unit.map.legend", n=fmt.fmt_int(len(points), lang=lang)))
