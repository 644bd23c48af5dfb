-- 0007 — messaging, continued: drafts and held messages (a message's state
-- and the moment it becomes visible to its recipients), the anomaly holds
-- the head reviews (R-SEC), and parent representatives with the parents'
-- consent (R-REPS).

-- draft: only its author sees it (draft_to keeps the recipients picked);
-- held: waiting for the head's review (anomaly rule), invisible to others;
-- sent: visible to the thread's participants from visible_at;
-- rejected: held, then refused by the head; never delivered.
ALTER TABLE message ADD COLUMN state TEXT NOT NULL DEFAULT 'sent' CHECK (state IN ('draft', 'held', 'sent', 'rejected'));
ALTER TABLE message ADD COLUMN visible_at BIGINT;
ALTER TABLE message ADD COLUMN draft_to TEXT;
UPDATE message SET visible_at = created_at;
CREATE INDEX message_drafts ON message(author_id, state, created_at);

-- When something written by someone else first became visible to this
-- participant (NULL: nothing yet, e.g. the sender of a list's message before
-- any answer): the inbox is the threads where it is set and past.
ALTER TABLE thread_participant ADD COLUMN first_in_at BIGINT;
UPDATE thread_participant SET first_in_at = (SELECT min(m.visible_at) FROM message m WHERE m.thread_id = thread_participant.thread_id
    AND m.author_id <> thread_participant.person_id AND m.state = 'sent');
DROP INDEX thread_participant_person;
CREATE INDEX thread_participant_inbox ON thread_participant(person_id, folder, first_in_at);
-- The "sent" folder: threads one started, a list's message once.
CREATE INDEX thread_sent ON thread(created_by, last_message_at) WHERE broadcast_id IS NULL OR broadcast_id = id;

-- rep: a parent representative's broadcast (they never see who received it).
ALTER TABLE thread ADD COLUMN kind TEXT NOT NULL DEFAULT 'private' CHECK (kind IN ('private', 'rep'));
CREATE INDEX thread_broadcast ON thread(broadcast_id);

-- R-SEC: a send held because its author wrote to an unusual number of people
-- in a short time; thread_id is the thread (or the broadcast's first thread).
CREATE TABLE message_hold (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    person_id BIGINT NOT NULL REFERENCES person(id),
    thread_id BIGINT NOT NULL REFERENCES thread(id),
    recipients INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'released', 'rejected')),
    decided_by BIGINT REFERENCES person(id),
    decided_at BIGINT
);
CREATE INDEX message_hold_queue ON message_hold(establishment_id, state);

-- R-REPS: parents elected as representatives, designated by the head for one
-- establishment and one school year.
CREATE TABLE parent_rep (
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    school_year_id BIGINT NOT NULL REFERENCES school_year(id),
    person_id BIGINT NOT NULL REFERENCES person(id),
    designated_by BIGINT NOT NULL REFERENCES person(id),
    designated_at BIGINT NOT NULL,
    PRIMARY KEY (establishment_id, school_year_id, person_id)
);

-- A parent's answer to "receive the representatives' messages?" for one
-- establishment, and when it was given (no row: not asked yet, not consented).
CREATE TABLE rep_consent (
    parent_id BIGINT NOT NULL REFERENCES person(id),
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    consented INTEGER NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (parent_id, establishment_id)
);
