// import_year.test.mjs — the new school year (issue 15): `carnet new-year`
// closes the year that ended (enrolments and teachings end on its last day,
// all of it stays), opens the next from the calendar (which must be there
// first: the refusal names the file), and the next year's imports fill it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, sqlOn, dropDb, emptyDb } from '../lib/carnet.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const COMPLET = join(ROOT, 'tests/fixtures/aaf/complet');
const CALENDAR = join(ROOT, 'tests/fixtures/calendar/test-2027-2028.csv');
const work = mkdtempSync(join(tmpdir(), 'carnet-year-'));
let db;
after(() => {
  if (db) dropDb(db);
  rmSync(work, { recursive: true, force: true });
});
const one = (q) => sqlOn(db, q);
const run = (...args) => spawnSync(BIN, args, { encoding: 'utf8' });
const state = () =>
  one(`SELECT (SELECT count(*) FROM school_year) || ' ' || (SELECT count(*) FROM enrolment WHERE ends_on IS NULL)
  || ' ' || (SELECT count(*) FROM teaching WHERE ends_on IS NULL)`);
const lea = () =>
  one(`SELECT c.name || ':' || y.label || ':' || en.starts_on || '..' || coalesce(en.ends_on, '')
  FROM enrolment en JOIN class c ON c.id = en.class_id JOIN school_year y ON y.id = c.school_year_id
  JOIN person p ON p.id = en.pupil_id WHERE p.first_name = 'Léa' ORDER BY en.starts_on`).split(
    '\n',
  );

test(
  'New school year: refused before the summer and without the next calendar; then' +
    ' the old year closes, the new one fills',
  () => {
    db = emptyDb(work);
    assert.equal(
      run('import', 'aaf', '--db', db, '--now', '2026-09-07T08:00', '--quiet', COMPLET).status,
      0,
    );
    const before = state();
    // In May the year is not over.
    const early = run('new-year', '--db', db, '--now', '2027-05-10T10:00', '--quiet');
    assert.equal(early.status, 1);
    assert.match(
      early.stderr,
      /l'année 2026-2027 de 0441234X n'est pas finie \(vacances d'été le 2027-07-03\)/,
    );
    assert.equal(state(), before);
    // In August, without the 2027-2028 calendar: refused, the file named.
    const nocal = run('new-year', '--db', db, '--now', '2027-08-25T10:00', '--quiet');
    assert.equal(nocal.status, 1);
    assert.match(
      nocal.stderr,
      /calendrier scolaire 2027-2028 de la zone B manque.*calendrier-scolaire-2027-2028\.csv/,
    );
    assert.equal(state(), before);
    // With it: a dry run says what it would do and changes nothing…
    assert.equal(run('import-calendar', '--db', db, '--quiet', CALENDAR).status, 0);
    const dry = run('new-year', '--db', db, '--now', '2027-08-25T10:00', '--dry-run', '--quiet');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /Dry run: year 2026-2027 closed, 2027-2028 opened: 2 establishment\(s\), 2 new school year\(s\), 4 enrolment\(s\) and 4 teaching\(s\) ended/,
    );
    assert.equal(state(), before);
    // …then it is done.
    const done = run('new-year', '--db', db, '--now', '2027-08-25T10:00', '--quiet');
    assert.equal(done.status, 0, done.stderr);
    assert.equal(state(), '4 0 0');
    assert.deepEqual(lea(), ['6A:2026-2027:2026-09-07..2027-07-02']);
    assert.equal(
      one(`SELECT starts_on || ' ' || ends_on || ' ' || (SELECT count(*) FROM period p WHERE p.school_year_id = y.id)
    FROM school_year y JOIN establishment e ON e.id = y.establishment_id WHERE e.uai = '0441234X'
    AND y.label = '2027-2028'`),
      '2027-09-01 2028-07-08 3',
    );
    // Twice: nothing more to close, nothing to open.
    const again = run('new-year', '--db', db, '--now', '2027-08-26T10:00', '--quiet');
    assert.equal(again.status, 0, again.stderr);
    assert.match(
      again.stdout,
      /0 new school year\(s\), 0 enrolment\(s\) and 0 teaching\(s\) ended/,
    );
    // The next year's export in late August fills the new year; the old one stays.
    assert.equal(
      run('import', 'aaf', '--db', db, '--now', '2027-08-28T08:00', '--quiet', COMPLET).status,
      0,
    );
    assert.deepEqual(lea(), ['6A:2026-2027:2026-09-07..2027-07-02', '6A:2027-2028:2027-08-28..']);
    assert.equal(one("SELECT count(*) FROM class WHERE name = '6A'"), '2');
    assert.equal(
      one(`SELECT count(*) FROM teaching t LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id
    JOIN school_year y ON y.id = coalesce(c.school_year_id, g.school_year_id) WHERE y.label =
    '2027-2028' AND t.ends_on IS NULL`),
      '4',
    );
  },
);
