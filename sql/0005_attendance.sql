-- 0005 — attendance (S-ATTENDANCE), attachments, and the family events that
-- the diffusion service delivers.

-- Files: content stored once per hash, in the database (so that every node
-- of a territory sees it and backups hold it), outside any web root.
CREATE TABLE file_blob (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    data {{BLOB}} NOT NULL
);

-- An attachment of an item (owner: 'homework', 'log_entry', 'attendance', 'message').
CREATE TABLE attachment (
    id {{ID}},
    owner TEXT NOT NULL CHECK (owner IN ('homework', 'log_entry', 'attendance', 'message')),
    owner_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES file_blob(sha256),
    created_by BIGINT NOT NULL REFERENCES person(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX attachment_owner ON attachment(owner, owner_id);

-- Motifs d'absence, per establishment.
CREATE TABLE absence_reason (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    label TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 100,
    active INTEGER NOT NULL DEFAULT 1,
    UNIQUE (establishment_id, label)
);

-- The roll call of one lesson (enseignement × date × slot), once done.
CREATE TABLE roll_call (
    id {{ID}},
    teaching_id BIGINT NOT NULL REFERENCES teaching(id),
    slot_id BIGINT REFERENCES timetable_slot(id),
    on_date TEXT NOT NULL,
    done_by BIGINT NOT NULL REFERENCES person(id),
    done_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX roll_call_lesson ON roll_call(teaching_id, on_date, coalesce(slot_id, 0));
CREATE INDEX roll_call_date ON roll_call(on_date);

-- An absence or a lateness of a pupil in one lesson. Absences count in
-- half-days ('am': lessons starting before 12:00, 'pm' after).
CREATE TABLE attendance (
    id {{ID}},
    pupil_id BIGINT NOT NULL REFERENCES person(id),
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    roll_call_id BIGINT REFERENCES roll_call(id),   -- NULL: recorded by school-life staff
    on_date TEXT NOT NULL,
    half TEXT NOT NULL CHECK (half IN ('am', 'pm')),
    starts_at TEXT NOT NULL,                         -- HH:MM of the lesson
    kind TEXT NOT NULL CHECK (kind IN ('absence', 'late')),
    minutes INTEGER NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 240),
    state TEXT NOT NULL DEFAULT 'unjustified' CHECK (state IN ('unjustified', 'pending', 'justified', 'refused')),
    reason_id BIGINT REFERENCES absence_reason(id),
    comment TEXT NOT NULL DEFAULT '',
    justified_by BIGINT REFERENCES person(id),
    justified_at BIGINT,
    decided_by BIGINT REFERENCES person(id),
    decided_at BIGINT,
    decision_note TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES person(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX attendance_lesson ON attendance(roll_call_id, pupil_id);
CREATE INDEX attendance_pupil ON attendance(pupil_id, on_date);
CREATE INDEX attendance_establishment ON attendance(establishment_id, on_date);

-- R-ATTENDANCE alert: a pupil reached 4 unjustified half-days in a month.
CREATE TABLE attendance_alert (
    id {{ID}},
    pupil_id BIGINT NOT NULL REFERENCES person(id),
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    month TEXT NOT NULL,                             -- YYYY-MM
    half_days INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    seen_by BIGINT REFERENCES person(id),
    seen_at BIGINT,
    UNIQUE (pupil_id, month)
);

-- Something families must be told about (absence, lateness…): recorded here
-- the moment it happens; the diffusion service delivers it.
CREATE TABLE family_event (
    id {{ID}},
    pupil_id BIGINT NOT NULL REFERENCES person(id),
    kind TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX family_event_pending ON family_event(delivered_at, created_at);
CREATE INDEX family_event_pupil ON family_event(pupil_id);

-- Establishments that exist when this migration runs get the usual reasons
-- (the demo and later establishments get theirs when they are created).
INSERT INTO absence_reason (establishment_id, label, position) SELECT id, 'Maladie', 10 FROM establishment;
INSERT INTO absence_reason (establishment_id, label, position) SELECT id, 'Rendez-vous médical', 20 FROM establishment;
INSERT INTO absence_reason (establishment_id, label, position) SELECT id, 'Raison familiale', 30 FROM establishment;
INSERT INTO absence_reason (establishment_id, label, position) SELECT id, 'Problème de transport', 40 FROM establishment;
INSERT INTO absence_reason (establishment_id, label, position) SELECT id, 'Convocation officielle', 50 FROM establishment;
INSERT INTO absence_reason (establishment_id, label, position) SELECT id, 'Autre', 60 FROM establishment;
