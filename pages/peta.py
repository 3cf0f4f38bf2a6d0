"""Peta: complaints by kecamatan (and the desa of one) on a map that needs no basemap server.

Metric selector, the kecamatan choropleth (tap one, or pick it, to see its figures and its
desa), the legend as text, how many complaints are not on the map, every kecamatan as a table.
"""

import functools

import streamlit as st

from analytics import screens
from analytics.rules.regions import region_geojson
from ui import maps
from ui.fmt import fmt_int
from ui.frame import page_frame, panel
from ui.i18n import option_labels
from ui.widgets import coded, period_picker, policy_selector

ctx = page_frame("nav.peta")
t = ctx.t

period = period_picker(ctx.today, lang=ctx.lang)
metric = coded(st.segmented_control, t("peta.metric"), maps.MAP_METRICS, key="warna", default="complaints",
               format_func=option_labels("peta.metric.", ctx.lang), required=True)
with st.expander(t("peta.settings"), icon=":material/tune:"):
    policy = policy_selector(lang=ctx.lang)
    show_points = st.toggle(t("peta.points"), key="peta_titik")
    basemap = maps.basemap_allowed() and st.toggle(
        t("peta.basemap"), value=maps.basemap_default(), help=t("peta.basemap.help"), key="peta_dasar")
st.caption(t("peta.policy", label=policy.label))

if ctx.region is None:
    st.info(t("peta.no_region"))
    st.stop()
view = ctx.query(screens.map_view, period, ctx.as_of, policy, unit_scope=ctx.viewer.row_scope)
if view.kecamatan.empty:
    st.info(t("peta.empty"))
    st.stop()
kec_geo = region_geojson(ctx.region.slug, "kecamatan")
names = {f["properties"]["kode"]: f["properties"]["nama"] for f in kec_geo["features"]}

# A tap on the map picks the kecamatan (only a new tap: the picker below can change it back).
tapped = maps.tapped_code(st.session_state.get("peta_kec") or {}, kec_geo)
if tapped != st.session_state.get("_peta_tapped"):
    st.session_state["_peta_tapped"] = tapped
    if tapped in names:
        st.session_state["kec"] = tapped
chosen = coded(st.selectbox, t("peta.kec"), [maps.ALL, *names], key="kec", default=maps.ALL,
               format_func=functools.partial(maps.kec_label, names, ctx.lang), help=t("peta.kec.help"))
chosen = None if chosen == maps.ALL else chosen
show_desa = bool(chosen) and st.toggle(t("peta.desa"), value=True, key="peta_desa")

with panel(t("peta.map")):
    points = view.points
    if chosen and len(points):
        points = points[points["kecamatan"] == names[chosen]]
    deck, scale, desa_scale = maps.kecamatan_deck(
        kec_geo, view.kecamatan, metric, lang=ctx.lang, selected=chosen,
        desa_geojson=region_geojson(ctx.region.slug, "desa") if show_desa else None, desa_counts=view.desa,
        points=points if show_points else None, basemap=basemap,
    )
    st.pydeck_chart(deck, height=360, on_select="rerun", selection_mode="single-object", key="peta_kec")
    st.caption(t("peta.legend", metric=maps.METRICS[metric].label(ctx.lang)) + "  \n" + maps.legend_text(scale, ctx.lang))
    if desa_scale:
        st.caption(t("peta.legend.desa") + "  \n" + maps.legend_text(desa_scale, ctx.lang))
    if not chosen:
        st.caption(t("peta.tap_hint"))
    if view.unplaced:
        st.caption(t("peta.unplaced", n=fmt_int(view.unplaced, lang=ctx.lang)))

if chosen:
    with panel(t("peta.detail", name=names[chosen]), title=True):
        cards = maps.detail_cards(view.kecamatan, chosen, ctx.lang)
        if not cards:
            st.info(t("peta.detail.none"))
        grid = st.grid(2, min_column_width=120)
        for label, value, help_text in cards:
            grid.metric(label, value, help=help_text)
        unit = maps.camat_unit(ctx.region.units, chosen)
        if unit:
            st.page_link("pages/unit.py", label=t("peta.camat_link", name=names[chosen]),
                         query_params={"unit": unit}, icon=":material/apartment:")

with panel(t("peta.table"), title=True):
    table = maps.kecamatan_table(view.kecamatan, metric, ctx.lang)
    st.dataframe(table, hide_index=True, column_config={table.columns[0]: st.column_config.TextColumn(pinned=True)})
