"""Closure quality ("TL asal hijau"): five signals per complaint and per unit, and each unit's
on-time rate without its flagged complaints, beside the league's (docs/metrics.md, "Closure
quality"). A flag is a question for the meeting, never a penalty: nothing here changes a league,
a rank or the Tukin ledger.

Signals (thresholds in data/quality.toml; everything judged with what the store knows at ``as_of``):

- ``reopened`` (dibuka lagi): status_history shows the complaint ``selesai`` in one snapshot and
  in an open status in a later one.
- ``bulk_closed`` (tutup massal): its reported first response or resolution is one of at least
  ``min_complaints`` reported times of the same kind and the same unit within ``window_minutes``.
- ``at_deadline`` (mepet tenggat): a unit stage ended on time on the last working day of its window
  (a window of 2 working days or more), by a unit whose on-time stages in the period pile up
  there far beyond its own pace on the working days before.
- ``ping_pong`` (dilempar): unit_history shows it back at a unit it had left, or moved ``moves``
  times or more; or the source's redispatch_count is ``moves`` or more.
- ``low_rating_after_close`` (rating rendah setelah selesai): resolved, and rated ``low`` or lower.

Which complaints a period reviews: those with a unit stage due in the period (the league's "due"
lens: the stages behind its on-time rate) and those resolved in the period, each under the unit
it has now (as the league counts it).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.metrics import clock_sql
from analytics.metrics.clock import DUE_IN_PERIOD, due_bounds, due_source, policy_calendar
from analytics.metrics.groups_sql import STATE_COUNTS, state_aggregates
from analytics.rules.model import STATUSES
from analytics.rules.periods import Period
from analytics.rules.policy import SlaPolicy
from analytics.store import schema
from analytics.store.reads import scope_clause
from analytics.textfmt import round_half_up

QUALITY_FILE = Path(__file__).resolve().parents[2] / "data" / "quality.toml"
# The signals, in the order every table lists them (names and labels: metrics.registry).
SIGNALS: tuple[str, ...] = ("reopened", "bulk_closed", "at_deadline", "ping_pong", "low_rating_after_close")
# Registry names this module produces (tests/test_quality.py ties them to the registry and the docs).
QUALITY_METRICS: tuple[str, ...] = (*SIGNALS, "on_time_pct_unflagged")
UNIT_COLUMNS: tuple[str, ...] = (
    "unit", "unit_code", "unit_kind", "resolved", *SIGNALS, "flagged",
    "decided", "on_time", "on_time_rate", "on_time_pct",
    "decided_unflagged", "on_time_unflagged", "on_time_rate_unflagged", "on_time_pct_unflagged",
    "deadline_final", "deadline_expected", "deadline_unit",
)
CASE_COLUMNS: tuple[str, ...] = ("source", "id", "unit", "unit_code", "signals", *SIGNALS)
RESOLVED = "selesai"
OPEN_STATUSES: tuple[str, ...] = tuple(code for code, s in STATUSES.items() if s.is_open)
_UNIT_STAGES = (1, 2)  # tindak_lanjut, penyelesaian (STAGES positions): the stages a unit owns
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class QualitySettings:
    """data/quality.toml (every key explained there)."""

    bulk_min_complaints: int = 10
    bulk_window_minutes: float = 10.0
    bulk_skip_on_the_hour: bool = True
    deadline_min_final: int = 10
    deadline_ratio: float = 2.0
    ping_pong_moves: int = 3
    rating_low: int = 2


_KEYS = {
    "bulk": {"min_complaints": "bulk_min_complaints", "window_minutes": "bulk_window_minutes",
             "skip_on_the_hour": "bulk_skip_on_the_hour"},
    "deadline": {"min_final": "deadline_min_final", "ratio": "deadline_ratio"},
    "ping_pong": {"moves": "ping_pong_moves"},
    "rating": {"low": "rating_low"},
}
_KEY_OF = {field: f"{table}.{key}" for table, keys in _KEYS.items() for key, field in keys.items()}


def load_quality_settings(path: str | Path | None = None) -> QualitySettings:
    """The thresholds in ``path`` (default data/quality.toml); a missing key keeps its default.
    Raises ValueError naming the file and the key for an unknown key or a value out of range."""
    path = Path(path) if path else QUALITY_FILE
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"quality settings {path}: {exc}") from exc
    values: dict[str, object] = {}
    for table, body in doc.items():
        keys = _KEYS.get(table)
        if keys is None or not isinstance(body, dict):
            raise ValueError(f"quality settings {path}: unknown table [{table}]; known: {', '.join(_KEYS)}")
        for key, value in body.items():
            if key not in keys:
                raise ValueError(f"quality settings {path}: unknown key {table}.{key}; known: {', '.join(keys)}")
            values[keys[key]] = value
    base = QualitySettings()
    for f, v in values.items():
        kind = type(getattr(base, f))
        ok = isinstance(v, bool) if kind is bool else (
            not isinstance(v, bool) and isinstance(v, int if kind is int else (int, float)))
        if not ok:
            raise ValueError(f"quality settings {path}: {_KEY_OF[f]} must be a {kind.__name__}, got {v!r}")
    s = QualitySettings(**{f: getattr(base, f).__class__(v) for f, v in values.items()})
    if s.bulk_min_complaints < 2 or s.bulk_window_minutes <= 0 or s.deadline_min_final < 1 or s.deadline_ratio <= 0 \
            or s.ping_pong_moves < 2 or not 1 <= s.rating_low <= 5:
        raise ValueError(f"quality settings {path}: bulk.min_complaints >= 2, bulk.window_minutes > 0, "
                         "deadline.min_final >= 1, deadline.ratio > 0, ping_pong.moves >= 2, rating.low 1-5")
    return s


@dataclass(frozen=True)
class Quality:
    """Closure quality of one period, judged at ``as_of``.

    ``units``: one row per unit (UNIT_COLUMNS), most flagged complaints first: ``resolved``
    (complaints resolved in the period), one count of complaints per signal, ``flagged`` (with
    any signal), the league's ``decided`` / ``on_time`` / ``on_time_rate`` (0-1) / ``on_time_pct``
    (0-100, one decimal, as the league publishes it) over the unit stages due in the period, the
    same without the stages of flagged complaints (``*_unflagged``), and the mepet tenggat
    statistic (``deadline_final``: on-time stages ending in the final window, ``deadline_expected``:
    what the unit's pace on the earlier working days predicts, ``deadline_unit``: flagged).
    ``cases``: one row per flagged complaint (CASE_COLUMNS; ``signals`` a tuple of SIGNALS), in
    the order of ``units``.
    """

    period: Period
    as_of: pd.Timestamp
    policy: str
    unit: str | None
    settings: QualitySettings
    units: pd.DataFrame
    cases: pd.DataFrame


def quality_for(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
    unit: str | None = None, settings: QualitySettings | None = None,
) -> Quality:
    """The closure-quality signals of ``period`` judged at ``as_of`` (module docstring); ``unit``
    (a unit code, or the name of a unit without one) keeps that unit's complaints only, with the
    same numbers as its row in the whole regency's table."""
    settings = settings or load_quality_settings()
    lo, hi = period.utc_bounds(policy.timezone)
    scope, params = scope_clause(unit)
    where = " AND unit IS NOT NULL" + scope  # a complaint no unit holds is no unit's question
    src, due_params = due_source(lo, hi, policy, where)
    params |= due_params | due_bounds(lo, hi)
    window_us = int(round(settings.bulk_window_minutes * 60_000_000))
    with con.cursor() as cur:  # registrations and temporary tables stay on this cursor
        setup = clock_sql.setup(cur, src, params, policy, policy_calendar(policy), as_of, stages=_UNIT_STAGES)
        setup.register(cur)
        values = {
            **setup.params, "q_lo": lo.to_pydatetime(), "q_hi": hi.to_pydatetime(),
            "q_as_of": pd.Timestamp(as_of).tz_convert("UTC").to_pydatetime(),
            "q_n": settings.bulk_min_complaints, "q_window_us": window_us, "q_day": max(window_us, _DAY_US),
            "q_min_final": settings.deadline_min_final,
            "q_ratio": float(settings.deadline_ratio), "q_moves": settings.ping_pong_moves,
            "q_low": settings.rating_low,
        }

        def run(sql: str) -> duckdb.DuckDBPyConnection:
            return cur.execute(sql, clock_sql.bind(sql, values))

        # One transaction: every statement reads the same state of the store (a serving process
        # may commit an import meanwhile), and the temporary tables go with its rollback.
        cur.execute("BEGIN TRANSACTION")
        try:
            if not schema.has_table(cur, "unit_history"):
                # A store from before schema v8 opened read-only (not migrated): no unit history
                # yet, so ping-pong rests on the source's redispatch_count alone.
                cur.execute("CREATE TEMP TABLE unit_history (source VARCHAR, source_id VARCHAR, unit_code VARCHAR, "
                            "unit_raw VARCHAR, observed_at TIMESTAMPTZ, batch_id INTEGER)")
            run(_clock_table(setup, src))
            run(_PACE_TABLE)
            run(_SCOPE_TABLE.format(where=where))
            (in_scope, stored), = run("SELECT (SELECT count(*) FROM q_scope), (SELECT count(*) FROM complaints)").fetchall()
            events_sql = _events_sql(where, settings, narrow=4 * in_scope < stored)  # only the speed differs
            events = cur.sql(events_sql, params=clock_sql.bind(events_sql, values)).to_arrow_table()
            cur.register("q_bursts", pa.table({"_row": _burst_rows(events, settings.bulk_min_complaints, window_us)}))
            run(_FLAGS_TABLE)
            units_sql = _UNITS_SQL.format(where=where, states=_state_sql(setup))
            units = _frame(cur.sql(units_sql, params=clock_sql.bind(units_sql, values)))
            cases = _frame(cur.sql(_CASES_SQL))
        finally:
            cur.execute("ROLLBACK")
            cur.unregister("q_bursts")
    units = _unit_frame(units)
    return Quality(period=period, as_of=as_of, policy=policy.name, unit=unit, settings=settings,
                   units=units, cases=_case_frame(cases, units["unit"]))


def in_bursts(group: np.ndarray, t: np.ndarray, n: int, window: int) -> np.ndarray:
    """Which events are in a burst: ``group`` and ``t`` sorted by (group, t); an event is in a
    burst when a window of ``window`` (ends included) holds it and at least ``n`` events of its
    group. Event k starts one when the event n-1 places later, in the same group, is within the
    window; every event from k to that one is in it. Equal times may come in any order."""
    size, k = len(t), n - 1
    start = np.zeros(size, dtype=bool)
    if size > k:
        start[: size - k] = (t[k:] - t[: size - k] <= window) & (group[k:] == group[: size - k])
    # In a burst: a start among the n-1 events before it, or itself (running counts of starts:
    # the count up to i minus the count before i-k).
    upto = np.cumsum(start, dtype=np.int32)
    before = np.zeros(size, dtype=np.int32)
    before[k + 1:] = upto[: max(size - k - 1, 0)]
    return upto - before > 0


def _burst_rows(events: pa.Table, n: int, window: int) -> np.ndarray:
    """Rowids of the complaints with an event in a burst (events: r, g, t sorted by g, t)."""
    if events.num_rows == 0:
        return np.array([], dtype=np.int64)
    r, g, t = (events[c].to_numpy() for c in ("r", "g", "t"))
    return np.unique(r[in_bursts(g, t, n, window)]).astype(np.int64)


def _quoted(values: tuple[str, ...]) -> str:
    """A SQL list of fixed status codes (rules.model, never input)."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _clock_table(s: clock_sql.ClockSetup, src: str) -> str:
    """q_clock: the unit stages due in the period (the league's rows), with the place of an
    on-time, reported end in its window, in working days whatever the limit (days, hours, the
    source's own deadline): from the start's local date (0: the day it started) to the end's; the
    deadline's local date is the final place."""
    clock = clock_sql.clock_sql(s, src, ("_row", "unit"), states_only=True)
    return f"""
CREATE TEMP TABLE q_clock AS
SELECT k._row, k.unit, k.owner, k.state,
    CASE WHEN k.state = 0 AND NOT k.estimated THEN we.cum - ws.cum END AS place,
    CASE WHEN k.state = 0 AND NOT k.estimated THEN wd.cum - ws.cum END AS last_place
FROM (SELECT * FROM ({clock}) WHERE owner = 1 AND {DUE_IN_PERIOD}) AS k
LEFT JOIN pantau_wd AS ws ON ws.day = {s.day('k.started_us')}
LEFT JOIN pantau_wd AS we ON we.day = {s.day('k.ended_us')}
LEFT JOIN pantau_wd AS wd ON wd.day = {s.day('k.deadline_us')}"""


# mepet tenggat, per unit: its on-time, reported stages whose window holds 2 working days or more
# (a 24-hour limit does not: its hours are mostly night, and "the next morning" is its last hours);
# those ending on the final day against the unit's own pace on the working days before it (the
# first day left out: a part day, and an answer the day a complaint came is no sign of waiting).
_PACE_TABLE = """
CREATE TEMP TABLE q_pace AS
SELECT *, final >= $q_min_final AND final >= $q_ratio * expected AS flagged
FROM (
    SELECT unit, count(*) FILTER (WHERE place >= last_place) AS final,
        coalesce(sum(CASE WHEN place BETWEEN 1 AND last_place - 1 THEN 1.0 / (last_place - 1) END), 0) AS expected
    FROM q_clock WHERE last_place >= 2 AND place >= 0 GROUP BY unit
)"""

# The complaints the period reviews (by rowid, inside the one transaction; a complaint may come
# twice, it is only ever looked up): a unit stage due in it, or resolved in it. {where}: the
# fixed unit condition and scope_clause's bound one.
_SCOPE_TABLE = """
CREATE TEMP TABLE q_scope AS
SELECT _row FROM q_clock
UNION ALL
SELECT rowid FROM complaints WHERE resolved_at >= $q_lo AND resolved_at < $q_hi AND resolved_at <= $q_as_of{where}"""


def _events_sql(where: str, settings: QualitySettings, narrow: bool) -> str:
    """tutup massal: the reported first responses (kind 0) and resolutions (kind 1) as r (the
    complaint's rowid), g (a 64-bit hash of unit and kind: two units sharing one is as likely as
    guessing a hash) and t (UTC microseconds), sorted by (g, t) for in_bursts. With ``narrow``
    (the period holds a small part of the store) only the events that can share a burst with one
    of the period's own: a burst spans at most two days ($q_day: a day, or the window when
    longer), one of them holds half of it or more, and both lie next to a day with one of the
    period's events. Otherwise all of them: ordering every event costs less than choosing."""
    on_the_hour = "\n      AND epoch_us({t}) % 3600000000 <> 0" if settings.bulk_skip_on_the_hour else ""
    events = "\n    UNION ALL\n    ".join(
        f"""SELECT rowid AS r, unit AS u, {kind} AS kind, epoch_us({t}) AS t, epoch_us({t}) // $q_day AS d
    FROM complaints WHERE {t} IS NOT NULL AND NOT coalesce({est}, false) AND {t} <= $q_as_of{where}"""
        + on_the_hour.format(t=t)
        for kind, t, est in ((0, "first_response_at", "first_response_est"), (1, "resolved_at", "resolved_est"))
    )
    if not narrow:
        return f"""
SELECT r, hash(u, kind) AS g, t FROM (
    {events}
) ORDER BY g, t"""
    return f"""
WITH events AS MATERIALIZED (
    {events}
),
around AS (SELECT * FROM (VALUES (-1), (0), (1)) AS a(x)),
days AS (
    SELECT u, kind, d + x AS d FROM (SELECT u, kind, d FROM events GROUP BY ALL HAVING 2 * count(*) >= $q_n), around
    INTERSECT
    SELECT u, kind, d + x FROM (SELECT DISTINCT u, kind, d FROM events SEMI JOIN q_scope ON _row = r), around
)
SELECT r, hash(u, kind) AS g, t FROM events SEMI JOIN days USING (u, kind, d) ORDER BY g, t"""


_FLAGS_TABLE = f"""
CREATE TEMP TABLE q_flags AS
WITH
-- Only a complaint an import changed after its first (first_batch_id <> last_batch_id) can have
-- a second status or unit in the histories.
again AS (
    SELECT c.rowid AS _row, c.source, c.source_id FROM complaints AS c SEMI JOIN q_scope AS s ON s._row = c.rowid
    WHERE c.first_batch_id <> c.last_batch_id
),
-- dibuka lagi: seen selesai, then seen open in a later snapshot.
reopened AS (
    SELECT a._row FROM status_history AS h JOIN again AS a USING (source, source_id)
    WHERE h.observed_at <= $q_as_of
    GROUP BY a._row
    HAVING min(h.observed_at) FILTER (WHERE h.status = '{RESOLVED}')
         < max(h.observed_at) FILTER (WHERE h.status IN {_quoted(OPEN_STATUSES)})
),
-- dilempar: the units seen, snapshot by snapshot (a code, or the unknown name itself); a run is a
-- stretch with one unit. Back at a unit it left: more runs than units; moves = runs - 1.
seen AS MATERIALIZED (
    SELECT a._row, coalesce(h.unit_code, '?' || h.unit_raw) AS k, h.observed_at, h.batch_id
    FROM unit_history AS h JOIN again AS a USING (source, source_id) WHERE h.observed_at <= $q_as_of
),
runs AS (
    SELECT _row, k, k IS DISTINCT FROM lag(k) OVER (PARTITION BY _row ORDER BY observed_at, batch_id) AS starts
    FROM seen SEMI JOIN (SELECT _row FROM seen GROUP BY _row HAVING count(*) > 1) AS moved USING (_row)
),
bounced AS (
    SELECT _row FROM runs WHERE starts GROUP BY _row
    HAVING count(*) > count(DISTINCT k) OR count(*) - 1 >= $q_moves
),
-- mepet tenggat: the stages in the final place of the units q_pace flags.
last_minute AS (
    SELECT DISTINCT k._row FROM q_clock AS k JOIN q_pace AS p ON p.unit = k.unit
    WHERE p.flagged AND k.last_place >= 2 AND k.place >= k.last_place
),
flagged AS (
    SELECT _row FROM reopened UNION SELECT _row FROM bounced UNION SELECT _row FROM q_bursts
    UNION SELECT _row FROM last_minute
    UNION SELECT rowid FROM complaints
    WHERE (rating <= $q_low AND (resolved_at <= $q_as_of OR (resolved_at IS NULL AND status = '{RESOLVED}')))
       OR redispatch_count >= $q_moves
)
SELECT c.source, c.source_id, c.unit, c.unit_code, c.unit_kind,
    r._row IS NOT NULL AS reopened,
    b._row IS NOT NULL AS bulk_closed,
    d._row IS NOT NULL AS at_deadline,
    p._row IS NOT NULL OR coalesce(c.redispatch_count >= $q_moves, false) AS ping_pong,
    coalesce(c.rating <= $q_low AND (c.resolved_at <= $q_as_of OR (c.resolved_at IS NULL AND c.status = '{RESOLVED}')),
             false) AS low_rating_after_close,
    c.rowid AS _row
FROM complaints AS c
SEMI JOIN (SELECT _row FROM flagged SEMI JOIN q_scope USING (_row)) AS f ON f._row = c.rowid
LEFT JOIN reopened AS r ON r._row = c.rowid
LEFT JOIN q_bursts AS b ON b._row = c.rowid
LEFT JOIN last_minute AS d ON d._row = c.rowid
LEFT JOIN bounced AS p ON p._row = c.rowid"""


def _state_sql(s: clock_sql.ClockSetup) -> str:
    """The league's stage counts (groups_sql.state_aggregates, the one formula) per unit, over
    every unit stage due in the period (``a_*``) and over those of complaints without a flag (``u_*``)."""
    every = state_aggregates(s, "q_clock", ("unit",), verifier=False)
    clean = state_aggregates(s, "(SELECT * FROM q_clock ANTI JOIN q_flags USING (_row))", ("unit",), verifier=False)
    a = ", ".join(f"a.{st} AS a_{st}" for st in STATE_COUNTS)
    u = ", ".join(f"u.{st} AS u_{st}" for st in STATE_COUNTS)
    return f"SELECT a.g, {a}, {u} FROM ({every}) AS a LEFT JOIN ({clean}) AS u ON u.g = a.g"


_COUNTS = ", ".join(f"count(*) FILTER (WHERE {s}) AS {s}" for s in SIGNALS)
_UNITS_SQL = f"""
WITH names AS (
    SELECT unit, any_value(unit_code) AS unit_code, any_value(unit_kind) AS unit_kind,
        count(*) FILTER (WHERE resolved_at >= $q_lo AND resolved_at < $q_hi AND resolved_at <= $q_as_of{{where}})
            AS resolved
    FROM complaints WHERE unit IS NOT NULL GROUP BY unit
),
f AS (SELECT unit, {_COUNTS}, count(*) AS flagged FROM q_flags GROUP BY unit),
st AS ({{states}})
SELECT n.*, f.* EXCLUDE (unit), st.* EXCLUDE (g),
    coalesce(p.final, 0) AS deadline_final, coalesce(p.expected, 0) AS deadline_expected,
    coalesce(p.flagged, false) AS deadline_unit
FROM names AS n LEFT JOIN f USING (unit) LEFT JOIN st ON st.g = n.unit LEFT JOIN q_pace AS p ON p.unit = n.unit
WHERE n.resolved > 0 OR f.unit IS NOT NULL OR st.g IS NOT NULL
"""

_CASES_SQL = f"""
SELECT source, source_id AS id, unit, unit_code, {", ".join(SIGNALS)}
FROM q_flags ORDER BY source, source_id
"""


_STR = pd.StringDtype(na_value=float("nan"))  # pandas' "str", as .df() gives, by way of Arrow (faster)


def _frame(relation: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    return relation.to_arrow_table().to_pandas(types_mapper={pa.string(): _STR, pa.large_string(): _STR}.get)


def _pct(rate: pd.Series) -> pd.Series:
    # Rounded the way the league publishes it (textfmt.round_half_up): the same unit shows the
    # same on-time percentage in `league` and `quality`.
    return (100 * rate).map(lambda v: v if pd.isna(v) else round_half_up(float(v), 1)).astype("float64")


def _unit_frame(raw: pd.DataFrame) -> pd.DataFrame:
    out = raw.copy()
    counts = ["resolved", *SIGNALS, "flagged", *(f"{p}_{st}" for p in "au" for st in STATE_COUNTS), "deadline_final"]
    for col in counts:
        out[col] = out[col].fillna(0).astype("int64")
    for prefix, suffix in (("a", ""), ("u", "_unflagged")):
        on_time = out[f"{prefix}_on_time"]
        decided = on_time + out[f"{prefix}_late"] + out[f"{prefix}_open_overdue"]  # as groups.metric_frame
        out["decided" + suffix], out["on_time" + suffix] = decided, on_time
        out["on_time_rate" + suffix] = on_time / decided.where(decided > 0)
        out["on_time_pct" + suffix] = _pct(out["on_time_rate" + suffix])
    out["deadline_expected"] = out["deadline_expected"].astype("float64")
    out["deadline_unit"] = out["deadline_unit"].fillna(False).astype(bool)
    for col in ("unit", "unit_code", "unit_kind"):
        out[col] = out[col].astype("str")
    out = out.sort_values(["flagged", "unit"], ascending=[False, True], kind="stable")
    return out[list(UNIT_COLUMNS)].reset_index(drop=True)


# Each combination of signals as the tuple a case carries (bit i: SIGNALS[i]).
_COMBOS = [tuple(s for i, s in enumerate(SIGNALS) if code >> i & 1) for code in range(1 << len(SIGNALS))]


def _case_frame(raw: pd.DataFrame, unit_order: pd.Series) -> pd.DataFrame:
    """The flagged complaints in the order of the units table (most flagged first), then by id."""
    place = {u: i for i, u in enumerate(unit_order)}
    out = raw.assign(_place=raw["unit"].map(place)).sort_values("_place", kind="stable")
    bits = sum(out[s].to_numpy(dtype=np.int64) << i for i, s in enumerate(SIGNALS))
    out["signals"] = pd.Series([_COMBOS[b] for b in np.asarray(bits, dtype=np.int64)], index=out.index, dtype=object)
    for col in ("source", "id", "unit", "unit_code"):
        out[col] = out[col].astype("str")
    return out[list(CASE_COLUMNS)].reset_index(drop=True)
