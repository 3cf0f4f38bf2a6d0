-- Pantau store, schema version 4: the interval of each estimated stage time.

-- An estimated time is the snapshot that first showed the stage reached; the stage happened
-- after the snapshot before it. The clock needs that lower bound to tell a sure verdict from an
-- uncertain one (docs/metrics.md, "Estimated times"). NULL when the time is reported.
ALTER TABLE complaints ADD COLUMN verified_after TIMESTAMPTZ;
ALTER TABLE complaints ADD COLUMN dispatched_after TIMESTAMPTZ;
ALTER TABLE complaints ADD COLUMN first_response_after TIMESTAMPTZ;
ALTER TABLE complaints ADD COLUMN resolved_after TIMESTAMPTZ;

-- Times estimated before this version have no stored bound. A valid one, if looser than the
-- importer's: the last status change recorded before the estimate (the complaint was seen then
-- in a status that had not reached the stage), else its receipt. A looser bound can only turn a
-- verdict into "uncertain", never into a wrong "late".
UPDATE complaints AS c SET verified_after = greatest(c.received_at, (
    SELECT max(h.observed_at) FROM status_history AS h
    WHERE h.source = c.source AND h.source_id = c.source_id AND h.observed_at < c.verified_at))
WHERE c.verified_est AND c.verified_at IS NOT NULL;
UPDATE complaints AS c SET dispatched_after = greatest(c.received_at, (
    SELECT max(h.observed_at) FROM status_history AS h
    WHERE h.source = c.source AND h.source_id = c.source_id AND h.observed_at < c.dispatched_at))
WHERE c.dispatched_est AND c.dispatched_at IS NOT NULL;
UPDATE complaints AS c SET first_response_after = greatest(c.received_at, (
    SELECT max(h.observed_at) FROM status_history AS h
    WHERE h.source = c.source AND h.source_id = c.source_id AND h.observed_at < c.first_response_at))
WHERE c.first_response_est AND c.first_response_at IS NOT NULL;
UPDATE complaints AS c SET resolved_after = greatest(c.received_at, (
    SELECT max(h.observed_at) FROM status_history AS h
    WHERE h.source = c.source AND h.source_id = c.source_id AND h.observed_at < c.resolved_at))
WHERE c.resolved_est AND c.resolved_at IS NOT NULL;
