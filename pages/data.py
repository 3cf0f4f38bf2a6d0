"""Data: what the store holds and how to fill it.

Freshness, upload an export (import report), import history, quarantined rows, unknown names.
Reporter names, contacts and complaint text never appear: the quarantine rows come masked from
analytics.store.status.
"""

import functools
import logging

import pandas as pd
import streamlit as st

from analytics.importers.errors import RefusedFile
from analytics.rules.regions import list_regions
from analytics.security import audit
from analytics.store import status
from ui import access
from ui import data_tables as tables
from ui.db import clear_demo_data, import_upload
from ui.fmt import fmt_int, md_escape
from ui.frame import page_frame, panel
from ui.i18n import option_labels

log = logging.getLogger("pantau.ui")
OUTCOME_KEY = access.IMPORT_OUTCOME_KEY  # the last import's result, shown until the next one (and on the setup page)
ROUND_KEY = "data_upload_round"  # bumped after an import so the uploader starts empty again
FORMATS = ("auto", "sp4n-ringkas", "pantau", "mapping")
# On a phone the table toolbar (search, download, full screen) is always shown and floats ~36 px
# above the table, over whatever is there; this much empty space keeps headings readable.
TOOLBAR_GAP = 24

ctx = page_frame("nav.data", allow_empty=True)
t = ctx.t


def show_table(frame: pd.DataFrame, *, wide: tuple[str, ...] = ()) -> None:
    config = {c: st.column_config.TextColumn(alignment="right") for c in tables.numeric_columns(frame, ctx.lang)}
    config |= {c: st.column_config.TextColumn(width="large") for c in wide}
    st.space(TOOLBAR_GAP)
    st.dataframe(frame, hide_index=True, column_config=config)


def show_freshness(fresh: status.Freshness) -> None:
    cards = st.grid(2, min_column_width=120)
    cards.metric(t("data.fresh.complaints"), fmt_int(fresh.complaints, lang=ctx.lang))
    cards.metric(t("data.fresh.batches"), fmt_int(fresh.batches, lang=ctx.lang))
    st.markdown(
        f"- {t('data.fresh.snapshot')}: **{ctx.fmt_datetime(fresh.latest_snapshot_at)}**\n"
        f"- {t('data.fresh.received')}: **{ctx.fmt_datetime(fresh.latest_received_at)}**\n"
        f"- {t('data.fresh.imported')}: **{ctx.fmt_datetime(fresh.latest_imported_at)}**"
    )


def run_import(upload, fmt: str, mapping, region: str) -> None:
    try:
        with st.spinner(t("data.upload.running", file=upload.name)):
            report = import_upload(
                ctx.con, upload.name, upload.getvalue(), fmt=fmt,
                mapping_name=mapping.name if mapping else None,
                mapping_data=mapping.getvalue() if mapping else None, region=region,
                viewer=ctx.viewer,  # the audit row is written with the import, in its transaction
            )
    except RefusedFile as exc:
        access.record(ctx.con, ctx.viewer, "import", {"file": upload.name, "refused": exc.problem})
        st.session_state[OUTCOME_KEY] = {"kind": "refused", "file": upload.name, "problem": exc.problem,
                                         "expected": exc.expected}
        return
    except Exception:
        log.exception("import of %s failed", upload.name)
        st.session_state[OUTCOME_KEY] = {"kind": "failed", "file": upload.name}
        return
    st.session_state[OUTCOME_KEY] = {"kind": "ok", "report": report}
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.rerun()  # every panel below (and every cached view) now sees the new data version


def upload_form() -> None:
    if not ctx.viewer.can_import:
        st.info(t("access.import.analis_only"), icon=":material/lock:")
        return
    n = st.session_state.get(ROUND_KEY, 0)
    upload = st.file_uploader(t("data.upload.file"), type=["csv", "xlsx", "xls"], help=t("data.upload.help"),
                              key=f"data_file_{n}")
    with st.expander(t("data.upload.options")):
        fmt = st.selectbox(t("data.upload.format"), FORMATS, format_func=option_labels("data.format.", ctx.lang),
                           key="data_format", filter_mode=None)
        mapping = st.file_uploader(t("data.upload.mapping"), type=["toml"], key=f"data_mapping_{n}")
        region = "auto"
        if ctx.region is None:  # once the store has a regency, every import belongs to it
            region = st.selectbox(t("data.upload.region"), ["auto", *list_regions()], key="data_region",
                                  format_func=functools.partial(tables.region_label, ctx.lang), filter_mode=None)
    if st.button(t("data.upload.button"), type="primary", icon=":material/upload:", disabled=upload is None):
        run_import(upload, fmt, mapping, region)
    if ctx.is_demo:
        st.caption(t("data.demo_note"))
        confirm = st.checkbox(t("data.demo_clear.confirm"), key="data_demo_confirm")
        if st.button(t("data.demo_clear.button"), icon=":material/delete:", disabled=not confirm):
            st.session_state[OUTCOME_KEY] = {"kind": "cleared", "n": clear_demo_data(ctx.con)}
            access.record(ctx.con, ctx.viewer, "demo", {"cleared": st.session_state[OUTCOME_KEY]["n"]})
            st.rerun()


