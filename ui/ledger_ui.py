"""Catatan Kinerja (the Tukin ledger, docs/ledger.md): every ledger call the page makes, and the
panels that draw them.

Reads go through the run's read-only cursor (``ctx.con``) and are never cached, because appeals
and closes change the ledger without an import; only "how far has the data moved since the
close" is cached (it depends on the frozen version and the data, nothing else). Writes (close,
reopen, file and decide appeals) go through ``ui.db.write`` on a cursor of their own; a refusal is
the ledger's own LedgerError, shown as ``st.error`` in the page language, and changes nothing.
Who may do what is decided by analytics.ledger (the actor is ``ctx.viewer``); this module only
leaves out the controls a role cannot use. A unit account's reads are limited to its unit by
``ledger_month(viewer=...)``, so no other unit's case reaches its screen or its files.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from analytics.ledger import appeals, close, read, report
from analytics.ledger.model import (
    DEFAULT_APPEAL_WORKING_DAYS,
    MAX_TEXT,
    REASONS,
    Case,
    LedgerError,
    UnitFigures,
    reason_label,
)
from analytics.ledger.read import LedgerMonth
from analytics.rules.policy import load_policy
from analytics.store import status
from analytics.store.reads import short_names
from ui import db, downloads, i18n
from ui.fmt import MISSING, fmt_datetime, fmt_int, fmt_num, is_missing, md_escape
from ui.widgets import POLICY_KEY, UNIT_KEY, coded, policy_selector

# URL parameters (= widget keys); changing one breaks links people have saved.
MONTH_KEY, VERSION_KEY = "bulan", "versi"
FLASH = "kinerja_flash"  # (where, "ok" | "error", message): an action's outcome, shown once on the next run
GOTO = "kinerja_goto"  # the month to show after a close (set before the month picker is drawn)
SHOWN = "kinerja_shown_month"  # the month shown last run: a new month starts at its newest version
CLOSE_MONTHS_BACK = 12  # finished months offered for closing: a year is the Tukin cycle
QUEUE_SHOWN = 20  # each pending appeal draws a form; more would make a phone page endless
TABLE_ROWS = 8  # rows of the per-unit table on a phone's first screen (the rest scroll inside it)
ROW_PX = 35  # st.dataframe's row height
TOOLBAR_GAP = 24  # on a phone the table's toolbar floats above it, over the line before (ui/README.md)


def _t(lang: str, key: str, **kw: object) -> str:
    return i18n.t(key, lang=lang, **kw)


def now() -> datetime:
    return datetime.now(UTC)


def can_act(ctx) -> bool:  # noqa: ANN001 - ui.frame.PageContext
    """An analis who logged in: the ledger refuses actions of an open (unnamed) session."""
    return ctx.viewer.role == "analis" and not ctx.viewer.open


# --- words ------------------------------------------------------------------------------------------------


def month_title(month: str, lang: str = "id") -> str:
    """``2025-10`` -> ``Oktober 2025``."""
    return report.month_title(month, lang)


def refusal(exc: LedgerError, lang: str) -> str:
    """A LedgerError's message ("Indonesian / English") in the page language, safe for markdown."""
    text = str(exc)
    parts = text.split(" / ")
    if len(parts) == 2:
        text = parts[0] if lang == "id" else parts[1]
    return md_escape(text)


def appeal_last_day(v: read.LedgerVersion) -> pd.Timestamp:
    """The last day appeals may be filed (the window ends at the following local midnight)."""
    return pd.Timestamp(v.appeal_until) - pd.Timedelta(microseconds=1)


def status_line(ctx, m: LedgerMonth, at: datetime) -> str:  # noqa: ANN001
    """``Oktober 2025 · versi 1 · ditutup 6 Nov 2025 · keberatan sampai 13 Nov 2025``, with a badge
    for an old or a reopened version (markdown; only fixed words and formatted dates)."""
    t, v, newer = ctx.t, m.version, report.newer_version(m)
    parts = [f"**{month_title(v.month, ctx.lang)}**", t("kinerja.line.version", n=v.version),
             t("kinerja.line.closed", date=ctx.fmt_date(v.closed_at))]
    badge = ""
    if newer is not None:
        badge = t("kinerja.line.old")
        parts += [t("kinerja.line.reopened", date=ctx.fmt_date(v.reopened_at)), t("kinerja.line.newer", n=newer.version)]
    elif not v.current:
        badge = t("kinerja.line.reopened_badge")
        parts += [t("kinerja.line.reopened", date=ctx.fmt_date(v.reopened_at)), t("kinerja.line.not_final")]
    else:
        key = "kinerja.line.until" if pd.Timestamp(at) < pd.Timestamp(v.appeal_until) else "kinerja.line.ended"
        parts.append(t(key, date=ctx.fmt_date(appeal_last_day(v))))
    return (badge + " " if badge else "") + " · ".join(parts)


