-- sqlite/0001 — full-text index of messages (S-MESSAGES), SQLite driver only.
--
-- Driver migrations (sql/<driver>/NNNN_*.sql) hold what one database does its
-- own way; store_migrate applies them after the shared migrations of sql/ and
-- records them in schema_driver_migration. PostgreSQL will bring its own
-- (sql/postgresql/0001_message_fts.sql: a tsvector over the same text, a GIN
-- index and its trigger) behind the same store_message_search().
--
-- One FTS5 row per message, rowid = message.id, over two columns: the body and
-- the subject of its thread (so that a word of the subject finds the messages
-- of the thread). The index holds no copy of the text: its content is the view
-- message_fts_doc (FTS5 reads it to build snippets and on 'rebuild'). Accents
-- and case are folded by the tokenizer: "eleve" finds "élève". The prefix
-- indexes make the last word's prefix match ("elev" + *) cheap.
--
-- The triggers keep the index equal to the view: a message inserted, deleted,
-- its body replaced (moderation) or moved, a thread renamed. An external
-- content index must be told the *old* values to forget a row, hence the
-- subject looked up in thread. Who may find what is not stored here: it is
-- decided at query time (src/store/store_search_sqlite.c).
--
-- A later shared migration that rebuilds the message or thread table (SQLite's
-- copy-and-rename) drops these triggers: it must come with a driver migration
-- that recreates them and rebuilds the index.

CREATE VIEW message_fts_doc AS
    SELECT m.id AS id, m.body AS body, t.subject AS subject
    FROM message m JOIN thread t ON t.id = m.thread_id;

CREATE VIRTUAL TABLE message_fts USING fts5(
    body, subject,
    content = 'message_fts_doc', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
    INSERT INTO message_fts (rowid, body, subject)
        VALUES (new.id, new.body, (SELECT subject FROM thread WHERE id = new.thread_id));
END;

CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, body, subject)
        VALUES ('delete', old.id, old.body, (SELECT subject FROM thread WHERE id = old.thread_id));
END;

CREATE TRIGGER message_fts_update AFTER UPDATE OF body, thread_id ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, body, subject)
        VALUES ('delete', old.id, old.body, (SELECT subject FROM thread WHERE id = old.thread_id));
    INSERT INTO message_fts (rowid, body, subject)
        VALUES (new.id, new.body, (SELECT subject FROM thread WHERE id = new.thread_id));
END;

CREATE TRIGGER message_fts_subject AFTER UPDATE OF subject ON thread
WHEN old.subject IS NOT new.subject BEGIN
    INSERT INTO message_fts (message_fts, rowid, body, subject)
        SELECT 'delete', id, body, old.subject FROM message WHERE thread_id = old.id;
    INSERT INTO message_fts (rowid, body, subject)
        SELECT id, body, new.subject FROM message WHERE thread_id = new.id;
END;

-- The messages written before this migration.
INSERT INTO message_fts (message_fts) VALUES ('rebuild');
