"""The frame every page starts with: ``ctx = page_frame("nav.peringkat")``.

``page_frame`` opens this run's cursor, reads the store's facts (region, demo flag, data version,
latest snapshot), draws the page title, the demo banner and the freshness line, and stops with
the first-run page when the store is empty. ``panel`` keeps one failing panel from taking the page
down. ui/README.md shows a whole page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from analytics import config, store
from analytics.live import freshness
from analytics.metrics.clock import policy_calendar
from analytics.rules.periods import reference_day
from analytics.rules.policy import DEFAULT_POLICY, SlaPolicy, list_policies, load_policy
from analytics.rules.regions import Region, load_region
from analytics.security.access import Viewer
from analytics.store import status
from ui import access, db, fmt
from ui.i18n import current_lang, t
from ui.nav import leave_legacy_pages_mode, page_file
from ui.widgets import POLICY_KEY

log = logging.getLogger("pantau.ui")
R = TypeVar("R")
LOCKED_RETRY_S = 3.0  # a page waiting for the store to be free asks again this often


@dataclass(frozen=True, eq=False)
class PageContext:
    """What a page needs from the frame. Frozen: pages read it, never change it.

    con           this run's DuckDB cursor (pass it to analytics functions; never share across runs)
    lang          "id" or "en"
    region        the store's regency (analytics.rules.regions.Region) or None when it has none
    is_demo       the store holds the synthetic demo regency
    data_version  changes after every import; key for cached reads (``query`` uses it)
    tz, tz_label  the regency's zone ("Asia/Jakarta", "WIB"); display times in it
    as_of         latest snapshot (UTC): the moment the data describes; None on an empty store
    complaints    number of complaints in the store
    quarantined   number of quarantined rows (rows an import refused): with ``complaints``, tells an
                  empty store from one holding real data
    last_received the newest complaint's receipt (UTC): with as_of, decides the default periods' end
    db_path       the store's file
    viewer        who is looking (analytics.security.access.Viewer): pass ``viewer.row_scope`` to every
                  query that returns complaint rows, and check ``viewer.can_*`` before imports
                  and reveals (ui/access.py, docs/security.md)
    """

    con: duckdb.DuckDBPyConnection
    lang: str
    region: Region | None
    is_demo: bool
    data_version: str
    tz: str
    tz_label: str
    as_of: pd.Timestamp | None
    complaints: int
    quarantined: int = 0
    db_path: Path = field(default_factory=db.db_path)
    # Least privilege until page_frame's gate says who is looking.
    viewer: Viewer = field(default_factory=lambda: Viewer("pimpinan"))
    last_received: pd.Timestamp | None = None  # the newest complaint's receipt (UTC)

    @property
    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con

    @property
    def region_name(self) -> str:
        """Short regency name ("Kab. Bekasi"), or "" without a region."""
        return self.region.short_name if self.region else ""

    @property
    def today(self) -> date:
        """The day the default periods ("minggu ini", "30 hari") end on: the data moment's date in
        the regency's zone, or the last complaint's receipt date when that is earlier (an export
        that ended a year before it was imported opens on its own last 30 days). Without data:
        today."""
        moment = self.as_of if self.as_of is not None else pd.Timestamp(datetime.now(UTC))
        return reference_day(moment, self.tz, self.last_received)

    def t(self, key: str, **kwargs: Any) -> str:
        return t(key, lang=self.lang, **kwargs)

    def query(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """``fn(ctx.con, *args, **kwargs)``, cached until the next import (see ui.db.cached_query)."""
        return db.cached_query(self.con, self.data_version, fn, *args, **kwargs)

    def fmt_date(self, ts: object) -> str:
        """``13 Jun 2025`` in the regency's zone and the page language."""
        return fmt.fmt_date(ts, self.tz, lang=self.lang)

    def fmt_datetime(self, ts: object) -> str:
        """``13 Jun 2025 15.05 WIB`` in the regency's zone and the page language."""
        return fmt.fmt_datetime(ts, self.tz, lang=self.lang)


@dataclass(frozen=True)
class _Facts:
    region_slug: str | None
    is_demo: bool
    data_version: str
    as_of: pd.Timestamp | None
    complaints: int
    last_received: pd.Timestamp | None = None
    quarantined: int = 0


def _read_facts(con: duckdb.DuckDBPyConnection) -> _Facts:
    fresh = status.freshness(con)
    return _Facts(
        region_slug=store.get_meta(con, "region"),
        is_demo=store.get_meta(con, "is_demo") == "1",
        data_version=status.data_version(con),
        as_of=fresh.latest_snapshot_at,
        complaints=fresh.complaints,
        last_received=fresh.latest_received_at,
        quarantined=store.quarantined_count(con),
    )


