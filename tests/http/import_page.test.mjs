// import_page.test.mjs — imports from a page (issue 15): the territory
// admin of an empty Carnet checks the AAF files (nothing written), reads
// the report, applies it; a head may load the files of their own
// establishment only; families never reach the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, sqlOn, dropDb, emptyDb, startServer, Client, visibleText } from '../lib/carnet.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const COMPLET = join(ROOT, 'tests/fixtures/aaf/complet');
const work = mkdtempSync(join(tmpdir(), 'carnet-imppage-'));
let db, srv;

/** Activate login with the code `carnet` prints, and sign in. */
async function activated(login, code) {
  const c = srv.client();
  const ok = await c.submit('/activer', '/activer', {
    login,
    code,
    password: 'une phrase de passe',
    password2: 'une phrase de passe',
  });
  assert.equal(ok.status, 303, ok.text);
  return c;
}
const codeOf = (login) =>
  execFileSync(BIN, ['activation-code', '--db', db, '--login', login], { encoding: 'utf8' })
    .trim()
    .split(' ')[1];

/** POST /imports with the files of dir (multipart), as the page's form does. */
async function upload(c, fields, dir = COMPLET, only = null) {
  const page = await c.get('/imports');
  const form = new FormData();
  form.append('csrf', Client.csrfOf(page.text));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of readdirSync(dir)) {
    if (only && !only.includes(f)) continue;
    form.append('fichier', new Blob([readFileSync(join(dir, f))]), f);
  }
  return c.request('POST', '/imports', { body: form });
}

const people = () => sqlOn(db, 'SELECT count(*) FROM person');

before(async () => {
  db = emptyDb(work);
  srv = await startServer({ db, now: '2026-09-07T10:00' });
});
after(async () => {
  await srv.stop();
  dropDb(db);
  rmSync(work, { recursive: true, force: true });
});

