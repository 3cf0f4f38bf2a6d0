"""Peringkat: units ranked on the SLA metrics (OPD, camat, or kecamatan as an area).

On a phone's first screen: the controls in one row, the grouping, then the three worst and three
best units as a compact list (rank, short name, on-time rate, open overdue, tier; tap to open the
unit). Below: the volume rule and formula, the full league table (every row, no scrolling inside
it; tap a row: the Unit page) with each unit's on-time rate without flagged complaints beside its
on-time rate (⚑ when the two are 5 points or more apart: a question for the meeting), the units
below the volume rule, the funnel plot (on request: plotly is 4,7 MB), downloads.
Numbers come from analytics.screens.
"""

import pandas as pd
import streamlit as st

from analytics import screens
from analytics.metrics.registry import METRICS
from ui import league_ui as lu
from ui import quality_ui as qu
from ui.downloads import download_pair
from ui.fmt import fmt_int, fmt_limit, fmt_pct, md_escape
from ui.frame import page_frame, panel
from ui.i18n import option_labels
from ui.nav import page_file
from ui.widgets import coded, filter_row, policy_label

ctx = page_frame("nav.peringkat")
t = ctx.t


def settings() -> bool:
    return st.toggle(t("peringkat.all_columns"), key="peringkat_all")


period, policy, all_columns = filter_row(ctx.today, lang=ctx.lang, settings=settings)
by = coded(st.segmented_control, t("peringkat.by"), ("opd", "camat", "kecamatan"), key="menurut", default="opd",
           format_func=option_labels("peringkat.by.", ctx.lang), required=True, label_visibility="collapsed")
shorts = ctx.query(screens.short_names)
camat_of = lu.camat_codes(ctx.region.units if ctx.region else None)
UNIT_PAGE = page_file("unit")
GAP = fmt_int(screens.QUALITY_GAP_POINTS, lang=ctx.lang)  # points between the two rates that mark a unit


def show_league(table, key: str, quality: screens.Quality | None = None) -> None:
    """One selectable table; a tapped row opens that unit's page. With ``quality``, each unit's
    on-time rate without flagged complaints beside its on-time rate."""
    frame = lu.display_frame(table, ctx.lang, shorts)
    helps = {}
    if quality is not None:
        frame = qu.league_with_quality(frame, table, quality.units, screens.quality_gap(quality.units), ctx.lang)
        helps = {lu.label("on_time_rate", ctx.lang): t("peringkat.on_time_help", flag=qu.FLAG, points=GAP),
                 lu.label(lu.UNFLAGGED, ctx.lang): METRICS[lu.UNFLAGGED].description(ctx.lang)}
    widths, heads = lu.column_widths(ctx.lang), lu.column_heads(ctx.lang)
    numeric = set(lu.numeric_columns(frame, ctx.lang))
    config = {c: st.column_config.TextColumn(heads.get(c, c), width=widths.get(c),
                                             help=helps.get(c, c if c in heads else None),
                                             alignment="right" if c in numeric else None) for c in frame.columns}
    config[lu.label("short", ctx.lang)] = st.column_config.TextColumn(width=widths.get(lu.label("short", ctx.lang)),
                                                                      pinned=True)
    order = None if all_columns else lu.phone_columns(ctx.lang)
    # Every row shown (no scrolling inside the grid, which hid the worst units on a phone).
    event = st.dataframe(frame, hide_index=True, column_config=config, column_order=order, key=key,
                         on_select="rerun", selection_mode="single-row", height="content")
    rows = event.selection.rows if event else []
    if rows:
        code = lu.unit_code_for(table.iloc[rows[0]], by, camat_of)
        if code:
            st.switch_page("pages/unit.py", query_params={"unit": code})


def show_respons(respons: screens.ResponsNow) -> None:
    """Without the units' stage times: the complaints unanswered past the end-to-end limit, per
    unit (exact from one export), instead of a table of unranked units."""
    limit = fmt_limit(respons.limit_days, respons.limit_hours, lang=ctx.lang)
    st.markdown(f"**{t('peringkat.respons.title', limit=limit)}**")
    st.caption(t("peringkat.respons.caption", moment=ctx.fmt_datetime(ctx.as_of)))
    if respons.total == 0:
        st.info(t("peringkat.respons.none", limit=limit))
        return
    names = list(respons.units["short"]) + ([t("peringkat.respons.verifier")] if respons.verifier else [])
    counts = [fmt_int(n, lang=ctx.lang) for n in respons.units["open_overdue"]] + (
        [fmt_int(respons.verifier, lang=ctx.lang)] if respons.verifier else [])
    frame = pd.DataFrame({t("peringkat.respons.unit"): names, t("peringkat.respons.count"): counts})
    st.dataframe(frame, hide_index=True, column_config={
        t("peringkat.respons.count"): st.column_config.TextColumn(alignment="right")})


