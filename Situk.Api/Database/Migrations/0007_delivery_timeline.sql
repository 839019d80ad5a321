-- The delivery timeline of a notification, every step a durable row: the audit trail that proves a
-- person was told. created_at (committed), push_outbox.forwarded_at and delivery_receipts.acked_at
-- were stored already; this adds when the broker wrote the frame to each socket, every email attempt
-- with its outcome, and every read with where it happened.

-- When the broker wrote the notification frame to that session's socket (null for receipts stored
-- before the broker reported it).
ALTER TABLE delivery_receipts ADD COLUMN written_at timestamptz NULL;

-- One row per SMTP attempt of an email_outbox row: sent (the server's 250), retry (a transient fault,
-- tried again later) or failed (a permanent refusal, never retried). Written in the relay's transaction.
CREATE TABLE email_attempts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_id       bigint      NOT NULL REFERENCES email_outbox (id) ON DELETE CASCADE,
    attempt        integer     NOT NULL CHECK (attempt >= 1),
    outcome        text        NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
    error          text        NULL CHECK (error IS NULL OR length(error) <= 2000),
    attempted_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX email_attempts_email_idx ON email_attempts (email_id);

-- Every first read of a notification per place it was read: a device session (its read frame) or
-- the REST inbox (source 'rest'). notifications.read_at stays the first read of all.
CREATE TABLE notification_reads (
    notification_id bigint      NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    source          text        NOT NULL CHECK (length(source) BETWEEN 1 AND 100),
    via             text        NOT NULL CHECK (via IN ('device', 'rest')),
    read_at         timestamptz NOT NULL,
    PRIMARY KEY (notification_id, source)
);
