"""What the Ringkasan page and the weekly digest say: KPI cards with their change, the weekly
trend, and one sentence a Bupati can read aloud. All numbers come from a League (one formula)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.metrics.clock import policy_calendar
from analytics.metrics.coverage import unjudgeable
from analytics.metrics.groups import store_group_metrics
from analytics.metrics.league import League
from analytics.rules.periods import Period
from analytics.rules.policy import SlaPolicy
from analytics.textfmt import fmt_int

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


def open_now(counts: pd.DataFrame) -> OpenNow:
    """The totals of clock.open_counts."""
    n, state, verifier = counts["stages"], counts["state"], counts["owner_kind"] == "verifikator"
    return OpenNow(overdue=int(n[state == "open_overdue"].sum()), at_risk=int(n[state == "at_risk"].sum()),
                   overdue_verifier=int(n[(state == "open_overdue") & verifier].sum()))


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


# How each stage is named in the coverage sentence (id, en).
_STAGE_WORDS = {
    "verifikasi": ("verifikasi dan disposisi", "verification and dispatch"),
    "tindak_lanjut": ("tindak lanjut", "follow-up"),
    "penyelesaian": ("penyelesaian", "resolution"),
    "respons": ("respons sejak diterima", "response since receipt"),
}


def coverage_note(coverage: pd.DataFrame, lang: str = "id") -> str:
    """One plain sentence, or "", when stage times the policy needs are missing from the data
    (coverage.stage_coverage counts): which stages cannot be judged, how many, and the fix. Never
    a verdict: a stage without times is neither on time nor late."""
    none = [(st, unjudgeable(coverage, st)) for st in coverage["stage"]]
    none = [(st, n) for st, n in none if n > 0]
    partly = coverage[(coverage["absent"] > 0) & (coverage["reported"] + coverage["estimated"] > 0)]
    i = 0 if lang == "id" else 1
    parts = []
    if none:
        names = " dan ".join(_STAGE_WORDS[st][0] for st, _ in none) if lang == "id" else " and ".join(
            _STAGE_WORDS[st][1] for st, _ in none)
        n = fmt_int(sum(n for _, n in none), lang=lang)
        parts.append(
            f"Data ini tidak memuat waktu {names}: {n} tahap tidak dapat dinilai tepat waktu atau terlambat. "
            "Impor ekspor berikutnya setiap hari: Pantau membangun waktu tahap dari perubahan status antar-ekspor."
            if lang == "id" else
            f"This data has no {names} times: {n} stages cannot be judged on time or late. Import the next "
            "exports daily: Pantau builds stage times from the status changes between exports.")
    for r in partly.itertuples():
        word = _STAGE_WORDS[r.stage][i]
        absent = fmt_int(int(r.absent), lang=lang)
        parts.append(f"{absent} tahap {word} tanpa waktu tidak dinilai." if lang == "id"
                     else f"{absent} {word} stages without times are not judged.")
    return " ".join(parts)
