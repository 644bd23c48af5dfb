-- postgresql/0001 — full-text index of messages (S-MESSAGES), PostgreSQL
-- driver only: the counterpart of sql/sqlite/0001_message_fts.sql.
--
-- Each message carries a tsvector (message.fts) of its body and of its
-- thread's subject (a word of the subject finds the messages of the thread),
-- under a GIN index. Words are folded like SQLite's unicode61 tokenizer with
-- remove_diacritics: the text search configuration carnet is 'simple' (lower
-- case, no stemming, no stop words) preceded by the unaccent dictionary when
-- the extension can be installed ("eleve" finds "élève"); without it, case
-- only. The same configuration builds the query and the excerpt
-- (store_search_pg.c), so the words marked are the words found.
--
-- Triggers keep the column equal to the text: a message inserted, its body
-- replaced (moderation) or moved, a thread renamed. Who may find what is not
-- stored here: it is decided at query time.

DO $carnet$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS unaccent;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'unaccent is not available: accents are not folded';
    END;
    CREATE TEXT SEARCH CONFIGURATION carnet (COPY = pg_catalog.simple);
    IF EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent') THEN
        ALTER TEXT SEARCH CONFIGURATION carnet
            ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword,
                              hword_asciipart, hword_part, hword_numpart
            WITH unaccent, simple;
    END IF;
END
$carnet$;

ALTER TABLE message ADD COLUMN fts tsvector;

CREATE FUNCTION message_fts_doc(body TEXT, subject TEXT) RETURNS tsvector
    LANGUAGE sql STABLE AS
$$ SELECT to_tsvector('carnet', coalesce(body, '') || ' ' || coalesce(subject, '')) $$;

CREATE FUNCTION message_fts_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.fts := message_fts_doc(NEW.body, (SELECT subject FROM thread WHERE id = NEW.thread_id));
    RETURN NEW;
END
$$;

CREATE TRIGGER message_fts_row BEFORE INSERT OR UPDATE OF body, thread_id ON message
    FOR EACH ROW EXECUTE FUNCTION message_fts_row();

CREATE FUNCTION message_fts_subject() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE message SET fts = message_fts_doc(body, NEW.subject) WHERE thread_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER message_fts_subject AFTER UPDATE OF subject ON thread
    FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject)
    EXECUTE FUNCTION message_fts_subject();

-- The messages written before this migration.
UPDATE message m SET fts = message_fts_doc(m.body, t.subject) FROM thread t WHERE t.id = m.thread_id;

CREATE INDEX message_fts ON message USING gin (fts);
