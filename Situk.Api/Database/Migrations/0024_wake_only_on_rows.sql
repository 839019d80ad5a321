-- A statement trigger fires for every INSERT statement, even one that inserted no row. The notification
-- writer inserts into push_outbox, email_outbox and digest_items from one statement (each a CTE, most of
-- them empty for a given kind and reader), so every notification woke the push relay, the email relay
-- and the digest sweeper, and the two that had nothing to do each ran a query to find that out. Wake a
-- listener only when its table received rows: the transition table says how many.
CREATE OR REPLACE FUNCTION situk_notify_push_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted) THEN
        PERFORM pg_notify('situk_push_outbox', '');
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION situk_notify_email_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted) THEN
        PERFORM pg_notify('situk_email_outbox', '');
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION situk_notify_digest_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted) THEN
        PERFORM pg_notify('situk_digest_items', '');
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER push_outbox_inserted ON push_outbox;
CREATE TRIGGER push_outbox_inserted AFTER INSERT ON push_outbox
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_push_outbox();

DROP TRIGGER email_outbox_inserted ON email_outbox;
CREATE TRIGGER email_outbox_inserted AFTER INSERT ON email_outbox
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_email_outbox();

DROP TRIGGER digest_items_inserted ON digest_items;
CREATE TRIGGER digest_items_inserted AFTER INSERT ON digest_items
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_digest_items();
