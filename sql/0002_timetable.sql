-- 0002 — school calendar and timetable (S-TIMETABLE).

-- A pupil's enseignements are found through their groups too.
CREATE INDEX group_member_pupil ON group_member(pupil_id);
CREATE INDEX teaching_grp ON teaching(grp_id);

-- The official school calendar, one row per zone and period, imported from
-- the open dataset "fr-en-calendrier-scolaire" (never guessed).
CREATE TABLE school_calendar (
    id {{ID}},
    zone TEXT NOT NULL,
    description TEXT NOT NULL,
    starts_on TEXT NOT NULL,          -- first day without classes
    ends_on TEXT NOT NULL,            -- the morning classes resume
    school_year TEXT NOT NULL,        -- '2025-2026'
    UNIQUE (zone, description, school_year)
);
CREATE INDEX school_calendar_zone ON school_calendar(zone, school_year);

CREATE TABLE room (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    name TEXT NOT NULL,
    UNIQUE (establishment_id, name)
);

-- A weekly lesson of an enseignement.
CREATE TABLE timetable_slot (
    id {{ID}},
    teaching_id BIGINT NOT NULL REFERENCES teaching(id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- ISO, 1 = Monday
    starts_at TEXT NOT NULL,                                    -- 'HH:MM', local
    ends_at TEXT NOT NULL,
    room_id BIGINT REFERENCES room(id),
    week TEXT NOT NULL DEFAULT '' CHECK (week IN ('', 'A', 'B')),
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    CHECK (starts_at < ends_at),
    CHECK (valid_from <= valid_to)
);
CREATE INDEX timetable_slot_teaching ON timetable_slot(teaching_id);
CREATE INDEX timetable_slot_room ON timetable_slot(room_id);

-- One-off changes to the timetable on a date.
CREATE TABLE lesson_change (
    id {{ID}},
    teaching_id BIGINT NOT NULL REFERENCES teaching(id),
    slot_id BIGINT REFERENCES timetable_slot(id),      -- NULL for an extra lesson or exam
    on_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('cancelled', 'teacher_absent', 'replaced', 'room_changed', 'extra', 'exam')),
    starts_at TEXT,                                    -- extra lessons and exams
    ends_at TEXT,
    room_id BIGINT REFERENCES room(id),
    replacement_teacher_id BIGINT REFERENCES person(id),
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES person(id),
    created_at BIGINT NOT NULL,
    CHECK (slot_id IS NOT NULL OR (starts_at IS NOT NULL AND ends_at IS NOT NULL))
);
CREATE INDEX lesson_change_teaching ON lesson_change(teaching_id, on_date);
CREATE INDEX lesson_change_date ON lesson_change(on_date);

-- The secret address of a person's iCalendar feed (only its hash is kept).
CREATE TABLE ical_feed (
    person_id BIGINT PRIMARY KEY REFERENCES person(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
