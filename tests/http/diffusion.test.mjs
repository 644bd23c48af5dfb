// Issue 5: the head's diffusion page (R-DISCO quiet periods, messages
// between staff, R-GRADES parents' delay), its immediate effect on what is
// written next and on what already waits, the establishment's own time zone
// (overseas) and daylight saving, and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);
const person = (login) => one(`SELECT person_id FROM account WHERE login = '${login}'`);
const settings = () => one(`SELECT key || '=' || value FROM establishment_setting
  WHERE establishment_id = ${ids.est} AND (key LIKE 'disco.%' OR key LIKE 'grades.%') ORDER BY key`).split('\n').join(',');
// Epoch seconds of a UTC instant.
const utc = (s) => String(Date.parse(s) / 1000);

before(async () => {
  srv = await startServer({ now: '2026-03-10T10:00' });
  const lucie = person('eleve.demo');
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  ids = {
    lucie, cls, est: one(`SELECT establishment_id FROM class WHERE id = ${cls}`),
    prof: person('prof.demo'), parent: person('parent.demo'), cpe: person('cpe.demo'),
  };
});
after(async () => { await srv.stop(); });

async function api(c) {
  const me = (await c.get('/api/v1/me')).json();
  return (method, path, json) => c.request(method, path, { json, headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
}

async function save(head, fields) {
  const page = await head.get(`/etablissements/${ids.est}/diffusion`);
  return head.post(`/etablissements/${ids.est}/diffusion`, { csrf: Client.csrfOf(page.text), ...fields });
}

const defaults = { soir: '20:00', matin: '07:00', delai_parents: '1' };

test('R-DISCO settings: only the head opens the diffusion page; it explains the rules with real times', async () => {
  await srv.setClock('2026-03-10T10:00');
  for (const login of ['prof.demo', 'cpe.demo', 'parent.demo', 'eleve.demo'])
    assert.equal((await (await srv.as(login)).get(`/etablissements/${ids.est}/diffusion`)).status, 403, login);
  const head = await srv.as('direction.demo');
  const text = visibleText((await head.get(`/etablissements/${ids.est}/diffusion`)).text);
  assert.match(text, /Diffusion ouverte jusqu'au mardi 10 mars à 20:00/);
  assert.match(text, /publié ce soir à 21:30 arrive le mercredi 11 mars à 07:00/);
  assert.match(text, /note publiée vendredi à 21:00 est visible par l'élève le lundi 16 mars à 07:00, par ses parents le mardi 17 mars à 07:00/);
  assert.ok((await head.get('/')).text.includes(`/etablissements/${ids.est}/diffusion`), 'linked from the head\'s home page');
});

test('R-DISCO settings: bad input gives 400 with the reason and changes nothing', async () => {
  const head = await srv.as('direction.demo');
  const before = settings();
  for (const [fields, why] of [
    [{ ...defaults, soir: '25:00' }, /début du soir non valable.*entre 18:00 et 23:00/],
    [{ ...defaults, soir: '17:00' }, /début du soir non valable/],
    [{ ...defaults, matin: '10:00' }, /fin du matin non valable.*entre 06:00 et 09:00/],
    [{ ...defaults, matin: 'sept' }, /fin du matin non valable/],
    [{ ...defaults, delai_parents: '2' }, /delai_parents/],
    [{ soir: '20:00', matin: '07:00' }, /delai_parents/],
  ]) {
    const res = await save(head, fields);
    assert.equal(res.status, 400, JSON.stringify(fields));
    assert.match(visibleText(res.text), why);
  }
  assert.equal(settings(), before, 'nothing stored');
});

test('R-DISCO settings: an earlier evening applies at once to what is written next, and the compose page says so', async () => {
  await srv.setClock('2026-03-10T19:30');
  const head = await srv.as('direction.demo');
  try {
    const p = await api(await srv.as('parent.demo'));
    const before = await p('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Avant 19 h', body: 'Bonjour.' });
    assert.equal(before.status, 201);
    assert.equal((await save(head, { ...defaults, soir: '19:00' })).status, 303);
    assert.equal(settings(), 'disco.evening=19:00,disco.morning=07:00,disco.staff_exempt=0,grades.parents_delay=1');
    const after = await p('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Après 19 h', body: 'Bonjour.' });
    assert.equal(after.status, 201);
    const seen = (await (await srv.as('prof.demo')).get('/api/v1/threads')).json().threads.map((x) => x.subject);
    assert.ok(seen.includes('Avant 19 h'), 'written before the change: already delivered');
    assert.ok(!seen.includes('Après 19 h'), 'written after the change, at 19:30: held to the morning');
    const compose = visibleText((await (await srv.as('parent.demo')).get('/messagerie/nouveau')).text);
    assert.match(compose, /Droit à la déconnexion.*remis le mercredi 11 mars à 07:00/);
  } finally {
    assert.equal((await save(await srv.as('direction.demo'), defaults)).status, 303);
  }
});

test('R-DISCO settings: a later morning reschedules what already waits — messages and their notifications', async () => {
  await srv.setClock('2026-03-10T21:00');
  const head = await srv.as('direction.demo');
  try {
    const p = await api(await srv.as('parent.demo'));
    const res = await p('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Ce soir', body: 'Bonjour.' });
    assert.equal(res.status, 201);
    const msg = one(`SELECT max(id) FROM message WHERE author_id = ${ids.parent}`);
    assert.equal(one(`SELECT visible_at FROM message WHERE id = ${msg}`), utc('2026-03-11T06:00:00Z'));
    assert.equal(one(`SELECT visible_at FROM notification WHERE item = 'message:${msg}' AND person_id = ${ids.prof}`),
      utc('2026-03-11T06:00:00Z'), 'the teacher\'s notification waits with the message');
    const saved = await save(head, { ...defaults, matin: '08:00' });
    assert.equal(saved.status, 303);
    assert.match(visibleText((await head.get(saved.headers.get('location'))).text), /Enregistré.*reprogrammé/);
    assert.equal(one(`SELECT visible_at FROM message WHERE id = ${msg}`), utc('2026-03-11T07:00:00Z'), 'now 08:00');
    assert.equal(one(`SELECT visible_at FROM notification WHERE item = 'message:${msg}'`), utc('2026-03-11T07:00:00Z'));
    await srv.setClock('2026-03-11T07:30');
    const prof = await srv.as('prof.demo');
    assert.ok(!(await prof.get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Ce soir'), 'not at 07:30');
    await srv.setClock('2026-03-11T08:00');
    assert.ok((await prof.get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Ce soir'), 'at 08:00');
  } finally {
    assert.equal((await save(await srv.as('direction.demo'), defaults)).status, 303);
  }
});

test('R-DISCO across daylight saving: written on Saturday 28 March 2026, delivered Monday 30 March at 07:00 summer time', async () => {
  await srv.setClock('2026-03-28T11:00');
  const p = await api(await srv.as('parent.demo'));
  assert.equal((await p('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Heure d\'été', body: 'Bonjour.' })).status, 201);
  const msg = one(`SELECT max(id) FROM message WHERE author_id = ${ids.parent}`);
  assert.equal(one(`SELECT visible_at FROM message WHERE id = ${msg}`), utc('2026-03-30T05:00:00Z'), '07:00 CEST = 05:00 UTC');
  await srv.setClock('2026-03-30T06:59');
  const prof = await srv.as('prof.demo');
  assert.ok(!(await prof.get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Heure d\'été'));
  await srv.setClock('2026-03-30T07:00');
  assert.ok((await prof.get('/api/v1/threads')).json().threads.some((x) => x.subject === 'Heure d\'été'));
});

test('R-DISCO overseas: an establishment in Guadeloupe keeps its own evenings and mornings', async () => {
  const tz = one(`SELECT tz FROM establishment WHERE id = ${ids.est}`);
  one(`UPDATE establishment SET tz = 'America/Guadeloupe' WHERE id = ${ids.est}`);
  try {
    // 21:30 in Paris is 16:30 in Guadeloupe (UTC-4): open there.
    await srv.setClock('2026-03-10T21:30');
    let p = await api(await srv.as('parent.demo'));
    assert.equal((await p('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Antilles 1', body: 'Bonjour.' })).status, 201);
    let msg = one(`SELECT max(id) FROM message WHERE author_id = ${ids.parent}`);
    assert.equal(one(`SELECT visible_at = created_at FROM message WHERE id = ${msg}`), '1', 'delivered at once at 16:30 local');
    // 03:00 in Paris on Wednesday is 22:00 on Tuesday in Guadeloupe: held to 07:00 local = 11:00 UTC.
    await srv.setClock('2026-03-11T03:00');
    p = await api(await srv.as('parent.demo'));
    assert.equal((await p('POST', '/api/v1/threads', { [`to_${ids.prof}`]: true, subject: 'Antilles 2', body: 'Bonjour.' })).status, 201);
    msg = one(`SELECT max(id) FROM message WHERE author_id = ${ids.parent}`);
    assert.equal(one(`SELECT visible_at FROM message WHERE id = ${msg}`), utc('2026-03-11T11:00:00Z'));
    const text = visibleText((await (await srv.as('direction.demo')).get(`/etablissements/${ids.est}/diffusion`)).text);
    assert.match(text, /Période calme : ce qui est publié maintenant sera diffusé le mercredi 11 mars à 07:00/, 'local time shown');
  } finally {
    one(`UPDATE establishment SET tz = '${tz}' WHERE id = ${ids.est}`);
  }
});

test('R-DISCO scheduled sending: a message scheduled for Thursday 10:00 arrives then; one for Saturday waits to Monday 07:00; bad dates give 400', async () => {
  await srv.setClock('2026-03-10T21:00');
  const t = await api(await srv.as('prof.demo'));
  const before = one('SELECT count(*) FROM message');
  for (const [when, why] of [
    ['2026-03-09T10:00', /passée/], ['demain', /illisible/], ['2026-03-12T25:00', /illisible/], ['2026-09-01T10:00', /90 jours/],
  ]) {
    const res = await t('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Programmé', body: 'Bonjour.', envoyer_le: when });
    assert.equal(res.status, 400, when);
    assert.match(res.json().error.message, why);
  }
  assert.equal(one('SELECT count(*) FROM message'), before, 'nothing stored');
  const head = await api(await srv.as('direction.demo'));
  const both = await head('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Urgent', body: 'x', urgent: true,
    motif_urgence: 'Fermeture', envoyer_le: '2026-03-12T10:00' });
  assert.equal(both.status, 400);
  assert.match(both.json().error.message, /urgent part tout de suite/);

  assert.equal((await t('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Jeudi', body: 'Bonjour.', envoyer_le: '2026-03-12T10:00' })).status, 201);
  assert.equal((await t('POST', '/api/v1/threads', { [`to_${ids.parent}`]: true, subject: 'Samedi', body: 'Bonjour.', envoyer_le: '2026-03-14T10:00' })).status, 201);
  const at = (subject) => one(`SELECT m.visible_at FROM message m JOIN thread t ON t.id = m.thread_id WHERE t.subject = '${subject}' AND m.author_id = ${ids.prof}`);
  assert.equal(at('Jeudi'), utc('2026-03-12T09:00:00Z'));
  assert.equal(at('Samedi'), utc('2026-03-16T06:00:00Z'), 'Saturday is quiet: Monday 07:00');
  const seen = async () => (await (await srv.as('parent.demo')).get('/api/v1/threads')).json().threads.map((x) => x.subject);
  await srv.setClock('2026-03-12T09:59');
  assert.ok(!(await seen()).includes('Jeudi'));
  await srv.setClock('2026-03-12T10:00');
  assert.ok((await seen()).includes('Jeudi'));
  assert.ok(!(await seen()).includes('Samedi'));
});

