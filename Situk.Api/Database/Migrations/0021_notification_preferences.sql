-- Each person's notification preferences, per group of kinds (Situk.Contracts NotificationGroups) and
-- channel. No row means both channels on: a new user gets everything, and a group added later starts on.
-- The writer reads this table when it writes a notification, so a change applies to what is written after it.
CREATE TABLE notification_preferences (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind_group text        NOT NULL CHECK (kind_group ~ '^[a-z][a-z0-9-]{0,39}$'),
    push       boolean     NOT NULL,
    email      boolean     NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (user_id, kind_group)
);

-- One-click unsubscribe links (RFC 8058), one per email of an optional kind, minted when the email is
-- composed for sending. Only the SHA-256 of the token is kept; a link works once, until expires_at.
-- Re-composing the same email (an SMTP retry) replaces its token: only the sent message's link works.
CREATE TABLE unsubscribe_links (
    email_id   bigint      PRIMARY KEY REFERENCES email_outbox (id) ON DELETE CASCADE,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind ~ '^[a-z0-9_]+\.[a-z0-9_]+$'),
    token_hash bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz NULL
);
