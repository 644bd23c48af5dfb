-- 0001 — foundation: structure, identity, sessions, services catalogue.
-- Portable SQL: {{ID}} is the driver's auto-generated 64-bit primary key,
-- {{BLOB}} its type for binary data (SQLite BLOB, PostgreSQL BYTEA);
-- times are BIGINT seconds since the epoch (UTC), dates are 'YYYY-MM-DD' text,
-- flags are INTEGER 0/1.

CREATE TABLE territory (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE establishment (
    id {{ID}},
    territory_id BIGINT NOT NULL REFERENCES territory(id),
    kind TEXT NOT NULL CHECK (kind IN ('ecole', 'college', 'lycee')),
    uai TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    city TEXT NOT NULL DEFAULT '',
    zone TEXT NOT NULL CHECK (zone IN ('A', 'B', 'C', 'Corse', 'Guadeloupe', 'Martinique',
                                       'Guyane', 'La Réunion', 'Mayotte')),
    tz TEXT NOT NULL DEFAULT 'Europe/Paris'
);
CREATE INDEX establishment_territory ON establishment(territory_id);

CREATE TABLE school_year (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    label TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    UNIQUE (establishment_id, label)
);

CREATE TABLE period (
    id {{ID}},
    school_year_id BIGINT NOT NULL REFERENCES school_year(id),
    ordinal INTEGER NOT NULL,
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    UNIQUE (school_year_id, ordinal)
);

-- Reference levels (CP … Tle), shared by every establishment.
CREATE TABLE level (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    ordinal INTEGER NOT NULL
);

CREATE TABLE class (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    school_year_id BIGINT NOT NULL REFERENCES school_year(id),
    level_id BIGINT NOT NULL REFERENCES level(id),
    name TEXT NOT NULL,
    UNIQUE (school_year_id, name)
);
CREATE INDEX class_establishment ON class(establishment_id);

CREATE TABLE grp (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    school_year_id BIGINT NOT NULL REFERENCES school_year(id),
    name TEXT NOT NULL,
    UNIQUE (school_year_id, name)
);

CREATE TABLE subject (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (establishment_id, code)
);

-- Where people live: separated parents have two households.
CREATE TABLE household (
    id {{ID}},
    address TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT ''
);

-- One person per human (R-ID-1).
CREATE TABLE person (
    id {{ID}},
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    birth_date TEXT,
    email TEXT,
    phone TEXT,
    household_id BIGINT REFERENCES household(id),
    created_at BIGINT NOT NULL
);

-- One account per person, whatever their roles (R-ID-1).
CREATE TABLE account (
    id {{ID}},
    person_id BIGINT NOT NULL UNIQUE REFERENCES person(id),
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'disabled')),
    activation_hash TEXT,
    activation_expires_at BIGINT,
    lang TEXT,
    created_at BIGINT NOT NULL,
    activated_at BIGINT,
    password_changed_at BIGINT
);

-- person × establishment (or territory) × profile × validity.
CREATE TABLE role (
    id {{ID}},
    person_id BIGINT NOT NULL REFERENCES person(id),
    profile TEXT NOT NULL CHECK (profile IN ('pupil', 'parent', 'teacher', 'staff', 'head',
                                             'admin', 'guest')),
    establishment_id BIGINT REFERENCES establishment(id),
    territory_id BIGINT REFERENCES territory(id),
    title TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    CHECK (establishment_id IS NOT NULL OR territory_id IS NOT NULL)
);
CREATE INDEX role_person ON role(person_id);
CREATE INDEX role_establishment ON role(establishment_id, profile);

-- A pupil's class for a school year.
CREATE TABLE enrolment (
    id {{ID}},
    pupil_id BIGINT NOT NULL REFERENCES person(id),
    class_id BIGINT NOT NULL REFERENCES class(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    UNIQUE (pupil_id, class_id)
);
CREATE INDEX enrolment_class ON enrolment(class_id);

CREATE TABLE group_member (
    grp_id BIGINT NOT NULL REFERENCES grp(id),
    pupil_id BIGINT NOT NULL REFERENCES person(id),
    PRIMARY KEY (grp_id, pupil_id)
);

-- Enseignement: subject × teacher × class or group.
CREATE TABLE teaching (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    subject_id BIGINT NOT NULL REFERENCES subject(id),
    teacher_id BIGINT NOT NULL REFERENCES person(id),
    class_id BIGINT REFERENCES class(id),
    grp_id BIGINT REFERENCES grp(id),
    CHECK (class_id IS NOT NULL OR grp_id IS NOT NULL)
);
CREATE INDEX teaching_teacher ON teaching(teacher_id);
CREATE INDEX teaching_class ON teaching(class_id);

-- Parent ↔ pupil, across establishments, with legal flags.
CREATE TABLE guardianship (
    id {{ID}},
    parent_id BIGINT NOT NULL REFERENCES person(id),
    pupil_id BIGINT NOT NULL REFERENCES person(id),
    relation TEXT NOT NULL DEFAULT 'parent',
    legal_responsibility INTEGER NOT NULL DEFAULT 1,
    lives_with INTEGER NOT NULL DEFAULT 1,
    receives_mail INTEGER NOT NULL DEFAULT 1,
    pays INTEGER NOT NULL DEFAULT 1,
    UNIQUE (parent_id, pupil_id)
);
CREATE INDEX guardianship_pupil ON guardianship(pupil_id);

CREATE TABLE session (
    id {{ID}},
    token_hash TEXT NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES account(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    address TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_account ON session(account_id, expires_at);


-- Failed-login counters, per login and per address, in the store so that
-- several nodes share them.
CREATE TABLE throttle (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures INTEGER NOT NULL
);
CREATE INDEX throttle_window ON throttle(window_start);

-- Services catalogue: built-in services and external links, per
-- establishment or for a whole territory.
CREATE TABLE service (
    id {{ID}},
    territory_id BIGINT REFERENCES territory(id),
    establishment_id BIGINT REFERENCES establishment(id),
    kind TEXT NOT NULL CHECK (kind IN ('builtin', 'link')),
    code TEXT,
    title TEXT NOT NULL,
    url TEXT,
    description TEXT NOT NULL DEFAULT '',
    profiles TEXT NOT NULL DEFAULT 'pupil,parent,teacher,staff,head',
    position INTEGER NOT NULL DEFAULT 100,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES person(id),
    created_at BIGINT NOT NULL,
    CHECK (territory_id IS NOT NULL OR establishment_id IS NOT NULL)
);
CREATE INDEX service_establishment ON service(establishment_id);
CREATE INDEX service_territory ON service(territory_id);

CREATE TABLE audit (
    id {{ID}},
    at BIGINT NOT NULL,
    person_id BIGINT,
    action TEXT NOT NULL,
    object TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit(at);
