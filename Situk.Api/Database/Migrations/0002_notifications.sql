-- Notifications and the two outboxes that carry them, written in the same transaction as the change
-- that caused them (transactional outbox). The relays claim outbox rows with FOR UPDATE SKIP LOCKED,
-- so any number of API instances share the work; inserts wake them through LISTEN/NOTIFY.

-- The inbox: each notification once per recipient.
CREATE TABLE notifications (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id                bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind                   text        NOT NULL CHECK (kind ~ '^[a-z0-9_]+\.[a-z0-9_]+$'),
    priority               smallint    NOT NULL DEFAULT 0 CHECK (priority IN (0, 1)), -- 0 normal, 1 high
    title                  text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body                   text        NOT NULL CHECK (length(body) <= 4000),
    link                   text        NULL CHECK (link IS NULL OR length(link) <= 2000),
    data                   jsonb       NULL,
    -- Size in bytes of the device frame, for the delay-by-payload-size statistics.
    payload_bytes          integer     NOT NULL DEFAULT 0 CHECK (payload_bytes >= 0),
    -- clock_timestamp, not now(): the delay clock starts when the row is written, not when the transaction began.
    created_at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- The first device ack: the delivery receipt.
    delivered_at           timestamptz NULL,
    delivered_device_class text        NULL,
    read_at                timestamptz NULL
);

CREATE INDEX notifications_user_id_idx ON notifications (user_id, id);
CREATE INDEX notifications_undelivered_idx ON notifications (user_id, id) WHERE delivered_at IS NULL;
CREATE INDEX notifications_created_at_idx ON notifications (created_at);

-- What still has to go to the broker. 'pending' rows are claimed, pushed, then marked 'forwarded'.
CREATE TABLE push_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id bigint      NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'forwarded')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_error      text        NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    forwarded_at    timestamptz NULL
);

CREATE INDEX push_outbox_pending_idx ON push_outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX push_outbox_notification_idx ON push_outbox (notification_id);

-- What still has to go out by SMTP. A permanent (5xx) refusal ends in 'failed' and is not retried.
CREATE TABLE email_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id bigint      NULL REFERENCES notifications (id) ON DELETE CASCADE,
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_address      text        NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    subject         text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    text_body       text        NOT NULL,
    html_body       text        NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_error      text        NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at         timestamptz NULL
);

CREATE INDEX email_outbox_pending_idx ON email_outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX email_outbox_notification_idx ON email_outbox (notification_id);

-- Every device ack, once per session: the audit trail of who saw what, where and when.
CREATE TABLE delivery_receipts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id bigint      NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id      text        NOT NULL CHECK (length(session_id) <= 100),
    device_class    text        NOT NULL CHECK (device_class IN ('web', 'android', 'ios', 'desktop', 'other')),
    acked_at        timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (notification_id, session_id)
);

-- Wake the relays when work arrives (once per inserting statement; the payload is only a hint).
CREATE FUNCTION situk_notify_push_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('situk_push_outbox', '');
    RETURN NULL;
END $$;

CREATE FUNCTION situk_notify_email_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('situk_email_outbox', '');
    RETURN NULL;
END $$;

CREATE TRIGGER push_outbox_inserted AFTER INSERT ON push_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_push_outbox();

CREATE TRIGGER email_outbox_inserted AFTER INSERT ON email_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_email_outbox();
