-- The floor: one hand-written DuckDB query for the league's timeliness numbers per unit.
--
-- Reads the store's `complaints` table as loaded, plus a precomputed working-day table
-- `bench_workdays(day DATE, cum BIGINT, is_work BOOLEAN)`: cum = working days from the
-- calendar's first day up to and including `day` (benchmarks/floor.py builds it).
-- Definitions (docs/metrics.md, default policy sp4n-lapor, unit stage tindak_lanjut):
--   start = dispatched_at, end = first_response_at, both on their local dates ($tz);
--   deadline day = the $limit_days-th working day after the start's date;
--   on time = responded by $as_of on or before the deadline day; late = after it;
--   open overdue = started, not responded by $as_of, and $as_of's date past the deadline day;
--   unknown (not counted) = the status shows dispatch / response reached but its time is missing;
--   response days = cum(end date) - cum(start date), for complaints responded by $as_of.
-- Parameters: $lo, $hi (UTC instants around the period's local days), $as_of, $tz, $kind, $limit_days.
WITH base AS (
    SELECT
        unit,
        dispatched_at AS s,
        first_response_at AS e,
        status IN ('didisposisi', 'ditindaklanjuti', 'selesai') AS s_reached,
        status IN ('ditindaklanjuti', 'selesai') AS e_reached,
        CAST(timezone($tz, dispatched_at) AS DATE) AS s_day,
        CAST(timezone($tz, first_response_at) AS DATE) AS e_day
    FROM complaints
    WHERE received_at >= $lo AND received_at < $hi
      AND unit IS NOT NULL
      AND coalesce(unit_kind = 'camat', false) = ($kind = 'camat')
),
judged AS (
    SELECT
        b.unit,
        b.e IS NOT NULL AND b.e <= $as_of AS responded,
        b.s IS NOT NULL AND b.s <= $as_of AS started,
        (b.s_reached AND b.s IS NULL)
            OR (b.s IS NOT NULL AND b.s <= $as_of AND b.e_reached AND b.e IS NULL) AS unknown,
        b.e_day,
        due.day AS due_day,
        CASE WHEN b.s IS NOT NULL AND b.e IS NOT NULL AND b.e <= $as_of THEN we.cum - ws.cum END AS response_days
    FROM base b
    LEFT JOIN bench_workdays ws ON ws.day = b.s_day
    LEFT JOIN bench_workdays we ON we.day = b.e_day
    LEFT JOIN bench_workdays due ON due.is_work AND due.cum = ws.cum + $limit_days
)
SELECT
    unit,
    count(*) AS complaints,
    count(*) FILTER (WHERE started AND NOT unknown AND responded AND e_day <= due_day) AS on_time,
    count(*) FILTER (WHERE started AND NOT unknown AND responded AND e_day > due_day) AS late,
    count(*) FILTER (WHERE started AND NOT unknown AND NOT responded
                     AND CAST(timezone($tz, $as_of) AS DATE) > due_day) AS open_overdue,
    median(response_days::DOUBLE) AS median_response_days,
    quantile_cont(response_days::DOUBLE, 0.9) AS p90_response_days
FROM judged
GROUP BY unit
ORDER BY unit