def pct_text(value: float | None, lang: str) -> str:
    return MISSING if value is None else fmt_num(value, 1, lang=lang) + "%"


def days_text(value: float | None, lang: str) -> str:
    if is_missing(value):
        return MISSING
    return fmt_int(value, lang=lang) if float(value).is_integer() else fmt_num(value, 1, lang=lang)


def stage_word(stage: str, ctx) -> str:  # noqa: ANN001
    return ctx.t(f"kinerja.stage.{stage}") if stage in ("verifikasi", "tindak_lanjut", "penyelesaian") else stage


def decision_word(decision: str | None, ctx) -> str:  # noqa: ANN001
    return ctx.t(f"kinerja.decision.{decision or 'pending'}")


def basis_text(c: Case, ctx) -> str:  # noqa: ANN001
    if c.time_basis == "estimated":
        if is_missing(c.ended_after):
            return ctx.t("kinerja.basis.estimated")
        return ctx.t("kinerja.basis.estimated_after", when=ctx.fmt_datetime(c.ended_after))
    return ctx.t(f"kinerja.basis.{c.time_basis}") if c.time_basis in ("reported", "open") else c.time_basis


def worst_first(m: LedgerMonth) -> list[UnitFigures]:
    """Lowest final on-time rate first; units with nothing judged (rate "–") last."""
    return sorted(m.units, key=lambda u: (u.final_on_time_pct is None, u.final_on_time_pct or 0.0,
                                          -u.final_counted, u.unit.casefold()))


def unit_name(u: UnitFigures, shorts: dict[str, str]) -> str:
    return shorts.get(u.unit_code) or u.unit


def units_frame(m: LedgerMonth, shorts: dict[str, str], lang: str) -> pd.DataFrame:
    """Per unit, worst first: short name, final count, final on-time rate, tier (text columns)."""
    t = functools.partial(_t, lang)
    rows = [{t("kinerja.col.unit"): unit_name(u, shorts), t("kinerja.col.final"): fmt_int(u.final_counted, lang=lang),
             t("kinerja.col.final_pct"): pct_text(u.final_on_time_pct, lang), t("kinerja.col.tier"): m.tier(u) or MISSING}
            for u in worst_first(m)]
    return pd.DataFrame(rows, columns=[t("kinerja.col.unit"), t("kinerja.col.final"), t("kinerja.col.final_pct"),
                                       t("kinerja.col.tier")])


def cases_frame(u: UnitFigures, ctx) -> pd.DataFrame:  # noqa: ANN001
    """One unit's cases as text columns: id, stage, deadline, end, state, working days over, how
    the time is known, the appeal (number and decision) and the decision's note."""
    t = ctx.t
    local = functools.partial(fmt_datetime, tz=ctx.tz, lang=ctx.lang, zone=False)  # the zone is in the caption
    rows = []
    for c in u.cases:
        a = c.appeal
        rows.append({
            t("kinerja.col.id"): str(c.id),
            t("kinerja.col.stage"): stage_word(c.stage, ctx),
            t("kinerja.col.deadline"): local(c.deadline),
            t("kinerja.col.ended"): t("kinerja.still_open") if is_missing(c.ended_at) else local(c.ended_at),
            t("kinerja.col.state"): t(f"kinerja.state.{c.state}"),
            t("kinerja.col.wd_over"): days_text(c.working_days_over, ctx.lang),
            t("kinerja.col.basis"): basis_text(c, ctx),
            t("kinerja.col.appeal"): "" if a is None else f"#{a.appeal_id} {decision_word(a.decision, ctx)}",
            t("kinerja.col.note"): "" if a is None or not a.note else str(a.note),
        })
    return pd.DataFrame(rows)


