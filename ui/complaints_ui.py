"""The complaint list of one unit, masked for the viewer, with the analyst's logged reveal.

Who sees what (analytics.security.access, analytics.security.privacy, docs/security.md):
- a ``unit`` viewer: its own unit's complaints in full (text and reporter), other units' not at all;
- ``pimpinan``: every unit's complaints, text with phones/NIK/e-mails masked, no reporter;
- ``analis``: like pimpinan until "Tampilkan data pribadi" with a written reason; the reveal is
  written to the audit log (who, when, unit, period, complaint ids, reason) and lasts while the
  same unit and period are on screen.
Rahasia and Anonim complaints never show the reporter, and their text stays masked, for everyone.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.rules.model import STATUSES
from analytics.security import privacy
from analytics.store.reads import ComplaintList, unit_complaints
from ui import access
from ui.fmt import MISSING, fmt_int

REVEAL_KEY = "complaints_revealed"  # (unit, lo, hi) of the list the analyst revealed


def list_frame(rows: pd.DataFrame, ctx) -> pd.DataFrame:
    """Masked complaint rows (privacy.mask_complaints) as labelled text columns for reading."""
    t, lang = ctx.t, ctx.lang
    status = [getattr(STATUSES.get(s), "label_id" if lang == "id" else "label_en", s) for s in rows["status"]]
    place = [", ".join(str(v) for v in (d, k) if isinstance(v, str) and v) or MISSING
             for d, k in zip(rows["desa"], rows["kecamatan"])]
    kind = [t("access.kind.rahasia") if c else t("access.kind.anonim") if a else ""
            for c, a in zip(rows["confidential"].fillna(False), rows["anonymous"].fillna(False))]
    text = lambda col: [v if isinstance(v, str) and v else MISSING for v in rows[col]]  # noqa: E731
    # Phone order: after the pinned number, what the complaint says and who sent it; then the rest.
    return pd.DataFrame({
        t("access.col.id"): rows["source_id"].astype("str").to_list(),
        t("access.col.text"): text("text"),
        t("access.col.reporter"): text("reporter_name"),
        t("access.col.contact"): text("reporter_contact"),
        t("access.col.kind"): kind,
        t("access.col.received"): [ctx.fmt_datetime(v) for v in rows["received_at"]],
        t("access.col.status"): status,
        t("access.col.category"): text("category"),
        t("access.col.place"): place,
    })


def complaint_list(ctx, unit_code: str, period) -> None:
    """The list panel's body for ``unit_code`` over ``period`` (analytics.rules.periods.Period)."""
    viewer, t = ctx.viewer, ctx.t
    if not viewer.may_list(unit_code):
        st.info(t("access.rows.other_unit"), icon=":material/lock:")
        return
    lo, hi = period.utc_bounds(ctx.tz)
    found: ComplaintList = ctx.query(unit_complaints, unit_code, lo, hi)
    if found.rows.empty:
        st.info(t("access.list.empty"))
        return
    marker = (unit_code, lo.isoformat(), hi.isoformat())
    revealed = viewer.can_reveal and st.session_state.get(REVEAL_KEY) == marker
    own = viewer.sees_identity_of(unit_code)
    shown = privacy.mask_complaints(found.rows, identity=own or revealed, full_text=own or revealed)
    st.caption(t("access.list.caption"))
    if own:
        st.caption(t("access.identity.own"))
    st.dataframe(list_frame(shown, ctx), hide_index=True, column_config={
        t("access.col.id"): st.column_config.TextColumn(pinned=True),
        t("access.col.text"): st.column_config.TextColumn(width="large")})
    if found.truncated:
        st.caption(t("access.list.truncated", n=fmt_int(found.limit, lang=ctx.lang)))
    if viewer.can_reveal:
        _reveal_controls(ctx, found, marker, revealed)


def _reveal_controls(ctx, found: ComplaintList, marker: tuple, revealed: bool) -> None:
    t = ctx.t
    if revealed:
        st.warning(t("access.reveal.shown", n=fmt_int(len(found.rows), lang=ctx.lang)), icon=":material/visibility:")
        if st.button(t("access.reveal.hide"), icon=":material/visibility_off:", key="complaints_hide"):
            st.session_state.pop(REVEAL_KEY, None)
            st.rerun()
        return
    reason = st.text_input(t("access.reveal.reason"), key="complaints_reason", max_chars=300,
                           help=t("access.reveal.reason_help"))
    if st.button(t("access.reveal.button"), icon=":material/visibility:", key="complaints_reveal"):
        if not reason.strip():
            st.warning(t("access.reveal.need_reason"))
            return
        unit, lo, hi = marker
        access.record(ctx.con, ctx.viewer, "reveal", {
            "unit": unit, "from": lo, "to": hi, "reason": reason.strip(),
            "ids": found.rows["source_id"].astype("str").to_list(),
        })
        st.session_state[REVEAL_KEY] = marker
        st.rerun()