def _region(slug: str | None) -> Region | None:
    if not slug:
        return None
    try:
        return load_region(slug)
    except ValueError:
        # A store from a newer Pantau (or a removed registry folder): show data without names.
        log.warning("store names region %r, which this version does not know", slug)
        return None


def open_context(lang: str | None = None) -> PageContext:
    """Build the context without drawing anything (for tests and for code outside a page)."""
    lang = lang or current_lang()
    con = db.cursor()
    facts = _read_facts(con)
    region = _region(facts.region_slug)
    tz = region.timezone if region else config.DEFAULT_TZ
    return PageContext(
        con=con,
        lang=lang,
        region=region,
        is_demo=facts.is_demo,
        data_version=facts.data_version,
        tz=tz,
        tz_label=region.tz_label if region else fmt.tz_label(tz),
        as_of=facts.as_of,
        complaints=facts.complaints,
        quarantined=facts.quarantined,
        last_received=facts.last_received,
    )


def page_frame(title_key: str, *, allow_empty: bool = False, data_line: bool = True) -> PageContext:
    """Start a page: title, demo banner, freshness line; the first-run page if the store is empty.

    ``title_key`` is the i18n key of the page title (``"nav.peringkat"``). ``allow_empty=True``
    (the Data page) skips the first-run page so an empty store can be filled from the page.
    ``data_line=False`` leaves the freshness line to the page (the wall redraws its own on every
    tick). Stops the run (``st.stop``) with a plain message when the store cannot be opened.
    """
    leave_legacy_pages_mode()
    lang = current_lang()
    try:
        ctx = open_context(lang)
    except store.StoreLocked:
        # Only between a server start and the end of a CLI import begun before it (the server
        # takes the store when that import lets go: analytics/live/owner.py): try again shortly.
        st.title(t(title_key, lang=lang))
        st.info(t("db.locked", lang=lang), icon=":material/sync:")
        time.sleep(LOCKED_RETRY_S)
        st.rerun()
    except Exception:  # a damaged or unreadable file: say so, log the details, no traceback
        log.exception("opening the store failed")
        st.title(t(title_key, lang=lang))
        st.error(t("db.failed", lang=lang))
        st.stop()

    viewer = access.gate(ctx.con, is_demo=ctx.is_demo, complaints=ctx.complaints, quarantined=ctx.quarantined,
                         lang=lang)  # or stop
    ctx = replace(ctx, viewer=viewer)
    with st.sidebar:
        access.account_box(viewer, ctx.con, lang)
    st.title(ctx.t(title_key))
    _chrome_texts(lang)
    notice = access.open_notice(viewer, access.store_kind(ctx.is_demo, ctx.complaints, ctx.quarantined), lang)
    if ctx.is_demo:
        # One line on a phone (a badge and a few words); the whole sentence is in its tooltip.
        about = ctx.t("frame.demo_banner", region=ctx.region_name or "Kab. Bekasi") + (f" {notice}" if notice else "")
        st.caption(ctx.t("frame.demo_line"), help=about)
    elif notice:
        st.warning(notice, icon=":material/lock_open:")
    if ctx.complaints == 0:
        if not allow_empty:
            first_run(ctx)
            st.stop()
        return ctx
    if data_line:
        _freshness_line(ctx)
    return ctx


