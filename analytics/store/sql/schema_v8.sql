-- Pantau store, schema version 8: the units a complaint was seen with, snapshot by snapshot.
--
-- An export carries a complaint's current unit only; a newer snapshot overwrites it in
-- `complaints`. To see a complaint bounced between offices ("dilempar": back to a unit it already
-- left, or moved three times or more; docs/metrics.md, "Closure quality"), every import writes a
-- row here when it first sees a complaint with a unit and whenever a newer snapshot shows another.
CREATE TABLE unit_history (
    source       VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    unit_code    VARCHAR,               -- NULL: a name the registry does not know (unit_raw has it)
    unit_raw     VARCHAR,
    observed_at  TIMESTAMPTZ NOT NULL,  -- the snapshot that showed it
    batch_id     INTEGER NOT NULL
);

-- Stores from before v8: the unit each complaint has now, seen at its first import's snapshot
-- (the history before this version was not kept).
INSERT INTO unit_history
SELECT c.source, c.source_id, c.unit_code, c.unit_raw, b.snapshot_at, c.first_batch_id
FROM complaints c JOIN import_batches b ON b.batch_id = c.first_batch_id
WHERE c.unit_code IS NOT NULL OR c.unit_raw IS NOT NULL;
