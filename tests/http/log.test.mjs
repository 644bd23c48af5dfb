// S-LOG and R-HOMEWORK: the class log and homework, as teachers fill them
// and as pupils and parents read them; homework posted too late is flagged
// (or refused when the establishment says so).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);

before(async () => {
  // Monday 17 November 2025, 10:00: 4e B has maths with prof.demo at 14:25.
  srv = await startServer({ now: '2025-11-17T10:00' });
  const prof = one("SELECT person_id FROM account WHERE login = 'prof.demo'");
  const cls = one("SELECT en.class_id FROM enrolment en JOIN account a ON a.person_id = en.pupil_id WHERE a.login = 'eleve.demo'");
  ids = {
    prof, cls,
    lucie: one("SELECT person_id FROM account WHERE login = 'eleve.demo'"),
    est: one(`SELECT establishment_id FROM class WHERE id = ${cls}`),
    monday: one(`SELECT s.id FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id WHERE t.teacher_id = ${prof} AND t.class_id = ${cls} AND s.weekday = 1 AND s.valid_from = '2025-09-01'`),
    other: one(`SELECT s.id FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id WHERE t.teacher_id <> ${prof} AND t.class_id = ${cls} AND s.weekday = 1 AND s.valid_from = '2025-09-01' LIMIT 1`),
    classmate: one("SELECT en.pupil_id FROM enrolment en JOIN account a ON a.login = 'eleve.demo' WHERE en.class_id = (SELECT class_id FROM enrolment WHERE pupil_id = a.person_id) AND en.pupil_id <> a.person_id LIMIT 1"),
    otherClassPupil: one(`SELECT en.pupil_id FROM enrolment en JOIN class c ON c.id = en.class_id JOIN account a ON a.person_id = en.pupil_id WHERE c.establishment_id = (SELECT establishment_id FROM class WHERE id = ${cls}) AND c.id <> ${cls} LIMIT 1`),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
});
after(async () => { await srv.stop(); });

const as = (login) => srv.as(login);
const lessonPath = () => `/cahier-de-textes/cours/${ids.monday}/2025-11-17`;

test('S-LOG: the teacher fills the log from the timetable; the pupil reads it, Markdown rendered safely', async () => {
  const t = await as('prof.demo');
  const week = await t.get('/emploi-du-temps');
  assert.match(week.text, new RegExp(`href="${lessonPath()}"`));
  const page = await t.get(lessonPath());
  assert.equal(page.status, 200);
  const saved = await t.post(lessonPath(), { csrf: Client.csrfOf(page.text),
    content: 'Chapitre 4 : **théorème de Pythagore**.\n<script>alert(1)</script>\n[piège](javascript:alert(1))' });
  assert.equal(saved.status, 303);
  const e = await as('eleve.demo');
  const log = await e.get('/cahier-de-textes');
  assert.equal(log.status, 200);
  assert.match(log.text, /<strong>théorème de Pythagore<\/strong>/);
  assert.doesNotMatch(log.text, /<script>alert/);
  assert.doesNotMatch(log.text, /href="javascript:/);
  assert.match(visibleText(log.text), /Lundi 17 novembre 2025/);
  // Saving again updates the same entry.
  const again = await t.post(lessonPath(), { csrf: Client.csrfOf(page.text), content: 'Chapitre 4 : Pythagore, suite.' });
  assert.equal(again.status, 303);
  assert.equal(one(`SELECT count(*) FROM log_entry WHERE slot_id = ${ids.monday} AND on_date = '2025-11-17'`), '1');
});

test('S-LOG: homework for the next lesson; the pupil ticks it done; the teacher sees the progress; the parent sees it', async () => {
  const t = await as('prof.demo');
  const page = await t.get(lessonPath());
  const due = page.text.match(/name="due_on" type="date" required value="(\d{4}-\d\d-\d\d)"/)[1];
  assert.ok(due > '2025-11-17', 'the next maths lesson is proposed');
  const res = await t.post(`${lessonPath()}/travail`, { csrf: Client.csrfOf(page.text), title: 'Exercices 3 à 6 p. 112',
    content: 'Faire les exercices *sans calculatrice*.', due_on: due, minutes: '30', given_in_class: '1', hand_in: '1' });
  assert.equal(res.status, 303);
  assert.match(res.location, /\?ok=1$/);
  const e = await as('eleve.demo');
  const todo = await e.get('/travail-a-faire');
  const text = visibleText(todo.text);
  assert.match(text, /Mathématiques — Exercices 3 à 6 p. 112/);
  assert.match(text, /environ 30 min/);
  assert.match(text, /À rendre/);
  const id = one("SELECT id FROM homework WHERE title = 'Exercices 3 à 6 p. 112'");
  const tick = await e.post(`/travail/${id}/fait`, { csrf: Client.csrfOf(todo.text), fait: '1' });
  assert.equal(tick.status, 303);
  assert.match((await e.get('/travail-a-faire')).text, /Annuler « fait »/);
  const progress = visibleText((await t.get(lessonPath())).text);
  assert.match(progress, /Fait par 1 \/ \d+ élèves/);
  const p = await as('parent.demo');
  const child = visibleText((await p.get(`/travail-a-faire/eleves/${ids.lucie}`)).text);
  assert.match(child, /Exercices 3 à 6 p. 112 .*fait/);
  assert.doesNotMatch(child, /C'est fait/, 'parents do not tick for the pupil');
  const api = (await p.get('/api/v1/homework')).json();
  const mine = api.homework.find((h) => h.title === 'Exercices 3 à 6 p. 112');
  assert.equal(String(mine.pupil_id), ids.lucie);
  assert.equal(mine.done, true);
  // Untick.
  await e.post(`/travail/${id}/fait`, { csrf: Client.csrfOf(todo.text), fait: '0' });
  assert.equal(one(`SELECT count(*) FROM homework_done WHERE homework_id = ${id}`), '0');
});

test('R-HOMEWORK: homework for the next school day posted after the class\'s last lesson is flagged and counted for the head', async () => {
  await srv.setClock('2025-11-17T17:45');
  const t = await as('prof.demo');
  const page = await t.get(lessonPath());
  const res = await t.post(`${lessonPath()}/travail`, { csrf: Client.csrfOf(page.text), title: 'Relire la leçon',
    due_on: '2025-11-18', minutes: '10', given_in_class: '0' });
  assert.equal(res.status, 303);
  assert.match(res.location, /\?tard=1$/);
  const notice = visibleText((await t.get(res.location)).text);
  assert.match(notice, /signalé/);
  assert.equal(one("SELECT late FROM homework WHERE title = 'Relire la leçon'"), '1');
  // Due later in the week: not flagged.
  const fine = await t.post(`${lessonPath()}/travail`, { csrf: Client.csrfOf(page.text), title: 'Préparer le contrôle',
    due_on: '2025-11-20', minutes: '30', given_in_class: '1' });
  assert.match(fine.location, /\?ok=1$/);
  const head = await as('direction.demo');
  const stats = visibleText((await head.get(`/etablissements/${ids.est}/cahier-de-textes`)).text);
  assert.match(stats, /Nicolas Lefèvre \d+/);
  await srv.setClock('2025-11-17T10:00');
});

test('R-HOMEWORK: during a weekend it is flagged too; an establishment that refuses it gets a clear 400 and nothing stored', async () => {
  await srv.setClock('2025-11-23T20:00');
  const t = await as('prof.demo');
  const page = await t.get(lessonPath());
  const sunday = await t.post(`${lessonPath()}/travail`, { csrf: Client.csrfOf(page.text), title: 'Dimanche soir',
    due_on: '2025-11-24', given_in_class: '0' });
  assert.match(sunday.location, /\?tard=1$/);
  const head = await as('direction.demo');
  const settings = await head.get(`/etablissements/${ids.est}/cahier-de-textes`);
  assert.equal((await head.post(`/etablissements/${ids.est}/cahier-de-textes`, { csrf: Client.csrfOf(settings.text), late: 'refuse' })).status, 303);
  const before = one('SELECT count(*) FROM homework');
  const refused = await t.post(`${lessonPath()}/travail`, { csrf: Client.csrfOf(page.text), title: 'Encore dimanche',
    due_on: '2025-11-24', given_in_class: '0' });
  assert.equal(refused.status, 400);
  assert.match(visibleText(refused.text), /n'accepte pas le travail donné pour le prochain jour de cours/);
  assert.equal(one('SELECT count(*) FROM homework'), before);
  // A teacher cannot change the rule.
  assert.equal((await t.post(`/etablissements/${ids.est}/cahier-de-textes`, { csrf: Client.csrfOf(page.text), late: 'flag' })).status, 403);
  await head.post(`/etablissements/${ids.est}/cahier-de-textes`, { csrf: Client.csrfOf(settings.text), late: 'flag' });
  await srv.setClock('2025-11-17T10:00');
});

test('S-LOG: bad homework is refused with a clear message and nothing is stored', async () => {
  const t = await as('prof.demo');
  const page = await t.get(lessonPath());
  const csrf = Client.csrfOf(page.text);
  const before = one('SELECT count(*) FROM homework');
  const early = await t.post(`${lessonPath()}/travail`, { csrf, title: 'X', due_on: '2025-11-14' });
  assert.equal(early.status, 400);
  assert.match(visibleText(early.text), /avant la séance/);
  const holiday = await t.post(`${lessonPath()}/travail`, { csrf, title: 'X', due_on: '2025-12-25' });
  assert.equal(holiday.status, 400);
  assert.match(visibleText(holiday.text), /n'est pas un jour de cours : Vacances de Noël/);
  assert.equal((await t.post(`${lessonPath()}/travail`, { csrf, title: 'X', due_on: '2025-11-20', minutes: '900' })).status, 400);
  assert.equal((await t.post(`${lessonPath()}/travail`, { csrf, title: '', due_on: '2025-11-20' })).status, 400);
  assert.equal((await t.post(`${lessonPath()}/travail`, { csrf, title: 'X', due_on: 'demain' })).status, 400);
  // Another teacher's lesson; a date the slot does not fall on.
  assert.equal((await t.post(`/cahier-de-textes/cours/${ids.other}/2025-11-17/travail`, { csrf, title: 'X', due_on: '2025-11-20' })).status, 403);
  assert.equal((await t.get(`/cahier-de-textes/cours/${ids.monday}/2025-11-18`)).status, 400);
  assert.equal(one('SELECT count(*) FROM homework'), before);
});

test('S-LOG: families only reach their own children; only pupils tick, and only their own homework', async () => {
  const p = await as('parent.demo');
  assert.equal((await p.get(`/travail-a-faire/eleves/${ids.classmate}`)).status, 403);
  assert.equal((await p.get(`/cahier-de-textes/eleves/${ids.classmate}`)).status, 403);
  assert.equal((await p.get(`/api/v1/homework?eleve=${ids.classmate}`)).status, 403);
  const id = one("SELECT id FROM homework WHERE title = 'Exercices 3 à 6 p. 112'");
  const home = await p.get('/');
  assert.equal((await p.post(`/travail/${id}/fait`, { csrf: Client.csrfOf(home.text), fait: '1' })).status, 403);
  // A pupil of another class cannot tick 4e B's homework.
  const login = one(`SELECT login FROM account WHERE person_id = ${ids.otherClassPupil}`);
  one(`UPDATE account SET state = 'active', password_hash = (SELECT password_hash FROM account WHERE login = 'eleve.demo') WHERE login = '${login}'`);
  const stranger = await as(login);
  const sh = await stranger.get('/');
  assert.equal((await stranger.post(`/travail/${id}/fait`, { csrf: Client.csrfOf(sh.text), fait: '1' })).status, 403);
  assert.equal(one(`SELECT count(*) FROM homework_done WHERE homework_id = ${id}`), '0');
  // Teachers do not fill another teacher's log.
  const t = await as('prof.demo');
  assert.equal((await t.get(`/cahier-de-textes/cours/${ids.other}/2025-11-17`)).status, 403);
});

test('S-PORTAL: the portal lists each child\'s homework due in the next 3 school days, with its done state', async () => {
  const t = await as('prof.demo');
  const page = await t.get(lessonPath());
  await t.post(`${lessonPath()}/travail`, { csrf: Client.csrfOf(page.text), title: 'Fiche de révision', due_on: '2025-11-19', given_in_class: '1' });
  await t.post(`${lessonPath()}/travail`, { csrf: Client.csrfOf(page.text), title: 'Devoir maison lointain', due_on: '2025-12-05', given_in_class: '1' });
  const p = await as('parent.demo');
  const cards = (await p.get('/')).text.split('<section class="card child"').slice(1);
  const lucie = visibleText(cards.find((c) => c.includes('Lucie Moreau')));
  const hugo = visibleText(cards.find((c) => c.includes('Hugo Moreau')));
  assert.match(lucie, /Travail à faire \(3 prochains jours de cours\).*Mercredi Mathématiques — Fiche de révision/);
  assert.doesNotMatch(lucie, /Devoir maison lointain/);
  assert.doesNotMatch(hugo, /Fiche de révision/);
});

test('S-PORTAL: GET /api/v1/dashboard gives each child with establishment type, today\'s lessons and homework due', async () => {
  const p = await as('parent.demo');
  const d = (await p.get('/api/v1/dashboard')).json();
  assert.equal(d.date, '2025-11-17');
  assert.equal(d.pupils.length, 2);
  const lucie = d.pupils.find((x) => x.first_name === 'Lucie');
  const hugo = d.pupils.find((x) => x.first_name === 'Hugo');
  assert.equal(lucie.establishment.type, 'college');
  assert.equal(hugo.establishment.type, 'ecole');
  assert.ok(lucie.lessons_today.some((l) => l.subject === 'Mathématiques' && l.start === '14:25'));
  assert.ok(hugo.lessons_today.every((l) => l.subject === 'Polyvalent'));
  assert.ok(lucie.homework_due.some((h) => h.title === 'Fiche de révision' && h.due_on === '2025-11-19'));
  assert.ok(!lucie.homework_due.some((h) => h.title === 'Devoir maison lointain'));
  const e = await as('eleve.demo');
  const me = (await e.get('/api/v1/dashboard')).json();
  assert.equal(me.pupils.length, 1);
  assert.equal(me.pupils[0].name, 'Lucie Moreau');
  const t = await as('prof.demo');
  const td = (await t.get('/api/v1/dashboard')).json();
  assert.deepEqual(td.pupils, []);
  assert.ok(td.teacher.lessons_today.some((l) => l.class === '4e B'));
  assert.equal((await srv.client().get('/api/v1/dashboard')).status, 401);
});

test('S-LOG: homework and log entries carry attachments, checked by content, downloaded only by those who see the lesson', async () => {
  const t = await as('prof.demo');
  const page = await t.get(lessonPath());
  const due = page.text.match(/name="due_on" type="date" required value="(\d{4}-\d\d-\d\d)"/)[1];
  assert.match(page.text, /PDF, image, document texte ou tableur, 5 Mo au plus/, 'limits are told before upload');
  const form = new FormData();
  form.set('csrf', Client.csrfOf(page.text));
  form.set('title', 'Fiche d\'exercices');
  form.set('due_on', due);
  form.set('piece', new Blob(['%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n']), 'fiche 3.pdf');
  const res = await t.request('POST', `${lessonPath()}/travail`, { body: form });
  assert.equal(res.status, 303);
  const hw = one("SELECT id FROM homework WHERE title = 'Fiche d''exercices'");
  const att = one(`SELECT id FROM attachment WHERE owner = 'homework' AND owner_id = ${hw}`);
  assert.ok(att);
  const e = await as('eleve.demo');
  assert.match((await e.get('/travail-a-faire')).text, new RegExp(`href="/pieces-jointes/${att}/fiche%203\\.pdf"`));
  const dl = await e.get(`/pieces-jointes/${att}/fiche%203.pdf`);
  assert.equal(dl.status, 200);
  assert.match(dl.text, /^%PDF-1\.4/);
  // A family with no child in that class: refused.
  const otherSlot = one(`SELECT s.id FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id WHERE t.teacher_id = ${ids.prof}
    AND t.class_id <> ${ids.cls} AND s.weekday = 1 AND s.valid_from = '2025-09-01' AND s.week = '' LIMIT 1`);
  const other = await t.get(`/cahier-de-textes/cours/${otherSlot}/2025-11-17`);
  const f2 = new FormData();
  f2.set('csrf', Client.csrfOf(other.text));
  f2.set('content', 'Correction distribuée.');
  f2.set('piece', new Blob(['Corrigé du contrôle, version texte.\n']), 'corrige.txt');
  assert.equal((await t.request('POST', `/cahier-de-textes/cours/${otherSlot}/2025-11-17`, { body: f2 })).status, 303);
  const att2 = one(`SELECT max(id) FROM attachment WHERE owner = 'log_entry'`);
  assert.equal((await (await as('parent.demo')).get(`/pieces-jointes/${att2}/corrige.txt`)).status, 403);
  assert.equal((await e.get(`/pieces-jointes/${att2}/corrige.txt`)).status, 403);
  assert.equal((await (await as('cpe.demo')).get(`/pieces-jointes/${att2}/corrige.txt`)).status, 200);
  assert.equal((await srv.client().get(`/pieces-jointes/${att2}/corrige.txt`)).status, 303, 'signed-out: to the sign-in page');
  // A script named like a PDF: refused, nothing stored.
  const before = one('SELECT count(*) FROM homework') + '/' + one('SELECT count(*) FROM attachment');
  const f3 = new FormData();
  f3.set('csrf', Client.csrfOf(page.text));
  f3.set('title', 'Piège');
  f3.set('due_on', due);
  f3.set('piece', new Blob(['#!/bin/sh\nrm -rf ~\n']), 'devoir.pdf');
  const bad = await t.request('POST', `${lessonPath()}/travail`, { body: f3 });
  assert.equal(bad.status, 400);
  assert.match(visibleText(bad.text), /Ce type de fichier n'est pas accepté/);
  assert.equal(one('SELECT count(*) FROM homework') + '/' + one('SELECT count(*) FROM attachment'), before);
});
