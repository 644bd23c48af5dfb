// Who sees what: every check goes through policy_may(). A parent never sees
// another family's child; a teacher acts only where they hold a role; a
// pupil never opens staff pages; the services catalogue belongs to the head
// and the territory admin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
before(async () => {
  srv = await startServer({ now: '2026-03-10T10:00' });
  const one = (q) => srv.sql(q);
  ids = {
    lucie: one("SELECT person_id FROM account WHERE login = 'eleve.demo'"),
    hugo: one("SELECT p.id FROM person p JOIN guardianship g ON g.pupil_id = p.id JOIN account a ON a.person_id = g.parent_id WHERE a.login = 'parent.demo' AND p.first_name = 'Hugo'"),
    college: one("SELECT c.establishment_id FROM enrolment en JOIN class c ON c.id = en.class_id JOIN account a ON a.person_id = en.pupil_id WHERE a.login = 'eleve.demo'"),
    lucieClass: one("SELECT en.class_id FROM enrolment en JOIN account a ON a.person_id = en.pupil_id WHERE a.login = 'eleve.demo'"),
    ecole: one("SELECT id FROM establishment WHERE kind = 'ecole' ORDER BY id LIMIT 1"),
    ecoleClass: one("SELECT c.id FROM class c JOIN establishment e ON e.id = c.establishment_id WHERE e.kind = 'ecole' ORDER BY c.id LIMIT 1"),
    classmate: one("SELECT en.pupil_id FROM enrolment en JOIN account a ON a.login = 'eleve.demo' WHERE en.class_id = (SELECT class_id FROM enrolment WHERE pupil_id = a.person_id) AND en.pupil_id <> a.person_id LIMIT 1"),
    notTaught: one("SELECT c.id FROM class c WHERE c.establishment_id = (SELECT establishment_id FROM class WHERE id = (SELECT en.class_id FROM enrolment en JOIN account a ON a.person_id = en.pupil_id WHERE a.login = 'eleve.demo')) AND c.id NOT IN (SELECT class_id FROM teaching t JOIN account a ON a.person_id = t.teacher_id WHERE a.login = 'prof.demo' AND class_id IS NOT NULL) LIMIT 1"),
    territory: one("SELECT territory_id FROM establishment LIMIT 1"),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
});
after(async () => { await srv.stop(); });

const as = (login) => srv.as(login);

test('policy: a parent reads their own children, never another family\'s child', async () => {
  const p = await as('parent.demo');
  assert.equal((await p.get(`/personnes/${ids.lucie}`)).status, 200);
  assert.equal((await p.get(`/personnes/${ids.hugo}`)).status, 200);
  const other = await p.get(`/personnes/${ids.classmate}`);
  assert.equal(other.status, 403);
  assert.match(visibleText(other.text), /Vous n'avez pas accès/);
  const sw = await p.get(`/?enfant=${ids.classmate}`);
  assert.equal(sw.status, 403);
  assert.match(visibleText(sw.text), /ne fait pas partie de vos enfants/);
  // A person id that does not exist answers the same as one that is not theirs.
  assert.equal((await p.get('/personnes/99999999')).status, 403);
});

test('policy: the child switcher shows one child at a time', async () => {
  const p = await as('parent.demo');
  const page = await p.get(`/?enfant=${ids.hugo}`);
  assert.equal(page.status, 200);
  const text = visibleText(page.text);
  assert.match(page.text, /aria-current="page"[^>]*>Hugo/);
  assert.match(text, /Hugo Moreau/);
  assert.doesNotMatch(text, /Lucie Moreau/);
});

test('policy: a parent does not see contact details or guardians on the child page; school-life staff do', async () => {
  const p = await as('parent.demo');
  const own = visibleText((await p.get(`/personnes/${ids.lucie}`)).text);
  assert.match(own, /Équipe pédagogique/);
  assert.doesNotMatch(own, /Responsables/);
  const cpe = await as('cpe.demo');
  const page = visibleText((await cpe.get(`/personnes/${ids.lucie}`)).text);
  assert.match(page, /Responsables/);
  assert.match(page, /Claire Moreau/);
});

test('policy: a teacher cannot act in an establishment where they hold no role', async () => {
  const t = await as('prof.demo');
  assert.equal((await t.get(`/classes/${ids.lucieClass}`)).status, 200);
  assert.equal((await t.get(`/etablissements/${ids.college}`)).status, 200);
  assert.equal((await t.get(`/etablissements/${ids.ecole}`)).status, 403);
  assert.equal((await t.get(`/classes/${ids.ecoleClass}`)).status, 403);
  assert.equal((await t.get(`/personnes/${ids.hugo}`)).status, 403);
  // Not even a class of their own collège that they do not teach.
  assert.equal((await t.get(`/classes/${ids.notTaught}`)).status, 403);
  // Nor edit any services catalogue.
  const edit = await t.get(`/etablissements/${ids.college}/services`);
  assert.equal(edit.status, 403);
});

test('policy: a pupil cannot open staff pages', async () => {
  const e = await as('eleve.demo');
  for (const path of [`/classes/${ids.lucieClass}`, `/etablissements/${ids.college}`,
    `/etablissements/${ids.college}/services`, `/territoires/${ids.territory}/services`]) {
    const res = await e.get(path);
    assert.equal(res.status, 403, path);
    assert.match(visibleText(res.text), /Vous n'avez pas accès/);
  }
  assert.equal((await e.get(`/personnes/${ids.classmate}`)).status, 403);
  assert.equal((await e.get(`/personnes/${ids.lucie}`)).status, 200);
});

test('policy: school-life staff see every class of their establishment, not the école\'s', async () => {
  const c = await as('cpe.demo');
  assert.equal((await c.get(`/classes/${ids.notTaught}`)).status, 200);
  assert.equal((await c.get(`/classes/${ids.ecoleClass}`)).status, 403);
});

test('portal: each profile sees a home fitting it, with the services it is entitled to', async () => {
  const expect = {
    'eleve.demo': [/Ma scolarité/, /4e B/, /Emploi du temps/, /Bientôt dans Carnet/],
    'prof.demo': [/Mes classes/, /4e B/, /Mathématiques/],
    'cpe.demo': [/Mon établissement/, /élèves dans \d+ classes/],
    'direction.demo': [/Mon établissement \(direction\)/, /Comptes des responsables activés/, /Gérer les services/],
    'admin.demo': [/Mon territoire/, /Établissements du territoire/, /École élémentaire/],
  };
  for (const [login, patterns] of Object.entries(expect)) {
    const c = await as(login);
    const text = visibleText((await c.get('/')).text);
    for (const p of patterns) assert.match(text, p, `${login}: ${p}`);
  }
  // Statistics are for the head, not for pupils.
  const e = await as('eleve.demo');
  assert.doesNotMatch(visibleText((await e.get('/')).text), /Statistiques/);
});

test('services catalogue: the head adds a link that the collège\'s families see, not the école\'s', async () => {
  const head = await as('direction.demo');
  const res = await head.submit(`/etablissements/${ids.college}/services`, `/etablissements/${ids.college}/services`, {
    title: 'Association sportive', url: 'https://as.example.org/', description: 'Inscriptions et horaires',
    p_pupil: '1', p_parent: '1',
  });
  assert.equal(res.status, 303);
  const parent = await as('parent.demo');
  const all = (await parent.get('/')).text;
  assert.match(all, /href="https:\/\/as.example.org\/"/);
  const hugoOnly = visibleText((await parent.get(`/?enfant=${ids.hugo}`)).text);
  assert.doesNotMatch(hugoOnly, /Association sportive/);
  const teacher = await as('prof.demo');
  assert.doesNotMatch(visibleText((await teacher.get('/')).text), /Association sportive/);
  // The head of the collège cannot edit the école's catalogue.
  assert.equal((await head.get(`/etablissements/${ids.ecole}/services`)).status, 403);
});

test('services catalogue: a javascript: or malformed address is refused and nothing is stored', async () => {
  const head = await as('direction.demo');
  const count = () => srv.sql('SELECT count(*) FROM service');
  const before = count();
  for (const url of ['javascript:alert(1)', 'https://', 'ftp://example.org', 'https://a b.org/']) {
    const res = await head.submit(`/etablissements/${ids.college}/services`, `/etablissements/${ids.college}/services`, {
      title: 'Piège', url, p_parent: '1' });
    assert.equal(res.status, 400, url);
    assert.match(visibleText(res.text), /Le champ « Adresse \(https:\/\/…\) » n'est pas valide/);
  }
  const none = await head.submit(`/etablissements/${ids.college}/services`, `/etablissements/${ids.college}/services`, {
    title: 'Sans public', url: 'https://example.org/' });
  assert.equal(none.status, 400);
  assert.match(visibleText(none.text), /Cochez au moins un profil/);
  assert.equal(count(), before);
});

test('services catalogue: the territory admin adds a link for every establishment, and can remove it', async () => {
  const admin = await as('admin.demo');
  const page = `/territoires/${ids.territory}/services`;
  const res = await admin.submit(page, page, { title: 'Transports scolaires', url: 'https://transports.example.org/',
    p_parent: '1' });
  assert.equal(res.status, 303);
  const parent = await as('parent.demo');
  const hugo = visibleText((await parent.get(`/?enfant=${ids.hugo}`)).text);
  assert.match(hugo, /Transports scolaires/);
  const editor = await admin.get(page);
  const id = [...editor.text.matchAll(/action="\/services\/(\d+)\/supprimer"/g)].pop()[1];
  // The head cannot delete a territory link.
  const head = await as('direction.demo');
  const h = await head.get('/');
  assert.equal((await head.post(`/services/${id}/supprimer`, { csrf: Client.csrfOf(h.text) })).status, 403);
  assert.equal((await admin.post(`/services/${id}/supprimer`, { csrf: Client.csrfOf(editor.text) })).status, 303);
  assert.doesNotMatch(visibleText((await parent.get('/')).text), /Transports scolaires/);
});

test('audit: sign-ins and catalogue changes are recorded with who and from where', () => {
  const rows = srv.sql("SELECT action FROM audit WHERE action IN ('login', 'service.added', 'service.deleted') GROUP BY action ORDER BY action").split('\n');
  assert.deepEqual(rows, ['login', 'service.added', 'service.deleted']);
});

test('activation letters: the CPE prints one letter per pending account of a class, codes work once', async () => {
  const cpe = await as('cpe.demo');
  const page = await cpe.get(`/classes/${ids.lucieClass}/courriers`);
  assert.equal(page.status, 200);
  const pending = [...page.text.matchAll(/<li>[^<]+ <span class="meta">\(([a-z0-9.-]+)\)<\/span><\/li>/g)].map((m) => m[1]);
  assert.ok(pending.length > 10, 'a class has pupils and parents waiting');
  assert.ok(!pending.includes('eleve.demo') && !pending.includes('parent.demo'), 'active accounts get no letter');
  const res = await cpe.post(`/classes/${ids.lucieClass}/courriers`, { csrf: Client.csrfOf(page.text) });
  assert.equal(res.status, 200);
  const letters = [...res.text.matchAll(/<article class="letter card">[\s\S]*?<\/article>/g)].map((m) => m[0]);
  assert.equal(letters.length, pending.length);
  const first = letters.find((l) => /Responsable de/.test(l));
  const login = first.match(/<dd><strong>([a-z0-9.-]+)<\/strong><\/dd>/)[1];
  const code = first.match(/<strong class="code">([A-Z0-9-]+)<\/strong>/)[1];
  assert.match(visibleText(first), /Activer mon compte/);
  const family = srv.client();
  const ok = await family.submit('/activer', '/activer', { login, code, password: 'notre maison bleue', password2: 'notre maison bleue' });
  assert.equal(ok.status, 303);
  const again = await srv.client().submit('/activer', '/activer', { login, code, password: 'notre maison bleue', password2: 'notre maison bleue' });
  assert.equal(again.status, 400);
});

test('activation letters: teachers, pupils and parents cannot print them; another school\'s staff neither', async () => {
  for (const login of ['prof.demo', 'eleve.demo', 'parent.demo']) {
    const c = await as(login);
    assert.equal((await c.get(`/classes/${ids.lucieClass}/courriers`)).status, 403, login);
    const home = await c.get('/');
    assert.equal((await c.post(`/classes/${ids.lucieClass}/courriers`, { csrf: Client.csrfOf(home.text) })).status, 403, login);
  }
  const head = await as('direction.demo');
  assert.equal((await head.get(`/classes/${ids.ecoleClass}/courriers`)).status, 403);
});
