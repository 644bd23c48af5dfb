// import_sts.test.mjs — STS-web's sts_emp (staff, services) and the
// timetable's emp_sts (weekly courses) into an empty Carnet (issue 15):
// who teaches what, which lessons fall in week A or B, what a teacher's
// timetable shows, re-runs and dry runs, a later timetable replacing the
// slots the first made, and bad files leaving the database as it was. On
// SQLite, and on PostgreSQL when CARNET_TEST_PG_URL is set.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BIN,
  PG_URL,
  pgDatabaseUrl,
  sqlOn,
  dropDb,
  startServer,
  visibleText,
} from '../lib/carnet.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'tests/fixtures/sts');
const STS_EMP = 'sts_emp_0442345Y_2026.xml';
const EMP_STS = 'emp_sts_0442345Y_2026.xml';
const NOW = '2026-09-10T08:00'; // a Thursday of week B; the rentrée's week (A) is past
const work = mkdtempSync(join(tmpdir(), 'carnet-sts-'));
const made = [];
after(() => {
  for (const db of made) dropDb(db);
  rmSync(work, { recursive: true, force: true });
});

/** A new empty database (migrated) for dir's test: a SQLite file, or a PostgreSQL database. */
function emptyDb(dir = work) {
  let db;
  if (PG_URL) {
    const name = `sts_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    sqlOn(PG_URL, `CREATE DATABASE ${name}`);
    db = pgDatabaseUrl(name);
  } else {
    db = join(mkdtempSync(join(dir, 'db-')), 'carnet.db');
  }
  made.push(db);
  execFileSync(BIN, ['migrate', '--db', db, '--quiet'], { stdio: 'ignore' });
  return db;
}

/** Run `carnet import sts`; its exit status, printed report and JSON report. */
function importSts(db, paths, { now = NOW, extra = [] } = {}) {
  const json = join(work, `report-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(
    BIN,
    [
      'import',
      'sts',
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
/** The row counts of what an import writes, to show that a refused one changed nothing. */
function counts(db) {
  const tables = [
    'person',
    'account',
    'role',
    'teaching',
    'establishment',
    'class',
    'grp',
    'subject',
    'subject_ref',
    'room',
    'timetable_slot',
    'class_principal',
    'import_key',
  ];
  return one(db, `SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t})`).join(" || ',' || ")}`);
}
/** Every slot: teacher, class or group, subject, day, times, week, room, validity, source. */
const slots = (db) =>
  one(
    db,
    `SELECT p.first_name || ' ' || coalesce(c.name, g.name) || ' ' || sb.code
      || ' ' || s.weekday || ' ' || s.starts_at || '-' || s.ends_at
      || ' ' || CASE WHEN s.week = '' THEN '*' ELSE s.week END || ' ' || coalesce(r.name, '-')
      || ' ' || s.valid_from || '..' || s.valid_to || ' ' || coalesce(s.source, 'hand')
    FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id
    JOIN person p ON p.id = t.teacher_id JOIN subject sb ON sb.id = t.subject_id
    LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id
    LEFT JOIN room r ON r.id = s.room_id ORDER BY p.first_name, s.weekday, s.starts_at, s.id`,
  ).split('\n');
const text = (file) => readFileSync(join(FIXTURES, file), 'latin1');

/** A copy of the fixtures where files[name] replaces (or adds) a file, null removes it. */
function fixturesWith(files) {
  const dir = mkdtempSync(join(work, 'fix-'));
  cpSync(FIXTURES, dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    if (content === null) rmSync(join(dir, name));
    else writeFileSync(join(dir, name), content, 'latin1');
  }
  return dir;
}
/** The emp_sts text without its COURS blocks that match re. */
const withoutCourse = (t, re) =>
  t.replace(/<COURS>(?:(?!<\/COURS>)[\s\S])*<\/COURS>\s*/g, (block) =>
    re.test(block) ? '' : block,
  );
/** The emp_sts text with fn applied to the COURS blocks that match re. */
const changeCourse = (t, re, fn) =>
  t.replace(/<COURS>(?:(?!<\/COURS>)[\s\S])*<\/COURS>/g, (block) =>
    re.test(block) ? fn(block) : block,
  );
const MONDAY_8 = /<JOUR>1<\/JOUR>\s*<HEURE_DEBUT>0800/;

const EXPECTED = [
  'Camille 6A 020100 1 09:00-10:00 * A03 2026-09-01..2027-07-03 sts',
  'Julien 6A 061300 1 08:00-09:00 * B12 2026-09-01..2027-07-03 sts',
  'Julien 3B 061300 2 14:00-15:30 B B14 2026-09-01..2027-07-03 sts',
  'Julien 6A 061300 4 10:00-11:00 A B12 2026-09-01..2027-06-27 sts',
  'Julien 6A_GR1 061300 5 15:00-16:00 * B12 2026-09-01..2027-07-03 sts',
  'Linh 3ESP 030202 3 08:00-09:00 * - 2026-09-01..2027-07-03 sts',
  'Thomas 6A 030201 2 08:00-09:00 * A03 2026-09-01..2027-07-03 sts',
];

test('Import STS: sts_emp and emp_sts make the collège, its staff, teachings, slots', () => {
  const db = emptyDb();
  const r = importSts(db, FIXTURES);
  assert.equal(r.status, 0, r.out + r.err);
  assert.equal(r.report.applied, true);
  assert.equal(r.report.records, 19); // 1 establishment, 5 subjects, 6 individuals, 7 courses
  assert.equal(r.report.totals.establishment.created, 1);
  assert.equal(r.report.totals.teacher.created, 4);
  assert.equal(r.report.totals.staff.created, 2);
  assert.equal(r.report.totals.teaching.created, 8);
  // The establishment from the header; its divisions at their level (label or MEF), its groups,
  // the one nested in a division among them; the padded code " 3B " trimmed.
  assert.equal(
    one(
      db,
      `SELECT name || '|' || kind || '|' || zone || '|' || city || '|' || academie
      FROM establishment`,
    ),
    'COLLEGE LES OLIVIERS|college|B|NANTES|NANTES',
  );
  assert.equal(
    one(
      db,
      `SELECT c.name || ' ' || l.code FROM class c JOIN level l ON l.id = c.level_id
    ORDER BY c.name`,
    )
      .split('\n')
      .join(', '),
    '3B 3E, 6A 6E',
  );
  assert.equal(one(db, 'SELECT code FROM grp ORDER BY code').split('\n').join(' '), '3ESP 6A_GR1');
  assert.equal(
    one(db, "SELECT name FROM subject_ref WHERE code = '100100'"),
    'Éducation physique et sportive',
  );
  // People from an ISO-8859-1 file: accents kept, padding trimmed, both date formats, civilities.
  assert.equal(
    one(
      db,
      `SELECT p.last_name || ' ' || p.first_name || ' ' || p.birth_date || ' ' || p.civility
    || ' ' || a.login FROM person p JOIN account a ON a.person_id = p.id ORDER BY p.last_name`,
    )
      .split('\n')
      .join(', '),
    'FABRE Thomas 1982-09-09 M. thomas.fabre, LAMBERT Sophie 1976-12-05 Mme sophie.lambert, ' +
      'MOREAU Julien 1979-11-02 M. julien.moreau, NGUYEN Linh 1990-01-22 Mme linh.nguyen, ' +
      'PETIT Camille 1985-06-30 Mme camille.petit, ROUSSEAU Hélène 1968-03-14 Mme helene.rousseau',
  );
  // FONCTION → profile: the head, teachers, the CPE.
  assert.equal(
    one(
      db,
      `SELECT p.first_name || ':' || r.profile FROM role r JOIN person p ON p.id = r.person_id
    ORDER BY p.first_name`,
    )
      .split('\n')
      .join(' '),
    'Camille:teacher Hélène:head Julien:teacher Linh:teacher Sophie:staff Thomas:teacher',
  );
  // The teacher in two divisions and a group gets her three teachings, and is principal of 6A.
  assert.equal(
    one(
      db,
      `SELECT coalesce(c.name, 'groupe ' || g.name) || '/' || s.code FROM teaching t
    JOIN person p ON p.id = t.teacher_id JOIN subject s ON s.id = t.subject_id
    LEFT JOIN class c ON c.id = t.class_id LEFT JOIN grp g ON g.id = t.grp_id
    WHERE p.first_name = 'Julien' ORDER BY 1`,
    )
      .split('\n')
      .join(' '),
    '3B/061300 6A/061300 groupe 6A_GR1/061300',
  );
  assert.equal(
    one(
      db,
      `SELECT c.name || ':' || p.first_name FROM class_principal cp
      JOIN class c ON c.id = cp.class_id JOIN person p ON p.id = cp.teacher_id ORDER BY c.name`,
    )
      .split('\n')
      .join(' '),
    '3B:Thomas 6A:Julien',
  );
  // The slots: weekly ones ('*'), week A, week B; within the school year (the A weeks end in June).
  assert.deepEqual(slots(db), EXPECTED);
  // Rooms the timetable uses and Carnet did not know are made, each reported once.
  assert.equal(one(db, 'SELECT name FROM room ORDER BY name').split('\n').join(' '), 'A03 B12 B14');
  const rooms = r.report.problems.filter((p) =>
    /salle « .* » inconnue de Carnet : créée/.test(p.message),
  );
  assert.equal(rooms.length, 3, JSON.stringify(r.report.problems));
  assert.equal(rooms[0].file, EMP_STS);
  assert.ok(rooms[0].line > 1);
  assert.equal(rooms[0].record, '6A/061300/10002');
  // An alternance whose only week is past: its course is not placed, said once.
  const past = r.report.problems.filter((p) => /alternance PR sont passées/.test(p.message));
  assert.equal(past.length, 1);
  assert.equal(past[0].severity, 'warning');
  assert.equal(r.report.errors, 0, JSON.stringify(r.report.problems));
});

test('Import STS: A weeks give week A, B weeks B (dates not Mondays, past weeks dropped)', () => {
  const db = emptyDb();
  const r = importSts(db, FIXTURES);
  assert.equal(r.status, 0, r.out);
  // SA lists its weeks by Wednesdays half the time; SB also lists the rentrée's week, an A week,
  // now past: dropped, it neither turns SB into every week nor is reported as a slip.
  assert.equal(one(db, 'SELECT week FROM timetable_slot WHERE weekday = 4'), 'A');
  assert.equal(
    one(db, "SELECT week FROM timetable_slot WHERE weekday = 2 AND starts_at = '14:00'"),
    'B',
  );
  assert.ok(
    !r.report.problems.some((p) => /semaine\(s\)/.test(p.message)),
    JSON.stringify(r.report.problems),
  );
  // Imported on the rentrée's day, the past week counts and the slip is reported: SB is still B.
  const early = importSts(emptyDb(), FIXTURES, { now: '2026-09-01T08:00' });
  assert.equal(early.status, 0, early.out);
  const slip = early.report.problems.find((p) =>
    /alternance de 18 semaines B et 1 semaine\(s\) A/.test(p.message),
  );
  assert.ok(slip, JSON.stringify(early.report.problems));
  assert.equal(slip.record, '3B/061300/10002');
});

/** Activate login's account on srv's database and sign in. */
async function activate(srv, db, login) {
  const code = execFileSync(
    BIN,
    ['activation-code', '--db', db, '--login', login, '--now', '2026-09-14T08:00'],
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
}

test("Import STS: the teacher signs in and finds her lessons, week A's and week B's", async () => {
  const db = emptyDb();
  assert.equal(importSts(db, FIXTURES).status, 0);
  const srv = await startServer({ db, now: '2026-09-14T18:00' });
  try {
    const julien = await activate(srv, db, 'julien.moreau');
    const a = visibleText((await julien.get('/emploi-du-temps?semaine=2026-09-14')).text);
    assert.match(a, /semaine A/);
    assert.match(a, /Jeudi 17 septembre 2026 10:00 – 11:00 Mathématiques 6A · B12/);
    assert.match(a, /Lundi 14 septembre 2026 aujourd'hui 08:00 – 09:00 Mathématiques 6A · B12/);
    assert.match(a, /Vendredi 18 septembre 2026 15:00 – 16:00 Mathématiques 6A_GR1 · B12/);
    assert.doesNotMatch(a, /3B/);
    const b = visibleText((await julien.get('/emploi-du-temps?semaine=2026-09-21')).text);
    assert.match(b, /semaine B/);
    assert.match(b, /Mardi 22 septembre 2026 14:00 – 15:30 Mathématiques 3B · B14/);
    assert.match(b, /Jeudi 24 septembre 2026 Pas de cours/);
    // The Toussaint holidays have no lesson.
    const holidays = visibleText((await julien.get('/emploi-du-temps?semaine=2026-10-19')).text);
    assert.doesNotMatch(holidays, /Mathématiques/);
  } finally {
    await srv.stop();
  }
});

test('Import STS: the same files again write nothing, a month later too', () => {
  const db = emptyDb();
  assert.equal(importSts(db, FIXTURES).status, 0);
  const before = counts(db);
  for (const now of [NOW, '2026-10-05T08:00']) {
    const again = importSts(db, FIXTURES, { now });
    assert.equal(again.status, 0, again.out);
    assert.equal(again.report.rows_written, 0, `${now}: ${again.out}`);
    assert.equal(again.report.totals.teacher.unchanged, 4);
  }
  assert.equal(counts(db), before);
  assert.deepEqual(slots(db), EXPECTED);
});

test('Import STS: a dry run shows what would be made and writes nothing', () => {
  const db = emptyDb();
  const before = counts(db);
  const r = importSts(db, FIXTURES, { extra: ['--dry-run'] });
  assert.equal(r.status, 0, r.out);
  assert.equal(r.report.dry_run, true);
  assert.equal(r.report.applied, false);
  assert.equal(r.report.totals.teaching.created, 8);
  assert.ok(r.report.rows_written > 50);
  assert.match(r.out, /Essai terminé : rien n'a été écrit/);
  assert.equal(counts(db), before);
});

test('Import STS: sts_emp applies before emp_sts in any order; emp_sts later, the same', () => {
  const db = emptyDb();
  const r = importSts(db, [join(FIXTURES, EMP_STS), join(FIXTURES, STS_EMP)]);
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(slots(db), EXPECTED);
  const two = emptyDb();
  assert.equal(importSts(two, join(FIXTURES, STS_EMP)).status, 0);
  assert.equal(one(two, 'SELECT count(*) FROM timetable_slot'), '0');
  const later = importSts(two, join(FIXTURES, EMP_STS));
  assert.equal(later.status, 0, later.out);
  assert.deepEqual(slots(two), EXPECTED);
});

test('Import STS: emp_sts before any sts_emp places nothing and says why, course by course', () => {
  const db = emptyDb();
  const r = importSts(db, join(FIXTURES, EMP_STS));
  assert.equal(r.status, 0, r.out);
  const errors = r.report.problems.filter((p) => p.severity === 'error');
  assert.equal(errors.length, 7, JSON.stringify(r.report.problems));
  assert.match(
    errors[0].message,
    /établissement 0442345Y inconnu : importez d'abord son fichier sts_emp/,
  );
  assert.equal(errors[0].file, EMP_STS);
  assert.ok(errors[0].line > 1 && errors[0].record);
  assert.equal(one(db, 'SELECT count(*) FROM timetable_slot'), '0');
});

test('Import STS: a later timetable replaces its slots; referred ones end, hand-made stay', () => {
  const db = emptyDb();
  assert.equal(importSts(db, FIXTURES).status, 0);
  const id = (where) =>
    one(
      db,
      `SELECT s.id FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id
    JOIN person p ON p.id = t.teacher_id WHERE ${where}`,
    );
  const julienMonday = id("p.first_name = 'Julien' AND s.weekday = 1");
  const julienFriday = id("p.first_name = 'Julien' AND s.weekday = 5");
  // A roll call was taken in Julien's Monday lesson; a slot was typed by hand for Camille.
  one(
    db,
    `INSERT INTO roll_call (teaching_id, slot_id, on_date, done_by, done_at, updated_at)
    SELECT teaching_id, id, '2026-09-14', (SELECT id FROM person WHERE first_name = 'Julien'), 1, 1
    FROM timetable_slot WHERE id = ${julienMonday}`,
  );
  one(
    db,
    `INSERT INTO timetable_slot (teaching_id, weekday, starts_at, ends_at, week, valid_from,
      valid_to) SELECT t.id, 5, '11:00', '12:00', '', '2026-09-01', '2027-07-03' FROM teaching t
    JOIN person p ON p.id = t.teacher_id JOIN class c ON c.id = t.class_id
    WHERE p.first_name = 'Camille' AND c.name = '6A'`,
  );
  // The new timetable: no more Monday 8:00 (Julien) nor Wednesday (Linh); Camille's at 10:00.
  let t = withoutCourse(text(EMP_STS), MONDAY_8);
  t = withoutCourse(t, /<JOUR>3<\/JOUR>/);
  t = changeCourse(t, /<HEURE_DEBUT>0900/, (b) => b.replace('0900', '1000'));
  const dir = fixturesWith({ [EMP_STS]: t });
  const r = importSts(db, dir, { now: '2026-10-05T08:00' });
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(slots(db), [
    'Camille 6A 020100 1 10:00-11:00 * A03 2026-10-05..2027-07-03 sts',
    'Camille 6A 020100 5 11:00-12:00 * - 2026-09-01..2027-07-03 hand',
    'Julien 6A 061300 1 08:00-09:00 * B12 2026-09-01..2026-10-04 sts',
    'Julien 3B 061300 2 14:00-15:30 B B14 2026-09-01..2027-07-03 sts',
    'Julien 6A 061300 4 10:00-11:00 A B12 2026-09-01..2027-06-27 sts',
    'Julien 6A_GR1 061300 5 15:00-16:00 * B12 2026-09-01..2027-07-03 sts',
    'Thomas 6A 030201 2 08:00-09:00 * A03 2026-09-01..2027-07-03 sts',
  ]);
  // The slots kept are the same rows; the roll call still points at its slot.
  assert.equal(id("p.first_name = 'Julien' AND s.weekday = 5"), julienFriday);
  assert.equal(one(db, 'SELECT slot_id FROM roll_call'), julienMonday);
  // The same new file again: nothing.
  assert.equal(importSts(db, dir, { now: '2026-10-05T08:00' }).report.rows_written, 0);
});

test('Import STS: a later sts_emp without a teacher ends her role, teaching and course', () => {
  const db = emptyDb();
  assert.equal(importSts(db, FIXTURES).status, 0);
  const staff = text(STS_EMP)
    .replace(/<INDIVIDU ID="10004"[\s\S]*?<\/INDIVIDU>\s*/, '')
    .replace(/<SERVICE CODE_MATIERE="030202"[\s\S]*?<\/SERVICE>\s*/, '');
  const r = importSts(
    db,
    fixturesWith({ [STS_EMP]: staff, [EMP_STS]: withoutCourse(text(EMP_STS), /<JOUR>3<\/JOUR>/) }),
    { now: '2026-10-05T08:00' },
  );
  assert.equal(r.status, 0, r.out);
  assert.equal(r.report.totals.staff.closed, 1);
  assert.equal(
    one(
      db,
      `SELECT r.profile || ':' || r.ends_on FROM role r JOIN person p ON p.id = r.person_id
    WHERE p.first_name = 'Linh'`,
    ),
    'teacher:2026-10-04',
  );
  assert.equal(
    one(
      db,
      `SELECT t.ends_on FROM teaching t JOIN person p ON p.id = t.teacher_id
    WHERE p.first_name = 'Linh'`,
    ),
    '2026-10-04',
  );
  assert.equal(
    one(
      db,
      `SELECT count(*) FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id
    JOIN person p ON p.id = t.teacher_id WHERE p.first_name = 'Linh'`,
    ),
    '0',
  );
  assert.equal(slots(db).length, 6);
});

test('Import STS: classes, groups, subjects only emp_sts uses are made, with a warning', () => {
  const extra = `        <DIVISION CODE="6B">
          <SERVICES>
            <SERVICE CODE_MATIERE="080100" CODE_MOD_COURS="CG">
              <ENSEIGNANTS>
                <ENSEIGNANT ID="10005" TYPE="epp">
                  <COURS_RATTACHES>
                    <COURS><CODE_ALTERNANCE>H</CODE_ALTERNANCE><JOUR>6</JOUR>
                      <HEURE_DEBUT>0900</HEURE_DEBUT><DUREE>0055</DUREE>
                      <CODE_SALLE>ARTS</CODE_SALLE></COURS>
                  </COURS_RATTACHES>
                </ENSEIGNANT>
              </ENSEIGNANTS>
            </SERVICE>
            <SERVICE CODE_MATIERE="100100" CODE_MOD_COURS="CG">
              <ENSEIGNANTS>
                <ENSEIGNANT ID="10005" TYPE="epp">
                  <COURS_RATTACHES>
                    <COURS><CODE_ALTERNANCE>H</CODE_ALTERNANCE><JOUR>6</JOUR>
                      <HEURE_DEBUT>10:00</HEURE_DEBUT><DUREE>0200</DUREE></COURS>
                  </COURS_RATTACHES>
                </ENSEIGNANT>
              </ENSEIGNANTS>
            </SERVICE>
          </SERVICES>
          <GROUPES>
            <GROUPE CODE="3LAT">
              <SERVICES>
                <SERVICE CODE_MATIERE="020100" CODE_MOD_COURS="CG">
                  <ENSEIGNANTS>
                    <ENSEIGNANT ID="10003" TYPE="epp">
                      <COURS_RATTACHES>
                        <COURS><CODE_ALTERNANCE>H</CODE_ALTERNANCE><JOUR>4</JOUR>
                          <HEURE_DEBUT>1600</HEURE_DEBUT><DUREE>0100</DUREE></COURS>
                      </COURS_RATTACHES>
                    </ENSEIGNANT>
                  </ENSEIGNANTS>
                </SERVICE>
              </SERVICES>
            </GROUPE>
          </GROUPES>
        </DIVISION>
`;
  const t = text(EMP_STS).replace('      </DIVISIONS>', `${extra}      </DIVISIONS>`);
  const db = emptyDb();
  const r = importSts(db, fixturesWith({ [EMP_STS]: t }));
  assert.equal(r.status, 0, r.out);
  const said = r.report.problems.map((p) => `${p.record}: ${p.message}`).join('\n');
  assert.match(
    said,
    /6B\/080100\/10005: classe 6B absente de la liste des classes de 0442345Y : créée/,
  );
  assert.match(said, /6B\/080100\/10005: matière 080100 d'aucun service de sts_emp : créée/);
  assert.match(
    said,
    /6B\/080100\/10005: enseignement 080100 en 6B absent des services de sts_emp : créé/,
  );
  assert.match(said, /6B\/100100\/10005: matière 100100 d'aucun service de sts_emp : créée/);
  assert.match(
    said,
    /3LAT\/020100\/10003: groupe 3LAT absent de la liste des groupes de 0442345Y : créé/,
  );
  assert.equal(
    one(
      db,
      `SELECT s.weekday || ' ' || s.starts_at || '-' || s.ends_at || ' ' || sb.name
      || ' ' || coalesce(r.name, '-') FROM timetable_slot s
    JOIN teaching t ON t.id = s.teaching_id JOIN class c ON c.id = t.class_id
    JOIN subject sb ON sb.id = t.subject_id LEFT JOIN room r ON r.id = s.room_id WHERE c.name = '6B'
    ORDER BY s.starts_at`,
    )
      .split('\n')
      .join(', '),
    '6 09:00-09:55 080100 ARTS, 6 10:00-12:00 Éducation physique et sportive -',
  );
  assert.equal(
    one(
      db,
      `SELECT count(*) FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id
    JOIN grp g ON g.id = t.grp_id WHERE g.code = '3LAT'`,
    ),
    '1',
  );
  assert.equal(importSts(db, fixturesWith({ [EMP_STS]: t })).report.rows_written, 0);
});

test('Import STS: unreadable courses are named by line and record; the others apply', () => {
  let t = changeCourse(text(EMP_STS), MONDAY_8, (b) =>
    b.replace('<JOUR>1</JOUR>', '<JOUR>7</JOUR>'),
  );
  t = changeCourse(t, /<JOUR>5<\/JOUR>/, (b) => b.replace('1500', '25h00'));
  t = changeCourse(t, /<JOUR>3<\/JOUR>/, (b) =>
    b.replace('<CODE_ALTERNANCE>H', '<CODE_ALTERNANCE>QZ'),
  );
  t = t.replace('<ENSEIGNANT ID="10004"', '<ENSEIGNANT ID="99999"');
  const db = emptyDb();
  const r = importSts(db, fixturesWith({ [EMP_STS]: t }));
  assert.equal(r.status, 0, r.out);
  const said = (re) => r.report.problems.find((p) => re.test(p.message));
  const day = said(/JOUR « 7 » illisible \(1 à 6 attendu\) : cours ignoré/);
  assert.ok(day, JSON.stringify(r.report.problems));
  assert.equal(day.record, '6A/061300/10002');
  assert.equal(day.file, EMP_STS);
  assert.ok(day.line > 100);
  assert.ok(said(/horaire illisible \(HEURE_DEBUT « 25h00 »/));
  const alt = said(/alternance « QZ » non déclarée dans ALTERNANCES : cours placé chaque semaine/);
  assert.equal(alt.severity, 'warning');
  const who = said(/enseignant 99999 absent de sts_emp/);
  assert.equal(who.record, '3ESP/030202/99999');
  assert.equal(one(db, 'SELECT count(*) FROM timetable_slot'), '4');
});

/** A run that must stop: status 1, the file named with a line, the database as it was. */
function refused(db, dir, file, pattern) {
  const before = counts(db);
  const r = importSts(db, dir);
  assert.equal(r.status, 1, r.out);
  assert.equal(r.report.applied, false);
  assert.equal(r.report.rows_written, 0);
  assert.match(r.out, /Import arrêté : la base est restée telle qu'elle était/);
  const p = r.report.problems.find((x) => x.file === file && pattern.test(x.message));
  assert.ok(p, JSON.stringify(r.report.problems));
  assert.equal(counts(db), before);
  return p;
}
/** A database holding the good import, for bad files to leave as it is. */
function imported() {
  const db = emptyDb();
  assert.equal(importSts(db, FIXTURES).status, 0);
  return db;
}

test('Import STS: a file that is not well-formed XML stops the run at its line', () => {
  const s = text(STS_EMP);
  const p = refused(
    emptyDb(),
    fixturesWith({ [STS_EMP]: s.slice(0, Math.floor(s.length / 2)) }),
    STS_EMP,
    /XML mal formé/,
  );
  assert.ok(p.line > 1);
  const e = text(EMP_STS);
  const q = refused(
    imported(),
    fixturesWith({ [EMP_STS]: e.replace('</SERVICE>', '</SERVICES>') }),
    EMP_STS,
    /XML mal formé/,
  );
  assert.ok(q.line > 100);
});

test('Import STS: a file missing its header (PARAMETRES/UAJ) is refused', () => {
  const noHeader = (t) => t.replace(/<PARAMETRES>[\s\S]*?<\/PARAMETRES>\s*/, '');
  const p = refused(
    emptyDb(),
    fixturesWith({ [STS_EMP]: noHeader(text(STS_EMP)) }),
    STS_EMP,
    /PARAMETRES\/UAJ absent avant NOMENCLATURES : l'établissement du fichier ne peut être su/,
  );
  assert.equal(p.severity, 'error');
  assert.ok(p.line > 1);
  refused(
    imported(),
    fixturesWith({ [EMP_STS]: noHeader(text(EMP_STS)) }),
    EMP_STS,
    /en-tête PARAMETRES\/UAJ absent avant ALTERNANCES/,
  );
  refused(
    imported(),
    fixturesWith({ [EMP_STS]: text(EMP_STS).replace('<UAJ>0442345Y</UAJ>', '') }),
    EMP_STS,
    /en-tête PARAMETRES\/UAJ absent/,
  );
});

test("Import STS: a file whose UAJ is another establishment's than its name's is refused", () => {
  const p = refused(
    emptyDb(),
    fixturesWith({ [STS_EMP]: text(STS_EMP).replace('CODE="0442345Y"', 'CODE="0449999Z"') }),
    STS_EMP,
    /l'UAJ du fichier \(0449999Z\) n'est pas celui de son nom \(0442345Y\)/,
  );
  assert.equal(p.record, '0449999Z');
  refused(
    imported(),
    fixturesWith({ [EMP_STS]: text(EMP_STS).replace('<UAJ>0442345Y', '<UAJ> 0449999Z ') }),
    EMP_STS,
    /l'UAJ du fichier \(0449999Z\)/,
  );
});

test('Import STS: the two files swapped, entity declarations, an unknown name are refused', () => {
  refused(
    emptyDb(),
    fixturesWith({ [EMP_STS]: text(STS_EMP) }),
    EMP_STS,
    /élément racine « STS_EDT » : un fichier emp_sts commence par EDT_STS/,
  );
  const bomb =
    '<?xml version="1.0"?>\n<!DOCTYPE EDT_STS [\n<!ENTITY a "aaaaaaaaaa">\n' +
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<EDT_STS><PARAMETRES><UAJ>0442345Y</UAJ>' +
    '</PARAMETRES><ALTERNANCES><ALTERNANCE CODE="&b;"/></ALTERNANCES></EDT_STS>\n';
  refused(imported(), fixturesWith({ [EMP_STS]: bomb }), EMP_STS, /entit/);
  const db = emptyDb();
  const r = importSts(db, fixturesWith({ 'emploi-du-temps.xml': text(EMP_STS) }));
  assert.equal(r.status, 1);
  assert.ok(
    r.report.problems.some(
      (p) =>
        p.file === 'emploi-du-temps.xml' && /nom de fichier STS-web non reconnu/.test(p.message),
    ),
    JSON.stringify(r.report.problems),
  );
  assert.equal(counts(db), counts(emptyDb()));
});

test('Import STS: file names in any case and with a prefix are recognised', () => {
  const dir = fixturesWith({
    [STS_EMP]: null,
    [EMP_STS]: null,
    'export_STS_EMP_0442345y_2026.XML': text(STS_EMP),
    '2026-08-28-Emp_Sts_0442345Y_2026.xml': text(EMP_STS),
  });
  const db = emptyDb();
  const r = importSts(db, dir);
  assert.equal(r.status, 0, r.out);
  assert.deepEqual(slots(db), EXPECTED);
});

test("Import STS: a head's run for another establishment is refused", () => {
  const db = emptyDb();
  const before = counts(db);
  const r = importSts(db, FIXTURES, { extra: ['--establishment', '0441234X'] });
  assert.equal(r.status, 1, r.out);
  assert.ok(
    r.report.problems.some((p) => /0442345Y n'est pas le vôtre/.test(p.message)),
    r.out,
  );
  assert.equal(counts(db), before);
});
