-- A push_outbox row the writing request hands to its own instance's broker link at once (the push hand-off,
-- Situk:Relay:HandOffHold) is inserted held: its next_attempt_at lies in the future, so no relay claims it while
-- the hand-off publishes it and marks it forwarded. Waking the relays for such a row only made every instance
-- run a claim that found nothing. Wake them only when a row inserted by the statement is due now; a held row
-- whose hand-off never came (its instance died after the commit) is found by a relay's fallback poll once its
-- hold has passed.
CREATE FUNCTION situk_notify_push_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted WHERE next_attempt_at <= clock_timestamp()) THEN
        PERFORM pg_notify('situk_push_outbox', coalesce(current_setting('situk.instance', true), ''));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER push_outbox_inserted ON push_outbox;
CREATE TRIGGER push_outbox_inserted AFTER INSERT ON push_outbox
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION situk_notify_push_due();