test('R-DISCO settings: homework held tonight follows a later morning, with its notifications', async () => {
  await srv.setClock('2026-03-10T21:00');
  const t = await srv.as('prof.demo');
  const slot = one(`SELECT s.id FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id WHERE t.teacher_id = ${ids.prof}
    AND t.class_id = ${ids.cls} AND s.weekday = 1 AND s.valid_from = '2025-09-01'`);
  const path = `/cahier-de-textes/cours/${slot}/2026-03-09`;
  const page = await t.get(path);
  assert.equal((await t.post(`${path}/travail`, { csrf: Client.csrfOf(page.text), title: 'Tard le soir', due_on: '2026-03-13', minutes: '10' })).status, 303);
  const hw = one("SELECT id FROM homework WHERE title = 'Tard le soir'");
  assert.equal(one(`SELECT visible_from FROM homework WHERE id = ${hw}`), utc('2026-03-11T06:00:00Z'));
  try {
    assert.equal((await save(await srv.as('direction.demo'), { ...defaults, matin: '08:00' })).status, 303);
    assert.equal(one(`SELECT visible_from FROM homework WHERE id = ${hw}`), utc('2026-03-11T07:00:00Z'));
    assert.equal(one(`SELECT DISTINCT visible_at FROM notification WHERE item = 'homework:${hw}'`), utc('2026-03-11T07:00:00Z'));
  } finally {
    assert.equal((await save(await srv.as('direction.demo'), defaults)).status, 303);
  }
  assert.equal(one(`SELECT visible_from FROM homework WHERE id = ${hw}`), utc('2026-03-11T06:00:00Z'), 'and back');
});