# --- reads ---------------------------------------------------------------------------------------------


def closed_months(ctx) -> list[str]:  # noqa: ANN001
    """Months with a closed version, newest first."""
    return read.closed_months(ctx.con)


def read_month(ctx, month: str, version: int | None) -> LedgerMonth:  # noqa: ANN001
    """The month as this viewer may see it (a unit account: its own unit only)."""
    return read.ledger_month(ctx.con, month, viewer=ctx.viewer, version=version)


def drift_counts(con, month: str, version: int, unit: str | None) -> dict[str, int] | None:  # noqa: ANN001
    """``ledger show``'s now_reads_differently: the frozen version against the month judged again
    at the latest data moment (None on a store without data, or when the version's policy is gone
    from this installation). Pure given the store, so ``ctx.query`` caches it until the next import."""
    m = read.ledger_month(con, month, version=version, unit=unit)
    latest = status.freshness(con).latest_snapshot_at
    if latest is None:
        return None
    try:
        policy = load_policy(m.version.policy)
    except ValueError:
        return None
    return read.drift(m, close.judged_rows(con, month, max(latest, m.version.as_of), policy))


def finished_months(as_of: pd.Timestamp, tz: str, n: int = CLOSE_MONTHS_BACK) -> list[str]:
    """The ``n`` months that ended by ``as_of`` (in the regency's zone), newest first."""
    local = pd.Timestamp(as_of).tz_convert(tz)
    year, month = local.year, local.month
    out = []
    for _ in range(n):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        out.append(f"{year:04d}-{month:02d}")
    return out


def closable_months(ctx) -> dict[str, int]:  # noqa: ANN001
    """Finished months that may be closed now -> the version closing would make (1, or n + 1 for
    a reopened month), newest first."""
    if ctx.as_of is None:
        return {}
    out = {}
    for month in finished_months(ctx.as_of, ctx.tz):
        current = close.current_version(ctx.con, month)
        if current is None:
            out[month] = 1
        elif current[1]:
            out[month] = current[0] + 1
    return out


# --- panels ----------------------------------------------------------------------------------------------


def _report(where: str, kind: str, text: str) -> None:
    st.session_state[FLASH] = (where, kind, text)


def show_flash(where: str) -> None:
    """The outcome of the last action, once, where it was taken: a success or the refusal."""
    item = st.session_state.get(FLASH)
    if item and item[0] == where:
        st.session_state.pop(FLASH, None)
        (st.success if item[1] == "ok" else st.error)(item[2])


def _act(where: str, lang: str, fn, *args: object, **kwargs: object) -> tuple[bool, object]:  # noqa: ANN001
    """``fn(cursor, *args, **kwargs)`` as a write -> (True, its result); a LedgerError becomes the
    refusal shown at ``where`` (nothing was changed) -> (False, None)."""
    try:
        return True, db.write(fn, *args, **kwargs)
    except LedgerError as exc:
        _report(where, "error", _t(lang, "kinerja.refused", problem=refusal(exc, lang)))
        return False, None


def _version_label(lang: str, version: str) -> str:
    return _t(lang, "kinerja.version_option", n=version)


def month_picker(ctx, months: list[str]) -> tuple[str, int | None]:  # noqa: ANN001
    """The month (``?bulan=2025-10``, closed months newest first) and, for a month closed more than
    once, the version beside it (``?versi=1``; None: the newest)."""
    goto = st.session_state.pop(GOTO, None)
    if goto in months:
        st.session_state[MONTH_KEY] = goto
    wanted = st.query_params.get(MONTH_KEY)
    if wanted is not None and wanted not in months:
        st.caption(ctx.t("kinerja.not_closed", month=md_escape(wanted)))
    # The month coded() will show (the session's choice, else the link's, else the newest): known
    # before drawing, so a month with several versions gets the version picker beside it.
    held = st.session_state.get(MONTH_KEY)
    month = held if held in months else wanted if wanted in months else months[0]
    every = read.versions(ctx.con, month)
    left, right = st.columns([3, 2], wrap=False) if len(every) > 1 else (st, st)
    month = coded(left.selectbox, ctx.t("kinerja.month"), months, key=MONTH_KEY, default=months[0],
                  format_func=functools.partial(month_title, lang=ctx.lang), filter_mode=None)
    if st.session_state.get(SHOWN) not in (None, month):  # another month: start at its newest version
        st.session_state.pop(VERSION_KEY, None)
        st.query_params.pop(VERSION_KEY, None)
    st.session_state[SHOWN] = month
    if len(every) < 2:
        st.query_params.pop(VERSION_KEY, None)
        return month, None
    options = [str(v.version) for v in reversed(every)]
    chosen = coded(right.selectbox, ctx.t("kinerja.version_pick"), options, key=VERSION_KEY, default=options[0],
                   format_func=functools.partial(_version_label, ctx.lang), filter_mode=None)
    return month, int(chosen)


