-- Pantau store, schema version 7: the Tukin ledger (docs/ledger.md).
--
-- Closing a month freezes, per unit, the stages due in that month and the cases counted against
-- it; later imports never change a closed version. Reopening keeps the version and makes the next
-- one when the month is closed again. Appeals (keberatan) belong to one version; an accepted
-- appeal takes its case out of the unit's final count and stays visible with the decision.
-- No personal data: complaint ids, stages, times and unit codes only.

CREATE SEQUENCE ledger_appeal_seq START 1;

CREATE TABLE ledger_versions (
    month           VARCHAR NOT NULL,      -- 'YYYY-MM', the regency's local calendar month
    version         INTEGER NOT NULL,      -- 1, 2, ... (a re-close after a reopen)
    closed_at       TIMESTAMPTZ NOT NULL,
    closed_by       VARCHAR NOT NULL,
    as_of           TIMESTAMPTZ NOT NULL,  -- the data moment judged (the latest snapshot, or --as-of)
    policy          VARCHAR NOT NULL,      -- the SLA policy's name
    policy_sha256   VARCHAR NOT NULL,      -- sha256 of its file: the rule the month was judged by
    content_sha256  VARCHAR NOT NULL,      -- sha256 of the frozen units and cases (docs/ledger.md)
    appeal_until    TIMESTAMPTZ NOT NULL,  -- appeals are filed before this moment
    reopened_at     TIMESTAMPTZ,           -- set when this version was reopened (it stays, as history)
    reopened_by     VARCHAR,
    reopen_reason   VARCHAR,
    PRIMARY KEY (month, version)
);

-- Per unit: the stages due in the month and how they ended, as frozen at the close.
CREATE TABLE ledger_units (
    month         VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    unit_code     VARCHAR NOT NULL,        -- 'VERIFIKATOR' for the verifier
    unit          VARCHAR NOT NULL,
    unit_kind     VARCHAR NOT NULL,        -- opd | camat | verifikator
    due           INTEGER NOT NULL,
    on_time       INTEGER NOT NULL,
    late          INTEGER NOT NULL,
    open_overdue  INTEGER NOT NULL,
    uncertain     INTEGER NOT NULL,        -- listed, never counted
    unknown       INTEGER NOT NULL,        -- reached, time missing: neither way
    PRIMARY KEY (month, version, unit_code)
);

-- The cases behind the counts: late, open past the deadline at the close, and uncertain ones.
CREATE TABLE ledger_cases (
    month              VARCHAR NOT NULL,
    version            INTEGER NOT NULL,
    unit_code          VARCHAR NOT NULL,
    source             VARCHAR NOT NULL,
    source_id          VARCHAR NOT NULL,   -- the complaint id in its source (SP4N tracking id)
    stage              VARCHAR NOT NULL,
    state              VARCHAR NOT NULL,   -- late | open_overdue | uncertain
    deadline           TIMESTAMPTZ NOT NULL,
    ended_at           TIMESTAMPTZ,        -- NULL while open
    time_basis         VARCHAR NOT NULL,   -- reported | estimated | open
    ended_after        TIMESTAMPTZ,        -- estimated: the stage ended after this snapshot ...
    working_days_over  DOUBLE,
    PRIMARY KEY (month, version, source, source_id, stage)
);

CREATE TABLE ledger_appeals (
    appeal_id   BIGINT PRIMARY KEY DEFAULT nextval('ledger_appeal_seq'),
    month       VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    unit_code   VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    source_id   VARCHAR NOT NULL,
    stage       VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,          -- bukan_wewenang | waktu_salah | pelapor_tidak_dapat_dihubungi | kahar | lainnya
    text        VARCHAR NOT NULL,
    filed_by    VARCHAR NOT NULL,
    filed_at    TIMESTAMPTZ NOT NULL,
    decision    VARCHAR,                   -- accepted | rejected; NULL while pending
    decided_by  VARCHAR,
    decided_at  TIMESTAMPTZ,
    note        VARCHAR,
    carried_from BIGINT,                   -- the appeal of the earlier version this one continues
    UNIQUE (month, version, source, source_id, stage)
);
