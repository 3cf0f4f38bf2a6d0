"""The command-centre wall (pages/dinding.py): the regency on a 1920x1080 or 3840x2160 screen, read
from across a room.

Dark, large type sized in vh (the same layout on a 1080-line and a 2160-line screen), no sidebar
and no controls (page-scoped CSS in a style-only ``st.html``). On top the regency and the time in
its zone; below, panels that rotate every ``?putar=SECONDS`` (default 15, at least 1): today's
intake and "Lewat batas" now, the worst units, the map, the newest breaches, the data's freshness;
under them the data's age, red when stale (analytics.live.freshness).

Every number comes from the functions the pages use (analytics.screens through ``ctx.query``, the
frame's ``data_age``): the wall has no formula of its own.

Refreshing without a reload: the panels are one ``st.fragment(run_every=...)``. The page's own run
reads through a cursor that is a frozen snapshot of the store (ui.db.cursor), so every tick builds
its own context (``fresh_context``: a new cursor, the store's facts and data version read anew,
which keys the cached reads) and closes that cursor at the end of the tick; dashboard.py's
``db.end_run`` runs after full runs only. All panels are drawn on every tick and CSS shows one, so
the map (a WebGL canvas) stays mounted instead of being rebuilt at every turn.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd
import pydeck as pdk
import streamlit as st

from analytics import screens
from analytics.metrics.registry import METRICS
from analytics.rules.periods import DEFAULT_PRESET, Period, resolve_period
from analytics.rules.policy import SlaPolicy
from analytics.rules.regions import region_geojson
from analytics.security.access import Viewer
from ui import fmt, maps
from ui import frame as fr
from ui import league_ui as lu
from ui.fmt import md_escape
from ui.i18n import t
from ui.widgets import period_label, policy_name

log = logging.getLogger("pantau.ui")

ROTATE_KEY = "putar"  # ?putar=SECONDS
DEFAULT_ROTATE_S = 15.0
MIN_ROTATE_S = 1.0
MAX_ROTATE_S = 3600.0
STEP_KEY = "_dinding_step"  # session state: how many ticks this session's wall has drawn
PANELS: tuple[str, ...] = ("now", "worst", "map", "breaches", "freshness")
TOP_N = 5  # worst units per league: five rows read from across a room
BREACH_ROWS = 6
# The map's size on a 1920x1080 screen (CSS px): the view is fitted to it; a 2160-line screen
# shown at 200% (the usual scaling) gets the same picture.
MAP_WIDTH, MAP_HEIGHT = 1100, 560
LABEL_SIZE = 20  # px: kecamatan names on the wall map
HIDDEN = "display: none !important"  # how the panels that are not shown are hidden
MAP_REFRESH_S = 60.0  # the map's own beat (map_tick); the other panels follow ?putar=
DAYS = {"id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
        "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}


def rotation_seconds(value: object) -> float:
    """Seconds per panel from ``?putar=``: a number of at least MIN_ROTATE_S (smaller is raised to
    it), at most MAX_ROTATE_S; anything else gives DEFAULT_ROTATE_S."""
    try:
        seconds = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        return DEFAULT_ROTATE_S
    if not math.isfinite(seconds):
        return DEFAULT_ROTATE_S
    return min(max(seconds, MIN_ROTATE_S), MAX_ROTATE_S)


def panel_at(step: int) -> str:
    """The panel shown at tick ``step`` (0, 1, 2, ...): PANELS in turn."""
    return PANELS[step % len(PANELS)]


def day_label(day: date, lang: str) -> str:
    """``Minggu, 6 Des 2026``."""
    return f"{DAYS['en' if lang == 'en' else 'id'][day.weekday()]}, {fmt.fmt_date(day, lang=lang)}"


# --- the page ------------------------------------------------------------------------------------


def show(ctx: fr.PageContext) -> None:
    """The wall under the frame's title (``page_frame(..., allow_empty=True, data_line=False)``)."""
    st.html(CSS)
    if ctx.viewer.role not in ("pimpinan", "analis"):
        st.info(ctx.t("dinding.unit_only"), icon=":material/lock:")
        return
    every = rotation_seconds(st.query_params.get(ROTATE_KEY))
    st.fragment(tick, run_every=every)(ctx.lang, ctx.viewer)
    # The map on a slower beat of its own: redrawing a deck.gl chart costs the browser memory on
    # every draw (docs/wall.md, "Memory"), and the map does not need to follow every turn.
    st.fragment(map_tick, run_every=max(every, MAP_REFRESH_S))(ctx.lang, ctx.viewer)


