"""The naive baseline: what a typical single-file Streamlit dashboard does on every page load.

It reads the whole export (the Pantau template CSV) with ``pd.read_csv``, converts the time
columns, keeps the period's complaints for the chosen league, and judges each complaint's first
response with a Python function applied row by row (``DataFrame.apply(axis=1)``) that counts
working days with ``numpy.busday_*`` and a holiday list. Nothing is cached between loads.

It is written from docs/metrics.md, not from analytics/, so agreeing with Pantau is a real check:
- the unit stage of the default policy ``sp4n-lapor`` is ``tindak_lanjut``: from dispatched_at to
  first_response_at, limit 5 working days;
- a moment counts on its local date (Asia/Jakarta); working days elapsed from a to b are the
  working days d with date(a) < d <= date(b);
- the deadline is the end of the 5th working day after the start's date; ended at or before it is
  on time, after it late; not ended by as-of and past it, open overdue;
- a stage the status shows reached whose time is missing is "unknown" (not counted); the status
  table is docs/import-template.md's "stages it implies are done";
- response days are counted for complaints with both times, the response by as-of;
- the camat league is the units named "Kecamatan ...", the OPD league every other unit.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

# docs/import-template.md, "Status codes": the stages each status implies are done (unit stage).
REACHED: dict[str, frozenset[str]] = {
    "didisposisi": frozenset({"dispatched"}),
    "ditindaklanjuti": frozenset({"dispatched", "responded"}),
    "selesai": frozenset({"dispatched", "responded"}),
}
TIME_COLUMNS = ("received_at", "dispatched_at", "first_response_at")
ONE_DAY = timedelta(days=1)


def judge_row(row: pd.Series, as_of: pd.Timestamp, as_of_day: date, limit: int, cal: np.busdaycalendar) -> tuple:
    """(state, response working days) of one complaint's first response, as docs/metrics.md says.

    state is on_time / late / open_overdue / open / unknown / not_started.
    """
    start, end = row["dispatched_at"], row["first_response_at"]
    reached = REACHED.get(row["status"], frozenset())
    has_start, has_end = not pd.isna(start), not pd.isna(end)
    responded = has_end and end <= as_of
    response = np.nan
    if has_start and responded:
        response = float(np.busday_count(start.date() + ONE_DAY, end.date() + ONE_DAY, busdaycal=cal))
    started = has_start and start <= as_of
    if ("dispatched" in reached and not has_start) or (started and "responded" in reached and not has_end):
        return "unknown", response
    if not started:
        return "not_started", response
    # The 5th working day after the start's date; a start on a day off counts from the next one.
    due = np.busday_offset(start.date(), limit, roll="backward", busdaycal=cal).astype(date)
    if responded:
        return ("on_time" if end.date() <= due else "late"), response
    return ("open_overdue" if as_of_day > due else "open"), response


def naive_league(
    csv_path: str, *, kind: str, start: date, end: date, as_of: pd.Timestamp, holidays: np.ndarray,
    tz: str = "Asia/Jakarta", limit: int = 5,
) -> pd.DataFrame:
    """Per unit of the ``kind`` league ("opd" or "camat"): complaints, on_time, late, open_overdue,
    median_response_days, p90_response_days, for complaints received from ``start`` to ``end``
    (local dates, inclusive), judged as of ``as_of``."""
    df = pd.read_csv(csv_path)
    for col in TIME_COLUMNS:
        df[col] = pd.to_datetime(df[col], format="ISO8601", utc=True).dt.tz_convert(tz)
    day = df["received_at"].dt.date
    is_camat = df["opd"].str.startswith("Kecamatan ")
    keep = (day >= start) & (day <= end) & df["opd"].notna() & (is_camat if kind == "camat" else ~is_camat)
    df = df[keep]
    cal = np.busdaycalendar(weekmask="1111100", holidays=holidays)
    as_of_local = as_of.tz_convert(tz)
    judged = df.apply(judge_row, axis=1, result_type="expand", args=(as_of_local, as_of_local.date(), limit, cal))
    df = df.assign(state=judged[0], response=judged[1].astype(float))
    g = df.groupby("opd")
    out = pd.DataFrame({"complaints": g.size()})
    for state in ("on_time", "late", "open_overdue"):
        out[state] = g["state"].apply(lambda s, st=state: int((s == st).sum()))
    out["median_response_days"] = g["response"].median()
    out["p90_response_days"] = g["response"].quantile(0.9)
    return out.rename_axis("unit").reset_index()
