// Import OneRoster — `carnet import oneroster` on OneRoster 1.1 and 1.2 CSV
// packages (tests/fixtures/oneroster: a 1.1 bulk folder with a BOM and
// quoted fields, the same as a zip, a 1.2 folder with roles.csv, a delta,
// a package with the quirks of real exports) into an empty database
// (SQLite, or PostgreSQL when CARNET_TEST_PG_URL is set), bad archives
// refused with nothing written, and `carnet export oneroster` read back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, sqlOn, emptyDb, dropDb } from '../lib/carnet.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIX = join(ROOT, 'tests/fixtures/oneroster');
const NOW = '2026-09-10T08:00';
const TABLES = ['establishment', 'class', 'grp', 'subject', 'person', 'account', 'role',
  'enrolment', 'group_member', 'guardianship', 'teaching', 'import_key'];
const dir = mkdtempSync(join(tmpdir(), 'carnet-oneroster-'));
const dbs = [];
let seq = 0;

/** A new empty migrated database (its own folder). */
function fresh() {
  const d = join(dir, `db-${++seq}`);
  mkdirSync(d);
  const db = emptyDb(d);
  dbs.push(db);
  return db;
}

/** `carnet import oneroster` on paths: exit status, output, JSON report. */
function run(db, paths, extra = [], now = NOW) {
  const json = join(dir, `report-${++seq}.json`);
  const r = spawnSync(BIN, ['import', 'oneroster', '--db', db, '--now', now, '--report-json',
    json, ...extra, ...paths], { encoding: 'utf8', timeout: 60000 });
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
const CLASSES = `SELECT p.last_name || '|' || p.first_name || '|' || c.code FROM enrolment e
  JOIN person p ON p.id = e.pupil_id JOIN class c ON c.id = e.class_id
  WHERE e.ends_on IS NULL OR e.ends_on >= '2026-09-10'`;
const TEACH = `SELECT p.last_name || '|' || s.code || '|' || coalesce(c.code, g.code)
  FROM teaching t JOIN person p ON p.id = t.teacher_id JOIN subject s ON s.id = t.subject_id
  LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id
  WHERE t.ends_on IS NULL`;
const LINKS = `SELECT a.first_name || '>' || b.first_name FROM guardianship g
  JOIN person a ON a.id = g.parent_id JOIN person b ON b.id = g.pupil_id`;
const has = (report, fn) => report.problems.some(fn);

/** Make a zip of files {name: text or Buffer} at path with Python's zipfile. */
function zipOf(path, files, bomb = 0) {
  const spec = JSON.stringify(Object.fromEntries(Object.entries(files)
    .map(([k, v]) => [k, Buffer.from(v).toString('base64')])));
  const py = `import base64, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)
for k, v in json.loads(sys.argv[2]).items(): z.writestr(k, base64.b64decode(v))
if int(sys.argv[3]):
    with z.open('users.csv', 'w', force_zip64=True) as f:
        for i in range(int(sys.argv[3])): f.write(bytes(1 << 20))
z.close()`;
  const r = spawnSync('python3', ['-c', py, path, spec, String(bomb)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

const BULK = join(FIX, 'bulk11');
const bulkFiles = () => Object.fromEntries(['manifest', 'orgs', 'users', 'classes', 'courses',
  'enrollments', 'academicSessions', 'demographics']
  .map((n) => [`${n}.csv`, readFileSync(join(BULK, `${n}.csv`))]));

after(() => {
  for (const db of dbs) dropDb(db);
  rmSync(dir, { recursive: true, force: true });
});

test('Import OneRoster: a 1.1 bulk folder gives the school, its classes, pupils, guardians '
  + 'and teachings; a re-run writes nothing', () => {
  const db = fresh();
  const r = run(db, [BULK]);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.report.applied, true);
  assert.equal(r.report.errors, 0, r.out);
  assert.equal(sqlOn(db, "SELECT name || '|' || kind FROM establishment WHERE uai = '0440001A'"),
    'Collège Jules Verne|college');
  assert.deepEqual(rows(db, 'SELECT code FROM class'), ['6A', '6B']);
  assert.deepEqual(rows(db, 'SELECT code FROM grp'), ['LAT6']);
  assert.deepEqual(rows(db, CLASSES), ['Le Roy, dit "Tommy"|Tom|6B', 'Martin|Hugo|6A',
    'Martin|Léa|6A', "N'Diaye|Inès|6B"]);
  assert.equal(sqlOn(db, "SELECT ine FROM person WHERE first_name = 'Léa'"), '123456789AB');
  assert.equal(sqlOn(db, "SELECT birth_date FROM person WHERE first_name = 'Hugo'"), '2015-03-14');
  // a parent naming two children; a guardian named on the child's row
  assert.deepEqual(rows(db, LINKS), ['Awa>Inès', 'Sophie>Hugo', 'Sophie>Léa']);
  assert.equal(sqlOn(db, "SELECT count(*) FROM role r JOIN person p ON p.id = r.person_id"
    + " WHERE p.first_name = 'Sophie' AND r.profile = 'parent'"), '1');
  // a scheduled class with a homeroom code is that class taught in its subject
  assert.deepEqual(rows(db, TEACH), ['Petit|MATHS|6A', 'Roux|LATIN|LAT6', 'Roux|ONEROSTER|6B']);
  assert.equal(sqlOn(db, "SELECT count(*) FROM role r JOIN person p ON p.id = r.person_id"
    + " WHERE p.last_name = 'Faure' AND r.profile = 'head'"), '1');
  assert.deepEqual(rows(db, `SELECT p.first_name FROM group_member m JOIN person p
    ON p.id = m.pupil_id`), ['Inès', 'Léa']);
  const before = counts(db);
  const again = run(db, [BULK]);
  assert.equal(again.status, 0, again.out);
  assert.equal(again.report.rows_written, 0);
  assert.equal(counts(db), before);
});

test('Import OneRoster: a dry run writes nothing', () => {
  const db = fresh();
  const before = counts(db);
  const r = run(db, [BULK], ['--dry-run']);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.report.applied, false);
  assert.ok(r.report.rows_written > 0);
  assert.equal(counts(db), before);
});

test('Import OneRoster: the same package as a zip gives the same rows', () => {
  const db = fresh();
  const zip = join(dir, 'bulk11.zip');
  const z = spawnSync('zip', ['-q', '-j', zip, ...Object.keys(bulkFiles())
    .map((n) => join(BULK, n))]);
  if (z.error || z.status !== 0) zipOf(zip, bulkFiles());
  const r = run(db, [zip]);
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(rows(db, CLASSES).length, 4);
  assert.deepEqual(rows(db, LINKS), ['Awa>Inès', 'Sophie>Hugo', 'Sophie>Léa']);
  assert.equal(rows(db, TEACH).length, 3);
});

test('Import OneRoster: 1.2 with roles.csv (no role column in users.csv)', () => {
  const db = fresh();
  const r = run(db, [join(FIX, 'v12')]);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.report.warnings, 0, r.out);
  assert.equal(sqlOn(db, "SELECT kind FROM establishment WHERE uai = '0440002B'"), 'lycee');
  assert.deepEqual(rows(db, CLASSES), ['Bernard|Noah|2NDE1', 'Bernard|Zoé|2NDE1']);
  assert.deepEqual(rows(db, LINKS), ['Julie>Noah', 'Julie>Zoé']);
  assert.deepEqual(rows(db, TEACH), ['Moreau|PHYCH|2NDE1']);
});

test('Import OneRoster: a delta after the bulk: a pupil leaves, one comes, a name changes', () => {
  const db = fresh();
  assert.equal(run(db, [BULK]).status, 0);
  const r = run(db, [join(FIX, 'delta11')], [], '2026-09-21T08:00');
  assert.equal(r.status, 0, r.out);
  assert.equal(sqlOn(db, `SELECT count(*) FROM role r JOIN person p ON p.id = r.person_id
    WHERE p.first_name = 'Tom' AND r.profile = 'pupil' AND r.ends_on IS NULL`), '0');
  assert.ok(rows(db, CLASSES).includes('Blanc|Jade|6A'));
  assert.equal(sqlOn(db, "SELECT last_name FROM person WHERE first_name = 'Claire'"),
    'Petit-Lenoir');
  // the delta did not name Claire's classes: her teaching stays
  assert.ok(rows(db, TEACH).includes('Petit-Lenoir|MATHS|6A'));
  // Léa's class is untouched by the delta
  assert.ok(rows(db, CLASSES).includes('Martin|Léa|6A'));
});

test('Import OneRoster: the quirks of real exports are reported by file, line and record', () => {
  const db = fresh();
  const r = run(db, [join(FIX, 'nasty')]);
  assert.equal(r.status, 0, r.out);
  const p = r.report;
  assert.ok(has(p, (x) => x.file === 'notes.csv' && /non déclaré/.test(x.message)));
  assert.ok(has(p, (x) => x.file === 'users.csv' && x.line === 1 && /emial/.test(x.message)));
  assert.ok(has(p, (x) => x.file === 'users.csv' && /sans nom/.test(x.message)));
  assert.ok(has(p, (x) => x.file === 'classes.csv' && x.line === 4 && x.record === 'k-4a'
    && /org-gone/.test(x.message)));
  assert.ok(has(p, (x) => x.file === 'classes.csv' && x.line === 3 && /c-gone/.test(x.message)));
  assert.ok(has(p, (x) => x.file === 'classes.csv' && x.line === 2 && /ISO 8601/.test(x.message)));
  assert.ok(has(p, (x) => x.file === 'enrollments.csv' && x.record === 'e1'
    && /1er septembre/.test(x.message)));
  assert.ok(has(p, (x) => x.file === 'users.csv' && x.record === 'u-s1' && /u-p9/.test(x.message)));
  assert.ok(has(p, (x) => x.record === 'u-ghost'));
  // what could be read is applied
  assert.deepEqual(rows(db, CLASSES), ['Martin|Hugo|5A', 'Martin|Léa|6A']);
  assert.equal(sqlOn(db, "SELECT count(*) FROM class WHERE code = '4A'"), '0');
});

test('Import OneRoster: a required column misspelt refuses the run, nothing written', () => {
  const db = fresh();
  const d = join(dir, 'typo');
  cpSync(BULK, d, { recursive: true });
  const users = readFileSync(join(d, 'users.csv'), 'utf8').replace('familyName', 'familyNme');
  writeFileSync(join(d, 'users.csv'), users);
  const before = counts(db);
  const r = run(db, [d]);
  assert.equal(r.status, 1, r.out);
  assert.ok(has(r.report, (x) => x.file === 'users.csv' && x.line === 1
    && /familyName/.test(x.message)));
  assert.equal(counts(db), before);
});

test('Import OneRoster: a zip with ../evil.csv is refused, nothing written', () => {
  const db = fresh();
  const zip = join(dir, 'evil.zip');
  zipOf(zip, { ...bulkFiles(), '../evil.csv': 'x,y\n1,2\n' });
  const before = counts(db);
  const r = run(db, [zip]);
  assert.equal(r.status, 1, r.out);
  assert.ok(has(r.report, (x) => /\.\.\/evil\.csv/.test(x.message)), r.out);
  assert.equal(counts(db), before);
});

test('Import OneRoster: a zip bomb is refused before it is inflated', () => {
  const db = fresh();
  const zip = join(dir, 'bomb.zip');
  const files = bulkFiles();
  delete files['users.csv'];
  zipOf(zip, files, 200);
  const before = counts(db);
  const r = run(db, [zip]);
  assert.equal(r.status, 1, r.out);
  assert.ok(has(r.report, (x) => /annonce/.test(x.message)), r.out);
  assert.equal(counts(db), before);
});

test('Import OneRoster: AAF → export oneroster → import gives the same schools, classes, '
  + 'pupils, guardians and teachings', () => {
  const a = fresh();
  const aaf = spawnSync(BIN, ['import', 'aaf', '--db', a, '--now', '2026-09-07T08:00', '--quiet',
    join(ROOT, 'tests/fixtures/aaf/complet')], { encoding: 'utf8' });
  assert.equal(aaf.status, 0, aaf.stdout);
  for (const to of [join(dir, 'export'), join(dir, 'export.zip')]) {
    const x = spawnSync(BIN, ['export', 'oneroster', '--db', a, '--now', NOW, '--quiet', '--to',
      to], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    const b = fresh();
    const r = run(b, [to]);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.report.errors, 0, r.out);
    for (const q of ['SELECT uai || name FROM establishment', 'SELECT code FROM class', CLASSES,
      LINKS, TEACH])
      assert.deepEqual(rows(b, q), rows(a, q), q);
  }
  const users = readFileSync(join(dir, 'export/users.csv'), 'utf8');
  assert.match(users, /^sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,/);
  assert.match(users, /carnet-person-\d+,,,true,carnet-est-\d+,parent,.*"carnet-person-\d+,/);
});
