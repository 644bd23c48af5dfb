// Import ONDE — `carnet import onde` on the écoles' CSV extractions
// (tests/fixtures/onde: Windows-1252 and UTF-8, CRLF and LF, ; , and TAB,
// quoted fields, headers with blanks, repeated and ragged child blocks),
// into an empty database: SQLite, and PostgreSQL too when
// CARNET_TEST_PG_URL is set. What a director checks after an import, and
// what a bad file does: exit 1, the file and line named, nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PG_URL, sqlOn, pgDatabaseUrl, dropDb } from '../lib/carnet.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIX = join(ROOT, 'tests/fixtures/onde');
const NOW = '2026-09-10T08:00';
const STORES = PG_URL ? ['SQLite', 'PostgreSQL'] : ['SQLite'];
// What an import writes (import_run, the log of runs, is written by every run).
const TABLES = ['establishment', 'school_year', 'class', 'grp', 'subject', 'subject_ref',
  'person', 'account', 'role', 'enrolment', 'guardianship', 'household', 'teaching', 'import_key',
  'identity_review'];

let dir;
let seq = 0;
const dbs = {};
const first = {}; // the report of the first import, by store

/** A new empty database for store in dir: a migrated SQLite file, or a new
 * PostgreSQL database (the import migrates it). Its path or URL. */
