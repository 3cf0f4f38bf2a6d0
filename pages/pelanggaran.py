"""Pelanggaran SLA: stages open past their deadline, due today or next working day (at risk), and
closed late, for complaints received in the period; by stage (the verifier's too) and unit.

The counts per state come first (on a phone's first screen, right under the one-row controls),
then the stage and unit filters, the list (most working days over first) and downloads.
"""

import streamlit as st

from analytics import screens
from analytics.metrics.registry import METRICS
from ui import league_ui as lu
from ui.downloads import download_pair
from ui.fmt import fmt_int, md_escape
from ui.frame import page_frame, panel
from ui.i18n import option_labels
from ui.widgets import coded, filter_row, policy_label, unit_selector

ctx = page_frame("nav.pelanggaran")
t = ctx.t

period, policy, _ = filter_row(ctx.today, lang=ctx.lang)
counts = st.container()  # filled after the filters below are read: the counts show first
stage = coded(st.segmented_control, t("pelanggaran.stage"), lu.STAGES, key="tahap", default="semua",
              format_func=option_labels("breach.stage.", ctx.lang), required=True)
shorts = ctx.query(screens.short_names)
units = ctx.query(screens.units_in_store)
unit = unit_selector(units.assign(name=units["code"].map(shorts).fillna(units["name"])), lang=ctx.lang)


def breaches():
    return ctx.query(screens.breaches_for, period=period, as_of=ctx.as_of, policy=policy,
                     stage=None if stage == "semua" else stage, unit=unit, unit_scope=ctx.viewer.row_scope)


with counts, panel(t("pelanggaran.counts")):
    cards = st.grid(3, min_column_width=150)
    for state, n in lu.state_counts(breaches()).items():
        cards.metric(METRICS[state].label(ctx.lang), fmt_int(n, lang=ctx.lang), help=METRICS[state].description(ctx.lang))
    st.caption(t("pelanggaran.lenses", moment=ctx.fmt_datetime(ctx.as_of)))
    gap = ctx.query(screens.coverage, period, ctx.as_of, policy).note(ctx.lang)
    if gap:  # what is not counted here because its times are missing
        st.warning(md_escape(gap), icon=":material/info:")
    if ctx.viewer.row_scope:
        st.caption(t("access.rows.own_only"))

with panel(t("pelanggaran.list"), title=True):
    b = breaches()
    st.caption(t("pelanggaran.policy", policy=policy_label(policy, ctx.lang)))
    if b.empty:
        st.info(t("pelanggaran.empty"))
    else:
        frame = lu.breach_frame(b, ctx.lang, ctx.tz, shorts)
        config = {c: st.column_config.TextColumn(alignment="right") for c in lu.numeric_columns(frame, ctx.lang)}
        config[t("breach.col.id")] = st.column_config.TextColumn(pinned=True)
        st.dataframe(frame, hide_index=True, column_config=config)
        rows = b[[c for c in screens.BREACH_COLUMNS if c in b]]
        name = f"pelanggaran-{stage}-{period.start}_{period.end}"
        download_pair(ctx, rows, stem=name, sheet="Pelanggaran", what="pelanggaran")
