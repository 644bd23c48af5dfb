// R-DISCO for homework, the class log and timetable changes: what a teacher
// or school-life staff publish in a quiet period (weekday evenings from
// 20:00, weekends) is stored at once, shown to its author and the staff as
// scheduled, and reaches pupils and parents — pages, JSON API, dashboard,
// iCalendar feed, notifications — only at 07:00 of the next day of class.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
// 07:00 in Paris (UTC+1 in March 2026, before the change to summer time).
const at7 = (day) => String(Date.UTC(2026, 2, day, 6, 0) / 1000);
const WED_7 = at7(11), MON_7 = at7(16);

before(async () => {
  // Tuesday 10 March 2026, 21:30: a quiet evening.
  srv = await startServer({ now: '2026-03-10T21:30' });
  const one = (q) => srv.sql(q);
  const prof = one("SELECT person_id FROM account WHERE login = 'prof.demo'");
  const lucie = one("SELECT person_id FROM account WHERE login = 'eleve.demo'");
  const cls = one(`SELECT class_id FROM enrolment WHERE pupil_id = ${lucie}`);
  const slotOf = (weekday) => one(`SELECT s.id FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id WHERE t.teacher_id = ${prof}
    AND t.class_id = ${cls} AND s.weekday = ${weekday} AND s.valid_from = '2025-09-01'`);
  ids = {
    prof, lucie, cls,
    parent: one("SELECT person_id FROM account WHERE login = 'parent.demo'"),
    monday: slotOf(1), wednesday: slotOf(3), friday: slotOf(5),
    // Another teacher's Wednesday lesson of 4e B, every week, with no change on 11 March.
    other: one(`SELECT s.id FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id WHERE t.class_id = ${cls}
      AND t.teacher_id <> ${prof} AND s.weekday = 3 AND s.week = '' AND s.valid_from = '2025-09-01'
      AND s.id NOT IN (SELECT slot_id FROM lesson_change WHERE on_date = '2026-03-11' AND slot_id IS NOT NULL)
      ORDER BY s.starts_at LIMIT 1`),
    families: one(`SELECT (SELECT count(*) FROM enrolment WHERE class_id = ${cls})
      + (SELECT count(DISTINCT g.parent_id) FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id WHERE en.class_id = ${cls})`),
  };
  for (const [k, v] of Object.entries(ids)) assert.ok(v, `demo data has ${k}`);
  ids.otherSubject = one(`SELECT sb.name FROM timetable_slot s JOIN teaching t ON t.id = s.teaching_id JOIN subject sb ON sb.id = t.subject_id WHERE s.id = ${ids.other}`);
});
after(async () => { await srv.stop(); });

const as = (login) => srv.as(login);
const lessonPath = (slot, date) => `/cahier-de-textes/cours/${slot}/${date}`;
const count = (q) => Number(srv.sql(q));

/** At clock, prof.demo opens the lesson of slot on date (the page, with
 * its form) and posts homework (fields); the homework's id. */
async function postHomework(clock, slot, date, fields) {
  await srv.setClock(clock);
  const t = await as('prof.demo');
  const path = lessonPath(slot, date);
  const page = await t.get(path);
  const res = await t.post(`${path}/travail`, { csrf: Client.csrfOf(page.text), ...fields });
  assert.equal(res.status, 303);
  return { t, path, page, id: srv.sql(`SELECT id FROM homework WHERE title = '${fields.title}'`) };
}

/** Everything a pupil or a parent can see of the homework titled title. */
async function familiesSee(title) {
  const e = await as('eleve.demo'), p = await as('parent.demo');
  const where = {
    pupilPage: (await e.get('/travail-a-faire')).text,
    pupilApi: (await e.get('/api/v1/homework')).text,
    pupilDashboard: (await e.get('/api/v1/dashboard')).text,
    pupilPortal: (await e.get('/')).text,
    parentPage: (await p.get(`/travail-a-faire/eleves/${ids.lucie}`)).text,
    parentApi: (await p.get('/api/v1/homework')).text,
    parentApiChild: (await p.get(`/api/v1/homework?eleve=${ids.lucie}`)).text,
    parentDashboard: (await p.get('/api/v1/dashboard')).text,
    parentPortal: (await p.get('/')).text,
  };
  return Object.fromEntries(Object.entries(where).map(([k, v]) => [k, v.includes(title)]));
}

