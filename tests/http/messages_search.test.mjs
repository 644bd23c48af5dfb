// S-MESSAGES: search in the messagerie. A person finds the messages they
// may read by any word of them (accents and case ignored, the last word a
// prefix), as a page with the words emphasised and in JSON; nobody finds a
// conversation they are not part of; hostile queries get 200 with no result
// or a clear 400, never a 500, and the server stays up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);
const person = (login) => one(`SELECT person_id FROM account WHERE login = '${login}'`);

before(async () => {
  srv = await startServer({ now: '2026-03-10T17:30' });
  const lucie = person('eleve.demo');
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  const parent = person('parent.demo');
  // The demo conversation of parent.demo with Lucie's maths teacher.
  const thread = one(`SELECT id FROM thread WHERE subject = 'Exercice 4 p. 82'`);
  // A parent of another pupil of the class, given the demo password.
  const other = one(`SELECT a.login FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id JOIN account a ON a.person_id = g.parent_id
    WHERE en.class_id = ${cls} AND g.pupil_id <> ${lucie} AND g.parent_id <> ${parent} LIMIT 1`);
  one(`UPDATE account SET state = 'active', password_hash = (SELECT password_hash FROM account WHERE login = 'parent.demo') WHERE login = '${other}'`);
  ids = { lucie, parent, thread, other };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
});
after(async () => {
  assert.equal((await fetch(srv.url + '/connexion')).status, 200, 'the server is still up');
  await srv.stop();
});

const search = (c, q) => c.get(`/api/v1/messages/search?q=${encodeURIComponent(q)}`);

test('S-MESSAGES: the demo parent finds their conversation by a word of it, in JSON and on the page', async () => {
  const p = await srv.as('parent.demo');
  const res = await search(p, 'fractions');
  assert.equal(res.status, 200, res.text);
  const { results } = res.json();
  assert.equal(results.length, 1);
  const [hit] = results;
  assert.deepEqual(Object.keys(hit).sort(), ['author', 'created_at', 'excerpt', 'folder', 'message_id', 'subject', 'thread_id']);
  assert.equal(String(hit.thread_id), ids.thread);
  assert.equal(hit.subject, 'Exercice 4 p. 82');
  assert.equal(hit.author, 'Claire Moreau');
  assert.equal(hit.folder, 'inbox');
  assert.match(hit.excerpt, /exercice 4 p\. 82 sur les fractions/);
  assert.doesNotMatch(hit.excerpt, /[\u0002\u0003\n]/, 'plain text, on one line');
  assert.equal(String(hit.message_id), one(`SELECT min(id) FROM message WHERE thread_id = ${ids.thread}`));

  // Accents, case and the beginning of the last word: "lefevre" finds the teacher's signature.
  const answer = (await search(p, 'CORRIGERONS LEFEV')).json().results;
  assert.deepEqual(answer.map((r) => r.author), ['Nicolas Lefèvre']);
  // A word of the subject finds the thread's messages, newest first.
  const bySubject = (await search(p, 'exercice')).json().results.filter((r) => String(r.thread_id) === ids.thread);
  assert.deepEqual(bySubject.map((r) => r.author), ['Nicolas Lefèvre', 'Claire Moreau']);

  const page = await p.get('/messagerie/recherche?q=fractions');
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="get" action="\/messagerie\/recherche" class="inline-form" role="search">/);
  assert.match(page.text, /<label for="message-search">Chercher dans mes messages<\/label>/);
  assert.match(page.text, new RegExp(`<a href="/messagerie/fils/${ids.thread}">Exercice 4 p\\. 82</a>`));
  assert.match(page.text, /sur les <mark>fractions<\/mark>\. Pourriez-vous/);
  assert.match(visibleText(page.text), /Messages trouvés pour « fractions » : 1/);
});

test('S-MESSAGES: another parent, and a pupil of the same family, do not find a conversation they are not part of', async () => {
  const o = await srv.as(ids.other);
  assert.deepEqual((await search(o, 'fractions')).json().results, []);
  assert.deepEqual((await search(o, 'Lucie')).json().results, []);
  const page = await o.get('/messagerie/recherche?q=fractions');
  assert.equal(page.status, 200);
  assert.match(visibleText(page.text), /Aucun message ne correspond à « fractions »/);
  assert.doesNotMatch(page.text, /<mark>/);
  const e = await srv.as('eleve.demo');
  assert.deepEqual((await search(e, 'fractions')).json().results, []);
  // …but Lucie finds her own conversation with her teacher ("Thalès" without its accent).
  assert.deepEqual((await search(e, 'thales')).json().results.map((r) => r.subject), ['Exposé sur Thalès']);
});

