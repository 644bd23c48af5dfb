-- 0003 — class log and homework (S-LOG, R-HOMEWORK).

-- Establishment settings as key/value pairs (e.g. homework.late = 'flag' | 'refuse').
CREATE TABLE establishment_setting (
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (establishment_id, key)
);

-- What was done in a lesson (one entry per lesson: enseignement × date × slot).
CREATE TABLE log_entry (
    id {{ID}},
    teaching_id BIGINT NOT NULL REFERENCES teaching(id),
    slot_id BIGINT REFERENCES timetable_slot(id),     -- NULL for an extra lesson
    on_date TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '',                 -- Markdown
    author_id BIGINT NOT NULL REFERENCES person(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX log_entry_lesson ON log_entry(teaching_id, on_date, coalesce(slot_id, 0));

-- Travail à faire.
CREATE TABLE homework (
    id {{ID}},
    teaching_id BIGINT NOT NULL REFERENCES teaching(id),
    given_on TEXT NOT NULL,                           -- the lesson it was given in (date)
    due_on TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '',                 -- Markdown
    minutes INTEGER NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 600),
    given_in_class INTEGER NOT NULL DEFAULT 1,
    hand_in INTEGER NOT NULL DEFAULT 0,
    late INTEGER NOT NULL DEFAULT 0,                  -- R-HOMEWORK: posted too late for its due day
    author_id BIGINT NOT NULL REFERENCES person(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    CHECK (given_on <= due_on)
);
CREATE INDEX homework_teaching_due ON homework(teaching_id, due_on);

-- A pupil ticked the homework as done.
CREATE TABLE homework_done (
    homework_id BIGINT NOT NULL REFERENCES homework(id),
    pupil_id BIGINT NOT NULL REFERENCES person(id),
    done_at BIGINT NOT NULL,
    PRIMARY KEY (homework_id, pupil_id)
);
CREATE INDEX homework_done_pupil ON homework_done(pupil_id);