test(
  'Import page: in an empty Carnet the territory admin checks the AAF files, reads' +
    ' the report, then applies them',
  async () => {
    const out = execFileSync(
      BIN,
      [
        'add-admin',
        '--db',
        db,
        '--login',
        'admin.territoire',
        '--first',
        'Inès',
        '--last',
        'ROUX',
        '--territory',
        'Loire-Atlantique',
        '--now',
        '2026-09-07T09:00',
      ],
      { encoding: 'utf8' },
    ).trim();
    const [login, code] = out.split(' ');
    assert.equal(login, 'admin.territoire');
    const admin = await activated(login, code);
    const home = await admin.get('/');
    assert.match(home.text, /href="\/imports"/);
    const form = await admin.get('/imports');
    assert.equal(form.status, 200);
    assert.match(visibleText(form.text), /Vérifier sans rien écrire/);
    const checked = await upload(admin, { format: 'aaf' });
    assert.equal(checked.status, 303, checked.text);
    assert.match(checked.location, /^\/imports\/\d+$/);
    // The check wrote nobody: only the admin exists.
    assert.equal(people(), '1');
    const report = visibleText((await admin.get(checked.location)).text);
    assert.match(report, /Vérification terminée : rien n'a encore été écrit/);
    assert.match(report, /0441234X — COLLÈGE JULES VERNE/);
    assert.match(report, /Élèves 3 0 0 0/);
    assert.match(
      report,
      /Avertissement ENT_0440000A_Complet_20260901_Eleve_0000\.xml:\d+ \(enregistrement 1000003\) — responsable 9999999 absent/,
    );
    const json = await admin.get(`${checked.location}/rapport.json`);
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-type'), /application\/json/);
    assert.match(json.headers.get('content-disposition'), /attachment/);
    assert.equal(json.json().totals.pupil.created, 4);
    assert.equal(json.json().dry_run, true);
    // Apply: the same files, kept by the check, now for real.
    const page = await admin.get(checked.location);
    const applied = await admin.post(`${checked.location}/appliquer`, {
      csrf: Client.csrfOf(page.text),
    });
    assert.equal(applied.status, 303, applied.text);
    assert.notEqual(applied.location, checked.location);
    assert.match(visibleText((await admin.get(applied.location)).text), /Import appliqué/);
    assert.equal(people(), '12');
    assert.equal(
      sqlOn(
        db,
        "SELECT t.name FROM establishment e JOIN territory t ON t.id = e.territory_id WHERE e.uai = '0441234X'",
      ),
      'Loire-Atlantique',
    );
    // A checked run is applied once.
    const again = await admin.post(`${checked.location}/appliquer`, {
      csrf: Client.csrfOf(page.text),
    });
    assert.equal(again.status, 409);
    assert.equal(people(), '12');
    const list = visibleText((await admin.get('/imports')).text);
    assert.match(list, /vérifié puis appliqué/);
    assert.match(list, /appliqué/);
    assert.equal(sqlOn(db, "SELECT count(*) FROM audit WHERE action = 'import.applied'"), '1');
  },
);

test('Import page: a head loads the files of their own establishment only', async () => {
  const head = await activated('anne.bernard', codeOf('anne.bernard'));
  assert.match((await head.get('/')).text, /href="\/imports"/);
  const college = sqlOn(db, "SELECT id FROM establishment WHERE uai = '0441234X'");
  const lycee = sqlOn(db, "SELECT id FROM establishment WHERE uai = '0445678K'");
  // Another establishment: refused before anything is read.
  const other = await upload(head, { format: 'aaf', etablissement: lycee });
  assert.equal(other.status, 403);
  // Her establishment, but the files also hold the lycée: the check stops, no apply button.
  const r = await upload(head, { format: 'aaf', etablissement: college });
  assert.equal(r.status, 303);
  const report = await head.get(r.location);
  assert.match(visibleText(report.text), /Import arrêté : la base est restée telle qu'elle était/);
  assert.match(visibleText(report.text), /0445678K n'est pas le vôtre/);
  assert.doesNotMatch(report.text, /appliquer/);
  // Without choosing an establishment a head cannot import (that is the territory's feed).
  const none = await upload(head, { format: 'aaf' });
  assert.equal(none.status, 403);
});

test('Import page: families and teachers never reach it; a bad file name is refused', async () => {
  const parent = await activated('paul.martin', codeOf('paul.martin'));
  assert.equal((await parent.get('/imports')).status, 403);
  assert.equal((await parent.get('/imports/1')).status, 403);
  const teacher = await activated('luis.garcia', codeOf('luis.garcia'));
  assert.equal((await teacher.get('/imports')).status, 403);
  const admin = srv.client();
  assert.equal((await admin.login('admin.territoire', 'une phrase de passe')).status, 303);
  const page = await admin.get('/imports');
  const form = new FormData();
  form.append('csrf', Client.csrfOf(page.text));
  form.append('format', 'aaf');
  form.append('fichier', new Blob(['<ficAlimMENESR/>']), '../../etc/x.xml');
  const bad = await admin.request('POST', '/imports', { body: form });
  assert.equal(bad.status, 400);
  assert.match(visibleText(bad.text), /ne convient pas/);
  const unknown = await upload(admin, { format: 'xls' });
  assert.equal(unknown.status, 400);
});

test("Import page: the head prints a new activation letter from a person's page; the code works once", async () => {
  const head = srv.client();
  assert.equal((await head.login('anne.bernard', 'une phrase de passe')).status, 303);
  const awa = sqlOn(db, "SELECT person_id FROM account WHERE login = 'awa.n-diaye'");
  const page = await head.get(`/personnes/${awa}`);
  assert.equal(page.status, 200);
  assert.match(visibleText(page.text), /Identifiant awa\.n-diaye — compte pas encore activé/);
  const letter = await head.post(`/personnes/${awa}/courrier`, { csrf: Client.csrfOf(page.text) });
  assert.equal(letter.status, 200, letter.text);
  const code = letter.text.match(/class="code">([A-Z2-9-]+)</)[1];
  assert.match(
    visibleText(letter.text),
    /Awa N'DIAYE .*Identifiant awa\.n-diaye Code d'activation/,
  );
  assert.equal(sqlOn(db, "SELECT count(*) FROM audit WHERE action = 'activation.letter'"), '1');
  const mother = srv.client();
  const ok = await mother.submit('/activer', '/activer', {
    login: 'awa.n-diaye',
    code,
    password: 'une phrase de passe',
    password2: 'une phrase de passe',
  });
  assert.equal(ok.status, 303);
  // Activated: no more letter.
  const after = await head.get(`/personnes/${awa}`);
  assert.match(visibleText(after.text), /compte activé/);
  assert.doesNotMatch(after.text, /courrier"/);
  assert.equal(
    (await head.post(`/personnes/${awa}/courrier`, { csrf: Client.csrfOf(after.text) })).status,
    409,
  );
  // A teacher does not hand out accounts.
  const teacher = srv.client();
  assert.equal((await teacher.login('luis.garcia', 'une phrase de passe')).status, 303);
  const tp = await teacher.get('/');
  const paul = sqlOn(db, "SELECT person_id FROM account WHERE login = 'tom.martin'");
  assert.equal(
    (await teacher.post(`/personnes/${paul}/courrier`, { csrf: Client.csrfOf(tp.text) })).status,
    403,
  );
});
