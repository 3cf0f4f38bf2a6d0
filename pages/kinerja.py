"""Catatan Kinerja: the Tukin ledger of a closed month (docs/ledger.md).

On a phone's first screen: the month picker (?bulan=2025-10), one line with the month, version and
state (closed when, appeals until when; an old or reopened version says so), then a unit account's
own figures as cards, or for pimpinan and analis every unit worst first. Below: how the latest
data reads differently, the cases of one unit (?unit=; a unit account only its own), filing an
appeal (unit accounts, within the window), the analis's queue of appeals, the BKPSDM report (PDF,
XLSX), closing and reopening (analis), and what the version is. Every ledger call is in
ui/ledger_ui.py.
"""

import streamlit as st

from ui import ledger_ui as lui
from ui.frame import page_frame, panel

ctx = page_frame("nav.kinerja")
t = ctx.t
role = ctx.viewer.role

months = lui.closed_months(ctx)
if not months:
    st.info(t("kinerja.none"))
    if role == "analis":
        with panel(t("kinerja.actions"), title=lui.can_act(ctx)):  # without a login: one line, no heading
            lui.actions_panel(ctx, None)
    else:
        st.caption(t("kinerja.none.others"))
    st.stop()

month, version = lui.month_picker(ctx, months)
month_obj = lui.read_month(ctx, month, version)
st.markdown(lui.status_line(ctx, month_obj, lui.now()))
lui.show_flash("top")

with panel(t("kinerja.figures")):
    lui.figures(ctx, month_obj)
    lui.drift_line(ctx, month_obj)

with panel(t("kinerja.cases.own" if role == "unit" else "kinerja.cases"), title=True):
    lui.cases_panel(ctx, month_obj)

if role == "unit":
    with panel(t("kinerja.appeal"), title=True):
        lui.appeal_panel(ctx, month_obj)
elif role == "analis":
    with panel(t("kinerja.queue"), title=True):
        lui.queue_panel(ctx, month_obj)

with panel(t("kinerja.downloads"), title=True):
    lui.downloads_panel(ctx, month_obj)

if role == "analis":
    with panel(t("kinerja.actions"), title=lui.can_act(ctx)):
        lui.actions_panel(ctx, month_obj)

with st.expander(t("kinerja.details")):
    lui.details(ctx, month_obj)
