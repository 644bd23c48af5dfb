// The outside security review of the messaging module, items 1, 2 and 8:
// a draft may not rename someone else's thread; the attachment limits apply
// to what a draft (and the message sent from it) holds in all, and drafts
// are a bounded storage per person; opening a thread from another site does
// not mark it read (a same-origin navigation or an explicit POST does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);
const person = (login) => one(`SELECT person_id FROM account WHERE login = '${login}'`);
const stored = () =>
  ['thread', 'message', 'attachment', 'file_blob']
    .map((t) => one(`SELECT count(*) FROM ${t}`))
    .join('/');
const PDF = (i) => `%PDF-1.4\n% ${i}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`;
const pdfs = (n, from = 0) =>
  Array.from({ length: n }, (_, i) => [`piece-${from + i}.pdf`, PDF(from + i)]);

before(async () => {
  srv = await startServer({ now: '2026-03-10T17:30' });
  ids = {
    parent: person('parent.demo'),
    prof: person('prof.demo'),
    pupil: person('eleve.demo'),
    cpe: person('cpe.demo'),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
});
after(async () => {
  await srv.stop();
});

/** JSON calls with the session's CSRF token, as a script of our pages. */
async function api(c) {
  const me = (await c.get('/api/v1/me')).json();
  const headers = { 'X-CSRF-Token': me.csrf_token, Origin: srv.url };
  const call = (method, path, json) => c.request(method, path, { json, headers });
  /** The same with a multipart body: fields and files ("piece"). */
  call.multipart = (path, fields, files = []) =>
    c.request('POST', path, { body: formOf(fields, files), headers });
  return call;
}

function formOf(fields, files) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const [name, data] of files) form.append('piece', new Blob([data]), name);
  return form;
}

/** A web form posted from page `from` (its CSRF token), multipart. */
async function post(c, from, action, fields, files = []) {
  const page = await c.get(from);
  return c.request('POST', action, {
    body: formOf({ csrf: Client.csrfOf(page.text), ...fields }, files),
  });
}

const attachmentsOf = (message) =>
  one(`SELECT count(*) FROM attachment WHERE owner = 'message' AND owner_id = ${message}`);

/* ---- Review #1 ------------------------------------------------------------ */

test('Review #1: an answer draft re-saved through the new-message route does not rename the shared thread (API)', async () => {
  const prof = await api(await srv.as('prof.demo'));
  const started = await prof('POST', '/api/v1/threads', {
    [`to_${ids.parent}`]: true,
    subject: 'Sortie du jeudi',
    body: 'Autorisation à signer.',
  });
  assert.equal(started.status, 201, started.text);
  const thread = started.json().id;
  const p = await api(await srv.as('parent.demo'));
  const saved = await p('POST', `/api/v1/threads/${thread}/messages`, {
    action: 'draft',
    body: 'Ma réponse en cours.',
  });
  assert.equal(saved.status, 201, saved.text);
  const draft = saved.json().draft;

  const n0 = stored();
  const rename = await p('POST', '/api/v1/threads', {
    brouillon: draft,
    action: 'draft',
    subject: 'Sujet détourné',
    body: 'x',
  });
  assert.equal(rename.status, 409, rename.text);
  assert.match(rename.json().error.message, /réponse dans une conversation/);
  const send = await p('POST', '/api/v1/threads', {
    brouillon: draft,
    [`to_${ids.prof}`]: true,
    subject: 'Sujet détourné',
    body: 'x',
  });
  assert.equal(send.status, 409, 'nor sent as a new message');
  assert.equal(stored(), n0, 'nothing stored');

  // Every participant still sees the original subject; the draft answer is intact.
  assert.equal((await prof('GET', `/api/v1/threads/${thread}`)).json().subject, 'Sortie du jeudi');
  assert.ok(
    (await prof('GET', '/api/v1/threads?dossier=sent'))
      .json()
      .threads.some((t) => t.id === thread && t.subject === 'Sortie du jeudi'),
  );
  assert.ok(
    (await p('GET', '/api/v1/threads'))
      .json()
      .threads.some((t) => t.id === thread && t.subject === 'Sortie du jeudi'),
  );
  assert.equal((await p('GET', `/api/v1/threads/${thread}`)).json().subject, 'Sortie du jeudi');
  assert.equal(one(`SELECT body FROM message WHERE id = ${draft}`), 'Ma réponse en cours.');
  const drafts = (await p('GET', '/api/v1/threads?dossier=drafts')).json().threads;
  assert.ok(
    drafts.some((d) => d.draft_id === draft && d.answer && d.subject === 'Sortie du jeudi'),
  );

  // A draft of a new message keeps its own subject editable.
  const mine = await p('POST', '/api/v1/threads', {
    [`to_${ids.prof}`]: true,
    action: 'draft',
    subject: 'Premier titre',
    body: 'Brouillon.',
  });
  assert.equal(mine.status, 201, mine.text);
  const again = await p('POST', '/api/v1/threads', {
    brouillon: mine.json().draft,
    [`to_${ids.prof}`]: true,
    action: 'draft',
    subject: 'Titre revu',
    body: 'Brouillon.',
  });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json().draft, mine.json().draft, 'the same draft');
  assert.ok(
    (await p('GET', '/api/v1/threads?dossier=drafts'))
      .json()
      .threads.some((d) => d.draft_id === mine.json().draft && d.subject === 'Titre revu'),
  );
});