test('R-GRADES settings: a new parents\' delay applies at once to grades parents do not see yet (what the pupil saw stays seen)', async () => {
  await srv.setClock('2026-03-10T10:00');
  const t = await srv.as('prof.demo');
  const teaching = one(`SELECT id FROM teaching WHERE teacher_id = ${ids.prof} AND class_id = ${ids.cls}`);
  const book = `/notes/enseignements/${teaching}`;
  const page = await t.get(book);
  const created = await t.post(`${book}/evaluations`, { csrf: Client.csrfOf(page.text), title: 'Délai des parents', on_date: '2026-03-10',
    scale: '20', coefficient: '1', kind: 'normal' });
  assert.equal(created.status, 303);
  const id = created.location.match(/evaluations\/(\d+)/)[1];
  const sheet = await t.get(`/notes/evaluations/${id}`);
  assert.equal((await t.post(`/notes/evaluations/${id}`, { csrf: Client.csrfOf(sheet.text), publier: '1', [`note_${ids.lucie}`]: '12' })).status, 303);
  const [pupils, parents] = one(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${id}`).split('|').map(Number);
  assert.equal(parents - pupils, 86400, 'parents a day after the pupil');
  const parentSees = async () => (await (await srv.as('parent.demo')).get(`/api/v1/grades?eleve=${ids.lucie}`)).text.includes('Délai des parents');
  assert.equal(await parentSees(), false);
  try {
    const head = await srv.as('direction.demo');
    assert.equal((await save(head, { ...defaults, delai_parents: '0' })).status, 303);
    assert.equal(one(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${id}`), `${pupils}|${pupils}`);
    assert.equal(one(`SELECT parents_at FROM mark WHERE assessment_id = ${id} AND pupil_id = ${ids.lucie}`), String(pupils));
    assert.equal(one(`SELECT visible_at FROM notification WHERE item = 'assessment:${id}:parents' AND person_id = ${ids.parent}`), String(pupils));
    assert.equal(await parentSees(), true, 'delay 0: the parents see it now');
  } finally {
    assert.equal((await save(await srv.as('direction.demo'), defaults)).status, 303);
  }
});
