// import_identity.test.mjs — R-ID through the imports (issue 15): one human
// is one person with one account across sources. A sure match links the
// import's key to the person already there; a doubtful one waits for the
// territory admin, who merges or keeps apart; never a silent merge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, sqlOn, dropDb, emptyDb, startServer, Client, visibleText } from '../lib/carnet.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const COMPLET = join(ROOT, 'tests/fixtures/aaf/complet');
const work = mkdtempSync(join(tmpdir(), 'carnet-rid-'));
let db, srv, admin;
const one = (q) => sqlOn(db, q);

function importAaf(now = '2026-09-07T08:00') {
  const json = join(work, `r${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(
    BIN,
    ['import', 'aaf', '--db', db, '--now', now, '--quiet', '--report-json', json, COMPLET],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return JSON.parse(readFileSync(json, 'utf8'));
}

/** A person known before the import (another source, or typed by hand), with an account. */
function known(first, last, birth, login, state = 'pending') {
  const q = (v) => `'${v.replace(/'/g, "''")}'`;
  const id = one(`INSERT INTO person (last_name, first_name, birth_date, created_at) VALUES
    (${q(last)}, ${q(first)}, ${birth ? q(birth) : 'NULL'}, 0) RETURNING id`);
  one(
    `INSERT INTO account (person_id, login, state, created_at) VALUES (${id}, '${login}', '${state}', 0)`,
  );
  return id;
}

before(async () => {
  db = emptyDb(work);
  const code = execFileSync(
    BIN,
    [
      'add-admin',
      '--db',
      db,
      '--login',
      'admin.t',
      '--first',
      'Inès',
      '--last',
      'ROUX',
      '--now',
      '2026-09-07T07:00',
    ],
    { encoding: 'utf8' },
  )
    .trim()
    .split(' ')[1];
  srv = await startServer({ db, now: '2026-09-07T10:00' });
  admin = srv.client();
  const ok = await admin.submit('/activer', '/activer', {
    login: 'admin.t',
    code,
    password: 'une phrase de passe',
    password2: 'une phrase de passe',
  });
  assert.equal(ok.status, 303);
});
after(async () => {
  await srv.stop();
  dropDb(db);
  rmSync(work, { recursive: true, force: true });
});

test('R-ID: import — sure matches join the person already there, doubtful ones wait for the admin', async () => {
  // Léa is known (same names, accents aside, and the same birth date): the same human.
  const lea = known('LEA', 'Martin', '2014-03-12', 'lea.ecole');
  // Hélène is known by her names only: maybe the same, maybe a namesake.
  const helene = known('Hélène', 'MARTIN', null, 'helene.ecole');
  // Tom is known with another birth date: certainly someone else.
  const otherTom = known('Tom', 'MARTIN', '2001-01-01', 'tom.autre');
  const report = importAaf();
  // Léa: one person, her account, the AAF key on her.
  assert.equal(one("SELECT count(*) FROM person WHERE match_key = 'MARTIN|LEA'"), '1');
  assert.equal(one(`SELECT count(*) FROM account WHERE person_id = ${lea}`), '1');
  assert.equal(
    one("SELECT object_id FROM import_key WHERE kind = 'person' AND ext_key = '1000001'"),
    lea,
  );
  assert.equal(
    one(
      `SELECT c.name FROM enrolment en JOIN class c ON c.id = en.class_id WHERE en.pupil_id = ${lea}`,
    ),
    '6A',
  );
  assert.ok(
    report.problems.some((p) => p.record === '1000001' && /rattaché à la personne/.test(p.message)),
  );
  // Tom: a new person, nothing queued (two birth dates: two humans).
  assert.equal(one("SELECT count(*) FROM person WHERE match_key = 'MARTIN|TOM'"), '2');
  assert.equal(one(`SELECT count(*) FROM identity_review WHERE candidate_id = ${otherTom}`), '0');
  // Hélène: a new person for the import, the pair queued, the report says so.
  assert.equal(one("SELECT count(*) FROM person WHERE match_key = 'MARTIN|HELENE'"), '2');
  assert.equal(
    one(`SELECT count(*) FROM identity_review WHERE candidate_id = ${helene} AND state = 'open'`),
    '1',
  );
  assert.ok(
    report.problems.some(
      (p) => p.record === '2000001' && /peut-être la même personne/.test(p.message),
    ),
  );
  // Again: nothing new, nothing queued twice, nothing written.
  const again = importAaf();
  assert.equal(again.rows_written, 0);
  assert.equal(one('SELECT count(*) FROM identity_review'), '1');
});