def unit_cards(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    """A unit account's own figures as metric cards, with its appeals in one line."""
    t, code = ctx.t, ctx.viewer.unit
    own = next((u for u in m.units if u.unit_code == code), None)
    if own is None:
        st.info(t("kinerja.fig.unit_absent", unit=md_escape(code)))
        return
    tier = m.tier(own)
    cards = st.grid(3, min_column_width=150)  # two columns on a phone: whole labels, values unclipped
    cards.metric(t("kinerja.fig.due"), fmt_int(own.due, lang=ctx.lang), help=t("kinerja.fig.help.due"))
    cards.metric(t("kinerja.fig.on_time"), fmt_int(own.on_time, lang=ctx.lang))
    cards.metric(t("kinerja.fig.counted"), fmt_int(own.counted, lang=ctx.lang), help=t("kinerja.fig.help.counted"))
    cards.metric(t("kinerja.fig.final"), fmt_int(own.final_counted, lang=ctx.lang), help=t("kinerja.fig.help.final"))
    cards.metric(t("kinerja.fig.final_pct"), pct_text(own.final_on_time_pct, ctx.lang),
                 help=t("kinerja.fig.help.final_pct"))
    cards.metric(t("kinerja.fig.tier"), tier or MISSING)
    if own.final_on_time_pct is None:
        st.caption(t("kinerja.fig.no_judged"))
    filed = [c.appeal for c in own.cases if c.counted and c.appeal is not None]
    if filed:
        st.caption(t("kinerja.fig.appeals", filed=fmt_int(len(filed), lang=ctx.lang),
                     accepted=fmt_int(sum(a.decision == "accepted" for a in filed), lang=ctx.lang),
                     pending=fmt_int(sum(a.decision is None for a in filed), lang=ctx.lang)))


def units_table(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    """Every unit, worst first, in four columns that fit a phone; one line above says how many
    units, how many in tier C and how many appeals wait."""
    t = ctx.t
    if not m.units:
        st.info(t("kinerja.table.empty"))
        return
    pending = sum(1 for u in m.units for c in u.cases if c.counted and c.appeal is not None and c.appeal.decision is None)
    tier_c = sum(1 for u in m.units if m.tier(u) == "C")
    st.caption(t("kinerja.table.summary", units=fmt_int(len(m.units), lang=ctx.lang),
                 c=fmt_int(tier_c, lang=ctx.lang), pending=fmt_int(pending, lang=ctx.lang)))
    frame = units_frame(m, ctx.query(short_names), ctx.lang)
    unit, final, pct, tier = frame.columns
    # Widths that fit a 390 px phone (146 + 72 + 72 + 56 = 346 of 358 px); the short headers carry
    # the full names as tooltips.
    config = {unit: st.column_config.TextColumn(width=146, pinned=True),
              final: st.column_config.TextColumn(t("kinerja.head.final"), help=final, width=72, alignment="right"),
              pct: st.column_config.TextColumn(t("kinerja.head.final_pct"), help=t("kinerja.fig.help.final_pct"),
                                               width=72, alignment="right"),
              tier: st.column_config.TextColumn(width=56)}
    st.space(TOOLBAR_GAP)
    st.dataframe(frame, hide_index=True, column_config=config,
                 height=ROW_PX * (min(len(frame), TABLE_ROWS) + 1) + 3)


def figures(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    if ctx.viewer.role == "unit":
        unit_cards(ctx, m)
    else:
        units_table(ctx, m)
    note = unknown_note(m, ctx.query(short_names), ctx.lang)
    if note:
        st.caption(":material/help: " + note)


def unknown_note(m: LedgerMonth, shorts: dict[str, str], lang: str) -> str:
    """Units most of whose due stages have no time in the data (a "Laporan Ringkas" export): their
    rate stands on a few stages, and the line says on how few ("" when there are none)."""
    thin = [u for u in m.units if u.unknown and u.unknown * 2 >= u.due]
    if not thin:
        return ""
    parts = ", ".join(_t(lang, "kinerja.unknown.unit", unit=unit_name(u, shorts), unknown=fmt_int(u.unknown, lang=lang),
                         due=fmt_int(u.due, lang=lang)) for u in thin)
    return _t(lang, "kinerja.unknown", units=parts)


def drift_line(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    """"Pada data terbaru: 2 kasus tidak lagi dihitung, 0 kasus baru" when the data has moved."""
    unit = ctx.viewer.unit if ctx.viewer.role == "unit" else None
    moved = ctx.query(drift_counts, m.version.month, m.version.version, unit)
    if not moved or not (moved["no_longer_counted"] or moved["newly_counted"]):
        return
    text = ctx.t("kinerja.drift", gone=fmt_int(moved["no_longer_counted"], lang=ctx.lang),
                 new=fmt_int(moved["newly_counted"], lang=ctx.lang))
    if can_act(ctx) and m.version.current:
        text += " " + ctx.t("kinerja.drift.analis")
    st.caption(":material/update: " + text)


def _unit_option(labels: dict[str, str], code: str) -> str:
    return labels.get(code, code)


def cases_panel(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    """The cases of one unit: a unit account its own (whatever ``?unit=`` asks), others pick one
    (``?unit=DINKES``; default: the worst unit)."""
    t = ctx.t
    if ctx.viewer.role == "unit":
        asked = st.query_params.get(UNIT_KEY)
        if asked and asked != ctx.viewer.unit:
            st.caption(t("kinerja.cases.own_only", unit=md_escape(ctx.viewer.unit)))
        unit = next((u for u in m.units if u.unit_code == ctx.viewer.unit), None)
    else:
        ordered = worst_first(m)
        if not ordered:
            st.info(t("kinerja.cases.none"))
            return
        shorts = ctx.query(short_names)
        labels = {u.unit_code: t("kinerja.cases.unit_option", name=unit_name(u, shorts),
                                 n=fmt_int(len(u.cases), lang=ctx.lang))
                  for u in ordered}
        code = coded(st.selectbox, t("kinerja.cases.unit"), list(labels), key=UNIT_KEY, default=ordered[0].unit_code,
                     format_func=functools.partial(_unit_option, labels), filter_mode=None)
        unit = next(u for u in ordered if u.unit_code == code)
    if unit is None or not unit.cases:
        st.info(t("kinerja.cases.none"))
        return
    st.caption(t("kinerja.cases.about", tz=ctx.tz_label))
    st.space(TOOLBAR_GAP)
    frame = cases_frame(unit, ctx)
    config = {t("kinerja.col.id"): st.column_config.TextColumn(pinned=True),
              t("kinerja.col.wd_over"): st.column_config.TextColumn(alignment="right")}
    st.dataframe(frame, hide_index=True, column_config=config)
    appealed = [c for c in unit.cases if c.appeal is not None]
    if appealed:
        with st.expander(t("kinerja.appeals_list", n=fmt_int(len(appealed), lang=ctx.lang))):
            for c in appealed:
                a = c.appeal
                st.markdown(t("kinerja.appeal_item", no=a.appeal_id, id=md_escape(c.id), stage=stage_word(c.stage, ctx),
                              reason=md_escape(reason_label(a.reason, ctx.lang)), decision=decision_word(a.decision, ctx)))
                st.caption(t("kinerja.appeal_filed", when=ctx.fmt_datetime(a.filed_at), who=md_escape(a.filed_by),
                             text=md_escape(a.text)))
                if a.decision is not None:
                    st.caption(t("kinerja.appeal_decided", when=ctx.fmt_datetime(a.decided_at),
                                 who=md_escape(a.decided_by), note=md_escape(a.note or MISSING)))


def _case_option(labels: dict[tuple[str, str, str], str], key: tuple[str, str, str]) -> str:
    return labels.get(tuple(key), " · ".join(key))


def appeal_panel(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    """A unit account files an appeal on one of its counted cases, within the window."""
    t, v = ctx.t, m.version
    show_flash("appeal")
    if report.newer_version(m) is not None or not v.current:
        st.caption(t("kinerja.appeal.not_current"))
        return
    if now() >= pd.Timestamp(v.appeal_until):
        st.info(t("kinerja.appeal.closed", date=ctx.fmt_date(appeal_last_day(v))))
        return
    own = next((u for u in m.units if u.unit_code == ctx.viewer.unit), None)
    open_cases = [c for c in (own.cases if own else ()) if c.counted and c.appeal is None]
    if not open_cases:
        st.info(t("kinerja.appeal.nothing"))
        return
    st.caption(t("kinerja.appeal.until", date=ctx.fmt_date(appeal_last_day(v))))
    labels = {(c.source, c.id, c.stage): t("kinerja.appeal.case_option", id=c.id, stage=stage_word(c.stage, ctx),
                                           state=t(f"kinerja.state.{c.state}")) for c in open_cases}
    with st.form("kinerja_appeal", clear_on_submit=True, enter_to_submit=False):
        st.selectbox(t("kinerja.appeal.case"), list(labels), format_func=functools.partial(_case_option, labels),
                     filter_mode=None, key="kinerja_appeal_case")
        st.selectbox(t("kinerja.appeal.reason"), list(REASONS), filter_mode=None,
                     format_func=functools.partial(reason_label, lang=ctx.lang), key="kinerja_appeal_reason")
        st.text_area(t("kinerja.appeal.text"), max_chars=MAX_TEXT, help=t("kinerja.appeal.text_help"),
                     key="kinerja_appeal_text")
        st.form_submit_button(t("kinerja.appeal.submit"), type="primary", key="kinerja_appeal_submit",
                              on_click=_file_appeal, args=(ctx.viewer, ctx.lang, v.month))


# The actions run as widget callbacks, before the next run reads the store: they act on what the
# person saw and chose (the case, the appeal, the month), even if the ledger changed meanwhile, and
# the ledger then refuses with its own message instead of the click being lost or landing elsewhere.


def _file_appeal(viewer, lang: str, month: str) -> None:  # noqa: ANN001 - a Viewer
    case = st.session_state.get("kinerja_appeal_case")
    if not case:
        return
    source, case_id, stage = case
    done, number = _act("appeal", lang, appeals.file_appeal, month, source_id=case_id, stage=stage,
                        reason=st.session_state.get("kinerja_appeal_reason"),
                        text=st.session_state.get("kinerja_appeal_text") or "", actor=viewer, now=now(), source=source)
    if done:
        _report("appeal", "ok", _t(lang, "kinerja.appeal.filed", no=number))


def queue_panel(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    """The month's appeals awaiting a decision (current versions, oldest first), each with a note
    and Accept / Reject for an analis who logged in."""
    t, month = ctx.t, m.version.month
    show_flash("queue")
    everything = read.pending_appeals(ctx.con)
    others = sorted({str(x) for x in everything["month"]} - {month}, reverse=True)
    pending = everything[everything["month"] == month]
    if pending.empty:
        st.info(t("kinerja.queue.none"))
    shorts = ctx.query(short_names)
    units = {u.unit_code: u for u in m.units}
    for r in pending.head(QUEUE_SHOWN).itertuples():
        unit = units.get(r.unit_code)
        case = None
        if unit is not None and int(r.version) == m.version.version:
            case = next((c for c in unit.cases if c.id == r.source_id and c.stage == r.stage), None)
        with st.container(border=True):
            st.markdown(t("kinerja.queue.item", no=int(r.appeal_id),
                          unit=md_escape(unit_name(unit, shorts) if unit else r.unit_code), id=md_escape(r.source_id),
                          stage=stage_word(r.stage, ctx), reason=md_escape(reason_label(r.reason, ctx.lang))))
            if case is not None:
                st.caption(t("kinerja.queue.case", state=t(f"kinerja.state.{case.state}"),
                             days=days_text(case.working_days_over, ctx.lang), deadline=ctx.fmt_date(case.deadline)))
            st.caption(t("kinerja.appeal_filed", when=ctx.fmt_datetime(r.filed_at), who=md_escape(r.filed_by),
                         text=md_escape(r.text)))
            if can_act(ctx):
                _decide_form(ctx, int(r.appeal_id))
    if len(pending) > QUEUE_SHOWN:
        st.caption(t("kinerja.queue.more", n=fmt_int(len(pending) - QUEUE_SHOWN, lang=ctx.lang)))
    if others:
        st.caption(t("kinerja.queue.other_months", months=", ".join(month_title(x, ctx.lang) for x in others)))


def _decide_form(ctx, appeal_id: int) -> None:  # noqa: ANN001
    t = ctx.t
    with st.form(f"kinerja_decide_{appeal_id}", enter_to_submit=False):
        st.text_area(t("kinerja.queue.note"), max_chars=MAX_TEXT, key=f"kinerja_note_{appeal_id}", height=68)
        row = st.container(horizontal=True)
        for accept, key in ((True, "accept"), (False, "reject")):
            row.form_submit_button(t(f"kinerja.queue.{key}"), type="primary" if accept else "secondary",
                                   key=f"kinerja_{key}_{appeal_id}", on_click=_decide,
                                   args=(ctx.viewer, ctx.lang, appeal_id, accept))


def _decide(viewer, lang: str, appeal_id: int, accept: bool) -> None:  # noqa: ANN001 - a Viewer
    note = st.session_state.get(f"kinerja_note_{appeal_id}") or ""
    done, _ = _act("queue", lang, appeals.decide_appeal, appeal_id, accept=accept, note=note, actor=viewer, now=now())
    if done:
        _report("queue", "ok", _t(lang, "kinerja.queue.accepted" if accept else "kinerja.queue.rejected", no=appeal_id))


def downloads_panel(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    """The month's PDF and XLSX for the BKPSDM (a unit account's: its unit only), built when
    pressed and logged like every download."""
    t, v = ctx.t, m.version
    setting = report.report_setting(ctx.con, m, ctx.viewer)
    names = report.file_names(v.month, v.version)
    row = st.container(horizontal=True)
    downloads.made_button(ctx, row, t("kinerja.download.pdf"), functools.partial(report_file, m, setting, ctx.lang,
                                                                                   names["pdf"]),
                          file_name=names["pdf"], mime="application/pdf", what="buku-tukin-pdf", key="kinerja_pdf",
                          icon=":material/picture_as_pdf:")
    downloads.made_button(ctx, row, t("kinerja.download.xlsx"), functools.partial(report_file, m, setting, ctx.lang,
                                                                                    names["xlsx"]),
                          file_name=names["xlsx"], what="buku-tukin-xlsx", key="kinerja_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          icon=":material/table_view:")
    st.caption(t("kinerja.download.about", n=v.version, month=month_title(v.month, ctx.lang)))
    if setting.get("unit_only"):
        st.caption(t("kinerja.download.unit_only", unit=md_escape(setting["unit_only"])))


def report_file(m: LedgerMonth, setting: dict, lang: str, name: str) -> bytes:
    """One file of ``report.report_bytes`` (run on the download thread when the button is pressed)."""
    return report.report_bytes(m, lang=lang, **setting)[name]


def actions_panel(ctx, m: LedgerMonth | None) -> None:  # noqa: ANN001
    """For an analis: reopen the shown month (with a reason), and close a month (a finished one,
    or the reopened one shown, which makes its next version) at the latest data moment under the
    chosen policy. An open session (no login) gets one line saying a login is needed."""
    t = ctx.t
    if not can_act(ctx):
        closable = list(closable_months(ctx))
        st.caption(t("kinerja.actions.login") + (" " + t("kinerja.actions.cli", month=closable[0]) if closable else ""))
        return
    show_flash("actions")
    if m is not None and report.newer_version(m) is None and m.version.current:
        _reopen_form(ctx, m)
    elif m is not None and report.newer_version(m) is not None:
        st.caption(t("kinerja.reopen.old"))
    _close_form(ctx, m)


def _reopen_form(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    t, v = ctx.t, m.version
    with st.form("kinerja_reopen", enter_to_submit=False):
        st.markdown(f"**{t('kinerja.reopen')}**")
        st.text_area(t("kinerja.reopen.reason"), max_chars=1000, key="kinerja_reopen_reason", height=68)
        st.caption(t("kinerja.reopen.about", n=v.version, next=v.version + 1))
        st.form_submit_button(t("kinerja.reopen.button"), key="kinerja_reopen_submit", on_click=_reopen,
                              args=(ctx.viewer, ctx.lang, v.month))


def _reopen(viewer, lang: str, month: str) -> None:  # noqa: ANN001 - a Viewer
    done, number = _act("actions", lang, close.reopen_month, month,
                        reason=st.session_state.get("kinerja_reopen_reason") or "", actor=viewer, now=now())
    if done:
        st.session_state.pop("kinerja_reopen_reason", None)
        st.session_state["kinerja_close_month"] = month  # closing it again is the next step
        _report("top", "ok", _t(lang, "kinerja.reopen.done", month=month_title(month, lang), n=number, next=number + 1))


def _close_option(labels: dict[str, str], month: str) -> str:
    return labels.get(month, month)


def _close_form(ctx, m: LedgerMonth | None) -> None:  # noqa: ANN001
    t = ctx.t
    options = closable_months(ctx)
    st.markdown(f"**{t('kinerja.close')}**")
    if not options:
        st.caption(t("kinerja.close.nothing"))
        return
    labels = {month: (month_title(month, ctx.lang) if n == 1 else
                      t("kinerja.close.reclose", month=month_title(month, ctx.lang), n=n)) for month, n in options.items()}
    shown = m.version.month if m is not None and not m.version.current and report.newer_version(m) is None else None
    order = list(options)
    if shown in options:  # the reopened month on screen comes first: closing it again is the likely next step
        order.remove(shown)
        order.insert(0, shown)
    month = st.selectbox(t("kinerja.close.month"), order, format_func=functools.partial(_close_option, labels),
                         filter_mode=None, key="kinerja_close_month")
    policy = policy_selector(lang=ctx.lang)
    st.caption(t("kinerja.close.moment", when=ctx.fmt_datetime(ctx.as_of),
                 days=fmt_int(DEFAULT_APPEAL_WORKING_DAYS, lang=ctx.lang)))
    n = options.get(month, 1)
    label = t("kinerja.close.button") if n == 1 else t("kinerja.close.again", n=n)
    st.button(label, type="primary", key="kinerja_close_submit", icon=":material/lock:", on_click=_close_month,
              args=(ctx.viewer, ctx.lang, policy.name, ctx.as_of))


def _close_month(viewer, lang: str, policy_name: str, as_of: pd.Timestamp) -> None:  # noqa: ANN001 - a Viewer
    """Close the month chosen at the data moment the person saw (the caption above the button)."""
    month = st.session_state.get("kinerja_close_month")
    if not month:
        return
    try:
        policy = load_policy(st.session_state.get(POLICY_KEY) or policy_name)
    except ValueError:
        policy = load_policy(policy_name)
    done, version = _act("actions", lang, close.close_month, month, as_of=as_of, policy=policy, actor=viewer, now=now())
    if done:
        st.session_state[GOTO] = month
        _report("top", "ok", _t(lang, "kinerja.close.done", month=month_title(month, lang), n=version))


def details(ctx, m: LedgerMonth) -> None:  # noqa: ANN001
    """Who closed the version and when, the data moment, the policy and content sha256, the reopen
    reason, the month's versions, what is counted, and how to check a printed copy."""
    t, v = ctx.t, m.version
    lines = [t("kinerja.details.closed", when=ctx.fmt_datetime(v.closed_at), who=md_escape(v.closed_by)),
             t("kinerja.details.as_of", when=ctx.fmt_datetime(v.as_of)),
             t("kinerja.details.policy", policy=md_escape(v.policy), sha=v.policy_sha256[:12])]
    if not v.current:
        lines.append(t("kinerja.details.reopened", when=ctx.fmt_datetime(v.reopened_at), who=md_escape(v.reopened_by),
                       reason=md_escape(v.reopen_reason or MISSING)))
    versions = ", ".join(f"{x.version} ({ctx.fmt_date(x.closed_at)})" for x in m.versions)
    lines.append(t("kinerja.details.versions", versions=versions))
    st.markdown("  \n".join(lines))
    st.caption(t("kinerja.details.content"))
    st.code(v.content_sha256, language=None, wrap_lines=True)
    st.caption(md_escape(report.explanation(m, ctx.lang)))
    st.caption(t("kinerja.details.check"))
    st.code(report.check_command(v), language=None, wrap_lines=True)
