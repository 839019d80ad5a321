-- Refresh tokens: one row per issued token, stored only as the SHA-256 of its 32 random bytes.
-- A family is one device sign-in: every rotation adds a row to the family of the token it replaced,
-- and the access tokens carry the family id as their `sid` claim. A token is used once (used_at);
-- presenting a used one again revokes its whole family (revoked_at on every row). The sweeper deletes
-- rows whose expires_at has passed.
CREATE TABLE refresh_tokens (
    token_hash bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    family_id  uuid        NOT NULL,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
    used_at    timestamptz NULL,
    revoked_at timestamptz NULL
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);
