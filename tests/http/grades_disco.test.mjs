// R-GRADES — the chronology of grades, driving the real server with --now
// and clock steps: a mark reaches the pupil at a reasonable hour (never in
// a quiet period, not before the copies are handed back) and the parents a
// delay later (24 h by default, 0 / 1 / 3 / 7 days per establishment),
// everywhere a family can see it: the report page, its averages and class
// statistics, the JSON API, the dashboards. The teacher sees when.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const rows = (q) => srv.sql(q).split('\n').filter(Boolean);
/** Seconds since the epoch of a UTC instant "YYYY-MM-DDTHH:MMZ". */
const utc = (s) => String(Date.parse(s) / 1000);
/** The server's clock runs on from each setClock: what is published at a
 * time that is not held is stamped a few seconds after it. */
function near(actual, iso) {
  const d = Number(actual) - Date.parse(iso) / 1000;
  assert.ok(d >= 0 && d < 30, `${actual} is ${d} s from ${iso}`);
}
const moments = (id) => srv.sql(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${id}`).split('|');

before(async () => {
  srv = await startServer({ now: '2026-03-10T10:00' });
  const one = (q) => srv.sql(q);
  const prof = one("SELECT person_id FROM account WHERE login = 'prof.demo'");
  const lucie = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  const periods = `SELECT p.id FROM period p JOIN school_year y ON y.id = p.school_year_id JOIN class c ON c.school_year_id = y.id
    WHERE c.id = ${cls} AND p.ordinal = `;
  ids = {
    prof, lucie, cls,
    parent: one("SELECT person_id FROM account WHERE login = 'parent.demo'"),
    teaching: one(`SELECT id FROM teaching WHERE teacher_id = ${prof} AND class_id = ${cls}`),
    est: one(`SELECT establishment_id FROM class WHERE id = ${cls}`),
    t2: one(periods + '2'),
    t3: one(periods + '3'),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
  assert.equal(one(`SELECT count(*) FROM guardianship WHERE parent_id = ${ids.parent} AND pupil_id = ${lucie}`), '1');
  ids.mates = rows(`SELECT pupil_id FROM enrolment WHERE class_id = ${cls} AND pupil_id <> ${lucie} ORDER BY pupil_id LIMIT 5`);
});
after(async () => { await srv.stop(); });

/** Start from an empty 3rd trimester in 4e B maths, the default rules. */
function reset() {
  const mine = `SELECT id FROM assessment WHERE teaching_id = ${ids.teaching} AND period_id = ${ids.t3}`;
  srv.sql(`DELETE FROM notification WHERE item IN (SELECT 'assessment:' || id FROM (${mine}) a UNION SELECT 'assessment:' || id || ':parents' FROM (${mine}) b);
    DELETE FROM skill_result WHERE assessment_id IN (${mine}); DELETE FROM assessment_skill WHERE assessment_id IN (${mine});
    DELETE FROM mark WHERE assessment_id IN (${mine}); DELETE FROM assessment WHERE id IN (${mine});
    DELETE FROM establishment_setting WHERE establishment_id = ${ids.est} AND key = 'grades.parents_delay';
    UPDATE establishment SET tz = 'Europe/Paris' WHERE id = ${ids.est};`);
}

const book = () => `/notes/enseignements/${ids.teaching}`;

/** At local time `when`, the teacher creates an assessment and publishes
 * marks ({ pupil: 'text' }); returns its id. */
async function publish(when, fields, marks) {
  await srv.setClock(when);
  const t = await srv.as('prof.demo');
  const page = await t.get(book());
  const res = await t.post(`${book()}/evaluations`, { csrf: Client.csrfOf(page.text), scale: '20', coefficient: '1', kind: 'normal', ...fields });
  assert.equal(res.status, 303, visibleText(res.text));
  const id = res.location.match(/evaluations\/(\d+)/)[1];
  assert.equal((await enter(t, id, marks)).status, 303);
  return id;
}

/** The teacher saves marks of assessment id (publish '1', withdraw '0', or keep). */
async function enter(t, id, marks, publier = '1') {
  const sheet = await t.get(`/notes/evaluations/${id}`);
  assert.equal(sheet.status, 200);
  const form = { csrf: Client.csrfOf(sheet.text), ...(publier === null ? {} : { publier }) };
  for (const [p, v] of Object.entries(marks)) form[`note_${p}`] = v;
  return t.post(`/notes/evaluations/${id}`, form);
}

/** What login (eleve.demo: Lucie; parent.demo: her mother) reads about
 * Lucie's mark in the assessment titled title, in every place a family
 * sees marks: the report page, the JSON API, the dashboard page and its
 * JSON. Each is the mark shown ("12/20") or null. */
async function seen(login, title, period = ids.t3) {
  const c = await srv.as(login);
  const page = await c.get(`/notes/eleves/${ids.lucie}?periode=${period}`);
  assert.equal(page.status, 200);
  const text = visibleText(page.text);
  const m = text.match(new RegExp(`${title} [^/]*? (\\d+(?:,\\d+)?/20)`));
  const api = (await c.get(`/api/v1/grades?eleve=${ids.lucie}&periode=${period}`)).json();
  const inApi = api.subjects.flatMap((s) => s.assessments).find((a) => a.title === title);
  const dash = (await c.get('/api/v1/dashboard')).json().pupils.find((p) => String(p.id) === ids.lucie);
  const inDash = dash.latest_grades.find((g) => g.title === title);
  const home = visibleText((await c.get('/')).text);
  const h = home.match(new RegExp(`Mathématiques — ${title} (\\d+(?:,\\d+)?/20)`));
  return {
    page: m ? m[1] : null,
    api: inApi ? `${String(inApi.mark).replace('.', ',')}/20` : null,
    dashboard: inDash ? `${String(inDash.mark).replace('.', ',')}/20` : null,
    home: h ? h[1] : null,
    text, api_json: api,
  };
}

/** Assert that at local time when, login sees Lucie's mark (or not, mark null) everywhere. */
async function check(when, login, title, mark, period) {
  await srv.setClock(when);
  const s = await seen(login, title, period);
  const where = `${login} at ${when}`;
  assert.deepEqual({ page: s.page, api: s.api, dashboard: s.dashboard, home: s.home },
    { page: mark, api: mark, dashboard: mark, home: mark }, where);
  return s;
}

test('R-GRADES: a grade published Friday 21:00 reaches the pupil Monday 07:00 and the parents Tuesday 07:00 — pages, averages, class statistics, dashboards, API', async () => {
  reset();
  const [a, b, c, d, e] = ids.mates;
  const title = 'Contrôle du vendredi soir';
  const id = await publish('2026-03-13T21:00', { title, on_date: '2026-03-13' }, { [ids.lucie]: '12', [a]: '16', [b]: '8', [d]: '10', [e]: '14' });
  // Stored once, as data: Monday 16 March 07:00 and Tuesday 17 March 07:00 in Paris (UTC+1).
  assert.equal(srv.sql(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${id}`),
    `${utc('2026-03-16T06:00Z')}|${utc('2026-03-17T06:00Z')}`);
  assert.equal(srv.sql(`SELECT count(*) FROM mark WHERE assessment_id = ${id} AND visible_at = ${utc('2026-03-16T06:00Z')}
    AND parents_at = ${utc('2026-03-17T06:00Z')}`), '5');
  for (const login of ['eleve.demo', 'parent.demo']) {
    await check('2026-03-13T21:05', login, title, null);
    await check('2026-03-14T11:00', login, title, null);
    const s = await check('2026-03-16T06:59', login, title, null);
    // Nothing of it leaks through the averages either.
    assert.match(s.text, /Aucune note publiée pour cette période/);
    assert.equal(s.api_json.general.average, null);
  }
  // Monday 07:00: the pupil sees the mark, the average and the class
  // statistics (12, 16, 8, 10 and 14: five marks, the minimum for them); the parent still nothing.
  let s = await check('2026-03-16T07:00', 'eleve.demo', title, '12/20');
  assert.match(s.text, /Mathématiques N\. Lefèvre Moyenne 12,00 Classe 12,00 · min 8,00 · max 16,00/);
  assert.match(s.text, /Moyenne générale — 3e trimestre 12,00/);
  const maths = s.api_json.subjects.find((x) => x.subject === 'Mathématiques');
  assert.deepEqual(maths.class, { average: 12, min: 8, max: 16 });
  assert.deepEqual(maths.assessments[0].class, { average: 12, min: 8, max: 16 });
  s = await check('2026-03-16T07:00', 'parent.demo', title, null);
  assert.equal(s.api_json.general.average, null);
  // A mark entered Monday 10:00 for a classmate who was away: the pupils
  // see it (and the class statistics with it) at once, the parents a day
  // later: Tuesday morning their statistics still leave it out.
  await srv.setClock('2026-03-16T10:00');
  assert.equal((await enter(await srv.as('prof.demo'), id, { [c]: '20' }, null)).status, 303);
  s = await check('2026-03-16T10:01', 'eleve.demo', title, '12/20');
  assert.match(s.text, /Mathématiques N\. Lefèvre Moyenne 12,00 Classe 13,33 · min 8,00 · max 20,00/);
  await check('2026-03-17T06:59', 'eleve.demo', title, '12/20');
  await check('2026-03-17T06:59', 'parent.demo', title, null);
  s = await check('2026-03-17T07:00', 'parent.demo', title, '12/20');
  assert.match(s.text, /Mathématiques N\. Lefèvre Moyenne 12,00 Classe 12,00 · min 8,00 · max 16,00/);
  assert.deepEqual(s.api_json.subjects[0].assessments[0].class, { average: 12, min: 8, max: 16 });
  s = await check('2026-03-17T10:01', 'parent.demo', title, '12/20');
  assert.match(s.text, /Classe 13,33 · min 8,00 · max 20,00/);
  assert.deepEqual(s.api_json.subjects[0].assessments[0].class, { average: 13.33, min: 8, max: 20 });
});