@contextmanager
def fresh_context(lang: str, viewer: Viewer) -> Iterator[fr.PageContext]:
    """A PageContext of its own for one tick: a new cursor (a new snapshot of the store), the
    store's facts and data version read anew; the cursor is closed when the tick ends."""
    ctx = replace(fr.open_context(lang), viewer=viewer)
    try:
        yield ctx
    finally:
        try:
            ctx.con.close()
        except duckdb.Error:  # already closed: nothing to release
            pass


def tick(lang: str, viewer: Viewer) -> None:
    """One turn of the wall: fresh data, the header, every panel (one shown), the data line."""
    step = st.session_state.get(STEP_KEY, -1) + 1
    st.session_state[STEP_KEY] = step
    now = pd.Timestamp(datetime.now(UTC))
    try:
        with fresh_context(lang, viewer) as ctx:
            draw(ctx, step, now)
    except Exception:  # a locked or unreadable store this tick: say so; the next tick tries again
        log.exception("the wall's tick failed")
        st.info(t("dinding.unavailable", lang=lang), icon=":material/sync:")


def draw(ctx: fr.PageContext, step: int, now: pd.Timestamp) -> None:
    policy = fr.page_policy()
    header(ctx, now)
    if ctx.complaints == 0:
        with st.container(key="wall_empty"):
            st.header(ctx.t("dinding.empty"), anchor=False)
            st.markdown(ctx.t("dinding.empty.body"))
        return
    shown = panel_at(step)
    # Only the current panel is visible; the others stay drawn (and mounted) underneath.
    st.html("<style>" + "".join(f".st-key-wall_p_{p}{{{HIDDEN}}}" for p in PANELS if p != shown) + "</style>")
    period = resolve_period(DEFAULT_PRESET, ctx.today)
    ov = ctx.query(screens.overview, period, ctx.as_of, policy)
    titles = panel_titles(ctx, ov)
    with st.container(key="wall_panels"):  # the map is map_tick's
        for name, draw_panel in (("now", now_panel), ("worst", worst_panel), ("breaches", breaches_panel),
                                 ("freshness", freshness_panel)):
            with st.container(key=f"wall_p_{name}"):
                st.header(titles[name], anchor=False)
                with fr.panel(titles[name]):
                    draw_panel(ctx, ov, period, policy, now)
    footer(ctx, policy, now, step, titles)


def map_tick(lang: str, viewer: Viewer) -> None:
    """The map panel, redrawn every MAP_REFRESH_S seconds from fresh data (a cursor of its own,
    closed afterwards, as ``tick``); ``tick``'s CSS shows it in its turn."""
    try:
        with fresh_context(lang, viewer) as ctx:
            if ctx.complaints == 0:
                return
            policy = fr.page_policy()
            period = resolve_period(DEFAULT_PRESET, ctx.today)
            ov = ctx.query(screens.overview, period, ctx.as_of, policy)
            title = panel_titles(ctx, ov)["map"]
            with st.container(key="wall_p_map"):
                st.header(title, anchor=False)
                with fr.panel(title):
                    map_panel(ctx, ov, period, policy, pd.Timestamp(datetime.now(UTC)))
    except Exception:  # as in tick: the next beat tries again
        log.exception("the wall's map failed")


def panel_titles(ctx: fr.PageContext, ov: screens.Overview) -> dict[str, str]:
    judged = ov.respons is None
    return {"now": ctx.t("dinding.panel.now"),
            "worst": ctx.t("dinding.panel.worst" if judged else "dinding.panel.worst_respons"),
            "map": ctx.t("dinding.panel.map" if judged else "dinding.panel.map_volume"),
            "breaches": ctx.t("dinding.panel.breaches"), "freshness": ctx.t("dinding.panel.freshness")}


def header(ctx: fr.PageContext, now: pd.Timestamp) -> None:
    local = now.tz_convert(ctx.tz)
    with st.container(key="wall_head", horizontal=True, horizontal_alignment="distribute",
                      vertical_alignment="bottom"):
        st.markdown(f"**{md_escape(ctx.region_name or 'Pantau')}**")
        with st.container(key="wall_clock", width="content"):
            st.markdown(f"**{local:%H.%M} {ctx.tz_label}**  \n{day_label(local.date(), ctx.lang)}")


