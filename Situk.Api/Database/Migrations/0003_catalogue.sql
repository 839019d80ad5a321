-- The catalogue an admin maintains: certification schemes (scheme → unit → element → performance
-- criterion), test places (TUK, tempat uji kompetensi) and the registration windows (schedules).

CREATE TABLE schemes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text        NOT NULL CHECK (length(code) BETWEEN 1 AND 50),
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX schemes_code_key ON schemes (lower(code));

CREATE TABLE scheme_units (
    id        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scheme_id bigint  NOT NULL REFERENCES schemes (id) ON DELETE CASCADE,
    position  integer NOT NULL CHECK (position >= 0),
    code      text    NOT NULL CHECK (length(code) BETWEEN 1 AND 50),
    title     text    NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    UNIQUE (scheme_id, position),
    UNIQUE (scheme_id, code)
);

CREATE TABLE scheme_elements (
    id       bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id  bigint  NOT NULL REFERENCES scheme_units (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position >= 0),
    title    text    NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    UNIQUE (unit_id, position)
);

CREATE TABLE performance_criteria (
    id         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    element_id bigint  NOT NULL REFERENCES scheme_elements (id) ON DELETE CASCADE,
    position   integer NOT NULL CHECK (position >= 0),
    text       text    NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    UNIQUE (element_id, position)
);

-- Test places (TUK).
CREATE TABLE places (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address    text        NOT NULL CHECK (length(address) BETWEEN 1 AND 500),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A registration window for one scheme at one place, with a seat quota.
CREATE TABLE schedules (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scheme_id  bigint      NOT NULL REFERENCES schemes (id) ON DELETE RESTRICT,
    place_id   bigint      NOT NULL REFERENCES places (id) ON DELETE RESTRICT,
    opens_at   timestamptz NOT NULL,
    closes_at  timestamptz NOT NULL,
    quota      integer     NOT NULL CHECK (quota BETWEEN 1 AND 100000),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (opens_at < closes_at)
);

CREATE INDEX schedules_scheme_idx ON schedules (scheme_id);
CREATE INDEX schedules_place_idx ON schedules (place_id);
