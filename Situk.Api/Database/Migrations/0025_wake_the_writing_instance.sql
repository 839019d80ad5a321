-- Every API instance listens on the wake-up channels, so every commit that wrote outbox rows woke the relays
-- of every instance, and all but one of them ran a claim that found the rows locked or gone: with N instances
-- N claims per notification. The payload now names the instance whose transaction wrote the rows (the
-- situk.instance setting each instance gives its connections at start, DatabaseConnections); that instance's
-- relay looks at once, the others only after Situk:Relay:OtherInstanceWakeDelay, at most once per delay,
-- in case the writer cannot relay (its broker link down, or it died after the commit). A writer without the
-- setting (psql, a script) sends an empty payload, which wakes every instance at once, as before.
-- One function for the three channels: the channel is the trigger's argument.
CREATE FUNCTION situk_notify_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted) THEN
        PERFORM pg_notify(TG_ARGV[0], coalesce(current_setting('situk.instance', true), ''));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER push_outbox_inserted ON push_outbox;
CREATE TRIGGER push_outbox_inserted AFTER INSERT ON push_outbox
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_inserted('situk_push_outbox');

DROP TRIGGER email_outbox_inserted ON email_outbox;
CREATE TRIGGER email_outbox_inserted AFTER INSERT ON email_outbox
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_inserted('situk_email_outbox');

DROP TRIGGER digest_items_inserted ON digest_items;
CREATE TRIGGER digest_items_inserted AFTER INSERT ON digest_items
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_inserted('situk_digest_items');

DROP FUNCTION situk_notify_push_outbox();
DROP FUNCTION situk_notify_email_outbox();
DROP FUNCTION situk_notify_digest_items();
