// S-MESSAGES: threads between people of an establishment under the
// communication policy (tested as a matrix), read state, replies,
// attachments; forbidden recipients and strangers to a thread get a clear
// 4xx and nothing is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);
const person = (login) => one(`SELECT person_id FROM account WHERE login = '${login}'`);

before(async () => {
  srv = await startServer({ now: '2026-03-10T17:30' });
  const lucie = person('eleve.demo');
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  const prof = person('prof.demo');
  ids = {
    lucie, cls, prof,
    parent: person('parent.demo'), cpe: person('cpe.demo'), head: person('direction.demo'),
    est: one(`SELECT establishment_id FROM class WHERE id = ${cls}`),
    classmate: one(`SELECT pupil_id FROM enrolment WHERE class_id = ${cls} AND pupil_id <> ${lucie} LIMIT 1`),
    otherParent: one(`SELECT g.parent_id FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id WHERE en.class_id = ${cls}
      AND g.parent_id <> (SELECT person_id FROM account WHERE login = 'parent.demo') LIMIT 1`),
    colleague: one(`SELECT t.teacher_id FROM teaching t WHERE t.class_id = ${cls} AND t.teacher_id <> ${prof} LIMIT 1`),
    // A teacher of the collège who does not teach 4e B.
    stranger: one(`SELECT r.person_id FROM role r WHERE r.profile = 'teacher' AND r.establishment_id = (SELECT establishment_id FROM class WHERE id = ${cls})
      AND r.person_id NOT IN (SELECT teacher_id FROM teaching WHERE class_id = ${cls}) LIMIT 1`),
    // A pupil of a class prof.demo does not teach.
    untaught: one(`SELECT en.pupil_id FROM enrolment en JOIN class c ON c.id = en.class_id WHERE c.establishment_id = (SELECT establishment_id FROM class WHERE id = ${cls})
      AND en.class_id NOT IN (SELECT class_id FROM teaching WHERE teacher_id = ${prof} AND class_id IS NOT NULL) LIMIT 1`),
    ecoleTeacher: one(`SELECT t.teacher_id FROM teaching t JOIN establishment e ON e.id = t.establishment_id WHERE e.kind = 'ecole' LIMIT 1`),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
});
after(async () => { await srv.stop(); });

async function api(c) {
  const me = (await c.get('/api/v1/me')).json();
  return (method, path, json) => c.request(method, path, { json, headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
}

const count = () => one('SELECT count(*) FROM thread') + '/' + one('SELECT count(*) FROM message') + '/' + one('SELECT count(*) FROM thread_participant');

test('S-MESSAGES: a parent writes to a teacher with an attachment; the teacher reads and answers; unread counts follow', async () => {
  const p = await srv.as('parent.demo');
  const unreadBefore = (await p.get('/api/v1/threads')).json().unread;
  const t = await srv.as('prof.demo');
  // The demo's own inbox has unread threads already: the portal counts them.
  const teacherUnread = (await t.get('/api/v1/threads')).json().unread;
  const unreadLine = (n) => (n ? new RegExp(`Messagerie ${n} conversation\\(s\\) avec un message non lu`) : /Aucun message non lu/);
  const page = await p.get(`/messagerie/nouveau?a=${ids.prof}`);
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`name="to_${ids.prof}" value="1" checked`), 'the teaching team is offered, the teacher ticked');
  assert.doesNotMatch(page.text, new RegExp(`name="to_${ids.classmate}"`));
  const form = new FormData();
  form.set('csrf', Client.csrfOf(page.text));
  form.set(`to_${ids.prof}`, '1');
  form.set('subject', 'Devoir de mathématiques');
  form.set('body', 'Bonjour, Lucie était malade hier : voici le **certificat**.');
  form.set('piece', new Blob(['%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n']), 'certificat.pdf');
  const sent = await p.request('POST', '/messagerie/nouveau', { body: form });
  assert.equal(sent.status, 303, visibleText(sent.text));
  const thread = sent.location.match(/fils\/(\d+)/)[1];
  assert.match(visibleText((await t.get('/')).text), unreadLine(teacherUnread + 1));
  const inbox = await t.get('/messagerie');
  assert.match(inbox.text, /class="unread"/);
  assert.match(visibleText(inbox.text), /Devoir de mathématiques — Claire Moreau/);
  // Followed from the inbox: a navigation of our own, which marks the thread read (review #8).
  const view = await t.get(`/messagerie/fils/${thread}`, { headers: { 'Sec-Fetch-Site': 'same-origin' } });
  assert.equal(view.status, 200);
  assert.match(view.text, /<strong>certificat<\/strong>/);
  const att = one(`SELECT a.id FROM attachment a JOIN message m ON m.id = a.owner_id WHERE a.owner = 'message' AND m.thread_id = ${thread}`);
  assert.equal((await t.get(`/pieces-jointes/${att}/certificat.pdf`)).status, 200);
  assert.equal((await (await srv.as('eleve.demo')).get(`/pieces-jointes/${att}/certificat.pdf`)).status, 403, 'not a participant');
  assert.match(visibleText((await t.get('/')).text), unreadLine(teacherUnread), 'opening the thread marked it read');
  const answered = await t.post(`/messagerie/fils/${thread}/repondre`, { csrf: Client.csrfOf(view.text), body: 'Merci, bon rétablissement à Lucie.' });
  assert.equal(answered.status, 303);
  const list = (await p.get('/api/v1/threads')).json();
  assert.equal(list.unread, unreadBefore + 1);
  assert.ok(list.threads.some((x) => String(x.id) === thread && x.unread && x.last_author === 'Nicolas Lefèvre'));
  const doc = (await p.get(`/api/v1/threads/${thread}`)).json();
  assert.deepEqual(doc.messages.map((m) => m.author), ['Claire Moreau', 'Nicolas Lefèvre']);
  assert.equal((await p.get('/api/v1/threads')).json().unread, unreadBefore);
  // Archive, then it comes back to the inbox with a new message.
  const v2 = await p.get(`/messagerie/fils/${thread}`);
  assert.equal((await p.post(`/messagerie/fils/${thread}/dossier`, { csrf: Client.csrfOf(v2.text), dossier: 'archive' })).status, 303);
  assert.doesNotMatch((await p.get('/messagerie')).text, /Devoir de mathématiques/);
  assert.match((await p.get('/messagerie?dossier=archive')).text, /Devoir de mathématiques/);
});

test('S-MESSAGES communication policy, as a matrix: who may start a thread with whom', async () => {
  const matrix = [
    ['eleve.demo', 'prof', true], ['eleve.demo', 'cpe', true], ['eleve.demo', 'head', true],
    ['eleve.demo', 'classmate', false], ['eleve.demo', 'stranger', false], ['eleve.demo', 'parent', false],
    ['parent.demo', 'prof', true], ['parent.demo', 'colleague', true], ['parent.demo', 'cpe', true], ['parent.demo', 'head', true],
    ['parent.demo', 'otherParent', false], ['parent.demo', 'classmate', false], ['parent.demo', 'stranger', false],
    ['prof.demo', 'lucie', true], ['prof.demo', 'parent', true], ['prof.demo', 'colleague', true], ['prof.demo', 'cpe', true],
    ['prof.demo', 'untaught', false], ['prof.demo', 'ecoleTeacher', false],
    ['cpe.demo', 'lucie', true], ['cpe.demo', 'otherParent', true], ['cpe.demo', 'untaught', true], ['cpe.demo', 'ecoleTeacher', false],
    ['direction.demo', 'classmate', true], ['admin.demo', 'prof', false],
  ];
  for (const [login, target, allowed] of matrix) {
    const c = await srv.as(login);
    const call = await api(c);
    const before = count();
    const res = await call('POST', '/api/v1/threads', { [`to_${ids[target]}`]: true, subject: 'Essai', body: 'Bonjour.' });
    if (allowed) {
      assert.equal(res.status, 201, `${login} → ${target}: ${res.text}`);
    } else {
      assert.equal(res.status, 403, `${login} → ${target} must be refused: ${res.text}`);
      assert.equal(count(), before, `${login} → ${target}: nothing stored`);
    }
  }
});

test('S-MESSAGES communication policy: the establishment can close a pair of profiles', async () => {
  one(`INSERT INTO communication_rule (establishment_id, from_profile, to_profile, allowed) VALUES (${ids.est}, 'parent', 'teacher', 0)`);
  const call = await api(await srv.as('parent.demo'));
  const res = await call('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Essai', body: 'Bonjour.' });
  assert.equal(res.status, 403);
  assert.match(res.json().error.message, /Vous ne pouvez pas écrire à Nicolas Lefèvre/);
  assert.equal((await call('POST', '/api/v1/threads', { [`to_${ids.cpe}`]: true, subject: 'Essai', body: 'Bonjour.' })).status, 201);
  one(`DELETE FROM communication_rule WHERE establishment_id = ${ids.est}`);
});

