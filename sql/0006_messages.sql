-- 0006 — messaging (S-MESSAGES): threads, messages, participants with their
-- folder and read state, and each establishment's communication policy.

CREATE TABLE thread (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    subject TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES person(id),
    created_at BIGINT NOT NULL,
    last_message_at BIGINT NOT NULL,
    broadcast_id BIGINT          -- a message to a list: one private thread per recipient, grouped by the first one's id
);

CREATE TABLE message (
    id {{ID}},
    thread_id BIGINT NOT NULL REFERENCES thread(id),
    author_id BIGINT NOT NULL REFERENCES person(id),
    body TEXT NOT NULL,                               -- Markdown
    created_at BIGINT NOT NULL
);
CREATE INDEX message_thread ON message(thread_id, id);

-- Who is in a thread, where they keep it and what they have read.
CREATE TABLE thread_participant (
    thread_id BIGINT NOT NULL REFERENCES thread(id),
    person_id BIGINT NOT NULL REFERENCES person(id),
    folder TEXT NOT NULL DEFAULT 'inbox' CHECK (folder IN ('inbox', 'archive', 'trash')),
    last_read_message_id BIGINT NOT NULL DEFAULT 0,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (thread_id, person_id)
);
CREATE INDEX thread_participant_person ON thread_participant(person_id, folder);

-- Who may start a thread with whom, per establishment: a row overrides the
-- default of the policy module for (from profile, to profile).
CREATE TABLE communication_rule (
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    from_profile TEXT NOT NULL,
    to_profile TEXT NOT NULL,
    allowed INTEGER NOT NULL,
    PRIMARY KEY (establishment_id, from_profile, to_profile)
);

-- R-SEC: an account stopped by a sending limit, for school life to look at.
CREATE TABLE message_alert (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    person_id BIGINT NOT NULL REFERENCES person(id),
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at BIGINT
);
CREATE INDEX message_alert_establishment ON message_alert(establishment_id, seen_at);
CREATE INDEX message_author ON message(author_id, created_at);
CREATE INDEX thread_created_by ON thread(created_by, created_at);

-- "Report this message": the head's moderation queue.
CREATE TABLE message_report (
    id {{ID}},
    message_id BIGINT NOT NULL REFERENCES message(id),
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    reporter_id BIGINT NOT NULL REFERENCES person(id),
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'dismissed', 'removed')),
    decided_by BIGINT REFERENCES person(id),
    decided_at BIGINT,
    UNIQUE (message_id, reporter_id)
);
CREATE INDEX message_report_queue ON message_report(establishment_id, state);
