"""Analisis: any registry measure grouped by one or two dimensions over filtered complaints.

For Kominfo analysts (desktop first, still usable at 390 px): period, filters, grouping,
measures; a table and a bar chart; the table and the filtered complaints as CSV/XLSX (metric
columns only: no reporter names, contacts or complaint text).
"""

import functools

import streamlit as st

from analytics import screens
from ui import analisis_ui as ana
from ui.downloads import download_button
from ui.fmt import fmt_int
from ui.frame import page_frame, panel
from ui.widgets import coded, period_picker, policy_label, policy_selector

ctx = page_frame("nav.analisis")
t = ctx.t

period = period_picker(ctx.today, lang=ctx.lang)
policy = policy_selector(lang=ctx.lang)
st.caption(t("analisis.policy", label=policy_label(policy, ctx.lang)))
options = ctx.query(screens.filter_options)
with st.expander(t("analisis.filters"), icon=":material/filter_alt:"):
    cols = st.columns(3)
    filters = {name: cols[i % 3].multiselect(t(f"analisis.dim.{name}"), options.get(name, []), key=f"f_{name}",
                                             bind="query-params", placeholder=t("analisis.all"))
               for i, name in enumerate(ana.FILTERS)}
filters = {k: list(v) for k, v in filters.items() if v}
left, right = st.columns(2)
with left:
    dim1 = coded(st.selectbox, t("analisis.by"), ana.DIMS, key="per", default="category",
                 format_func=functools.partial(ana.dim_label, ctx.lang), filter_mode=None)
with right:
    dim2 = coded(st.selectbox, t("analisis.then"), [ana.NONE, *(d for d in ana.DIMS if d != dim1)], key="lalu",
                 default=ana.NONE, format_func=functools.partial(ana.dim_label, ctx.lang), filter_mode=None)
dims = (dim1,) if dim2 == ana.NONE else (dim1, dim2)
measures = st.multiselect(t("analisis.measures"), ana.MEASURES, default=list(ana.DEFAULT_MEASURES), key="ukuran",
                          format_func=functools.partial(ana.metric_label, ctx.lang)) or ["complaints"]

table = ctx.query(screens.analysis_table, period, ctx.as_of, policy, filters, dims)
if table.empty:
    st.info(t("analisis.empty"))
    st.stop()
table = ana.split_groups(table, dims, options.get(dim1))

with panel(t("analisis.chart", measure=ana.metric_label(ctx.lang, measures[0])), title=True):
    st.plotly_chart(ana.bar_figure(table, dims, measures[0], ctx.lang), config=ana.CHART_CONFIG, key="analisis_bar")
    if table[dim1].nunique() > ana.CHART_TOP:
        st.caption(t("analisis.chart.top", n=ana.CHART_TOP))

with panel(t("analisis.table"), title=True):
    shown = ana.display_table(table, dims, measures, ctx.lang)
    st.dataframe(shown, hide_index=True, column_config={shown.columns[0]: st.column_config.TextColumn(pinned=True)})
    st.caption(t("analisis.rows", n=fmt_int(len(shown), lang=ctx.lang)))

with panel(t("analisis.download"), title=True):
    raw = ana.export_table(table, dims, measures, ctx.lang)
    lo, hi = period.utc_bounds(policy.timezone)
    # Only the count on screen: the rows (a million over all history) are read when a button is pressed.
    n_rows = ctx.query(screens.count_received, lo, hi, filters, unit_scope=ctx.viewer.row_scope)
    rows = ana.rows_on_demand(lo, hi, filters, ctx.viewer.row_scope)
    stem = f"pantau-{period.start}-{period.end}"
    st.caption(t("analisis.download.help", n=fmt_int(n_rows, lang=ctx.lang)))
    if ctx.viewer.row_scope:
        st.caption(t("access.rows.own_only"))
    buttons = st.columns(2, wrap=False)
    for what, frame, sheet in (("table", raw, "tabel"), ("rows", rows, "aduan")):
        for where, kind in zip(buttons, ("csv", "xlsx")):
            download_button(ctx, where, t(f"analisis.dl.{what}_{kind}"), frame, file_name=f"{stem}-{sheet}.{kind}",
                            kind=kind, sheet=sheet, what=f"analisis-{sheet}")
