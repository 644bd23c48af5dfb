// R-REPS: parent representatives. The head designates them for the current
// school year; each parent gives or withdraws consent to their messages
// (no answer: no messages); a representative writes to the consenting
// parents of the establishment, a level or a class, sees only how many will
// receive it, never who; each parent answers one to one. Bad input gets a
// clear 4xx and nothing is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);
const rows = (q) => one(q).split('\n').filter(Boolean);
const person = (login) => one(`SELECT person_id FROM account WHERE login = '${login}'`);
const nameOf = (id) => one(`SELECT first_name || ' ' || last_name FROM person WHERE id = ${id}`);
/** Give a person of the demo an active account with the demo password; returns its login. */
function activate(id) {
  one(`UPDATE account SET state = 'active', password_hash = (SELECT password_hash FROM account WHERE login = 'parent.demo') WHERE person_id = ${id}`);
  return one(`SELECT login FROM account WHERE person_id = ${id}`);
}
const consent = (parent, est, yes) => one(`INSERT INTO rep_consent (parent_id, establishment_id, consented, changed_at) VALUES (${parent}, ${est}, ${yes ? 1 : 0}, 0)
  ON CONFLICT (parent_id, establishment_id) DO UPDATE SET consented = ${yes ? 1 : 0}`);
const repRows = () => one('SELECT count(*) FROM parent_rep');
const stored = () => ['thread', 'message', 'thread_participant', 'attachment', 'rep_consent', 'parent_rep']
  .map((t) => one(`SELECT count(*) FROM ${t}`)).join('/');
// Parents of a class today, the demo family left out.
const parentsOf = (cls) => rows(`SELECT DISTINCT g.parent_id FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id
  WHERE en.class_id = ${cls} AND g.parent_id NOT IN (SELECT parent_id FROM guardianship WHERE pupil_id = ${ids.lucie}) ORDER BY 1`);

before(async () => {
  srv = await startServer({ now: '2026-03-10T17:30' });
  const lucie = person('eleve.demo');
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  ids = {
    lucie, cls,
    claire: person('parent.demo'), head: person('direction.demo'),
    est: one(`SELECT establishment_id FROM class WHERE id = ${cls}`),
    ecole: one(`SELECT id FROM establishment WHERE kind = 'ecole' ORDER BY id LIMIT 1`),
  };
  ids.ecoleClass = one(`SELECT id FROM class WHERE establishment_id = ${ids.ecole} LIMIT 1`);
  ids.otherClass = one(`SELECT id FROM class WHERE establishment_id = ${ids.est} AND id <> ${cls} ORDER BY id LIMIT 1`);
  ids.otherRep = one(`SELECT person_id FROM parent_rep WHERE establishment_id = ${ids.est} AND person_id <> ${ids.claire} ORDER BY person_id LIMIT 1`);
  // A parent with children at the école only.
  ids.ecoleParent = one(`SELECT g.parent_id FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id JOIN class c ON c.id = en.class_id
    WHERE c.establishment_id = ${ids.ecole} AND g.parent_id NOT IN (SELECT g2.parent_id FROM guardianship g2 JOIN enrolment e2 ON e2.pupil_id = g2.pupil_id
    JOIN class c2 ON c2.id = e2.class_id WHERE c2.establishment_id = ${ids.est}) ORDER BY 1 LIMIT 1`);
  // A parent of the collège who is not a representative.
  ids.plainParent = one(`SELECT g.parent_id FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id JOIN class c ON c.id = en.class_id
    WHERE c.establishment_id = ${ids.est} AND g.parent_id NOT IN (SELECT person_id FROM parent_rep) AND g.parent_id NOT IN
    (SELECT parent_id FROM guardianship WHERE pupil_id IN (SELECT pupil_id FROM enrolment WHERE class_id IN (SELECT id FROM class WHERE establishment_id = ${ids.ecole})))
    ORDER BY 1 DESC LIMIT 1`);
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
  assert.equal(one(`SELECT count(*) FROM parent_rep WHERE person_id = ${ids.claire}`), '1', 'parent.demo is a representative of the collège');
});
after(async () => { await srv.stop(); });

