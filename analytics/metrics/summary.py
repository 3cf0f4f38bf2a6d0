"""What the Ringkasan page and the weekly digest say: KPI cards with their change, the weekly
trend, and one sentence a Bupati can read aloud. All numbers come from a League (one formula)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.metrics.clock import policy_calendar
from analytics.metrics.groups import store_group_metrics
from analytics.metrics.league import League
from analytics.rules.periods import Period
from analytics.rules.policy import SlaPolicy

KPI_METRICS = ("complaints", "on_time_rate", "open_overdue", "median_response_days")


@dataclass(frozen=True)
class Kpi:
    metric: str
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _num(v: object) -> float | None:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


@dataclass(frozen=True)
class OpenNow:
    """The "now" lens at one moment: stages open past their deadline and at risk, whatever
    their receipt date, the verifier's included (how many of the overdue are the verifier's)."""

    overdue: int
    at_risk: int
    overdue_verifier: int


def open_now(clock: pd.DataFrame) -> OpenNow:
    """Counts of an open clock (clock.open_clock rows)."""
    state = clock["state"].astype("str")
    verifier = clock["owner_kind"].astype("str") == "verifikator"
    return OpenNow(overdue=int((state == "open_overdue").sum()), at_risk=int((state == "at_risk").sum()),
                   overdue_verifier=int(((state == "open_overdue") & verifier).sum()))


def kpis(league: League, now: OpenNow | None = None, before: OpenNow | None = None) -> list[Kpi]:
    """The four headline figures for the regency, with the previous period's. "Lewat batas"
    (open_overdue) is the now lens when ``now`` is given (``before``: the same count at the
    previous period's moment), else the league's stages due in the period."""
    out = [Kpi(m, _num(league.regency.get(m)), _num(league.previous_regency.get(m))) for m in KPI_METRICS]
    if now is not None:
        out = [Kpi(k.metric, float(now.overdue), None if before is None else float(before.overdue))
               if k.metric == "open_overdue" else k for k in out]
    return out


TREND_COLUMNS = ["week", "complaints", "decided", "on_time", "on_time_rate"]


def trend_rows(by_week: pd.DataFrame) -> pd.DataFrame:
    """Group metrics by ("week",) as the trend's rows."""
    if by_week.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    g = by_week.rename(columns={"group": "week"}).sort_values("week")
    return g[TREND_COLUMNS].reset_index(drop=True)


def weekly_trend(
    con: duckdb.DuckDBPyConnection, window: Period, as_of: pd.Timestamp, policy: SlaPolicy,
    filters: dict[str, list[str]] | None = None, lens: str = "due",
) -> pd.DataFrame:
    """On-time rate by week (local Monday) over ``window``, judged as of ``as_of``: columns week,
    complaints (received that week), decided, on_time, on_time_rate. Under the "due" lens a
    stage counts in the week it fell due; under "received", in its complaint's week."""
    groups, _ = store_group_metrics(con, ("week",), window, as_of, policy, policy_calendar(policy), filters, lens)
    return trend_rows(groups)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def headline(league: League, lang: str = "id", fmt_int=lambda n: f"{n:,}".replace(",", ".")) -> str:
    """One plain sentence: volume, on-time share and its change, and who is most behind.

    "Periode ini 412 aduan masuk; 87% ditindaklanjuti tepat waktu, naik 3 poin. Terlambat
    terbanyak: Dinas PUPR, 14 aduan."
    """
    k = {x.metric: x for x in kpis(league)}
    n = int(k["complaints"].value or 0)
    rate, change = k["on_time_rate"].value, k["on_time_rate"].change
    t = league.table
    behind = t.assign(_behind=t["late"] + t["open_overdue"]).sort_values("_behind", ascending=False)
    worst = behind.iloc[0] if len(behind) and behind.iloc[0]["_behind"] > 0 else None
    if lang == "id":
        parts = [f"Periode ini {fmt_int(n)} aduan masuk"]
        if rate is not None:
            s = f"{_pct(rate)} ditindaklanjuti tepat waktu"
            if change is not None and round(100 * change) != 0:
                s += f", {'naik' if change > 0 else 'turun'} {abs(round(100 * change))} poin"
            elif change is not None:
                s += ", sama dengan periode sebelumnya"
            parts.append(s)
        text = "; ".join(parts) + "."
        if worst is not None:
            text += f" Terlambat terbanyak: {worst['group']}, {fmt_int(int(worst['_behind']))} aduan."
        return text
    parts = [f"This period {fmt_int(n)} complaints came in"]
    if rate is not None:
        s = f"{_pct(rate)} were followed up on time"
        if change is not None and round(100 * change) != 0:
            s += f", {'up' if change > 0 else 'down'} {abs(round(100 * change))} points"
        parts.append(s)
    text = "; ".join(parts) + "."
    if worst is not None:
        text += f" Most behind: {worst['group']}, {fmt_int(int(worst['_behind']))} complaints."
    return text