def footer(ctx: fr.PageContext, policy: SlaPolicy, now: pd.Timestamp, step: int, titles: dict[str, str]) -> None:
    age = fr.data_age(ctx, policy, now)
    line, _tip = fr.freshness_texts(ctx, age)
    shown = panel_at(step)
    dots = " ".join("●" if p == shown else "○" for p in PANELS)
    with st.container(key="wall_foot", horizontal=True, horizontal_alignment="distribute",
                      vertical_alignment="center"):
        with st.container(key="wall_age_stale" if age.stale else "wall_age", width="content"):
            st.markdown(line)
        st.markdown(f"{dots} &nbsp; {md_escape(titles[shown])}")


# --- the panels ----------------------------------------------------------------------------------


def _moment(ctx: fr.PageContext) -> str:
    return ctx.fmt_datetime(ctx.as_of)


def now_panel(ctx: fr.PageContext, ov: screens.Overview, period: Period, policy: SlaPolicy, now: pd.Timestamp) -> None:
    """Complaints received on the data's day (today when the data is current) and Lewat batas now;
    when the units' stages cannot be judged, the complaints unanswered past the limit instead."""
    day = pd.Timestamp(ctx.as_of).tz_convert(ctx.tz).date()
    today = now.tz_convert(ctx.tz).date()

    def received(d: date) -> int:
        return ctx.query(screens.count_received, *Period(d, d).utc_bounds(policy.timezone))

    n, before = received(day), received(day - timedelta(days=1))
    label = ctx.t("dinding.intake") if day == today else ctx.t("dinding.intake.on", day=day_label(day, ctx.lang))
    was = ctx.t("dinding.intake.yesterday" if day == today else "dinding.intake.day_before",
                n=fmt.fmt_int(before, lang=ctx.lang))
    cards = st.columns(2, gap="large")
    cards[0].metric(label, fmt.fmt_int(n, lang=ctx.lang), delta=was, delta_color="off", delta_arrow="off")
    if ov.respons is None:
        kpi = next(k for k in ov.kpis if k.metric == "open_overdue")  # Ringkasan's Lewat batas card
        cards[1].metric(ctx.t("dinding.overdue"), fmt.metric_text("open_overdue", kpi.value, ctx.lang))
        st.caption(ctx.t("dinding.overdue.caption", moment=_moment(ctx)))
    else:
        limit = fmt.fmt_limit(ov.respons.limit_days, ov.respons.limit_hours, lang=ctx.lang)
        cards[1].metric(ctx.t("dinding.respons"), fmt.fmt_int(ov.respons.total, lang=ctx.lang))
        st.caption(ctx.t("dinding.respons.caption", limit=limit, moment=_moment(ctx)))


def table(frame: pd.DataFrame, row_css: list[str] | None = None) -> None:
    """``st.table`` with every cell and header as plain text (st.table renders markdown in cells,
    and unit names and ids come from the data); ``row_css``: a CSS declaration per row."""
    plain = frame.astype("str").map(md_escape).reset_index(drop=True)
    plain.columns = [md_escape(c) for c in frame.columns]
    if row_css is None:
        st.table(plain, hide_index=True)
        return
    st.table(plain.style.apply(lambda r: [row_css[r.name]] * len(r), axis=1), hide_index=True)


