-- Every write of a notification frame to a device socket, on its own row, whether or not the device
-- ever acks it: the proof that a frame reached a socket matters most for a device that never answered.
-- Until now the write time travelled only inside the ack's receipt (delivery_receipts.written_at), so
-- a frame written to a device that never acked left no trace. Receipts stored before this migration
-- keep their written_at; the timeline reads both and shows one written step per session.
-- delivery_receipts (UNIQUE (notification_id, session_id), 0002) and notification_reads (PRIMARY KEY
-- (notification_id, source), 0007) were keyed on their natural keys from the start, so there are no
-- duplicate rows to remove; how many sessions are kept per notification is bounded by the writers.

-- Keyed on the natural key, notification + session: a re-send of the same notification to the same
-- session keeps the first write time (ON CONFLICT DO NOTHING in the writer). No user_id: the writer
-- stores a record only for a notification of the user whose session it was.
CREATE TABLE delivery_writes (
    notification_id bigint      NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    session_id      text        NOT NULL CHECK (length(session_id) BETWEEN 1 AND 100),
    device_class    text        NOT NULL CHECK (device_class IN ('web', 'android', 'ios', 'desktop', 'other')),
    written_at      timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (notification_id, session_id)
);