test('R-ID: the admin sees the two records side by side and merges them: one person, one account', async () => {
  const home = await admin.get('/');
  assert.match(visibleText(home.text), /Identités à vérifier \(1\)/);
  const page = await admin.get('/identites');
  const text = visibleText(page.text);
  assert.match(text, /Fiche déjà connue Hélène MARTIN .*helene\.ecole \(pas encore activé\)/);
  assert.match(
    text,
    /Fiche de l'import Hélène MARTIN .*helene\.martin@example\.org.*Responsable légal — COLLÈGE JULES VERNE.*Enfant : Léa MARTIN.*Enfant : Tom MARTIN/,
  );
  const pair = one("SELECT id FROM identity_review WHERE state = 'open'");
  const existing = one(`SELECT candidate_id FROM identity_review WHERE id = ${pair}`);
  const imported = one(`SELECT person_id FROM identity_review WHERE id = ${pair}`);
  const r = await admin.post(`/identites/${pair}/fusionner`, { csrf: Client.csrfOf(page.text) });
  assert.equal(r.status, 303, r.text);
  assert.equal(one("SELECT count(*) FROM person WHERE match_key = 'MARTIN|HELENE'"), '1');
  assert.equal(one(`SELECT count(*) FROM person WHERE id = ${imported}`), '0');
  assert.equal(one(`SELECT login FROM account WHERE person_id = ${existing}`), 'helene.ecole');
  assert.equal(one(`SELECT count(*) FROM guardianship WHERE parent_id = ${existing}`), '2');
  assert.equal(one(`SELECT profile FROM role WHERE person_id = ${existing}`), 'parent');
  assert.equal(
    one(`SELECT school_email FROM person WHERE id = ${existing}`),
    'helene.martin@example.org',
  );
  assert.equal(
    one("SELECT object_id FROM import_key WHERE kind = 'person' AND ext_key = '2000001'"),
    existing,
  );
  assert.equal(
    one(`SELECT state || ' ' || decided_by FROM identity_review WHERE id = ${pair}`),
    `merged ${one("SELECT person_id FROM account WHERE login = 'admin.t'")}`,
  );
  assert.equal(one("SELECT count(*) FROM audit WHERE action = 'identity.merged'"), '1');
  // Decided once.
  const twice = await admin.post(`/identites/${pair}/fusionner`, {
    csrf: Client.csrfOf(page.text),
  });
  assert.equal(twice.status, 409);
  // The import goes on with the merged person: nothing new.
  assert.equal(importAaf().rows_written, 0);
  assert.equal(one("SELECT count(*) FROM person WHERE match_key = 'MARTIN|HELENE'"), '1');
});

test('R-ID: keeping apart is remembered; a merge is refused once the imported account was used', async () => {
  const paul = known('Paul', 'Martin', null, 'paul.ecole');
  // A new export with Paul's record changed is applied again: his key is known, no new pair.
  assert.equal(one(`SELECT count(*) FROM identity_review WHERE candidate_id = ${paul}`), '0');
  // A pair made by hand as an import would: keep apart.
  const imported = one(
    "SELECT object_id FROM import_key WHERE kind = 'person' AND ext_key = '2000002'",
  );
  const pair =
    one(`INSERT INTO identity_review (source, ext_key, person_id, candidate_id, reason, created_at)
    VALUES ('aaf', '2000002', ${imported}, ${paul}, 'mêmes nom et prénom, rien d''autre en commun', 0) RETURNING id`);
  let page = await admin.get('/identites');
  const kept = await admin.post(`/identites/${pair}/separer`, { csrf: Client.csrfOf(page.text) });
  assert.equal(kept.status, 303);
  assert.equal(one(`SELECT state FROM identity_review WHERE id = ${pair}`), 'kept');
  assert.equal(one(`SELECT count(*) FROM person WHERE id IN (${imported}, ${paul})`), '2');
  // Awa's imported account is activated: merging her into a namesake is refused, nothing moves.
  const awa = one("SELECT object_id FROM import_key WHERE kind = 'person' AND ext_key = '2000003'");
  one(`UPDATE account SET state = 'active' WHERE person_id = ${awa}`);
  const namesake = known('Awa', "N'DIAYE", null, 'awa.ecole');
  const p2 =
    one(`INSERT INTO identity_review (source, ext_key, person_id, candidate_id, reason, created_at)
    VALUES ('aaf', '2000003', ${awa}, ${namesake}, 'test', 0) RETURNING id`);
  page = await admin.get('/identites');
  const refused = await admin.post(`/identites/${p2}/fusionner`, {
    csrf: Client.csrfOf(page.text),
  });
  assert.equal(refused.status, 422);
  assert.match(
    visibleText(refused.text),
    /Fusion impossible : le compte de la fiche importée a déjà été activé/,
  );
  assert.equal(one(`SELECT count(*) FROM guardianship WHERE parent_id = ${awa}`), '2');
  assert.equal(one(`SELECT state FROM identity_review WHERE id = ${p2}`), 'open');
  // A parent never reaches the queue.
  const code = execFileSync(BIN, ['activation-code', '--db', db, '--login', 'paul.martin'], {
    encoding: 'utf8',
  })
    .trim()
    .split(' ')[1];
  const parent = srv.client();
  await parent.submit('/activer', '/activer', {
    login: 'paul.martin',
    code,
    password: 'une phrase de passe',
    password2: 'une phrase de passe',
  });
  assert.equal((await parent.get('/identites')).status, 403);
  assert.equal((await parent.post(`/identites/${p2}/separer`, { csrf: 'x' })).status, 403);
});
