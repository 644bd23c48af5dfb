// Import SIECLE — `carnet import siecle` on a collège's own SIECLE exports
// (tests/fixtures/siecle: Nomenclature.xml in ISO-8859-15, the pupils with
// a BOM, the relatives declared ISO-8859-15 but written in UTF-8; exits,
// a pseudo-class, INE twice or missing, dates and sexes missing or wrong),
// into an empty database: SQLite, and PostgreSQL too when
// CARNET_TEST_PG_URL is set. What a head checks after an import, and what
// a bad file does: exit 1, the file and line named, nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PG_URL, sqlOn, pgDatabaseUrl, dropDb } from '../lib/carnet.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIX = join(ROOT, 'tests/fixtures/siecle');
const COLLEGE = [join(FIX, 'college')];
const NOW = '2026-09-10T08:00';
const STORES = PG_URL ? ['SQLite', 'PostgreSQL'] : ['SQLite'];
// What an import writes (import_run, the log of runs, is written by every run).
const TABLES = ['establishment', 'school_year', 'class', 'grp', 'group_member', 'subject_ref',
  'mef', 'person', 'account', 'role', 'enrolment', 'guardianship', 'household', 'import_key',
  'identity_review'];

let dir;
let seq = 0;
const dbs = {};
const first = {}; // the report of the first import, by store

/** A new empty database for store in dir: a migrated SQLite file, or a new
 * PostgreSQL database (the import migrates it). Its path or URL. */