test('R-GRADES: the teacher sees when the pupils and the parents will see a published assessment', async () => {
  reset();
  const title = 'Interrogation planifiée';
  const id = await publish('2026-03-13T21:00', { title, on_date: '2026-03-13' }, { [ids.lucie]: '15' });
  const views = async (when) => {
    await srv.setClock(when);
    const t = await srv.as('prof.demo');
    return [visibleText((await t.get(book())).text), visibleText((await t.get(`/notes/evaluations/${id}`)).text)];
  };
  for (const text of await views('2026-03-13T21:01'))
    assert.match(text, /Visible par les élèves lundi 16 mars à 07:00, par les parents mardi 17 mars à 07:00/);
  for (const text of await views('2026-03-16T10:00'))
    assert.match(text, /Visible par les élèves ; par les parents mardi 17 mars à 07:00/);
  for (const text of await views('2026-03-17T07:00')) assert.match(text, /Visible par les élèves et les parents/);
  // Staff other than the family see what is published at once (the school-life office on Saturday).
  await srv.setClock('2026-03-14T10:00');
  const cpe = await srv.as('cpe.demo');
  assert.match(visibleText((await cpe.get(`/notes/eleves/${ids.lucie}?periode=${ids.t3}`)).text), new RegExp(`${title} .*15/20`));
  // In English too.
  const en = await srv.as('prof.demo');
  const page = await en.get(`/notes/evaluations/${id}`, { headers: { 'Accept-Language': 'en' } });
  assert.match(visibleText(page.text), /Visible to pupils Monday 16 March at 07:00, to parents Tuesday 17 March at 07:00/);
});

