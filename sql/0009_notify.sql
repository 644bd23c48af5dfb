-- 0009 — notifications (S-NOTIFY, first channels): the notification
-- centre's read state and per-person choices, personal quiet times, and the
-- e-mail outbox through which every notification is sent once.

-- Which service notifies by which channel when a person has not chosen.
-- The centre shows everything; e-mail goes for what concerns a person
-- directly (a message to them, a grade, homework, an absence, a lesson
-- changed), not for the class log or news, which are frequent and read in
-- Carnet. The notifications a person gets already depend on their profile
-- (a teacher gets no grade notifications), so one default per service is
-- enough.
CREATE TABLE notify_default (
    service TEXT NOT NULL CHECK (service IN ('messages', 'homework', 'log', 'grades', 'timetable', 'attendance', 'news')),
    channel TEXT NOT NULL CHECK (channel IN ('centre', 'email')),
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (service, channel)
);
INSERT INTO notify_default (service, channel, enabled) VALUES
    ('messages', 'centre', 1), ('messages', 'email', 1),
    ('homework', 'centre', 1), ('homework', 'email', 1),
    ('log', 'centre', 1), ('log', 'email', 0),
    ('grades', 'centre', 1), ('grades', 'email', 1),
    ('timetable', 'centre', 1), ('timetable', 'email', 1),
    ('attendance', 'centre', 1), ('attendance', 'email', 1),
    ('news', 'centre', 1), ('news', 'email', 0);

-- A person's choices (the preferences page saves every service and channel).
CREATE TABLE notify_pref (
    person_id BIGINT NOT NULL REFERENCES person(id),
    service TEXT NOT NULL,
    channel TEXT NOT NULL,
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (person_id, service, channel),
    FOREIGN KEY (service, channel) REFERENCES notify_default(service, channel)
);

-- Personal quiet times for one's own e-mail, in local time: every day from
-- `evening` to `morning` (minutes after midnight; a window that does not
-- cross midnight, e.g. 12:00 → 14:00, is allowed), and/or all Saturday and
-- Sunday. They only add to the establishment's quiet periods (R-DISCO),
-- which hold the notifications themselves: nothing is visible before
-- notification.visible_at whatever a person chooses.
CREATE TABLE notify_quiet (
    person_id BIGINT PRIMARY KEY REFERENCES person(id),
    evening INTEGER CHECK (evening BETWEEN 0 AND 1439),
    morning INTEGER CHECK (morning BETWEEN 0 AND 1439),
    weekend INTEGER NOT NULL DEFAULT 0 CHECK (weekend IN (0, 1)),
    CHECK ((evening IS NULL) = (morning IS NULL))
);

-- One e-mail: one notification or a digest of several. Claimed ('sending')
-- in a transaction before it is handed to the SMTP server and marked 'sent'
-- after; a row left 'sending' longer than a lease (a crash) is sent again
-- with the same Message-ID (derived from id and created_at).
CREATE TABLE mail_outbox (
    id {{ID}},
    person_id BIGINT NOT NULL REFERENCES person(id),
    rcpt TEXT NOT NULL,                  -- the address when the e-mail was made
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL,             -- not tried before (back-off after an SMTP error)
    claimed_at BIGINT,
    sent_at BIGINT,
    error TEXT                           -- the last SMTP error
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_at);

-- Whether a notification's e-mail was decided: 0 until it is due; then 1,
-- with mail_id the e-mail that carries it, or NULL when none is sent (the
-- person has no address or does not want e-mail for that service). Older
-- notifications are history: never mailed.
ALTER TABLE notification ADD COLUMN mail_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notification ADD COLUMN mail_id BIGINT REFERENCES mail_outbox(id);
UPDATE notification SET mail_done = 1;
-- The undecided ones, in the order the job groups them (by person).
CREATE INDEX notification_mail_due ON notification(person_id, visible_at) WHERE mail_done = 0;
CREATE INDEX notification_mail ON notification(mail_id) WHERE mail_id IS NOT NULL;
-- The unread count of the page header, from the index alone.
CREATE INDEX notification_unread ON notification(person_id, visible_at, service) WHERE read_at IS NULL;