function emptyDb(where, store = 'SQLite') {
  if (store === 'PostgreSQL') {
    const name = `siecle_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    sqlOn(PG_URL, `CREATE DATABASE ${name}`);
    return pgDatabaseUrl(name);
  }
  const db = join(where, `siecle-${++seq}.db`);
  const r = spawnSync(BIN, ['migrate', '--db', db, '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return db;
}

/** `carnet import siecle` on paths: its exit status, output and JSON report. */
function importSiecle(db, paths, extra = []) {
  const json = join(dir, `report-${++seq}.json`);
  const r = spawnSync(BIN, ['import', 'siecle', '--db', db, '--now', NOW, '--report-json', json,
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
const find = (report, fn) => report.problems.find(fn);
/** The problems of record id: "severity|file|line|message". */
const problemsOf = (report, id) => report.problems.filter((p) => p.record === id)
  .map((p) => `${p.severity}|${p.file}|${p.line}|${p.message}`);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'carnet-siecle-'));
  for (const store of STORES) {
    dbs[store] = emptyDb(dir, store);
    const r = importSiecle(dbs[store], COLLEGE);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.report.applied, true);
    first[store] = r.report;
  }
});

after(() => {
  for (const db of Object.values(dbs)) dropDb(db);
  rmSync(dir, { recursive: true, force: true });
});

/** The people a pupil's guardians are: "Last First|relation|legal|pays". */
const guardians = (db, first_name) => rows(db, `SELECT p.last_name || ' ' || p.first_name || '|' ||
  g.relation || '|' || g.legal_responsibility || '|' || g.pays FROM guardianship g
  JOIN person p ON p.id = g.parent_id JOIN person c ON c.id = g.pupil_id
  WHERE c.first_name = '${first_name}'`);

/** A bad input is refused: exit 1, an error at file:line, the database as it was. */
function refused(store, path, file, line, message) {
  const db = dbs[store];
  const before = counts(db);
  const r = importSiecle(db, [join(FIX, path)]);
  assert.equal(r.status, 1, r.out);
  assert.equal(r.report.failed, true);
  assert.equal(r.report.rows_written, 0);
  const e = find(r.report, (p) => p.severity === 'error');
  assert.ok(e, JSON.stringify(r.report.problems));
  assert.deepEqual([e.file, e.line], [file, line]);
  assert.match(e.message, message);
  assert.ok(find(r.report, (p) => p.severity === 'fatal'));
  assert.equal(counts(db), before);
}

for (const store of STORES) {
  const T = (what) => `Import SIECLE: ${what} (${store})`;
  const F = 'ElevesAvecAdresses.xml';

  test(T('the collège, its divisions and groups; each pupil in a division at its level'), () => {
    const db = dbs[store];
    assert.equal(sqlOn(db, "SELECT name || '|' || kind FROM establishment WHERE uai = '0442345Z'"),
      'COLLEGE ANNE DE BRETAGNE|college');
    assert.deepEqual(rows(db, `SELECT p.last_name || ' ' || p.first_name || '|' || c.name || '|'
      || l.code || '|' || e.mef_code FROM enrolment e JOIN person p ON p.id = e.pupil_id
      JOIN class c ON c.id = e.class_id JOIN level l ON l.id = c.level_id`), [
      'FONTAINE Léo|5B|5E|10110001110',
      'GARCIA Yanis|3A|3E|10310019110',
      'GARCIA Zoé|5B|5E|10110001110',
      'LEGRAND Lucas|6A|6E|10010012110',
      'LEGRAND Manon|6A|6E|10010012110',
      'MOREL Inès|5B|5E|10110001110',
    ]);
    assert.deepEqual(rows(db, `SELECT g.name || '|' || p.first_name FROM group_member m
      JOIN grp g ON g.id = m.grp_id JOIN person p ON p.id = m.pupil_id`),
    ['5-ESP|Inès', '5-ESP|Zoé', '6-LATIN|Manon']);
    assert.equal(sqlOn(db, `SELECT ine || '|' || birth_date || '|' || civility FROM person
      WHERE first_name = 'Manon'`), '070000001AA|2015-02-14|Mme');
    // The nomenclature, declared and written in ISO-8859-15.
    assert.deepEqual(rows(db, "SELECT code || '|' || name FROM subject_ref"),
      ['020100|FRANÇAIS', '100100|ÉDUCATION PHYSIQUE ET SPORTIVE']);
    assert.deepEqual(rows(db, `SELECT m.code || '|' || l.code FROM mef m
      JOIN level l ON l.id = m.level_id`), ['10010012110|6E', '10110001110|5E', '10310019110|3E']);
  });

  test(T('twins have the same two parents, each one person'), () => {
    const db = dbs[store];
    const both = ['LEGRAND Julien|father|1|0', 'LEGRAND Sophie|mother|1|1'];
    assert.deepEqual(guardians(db, 'Manon'), both);
    assert.deepEqual(guardians(db, 'Lucas'), both);
    assert.equal(sqlOn(db, `SELECT count(*) FROM person WHERE last_name = 'LEGRAND'
      AND first_name IN ('Sophie', 'Julien')`), '2');
    assert.equal(sqlOn(db, "SELECT phone FROM person WHERE first_name = 'Julien'"), '0655667788');
  });

  test(T('separated parents live in two households'), () => {
    const db = dbs[store];
    assert.deepEqual(guardians(db, 'Inès'), ['MOREL Claire|mother|1|1', 'MOREL Pierre|father|1|1']);
    assert.deepEqual(rows(db, `SELECT p.first_name || '|' || h.city || '|' || g.lives_with
      FROM guardianship g JOIN person p ON p.id = g.parent_id
      JOIN household h ON h.id = p.household_id JOIN person c ON c.id = g.pupil_id
      WHERE c.first_name = 'Inès'`), ['Claire|NANTES|1', 'Pierre|SAINT-HERBLAIN|0']);
    // The lines of an address, one a line.
    assert.equal(sqlOn(db, `SELECT count(*) FROM person p JOIN household h ON h.id = p.household_id
      WHERE p.first_name = 'Claire' AND h.address LIKE '12 rue de la Paix_Appartement 4'`), '1');
    // The file declared ISO-8859-15 but written in UTF-8 is read as UTF-8, and said.
    assert.equal(sqlOn(db, `SELECT h.address FROM person p JOIN household h ON h.id = p.household_id
      WHERE p.first_name = 'Pierre'`), '3 quai Émile Cormerais');
    const w = find(first[store], (p) => p.file === 'ResponsablesAvecAdresses.xml' && p.line === 1);
    assert.match(w.message, /encodage déclaré ISO-8859-15 mais contenu en UTF-8 : lu en UTF-8/);
  });

  test(T('a parent of two children is one person'), () => {
    const db = dbs[store];
    assert.deepEqual(rows(db, `SELECT c.first_name FROM guardianship g
      JOIN person p ON p.id = g.parent_id JOIN person c ON c.id = g.pupil_id
      WHERE p.first_name = 'Ana'`), ['Yanis', 'Zoé']);
    assert.equal(sqlOn(db, `SELECT h.address || '|' || h.city FROM person p JOIN household h
      ON h.id = p.household_id WHERE p.first_name = 'Ana'`), 'Calle Mayor 7\nESPAGNE|MADRID');
  });

  test(T('INE twice or missing, no sex, a wrong date: applied and reported by line'), () => {
    const db = dbs[store];
    const r = first[store];
    assert.deepEqual(problemsOf(r, '5004'), [
      `warning|${F}|51|INE 070000001AA déjà porté par l'élève de la ligne 12 : non repris`]);
    assert.equal(sqlOn(db, "SELECT coalesce(ine, '-') FROM person WHERE first_name = 'Yanis'"),
      '-');
    assert.deepEqual(problemsOf(r, '5005'), [
      `warning|${F}|60|date de naissance illisible « 2013-13-45 » (jj/mm/aaaa attendu) : `
      + 'ignorée',
      `warning|${F}|60|sexe absent (CODE_SEXE)`, `warning|${F}|60|INE absent (ID_NATIONAL)`]);
    assert.equal(sqlOn(db, `SELECT coalesce(birth_date, '-') || coalesce(civility, '-')
      FROM person WHERE first_name = 'Léo'`), '--');
  });

  test(T('exits, the pseudo-class, a pupil without name: not imported, reported by line'), () => {
    const db = dbs[store];
    const r = first[store];
    assert.deepEqual(problemsOf(r, '5006'),
      [`warning|${F}|67|élève sorti le 30/06/2026 : non importé`]);
    assert.deepEqual(problemsOf(r, '5007'), [
      `warning|${F}|77|structure « SORTANTS » : pseudo-classe des élèves sortis ou inactifs, `
      + 'ignorée',
      `warning|${F}|77|élève de la seule pseudo-classe « SORTANTS » : non importé`]);
    assert.deepEqual(problemsOf(r, '5008'),
      [`error|${F}|86|élève sans nom (NOM_DE_FAMILLE) : ignoré`]);
    assert.equal(sqlOn(db, `SELECT count(*) FROM person
      WHERE first_name IN ('Emma', 'Hugo', 'Sans')`), '0');
    assert.equal(sqlOn(db, "SELECT count(*) FROM class WHERE name = 'SORTANTS'"), '0');
    // A future exit keeps the pupil; a link to no one and a person of no pupil are said.
    assert.equal(sqlOn(db, "SELECT count(*) FROM person WHERE first_name = 'Zoé'"), '1');
    assert.match(problemsOf(r, '7999')[0], /PERSONNE_ID « 7999 » absent des PERSONNES/);
    assert.match(problemsOf(r, '7006')[0], /responsable d'aucun élève : ignoré/);
    assert.equal(r.errors, 1);
  });

  test(T('run again on the same files, nothing is written'), () => {
    const db = dbs[store];
    const before = counts(db);
    const r = importSiecle(db, COLLEGE);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.report.applied, true);
    assert.equal(r.report.rows_written, 0, r.out);
    assert.equal(r.report.totals.pupil.unchanged, 6);
    assert.equal(r.report.totals.relative.unchanged, 5);
    assert.equal(counts(db), before);
  });

  test(T('a dry run writes nothing'), () => {
    const db = emptyDb(dir, store);
    try {
      const r = importSiecle(db, COLLEGE, ['--dry-run']);
      assert.equal(r.status, 0, r.out);
      assert.equal(r.report.applied, false);
      assert.equal(r.report.totals.pupil.created, 6);
      assert.equal(counts(db), TABLES.map((t) => `${t}=0`).join(' '));
    } finally {
      dropDb(db);
    }
  });

  test(T('an encoding no one knows stops the run, the database unchanged'), () => {
    refused(store, 'bad/unknown-encoding', 'ElevesSansAdresses.xml', 1,
      /encodage « X-SIECLE-42 » inconnu : fichier refusé/);
  });

  test(T('a cut file stops the run, nothing written'), () => {
    refused(store, 'bad/truncated', 'ElevesSansAdresses.xml', 38,
      /XML mal formé : .*\(fichier tronqué \?\)/);
  });

  test(T('another root, declared entities, no UAJ: each refused'), () => {
    refused(store, 'bad/wrong-root', 'ElevesSansAdresses.xml', 1,
      /élément racine « BEE_RESPONSABLES » : un tel fichier SIECLE commence par BEE_ELEVES/);
    refused(store, 'bad/entities', 'ElevesSansAdresses.xml', 7, /le DOCTYPE déclare des entités/);
    refused(store, 'bad/no-uaj', 'ElevesSansAdresses.xml', 3, /PARAMETRES\/UAJ absent/);
  });
}
