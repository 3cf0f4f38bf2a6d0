-- Pantau store, schema version 3: the audit log, and Anonim reports without stored identity.

-- Who did what, when: logins, refused logins, imports, downloads, reveals of personal data.
-- Append-only: Pantau never updates or deletes a row (docs/security.md, "Audit log").
CREATE SEQUENCE audit_seq START 1;

CREATE TABLE audit_log (
    id      BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    occurred_at TIMESTAMPTZ NOT NULL,
    who     VARCHAR NOT NULL,   -- login e-mail, "open:<role>" without login, "cli:<os user>"
    role    VARCHAR,            -- pimpinan / analis / unit / cli; NULL for a refused login
    unit    VARCHAR,            -- the unit code of a unit viewer
    action  VARCHAR NOT NULL,   -- login, logout, denied, import, demo, download, reveal
    detail  VARCHAR             -- JSON: file names, row counts, complaint ids, the reason given
);

-- Anonim reports never keep the reporter's identity (analytics.privacy.strip_anonymous does it
-- for new imports); this clears what older versions stored.
UPDATE complaints SET reporter_name = NULL, reporter_contact = NULL
WHERE anonymous AND (reporter_name IS NOT NULL OR reporter_contact IS NOT NULL);