test('S-MESSAGES: what the search shows is escaped — the query, and text written by people', async () => {
  const p = await srv.as('parent.demo');
  const me = (await p.get('/api/v1/me')).json();
  const prof = person('prof.demo');
  const sent = await p.request('POST', '/api/v1/threads', {
    json: { [`to_${prof}`]: true, subject: '<b>Sujet</b> piège', body: 'Un <img src=x onerror=alert(1)> tamanoir & "guillemets"' },
    headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
  assert.equal(sent.status, 201, sent.text);
  // Its author finds it at once (a message sent by this branch has no visible_at yet: see docs/api.md).
  const page = await p.get(`/messagerie/recherche?q=${encodeURIComponent('tamanoir <script>alert(1)</script>')}`);
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.text, /<script>alert|<img src=x|<b>Sujet/);
  assert.match(page.text, /value="tamanoir &lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  const found = await p.get('/messagerie/recherche?q=tamanoir');
  assert.match(found.text, /&lt;b&gt;Sujet&lt;\/b&gt; piège/);
  assert.match(found.text, /Un &lt;img src=x onerror=alert\(1\)&gt; <mark>tamanoir<\/mark> &amp; &quot;guillemets&quot;/);
  const json = (await search(p, 'tamanoir')).json().results;
  assert.equal(json.length, 1);
  assert.equal(json[0].excerpt, 'Un <img src=x onerror=alert(1)> tamanoir & "guillemets"');
});

test('S-MESSAGES: hostile queries give 200 with no result or a clear 400, never a 500', async () => {
  const p = await srv.as('parent.demo');
  const hostile = ['"', '*', 'NEAR(', 'a OR', 'OR', 'NOT fractions', 'fractions NEAR(', '?!.;:,()[]{}<>^-+=/\\|&%$#@~`', '" OR "" *',
    'body:fractions', 'subject:*', '«»—…', '😀', 'x'.repeat(2000), 'é'.repeat(101), ' '];
  for (const q of hostile) {
    for (const path of ['/api/v1/messages/search', '/messagerie/recherche']) {
      const res = await p.get(`${path}?q=${encodeURIComponent(q)}`);
      assert.ok(res.status === 200 || res.status === 400, `${path} ${JSON.stringify(q.slice(0, 40))}: ${res.status}`);
      if (path.startsWith('/api')) {
        if (res.status === 400) assert.ok(res.json().error.message.length > 10, 'a clear message');
        else assert.ok(Array.isArray(res.json().results));
      } else {
        assert.match(res.headers.get('content-type'), /text\/html/);
      }
    }
  }
  // Only punctuation or quotes: the API says what is missing, the page too.
  for (const q of ['"', '*', '?!...', '" "']) {
    const api = await search(p, q);
    assert.equal(api.status, 400);
    assert.match(api.json().error.message, /au moins un mot/);
    const page = await p.get(`/messagerie/recherche?q=${encodeURIComponent(q)}`);
    assert.equal(page.status, 200);
    assert.match(visibleText(page.text), /Tapez au moins un mot/);
  }
  // Too long: a clear 400 naming the limit.
  const long = await search(p, 'x'.repeat(2000));
  assert.equal(long.status, 400);
  assert.match(long.json().error.message, /recherche.*100 caractères/);
  // Invalid UTF-8, percent-encoded: 400.
  for (const raw of ['%FF', '%C3%28', 'ab%ED%A0%80', '%00']) {
    for (const path of ['/api/v1/messages/search', '/messagerie/recherche']) {
      const res = await p.get(`${path}?q=${raw}`);
      assert.equal(res.status, 400, `${path} ${raw}`);
    }
  }
  // FTS operators are words: "NOT fractions" looks for both words, finds nothing.
  assert.deepEqual((await search(p, 'NOT fractions')).json().results, []);
  // No query: the page shows the empty form; the API says the field is required.
  const empty = await p.get('/messagerie/recherche');
  assert.equal(empty.status, 200);
  assert.match(empty.text, /role="search"/);
  assert.equal((await p.get('/api/v1/messages/search')).status, 400);
  // Still answering, and still finding.
  assert.equal((await search(p, 'fractions')).json().results.length, 1);
});

test('S-MESSAGES: search is for signed-in people who use the messagerie', async () => {
  const anon = srv.client();
  assert.equal((await anon.get('/api/v1/messages/search?q=fractions')).status, 401);
  const page = await anon.get('/messagerie/recherche?q=fractions');
  assert.equal(page.status, 303);
  assert.match(page.location, /\/connexion/);
});
