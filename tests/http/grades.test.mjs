// S-GRADES: a teacher creates assessments and enters a whole class's marks on
// one page; pupils and parents see published marks, averages (bonus and
// optional rules of docs/grades.md) and class statistics; bad marks change
// nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);
const rows = (q) => one(q).split('\n').filter(Boolean);

before(async () => {
  // Tuesday 10 March 2026: the 3rd trimester of the collège began on 7 March.
  srv = await startServer({ now: '2026-03-10T17:30' });
  const prof = one("SELECT person_id FROM account WHERE login = 'prof.demo'");
  const lucie = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  ids = {
    prof, lucie, cls,
    teaching: one(`SELECT id FROM teaching WHERE teacher_id = ${prof} AND class_id = ${cls}`),
    otherTeaching: one(`SELECT id FROM teaching WHERE teacher_id <> ${prof} AND class_id = ${cls} LIMIT 1`),
    est: one(`SELECT establishment_id FROM class WHERE id = ${cls}`),
    outsider: one(`SELECT en.pupil_id FROM enrolment en WHERE en.class_id <> ${cls} AND en.pupil_id NOT IN
      (SELECT g.pupil_id FROM guardianship g JOIN account a ON a.person_id = g.parent_id WHERE a.login = 'parent.demo') LIMIT 1`),
    t3: one(`SELECT p.id FROM period p JOIN school_year y ON y.id = p.school_year_id JOIN class c ON c.school_year_id = y.id WHERE c.id = ${cls} AND p.ordinal = 3`),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
  // The hand-computed averages below are about the marks this file enters:
  // start the 3rd trimester of 4e B maths empty.
  one(`DELETE FROM skill_result WHERE assessment_id IN (SELECT id FROM assessment WHERE teaching_id = ${ids.teaching} AND period_id = ${ids.t3});
       DELETE FROM assessment_skill WHERE assessment_id IN (SELECT id FROM assessment WHERE teaching_id = ${ids.teaching} AND period_id = ${ids.t3});
       DELETE FROM mark WHERE assessment_id IN (SELECT id FROM assessment WHERE teaching_id = ${ids.teaching} AND period_id = ${ids.t3});
       DELETE FROM assessment WHERE teaching_id = ${ids.teaching} AND period_id = ${ids.t3};`);
});
after(async () => { await srv.stop(); });

const book = () => `/notes/enseignements/${ids.teaching}`;

async function createAssessment(t, fields) {
  const page = await t.get(book());
  assert.equal(page.status, 200);
  const res = await t.post(`${book()}/evaluations`, { csrf: Client.csrfOf(page.text), coefficient: '1', kind: 'normal', ...fields });
  assert.equal(res.status, 303, visibleText(res.text));
  return res.location.match(/evaluations\/(\d+)/)[1];
}

/** Enter marks: { pupilId: 'text' }, every other pupil of the sheet left as it is. */
async function enter(t, id, marks, publish = '1') {
  const page = await t.get(`/notes/evaluations/${id}`);
  assert.equal(page.status, 200);
  const form = { csrf: Client.csrfOf(page.text), publier: publish };
  for (const [p, v] of Object.entries(marks)) form[`note_${p}`] = v;
  return t.post(`/notes/evaluations/${id}`, form);
}

const classmates = () => rows(`SELECT pupil_id FROM enrolment WHERE class_id = ${ids.cls} AND pupil_id <> ${ids.lucie} ORDER BY pupil_id LIMIT 3`);

test('S-GRADES: one page for the whole class, one field per pupil, codes for special marks', async () => {
  const t = await srv.as('prof.demo');
  const id = await createAssessment(t, { title: 'Contrôle — Pythagore', on_date: '2026-03-09', scale: '20', coefficient: '1' });
  const sheet = await t.get(`/notes/evaluations/${id}`);
  const fields = [...sheet.text.matchAll(/name="note_(\d+)"/g)].map((m) => m[1]);
  const pupils = rows(`SELECT pupil_id FROM enrolment WHERE class_id = ${ids.cls}`);
  assert.equal(fields.length, pupils.length, 'one field per pupil of the class');
  assert.match(visibleText(sheet.text), /abs \(absent\), disp \(dispensé\), nr \(non rendu\), nn \(non noté\), z \(absent compté 0\)/);
  // Every pupil's field has a label with their name (keyboard and screen reader).
  assert.match(sheet.text, new RegExp(`<label for="n-${ids.lucie}">Moreau Lucie</label>`));
  const [a, b, c] = classmates();
  const res = await enter(t, id, { [ids.lucie]: '12', [a]: '15,5', [b]: 'abs', [c]: 'z' });
  assert.equal(res.status, 303);
  assert.equal(one(`SELECT value FROM mark WHERE assessment_id = ${id} AND pupil_id = ${ids.lucie}`), '1200');
  assert.equal(one(`SELECT special FROM mark WHERE assessment_id = ${id} AND pupil_id = ${b}`), 'absent');
  assert.equal(one(`SELECT special FROM mark WHERE assessment_id = ${id} AND pupil_id = ${c}`), 'absent_zero');
  // Class statistics of the assessment: absent ignored, "z" counts 0 → 0, 12, 15,5.
  assert.match(visibleText((await t.get(`/notes/evaluations/${id}`)).text), /Classe 9,17 · min 0 · max 15,5/);
});

test('S-GRADES: averages follow docs/grades.md — coefficient, other scale, optional and bonus (hand-computed 17,00)', async () => {
  let t = await srv.as('prof.demo');
  // Marks already entered above: 12/20 (coef 1) for Lucie.
  const quiz = await createAssessment(t, { title: 'Interrogation', on_date: '2026-03-09', scale: '10', coefficient: '2' });
  const opt = await createAssessment(t, { title: 'Exposé (optionnel)', on_date: '2026-03-10', scale: '20', kind: 'optional' });
  const bonus = await createAssessment(t, { title: 'Défi (bonus)', on_date: '2026-03-10', scale: '20', kind: 'bonus' });
  assert.equal((await enter(t, quiz, { [ids.lucie]: '8' })).status, 303);      // 8/10 = 16/20, coef 2
  assert.equal((await enter(t, opt, { [ids.lucie]: '18' })).status, 303);      // 18 > 14,67: counts
  assert.equal((await enter(t, bonus, { [ids.lucie]: '16' })).status, 303);    // +6 points over 4 coefficients
  // (12 + 2×16 + 18) / 4 = 15,5; bonus 1 × (16 − 10) / 4 = 1,5 → 17,00.
  let e = await srv.as('eleve.demo');
  const page = await e.get('/notes');
  assert.equal(page.status, 200);
  const text = visibleText(page.text);
  assert.match(text, /Mathématiques N\. Lefèvre Moyenne 17,00/);
  assert.match(text, /Interrogation .* 8\/10/);
  assert.match(text, /Exposé \(optionnel\) .*Optionnelle 18\/20/);
  assert.match(text, /Défi \(bonus\) .*Bonus 16\/20/);
  // R-GRADES: the parent sees them a day after the pupil (the default
  // delay): not on Tuesday evening, on Wednesday at the same time; then
  // the same average, and in JSON.
  let p = await srv.as('parent.demo');
  const early = visibleText((await p.get(`/notes/eleves/${ids.lucie}?periode=${ids.t3}`)).text);
  assert.doesNotMatch(early, /Défi \(bonus\)|Interrogation/);
  assert.match(early, /Aucune note publiée pour cette période/);
  const earlyApi = (await p.get(`/api/v1/grades?eleve=${ids.lucie}&periode=${ids.t3}`)).json();
  assert.equal(earlyApi.subjects.length, 0);
  assert.equal(earlyApi.general.average, null);
  await srv.setClock('2026-03-11T17:45');
  // A day later: new sessions.
  [p, t, e] = [await srv.as('parent.demo'), await srv.as('prof.demo'), await srv.as('eleve.demo')];
  assert.match(visibleText((await p.get(`/notes/eleves/${ids.lucie}`)).text), /Mathématiques N\. Lefèvre Moyenne 17,00/);
  const api = (await p.get(`/api/v1/grades?eleve=${ids.lucie}`)).json();
  const maths = api.subjects.find((s) => s.subject === 'Mathématiques');
  assert.equal(maths.average, 17);
  assert.equal(api.period.name, '3e trimestre');
  assert.equal(maths.assessments.find((x) => x.title === 'Interrogation').coefficient, 2);
  // An optional mark below the average does not count.
  assert.equal((await enter(t, opt, { [ids.lucie]: '9' })).status, 303);
  // (12 + 32) / 3 = 14,67 + 6/3 = 16,67.
  assert.match(visibleText((await e.get('/notes')).text), /Mathématiques N\. Lefèvre Moyenne 16,67/);
  // The dashboard lists the latest grades.
  const dash = (await p.get('/api/v1/dashboard')).json();
  const lucie = dash.pupils.find((x) => String(x.id) === ids.lucie);
  assert.ok(lucie.latest_grades.length >= 3 && lucie.latest_grades.length <= 5);
  assert.ok(lucie.latest_grades.some((g) => g.title === 'Défi (bonus)' && g.mark === 16 && g.scale === 20));
});

test('S-GRADES: an unpublished assessment stays with the teacher; class averages show min and max', async () => {
  const t = await srv.as('prof.demo');
  // Two more classmates marked: five pupils with a maths average (Lucie and
  // the three classmates of the first test but the absent one, and these
  // two), the minimum for class statistics (GRADES_STATS_MIN_MARKS).
  const more = rows(`SELECT pupil_id FROM enrolment WHERE class_id = ${ids.cls} AND pupil_id <> ${ids.lucie} ORDER BY pupil_id LIMIT 2 OFFSET 3`);
  const catchUp = await createAssessment(t, { title: 'Rattrapage', on_date: '2026-03-10', scale: '20' });
  assert.equal((await enter(t, catchUp, { [more[0]]: '11', [more[1]]: '13' })).status, 303);
  const id = await createAssessment(t, { title: 'Brouillon secret', on_date: '2026-03-10', scale: '20' });
  assert.equal((await enter(t, id, { [ids.lucie]: '3' }, '0')).status, 303);
  const e = await srv.as('eleve.demo');
  const text = visibleText((await e.get('/notes')).text);
  assert.doesNotMatch(text, /Brouillon secret/);
  assert.match(text, /Mathématiques N\. Lefèvre Moyenne 16,67 Classe [\d,]+ · min [\d,]+ · max [\d,]+/);
  const dash = (await e.get('/api/v1/dashboard')).json();
  assert.ok(!dash.pupils[0].latest_grades.some((g) => g.title === 'Brouillon secret'));
  const teacherView = visibleText((await t.get(book())).text);
  assert.match(teacherView, /Brouillon secret .*Non publiée/);
});

test('S-GRADES bad input: a mark above the scale or unreadable saves nothing and says which pupil', async () => {
  const t = await srv.as('prof.demo');
  const id = await createAssessment(t, { title: 'Contrôle de saisie', on_date: '2026-03-10', scale: '20' });
  const [a] = classmates();
  const before = one(`SELECT count(*) FROM mark WHERE assessment_id = ${id}`);
  const res = await enter(t, id, { [ids.lucie]: '21', [a]: 'douze' });
  assert.equal(res.status, 400);
  const text = visibleText(res.text);
  assert.match(text, /Rien n'a été enregistré/);
  assert.match(text, /Lucie Moreau : la note dépasse le barème \(sur 20\)/);
  assert.match(text, /note illisible/);
  assert.match(res.text, /value="21"/, 'what was typed comes back to be corrected');
  assert.equal(one(`SELECT count(*) FROM mark WHERE assessment_id = ${id}`), before);
  // A pupil of another class, through a forged field: refused, nothing written.
  const forged = await enter(t, id, { [ids.lucie]: '10', [ids.outsider]: '10' });
  assert.equal(forged.status, 400);
  assert.equal(one(`SELECT count(*) FROM mark WHERE assessment_id = ${id}`), before);
  // Three decimals, a negative mark: refused.
  assert.equal((await enter(t, id, { [ids.lucie]: '12,345' })).status, 400);
  assert.equal((await enter(t, id, { [ids.lucie]: '-2' })).status, 400);
  assert.equal(one(`SELECT count(*) FROM mark WHERE assessment_id = ${id}`), before);
});

test('S-GRADES bad input: dates outside the school year, bad coefficients, bonus without marks', async () => {
  const t = await srv.as('prof.demo');
  const page = await t.get(book());
  const csrf = Client.csrfOf(page.text);
  const count = () => one(`SELECT count(*) FROM assessment WHERE teaching_id = ${ids.teaching}`);
  const before = count();
  for (const [fields, msg] of [
    [{ on_date: '2026-08-15' }, /dans aucune période de l'année scolaire/],
    [{ on_date: '2025-06-10' }, /dans aucune période de l'année scolaire/],
    [{ on_date: '2026-02-30' }, /Date/],
    [{ coefficient: '25' }, /coefficient/],
    [{ coefficient: 'deux' }, /coefficient/],
    [{ scale: '0', kind: 'bonus' }, /compétence|notée/],
    [{ scale: '101' }, /Noté sur/],
  ]) {
    const res = await t.post(`${book()}/evaluations`, { csrf, title: 'Essai', on_date: '2026-03-10', scale: '20', ...fields });
    assert.equal(res.status, 400, JSON.stringify(fields));
    assert.match(visibleText(res.text), msg);
  }
  assert.equal(count(), before);
});

test('S-GRADES policy: only the teacher of the enseignement marks; families never write', async () => {
  const t = await srv.as('prof.demo');
  assert.equal((await t.get(`/notes/enseignements/${ids.otherTeaching}`)).status, 403);
  const other = one(`SELECT id FROM assessment WHERE teaching_id = ${ids.otherTeaching} LIMIT 1`);
  if (other) assert.equal((await t.get(`/notes/evaluations/${other}`)).status, 403);
  const mine = one(`SELECT id FROM assessment WHERE teaching_id = ${ids.teaching} ORDER BY id DESC LIMIT 1`);
  for (const login of ['eleve.demo', 'parent.demo', 'cpe.demo']) {
    const c = await srv.as(login);
    const home = await c.get('/');
    const res = await c.post(`/notes/evaluations/${mine}`, { csrf: Client.csrfOf(home.text), [`note_${ids.lucie}`]: '20', publier: '1' });
    assert.equal(res.status, 403, login);
  }
  assert.notEqual(one(`SELECT coalesce(value, 0) FROM mark WHERE assessment_id = ${mine} AND pupil_id = ${ids.lucie}`), '2000');
  // A parent cannot read another family's child's grades.
  const p = await srv.as('parent.demo');
  assert.equal((await p.get(`/notes/eleves/${ids.outsider}`)).status, 403);
  assert.equal((await p.get(`/api/v1/grades?eleve=${ids.outsider}`)).status, 403);
});

test('S-GRADES: skills on the 4-level LSU scale, shown under their socle component', async () => {
  const skill = one(`SELECT id FROM skill WHERE establishment_id = ${ids.est} AND component = 'D1.3' LIMIT 1`);
  assert.ok(skill, 'the establishment has a skills referential');
  const label = one(`SELECT label FROM skill WHERE id = ${skill}`);
  const t = await srv.as('prof.demo');
  const page = await t.get(book());
  assert.match(page.text, new RegExp(`name="skill_${skill}"`));
  const res = await t.post(`${book()}/evaluations`, { csrf: Client.csrfOf(page.text), title: 'Résolution de problèmes',
    on_date: '2026-03-10', scale: '0', coefficient: '1', kind: 'normal', [`skill_${skill}`]: '1' });
  assert.equal(res.status, 303);
  const id = res.location.match(/evaluations\/(\d+)/)[1];
  const sheet = await t.get(`/notes/evaluations/${id}`);
  assert.doesNotMatch(sheet.text, /name="note_/, 'a skills-only assessment has no mark column');
  const saved = await t.post(`/notes/evaluations/${id}`, { csrf: Client.csrfOf(sheet.text), publier: '1',
    [`comp_${skill}_${ids.lucie}`]: '4' });
  assert.equal(saved.status, 303);
  const bad = await t.post(`/notes/evaluations/${id}`, { csrf: Client.csrfOf(sheet.text), [`comp_${skill}_${ids.lucie}`]: '5' });
  assert.equal(bad.status, 400);
  assert.equal(one(`SELECT level FROM skill_result WHERE assessment_id = ${id} AND pupil_id = ${ids.lucie}`), '4');
  const e = await srv.as('eleve.demo');
  const text = visibleText((await e.get('/notes')).text);
  assert.match(text, /Comprendre, s'exprimer en utilisant les langages mathématiques, scientifiques et informatiques/);
  assert.ok(text.includes(`Très bonne ${label}`), 'the level and the skill are listed');
});

test('S-GRADES API: a whole sheet in one JSON request; errors in JSON', async () => {
  const t = await srv.as('prof.demo');
  const me = (await t.get('/api/v1/me')).json();
  const created = await t.request('POST', `/api/v1/teachings/${ids.teaching}/assessments`, {
    json: { title: 'Devoir maison 5', on_date: '2026-03-10', scale: 20, coefficient: '0,5' },
    headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
  assert.equal(created.status, 201, created.text);
  const id = created.json().id;
  const pupils = rows(`SELECT pupil_id FROM enrolment WHERE class_id = ${ids.cls}`);
  const body = { publier: true };
  pupils.forEach((p, i) => { body[`note_${p}`] = String(8 + (i % 12)); });
  const res = await t.request('POST', `/api/v1/assessments/${id}/marks`, { json: body,
    headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json().saved, pupils.length);
  assert.equal(one(`SELECT count(*) FROM mark WHERE assessment_id = ${id}`), String(pupils.length));
  const bad = await t.request('POST', `/api/v1/assessments/${id}/marks`, { json: { [`note_${ids.lucie}`]: '30' },
    headers: { 'X-CSRF-Token': me.csrf_token, Origin: srv.url } });
  assert.equal(bad.status, 400);
  assert.match(bad.json().error.message, /dépasse le barème/);
});

test('S-GRADES: the rules are explained to families in plain words', async () => {
  const p = await srv.as('parent.demo');
  const text = visibleText((await p.get('/aide/moyennes')).text);
  assert.match(text, /optionnelle ne compte que si elle fait monter la moyenne/);
  assert.match(text, /bonus n'ajoute que les points au-dessus de 10/);
});

test('S-GRADES: a teacher corrects an assessment (coefficient, date) and keeps its marks; a scale below a mark is refused', async () => {
  const t = await srv.as('prof.demo');
  const id = await createAssessment(t, { title: 'Contrôle à corriger', on_date: '2026-03-10', scale: '20', coefficient: '1' });
  assert.equal((await enter(t, id, { [ids.lucie]: '18' })).status, 303);
  const sheet = await t.get(`/notes/evaluations/${id}`);
  assert.match(visibleText(sheet.text), /Modifier l'évaluation/);
  const ok = await t.post(`/notes/evaluations/${id}/modifier`, { csrf: Client.csrfOf(sheet.text), title: 'Contrôle corrigé',
    on_date: '2026-03-09', scale: '20', coefficient: '3', kind: 'normal' });
  assert.equal(ok.status, 303);
  assert.equal(one(`SELECT title || '|' || on_date || '|' || coefficient FROM assessment WHERE id = ${id}`), 'Contrôle corrigé|2026-03-09|300');
  assert.equal(one(`SELECT value FROM mark WHERE assessment_id = ${id} AND pupil_id = ${ids.lucie}`), '1800');
  const bad = await t.post(`/notes/evaluations/${id}/modifier`, { csrf: Client.csrfOf(sheet.text), title: 'Contrôle corrigé',
    on_date: '2026-03-09', scale: '10', coefficient: '3', kind: 'normal' });
  assert.equal(bad.status, 400);
  assert.match(visibleText(bad.text), /Des notes déjà saisies dépassent ce barème/);
  assert.equal(one(`SELECT scale FROM assessment WHERE id = ${id}`), '20');
});
