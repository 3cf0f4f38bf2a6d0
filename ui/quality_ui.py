"""Display helpers for closure quality and the breach forecast (issue 18) on Ringkasan, Unit and
Peringkat: analytics.screens' frames in, labelled text frames out.

Pure pandas (no Streamlit), so everything here is unit-tested. Signal names come from the metric
registry (one definition); numbers, percentages and dates are formatted as text with ui.fmt, so the
screen does not follow the phone's locale. A flag is a question for the meeting, never a penalty:
nothing here changes a rank, a score or a rate.
"""

from __future__ import annotations

import pandas as pd

from analytics.metrics.registry import METRICS
from ui.fmt import MISSING, fmt_date, fmt_datetime, fmt_pct, is_missing
from ui.i18n import t

FLAG = "⚑"  # marks a unit whose on-time rate moves 5 points or more without its flagged complaints
UNFLAGGED = "on_time_pct_unflagged"  # the registry's name of the rate without flagged complaints


def signal_words(signals: tuple[str, ...] | list[str], lang: str) -> str:
    """``("at_deadline", "ping_pong")`` -> ``Mepet tenggat, Dilempar`` (registry labels)."""
    return ", ".join(METRICS[s].label(lang) for s in signals)


def cases_frame(cases: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Flagged complaints (Quality.cases) for review: id and their signals in words, order kept."""
    return pd.DataFrame({
        t("unit.col.id", lang=lang): cases["id"].astype("str").to_list(),
        t("unit.col.signals", lang=lang): [signal_words(tuple(s), lang) for s in cases["signals"]],
    })


def signal_counts(row: pd.Series, signals: tuple[str, ...], lang: str) -> str:
    """``Mepet tenggat 27 · Rating rendah setelah selesai 1``: a unit's signals that occur, with
    their counts of complaints ("" when none)."""
    return " · ".join(f"{METRICS[s].label(lang)} {int(row[s])}" for s in signals if int(row[s]) > 0)


def deadline_text(deadline: object, limit_days: object, tz: str, lang: str) -> str:
    """A stage deadline: the date for a limit in working days (the end of that day), the date and
    time for an hour limit or the source's own deadline."""
    if is_missing(deadline):
        return MISSING
    if is_missing(limit_days):
        return fmt_datetime(deadline, tz, lang=lang)
    return fmt_date(deadline, tz, lang=lang)


def risk_frame(stages: pd.DataFrame, lang: str, tz: str) -> pd.DataFrame:
    """Open stages (BreachOutlook.of_unit) for reading, order kept (highest chance first): id,
    chance of breach as ``72%`` (beside the id, so a phone shows both), deadline, stage."""
    return pd.DataFrame({
        t("unit.col.id", lang=lang): stages["id"].astype("str").to_list(),
        t("unit.col.p_breach", lang=lang): [fmt_pct(p, 0, lang=lang) for p in stages["p_breach"]],
        t("unit.col.deadline", lang=lang): [deadline_text(d, n, tz, lang)
                                            for d, n in zip(stages["deadline"], stages["limit_days"])],
        t("unit.col.stage", lang=lang): [t(f"unit.stage.{s}", lang=lang) for s in stages["stage"].astype("str")],
    })


def league_with_quality(frame: pd.DataFrame, table: pd.DataFrame, units: pd.DataFrame, marked: pd.Series,
                        lang: str) -> pd.DataFrame:
    """A league's display frame (league_ui.display_frame of ``table``) with each unit's on-time
    rate without flagged complaints (Quality.units, matched by unit name; ``–`` for a row it does
    not hold) right after the on-time rate, and ``⚑`` before the on-time rate of the units
    ``marked`` (screens.quality_gap, aligned with ``units``): the phone's columns show the mark,
    the rate beside it is in the full table."""
    rate = dict(zip(units["unit"], units["on_time_rate_unflagged"]))
    flag = dict(zip(units["unit"], marked.to_numpy(dtype=bool)))
    on_time = METRICS["on_time_rate"].label(lang)
    out = frame.copy()
    out[on_time] = [f"{FLAG} {text}" if flag.get(name, False) else text
                    for name, text in zip(table["group"], out[on_time])]
    out.insert(list(out.columns).index(on_time) + 1, METRICS[UNFLAGGED].label(lang),
               [fmt_pct(rate.get(name), lang=lang) for name in table["group"]])
    return out


def flagged_units(table: pd.DataFrame, units: pd.DataFrame, marked: pd.Series,
                  short_names: dict[str, str] | None = None) -> pd.DataFrame:
    """The marked units among a league's rows, in the league's order: short (phone name),
    on_time_rate, on_time_rate_unflagged."""
    rows = units[marked.to_numpy(dtype=bool)]
    mine = table[table["group"].isin(set(rows["unit"]))]
    short = mine["short"] if "short" in mine else mine["group_code"].map(short_names or {})
    short = short.astype("object").fillna(mine["group"].astype("object")).astype("str")
    unflagged = mine["group"].map(dict(zip(rows["unit"], rows["on_time_rate_unflagged"])))
    return pd.DataFrame({"short": short.to_list(), "on_time_rate": mine["on_time_rate"].to_list(),
                         "on_time_rate_unflagged": unflagged.to_list()})
