// S-NOTIFY: the notification centre (list, unread count in the header of
// every page, mark read, JSON), per-person preferences and personal quiet
// times, and e-mail through a real SMTP server (Debian's python3-aiosmtpd on
// loopback): one digest per person when several items are released at the
// end of a quiet period (R-DISCO), sent exactly once across runs, processes
// and restarts, retried when the SMTP server is down, never before
// visible_at nor inside a person's quiet times.
//
// Notifications are inserted here as the publishing modules insert them
// (notify_add: one row per person with the diffusion policy's visible_at):
// these tests are about the centre and the mailer themselves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, BIN, Client, visibleText, sqlOn, freshDb, dropDb } from '../lib/carnet.mjs';
import { startSmtp } from '../lib/smtp.mjs';

const PUBLIC = 'https://carnet.example.test';
let srv, smtp, ids, env;

const sql = (q, db = srv.db) => sqlOn(db, q);
// Local times of March 2026 in Paris (UTC+1: before the change to summer time).
const at = (local) => Date.parse(`${local}:00+01:00`) / 1000;
const esc = (s) => s.replace(/'/g, "''");
const reEsc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A notification as notify_add() stores it; returns its id. */
function notify(person, { service = 'homework', title, url = '/', visible }) {
  return sql(`INSERT INTO notification (person_id, service, title, url, establishment_id, created_at, visible_at)
    VALUES (${person}, '${service}', '${esc(title)}', '${url}', ${ids.college}, ${at(visible) - 3600}, ${at(visible)}) RETURNING id`);
}

/** The e-mails the sink received for address, decoded. */
const mailsTo = (addr) => smtp.mails().filter((m) => m.rcpt === addr);

/** carnet notify --once on db at local time now (another process). */
const notifyOnce = (now, db = srv.db) =>
  execFileSync(BIN, ['notify', '--once', '--db', db, '--now', now], { env: { ...process.env, ...env }, encoding: 'utf8' });

async function api(c) {
  const me = (await c.get('/api/v1/me')).json();
  return (method, path, json) => c.request(method, path, { json, headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
}

before(async () => {
  smtp = await startSmtp();
  env = {
    CARNET_SMTP_URL: smtp.url, CARNET_MAIL_FROM: 'Carnet — Collège Jean Moulin <carnet@college.example.test>',
    CARNET_PUBLIC_URL: `${PUBLIC}/`, CARNET_NOTIFY_INTERVAL: '3600',
  };
  srv = await startServer({ now: '2026-03-10T17:30', env });
  const person = (login) => sql(`SELECT person_id FROM account WHERE login = '${login}'`);
  ids = {
    parent: person('parent.demo'), prof: person('prof.demo'), pupil: person('eleve.demo'),
    college: sql("SELECT c.establishment_id FROM enrolment en JOIN class c ON c.id = en.class_id JOIN account a ON a.person_id = en.pupil_id WHERE a.login = 'eleve.demo'"),
  };
  ids.parentMail = sql(`SELECT email FROM person WHERE id = ${ids.parent}`);
  // Other parents of the class, with their addresses, for the batches.
  ids.others = sql(`SELECT g.parent_id || ' ' || p.email FROM guardianship g JOIN person p ON p.id = g.parent_id
    JOIN enrolment en ON en.pupil_id = g.pupil_id WHERE en.class_id = (SELECT class_id FROM enrolment WHERE pupil_id = ${ids.pupil})
    AND g.parent_id <> ${ids.parent} AND p.email IS NOT NULL GROUP BY g.parent_id, p.email ORDER BY g.parent_id LIMIT 6`)
    .split('\n').map((l) => { const [id, email] = l.split(' '); return { id, email }; });
  for (const [k, v] of Object.entries(ids)) assert.ok(v && v.length !== 0, `demo data has ${k}`);
  assert.ok(ids.parentMail.includes('@'), 'parent.demo has an e-mail address');
});
after(async () => {
  await srv?.stop();
  await smtp?.stop();
});

test('S-NOTIFY, R-DISCO: the centre lists the visible notifications, newest first, unread marked; the header counts them; held ones never show', async () => {
  const a = notify(ids.parent, { service: 'grades', title: 'Nouvelle note en Mathématiques : Contrôle n°3', url: '/notes', visible: '2026-03-10T10:00' });
  const b = notify(ids.parent, { service: 'homework', title: 'Travail à faire en Français pour jeudi', url: '/emploi-du-temps', visible: '2026-03-10T17:00' });
  const held = notify(ids.parent, { service: 'homework', title: 'Exercices écrits à 21 h 30', url: '/emploi-du-temps', visible: '2026-03-11T07:00' });
  const p = await srv.as('parent.demo');
  const before = (await p.get('/api/v1/notifications')).json();
  const page = await p.get('/notifications');
  assert.equal(page.status, 200);
  const text = visibleText(page.text);
  assert.ok(text.indexOf('Travail à faire en Français pour jeudi') < text.indexOf('Contrôle n°3'), 'newest first');
  assert.doesNotMatch(text, /Exercices écrits/, 'a held notification is not shown (R-DISCO)');
  assert.match(page.text, new RegExp(`<li class="unread"><p><a href="/notifications/${b}"><strong>`), 'unread marked');
  assert.match(text, new RegExp(`${before.unread} notifications non lues`));
  // The header of every page carries the count, with its accessible text.
  const portal = await p.get('/');
  assert.match(portal.text, new RegExp(`<a href="/notifications" class="notif">.*<span class="badge">${before.unread}</span>.*<span class="sr">${before.unread} notifications non lues</span></a>`));
  assert.ok(before.notifications.some((n) => String(n.id) === a && n.service === 'grades' && n.read === false && n.url === '/notes'));
  assert.ok(!before.notifications.some((n) => String(n.id) === held), 'not in the JSON either');
  assert.equal((await p.get(`/notifications/${held}`)).status, 404, 'nor by its link');
  await srv.setClock('2026-03-11T07:00');
  const after = (await (await srv.as('parent.demo')).get('/api/v1/notifications')).json();
  const unreadBy = (t) => Number(sql(`SELECT count(*) FROM notification WHERE person_id = ${ids.parent} AND read_at IS NULL AND visible_at <= ${t}`));
  assert.equal(before.unread, unreadBy(at('2026-03-10T17:30')), 'counted: what is visible and unread, nothing held');
  assert.equal(after.unread, unreadBy(at('2026-03-11T07:00')), 'released at 07:00 and counted');
  assert.ok(after.unread > before.unread);
  assert.equal(String(after.notifications[0].id), held, 'the newest now');
});

test('S-NOTIFY: following a notification marks it read and opens its item; mark one, mark all (page and JSON)', async () => {
  const p = await srv.as('parent.demo');
  const call = await api(p);
  const ids3 = ['Absence de Lucie lundi', 'Message de M. Lefèvre', 'Cours de SVT déplacé'].map((title, i) =>
    notify(ids.parent, { service: ['attendance', 'messages', 'timetable'][i], title, url: `/messagerie?dossier=inbox&n=${i}`, visible: '2026-03-11T07:30' }));
  await srv.setClock('2026-03-11T08:00');
  const n0 = (await p.get('/api/v1/notifications')).json().unread;
  const open = await p.get(`/notifications/${ids3[0]}`);
  assert.equal(open.status, 303);
  assert.equal(open.location, '/messagerie?dossier=inbox&n=0');
  assert.ok(sql(`SELECT read_at FROM notification WHERE id = ${ids3[0]}`), 'read when followed');
  const page = await p.get('/notifications');
  assert.doesNotMatch(page.text, new RegExp(`<li class="unread"><p><a href="/notifications/${ids3[0]}"`));
  const marked = await p.post(`/notifications/${ids3[1]}/lu`, { csrf: Client.csrfOf(page.text) });
  assert.equal(marked.status, 303);
  const r = await call('POST', `/api/v1/notifications/${ids3[2]}/read`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json(), { id: Number(ids3[2]), read: true, unread: n0 - 3 });
  assert.match(visibleText((await p.get('/')).text), new RegExp(n0 - 3 === 1 ? '1 notification non lue' : `${n0 - 3} notifications non lues`));
  const all = await call('POST', '/api/v1/notifications/read-all');
  assert.equal(all.status, 200);
  assert.equal(all.json().marked, n0 - 3);
  const home = await p.get('/');
  assert.match(home.text, /<span class="sr">Aucune notification non lue<\/span>/);
  assert.doesNotMatch(home.text, /class="notif">[^<]*<span aria-hidden="true">Notifications <span class="badge">/, 'no badge at 0');
  // "Tout marquer comme lu" from the page.
  notify(ids.parent, { title: 'Encore une', visible: '2026-03-11T07:45' });
  const again = await p.get('/notifications');
  assert.match(visibleText(again.text), /1 notification non lue/);
  assert.equal((await p.post('/notifications/tout-lu', { csrf: Client.csrfOf(again.text) })).status, 303);
  assert.equal((await p.get('/api/v1/notifications')).json().unread, 0);
});

test('S-NOTIFY: a person never sees, opens or marks another person\'s notification (404)', async () => {
  const mine = notify(ids.parent, { title: 'Réunion parents-professeurs', visible: '2026-03-11T07:50' });
  const t = await srv.as('prof.demo');
  const call = await api(t);
  assert.equal((await t.get(`/notifications/${mine}`)).status, 404);
  assert.equal((await call('POST', `/api/v1/notifications/${mine}/read`)).status, 404);
  const page = await t.get('/notifications');
  assert.equal((await t.post(`/notifications/${mine}/lu`, { csrf: Client.csrfOf(page.text) })).status, 404);
  assert.doesNotMatch(visibleText(page.text), /Réunion parents-professeurs/);
  assert.ok(!(await t.get('/api/v1/notifications')).json().notifications.some((n) => String(n.id) === mine));
  assert.equal(sql(`SELECT read_at IS NULL FROM notification WHERE id = ${mine}`), '1', 'still unread for its owner');
  assert.equal((await (await srv.client()).get('/api/v1/notifications')).status, 401, 'signed out: no list');
});

test('S-NOTIFY: preferences — defaults, a service kept out of the centre, e-mail off; invalid quiet times are refused with a clear message and nothing stored', async () => {
  const p = await srv.as('parent.demo');
  const page = await p.get('/compte/notifications');
  assert.equal(page.status, 200);
  // Defaults: the centre for every service; e-mail for what concerns a person directly.
  for (const s of ['messages', 'homework', 'log', 'grades', 'timetable', 'attendance', 'news']) assert.match(page.text, new RegExp(`name="centre_${s}" value="1"[^>]* checked`));
  for (const s of ['messages', 'homework', 'grades', 'timetable', 'attendance']) assert.match(page.text, new RegExp(`name="email_${s}" value="1"[^>]* checked`));
  for (const s of ['log', 'news']) assert.doesNotMatch(page.text, new RegExp(`name="email_${s}" value="1"[^>]* checked`));
  assert.match(visibleText(page.text), new RegExp(`Les e-mails sont envoyés à ${reEsc(ids.parentMail)}`));
  const csrf = Client.csrfOf(page.text);
  const bad = [
    [{ soir: '18:00' }, /Donnez l'heure de début et l'heure de fin/],
    [{ soir: '25:00', matin: '08:00' }, /s'écrivent HH:MM/],
    [{ soir: '7h', matin: '08:00' }, /s'écrivent HH:MM/],
    [{ soir: '08:00', matin: '08:00' }, /doit finir à une autre heure/],
  ];
  for (const [fields, msg] of bad) {
    const r = await p.post('/compte/notifications', { csrf, centre_messages: '1', ...fields });
    assert.equal(r.status, 400, JSON.stringify(fields));
    assert.match(visibleText(r.text), msg);
    assert.match(visibleText(r.text), /Rien n'a été enregistré/);
  }
  assert.equal(sql(`SELECT count(*) FROM notify_pref WHERE person_id = ${ids.parent}`), '0', 'nothing stored');
  assert.equal(sql(`SELECT count(*) FROM notify_quiet WHERE person_id = ${ids.parent}`), '0');
  // Keep the class log out of the centre, and no e-mail for grades.
  const keep = { csrf };
  for (const s of ['messages', 'homework', 'grades', 'timetable', 'attendance', 'news']) keep[`centre_${s}`] = '1';
  for (const s of ['messages', 'homework', 'timetable', 'attendance']) keep[`email_${s}`] = '1';
  const saved = await p.post('/compte/notifications', keep);
  assert.equal(saved.status, 303);
  assert.equal(saved.location, '/compte/notifications?ok=1');
  const shown = await p.get(saved.location);
  assert.match(visibleText(shown.text), /C'est enregistré/);
  assert.doesNotMatch(shown.text, /name="centre_log" value="1"[^>]* checked/);
  assert.doesNotMatch(shown.text, /name="email_grades" value="1"[^>]* checked/);
  const n0 = (await p.get('/api/v1/notifications')).json().unread;
  const log = notify(ids.parent, { service: 'log', title: 'Cahier de textes : séance de test', visible: '2026-03-11T08:05' });
  const grade = notify(ids.parent, { service: 'grades', title: 'Note de test (préférences)', visible: '2026-03-11T08:05' });
  try {
    await srv.setClock('2026-03-11T08:10');
    const list = (await p.get('/api/v1/notifications')).json();
    assert.equal(list.unread, n0 + 1, 'the class log is neither counted…');
    assert.ok(!list.notifications.some((n) => String(n.id) === log), '…nor listed');
    assert.ok(list.notifications.some((n) => String(n.id) === grade), 'grades still in the centre');
    assert.ok(!smtp.mails().some((m) => /Note de test \(préférences\)|séance de test/.test(m.body)), 'no e-mail for grades nor for the class log');
    assert.equal(sql(`SELECT mail_done || '/' || coalesce(CAST(mail_id AS TEXT), 'none') FROM notification WHERE id = ${grade}`), '1/none');
  } finally {
    sql(`DELETE FROM notify_pref WHERE person_id = ${ids.parent}`); // back to the defaults for the next tests
  }
});

test('S-NOTIFY, R-DISCO: several notifications released together at 07:00 make ONE e-mail per parent, with every item and working links, none before', async () => {
  await srv.setClock('2026-03-11T21:30');
  smtp.clear();
  const items = [
    ['homework', 'Travail à faire en Mathématiques : exercices 3 à 7 page 112 « problèmes »', `/travail-a-faire/eleves/${ids.pupil}`],
    ['grades', 'Nouvelle note en Français : Dictée n°4', `/notes/eleves/${ids.pupil}`],
    ['messages', 'Message de Mme Girard : sortie au musée d\'Orsay', '/messagerie'],
  ];
  // Posted on Wednesday evening: held until Thursday 07:00 (R-DISCO).
  const mine = items.map(([service, title, url]) => notify(ids.parent, { service, title, url, visible: '2026-03-12T07:00' }));
  for (const o of ids.others) notify(o.id, { service: 'homework', title: items[0][1], url: '/emploi-du-temps', visible: '2026-03-12T07:00' });
  const connections = smtp.connections();
  await srv.setClock('2026-03-11T23:59');
  for (const addr of [ids.parentMail, ...ids.others.map((o) => o.email)]) assert.equal(mailsTo(addr).length, 0, 'nothing is sent before visible_at (R-DISCO)');
  await srv.setClock('2026-03-12T07:00');
  const got = mailsTo(ids.parentMail);
  assert.equal(got.length, 1, 'one digest, not a burst');
  const m = got[0];
  const outbox = sql(`SELECT DISTINCT mail_id FROM notification WHERE id IN (${mine.join(',')})`);
  assert.equal(sql(`SELECT state || ' ' || attempts || ' ' || rcpt FROM mail_outbox WHERE id = ${outbox}`), `sent 1 ${ids.parentMail}`);
  const total = Number(sql(`SELECT count(*) FROM notification WHERE mail_id = ${outbox}`));
  assert.ok(total >= 3);
  // Headers: from Carnet, to the parent by name, encoded subject, a Message-ID derived from the outbox row.
  assert.equal(m.headers.from, 'Carnet — Collège Jean Moulin <carnet@college.example.test>');
  assert.equal(m.headers.to, `Claire Moreau <${ids.parentMail}>`);
  assert.equal(m.headers.subject, `Carnet : ${total} nouveautés`);
  assert.match(m.rawHeaders.subject, /^=\?utf-8\?q\?/, 'RFC 2047');
  assert.match(m.headers['message-id'], new RegExp(`^<carnet\\.mail\\.${outbox}\\.\\d+@college\\.example\\.test>$`));
  assert.match(m.headers.date, /^Thu, 12 Mar 2026 06:00:\d\d \+0000$/);
  assert.equal(m.headers['mime-version'], '1.0');
  assert.equal(m.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(m.headers['content-transfer-encoding'], 'quoted-printable');
  assert.ok(m.rawBody.split('\r\n').every((l) => l.length <= 76), 'lines of at most 76 characters');
  assert.match(m.body, /^Bonjour Claire Moreau,/);
  assert.match(m.body, new RegExp(`Il y a ${total} nouveautés pour vous dans Carnet`));
  for (const [, title] of items) assert.ok(m.body.includes(title), `the digest lists: ${title}`);
  assert.ok(m.body.includes(`${PUBLIC}/compte/notifications`), 'a link to the preferences');
  // Each item's link opens it for the parent (and marks it read).
  const p = await srv.as('parent.demo');
  for (const [i, id] of mine.entries()) {
    const link = `${PUBLIC}/notifications/${id}`;
    assert.ok(m.body.includes(link), `link to item ${i}`);
    const r = await p.get(link.slice(PUBLIC.length));
    assert.equal(r.status, 303);
    assert.equal(r.location, items[i][2]);
    assert.equal((await p.get(r.location)).status, 200);
  }
  // The other parents: one e-mail each, through the same SMTP connection.
  for (const o of ids.others) assert.equal(mailsTo(o.email).length, 1, o.email);
  assert.equal(smtp.connections() - connections, 1, 'one SMTP connection for the whole run');
});

test('S-NOTIFY: each e-mail goes exactly once — runs again, other processes, a restart; one left "sending" by a crash is sent again with the same Message-ID', async () => {
  const before = smtp.mails().length;
  await srv.setClock('2026-03-12T07:01');
  notifyOnce('2026-03-12T07:02');
  notifyOnce('2026-03-12T07:03');
  assert.equal(smtp.mails().length, before, 'no duplicate');
  // Two processes at once on the same database: one e-mail.
  const racer = notify(ids.others[0].id, { title: 'Deux nœuds en même temps', visible: '2026-03-12T07:04' });
  const other = spawn(BIN, ['notify', '--once', '--db', srv.db, '--now', '2026-03-12T07:05'], { env: { ...process.env, ...env } });
  const otherDone = new Promise((resolve) => other.on('exit', resolve));
  await srv.setClock('2026-03-12T07:05');
  assert.equal(await otherDone, 0);
  assert.equal(smtp.mails().filter((m) => m.body.includes('Deux nœuds')).length, 1);
  assert.equal(sql(`SELECT count(DISTINCT mail_id) FROM notification WHERE id = ${racer}`), '1');
  // A restart: the database copied (SQLite) or the same one (PostgreSQL, where
  // it is another node), a new server on it; the job runs by itself (every second).
  const dir = mkdtempSync(join(tmpdir(), 'carnet-notify-'));
  const db = srv.db.startsWith('postgresql:') ? srv.db : join(dir, 'carnet.db');
  if (db !== srv.db) execFileSync(BIN, ['backup', '--db', srv.db, '--to', db]);
  sql(`INSERT INTO notification (person_id, service, title, url, establishment_id, created_at, visible_at)
    VALUES (${ids.others[1].id}, 'messages', 'Après le redémarrage', '/messagerie', ${ids.college}, ${at('2026-03-12T07:06')}, ${at('2026-03-12T07:06')})`, db);
  const portFile = join(dir, 'port');
  const child = spawn(BIN, ['serve', '--db', db, '--port', '0', '--port-file', portFile, '--quiet', '--now', '2026-03-12T07:10'],
    { env: { ...process.env, ...env, CARNET_NOTIFY_INTERVAL: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  try {
    for (let i = 0; i < 100 && !smtp.mails().some((m) => m.body.includes('Après le redémarrage')); i++) await sleep(100);
    await sleep(1500); // another run or two
    assert.equal(smtp.mails().filter((m) => m.body.includes('Après le redémarrage')).length, 1, 'the new one once, by the background job');
    assert.equal(smtp.mails().length, before + 2, 'nothing sent before is sent again');
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve)));
    rmSync(dir, { recursive: true, force: true });
  }
  assert.doesNotMatch(stderr, /ERROR: AddressSanitizer|runtime error:/, stderr);
  // A process died after claiming an e-mail (state 'sending' for longer than the lease): sent again, same Message-ID.
  const sent = mailsTo(ids.parentMail);
  const id = sql(`SELECT id FROM mail_outbox WHERE rcpt = '${ids.parentMail}' AND state = 'sent' ORDER BY id DESC LIMIT 1`);
  assert.match(sent.at(-1).headers['message-id'], new RegExp(`^<carnet\\.mail\\.${id}\\.`));
  sql(`UPDATE mail_outbox SET state = 'sending', claimed_at = ${at('2026-03-12T07:00')} WHERE id = ${id}`);
  await srv.setClock('2026-03-12T07:09');
  assert.equal(mailsTo(ids.parentMail).length, sent.length, 'within the lease: left to the process that claimed it');
  await srv.setClock('2026-03-12T07:30');
  const now = mailsTo(ids.parentMail);
  assert.equal(now.length, sent.length + 1, 'sent again after the lease');
  assert.equal(now.at(-1).headers['message-id'], sent.at(-1).headers['message-id'], 'recognisable as the same e-mail');
  assert.equal(sql(`SELECT state || ' ' || attempts FROM mail_outbox WHERE id = ${id}`), 'sent 2');
});

test('S-NOTIFY: the SMTP server down — the e-mail waits and is retried later with a back-off, then delivered once; refused addresses are given up and logged', async () => {
  await smtp.down();
  const id = notify(ids.parent, { service: 'messages', title: 'Message pendant la panne', visible: '2026-03-12T09:00' });
  await srv.setClock('2026-03-12T09:00');
  const mail = sql(`SELECT mail_id FROM notification WHERE id = ${id}`);
  assert.ok(mail, 'decided and queued');
  assert.equal(sql(`SELECT state || ' ' || attempts || ' ' || CASE WHEN next_at - ${at('2026-03-12T09:00')} >= 60 THEN 1 ELSE 0 END FROM mail_outbox WHERE id = ${mail}`), 'queued 1 1');
  await smtp.start();
  await srv.setClock('2026-03-12T09:00');
  assert.equal(smtp.mails().filter((m) => m.body.includes('pendant la panne')).length, 0, 'not before its back-off');
  await srv.setClock('2026-03-12T09:02');
  assert.equal(smtp.mails().filter((m) => m.body.includes('pendant la panne')).length, 1, 'delivered');
  await srv.setClock('2026-03-12T09:30');
  assert.equal(smtp.mails().filter((m) => m.body.includes('pendant la panne')).length, 1, 'once');
  assert.equal(sql(`SELECT state || ' ' || attempts FROM mail_outbox WHERE id = ${mail}`), 'sent 2');
  // A mailbox that does not exist (550): given up at once; a busy one (451): tried 5 times with a back-off, then given up.
  const [refused, busy] = ids.others.slice(1, 3);
  sql(`UPDATE person SET email = 'refuse.' || email WHERE id = ${refused.id}; UPDATE person SET email = 'busy.' || email WHERE id = ${busy.id}`);
  const ok = ids.others[3];
  for (const o of [refused, busy, ok]) notify(o.id, { title: 'Adresse à problème', visible: '2026-03-12T10:00' });
  await srv.setClock('2026-03-12T10:00');
  const state = (o) => sql(`SELECT state || ' ' || attempts FROM mail_outbox WHERE person_id = ${o.id} ORDER BY id DESC LIMIT 1`);
  assert.equal(state(refused), 'failed 1');
  assert.equal(state(busy), 'queued 1');
  assert.equal(mailsTo(ok.email).filter((m) => m.body.includes('Adresse à problème')).length, 1, 'the others go on');
  for (const t of ['11:00', '12:00', '13:00', '14:00']) await srv.setClock(`2026-03-12T${t}`);
  assert.equal(state(busy), 'failed 5');
  await srv.setClock('2026-03-12T15:00');
  assert.equal(state(busy), 'failed 5', 'given up');
  assert.match(sql(`SELECT error FROM mail_outbox WHERE person_id = ${busy.id} ORDER BY id DESC LIMIT 1`), /451/);
  sql(`UPDATE person SET email = substr(email, 8) WHERE id = ${refused.id}; UPDATE person SET email = substr(email, 6) WHERE id = ${busy.id}`);
});

test('S-NOTIFY, R-DISCO: personal quiet times delay the e-mail (one digest at their end), never the centre; weekends too; no address, no e-mail', async () => {
  const p = await srv.as('parent.demo');
  const page = await p.get('/compte/notifications');
  const keep = { csrf: Client.csrfOf(page.text), soir: '18:00', matin: '08:00' };
  for (const s of ['messages', 'homework', 'log', 'grades', 'timetable', 'attendance', 'news']) keep[`centre_${s}`] = '1';
  for (const s of ['messages', 'homework', 'grades', 'timetable', 'attendance']) keep[`email_${s}`] = '1';
  assert.equal((await p.post('/compte/notifications', keep)).status, 303);
  const shown = await p.get('/compte/notifications');
  assert.match(shown.text, /name="soir" value="18:00"/);
  assert.match(shown.text, /name="matin" value="08:00"/);
  await srv.setClock('2026-03-12T18:30');
  smtp.clear();
  const a = notify(ids.parent, { service: 'homework', title: 'Devoir posté à 19 h', visible: '2026-03-13T07:00' });
  const b = notify(ids.parent, { service: 'grades', title: 'Note publiée la veille', visible: '2026-03-13T07:00' });
  await srv.setClock('2026-03-13T07:00');
  assert.equal(mailsTo(ids.parentMail).length, 0, 'not inside the parent\'s quiet time');
  const p2 = await srv.as('parent.demo'); // the clock moved on: a new session
  const list = (await p2.get('/api/v1/notifications')).json();
  assert.ok(list.notifications.some((n) => String(n.id) === a), 'the centre shows it (visible_at is the establishment\'s)');
  assert.ok(list.unread >= 2, 'and counts it');
  await srv.setClock('2026-03-13T07:59');
  assert.equal(mailsTo(ids.parentMail).length, 0);
  await srv.setClock('2026-03-13T08:00');
  const got = mailsTo(ids.parentMail);
  assert.equal(got.length, 1, 'one e-mail at the end of the quiet time');
  assert.ok(got[0].body.includes('Devoir posté à 19 h') && got[0].body.includes('Note publiée la veille'));
  assert.equal(sql(`SELECT count(DISTINCT mail_id) FROM notification WHERE id IN (${a}, ${b})`), '1');
  // Weekends: nothing on Saturday or Sunday, then Monday at the end of the morning quiet time.
  keep.weekend = '1';
  keep.csrf = Client.csrfOf((await p2.get('/compte/notifications')).text);
  assert.equal((await p2.post('/compte/notifications', keep)).status, 303);
  smtp.clear();
  notify(ids.parent, { service: 'messages', title: 'Message urgent du samedi', visible: '2026-03-14T10:00' });
  await srv.setClock('2026-03-14T10:00');
  await srv.setClock('2026-03-15T12:00');
  assert.equal(mailsTo(ids.parentMail).length, 0, 'not on the weekend');
  await srv.setClock('2026-03-16T07:30');
  assert.equal(mailsTo(ids.parentMail).length, 0, 'nor before 08:00 on Monday');
  await srv.setClock('2026-03-16T08:00');
  assert.equal(mailsTo(ids.parentMail).length, 1);
  // Quiet times only ever delay: cleared, the next one goes at once.
  sql(`DELETE FROM notify_quiet WHERE person_id = ${ids.parent}`);
  // A person without an e-mail address gets none, and sees everything in the centre.
  const pupil = notify(ids.pupil, { service: 'grades', title: 'Ta note de mathématiques', visible: '2026-03-16T08:05' });
  await srv.setClock('2026-03-16T08:10');
  assert.equal(sql(`SELECT mail_done || '/' || coalesce(CAST(mail_id AS TEXT), 'none') FROM notification WHERE id = ${pupil}`), '1/none');
  const e = await srv.as('eleve.demo');
  assert.ok((await e.get('/api/v1/notifications')).json().notifications.some((n) => String(n.id) === pupil));
});

test('S-NOTIFY, R-DISCO: a message a teacher sends at 21:30 reaches the parent\'s centre and mailbox at 07:00, not before — through messaging', async () => {
  await srv.setClock('2026-03-16T21:30');
  smtp.clear();
  const t = await srv.as('prof.demo');
  const sent = await (await api(t))('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Sortie au musée jeudi',
    body: 'Bonjour, la sortie au musée aura lieu jeudi. Prévoir un pique-nique.' });
  assert.equal(sent.status, 201, sent.text);
  assert.equal(sent.json().held, false);
  const thread = sent.json().id;
  await srv.setClock('2026-03-16T23:00');
  assert.equal(mailsTo(ids.parentMail).length, 0, 'no e-mail in the quiet period');
  const p = await srv.as('parent.demo');
  assert.ok(!(await p.get('/api/v1/notifications')).json().notifications.some((n) => /Sortie au musée jeudi/.test(n.title)), 'nor in the centre');
  await srv.setClock('2026-03-17T07:00');
  const got = mailsTo(ids.parentMail);
  assert.equal(got.length, 1, 'one e-mail at 07:00');
  const line = got[0].body.match(/Nouveau message de Nicolas Lefèvre : Sortie au musée jeudi\n {2}(\S+)/);
  assert.ok(line, got[0].body);
  assert.ok(line[1].startsWith(`${PUBLIC}/notifications/`));
  const p2 = await srv.as('parent.demo');
  const open = await p2.get(line[1].slice(PUBLIC.length));
  assert.equal(open.status, 303);
  assert.equal(open.location, `/messagerie/fils/${thread}`);
  assert.match(visibleText((await p2.get(open.location)).text), /Prévoir un pique-nique/);
});

test('S-NOTIFY: without CARNET_SMTP_URL nothing is sent and the job says so once', async () => {
  const plain = await startServer({ now: '2026-03-10T17:30', extra: [], env: { CARNET_SMTP_URL: '' } });
  try {
    const id = plain.sql(`INSERT INTO notification (person_id, service, title, url, created_at, visible_at)
      VALUES (${ids.parent}, 'messages', 'Sans serveur de courrier', '/', ${at('2026-03-10T17:00')}, ${at('2026-03-10T17:00')}) RETURNING id`);
    await plain.setClock('2026-03-10T18:00');
    await plain.setClock('2026-03-10T18:05');
    assert.equal(plain.sql(`SELECT mail_done FROM notification WHERE id = ${id}`), '0', 'left for when e-mail is configured');
    assert.equal(plain.sql('SELECT count(*) FROM mail_outbox'), '0');
    const run = spawnSync(BIN, ['notify', '--once', '--db', plain.db], { env: { ...process.env, CARNET_SMTP_URL: '' }, encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /0 e-mail\(s\) made/);
    assert.equal(run.stderr.match(/no CARNET_SMTP_URL: notifications are not sent by e-mail/g).length, 1, run.stderr);
  } finally {
    await plain.stop();
  }
});

test('S-NOTIFY: the header badge stops counting at 99 ("99+"); the centre and the JSON give the exact number', async () => {
  await srv.setClock('2026-03-10T17:30');
  const prof = ids.prof;
  sql(`WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < 149)
    INSERT INTO notification (person_id, service, title, url, establishment_id, created_at, visible_at, mail_done)
    SELECT ${prof}, 'messages', 'Badge ' || n, '/messagerie', ${ids.college}, ${at('2026-03-10T08:00')}, ${at('2026-03-10T08:00')}, 1 FROM k`);
  try {
    const t = await srv.as('prof.demo');
    const exact = Number(sql(`SELECT count(*) FROM notification WHERE person_id = ${prof} AND read_at IS NULL AND visible_at <= ${at('2026-03-10T17:30')}`));
    assert.ok(exact >= 150);
    const home = await t.get('/');
    assert.match(home.text, /class="badge">99\+<\/span>/);
    assert.match(visibleText(home.text), /99\+ notifications non lues/);
    assert.equal((await t.get('/api/v1/notifications')).json().unread, exact, 'the JSON counts them all');
  } finally {
    sql(`DELETE FROM notification WHERE person_id = ${prof} AND title LIKE 'Badge %'`);
  }
});
