-- Pantau store, schema version 5: login sessions, so that a logout ends a login on the server.

-- One row per login at the identity provider, written the first time a page is drawn for it
-- (with the login's one `login` audit row, in the same transaction). Streamlit's identity cookie
-- is signed but lives 30 days and is not revoked by st.logout(); every page run therefore looks
-- its login up here: `ended_at` set (Keluar, in any tab) means the login no longer counts, for
-- every tab and every copy of the cookie (analytics/security/sessions.py, docs/security.md).
CREATE TABLE login_sessions (
    session_id  VARCHAR PRIMARY KEY,  -- hash of the ID token's iss, sub, email, iat, nonce
    email       VARCHAR NOT NULL,
    provider    VARCHAR,              -- the [auth.<name>] section the login came through
    role        VARCHAR,              -- the role it was given when it started
    unit        VARCHAR,
    issued_at   TIMESTAMPTZ NOT NULL, -- the identity provider's login time (the ID token's iat)
    started_at  TIMESTAMPTZ NOT NULL, -- the first page Pantau drew for it
    ended_at    TIMESTAMPTZ           -- Keluar; NULL while the login holds
);
