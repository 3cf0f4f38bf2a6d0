-- Pantau store, schema version 6: what the source itself says about timeliness.

-- A source's per-request deadline (a 311 system's "Due Date") and its own verdict ("On Time"),
-- read through a mapping file's [columns] due_at / source_on_time. Kept beside Pantau's clock;
-- a policy may take the source's deadline for a stage (docs/metrics.md, "Deadlines").
ALTER TABLE complaints ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE complaints ADD COLUMN source_on_time BOOLEAN;