test('R-GRADES: a grade published before the zone B winter holidays reaches families only after them', async () => {
  reset();
  assert.equal(srv.sql(`SELECT starts_on || '|' || ends_on FROM school_calendar WHERE zone = 'B' AND school_year = '2025-2026'
    AND description LIKE 'Vacances d''hiver'`), '2026-02-14|2026-03-02');
  // Friday 13 February at 20:30, the evening before the holidays.
  const late = await publish('2026-02-13T20:30', { title: 'Bilan avant les vacances', on_date: '2026-02-12' }, { [ids.lucie]: '14' });
  // Friday 13 February at 17:00: the pupil sees it at once; the day's delay
  // for the parents ends in the holidays, so they see it when school resumes.
  const early = await publish('2026-02-13T17:00', { title: 'Oral avant les vacances', on_date: '2026-02-13' }, { [ids.lucie]: '11' });
  assert.equal(srv.sql(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${late}`),
    `${utc('2026-03-02T06:00Z')}|${utc('2026-03-03T06:00Z')}`);
  near(moments(early)[0], '2026-02-13T16:00Z');
  assert.equal(moments(early)[1], utc('2026-03-02T06:00Z'));
  const period = ids.t2;
  await check('2026-02-13T17:05', 'eleve.demo', 'Oral avant les vacances', '11/20', period);
  await check('2026-02-20T10:00', 'eleve.demo', 'Bilan avant les vacances', null, period);
  await check('2026-02-20T10:00', 'parent.demo', 'Oral avant les vacances', null, period);
  await check('2026-03-02T06:59', 'eleve.demo', 'Bilan avant les vacances', null, period);
  await check('2026-03-02T06:59', 'parent.demo', 'Oral avant les vacances', null, period);
  await check('2026-03-02T07:00', 'eleve.demo', 'Bilan avant les vacances', '14/20', period);
  await check('2026-03-02T07:00', 'parent.demo', 'Oral avant les vacances', '11/20', period);
  await check('2026-03-02T07:00', 'parent.demo', 'Bilan avant les vacances', null, period);
  await check('2026-03-03T07:00', 'parent.demo', 'Bilan avant les vacances', '14/20', period);
  srv.sql(`DELETE FROM notification WHERE item LIKE 'assessment:${late}%' OR item LIKE 'assessment:${early}%';
    DELETE FROM mark WHERE assessment_id IN (${late}, ${early}); DELETE FROM assessment WHERE id IN (${late}, ${early});`);
});

test("R-GRADES: the establishment's parents delay — 0 days (with the pupil) and 3 days (pushed out of the weekend)", async () => {
  reset();
  const setDelay = (d) => srv.sql(`INSERT INTO establishment_setting (establishment_id, key, value)
    VALUES (${ids.est}, 'grades.parents_delay', '${d}') ON CONFLICT (establishment_id, key) DO UPDATE SET value = excluded.value`);
  setDelay(0);
  const now = await publish('2026-03-17T10:00', { title: 'Sans délai', on_date: '2026-03-17' }, { [ids.lucie]: '13' });
  assert.equal(srv.sql(`SELECT parents_at - pupils_at FROM assessment WHERE id = ${now}`), '0');
  await check('2026-03-17T10:01', 'parent.demo', 'Sans délai', '13/20');
  // In a quiet period both wait for the same morning.
  const evening = await publish('2026-03-17T21:00', { title: 'Sans délai le soir', on_date: '2026-03-17' }, { [ids.lucie]: '10' });
  assert.equal(srv.sql(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${evening}`),
    `${utc('2026-03-18T06:00Z')}|${utc('2026-03-18T06:00Z')}`);
  await check('2026-03-18T06:59', 'parent.demo', 'Sans délai le soir', null);
  await check('2026-03-18T07:00', 'parent.demo', 'Sans délai le soir', '10/20');

  setDelay(3);
  // Tuesday 10:00 + 3 days: Friday 10:00.
  const tue = await publish('2026-03-17T10:00', { title: 'Trois jours', on_date: '2026-03-17' }, { [ids.lucie]: '17' });
  near(moments(tue)[1], '2026-03-20T09:00Z');
  await check('2026-03-17T10:01', 'eleve.demo', 'Trois jours', '17/20');
  await check('2026-03-20T09:59', 'parent.demo', 'Trois jours', null);
  await check('2026-03-20T10:01', 'parent.demo', 'Trois jours', '17/20');
  // Wednesday 10:00 + 3 days is a Saturday: Monday 07:00.
  const wed = await publish('2026-03-18T10:00', { title: 'Trois jours et le week-end', on_date: '2026-03-18' }, { [ids.lucie]: '9' });
  assert.equal(srv.sql(`SELECT parents_at FROM assessment WHERE id = ${wed}`), utc('2026-03-23T06:00Z'));
  await check('2026-03-21T10:00', 'parent.demo', 'Trois jours et le week-end', null);
  await check('2026-03-23T07:00', 'parent.demo', 'Trois jours et le week-end', '9/20');
  // The parents are told so on the report page.
  assert.match((await seen('parent.demo', 'Trois jours')).text, /Vous voyez chaque note 3 jours après votre enfant/);
  reset();
});