def _league_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rank, short name, on-time rate and Lewat batas of ranked league rows, as text."""
    return pd.DataFrame({
        t("dinding.col.rank", lang=lang): [fmt.fmt_int(r, lang=lang) for r in rows["rank"]],
        t("dinding.col.unit", lang=lang): rows["short"].astype("object").fillna(rows["group"].astype("object"))
        .astype("str").to_list(),
        METRICS["on_time_rate"].label(lang): [fmt.metric_text("on_time_rate", v, lang) for v in rows["on_time_rate"]],
        METRICS["open_overdue"].label(lang): [fmt.fmt_int(v, lang=lang) for v in rows["open_overdue"]],
    })


def worst_panel(ctx: fr.PageContext, ov: screens.Overview, period: Period, policy: SlaPolicy, now: pd.Timestamp) -> None:
    """The worst ranked units of the OPD and camat leagues (Ringkasan's and Peringkat's league);
    without the units' stage times, the units with most complaints unanswered past the limit."""
    if ov.respons is not None:
        limit = fmt.fmt_limit(ov.respons.limit_days, ov.respons.limit_hours, lang=ctx.lang)
        units = ov.respons.units
        if ov.respons.total == 0:
            st.info(ctx.t("dinding.respons.none", limit=limit))
            return
        names = list(units["short"].astype("str")) + ([ctx.t("dinding.respons.verifier")] if ov.respons.verifier else [])
        counts = list(units["open_overdue"]) + ([ov.respons.verifier] if ov.respons.verifier else [])
        table(pd.DataFrame({ctx.t("dinding.col.unit"): names,
                            ctx.t("dinding.col.count"): [fmt.fmt_int(c, lang=ctx.lang) for c in counts]}))
        st.caption(ctx.t("dinding.respons.caption", limit=limit, moment=_moment(ctx)))
        return
    cols = st.columns(2, gap="large")
    for col, league in zip(cols, ("opd", "camat"), strict=True):
        with col:
            st.subheader(ctx.t(f"dinding.worst.{league}"), anchor=False)
            rows = ov.worst[league].head(TOP_N)
            if rows.empty:
                st.info(ctx.t("dinding.worst.none"))
            else:
                table(_league_table(rows, ctx.lang))
    st.caption(ctx.t("dinding.worst.caption", period=period_label(period, ctx.lang), policy=policy_name(policy)))


def _wall_labels(rows: list[dict]) -> pdk.Layer:
    """Kecamatan names for a wall: maps' labels at LABEL_SIZE."""
    return pdk.Layer(
        "TextLayer", rows, id="nama", pickable=False, get_position=["lon", "lat"], get_text="text",
        get_size=LABEL_SIZE, size_units='"pixels"', get_color=[20, 20, 20, 255],
        font_family='"Source Sans, Helvetica, Arial, sans-serif"', font_weight=700, line_height=1.1,
        get_text_anchor='"middle"', get_alignment_baseline='"center"', character_set='"auto"',
        font_settings={"sdf": True, "fontSize": 64, "buffer": 16, "radius": 16}, outline_width=11,
        outline_color=[255, 255, 255, 230],
    )


def wall_deck(kec_geo: dict, metrics: pd.DataFrame, metric: str, lang: str) -> maps.MapDeck:
    """ui.maps' Peta deck (the same colours and scale) fitted to MAP_WIDTH x MAP_HEIGHT, with its
    labels chosen again for that view at LABEL_SIZE."""
    drawn = maps.kecamatan_deck(kec_geo, metrics, metric, lang=lang)
    view = maps.fit_view(maps.bounds(kec_geo), width=MAP_WIDTH, height=MAP_HEIGHT)
    by_code = metrics.set_index("group_code")[metric] if len(metrics) and metric in metrics else pd.Series(dtype=float)
    values = [by_code.get(f["properties"]["kode"], 0 if metric != "on_time_rate" else None) for f in kec_geo["features"]]
    rows = maps.place_labels(maps.label_rows(kec_geo["features"], values, metric, lang), view, width=MAP_WIDTH,
                             height=MAP_HEIGHT, size=LABEL_SIZE)
    deck = drawn.deck
    deck.initial_view_state = view
    deck.layers = [layer for layer in deck.layers if getattr(layer, "id", None) != "nama"] + [_wall_labels(rows)]
    return replace(drawn, view=view, height=MAP_HEIGHT)


def map_panel(ctx: fr.PageContext, ov: screens.Overview, period: Period, policy: SlaPolicy, now: pd.Timestamp) -> None:
    """Peta's kecamatan map of Lewat batas (volume when the units' stages cannot be judged)."""
    if ctx.region is None:
        st.info(ctx.t("dinding.map.none"))
        return
    view = ctx.query(screens.map_view, period, ctx.as_of, policy, unit_scope=ctx.viewer.row_scope)
    if view.kecamatan.empty:
        st.info(ctx.t("dinding.map.empty"))
        return
    metric = "open_overdue" if ov.respons is None else "complaints"
    kec_geo = region_geojson(ctx.region.slug, "kecamatan")
    drawn = wall_deck(kec_geo, view.kecamatan, metric, ctx.lang)
    label = METRICS[metric].label(ctx.lang)
    with st.container(horizontal=True, vertical_alignment="top", gap="large"):
        st.pydeck_chart(drawn.deck, height=drawn.height, key="wall_map",
                        alt=ctx.t("peta.alt", region=ctx.region_name, metric=label))
        with st.container(key="wall_legend", width="content"):
            st.image(maps.legend_svg(drawn.scale, ctx.lang, missing=drawn.missing), caption=ctx.t("peta.legend", metric=label))
            st.markdown(maps.summary_line(view.kecamatan, metric, ctx.lang, target=maps.on_time_target(policy)))


