// S-ATTENDANCE: roll call per lesson by the teacher, half-days, family
// justification with an attachment, staff decision, the 4-half-day alert,
// the same-day family event; bad input changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);

before(async () => {
  // Tuesday 10 March 2026, 10:00.
  srv = await startServer({ now: '2026-03-10T10:00' });
  const prof = one("SELECT person_id FROM account WHERE login = 'prof.demo'");
  const lucie = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  const slot = (where) => one(`SELECT s.id FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id WHERE t.class_id = ${cls}
    AND s.valid_from <= '2026-03-10' AND s.valid_to >= '2026-03-10' AND s.week = '' AND ${where} ORDER BY s.starts_at LIMIT 1`);
  ids = {
    prof, lucie, cls,
    est: one(`SELECT establishment_id FROM class WHERE id = ${cls}`),
    // prof.demo's maths with 4e B on Monday afternoon (yesterday).
    monday: slot(`t.teacher_id = ${prof} AND s.weekday = 1 AND s.starts_at >= '12:00'`),
    // Another teacher's lesson with 4e B this Tuesday morning.
    notMine: slot(`t.teacher_id <> ${prof} AND s.weekday = 2 AND s.starts_at < '10:00'`),
    classmate: one(`SELECT en.pupil_id FROM enrolment en WHERE en.class_id = ${cls} AND en.pupil_id <> ${lucie}
      AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.pupil_id = en.pupil_id AND a.on_date >= '2026-03-01') ORDER BY en.pupil_id LIMIT 1`),
    outsider: one(`SELECT en.pupil_id FROM enrolment en WHERE en.class_id <> ${cls} AND en.pupil_id NOT IN
      (SELECT g.pupil_id FROM guardianship g JOIN account a ON a.person_id = g.parent_id WHERE a.login = 'parent.demo') LIMIT 1`),
    reason: one(`SELECT id FROM absence_reason WHERE establishment_id = (SELECT establishment_id FROM class WHERE id = ${cls}) AND label = 'Maladie'`),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
});
after(async () => { await srv.stop(); });

const mondayPath = () => `/appel/${ids.monday}/2026-03-09`;
const count = (q) => one(`SELECT count(*) FROM ${q}`);

async function rollCall(c, path, fields) {
  const page = await c.get(path);
  assert.equal(page.status, 200, visibleText(page.text));
  return c.post(path, { csrf: Client.csrfOf(page.text), ...fields });
}

test('S-ATTENDANCE: the teacher ticks the absent pupils and a lateness; the family event is recorded at once', async () => {
  const t = await srv.as('prof.demo');
  const page = await t.get(mondayPath());
  assert.equal(page.status, 200);
  const boxes = [...page.text.matchAll(/name="abs_(\d+)"/g)].map((m) => m[1]);
  assert.equal(boxes.length, Number(count(`enrolment WHERE class_id = ${ids.cls}`)), 'one box per pupil');
  const res = await t.post(mondayPath(), { csrf: Client.csrfOf(page.text), [`abs_${ids.lucie}`]: '1', [`late_${ids.classmate}`]: '10' });
  assert.equal(res.status, 303);
  assert.match(visibleText((await t.get(res.location)).text), /Appel enregistré/);
  const rc = one(`SELECT id FROM roll_call WHERE slot_id = ${ids.monday} AND on_date = '2026-03-09'`);
  assert.equal(one(`SELECT kind || ' ' || half FROM attendance WHERE roll_call_id = ${rc} AND pupil_id = ${ids.lucie}`), 'absence pm');
  assert.equal(one(`SELECT kind || ' ' || minutes FROM attendance WHERE roll_call_id = ${rc} AND pupil_id = ${ids.classmate}`), 'late 10');
  assert.equal(count(`attendance WHERE roll_call_id = ${rc}`), '2', 'everyone else is present');
  // Families are told the same day: each legal guardian has a notification of the absence, unread.
  const a = one(`SELECT id FROM attendance WHERE roll_call_id = ${rc} AND pupil_id = ${ids.lucie}`);
  assert.equal(one(`SELECT person_id || ' ' || service || ' ' || CASE WHEN read_at IS NULL THEN 1 ELSE 0 END FROM notification
    WHERE item = 'attendance:${a}' ORDER BY person_id`),
    one(`SELECT parent_id || ' attendance 1' FROM guardianship WHERE pupil_id = ${ids.lucie} AND legal_responsibility = 1 ORDER BY parent_id`));
  assert.match(one(`SELECT title FROM notification WHERE item = 'attendance:${a}' LIMIT 1`), /^Lucie absent\(e\) : lundi 9 mars \d\d:\d\d, /);
  // The same roll call again changes nothing; unticking the late pupil removes the lateness.
  assert.equal((await rollCall(t, mondayPath(), { [`abs_${ids.lucie}`]: '1' })).status, 303);
  assert.equal(count(`attendance WHERE roll_call_id = ${rc}`), '1');
  assert.equal(count(`attendance WHERE id = ${a}`), '1', 'the absence kept its identity');
});

test('S-ATTENDANCE: the parent sees the absence to justify on the dashboard and in JSON', async () => {
  const p = await srv.as('parent.demo');
  const dash = (await p.get('/api/v1/dashboard')).json();
  const lucie = dash.pupils.find((x) => String(x.id) === ids.lucie);
  assert.ok(lucie.absences_to_justify.some((x) => x.date === '2026-03-09' && x.half === 'pm' && x.state === 'unjustified'));
  const home = visibleText((await p.get('/')).text);
  assert.match(home, /Absences à justifier À justifier Lundi 9 mars 2026, après-midi/);
  const page = visibleText((await p.get(`/absences/eleves/${ids.lucie}`)).text);
  assert.match(page, /À justifier Lundi 9 mars 2026, après-midi 1 cours À justifier/);
  const api = (await p.get(`/api/v1/attendance?eleve=${ids.lucie}`)).json();
  assert.ok(api.half_days.unjustified >= 1);
  assert.ok(api.events.some((e) => e.date === '2026-03-09' && e.kind === 'absence'));
});

test('S-ATTENDANCE: the parent justifies with a reason, a comment and a PDF; school life accepts it', async () => {
  const p = await srv.as('parent.demo');
  const page = await p.get(`/absences/eleves/${ids.lucie}`);
  assert.match(page.text, /enctype="multipart\/form-data"/);
  const form = new FormData();
  form.set('csrf', Client.csrfOf(page.text));
  form.set('date', '2026-03-09');
  form.set('half', 'pm');
  form.set('kind', 'absence');
  form.set('reason', ids.reason);
  form.set('comment', 'Rendez-vous chez le dentiste');
  form.set('piece', new Blob(['%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'], { type: 'application/pdf' }), '../../certificat médical.pdf');
  const res = await p.request('POST', `/absences/eleves/${ids.lucie}/justifier`, { body: form });
  assert.equal(res.status, 303, visibleText(res.text));
  assert.equal(one(`SELECT DISTINCT state FROM attendance WHERE pupil_id = ${ids.lucie} AND on_date = '2026-03-09' AND half = 'pm'`), 'pending');
  const att = one(`SELECT id || '|' || name || '|' || mime FROM attachment WHERE owner = 'attendance' ORDER BY id DESC LIMIT 1`).split('|');
  assert.equal(att[1], 'certificat médical.pdf', 'no path in the stored name');
  assert.equal(att[2], 'application/pdf');
  // School life sees it waiting, opens the document, accepts.
  const cpe = await srv.as('cpe.demo');
  const day = await cpe.get('/vie-scolaire');
  assert.equal(day.status, 200);
  const text = visibleText(day.text);
  assert.match(text, /Justificatifs à valider .*Lucie Moreau Lundi 9 mars 2026, après-midi .*Maladie — Rendez-vous chez le dentiste/);
  const dl = await cpe.get(`/pieces-jointes/${att[0]}/x`);
  assert.equal(dl.status, 200);
  assert.match(dl.headers.get('content-disposition'), /^attachment; filename\*=UTF-8''certificat%20m%C3%A9dical\.pdf$/);
  assert.equal(dl.headers.get('content-type'), 'application/pdf');
  // Not for another family.
  assert.equal((await (await srv.as('prof.demo')).get(`/pieces-jointes/${att[0]}/x`)).status, 200, 'a teacher of the class may');
  const first = one(`SELECT min(id) FROM attendance WHERE pupil_id = ${ids.lucie} AND on_date = '2026-03-09' AND half = 'pm'`);
  const ok = await cpe.post(`/absences/${first}/decision`, { csrf: Client.csrfOf(day.text), decision: 'accept' });
  assert.equal(ok.status, 303);
  assert.equal(one(`SELECT DISTINCT state FROM attendance WHERE pupil_id = ${ids.lucie} AND on_date = '2026-03-09' AND half = 'pm'`), 'justified');
  assert.match(visibleText((await p.get(`/absences/eleves/${ids.lucie}`)).text), /Lundi 9 mars 2026, après-midi 1 cours Justifiée/);
});

test('S-ATTENDANCE: a refused justification goes back to the family with the reason', async () => {
  const t = await srv.as('prof.demo');
  assert.equal((await rollCall(t, mondayPath(), { [`abs_${ids.lucie}`]: '1', [`late_${ids.classmate}`]: '12' })).status, 303);
  const cpe = await srv.as('cpe.demo');
  const home = await cpe.get('/vie-scolaire');
  const row = one(`SELECT min(id) FROM attendance WHERE pupil_id = ${ids.classmate} AND kind = 'late'`);
  assert.ok(row);
  const res = await cpe.post(`/absences/${row}/decision`, { csrf: Client.csrfOf(home.text), decision: 'refuse', note: 'Retard non excusable' });
  assert.equal(res.status, 303);
  assert.equal(one(`SELECT state || ' ' || decision_note FROM attendance WHERE id = ${row}`), 'refused Retard non excusable');
  // Accepting without any reason is refused with a clear message.
  const bad = await cpe.post(`/absences/${row}/decision`, { csrf: Client.csrfOf(home.text), decision: 'accept' });
  assert.equal(bad.status, 400);
  assert.match(visibleText(bad.text), /Choisissez un motif/);
});

test('S-ATTENDANCE alert: the 4th unjustified half-day of a month alerts school life, once', async () => {
  const pupil = ids.classmate;
  // Three unjustified half-days earlier this month, noted by school life.
  const cpe = one("SELECT person_id FROM account WHERE login = 'cpe.demo'");
  for (const d of ['2026-03-02', '2026-03-03', '2026-03-05'])
    one(`INSERT INTO attendance (pupil_id, establishment_id, on_date, half, starts_at, kind, created_by, created_at)
         VALUES (${pupil}, ${ids.est}, '${d}', 'am', '08:00', 'absence', ${cpe}, 0)`);
  assert.equal(count(`attendance_alert WHERE pupil_id = ${pupil} AND month = '2026-03'`), '0');
  const t = await srv.as('prof.demo');
  assert.equal((await rollCall(t, mondayPath(), { [`abs_${ids.lucie}`]: '1', [`abs_${pupil}`]: '1' })).status, 303);
  assert.equal(one(`SELECT half_days FROM attendance_alert WHERE pupil_id = ${pupil} AND month = '2026-03'`), '4');
  assert.equal(one(`SELECT count(*) FROM audit WHERE action = 'attendance.alert' AND object = 'person:${pupil}'`), '1');
  const c = await srv.as('cpe.demo');
  const page = await c.get('/vie-scolaire');
  const name = one(`SELECT first_name || ' ' || last_name FROM person WHERE id = ${pupil}`);
  assert.match(visibleText(page.text), new RegExp(`Alertes : absentéisme .*${name} — mars 2026 : 4 demi-journées non justifiées`));
  // Roll call again: still one alert.
  assert.equal((await rollCall(t, mondayPath(), { [`abs_${ids.lucie}`]: '1', [`abs_${pupil}`]: '1' })).status, 303);
  assert.equal(count(`attendance_alert WHERE pupil_id = ${pupil}`), '1');
  const alert = one(`SELECT id FROM attendance_alert WHERE pupil_id = ${pupil} AND month = '2026-03'`);
  assert.equal((await c.post(`/vie-scolaire/alertes/${alert}/vue`, { csrf: Client.csrfOf(page.text) })).status, 303);
  assert.doesNotMatch(visibleText((await c.get('/vie-scolaire')).text), new RegExp(`${name} — mars 2026`));
});

test('S-ATTENDANCE: school life sees every lesson of the day with its roll-call status', async () => {
  const c = await srv.as('cpe.demo');
  const text = visibleText((await c.get('/vie-scolaire?date=2026-03-09')).text);
  assert.match(text, /Appels du jour/);
  assert.match(text, /14:25 4e B — Mathématiques N\. Lefèvre Fait \d+ absent\(s\), \d+ retard\(s\)/);
  const today = visibleText((await c.get('/vie-scolaire')).text);
  assert.match(today, /À venir/, 'lessons not begun are not chased');
  // School life may take a roll call for a teacher.
  assert.equal((await rollCall(c, `/appel/${ids.notMine}/2026-03-10`, {})).status, 303);
});

test('S-ATTENDANCE: the teacher\'s dashboard shows each lesson\'s roll call', async () => {
  const t = await srv.as('prof.demo');
  const dash = (await t.get('/api/v1/dashboard')).json();
  assert.ok(Array.isArray(dash.teacher.lessons_today));
  assert.ok(Array.isArray(dash.teacher.log_to_fill));
  for (const l of dash.teacher.lessons_today) assert.equal(typeof l.roll_call_done, 'boolean');
  const begun = dash.teacher.lessons_today.find((l) => l.start <= '10:00' && l.slot_id && !l.change);
  if (begun) {
    assert.equal(begun.roll_call_done, false);
    assert.match((await t.get('/')).text, /Appel à faire/);
    assert.equal((await rollCall(t, `/appel/${begun.slot_id}/2026-03-10`, {})).status, 303);
    const again = (await t.get('/api/v1/dashboard')).json();
    assert.equal(again.teacher.lessons_today.find((l) => l.slot_id === begun.slot_id).roll_call_done, true);
  }
});

test('S-ATTENDANCE bad input: lessons not taught, not begun, not that day, pupils not in the lesson', async () => {
  const t = await srv.as('prof.demo');
  const home = await t.get('/');
  const csrf = Client.csrfOf(home.text);
  const before = count('attendance') + '/' + count('roll_call');
  // A lesson the teacher does not teach.
  assert.equal((await t.get(`/appel/${ids.notMine}/2026-03-10`)).status, 403);
  assert.equal((await t.post(`/appel/${ids.notMine}/2026-03-10`, { csrf, [`abs_${ids.lucie}`]: '1' })).status, 403);
  // A lesson next week.
  const future = await t.post(`/appel/${ids.monday}/2026-03-16`, { csrf, [`abs_${ids.lucie}`]: '1' });
  assert.equal(future.status, 400);
  assert.match(visibleText(future.text), /avant le début du cours/);
  // A date the slot does not fall on; a date that is not one.
  assert.equal((await t.post(`/appel/${ids.monday}/2026-03-10`, { csrf })).status, 400);
  assert.equal((await t.post(`/appel/${ids.monday}/2026-02-31`, { csrf })).status, 400);
  // A pupil of another class; both absent and late.
  const other = await t.post(mondayPath(), { csrf, [`abs_${ids.outsider}`]: '1' });
  assert.equal(other.status, 400);
  assert.match(visibleText(other.text), /ne suit pas ce cours/);
  assert.equal((await t.post(mondayPath(), { csrf, [`abs_${ids.lucie}`]: '1', [`late_${ids.lucie}`]: '5' })).status, 400);
  assert.equal((await t.post(mondayPath(), { csrf, [`late_${ids.lucie}`]: '999' })).status, 400);
  assert.equal(count('attendance') + '/' + count('roll_call'), before);
  // Families never take a roll call.
  const p = await srv.as('parent.demo');
  assert.equal((await p.post(mondayPath(), { csrf: Client.csrfOf((await p.get('/')).text) })).status, 403);
});

test('S-ATTENDANCE bad input: justifying another family\'s child, a disguised program, nothing to justify', async () => {
  const p = await srv.as('parent.demo');
  const page = await p.get(`/absences/eleves/${ids.lucie}`);
  const csrf = Client.csrfOf(page.text);
  const before = count("attendance WHERE state = 'pending'") + '/' + count('attachment') + '/' + count('file_blob');
  // Another family's child (a classmate with a lateness to justify).
  const theirs = await p.post(`/absences/eleves/${ids.classmate}/justifier`, { csrf, date: '2026-03-09', half: 'pm', kind: 'late', reason: ids.reason });
  assert.equal(theirs.status, 403);
  assert.match(visibleText(theirs.text), /ne fait pas partie de vos enfants/);
  assert.equal((await p.get(`/absences/eleves/${ids.outsider}`)).status, 403);
  // A Windows program named like a PDF.
  const t = await srv.as('prof.demo');
  assert.equal((await rollCall(t, mondayPath(), { [`abs_${ids.lucie}`]: '1' })).status, 303);
  one(`UPDATE attendance SET state = 'unjustified' WHERE pupil_id = ${ids.lucie} AND on_date = '2026-03-09'`);
  const form = new FormData();
  form.set('csrf', csrf);
  form.set('date', '2026-03-09');
  form.set('half', 'pm');
  form.set('reason', ids.reason);
  const exe = new Uint8Array(4096);
  exe.set([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff]);
  exe.set([0x50, 0x45, 0x00, 0x00], 0x80);
  exe[0x3c] = 0x80;
  form.set('piece', new Blob([exe], { type: 'application/pdf' }), 'certificat.pdf');
  const disguised = await p.request('POST', `/absences/eleves/${ids.lucie}/justifier`, { body: form });
  assert.equal(disguised.status, 400);
  assert.match(visibleText(disguised.text), /Ce type de fichier n'est pas accepté/);
  // Nothing to justify that day; a reason of another establishment.
  assert.equal((await p.post(`/absences/eleves/${ids.lucie}/justifier`, { csrf, date: '2026-03-08', half: 'am', reason: ids.reason })).status, 404);
  const foreign = one(`SELECT id FROM absence_reason WHERE establishment_id <> ${ids.est} LIMIT 1`);
  if (foreign) assert.equal((await p.post(`/absences/eleves/${ids.lucie}/justifier`, { csrf, date: '2026-03-09', half: 'pm', reason: foreign })).status, 400);
  assert.equal(count("attendance WHERE state = 'pending'") + '/' + count('attachment') + '/' + count('file_blob'), before);
});
