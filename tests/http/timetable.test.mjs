// S-TIMETABLE: weekly slots, A/B weeks, holidays and public holidays from
// the school calendar (never guessed), one-off changes, views per profile,
// iCalendar feed behind a secret address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, Client, visibleText } from '../lib/carnet.mjs';

let srv, ids;
const one = (q) => srv.sql(q);

before(async () => {
  srv = await startServer({ now: '2025-11-18T08:00' });
  ids = {
    lucie: one("SELECT person_id FROM account WHERE login = 'eleve.demo'"),
    prof: one("SELECT person_id FROM account WHERE login = 'prof.demo'"),
    lucieClass: one("SELECT en.class_id FROM enrolment en JOIN account a ON a.person_id = en.pupil_id WHERE a.login = 'eleve.demo'"),
    classmate: one("SELECT en.pupil_id FROM enrolment en JOIN account a ON a.login = 'eleve.demo' WHERE en.class_id = (SELECT class_id FROM enrolment WHERE pupil_id = a.person_id) AND en.pupil_id <> a.person_id LIMIT 1"),
    ecole: one("SELECT id FROM establishment WHERE kind = 'ecole' ORDER BY id LIMIT 1"),
    ecoleClass: one("SELECT c.id FROM class c JOIN establishment e ON e.id = c.establishment_id WHERE e.kind = 'ecole' ORDER BY c.id LIMIT 1"),
    territory: one('SELECT territory_id FROM establishment LIMIT 1'),
  };
});
after(async () => { await srv.stop(); });