def flagged_note(table, quality: screens.Quality) -> None:
    """One line naming the units marked ⚑ with their two rates: a question, not a penalty."""
    marked = qu.flagged_units(table, quality.units, screens.quality_gap(quality.units), shorts)
    if marked.empty:
        return
    units = "; ".join(t("peringkat.flagged.unit", unit=md_escape(r.short),
                        rate=fmt_pct(r.on_time_rate, lang=ctx.lang), unflagged=fmt_pct(r.on_time_rate_unflagged,
                                                                                        lang=ctx.lang))
                      for r in marked.itertuples())
    st.caption(t("peringkat.flagged", flag=qu.FLAG, points=GAP, units=units))


def compact_list(rows, heading: str) -> None:
    st.markdown(f"**{heading}**")
    for _, row in rows.iterrows():
        label = md_escape(lu.compact_label(row, ctx.lang, shorts))
        code = lu.unit_code_for(row, by, camat_of)
        if code:
            st.page_link(UNIT_PAGE, label=label, query_params={"unit": code}, help=md_escape(row["group"]),
                         icon=":material/chevron_right:", icon_position="right")
        else:  # a kecamatan without a camat unit in the registry: nothing to open
            st.markdown(label)


with panel(t("peringkat.compact")):
    worst, best = lu.compact_rows(ctx.query(screens.league_for, by=by, period=period, as_of=ctx.as_of,
                                            policy=policy).table)
    if worst.empty:
        st.caption(t("peringkat.compact.none"))
    else:
        compact_list(worst, t("peringkat.compact.worst"))
        compact_list(best, t("peringkat.compact.best"))
        st.caption(t("peringkat.compact.legend_area" if by == "kecamatan" else "peringkat.compact.legend"))

league = None
with panel(t("peringkat.table"), title=True):
    league = ctx.query(screens.league_for, by=by, period=period, as_of=ctx.as_of,
                       policy=policy)
    st.caption(t("peringkat.rule", min=fmt_int(league.settings.min_decided, lang=ctx.lang),
                 formula=METRICS["on_time_rate"].description(ctx.lang), policy=policy_label(policy, ctx.lang)))
    table = league.table
    gap = ctx.query(screens.coverage, period, ctx.as_of, policy).note(ctx.lang)
    if gap:  # units are unranked because times are missing, not because they are small
        st.warning(md_escape(gap), icon=":material/info:")
    if gap and not table["ranked"].any() and by != "kecamatan":
        respons = ctx.query(screens.respons_now, ctx.as_of, policy, None)
        if respons is not None:
            show_respons(respons)
    if table.empty:
        st.info(t("peringkat.empty"))
    else:
        quality = None
        if by != "kecamatan":  # closure quality is a unit's (an area is not a unit)
            with panel(t("peringkat.quality")):  # optional: the league stands if it fails
                quality = ctx.query(screens.closure_quality, period, ctx.as_of, policy,
                                    unit_scope=ctx.viewer.row_scope)
                flagged_note(table, quality)
        st.caption(t("peringkat.tap_area" if by == "kecamatan" else "peringkat.tap"))
        if table["ranked"].any():  # an empty grid would only say "empty"
            show_league(table[table["ranked"]].reset_index(drop=True), f"league_{by}", quality)
        small = table[~table["ranked"]].reset_index(drop=True)
        if len(small):
            # Without stage times nobody is ranked: then it is not "small volume"; the warning says why.
            if not (gap and not table["ranked"].any()):
                st.markdown(f"**{t('peringkat.small')}**")
                st.caption(t("peringkat.small_hint", n=fmt_int(len(small), lang=ctx.lang),
                             min=fmt_int(league.settings.min_decided, lang=ctx.lang)))
            show_league(small, f"league_small_{by}", quality)

if league is not None and not league.table.empty:
    with panel(t("peringkat.funnel"), title=True):
        rate = league.regency.get("on_time_rate")
        fig = lu.funnel_figure(league.table, rate, ctx.lang, shorts)
        if not fig.data:
            st.info(t("peringkat.funnel_empty"))
        else:
            st.caption(t("peringkat.funnel_hint", rate=fmt_pct(rate, lang=ctx.lang)))
            # On request only: the chart library is 4,7 MB, more than the rest of the page on 4G.
            if st.toggle(t("peringkat.funnel_show"), key="peringkat_corong"):
                st.plotly_chart(fig, config={"displayModeBar": False}, key=f"funnel_{by}")

    with panel(t("peringkat.download"), title=True):
        rows = screens.league_rows(league)
        name = f"peringkat-{by}-{period.start}_{period.end}"
        download_pair(ctx, rows, stem=name, sheet="Peringkat", what="peringkat")