# Streamlit's file uploader writes "Upload" and "50MB per file • CSV, ..." in English whatever the
# page language (streamlit#13500: no parameter for them). In Indonesian the two are replaced by
# CSS text, the only handle there is: a style-only st.html takes no space and runs no script. The
# accepted types are in each uploader's own label. tests/browser/test_first_screen.py looks.
_UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p
  {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p::after
  {{ content: "{button}"; font-size: 1rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{limit}"; font-size: 0.875rem; }}
</style>"""


def _chrome_texts(lang: str) -> None:
    """Streamlit's own words on our widgets in the page language, where Streamlit has none (Indonesian)."""
    if lang == "en":
        return
    mb = st.get_option("server.maxUploadSize")
    texts = {"button": t("frame.upload.button", lang=lang),
             "limit": t("frame.upload.limit", lang=lang, mb=fmt.fmt_int(mb, lang=lang))}
    st.html(_UPLOADER_CSS.format(**{k: v.replace("\\", "").replace('"', "") for k, v in texts.items()}))


def page_policy() -> SlaPolicy:
    """The SLA policy this session reads the pages with (the policy picker's choice, ``?kebijakan=``),
    else the default: the frame draws before the page's picker does."""
    names = list_policies()
    for wanted in (st.session_state.get(POLICY_KEY), st.query_params.get(POLICY_KEY)):
        if wanted in names:
            return load_policy(wanted)
    return load_policy(DEFAULT_POLICY if DEFAULT_POLICY in names else None)


def data_age(ctx: PageContext, policy: SlaPolicy | None = None, now: datetime | None = None) -> freshness.DataAge:
    """How old the store's data is now (analytics.live.freshness: per source, in the policy's
    working days, stale past the policy's [freshness] limit). The snapshots are read once per
    import; the verdict is made on every call, against the clock."""
    policy = policy or page_policy()
    moment = pd.Timestamp(now if now is not None else datetime.now(UTC))
    snaps = ctx.query(freshness.snapshots)
    return freshness.data_age(snaps, moment, policy.freshness, policy_calendar(policy), policy.timezone)


def freshness_texts(ctx: PageContext, age: freshness.DataAge) -> tuple[str, str | None]:
    """(the line, the warning's tooltip or None): "Kab. Bekasi · data per 20 Nov 2025 12.00 WIB ·
    3 jam lalu"; stale: the age becomes a red badge naming the late source (when the store has
    more than one) and the line gives the day without the hour, so that it stays one line on a
    390-px phone; the tooltip says the times, which sources, how late, and what to do."""
    line = _as_of_line(ctx)
    current = age.current
    if current is None:
        return line, None
    if not age.stale:
        return f"{line} · {freshness.age_words(current.working_days, current.hours, ctx.lang)}", None
    line = _as_of_line(ctx, ctx.fmt_date(ctx.as_of))
    worst = age.worst
    words = freshness.age_words(worst.working_days, worst.hours, ctx.lang)
    what = f"{fmt.md_escape(worst.label)} {words}" if len(age.sources) > 1 else words
    lines = [ctx.t("frame.stale.source", source=fmt.md_escape(s.label), when=ctx.fmt_datetime(s.snapshot_at),
                   age=freshness.age_words(s.working_days, s.hours, ctx.lang),
                   limit=freshness.limit_words(s.threshold, ctx.lang)) for s in age.stale_sources]
    tip = " ".join(lines) + " " + ctx.t("frame.stale.todo")
    return f"{line} {ctx.t('frame.stale_badge', what=what)}", tip


def _as_of_line(ctx: PageContext, when: str | None = None) -> str:
    when = when or ctx.fmt_datetime(ctx.as_of)
    if ctx.region:
        return ctx.t("frame.as_of", region=ctx.region_name, when=when)
    return ctx.t("frame.as_of_noregion", when=when)


def _freshness_line(ctx: PageContext) -> None:
    # One caption line; past the limit the age turns into a red badge on the same line and what to
    # do is in its tooltip: the first phone screen stays for the answers.
    try:
        age = data_age(ctx)
    except Exception:  # a policy or calendar that cannot be read must not take the page down
        log.exception("judging the data's age failed")
        st.caption(_as_of_line(ctx))
        return
    line, tip = freshness_texts(ctx, age)
    st.caption(line, help=tip)


def first_run(ctx: PageContext) -> None:
    """What Pantau is and the ways to fill an empty store."""
    st.subheader(ctx.t("firstrun.title"))
    st.markdown(ctx.t("firstrun.what"))
    st.markdown(ctx.t("firstrun.empty"))
    st.markdown(ctx.t("firstrun.way_upload"))
    st.page_link(page_file("data"), label=ctx.t("firstrun.go_data"), icon=":material/upload_file:")
    st.markdown(ctx.t("firstrun.way_cli"))
    st.code("python -m analytics import FILE.xlsx", language="bash")
    st.markdown(ctx.t("firstrun.way_demo"))
    if not ctx.viewer.can_import:
        st.caption(ctx.t("access.import.analis_only"))
    elif st.button(ctx.t("firstrun.demo_button"), icon=":material/science:", key="firstrun_demo"):
        with st.spinner(ctx.t("firstrun.demo_running")):
            report = db.load_demo_data(ctx.con)
        access.record(ctx.con, ctx.viewer, "demo", {"loaded": int(report.rows_new)})
        st.rerun()
    st.caption(ctx.t("firstrun.db", path=str(ctx.db_path)))


@contextmanager
def panel(name: str, *, title: bool = False) -> Iterator[None]:
    """A page section that cannot take the page down.

    Everything drawn inside goes into one slot; if the body raises, the slot is replaced by
    ``st.warning(t("panel.failed", name=name))`` and the error is logged with its traceback
    (server log only). ``st.stop()``/``st.rerun()`` pass through. ``title=True`` draws ``name``
    as the section's subheader (kept when the panel fails).
    """
    slot = st.empty()
    failed = False
    with slot.container():
        if title:
            st.subheader(name)
        try:
            yield
        except Exception:
            log.exception("panel %r failed", name)
            failed = True
    if failed:
        with slot.container():
            if title:
                st.subheader(name)
            st.warning(t("panel.failed", name=name), icon=":material/error:")
