"""unit: placeholder until the page lands (ui/README.md shows the page pattern)."""

import streamlit as st

from ui.frame import page_frame
from ui.i18n import t

ctx = page_frame("nav.unit")
st.info(t("page.coming_soon", lang=ctx.lang), icon=":material/construction:")
