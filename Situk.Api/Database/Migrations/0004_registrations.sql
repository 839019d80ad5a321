-- Registrations and the assessment they go through. The status column is the state machine of
-- docs/API.md; the CHECKs below keep each status consistent with the columns it needs.

-- Checked when a row is written (CHECK constraints calling these are not re-checked when the other
-- table changes later; users never change role and criteria of a scheme in use are never replaced).
-- The role a user id must have in a given column (asesi on registrations.asesi_id, asesor on asesor_id).
CREATE FUNCTION situk_user_has_role(user_id bigint, expected text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM users WHERE id = user_id AND role = expected)
$$;


CREATE TABLE registrations (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schedule_id       bigint      NOT NULL REFERENCES schedules (id) ON DELETE RESTRICT,
    asesi_id          bigint      NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    status            text        NOT NULL DEFAULT 'submitted' CHECK (status IN (
                          'submitted', 'verified', 'rejected', 'assigned', 'apl02_submitted',
                          'eligible', 'not_yet_competent', 'scheduled', 'competent')),
    apl01             jsonb       NOT NULL CHECK (jsonb_typeof(apl01) = 'object'),
    verification_note text        NULL CHECK (verification_note IS NULL OR length(verification_note) <= 2000),
    verified_by       bigint      NULL REFERENCES users (id) ON DELETE SET NULL,
    asesor_id         bigint      NULL REFERENCES users (id) ON DELETE RESTRICT,
    assessment_at     timestamptz NULL,
    verdict           text        NULL CHECK (verdict IN ('competent', 'not_yet_competent')),
    verdict_note      text        NULL CHECK (verdict_note IS NULL OR length(verdict_note) <= 2000),
    record_notes      text        NULL CHECK (record_notes IS NULL OR length(record_notes) <= 4000),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (schedule_id, asesi_id),
    CONSTRAINT registrations_asesi_role CHECK (situk_user_has_role(asesi_id, 'asesi')),
    CONSTRAINT registrations_asesor_role CHECK (asesor_id IS NULL OR situk_user_has_role(asesor_id, 'asesor')),
    -- From 'assigned' on, an asesor is named.
    CONSTRAINT registrations_asesor_named CHECK (status IN ('submitted', 'verified', 'rejected') OR asesor_id IS NOT NULL),
    -- 'scheduled' and 'competent' need an assessment date.
    CONSTRAINT registrations_assessment_dated CHECK (status NOT IN ('scheduled', 'competent') OR assessment_at IS NOT NULL),
    -- The verdict and the final status agree.
    CONSTRAINT registrations_competent_has_verdict CHECK (status <> 'competent' OR verdict = 'competent'),
    CONSTRAINT registrations_verdict_is_status CHECK (verdict IS NULL OR status = verdict)
);

CREATE INDEX registrations_asesi_idx ON registrations (asesi_id, id);
CREATE INDEX registrations_asesor_idx ON registrations (asesor_id, id) WHERE asesor_id IS NOT NULL;
CREATE INDEX registrations_status_idx ON registrations (status, id);

-- Whether a performance criterion belongs to the scheme of a registration's schedule.
CREATE FUNCTION situk_criterion_in_scheme(registration bigint, criterion bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1
        FROM registrations r
        JOIN schedules s ON s.id = r.schedule_id
        JOIN scheme_units u ON u.scheme_id = s.scheme_id
        JOIN scheme_elements e ON e.unit_id = u.id
        JOIN performance_criteria c ON c.element_id = e.id
        WHERE r.id = registration AND c.id = criterion)
$$;

-- APL-02: the asesi's self-assessment, one answer per performance criterion of the scheme.
CREATE TABLE apl02_answers (
    registration_id bigint  NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    criterion_id    bigint  NOT NULL REFERENCES performance_criteria (id) ON DELETE RESTRICT,
    competent       boolean NOT NULL,
    evidence        text    NULL CHECK (evidence IS NULL OR length(evidence) <= 2000),
    PRIMARY KEY (registration_id, criterion_id),
    CHECK (situk_criterion_in_scheme(registration_id, criterion_id))
);

-- The asesor's assessment record: an observation checklist and a portfolio evaluation per criterion.
CREATE TABLE assessment_records (
    registration_id bigint      NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    criterion_id    bigint      NOT NULL REFERENCES performance_criteria (id) ON DELETE RESTRICT,
    kind            text        NOT NULL CHECK (kind IN ('observation', 'portfolio')),
    competent       boolean     NOT NULL,
    note            text        NULL CHECK (note IS NULL OR length(note) <= 2000),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (registration_id, kind, criterion_id),
    CHECK (situk_criterion_in_scheme(registration_id, criterion_id))
);
