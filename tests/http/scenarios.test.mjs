// Issue 5 end to end: what teachers publish in a quiet period reaches a
// family through every channel at the right moment — pages, the
// notification centre, and one digest e-mail through a real SMTP server
// (Debian's python3-aiosmtpd) — driving the real server's clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';
import { startSmtp } from '../lib/smtp.mjs';

const PUBLIC = 'https://carnet.example.test';
let srv, smtp, ids;
const one = (q) => srv.sql(q);

before(async () => {
  smtp = await startSmtp();
  srv = await startServer({
    now: '2026-03-10T17:30',
    env: { CARNET_SMTP_URL: smtp.url, CARNET_MAIL_FROM: 'Carnet <carnet@example.test>', CARNET_PUBLIC_URL: PUBLIC, CARNET_NOTIFY_INTERVAL: '3600' },
  });
  const person = (login) => one(`SELECT person_id FROM account WHERE login = '${login}'`);
  const lucie = person('eleve.demo'), prof = person('prof.demo');
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  ids = {
    lucie, prof, cls, parent: person('parent.demo'),
    mail: one("SELECT p.email FROM person p JOIN account a ON a.person_id = p.id WHERE a.login = 'parent.demo'"),
    teaching: one(`SELECT id FROM teaching WHERE teacher_id = ${prof} AND class_id = ${cls}`),
    monday: one(`SELECT s.id FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id WHERE t.teacher_id = ${prof}
      AND t.class_id = ${cls} AND s.weekday = 1 AND s.valid_from = '2025-09-01'`),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
});
after(async () => {
  await srv?.stop();
  await smtp?.stop();
});

const mailsToParent = () => smtp.mails().filter((m) => m.rcpt === ids.mail);

/** What Claire (parent.demo) sees: her notification centre and Lucie's homework page. */
async function parentSees() {
  const p = await srv.as('parent.demo');
  return visibleText((await p.get('/notifications')).text) + ' ' + visibleText((await p.get(`/travail-a-faire/eleves/${ids.lucie}`)).text);
}

test('R-DISCO, S-NOTIFY: homework and a message written on Tuesday at 21:30 reach the parent on Wednesday at 07:00 — nothing before, then one digest e-mail with both', async () => {
  await srv.setClock('2026-03-10T21:30');
  smtp.clear();
  const t = await srv.as('prof.demo');
  const path = `/cahier-de-textes/cours/${ids.monday}/2026-03-09`;
  const page = await t.get(path);
  assert.match(visibleText(page.text), /Droit à la déconnexion/, 'the form reminds the teacher');
  assert.equal((await t.post(`${path}/travail`, { csrf: Client.csrfOf(page.text), title: 'Scénario : exercices 12 à 15',
    due_on: '2026-03-13', minutes: '30' })).status, 303);
  const compose = await t.get('/messagerie/nouveau');
  assert.equal((await t.post('/messagerie/nouveau', { csrf: Client.csrfOf(compose.text), [`to_${ids.parent}`]: '1',
    subject: 'Scénario : sortie au musée', body: 'Bonjour, la sortie est confirmée.' })).status, 303);

  await srv.setClock('2026-03-10T23:00');
  let seen = await parentSees();
  assert.doesNotMatch(seen, /Scénario/, 'nothing in the centre nor the homework page at 23:00');
  await srv.setClock('2026-03-11T06:59');
  seen = await parentSees();
  assert.doesNotMatch(seen, /Scénario/, 'nor at 06:59');
  assert.equal(mailsToParent().length, 0, 'no e-mail before 07:00');

  await srv.setClock('2026-03-11T07:00');
  seen = await parentSees();
  assert.match(seen, /Nouveau travail à faire en Mathématiques pour le vendredi 13 mars/);
  assert.match(seen, /Nouveau message de Nicolas Lefèvre : Scénario : sortie au musée/);
  assert.match(seen, /Scénario : exercices 12 à 15/);
  const mails = mailsToParent();
  assert.equal(mails.length, 1, 'one digest, not one e-mail per item');
  const body = mails[0].body;
  assert.match(body, /Bonjour Claire Moreau/);
  assert.ok(body.includes('Nouveau travail à faire en Mathématiques pour le vendredi 13 mars'), body);
  assert.ok(body.includes('Nouveau message de Nicolas Lefèvre : Scénario : sortie au musée'), body);
  // The links open the items for Claire.
  const p = await srv.as('parent.demo');
  const links = [...body.matchAll(new RegExp(`${PUBLIC}(/notifications/\\d+)`, 'g'))].map((m) => m[1]);
  assert.ok(links.length >= 2);
  for (const l of links) {
    const r = await p.get(l);
    assert.equal(r.status, 303, l);
    assert.equal((await p.get(r.location)).status, 200, r.location);
  }
  // The job runs again: nothing more.
  await srv.setClock('2026-03-11T07:30');
  assert.equal(mailsToParent().length, 1, 'sent once');
});

test('R-GRADES, S-NOTIFY: a grade published on Friday at 21:00 reaches Lucie on Monday at 07:00 and Claire — centre and e-mail — on Tuesday at 07:00', async () => {
  await srv.setClock('2026-03-13T21:00');
  const t = await srv.as('prof.demo');
  const bookPath = `/notes/enseignements/${ids.teaching}`;
  const bookPage = await t.get(bookPath);
  const created = await t.post(`${bookPath}/evaluations`, { csrf: Client.csrfOf(bookPage.text), title: 'Scénario : contrôle du vendredi',
    on_date: '2026-03-13', scale: '20', coefficient: '1', kind: 'normal' });
  assert.equal(created.status, 303, visibleText(created.text));
  const id = created.location.match(/evaluations\/(\d+)/)[1];
  const sheet = await t.get(`/notes/evaluations/${id}`);
  assert.equal((await t.post(`/notes/evaluations/${id}`, { csrf: Client.csrfOf(sheet.text), publier: '1', [`note_${ids.lucie}`]: '14,5' })).status, 303);
  smtp.clear();
  const title = 'Nouvelle note en Mathématiques : Scénario : contrôle du vendredi';
  const centre = async (login) => visibleText((await (await srv.as(login)).get('/notifications')).text);

  await srv.setClock('2026-03-16T06:59');
  assert.ok(!(await centre('eleve.demo')).includes(title), 'Lucie: not on Monday at 06:59');
  await srv.setClock('2026-03-16T07:00');
  assert.ok((await centre('eleve.demo')).includes(title), 'Lucie: Monday at 07:00');
  assert.ok(!(await centre('parent.demo')).includes(title), 'Claire: not on Monday');
  assert.ok(!mailsToParent().some((m) => m.body.includes(title)), 'no e-mail to Claire on Monday');
  await srv.setClock('2026-03-17T06:59');
  assert.ok(!(await centre('parent.demo')).includes(title), 'Claire: not on Tuesday at 06:59');
  await srv.setClock('2026-03-17T07:00');
  assert.ok((await centre('parent.demo')).includes(title), 'Claire: Tuesday at 07:00');
  assert.equal(mailsToParent().filter((m) => m.body.includes(title)).length, 1, 'one e-mail to Claire with the grade, on Tuesday');
});
