-- People who sign in: candidates (asesi), examiners (asesor) and admins.
-- Emails are unique regardless of case; passwords are stored only as ASP.NET Core Identity hashes.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    full_name     text        NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    phone         text        NULL CHECK (phone IS NULL OR length(phone) <= 40),
    role          text        NOT NULL CHECK (role IN ('asesi', 'asesor', 'admin')),
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_role_idx ON users (role);
