// import_aaf.test.mjs — the académie's AAF export into an empty Carnet
// (issue 15): what the report says before anything is written, what is
// created, what a Delta changes, what a later Complet closes, and that bad
// files leave the database as it was. On SQLite, and on PostgreSQL when
// CARNET_TEST_PG_URL is set.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, sqlOn, dropDb, emptyDb as newDb, startServer, visibleText } from '../lib/carnet.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const COMPLET = join(ROOT, 'tests/fixtures/aaf/complet');
const DELTA = join(ROOT, 'tests/fixtures/aaf/delta');
const work = mkdtempSync(join(tmpdir(), 'carnet-aaf-'));
const made = [];
after(() => {
  for (const db of made) dropDb(db);
  rmSync(work, { recursive: true, force: true });
});

/** A new empty database (migrated), dropped at the end. */
function emptyDb() {
  const db = newDb(mkdtempSync(join(work, 'db-')));
  made.push(db);
  return db;
}

/** Run `carnet import aaf`; its exit status, printed report and JSON report. */
function importAaf(db, paths, { now = '2026-09-07T08:00', extra = [] } = {}) {
  const json = join(work, `report-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(
    BIN,
    [
      'import',
      'aaf',
      '--db',
      db,
      '--now',
      now,
      '--quiet',
      '--report-json',
      json,
      ...extra,
      ...[].concat(paths),
    ],
    { encoding: 'utf8' },
  );
  let report = null;
  try {
    report = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    /* none written */
  }
  return { status: r.status, out: r.stdout, err: r.stderr, report };
}

const one = (db, q) => sqlOn(db, q);
/** Every table's row count, to show that a refused import changed nothing. */
function counts(db) {
  return one(
    db,
    `SELECT (SELECT count(*) FROM person) || ',' || (SELECT count(*) FROM account)
    || ',' || (SELECT count(*) FROM role) || ',' || (SELECT count(*) FROM enrolment)
    || ',' || (SELECT count(*) FROM guardianship) || ',' || (SELECT count(*) FROM teaching)
    || ',' || (SELECT count(*) FROM establishment) || ',' || (SELECT count(*) FROM class)
    || ',' || (SELECT count(*) FROM import_key)`,
  );
}
const roles = (db, first) =>
  one(
    db,
    `SELECT r.profile || '@' || e.uai || ':' || coalesce(r.ends_on, '')
  FROM role r JOIN person p ON p.id = r.person_id JOIN establishment e ON e.id = r.establishment_id
  WHERE p.first_name = '${first}' ORDER BY e.uai, r.profile, r.id`,
  ).split('\n');

test(
  'Import AAF: a Complet into an empty Carnet makes the établissements, their' +
    ' classes, pupils, families and staff',
  () => {
    const db = emptyDb();
    const r = importAaf(db, COMPLET);
    assert.equal(r.status, 0, r.out + r.err);
    assert.equal(r.report.applied, true);
    assert.equal(r.report.totals.establishment.created, 2);
    assert.equal(r.report.totals.pupil.created, 4);
    assert.equal(r.report.totals.relative.created, 3);
    assert.equal(r.report.totals.account.created, 11);
    // The establishment read from ISO-8859-15 with a character reference keeps its accent.
    assert.equal(
      one(
        db,
        "SELECT name || '|' || kind || '|' || zone FROM establishment WHERE uai = '0441234X'",
      ),
      'COLLÈGE JULES VERNE|college|B',
    );
    assert.equal(one(db, "SELECT kind FROM establishment WHERE uai = '0445678K'"), 'lycee');
    // The school year of today (2026-2027) from the shipped calendar, with its trimestres.
    assert.equal(
      one(
        db,
        `SELECT y.label || ' ' || y.starts_on || ' ' || y.ends_on || ' ' || count(p.id)
    FROM school_year y JOIN period p ON p.school_year_id = y.id JOIN establishment e ON e.id = y.establishment_id
    WHERE e.uai = '0441234X' GROUP BY y.id, y.label, y.starts_on, y.ends_on`,
      ),
      '2026-2027 2026-09-01 2027-07-03 3',
    );
    // Pupils in their classes, the class at its level.
    assert.equal(
      one(
        db,
        `SELECT p.first_name || ' ' || c.name || ' ' || l.code FROM enrolment en
    JOIN person p ON p.id = en.pupil_id JOIN class c ON c.id = en.class_id JOIN level l ON l.id = c.level_id
    ORDER BY p.first_name`,
      )
        .split('\n')
        .join(', '),
      'Fatou 2NDE1 2NDE, Léa 6A 6E, Moussa 3B 3E, Tom 6A 6E',
    );
    // Twins: the same two parents, living with their mother.
    assert.equal(
      one(
        db,
        `SELECT c.first_name || ':' || count(g.id) FROM person c
    JOIN guardianship g ON g.pupil_id = c.id AND g.legal_responsibility = 1
    WHERE c.first_name IN ('Léa', 'Tom') GROUP BY c.id, c.first_name ORDER BY c.first_name`,
      )
        .split('\n')
        .join(' '),
      'Léa:2 Tom:2',
    );
    assert.equal(
      one(
        db,
        `SELECT g.relation || ' ' || g.lives_with FROM guardianship g JOIN person p ON p.id = g.parent_id
    JOIN person c ON c.id = g.pupil_id WHERE c.first_name = 'Léa' ORDER BY g.relation`,
      )
        .split('\n')
        .join(', '),
      'father 0, mother 1',
    );
    // Separated parents: two households.
    assert.equal(
      one(
        db,
        "SELECT count(DISTINCT household_id) FROM person WHERE last_name = 'MARTIN' AND first_name IN ('Hélène', 'Paul')",
      ),
      '2',
    );
    // A mother with a child in the collège and one in the lycée: one person, a parent in both.
    assert.deepEqual(roles(db, 'Awa'), ['parent@0441234X:', 'parent@0445678K:']);
    // A teacher in two establishments, her teachings in each, principal teacher of 6A.
    assert.deepEqual(roles(db, 'Claire'), ['teacher@0441234X:', 'teacher@0445678K:']);
    assert.equal(
      one(
        db,
        `SELECT c.name || '/' || s.name FROM teaching t
    JOIN class c ON c.id = t.class_id JOIN subject s ON s.id = t.subject_id JOIN person p ON p.id = t.teacher_id
    WHERE p.first_name = 'Claire' ORDER BY c.name`,
      )
        .split('\n')
        .join(' '),
      '2NDE1/MATHEMATIQUES 3B/MATHEMATIQUES 6A/MATHEMATIQUES',
    );
    assert.equal(
      one(
        db,
        `SELECT c.name FROM class_principal cp JOIN class c ON c.id = cp.class_id
    JOIN person p ON p.id = cp.teacher_id WHERE p.first_name = 'Claire'`,
      ),
      '6A',
    );
    // Functions mapped to profiles: the CPE is school life, the direction is head.
    assert.deepEqual(roles(db, 'Marc'), ['staff@0441234X:']);
    assert.equal(
      one(
        db,
        "SELECT title FROM role r JOIN person p ON p.id = r.person_id WHERE p.first_name = 'Marc'",
      ),
      "Conseiller principal d'éducation",
    );
    assert.deepEqual(roles(db, 'Anne'), ['head@0441234X:']);
    // A group teaching and the group's members.
    assert.equal(
      one(
        db,
        `SELECT g.code || ' ' || (SELECT count(*) FROM group_member m WHERE m.grp_id = g.id)
    FROM grp g WHERE g.code = '3ESP'`,
      ),
      '3ESP 1',
    );
    // Accounts wait for their activation letters; the school's copy of the e-mail is kept apart.
    assert.equal(one(db, "SELECT count(*) FROM account WHERE state = 'pending'"), '11');
    assert.equal(
      one(
        db,
        "SELECT login FROM account a JOIN person p ON p.id = a.person_id WHERE p.first_name = 'Awa'",
      ),
      'awa.n-diaye',
    );
    assert.equal(
      one(db, "SELECT email || ' ' || school_email FROM person WHERE first_name = 'Hélène'"),
      'helene.martin@example.org helene.martin@example.org',
    );
    // A relative named by a pupil and in no file: reported, file, line and record named.
    const missing = r.report.problems.find((p) => /9999999/.test(p.message));
    assert.ok(missing, JSON.stringify(r.report.problems));
    assert.equal(missing.file, 'ENT_0440000A_Complet_20260901_Eleve_0000.xml');
    assert.equal(missing.record, '1000003');
    assert.ok(missing.line > 1);
    assert.match(r.out, /responsable 9999999 absent de l'export/);
  },
);

test('Import AAF: the same files again change nothing', () => {
  const db = emptyDb();
  assert.equal(importAaf(db, COMPLET).status, 0);
  const before = counts(db);
  const again = importAaf(db, COMPLET);
  assert.equal(again.status, 0);
  assert.equal(again.report.rows_written, 0);
  assert.equal(again.report.totals.pupil.unchanged, 4);
  assert.equal(again.report.totals.pupil.created, 0);
  assert.equal(counts(db), before);
});

test('Import AAF: a dry run shows what would be created and writes nothing', () => {
  const db = emptyDb();
  const before = counts(db);
  const r = importAaf(db, COMPLET, { extra: ['--dry-run'] });
  assert.equal(r.status, 0, r.out);
  assert.equal(r.report.dry_run, true);
  assert.equal(r.report.applied, false);
  assert.equal(r.report.totals.pupil.created, 4);
  assert.ok(r.report.rows_written > 100);
  assert.match(r.out, /Essai terminé : rien n'a été écrit/);
  assert.equal(counts(db), before);
  // The run itself is kept, with its report.
  assert.equal(one(db, 'SELECT dry_run, applied FROM import_run'), '1|0');
});

test('Import AAF: a Delta a week later applies just its changes', () => {
  const db = emptyDb();
  assert.equal(importAaf(db, COMPLET).status, 0);
  const r = importAaf(db, DELTA, { now: '2026-09-14T08:00' });
  assert.equal(r.status, 0, r.out);
  // Léa moves to 6B: her 6A enrolment ends the day before, 6B starts today.
  assert.equal(
    one(
      db,
      `SELECT c.name || ':' || en.starts_on || '..' || coalesce(en.ends_on, '')
    FROM enrolment en JOIN class c ON c.id = en.class_id JOIN person p ON p.id = en.pupil_id
    WHERE p.first_name = 'Léa' ORDER BY en.starts_on, c.name`,
    )
      .split('\n')
      .join(' '),
    '6A:2026-09-07..2026-09-13 6B:2026-09-14..',
  );
  // Fatou left the lycée: her role ends; her mother is no longer a parent there, still one at the collège.
  assert.deepEqual(roles(db, 'Fatou'), ['pupil@0445678K:2026-09-13']);
  assert.deepEqual(roles(db, 'Awa'), ['parent@0441234X:', 'parent@0445678K:2026-09-13']);
  // A new pupil and her mother, linked.
  assert.equal(
    one(
      db,
      `SELECT p.first_name FROM guardianship g JOIN person p ON p.id = g.parent_id
    JOIN person c ON c.id = g.pupil_id WHERE c.first_name = 'Élodie'`,
    ),
    'Sophie',
  );
  // A mail changed by the school.
  assert.equal(
    one(db, "SELECT email FROM person WHERE first_name = 'Hélène'"),
    'helene.martin@nouveau.example.org',
  );
  // The teacher no longer teaches 3B: the teaching ends, its history stays.
  assert.equal(
    one(
      db,
      `SELECT c.name || ':' || coalesce(t.ends_on, '') FROM teaching t JOIN class c ON c.id = t.class_id
    JOIN person p ON p.id = t.teacher_id WHERE p.first_name = 'Claire' AND c.name = '3B'`,
    ),
    '3B:2026-09-13',
  );
  // Her roles are untouched: the Delta named her classes, not her functions.
  assert.deepEqual(roles(db, 'Claire'), ['teacher@0441234X:', 'teacher@0445678K:']);
  // The same Delta again: nothing.
  assert.equal(importAaf(db, DELTA, { now: '2026-09-14T08:00' }).report.rows_written, 0);
});

test('Import AAF: a later Complet that no longer lists a pupil ends her roles and keeps her history', () => {
  const db = emptyDb();
  assert.equal(importAaf(db, COMPLET).status, 0);
  const dir = mkdtempSync(join(work, 'complet2-'));
  cpSync(COMPLET, dir, { recursive: true });
  const eleve = join(dir, 'ENT_0440000A_Complet_20260901_Eleve_0000.xml');
  const text = readFileSync(eleve, 'utf8');
  const start = text.lastIndexOf('<addRequest>', text.indexOf('<id>1000002</id>'));
  const end = text.indexOf('</addRequest>', start) + '</addRequest>'.length;
  writeFileSync(eleve, text.slice(0, start) + text.slice(end));
  const r = importAaf(db, dir, { now: '2026-10-05T08:00' });
  assert.equal(r.status, 0, r.out);
  assert.equal(r.report.totals.pupil.closed, 1);
  assert.deepEqual(roles(db, 'Tom'), ['pupil@0441234X:2026-10-04']);
  assert.equal(
    one(
      db,
      "SELECT count(*) FROM person p JOIN account a ON a.person_id = p.id WHERE p.first_name = 'Tom'",
    ),
    '1',
  );
  // His parents keep their role: his twin is still there.
  assert.deepEqual(roles(db, 'Paul'), ['parent@0441234X:']);
});

test('Import AAF: a re-import never overwrites the e-mail a parent typed', () => {
  const db = emptyDb();
  assert.equal(importAaf(db, COMPLET).status, 0);
  one(db, "UPDATE person SET email = 'maman@perso.example' WHERE first_name = 'Hélène'");
  assert.equal(importAaf(db, DELTA, { now: '2026-09-14T08:00' }).status, 0);
  assert.equal(
    one(db, "SELECT email || ' ' || school_email FROM person WHERE first_name = 'Hélène'"),
    'maman@perso.example helene.martin@nouveau.example.org',
  );
});

test('Import AAF: families sign in and see their children; the teacher finds her classes', async () => {
  const db = emptyDb();
  assert.equal(importAaf(db, COMPLET, { now: '2026-09-07T08:00' }).status, 0);
  const activate = async (srv, login) => {
    const code = execFileSync(
      BIN,
      ['activation-code', '--db', db, '--login', login, '--now', '2026-09-10T08:00'],
      { encoding: 'utf8' },
    )
      .trim()
      .split(' ')[1];
    const c = srv.client();
    const ok = await c.submit('/activer', '/activer', {
      login,
      code,
      password: 'les cerises de mai',
      password2: 'les cerises de mai',
    });
    assert.equal(ok.status, 303, ok.text);
    return c;
  };
  const srv = await startServer({ db, now: '2026-09-10T18:00' });
  try {
    const mother = await activate(srv, 'helene.martin');
    const home = visibleText((await mother.get('/')).text);
    assert.match(home, /Léa/);
    assert.match(home, /Tom/);
    assert.doesNotMatch(home, /Moussa/);
    const teacher = await activate(srv, 'claire.dupont');
    const page = visibleText((await teacher.get('/')).text);
    assert.match(page, /6A/);
    assert.match(page, /3B/);
  } finally {
    await srv.stop();
  }
});

test('Import AAF: a teacher the Delta takes off a class loses it the next day, keeps her other classes', async () => {
  const db = emptyDb();
  assert.equal(importAaf(db, COMPLET).status, 0);
  assert.equal(importAaf(db, DELTA, { now: '2026-09-14T08:00' }).status, 0);
  const klass = (name) => one(db, `SELECT id FROM class WHERE name = '${name}'`);
  const srv = await startServer({ db, now: '2026-09-14T18:00' });
  try {
    const code = execFileSync(BIN, ['activation-code', '--db', db, '--login', 'claire.dupont'], {
      encoding: 'utf8',
    })
      .trim()
      .split(' ')[1];
    const c = srv.client();
    assert.equal(
      (
        await c.submit('/activer', '/activer', {
          login: 'claire.dupont',
          code,
          password: 'les cerises de mai',
          password2: 'les cerises de mai',
        })
      ).status,
      303,
    );
    assert.equal((await c.get(`/classes/${klass('6A')}`)).status, 200);
    assert.equal((await c.get(`/classes/${klass('3B')}`)).status, 403);
    const home = visibleText((await c.get('/')).text);
    assert.match(home, /6A/);
  } finally {
    await srv.stop();
  }
});

/** A copy of the Complet with one file replaced by text (or bytes). */
function completWith(file, content) {
  const dir = mkdtempSync(join(work, 'bad-'));
  cpSync(COMPLET, dir, { recursive: true });
  writeFileSync(join(dir, file), content);
  return dir;
}
const ELEVE = 'ENT_0440000A_Complet_20260901_Eleve_0000.xml';
const RELS = 'ENT_0440000A_Complet_20260901_PersRelEleve_0000.xml';

/** An import that must stop: status 1, the file named, the database as it was. */
function refused(content, file, pattern) {
  const db = emptyDb();
  const before = counts(db);
  const r = importAaf(db, completWith(file, content));
  assert.equal(r.status, 1, r.out);
  assert.equal(r.report.applied, false);
  assert.equal(r.report.rows_written, 0);
  assert.match(r.out, /Import arrêté : la base est restée telle qu'elle était/);
  const p = r.report.problems.find((x) => x.file === file && pattern.test(x.message));
  assert.ok(p, JSON.stringify(r.report.problems));
  assert.equal(counts(db), before);
  return { r, p, db };
}

test('Import AAF: a file that is not well-formed XML stops the run at its line, nothing applied', () => {
  const text = readFileSync(join(COMPLET, ELEVE), 'utf8');
  const { p } = refused(text.slice(0, Math.floor(text.length / 2)), ELEVE, /XML mal formé/);
  assert.ok(p.line > 1);
});

test('Import AAF: entity declarations (billion laughs) are refused, none is expanded', () => {
  const bomb =
    `<?xml version="1.0"?>\n<!DOCTYPE ficAlimMENESR [\n<!ENTITY a "aaaaaaaaaa">\n` +
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n' +
    '<ficAlimMENESR><addRequest><operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr>' +
    '</operationalAttributes><identifier><id>1</id></identifier><attributes><attr name="sn"><value>&c;</value></attr>' +
    '</attributes></addRequest></ficAlimMENESR>\n';
  refused(bomb, ELEVE, /entit/);
});

test('Import AAF: an external entity is never read (no local file, no network)', () => {
  const xxe =
    '<?xml version="1.0"?>\n<!DOCTYPE ficAlimMENESR [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n' +
    '<ficAlimMENESR><addRequest><operationalAttributes><attr name="categoriePersonne"><value>PersRelEleve</value></attr>' +
    '</operationalAttributes><identifier><id>7</id></identifier><attributes><attr name="sn"><value>&x;</value></attr>' +
    '<attr name="givenName"><value>X</value></attr></attributes></addRequest></ficAlimMENESR>\n';
  const { db } = refused(xxe, RELS, /entit/);
  assert.equal(one(db, "SELECT count(*) FROM person WHERE last_name LIKE '%root%'"), '0');
});

test('Import AAF: Latin-1 bytes without an encoding declaration, or an unknown encoding, stop the run', () => {
  const latin1 = Buffer.from(
    '<ficAlimMENESR><addRequest><operationalAttributes><attr name="categoriePersonne">' +
      '<value>PersRelEleve</value></attr></operationalAttributes><identifier><id>8</id></identifier><attributes>' +
      '<attr name="sn"><value>H\xe9l\xe8ne</value></attr></attributes></addRequest></ficAlimMENESR>\n',
    'latin1',
  );
  refused(latin1, RELS, /XML mal formé/);
  refused(
    '<?xml version="1.0" encoding="X-NOWHERE-42"?>\n<ficAlimMENESR/>\n',
    RELS,
    /XML mal formé|encod/i,
  );
});

test('Import AAF: a file whose name says neither its type nor Complet or Delta is refused', () => {
  const db = emptyDb();
  const dir = mkdtempSync(join(work, 'name-'));
  cpSync(join(COMPLET, ELEVE), join(dir, 'eleves.xml'));
  const r = importAaf(db, dir);
  assert.equal(r.status, 1);
  assert.match(r.report.problems[0].message, /nom de fichier AAF non reconnu/);
  assert.equal(r.report.problems[0].file, 'eleves.xml');
});

test(
  'Import AAF: record-level problems are named and the rest applies (no name,' +
    ' truncated composites, duplicates)',
  () => {
    const text = readFileSync(join(COMPLET, ELEVE), 'utf8');
    const extra =
      '<addRequest><operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr>' +
      '</operationalAttributes><identifier><id>1000009</id></identifier><attributes>' +
      '<attr name="givenName"><value>Sans</value></attr><attr name="ENTEleveClasses"><value>0441234X$6A</value></attr>' +
      '</attributes></addRequest>\n' +
      '<addRequest><operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr>' +
      '</operationalAttributes><identifier><id>1000010</id></identifier><attributes>' +
      '<attr name="sn"><value>COURT</value></attr><attr name="givenName"><value>Zoé</value></attr>' +
      '<attr name="ENTPersonDateNaissance"><value>31/13/2013</value></attr>' +
      '<attr name="ENTEleveINE"><value>123456789AB</value></attr>' +
      '<attr name="ENTEleveClasses"><value>0441234X$</value><value/></attr>' +
      '<attr name="ENTElevePersRelEleve"><value>2000001$10</value></attr>' +
      '</attributes></addRequest>\n';
    const db = emptyDb();
    const r = importAaf(
      db,
      completWith(ELEVE, text.replace('</ficAlimMENESR>', `${extra}</ficAlimMENESR>`)),
    );
    assert.equal(r.status, 0, r.out);
    const byRecord = (id) =>
      r.report.problems.filter((p) => p.record === id).map((p) => `${p.severity}: ${p.message}`);
    assert.ok(
      byRecord('1000009').some((m) => /^error: personne sans nom/.test(m)),
      byRecord('1000009').join('\n'),
    );
    assert.equal(one(db, "SELECT count(*) FROM person WHERE first_name = 'Sans'"), '0');
    const z = byRecord('1000010');
    assert.ok(
      z.some((m) => /date de naissance illisible « 31\/13\/2013 »/.test(m)),
      z.join('\n'),
    );
    assert.ok(
      z.some((m) => /INE 123456789AB déjà porté/.test(m)),
      z.join('\n'),
    );
    // Applied with what was usable: the person, attached to her mother (a truncated composite).
    assert.equal(
      one(
        db,
        `SELECT g.relation || ' ' || g.legal_responsibility FROM guardianship g
    JOIN person c ON c.id = g.pupil_id WHERE c.first_name = 'Zoé'`,
      ),
      'mother 0',
    );
    assert.equal(r.report.totals.pupil.created, 5);
  },
);

test('Import AAF: a head importing files of another establishment is refused', () => {
  const db = emptyDb();
  const before = counts(db);
  const r = importAaf(db, COMPLET, { extra: ['--establishment', '0441234X'] });
  assert.equal(r.status, 1, r.out);
  assert.ok(
    r.report.problems.some((p) => /0445678K n'est pas le vôtre/.test(p.message)),
    r.out,
  );
  assert.equal(counts(db), before);
});

test('Import AAF: every fixture file names its kind in the standard way', () => {
  for (const f of readdirSync(COMPLET)) assert.match(f, /_Complet_\d{8}_[A-Za-z]+_\d{4}\.xml$/);
});
