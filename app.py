"""Pantau's server: `streamlit run app.py` (run.sh does it for you).

The dashboard itself is dashboard.py; this file puts Pantau's HTTP guard (ui/guard.py) in front
of it with Streamlit's ``st.App``: downloads only to the browser that pressed the button, and the
identity provider's refusal shown on the login page (docs/security.md). Started as
``streamlit run dashboard.py`` instead, Pantau runs without the guard and switches its download
buttons off.

At start-up the server takes the store (analytics/live/owner.py): from then on ``python -m
analytics import`` from cron, the inbox watcher or a terminal runs through this process instead of
finding the file locked (docs/operations.md). If a CLI import holds the file at that moment, the
server takes it as soon as the import lets go.
"""

from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from analytics import config
from analytics.cli.main import dispatch
from analytics.live import owner
from ui.guard import Guard


@asynccontextmanager
async def lifespan(_app):
    owner.serve_when_free(config.db_path(), dispatch)
    yield
    owner.release_all()


app = st.App("dashboard.py", middleware=[Middleware(Guard)], lifespan=lifespan)