const as = (login) => srv.as(login);
async function week(c, monday, query = '') {
  const r = await c.get(`/api/v1/timetable?semaine=${monday}${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json();
}
const day = (w, date) => w.days.find((d) => d.date === date);

test('S-TIMETABLE: a pupil\'s week has lessons Monday to Friday, Wednesday morning only, nothing at the weekend', async () => {
  const w = await week(await as('eleve.demo'), '2025-11-17');
  assert.equal(w.days.length, 7);
  assert.equal(w.calendar_loaded, true);
  for (const d of w.days.slice(0, 5)) assert.ok(d.lessons.length >= 3, `${d.date} has lessons`);
  assert.ok(day(w, '2025-11-19').lessons.every((l) => l.end <= '12:30'), 'Wednesday afternoon is free');
  assert.deepEqual(day(w, '2025-11-22').lessons, []);
  assert.equal(day(w, '2025-11-22').reason, 'Week-end');
  // Lessons are in time order and never overlap.
  for (const d of w.days) {
    for (let i = 1; i < d.lessons.length; i++) assert.ok(d.lessons[i - 1].end <= d.lessons[i].start, `${d.date} ${d.lessons[i].start}`);
  }
});

test('S-TIMETABLE: no lesson during the Toussaint holidays of zone B nor on 11 November', async () => {
  const c = await as('eleve.demo');
  const toussaint = await week(c, '2025-10-20');
  for (const d of toussaint.days.slice(0, 5)) {
    assert.deepEqual(d.lessons, [], d.date);
    assert.equal(d.reason, 'Vacances de la Toussaint');
  }
  const armistice = await week(c, '2025-11-10');
  assert.deepEqual(day(armistice, '2025-11-11').lessons, []);
  assert.match(day(armistice, '2025-11-11').reason, /11 novembre|Armistice/i);
  assert.ok(day(armistice, '2025-11-10').lessons.length > 0);
  // Zone B winter holidays (14 February → 2 March 2026).
  const winter = await week(c, '2026-02-23');
  assert.ok(winter.days.every((d) => d.lessons.length === 0));
  // Ascension bridge.
  const ascension = await week(c, '2026-05-11');
  assert.deepEqual(day(ascension, '2026-05-14').lessons, []);
  assert.deepEqual(day(ascension, '2026-05-15').lessons, []);
  assert.ok(day(ascension, '2026-05-12').lessons.length > 0);
});

test('S-TIMETABLE: A/B weeks — subjects with an extra fortnightly hour alternate between consecutive school weeks', async () => {
  const c = await as('eleve.demo');
  const count = (w, code) => w.days.reduce((n, d) => n + d.lessons.filter((l) => l.subject_code === code).length, 0);
  const a = await week(c, '2025-11-24'), b = await week(c, '2025-12-01');
  let alternating = 0;
  for (const code of ['FRA', 'MATH', 'SVT', 'PC', 'TECH']) if (Math.abs(count(a, code) - count(b, code)) === 1) alternating++;
  assert.ok(alternating >= 3, `fortnightly hours alternate (${alternating})`);
  const page = await c.get('/emploi-du-temps?semaine=2025-11-24');
  const other = await c.get('/emploi-du-temps?semaine=2025-12-01');
  const ab = (t) => (visibleText(t).match(/semaine (A|B)/) || [])[1];
  assert.ok(ab(page.text) && ab(other.text) && ab(page.text) !== ab(other.text));
});

test('S-TIMETABLE: today\'s changes are highlighted: a room change and an absent teacher on Tuesday 18 November', async () => {
  const c = await as('eleve.demo');
  const w = await week(c, '2025-11-17');
  const tuesday = day(w, '2025-11-18').lessons;
  const moved = tuesday.find((l) => l.change === 'room_changed');
  assert.ok(moved, 'a room change');
  assert.equal(moved.subject_code, 'ANG');
  assert.equal(moved.room, 'Salle 102');
  assert.ok(tuesday.find((l) => l.change === 'teacher_absent' && l.subject_code === 'HG'));
  const exam = day(w, '2025-11-20').lessons.find((l) => l.change === 'exam');
  assert.equal(exam.subject_code, 'MATH');
  const page = await c.get('/emploi-du-temps');
  assert.equal(page.status, 200);
  const text = visibleText(page.text);
  assert.match(text, /Semaine du 17 novembre 2025/);
  assert.match(text, /2 changement\(s\) aujourd'hui/);
  assert.match(page.text, /class="lesson today-change"[\s\S]*?Changement de salle/);
  assert.match(page.text, /<del>Salle 101<\/del> Salle 102/);
  assert.match(text, /Enseignant absent/);
});

test('S-TIMETABLE: a parent sees each child\'s week, not another family\'s child', async () => {
  const p = await as('parent.demo');
  const mine = await p.get(`/emploi-du-temps/eleves/${ids.lucie}`);
  assert.equal(mine.status, 200);
  assert.match(visibleText(mine.text), /Emploi du temps de Lucie Moreau/);
  assert.equal((await p.get(`/emploi-du-temps/eleves/${ids.classmate}`)).status, 403);
  assert.equal((await p.get(`/api/v1/timetable?eleve=${ids.classmate}`)).status, 403);
  const portal = await p.get('/');
  assert.match(portal.text, new RegExp(`href="/emploi-du-temps/eleves/${ids.lucie}"`));
  const choose = await p.get('/emploi-du-temps');
  assert.match(visibleText(choose.text), /Lucie Moreau.*Hugo Moreau|Hugo Moreau.*Lucie Moreau/);
});

test('S-TIMETABLE: a teacher\'s week lists their classes; staff pick a class, a teacher or a room', async () => {
  const t = await as('prof.demo');
  const w = await week(t, '2025-11-17');
  const classes = new Set(w.days.flatMap((d) => d.lessons.map((l) => l.class)));
  assert.ok(classes.has('4e B'));
  assert.ok([...classes].every((c) => /^4e /.test(c)));
  assert.equal((await t.get(`/emploi-du-temps/enseignants/${ids.prof}`)).status, 200);
  assert.equal((await t.get(`/emploi-du-temps/classes/${ids.ecoleClass}`)).status, 403);
  const cpe = await as('cpe.demo');
  const chooser = await cpe.get('/emploi-du-temps');
  assert.match(chooser.text, /href="\/emploi-du-temps\/salles\/\d+"/);
  const room = chooser.text.match(/href="(\/emploi-du-temps\/salles\/\d+)">Gymnase</)[1];
  const gym = await cpe.get(room + '?semaine=2025-11-17');
  assert.equal(gym.status, 200);
  assert.match(visibleText(gym.text), /EPS/);
  assert.equal((await cpe.get(`/emploi-du-temps/enseignants/${ids.prof}`)).status, 200);
  // Pupils and parents do not browse teachers' or rooms' timetables.
  const e = await as('eleve.demo');
  assert.equal((await e.get(`/emploi-du-temps/enseignants/${ids.prof}`)).status, 403);
  assert.equal((await e.get(room)).status, 403);
  assert.equal((await e.get(`/emploi-du-temps/classes/${ids.lucieClass}`)).status, 403);
});

test('S-TIMETABLE: school-life staff cancel a lesson, families see it at once, then staff undo it', async () => {
  const cpe = await as('cpe.demo');
  const page = await cpe.get(`/emploi-du-temps/classes/${ids.lucieClass}?semaine=2025-11-24`);
  const link = page.text.match(/href="(\/emploi-du-temps\/cours\/(\d+)\/2025-11-25)"/);
  assert.ok(link, 'an editable lesson on Tuesday 25 November');
  const form = await cpe.get(link[1]);
  assert.equal(form.status, 200);
  const res = await cpe.post(link[1], { csrf: Client.csrfOf(form.text), kind: 'cancelled', note: 'Conseil de classe' });
  assert.equal(res.status, 303);
  const e = await as('eleve.demo');
  const w = await week(e, '2025-11-24');
  const cancelled = day(w, '2025-11-25').lessons.find((l) => l.change === 'cancelled');
  assert.equal(cancelled.note, 'Conseil de classe');
  // A second change on the same lesson is refused: undo first.
  const again = await cpe.post(link[1], { csrf: Client.csrfOf(form.text), kind: 'cancelled' });
  assert.equal(again.status, 409);
  const edit = await cpe.get(link[1]);
  const undo = edit.text.match(/action="(\/emploi-du-temps\/changements\/\d+\/supprimer)"/)[1];
  assert.equal((await cpe.post(undo, { csrf: Client.csrfOf(edit.text) })).status, 303);
  const after = await week(e, '2025-11-24');
  assert.equal(day(after, '2025-11-25').lessons.filter((l) => l.change).length, 0);
});

test('S-TIMETABLE: bad changes are refused with a clear message and nothing is stored', async () => {
  const cpe = await as('cpe.demo');
  const before = one('SELECT count(*) FROM lesson_change');
  const page = await cpe.get(`/emploi-du-temps/classes/${ids.lucieClass}?semaine=2025-11-24`);
  const [, path, slot] = page.text.match(/href="(\/emploi-du-temps\/cours\/(\d+)\/2025-11-25)"/);
  const csrf = Client.csrfOf(page.text);
  // The slot does not take place on a Wednesday.
  const wrongDay = await cpe.post(`/emploi-du-temps/cours/${slot}/2025-11-26`, { csrf, kind: 'cancelled' });
  assert.equal(wrongDay.status, 400);
  assert.match(visibleText(wrongDay.text), /n'a pas lieu à cette date/);
  assert.equal((await cpe.post(`/emploi-du-temps/cours/${slot}/2025-02-31`, { csrf, kind: 'cancelled' })).status, 400);
  const noTeacher = await cpe.post(path, { csrf, kind: 'replaced' });
  assert.equal(noTeacher.status, 400);
  assert.match(visibleText(noTeacher.text), /Choisissez un enseignant remplaçant/);
  assert.equal((await cpe.post(path, { csrf, kind: 'teleported' })).status, 400);
  assert.equal((await cpe.post(path, { csrf, kind: 'room_changed', room: '999999' })).status, 400);
  // A teacher cannot change the timetable; a head of another school neither.
  const t = await as('prof.demo');
  const tp = await t.get('/');
  assert.equal((await t.post(path, { csrf: Client.csrfOf(tp.text), kind: 'cancelled' })).status, 403);
  assert.equal(one('SELECT count(*) FROM lesson_change'), before);
});

test('S-TIMETABLE: a teacher schedules an exam for their class; not for a class they do not teach; not on a holiday', async () => {
  const t = await as('prof.demo');
  const teaching = one(`SELECT t.id FROM teaching t WHERE t.teacher_id = ${ids.prof} AND t.class_id = ${ids.lucieClass}`);
  const other = one(`SELECT t.id FROM teaching t WHERE t.teacher_id <> ${ids.prof} AND t.class_id = ${ids.lucieClass} LIMIT 1`);
  const home = await t.get('/');
  const csrf = Client.csrfOf(home.text);
  const ok = await t.post('/emploi-du-temps/evenements', { csrf, teaching, kind: 'exam', date: '2025-12-03', starts_at: '13:30', ends_at: '14:25', note: 'Devoir commun' });
  assert.equal(ok.status, 303);
  const e = await as('eleve.demo');
  const w = await week(e, '2025-12-01');
  assert.ok(day(w, '2025-12-03').lessons.find((l) => l.change === 'exam' && l.note === 'Devoir commun'));
  assert.equal((await t.post('/emploi-du-temps/evenements', { csrf, teaching: other, kind: 'exam', date: '2025-12-03', starts_at: '13:30', ends_at: '14:25' })).status, 403);
  const holiday = await t.post('/emploi-du-temps/evenements', { csrf, teaching, kind: 'exam', date: '2025-12-25', starts_at: '10:00', ends_at: '11:00' });
  assert.equal(holiday.status, 400);
  assert.match(visibleText(holiday.text), /Pas de cours ce jour-là/);
  const times = await t.post('/emploi-du-temps/evenements', { csrf, teaching, kind: 'exam', date: '2025-12-04', starts_at: '15:00', ends_at: '14:00' });
  assert.equal(times.status, 400);
});

test('S-TIMETABLE: without the school calendar of the year, nothing is guessed and the page says so', async () => {
  const c = await as('eleve.demo');
  const w = await week(c, '2026-09-14');
  assert.equal(w.calendar_loaded, false);
  assert.ok(w.days.every((d) => d.lessons.length === 0));
  const page = await c.get('/emploi-du-temps?semaine=2026-09-14');
  assert.match(visibleText(page.text), /calendrier scolaire de cette année n'est pas chargé/);
  const admin = await as('admin.demo');
  const status = await admin.get(`/territoires/${ids.territory}/calendrier`);
  assert.equal(status.status, 200);
  assert.match(visibleText(status.text), /2025-2026/);
  assert.match(visibleText(status.text), /chargé/);
});

test('S-TIMETABLE: the territory admin imports the official dataset\'s CSV; a malformed file changes nothing', async () => {
  const admin = await as('admin.demo');
  const page = await admin.get(`/territoires/${ids.territory}/calendrier`);
  const csrf = Client.csrfOf(page.text);
  const upload = async (content) => {
    const b = 'calBoundary7';
    const body = `--${b}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="fichier"; filename="calendrier.csv"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${b}--\r\n`;
    return admin.request('POST', `/territoires/${ids.territory}/calendrier`, { body, headers: { 'Content-Type': `multipart/form-data; boundary=${b}` } });
  };
  const before = one('SELECT count(*) FROM school_calendar');
  const bad = await upload('Description;Population;Date de début;Date de fin;Zones;annee_scolaire\nVacances de la Toussaint;-;2026-10-17T00:00:00+02:00;pas une date;Zone B;2026-2027\n');
  assert.equal(bad.status, 400);
  assert.match(visibleText(bad.text), /Import refusé, rien n'a été enregistré : line 2/);
  assert.equal(one('SELECT count(*) FROM school_calendar'), before);
  const official = 'Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire\n' +
    'Rentrée scolaire des élèves;-;2026-08-31T22:00:00+00:00;2026-08-31T22:00:00+00:00;Nantes;Zone B;2026-2027\n' +
    'Vacances de la Toussaint;-;2026-10-16T22:00:00+00:00;2026-11-01T23:00:00+00:00;Nantes;Zone B;2026-2027\n' +
    'Vacances de la Toussaint;-;2026-10-16T22:00:00+00:00;2026-11-01T23:00:00+00:00;Rennes;Zone B;2026-2027\n' +
    'Prérentrée des enseignants;Enseignants;2026-08-30T22:00:00+00:00;2026-08-30T22:00:00+00:00;Nantes;Zone B;2026-2027\n' +
    "Vacances d'Été;-;2027-07-02T22:00:00+00:00;2027-08-31T22:00:00+00:00;Nantes;Zone B;2026-2027\n";
  const ok = await upload(official);
  assert.equal(ok.status, 200);
  assert.match(visibleText(ok.text), /Calendrier importé : 3 périodes/);
  assert.equal(one("SELECT starts_on || ' ' || ends_on FROM school_calendar WHERE zone = 'B' AND school_year = '2026-2027' AND description = 'Vacances de la Toussaint'"), '2026-10-17 2026-11-02');
  // Only the territory admin imports calendars.
  const head = await as('direction.demo');
  assert.equal((await head.get(`/territoires/${ids.territory}/calendrier`)).status, 403);
});

test('S-TIMETABLE: iCalendar feed behind a secret address, regenerated on demand', async () => {
  const e = await as('eleve.demo');
  const page = await e.get('/emploi-du-temps/agenda');
  const created = await e.post('/emploi-du-temps/agenda', { csrf: Client.csrfOf(page.text) });
  assert.equal(created.status, 200);
  const url = new URL(created.text.match(/value="(http[^"]+\/ical\/[^"]+)"/)[1]);
  const feed = await fetch(srv.url + url.pathname);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /text\/calendar/);
  const ics = await feed.text();
  assert.match(ics, /^BEGIN:VCALENDAR\r\nVERSION:2.0/);
  assert.ok((ics.match(/BEGIN:VEVENT/g) || []).length > 20);
  assert.match(ics, /STATUS:CANCELLED/);
  assert.match(ics, /DTSTART:20251118T070000Z/); // 08:00 in Paris is 07:00 UTC in November
  // A new address replaces the old one.
  const again = await e.post('/emploi-du-temps/agenda', { csrf: Client.csrfOf(page.text) });
  assert.equal(again.status, 200);
  assert.equal((await fetch(srv.url + url.pathname)).status, 404);
  assert.equal((await fetch(srv.url + '/ical/not-a-real-token')).status, 404);
});

test('S-PORTAL: the parent portal shows each child\'s lessons of today with their changes (one query for all children)', async () => {
  const p = await as('parent.demo');
  const home = await p.get('/');
  const cards = home.text.split('<section class="card child"').slice(1);
  const lucie = visibleText(cards.find((c) => c.includes('Lucie Moreau')));
  const hugo = visibleText(cards.find((c) => c.includes('Hugo Moreau')));
  assert.match(lucie, /Aujourd'hui 08:00 Anglais Changement de salle Salle 102/);
  assert.match(lucie, /14:25 Histoire-géographie Enseignant absent/);
  assert.match(hugo, /08:30 Polyvalent/);
  assert.doesNotMatch(hugo, /Anglais/);
  assert.doesNotMatch(lucie, /Polyvalent/);
  // On Saturday the portal says it is the weekend.
  await srv.setClock('2025-11-22T10:00');
  const again = await as('parent.demo'); // four days later the session has expired
  const sat = visibleText((await again.get('/')).text);
  assert.match(sat, /Aujourd'hui Week-end/);
  await srv.setClock('2025-11-18T08:00');
});