test('R-GRADES: copies handed back — not before the end of the first lesson of that day, else 17:00', async () => {
  reset();
  const lesson = (wd) => rows(`SELECT ends_at FROM timetable_slot WHERE teaching_id = ${ids.teaching} AND weekday = ${wd}
    AND week = '' AND valid_from <= '2026-03-18' AND valid_to >= '2026-03-18' ORDER BY starts_at LIMIT 1`)[0];
  const wednesday = lesson(3);
  assert.ok(wednesday, '4e B has maths on Wednesdays');
  assert.equal(srv.sql(`SELECT count(*) FROM timetable_slot WHERE teaching_id = ${ids.teaching} AND weekday = 2`), '0', 'no maths on Tuesdays');
  const [hh, mm] = wednesday.split(':').map(Number);
  const minus1 = `${String(mm ? hh : hh - 1).padStart(2, '0')}:${String(mm ? mm - 1 : 59).padStart(2, '0')}`;
  // Published Monday 10:00, handed back on Wednesday: at the end of the
  // Wednesday lesson for the pupils, a day later for the parents.
  const id = await publish('2026-03-16T10:00', { title: 'Copies rendues mercredi', on_date: '2026-03-13', handed_back_on: '2026-03-18' },
    { [ids.lucie]: '16' });
  const t = await srv.as('prof.demo');
  const form = await t.get(`/notes/evaluations/${id}`);
  assert.match(form.text, /name="handed_back_on" type="date" value="2026-03-18"/);
  assert.match(visibleText(form.text), new RegExp(`Visible par les élèves mercredi 18 mars à ${wednesday}, par les parents jeudi 19 mars à ${wednesday}`));
  await check('2026-03-17T12:00', 'eleve.demo', 'Copies rendues mercredi', null);
  await check(`2026-03-18T${minus1}`, 'eleve.demo', 'Copies rendues mercredi', null);
  await check(`2026-03-18T${wednesday}`, 'eleve.demo', 'Copies rendues mercredi', '16/20');
  await check(`2026-03-19T${minus1}`, 'parent.demo', 'Copies rendues mercredi', null);
  await check(`2026-03-19T${wednesday}`, 'parent.demo', 'Copies rendues mercredi', '16/20');
  // Handed back on a Tuesday, a day without maths: 17:00.
  const tue = await publish('2026-03-16T10:00', { title: 'Copies rendues mardi', on_date: '2026-03-16', handed_back_on: '2026-03-17' },
    { [ids.lucie]: '8' });
  assert.equal(srv.sql(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${tue}`),
    `${utc('2026-03-17T16:00Z')}|${utc('2026-03-18T16:00Z')}`);
  await check('2026-03-17T16:59', 'eleve.demo', 'Copies rendues mardi', null);
  await check('2026-03-17T17:00', 'eleve.demo', 'Copies rendues mardi', '8/20');
  // A date already past changes nothing: published Thursday evening, held to Friday 07:00.
  const past = await publish('2026-03-19T21:00', { title: 'Copies déjà rendues', on_date: '2026-03-16', handed_back_on: '2026-03-17' },
    { [ids.lucie]: '11' });
  assert.equal(srv.sql(`SELECT pupils_at FROM assessment WHERE id = ${past}`), utc('2026-03-20T06:00Z'));
});

test('R-GRADES: the teacher sets the copies date after publishing — what nobody has seen yet moves, notifications too', async () => {
  reset();
  const id = await publish('2026-03-16T21:00', { title: 'Date ajoutée ensuite', on_date: '2026-03-16' }, { [ids.lucie]: '13' });
  assert.equal(srv.sql(`SELECT pupils_at FROM assessment WHERE id = ${id}`), utc('2026-03-17T06:00Z'));
  await srv.setClock('2026-03-16T22:00');
  const t = await srv.as('prof.demo');
  const sheet = await t.get(`/notes/evaluations/${id}`);
  const res = await t.post(`/notes/evaluations/${id}/modifier`, { csrf: Client.csrfOf(sheet.text), title: 'Date ajoutée ensuite',
    on_date: '2026-03-16', scale: '20', coefficient: '1', kind: 'normal', handed_back_on: '2026-03-17' });
  assert.equal(res.status, 303);
  const moments = `${utc('2026-03-17T16:00Z')}|${utc('2026-03-18T16:00Z')}`;
  assert.equal(srv.sql(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${id}`), moments);
  assert.equal(srv.sql(`SELECT visible_at || '|' || parents_at FROM mark WHERE assessment_id = ${id} AND pupil_id = ${ids.lucie}`), moments);
  assert.equal(srv.sql(`SELECT visible_at FROM notification WHERE item = 'assessment:${id}' AND person_id = ${ids.lucie}`), utc('2026-03-17T16:00Z'));
  assert.equal(srv.sql(`SELECT visible_at FROM notification WHERE item = 'assessment:${id}:parents' AND person_id = ${ids.parent}`),
    utc('2026-03-18T16:00Z'));
  await check('2026-03-17T07:00', 'eleve.demo', 'Date ajoutée ensuite', null);
  await check('2026-03-17T17:00', 'eleve.demo', 'Date ajoutée ensuite', '13/20');
  // Once the pupils have seen it, the date no longer hides anything.
  const t2 = await srv.as('prof.demo');
  const again = await t2.get(`/notes/evaluations/${id}`);
  assert.equal((await t2.post(`/notes/evaluations/${id}/modifier`, { csrf: Client.csrfOf(again.text), title: 'Date ajoutée ensuite',
    on_date: '2026-03-16', scale: '20', coefficient: '1', kind: 'normal', handed_back_on: '2026-03-20' })).status, 303);
  assert.equal(srv.sql(`SELECT handed_back_on || '|' || pupils_at FROM assessment WHERE id = ${id}`), `2026-03-20|${utc('2026-03-17T16:00Z')}`);
  await check('2026-03-17T17:05', 'eleve.demo', 'Date ajoutée ensuite', '13/20');
});

