-- Email escalation: a notification no device acked within its kind's deadline is emailed, once.
-- 'always' rows are the kinds that always email (registration received, verdicts); 'escalation'
-- rows are unique per notification, so any number of API instances escalate each one at most once.
ALTER TABLE email_outbox
    ADD COLUMN reason text NOT NULL DEFAULT 'always' CHECK (reason IN ('always', 'escalation'));

CREATE UNIQUE INDEX email_outbox_escalated_once ON email_outbox (notification_id) WHERE reason = 'escalation';
