"""Tinjauan Mingguan: one ISO week against the one before, for the leadership meeting.

Week picker (?minggu=2025-W46), headline KPIs with change, movers up and down, new breaches of
the week, the ten oldest open complaints, the per-unit tables (OPD and camat), the review pack downloads
and the commitments made in the review.
"""

import functools

import pandas as pd
import streamlit as st

from analytics import screens
from ui import league_ui as lu
from ui import review_ui
from ui.fmt import md_escape
from ui.frame import page_frame, panel
from ui.widgets import coded, policy_label, policy_selector

ctx = page_frame("nav.tinjauan")
t = ctx.t

wanted = st.query_params.get("minggu")
options, problem = lu.week_choices(wanted, ctx.today)
if problem:
    st.warning(t(f"tinjauan.{problem}", week=md_escape(wanted), when=ctx.fmt_datetime(ctx.as_of)))
week = coded(st.selectbox, t("tinjauan.week"), options, key="minggu", default=lu.default_week(options, ctx.today),
             filter_mode=None,
             format_func=functools.partial(lu.week_label, lang=ctx.lang))
policy = policy_selector(lang=ctx.lang)
shorts = ctx.query(screens.short_names)
label = lu.week_label(week, ctx.lang)


def show(frame: pd.DataFrame, pin: str) -> None:
    config = {c: st.column_config.TextColumn(alignment="right") for c in lu.numeric_columns(frame, ctx.lang)}
    config[pin] = st.column_config.TextColumn(pinned=True)
    st.dataframe(frame, hide_index=True, column_config=config)


def movers(frame: pd.DataFrame) -> str:
    return "\n".join(f"- {lu.fmt_rank_change(r.rank_change, ctx.lang)} · **{md_escape(r.short)}** "
                     f"({t('tinjauan.rank', rank=r.rank)})" for r in frame.itertuples())


review = ctx.query(screens.weekly_review, week, ctx.as_of, policy, unit_scope=ctx.viewer.row_scope)
st.caption(t("tinjauan.compare", week=label, policy=policy_label(policy, ctx.lang)))
if lu.complaints_in(review.opd, review.camat) == 0:
    st.info(t("tinjauan.before", week=label))
    st.stop()

with panel(t("tinjauan.kpis"), title=True):
    cards = st.grid(2, min_column_width=140)
    for name, value, delta, colour, arrow in lu.kpi_cards(review.kpis, ctx.lang):
        cards.metric(name, value, delta, delta_color=colour, delta_arrow=arrow)
    st.caption(t("tinjauan.kpis.about", moment=ctx.fmt_datetime(review.opd.as_of)))

with panel(t("tinjauan.movers"), title=True):
    if review.movers_up.empty and review.movers_down.empty:
        st.info(t("tinjauan.no_movers"))
    for key, frame in (("tinjauan.up", review.movers_up), ("tinjauan.down", review.movers_down)):
        if len(frame):
            st.markdown(f"**{t(key)}**\n\n" + movers(frame))

with panel(t("tinjauan.new_breaches"), title=True):
    st.caption(t("tinjauan.new_breaches.about"))
    if review.new_breaches.empty:
        st.info(t("tinjauan.no_breaches"))
    else:
        show(lu.breach_frame(review.new_breaches, ctx.lang, ctx.tz, shorts), t("breach.col.id"))

with panel(t("tinjauan.oldest"), title=True):
    if review.oldest_open.empty:
        st.info(t("tinjauan.no_oldest"))
    else:
        show(lu.oldest_frame(review.oldest_open, ctx.lang, ctx.tz, shorts), t("breach.col.id"))

with panel(t("tinjauan.units"), title=True):
    for key, league in (("peringkat.by.opd", review.opd), ("peringkat.by.camat", review.camat)):
        st.markdown(f"**{t(key)}**")
        if league.table.empty:
            st.info(t("tinjauan.units_empty"))
        else:
            show(lu.display_frame(league.table, ctx.lang, shorts), lu.label("short", ctx.lang))

with panel(t("tinjauan.pack"), title=True):
    review_ui.pack_panel(ctx, week, policy)

with panel(t("tinjauan.commit"), title=True):
    review_ui.commitments_panel(ctx, week)
