"""Tinjauan Mingguan: the review pack downloads and the commitments panel.

Downloads: the PDF (what travels on WhatsApp and opens on any phone), the XLSX (for the analyst)
and a ZIP of everything including one digest per unit (for the admin who forwards them; a phone
cannot easily open a zip, so the PDF is never only inside it). Files are rendered when a button is
pressed (``data`` is a callable), from the cached pack, so drawing the page stays fast.
The Bupati's WhatsApp text is shown in a code block, whose copy button works on a phone.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from analytics.review import commitments as cm
from analytics.review import files as pack_files_mod
from analytics.review.digest import bupati_digest, unit_digest
from analytics.review.pack import ReviewPack, with_commitments_of
from analytics.review.pdf import pdf_bytes
from analytics.review.workbook import workbook_bytes
from analytics.rules.periods import iso_week
from analytics.rules.policy import SlaPolicy
from analytics.store.reads import short_names
from ui import access, db, downloads
from ui.fmt import fmt_date

FLASH = "tinjauan_commit_flash"  # message shown once after a commitment was saved (survives st.rerun)


def pack_for(ctx, week: str, policy: SlaPolicy) -> ReviewPack:  # noqa: ANN001 - ui.frame.PageContext
    """The week's pack: the data part cached until the next import, the commitments read fresh
    (they change without an import)."""
    from analytics.review.pack import assemble, with_data_age
    from ui.frame import data_age

    data = ctx.query(assemble, week, ctx.as_of, policy, with_commitments=False)
    return with_data_age(with_commitments_of(data, ctx.con), data_age(ctx, policy))


def _zip(pack: ReviewPack) -> bytes:
    return pack_files_mod.zip_bytes(pack_files_mod.pack_files(pack))


def download_panel(ctx, pack: ReviewPack) -> None:  # noqa: ANN001 - ui.frame.PageContext
    t = ctx.t
    names = pack_files_mod.names(pack.week)
    row = st.container(horizontal=True)  # buttons side by side, wrapping on a narrow phone
    downloads.made_button(ctx, row, t("tinjauan.pack.pdf"), functools.partial(pdf_bytes, pack), file_name=names["pdf"],
                          mime="application/pdf", what="paket-pdf", key="pack_pdf", icon=":material/picture_as_pdf:")
    downloads.made_button(ctx, row, t("tinjauan.pack.xlsx"), functools.partial(workbook_bytes, pack),
                          file_name=names["xlsx"], what="paket-xlsx", key="pack_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    downloads.made_button(ctx, row, t("tinjauan.pack.zip"), functools.partial(_zip, pack),
                          file_name=f"tinjauan-{pack.week}.zip", mime="application/zip", what="paket-zip",
                          key="pack_zip")
    st.caption(t("tinjauan.pack.help", units=len(pack.units)))
    with st.expander(t("tinjauan.pack.whatsapp")):
        st.code(bupati_digest(pack), language=None, wrap_lines=True)


def own_digest_panel(ctx, pack: ReviewPack) -> None:  # noqa: ANN001 - ui.frame.PageContext
    """A unit account gets its own digest only: the whole pack lists other units' complaint ids."""
    code = ctx.viewer.unit
    names = dict(zip(pack.units["code"].astype(str), pack.units["name"].astype(str)))
    st.caption(ctx.t("tinjauan.pack.unit_only"))
    st.code(unit_digest(pack, code, names.get(code, code)), language=None, wrap_lines=True)


def pack_panel(ctx, week: str, policy: SlaPolicy) -> None:  # noqa: ANN001 - ui.frame.PageContext
    """A button that prepares the pack (it costs about as much as the page itself, so it is built
    only when asked, then kept for this week and policy), then the downloads."""
    ready = f"tinjauan_pack_{week}_{policy.name}"
    if not st.session_state.get(ready):
        # A callback sets the flag before the rerun, so the button is gone when the downloads show.
        st.button(ctx.t("tinjauan.pack.prepare"), icon=":material/description:", key="pack_prepare",
                  on_click=_mark_ready, args=(ready,))
        st.caption(ctx.t("tinjauan.pack.about"))
        return
    pack = pack_for(ctx, week, policy)
    if ctx.viewer.role == "unit":
        own_digest_panel(ctx, pack)
    else:
        download_panel(ctx, pack)


def _mark_ready(key: str) -> None:
    st.session_state[key] = True