async function api(c) {
  const me = (await c.get('/api/v1/me')).json();
  return (method, path, json) => c.request(method, path, { json, headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
}

test('R-REPS: the head designates and removes a representative; others get 403; bad input gets a 4xx and stores nothing', async () => {
  const h = await srv.as('direction.demo');
  assert.match((await h.get('/')).text, new RegExp(`href="/etablissements/${ids.est}/representants"`), 'a link from the head\'s home');
  const page = await h.get(`/etablissements/${ids.est}/representants`);
  assert.equal(page.status, 200);
  assert.match(visibleText(page.text), /Représentants de cette année .*Claire Moreau désigné\(e\) le 16 octobre 2025 Retirer/);
  const target = ids.plainParent, name = nameOf(target);
  const short = await h.get(`/etablissements/${ids.est}/representants?q=${encodeURIComponent(name.slice(0, 1))}`);
  assert.match(visibleText(short.text), /Tapez au moins deux lettres/);
  assert.doesNotMatch(short.text, /aria-label="Désigner /);
  const search = await h.get(`/etablissements/${ids.est}/representants?q=${encodeURIComponent(name)}`);
  assert.match(search.text, new RegExp(`name="personne" value="${target}"`), 'the parent is found by name');
  const csrf = Client.csrfOf(search.text);
  const before = repRows();
  const done = await h.post(`/etablissements/${ids.est}/representants`, { csrf, personne: target });
  assert.equal(done.status, 303, visibleText(done.text));
  const after1 = await h.get(done.location);
  assert.match(after1.text, /role="status">Le parent est désigné comme représentant/);
  assert.match(visibleText(after1.text), new RegExp(`${name} désigné\\(e\\) le 10 mars 2026`));
  assert.equal(repRows(), String(+before + 1));
  assert.equal(one(`SELECT count(*) FROM audit WHERE action = 'rep.designated' AND detail LIKE 'person:${target} %'`), '1');
  // Again: a conflict; others: a 4xx; nothing stored.
  const again = await h.post(`/etablissements/${ids.est}/representants`, { csrf, personne: target });
  assert.equal(again.status, 409);
  assert.match(visibleText(again.text), /est déjà représentant\(e\) pour cette année\. Rien n'a été enregistré/);
  const ecoleOnly = await h.post(`/etablissements/${ids.est}/representants`, { csrf, personne: ids.ecoleParent });
  assert.equal(ecoleOnly.status, 400);
  assert.match(visibleText(ecoleOnly.text), /n'est pas parent d'un élève de cet établissement/);
  assert.equal((await h.post(`/etablissements/${ids.est}/representants`, { csrf, personne: person('prof.demo') })).status, 400);
  assert.equal((await h.post(`/etablissements/${ids.est}/representants`, { csrf, personne: '99999999' })).status, 404);
  assert.equal((await h.post(`/etablissements/${ids.est}/representants`, { csrf, personne: 'abc' })).status, 400);
  assert.equal((await h.post(`/etablissements/${ids.est}/representants`, { csrf })).status, 400);
  // The head of the collège has nothing to say at the école.
  assert.equal((await h.get(`/etablissements/${ids.ecole}/representants`)).status, 403);
  assert.equal((await h.post(`/etablissements/${ids.ecole}/representants`, { csrf, personne: ids.ecoleParent })).status, 403);
  for (const login of ['cpe.demo', 'prof.demo', 'parent.demo', 'eleve.demo']) {
    const c = await srv.as(login);
    assert.equal((await c.get(`/etablissements/${ids.est}/representants`)).status, 403, login);
    const home = await c.get('/');
    const res = await c.post(`/etablissements/${ids.est}/representants`, { csrf: Client.csrfOf(home.text), personne: ids.otherRep });
    assert.equal(res.status, 403, `${login} cannot designate`);
    const rm = await c.post(`/etablissements/${ids.est}/representants/retrait`, { csrf: Client.csrfOf(home.text), personne: ids.claire });
    assert.equal(rm.status, 403, `${login} cannot remove`);
  }
  assert.equal(repRows(), String(+before + 1), 'nothing stored by the refusals');
  // The territory's admin may designate at the école.
  const admin = await srv.as('admin.demo');
  assert.equal((await admin.get(`/etablissements/${ids.ecole}/representants`)).status, 200);
  // Remove.
  const removed = await h.post(`/etablissements/${ids.est}/representants/retrait`, { csrf, personne: target });
  assert.equal(removed.status, 303);
  assert.match((await h.get(removed.location)).text, /role="status">Le parent n&#39;est plus représentant/);
  assert.equal(repRows(), before);
  assert.equal(one(`SELECT count(*) FROM audit WHERE action = 'rep.removed' AND detail LIKE 'person:${target} %'`), '1');
  assert.equal((await h.post(`/etablissements/${ids.est}/representants/retrait`, { csrf, personne: target })).status, 404);
  assert.equal(repRows(), before);
});

test('R-REPS: a parent is asked once, answers, finds the answer with its date in the account settings and changes it', async () => {
  const p = await srv.as('parent.demo');
  const home = await p.get('/');
  // Claire answered for the collège in September, not for Hugo's école.
  assert.match(home.text, new RegExp(`id="rep-q-${ids.ecole}"`));
  assert.doesNotMatch(home.text, new RegExp(`id="rep-q-${ids.est}"`));
  assert.match(visibleText(home.text), /Acceptez-vous de recevoir les messages des représentants de parents élus de l'établissement « École élémentaire Jean-Jaurès » \? Ils ne verront jamais votre adresse ni votre nom/);
  const call = await api(p);
  const listed = (await call('GET', '/api/v1/rep-consent')).json().consents;
  assert.deepEqual(listed.find((c) => String(c.establishment.id) === ids.ecole), {
    establishment: { id: +ids.ecole, name: 'École élémentaire Jean-Jaurès' }, answered: false, consented: false, changed_at: null });
  assert.equal(listed.find((c) => String(c.establishment.id) === ids.est).consented, true);
  const yes = await p.post('/compte/representants', { csrf: Client.csrfOf(home.text), establishment: ids.ecole, consent: '1' });
  assert.equal(yes.status, 303);
  assert.equal(yes.location, '/compte?ok=1#representants');
  assert.doesNotMatch((await p.get('/')).text, /id="rep-q-/, 'asked once');
  let settings = visibleText((await p.get('/compte?ok=1')).text);
  assert.match(settings, /C'est enregistré/);
  assert.match(settings, /Messages des représentants de parents élus .* Collège Louise-Michel Vous recevez leurs messages \(réponse du 6 septembre 2025\)\. Non merci École élémentaire Jean-Jaurès Vous recevez leurs messages \(réponse du 10 mars 2026\)\./);
  assert.equal(one(`SELECT consented FROM rep_consent WHERE parent_id = ${ids.claire} AND establishment_id = ${ids.ecole}`), '1');
  // Changed at any time.
  const page = await p.get('/compte');
  const no = await p.post('/compte/representants', { csrf: Client.csrfOf(page.text), establishment: ids.ecole, consent: '0' });
  assert.equal(no.status, 303);
  settings = visibleText((await p.get('/compte')).text);
  assert.match(settings, /École élémentaire Jean-Jaurès Vous ne recevez pas leurs messages \(réponse du 10 mars 2026\)\. Oui, je veux les recevoir/);
  assert.equal(one(`SELECT count(*) FROM audit WHERE action = 'rep.consent' AND object = 'establishment:${ids.ecole}'`), '2');
  // The JSON API, with PUT or POST.
  const put = await call('PUT', '/api/v1/rep-consent', { establishment: +ids.ecole, consent: true });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json().consented, true);
  assert.equal(put.json().answered, true);
  const post = await call('POST', '/api/v1/rep-consent', { establishment: +ids.ecole, consent: false });
  assert.equal(post.json().consented, false);
  // Nowhere else: an establishment without one's child, a non-parent, bad input.
  const before = stored();
  const lone = await srv.as(activate(ids.ecoleParent));
  const lonePage = await lone.get('/');
  const refused = await lone.post('/compte/representants', { csrf: Client.csrfOf(lonePage.text), establishment: ids.est, consent: '1' });
  assert.equal(refused.status, 403);
  assert.match(visibleText(refused.text), /Aucun de vos enfants n'est inscrit dans cet établissement/);
  assert.equal((await (await api(lone))('POST', '/api/v1/rep-consent', { establishment: +ids.est, consent: true })).status, 403);
  assert.equal((await (await api(lone))('POST', '/api/v1/rep-consent', { establishment: 99999999, consent: true })).status, 403);
  assert.equal((await call('POST', '/api/v1/rep-consent', { establishment: +ids.ecole, consent: 'peut-être' })).status, 400);
  assert.equal((await call('POST', '/api/v1/rep-consent', { establishment: +ids.ecole })).status, 400);
  const prof = await srv.as('prof.demo');
  assert.equal((await (await api(prof))('POST', '/api/v1/rep-consent', { establishment: +ids.est, consent: true })).status, 403);
  assert.equal((await prof.get('/api/v1/rep-consent')).status, 403);
  assert.equal(stored(), before, 'nothing stored');
  // Not asked yet means not consented.
  const fresh = (await (await api(lone))('GET', '/api/v1/rep-consent')).json().consents;
  assert.ok(fresh.every((c) => !c.consented));
});

test('R-REPS: a parent who is not a representative gets 403 on the representatives\' pages', async () => {
  const before = stored();
  const c = await srv.as(activate(ids.plainParent));
  assert.doesNotMatch((await c.get('/')).text, /messagerie\/representants/);
  assert.equal((await c.get('/messagerie/representants')).status, 403);
  assert.equal((await c.get(`/messagerie/representants/${ids.est}`)).status, 403);
  const home = await c.get('/');
  assert.equal((await c.post(`/messagerie/representants/${ids.est}`, { csrf: Client.csrfOf(home.text), scope: 'establishment', subject: 'Essai', body: 'Bonjour.' })).status, 403);
  assert.equal((await (await api(c))('POST', '/api/v1/rep-broadcasts', { establishment: +ids.est, scope: 'establishment', subject: 'Essai', body: 'Bonjour.' })).status, 403);
  // A representative of the collège is none at the école.
  const p = await srv.as('parent.demo');
  const other = await p.get(`/messagerie/representants/${ids.ecole}`);
  assert.equal(other.status, 403);
  assert.match(visibleText(other.text), /Vous n'êtes pas représentant des parents élus de cet établissement/);
  assert.equal((await (await api(p))('POST', '/api/v1/rep-broadcasts', { establishment: +ids.ecole, scope: 'establishment', subject: 'Essai', body: 'Bonjour.' })).status, 403);
  for (const login of ['prof.demo', 'direction.demo', 'eleve.demo']) assert.equal((await (await srv.as(login)).get('/messagerie/representants')).status, 403, login);
  assert.equal(stored(), before);
});

test('R-REPS: the representative sees counts only; a consenting parent of the class receives it and answers, a non-consenting one and a parent of another class do not', async () => {
  const [yesParent, noParent] = parentsOf(ids.cls);
  const otherParent = parentsOf(ids.otherClass).find((x) => !parentsOf(ids.cls).includes(x));
  consent(yesParent, ids.est, true);
  consent(noParent, ids.est, false);
  consent(otherParent, ids.est, true);
  const audience = rows(`SELECT DISTINCT g.parent_id FROM rep_consent rc JOIN guardianship g ON g.parent_id = rc.parent_id
    JOIN enrolment en ON en.pupil_id = g.pupil_id WHERE en.class_id = ${ids.cls} AND rc.establishment_id = ${ids.est} AND rc.consented = 1
    AND g.parent_id <> ${ids.claire}`);
  assert.ok(audience.includes(yesParent) && !audience.includes(noParent));
  // Everything that could name a parent of the collège (but Claire, and
  // namesakes of staff members, whom Claire knows otherwise).
  const secrets = rows(`SELECT DISTINCT p.first_name || ' ' || p.last_name FROM person p JOIN guardianship g ON g.parent_id = p.id
    JOIN enrolment en ON en.pupil_id = g.pupil_id JOIN class c ON c.id = en.class_id WHERE c.establishment_id = ${ids.est} AND p.id <> ${ids.claire}
    AND p.last_name <> 'Moreau' AND p.first_name || ' ' || p.last_name NOT IN (SELECT s.first_name || ' ' || s.last_name FROM person s
    JOIN role r ON r.person_id = s.id WHERE r.profile IN ('teacher', 'staff', 'head'))`).concat(rows(`SELECT DISTINCT p.email FROM person p JOIN rep_consent rc ON rc.parent_id = p.id
    WHERE p.email IS NOT NULL AND p.id <> ${ids.claire}`));
  assert.ok(secrets.length > 100);
  const p = await srv.as('parent.demo');
  const home = await p.get('/');
  assert.match(home.text, /href="\/messagerie\/representants"/, 'the representative\'s card links to the compose page');
  const index = await p.get('/messagerie/representants');
  assert.equal(index.status, 303);
  assert.equal(index.location, `/messagerie/representants/${ids.est}`);
  const page = await p.get(index.location);
  assert.equal(page.status, 200);
  const text = visibleText(page.text);
  const className = one(`SELECT name FROM class WHERE id = ${ids.cls}`);
  assert.match(text, new RegExp(`Les parents de la ${className} — ${audience.length} parents`));
  assert.match(page.text, new RegExp(`value="class:${ids.cls}"`));
  assert.match(text, /Tous les parents de l'établissement — \d+ parents/);
  for (const s of secrets) assert.ok(!page.text.includes(s), `the compose page does not name ${s}`);
  // Send to the class, with an attachment.
  const form = new FormData();
  form.set('csrf', Client.csrfOf(page.text));
  form.set('scope', `class:${ids.cls}`);
  form.set('subject', 'Conseil de classe : vos questions');
  form.set('body', 'Bonjour,\n\nLe conseil de classe a lieu jeudi. Écrivez-moi vos **questions**.\n\nClaire Moreau, représentante des parents');
  form.set('piece', new Blob(['%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n']), 'ordre-du-jour.pdf');
  const sent = await p.request('POST', `/messagerie/representants/${ids.est}`, { body: form });
  assert.equal(sent.status, 303, visibleText(sent.text));
  assert.equal(sent.location, `/messagerie/representants/${ids.est}?envoye=${audience.length}`);
  const confirm = await p.get(sent.location);
  assert.match(confirm.text, new RegExp(`role="status">Votre message a été envoyé à ${audience.length} parents\\.`));
  for (const s of secrets) assert.ok(!confirm.text.includes(s), `the confirmation does not name ${s}`);
  const threads = rows(`SELECT id FROM thread WHERE kind = 'rep' AND subject = 'Conseil de classe : vos questions'`);
  assert.equal(threads.length, audience.length, 'one private thread per parent');
  assert.equal(one(`SELECT count(DISTINCT person_id) FROM thread_participant WHERE thread_id IN (${threads.join(',')}) AND person_id <> ${ids.claire}`), String(audience.length));
  assert.equal(one(`SELECT max(n) FROM (SELECT count(*) AS n FROM thread_participant WHERE thread_id IN (${threads.join(',')}) GROUP BY thread_id) d`), '2');
  assert.equal(one(`SELECT count(*) FROM audit WHERE action = 'rep.broadcast' AND detail LIKE 'establishment:${ids.est} scope:class:${ids.cls} %'`), '1');
  // The consenting parent receives it (with the file) and answers Claire alone.
  const y = await srv.as(activate(yesParent));
  const inbox = (await y.get('/api/v1/threads')).json().threads;
  const mine = inbox.find((t) => t.subject === 'Conseil de classe : vos questions');
  assert.ok(mine, 'received');
  assert.equal(mine.last_author, 'Claire Moreau');
  const view = await y.get(`/messagerie/fils/${mine.id}`);
  assert.equal(view.status, 200);
  assert.match(view.text, /<strong>questions<\/strong>/);
  assert.match(view.text, /ordre-du-jour\.pdf/);
  const answered = await y.post(`/messagerie/fils/${mine.id}/repondre`, { csrf: Client.csrfOf(view.text), body: 'Merci : une question sur la cantine.' });
  assert.equal(answered.status, 303);
  assert.equal(one(`SELECT count(*) FROM thread_participant WHERE thread_id = ${mine.id}`), '2', 'one to one');
  assert.equal(one(`SELECT a.login FROM message m JOIN account a ON a.person_id = m.author_id WHERE m.thread_id = ${mine.id} ORDER BY m.id DESC LIMIT 1`),
    one(`SELECT login FROM account WHERE person_id = ${yesParent}`));
  // The representative sees who answered, and nobody else.
  const yesName = nameOf(yesParent);
  const others = secrets.filter((x) => x !== yesName && !yesName.includes(x));
  const repInbox = (await p.get('/api/v1/threads')).json().threads.filter((t) => t.subject === 'Conseil de classe : vos questions');
  assert.deepEqual(repInbox.map((t) => t.last_author), [yesName], 'only the answered thread comes back to the inbox');
  const answer = await p.get(`/messagerie/fils/${repInbox[0].id}`);
  assert.match(visibleText(answer.text), /une question sur la cantine/);
  for (const pageText of [answer.text, (await p.get(`/messagerie/fils/${threads[0]}`)).text, (await p.get('/messagerie?dossier=sent')).text])
    for (const x of others) assert.ok(!pageText.includes(x), `the representative's pages do not name ${x}`);
  // Neither the non-consenting parent of the class nor a parent of another class.
  for (const who of [noParent, otherParent]) {
    assert.equal(one(`SELECT count(*) FROM thread_participant tp JOIN thread t ON t.id = tp.thread_id WHERE tp.person_id = ${who} AND t.kind = 'rep'`), '0');
    const c = await srv.as(activate(who));
    assert.ok(!(await c.get('/api/v1/threads')).json().threads.some((t) => t.subject === 'Conseil de classe : vos questions'));
  }
  // The JSON API answers with the thread and a number, nothing else.
  const res = await (await api(p))('POST', '/api/v1/rep-broadcasts', { establishment: +ids.est, scope: `level:${one(`SELECT level_id FROM class WHERE id = ${ids.cls}`)}`,
    subject: 'Sortie de fin d\'année', body: 'Qui peut accompagner ?' });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(Object.keys(res.json()).sort(), ['recipients', 'thread']);
  assert.ok(res.json().recipients >= audience.length);
  for (const s of secrets) assert.ok(!res.text.includes(s));
});

test('R-REPS: at most 3 broadcasts a day per representative, then 429 and nothing stored', async () => {
  const login = activate(ids.otherRep);
  const rep = await srv.as(login);
  const call = await api(rep);
  const msg = { establishment: +ids.est, scope: 'establishment', subject: 'Assemblée générale', body: 'Rendez-vous mardi à 18 h.' };
  for (let i = 0; i < 3; i++) assert.equal((await call('POST', '/api/v1/rep-broadcasts', msg)).status, 201, `broadcast ${i + 1}`);
  const before = stored();
  const fourth = await call('POST', '/api/v1/rep-broadcasts', msg);
  assert.equal(fourth.status, 429);
  assert.match(fourth.json().error.message, /déjà envoyé 3 messages aux parents ces dernières 24 heures/);
  const page = await rep.get(`/messagerie/representants/${ids.est}`);
  assert.match(visibleText(page.text), /Messages envoyés ces dernières 24 heures : 3 sur 3 possibles/);
  const form = await rep.post(`/messagerie/representants/${ids.est}`, { csrf: Client.csrfOf(page.text), scope: 'establishment', subject: 'Encore', body: 'Un de plus.' });
  assert.equal(form.status, 429);
  assert.match(form.text, /role="alert"/);
  assert.equal(stored(), before);
  // A day later, it is possible again.
  await srv.setClock('2026-03-11T18:00');
  assert.equal((await (await api(await srv.as(login)))('POST', '/api/v1/rep-broadcasts', msg)).status, 201);
  await srv.setClock('2026-03-10T17:30');
});

test('R-REPS: bad input (unknown scope, a class of another establishment, empty body, invalid UTF-8, nobody consenting) gets a 4xx and stores nothing', async () => {
  const p = await srv.as('parent.demo');
  const call = await api(p);
  const before = stored();
  const base = { establishment: +ids.est, subject: 'Essai', body: 'Bonjour.' };
  for (const scope of ['school', 'class:', 'class:abc', 'class:-3', `class:${ids.cls}x`, `class:${ids.ecoleClass}`, 'level:99999', 'level:1 ', '']) {
    const res = await call('POST', '/api/v1/rep-broadcasts', { ...base, scope });
    assert.equal(res.status, 400, `scope ${JSON.stringify(scope)}: ${res.text}`);
  }
  assert.equal((await call('POST', '/api/v1/rep-broadcasts', { ...base, scope: 'establishment', body: '' })).status, 400);
  assert.equal((await call('POST', '/api/v1/rep-broadcasts', { ...base, scope: 'establishment', subject: '   ' })).status, 400);
  assert.equal((await call('POST', '/api/v1/rep-broadcasts', { establishment: +ids.est, scope: 'establishment', subject: 'Essai' })).status, 400);
  assert.equal((await call('POST', '/api/v1/rep-broadcasts', { ...base, scope: 'establishment', body: 'x'.repeat(10001) })).status, 400);
  const page = await p.get(`/messagerie/representants/${ids.est}`);
  const empty = await p.post(`/messagerie/representants/${ids.est}`, { csrf: Client.csrfOf(page.text), scope: `class:${ids.cls}`, subject: 'Essai', body: '' });
  assert.equal(empty.status, 400);
  assert.match(visibleText(empty.text), /Le champ « Message » est obligatoire/);
  const raw = await p.request('POST', `/messagerie/representants/${ids.est}`, {
    body: Buffer.concat([Buffer.from(`csrf=${Client.csrfOf(page.text)}&scope=establishment&subject=a&body=`), Buffer.from([0xc3, 0x28])]),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(raw.status, 400);
  assert.equal(stored(), before, 'nothing stored');
  // Nobody who consented in the class: "personne", nothing sent.
  for (const parent of rows(`SELECT DISTINCT g.parent_id FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id WHERE en.class_id = ${ids.otherClass}`))
    consent(parent, ids.est, false);
  const before2 = stored();
  const nobody = await p.post(`/messagerie/representants/${ids.est}`, { csrf: Client.csrfOf(page.text), scope: `class:${ids.otherClass}`, subject: 'Essai', body: 'Bonjour.' });
  assert.equal(nobody.status, 400);
  assert.match(visibleText(nobody.text), /Il n'y a personne à qui envoyer ce message/);
  const shown = await p.get(`/messagerie/representants/${ids.est}`);
  assert.match(visibleText(shown.text), new RegExp(`Les parents de la ${one(`SELECT name FROM class WHERE id = ${ids.otherClass}`)} — 0 parent`));
  assert.equal(stored(), before2, 'nothing stored');
});