test('S-MESSAGES bad input: no recipient, unknown or forbidden ones, a thread I am not in, a disguised file: nothing stored', async () => {
  const p = await srv.as('parent.demo');
  const call = await api(p);
  const before = count();
  assert.equal((await call('POST', '/api/v1/threads', { subject: 'Essai', body: 'Bonjour.' })).status, 400);
  const unknown = await call('POST', '/api/v1/threads', { to_99999999: true, subject: 'Essai', body: 'Bonjour.' });
  assert.equal(unknown.status, 403);
  assert.match(unknown.json().error.message, /n'existe pas/);
  // One allowed and one forbidden recipient: the whole message is refused.
  const mixed = await call('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, [`to_${ids.otherParent}`]: true, subject: 'Essai', body: 'x' });
  assert.equal(mixed.status, 403);
  assert.equal((await call('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: '', body: 'Bonjour.' })).status, 400);
  assert.equal(count(), before);
  // A thread between the teacher and the CPE: the parent cannot read it or answer.
  const t = await api(await srv.as('prof.demo'));
  const made = await t('POST', '/api/v1/threads', { [`to_${ids.cpe}`]: true, subject: 'Conseil de classe', body: 'Entre nous.' });
  assert.equal(made.status, 201);
  const secret = made.json().id;
  assert.equal((await p.get(`/messagerie/fils/${secret}`)).status, 403);
  assert.equal((await p.get(`/api/v1/threads/${secret}`)).status, 403);
  const after1 = count();
  assert.equal((await call('POST', `/api/v1/threads/${secret}/messages`, { body: 'Je lis tout.' })).status, 403);
  assert.equal((await p.get('/messagerie/fils/99999999')).status, 404);
  assert.equal(count(), after1);
  // Invalid UTF-8 in a form: refused before anything.
  const page = await p.get('/messagerie/nouveau');
  const raw = await p.request('POST', '/messagerie/nouveau', { body: Buffer.concat([Buffer.from(`csrf=${Client.csrfOf(page.text)}&to_${ids.prof}=1&subject=a&body=`), Buffer.from([0xc3, 0x28])]),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(raw.status, 400);
  // A program named like a PDF.
  const form = new FormData();
  form.set('csrf', Client.csrfOf(page.text));
  form.set(`to_${ids.prof}`, '1');
  form.set('subject', 'Pièce jointe');
  form.set('body', 'Voir la pièce jointe.');
  form.set('piece', new Blob([Buffer.from('7f454c4602010100000000000000000002003e00', 'hex')]), 'devoir.pdf');
  const disguised = await p.request('POST', '/messagerie/nouveau', { body: form });
  assert.equal(disguised.status, 400);
  assert.match(visibleText(disguised.text), /Ce type de fichier n'est pas accepté/);
  assert.equal(count(), after1);
});

test('S-MESSAGES: the head edits who may write to whom, and suspends messaging for a profile at once (kill switch)', async () => {
  const h = await srv.as('direction.demo');
  const page = await h.get(`/etablissements/${ids.est}/messagerie`);
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.text, /name="r_0_0"/, 'pupil to pupil is not offered');
  assert.doesNotMatch(page.text, /name="r_1_1"/, 'family to family is not offered');
  // Close parents → teachers: every box ticked but that one.
  const form = { csrf: Client.csrfOf(page.text) };
  for (const m of page.text.matchAll(/name="(r_\d_\d)"/g)) if (m[1] !== 'r_1_2') form[m[1]] = '1';
  assert.equal((await h.post(`/etablissements/${ids.est}/messagerie`, form)).status, 303);
  const parent = await api(await srv.as('parent.demo'));
  assert.equal((await parent('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'a', body: 'b' })).status, 403);
  assert.equal((await parent('POST', '/api/v1/threads', { [`to_${ids.cpe}`]: true, subject: 'a', body: 'b' })).status, 201);
  // Kill switch for pupils: reading stays, sending stops, the attempt is logged.
  const again = await h.get(`/etablissements/${ids.est}/messagerie`);
  const f2 = { csrf: Client.csrfOf(again.text), s_0: '1' };
  for (const m of again.text.matchAll(/name="(r_\d_\d)"/g)) f2[m[1]] = '1';
  assert.equal((await h.post(`/etablissements/${ids.est}/messagerie`, f2)).status, 303);
  const pupil = await srv.as('eleve.demo');
  const call = await api(pupil);
  const before = count();
  const res = await call('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'a', body: 'b' });
  assert.equal(res.status, 403);
  assert.match(res.json().error.message, /suspendu/);
  assert.equal(count(), before);
  assert.equal((await pupil.get('/messagerie')).status, 200, 'reading stays possible');
  assert.equal(one(`SELECT count(*) FROM audit WHERE action = 'message.suspended'`), '1');
  assert.equal((await parent('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'a', body: 'b' })).status, 201, 'parents again');
  // Only the head.
  const t = await srv.as('prof.demo');
  assert.equal((await t.get(`/etablissements/${ids.est}/messagerie`)).status, 403);
  one(`DELETE FROM communication_rule WHERE establishment_id = ${ids.est}; DELETE FROM establishment_setting WHERE key = 'messages.suspended'`);
});

test('R-SEC: "report this message" goes to the head\'s queue; removing it replaces it for everyone and keeps it in the audit', async () => {
  const t = await api(await srv.as('prof.demo'));
  const made = await t('POST', '/api/v1/threads', { [`to_${ids.lucie}`]: true, subject: 'Remarque', body: 'Un message déplacé.' });
  assert.equal(made.status, 201);
  const thread = made.json().id;
  const mid = one(`SELECT id FROM message WHERE thread_id = ${thread}`);
  const e = await srv.as('eleve.demo');
  const view = await e.get(`/messagerie/fils/${thread}`);
  assert.match(visibleText(view.text), /Signaler ce message/);
  const rep = await e.post(`/messagerie/messages/${mid}/signaler`, { csrf: Client.csrfOf(view.text), motif: 'Ton blessant' });
  assert.equal(rep.status, 303);
  // The author cannot report their own message; a stranger to the thread cannot either.
  assert.equal((await t('POST', `/api/v1/messages/${mid}/report`, {})).status, 400);
  const p = await api(await srv.as('parent.demo'));
  assert.equal((await p('POST', `/api/v1/messages/${mid}/report`, {})).status, 403);
  const h = await srv.as('direction.demo');
  assert.match(visibleText((await h.get('/')).text), /Messages signalés \(1\)/);
  const queue = await h.get(`/etablissements/${ids.est}/moderation`);
  assert.match(visibleText(queue.text), /Remarque Signalé par Lucie Moreau .* Motif : Ton blessant .* Un message déplacé\./);
  const rid = one(`SELECT id FROM message_report WHERE message_id = ${mid}`);
  assert.equal((await (await srv.as('cpe.demo')).get(`/etablissements/${ids.est}/moderation`)).status, 403, 'the head decides');
  assert.equal((await h.post(`/etablissements/${ids.est}/moderation/${rid}`, { csrf: Client.csrfOf(queue.text), decision: 'remove' })).status, 303);
  assert.match(visibleText((await e.get(`/messagerie/fils/${thread}`)).text), /Message retiré par la direction/);
  assert.doesNotMatch((await e.get(`/messagerie/fils/${thread}`)).text, /Un message déplacé/);
  assert.equal(one(`SELECT detail FROM audit WHERE action = 'message.removed' AND object = 'message:${mid}'`), 'Un message déplacé.');
  assert.doesNotMatch(visibleText((await h.get(`/etablissements/${ids.est}/moderation`)).text), /Remarque/);
});

test('S-MESSAGES lists: a teacher writes to the parents of a class; each gets a private thread, nobody sees the others', async () => {
  const t = await api(await srv.as('prof.demo'));
  const page = await (await srv.as('prof.demo')).get('/messagerie/nouveau');
  assert.match(page.text, new RegExp(`name="lp_${ids.cls}"`), 'the parents of a class taught are offered');
  const parents = Number(one(`SELECT count(DISTINCT g.parent_id) FROM enrolment en JOIN guardianship g ON g.pupil_id = en.pupil_id
    WHERE en.class_id = ${ids.cls} AND g.receives_mail = 1`));
  const before = Number(one('SELECT count(*) FROM thread'));
  const res = await t('POST', '/api/v1/threads', { [`lp_${ids.cls}`]: true, subject: 'Sortie au musée', body: 'Autorisation à signer.' });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json().recipients, parents);
  assert.equal(Number(one('SELECT count(*) FROM thread')) - before, parents, 'one private thread per parent');
  const group = res.json().id;
  assert.equal(one(`SELECT max(n) FROM (SELECT count(*) AS n FROM thread_participant tp JOIN thread t ON t.id = tp.thread_id
    WHERE t.broadcast_id = ${group} GROUP BY t.id) d`), '2', 'each thread: the teacher and one parent');
  // Claire Moreau sees it as her own conversation with the teacher, and nobody else.
  const p = await srv.as('parent.demo');
  const mine = (await p.get('/api/v1/threads')).json().threads.find((x) => x.subject === 'Sortie au musée');
  assert.ok(mine);
  const view = await p.get(`/messagerie/fils/${mine.id}`);
  assert.match(visibleText(view.text), /Entre Nicolas Lefèvre, Claire Moreau Nicolas Lefèvre — /, 'only the two of them');
  // The teacher's sent folder shows it once; a class not taught is refused.
  const sent = (await t('GET', '/api/v1/threads?dossier=sent')).json().threads.filter((x) => x.subject === 'Sortie au musée');
  assert.equal(sent.length, 1);
  const other = one(`SELECT c.id FROM class c WHERE c.establishment_id = ${ids.est} AND c.id NOT IN
    (SELECT class_id FROM teaching WHERE teacher_id = ${ids.prof} AND class_id IS NOT NULL) LIMIT 1`);
  const n0 = count();
  assert.equal((await t('POST', '/api/v1/threads', { [`lp_${other}`]: true, subject: 'x', body: 'y' })).status, 403);
  // Families have no lists.
  assert.equal((await (await api(p))('POST', '/api/v1/threads', { [`lc_${ids.cls}`]: true, subject: 'x', body: 'y' })).status, 403);
  assert.equal(count(), n0);
});

test('R-SEC sending limits: a parent account writing too much is stopped with a clear message and school life is alerted', async () => {
  const call = await api(await srv.as('parent.demo'));
  // Too many recipients for a family account.
  const many = {};
  const staff = one(`SELECT DISTINCT r.person_id FROM role r WHERE r.establishment_id = ${ids.est}
    AND r.profile IN ('staff', 'head', 'teacher') AND r.person_id IN (SELECT teacher_id FROM teaching WHERE class_id = ${ids.cls})
    UNION SELECT person_id FROM role WHERE establishment_id = ${ids.est} AND profile IN ('staff', 'head') ORDER BY 1`).split('\n');
  assert.ok(staff.length > 15, 'enough allowed recipients to pass the limit');
  for (const id of staff) many[`to_${id}`] = true;
  const before = count();
  const res = await call('POST', '/api/v1/threads', { ...many, subject: 'À tous', body: 'Message à tous.' });
  assert.equal(res.status, 429);
  assert.match(res.json().error.message, /15 personnes au plus/);
  assert.equal(count(), before);
  // Messages per hour: the 21st within the hour is refused.
  const sent = Number(one(`SELECT count(*) FROM message WHERE author_id = ${ids.parent} AND created_at > ${Date.parse('2026-03-10T16:30:00Z') / 1000}`));
  const thread = one(`SELECT thread_id FROM thread_participant WHERE person_id = ${ids.parent} LIMIT 1`);
  let status = 0;
  for (let i = sent; i < 25 && status !== 429; i++) status = (await call('POST', `/api/v1/threads/${thread}/messages`, { body: `Relance ${i}` })).status;
  assert.equal(status, 429);
  const blocked = await call('POST', `/api/v1/threads/${thread}/messages`, { body: 'Encore une.' });
  assert.equal(blocked.status, 429);
  assert.match(blocked.json().error.message, /la vie scolaire est prévenue/);
  assert.ok(Number(one(`SELECT count(*) FROM message_alert WHERE person_id = ${ids.parent}`)) >= 2);
  const cpe = await srv.as('cpe.demo');
  assert.match(visibleText((await cpe.get('/vie-scolaire')).text), /Messagerie : comptes bloqués Claire Moreau — trop de messages dans l'heure/);
  // Staff are not held to the families' limits.
  const t = await api(await srv.as('prof.demo'));
  assert.equal((await t('POST', '/api/v1/threads', { [`to_${ids.lucie}`]: true, subject: 'Rappel', body: 'Bonjour Lucie.' })).status, 201);
});