def breaches_panel(ctx: fr.PageContext, ov: screens.Overview, period: Period, policy: SlaPolicy,
                   now: pd.Timestamp) -> None:
    """Pelanggaran's list, open past the deadline, the most recently missed deadline first; shown
    as Pelanggaran shows it (ids, short unit names, no personal data)."""
    b = ctx.query(screens.breaches_for, period=period, as_of=ctx.as_of, policy=policy, unit_scope=ctx.viewer.row_scope)
    newest = b[b["state"] == "open_overdue"].sort_values(["deadline", "working_days_over"], ascending=[False, False])
    if newest.empty:
        st.info(ctx.t("dinding.breaches.none", moment=_moment(ctx)), icon=":material/check_circle:")
    else:
        frame = lu.breach_frame(newest.head(BREACH_ROWS), ctx.lang, ctx.tz, ctx.query(screens.short_names))
        table(frame.drop(columns=[t("breach.col.state", lang=ctx.lang)]))
        st.caption(ctx.t("dinding.breaches.caption"))
    if ov.coverage is not None and ov.coverage.note(ctx.lang):
        st.caption(md_escape(ov.coverage.note(ctx.lang)))


def freshness_panel(ctx: fr.PageContext, ov: screens.Overview, period: Period, policy: SlaPolicy,
                    now: pd.Timestamp) -> None:
    """Each source's newest snapshot, its age and limit; the stale ones in red."""
    from analytics.live.freshness import age_words, limit_words, stale_sentence

    age = fr.data_age(ctx, policy, now)
    if not age.sources:
        st.info(ctx.t("dinding.fresh.none"))
        return
    if age.stale:
        with st.container(key="wall_stale"):
            st.markdown(f":material/warning: **{md_escape(stale_sentence(age, ctx.lang))}**")
            st.caption(ctx.t("dinding.fresh.todo"))
    rows = pd.DataFrame({
        ctx.t("dinding.col.source"): [s.label for s in age.sources],
        ctx.t("dinding.col.snapshot"): [ctx.fmt_datetime(s.snapshot_at) for s in age.sources],
        ctx.t("dinding.col.age"): [age_words(s.working_days, s.hours, ctx.lang) for s in age.sources],
        ctx.t("dinding.col.limit"): [limit_words(s.threshold, ctx.lang) for s in age.sources],
        ctx.t("dinding.col.state"): [ctx.t("dinding.fresh.stale" if s.stale else "dinding.fresh.ok") for s in age.sources],
    })
    table(rows, ["color: #ff6b6b; font-weight: 700" if s.stale else "" for s in age.sources])


# --- the look ------------------------------------------------------------------------------------

