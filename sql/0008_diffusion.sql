-- 0008 — the diffusion policy (issue 5): R-DISCO, R-GRADES and the
-- notification centre (S-NOTIFY). What is published in a quiet period is
-- stored at once and reaches its audience later: the moment is data
-- (visible_from, pupils_at, parents_at, visible_at), computed once by the
-- policy module when the item is published, so that restarts and several
-- nodes change nothing.

-- R-GRADES. published_at stays the teacher's action; pupils_at is when the
-- pupils see the marks (never in a quiet period, not before the copies are
-- handed back), parents_at when their parents do (the establishment's delay
-- later, out of quiet periods). NULL: not published.
ALTER TABLE assessment ADD COLUMN handed_back_on TEXT;
ALTER TABLE assessment ADD COLUMN pupils_at BIGINT;
ALTER TABLE assessment ADD COLUMN parents_at BIGINT;
UPDATE assessment SET pupils_at = published_at, parents_at = published_at WHERE published_at IS NOT NULL;
-- mark.visible_at is the pupil's moment; parents_at the parents'.
ALTER TABLE mark ADD COLUMN parents_at BIGINT;
UPDATE mark SET parents_at = visible_at;
-- A pupil's latest marks as their parents see them, through an index.
CREATE INDEX mark_pupil_parents ON mark(pupil_id, parents_at, assessment_id);

-- R-DISCO for the class log, homework and timetable changes: families see
-- them from visible_from; their author and the staff at once.
ALTER TABLE homework ADD COLUMN visible_from BIGINT;
UPDATE homework SET visible_from = published_at;
ALTER TABLE log_entry ADD COLUMN visible_from BIGINT;
UPDATE log_entry SET visible_from = published_at;
ALTER TABLE lesson_change ADD COLUMN visible_from BIGINT;
UPDATE lesson_change SET visible_from = created_at;

-- S-NOTIFY: one row per person and item. It shows in the person's
-- notification centre from visible_at (R-DISCO); the e-mail job sends it
-- (alone or in a digest) once, and records when.
CREATE TABLE notification (
    id {{ID}},
    person_id BIGINT NOT NULL REFERENCES person(id),
    service TEXT NOT NULL CHECK (service IN ('messages', 'homework', 'log', 'grades', 'timetable', 'attendance', 'news')),
    title TEXT NOT NULL,                 -- one line of plain text, in the establishment's language
    url TEXT NOT NULL,                   -- a path in Carnet ("/messagerie/fils/12")
    item TEXT,                           -- what it is about: "message:12", "homework:7", "assessment:3:parents"…
    establishment_id BIGINT REFERENCES establishment(id),
    created_at BIGINT NOT NULL,
    visible_at BIGINT NOT NULL,          -- not shown, not sent before (R-DISCO)
    read_at BIGINT
);
CREATE INDEX notification_person ON notification(person_id, visible_at);
CREATE INDEX notification_item ON notification(item);

-- Attendance recorded "family events" for a notification service to come:
-- they are notifications now, one per legal guardian.
INSERT INTO notification (person_id, service, title, url, item, establishment_id, created_at, visible_at, read_at)
    SELECT g.parent_id, 'attendance', p.first_name || CASE WHEN fe.kind = 'late' THEN ' en retard : ' ELSE ' absent(e) : ' END || fe.detail,
           '/absences/eleves/' || fe.pupil_id, fe.object, a.establishment_id, fe.created_at, fe.created_at, fe.delivered_at
    FROM family_event fe JOIN guardianship g ON g.pupil_id = fe.pupil_id AND g.legal_responsibility = 1
    JOIN person p ON p.id = fe.pupil_id
    LEFT JOIN attendance a ON a.id = CAST(substr(fe.object, 12) AS BIGINT);
DROP TABLE family_event;