function emptyDb(where, store = 'SQLite') {
  if (store === 'PostgreSQL') {
    const name = `onde_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    sqlOn(PG_URL, `CREATE DATABASE ${name}`);
    return pgDatabaseUrl(name);
  }
  const db = join(where, `onde-${++seq}.db`);
  const r = spawnSync(BIN, ['migrate', '--db', db, '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return db;
}

/** `carnet import onde` on paths: its exit status, output and JSON report. */
function importOnde(db, paths, extra = []) {
  const json = join(dir, `report-${++seq}.json`);
  const r = spawnSync(BIN, ['import', 'onde', '--db', db, '--now', NOW, '--report-json', json,
    ...extra, ...paths], { encoding: 'utf8', timeout: 60000 });
  assert.doesNotMatch(r.stderr, /ERROR: (Address|Leak)Sanitizer|runtime error:/, r.stderr);
  let report = null;
  try {
    report = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    report = null;
  }
  return { status: r.status, out: r.stdout, report };
}

const counts = (db) =>
  TABLES.map((t) => `${t}=${sqlOn(db, `SELECT count(*) FROM ${t}`)}`).join(' ');
const rows = (db, q) => sqlOn(db, q).split('\n').filter(Boolean).sort();
const problem = (report, fn) => report.problems.find(fn);
/** How many people have that last name (and that first name). */
const people = (db, last, first_name) => sqlOn(db, `SELECT count(*) FROM person
  WHERE last_name = '${last}'${first_name ? ` AND first_name = '${first_name}'` : ''}`);
const ECOLE = [join(FIX, 'ecole'), join(FIX, 'maternelle')];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-onde-'));
  for (const store of STORES) {
    dbs[store] = emptyDb(dir, store);
    const r = importOnde(dbs[store], ECOLE);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.report.applied, true);
    assert.equal(r.report.errors, 0, r.out);
    first[store] = r.report;
  }
});

after(() => {
  for (const db of Object.values(dbs)) dropDb(db);
  rmSync(dir, { recursive: true, force: true });
});

/** The people a pupil's guardians are: "Last First|relation|legal". */
const guardians = (db, last, first_name) => rows(db, `SELECT p.last_name || ' ' || p.first_name
  || '|' || g.relation || '|' || g.legal_responsibility FROM guardianship g
  JOIN person p ON p.id = g.parent_id JOIN person c ON c.id = g.pupil_id
  WHERE c.last_name = '${last}' AND c.first_name = '${first_name}'`);

for (const store of STORES) {
  const T = (what) => `Import ONDE: ${what} (${store})`;

  test(T('the école and its classes, each pupil in their class with their level'), () => {
    const db = dbs[store];
    assert.equal(sqlOn(db, `SELECT name || '|' || kind || '|' || city FROM establishment
      WHERE uai = '0440101K'`), 'École élémentaire Jules Ferry|ecole|NANTES');
    // Windows-1252 names, CRLF, quoted fields, the " Niveau " header: all read.
    assert.deepEqual(rows(db, `SELECT p.last_name || ' ' || p.first_name || '|' || p.birth_date
      || '|' || c.name || '|' || l.code FROM enrolment e JOIN person p ON p.id = e.pupil_id
      JOIN class c ON c.id = e.class_id JOIN level l ON l.id = c.level_id
      JOIN establishment s ON s.id = c.establishment_id WHERE s.uai = '0440101K'`), [
      'BERNARD Chloé|2017-07-05|CE2-CM1|CE2',
      'DUBOIS Éléonore|2015-09-14|CM2|CM2',
      'MARTIN Hugo|2019-03-12|CP Mme Durand|CP',
      'MARTIN Léa|2019-03-12|CP Mme Durand|CP',
      "N'DIAYE Moïse|2015-06-30|CM2|CM2",
      'PETIT Jade|2019-02-02|CP Mme Durand|CP',
      'PETIT Noé|2016-11-21|CE2-CM1|CE2',
    ]);
    assert.equal(sqlOn(db, "SELECT ine FROM person WHERE first_name = 'Éléonore'"), '1234567890A');
    // A quoted address holding the delimiter and doubled quotes.
    assert.equal(sqlOn(db, `SELECT h.address FROM person p JOIN household h ON h.id = p.household_id
      WHERE p.first_name = 'Jade'`), 'Résidence "Les Pins"; bât. B');
    // Every pupil has the pupil's role in the école, and an account to activate.
    assert.equal(sqlOn(db, `SELECT count(*) FROM role r JOIN establishment s
      ON s.id = r.establishment_id JOIN account a ON a.person_id = r.person_id
      WHERE s.uai = '0440101K' AND r.profile = 'pupil'`), '7');
  });

  test(T('twins have the same two parents, each one person'), () => {
    const db = dbs[store];
    const both = ['MARTIN Claire|mother|1', 'MARTIN Thomas|father|1'];
    assert.deepEqual(guardians(db, 'MARTIN', 'Léa'), both);
    assert.deepEqual(guardians(db, 'MARTIN', 'Hugo'), both);
    assert.equal(people(db, 'MARTIN', 'Claire'), '1');
    assert.equal(people(db, 'MARTIN', 'Thomas'), '1');
    assert.equal(sqlOn(db, `SELECT count(*) FROM role r JOIN person p ON p.id = r.person_id
      WHERE r.profile = 'parent' AND p.last_name = 'MARTIN'`), '2');
  });

  test(T('separated parents live in two households'), () => {
    const db = dbs[store];
    assert.deepEqual(guardians(db, 'BERNARD', 'Chloé'),
      ['BERNARD Sandrine|mother|1', 'BERNARD Éric|father|1']);
    assert.deepEqual(rows(db, `SELECT p.first_name || '|' || h.city || '|' || g.lives_with
      FROM guardianship g JOIN person p ON p.id = g.parent_id
      JOIN household h ON h.id = p.household_id JOIN person c ON c.id = g.pupil_id
      WHERE c.first_name = 'Chloé'`), ['Sandrine|NANTES|1', 'Éric|SAINT-NAZAIRE|0']);
  });

  test(T('a parent on two rows is one person with her two children'), () => {
    const db = dbs[store];
    assert.equal(people(db, 'PETIT', 'Aurélie'), '1');
    assert.deepEqual(rows(db, `SELECT c.first_name FROM guardianship g
      JOIN person p ON p.id = g.parent_id JOIN person c ON c.id = g.pupil_id
      WHERE p.first_name = 'Aurélie'`), ['Jade', 'Noé']);
    // A tutor without e-mail on the child's side: the relation and the legal flag kept.
    assert.deepEqual(guardians(db, "N''DIAYE", 'Moïse'), ["N'DIAYE Awa|tutor|1"]);
  });

  test(T('one parent with two addresses gives two records, reported on both lines'), () => {
    const db = dbs[store];
    assert.equal(people(db, 'DUBOIS', 'Jean'), '2');
    assert.deepEqual(guardians(db, 'DUBOIS', 'Éléonore'),
      ['DUBOIS Jean|father|1', 'DUBOIS Jean|father|1']);
    const w = problem(first[store], (p) => /mêmes nom et prénom/.test(p.message));
    assert.ok(w, JSON.stringify(first[store].problems));
    assert.equal(w.severity, 'warning');
    assert.equal(w.file, 'CSVExtraction-responsables.csv');
    assert.equal(w.line, 9);
    assert.match(w.record, /^DUBOIS\|JEAN\|/);
    assert.match(w.message, /lignes 8 et 9/);
  });

  test(T('teachers with their classes, two share one, the director teaches and heads'), () => {
    const db = dbs[store];
    assert.deepEqual(rows(db, `SELECT c.name || '|' || p.last_name || '|' || s.code
      FROM teaching t JOIN class c ON c.id = t.class_id JOIN person p ON p.id = t.teacher_id
      JOIN subject s ON s.id = t.subject_id WHERE t.ends_on IS NULL`), [
      'CE2-CM1|LEROY|POLY', 'CE2-CM1|MOREAU|POLY', 'CM2|FAURE|POLY', 'CM2|MOREAU|POLY',
      'CP Mme Durand|DURAND|POLY']);
    assert.deepEqual(rows(db, `SELECT p.last_name || '|' || r.profile FROM role r
      JOIN person p ON p.id = r.person_id WHERE r.profile IN ('teacher', 'head')`), [
      'DURAND|teacher', 'FAURE|teacher', 'LEROY|head', 'LEROY|teacher', 'MOREAU|teacher']);
    assert.equal(sqlOn(db, "SELECT name FROM subject_ref WHERE code = 'POLY'"),
      'Enseignement polyvalent');
    assert.equal(sqlOn(db, "SELECT school_email FROM person WHERE last_name = 'MOREAU'"),
      'julie.moreau@ac-nantes.fr');
  });

  test(T("responsables listed in the pupils' own file (BOM, tabs, UAI in the name)"), () => {
    const db = dbs[store];
    assert.deepEqual(rows(db, `SELECT c.name || '|' || l.code FROM class c
      JOIN level l ON l.id = c.level_id JOIN establishment s ON s.id = c.establishment_id
      WHERE s.uai = '0440202M'`), ['GS|GS', 'PS-MS|PS']);
    assert.equal(sqlOn(db, "SELECT kind FROM establishment WHERE uai = '0440202M'"), 'ecole');
    const roux = ['ROUX Karim|father|1', 'ROUX Nadia|mother|1'];
    assert.deepEqual(guardians(db, 'ROUX', 'Inès'), roux);
    assert.deepEqual(guardians(db, 'ROUX', 'Adam'), roux);
    assert.equal(people(db, 'ROUX', 'Karim'), '1');
    assert.deepEqual(guardians(db, 'LEFEBVRE', 'Tom'), ['GARNIER Sylvie|tutor|1']);
  });

  test(T('run again on the same files, nothing is written'), () => {
    const db = dbs[store];
    const before = counts(db);
    const r = importOnde(db, ECOLE);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.report.applied, true);
    assert.equal(r.report.rows_written, 0, r.out);
    assert.equal(r.report.totals.pupil.unchanged, 10);
    assert.equal(r.report.totals.relative.unchanged, 11);
    assert.equal(r.report.totals.teacher.unchanged, 4);
    assert.equal(counts(db), before);
  });

  test(T('a dry run writes nothing'), () => {
    const db = emptyDb(dir, store);
    try {
      const r = importOnde(db, ECOLE, ['--dry-run']);
      assert.equal(r.status, 0, r.out);
      assert.equal(r.report.dry_run, true);
      assert.equal(r.report.applied, false);
      assert.equal(r.report.totals.pupil.created, 10);
      assert.match(r.out, /Essai terminé : rien n'a été écrit/);
      assert.equal(counts(db), TABLES.map((t) => `${t}=0`).join(' '));
    } finally {
      dropDb(db);
    }
  });

  test(T('a file cut inside quotes stops the run: exit 1, file and line, nothing written'), () => {
    const db = dbs[store];
    const before = counts(db);
    const r = importOnde(db, [join(FIX, 'bad/truncated')]);
    assert.equal(r.status, 1);
    assert.equal(r.report.failed, true);
    assert.equal(r.report.rows_written, 0);
    const e = problem(r.report, (p) => p.severity === 'error');
    assert.equal(e.file, 'CSVExtraction-responsables.csv');
    assert.equal(e.line, 3);
    assert.match(e.message, /guillemets ouvert ligne 3 \(fichier tronqué \?\)/);
    assert.ok(problem(r.report, (p) => p.severity === 'fatal'));
    assert.equal(counts(db), before);
  });

  test(T("a pupils' file without its birth-date column is refused, nothing written"), () => {
    const db = dbs[store];
    const before = counts(db);
    const r = importOnde(db, [join(FIX, 'bad/no-birth-column')]);
    assert.equal(r.status, 1);
    const e = problem(r.report, (p) => p.severity === 'error');
    assert.equal(e.file, 'CSVExtraction-eleves.csv');
    assert.equal(e.line, 1);
    assert.match(e.message, /colonne « Date naissance » absente/);
    assert.equal(counts(db), before);
  });

  test(T('a file that is not ONDE\'s, or a line past the limits, stops the run'), () => {
    const db = dbs[store];
    const before = counts(db);
    const r = importOnde(db, [join(FIX, 'bad/not-onde/export-base-eleves.txt')]);
    assert.equal(r.status, 1);
    assert.equal(r.report.problems[0].file, 'export-base-eleves.txt');
    assert.match(r.report.problems[0].message, /nom de fichier ONDE non reconnu/);
    const big = join(dir, 'big');
    mkdirSync(big, { recursive: true });
    writeFileSync(join(big, 'CSVExtraction-responsables.csv'),
      'Nom responsable;Nom enfant;Prénom enfant;Date naissance enfant\r\n'
      + 'MARTIN;MARTIN;Léa;12/03/2019\r\n'
      + `MARTIN;${'x'.repeat(5000)};Léa;12/03/2019\r\n`);
    const l = importOnde(db, [big]);
    assert.equal(l.status, 1);
    const e = problem(l.report, (p) => p.severity === 'error');
    assert.equal(e.line, 3);
    assert.match(e.message, /ligne 3 : un champ dépasse 4096 octets/);
    assert.equal(counts(db), before);
  });

  test(T('a pupil whose birth date is no date is not imported; file, line, pupil named'), () => {
    const db = emptyDb(dir, store);
    try {
      const r = importOnde(db, [join(FIX, 'bad/bad-date')]);
      assert.equal(r.status, 0, r.out);
      const e = problem(r.report, (p) => p.severity === 'error');
      assert.deepEqual([e.file, e.line, e.record], ['CSVExtraction-eleves.csv', 3, 'ROBERT|LINA']);
      assert.match(e.message, /date de naissance illisible « 31\/02\/2019 »/);
      assert.equal(people(db, 'ROBERT'), '0');
      assert.equal(people(db, 'MARTIN'), '1');
    } finally {
      dropDb(db);
    }
  });
}
