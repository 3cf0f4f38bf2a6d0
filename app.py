"""Pantau's server: `streamlit run app.py` (run.sh does it for you).

The dashboard itself is dashboard.py; this file puts Pantau's HTTP guard (ui/guard.py) in front
of it with Streamlit's ``st.App``: downloads only to the browser that pressed the button, and the
identity provider's refusal shown on the login page (docs/security.md). Started as
``streamlit run dashboard.py`` instead, Pantau runs without the guard and switches its download
buttons off.
"""

import streamlit as st
from starlette.middleware import Middleware

from ui.guard import Guard

app = st.App("dashboard.py", middleware=[Middleware(Guard)])
