-- Each user's language and IANA time zone: every text Situk writes for them (notification, email,
-- page) is in that language, with times in that zone. Stored times stay UTC.
-- The API fills both at sign-up from the request or Situk:DefaultLanguage / Situk:DefaultTimeZone;
-- the column defaults cover users created before this migration.
ALTER TABLE users
    ADD COLUMN language  text NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
    ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Jakarta' CHECK (length(time_zone) BETWEEN 1 AND 64);