test('R-GRADES: a DST weekend — published Friday 27 March 2026 21:00, seen Monday 30 March 07:00 local time', async () => {
  reset();
  const id = await publish('2026-03-27T21:00', { title: 'Contrôle avant le changement d\'heure', on_date: '2026-03-27' }, { [ids.lucie]: '15' });
  // Summer time from Sunday 29 March: 07:00 in Paris is 05:00 UTC.
  assert.equal(srv.sql(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${id}`),
    `${utc('2026-03-30T05:00Z')}|${utc('2026-03-31T05:00Z')}`);
  await check('2026-03-30T06:59', 'eleve.demo', 'Contrôle avant le changement d\'heure', null);
  await check('2026-03-30T07:00', 'eleve.demo', 'Contrôle avant le changement d\'heure', '15/20');
  await check('2026-03-31T06:59', 'parent.demo', 'Contrôle avant le changement d\'heure', null);
  await check('2026-03-31T07:00', 'parent.demo', 'Contrôle avant le changement d\'heure', '15/20');
});

test('R-GRADES: an overseas establishment — 07:00 and evenings in Guadeloupe time', async () => {
  reset();
  srv.sql(`UPDATE establishment SET tz = 'America/Guadeloupe' WHERE id = ${ids.est}`);
  try {
    // Friday 13 March 21:00 in Guadeloupe (UTC−4) is Saturday 02:00 in Paris.
    const id = await publish('2026-03-14T02:00', { title: 'Devoir en Guadeloupe', on_date: '2026-03-13' }, { [ids.lucie]: '14' });
    // Monday 07:00 in Guadeloupe: 11:00 UTC, noon in Paris.
    assert.equal(srv.sql(`SELECT pupils_at || '|' || parents_at FROM assessment WHERE id = ${id}`),
      `${utc('2026-03-16T11:00Z')}|${utc('2026-03-17T11:00Z')}`);
    const t = await srv.as('prof.demo');
    assert.match(visibleText((await t.get(`/notes/evaluations/${id}`)).text),
      /Visible par les élèves lundi 16 mars à 07:00, par les parents mardi 17 mars à 07:00/);
    await check('2026-03-16T11:59', 'eleve.demo', 'Devoir en Guadeloupe', null);
    await check('2026-03-16T12:00', 'eleve.demo', 'Devoir en Guadeloupe', '14/20');
    await check('2026-03-17T11:59', 'parent.demo', 'Devoir en Guadeloupe', null);
    await check('2026-03-17T12:00', 'parent.demo', 'Devoir en Guadeloupe', '14/20');
    // 21:30 in Paris is 16:30 in Guadeloupe: not an evening there.
    const afternoon = await publish('2026-03-17T21:30', { title: 'Après-midi en Guadeloupe', on_date: '2026-03-17' }, { [ids.lucie]: '12' });
    assert.equal(srv.sql(`SELECT pupils_at - published_at FROM assessment WHERE id = ${afternoon}`), '0');
    await check('2026-03-17T21:31', 'eleve.demo', 'Après-midi en Guadeloupe', '12/20');
  } finally {
    srv.sql(`UPDATE establishment SET tz = 'Europe/Paris' WHERE id = ${ids.est}`);
  }
});

test('R-GRADES: notifications — one per pupil and guardian at their moments, withdrawn with the publication, never twice', async () => {
  reset();
  const [a] = ids.mates;
  const title = 'Contrôle n°3';
  const id = await publish('2026-03-13T21:00', { title, on_date: '2026-03-13' }, { [ids.lucie]: '12', [a]: 'abs' });
  const notes = (item) => rows(`SELECT person_id || '|' || visible_at || '|' || title || '|' || url FROM notification
    WHERE item = '${item}' ORDER BY person_id`);
  assert.deepEqual(notes(`assessment:${id}`), [a, ids.lucie].sort((x, y) => x - y).map((p) =>
    `${p}|${utc('2026-03-16T06:00Z')}|Nouvelle note en Mathématiques : ${title}|/notes`));
  const guardians = rows(`SELECT parent_id || '|' || pupil_id FROM guardianship WHERE pupil_id IN (${ids.lucie}, ${a}) ORDER BY parent_id`);
  assert.ok(guardians.length >= 2);
  assert.deepEqual(notes(`assessment:${id}:parents`), guardians.map((g) => {
    const [parent, pupil] = g.split('|');
    return `${parent}|${utc('2026-03-17T06:00Z')}|Nouvelle note en Mathématiques : ${title}|/notes/eleves/${pupil}`;
  }));
  // Withdrawn on Saturday: nobody has seen them, they go.
  await srv.setClock('2026-03-14T10:00');
  let t = await srv.as('prof.demo');
  assert.equal((await enter(t, id, {}, '0')).status, 303);
  assert.equal(srv.sql(`SELECT count(*) FROM notification WHERE item LIKE 'assessment:${id}%'`), '0');
  assert.equal(srv.sql(`SELECT count(*) FROM mark WHERE assessment_id = ${id} AND (visible_at IS NOT NULL OR parents_at IS NOT NULL)`), '0');
  // Published again: one each again, from Monday 07:00.
  assert.equal((await enter(t, id, {}, '1')).status, 303);
  assert.equal(notes(`assessment:${id}`).length, 2);
  assert.equal(notes(`assessment:${id}:parents`).length, guardians.length);
  // Saving the sheet again, withdrawing it after the pupils have seen it
  // and publishing it again: the notifications they have seen stay, and
  // nobody gets a second one.
  await srv.setClock('2026-03-16T10:00');
  t = await srv.as('prof.demo');
  assert.equal((await enter(t, id, { [ids.lucie]: '12' }, '1')).status, 303);
  assert.equal((await enter(t, id, {}, '0')).status, 303);
  assert.equal(notes(`assessment:${id}`).length, 2, 'seen by the pupils: kept');
  assert.equal(notes(`assessment:${id}:parents`).length, 0, 'not yet seen by the parents: withdrawn');
  assert.equal((await enter(t, id, {}, '1')).status, 303);
  assert.equal(notes(`assessment:${id}`).length, 2);
  const again = notes(`assessment:${id}:parents`);
  assert.equal(again.length, guardians.length);
  for (const n of again) near(n.split('|')[1], '2026-03-17T09:00Z');
});

test('R-GRADES: a mark corrected in a quiet period reaches the family after it, like a publication', async () => {
  reset();
  const id = await publish('2026-03-12T10:00', { title: 'Contrôle corrigé le samedi', on_date: '2026-03-12' }, { [ids.lucie]: '12' });
  await check('2026-03-13T10:05', 'parent.demo', 'Contrôle corrigé le samedi', '12/20');
  await srv.setClock('2026-03-14T10:00');
  assert.equal((await enter(await srv.as('prof.demo'), id, { [ids.lucie]: '15' }, null)).status, 303);
  assert.equal(srv.sql(`SELECT visible_at || '|' || parents_at FROM mark WHERE assessment_id = ${id} AND pupil_id = ${ids.lucie}`),
    `${utc('2026-03-16T06:00Z')}|${utc('2026-03-17T06:00Z')}`);
  // The new mark is not shown before Monday 07:00 (nor its average).
  const s = await check('2026-03-15T18:00', 'eleve.demo', 'Contrôle corrigé le samedi', null);
  assert.doesNotMatch(s.text, /15\/20|Moyenne 15,00/);
  await check('2026-03-16T07:00', 'eleve.demo', 'Contrôle corrigé le samedi', '15/20');
  await check('2026-03-17T07:00', 'parent.demo', 'Contrôle corrigé le samedi', '15/20');
  // Saving the sheet with the same mark moves nothing.
  await srv.setClock('2026-03-17T21:30');
  assert.equal((await enter(await srv.as('prof.demo'), id, { [ids.lucie]: '15' }, null)).status, 303);
  await check('2026-03-17T21:31', 'parent.demo', 'Contrôle corrigé le samedi', '15/20');
});

test('R-GRADES bad input: a malformed copies date, or one before the assessment, is refused with 400 and changes nothing', async () => {
  reset();
  await srv.setClock('2026-03-17T10:00');
  const t = await srv.as('prof.demo');
  const page = await t.get(book());
  const count = () => srv.sql(`SELECT count(*) FROM assessment WHERE teaching_id = ${ids.teaching}`);
  const before = count();
  for (const [handed, msg] of [
    ['2026-13-45', /La date de remise des copies n'est pas valide/],
    ['mardi', /La date de remise des copies n'est pas valide/],
    ['2026-03-09', /Les copies ne peuvent pas être rendues avant la date de l'évaluation/],
  ]) {
    const res = await t.post(`${book()}/evaluations`, { csrf: Client.csrfOf(page.text), title: 'Essai', on_date: '2026-03-10', scale: '20',
      coefficient: '1', kind: 'normal', handed_back_on: handed });
    assert.equal(res.status, 400, handed);
    assert.match(visibleText(res.text), msg);
  }
  assert.equal(count(), before);
  // Correcting an assessment: refused the same way, nothing changes.
  const id = await publish('2026-03-17T10:00', { title: 'Date à corriger', on_date: '2026-03-16', handed_back_on: '2026-03-17' }, { [ids.lucie]: '10' });
  const stored = srv.sql(`SELECT handed_back_on || '|' || pupils_at || '|' || parents_at || '|' || title FROM assessment WHERE id = ${id}`);
  const t2 = await srv.as('prof.demo');
  const sheet = await t2.get(`/notes/evaluations/${id}`);
  const bad = await t2.post(`/notes/evaluations/${id}/modifier`, { csrf: Client.csrfOf(sheet.text), title: 'Autre titre', on_date: '2026-03-16',
    scale: '20', coefficient: '1', kind: 'normal', handed_back_on: '2026-03-15' });
  assert.equal(bad.status, 400);
  assert.match(visibleText(bad.text), /Les copies ne peuvent pas être rendues avant la date de l'évaluation/);
  assert.equal(srv.sql(`SELECT handed_back_on || '|' || pupils_at || '|' || parents_at || '|' || title FROM assessment WHERE id = ${id}`), stored);
  // In JSON.
  const me = (await t2.get('/api/v1/me')).json();
  const api = await t2.request('POST', `/api/v1/teachings/${ids.teaching}/assessments`, {
    json: { title: 'Essai JSON', on_date: '2026-03-16', scale: 20, handed_back_on: '16/03/2026' },
    headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
  assert.equal(api.status, 400);
  assert.match(api.json().error.message, /date de remise des copies/);
  assert.equal(srv.sql(`SELECT count(*) FROM assessment WHERE title = 'Essai JSON'`), '0');
});
