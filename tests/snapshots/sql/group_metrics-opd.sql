WITH c AS (WITH per AS (SELECT g, resp, any_value(code) AS code, count(*) AS n,
        count(*) FILTER (WHERE age >= 0 AND age <= 5) AS backlog_0_5,
        count(*) FILTER (WHERE age >= 6 AND age <= 10) AS backlog_6_10,
        count(*) FILTER (WHERE age >= 11 AND age <= 20) AS backlog_11_20,
        count(*) FILTER (WHERE age >= 21) AS backlog_over_20,
        sum(CAST(is_resolved AS INTEGER)) AS resolved, sum(CAST(is_dispatched AS INTEGER)) AS dispatched,
        sum(rating) AS rating_sum, count(rating) AS rating_n, sum(redispatch_count) AS redisp
    FROM (
    SELECT g, code, rating, redispatch_count, is_resolved, is_dispatched,
        -- Response: working days between the local dates, both times known by as_of.
        CASE WHEN dis IS NOT NULL AND fr IS NOT NULL AND fr <= $as_of THEN w1.cum - w0.cum END AS resp,
        -- Backlog age: working days from the open complaint's start to as_of's date.
        CASE WHEN still_open AND dis IS NOT NULL AND dis <= $as_of THEN $as_of_cum - w0.cum END AS age
    FROM (
        SELECT k0.*, (dis IS NOT NULL OR coalesce(status IN ('didisposisi', 'ditindaklanjuti', 'selesai'), false)) AS is_dispatched, (coalesce(res <= $as_of, false) OR (res IS NULL AND coalesce(status = 'selesai', false))) AND (dis IS NOT NULL OR coalesce(status IN ('didisposisi', 'ditindaklanjuti', 'selesai'), false)) AS is_resolved,
            (dis IS NOT NULL OR coalesce(status IN ('didisposisi', 'ditindaklanjuti', 'selesai'), false)) AND NOT (coalesce(res <= $as_of, false) OR (res IS NULL AND coalesce(status = 'selesai', false))) AND NOT coalesce(status IN ('diarsipkan', 'ditolak'), false) AS still_open
        FROM (
            SELECT CASE WHEN NOT coalesce(x.unit_kind = 'camat', false) AND NOT coalesce(x.unit_kind = 'kelurahan', false) THEN x.unit END AS g, x.unit_code AS code, x.rating, x.redispatch_count, x.status,
                epoch_us(x.received_at) AS rec, epoch_us(x.dispatched_at) AS dis,
                epoch_us(x.first_response_at) AS fr, epoch_us(x.resolved_at) AS res
            FROM complaints AS x
        ) AS k0
    ) AS k1
    LEFT JOIN pantau_wd AS w0 ON w0.day = ((dis) + $off) // 86400000000
    LEFT JOIN pantau_wd AS w1 ON w1.day = ((fr) + $off) // 86400000000
) AS k GROUP BY g, resp),
keyed AS (SELECT g, false AS is_total, * EXCLUDE (g) FROM per WHERE g IS NOT NULL),
agg AS (
    SELECT g, is_total, any_value(code) AS group_code, sum(n) AS complaints, sum(backlog_0_5) AS backlog_0_5, sum(backlog_6_10) AS backlog_6_10, sum(backlog_11_20) AS backlog_11_20, sum(backlog_over_20) AS backlog_over_20,
        sum(resolved) / nullif(sum(dispatched), 0) AS completion_rate, sum(rating_sum) / nullif(sum(rating_n), 0) AS mean_rating,
        coalesce(sum(redisp), 0) AS redispatches
    FROM keyed GROUP BY g, is_total
),
hist AS (
    SELECT g, is_total, CAST(resp AS DOUBLE) AS resp, cnt,
        sum(cnt) OVER (PARTITION BY g, is_total ORDER BY resp ROWS UNBOUNDED PRECEDING) - cnt AS before,
        sum(cnt) OVER (PARTITION BY g, is_total) AS total
    FROM (SELECT g, is_total, resp, sum(n) AS cnt FROM keyed WHERE resp IS NOT NULL GROUP BY g, is_total, resp)
),
q AS (
    SELECT g, is_total, median_response_days_lo + median_response_days_f * (median_response_days_hi - median_response_days_lo) AS median_response_days, p90_response_days_lo + p90_response_days_f * (p90_response_days_hi - p90_response_days_lo) AS p90_response_days
    FROM (SELECT g, is_total, max(resp) FILTER (WHERE floor(((total - 1) * 0.5)) >= before AND floor(((total - 1) * 0.5)) < before + cnt) AS median_response_days_lo, max(resp) FILTER (WHERE ceil(((total - 1) * 0.5)) >= before AND ceil(((total - 1) * 0.5)) < before + cnt) AS median_response_days_hi, any_value(((total - 1) * 0.5) - floor(((total - 1) * 0.5))) AS median_response_days_f, max(resp) FILTER (WHERE floor(((total - 1) * 0.9)) >= before AND floor(((total - 1) * 0.9)) < before + cnt) AS p90_response_days_lo, max(resp) FILTER (WHERE ceil(((total - 1) * 0.9)) >= before AND ceil(((total - 1) * 0.9)) < before + cnt) AS p90_response_days_hi, any_value(((total - 1) * 0.9) - floor(((total - 1) * 0.9))) AS p90_response_days_f FROM hist GROUP BY g, is_total)
)
SELECT a.g, a.* EXCLUDE (g, is_total), q.* EXCLUDE (g, is_total)
FROM agg AS a LEFT JOIN q ON a.g IS NOT DISTINCT FROM q.g AND a.is_total = q.is_total), s AS (SELECT g, code, on_time, late, open_overdue, at_risk, open, unknown, uncertain FROM (SELECT g, any_value(code) AS code, count(*) FILTER (WHERE state = 0) AS on_time,
    count(*) FILTER (WHERE state = 1) AS late,
    count(*) FILTER (WHERE state = 2) AS open_overdue,
    count(*) FILTER (WHERE state = 3) AS at_risk,
    count(*) FILTER (WHERE state = 4) AS open,
    count(*) FILTER (WHERE state = 6) AS unknown,
    count(*) FILTER (WHERE state = 7) AS uncertain FROM (SELECT CASE WHEN NOT coalesce(x.unit_kind = 'camat', false) AND NOT coalesce(x.unit_kind = 'kelurahan', false) THEN x.unit END AS g, x.unit_code AS code, x.state FROM clock AS x WHERE x.owner = 1) AS k GROUP BY g) WHERE g IS NOT NULL)
SELECT coalesce(c.g, s.g) AS "group",
    c.* EXCLUDE (g) REPLACE (coalesce(c.group_code, s.code) AS group_code),
    coalesce(s.on_time, 0) AS on_time, coalesce(s.late, 0) AS late, coalesce(s.open_overdue, 0) AS open_overdue, coalesce(s.at_risk, 0) AS at_risk, coalesce(s.open, 0) AS open, coalesce(s.unknown, 0) AS unknown, coalesce(s.uncertain, 0) AS uncertain
FROM c FULL JOIN s ON c.g IS NOT DISTINCT FROM s.g
ORDER BY "group"
