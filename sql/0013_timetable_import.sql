-- 0013 — the timetable from STS-web's emp_sts export (issue 15): which
-- source made a weekly slot, so that a later complete export replaces the
-- slots it made there (ended, or deleted when nothing refers to them) and
-- never those typed by hand (source NULL).
ALTER TABLE timetable_slot ADD COLUMN source TEXT;
