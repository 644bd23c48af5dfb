-- 0012 — imports of the national directories (AAF, ONDE, SIECLE, STS-web,
-- OneRoster): where each object came from, and what the exports carry that
-- the foundation had no place for.

-- The national levels, from the école maternelle to the lycée (the demo
-- made its own until now: an import into an empty database needs them).
INSERT INTO level (code, name, cycle, ordinal) VALUES
    ('PS', 'Petite section', 1, -2), ('MS', 'Moyenne section', 1, -1), ('GS', 'Grande section', 1, 0),
    ('CP', 'CP', 2, 1), ('CE1', 'CE1', 2, 2), ('CE2', 'CE2', 2, 3), ('CM1', 'CM1', 3, 4),
    ('CM2', 'CM2', 3, 5), ('6E', '6e', 3, 6), ('5E', '5e', 4, 7), ('4E', '4e', 4, 8),
    ('3E', '3e', 4, 9), ('2NDE', 'Seconde', 5, 10), ('1ERE', 'Première', 5, 11),
    ('TLE', 'Terminale', 5, 12)
    ON CONFLICT (code) DO NOTHING;

-- An object's stable key in a source ('aaf': ENTPersonJointure, the UAI,
-- a class code within its establishment…; 'ine': a pupil's national id),
-- and the digest of the source record last applied: a record that did not
-- change since is not applied again.
CREATE TABLE import_key (
    source TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('establishment', 'person', 'subject', 'mef', 'class', 'grp')),
    ext_key TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    digest TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source, kind, ext_key)
);
CREATE INDEX import_key_object ON import_key(kind, object_id);

-- The national nomenclature of formations (MEF, 11 characters) and the
-- level each falls in.
CREATE TABLE mef (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level_id BIGINT REFERENCES level(id)
);

-- A run of an importer: what was given, by whom, and its report (JSON).
CREATE TABLE import_run (
    id {{ID}},
    at BIGINT NOT NULL,
    source TEXT NOT NULL,
    person_id BIGINT REFERENCES person(id),
    establishment_id BIGINT REFERENCES establishment(id),
    territory_id BIGINT REFERENCES territory(id),
    dry_run INTEGER NOT NULL DEFAULT 0,
    applied INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    applied_as BIGINT REFERENCES import_run(id),  -- a checked run, once applied: the run that did
    report TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX import_run_at ON import_run(at);

-- The files of a run checked from a page, kept until it is applied (any
-- node may apply it) or for a day.
CREATE TABLE import_file (
    id {{ID}},
    run_id BIGINT NOT NULL REFERENCES import_run(id),
    name TEXT NOT NULL,
    data {{BLOB}} NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX import_file_run ON import_file(run_id);

-- What the directory says of a person is kept apart from what the person
-- typed: an import never overwrites the person's own e-mail or mobile.
ALTER TABLE person ADD COLUMN ine TEXT;
ALTER TABLE person ADD COLUMN school_email TEXT;
ALTER TABLE person ADD COLUMN school_phone TEXT;
ALTER TABLE person ADD COLUMN civility TEXT;
CREATE INDEX person_ine ON person(ine);
-- Names folded for matching one human across sources (R-ID): upper-case
-- ASCII, accents and punctuation removed, "LAST|FIRST".
ALTER TABLE person ADD COLUMN match_key TEXT;
CREATE INDEX person_match_key ON person(match_key);

-- Two records that may be one human, for the territory admin to decide
-- (merge or keep apart): an import never merges on a doubt, and never
-- makes a second person for a sure match.
CREATE TABLE identity_review (
    id {{ID}},
    source TEXT NOT NULL,
    ext_key TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES person(id),     -- made by the import
    candidate_id BIGINT NOT NULL REFERENCES person(id),  -- already there
    reason TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'merged', 'kept')),
    created_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES person(id),
    decided_at BIGINT,
    UNIQUE (person_id, candidate_id)
);
CREATE INDEX identity_review_state ON identity_review(state);

-- Which source made a role, an enrolment or a teaching: a complete export
-- that no longer lists someone ends the roles it made (dated), never those
-- an administrator gave by hand.
ALTER TABLE role ADD COLUMN source TEXT;
ALTER TABLE role ADD COLUMN function_code TEXT;
ALTER TABLE enrolment ADD COLUMN source TEXT;
ALTER TABLE enrolment ADD COLUMN mef_code TEXT;
ALTER TABLE teaching ADD COLUMN source TEXT;
-- A teaching that ended (the teacher left the class): its history stays,
-- the teacher's access to it goes.
ALTER TABLE teaching ADD COLUMN ends_on TEXT;
ALTER TABLE grp ADD COLUMN code TEXT;
ALTER TABLE class ADD COLUMN code TEXT;
ALTER TABLE establishment ADD COLUMN academie TEXT NOT NULL DEFAULT '';
ALTER TABLE establishment ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE establishment ADD COLUMN postcode TEXT NOT NULL DEFAULT '';
ALTER TABLE establishment ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE establishment ADD COLUMN closed_on TEXT;

-- The national subjects (matières, 6-digit codes) and their names.
CREATE TABLE subject_ref (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
ALTER TABLE guardianship ADD COLUMN source TEXT;
ALTER TABLE guardianship ADD COLUMN contact INTEGER NOT NULL DEFAULT 1;

-- The principal teacher(s) of a class (professeur principal).
CREATE TABLE class_principal (
    class_id BIGINT NOT NULL REFERENCES class(id),
    teacher_id BIGINT NOT NULL REFERENCES person(id),
    source TEXT,
    PRIMARY KEY (class_id, teacher_id)
);

-- E-mails about a person's account (a password reset, an address to
-- confirm) go through the same outbox as notifications, exactly once:
-- 'notices' (the notifications that name this row) or an account kind with
-- its one-time link, forgotten once sent.
ALTER TABLE mail_outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'notices';
ALTER TABLE mail_outbox ADD COLUMN link TEXT;

-- "Mot de passe oublié": a single-use, short-lived link (only its hash kept).
CREATE TABLE password_reset (
    id {{ID}},
    account_id BIGINT NOT NULL REFERENCES account(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_reset_account ON password_reset(account_id);

-- A person's new e-mail address, until they follow the link sent to it.
CREATE TABLE email_change (
    id {{ID}},
    person_id BIGINT NOT NULL REFERENCES person(id),
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_change_person ON email_change(person_id);
