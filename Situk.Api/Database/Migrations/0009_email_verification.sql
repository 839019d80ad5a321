-- Email addresses are stored in one canonical form (trimmed, lower case, a bare address with no
-- display name or angle brackets) and a candidate proves theirs before registering for a scheme.

ALTER TABLE users ADD COLUMN email_verified_at timestamptz NULL;

-- Accounts that existed before verification count as verified: they were used as they are, and the
-- first admin and admin-created asesors never verify. The exception is a row whose text is not a bare
-- address (a display name, angle brackets, spaces, quotes, commas): the mail server read it as another
-- address, so whoever created it never proved they own that one. It stays unverified.
UPDATE users SET email_verified_at = created_at WHERE btrim(email) !~ '[<>\s",;()]';

-- Trim and lower-case every address whose canonical form no other row has. Bare addresses go first,
-- so that one whose owner proved nothing (below) cannot take the form of a real one.
UPDATE users u
SET email = lower(btrim(u.email))
WHERE u.email <> lower(btrim(u.email))
  AND btrim(u.email) !~ '[<>\s",;()]'
  AND NOT EXISTS (SELECT 1 FROM users o WHERE o.id <> u.id AND lower(btrim(o.email)) = lower(btrim(u.email)));

-- An odd row becomes the address inside its angle brackets when that is a bare address nobody has,
-- and no other odd row wants. Otherwise it keeps its text (it can no longer sign in: sign-in only looks
-- up canonical forms); the constraint below is NOT VALID so that such a row stands.
WITH wanted AS (
    SELECT id, lower(btrim(substring(email FROM '<([^<>]*)>'))) AS canonical
    FROM users
    WHERE btrim(email) ~ '[<>\s",;()]'
)
UPDATE users u
SET email = w.canonical
FROM wanted w
WHERE u.id = w.id
  AND w.canonical ~ '^[^<>\s",;()@]+@[^<>\s",;()@]+$'
  AND NOT EXISTS (SELECT 1 FROM users o WHERE o.id <> w.id AND lower(btrim(o.email)) = w.canonical)
  AND (SELECT count(*) FROM wanted w2 WHERE w2.canonical = w.canonical) = 1;

ALTER TABLE users ADD CONSTRAINT users_email_canonical
    CHECK (email = lower(btrim(email)) AND email !~ '[<>\s",;()]') NOT VALID;

-- Single-use sign-up verification links: only a SHA-256 of the token is stored.
CREATE TABLE email_verifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz NULL
);

CREATE INDEX email_verifications_user_idx ON email_verifications (user_id);
