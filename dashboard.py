"""Pantau dashboard entry point: `streamlit run dashboard.py` (run.sh does it for you).

This file is the frame around every page: page config, the language switch in the sidebar (the
drawer on a phone), the navigation built from ui.nav.PAGES, then the chosen page. Each page
starts with ``ctx = ui.frame.page_frame(...)`` for the title, the demo banner and the store
(ui/README.md).
"""

from __future__ import annotations

import logging

import streamlit as st

from ui import db
from ui.i18n import t
from ui.nav import build_pages, leave_legacy_pages_mode
from ui.widgets import language_switch

log = logging.getLogger("pantau.ui")

leave_legacy_pages_mode()  # a fresh server would otherwise run pages/ the legacy way first

st.set_page_config(
    page_title="Pantau",
    # An emoji, not a :material/ icon: Streamlit fetches a material favicon from fonts.gstatic.com,
    # a request to a third party on every page (docs/maps.md: nothing is sent to anyone else).
    page_icon="📊",
    layout="wide",
    initial_sidebar_state="auto",  # open on desktop, a drawer (») on a phone
    menu_items={"About": "Pantau: dasbor aduan masyarakat untuk pimpinan daerah."},
)

with st.sidebar:
    language_switch()

page = st.navigation(build_pages(t), position="sidebar")

try:
    page.run()
except Exception:
    # Panels catch their own errors (ui.frame.panel); this is the last line for the rest.
    # st.stop()/st.rerun() are BaseExceptions and pass through.
    log.exception("page %s failed", page.url_path)
    st.error(t("page.failed"), icon=":material/error:")
finally:
    db.end_run()  # the run's cursors end with the run, not at the next garbage collection
