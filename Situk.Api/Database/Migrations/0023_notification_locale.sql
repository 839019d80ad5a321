-- The language and time zone a notification's words were written in (users.language and users.time_zone
-- when NotificationWriter stored it). The email relay lays the email out around those words in the same
-- language and zone when it sends it, later: greeting, button, footer, the unsubscribe line and a digest's
-- list, so a reader who changes language between the write and the send still gets one language.
-- Existing rows take their reader's current language and zone. Null only for a row written outside
-- NotificationWriter (by hand); the relay then falls back to the reader's current settings.
ALTER TABLE notifications
    ADD COLUMN language  text NULL CHECK (language IN ('id', 'en')),
    ADD COLUMN time_zone text NULL CHECK (length(time_zone) BETWEEN 1 AND 64);

UPDATE notifications n SET language = u.language, time_zone = u.time_zone
FROM users u WHERE u.id = n.user_id;