test('R-DISCO: homework posted on Tuesday at 21:30 is invisible to the pupil and the parent until Wednesday 07:00 (pages, JSON API, dashboard), then visible', async () => {
  const title = 'R-DISCO Rédaction du mardi soir';
  const { path, id } = await postHomework('2026-03-10T21:30', ids.monday, '2026-03-09',
    { title, content: 'Une page.', due_on: '2026-03-12', minutes: '30', given_in_class: '0' });
  assert.equal(srv.sql(`SELECT visible_from FROM homework WHERE id = ${id}`), WED_7);

  const hidden = await familiesSee(title);
  for (const [where, seen] of Object.entries(hidden)) assert.equal(seen, false, `not in ${where} at 21:30`);
  // Ticking done what one cannot see: it does not exist.
  const e = await as('eleve.demo');
  const todo = await e.get('/travail-a-faire');
  assert.equal((await e.post(`/travail/${id}/fait`, { csrf: Client.csrfOf(todo.text), fait: '1' })).status, 404);
  assert.equal(count(`SELECT count(*) FROM homework_done WHERE homework_id = ${id}`), 0);

  await srv.setClock('2026-03-11T06:59');
  const stillHidden = await familiesSee(title);
  for (const [where, seen] of Object.entries(stillHidden)) assert.equal(seen, false, `not in ${where} at 06:59`);

  await srv.setClock('2026-03-11T07:00');
  const shown = await familiesSee(title);
  for (const [where, seen] of Object.entries(shown)) assert.equal(seen, true, `in ${where} from 07:00`);
  const e2 = await as('eleve.demo');
  const todo2 = await e2.get('/travail-a-faire');
  assert.equal((await e2.post(`/travail/${id}/fait`, { csrf: Client.csrfOf(todo2.text), fait: '1' })).status, 303);
  assert.equal(count(`SELECT count(*) FROM homework_done WHERE homework_id = ${id}`), 1);
  // The teacher's badge is gone once families see it.
  const t2 = await as('prof.demo');
  assert.doesNotMatch(visibleText((await t2.get(path)).text), /Programmé/);
  await srv.setClock('2026-03-10T21:30');
});

test('R-DISCO: the teacher and the staff see homework posted at 21:30 at once, scheduled for families on Wednesday 07:00; families are notified from then', async () => {
  const title = 'R-DISCO Exercices du soir';
  const { t, path, id } = await postHomework('2026-03-10T21:30', ids.monday, '2026-03-09', { title, due_on: '2026-03-12', minutes: '20' });
  const mine = visibleText((await t.get(path)).text);
  assert.match(mine, new RegExp(`${title} Pour le .* Programmé : visible par les familles mercredi 11 mars à 07:00`));
  const cpe = await as('cpe.demo');
  const staff = visibleText((await cpe.get(`/travail-a-faire/eleves/${ids.lucie}`)).text);
  assert.match(staff, new RegExp(`${title} .*Programmé : visible par les familles mercredi 11 mars à 07:00`));

  const item = `homework:${id}`;
  assert.equal(count(`SELECT count(*) FROM notification WHERE item = '${item}'`), Number(ids.families));
  assert.equal(srv.sql(`SELECT DISTINCT service || '|' || visible_at || '|' || title FROM notification WHERE item = '${item}'`),
    `homework|${WED_7}|Nouveau travail à faire en Mathématiques pour le jeudi 12 mars`);
  assert.equal(srv.sql(`SELECT url FROM notification WHERE item = '${item}' AND person_id = ${ids.lucie}`), '/travail-a-faire');
  assert.equal(srv.sql(`SELECT url FROM notification WHERE item = '${item}' AND person_id = ${ids.parent}`),
    `/travail-a-faire/eleves/${ids.lucie}`);
  // Deleted before families saw it: its notifications go with it.
  const del = await t.get(path);
  const form = del.text.match(new RegExp(`action="(/travail/${id}/supprimer)"`));
  assert.equal((await t.post(form[1], { csrf: Client.csrfOf(del.text), suite: path })).status, 303);
  assert.equal(count(`SELECT count(*) FROM notification WHERE item = '${item}'`), 0);
});