# Style only (no script, no data): the wall's dark theme, its type sizes in vh, and Streamlit's
# chrome hidden on this page (the element goes when the reader leaves the page). Panel rules match
# the panels' keyed containers ([class*=st-key-wall_p]: wall_panels and map_tick's wall_p_map).
CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stMainMenu"] { display: none !important; }
[data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #0b1320 !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1.2vh 2.4vw 0.6vh !important; }
[data-testid="stMain"] { color: #e6edf3; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] h2, [data-testid="stMain"] h3,
[data-testid="stMain"] table, [data-testid="stMain"] th, [data-testid="stMain"] td { color: #e6edf3 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #9fb0c3 !important; font-size: 2.1vh !important; }
[data-stale="true"] { opacity: 1 !important; }  /* a tick redraws in place: no fading */
/* The page title stays for screen readers and the tab; the header bar below says it on screen. */
[data-testid="stMain"] h1 { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.st-key-wall_head p { font-size: 5.4vh !important; line-height: 1.15 !important; margin: 0 !important; }
.st-key-wall_clock { text-align: right; gap: 0 !important; }
.st-key-wall_clock p { font-size: 2.6vh !important; color: #9fb0c3 !important; }
.st-key-wall_clock strong { display: block; font-size: 7vh; line-height: 1.05; color: #e6edf3; }
.st-key-wall_panels, .st-key-wall_p_map { margin-top: 1.2vh; }
[class*=st-key-wall_p] h2 { font-size: 4.6vh !important; padding: 0.4vh 0 0.8vh !important; }
[class*=st-key-wall_p] h3 { font-size: 3.4vh !important; padding: 0 0 0.6vh !important; }
[class*=st-key-wall_p] p, [class*=st-key-wall_p] li { font-size: 3vh !important; }
[class*=st-key-wall_p] [data-testid="stMetricLabel"] p { font-size: 4.2vh !important; color: #9fb0c3 !important; }
[class*=st-key-wall_p] [data-testid="stMetricValue"] p { font-size: 22vh !important; line-height: 1.05 !important;
  font-weight: 700; color: #ffffff !important; }
[class*=st-key-wall_p] [data-testid="stMetricDelta"] { background: transparent !important; padding-left: 0 !important;
  color: #9fb0c3 !important; }
[class*=st-key-wall_p] [data-testid="stMetricDelta"] p { font-size: 3.6vh !important; color: inherit !important; }
[class*=st-key-wall_p] [data-testid="stMetricDelta"] svg { width: 3.6vh; height: 3.6vh; }
[class*=st-key-wall_p] table { font-size: 3.1vh !important; background: transparent !important; }
[class*=st-key-wall_p] th { white-space: nowrap; font-size: 2.4vh !important; color: #9fb0c3 !important; background: #131d2e !important; }
[class*=st-key-wall_p] td, [class*=st-key-wall_p] th { padding: 0.6vh 1.2vw !important; border-color: #2a3850 !important; }
[class*=st-key-wall_p] [data-testid="stAlert"] p { font-size: 3vh !important; }
[data-testid="stMain"] [data-testid="stAlertContainer"] { background-color: #16243b !important; }
.st-key-wall_legend img { width: 30vw !important; max-width: 560px; }
.st-key-wall_stale p { color: #ff6b6b !important; font-size: 3.4vh !important; }
/* The data line stays at the bottom of the screen whichever panel shows (the map is drawn after it). */
.st-key-wall_foot { position: fixed; left: 2.4vw; right: 2.4vw; width: auto !important; bottom: 0; z-index: 5;
  background: #0b1320;
  border-top: 1px solid #2a3850; padding: 0.8vh 0 1.2vh; }
[data-testid="stMainBlockContainer"] { padding-bottom: 9vh !important; }
.st-key-wall_foot p { font-size: 2.6vh !important; color: #9fb0c3 !important; }
.st-key-wall_age_stale p { color: #ff6b6b !important; font-weight: 700; }
[data-testid="stMain"] .stMarkdownBadge { font-size: inherit !important; }
.st-key-wall_empty h2 { font-size: 8vh !important; }
[class*=st-key-wall_p] [data-testid="stTable"] { max-width: 100%; overflow-x: auto; }
/* Someone opening the wall on a phone gets the same panels in a phone's sizes. */
@media (max-width: 700px) {
  .st-key-wall_head p { font-size: 3.4vh !important; }
  .st-key-wall_clock p { font-size: 1.8vh !important; }
  .st-key-wall_clock strong { font-size: 4vh; }
  [class*=st-key-wall_p] h2 { font-size: 3vh !important; }
  [class*=st-key-wall_p] [data-testid="stMetricValue"] p { font-size: 9vh !important; }
  [class*=st-key-wall_p] [data-testid="stMetricLabel"] p { font-size: 2.2vh !important; }
  [class*=st-key-wall_p] p, [class*=st-key-wall_p] li, [class*=st-key-wall_p] table { font-size: 1.9vh !important; }
  [class*=st-key-wall_p] th { font-size: 1.6vh !important; }
  [class*=st-key-wall_p] [data-testid="stMetricDelta"] p, .st-key-wall_foot p { font-size: 1.9vh !important; }
  .st-key-wall_legend img { width: 80vw !important; }
}
</style>"""
