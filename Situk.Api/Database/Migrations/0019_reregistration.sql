-- Registering again, and withdrawing (docs/API.md, state machine).
--
-- * 'withdrawn': the asesi withdrew before an asesor was assigned; like 'rejected' it frees the seat.
-- * One seat per asesi and schedule among registrations that hold one (not rejected, not withdrawn):
--   after a rejection or a withdrawal the asesi may register on the same schedule again.
-- * One active registration per asesi and scheme: not rejected, withdrawn or not_yet_competent.
--   'competent' counts as active: a competent asesi holds the certificate of that scheme and does not
--   register for it again. Enforced by a unique index, so of two concurrent registrations one fails.
--   For that index registrations carry their schedule's scheme, filled in by a trigger and kept equal
--   to the schedule's by a composite foreign key.

ALTER TABLE registrations DROP CONSTRAINT registrations_status_check;
ALTER TABLE registrations ADD CONSTRAINT registrations_status_check CHECK (status IN (
    'submitted', 'verified', 'rejected', 'withdrawn', 'assigned', 'apl02_submitted',
    'eligible', 'not_yet_competent', 'scheduled', 'competent'));

-- Withdrawal happens before assignment: no asesor is named on a withdrawn registration.
ALTER TABLE registrations DROP CONSTRAINT registrations_asesor_named;
ALTER TABLE registrations ADD CONSTRAINT registrations_asesor_named
    CHECK (status IN ('submitted', 'verified', 'rejected', 'withdrawn') OR asesor_id IS NOT NULL);
ALTER TABLE registrations ADD CONSTRAINT registrations_withdrawn_unassigned
    CHECK (status <> 'withdrawn' OR asesor_id IS NULL);

-- The scheme of each registration, copied from its schedule.
ALTER TABLE schedules ADD CONSTRAINT schedules_id_scheme_key UNIQUE (id, scheme_id);
ALTER TABLE registrations ADD COLUMN scheme_id bigint;
UPDATE registrations r SET scheme_id = s.scheme_id FROM schedules s WHERE s.id = r.schedule_id;
ALTER TABLE registrations ALTER COLUMN scheme_id SET NOT NULL;
-- A schedule's scheme cannot change under its registrations (the API answers 409 before this).
ALTER TABLE registrations ADD CONSTRAINT registrations_schedule_scheme_fkey
    FOREIGN KEY (schedule_id, scheme_id) REFERENCES schedules (id, scheme_id) ON DELETE RESTRICT;

-- Writers name only the schedule; the scheme is taken from it. An unknown schedule is the same
-- foreign-key violation it always was.
CREATE FUNCTION situk_registration_scheme() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT s.scheme_id INTO NEW.scheme_id FROM schedules s WHERE s.id = NEW.schedule_id;
    IF NOT FOUND THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('schedule %s does not exist', NEW.schedule_id),
            CONSTRAINT = 'registrations_schedule_id_fkey', TABLE = 'registrations';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER registrations_scheme BEFORE INSERT OR UPDATE OF schedule_id ON registrations
    FOR EACH ROW EXECUTE FUNCTION situk_registration_scheme();

-- Data from before this rule may hold two active registrations of one asesi for one scheme; the
-- index below cannot be built then. Stop with the rows to settle (withdraw or reject one of each pair).
DO $$
DECLARE
    clashes text;
BEGIN
    SELECT string_agg(format('asesi %s, scheme %s: registrations %s', asesi_id, scheme_id, ids), '; ')
    INTO clashes
    FROM (SELECT asesi_id, scheme_id, string_agg(id::text, ', ' ORDER BY id) AS ids
          FROM registrations
          WHERE status NOT IN ('rejected', 'withdrawn', 'not_yet_competent')
          GROUP BY asesi_id, scheme_id HAVING count(*) > 1) d;
    IF clashes IS NOT NULL THEN
        RAISE EXCEPTION 'More than one active registration per asesi and scheme; settle these first: %', clashes;
    END IF;
END
$$;

ALTER TABLE registrations DROP CONSTRAINT registrations_schedule_id_asesi_id_key;
CREATE UNIQUE INDEX registrations_seat_per_schedule
    ON registrations (schedule_id, asesi_id) WHERE status NOT IN ('rejected', 'withdrawn');
CREATE UNIQUE INDEX registrations_active_per_scheme
    ON registrations (asesi_id, scheme_id) WHERE status NOT IN ('rejected', 'withdrawn', 'not_yet_competent');

-- GET /schedules pages by (opens_at, id).
CREATE INDEX schedules_opens_idx ON schedules (opens_at, id);