test('R-DISCO: the homework and class-log form reminds of the right to disconnect with the day and time families will see it, at 21:30 and not at 10:00', async () => {
  await srv.setClock('2026-03-10T21:30');
  const t = await as('prof.demo');
  const path = lessonPath(ids.monday, '2026-03-09');
  const evening = visibleText((await t.get(path)).text);
  assert.match(evening, /Droit à la déconnexion : .* les élèves et les familles verront ce cahier de textes et ce travail à faire mercredi 11 mars à 07:00/);
  // In the daytime: no reminder, and homework reaches families at once.
  const title = 'R-DISCO Travail de 10 h';
  const { page: day, id } = await postHomework('2026-03-10T10:00', ids.monday, '2026-03-09', { title, due_on: '2026-03-12' });
  assert.doesNotMatch(visibleText(day.text), /Droit à la déconnexion/);
  assert.equal(srv.sql(`SELECT visible_from = published_at FROM homework WHERE id = ${id}`), '1');
  assert.equal(srv.sql(`SELECT DISTINCT visible_at = created_at FROM notification WHERE item = 'homework:${id}'`), '1');
  const e = await as('eleve.demo');
  assert.match((await e.get('/travail-a-faire')).text, new RegExp(title));
  // English interface: the same reminder, translated.
  await srv.setClock('2026-03-10T21:30');
  const t3 = await as('prof.demo');
  const en = await t3.request('GET', path, { headers: { 'Accept-Language': 'en' } });
  assert.match(visibleText(en.text), /Right to disconnect: .* on Wednesday 11 March at 07:00/);
});

test('R-DISCO: a class-log entry written at 21:30 reaches families at 07:00; correcting an entry they already see changes it at once, without a new notification', async () => {
  await srv.setClock('2026-03-10T21:30');
  const t = await as('prof.demo');
  const path = lessonPath(ids.wednesday, '2026-03-11');
  const page = await t.get(path);
  const text = 'R-DISCO séance préparée le mardi soir';
  assert.equal((await t.post(path, { csrf: Client.csrfOf(page.text), content: text })).status, 303);
  const entry = srv.sql(`SELECT id FROM log_entry WHERE slot_id = ${ids.wednesday} AND on_date = '2026-03-11'`);
  assert.equal(srv.sql(`SELECT visible_from FROM log_entry WHERE id = ${entry}`), WED_7);
  assert.match(visibleText((await t.get(path)).text), /Contenu de la séance Programmé : visible par les familles mercredi 11 mars à 07:00/);
  assert.equal(srv.sql(`SELECT count(*) || '|' || min(visible_at) || '|' || max(visible_at) FROM notification WHERE item = 'log:${entry}'`),
    `${ids.families}|${WED_7}|${WED_7}`);
  assert.equal(srv.sql(`SELECT DISTINCT service || '|' || title FROM notification WHERE item = 'log:${entry}'`),
    'log|Cahier de textes en Mathématiques : séance du mercredi 11 mars');
  // Saved again while held: still held to the same moment, notified once.
  assert.equal((await t.post(path, { csrf: Client.csrfOf(page.text), content: `${text}, complétée` })).status, 303);
  assert.equal(srv.sql(`SELECT visible_from FROM log_entry WHERE id = ${entry}`), WED_7);
  assert.equal(count(`SELECT count(*) FROM notification WHERE item = 'log:${entry}'`), Number(ids.families));

  await srv.setClock('2026-03-11T06:59');
  const e = await as('eleve.demo'), p = await as('parent.demo');
  assert.doesNotMatch((await e.get('/cahier-de-textes')).text, /R-DISCO séance préparée/);
  assert.doesNotMatch((await p.get(`/cahier-de-textes/eleves/${ids.lucie}`)).text, /R-DISCO séance préparée/);
  const cpe = await as('cpe.demo');
  assert.match(visibleText((await cpe.get(`/cahier-de-textes/eleves/${ids.lucie}`)).text),
    /Programmé : visible par les familles mercredi 11 mars à 07:00 R-DISCO séance préparée/);
  await srv.setClock('2026-03-11T07:00');
  const e2 = await as('eleve.demo'), p2 = await as('parent.demo');
  assert.match((await e2.get('/cahier-de-textes')).text, /R-DISCO séance préparée le mardi soir, complétée/);
  assert.match((await p2.get(`/cahier-de-textes/eleves/${ids.lucie}`)).text, /R-DISCO séance préparée le mardi soir, complétée/);

  // Monday's entry (the demo's, seen by families since Monday): a correction at 21:30 shows at once.
  await srv.setClock('2026-03-10T21:30');
  const t2 = await as('prof.demo');
  const monday = lessonPath(ids.monday, '2026-03-09');
  const mpage = await t2.get(monday);
  assert.doesNotMatch(visibleText(mpage.text), /Contenu de la séance Programmé/);
  assert.equal((await t2.post(monday, { csrf: Client.csrfOf(mpage.text), content: 'R-DISCO coquille corrigée' })).status, 303);
  const old = srv.sql(`SELECT id FROM log_entry WHERE slot_id = ${ids.monday} AND on_date = '2026-03-09'`);
  assert.ok(Number(srv.sql(`SELECT visible_from FROM log_entry WHERE id = ${old}`)) < Number(WED_7) - 12 * 3600);
  assert.equal(count(`SELECT count(*) FROM notification WHERE item = 'log:${old}'`), 0);
  const e3 = await as('eleve.demo');
  assert.match((await e3.get('/cahier-de-textes')).text, /R-DISCO coquille corrigée/);
});