def show_outcome(outcome: dict) -> None:
    kind = outcome["kind"]
    if kind == "refused":
        st.error(t("data.report.refused", file=md_escape(outcome["file"])) + "\n\n" + md_escape(outcome["problem"]))
        if outcome["expected"]:
            st.caption(t("data.report.expected"))
            st.code(", ".join(outcome["expected"]), language=None, wrap_lines=True)
    elif kind == "failed":
        st.error(t("data.report.failed", file=md_escape(outcome["file"])))
    elif kind == "cleared":
        st.success(t("data.demo_clear.done", n=fmt_int(outcome["n"], lang=ctx.lang)))
    else:
        show_report(outcome["report"])


def show_report(report) -> None:
    name = md_escape(report.file_name)
    if report.already_imported:
        st.info(t("data.report.already", file=name, batch=report.previous_batch_id))
        return
    st.success(t("data.report.ok", file=name, batch=report.batch_id))
    cards = st.grid(3, min_column_width=100)
    for label, value in tables.report_counts(report, ctx.lang):
        cards.metric(label, value)
    if report.stages_estimated:
        st.caption(t("data.report.estimated", n=fmt_int(report.stages_estimated, lang=ctx.lang)))
    if report.control_cells:
        st.caption(t("data.report.control", n=fmt_int(report.control_cells, lang=ctx.lang)))
    if report.quarantine_reasons:
        st.markdown(f"**{t('data.report.reasons')}**")
        show_table(tables.reasons_table(report.quarantine_reasons, ctx.lang))
    if report.region_note:  # found from the file's place names: say which and how sure
        st.caption(md_escape(report.region_note[ctx.lang]))
    if report.unknown_statuses:  # kept, not quarantined: say which words and how to teach them
        st.caption(t("data.report.statuses", words=", ".join(
            f"{md_escape(k)} ({fmt_int(v, lang=ctx.lang)})" for k, v in report.unknown_statuses.items())))
    unknown = {"unit": report.unknown_units, "kecamatan": report.unknown_kecamatan, "desa": report.unknown_desa}
    if any(unknown.values()):
        st.markdown(f"**{t('data.report.unknown')}**")
        show_table(tables.unknown_table(unknown, ctx.lang))


# --- the screen -------------------------------------------------------------------------------

with panel(t("data.fresh.title"), title=True):
    fresh = status.freshness(ctx.con)
    if fresh.complaints == 0:
        st.info(t("data.empty_hint"))
    else:
        show_freshness(fresh)

with panel(t("data.upload.title"), title=True):
    upload_form()
    if OUTCOME_KEY in st.session_state:
        show_outcome(st.session_state[OUTCOME_KEY])

with panel(t("data.history.title"), title=True):
    history = ctx.query(status.import_history)
    if history.rows.empty:
        st.info(t("data.history.empty"))
    else:
        show_table(tables.history_table(history.rows, ctx.tz, ctx.lang))
        if history.truncated:
            st.caption(t("data.history.truncated", n=history.limit))

with panel(t("data.inbox.title"), title=True):
    inbox = ctx.query(status.inbox_imports)
    if inbox.empty:
        st.caption(t("data.inbox.empty"))
    else:
        st.caption(t("data.inbox.intro"))
        show_table(tables.inbox_table(inbox, ctx.tz, ctx.lang))

with panel(t("data.quarantine.title"), title=True):
    quarantined = ctx.query(status.quarantine_rows)
    if quarantined.rows.empty:
        st.info(t("data.quarantine.empty"))
    else:
        st.caption(t("data.quarantine.intro"))
        st.markdown(f"**{t('data.quarantine.by_reason')}**")
        show_table(tables.reasons_table(ctx.query(status.quarantine_reason_counts), ctx.lang))
        if not ctx.viewer.can_import:  # raw rows carry complaint ids of every unit
            st.caption(t("access.quarantine.analis_only"))
        else:
            st.markdown(f"**{t('data.quarantine.rows')}**")
            show_table(tables.quarantine_table(quarantined.rows, ctx.lang), wide=(t("data.col.raw"),))
            if quarantined.truncated:
                st.caption(t("data.quarantine.truncated", n=quarantined.limit))

with panel(t("data.unknown.title"), title=True):
    if ctx.region is None:
        st.info(t("data.unknown.no_region"))
    else:
        names = ctx.query(status.unknown_names)
        table = tables.unknown_table(names, ctx.lang)
        if table.empty:
            st.info(t("data.unknown.empty"))
        else:
            show_table(table)
            st.caption(t("data.unknown.intro", region=ctx.region.name, slug=ctx.region.slug))
            if any(v.truncated for v in names.values()):
                st.caption(t("data.unknown.truncated", n=status.UNKNOWN_LIMIT))

if ctx.viewer.can_read_audit:
    with panel(t("access.audit.title"), title=True):
        log_rows = audit.recent(ctx.con)  # not cached: the log changes without an import
        if log_rows.empty:
            st.info(t("access.audit.empty"))
        else:
            st.caption(t("access.audit.caption", n=fmt_int(audit.RECENT_LIMIT, lang=ctx.lang)))
            show_table(tables.audit_table(log_rows, ctx.tz, ctx.lang), wide=(t("access.audit.col.detail"),))
