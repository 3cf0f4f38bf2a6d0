-- Pantau store, schema version 1. Applied once by analytics.store.migrate().
-- All times are TIMESTAMPTZ (instants); display converts to the region's zone.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE SEQUENCE import_batch_seq START 1;

CREATE TABLE import_batches (
    batch_id          INTEGER PRIMARY KEY,
    file_name         VARCHAR NOT NULL,
    sha256            VARCHAR NOT NULL,
    format            VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    agency            VARCHAR,
    region            VARCHAR,
    snapshot_at       TIMESTAMPTZ NOT NULL,
    rows_read         INTEGER NOT NULL,
    rows_new          INTEGER NOT NULL,
    rows_updated      INTEGER NOT NULL,
    rows_unchanged    INTEGER NOT NULL,
    rows_quarantined  INTEGER NOT NULL,
    rows_duplicate    INTEGER NOT NULL,
    imported_at       TIMESTAMPTZ NOT NULL,
    report_json       VARCHAR
);

-- One row per complaint, keyed by where it came from and the id it has there.
CREATE TABLE complaints (
    source              VARCHAR NOT NULL,
    source_id           VARCHAR NOT NULL,
    received_at         TIMESTAMPTZ NOT NULL,
    verified_at         TIMESTAMPTZ,
    dispatched_at       TIMESTAMPTZ,
    first_response_at   TIMESTAMPTZ,
    resolved_at         TIMESTAMPTZ,
    verified_est        BOOLEAN NOT NULL DEFAULT false,
    dispatched_est      BOOLEAN NOT NULL DEFAULT false,
    first_response_est  BOOLEAN NOT NULL DEFAULT false,
    resolved_est        BOOLEAN NOT NULL DEFAULT false,
    status              VARCHAR NOT NULL,
    status_raw          VARCHAR,
    classification      VARCHAR,
    category            VARCHAR,
    channel             VARCHAR,
    agency              VARCHAR,
    unit_code           VARCHAR,
    unit                VARCHAR,
    unit_raw            VARCHAR,
    unit_kind           VARCHAR,
    kecamatan_code      VARCHAR,
    kecamatan           VARCHAR,
    kecamatan_raw       VARCHAR,
    desa_code           VARCHAR,
    desa                VARCHAR,
    desa_raw            VARCHAR,
    lat                 DOUBLE,
    lon                 DOUBLE,
    rating              TINYINT,
    redispatch_count    INTEGER NOT NULL DEFAULT 0,
    anonymous           BOOLEAN NOT NULL DEFAULT false,
    confidential        BOOLEAN NOT NULL DEFAULT false,
    reporter_name       VARCHAR,
    reporter_contact    VARCHAR,
    text                VARCHAR,
    first_batch_id      INTEGER NOT NULL,
    last_batch_id       INTEGER NOT NULL,
    last_snapshot_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, source_id)
);

-- Every status a complaint was seen in, at the snapshot time of the export that showed it.
CREATE TABLE status_history (
    source       VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    status_raw   VARCHAR,
    observed_at  TIMESTAMPTZ NOT NULL,
    batch_id     INTEGER NOT NULL
);

-- Rows an import refused, kept whole so nothing a file carried is lost.
CREATE TABLE quarantine (
    batch_id    INTEGER NOT NULL,
    row_number  INTEGER NOT NULL,
    source_id   VARCHAR,
    raw_json    VARCHAR NOT NULL,
    reasons     VARCHAR NOT NULL
);