test("Review #1: the web form cannot rename someone else's thread through an answer draft; the answer is picked up in its thread", async () => {
  const prof = await api(await srv.as('prof.demo'));
  const thread = (
    await prof('POST', '/api/v1/threads', {
      [`to_${ids.parent}`]: true,
      subject: 'Réunion parents-professeurs',
      body: 'Jeudi 18 h.',
    })
  ).json().id;
  const p = await srv.as('parent.demo');
  const saved = await post(p, `/messagerie/fils/${thread}`, `/messagerie/fils/${thread}/repondre`, {
    action: 'draft',
    body: 'Je viendrai.',
  });
  assert.equal(saved.status, 303, visibleText(saved.text));
  const draft = one(
    `SELECT id FROM message WHERE thread_id = ${thread} AND author_id = ${ids.parent} AND state = 'draft'`,
  );

  // Opening it in the compose page leads to the thread's answer box.
  const open = await p.get(`/messagerie/nouveau?brouillon=${draft}`);
  assert.equal(open.status, 303);
  assert.equal(open.location, `/messagerie/fils/${thread}#reponse`);
  assert.match(
    (await p.get(open.location.replace(/#.*/, ''))).text,
    /<textarea id="body" name="body"[^>]*>Je viendrai\.<\/textarea>/,
  );

  const n0 = stored();
  const res = await post(p, '/messagerie/nouveau', '/messagerie/nouveau', {
    brouillon: draft,
    action: 'draft',
    subject: 'Renommé par le formulaire',
    body: 'x',
  });
  assert.equal(res.status, 409);
  assert.match(
    visibleText(res.text),
    /Ce brouillon est une réponse dans une conversation : reprenez-le depuis la conversation/,
  );
  assert.equal(stored(), n0, 'nothing stored');
  const t = await srv.as('prof.demo');
  const view = await t.get(`/messagerie/fils/${thread}`);
  assert.match(
    view.text,
    /<h1>Réunion parents-professeurs<\/h1>/,
    'the other participant sees the original subject',
  );
  assert.doesNotMatch(visibleText((await t.get('/messagerie')).text), /Renommé par le formulaire/);
  assert.match(visibleText((await p.get('/messagerie')).text), /Réunion parents-professeurs/);
});

/* ---- Review #2 ------------------------------------------------------------ */

test('Review #2: a draft holds 5 files at most in all — the 6th is refused, nothing stored, the send delivers 5 (web form)', async () => {
  const p = await srv.as('parent.demo');
  const first = await post(
    p,
    '/messagerie/nouveau',
    '/messagerie/nouveau',
    {
      [`to_${ids.prof}`]: '1',
      subject: "Dossier d'inscription",
      body: 'Les pièces.',
      action: 'draft',
    },
    pdfs(5),
  );
  assert.equal(first.status, 303, visibleText(first.text));
  const draft = first.location.match(/brouillon=(\d+)/)[1];
  assert.equal(attachmentsOf(draft), '5');

  const n0 = stored();
  const sixth = await post(
    p,
    `/messagerie/nouveau?brouillon=${draft}`,
    '/messagerie/nouveau',
    {
      [`to_${ids.prof}`]: '1',
      subject: "Dossier d'inscription",
      body: 'Les pièces.',
      brouillon: draft,
      action: 'draft',
    },
    pdfs(1, 5),
  );
  assert.equal(sixth.status, 413);
  const said = visibleText(sixth.text);
  assert.match(
    said,
    /Un message emporte au plus 5 pièces jointes et 10 Mo en tout : avec celles qu'il a déjà, ce brouillon aurait 6 pièces jointes/,
  );
  assert.match(said, /Rien n'a été enregistré/);
  assert.match(
    sixth.text,
    /<form method="post" action="\/messagerie\/nouveau"/,
    'said in the form, which is shown again',
  );
  const five = await post(
    p,
    `/messagerie/nouveau?brouillon=${draft}`,
    '/messagerie/nouveau',
    {
      [`to_${ids.prof}`]: '1',
      subject: "Dossier d'inscription",
      body: 'Les pièces.',
      brouillon: draft,
      action: 'draft',
    },
    pdfs(5, 5),
  );
  assert.equal(five.status, 413, 'nor five more');
  assert.equal(stored(), n0, 'nothing stored');
  assert.equal(attachmentsOf(draft), '5');

  // Sending it with one more file is refused as well; sent alone, it delivers its 5.
  const over = await post(
    p,
    `/messagerie/nouveau?brouillon=${draft}`,
    '/messagerie/nouveau',
    {
      [`to_${ids.prof}`]: '1',
      subject: "Dossier d'inscription",
      body: 'Les pièces.',
      brouillon: draft,
      action: 'send',
    },
    pdfs(1, 20),
  );
  assert.equal(over.status, 413);
  assert.match(visibleText(over.text), /celui-ci aurait 6 pièces jointes .* Rien n'a été envoyé/);
  assert.equal(stored(), n0, 'nothing sent or stored');
  const sent = await post(p, `/messagerie/nouveau?brouillon=${draft}`, '/messagerie/nouveau', {
    [`to_${ids.prof}`]: '1',
    subject: "Dossier d'inscription",
    body: 'Les pièces.',
    brouillon: draft,
    action: 'send',
  });
  assert.equal(sent.status, 303, visibleText(sent.text));
  const thread = sent.location.match(/fils\/(\d+)/)[1];
  const doc = (await (await srv.as('prof.demo')).get(`/api/v1/threads/${thread}`)).json();
  assert.equal(doc.messages.length, 1);
  assert.equal(doc.messages[0].attachments.length, 5, 'the recipient receives the 5 files');
});

test('Review #2: the same through the API, for drafts of new messages, forwards and answer drafts; 10 MB in all', async () => {
  const p = await api(await srv.as('parent.demo'));
  const d = await p.multipart(
    '/api/v1/threads',
    { [`to_${ids.prof}`]: '1', subject: 'Trois envois', body: 'x', action: 'draft' },
    pdfs(5),
  );
  assert.equal(d.status, 201, d.text);
  const draft = d.json().draft;
  const n0 = stored();
  for (const k of [1, 5]) {
    const more = await p.multipart(
      '/api/v1/threads',
      {
        [`to_${ids.prof}`]: '1',
        subject: 'Trois envois',
        body: 'x',
        action: 'draft',
        brouillon: String(draft),
      },
      pdfs(k, 10),
    );
    assert.equal(more.status, 413, more.text);
    assert.equal(more.json().error.code, 'payload_too_large');
    assert.match(more.json().error.message, /au plus 5 pièces jointes et 10 Mo en tout/);
  }
  assert.equal(stored(), n0, 'nothing stored');

  // Bytes count too: 2 × 3.5 MB, then 3.5 MB more would be 10.5 MB.
  const big = (c) => Buffer.alloc(3.5 * 1024 * 1024, c);
  const heavy = await p.multipart(
    '/api/v1/threads',
    { [`to_${ids.prof}`]: '1', subject: 'Lourd', body: 'x', action: 'draft' },
    [
      ['a.txt', big('a')],
      ['b.txt', big('b')],
    ],
  );
  assert.equal(heavy.status, 201, heavy.text);
  const n1 = stored();
  const third = await p.multipart(
    '/api/v1/threads',
    {
      [`to_${ids.prof}`]: '1',
      subject: 'Lourd',
      body: 'x',
      action: 'draft',
      brouillon: String(heavy.json().draft),
    },
    [['c.txt', big('c')]],
  );
  assert.equal(third.status, 413, third.text);
  assert.match(
    third.json().error.message,
    /ce brouillon aurait 3 pièces jointes et 10\.5 Mo en tout/,
  );
  assert.equal(stored(), n1);

  // A forwarded message's files count with the new ones, in a draft and when sent.
  const t = await api(await srv.as('prof.demo'));
  const withFiles = await t.multipart(
    '/api/v1/threads',
    { [`to_${ids.parent}`]: '1', subject: 'Documents de la sortie', body: 'Ci-joint.' },
    pdfs(3, 30),
  );
  assert.equal(withFiles.status, 201, withFiles.text);
  const fwd = one(`SELECT id FROM message WHERE thread_id = ${withFiles.json().id}`);
  const n2 = stored();
  const fdraft = await p.multipart(
    '/api/v1/threads',
    { [`to_${ids.cpe}`]: '1', subject: 'Tr', body: 'x', action: 'draft', transferer: fwd },
    pdfs(3, 40),
  );
  assert.equal(fdraft.status, 413, fdraft.text);
  const fsend = await p.multipart(
    '/api/v1/threads',
    { [`to_${ids.cpe}`]: '1', subject: 'Tr', body: 'x', transferer: fwd },
    pdfs(3, 40),
  );
  assert.equal(fsend.status, 413, fsend.text);
  assert.match(fsend.json().error.message, /celui-ci aurait 6 pièces jointes/);
  assert.equal(stored(), n2, 'nothing stored or sent');

  // An answer draft: 5 files, then one more refused; the answer with one more file refused; alone, it carries 5.
  const thread = withFiles.json().id;
  const a = await p.multipart(
    `/api/v1/threads/${thread}/messages`,
    { action: 'draft', body: 'Réponse' },
    pdfs(5, 50),
  );
  assert.equal(a.status, 201, a.text);
  const n3 = stored();
  const a6 = await p.multipart(
    `/api/v1/threads/${thread}/messages`,
    { action: 'draft', body: 'Réponse' },
    pdfs(1, 55),
  );
  assert.equal(a6.status, 413, a6.text);
  const r6 = await p.multipart(
    `/api/v1/threads/${thread}/messages`,
    { body: 'Réponse' },
    pdfs(1, 56),
  );
  assert.equal(r6.status, 413, r6.text);
  assert.match(r6.json().error.message, /Rien n'a été envoyé/);
  assert.equal(stored(), n3, 'nothing stored or sent');
  const r5 = await p.multipart(`/api/v1/threads/${thread}/messages`, { body: 'Réponse' });
  assert.equal(r5.status, 201, r5.text);
  assert.equal(attachmentsOf(r5.json().id), '5');
  const msgs = (await t('GET', `/api/v1/threads/${thread}`)).json().messages;
  assert.equal(msgs.at(-1).attachments.length, 5, 'the teacher receives 5 files');
});

test("Review #2: an answer refused on the web is said in the thread's answer box, the text typed kept", async () => {
  const t = await api(await srv.as('prof.demo'));
  const thread = (
    await t('POST', '/api/v1/threads', {
      [`to_${ids.parent}`]: true,
      subject: 'Photos de classe',
      body: 'Bon de commande.',
    })
  ).json().id;
  const p = await srv.as('parent.demo');
  const d = await post(
    p,
    `/messagerie/fils/${thread}`,
    `/messagerie/fils/${thread}/repondre`,
    { action: 'draft', body: 'Commande' },
    pdfs(4, 60),
  );
  assert.equal(d.status, 303, visibleText(d.text));
  const n0 = stored();
  const res = await post(
    p,
    `/messagerie/fils/${thread}`,
    `/messagerie/fils/${thread}/repondre`,
    { body: 'Voici ma commande complète.' },
    pdfs(2, 70),
  );
  assert.equal(res.status, 413);
  assert.match(
    res.text,
    /<form method="post" action="\/messagerie\/fils\/\d+\/repondre"[^>]*id="reponse"><input[^>]*name="csrf"[^>]*><p class="error" role="alert">Un message emporte au plus 5 pièces jointes/,
  );
  assert.match(res.text, />Voici ma commande complète\.<\/textarea>/);
  assert.equal(stored(), n0);
});

test("Review #2: a person's drafts keep 50 MB of attachments at most; deleting a draft makes room again", async () => {
  const c = await srv.as('eleve.demo');
  const pupil = await api(c);
  const five = Buffer.alloc(5 * 1024 * 1024, 'z'); // the most one file may weigh
  const drafts = [];
  for (let i = 0; i < 5; i++) {
    const d = await pupil.multipart(
      '/api/v1/threads',
      { [`to_${ids.prof}`]: '1', subject: `Exposé ${i}`, body: 'x', action: 'draft' },
      [[`partie-${i}a.txt`, five]],
    );
    assert.equal(d.status, 201, d.text);
    drafts.push(d.json().draft);
    const e = await pupil.multipart(
      '/api/v1/threads',
      {
        [`to_${ids.prof}`]: '1',
        subject: `Exposé ${i}`,
        body: 'x',
        action: 'draft',
        brouillon: String(d.json().draft),
      },
      [[`partie-${i}b.txt`, five]],
    );
    assert.equal(e.status, 201, e.text);
  }
  assert.equal(
    one(`SELECT sum(a.size) FROM attachment a JOIN message m ON m.id = a.owner_id AND a.owner = 'message'
    WHERE m.author_id = ${ids.pupil} AND m.state = 'draft'`),
    String(50 * 1024 * 1024),
  );
  const n0 = stored();
  const more = await pupil.multipart(
    '/api/v1/threads',
    { [`to_${ids.prof}`]: '1', subject: 'Encore', body: 'x', action: 'draft' },
    pdfs(1, 80),
  );
  assert.equal(more.status, 413, more.text);
  assert.match(
    more.json().error.message,
    /Vos brouillons gardent au plus 50 Mo de pièces jointes en tout/,
  );
  assert.equal(stored(), n0, 'nothing stored');
  const files = () =>
    one('SELECT count(*) FROM attachment') + '/' + one('SELECT count(*) FROM file_blob');
  const f0 = files();
  const text = await pupil.multipart('/api/v1/threads', {
    [`to_${ids.prof}`]: '1',
    subject: 'Encore',
    body: 'x',
    action: 'draft',
  });
  assert.equal(text.status, 201, 'a draft without files still saves');
  assert.equal(files(), f0);

  // Deleted from the drafts folder (web), with its files: room again.
  const folder = await c.get('/messagerie?dossier=drafts');
  assert.match(folder.text, new RegExp(`action="/messagerie/brouillons/${drafts[0]}/supprimer"`));
  const del = await c.post(`/messagerie/brouillons/${drafts[0]}/supprimer`, {
    csrf: Client.csrfOf(folder.text),
  });
  assert.equal(del.status, 303);
  assert.match(visibleText((await c.get(del.location)).text), /Brouillon supprimé/);
  assert.equal(one(`SELECT count(*) FROM message WHERE id = ${drafts[0]}`), '0');
  assert.equal(attachmentsOf(drafts[0]), '0');
  const now = await pupil.multipart(
    '/api/v1/threads',
    { [`to_${ids.prof}`]: '1', subject: 'Encore', body: 'x', action: 'draft' },
    pdfs(1, 80),
  );
  assert.equal(now.status, 201, now.text);
  // Someone else's draft cannot be deleted.
  const p = await api(await srv.as('parent.demo'));
  assert.equal((await p('DELETE', `/api/v1/drafts/${drafts[1]}`)).status, 404);
  assert.equal(one(`SELECT count(*) FROM message WHERE id = ${drafts[1]}`), '1');
});

test('Review #2: a person keeps 100 drafts at most; deleting one (API) makes room', async () => {
  const p = await api(await srv.as('parent.demo'));
  const have = Number(
    one(`SELECT count(*) FROM message WHERE author_id = ${ids.parent} AND state = 'draft'`),
  );
  let last;
  for (let i = have; i < 100; i++) {
    const d = await p('POST', '/api/v1/threads', {
      [`to_${ids.prof}`]: true,
      subject: `Note ${i}`,
      body: 'x',
      action: 'draft',
    });
    assert.equal(d.status, 201, d.text);
    last = d.json().draft;
  }
  const n0 = stored();
  const over = await p('POST', '/api/v1/threads', {
    [`to_${ids.prof}`]: true,
    subject: 'Une de trop',
    body: 'x',
    action: 'draft',
  });
  assert.equal(over.status, 409, over.text);
  assert.match(over.json().error.message, /Vous avez déjà 100 brouillons/);
  assert.equal(stored(), n0);
  // Re-saving an existing draft is still possible.
  assert.equal(
    (
      await p('POST', '/api/v1/threads', {
        brouillon: last,
        [`to_${ids.prof}`]: true,
        subject: 'Note revue',
        body: 'y',
        action: 'draft',
      })
    ).status,
    201,
  );
  const del = await p('DELETE', `/api/v1/drafts/${last}`);
  assert.equal(del.status, 200, del.text);
  assert.deepEqual(del.json(), { draft: last, deleted: true });
  assert.equal(
    (
      await p('POST', '/api/v1/threads', {
        [`to_${ids.prof}`]: true,
        subject: 'Maintenant',
        body: 'x',
        action: 'draft',
      })
    ).status,
    201,
  );
});

/* ---- Review #8 ------------------------------------------------------------ */

async function newThread(subject) {
  const t = await api(await srv.as('prof.demo'));
  const res = await t('POST', '/api/v1/threads', {
    [`to_${ids.parent}`]: true,
    subject,
    body: `${subject} : le message.`,
  });
  assert.equal(res.status, 201, res.text);
  return { id: res.json().id, prof: t };
}

test('Review #8: a cross-site GET leaves the thread unread; a same-origin navigation, or the explicit POST, marks it read (page)', async () => {
  const { id } = await newThread('Conseil de classe');
  const c = await srv.as('parent.demo');
  const unread = async () =>
    (await c.get('/api/v1/threads')).json().threads.find((t) => t.id === id).unread;
  const count0 = (await c.get('/api/v1/threads')).json().unread;
  assert.equal(await unread(), true);

  for (const headers of [
    { 'Sec-Fetch-Site': 'cross-site' },
    { 'Sec-Fetch-Site': 'same-site' },
    { Referer: 'https://ailleurs.example/piege.html' },
    {},
    { 'Sec-Fetch-Site': 'same-origin', 'Sec-Purpose': 'prefetch' },
  ]) {
    const page = await c.get(`/messagerie/fils/${id}`, { headers });
    assert.equal(page.status, 200);
    assert.match(page.text, /Conseil de classe : le message\./, 'the thread is shown');
    assert.equal(await unread(), true, `still unread after ${JSON.stringify(headers)}`);
    assert.match(
      page.text,
      new RegExp(`<form method="post" action="/messagerie/fils/${id}/lu"`),
      'with a button to mark it read',
    );
    assert.match(visibleText(page.text), /Marquer comme lu/);
  }
  assert.equal(
    (await c.get('/api/v1/threads')).json().unread,
    count0,
    'the unread count did not move',
  );
  assert.match(visibleText((await c.get('/messagerie')).text), /Conseil de classe/);

  // A POST without the page's token changes nothing.
  assert.equal((await c.post(`/messagerie/fils/${id}/lu`, {})).status, 403);
  assert.equal(await unread(), true);
  // The button marks it read.
  const page = await c.get(`/messagerie/fils/${id}`, {
    headers: { 'Sec-Fetch-Site': 'cross-site' },
  });
  const marked = await c.post(`/messagerie/fils/${id}/lu`, {
    csrf: Client.csrfOf(page.text),
    jusqua: page.text.match(/name="jusqua" value="(\d+)"/)[1],
  });
  assert.equal(marked.status, 303);
  assert.equal(marked.location, `/messagerie/fils/${id}`);
  assert.equal(await unread(), false);
  assert.equal((await c.get('/api/v1/threads')).json().unread, count0 - 1);
  assert.doesNotMatch((await c.get(`/messagerie/fils/${id}`)).text, /\/lu"/, 'no button once read');

  // A navigation of our own marks read: from our pages, typed or from a mail application, or an older browser with our Referer.
  for (const headers of [
    { 'Sec-Fetch-Site': 'same-origin' },
    { 'Sec-Fetch-Site': 'none' },
    { Referer: `${srv.url}/messagerie` },
  ]) {
    const t = await newThread(`Réunion ${JSON.stringify(headers).length}`);
    const view = await c.get(`/messagerie/fils/${t.id}`, { headers });
    assert.doesNotMatch(view.text, /\/lu"/);
    assert.equal(
      (await c.get('/api/v1/threads')).json().threads.find((x) => x.id === t.id).unread,
      false,
      `read after ${JSON.stringify(headers)}`,
    );
  }
});

test('Review #8: the explicit mark reads up to what the page showed; a later message stays unread', async () => {
  const { id, prof } = await newThread('Voyage scolaire');
  const c = await srv.as('parent.demo');
  const page = await c.get(`/messagerie/fils/${id}`, {
    headers: { 'Sec-Fetch-Site': 'cross-site' },
  });
  const shown = page.text.match(/name="jusqua" value="(\d+)"/)[1];
  assert.equal(
    (await prof('POST', `/api/v1/threads/${id}/messages`, { body: 'Complément : départ à 7 h.' }))
      .status,
    201,
  );
  assert.equal(
    (await c.post(`/messagerie/fils/${id}/lu`, { csrf: Client.csrfOf(page.text), jusqua: shown }))
      .status,
    303,
  );
  assert.equal(
    (await c.get('/api/v1/threads')).json().threads.find((t) => t.id === id).unread,
    true,
    'the new answer is still unread',
  );
});

test("Review #8: the API — a cross-site GET does not mark read, a program's GET does, POST /read marks explicitly", async () => {
  const { id } = await newThread('Cantine');
  const c = await srv.as('parent.demo');
  const call = await api(c);
  const unread = async () =>
    (await c.get('/api/v1/threads')).json().threads.find((t) => t.id === id).unread;
  const cross = await c.get(`/api/v1/threads/${id}`, {
    headers: { 'Sec-Fetch-Site': 'cross-site' },
  });
  assert.equal(cross.status, 200);
  assert.equal(cross.json().subject, 'Cantine');
  assert.equal(cross.json().marked_read, false);
  assert.equal(await unread(), true);
  const foreign = await c.get(`/api/v1/threads/${id}`, {
    headers: { Referer: 'https://ailleurs.example/' },
  });
  assert.equal(foreign.json().marked_read, false);
  assert.equal(await unread(), true);

  const n = (await c.get('/api/v1/threads')).json().unread;
  const read = await call('POST', `/api/v1/threads/${id}/read`);
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.json(), { id, read: true, unread: n - 1 });
  assert.equal(await unread(), false);
  assert.equal(
    (await c.request('POST', `/api/v1/threads/${id}/read`, { json: {} })).status,
    403,
    'without the CSRF token: refused',
  );

  // A program (no Sec-Fetch-Site, no Referer) reads and marks, as documented; so does our own page's script.
  for (const headers of [{}, { 'Sec-Fetch-Site': 'same-origin' }]) {
    const t = await newThread(`Menu ${Object.keys(headers).length}`);
    const doc = await c.get(`/api/v1/threads/${t.id}`, { headers });
    assert.equal(doc.json().marked_read, true);
    assert.equal(
      (await c.get('/api/v1/threads')).json().threads.find((x) => x.id === t.id).unread,
      false,
    );
  }
});
