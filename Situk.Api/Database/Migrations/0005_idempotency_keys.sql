-- Idempotency-Key on creation routes: the key, a fingerprint of the request, and the first answer,
-- written in the same transaction as what the request created, so a retry creates nothing new.
-- Only successful answers are kept (a refused request rolls back, key included); keys live 24 hours.
CREATE TABLE idempotency_keys (
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    route       text        NOT NULL CHECK (length(route) BETWEEN 1 AND 100),
    key         text        NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    fingerprint text        NOT NULL CHECK (length(fingerprint) = 64),
    status_code integer     NULL CHECK (status_code BETWEEN 200 AND 299),
    body        text        NULL,
    location    text        NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, route, key)
);

CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
