-- Deactivated accounts, and single-use links that reset a forgotten password.

-- A deactivated user cannot sign in (403), their access tokens stop working on the API within
-- Situk:Accounts:ActiveCheckInterval, and every other way to a token must check this column too.
-- NULL means active; reactivating sets it back to NULL. Their data stays: registrations, verdicts
-- and notifications keep pointing at them.
ALTER TABLE users
    ADD COLUMN deactivated_at      timestamptz NULL,
    ADD COLUMN deactivation_reason text        NULL CHECK (deactivation_reason IS NULL OR length(deactivation_reason) <= 500);

-- GET /users?role=…: a page of one role by id is a range scan of this index, not a sort.
-- The search (q) is a contains-match (ILIKE '%…%' on full_name and email) read in id order under the
-- page's LIMIT: no btree serves a contains-match and pg_trgm is not guaranteed to be installed, so
-- it stops after `limit` hits and reads at most every user (tens of thousands at an LSP) when few match.
CREATE INDEX users_role_id_idx ON users (role, id);

-- Password-reset links: only a SHA-256 of the token is stored; one hour by default, used once.
CREATE TABLE password_resets (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz NULL
);

CREATE INDEX password_resets_user_idx ON password_resets (user_id);