def commitment_frame(rc: cm.ReviewCommitments, short: dict[str, str], t, lang: str) -> pd.DataFrame:  # noqa: ANN001
    """Overdue, due and done commitments as text columns for a phone: unit, promise, due, state."""
    rows = []
    for state, frame in (("overdue", rc.overdue), ("due", rc.due), ("done", rc.done)):
        for r in frame.itertuples():
            rows.append({t("tinjauan.commit.col.unit"): short.get(str(r.unit_code), str(r.unit)),
                         t("tinjauan.commit.col.text"): str(r.text),
                         t("tinjauan.commit.col.due"): fmt_date(r.due_on, lang=lang),
                         t("tinjauan.commit.col.state"): t(f"tinjauan.commit.state.{state}")})
    return pd.DataFrame(rows)


def open_commitments(rows: pd.DataFrame) -> dict[int, str]:
    """Open commitments (id -> "unit · text") for the mark-done choice, soonest due first."""
    open_rows = rows[rows["done_on"].isna()]
    return {int(r.id): f"#{int(r.id)} {r.unit} · {str(r.text)[:60]}" for r in open_rows.itertuples()}


def commitments_panel(ctx, week: str) -> None:  # noqa: ANN001 - ui.frame.PageContext
    """The week's commitments (overdue, due before the next review, done in the week), a form to
    add one (made at this week's review) and one to mark an open one done. Read fresh every run:
    they change without an import."""
    t = ctx.t
    if FLASH in st.session_state:
        st.success(st.session_state.pop(FLASH))
    period = iso_week(week)
    rows = cm.list_all(ctx.con)
    frame = commitment_frame(cm.for_review(rows, period), ctx.query(short_names), t, ctx.lang)
    if frame.empty:
        st.info(t("tinjauan.commit.none"))
    else:
        st.dataframe(frame, hide_index=True)
    if ctx.viewer.role == "unit":
        return  # commitments are recorded by the review's secretariat, not by the unit itself
    units = cm.known_units(ctx.con)
    with st.form("commit_add", clear_on_submit=True, enter_to_submit=False):
        st.markdown(f"**{t('tinjauan.commit.add')}**")
        labels = dict(zip(units["code"], units["short"]))
        code = st.selectbox(t("tinjauan.commit.unit"), list(labels), format_func=labels.get, filter_mode=None,
                            key="commit_unit")
        text = st.text_input(t("tinjauan.commit.text"), max_chars=cm.MAX_TEXT, key="commit_text")
        due = st.date_input(t("tinjauan.commit.due"), value=period.end + timedelta(days=7),
                            min_value=period.start, format="DD/MM/YYYY", key="commit_due")
        if st.form_submit_button(t("tinjauan.commit.save")):
            _save(ctx, code, text, due, week)
    choices = open_commitments(rows)
    if choices:
        with st.form("commit_done", enter_to_submit=False):
            st.markdown(f"**{t('tinjauan.commit.mark')}**")
            chosen = st.selectbox(t("tinjauan.commit.which"), list(choices), format_func=choices.get,
                                  filter_mode=None, key="commit_which")
            on = st.date_input(t("tinjauan.commit.done_on"), value=ctx.today, format="DD/MM/YYYY", key="commit_on")
            if st.form_submit_button(t("tinjauan.commit.done")):
                _done(ctx, chosen, on)


def _save(ctx, code: str, text: str, due: date, week: str) -> None:  # noqa: ANN001
    if not (text or "").strip():
        st.error(ctx.t("tinjauan.commit.empty"))
        return
    try:
        new_id = db.write(cm.add, unit=code, text=text, due_on=due, made_week=week,
                          created_at=pd.Timestamp.now(tz="UTC"))
    except ValueError as exc:
        st.error(ctx.t("tinjauan.commit.refused", problem=str(exc)))
        return
    access.record(ctx.con, ctx.viewer, "commitment", {"added": int(new_id), "unit": code, "week": week})
    st.session_state[FLASH] = ctx.t("tinjauan.commit.saved")
    st.rerun()


def _done(ctx, commitment_id: int, on: date) -> None:  # noqa: ANN001
    try:
        db.write(cm.mark_done, commitment_id, done_on=on)
    except ValueError as exc:
        st.error(ctx.t("tinjauan.commit.refused", problem=str(exc)))
        return
    access.record(ctx.con, ctx.viewer, "commitment", {"done": int(commitment_id)})
    st.session_state[FLASH] = ctx.t("tinjauan.commit.marked")
    st.rerun()
