"""Pelanggaran SLA: stages open past their deadline, due today or next working day (at risk), and
closed late, for complaints received in the period; by stage (the verifier's too) and unit.

Counts per state on top, then the list (most working days over first), then downloads.
"""

import streamlit as st

from analytics import screens
from analytics.metrics.registry import METRICS
from ui import league_ui as lu
from ui.downloads import download_pair
from ui.fmt import fmt_int, md_escape
from ui.frame import page_frame, panel
from ui.i18n import option_labels
from ui.widgets import coded, period_picker, policy_selector, unit_selector

ctx = page_frame("nav.pelanggaran")
t = ctx.t

period = period_picker(ctx.today, lang=ctx.lang)
policy = policy_selector(lang=ctx.lang)
stage = coded(st.segmented_control, t("pelanggaran.stage"), lu.STAGES, key="tahap", default="semua",
              format_func=option_labels("breach.stage.", ctx.lang), required=True)
shorts = ctx.query(screens.short_names)
units = ctx.query(screens.units_in_store)
unit = unit_selector(units.assign(name=units["code"].map(shorts).fillna(units["name"])), lang=ctx.lang)

with panel(t("pelanggaran.list"), title=True):
    b = ctx.query(screens.breaches_for, period=period, as_of=ctx.as_of, policy=policy,
                  stage=None if stage == "semua" else stage, unit=unit, unit_scope=ctx.viewer.row_scope)
    st.caption(t("pelanggaran.policy", policy=policy.label))
    gap = ctx.query(screens.coverage, period, ctx.as_of, policy).note(ctx.lang)
    if gap:  # what is not listed here because its times are missing
        st.warning(md_escape(gap), icon=":material/info:")
    if ctx.viewer.row_scope:
        st.caption(t("access.rows.own_only"))
    cards = st.grid(3, min_column_width=150)
    for state, n in lu.state_counts(b).items():
        cards.metric(METRICS[state].label(ctx.lang), fmt_int(n, lang=ctx.lang), help=METRICS[state].description(ctx.lang))
    st.caption(t("pelanggaran.lenses", moment=ctx.fmt_datetime(ctx.as_of)))
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