/** The lesson starting at start on date in a week of the timetable API. */
const apiLesson = (week, date, start) => week.days.find((d) => d.date === date).lessons.find((l) => l.start === start);

function icalEvent(text, uid) {
  const ev = text.split('BEGIN:VEVENT').find((v) => v.includes(`UID:${uid}`));
  assert.ok(ev, `the feed has ${uid}`);
  return ev.split('END:VEVENT')[0];
}

test('R-DISCO: a lesson change entered at 21:00 is held from families (week page, JSON API, dashboard, iCalendar feed) until 07:00; staff see it as scheduled', async () => {
  await srv.setClock('2026-03-10T21:00');
  const start = srv.sql(`SELECT starts_at FROM timetable_slot WHERE id = ${ids.other}`);
  // The pupil's iCalendar feed.
  const e = await as('eleve.demo');
  const agenda = await e.get('/emploi-du-temps/agenda');
  const made = await e.post('/emploi-du-temps/agenda', { csrf: Client.csrfOf(agenda.text) });
  const feed = new URL(made.text.match(/value="(http[^"]+\/ical\/[^"]+)"/)[1]).pathname;
  const uid = `lesson-${ids.other}-2026-03-11@carnet`;

  const cpe = await as('cpe.demo');
  const path = `/emploi-du-temps/cours/${ids.other}/2026-03-11`;
  const form = await cpe.get(path);
  assert.match(visibleText(form.text), /Droit à la déconnexion : .* les élèves et les familles le verront mercredi 11 mars à 07:00/);
  const res = await cpe.post(path, { csrf: Client.csrfOf(form.text), kind: 'cancelled', note: 'R-DISCO conseil de classe' });
  assert.equal(res.status, 303);
  const change = srv.sql(`SELECT id FROM lesson_change WHERE slot_id = ${ids.other} AND on_date = '2026-03-11'`);
  assert.equal(srv.sql(`SELECT visible_from FROM lesson_change WHERE id = ${change}`), WED_7);
  assert.match(visibleText((await cpe.get(path)).text), /Annulé Programmé : visible par les familles mercredi 11 mars à 07:00 R-DISCO conseil de classe/);
  const classWeek = visibleText((await cpe.get(`/emploi-du-temps/classes/${ids.cls}?semaine=2026-03-09`)).text);
  assert.match(classWeek, /Annulé Programmé : visible par les familles mercredi 11 mars à 07:00/);
  // Staff looking at the pupil's week see it too.
  assert.match(visibleText((await cpe.get(`/emploi-du-temps/eleves/${ids.lucie}?semaine=2026-03-09`)).text), /R-DISCO conseil de classe/);

  const familyView = async (clock) => {
    await srv.setClock(clock);
    const pupil = await as('eleve.demo'), parent = await as('parent.demo');
    const dash = (await pupil.get('/api/v1/dashboard')).json();
    const today = dash.pupils[0].lessons_today.find((l) => String(l.slot_id) === ids.other);
    return {
      api: apiLesson((await pupil.get('/api/v1/timetable?semaine=2026-03-09')).json(), '2026-03-11', start).change ?? null,
      parentApi: apiLesson((await parent.get(`/api/v1/timetable?eleve=${ids.lucie}&semaine=2026-03-09`)).json(), '2026-03-11', start).change ?? null,
      page: /R-DISCO conseil de classe/.test((await pupil.get('/emploi-du-temps?semaine=2026-03-09')).text),
      parentPage: /R-DISCO conseil de classe/.test((await parent.get(`/emploi-du-temps/eleves/${ids.lucie}?semaine=2026-03-09`)).text),
      dashboard: today ? today.change : 'not today',
      ical: icalEvent(await (await fetch(srv.url + feed)).text(), uid).match(/STATUS:(\w+)/)[1],
    };
  };
  assert.deepEqual(await familyView('2026-03-10T21:00'),
    { api: null, parentApi: null, page: false, parentPage: false, dashboard: 'not today', ical: 'CONFIRMED' });
  assert.deepEqual(await familyView('2026-03-11T06:30'),
    { api: null, parentApi: null, page: false, parentPage: false, dashboard: null, ical: 'CONFIRMED' });
  assert.deepEqual(await familyView('2026-03-11T07:00'),
    { api: 'cancelled', parentApi: 'cancelled', page: true, parentPage: true, dashboard: 'cancelled', ical: 'CANCELLED' });

  const item = `change:${change}`;
  assert.equal(srv.sql(`SELECT count(*) || '|' || min(visible_at) || '|' || max(visible_at) FROM notification WHERE item = '${item}'`),
    `${ids.families}|${WED_7}|${WED_7}`);
  assert.equal(srv.sql(`SELECT DISTINCT service || '|' || title FROM notification WHERE item = '${item}'`),
    `timetable|Cours annulé : ${ids.otherSubject}, mercredi 11 mars`);
  assert.equal(srv.sql(`SELECT url FROM notification WHERE item = '${item}' AND person_id = ${ids.parent}`),
    `/emploi-du-temps/eleves/${ids.lucie}?semaine=2026-03-11`);
  await srv.setClock('2026-03-10T21:30');
});

