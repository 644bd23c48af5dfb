// S-MESSAGES, continued: lists for every profile, drafts, forwarding,
// answering one author, several attachments with their limits, images shown
// inline; R-SEC: the anomaly hold reviewed by the head; the communication
// policy enforced on answers too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);
const person = (login) => one(`SELECT person_id FROM account WHERE login = '${login}'`);
const count = () => ['thread', 'message', 'thread_participant', 'attachment', 'message_hold']
  .map((t) => one(`SELECT count(*) FROM ${t}`)).join('/');
const PDF = '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n';
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

before(async () => {
  srv = await startServer({ now: '2026-03-10T17:30' });
  const lucie = person('eleve.demo');
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  const prof = person('prof.demo');
  const est = one(`SELECT establishment_id FROM class WHERE id = ${cls}`);
  ids = {
    lucie, cls, prof, est,
    parent: person('parent.demo'), cpe: person('cpe.demo'), head: person('direction.demo'),
    level: one(`SELECT level_id FROM class WHERE id = ${cls}`),
    otherClass: one(`SELECT c.id FROM class c WHERE c.establishment_id = ${est} AND c.id <> ${cls} LIMIT 1`),
    colleague: one(`SELECT t.teacher_id FROM teaching t WHERE t.class_id = ${cls} AND t.teacher_id <> ${prof} LIMIT 1`),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
});
after(async () => { if (process.env.SHOW_STDERR) console.error(srv.stderr); await srv.stop(); });

async function api(c) {
  const me = (await c.get('/api/v1/me')).json();
  return (method, path, json) => c.request(method, path, { json, headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
}

async function compose(c, fields, files = []) {
  const page = await c.get('/messagerie/nouveau');
  const form = new FormData();
  form.set('csrf', Client.csrfOf(page.text));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const [name, data] of files) form.append('piece', new Blob([data]), name);
  return c.request('POST', '/messagerie/nouveau', { body: form });
}

test('S-MESSAGES lists for families: the teaching team of my child, school life, the head — one shared thread', async () => {
  const p = await srv.as('parent.demo');
  const page = await p.get('/messagerie/nouveau');
  const text = visibleText(page.text);
  assert.match(text, /L'équipe pédagogique de Lucie \(4e B\)/);
  assert.match(text, /Vie scolaire/);
  assert.match(page.text, new RegExp(`name="lt_${ids.cls}"`));
  assert.doesNotMatch(page.text, new RegExp(`name="lp_${ids.cls}"`), 'a parent has no list of other families');
  const teachers = Number(one(`SELECT count(DISTINCT teacher_id) FROM teaching WHERE class_id = ${ids.cls}`));
  const call = await api(p);
  const res = await call('POST', '/api/v1/threads', { [`lt_${ids.cls}`]: true, subject: 'Réunion', body: 'Pouvons-nous nous voir ?' });
  assert.equal(res.status, 201, res.text);
  assert.ok(res.json().recipients >= teachers, 'every teacher of the class');
  assert.equal(one(`SELECT count(*) FROM thread WHERE id = ${res.json().id} OR broadcast_id = ${res.json().id}`), '1', 'one shared thread');
  const prof = await srv.as('prof.demo');
  assert.ok((await prof.get('/api/v1/threads')).json().threads.some((t) => t.subject === 'Réunion'));
  // The teaching team of a class that is not my child's is refused, nothing stored.
  const n0 = count();
  const other = await call('POST', '/api/v1/threads', { [`lt_${ids.otherClass}`]: true, subject: 'x', body: 'y' });
  assert.equal(other.status, 403);
  assert.equal(count(), n0);
  const sl = await call('POST', '/api/v1/threads', { [`ls_${ids.est}`]: true, subject: 'Absence', body: 'Lucie sera absente.' });
  assert.equal(sl.status, 201, sl.text);
  assert.ok((await (await srv.as('cpe.demo')).get('/api/v1/threads')).json().threads.some((t) => t.subject === 'Absence'));
});

test('S-MESSAGES lists for staff: the parents of a level, privately each; the teachers of a class, together', async () => {
  const cpe = await api(await srv.as('cpe.demo'));
  const parents = Number(one(`SELECT count(DISTINCT g.parent_id) FROM class c JOIN enrolment en ON en.class_id = c.id
    JOIN guardianship g ON g.pupil_id = en.pupil_id WHERE c.establishment_id = ${ids.est} AND c.level_id = ${ids.level} AND g.receives_mail = 1`));
  const res = await cpe('POST', '/api/v1/threads', { [`lvp_${ids.est}_${ids.level}`]: true, subject: 'Brevet blanc', body: 'Convocations.' });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json().recipients, parents);
  assert.equal(Number(one(`SELECT count(*) FROM thread WHERE broadcast_id = ${res.json().id}`)), parents, 'one private thread per parent');
  // The sender's page says how many, the sender's inbox is not flooded.
  const c = await srv.as('cpe.demo');
  assert.match(visibleText((await c.get(`/messagerie/fils/${res.json().id}`)).text), new RegExp(`Envoyé séparément à ${parents} personnes`));
  assert.ok(!(await c.get('/api/v1/threads')).json().threads.some((t) => t.subject === 'Brevet blanc'));
  const team = await cpe('POST', '/api/v1/threads', { [`lt_${ids.cls}`]: true, subject: 'Conseil de classe', body: 'Jeudi 17 h.' });
  assert.equal(team.status, 201);
  assert.equal(one(`SELECT count(*) FROM thread WHERE broadcast_id = ${team.json().id}`), '0', 'a staff list is one shared thread');
  // A teacher may not use a level list.
  const t = await api(await srv.as('prof.demo'));
  assert.equal((await t('POST', '/api/v1/threads', { [`lvp_${ids.est}_${ids.level}`]: true, subject: 'x', body: 'y' })).status, 403);
});

test('S-MESSAGES drafts: saved with an attachment, invisible to the recipient, picked up and sent', async () => {
  const p = await srv.as('parent.demo');
  const res = await compose(p, { [`to_${ids.prof}`]: '1', subject: 'Brouillon de Claire', body: 'Premier jet.', action: 'draft' },
    [['certificat.pdf', PDF]]);
  assert.equal(res.status, 303, visibleText(res.text));
  const draft = res.location.match(/brouillon=(\d+)/)[1];
  const page = await p.get(res.location);
  assert.match(visibleText(page.text), /Brouillon enregistré/);
  assert.match(page.text, new RegExp(`name="to_${ids.prof}" value="1" checked`), 'the recipient is kept');
  assert.match(page.text, /Premier jet\./);
  assert.match(visibleText(page.text), /Pièces jointes reprises : certificat\.pdf/);
  assert.match(visibleText((await p.get('/messagerie?dossier=drafts')).text), /Brouillon de Claire/);
  const t = await srv.as('prof.demo');
  assert.ok(!(await t.get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Brouillon de Claire'), 'a draft is not sent');
  const thread = one(`SELECT thread_id FROM message WHERE id = ${draft}`);
  assert.equal((await t.get(`/messagerie/fils/${thread}`)).status, 404, 'a draft thread does not exist for others');
  // Send it.
  const sent = await compose(p, { [`to_${ids.prof}`]: '1', subject: 'Brouillon de Claire', body: 'Version finale.', brouillon: draft, action: 'send' });
  assert.equal(sent.status, 303, visibleText(sent.text));
  const id = sent.location.match(/fils\/(\d+)/)[1];
  const view = await t.get(`/messagerie/fils/${id}`);
  assert.match(visibleText(view.text), /Version finale\. certificat\.pdf/, 'the attachment of the draft went with it');
  assert.equal(one(`SELECT count(*) FROM message WHERE id = ${draft}`), '0', 'the draft is gone');
  assert.doesNotMatch(visibleText((await p.get('/messagerie?dossier=drafts')).text), /Brouillon de Claire/);
  // Another person's draft cannot be sent or opened.
  const res2 = await compose(p, { [`to_${ids.prof}`]: '1', subject: 'Autre brouillon', body: 'x', action: 'draft' });
  const d2 = res2.location.match(/brouillon=(\d+)/)[1];
  const other = await t.get(`/messagerie/nouveau?brouillon=${d2}`);
  assert.doesNotMatch(other.text, /Autre brouillon/);
});

test('S-MESSAGES forward and answer one author: attachments follow, the policy applies', async () => {
  const p = await srv.as('parent.demo');
  const sent = await compose(p, { [`to_${ids.prof}`]: '1', [`to_${ids.cpe}`]: '1', subject: 'Certificat médical', body: 'Ci-joint.' },
    [['certificat.pdf', PDF]]);
  assert.equal(sent.status, 303, visibleText(sent.text));
  const thread = sent.location.match(/fils\/(\d+)/)[1];
  const msg = one(`SELECT id FROM message WHERE thread_id = ${thread}`);
  const t = await srv.as('prof.demo');
  const view = await t.get(`/messagerie/fils/${thread}`);
  assert.match(view.text, new RegExp(`/messagerie/nouveau\\?transferer=${msg}`));
  assert.match(visibleText(view.text), /Répondre à Claire Moreau seulement/, 'three people: answering one author is offered');
  const fwd = await t.get(`/messagerie/nouveau?transferer=${msg}`);
  assert.match(fwd.text, /value="Tr : Certificat médical"/);
  assert.match(fwd.text, /&gt; Ci-joint\./, 'the text is quoted');
  const form = new FormData();
  form.set('csrf', Client.csrfOf(fwd.text));
  form.set(`to_${ids.cpe}`, '1');
  form.set('subject', 'Tr : Certificat médical');
  form.set('body', 'Pour information.');
  form.set('transferer', msg);
  const done = await t.request('POST', '/messagerie/nouveau', { body: form });
  assert.equal(done.status, 303, visibleText(done.text));
  const fthread = done.location.match(/fils\/(\d+)/)[1];
  const colleague = await srv.as('cpe.demo');
  const doc = (await colleague.get(`/api/v1/threads/${fthread}`)).json();
  assert.equal(doc.messages[0].attachments[0].name, 'certificat.pdf');
  assert.equal((await colleague.get(`${doc.messages[0].attachments[0].url}certificat.pdf`)).status, 200);
  // Someone outside the thread cannot forward its message.
  const pupil = await api(await srv.as('eleve.demo'));
  const n0 = count();
  const bad = await pupil('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'x', body: 'y', transferer: Number(msg) });
  assert.equal(bad.status, 403);
  assert.equal(count(), n0);
  // Answer the author only: a new thread with them.
  const re = await t.get(`/messagerie/nouveau?repondre=${msg}`);
  assert.match(re.text, new RegExp(`name="to_${ids.parent}" value="1" checked`));
  assert.match(re.text, /value="Re : Certificat médical"/);
});

test('S-MESSAGES attachments: several per message, limits told before upload, disguised or oversized files refused, images inline', async () => {
  const p = await srv.as('parent.demo');
  const page = await p.get('/messagerie/nouveau');
  assert.match(visibleText(page.text), /Jusqu'à 5 fichiers, 10 Mo en tout et 5 Mo par fichier/);
  assert.match(page.text, /type="file" name="piece" multiple/);
  const ok = await compose(p, { [`to_${ids.prof}`]: '1', subject: 'Deux pièces', body: 'Voici.' },
    [['../../etc/passwd.pdf', PDF], ['photo.png', PNG]]);
  assert.equal(ok.status, 303, visibleText(ok.text));
  const thread = ok.location.match(/fils\/(\d+)/)[1];
  const names = one(`SELECT a.name FROM attachment a JOIN message m ON m.id = a.owner_id AND a.owner = 'message'
    WHERE m.thread_id = ${thread} ORDER BY a.id`).split('\n').join('|');
  assert.equal(names, 'passwd.pdf|photo.png', 'no path in a stored name');
  const t = await srv.as('prof.demo');
  const view = await t.get(`/messagerie/fils/${thread}`);
  const img = view.text.match(/<img class="attached" src="(\/pieces-jointes\/\d+\/photo\.png\?vue=1)"/);
  assert.ok(img, 'the photo is shown in the page');
  const shown = await t.get(img[1]);
  assert.equal(shown.status, 200);
  assert.match(shown.headers.get('content-disposition'), /^inline/);
  assert.equal(shown.headers.get('content-type'), 'image/png');
  const pdf = one(`SELECT a.id FROM attachment a JOIN message m ON m.id = a.owner_id AND a.owner = 'message' WHERE m.thread_id = ${thread} AND a.name = 'passwd.pdf'`);
  assert.match((await t.get(`/pieces-jointes/${pdf}/passwd.pdf?vue=1`)).headers.get('content-disposition'), /^attachment/, 'a PDF is never inline');
  const n0 = count();
  const six = await compose(p, { [`to_${ids.prof}`]: '1', subject: 'Six', body: 'x' }, Array.from({ length: 6 }, (_, i) => [`p${i}.pdf`, PDF]));
  assert.equal(six.status, 400);
  assert.match(visibleText(six.text), /Pas plus de 5 pièces jointes/);
  const exe = await compose(p, { [`to_${ids.prof}`]: '1', subject: 'Exe', body: 'x' },
    [['bon.pdf', PDF], ['facture.pdf', Buffer.concat([Buffer.from('MZ\x90\x00\x03'), Buffer.alloc(200)])]]);
  assert.equal(exe.status, 400);
  assert.match(visibleText(exe.text), /« facture\.pdf » : Ce type de fichier n'est pas accepté/);
  const big = Buffer.alloc(3.5 * 1024 * 1024, 'a');
  const heavy = await compose(p, { [`to_${ids.prof}`]: '1', subject: 'Lourd', body: 'x' }, [['a.txt', big], ['b.txt', big], ['c.txt', big]]);
  assert.equal(heavy.status, 400);
  assert.match(visibleText(heavy.text), /dépassent 10 Mo ensemble/);
  assert.equal(count(), n0, 'nothing stored');
  assert.equal((await (await srv.as('eleve.demo')).get(img[1])).status, 403, 'not a participant');
});

test('R-SEC anomaly rule: an account writing to an unusual number of people is held for the head, who releases or rejects', async () => {
  // A parent writes to 15 staff (the most one message may reach), then to 11 more within 15 minutes: 26 > 25.
  const staff = one(`SELECT DISTINCT person_id FROM role WHERE establishment_id = ${ids.est}
    AND profile IN ('teacher', 'staff', 'head') AND person_id IN (SELECT teacher_id FROM teaching WHERE class_id = ${ids.cls}
    UNION SELECT person_id FROM role WHERE establishment_id = ${ids.est} AND profile IN ('staff', 'head')) ORDER BY 1`).split('\n')
    .sort((a, b) => (b === String(ids.cpe)) - (a === String(ids.cpe))); // the school-life officer first
  await srv.setClock('2026-03-11T09:00');
  const p = await srv.as('parent.demo');
  const call = await api(p);
  const batch = (from, to) => Object.fromEntries(staff.slice(from, to).map((id) => [`to_${id}`, true]));
  const first = await call('POST', '/api/v1/threads', { ...batch(0, 15), subject: 'Premier envoi', body: 'Bonjour à tous.' });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json().held, false);
  // The second message reaches the school-life officer among others (counted again: 15 + 11 > 25).
  const more = { ...batch(0, 11), [`to_${ids.cpe}`]: true };
  const second = await call('POST', '/api/v1/threads', { ...more, subject: 'Alerte générale', body: 'Message suspect.' });
  assert.equal(second.status, 201, second.text);
  assert.equal(second.json().held, true, 'held');
  const held = second.json().id;
  const r = await srv.as('cpe.demo');
  assert.ok(!(await r.get('/api/v1/threads')).json().threads.some((t) => t.subject === 'Alerte générale'), 'not delivered');
  assert.equal((await r.get(`/messagerie/fils/${held}`)).status, 404, 'a held thread does not exist for its recipients');
  assert.deepEqual((await r.get('/api/v1/messages/search?q=suspect')).json().results, [], 'nor in search');
  assert.match(visibleText((await p.get(`/messagerie/fils/${held}`)).text), /En attente de vérification/, 'the author sees it waits');
  // While held, the account's next messages are held too.
  const third = await call('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Encore', body: 'Encore.' });
  assert.equal(third.json().held, true);
  // The head's queue; a teacher cannot decide.
  const h = await srv.as('direction.demo');
  const queue = await h.get(`/etablissements/${ids.est}/moderation`);
  assert.match(visibleText(queue.text), /Messages retenus .* Alerte générale Claire Moreau — 11 destinataires/);
  const hold = one(`SELECT id FROM message_hold WHERE thread_id = ${held}`);
  const t = await srv.as('prof.demo');
  assert.equal((await t.post(`/etablissements/${ids.est}/retenus/${hold}`, { csrf: Client.csrfOf((await t.get('/')).text), decision: 'release' })).status, 403);
  const rel = await h.post(`/etablissements/${ids.est}/retenus/${hold}`, { csrf: Client.csrfOf(queue.text), decision: 'release' });
  assert.equal(rel.status, 303);
  assert.ok((await r.get('/api/v1/threads')).json().threads.some((t) => t.subject === 'Alerte générale'), 'delivered once released');
  assert.equal((await r.get('/api/v1/messages/search?q=suspect')).json().results.length, 1, 'and found by search');
  const hold3 = one(`SELECT id FROM message_hold WHERE thread_id = ${third.json().id}`);
  const rej = await h.post(`/etablissements/${ids.est}/retenus/${hold3}`, { csrf: Client.csrfOf(queue.text), decision: 'reject' });
  assert.equal(rej.status, 303);
  assert.match(visibleText((await p.get(`/messagerie/fils/${third.json().id}`)).text), /Refusé par la direction/);
  const prof = await srv.as('prof.demo');
  assert.equal((await prof.get(`/messagerie/fils/${third.json().id}`)).status, 404, 'a rejected message is never delivered');
  const again = await h.post(`/etablissements/${ids.est}/retenus/${hold3}`, { csrf: Client.csrfOf(queue.text), decision: 'release' });
  assert.equal(again.status, 404, 'decided once');
  for (const action of ['message.held', 'message.released', 'message.rejected'])
    assert.ok(Number(one(`SELECT count(*) FROM audit WHERE action = '${action}'`)) >= 1, `${action} audited`);
  await srv.setClock('2026-03-10T17:30');
});

test('S-MESSAGES communication policy on answers: a closed pair may still answer who wrote to them, not start again', async () => {
  await srv.setClock('2026-03-12T09:00');
  const p = await api(await srv.as('parent.demo'));
  const mine = await p('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Question', body: 'Une question.' });
  assert.equal(mine.status, 201, mine.text);
  const t = await api(await srv.as('prof.demo'));
  const theirs = await t('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Information', body: 'Une information.' });
  assert.equal(theirs.status, 201);
  one(`INSERT INTO communication_rule (establishment_id, from_profile, to_profile, allowed) VALUES (${ids.est}, 'parent', 'teacher', 0)`);
  try {
    const n0 = count();
    const closed = await p('POST', `/api/v1/threads/${mine.json().id}/messages`, { body: 'Relance.' });
    assert.equal(closed.status, 403);
    assert.match(closed.json().error.message, /ne vous permettent plus d'écrire/);
    assert.equal(count(), n0);
    assert.equal((await p('POST', `/api/v1/threads/${theirs.json().id}/messages`, { body: 'Merci.' })).status, 201, 'answering the teacher');
  } finally {
    one(`DELETE FROM communication_rule WHERE establishment_id = ${ids.est}`);
    await srv.setClock('2026-03-10T17:30');
  }
});

test('R-SEC kill switch for a time: suspended until an hour the head chose, then sending resumes by itself', async () => {
  await srv.setClock('2026-03-13T17:30');
  try {
    const h = await srv.as('direction.demo');
    const page = await h.get(`/etablissements/${ids.est}/messagerie`);
    assert.match(visibleText(page.text), /Jusqu'au \(facultatif\)/);
    const form = { csrf: Client.csrfOf(page.text), s_0: '1' };
    for (const m of page.text.matchAll(/name="(r_\d_\d)"/g)) form[m[1]] = '1';
    const n0 = one("SELECT count(*) FROM establishment_setting WHERE key LIKE 'messages.%'") + one("SELECT value FROM establishment_setting WHERE key LIKE 'messages.%' ORDER BY establishment_id, key");
    const past = await h.post(`/etablissements/${ids.est}/messagerie`, { ...form, jusqu_au: '2026-03-13T08:00' });
    assert.equal(past.status, 400, 'an end in the past');
    const nonsense = await h.post(`/etablissements/${ids.est}/messagerie`, { ...form, jusqu_au: 'demain soir' });
    assert.equal(nonsense.status, 400);
    assert.equal(one("SELECT count(*) FROM establishment_setting WHERE key LIKE 'messages.%'") + one("SELECT value FROM establishment_setting WHERE key LIKE 'messages.%' ORDER BY establishment_id, key"), n0, 'nothing changed');
    assert.equal((await h.post(`/etablissements/${ids.est}/messagerie`, { ...form, jusqu_au: '2026-03-13T18:30' })).status, 303);
    assert.match((await h.get(`/etablissements/${ids.est}/messagerie`)).text, /value="2026-03-13T18:30"/);
    const pupil = await api(await srv.as('eleve.demo'));
    assert.equal((await pupil('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'a', body: 'b' })).status, 403, 'suspended');
    await srv.setClock('2026-03-13T18:31');
    const later = await api(await srv.as('eleve.demo'));
    assert.equal((await later('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'a', body: 'b' })).status, 201, 'resumed by itself');
    assert.match(visibleText((await (await srv.as('direction.demo')).get(`/etablissements/${ids.est}/messagerie`)).text), /La suspension choisie est terminée/);
  } finally {
    one("DELETE FROM establishment_setting WHERE key LIKE 'messages.%'");
    await srv.setClock('2026-03-10T17:30');
  }
});

test('S-MESSAGES API: a message with attachments in one multipart request, with the CSRF header', async () => {
  const p = await srv.as('parent.demo');
  const me = (await p.get('/api/v1/me')).json();
  const form = new FormData();
  form.set(`to_${ids.prof}`, '1');
  form.set('subject', 'Par l\'API');
  form.set('body', 'Deux pièces.');
  form.append('piece', new Blob([PDF]), 'a.pdf');
  form.append('piece', new Blob([PNG]), 'b.png');
  const res = await p.request('POST', '/api/v1/threads', { body: form, headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
  assert.equal(res.status, 201, res.text);
  const doc = (await (await srv.as('prof.demo')).get(`/api/v1/threads/${res.json().id}`)).json();
  assert.deepEqual(doc.messages[0].attachments.map((a) => [a.name, a.type]), [['a.pdf', 'application/pdf'], ['b.png', 'image/png']]);
});

test('R-DISCO messages: written on Tuesday at 21:30, delivered on Wednesday at 07:00; never seen early in pages, counts, API or search', async () => {
  await srv.setClock('2026-03-10T21:30');
  try {
    const p = await srv.as('parent.demo');
    const page = await p.get('/messagerie/nouveau');
    assert.match(visibleText(page.text), /Droit à la déconnexion .* votre message sera remis le mercredi 11 mars à 07:00/);
    const call = await api(p);
    const sent = await call('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Question du soir', body: 'Un mot tardif sur le devoir.' });
    assert.equal(sent.status, 201, sent.text);
    const id = sent.json().id;
    assert.match(visibleText((await p.get(`/messagerie/fils/${id}`)).text), /Remis le mercredi 11 mars à 07:00/, 'the author sees when');
    const t = await srv.as('prof.demo');
    const unread = (await t.get('/api/v1/threads')).json().unread;
    assert.ok(!(await t.get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Question du soir'), 'not in the inbox');
    assert.equal((await t.get(`/messagerie/fils/${id}`)).status, 404, 'nor by its address');
    assert.deepEqual((await t.get('/api/v1/messages/search?q=tardif')).json().results, [], 'nor in search');
    await srv.setClock('2026-03-11T07:01');
    const t2 = await srv.as('prof.demo');
    const list = (await t2.get('/api/v1/threads')).json();
    assert.ok(list.threads.some((x) => x.subject === 'Question du soir'), 'delivered at 07:00');
    assert.equal(list.unread, unread + 1);
    assert.equal((await t2.get('/api/v1/messages/search?q=tardif')).json().results.length, 1);
    assert.doesNotMatch(visibleText((await t2.get('/messagerie/nouveau')).text), /Droit à la déconnexion/, 'no reminder in the day');
  } finally {
    await srv.setClock('2026-03-10T17:30');
  }
});

test('R-DISCO urgent: a head\'s urgent message on Saturday is delivered at once and audited; only a head, only with a reason', async () => {
  await srv.setClock('2026-03-14T10:00');
  try {
    const h = await srv.as('direction.demo');
    assert.match(visibleText((await h.get('/messagerie/nouveau')).text), /Message urgent : le remettre tout de suite/);
    const head = await api(h);
    const n0 = count();
    const noReason = await head('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Fermeture', body: 'Le collège est fermé lundi.', urgent: true });
    assert.equal(noReason.status, 400);
    assert.match(noReason.json().error.message, /motif de l'urgence/);
    const t = await api(await srv.as('prof.demo'));
    const notHead = await t('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'x', body: 'y', urgent: true, motif_urgence: 'test' });
    assert.equal(notHead.status, 403);
    assert.equal(count(), n0, 'nothing stored');
    const urgent = await head('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Fermeture du collège', body: 'Le collège est fermé lundi (inondation).',
      urgent: true, motif_urgence: 'Inondation du bâtiment' });
    assert.equal(urgent.status, 201, urgent.text);
    const normal = await head('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Réunion de rentrée', body: 'Invitation.' });
    assert.equal(normal.status, 201);
    const p = await srv.as('parent.demo');
    const threads = (await p.get('/api/v1/threads')).json().threads.map((x) => x.subject);
    assert.ok(threads.includes('Fermeture du collège'), 'the urgent message is there at once');
    assert.ok(!threads.includes('Réunion de rentrée'), 'the other one waits for Monday 07:00');
    assert.equal(one(`SELECT detail FROM audit WHERE action = 'message.urgent' ORDER BY id DESC LIMIT 1`), 'Inondation du bâtiment');
  } finally {
    await srv.setClock('2026-03-10T17:30');
  }
});

test('R-DISCO between staff: a teacher\'s message to a colleague at 22:00 waits by default, or goes at once if the establishment allows it', async () => {
  await srv.setClock('2026-03-10T22:00');
  try {
    const t = await api(await srv.as('prof.demo'));
    const first = await t('POST', '/api/v1/threads', { [`to_${ids.cpe}`]: true, subject: 'Soir 1', body: 'Un point sur la 4e B.' });
    assert.equal(first.status, 201);
    const cpe = await srv.as('cpe.demo');
    assert.ok(!(await cpe.get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Soir 1'), 'held by default');
    const h = await srv.as('direction.demo');
    const page = await h.get(`/etablissements/${ids.est}/diffusion`);
    assert.match(visibleText(page.text), /Remettre tout de suite les messages entre personnels/);
    const form = { csrf: Client.csrfOf(page.text), soir: '20:00', matin: '07:00', personnels: '1', delai_parents: '1' };
    const saved = await h.post(`/etablissements/${ids.est}/diffusion`, form);
    assert.equal(saved.status, 303);
    assert.match(visibleText((await h.get(saved.headers.get('location'))).text), /Enregistré.* [1-9]\d* élément\(s\) en attente reprogrammé/);
    assert.ok((await cpe.get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Soir 1'),
      'the setting applies at once: the waiting message between staff is delivered');
    const second = await t('POST', '/api/v1/threads', { [`to_${ids.cpe}`]: true, subject: 'Soir 2', body: 'Autre point.' });
    assert.equal(second.status, 201);
    const toParent = await t('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Soir 3', body: 'Aux parents.' });
    assert.equal(toParent.status, 201);
    assert.ok((await cpe.get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Soir 2'), 'between staff: at once');
    assert.ok(!(await (await srv.as('parent.demo')).get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Soir 3'),
      'to a family: still the next morning');
  } finally {
    one("DELETE FROM establishment_setting WHERE key LIKE 'messages.%' OR key LIKE 'disco.%'");
    one(`DELETE FROM communication_rule WHERE establishment_id = ${ids.est}`);
    await srv.setClock('2026-03-10T17:30');
  }
});
