"""Peta: complaints by kecamatan (and the desa of one) on a map that needs no basemap server.

Metric, then the map right away (fitted to the regency, labelled, coloured from ColorBrewer),
its legend and one sentence on what the colours say; tap a kecamatan (or pick it) for its figures
and its desa; settings, the chosen kecamatan's cards and every kecamatan as a table below.
"""

import functools
import html

import streamlit as st

from analytics import screens
from analytics.rules.regions import region_geojson
from ui import maps
from ui.fmt import fmt_int, md_escape
from ui.frame import page_frame, panel
from ui.i18n import option_labels
from ui.widgets import coded, period_picker, policy_label, policy_selector

ctx = page_frame("nav.peta")
t = ctx.t

period = period_picker(ctx.today, lang=ctx.lang)
metric = coded(st.segmented_control, t("peta.metric"), maps.MAP_METRICS, key="warna", default="complaints",
               format_func=option_labels("peta.metric.", ctx.lang), required=True, label_visibility="collapsed")
if ctx.region is None:
    st.info(t("peta.no_region"))
    st.stop()
map_area = st.container()  # filled below, once the pickers under the map have been read

kec_geo = region_geojson(ctx.region.slug, "kecamatan")
names = {f["properties"]["kode"]: f["properties"]["nama"] for f in kec_geo["features"]}
# A tap on the map picks the kecamatan (only a new tap: the picker below can change it back).
event = st.session_state.get("peta_kec") or {}
tapped = maps.tapped_code(event, kec_geo)
if tapped != st.session_state.get("_peta_tapped"):
    st.session_state["_peta_tapped"] = tapped
    if tapped in names:
        st.session_state["kec"] = tapped
chosen = coded(st.selectbox, t("peta.kec"), [maps.ALL, *names], key="kec", default=maps.ALL,
               format_func=functools.partial(maps.kec_label, names, ctx.lang), help=t("peta.kec.help"))
chosen = None if chosen == maps.ALL else chosen
desa_shapes = ctx.region.has_desa_shapes
show_desa = bool(chosen) and desa_shapes and st.toggle(t("peta.desa"), value=True, key="peta_desa")
with st.expander(t("peta.settings"), icon=":material/tune:"):
    policy = policy_selector(lang=ctx.lang)
    show_points = st.toggle(t("peta.points"), key="peta_titik")
    basemap = maps.basemap_allowed() and st.toggle(
        t("peta.basemap"), value=maps.basemap_default(), help=t("peta.basemap.help"), key="peta_dasar")
target = maps.on_time_target(policy)

view = ctx.query(screens.map_view, period, ctx.as_of, policy, unit_scope=ctx.viewer.row_scope)
with map_area:
    if view.kecamatan.empty:
        st.info(t("peta.empty"))
        st.stop()
    with panel(t("peta.map")):
        points = view.points
        if chosen and len(points):
            points = points[points["kecamatan"] == names[chosen]]
        desa_geo = region_geojson(ctx.region.slug, "desa") if show_desa else None
        drawn = maps.kecamatan_deck(
            kec_geo, view.kecamatan, metric, lang=ctx.lang, selected=chosen, desa_geojson=desa_geo,
            desa_counts=view.desa, points=points if show_points else None, basemap=basemap, target=target,
        )
        metric_label = maps.METRICS[metric].label(ctx.lang)
        st.pydeck_chart(drawn.deck, height=drawn.height, on_select="rerun", selection_mode="single-object",
                        key="peta_kec", alt=t("peta.alt", region=ctx.region_name, metric=metric_label))
        legend_scale = drawn.desa_scale or drawn.scale
        legend_title = t("peta.legend.desa") if drawn.desa_scale else t("peta.legend", metric=metric_label)
        st.image(maps.legend_svg(legend_scale, ctx.lang, missing=drawn.missing and not drawn.desa_scale),
                 caption=legend_title)
        if chosen:
            st.markdown(f"**{md_escape(names[chosen])}** · {md_escape(maps.figures_line(view.kecamatan, chosen, ctx.lang))}")
            desa_tap = maps.tapped(event, "desa")
            if desa_tap and show_desa:
                st.caption(md_escape(html.unescape(f"{desa_tap.get('nama', '')}: {desa_tap.get('l1', '')}")))
            if not desa_shapes:
                st.caption(t("peta.no_desa_shapes", region=ctx.region_name))
        else:
            st.markdown(maps.summary_line(view.kecamatan, metric, ctx.lang, target=target))
            st.caption(t("peta.tap_hint"))
        if metric != "complaints":
            st.caption(t("peta.policy", label=policy_label(policy, ctx.lang)))
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
        desa_text = maps.top_desa(view.desa, chosen, ctx.lang)
        if desa_text:
            st.markdown(t("peta.desa.top", items=desa_text))
        unit = maps.camat_unit(ctx.region.units, chosen)
        if unit:
            st.page_link("pages/unit.py", label=t("peta.camat_link", name=names[chosen]),
                         query_params={"unit": unit}, icon=":material/apartment:")

with panel(t("peta.table"), title=True):
    table = maps.kecamatan_table(view.kecamatan, metric, ctx.lang)
    st.dataframe(table, hide_index=True, column_config={table.columns[0]: st.column_config.TextColumn(pinned=True)})