test('R-DISCO: an exam scheduled at 21:00 is held too; undone before 07:00, its notifications go with it', async () => {
  await srv.setClock('2026-03-10T21:00');
  const t = await as('prof.demo');
  const teaching = srv.sql(`SELECT teaching_id FROM timetable_slot WHERE id = ${ids.monday}`);
  const week = await t.get(`/emploi-du-temps/classes/${ids.cls}?semaine=2026-03-16`);
  assert.match(visibleText(week.text), /Droit à la déconnexion : .* mercredi 11 mars à 07:00/);
  const res = await t.post('/emploi-du-temps/evenements', { csrf: Client.csrfOf(week.text), teaching, kind: 'exam',
    date: '2026-03-18', starts_at: '13:30', ends_at: '14:25', note: 'R-DISCO devoir commun' });
  assert.equal(res.status, 303);
  const change = srv.sql("SELECT id FROM lesson_change WHERE note = 'R-DISCO devoir commun'");
  assert.equal(srv.sql(`SELECT visible_from FROM lesson_change WHERE id = ${change}`), WED_7);
  assert.equal(srv.sql(`SELECT DISTINCT title FROM notification WHERE item = 'change:${change}'`), 'Évaluation : Mathématiques, mercredi 18 mars');
  const e = await as('eleve.demo');
  assert.doesNotMatch((await e.get('/emploi-du-temps?semaine=2026-03-16')).text, /R-DISCO devoir commun/);
  assert.match(visibleText((await t.get(`/emploi-du-temps/classes/${ids.cls}?semaine=2026-03-16`)).text), /Évaluation Programmé : visible par les familles/);
  const cpe = await as('cpe.demo');
  const page = await cpe.get(`/emploi-du-temps/classes/${ids.cls}?semaine=2026-03-16`);
  assert.equal((await cpe.post(`/emploi-du-temps/changements/${change}/supprimer`, { csrf: Client.csrfOf(page.text) })).status, 303);
  assert.equal(count(`SELECT count(*) FROM notification WHERE item = 'change:${change}'`), 0);
});

test('R-DISCO: homework posted on Saturday is held until Monday 07:00', async () => {
  const title = 'R-DISCO Lecture du week-end';
  const { t, path, page, id } = await postHomework('2026-03-14T10:00', ids.friday, '2026-03-13', { title, due_on: '2026-03-17' });
  assert.match(visibleText(page.text), /Droit à la déconnexion : .* lundi 16 mars à 07:00/);
  assert.equal(srv.sql(`SELECT visible_from FROM homework WHERE id = ${id}`), MON_7);
  assert.equal(srv.sql(`SELECT DISTINCT visible_at FROM notification WHERE item = 'homework:${id}'`), MON_7);
  assert.match(visibleText((await t.get(path)).text), new RegExp(`${title} .*Programmé : visible par les familles lundi 16 mars à 07:00`));
  for (const clock of ['2026-03-14T10:00', '2026-03-15T20:00', '2026-03-16T06:59']) {
    await srv.setClock(clock);
    const e = await as('eleve.demo'), p = await as('parent.demo');
    assert.doesNotMatch((await e.get('/travail-a-faire')).text, new RegExp(title), `pupil, ${clock}`);
    assert.doesNotMatch((await p.get(`/travail-a-faire/eleves/${ids.lucie}`)).text, new RegExp(title), `parent, ${clock}`);
  }
  await srv.setClock('2026-03-16T07:00');
  const e = await as('eleve.demo'), p = await as('parent.demo');
  assert.match((await e.get('/travail-a-faire')).text, new RegExp(title));
  assert.match((await p.get(`/travail-a-faire/eleves/${ids.lucie}`)).text, new RegExp(title));
  await srv.setClock('2026-03-10T21:30');
});

