-- Evidence files: APL-01 attachments (identity card, diploma, photo, …) and APL-02 evidence, uploaded by
-- the asesi as files and kept here, beside the registration they belong to (docs/rest-api.md, "Evidence files").
--
-- The bytes live in a bytea column rather than in large objects: a file is at most a few MiB
-- (Situk:Evidence:MaxFileBytes, default 5 MiB), a bytea row is written in one statement from a spooled
-- temporary file and read back as a stream (SequentialAccess), it is deleted with its row (large objects
-- would need lo_unlink bookkeeping, and leak when it is forgotten), and backups, replication and
-- row-level locking treat it like any other column.
CREATE TABLE evidence_files (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    registration_id bigint      NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    purpose         text        NOT NULL CHECK (purpose IN ('apl01', 'apl02')),
    kind            text        NOT NULL CHECK (kind IN ('identity_card', 'diploma', 'photo', 'other')),
    criterion_id    bigint      NULL REFERENCES performance_criteria (id) ON DELETE RESTRICT,
    file_name       text        NOT NULL CHECK (length(file_name) BETWEEN 1 AND 120),
    -- The type found from the file's leading bytes, never the one the client claimed.
    content_type    text        NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes      bigint      NOT NULL CHECK (size_bytes > 0),
    sha256          bytea       NOT NULL CHECK (length(sha256) = 32),
    content         bytea       NOT NULL,
    review          text        NOT NULL DEFAULT 'pending' CHECK (review IN ('pending', 'accepted', 'rejected')),
    review_note     text        NULL CHECK (review_note IS NULL OR length(review_note) <= 2000),
    reviewed_by     bigint      NULL REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at     timestamptz NULL,
    uploaded_at     timestamptz NOT NULL DEFAULT now(),
    -- Only APL-02 evidence answers a performance criterion, and only one of its own scheme.
    CONSTRAINT evidence_files_criterion_apl02 CHECK (criterion_id IS NULL OR purpose = 'apl02'),
    CONSTRAINT evidence_files_criterion_in_scheme CHECK (criterion_id IS NULL OR situk_criterion_in_scheme(registration_id, criterion_id)),
    -- A pending file carries no review; a reviewed one says who and when.
    CONSTRAINT evidence_files_review_consistent CHECK ((review = 'pending') = (reviewed_at IS NULL))
);

-- PDF, JPEG and PNG are compressed already: store the bytes as they are instead of trying pglz on each.
ALTER TABLE evidence_files ALTER COLUMN content SET STORAGE EXTERNAL;

CREATE INDEX evidence_files_registration_idx ON evidence_files (registration_id, id);
