-- Pantau store, schema version 2: commitments made in the weekly performance review.
-- A unit promises something at the review of one ISO week; the next packs list it until it is
-- done (docs/review-pack.md). Dates are the regency's local dates; created_at is an instant.

CREATE SEQUENCE commitment_seq START 1;

CREATE TABLE commitments (
    id          INTEGER PRIMARY KEY DEFAULT nextval('commitment_seq'),
    unit_code   VARCHAR,               -- registry code when the unit has one
    unit        VARCHAR NOT NULL,      -- the unit's name as the league shows it
    text        VARCHAR NOT NULL,      -- what was promised (no personal data: see the docs)
    due_on      DATE NOT NULL,
    made_week   VARCHAR NOT NULL,      -- the ISO week reviewed when it was made, e.g. 2025-W24
    created_at  TIMESTAMPTZ NOT NULL,
    done_on     DATE,                  -- NULL while open
    done_note   VARCHAR
);