test('R-DISCO: bad homework and bad changes in a quiet period are still refused with 400, and nothing is stored nor notified', async () => {
  await srv.setClock('2026-03-10T21:30');
  const before = () => srv.sql('SELECT (SELECT count(*) FROM homework) || \'|\' || (SELECT count(*) FROM lesson_change) || \'|\' || (SELECT count(*) FROM notification)');
  const start = before();
  const t = await as('prof.demo');
  const path = lessonPath(ids.monday, '2026-03-09');
  const page = await t.get(path);
  const csrf = Client.csrfOf(page.text);
  const bad = await t.post(`${path}/travail`, { csrf, title: 'R-DISCO X', due_on: '2026-02-30' });
  assert.equal(bad.status, 400);
  assert.match(visibleText(bad.text), /Droit à la déconnexion/, 'the form comes back with its reminder');
  assert.equal((await t.post(`${path}/travail`, { csrf, title: 'R-DISCO X', due_on: '2026-03-02' })).status, 400);
  assert.equal((await t.post(`${path}/travail`, { csrf, title: '', due_on: '2026-03-12' })).status, 400);
  assert.equal((await t.post('/emploi-du-temps/evenements', { csrf, teaching: srv.sql(`SELECT teaching_id FROM timetable_slot WHERE id = ${ids.monday}`),
    kind: 'exam', date: '2026-03-18', starts_at: '15:00', ends_at: '14:00' })).status, 400);
  const cpe = await as('cpe.demo');
  const cpath = `/emploi-du-temps/cours/${ids.other}/2026-03-18`;
  const form = await cpe.get(cpath);
  const noTeacher = await cpe.post(cpath, { csrf: Client.csrfOf(form.text), kind: 'replaced' });
  assert.equal(noTeacher.status, 400);
  assert.equal((await cpe.post(cpath, { csrf: Client.csrfOf(form.text), kind: 'room_changed', room: '999999' })).status, 400);
  assert.equal(before(), start);
});

test('R-DISCO: the attachment of homework posted at 21:30 cannot be downloaded by families before 07:00; staff can at once', async () => {
  await srv.setClock('2026-03-10T21:30');
  const t = await as('prof.demo');
  const path = lessonPath(ids.monday, '2026-03-09');
  const page = await t.get(path);
  const form = new FormData();
  for (const [k, v] of Object.entries({ csrf: Client.csrfOf(page.text), title: 'R-DISCO Fiche du soir', due_on: '2026-03-13', minutes: '15' })) form.set(k, v);
  form.set('piece', new Blob(['%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n']), 'fiche.pdf');
  assert.equal((await t.request('POST', `${path}/travail`, { body: form })).status, 303);
  const id = srv.sql("SELECT id FROM homework WHERE title = 'R-DISCO Fiche du soir'");
  const att = srv.sql(`SELECT id FROM attachment WHERE owner = 'homework' AND owner_id = ${id}`);
  assert.ok(att, 'stored');
  const url = `/pieces-jointes/${att}/fiche.pdf`;
  assert.equal((await (await as('eleve.demo')).get(url)).status, 403, 'pupil, 21:30');
  assert.equal((await (await as('parent.demo')).get(url)).status, 403, 'parent, 21:30');
  assert.equal((await t.get(url)).status, 200, 'its teacher');
  assert.equal((await (await as('cpe.demo')).get(url)).status, 200, 'school life');
  await srv.setClock('2026-03-11T07:00');
  assert.equal((await (await as('eleve.demo')).get(url)).status, 200, 'pupil, 07:00');
  assert.equal((await (await as('parent.demo')).get(url)).status, 200, 'parent, 07:00');
  await srv.setClock('2026-03-10T21:30');
});
