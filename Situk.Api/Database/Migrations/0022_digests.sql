-- Digests: a busy day's routine notices reach a person as one push and one email that list them,
-- instead of one each. Every item keeps its own inbox row; only its own push and email are held.

-- Which copies are digested: a kind, for recipients of a role (the admins' copy of
-- registration.submitted, not the asesi's own). The API rewrites this table from
-- Situk:Digests:Kinds at start; these rows are its defaults.
CREATE TABLE digest_kinds (
    kind text NOT NULL CHECK (kind ~ '^[a-z0-9_]+\.[a-z0-9_]+$'),
    role text NOT NULL CHECK (role IN ('asesi', 'asesor', 'admin')),
    PRIMARY KEY (kind, role)
);

INSERT INTO digest_kinds (kind, role) VALUES ('registration.submitted', 'admin'), ('apl02.submitted', 'asesor');

-- An item waiting for its digest (digest_id null), or carried by one. Written by NotificationWriter
-- instead of the item's push_outbox and email_outbox rows, in the same transaction as the item.
-- The digest sweeper claims a person's waiting items FOR UPDATE SKIP LOCKED and sets digest_id in
-- the transaction that writes the digest, so each item is carried once, by one digest of its owner.
CREATE TABLE digest_items (
    notification_id bigint      PRIMARY KEY REFERENCES notifications (id) ON DELETE CASCADE,
    user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    digest_id       bigint      NULL REFERENCES notifications (id) ON DELETE SET NULL,
    carried_at      timestamptz NULL
);

CREATE INDEX digest_items_waiting_idx ON digest_items (user_id, notification_id) WHERE digest_id IS NULL;
CREATE INDEX digest_items_digest_idx ON digest_items (digest_id) WHERE digest_id IS NOT NULL;

-- Wake the sweeper when items arrive, so a full batch (Situk:Digests:MaxItems) goes out at once.
CREATE FUNCTION situk_notify_digest_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('situk_digest_items', '');
    RETURN NULL;
END $$;

CREATE TRIGGER digest_items_inserted AFTER INSERT ON digest_items
    FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_digest_items();
