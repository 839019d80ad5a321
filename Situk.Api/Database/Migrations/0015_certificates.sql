-- Certificates: what a competent verdict issues. Each has a number in the LSP's format, unique for
-- ever, built from a per-(scheme, year) sequence that is never reused; a validity period from its scheme;
-- and, once, a revocation by an admin and an expiry notice to its holder.

-- How many years a certificate of this scheme is valid (BNSP schemes: usually 3).
ALTER TABLE schemes ADD COLUMN validity_years integer NOT NULL DEFAULT 3 CHECK (validity_years BETWEEN 1 AND 10);

-- The last sequence number handed out per scheme and year. Allocated with UPDATE … RETURNING in the
-- issuing transaction: the row lock orders concurrent issues, and a rolled-back issue rolls its
-- number back with it, so numbers have no gaps and are never handed out twice.
CREATE TABLE certificate_sequences (
    scheme_id bigint  NOT NULL REFERENCES schemes (id) ON DELETE RESTRICT,
    year      integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    last_seq  integer NOT NULL CHECK (last_seq >= 1),
    PRIMARY KEY (scheme_id, year)
);

CREATE TABLE certificates (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number             text        NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 300),
    registration_id    bigint      NOT NULL UNIQUE REFERENCES registrations (id) ON DELETE RESTRICT,
    scheme_id          bigint      NOT NULL REFERENCES schemes (id) ON DELETE RESTRICT,
    holder_id          bigint      NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    -- As printed: the APL-01 name and the scheme's name when it was issued.
    holder_name        text        NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 200),
    scheme_name        text        NOT NULL CHECK (length(scheme_name) BETWEEN 1 AND 200),
    year               integer     NOT NULL,
    seq                integer     NOT NULL CHECK (seq >= 1),
    issued_at          timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    revoked_at         timestamptz NULL,
    revoked_by         bigint      NULL REFERENCES users (id) ON DELETE SET NULL,
    revocation_reason  text        NULL CHECK (revocation_reason IS NULL OR length(revocation_reason) BETWEEN 1 AND 2000),
    expiry_notified_at timestamptz NULL,
    UNIQUE (scheme_id, year, seq),
    CHECK (expires_at > issued_at),
    CONSTRAINT certificates_revocation_complete CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
);

CREATE INDEX certificates_holder_idx ON certificates (holder_id, id);
CREATE INDEX certificates_scheme_idx ON certificates (scheme_id, id);
-- The expiry sweep: live certificates not yet told, by expiry.
CREATE INDEX certificates_expiry_idx ON certificates (expires_at) WHERE expiry_notified_at IS NULL AND revoked_at IS NULL;
